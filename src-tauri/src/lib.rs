//! The Branch Desk desktop shell: the Tauri window, its IPC commands, and the headless CLI that
//! shares the binary. Rules and storage live in the crates under `src-tauri/crates`; this crate only
//! wires them to the window (thin command wrappers, DTOs, the `{code, message}` error shape).
#![forbid(unsafe_code)]

pub mod cli;
mod commands;
mod documents;
pub mod error;
mod export;
mod head_office;
pub mod paths;
mod quote;
mod state;
mod verification;

use std::process::ExitCode;

use tauri::Manager;

/// Opens the desk's main window and runs until it closes.
pub fn run_gui() -> ExitCode {
    let data_dir = match paths::data_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("branchdesk: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The data folder holds the vault, printouts and the unlock counter: its owner's alone.
    if let Err(e) = vault::files::private_dir(&data_dir) {
        eprintln!("branchdesk: cannot prepare the data folder: {e}");
        return ExitCode::FAILURE;
    }
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state::AppState::new(data_dir.clone()))
        .invoke_handler(tauri::generate_handler![
            commands::app::ui_ready,
            commands::app::app_info,
            commands::app::audit_verify,
            commands::app::settings_set_auto_lock,
            commands::session::session_status,
            commands::session::vault_create,
            commands::session::session_unlock,
            commands::session::vault_recover,
            commands::session::session_lock,
            commands::session::session_touch,
            commands::session::form_draft_take,
            commands::session::form_draft_save,
            commands::officers::officers_list,
            commands::officers::officer_add,
            commands::officers::officer_set_disabled,
            commands::officers::officer_reset_passphrase,
            commands::clients::client_check,
            commands::clients::client_create,
            commands::clients::client_update,
            commands::clients::client_get,
            commands::clients::clients_search,
            commands::clients::iin_inspect,
            commands::applications::products_list,
            commands::applications::application_quote,
            commands::applications::application_create,
            commands::applications::application_save_draft,
            commands::applications::application_submit,
            commands::applications::application_revise,
            commands::applications::application_step,
            commands::applications::application_get,
            commands::applications::applications_list,
            commands::applications::approval_queue,
            commands::officers::officer_set_approval_limit,
            commands::consent::consent_get,
            commands::consent::consent_scan_stage,
            commands::consent::consent_record,
            commands::consent::consent_withdraw,
            commands::consent::consent_receipt_save,
            commands::consent::client_export,
            commands::documents::document_print,
            commands::documents::document_open,
            commands::documents::document_save_as,
            commands::documents::documents_list,
            commands::sync::sync_status,
            commands::sync::sync_enrol_preview,
            commands::sync::sync_enrol,
            commands::sync::sync_now,
            commands::sync::sync_outbox,
            commands::sync::sync_retry,
            commands::sync::settings_set_sync_interval,
            commands::verify::verify_identity,
            commands::verify::verify_qr,
            commands::verify::verify_file,
            commands::verify::verifications_list,
        ])
        .setup(move |app| {
            // Printouts of an earlier run (one that crashed or was killed) do not stay on disk.
            documents::clear_printouts(&data_dir);
            // Background sync with head office while an officer is signed in.
            commands::sync::spawn_background(app.handle().clone());
            // Auto-lock: every few seconds, drop the vault of an officer idle past the limit.
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("auto-lock".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        handle
                            .state::<state::AppState>()
                            .lock_if_idle(std::time::Instant::now());
                    }
                })?;
            Ok(())
        })
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
