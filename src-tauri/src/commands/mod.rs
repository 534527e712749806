//! IPC commands, one module per area. Each is a thin wrapper: check the session and role, validate
//! the DTO, call the crate that does the work, map its error to `{code, message}`.

pub(crate) mod app;
pub(crate) mod applications;
pub(crate) mod clients;
pub(crate) mod consent;
pub(crate) mod documents;
pub(crate) mod officers;
pub(crate) mod session;
pub(crate) mod sync;
pub(crate) mod verify;

#[cfg(test)]
mod bad_input_tests;

/// Rows per page of every list the window shows (clients, applications): the screen's page.
pub(crate) const PAGE: u32 = 50;
