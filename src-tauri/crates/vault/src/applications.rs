//! Loan applications in the vault: one row per version (a change after submission is a new row
//! naming the one it replaces), the quote as it was shown, and an event per lifecycle step. The
//! rules of the steps live in `domain::application`; this module stores their outcome atomically
//! with the audit entry and the outbox record.

use chrono::{DateTime, NaiveDate, Utc};
use domain::application::{Actor, Parties, Stage, Step, StepError, Terms};
use domain::catalog::Quote;
use domain::money::Money;
use domain::policy::PolicyVersion;
use domain::schedule::Method;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::error::VaultError;
use crate::ids::{ApplicationId, ClientId};
use crate::officer::{Officer, OfficerId, Role, random_id};
use crate::paging::{Page, cursor, split_cursor};
use crate::stamp::stamp;
use crate::vault::Vault;

/// The quote as the officer and the client saw it, kept with the version it belongs to (a
/// catalog that changes later does not change what was shown).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteSnapshot {
    /// The date the quote was made for (the issue date of the terms).
    pub quote_date: NaiveDate,
    /// The quote with its schedule, totals and ГЭСВ.
    pub quote: Quote,
}

impl QuoteSnapshot {
    /// The snapshot of the quote carried by checked terms.
    pub fn of(terms: &Terms) -> QuoteSnapshot {
        QuoteSnapshot {
            quote_date: terms.issue_date,
            quote: terms.quote.clone(),
        }
    }
}

/// One version of an application, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplicationRecord {
    /// This version's id.
    pub id: ApplicationId,
    /// The id of version 1: what the officer calls "the application".
    pub lineage: ApplicationId,
    /// Version number within the application, from 1.
    pub version: i64,
    /// The id of the version this one replaced, if any.
    pub replaces: Option<ApplicationId>,
    /// The client the loan is for.
    pub client_id: ClientId,
    /// Catalog product id.
    pub product_id: String,
    /// Loan amount.
    pub amount: Money,
    /// Term in months.
    pub months: u32,
    /// Repayment method.
    pub method: Method,
    /// What the loan is for.
    pub purpose: String,
    /// Where this version stands in the lifecycle.
    pub stage: Stage,
    /// The officer who created this version.
    pub maker_id: String,
    /// The quote shown for this version.
    pub quote: QuoteSnapshot,
    /// When the version was created (RFC 3339, UTC).
    pub created_at: String,
    /// When the version last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// An application in a list or queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRow {
    /// This version's id.
    pub id: ApplicationId,
    /// The id of version 1.
    pub lineage: ApplicationId,
    /// Version number, from 1.
    pub version: i64,
    /// The client's id.
    pub client_id: ClientId,
    /// The client's full name.
    pub client_name: String,
    /// Catalog product id.
    pub product_id: String,
    /// Loan amount.
    pub amount: Money,
    /// Term in months.
    pub months: u32,
    /// Current stage.
    pub stage: Stage,
    /// Name of the officer who created this version.
    pub maker_name: String,
    /// When the version last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// A lifecycle step that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationEvent {
    /// The version the step was taken on.
    pub application_id: ApplicationId,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who took the step.
    pub officer_id: String,
    /// Their name.
    pub officer_name: String,
    /// The step's stored name (`create`, `submit`, `approve`, …).
    pub step: String,
    /// The stage the version moved to.
    pub stage: Stage,
    /// Why, for a decline or a return (and any reason given).
    pub reason: Option<String>,
}

/// Which applications a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    /// Only this client's applications, if set.
    pub client_id: Option<ClientId>,
    /// Only applications at this stage, if set.
    pub stage: Option<Stage>,
}

pub(crate) fn method_str(m: Method) -> &'static str {
    match m {
        Method::Annuity => "annuity",
        Method::EqualPrincipal => "equal-principal",
    }
}

fn method_parse(s: &str) -> Option<Method> {
    match s {
        "annuity" => Some(Method::Annuity),
        "equal-principal" => Some(Method::EqualPrincipal),
        _ => None,
    }
}

fn conversion(i: usize) -> impl Fn(&'static str) -> rusqlite::Error {
    move |what| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            Box::<dyn std::error::Error + Send + Sync>::from(what),
        )
    }
}

const RECORD_COLUMNS: &str =
    "id, lineage, version, replaces, client_id, product_id, amount_tiyn, months,
     method, purpose, stage, maker_id, quote, created_at, updated_at";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApplicationRecord> {
    let method: String = r.get(8)?;
    let stage: String = r.get(10)?;
    let quote: String = r.get(12)?;
    Ok(ApplicationRecord {
        id: r.get(0)?,
        lineage: r.get(1)?,
        version: r.get(2)?,
        replaces: r.get(3)?,
        client_id: r.get(4)?,
        product_id: r.get(5)?,
        amount: Money::from_tiyn(r.get(6)?),
        months: r.get(7)?,
        method: method_parse(&method).ok_or_else(|| conversion(8)("method"))?,
        purpose: r.get(9)?,
        stage: Stage::parse(&stage).ok_or_else(|| conversion(10)("stage"))?,
        maker_id: r.get(11)?,
        quote: serde_json::from_str(&quote).map_err(|_| conversion(12)("quote"))?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

const ROW_SELECT: &str = "SELECT a.id, a.lineage, a.version, a.client_id, c.data, a.product_id,
         a.amount_tiyn, a.months, a.stage, o.name, a.updated_at
     FROM application a JOIN client c ON c.id = a.client_id JOIN officer o ON o.id = a.maker_id";

fn list_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApplicationRow> {
    let client: String = r.get(4)?;
    let client: domain::client::Client =
        serde_json::from_str(&client).map_err(|_| conversion(4)("client"))?;
    let stage: String = r.get(8)?;
    Ok(ApplicationRow {
        id: r.get(0)?,
        lineage: r.get(1)?,
        version: r.get(2)?,
        client_id: r.get(3)?,
        client_name: client.full_name(),
        product_id: r.get(5)?,
        amount: Money::from_tiyn(r.get(6)?),
        months: r.get(7)?,
        stage: Stage::parse(&stage).ok_or_else(|| conversion(8)("stage"))?,
        maker_name: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

/// What goes to head office for a step: the version as it now stands, and the step's reason.
fn payload(a: &ApplicationRecord, step: &str, reason: Option<&str>) -> Vec<u8> {
    serde_json::json!({
        "id": a.id,
        "lineage": a.lineage,
        "version": a.version,
        "replaces": a.replaces,
        "client_id": a.client_id,
        "product_id": a.product_id,
        "amount_tiyn": a.amount.tiyn(),
        "months": a.months,
        "method": method_str(a.method),
        "purpose": a.purpose,
        "stage": a.stage.as_str(),
        "maker_id": a.maker_id,
        "quote": a.quote,
        "step": step,
        "reason": reason,
    })
    .to_string()
    .into_bytes()
}

pub(crate) fn event(
    tx: &Transaction<'_>,
    id: &str,
    at: &str,
    officer: &OfficerId,
    step: &str,
    stage: Stage,
    reason: Option<&str>,
) -> Result<(), VaultError> {
    tx.execute(
        "INSERT INTO application_event (application_id, at, officer_id, step, stage, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, at, officer.0, step, stage.as_str(), reason],
    )?;
    Ok(())
}

/// Inserts a version with its terms and quote.
#[allow(clippy::too_many_arguments)]
fn insert_version(
    tx: &Transaction<'_>,
    id: &str,
    lineage: &str,
    version: i64,
    replaces: Option<&str>,
    client_id: &str,
    terms: &Terms,
    maker: &OfficerId,
    at: &str,
) -> Result<(), VaultError> {
    let quote =
        serde_json::to_string(&QuoteSnapshot::of(terms)).map_err(|_| VaultError::Damaged)?;
    tx.execute(
        "INSERT INTO application (id, lineage, version, replaces, client_id, product_id, amount_tiyn,
             months, method, purpose, stage, maker_id, quote, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'draft', ?11, ?12, ?13, ?13)",
        params![
            id,
            lineage,
            version,
            replaces,
            client_id,
            terms.product_id,
            terms.amount.tiyn(),
            terms.months,
            method_str(terms.method),
            terms.purpose,
            maker.0,
            quote,
            at
        ],
    )?;
    Ok(())
}

fn write_terms(tx: &Transaction<'_>, id: &str, terms: &Terms, now: &str) -> Result<(), VaultError> {
    let quote =
        serde_json::to_string(&QuoteSnapshot::of(terms)).map_err(|_| VaultError::Damaged)?;
    tx.execute(
        "UPDATE application SET product_id = ?2, amount_tiyn = ?3, months = ?4, method = ?5,
             purpose = ?6, quote = ?7, updated_at = ?8
         WHERE id = ?1",
        params![
            id,
            terms.product_id,
            terms.amount.tiyn(),
            terms.months,
            method_str(terms.method),
            terms.purpose,
            quote,
            now
        ],
    )?;
    Ok(())
}

impl Vault {
    /// Starts a new application (version 1, a draft) for a client.
    pub fn create_application(
        &mut self,
        client_id: &ClientId,
        terms: &Terms,
        now: DateTime<Utc>,
    ) -> Result<ApplicationId, VaultError> {
        self.require_maker()?;
        self.client(client_id)?;
        let client_id = client_id.as_str();
        let id = random_id();
        let at = stamp(now);
        let tx = self.conn.transaction()?;
        insert_version(
            &tx,
            &id,
            &id,
            1,
            None,
            client_id,
            terms,
            &self.officer.id,
            &at,
        )?;
        event(
            &tx,
            &id,
            &at,
            &self.officer.id,
            "create",
            Stage::Draft,
            None,
        )?;
        let stored = Self::read_application(&tx, &id)?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "application.create",
            &id,
            &payload(&stored, "create", None),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(ApplicationId::from(id))
    }

    /// Changes a draft's terms in place (a draft is the desk's own until submitted).
    pub fn update_draft(
        &mut self,
        id: &ApplicationId,
        terms: &Terms,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        let id = id.as_str();
        self.require_maker()?;
        let at = stamp(now);
        let tx = self.conn.transaction()?;
        let current = Self::read_application(&tx, id)?;
        if current.stage != Stage::Draft {
            return Err(VaultError::Step(StepError::WrongStage));
        }
        // Only the draft's maker changes its terms: an edit leaves no step behind, so a
        // supervisor who rewrote someone's draft could otherwise approve terms they wrote.
        if current.maker_id != self.officer.id.0 {
            return Err(VaultError::Forbidden);
        }
        write_terms(&tx, id, terms, &at)?;
        let stored = Self::read_application(&tx, id)?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "application.update",
            id,
            &payload(&stored, "update", None),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(())
    }

    /// Submits a draft to the checker with its terms quoted afresh on the submission date. The
    /// client must have consented to every required purpose of `privacy`, the policy version in
    /// force on the desk's date.
    pub fn submit_application(
        &mut self,
        id: &ApplicationId,
        terms: &Terms,
        privacy: &PolicyVersion,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.require_maker()?;
        let consent = self
            .consent_standing(&self.application(id)?.client_id, privacy)?
            .ready();
        let id = id.as_str();
        let at = stamp(now);
        let officer = self.officer.clone();
        let tx = self.conn.transaction()?;
        let current = Self::read_application(&tx, id)?;
        let to = next_stage(&tx, &officer, &current, Step::Submit, None)?;
        consent.map_err(VaultError::Consent)?;
        write_terms(&tx, id, terms, &at)?;
        finish_step(&tx, &officer.id, id, Step::Submit, to, None, now)?;
        audit::commit(tx, &self.dir)?;
        Ok(())
    }

    /// A step that changes only the stage: decisions, offer issued, signed.
    pub fn step_application(
        &mut self,
        id: &ApplicationId,
        step: Step,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Stage, VaultError> {
        let id = id.as_str();
        if matches!(step, Step::Submit | Step::Revise) {
            return Err(VaultError::Step(StepError::WrongStage));
        }
        if !step.is_decision() {
            self.require_maker()?;
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_REASON) {
            return Err(VaultError::ReasonTooLong);
        }
        let officer = self.officer.clone();
        let tx = self.conn.transaction()?;
        let current = Self::read_application(&tx, id)?;
        let to = next_stage(&tx, &officer, &current, step, reason)?;
        finish_step(&tx, &officer.id, id, step, to, reason, now)?;
        audit::commit(tx, &self.dir)?;
        Ok(to)
    }

    /// Replaces a returned (or approved, not yet offered) version with a new draft version that
    /// names it; the old one is kept, superseded. Returns the new version's id.
    pub fn revise_application(
        &mut self,
        id: &ApplicationId,
        terms: &Terms,
        now: DateTime<Utc>,
    ) -> Result<ApplicationId, VaultError> {
        let id = id.as_str();
        self.require_maker()?;
        let at = stamp(now);
        let officer = self.officer.clone();
        let tx = self.conn.transaction()?;
        let current = Self::read_application(&tx, id)?;
        let to = next_stage(&tx, &officer, &current, Step::Revise, None)?;
        finish_step(&tx, &officer.id, id, Step::Revise, to, None, now)?;
        let new_id = random_id();
        insert_version(
            &tx,
            &new_id,
            current.lineage.as_str(),
            current.version + 1,
            Some(id),
            current.client_id.as_str(),
            terms,
            &officer.id,
            &at,
        )?;
        event(&tx, &new_id, &at, &officer.id, "create", Stage::Draft, None)?;
        let stored = Self::read_application(&tx, &new_id)?;
        audit::record(
            &tx,
            &officer.id,
            now,
            "application.create",
            &new_id,
            &payload(&stored, "create", None),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(ApplicationId::from(new_id))
    }

    /// The steps the signed-in officer may take on `id` now, under the same rules the steps apply.
    pub fn available_steps(&self, id: &ApplicationId) -> Result<Vec<Step>, VaultError> {
        let id = id.as_str();
        let current = Self::read_application(&self.conn, id)?;
        let mut out = Vec::new();
        for step in Step::ALL {
            if !step.is_decision() && self.require_maker().is_err() {
                continue;
            }
            // A reason is the officer's to give; here only whether the step is open matters.
            if next_stage(&self.conn, &self.officer, &current, step, Some("reason")).is_ok() {
                out.push(step);
            }
        }
        Ok(out)
    }

    /// One version by id.
    pub fn application(&self, id: &ApplicationId) -> Result<ApplicationRecord, VaultError> {
        let id = id.as_str();
        Self::read_application(&self.conn, id)
    }

    /// Every version of the application `id` belongs to, oldest first.
    pub fn application_versions(
        &self,
        id: &ApplicationId,
    ) -> Result<Vec<ApplicationRecord>, VaultError> {
        let id = id.as_str();
        let lineage = Self::read_application(&self.conn, id)?.lineage;
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM application WHERE lineage = ?1 ORDER BY version"
        ))?;
        Ok(s.query_map([lineage], record)?.collect::<Result<_, _>>()?)
    }

    /// The steps of every version of the application `id` belongs to, in order.
    pub fn application_events(
        &self,
        id: &ApplicationId,
    ) -> Result<Vec<ApplicationEvent>, VaultError> {
        let id = id.as_str();
        let lineage = Self::read_application(&self.conn, id)?.lineage;
        let mut s = self.conn.prepare_cached(
            "SELECT e.application_id, e.at, o.name, e.step, e.stage, e.reason, e.officer_id
             FROM application_event e JOIN application a ON a.id = e.application_id
                 JOIN officer o ON o.id = e.officer_id
             WHERE a.lineage = ?1 ORDER BY e.seq",
        )?;
        Ok(s.query_map([lineage], |r| {
            let stage: String = r.get(4)?;
            Ok(ApplicationEvent {
                application_id: r.get(0)?,
                at: r.get(1)?,
                officer_id: r.get(6)?,
                officer_name: r.get(2)?,
                step: r.get(3)?,
                stage: Stage::parse(&stage).ok_or_else(|| conversion(4)("stage"))?,
                reason: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?)
    }

    /// Current versions (superseded ones left out), most recently changed first, paged.
    pub fn applications(
        &self,
        filter: &ApplicationFilter,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page<ApplicationRow>, VaultError> {
        // Newest first: without a cursor, start after every stored time.
        let (after_at, after_id) =
            split_cursor(after).unwrap_or_else(|| ("\u{10ffff}".to_owned(), String::new()));
        let limit = i64::from(limit.clamp(1, 200));
        // Only the filters in use appear in the SQL, so each list uses its own index.
        let mut sql = format!(
            "{ROW_SELECT} WHERE a.stage != 'superseded' AND (a.updated_at, a.id) < (?1, ?2)"
        );
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&after_at, &after_id];
        let stage = filter.stage.map(Stage::as_str);
        if let Some(client) = &filter.client_id {
            values.push(client);
            sql.push_str(&format!(" AND a.client_id = ?{}", values.len()));
        }
        if let Some(stage) = &stage {
            values.push(stage);
            sql.push_str(&format!(" AND a.stage = ?{}", values.len()));
        }
        let fetch = limit + 1;
        values.push(&fetch);
        sql.push_str(&format!(
            " ORDER BY a.updated_at DESC, a.id DESC LIMIT ?{}",
            values.len()
        ));
        let mut s = self.conn.prepare_cached(&sql)?;
        let rows: Vec<ApplicationRow> = s
            .query_map(values.as_slice(), list_row)?
            .collect::<Result<_, _>>()?;
        Ok(Page::from_rows(rows, limit, |r| {
            cursor(&r.updated_at, r.id.as_str())
        }))
    }

    /// Submitted applications this officer may decide (none they made), oldest first.
    pub fn approval_queue(&self) -> Result<Vec<ApplicationRow>, VaultError> {
        let mut s = self.conn.prepare_cached(&format!(
            "{ROW_SELECT}
             WHERE a.stage = 'submitted'
               AND NOT EXISTS (SELECT 1 FROM application m WHERE m.lineage = a.lineage AND m.maker_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM application_event e JOIN application m ON m.id = e.application_id
                               WHERE m.lineage = a.lineage AND e.step = 'submit' AND e.officer_id = ?1)
             ORDER BY a.updated_at, a.id"
        ))?;
        Ok(s.query_map([&self.officer.id.0], list_row)?
            .collect::<Result<_, _>>()?)
    }

    /// The highest amount `officer` may approve (none until an administrator sets it).
    pub fn approval_limit(&self, officer: &OfficerId) -> Result<Money, VaultError> {
        approval_limit(&self.conn, officer)
    }

    /// Sets a supervisor's approval limit (administrators only).
    pub fn set_approval_limit(
        &mut self,
        officer: &OfficerId,
        limit: Money,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.require(Role::Admin)?;
        if limit < Money::ZERO {
            return Err(VaultError::BadSetting);
        }
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE officer SET approval_limit_tiyn = ?2 WHERE id = ?1",
            params![officer.0, limit.tiyn()],
        )?;
        if changed != 1 {
            return Err(VaultError::UnknownOfficer);
        }
        let payload = serde_json::json!({ "approval_limit_tiyn": limit.tiyn() }).to_string();
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "officer.approval_limit",
            &officer.0,
            payload.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(())
    }

    fn require_maker(&self) -> Result<(), VaultError> {
        match self.officer.role {
            Role::Officer | Role::Supervisor => Ok(()),
            Role::Admin => Err(VaultError::Forbidden),
        }
    }

    fn read_application(
        conn: &rusqlite::Connection,
        id: &str,
    ) -> Result<ApplicationRecord, VaultError> {
        conn.query_row(
            &format!("SELECT {RECORD_COLUMNS} FROM application WHERE id = ?1"),
            [id],
            record,
        )
        .optional()?
        .ok_or(VaultError::NotFound)
    }
}

/// Longest decision reason, in characters.
pub const MAX_REASON: usize = 500;

/// The stage `step` leads to, under the lifecycle's rules, for the signed-in officer.
fn next_stage(
    conn: &rusqlite::Connection,
    officer: &Officer,
    current: &ApplicationRecord,
    step: Step,
    reason: Option<&str>,
) -> Result<Stage, VaultError> {
    let officers = |sql: &str| -> Result<Vec<String>, VaultError> {
        let mut s = conn.prepare_cached(sql)?;
        Ok(s.query_map([&current.lineage], |r| r.get(0))?
            .collect::<Result<_, _>>()?)
    };
    let makers = officers(
        "SELECT maker_id FROM application WHERE lineage = ?1
         UNION SELECT e.officer_id FROM application_event e JOIN application a ON a.id = e.application_id
         WHERE a.lineage = ?1 AND e.step = 'submit'",
    )?;
    let checkers = officers(
        "SELECT e.officer_id FROM application_event e JOIN application a ON a.id = e.application_id
         WHERE a.lineage = ?1 AND e.step IN ('approve', 'decline', 'return', 'refer')",
    )?;
    let makers: Vec<&str> = makers.iter().map(String::as_str).collect();
    let checkers: Vec<&str> = checkers.iter().map(String::as_str).collect();
    let actor = Actor {
        officer_id: &officer.id.0,
        is_supervisor: officer.role == Role::Supervisor,
        approval_limit: approval_limit(conn, &officer.id)?,
    };
    let parties = Parties {
        makers: &makers,
        checkers: &checkers,
    };
    domain::application::next(current.stage, step, &actor, parties, current.amount, reason)
        .map_err(VaultError::Step)
}

/// Moves `id` to `to`, records the event, and audits and queues the step.
fn finish_step(
    tx: &Transaction<'_>,
    officer: &OfficerId,
    id: &str,
    step: Step,
    to: Stage,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), VaultError> {
    let at = stamp(now);
    tx.execute(
        "UPDATE application SET stage = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, to.as_str(), at],
    )?;
    event(tx, id, &at, officer, step.as_str(), to, reason)?;
    let stored = Vault::read_application(tx, id)?;
    audit::record(
        tx,
        officer,
        now,
        &format!("application.{}", step.as_str()),
        id,
        &payload(&stored, step.as_str(), reason),
    )?;
    Ok(())
}
/// The highest amount `officer` may approve (none until an administrator sets it).
fn approval_limit(conn: &rusqlite::Connection, officer: &OfficerId) -> Result<Money, VaultError> {
    let limit: Option<i64> = conn
        .query_row(
            "SELECT approval_limit_tiyn FROM officer WHERE id = ?1",
            [&officer.0],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(VaultError::UnknownOfficer)?;
    Ok(Money::from_tiyn(limit.unwrap_or(0)))
}
