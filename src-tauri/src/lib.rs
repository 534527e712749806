//! The Branch Desk desktop shell: the Tauri window, its IPC commands, and the headless CLI that
//! shares the binary. Rules and storage live in the crates under `src-tauri/crates`; this crate only
//! wires them to the window (thin command wrappers, DTOs, the `{code, message}` error shape).
#![forbid(unsafe_code)]

pub mod cli;
mod commands;
pub mod error;
pub mod paths;
mod state;

use std::process::ExitCode;

/// Opens the desk's main window and runs until it closes.
pub fn run_gui() -> ExitCode {
    let data_dir = match paths::data_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("branchdesk: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = tauri::Builder::default()
        .manage(state::AppState::new(data_dir))
        .invoke_handler(tauri::generate_handler![
            commands::app::ui_ready,
            commands::app::app_info,
            commands::session::session_status,
            commands::session::vault_create,
            commands::session::session_unlock,
            commands::session::session_lock,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("branchdesk: the window could not start: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod shell_rules;
