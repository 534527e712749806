//! Facts about the running app, and the first-screen signal.

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::CommandError;
use crate::state::{ANY_ROLE, AppState};

/// What Settings shows about this installation.
#[derive(Debug, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub schema_version: u32,
    #[ts(type = "number")]
    pub audit_entries: i64,
}

/// Called by the UI once its first screen is on display. With `BRANCHDESK_READY_FILE` set (the
/// start-up benchmark), writes that file; otherwise does nothing. Needs no session.
#[tauri::command]
pub(crate) fn ui_ready() {
    if let Some(path) = std::env::var_os("BRANCHDESK_READY_FILE") {
        let _ = std::fs::write(path, b"ready");
    }
}

#[tauri::command]
pub(crate) fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    state.with_session(ANY_ROLE, |vault| {
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: state.data_dir.display().to_string(),
            schema_version: vault.schema_version()?,
            audit_entries: vault.audit_len()?,
        })
    })
}
