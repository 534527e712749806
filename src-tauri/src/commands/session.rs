//! Creating the vault, unlocking it as an officer, locking it again, and the idle clock.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use vault::{Keychain, OfficerId, Passphrase, Vault, VaultError, VaultState};

use crate::error::{CommandError, ErrorCode};
use crate::state::{ANY_ROLE, AppState, Session};

/// Whether a vault exists, and who is signed in.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionStatus {
    /// First run: no vault yet.
    NoVault,
    /// A vault exists and is locked; these officers can unlock it.
    Locked { officers: Vec<OfficerChoice> },
    /// A vault exists but this computer's keychain no longer holds its device secret (a new
    /// computer, a wiped keyring): only head office's recovery key opens it.
    NeedsRecovery,
    /// An officer is signed in; `outbox_pending` records wait for head office.
    Unlocked {
        officer: SignedInOfficer,
        /// `None` when the count could not be read (shown as unknown, never as zero).
        #[ts(type = "number | null")]
        outbox_pending: Option<i64>,
        /// Seconds until the desk locks itself unless the officer does something.
        #[ts(type = "number")]
        idle_seconds_left: u64,
    },
}

#[derive(Debug, Serialize, TS)]
pub struct OfficerChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, TS)]
pub struct SignedInOfficer {
    pub id: String,
    pub name: String,
    #[ts(type = "\"officer\" | \"supervisor\" | \"admin\"")]
    pub role: vault::Role,
    /// False when the device secret is in the explicit file store: the UI warns.
    pub keychain_is_os: bool,
}

/// The first administrator's name and passphrase.
#[derive(Deserialize, TS)]
pub struct CreateVaultRequest {
    pub admin_name: String,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
    /// Keep the device secret in a file because this computer has no keychain. Only honoured
    /// after the OS keychain was found missing; never chosen silently.
    pub allow_file_keychain: bool,
}

#[derive(Deserialize, TS)]
pub struct UnlockRequest {
    pub officer_id: String,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

/// Head office's recovery key and the administrator's new passphrase.
#[derive(Deserialize, TS)]
pub struct RecoverRequest {
    /// Head office's age identity (`AGE-SECRET-KEY-1…`), as pasted or read from its file.
    #[ts(type = "string")]
    pub identity: Passphrase,
    /// The administrator to recover as; `null` takes the first administrator.
    pub officer_id: Option<String>,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

fn signed_in(s: &Session) -> SessionStatus {
    let v = &s.vault;
    let o = v.officer();
    SessionStatus::Unlocked {
        officer: SignedInOfficer {
            id: o.id.0.clone(),
            name: o.name.clone(),
            role: o.role,
            keychain_is_os: v.keychain_backend().is_os_keychain(),
        },
        outbox_pending: v.outbox_pending().ok(),
        idle_seconds_left: s.idle_left(Instant::now()),
    }
}

pub(crate) fn status_of(state: &AppState) -> Result<SessionStatus, CommandError> {
    state.lock_if_idle(Instant::now());
    if let Some(s) = state.slot().as_ref() {
        return Ok(signed_in(s));
    }
    Ok(match state.vault_dir.state()? {
        VaultState::Missing => SessionStatus::NoVault,
        VaultState::Present { keychain } => {
            let keychain = Keychain::for_backend(keychain, &state.data_dir)?;
            match state.vault_dir.roster(&keychain) {
                Ok(roster) => SessionStatus::Locked {
                    officers: roster
                        .into_iter()
                        .map(|(id, name)| OfficerChoice { id: id.0, name })
                        .collect(),
                },
                Err(VaultError::DeviceSecretMissing) => SessionStatus::NeedsRecovery,
                Err(e) => return Err(e.into()),
            }
        }
    })
}

/// Signs the opened vault's officer in: the session starts now.
fn begin(state: &AppState, vault: Vault) -> SessionStatus {
    let session = Session::new(vault);
    let status = signed_in(&session);
    *state.slot() = Some(session);
    status
}

/// Runs slow vault work (scrypt, first page decrypt, D-Bus) off the UI thread.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|_| CommandError::new(ErrorCode::Internal, "background task failed"))?
}

/// Head office's recovery recipient for new vaults, if this installation was given one
/// (`BRANCHDESK_HQ_RECIPIENT`, or `head-office-recovery.txt` in the data folder).
pub(crate) fn hq_recipient(
    data_dir: &std::path::Path,
) -> Result<Option<age::x25519::Recipient>, CommandError> {
    let text = match std::env::var("BRANCHDESK_HQ_RECIPIENT") {
        Ok(t) if !t.trim().is_empty() => t,
        _ => match std::fs::read_to_string(data_dir.join("head-office-recovery.txt")) {
            Ok(t) => t,
            Err(_) => return Ok(None),
        },
    };
    text.trim().parse().map(Some).map_err(|_| {
        CommandError::new(
            ErrorCode::InvalidInput,
            "head office's recovery key is not an age recipient",
        )
    })
}

#[tauri::command]
pub(crate) fn session_status(state: State<'_, AppState>) -> Result<SessionStatus, CommandError> {
    status_of(&state)
}

#[tauri::command]
pub(crate) async fn vault_create(
    state: State<'_, AppState>,
    request: CreateVaultRequest,
) -> Result<SessionStatus, CommandError> {
    let dir = state.vault_dir.clone();
    let data_dir = state.data_dir.clone();
    let vault = blocking(move || {
        let recovery = hq_recipient(&data_dir)?;
        let keychain = match Keychain::os() {
            Ok(k) => k,
            Err(VaultError::KeychainUnavailable(_)) if request.allow_file_keychain => {
                Keychain::file(&data_dir)
            }
            Err(e) => return Err(e.into()),
        };
        let v = Vault::create(
            &dir,
            &keychain,
            &request.admin_name,
            &request.passphrase,
            recovery.as_ref(),
            chrono::Utc::now(),
        )?;
        Ok(v)
    })
    .await?;
    Ok(begin(&state, vault))
}

#[tauri::command]
pub(crate) async fn session_unlock(
    state: State<'_, AppState>,
    request: UnlockRequest,
) -> Result<SessionStatus, CommandError> {
    let officer = OfficerId(request.officer_id.clone());
    let dir = state.vault_dir.clone();
    let keychain = dir.keychain(&state.data_dir)?;
    let vault = blocking(move || {
        Ok(Vault::unlock(
            &dir,
            &keychain,
            &officer,
            &request.passphrase,
            chrono::Utc::now(),
        )?)
    })
    .await?;
    Ok(begin(&state, vault))
}

/// Recovers the desk with head office's recovery key (a lost keychain, a forgotten administrator
/// passphrase): the administrator gets the new passphrase and is signed in.
#[tauri::command]
pub(crate) async fn vault_recover(
    state: State<'_, AppState>,
    request: RecoverRequest,
) -> Result<SessionStatus, CommandError> {
    let dir = state.vault_dir.clone();
    let keychain = dir.keychain(&state.data_dir)?;
    let identity = request.identity.age_identity()?;
    let admin = request.officer_id.map(OfficerId);
    let vault = blocking(move || {
        Ok(Vault::recover(
            &dir,
            &keychain,
            &identity,
            admin.as_ref(),
            &request.passphrase,
            chrono::Utc::now(),
        )?)
    })
    .await?;
    Ok(begin(&state, vault))
}

/// Locks the desk: closes the vault, which wipes the key. Allowed in any state.
#[tauri::command]
pub(crate) fn session_lock(state: State<'_, AppState>) -> Result<SessionStatus, CommandError> {
    state.lock();
    status_of(&state)
}

/// The officer is at the desk (the UI calls this on keyboard and pointer input, at most every
/// few seconds): pushes auto-lock back.
#[tauri::command]
pub(crate) fn session_touch(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.with_session(ANY_ROLE, |_| Ok(()))
}

/// The officer's open form, as the window keeps it for auto-lock.
#[derive(Debug, Serialize, Deserialize, TS)]
pub struct FormDraftDto {
    /// Which form (`client`, `application`).
    pub kind: String,
    /// The form's content and where it was open, as the window serialised it.
    pub data: String,
}

/// Saves the open form before the desk locks itself; not the officer's activity, so it does not
/// postpone the lock it prepares for.
#[tauri::command]
pub(crate) fn form_draft_save(
    state: State<'_, AppState>,
    draft: FormDraftDto,
) -> Result<(), CommandError> {
    state.with_session_quiet(|v| {
        Ok(v.save_form_draft(&draft.kind, &draft.data, chrono::Utc::now())?)
    })
}

/// Hands back (once) the form the officer had open when the desk locked itself.
#[tauri::command]
pub(crate) fn form_draft_take(
    state: State<'_, AppState>,
) -> Result<Option<FormDraftDto>, CommandError> {
    state.with_session(ANY_ROLE, |v| {
        Ok(v.take_form_draft(chrono::Utc::now())?
            .map(|d| FormDraftDto {
                kind: d.kind,
                data: d.data,
            }))
    })
}
