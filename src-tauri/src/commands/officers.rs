//! The desk's officers: listed, added, disabled and given new passphrases by an administrator.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;
use vault::{OfficerId, Passphrase, Role};

use crate::commands::session::blocking;
use crate::error::CommandError;
use crate::state::{ADMIN, ANY_ROLE, AppState};

#[derive(Debug, Serialize, TS)]
pub struct OfficerRow {
    pub id: String,
    pub name: String,
    #[ts(type = "\"officer\" | \"supervisor\" | \"admin\"")]
    pub role: Role,
    pub disabled: bool,
    /// The highest amount a supervisor may approve, `1 000 000,00 ₸` (none until set).
    pub approval_limit: String,
}

#[derive(Deserialize, TS)]
pub struct SetApprovalLimitRequest {
    pub officer_id: String,
    /// As the administrator types money.
    pub amount: String,
}

#[derive(Deserialize, TS)]
pub struct AddOfficerRequest {
    pub name: String,
    #[ts(type = "\"officer\" | \"supervisor\" | \"admin\"")]
    pub role: Role,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

#[derive(Deserialize, TS)]
pub struct SetOfficerDisabledRequest {
    pub officer_id: String,
    pub disabled: bool,
}

#[derive(Deserialize, TS)]
pub struct ResetPassphraseRequest {
    pub officer_id: String,
    #[ts(type = "string")]
    pub passphrase: Passphrase,
}

fn rows(state: &AppState) -> Result<Vec<OfficerRow>, CommandError> {
    state.with_session(ADMIN, |v| {
        v.officers()?
            .into_iter()
            .map(|o| {
                Ok(OfficerRow {
                    approval_limit: v.approval_limit(&o.id)?.to_string(),
                    id: o.id.0,
                    name: o.name,
                    role: o.role,
                    disabled: o.disabled,
                })
            })
            .collect()
    })
}

#[tauri::command]
pub(crate) fn officers_list(state: State<'_, AppState>) -> Result<Vec<OfficerRow>, CommandError> {
    rows(&state)
}

/// Adds an officer. Wrapping the key for them takes a moment (scrypt), so it runs off the async
/// workers; the app handle reaches the managed state from there.
#[tauri::command]
pub(crate) async fn officer_add(
    app: AppHandle,
    request: AddOfficerRequest,
) -> Result<Vec<OfficerRow>, CommandError> {
    blocking(move || {
        let state = app.state::<AppState>();
        state.with_session(ADMIN, |v| {
            Ok(v.add_officer(
                &request.name,
                request.role,
                &request.passphrase,
                chrono::Utc::now(),
            )?)
        })?;
        rows(&state)
    })
    .await
}

/// Disabling rotates the data key, which re-encrypts the whole vault (about 30 s for 2.6 GB,
/// BENCHMARKS.md): it runs off the UI thread.
#[tauri::command]
pub(crate) async fn officer_set_disabled(
    app: AppHandle,
    request: SetOfficerDisabledRequest,
) -> Result<Vec<OfficerRow>, CommandError> {
    blocking(move || {
        let state = app.state::<AppState>();
        state.with_session(ADMIN, |v| {
            Ok(v.set_officer_disabled(
                &OfficerId(request.officer_id),
                request.disabled,
                chrono::Utc::now(),
            )?)
        })?;
        rows(&state)
    })
    .await
}

/// A new passphrase: administrators for anyone, every officer for themself.
#[tauri::command]
pub(crate) async fn officer_reset_passphrase(
    app: AppHandle,
    request: ResetPassphraseRequest,
) -> Result<(), CommandError> {
    blocking(move || {
        let state = app.state::<AppState>();
        // The vault allows administrators for anyone and every officer for themself.
        state.with_session(ANY_ROLE, |v| {
            let target = OfficerId(request.officer_id);
            Ok(v.reset_passphrase(&target, &request.passphrase, chrono::Utc::now())?)
        })
    })
    .await
}

/// Reads and sets a supervisor's approval limit (administrators only).
pub(crate) fn set_approval_limit(
    v: &mut vault::Vault,
    request: &SetApprovalLimitRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), CommandError> {
    if request.amount.trim().is_empty() {
        return Err(CommandError::field(
            "amount",
            domain::field::Problem::Required,
        ));
    }
    let amount = domain::Money::parse(&request.amount).map_err(|_| {
        CommandError::field(
            "amount",
            domain::field::Problem::Format(domain::field::Shape::Money),
        )
    })?;
    if amount < domain::Money::ZERO {
        return Err(CommandError::field(
            "amount",
            domain::field::Problem::OutOfRange(domain::field::Range::Money {
                min: Some(domain::Money::ZERO),
                max: None,
            }),
        ));
    }
    Ok(v.set_approval_limit(&OfficerId(request.officer_id.clone()), amount, now)?)
}

#[tauri::command]
pub(crate) fn officer_set_approval_limit(
    state: State<'_, AppState>,
    request: SetApprovalLimitRequest,
) -> Result<Vec<OfficerRow>, CommandError> {
    state.with_session(ADMIN, |v| {
        set_approval_limit(v, &request, chrono::Utc::now())
    })?;
    rows(&state)
}
