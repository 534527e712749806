//! Clients: the KYC form checked while typing and on save, the client card, and the one search
//! box. The rules are `domain::client`'s; storage is the vault's. Each command is a thin wrapper
//! over a function of the vault, so the tests call exactly what the window calls.

use chrono::{DateTime, Utc};
use domain::client::{self, ClientForm, DocumentKind};
use domain::date::format_date;
use domain::iin::{Iin, Sex};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use vault::{ApplicationFilter, ClientId, ClientQuery, Vault};

use crate::commands::applications::{ApplicationRowView, row_view};
use crate::error::{CommandError, ErrorCode, problem_code};
use crate::quote::desk_date;
use crate::state::{ANY_ROLE, AppState};

/// One field's problem, for inline errors.
#[derive(Debug, Serialize, TS)]
pub struct FieldIssue {
    pub field: String,
    pub code: ErrorCode,
    /// What the value must be, when the problem names it (shape, earlier date, range).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<domain::field::Limit>,
}

/// What an IIN alone says: the form fills birth date and sex from it.
#[derive(Debug, Serialize, TS)]
pub struct IinInfo {
    pub iin: String,
    pub birth_date: String,
    pub sex: Sex,
    /// The client who already has this IIN, if any.
    pub client_id: Option<String>,
}

/// A client as the card shows it.
#[derive(Debug, Serialize, TS)]
pub struct ClientView {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub full_name: String,
    pub iin: String,
    pub birth_date: String,
    pub sex: Sex,
    pub phone: String,
    pub email: Option<String>,
    pub registration_address: String,
    pub actual_address: String,
    pub document_kind: DocumentKind,
    pub document_number: String,
    pub document_issuer: String,
    pub document_issued_on: String,
    pub document_expires_on: String,
    pub employer: Option<String>,
    pub position: Option<String>,
    pub monthly_income: String,
    pub registered_at: String,
    /// The form filled with this client, for editing.
    pub form: ClientForm,
}

/// The client card: the client and their applications (current versions).
#[derive(Debug, Serialize, TS)]
pub struct ClientCard {
    pub client: ClientView,
    pub applications: Vec<ApplicationRowView>,
}

#[derive(Debug, Serialize, TS)]
pub struct ClientRowView {
    pub id: String,
    pub iin: String,
    pub full_name: String,
    pub phone: String,
    pub birth_date: String,
}

#[derive(Debug, Serialize, TS)]
pub struct ClientPage {
    pub items: Vec<ClientRowView>,
    pub next: Option<String>,
    /// The query was too short to search (fewer than 2 letters or 4 digits).
    pub too_short: bool,
}

#[derive(Debug, Deserialize, TS)]
pub struct ClientSearchRequest {
    pub query: String,
    pub after: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
pub struct ClientUpdateRequest {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub form: ClientForm,
}

fn issues(form: &ClientForm, now: DateTime<Utc>) -> Vec<FieldIssue> {
    match client::check(form, desk_date(now)) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .into_iter()
            .map(|p| FieldIssue {
                field: p.field.to_owned(),
                code: problem_code(p.problem),
                limit: p.problem.limit(),
            })
            .collect(),
    }
}

fn checked(form: &ClientForm, now: DateTime<Utc>) -> Result<client::Client, CommandError> {
    client::check(form, desk_date(now)).map_err(|problems| match problems.first() {
        Some(p) => CommandError::field(p.field, p.problem),
        None => CommandError::new(ErrorCode::Internal, "the form was refused without a reason"),
    })
}

pub(crate) fn create(
    v: &mut Vault,
    form: &ClientForm,
    now: DateTime<Utc>,
) -> Result<String, CommandError> {
    let c = checked(form, now)?;
    Ok(v.add_client(&c, now)?.into_string())
}

pub(crate) fn update(
    v: &mut Vault,
    request: &ClientUpdateRequest,
    now: DateTime<Utc>,
) -> Result<i64, CommandError> {
    let c = checked(&request.form, now)?;
    Ok(v.update_client(
        &ClientId::from(request.id.as_str()),
        request.version,
        &c,
        now,
    )?)
}

pub(crate) fn card(v: &Vault, id: &str) -> Result<ClientCard, CommandError> {
    let id = &ClientId::from(id);
    let r = v.client(id)?;
    let c = &r.client;
    let applications = v
        .applications(
            &ApplicationFilter {
                client_id: Some(id.clone()),
                stage: None,
            },
            None,
            200,
        )?
        .items
        .into_iter()
        .map(row_view)
        .collect();
    Ok(ClientCard {
        client: ClientView {
            id: r.id.to_string(),
            version: r.version,
            full_name: c.full_name(),
            iin: c.iin.as_str().to_owned(),
            birth_date: format_date(c.birth_date),
            sex: c.sex,
            phone: c.phone.as_str().to_owned(),
            email: c.email.clone(),
            registration_address: c.registration_address.clone(),
            actual_address: c.actual_address.clone(),
            document_kind: c.document.kind,
            document_number: c.document.number.clone(),
            document_issuer: c.document.issuer.clone(),
            document_issued_on: format_date(c.document.issued_on),
            document_expires_on: format_date(c.document.expires_on),
            employer: c.employer.clone(),
            position: c.position.clone(),
            monthly_income: c.monthly_income.to_string(),
            registered_at: crate::quote::desk_time_text(&r.created_at),
            form: c.to_form(),
        },
        applications,
    })
}

pub(crate) fn search(v: &Vault, request: &ClientSearchRequest) -> Result<ClientPage, CommandError> {
    let query = ClientQuery::parse(&request.query);
    let page = v.search_clients(&query, request.after.as_deref(), super::PAGE)?;
    Ok(ClientPage {
        items: page
            .items
            .into_iter()
            .map(|r| ClientRowView {
                id: r.id.into_string(),
                iin: r.iin,
                full_name: r.full_name,
                phone: r.phone,
                birth_date: format_date(r.birth_date),
            })
            .collect(),
        next: page.next,
        too_short: query == ClientQuery::TooShort,
    })
}

pub(crate) fn inspect_iin(v: &Vault, iin: &str) -> Result<IinInfo, CommandError> {
    if iin.trim().is_empty() {
        return Err(CommandError::field("iin", domain::field::Problem::Required));
    }
    let parsed =
        Iin::parse(iin.trim()).map_err(|e| CommandError::field("iin", client::iin_problem(&e)))?;
    Ok(IinInfo {
        iin: parsed.as_str().to_owned(),
        birth_date: format_date(parsed.birth_date()),
        sex: parsed.sex(),
        client_id: v
            .client_id_by_iin(parsed.as_str())?
            .map(ClientId::into_string),
    })
}

/// Every problem of the form, for inline errors while the officer types; stores nothing.
#[tauri::command]
pub(crate) fn client_check(
    state: State<'_, AppState>,
    form: ClientForm,
) -> Result<Vec<FieldIssue>, CommandError> {
    state.with_session(ANY_ROLE, |_| Ok(issues(&form, Utc::now())))
}

#[tauri::command]
pub(crate) fn client_create(
    state: State<'_, AppState>,
    form: ClientForm,
) -> Result<String, CommandError> {
    state.with_session(ANY_ROLE, |v| create(v, &form, Utc::now()))
}

#[tauri::command]
pub(crate) fn client_update(
    state: State<'_, AppState>,
    request: ClientUpdateRequest,
) -> Result<i64, CommandError> {
    state.with_session(ANY_ROLE, |v| update(v, &request, Utc::now()))
}

#[tauri::command]
pub(crate) fn client_get(
    state: State<'_, AppState>,
    id: String,
) -> Result<ClientCard, CommandError> {
    state.with_session(ANY_ROLE, |v| card(v, &id))
}

#[tauri::command]
pub(crate) fn clients_search(
    state: State<'_, AppState>,
    request: ClientSearchRequest,
) -> Result<ClientPage, CommandError> {
    state.with_session(ANY_ROLE, |v| search(v, &request))
}

#[tauri::command]
pub(crate) fn iin_inspect(
    state: State<'_, AppState>,
    iin: String,
) -> Result<IinInfo, CommandError> {
    state.with_session(ANY_ROLE, |v| inspect_iin(v, &iin))
}
