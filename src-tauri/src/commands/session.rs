//! Creating the vault, unlocking it as an officer, and locking it again.

use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use vault::{OfficerId, Passphrase, Vault, VaultState};

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// Whether a vault exists, and who is signed in.
#[derive(Debug, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionStatus {
    /// First run: no vault yet.
    NoVault,
    /// A vault exists and is locked; these officers can unlock it.
    Locked { officers: Vec<OfficerChoice> },
    /// An officer is signed in.
    Unlocked { officer: SignedInOfficer },
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
}

/// The first administrator's name and passphrase.
#[derive(Deserialize, TS)]
pub struct CreateVaultRequest {
    pub admin_name: String,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

#[derive(Deserialize, TS)]
pub struct UnlockRequest {
    pub officer_id: String,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

fn signed_in(v: &Vault) -> SessionStatus {
    let o = v.officer();
    SessionStatus::Unlocked {
        officer: SignedInOfficer {
            id: o.id.0.clone(),
            name: o.name.clone(),
            role: o.role,
        },
    }
}

fn status_of(state: &AppState) -> Result<SessionStatus, CommandError> {
    if let Some(v) = state.slot().as_ref() {
        return Ok(signed_in(v));
    }
    Ok(match state.vault_dir.state()? {
        VaultState::Missing => SessionStatus::NoVault,
        VaultState::Present(officers) => SessionStatus::Locked {
            officers: officers
                .into_iter()
                .map(|(id, name)| OfficerChoice { id: id.0, name })
                .collect(),
        },
    })
}

/// Runs slow vault work (scrypt, first page decrypt) off the UI thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|_| CommandError::new(ErrorCode::Internal, "background task failed"))?
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
    let vault = blocking(move || {
        Ok(Vault::create(
            &dir,
            &request.admin_name,
            &request.passphrase,
            chrono::Utc::now(),
        )?)
    })
    .await?;
    let status = signed_in(&vault);
    *state.slot() = Some(vault);
    Ok(status)
}

#[tauri::command]
pub(crate) async fn session_unlock(
    state: State<'_, AppState>,
    request: UnlockRequest,
) -> Result<SessionStatus, CommandError> {
    let dir = state.vault_dir.clone();
    let vault = blocking(move || {
        Ok(Vault::unlock(
            &dir,
            &OfficerId(request.officer_id),
            &request.passphrase,
        )?)
    })
    .await?;
    let status = signed_in(&vault);
    *state.slot() = Some(vault);
    Ok(status)
}

/// Locks the desk: closes the vault, which wipes the key. Allowed in any state.
#[tauri::command]
pub(crate) fn session_lock(state: State<'_, AppState>) -> Result<SessionStatus, CommandError> {
    state.slot().take();
    status_of(&state)
}
