//! Helpers for the benchmarks only (cargo feature `bench`, never enabled by the app). For
//! `benches/vault.rs`: open a connection the way the vault does, with a throwaway key or with none,
//! and fill the audit chain quickly, so the benchmark compares like with like. For
//! `benches/records.rs`: seed clients and applications in bulk ([`seed`]).

use std::path::Path;

use chrono::{DateTime, Utc};
use domain::application::{Actor, Parties, Stage, Step, Terms};
use domain::client::{Client, name_key};
use domain::money::Money;
use rusqlite::{Connection, Transaction, params};

use crate::applications::QuoteSnapshot;
use crate::error::VaultError;
use crate::officer::{OfficerId, random_id};
use crate::secret::DataKey;
use crate::stamp::stamp;

/// Opens `path` exactly as the vault does: with a fresh random key when `encrypted`, or as plain
/// SQLite (same pragmas, no key) when not.
pub fn open(path: &Path, encrypted: bool) -> Result<Connection, VaultError> {
    if encrypted {
        crate::db::open(path, &DataKey::generate(), true)
    } else {
        let conn = Connection::open(path)?;
        conn.execute_batch(crate::db::STORAGE_PRAGMAS)?;
        Ok(conn)
    }
}

/// Appends `n` linked audit entries in one transaction (as the signed-in officer), for the
/// verification benchmark.
pub fn fill_audit(vault: &mut crate::Vault, n: usize, at: DateTime<Utc>) -> Result<(), VaultError> {
    let officer: OfficerId = vault.officer().id.clone();
    let tx = vault.conn.transaction()?;
    for i in 0..n {
        crate::audit::append(&tx, &officer, at, "bench.entry", &i.to_string(), b"{}")?;
    }
    tx.commit()?;
    Ok(())
}

/// Bytes on disk per table and index (SQLite's `dbstat`), largest first.
pub fn space_used(vault: &crate::Vault) -> Result<Vec<(String, u64)>, VaultError> {
    let mut s = vault
        .conn
        .prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")?;
    let rows = s.query_map([], |r| {
        Ok((r.get(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An application for [`seed`]: its client (an index into the seeded clients), its terms, the
/// lifecycle steps after creation, and when it was created (each step follows an hour later). A
/// `Revise` step supersedes the version and continues on a new draft version with the same terms.
#[derive(Clone, Debug)]
pub struct SeedApplication {
    /// Index into the seeded clients of the client it is for.
    pub client: usize,
    /// The loan terms, with their quote.
    pub terms: Terms,
    /// Lifecycle steps taken after creation, in order.
    pub steps: Vec<Step>,
    /// When the application is created.
    pub created: DateTime<Utc>,
}

/// What [`seed`] stored.
#[derive(Clone, Debug)]
pub struct Seeded {
    /// The id of each seeded client, in the order given.
    pub client_ids: Vec<String>,
    /// The id of each application's current version, in the order given.
    pub application_ids: Vec<String>,
    /// Application rows written (a revised application has two).
    pub application_rows: usize,
}

/// One application version as `seed` tracks it while writing its steps.
struct Version<'a> {
    id: String,
    lineage: String,
    version: i64,
    replaces: Option<String>,
    client_id: &'a str,
    terms: &'a Terms,
    stage: Stage,
}

impl Version<'_> {
    /// The same JSON `applications.rs` audits and queues for a step.
    fn payload(&self, maker: &OfficerId, step: &str, reason: Option<&str>) -> Vec<u8> {
        serde_json::json!({
            "id": self.id,
            "lineage": self.lineage,
            "version": self.version,
            "replaces": self.replaces,
            "client_id": self.client_id,
            "product_id": self.terms.product_id,
            "amount_tiyn": self.terms.amount.tiyn(),
            "months": self.terms.months,
            "method": crate::applications::method_str(self.terms.method),
            "purpose": self.terms.purpose,
            "stage": self.stage.as_str(),
            "maker_id": maker.0,
            "quote": QuoteSnapshot::of(self.terms),
            "step": step,
            "reason": reason,
        })
        .to_string()
        .into_bytes()
    }
}

/// Fills the vault with `clients` (each with its registration time) and `applications` in ONE
/// transaction, for the records benchmark: the public calls commit (and fsync) once per record and
/// per step, over half a million commits at 100 000 of each. The INSERTs and UPDATEs are those of
/// `Vault::add_client` (client row, contentless FTS5 `client_name` row keyed by the client's
/// rowid), `Vault::create_application`, `submit_application`, `step_application` and
/// `revise_application` (application row, `application_event` row), each with its
/// `audit::record` (audit link + outbox record), so the tables, indexes and file size are what the
/// public API would have produced (submitting leaves out the re-quote of unchanged terms).
/// Stages follow `domain::application::next`; `maker` makes and `checker` decides. Ends with a
/// WAL checkpoint (TRUNCATE), so the database file holds everything.
pub fn seed(
    vault: &mut crate::Vault,
    clients: &[(Client, DateTime<Utc>)],
    applications: &[SeedApplication],
    maker: &OfficerId,
    checker: &OfficerId,
) -> Result<Seeded, VaultError> {
    let tx = vault.conn.transaction()?;
    let mut client_ids = Vec::with_capacity(clients.len());
    for (client, at) in clients {
        let id = random_id();
        let data = serde_json::to_string(client).map_err(|_| VaultError::Damaged)?;
        let key = name_key(&client.full_name());
        let phone: String = client
            .phone
            .as_str()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        tx.prepare_cached(
            "INSERT INTO client (id, iin, name_key, phone_digits, data, version, created_at, created_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?6)",
        )?
        .execute(params![
            id,
            client.iin.as_str(),
            key,
            phone,
            data,
            stamp(*at),
            maker.0
        ])?;
        tx.prepare_cached("INSERT INTO client_name (rowid, name) VALUES (?1, ?2)")?
            .execute(params![tx.last_insert_rowid(), key])?;
        crate::audit::record(&tx, maker, *at, "client.add", &id, data.as_bytes())?;
        client_ids.push(id);
    }

    let unlimited = Money::from_tiyn(i64::MAX);
    let parties = Parties {
        makers: &[maker.0.as_str()],
        checkers: &[checker.0.as_str()],
    };
    let mut application_ids = Vec::with_capacity(applications.len());
    let mut application_rows = 0;
    for a in applications {
        let client_id = client_ids
            .get(a.client)
            .ok_or(VaultError::NotFound)?
            .as_str();
        let mut at = a.created;
        let id = random_id();
        let mut v = Version {
            lineage: id.clone(),
            id,
            version: 1,
            replaces: None,
            client_id,
            terms: &a.terms,
            stage: Stage::Draft,
        };
        insert_draft(&tx, &v, maker, at)?;
        application_rows += 1;
        for step in &a.steps {
            at += chrono::Duration::hours(1);
            let (officer, is_supervisor) = if step.is_decision() {
                (checker, true)
            } else {
                (maker, false)
            };
            let reason = match step {
                Step::Decline => Some("недостаточный подтверждённый доход"),
                Step::Return => Some("нужна справка о доходах"),
                _ => None,
            };
            let actor = Actor {
                officer_id: &officer.0,
                is_supervisor,
                approval_limit: unlimited,
            };
            v.stage =
                domain::application::next(v.stage, *step, &actor, parties, a.terms.amount, reason)
                    .map_err(VaultError::Step)?;
            let stamped = stamp(at);
            tx.prepare_cached("UPDATE application SET stage = ?2, updated_at = ?3 WHERE id = ?1")?
                .execute(params![v.id, v.stage.as_str(), stamped])?;
            crate::applications::event(
                &tx,
                &v.id,
                &stamped,
                officer,
                step.as_str(),
                v.stage,
                reason,
            )?;
            crate::audit::record(
                &tx,
                officer,
                at,
                &format!("application.{}", step.as_str()),
                &v.id,
                &v.payload(maker, step.as_str(), reason),
            )?;
            if *step == Step::Revise {
                let old = std::mem::replace(&mut v.id, random_id());
                v.replaces = Some(old);
                v.version += 1;
                v.stage = Stage::Draft;
                insert_draft(&tx, &v, maker, at)?;
                application_rows += 1;
            }
        }
        application_ids.push(v.id);
    }
    tx.commit()?;
    vault
        .conn
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(Seeded {
        client_ids,
        application_ids,
        application_rows,
    })
}

/// A new draft version with its `create` event and audit entry, as `create_application` and
/// `revise_application` write it.
fn insert_draft(
    tx: &Transaction<'_>,
    v: &Version<'_>,
    maker: &OfficerId,
    at: DateTime<Utc>,
) -> Result<(), VaultError> {
    let stamped = stamp(at);
    let quote =
        serde_json::to_string(&QuoteSnapshot::of(v.terms)).map_err(|_| VaultError::Damaged)?;
    tx.prepare_cached(
        "INSERT INTO application (id, lineage, version, replaces, client_id, product_id, amount_tiyn,
             months, method, purpose, stage, maker_id, quote, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'draft', ?11, ?12, ?13, ?13)",
    )?
    .execute(params![
        v.id,
        v.lineage,
        v.version,
        v.replaces,
        v.client_id,
        v.terms.product_id,
        v.terms.amount.tiyn(),
        v.terms.months,
        crate::applications::method_str(v.terms.method),
        v.terms.purpose,
        maker.0,
        quote,
        stamped
    ])?;
    crate::applications::event(tx, &v.id, &stamped, maker, "create", Stage::Draft, None)?;
    crate::audit::record(
        tx,
        maker,
        at,
        "application.create",
        &v.id,
        &v.payload(maker, "create", None),
    )?;
    Ok(())
}
