//! The app's own tests, one binary: the headless CLI, and end-to-end tests that drive the real
//! window through WebDriver (tauri-driver + WebKitWebDriver) under Xvfb. Sync tests run a real
//! `branchdesk-hq` (the desk-sync tests' `office` helper).

mod applications;
mod cli;
mod consent;
mod desk;
mod first_run;
#[path = "../../src-tauri/crates/desk_sync/tests/desk_sync/office.rs"]
mod office;
mod officers;
mod sync;
mod verify;
