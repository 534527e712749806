//! The app's own tests, one binary: the headless CLI, and end-to-end tests that drive the real
//! window through WebDriver (tauri-driver + WebKitWebDriver) under Xvfb.

mod applications;
mod cli;
mod consent;
mod desk;
mod first_run;
mod officers;
