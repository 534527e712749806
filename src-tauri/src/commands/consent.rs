//! Consent at the desk: the client card's consent panel (each purpose's state, the version in
//! force, whether consent must be renewed, the history of every grant and withdrawal), recording
//! a grant with a signature drawn on screen or the signed form's scan, withdrawing purposes, the
//! receipt (sealed PDF and Kantara v1.1 JSON), and the client's data export for a subject-access
//! request. The rules are `domain::consent`; the records are the vault's.
//!
//! A scan reaches Rust as the raw body of `consent_scan_stage` (no JSON array of 20 million
//! numbers); it is checked at once and held, under a token, until the grant or withdrawal that
//! names it. Locking the desk drops it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use domain::consent::{Action, Method, Scope, Standing};
use domain::consent_receipt::{self, Controller, ReceiptFacts};
use domain::date::format_date;
use domain::evidence::{DrawnSignature, sniff_scan};
use domain::policy::PolicyVersion;
use print::{ClientData, LineState, ReceiptEvidence, ReceiptLine};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;
use vault::{ClientId, ClientRecord, ConsentEventRecord, Evidence, NewGrant, NewWithdrawal, Vault};

use crate::documents::terms_in_force;
use crate::error::{CommandError, ErrorCode};
use crate::quote::desk_time_text;
use crate::state::{ANY_ROLE, AppState, CHECKERS, StagedScan};

/// A purpose with its state.
#[derive(Debug, Serialize, TS)]
pub struct PurposeView {
    pub code: String,
    pub title_ru: String,
    pub title_kk: String,
    pub required: bool,
    /// Given now.
    pub granted: bool,
    /// The client has decided it (given, refused or withdrawn).
    pub decided: bool,
    /// Not given because the client withdrew it.
    pub withdrawn: bool,
}

/// One grant or withdrawal as the history lists it.
#[derive(Debug, Serialize, TS)]
pub struct ConsentEventView {
    pub id: String,
    /// `grant` or `withdraw`.
    pub action: String,
    /// Desk time, `26.11.2026 09:30`.
    pub at: String,
    /// `paper`, `screen`, `paper-and-screen` or `phone`.
    pub method: String,
    pub officer: String,
    pub policy_version: u32,
    /// For a grant each purpose's decision; for a withdrawal the purposes withdrawn.
    pub decisions: Vec<PurposeView>,
    /// `signature-strokes`, `signature-image`, `scan`.
    pub evidence: Vec<String>,
    pub note: Option<String>,
    /// False when the record no longer verifies (altered): it counts for nothing.
    pub signature_ok: bool,
}

/// A client's consent in one scope.
#[derive(Debug, Serialize, TS)]
pub struct ScopeView {
    /// `privacy` or `credit-bureau`.
    pub scope: String,
    pub in_force_version: u32,
    pub in_force_sha256: String,
    /// `dd.mm.yyyy`.
    pub in_force_effective: String,
    /// The version of the latest grant.
    pub given_version: Option<u32>,
    /// The latest grant is to another version than the one in force: ask again.
    pub renewal_needed: bool,
    /// Every required purpose of the version in force is given.
    pub ready: bool,
    /// Each purpose's state now.
    pub purposes: Vec<PurposeView>,
    /// The version in force's purposes, for a new grant.
    pub form_purposes: Vec<PurposeView>,
    /// A consent form under the version in force was printed for the client.
    pub form_printed: bool,
    /// Every event, oldest first.
    pub history: Vec<ConsentEventView>,
}

/// The client card's consent panel.
#[derive(Debug, Serialize, TS)]
pub struct ConsentView {
    pub client_id: String,
    /// The client has a signed loan: required purposes cannot be withdrawn.
    pub loan_open: bool,
    pub scopes: Vec<ScopeView>,
}

/// A grant, as the officer confirms it.
#[derive(Debug, Deserialize, TS)]
pub struct ConsentRecordRequest {
    /// 32 hex digits made when the form opened: a second click gives the same record.
    pub request_key: String,
    pub client_id: String,
    /// `privacy` or `credit-bureau`.
    pub scope: String,
    /// The version and hash the screen showed.
    pub policy_version: u32,
    pub policy_sha256: String,
    /// Purpose code → given.
    pub decisions: BTreeMap<String, bool>,
    /// `paper`, `screen` or `paper-and-screen`.
    pub method: String,
    #[ts(optional)]
    pub signature: Option<DrawnSignature>,
    /// From `consent_scan_stage`.
    #[ts(optional)]
    pub scan_token: Option<String>,
}

/// A withdrawal.
#[derive(Debug, Deserialize, TS)]
pub struct ConsentWithdrawRequest {
    pub request_key: String,
    pub client_id: String,
    pub scope: String,
    pub purposes: Vec<String>,
    /// `phone`, `paper`, `screen` or `paper-and-screen`.
    pub method: String,
    #[ts(optional)]
    pub signature: Option<DrawnSignature>,
    #[ts(optional)]
    pub scan_token: Option<String>,
    #[ts(optional)]
    pub note: Option<String>,
}

/// A scan checked and held for the next grant or withdrawal.
#[derive(Debug, Serialize, TS)]
pub struct ScanStaged {
    pub token: String,
    /// `application/pdf`, `image/png` or `image/jpeg`.
    pub media_type: String,
    #[ts(type = "number")]
    pub size: u64,
    pub sha256: String,
}

/// What was recorded.
#[derive(Debug, Serialize, TS)]
pub struct ConsentRecorded {
    pub event_id: String,
}

fn scope_of(text: &str) -> Result<Scope, CommandError> {
    Scope::parse(text).ok_or_else(|| {
        CommandError::new(ErrorCode::InvalidInput, "no such consent scope").on("scope")
    })
}

fn method_of(text: &str) -> Result<Method, CommandError> {
    Method::parse(text)
        .ok_or_else(|| CommandError::new(ErrorCode::InvalidInput, "no such method").on("method"))
}

fn purpose_view(
    policy: Option<&PolicyVersion>,
    code: &str,
    granted: bool,
    decided: bool,
) -> PurposeView {
    let p = policy.and_then(|v| v.purposes.iter().find(|p| p.code == code));
    PurposeView {
        code: code.to_owned(),
        title_ru: p.map_or(code, |p| p.title_in("ru")).to_owned(),
        title_kk: p.map_or(code, |p| p.title_in("kk")).to_owned(),
        required: p.is_some_and(|p| p.required),
        granted,
        decided,
        withdrawn: false,
    }
}

fn event_view(e: &ConsentEventRecord, known: &[PolicyVersion]) -> ConsentEventView {
    let c = &e.content;
    let policy = domain::policy::find(known, c.policy_version, &c.policy_sha256);
    ConsentEventView {
        id: c.id.clone(),
        action: c.action.as_str().to_owned(),
        at: desk_time_text(&e.at),
        method: c.method.as_str().to_owned(),
        officer: c.officer_name.clone(),
        policy_version: c.policy_version,
        decisions: c
            .decisions
            .iter()
            .map(|(code, granted)| purpose_view(policy, code, *granted, true))
            .collect(),
        evidence: c.evidence.iter().map(|r| r.kind.clone()).collect(),
        note: c.note.clone(),
        signature_ok: e.signature_ok,
    }
}

/// The consent panel of a client.
pub(crate) fn view(
    v: &Vault,
    client_id: &str,
    now: DateTime<Utc>,
) -> Result<ConsentView, CommandError> {
    let id = ClientId::from(client_id);
    v.client(&id)?;
    let events = v.consent_events(&id)?;
    let printed = v.documents_for(Some(&id), &[])?;
    let mut scopes = Vec::new();
    for scope in [Scope::Privacy, Scope::CreditBureau] {
        let in_force = &terms_in_force(v, scope, now)?;
        let known = v.policy_versions(scope)?;
        // The events read once above serve both scopes.
        let standing = vault::standing(&events, in_force, &known);
        let given = standing
            .given_version
            .and_then(|n| known.iter().find(|p| p.version == n));
        let shown = if standing.renewal_needed {
            given
        } else {
            Some(in_force)
        };
        scopes.push(ScopeView {
            scope: scope.as_str().to_owned(),
            in_force_version: in_force.version,
            in_force_sha256: in_force.sha256.clone(),
            in_force_effective: format_date(in_force.effective),
            given_version: standing.given_version,
            renewal_needed: standing.renewal_needed,
            ready: standing.ready().is_ok(),
            purposes: standing
                .purposes
                .iter()
                .map(|p| PurposeView {
                    withdrawn: !p.granted
                        && events.iter().any(|e| {
                            Some(&e.content.id) == p.event_id.as_ref()
                                && e.content.action == Action::Withdraw
                        }),
                    ..purpose_view(shown, &p.code, p.granted, p.event_id.is_some())
                })
                .collect(),
            form_purposes: in_force
                .purposes
                .iter()
                .map(|p| purpose_view(Some(in_force), &p.code, false, false))
                .collect(),
            form_printed: printed
                .iter()
                .any(|d| d.kind == scope.form_kind() && d.policy_version == Some(in_force.version)),
            history: events
                .iter()
                .filter(|e| e.content.scope == scope)
                .map(|e| event_view(e, &known))
                .collect(),
        });
    }
    Ok(ConsentView {
        client_id: client_id.to_owned(),
        loan_open: v.loan_open(&id)?,
        scopes,
    })
}

/// The signature's PNG, rendered here from the strokes (never taken from the window).
fn signature_png(signature: Option<&DrawnSignature>) -> Option<Vec<u8>> {
    signature
        .filter(|s| s.check().is_ok())
        .map(print::signature_png)
}

/// Records a grant (the scan, if any, already checked and held).
pub(crate) fn record(
    v: &mut Vault,
    request: &ConsentRecordRequest,
    scan: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<ConsentRecorded, CommandError> {
    let scope = scope_of(&request.scope)?;
    let method = method_of(&request.method)?;
    let in_force = &terms_in_force(v, scope, now)?;
    let png = signature_png(request.signature.as_ref());
    let recorded = v.record_consent(
        &NewGrant {
            request_key: &request.request_key,
            client_id: &ClientId::from(request.client_id.as_str()),
            in_force,
            policy_version: request.policy_version,
            policy_sha256: &request.policy_sha256,
            decisions: &request.decisions,
            method,
            evidence: Evidence {
                signature: request.signature.as_ref(),
                signature_png: png.as_deref(),
                scan,
                note: None,
            },
        },
        now,
    )?;
    Ok(ConsentRecorded {
        event_id: recorded.content.id,
    })
}

/// Records a withdrawal.
pub(crate) fn withdraw(
    v: &mut Vault,
    request: &ConsentWithdrawRequest,
    scan: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<ConsentRecorded, CommandError> {
    let scope = scope_of(&request.scope)?;
    let method = method_of(&request.method)?;
    let in_force = &terms_in_force(v, scope, now)?;
    let png = signature_png(request.signature.as_ref());
    let recorded = v.withdraw_consent(
        &NewWithdrawal {
            request_key: &request.request_key,
            client_id: &ClientId::from(request.client_id.as_str()),
            in_force,
            purposes: &request.purposes,
            method,
            evidence: Evidence {
                signature: request.signature.as_ref(),
                signature_png: png.as_deref(),
                scan,
                note: request.note.as_deref(),
            },
        },
        now,
    )?;
    Ok(ConsentRecorded {
        event_id: recorded.content.id,
    })
}

/// Checks a scan's bytes and describes it (it is held by the caller).
pub(crate) fn check_scan(bytes: &[u8]) -> Result<(String, String), CommandError> {
    let kind = sniff_scan(bytes).map_err(|e| CommandError::from(vault::VaultError::Evidence(e)))?;
    Ok((
        kind.media_type().to_owned(),
        domain::policy::sha256_hex(bytes),
    ))
}

/// The events of `scope` up to and including `event_id`, and that event.
fn events_until(
    events: &[ConsentEventRecord],
    event_id: &str,
) -> Result<(Vec<domain::consent::Event>, ConsentEventRecord), CommandError> {
    let at = events
        .iter()
        .position(|e| e.content.id == event_id)
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "no such consent event"))?;
    let this = events[at].clone();
    if !this.signature_ok {
        return Err(CommandError::new(
            ErrorCode::VaultDamaged,
            "the consent record no longer verifies",
        ));
    }
    let until = events[..=at]
        .iter()
        .filter(|e| e.signature_ok && e.content.scope == this.content.scope)
        .map(ConsentEventRecord::event)
        .collect();
    Ok((until, this))
}

/// The standing right after an event, against the version that event refers to.
fn standing_after(
    v: &Vault,
    events: &[domain::consent::Event],
    this: &ConsentEventRecord,
) -> Result<(Standing, PolicyVersion), CommandError> {
    let c = &this.content;
    let policy =
        known_version(v, c.scope, c.policy_version, &c.policy_sha256)?.ok_or_else(|| {
            CommandError::new(
                ErrorCode::NotFound,
                "the policy version of this consent is not known",
            )
        })?;
    Ok((
        Standing::of(events, c.scope, &policy, Some(&policy)),
        policy,
    ))
}

/// The version of `scope`'s text with this number and hash, shipped or published by head office.
fn known_version(
    v: &Vault,
    scope: Scope,
    version: u32,
    sha256: &str,
) -> Result<Option<PolicyVersion>, CommandError> {
    Ok(domain::policy::find(&v.policy_versions(scope)?, version, sha256).cloned())
}

/// What the receipt of an event says.
pub(crate) fn receipt_of(
    v: &Vault,
    client: &ClientRecord,
    event_id: &str,
) -> Result<print::Receipt, CommandError> {
    let events = v.consent_events(&client.id)?;
    let (until, this) = events_until(&events, event_id)?;
    let (standing, policy) = standing_after(v, &until, &this)?;
    let withdrawals: Vec<&str> = until
        .iter()
        .filter(|e| e.action == Action::Withdraw)
        .map(|e| e.id.as_str())
        .collect();
    let c = &this.content;
    Ok(print::Receipt {
        client: ClientData::of(&client.client),
        scope: c.scope,
        event_id: c.id.clone(),
        action: c.action,
        // A verified event's stored time agrees with the signed one.
        at: this.event().at,
        method: c.method,
        officer: c.officer_name.clone(),
        policy_version: policy.version,
        policy_effective: policy.effective,
        policy_sha256: policy.sha256.clone(),
        purposes: standing
            .purposes
            .iter()
            .filter_map(|s| {
                let p = policy.purposes.iter().find(|p| p.code == s.code)?;
                let state = if s.granted {
                    LineState::Given
                } else if s
                    .event_id
                    .as_deref()
                    .is_some_and(|e| withdrawals.contains(&e))
                {
                    LineState::Withdrawn
                } else {
                    LineState::Refused
                };
                Some(ReceiptLine {
                    code: p.code.clone(),
                    title_ru: p.title_in("ru").to_owned(),
                    title_kk: p.title_in("kk").to_owned(),
                    required: p.required,
                    state,
                })
            })
            .collect(),
        evidence: c
            .evidence
            .iter()
            .map(|r| ReceiptEvidence {
                kind: r.kind.clone(),
                sha256: r.sha256.clone(),
                size: r.size,
            })
            .collect(),
        note: c.note.clone(),
        signature: c
            .evidence
            .iter()
            .find(|r| r.kind == "signature-strokes")
            .map(|r| v.attachment_as_signed(r))
            .transpose()?
            .and_then(|(_, bytes)| serde_json::from_slice(&bytes).ok()),
    })
}

/// The organisation as the Kantara receipt names it.
fn controller() -> Controller {
    Controller {
        pii_controller: print::COMPANY.name.to_owned(),
        on_behalf: false,
        contact: "Отделение МФО / МҰҰ бөлімшесі".to_owned(),
        address: print::COMPANY.address.to_owned(),
        email: "info@sinvest.kz".to_owned(),
        phone: "—".to_owned(),
        pii_controller_url: consent_receipt::POLICY_URL.to_owned(),
    }
}

/// The Kantara v1.1 receipt of the client's latest event in `scope`.
pub(crate) fn kantara(
    v: &Vault,
    client: &ClientRecord,
    scope: Scope,
) -> Result<consent_receipt::Receipt, CommandError> {
    let events = v.consent_events(&client.id)?;
    let last = events
        .iter()
        .rev()
        .find(|e| e.signature_ok && e.content.scope == scope)
        .ok_or_else(|| {
            CommandError::new(
                ErrorCode::ConsentMissing,
                "the client has no consent record",
            )
        })?;
    let (until, this) = events_until(&events, &last.content.id)?;
    let (standing, policy) = standing_after(v, &until, &this)?;
    let at = this.event().at;
    Ok(consent_receipt::receipt(&ReceiptFacts {
        event_id: &this.content.id,
        at,
        method: this.content.method,
        desk_key: &this.content.desk,
        iin: client.client.iin.as_str(),
        scope,
        policy: &policy,
        standing: &standing,
        controller: controller(),
    }))
}

// ---- IPC ----

/// The consent panel.
#[tauri::command]
pub(crate) fn consent_get(
    state: State<'_, AppState>,
    client_id: String,
) -> Result<ConsentView, CommandError> {
    state.with_session(ANY_ROLE, |v| view(v, &client_id, Utc::now()))
}

/// Takes a scan's bytes (the raw request body), checks it and holds it under a token.
#[tauri::command]
pub(crate) fn consent_scan_stage(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<ScanStaged, CommandError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(
            CommandError::new(ErrorCode::InvalidInput, "the scan must be sent as bytes").on("scan"),
        );
    };
    state.with_session(ANY_ROLE, |_| Ok(()))?;
    let (media_type, sha256) = check_scan(bytes)?;
    let token = vault::new_document_id().into_string();
    let staged = ScanStaged {
        token: token.clone(),
        media_type,
        size: bytes.len() as u64,
        sha256,
    };
    state.stage_scan(StagedScan {
        token,
        bytes: bytes.clone(),
    });
    Ok(staged)
}

/// Records a grant.
#[tauri::command]
pub(crate) fn consent_record(
    state: State<'_, AppState>,
    request: ConsentRecordRequest,
) -> Result<ConsentRecorded, CommandError> {
    let scan = state.staged_scan(request.scan_token.as_deref())?;
    state.with_session(ANY_ROLE, |v| {
        record(v, &request, scan.as_deref(), Utc::now())
    })
}

/// Records a withdrawal.
#[tauri::command]
pub(crate) fn consent_withdraw(
    state: State<'_, AppState>,
    request: ConsentWithdrawRequest,
) -> Result<ConsentRecorded, CommandError> {
    let scan = state.staged_scan(request.scan_token.as_deref())?;
    state.with_session(ANY_ROLE, |v| {
        withdraw(v, &request, scan.as_deref(), Utc::now())
    })
}

/// Asks where to save a file; `None` when the officer cancels.
fn choose(
    app: &AppHandle,
    filter: (&str, &[&str]),
    name: &str,
) -> Result<Option<PathBuf>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    let chosen = app
        .dialog()
        .file()
        .add_filter(filter.0, filter.1)
        .set_file_name(name)
        .blocking_save_file();
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    chosen.into_path().map(Some).map_err(|_| {
        CommandError::new(
            ErrorCode::InvalidInput,
            "the chosen place is not a file path",
        )
    })
}

/// Saves the Kantara receipt JSON of the client's latest consent event in `scope`.
#[tauri::command]
pub(crate) async fn consent_receipt_save(
    app: AppHandle,
    client_id: String,
    scope: String,
) -> Result<Option<String>, CommandError> {
    let state = app.state::<AppState>();
    let scope = scope_of(&scope)?;
    let json = state.with_session(ANY_ROLE, |v| {
        let client = v.client(&ClientId::from(client_id.as_str()))?;
        let r = kantara(v, &client, scope)?;
        serde_json::to_vec_pretty(&r)
            .map_err(|_| CommandError::new(ErrorCode::Internal, "the receipt could not be written"))
    })?;
    let name = format!("consent-receipt-{}.json", scope.as_str());
    let Some(path) = choose(&app, ("JSON", &["json"]), &name)? else {
        return Ok(None);
    };
    // The dialog asked before replacing a file; still owner-only and never through a symlink.
    vault::files::create_private(&path, true)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &json))
        .map_err(|_| {
            CommandError::new(ErrorCode::SaveFailed, "the file could not be written there")
        })?;
    Ok(Some(path.display().to_string()))
}

/// Exports everything the vault holds about a client as one ZIP (supervisors, administrators;
/// audited).
#[tauri::command]
pub(crate) async fn client_export(
    app: AppHandle,
    client_id: String,
) -> Result<Option<String>, CommandError> {
    let state = app.state::<AppState>();
    // The role is checked before the dialog opens, and again when the export is made.
    state.with_session(CHECKERS, |_| Ok(()))?;
    let name = format!(
        "client-{}.zip",
        client_id.chars().take(8).collect::<String>()
    );
    let Some(path) = choose(&app, ("ZIP", &["zip"]), &name)? else {
        return Ok(None);
    };
    state.with_session(CHECKERS, |v| {
        crate::export::write(v, &ClientId::from(client_id.as_str()), &path, Utc::now())
    })?;
    Ok(Some(path.display().to_string()))
}
