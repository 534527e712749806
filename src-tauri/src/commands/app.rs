//! Facts about the running app and its settings, the audit check, and the first-screen signal.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::commands::session::blocking;
use crate::error::CommandError;
use crate::state::{ADMIN, ANY_ROLE, AppState};

/// What Settings shows about this installation.
#[derive(Debug, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub schema_version: u32,
    #[ts(type = "number")]
    pub audit_entries: i64,
    #[ts(type = "number")]
    pub outbox_pending: i64,
    /// Where the device secret is kept: `secret-service`, `file`, …
    pub keychain_backend: String,
    pub keychain_is_os: bool,
    /// Whether head office can recover this vault.
    pub has_recovery: bool,
    pub auto_lock_minutes: u32,
    /// The desk's Ed25519 public key, hex: what head office certifies.
    pub desk_signing_key: String,
}

#[derive(Debug, Serialize, TS)]
pub struct AuditCheck {
    #[ts(type = "number")]
    pub entries: i64,
    /// The first entry that does not link to the one before, if any.
    #[ts(type = "number | null")]
    pub first_broken: Option<i64>,
    /// How the chain compares with the signed head kept in `vault.keys`.
    pub anchor: AnchorView,
    /// How it compares with the head head office last acknowledged (`null` before any).
    pub head_office: Option<HeadOfficeView>,
}

/// The chain against the audit head head office acknowledged (see `vault::HeadOfficeCheck`).
#[derive(Debug, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HeadOfficeView {
    /// The acknowledged entry is there, unchanged.
    Matches {
        #[ts(type = "number")]
        seq: i64,
    },
    /// The acknowledged entry is gone: the chain was cut behind what head office has.
    Truncated {
        #[ts(type = "number")]
        acknowledged: i64,
        #[ts(type = "number")]
        last_seq: i64,
    },
    /// The acknowledged entry differs: history head office saw was rewritten.
    Rewritten {
        #[ts(type = "number")]
        seq: i64,
    },
}

impl From<&vault::HeadOfficeCheck> for HeadOfficeView {
    fn from(c: &vault::HeadOfficeCheck) -> Self {
        use vault::HeadOfficeCheck as H;
        match *c {
            H::Matches { seq } => HeadOfficeView::Matches { seq },
            H::Truncated {
                acknowledged,
                last_seq,
            } => HeadOfficeView::Truncated {
                acknowledged,
                last_seq,
            },
            H::Rewritten { seq } => HeadOfficeView::Rewritten { seq },
        }
    }
}

/// The chain against its signed head (see `vault::AnchorCheck`).
#[derive(Debug, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AnchorView {
    /// The signed head is the last entry, unchanged.
    Matches {
        #[ts(type = "number")]
        seq: i64,
    },
    /// The signed head is there unchanged; later entries are not anchored yet (after a crash).
    Ahead {
        #[ts(type = "number")]
        seq: i64,
    },
    /// Entries up to the signed head are missing: the chain was cut short.
    Truncated {
        #[ts(type = "number")]
        anchored: i64,
        /// The last entry still there (0 when none).
        #[ts(type = "number")]
        last_seq: i64,
    },
    /// The entry at the signed head differs: history was rewritten.
    Rewritten {
        #[ts(type = "number")]
        seq: i64,
    },
    /// The head in `vault.keys` is not signed by this desk's key.
    BadSignature,
    /// The signed head is missing from `vault.keys`.
    Missing,
}

impl From<&vault::AnchorCheck> for AnchorView {
    fn from(a: &vault::AnchorCheck) -> Self {
        use vault::AnchorCheck as A;
        match *a {
            A::Matches { seq } => AnchorView::Matches { seq },
            A::Ahead { seq, .. } => AnchorView::Ahead { seq },
            A::Truncated { anchored, last_seq } => AnchorView::Truncated { anchored, last_seq },
            A::Rewritten { seq } => AnchorView::Rewritten { seq },
            A::BadSignature => AnchorView::BadSignature,
            A::Missing => AnchorView::Missing,
        }
    }
}

#[derive(Deserialize, TS)]
pub struct AutoLockRequest {
    pub minutes: u32,
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
        let backend = vault.keychain_backend();
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: state.data_dir.display().to_string(),
            schema_version: vault.schema_version()?,
            audit_entries: vault.audit_len()?,
            outbox_pending: vault.outbox_pending()?,
            keychain_backend: backend.as_str().to_owned(),
            keychain_is_os: backend.is_os_keychain(),
            has_recovery: vault.has_recovery()?,
            auto_lock_minutes: vault.auto_lock_minutes()?,
            desk_signing_key: vault.desk_public_keys()?.signing,
        })
    })
}

/// Walks the whole audit chain (administrators). Slow on big vaults, so off the async workers.
#[tauri::command]
pub(crate) async fn audit_verify(app: AppHandle) -> Result<AuditCheck, CommandError> {
    blocking(move || {
        let state = app.state::<AppState>();
        state.with_session(ADMIN, |v| {
            let report = v.verify_audit()?;
            Ok(AuditCheck {
                entries: report.entries,
                first_broken: report.first_broken,
                anchor: AnchorView::from(&report.anchor),
                head_office: report.head_office.as_ref().map(HeadOfficeView::from),
            })
        })
    })
    .await
}

#[tauri::command]
pub(crate) fn settings_set_auto_lock(
    state: State<'_, AppState>,
    request: AutoLockRequest,
) -> Result<(), CommandError> {
    let limit = std::time::Duration::from_secs(u64::from(request.minutes) * 60);
    state.with_session(ADMIN, |v| {
        v.set_auto_lock_minutes(request.minutes, chrono::Utc::now())?;
        Ok(())
    })?;
    if let Some(s) = state.slot().as_mut() {
        s.idle_limit = limit;
    }
    Ok(())
}
