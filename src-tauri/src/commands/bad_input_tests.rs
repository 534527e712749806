//! Bad input at the IPC edge: every field's limit and format gives a typed error and stores nothing.
