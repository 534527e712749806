//! `branchdesk-hq`: see the library's documentation.
fn main() {}
