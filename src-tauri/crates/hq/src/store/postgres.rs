//! The PostgreSQL back end: a deadpool of tokio-postgres connections, one transaction per call,
//! the same rules and refusals as the SQLite back end (`sqlite.rs`) — the contract suite
//! (`tests/hq/store.rs`) runs every case on both.
//!
//! Any number of server instances may share one database, so where SQLite relies on its single
//! writer, this back end takes row locks (`FOR UPDATE`) or advisory locks:
//! - migrations run under a session advisory lock, so instances starting together apply each
//!   migration once;
//! - `ingest` locks the device's row, so pushes of one device serialise (a retry racing its
//!   original finds the batch stored and answers with the cursor);
//! - `enrol` locks the code's row, so a code is used once;
//! - `revoke`, `decide` and `append_chunk` lock the row they change;
//! - every transaction that adds a feed entry first takes one transaction-level advisory lock,
//!   so feed entries commit in epoch order (see [`insert_feed`]).
//!
//! - a batch's statements are pipelined (see [`pipelined`]): a few round trips a batch.
//!
//! Connections are TLS (rustls, ring) when the URL names the certificate to trust
//! (`sslrootcert=PATH`), plain TCP otherwise (a database on the same host or a trusted network);
//! `sslmode=require` without a certificate is refused.

use std::time::Duration;

use deadpool_postgres::Transaction;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use sha2::Digest;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::FromSql;
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, NoTls, Row};

use super::*;
use crate::ingest::Projection;

const MIGRATIONS: &[&str] = &[include_str!("../../migrations/postgres/0001_init.sql")];

/// Session advisory lock held while migrating ("BDHQ" + 1). Any constant works as long as every
/// instance uses the same one and nothing else in the database does.
const MIGRATION_LOCK: i64 = 0x4244_4851_0000_0001;

/// Transaction advisory lock taken before adding a feed entry ("BDHQ" + 2).
const FEED_LOCK: i64 = 0x4244_4851_0000_0002;

/// Connections per server instance.
const POOL_SIZE: usize = 16;

/// Takes `sslrootcert=PATH` out of the URL's query (tokio-postgres does not know it).
fn split_root_cert(url: &str) -> (String, Option<std::path::PathBuf>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut root = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("sslrootcert=") {
            Some(path) => {
                root = Some(std::path::PathBuf::from(path));
                false
            }
            None => true,
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, root)
}

/// A TLS connector that trusts exactly the certificates in the PEM file at `path`.
fn tls_to(path: &std::path::Path) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let bad = |e: String| StoreError::Database(format!("sslrootcert {}: {e}", path.display()));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))? {
        roots
            .add(cert.map_err(|e| bad(e.to_string()))?)
            .map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate in the file".into()));
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// PostgreSQL store.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
}

/// A database error without row data: data exceptions (class 22) and integrity violations
/// (class 23) quote values in their message and detail, so for those only the SQLSTATE and the
/// constraint, table and column names are kept. Details and hints are never kept.
fn describe(e: &tokio_postgres::Error) -> String {
    let Some(d) = e.as_db_error() else {
        return e.to_string();
    };
    let code = d.code().code();
    if code.starts_with("22") || code.starts_with("23") {
        let mut s = format!("postgres {code}");
        for (what, name) in [
            ("constraint", d.constraint()),
            ("table", d.table()),
            ("column", d.column()),
        ] {
            if let Some(name) = name {
                s.push_str(&format!(" {what} {name}"));
            }
        }
        s
    } else {
        format!("postgres {code}: {}", d.message())
    }
}

fn db(e: tokio_postgres::Error) -> StoreError {
    StoreError::Database(describe(&e))
}

fn pool_err(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => db(e),
        other => StoreError::Database(other.to_string()),
    }
}

/// Whether `e` is a unique violation of `constraint`.
fn violates(e: &tokio_postgres::Error, constraint: &str) -> bool {
    e.as_db_error().is_some_and(|d| {
        *d.code() == SqlState::UNIQUE_VIOLATION && d.constraint() == Some(constraint)
    })
}

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Column `idx` of `r`, a type mismatch as an error rather than a panic.
fn col<'a, T: FromSql<'a>>(r: &'a Row, idx: usize) -> Result<T, StoreError> {
    r.try_get(idx).map_err(db)
}

impl Postgres {
    /// Connects (lazily: the pool opens connections as calls need them) and brings the schema up
    /// to date. Safe to call from several instances at once.
    ///
    /// TLS: `sslrootcert=PATH` in the URL's query (the PEM certificate(s) to trust, as libpq
    /// names it) makes the connection TLS-only (rustls, ring), verified against exactly those
    /// certificates; `sslmode=require` without it is refused rather than trusting anything.
    /// Without either the connection is plain, for a database on the same host or network.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let (url, root) = split_root_cert(url);
        let mut cfg: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Database(format!("invalid PostgreSQL URL: {e}")))?;
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(Duration::from_secs(10));
        }
        let manager_config = || ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match (root, cfg.get_ssl_mode()) {
            (Some(path), _) => {
                cfg.ssl_mode(tokio_postgres::config::SslMode::Require);
                Manager::from_config(cfg, tls_to(&path)?, manager_config())
            }
            (
                None,
                tokio_postgres::config::SslMode::Disable | tokio_postgres::config::SslMode::Prefer,
            ) => {
                cfg.ssl_mode(tokio_postgres::config::SslMode::Disable);
                Manager::from_config(cfg, NoTls, manager_config())
            }
            (None, _) => {
                return Err(StoreError::Database(
                    "sslmode=require needs sslrootcert=PATH: the certificate to trust".into(),
                ));
            }
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(15)))
            .wait_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(pool_err)
    }

    /// Applies the migrations not applied yet, under a session advisory lock so that instances
    /// starting at once take turns (the second finds everything applied). The connection is
    /// taken out of the pool and closed afterwards, so the lock can never outlive this call,
    /// whatever fails.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = Object::take(self.client().await?);
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(db)?;
        let applied = apply_migrations(&mut client).await;
        let unlocked = client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await;
        applied?;
        unlocked.map_err(db)?;
        Ok(())
    }
}

async fn apply_migrations(client: &mut deadpool_postgres::ClientWrapper) -> Result<(), StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .await
        .map_err(db)?;
    for (n, sql) in MIGRATIONS.iter().enumerate() {
        let version = n as i64 + 1;
        let tx = client.transaction().await.map_err(db)?;
        let row = tx
            .query_one(
                "SELECT count(*) > 0 FROM schema_migration WHERE version = $1",
                &[&version],
            )
            .await
            .map_err(db)?;
        if !col::<bool>(&row, 0)? {
            tx.batch_execute(sql).await.map_err(|e| {
                StoreError::Database(format!("migration {version}: {}", describe(&e)))
            })?;
            tx.execute(
                "INSERT INTO schema_migration (version, applied_at) VALUES ($1, $2)",
                &[&version, &crate::clock::now_text()],
            )
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
    }
    Ok(())
}

const DEVICE_COLUMNS: &str = "id, branch, name, signing, recipient, status, enrolled_at, last_seen, acked_seq, head_hash, audit_seq, audit_hash, revoked_at";

fn device_row(r: &Row) -> Result<Device, StoreError> {
    let head: Vec<u8> = col(r, 9)?;
    let audit_seq: Option<i64> = col(r, 10)?;
    let audit_hash: Option<Vec<u8>> = col(r, 11)?;
    Ok(Device {
        id: col(r, 0)?,
        branch: col(r, 1)?,
        name: col(r, 2)?,
        signing: col(r, 3)?,
        recipient: col(r, 4)?,
        status: col(r, 5)?,
        enrolled_at: col(r, 6)?,
        last_seen: col(r, 7)?,
        acked_seq: u(col(r, 8)?),
        head_hash: head.try_into().unwrap_or([0; 32]),
        audit_head: match (audit_seq, audit_hash) {
            (Some(seq), Some(h)) => h
                .try_into()
                .ok()
                .map(|hash| AuditHead { seq: u(seq), hash }),
            _ => None,
        },
        revoked_at: col(r, 12)?,
    })
}

/// The device `id`; with `lock`, its row stays locked until the transaction ends.
async fn get_device(
    tx: &Transaction<'_>,
    id: &str,
    lock: bool,
) -> Result<Option<Device>, StoreError> {
    let sql = format!(
        "SELECT {DEVICE_COLUMNS} FROM device WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    tx.query_opt(&sql, &[&id])
        .await
        .map_err(db)?
        .as_ref()
        .map(device_row)
        .transpose()
}

/// Adds a feed entry and returns its epoch.
///
/// Epochs come from a sequence (BIGSERIAL), and sequence values are handed out when a transaction
/// asks, not when it commits: with two transactions adding entries at once, the one holding epoch
/// 8 may commit while the one holding epoch 7 has not. A desk reading its feed in between gets 8,
/// asks next for `epoch > 8` and never sees 7. So every transaction that adds an entry first takes
/// this transaction-level advisory lock, held until it commits or rolls back: entries are added
/// one transaction at a time and become visible in epoch order. (Callers take it after their row
/// locks, and nothing takes a row lock after it, so it adds no deadlock.)
async fn insert_feed(
    tx: &Transaction<'_>,
    target: Option<&str>,
    kind: FeedKind,
    effective_from: Option<&str>,
    body: &[u8],
    now: &str,
) -> Result<u64, StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FEED_LOCK])
        .await
        .map_err(db)?;
    let row = tx
        .query_one(
            "INSERT INTO feed_entry (target, kind, published_at, effective_from, body)
             VALUES ($1, $2, $3, $4, $5) RETURNING epoch",
            &[&target, &kind.as_str(), &now, &effective_from, &body],
        )
        .await
        .map_err(db)?;
    Ok(u(col(&row, 0)?))
}

fn app_row(r: &Row) -> Result<ApplicationRow, StoreError> {
    Ok(ApplicationRow {
        id: col(r, 0)?,
        device: col(r, 1)?,
        lineage: col(r, 2)?,
        version: u(col(r, 3)?),
        client_id: col(r, 4)?,
        product_id: col(r, 5)?,
        amount_tiyn: col(r, 6)?,
        months: u(col(r, 7)?),
        stage: col(r, 8)?,
        decision: col(r, 9)?,
    })
}

const APP_SELECT: &str = "SELECT a.id, a.device, a.lineage, a.version, a.client_id, a.product_id, a.amount_tiyn, a.months, a.stage, d.outcome FROM application a LEFT JOIN decision d ON d.application_id = a.id";

/// A record's table row as one statement and its parameters (owned), so the rows of a whole batch
/// can be sent without waiting for each answer. An application's state and its step go in one
/// statement: the step is added only if the upsert touched this desk's own application.
fn projection_statement(
    device: &str,
    seq: i64,
    p: &Projection,
    at: &str,
    officer: &str,
) -> Option<(&'static str, Vec<Param>)> {
    fn own<T: ToSql + Sync + Send + Clone + 'static>(v: &T) -> Param {
        Box::new(v.clone())
    }
    let dev = device.to_owned();
    Some(match p {
        Projection::Client { id, data } => (
            "INSERT INTO client (id, device, data, seq) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, seq = excluded.seq
             WHERE client.device = excluded.device",
            vec![own(id), own(&dev), own(data), own(&seq)],
        ),
        // Only onto this desk's own application: an id another desk used is not ours to move.
        Projection::Application(a) => (
            "WITH up AS (
                 INSERT INTO application (id, device, lineage, version, client_id, product_id, amount_tiyn, months, stage, maker_id, payload, seq)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (id) DO UPDATE SET stage = excluded.stage, product_id = excluded.product_id,
                   amount_tiyn = excluded.amount_tiyn, months = excluded.months, payload = excluded.payload, seq = excluded.seq
                 WHERE application.device = excluded.device
                 RETURNING id
             )
             INSERT INTO application_step (device, seq, application_id, step, stage, reason, at, officer_id)
             SELECT $2::TEXT, $12::BIGINT, id, $13::TEXT, $9::TEXT, $14::TEXT, $15::TEXT, $16::TEXT FROM up
             ON CONFLICT DO NOTHING",
            vec![
                own(&a.id),
                own(&dev),
                own(&a.lineage),
                own(&i(a.version)),
                own(&a.client_id),
                own(&a.product_id),
                own(&a.amount_tiyn),
                own(&i(a.months)),
                own(&a.stage),
                own(&a.maker_id),
                own(&a.payload),
                own(&seq),
                own(&a.step),
                own(&a.reason),
                own(&at.to_owned()),
                own(&officer.to_owned()),
            ],
        ),
        Projection::Document {
            id,
            kind,
            client_id,
            application_id,
            payload,
        } => (
            "INSERT INTO document (id, device, kind, client_id, application_id, payload, seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
            vec![own(id), own(&dev), own(kind), own(client_id), own(application_id), own(payload), own(&seq)],
        ),
        Projection::Consent {
            id,
            client_id,
            action,
            payload,
        } => (
            "INSERT INTO consent_event (id, device, client_id, action, payload, seq)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            vec![own(id), own(&dev), own(client_id), own(action), own(payload), own(&seq)],
        ),
        Projection::Attachment {
            id,
            client_id,
            kind,
            media_type,
            sha256,
            size,
        } => (
            "INSERT INTO attachment (id, device, client_id, kind, media_type, sha256, size)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
            vec![own(id), own(&dev), own(client_id), own(kind), own(media_type), own(sha256), own(&i(*size))],
        ),
        Projection::None | Projection::Unreadable => return None,
    })
}

/// An owned statement parameter.
type Param = Box<dyn ToSql + Sync + Send>;

/// Runs statements in order without waiting for each answer. tokio-postgres sends a request when
/// its future is first polled and `try_join_all` polls them first in order; PostgreSQL runs one
/// connection's requests in the order they arrive. Each distinct statement is prepared (and
/// cached) first, so no future waits before sending. Returns each statement's row count.
async fn pipelined(
    tx: &Transaction<'_>,
    statements: &[(&'static str, Vec<Param>)],
) -> Result<Vec<u64>, StoreError> {
    let mut prepared: std::collections::HashMap<&str, tokio_postgres::Statement> =
        std::collections::HashMap::new();
    for (sql, _) in statements {
        if !prepared.contains_key(sql) {
            prepared.insert(sql, tx.prepare_cached(sql).await.map_err(db)?);
        }
    }
    let runs = statements.iter().map(|(sql, params)| {
        let statement = &prepared[sql];
        tx.execute_raw(
            statement,
            params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)),
        )
    });
    futures_util::future::try_join_all(runs).await.map_err(db)
}

/// The body of `ingest`, inside `tx` (committed by the caller; any error rolls it back).
async fn ingest(tx: &Transaction<'_>, b: &Ingest) -> Result<Stored, StoreError> {
    // The device's row stays locked until commit: pushes of one device, from any number of
    // server instances, are stored one after the other.
    let device = get_device(tx, &b.device, true)
        .await?
        .ok_or(StoreError::UnknownDevice)?;
    if device.status != "active" {
        return Err(StoreError::Revoked);
    }
    let cursor = device.acked_seq;
    let row = tx
        .query_one(
            "SELECT count(*) > 0 FROM batch WHERE device = $1 AND hash = $2",
            &[&b.device, &&b.hash[..]],
        )
        .await
        .map_err(db)?;
    if col::<bool>(&row, 0)? {
        // The very same batch again (its acknowledgement was lost): answer with the cursor.
        return Ok(Stored {
            acked_seq: cursor,
            head_hash: device.head_hash,
            new_records: 0,
        });
    }
    if b.first_seq > cursor + 1 {
        return Err(StoreError::Gap {
            expected: cursor + 1,
        });
    }
    let follows = match b.first_seq {
        0 => false,
        1 => b.prev_hash == [0; 32],
        first => {
            let row = tx
                .query_one(
                    "SELECT count(*) > 0 FROM batch WHERE device = $1 AND hash = $2 AND last_seq = $3",
                    &[&b.device, &&b.prev_hash[..], &i(first - 1)],
                )
                .await
                .map_err(db)?;
            col::<bool>(&row, 0)?
        }
    };
    if !follows {
        return Err(StoreError::ChainMismatch);
    }
    tx.execute(
        "INSERT INTO batch (device, hash, first_seq, last_seq, prev_hash, envelope, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &b.device,
            &&b.hash[..],
            &i(b.first_seq),
            &i(b.last_seq),
            &&b.prev_hash[..],
            &b.envelope,
            &b.received_at,
        ],
    )
    .await
    .map_err(db)?;
    // Every record at once (pipelined), then the stored hash of each one already there, then the
    // table rows of the new ones in sequence order: a few round trips a batch, not several a record.
    let insert_record = "INSERT INTO record (device, seq, created_at, officer_id, action, entity_id, payload, payload_sha256, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (device, seq) DO NOTHING";
    let inserts: Vec<(&'static str, Vec<Param>)> = b
        .records
        .iter()
        .map(|inc| {
            let r = &inc.record;
            let params: Vec<Param> = vec![
                Box::new(b.device.clone()),
                Box::new(i(r.seq)),
                Box::new(r.created_at.clone()),
                Box::new(r.officer_id.clone()),
                Box::new(r.action.clone()),
                Box::new(r.entity_id.clone()),
                Box::new(r.payload.clone()),
                Box::new(inc.sha256.to_vec()),
                Box::new(b.received_at.clone()),
            ];
            (insert_record, params)
        })
        .collect();
    let inserted = pipelined(tx, &inserts).await?;
    drop(inserts);
    let (new, again): (Vec<_>, Vec<_>) =
        b.records.iter().zip(&inserted).partition(|(_, n)| **n > 0);
    if !again.is_empty() {
        let seqs: Vec<i64> = again.iter().map(|(inc, _)| i(inc.record.seq)).collect();
        let rows = tx
            .query(
                "SELECT seq, payload_sha256 FROM record WHERE device = $1 AND seq = ANY($2)",
                &[&b.device, &seqs],
            )
            .await
            .map_err(db)?;
        let stored: std::collections::HashMap<i64, Vec<u8>> = rows
            .iter()
            .map(|r| Ok((col::<i64>(r, 0)?, col::<Vec<u8>>(r, 1)?)))
            .collect::<Result<_, StoreError>>()?;
        for (inc, _) in &again {
            if stored.get(&i(inc.record.seq)).map(Vec::as_slice) != Some(&inc.sha256[..]) {
                return Err(StoreError::Conflict {
                    seq: inc.record.seq,
                });
            }
        }
    }
    let rows: Vec<(&'static str, Vec<Param>)> = new
        .iter()
        .filter_map(|(inc, _)| {
            let r = &inc.record;
            projection_statement(
                &b.device,
                i(r.seq),
                &inc.projection,
                &r.created_at,
                &r.officer_id,
            )
        })
        .collect();
    pipelined(tx, &rows).await?;
    let new_records = new.len() as u64;
    let (acked, head) = if b.last_seq > cursor {
        (b.last_seq, b.hash)
    } else {
        (cursor, device.head_hash)
    };
    tx.execute(
        "UPDATE device SET acked_seq = $2, head_hash = $3, last_seen = $4 WHERE id = $1",
        &[&b.device, &i(acked), &&head[..], &b.received_at],
    )
    .await
    .map_err(db)?;
    if let Some(h) = b.audit_head {
        tx.execute(
            "UPDATE device SET audit_seq = $2, audit_hash = $3 WHERE id = $1 AND (audit_seq IS NULL OR audit_seq < $2)",
            &[&b.device, &i(h.seq), &&h.hash[..]],
        )
        .await
        .map_err(db)?;
    }
    Ok(Stored {
        acked_seq: acked,
        head_hash: head,
        new_records,
    })
}

/// What `append_chunk` decided, inside its transaction.
enum ChunkOutcome {
    /// Commit and answer this state.
    State(AttachmentState),
    /// Commit (the bytes were thrown away) and refuse.
    Mismatch,
}

async fn append_chunk(
    tx: &Transaction<'_>,
    device: &str,
    id: &str,
    offset: u64,
    bytes: &[u8],
) -> Result<ChunkOutcome, StoreError> {
    // Locked until commit: chunks of one attachment are appended one after the other.
    let row = tx
        .query_opt(
            "SELECT size, received, complete, sha256 FROM attachment WHERE id = $1 AND device = $2 FOR UPDATE",
            &[&id, &device],
        )
        .await
        .map_err(db)?
        .ok_or(StoreError::UnknownAttachment)?;
    let (size, received, complete, sha): (i64, i64, bool, String) =
        (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?, col(&row, 3)?);
    let (size, received) = (u(size), u(received));
    if complete {
        return Ok(ChunkOutcome::State(AttachmentState {
            size,
            received,
            complete,
        }));
    }
    if offset != received {
        return Err(StoreError::ChunkOffset { expected: received });
    }
    let now_received = received + bytes.len() as u64;
    if now_received > size || bytes.is_empty() {
        return Err(StoreError::ChunkMismatch);
    }
    tx.execute(
        "INSERT INTO attachment_chunk (attachment_id, \"offset\", bytes) VALUES ($1, $2, $3)",
        &[&id, &i(offset), &bytes],
    )
    .await
    .map_err(db)?;
    let mut done = false;
    if now_received == size {
        let mut hasher = sha2::Sha256::new();
        // One chunk at a time, so hashing a 25 MB scan holds 1 MiB, not all of it.
        let next = tx
            .prepare(
                "SELECT \"offset\", bytes FROM attachment_chunk WHERE attachment_id = $1 AND \"offset\" >= $2
                 ORDER BY \"offset\" LIMIT 1",
            )
            .await
            .map_err(db)?;
        let mut at = 0i64;
        while let Some(r) = tx.query_opt(&next, &[&id, &at]).await.map_err(db)? {
            let chunk: &[u8] = col(&r, 1)?;
            hasher.update(chunk);
            at = col::<i64>(&r, 0)? + chunk.len() as i64;
        }
        if hex::encode(hasher.finalize()) != sha {
            // Throw the bytes away so the desk can send them again from the start.
            tx.execute(
                "DELETE FROM attachment_chunk WHERE attachment_id = $1",
                &[&id],
            )
            .await
            .map_err(db)?;
            tx.execute("UPDATE attachment SET received = 0 WHERE id = $1", &[&id])
                .await
                .map_err(db)?;
            return Ok(ChunkOutcome::Mismatch);
        }
        done = true;
    }
    tx.execute(
        "UPDATE attachment SET received = $2, complete = $3 WHERE id = $1",
        &[&id, &i(now_received), &done],
    )
    .await
    .map_err(db)?;
    Ok(ChunkOutcome::State(AttachmentState {
        size,
        received: now_received,
        complete: done,
    }))
}

impl Store for Postgres {
    async fn create_enrolment(&self, e: NewEnrolment) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO enrolment (token_sha256, branch, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[&&e.token_sha256[..], &e.branch, &e.created_at, &e.expires_at],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn enrol(
        &self,
        token_sha256: [u8; 32],
        d: NewDevice,
        now: String,
    ) -> Result<Device, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Locked until commit: of two desks presenting one code at once, the second waits, then
        // finds it used.
        let row = tx
            .query_opt(
                "SELECT branch, expires_at, used_at, device FROM enrolment WHERE token_sha256 = $1 FOR UPDATE",
                &[&&token_sha256[..]],
            )
            .await
            .map_err(db)?
            .ok_or(StoreError::EnrolmentInvalid)?;
        let (branch, expires_at, used_at, used_by): (
            String,
            String,
            Option<String>,
            Option<String>,
        ) = (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?, col(&row, 3)?);
        if used_at.is_some() {
            // The same desk asking again (its answer was lost) gets its enrolment back.
            if let Some(device) = used_by
                && let Some(existing) = get_device(&tx, &device, false).await?
                && existing.signing == d.signing
            {
                return Ok(existing);
            }
            return Err(StoreError::EnrolmentUsed);
        }
        if crate::clock::is_past(&expires_at, &now) {
            return Err(StoreError::EnrolmentExpired);
        }
        let taken = tx
            .query_opt(
                "SELECT id, status, branch FROM device WHERE signing = $1 FOR UPDATE",
                &[&d.signing],
            )
            .await
            .map_err(db)?;
        let id: String = match taken {
            // A revoked desk enrolling again with a new code of its own branch gets its device
            // back, with its cursor and feed: its records continue where head office has them.
            Some(row)
                if col::<String>(&row, 1)? == "revoked" && col::<String>(&row, 2)? == branch =>
            {
                let id: String = col(&row, 0)?;
                tx.execute(
                    "UPDATE device SET status = 'active', revoked_at = NULL, name = $2,
                         recipient = $3 WHERE id = $1",
                    &[&id, &d.name, &d.recipient],
                )
                .await
                .map_err(db)?;
                id
            }
            Some(_) => return Err(StoreError::KeyEnrolled),
            None => {
                // The same key enrolling at once under another code passes the check above; the
                // unique index then refuses the second insert.
                tx.execute(
                    "INSERT INTO device (id, branch, name, signing, recipient, status, enrolled_at, head_hash)
                     VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)",
                    &[&d.id, &branch, &d.name, &d.signing, &d.recipient, &now, &&[0u8; 32][..]],
                )
                .await
                .map_err(|e| {
                    if violates(&e, "device_signing_key") {
                        StoreError::KeyEnrolled
                    } else {
                        db(e)
                    }
                })?;
                d.id.clone()
            }
        };
        tx.execute(
            "UPDATE enrolment SET used_at = $2, device = $3 WHERE token_sha256 = $1",
            &[&&token_sha256[..], &now, &id],
        )
        .await
        .map_err(db)?;
        let device = get_device(&tx, &id, false)
            .await?
            .ok_or(StoreError::UnknownDevice)?;
        tx.commit().await.map_err(db)?;
        Ok(device)
    }

    async fn device(&self, id: String) -> Result<Option<Device>, StoreError> {
        let client = self.client().await?;
        client
            .query_opt(
                &format!("SELECT {DEVICE_COLUMNS} FROM device WHERE id = $1"),
                &[&id],
            )
            .await
            .map_err(db)?
            .as_ref()
            .map(device_row)
            .transpose()
    }

    async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let client = self.client().await?;
        // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
        client
            .query(
                &format!("SELECT {DEVICE_COLUMNS} FROM device ORDER BY id COLLATE \"C\""),
                &[],
            )
            .await
            .map_err(db)?
            .iter()
            .map(device_row)
            .collect()
    }

    async fn revoke(&self, id: String, now: String) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let device = get_device(&tx, &id, true)
            .await?
            .ok_or(StoreError::UnknownDevice)?;
        if device.status == "revoked" {
            return Ok(false);
        }
        tx.execute(
            "UPDATE device SET status = 'revoked', revoked_at = $2 WHERE id = $1",
            &[&id, &now],
        )
        .await
        .map_err(db)?;
        let body = serde_json::json!({ "device": id, "revoked_at": now }).to_string();
        insert_feed(
            &tx,
            Some(&id),
            FeedKind::Revocation,
            None,
            body.as_bytes(),
            &now,
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn ingest(&self, b: Ingest) -> Result<Stored, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // On an error the transaction is dropped, which rolls it back.
        let stored = ingest(&tx, &b).await?;
        tx.commit().await.map_err(db)?;
        Ok(stored)
    }

    async fn touch(&self, device: String, now: String) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE device SET last_seen = $2 WHERE id = $1",
                &[&device, &now],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn publish(
        &self,
        target: Option<String>,
        kind: FeedKind,
        effective_from: Option<String>,
        body: Vec<u8>,
        now: String,
    ) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if let Some(t) = &target {
            get_device(&tx, t, false)
                .await?
                .ok_or(StoreError::UnknownDevice)?;
        }
        let epoch = insert_feed(
            &tx,
            target.as_deref(),
            kind,
            effective_from.as_deref(),
            &body,
            &now,
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(epoch)
    }

    async fn feed(
        &self,
        device: String,
        since: u64,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT epoch, kind, published_at, effective_from, body FROM (
                     SELECT epoch, kind, published_at, effective_from, body,
                            SUM(length(body)) OVER (ORDER BY epoch) - length(body) AS before
                     FROM feed_entry WHERE epoch > $1 AND (target IS NULL OR target = $2)
                     ORDER BY epoch LIMIT $3
                 ) page WHERE before < $4 ORDER BY epoch",
                &[
                    &i(since),
                    &device,
                    &i64::from(limit),
                    &(super::FEED_PAGE_BYTES as i64),
                ],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let kind: String = col(r, 1)?;
                Ok(FeedEntry {
                    epoch: u(col(r, 0)?),
                    kind: FeedKind::parse(&kind)
                        .ok_or_else(|| StoreError::Database(format!("unknown feed kind {kind}")))?,
                    published_at: col(r, 2)?,
                    effective_from: col(r, 3)?,
                    body: col(r, 4)?,
                })
            })
            .collect()
    }

    async fn applications(&self, stage: Option<String>) -> Result<Vec<ApplicationRow>, StoreError> {
        let client = self.client().await?;
        client
            .query(
                &format!(
                    "{APP_SELECT} WHERE ($1::text IS NULL OR a.stage = $1) ORDER BY a.lineage COLLATE \"C\", a.version"
                ),
                &[&stage],
            )
            .await
            .map_err(db)?
            .iter()
            .map(app_row)
            .collect()
    }

    async fn application(&self, id: String) -> Result<Option<ApplicationDetail>, StoreError> {
        let mut client = self.client().await?;
        // One snapshot for the row, its payload, steps and decision.
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db)?;
        let Some(r) = tx
            .query_opt(&format!("{APP_SELECT} WHERE a.id = $1"), &[&id])
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        let row = app_row(&r)?;
        let r = tx
            .query_one("SELECT payload FROM application WHERE id = $1", &[&id])
            .await
            .map_err(db)?;
        let payload: String = col(&r, 0)?;
        let steps = tx
            .query(
                "SELECT step, stage, reason, at, officer_id FROM application_step WHERE application_id = $1 ORDER BY at COLLATE \"C\", seq",
                &[&id],
            )
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok(StepRow {
                    step: col(r, 0)?,
                    stage: col(r, 1)?,
                    reason: col(r, 2)?,
                    at: col(r, 3)?,
                    officer_id: col(r, 4)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let decision = tx
            .query_opt(
                "SELECT application_id, outcome, reason, decided_by, decided_at FROM decision WHERE application_id = $1",
                &[&id],
            )
            .await
            .map_err(db)?
            .map(|r| {
                Ok::<_, StoreError>(Decision {
                    application_id: col(&r, 0)?,
                    outcome: col(&r, 1)?,
                    reason: col(&r, 2)?,
                    decided_by: col(&r, 3)?,
                    decided_at: col(&r, 4)?,
                })
            })
            .transpose()?;
        tx.commit().await.map_err(db)?;
        Ok(Some(ApplicationDetail {
            row,
            steps,
            decision,
            payload,
        }))
    }

    async fn decide(&self, d: Decision) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // Locked until commit: of two decisions at once, the second waits, then finds the first.
        let (stage, device, lineage): (String, String, String) = {
            let r = tx
                .query_opt(
                    "SELECT stage, device, lineage FROM application WHERE id = $1 FOR UPDATE",
                    &[&d.application_id],
                )
                .await
                .map_err(db)?
                .ok_or(StoreError::NoApplication)?;
            (col(&r, 0)?, col(&r, 1)?, col(&r, 2)?)
        };
        let r = tx
            .query_one(
                "SELECT count(*) > 0 FROM decision WHERE application_id = $1",
                &[&d.application_id],
            )
            .await
            .map_err(db)?;
        if col::<bool>(&r, 0)? {
            return Err(StoreError::AlreadyDecided);
        }
        if stage != "referred" {
            return Err(StoreError::NotReferred { stage });
        }
        let body = crate::feed::decision_body(&d, &lineage);
        let epoch = insert_feed(
            &tx,
            Some(&device),
            FeedKind::Decision,
            None,
            &body,
            &d.decided_at,
        )
        .await?;
        tx.execute(
            "INSERT INTO decision (application_id, outcome, reason, decided_by, decided_at, epoch) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&d.application_id, &d.outcome, &d.reason, &d.decided_by, &d.decided_at, &i(epoch)],
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(epoch)
    }

    async fn attachment(&self, device: String, id: String) -> Result<AttachmentState, StoreError> {
        let client = self.client().await?;
        let r = client
            .query_opt(
                "SELECT size, received, complete FROM attachment WHERE id = $1 AND device = $2",
                &[&id, &device],
            )
            .await
            .map_err(db)?
            .ok_or(StoreError::UnknownAttachment)?;
        Ok(AttachmentState {
            size: u(col(&r, 0)?),
            received: u(col(&r, 1)?),
            complete: col(&r, 2)?,
        })
    }

    async fn append_chunk(
        &self,
        device: String,
        id: String,
        offset: u64,
        bytes: Vec<u8>,
    ) -> Result<AttachmentState, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let outcome = append_chunk(&tx, &device, &id, offset, &bytes).await?;
        tx.commit().await.map_err(db)?;
        match outcome {
            ChunkOutcome::State(s) => Ok(s),
            ChunkOutcome::Mismatch => Err(StoreError::ChunkMismatch),
        }
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let client = self.client().await?;
        // One statement, so one snapshot.
        let r = client
            .query_one(
                "SELECT
                   (SELECT count(*) FROM device WHERE status = 'active'),
                   (SELECT count(*) FROM device WHERE status = 'revoked'),
                   (SELECT count(*) FROM record),
                   (SELECT count(*) FROM batch),
                   (SELECT count(*) FROM application a WHERE a.stage = 'referred'
                      AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.application_id = a.id)),
                   (SELECT count(*) FROM feed_entry)",
                &[],
            )
            .await
            .map_err(db)?;
        let n = |idx: usize| -> Result<u64, StoreError> { col::<i64>(&r, idx).map(u) };
        Ok(Counts {
            devices_active: n(0)?,
            devices_revoked: n(1)?,
            records: n(2)?,
            batches: n(3)?,
            referred: n(4)?,
            feed_entries: n(5)?,
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.execute("SELECT 1", &[]).await.map_err(db)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::split_root_cert;

    #[test]
    fn the_certificate_to_trust_is_taken_out_of_the_url() {
        assert_eq!(
            split_root_cert("postgres://h/db"),
            ("postgres://h/db".into(), None)
        );
        let (url, root) =
            split_root_cert("postgres://h/db?sslrootcert=/etc/ca.pem&connect_timeout=5");
        assert_eq!(
            url, "postgres://h/db?connect_timeout=5",
            "other parameters stay for tokio-postgres"
        );
        assert_eq!(root.as_deref(), Some(std::path::Path::new("/etc/ca.pem")));
        assert_eq!(
            split_root_cert("postgres://h/db?sslrootcert=/x").0,
            "postgres://h/db"
        );
    }
}
