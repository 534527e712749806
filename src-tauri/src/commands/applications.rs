//! Loan applications: products, the live quote, drafts, submission, the supervisor's decisions,
//! versions, lists and the approval queue. Terms are always quoted by `domain` against the catalog
//! on the desk's date before anything is stored; the vault enforces maker-checker.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::application::{self, ApplicationForm, Stage, Step, Terms};
use domain::catalog::Catalog;
use domain::field::Problem;
use domain::money::Money;
use domain::schedule::Method;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use vault::{ApplicationFilter, ApplicationId, ApplicationRow, ClientId, Vault};

use crate::error::{CommandError, ErrorCode};
use crate::quote::{QuoteReport, desk_date, desk_time_text, report};
use crate::state::{ANY_ROLE, AppState};

/// A product as the application form offers it.
#[derive(Debug, Serialize, TS)]
pub struct ProductView {
    pub id: String,
    /// Names by language (`ru`, `kk`, `en`).
    pub name: BTreeMap<String, String>,
    pub min_amount: String,
    pub max_amount: String,
    pub min_months: u32,
    pub max_months: u32,
    pub nominal_rate_text: String,
    pub methods: Vec<Method>,
}

/// An application in a list, the queue or on the client card.
#[derive(Debug, Serialize, TS)]
pub struct ApplicationRowView {
    pub id: String,
    /// Short reference officers read out: the first 8 characters of the application's id.
    pub number: String,
    #[ts(type = "number")]
    pub version: i64,
    pub client_id: String,
    pub client_name: String,
    pub product_id: String,
    pub amount: String,
    #[ts(type = "number")]
    pub amount_tiyn: i64,
    pub months: u32,
    pub stage: Stage,
    pub maker_name: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, TS)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationRowView>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, TS)]
pub struct ApplicationEventView {
    pub at: String,
    pub officer_name: String,
    pub step: String,
    pub stage: Stage,
    pub reason: Option<String>,
    #[ts(type = "number")]
    pub version: i64,
}

#[derive(Debug, Serialize, TS)]
pub struct VersionView {
    pub id: String,
    #[ts(type = "number")]
    pub version: i64,
    pub stage: Stage,
}

/// One application version with its quote, history and what the signed-in officer may do now.
#[derive(Debug, Serialize, TS)]
pub struct ApplicationView {
    pub id: String,
    pub number: String,
    #[ts(type = "number")]
    pub version: i64,
    pub replaces: Option<String>,
    pub client_id: String,
    pub client_name: String,
    pub stage: Stage,
    pub maker_name: String,
    pub purpose: String,
    /// The form filled with this version's terms, for editing a draft or revising.
    pub form: ApplicationForm,
    /// The quote as stored with this version.
    pub quote: QuoteReport,
    pub events: Vec<ApplicationEventView>,
    pub versions: Vec<VersionView>,
    pub actions: Vec<Step>,
    /// The client has consented to the required purposes of the policy in force (submission
    /// waits for it).
    pub consent_ready: bool,
    /// The client consented to an older policy version: consent must be renewed first.
    pub consent_renewal: bool,
    /// Head office's decision, when this version was referred and head office decided it.
    pub head_office: Option<HeadOfficeDecisionView>,
}

/// "Approved by head office": who and when, as the feed brought it.
#[derive(Debug, Serialize, TS)]
pub struct HeadOfficeDecisionView {
    /// `approved` or `declined`.
    pub outcome: String,
    pub reason: Option<String>,
    pub decided_by: String,
    /// As the desk shows times: `26.11.2026 10:15`.
    pub decided_at: String,
}

#[derive(Debug, Deserialize, TS)]
pub struct ApplicationCreateRequest {
    pub client_id: String,
    pub form: ApplicationForm,
}

/// Saves a draft, submits it, or revises a returned/approved version, with the form's terms.
#[derive(Debug, Deserialize, TS)]
pub struct ApplicationSaveRequest {
    pub id: String,
    pub form: ApplicationForm,
}

#[derive(Debug, Deserialize, TS)]
pub struct ApplicationStepRequest {
    pub id: String,
    pub step: Step,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
pub struct ApplicationsListRequest {
    pub stage: Option<Stage>,
    pub after: Option<String>,
}

/// The catalog in force on the desk's date: the shipped one, with products and caps replaced by
/// what head office published through sync once it takes effect.
pub(crate) fn catalog(v: &Vault, now: DateTime<Utc>) -> Result<Catalog, CommandError> {
    catalog_on(v, desk_date(now))
}

/// The catalog that was in force on `date` (an offer names the product as it was quoted).
pub(crate) fn catalog_on(v: &Vault, date: NaiveDate) -> Result<Catalog, CommandError> {
    let shipped = crate::quote::shipped_catalog()
        .map_err(|e| CommandError::new(ErrorCode::CatalogIncomplete, e.to_string()))?;
    Ok(v.catalog_on(shipped, date)?)
}

pub(crate) fn row_view(r: ApplicationRow) -> ApplicationRowView {
    ApplicationRowView {
        number: domain::application::short_number(r.lineage.as_str()),
        id: r.id.into_string(),
        version: r.version,
        client_id: r.client_id.into_string(),
        client_name: r.client_name,
        product_id: r.product_id,
        amount: r.amount.to_string(),
        amount_tiyn: r.amount.tiyn(),
        months: r.months,
        stage: r.stage,
        maker_name: r.maker_name,
        updated_at: desk_time_text(&r.updated_at),
    }
}

/// Checks and quotes the form on the desk's date; the first problem becomes the error.
pub(crate) fn terms(
    v: &Vault,
    form: &ApplicationForm,
    now: DateTime<Utc>,
) -> Result<Terms, CommandError> {
    terms_in(&catalog(v, now)?, form, now)
}

/// [`terms`] against a catalogue already read.
fn terms_in(
    catalog: &Catalog,
    form: &ApplicationForm,
    now: DateTime<Utc>,
) -> Result<Terms, CommandError> {
    application::check(form, catalog, desk_date(now)).map_err(|(problems, refusal)| {
        match (refusal, problems.first()) {
            (Some(q), _) => CommandError::quote(&q),
            (None, Some(p)) => CommandError::field(p.field, p.problem),
            (None, None) => CommandError::new(ErrorCode::Internal, "refused without a reason"),
        }
    })
}

pub(crate) fn products(v: &Vault, now: DateTime<Utc>) -> Result<Vec<ProductView>, CommandError> {
    let catalog = catalog(v, now)?;
    let date = desk_date(now);
    Ok(catalog
        .products_on(date)
        .into_iter()
        .map(|p| ProductView {
            id: p.id.clone(),
            name: p.name.clone(),
            min_amount: Money::from_tenge(p.min_amount_tenge)
                .unwrap_or_default()
                .to_string(),
            max_amount: Money::from_tenge(p.max_amount_tenge)
                .unwrap_or_default()
                .to_string(),
            min_months: p.min_months,
            max_months: p.max_months,
            nominal_rate_text: crate::quote::rate_text(p.annual_rate_bp),
            methods: p.methods.clone(),
        })
        .collect())
}

pub(crate) fn quote(
    v: &Vault,
    form: &ApplicationForm,
    now: DateTime<Utc>,
) -> Result<QuoteReport, CommandError> {
    // The live quote runs on every keystroke: the catalogue is read once for both steps.
    let catalog = catalog(v, now)?;
    let t = terms_in(&catalog, form, now)?;
    Ok(report(
        &catalog,
        &t.quote,
        t.amount,
        t.months,
        t.method,
        t.issue_date,
    ))
}

pub(crate) fn view(
    v: &Vault,
    id: &str,
    now: DateTime<Utc>,
) -> Result<ApplicationView, CommandError> {
    let id = &ApplicationId::from(id);
    let r = v.application(id)?;
    let consent = v.consent_standing(&r.client_id, &crate::documents::policy_in_force(v, now)?)?;
    let versions = v.application_versions(id)?;
    let events = v.application_events(id)?;
    let client = v.client(&r.client_id)?;
    let officers = v.officers()?;
    let name_of = |oid: &str| {
        officers
            .iter()
            .find(|o| o.id.0 == oid)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let version_of = |aid: &str| {
        versions
            .iter()
            .find(|x| x.id.as_str() == aid)
            .map(|x| x.version)
            .unwrap_or_default()
    };
    let catalog = &catalog(v, now)?;
    Ok(ApplicationView {
        id: r.id.to_string(),
        number: domain::application::short_number(r.lineage.as_str()),
        version: r.version,
        replaces: r.replaces.as_ref().map(ToString::to_string),
        client_id: r.client_id.to_string(),
        client_name: client.client.full_name(),
        stage: r.stage,
        maker_name: name_of(&r.maker_id),
        purpose: r.purpose.clone(),
        form: ApplicationForm {
            product_id: r.product_id.clone(),
            amount: r.amount.to_string(),
            months: r.months,
            method: Some(r.method),
            purpose: r.purpose.clone(),
        },
        quote: report(
            catalog,
            &r.quote.quote,
            r.amount,
            r.months,
            r.method,
            r.quote.quote_date,
        ),
        events: events
            .iter()
            .map(|e| ApplicationEventView {
                at: desk_time_text(&e.at),
                officer_name: e.officer_name.clone(),
                step: e.step.clone(),
                stage: e.stage,
                reason: e.reason.clone(),
                version: version_of(e.application_id.as_str()),
            })
            .collect(),
        versions: versions
            .iter()
            .map(|x| VersionView {
                id: x.id.to_string(),
                version: x.version,
                stage: x.stage,
            })
            .collect(),
        actions: v.available_steps(id)?,
        consent_ready: consent.ready().is_ok(),
        consent_renewal: consent.renewal_needed,
        head_office: v.head_office_decision(id)?.map(|d| HeadOfficeDecisionView {
            outcome: d.outcome,
            reason: d.reason,
            decided_by: d.decided_by,
            decided_at: desk_time_text(&d.decided_at),
        }),
    })
}

pub(crate) fn create(
    v: &mut Vault,
    request: &ApplicationCreateRequest,
    now: DateTime<Utc>,
) -> Result<String, CommandError> {
    let t = terms(v, &request.form, now)?;
    Ok(
        v.create_application(&ClientId::from(request.client_id.as_str()), &t, now)?
            .into_string(),
    )
}

pub(crate) fn save_draft(
    v: &mut Vault,
    request: &ApplicationSaveRequest,
    now: DateTime<Utc>,
) -> Result<(), CommandError> {
    let t = terms(v, &request.form, now)?;
    Ok(v.update_draft(&ApplicationId::from(request.id.as_str()), &t, now)?)
}

pub(crate) fn submit(
    v: &mut Vault,
    request: &ApplicationSaveRequest,
    now: DateTime<Utc>,
) -> Result<(), CommandError> {
    let t = terms(v, &request.form, now)?;
    let privacy = crate::documents::policy_in_force(v, now)?;
    Ok(v.submit_application(&ApplicationId::from(request.id.as_str()), &t, &privacy, now)?)
}

pub(crate) fn revise(
    v: &mut Vault,
    request: &ApplicationSaveRequest,
    now: DateTime<Utc>,
) -> Result<String, CommandError> {
    let t = terms(v, &request.form, now)?;
    Ok(
        v.revise_application(&ApplicationId::from(request.id.as_str()), &t, now)?
            .into_string(),
    )
}

pub(crate) fn step(
    v: &mut Vault,
    request: &ApplicationStepRequest,
    now: DateTime<Utc>,
) -> Result<Stage, CommandError> {
    // The reason as it will be stored: trimmed, at most MAX_REASON characters, no control
    // characters other than line breaks and tabs.
    let reason = request.reason.as_deref().map(str::trim);
    let problem = match reason {
        Some(r) if r.chars().count() > vault::MAX_REASON => Some(Problem::TooLong),
        Some(r) if r.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
            Some(Problem::BadCharacter)
        }
        _ => None,
    };
    if let Some(p) = problem {
        return Err(CommandError::field("reason", p));
    }
    Ok(v.step_application(
        &ApplicationId::from(request.id.as_str()),
        request.step,
        reason,
        now,
    )?)
}

pub(crate) fn list(
    v: &Vault,
    request: &ApplicationsListRequest,
) -> Result<ApplicationPage, CommandError> {
    let page = v.applications(
        &ApplicationFilter {
            client_id: None,
            stage: request.stage,
        },
        request.after.as_deref(),
        super::PAGE,
    )?;
    Ok(ApplicationPage {
        items: page.items.into_iter().map(row_view).collect(),
        next: page.next,
    })
}

#[tauri::command]
pub(crate) fn products_list(state: State<'_, AppState>) -> Result<Vec<ProductView>, CommandError> {
    state.with_session(ANY_ROLE, |v| products(v, Utc::now()))
}

/// The live quote while the officer types; stores nothing.
#[tauri::command]
pub(crate) fn application_quote(
    state: State<'_, AppState>,
    form: ApplicationForm,
) -> Result<QuoteReport, CommandError> {
    state.with_session(ANY_ROLE, |v| quote(v, &form, Utc::now()))
}

#[tauri::command]
pub(crate) fn application_create(
    state: State<'_, AppState>,
    request: ApplicationCreateRequest,
) -> Result<String, CommandError> {
    state.with_session(ANY_ROLE, |v| create(v, &request, Utc::now()))
}

#[tauri::command]
pub(crate) fn application_save_draft(
    state: State<'_, AppState>,
    request: ApplicationSaveRequest,
) -> Result<(), CommandError> {
    state.with_session(ANY_ROLE, |v| save_draft(v, &request, Utc::now()))
}

#[tauri::command]
pub(crate) fn application_submit(
    state: State<'_, AppState>,
    request: ApplicationSaveRequest,
) -> Result<(), CommandError> {
    state.with_session(ANY_ROLE, |v| submit(v, &request, Utc::now()))
}

#[tauri::command]
pub(crate) fn application_revise(
    state: State<'_, AppState>,
    request: ApplicationSaveRequest,
) -> Result<String, CommandError> {
    state.with_session(ANY_ROLE, |v| revise(v, &request, Utc::now()))
}

/// Decisions (approve, decline, return, refer) and the maker's offer steps.
#[tauri::command]
pub(crate) fn application_step(
    state: State<'_, AppState>,
    request: ApplicationStepRequest,
) -> Result<Stage, CommandError> {
    state.with_session(ANY_ROLE, |v| step(v, &request, Utc::now()))
}

#[tauri::command]
pub(crate) fn application_get(
    state: State<'_, AppState>,
    id: String,
) -> Result<ApplicationView, CommandError> {
    state.with_session(ANY_ROLE, |v| view(v, &id, Utc::now()))
}

#[tauri::command]
pub(crate) fn applications_list(
    state: State<'_, AppState>,
    request: ApplicationsListRequest,
) -> Result<ApplicationPage, CommandError> {
    state.with_session(ANY_ROLE, |v| list(v, &request))
}

#[tauri::command]
pub(crate) fn approval_queue(
    state: State<'_, AppState>,
) -> Result<Vec<ApplicationRowView>, CommandError> {
    state.with_session(ANY_ROLE, |v| {
        Ok(v.approval_queue()?.into_iter().map(row_view).collect())
    })
}
