//! The embedded back end: one SQLite file (WAL), one connection behind a mutex, every call on
//! tokio's blocking pool. Migrations run at open in one transaction each.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use sha2::Digest;
use sync::batch::AuditHead;
use sync::feed::{FeedEntry, FeedKind};

use super::{
    ApplicationDetail, ApplicationRow, AttachmentState, Counts, Decision, Device, Ingest,
    NewDevice, NewEnrolment, StepRow, Store, StoreError, Stored,
};
use crate::ingest::Projection;

const MIGRATIONS: &[&str] = &[include_str!("../../migrations/sqlite/0001_init.sql")];

/// Embedded SQLite store.
#[derive(Clone)]
pub struct Sqlite {
    conn: Arc<Mutex<Connection>>,
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Sqlite {
    /// Opens or creates the file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let path = path.to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, StoreError> {
            let mut conn = Connection::open(&path).map_err(db)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))
                .map_err(db)?;
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(db)?;
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(db)?;
            conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
            migrate(&mut conn)?;
            Ok(conn)
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))??;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic in an earlier call poisons the mutex, but it leaves the connection usable:
            // its open transaction was rolled back when the panic dropped it.
            let mut guard = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .map_err(db)?;
    for (n, sql) in MIGRATIONS.iter().enumerate() {
        let version = n as i64 + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let done: bool = tx
            .query_row(
                "SELECT count(*) > 0 FROM schema_migration WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .map_err(db)?;
        if !done {
            tx.execute_batch(sql)
                .map_err(|e| StoreError::Database(format!("migration {version}: {e}")))?;
            tx.execute(
                "INSERT INTO schema_migration (version, applied_at) VALUES (?1, ?2)",
                params![version, crate::clock::now_text()],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)?;
    }
    Ok(())
}

const DEVICE_COLUMNS: &str = "id, branch, name, signing, recipient, status, enrolled_at, last_seen, acked_seq, head_hash, audit_seq, audit_hash, revoked_at";

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    let head: Vec<u8> = r.get(9)?;
    let audit_seq: Option<i64> = r.get(10)?;
    let audit_hash: Option<Vec<u8>> = r.get(11)?;
    Ok(Device {
        id: r.get(0)?,
        branch: r.get(1)?,
        name: r.get(2)?,
        signing: r.get(3)?,
        recipient: r.get(4)?,
        status: r.get(5)?,
        enrolled_at: r.get(6)?,
        last_seen: r.get(7)?,
        acked_seq: u(r.get(8)?),
        head_hash: head.try_into().unwrap_or([0; 32]),
        audit_head: match (audit_seq, audit_hash) {
            (Some(seq), Some(h)) => h
                .try_into()
                .ok()
                .map(|hash| AuditHead { seq: u(seq), hash }),
            _ => None,
        },
        revoked_at: r.get(12)?,
    })
}

fn get_device(tx: &Connection, id: &str) -> Result<Option<Device>, StoreError> {
    tx.query_row(
        &format!("SELECT {DEVICE_COLUMNS} FROM device WHERE id = ?1"),
        [id],
        device_row,
    )
    .optional()
    .map_err(db)
}

fn insert_feed(
    tx: &Transaction<'_>,
    target: Option<&str>,
    kind: FeedKind,
    effective_from: Option<&str>,
    body: &[u8],
    now: &str,
) -> Result<u64, StoreError> {
    tx.execute(
        "INSERT INTO feed_entry (target, kind, published_at, effective_from, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![target, kind.as_str(), now, effective_from, body],
    )
    .map_err(db)?;
    Ok(u(tx.last_insert_rowid()))
}

fn app_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApplicationRow> {
    Ok(ApplicationRow {
        id: r.get(0)?,
        device: r.get(1)?,
        lineage: r.get(2)?,
        version: u(r.get(3)?),
        client_id: r.get(4)?,
        product_id: r.get(5)?,
        amount_tiyn: r.get(6)?,
        months: u(r.get(7)?),
        stage: r.get(8)?,
        decision: r.get(9)?,
    })
}

const APP_SELECT: &str = "SELECT a.id, a.device, a.lineage, a.version, a.client_id, a.product_id, a.amount_tiyn, a.months, a.stage, d.outcome FROM application a LEFT JOIN decision d ON d.application_id = a.id";

fn project(
    tx: &Transaction<'_>,
    device: &str,
    seq: i64,
    p: &Projection,
    at: &str,
    officer: &str,
) -> Result<(), StoreError> {
    match p {
        Projection::Client { id, data } => {
            tx.execute(
                "INSERT INTO client (id, device, data, seq) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, seq = excluded.seq
                 WHERE client.device = excluded.device",
                params![id, device, data, seq],
            )
            .map_err(db)?;
        }
        Projection::Application(a) => {
            tx.execute(
                "INSERT INTO application (id, device, lineage, version, client_id, product_id, amount_tiyn, months, stage, maker_id, payload, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (id) DO UPDATE SET stage = excluded.stage, product_id = excluded.product_id,
                   amount_tiyn = excluded.amount_tiyn, months = excluded.months, payload = excluded.payload, seq = excluded.seq
                 WHERE application.device = excluded.device",
                params![a.id, device, a.lineage, i(a.version), a.client_id, a.product_id, a.amount_tiyn, i(a.months), a.stage, a.maker_id, a.payload, seq],
            )
            .map_err(db)?;
            tx.execute(
                // Only onto this desk's own application: an id another desk used is not ours to move.
                "INSERT INTO application_step (device, seq, application_id, step, stage, reason, at, officer_id)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM application WHERE id = ?3 AND device = ?1)
                 ON CONFLICT DO NOTHING",
                params![device, seq, a.id, a.step, a.stage, a.reason, at, officer],
            )
            .map_err(db)?;
        }
        Projection::Document {
            id,
            kind,
            client_id,
            application_id,
            payload,
        } => {
            tx.execute(
                "INSERT INTO document (id, device, kind, client_id, application_id, payload, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
                params![id, device, kind, client_id, application_id, payload, seq],
            )
            .map_err(db)?;
        }
        Projection::Consent {
            id,
            client_id,
            action,
            payload,
        } => {
            tx.execute(
                "INSERT INTO consent_event (id, device, client_id, action, payload, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                params![id, device, client_id, action, payload, seq],
            )
            .map_err(db)?;
        }
        Projection::Attachment {
            id,
            client_id,
            kind,
            media_type,
            sha256,
            size,
        } => {
            tx.execute(
                "INSERT INTO attachment (id, device, client_id, kind, media_type, sha256, size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
                params![id, device, client_id, kind, media_type, sha256, i(*size)],
            )
            .map_err(db)?;
        }
        Projection::None | Projection::Unreadable => {}
    }
    Ok(())
}

fn ingest(conn: &mut Connection, b: Ingest) -> Result<Stored, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let device = get_device(&tx, &b.device)?.ok_or(StoreError::UnknownDevice)?;
    if device.status != "active" {
        return Err(StoreError::Revoked);
    }
    let cursor = device.acked_seq;
    let known: bool = tx
        .query_row(
            "SELECT count(*) > 0 FROM batch WHERE device = ?1 AND hash = ?2",
            params![b.device, &b.hash[..]],
            |r| r.get(0),
        )
        .map_err(db)?;
    if known {
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
        // No record 0 (the wire format refuses it; `first - 1` would underflow below).
        0 => false,
        1 => b.prev_hash == [0; 32],
        first => tx
            .query_row(
                "SELECT count(*) > 0 FROM batch WHERE device = ?1 AND hash = ?2 AND last_seq = ?3",
                params![b.device, &b.prev_hash[..], i(first - 1)],
                |r| r.get(0),
            )
            .map_err(db)?,
    };
    if !follows {
        return Err(StoreError::ChainMismatch);
    }
    tx.execute(
        "INSERT INTO batch (device, hash, first_seq, last_seq, prev_hash, envelope, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![b.device, &b.hash[..], i(b.first_seq), i(b.last_seq), &b.prev_hash[..], b.envelope, b.received_at],
    )
    .map_err(db)?;
    let mut new_records = 0;
    for inc in &b.records {
        let r = &inc.record;
        let seq = i(r.seq);
        let inserted = tx
            .execute(
                "INSERT INTO record (device, seq, created_at, officer_id, action, entity_id, payload, payload_sha256, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (device, seq) DO NOTHING",
                params![b.device, seq, r.created_at, r.officer_id, r.action, r.entity_id, r.payload, &inc.sha256[..], b.received_at],
            )
            .map_err(db)?;
        if inserted == 0 {
            let stored: Vec<u8> = tx
                .query_row(
                    "SELECT payload_sha256 FROM record WHERE device = ?1 AND seq = ?2",
                    params![b.device, seq],
                    |row| row.get(0),
                )
                .map_err(db)?;
            if stored != inc.sha256 {
                return Err(StoreError::Conflict { seq: r.seq });
            }
            continue;
        }
        new_records += 1;
        project(
            &tx,
            &b.device,
            seq,
            &inc.projection,
            &r.created_at,
            &r.officer_id,
        )?;
    }
    let (acked, head) = if b.last_seq > cursor {
        (b.last_seq, b.hash)
    } else {
        (cursor, device.head_hash)
    };
    tx.execute(
        "UPDATE device SET acked_seq = ?2, head_hash = ?3, last_seen = ?4 WHERE id = ?1",
        params![b.device, i(acked), &head[..], b.received_at],
    )
    .map_err(db)?;
    if let Some(h) = b.audit_head {
        tx.execute(
            "UPDATE device SET audit_seq = ?2, audit_hash = ?3 WHERE id = ?1 AND (audit_seq IS NULL OR audit_seq < ?2)",
            params![b.device, i(h.seq), &h.hash[..]],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(Stored {
        acked_seq: acked,
        head_hash: head,
        new_records,
    })
}

fn append_chunk(
    conn: &mut Connection,
    device: &str,
    id: &str,
    offset: u64,
    bytes: &[u8],
) -> Result<AttachmentState, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let row: Option<(i64, i64, bool, String)> = tx
        .query_row(
            "SELECT size, received, complete, sha256 FROM attachment WHERE id = ?1 AND device = ?2",
            params![id, device],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(db)?;
    let (size, received, complete, sha) = row.ok_or(StoreError::UnknownAttachment)?;
    let (size, received) = (u(size), u(received));
    if complete {
        return Ok(AttachmentState {
            size,
            received,
            complete,
        });
    }
    if offset != received {
        return Err(StoreError::ChunkOffset { expected: received });
    }
    let now_received = received + bytes.len() as u64;
    if now_received > size || bytes.is_empty() {
        return Err(StoreError::ChunkMismatch);
    }
    tx.execute(
        "INSERT INTO attachment_chunk (attachment_id, \"offset\", bytes) VALUES (?1, ?2, ?3)",
        params![id, i(offset), bytes],
    )
    .map_err(db)?;
    let mut done = false;
    if now_received == size {
        let mut hasher = sha2::Sha256::new();
        let mut stmt = tx
            .prepare(
                "SELECT bytes FROM attachment_chunk WHERE attachment_id = ?1 ORDER BY \"offset\"",
            )
            .map_err(db)?;
        let mut rows = stmt.query([id]).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            let chunk: Vec<u8> = r.get(0).map_err(db)?;
            hasher.update(&chunk);
        }
        drop(rows);
        drop(stmt);
        if hex::encode(hasher.finalize()) != sha {
            // Throw the bytes away so the desk can send them again from the start.
            tx.execute(
                "DELETE FROM attachment_chunk WHERE attachment_id = ?1",
                [id],
            )
            .map_err(db)?;
            tx.execute("UPDATE attachment SET received = 0 WHERE id = ?1", [id])
                .map_err(db)?;
            tx.commit().map_err(db)?;
            return Err(StoreError::ChunkMismatch);
        }
        done = true;
    }
    tx.execute(
        "UPDATE attachment SET received = ?2, complete = ?3 WHERE id = ?1",
        params![id, i(now_received), done],
    )
    .map_err(db)?;
    tx.commit().map_err(db)?;
    Ok(AttachmentState {
        size,
        received: now_received,
        complete: done,
    })
}

impl Store for Sqlite {
    async fn create_enrolment(&self, e: NewEnrolment) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute(
                "INSERT INTO enrolment (token_sha256, branch, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![&e.token_sha256[..], e.branch, e.created_at, e.expires_at],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn enrol(
        &self,
        token_sha256: [u8; 32],
        d: NewDevice,
        now: String,
    ) -> Result<Device, StoreError> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
            let row: Option<(String, String, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT branch, expires_at, used_at, device FROM enrolment WHERE token_sha256 = ?1",
                    [&token_sha256[..]],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()
                .map_err(db)?;
            let (branch, expires_at, used_at, used_by) = row.ok_or(StoreError::EnrolmentInvalid)?;
            if used_at.is_some() {
                // The same desk asking again (its answer was lost) gets its enrolment back.
                if let Some(existing) = used_by.map(|id| get_device(&tx, &id)).transpose()?.flatten()
                    && existing.signing == d.signing
                {
                    return Ok(existing);
                }
                return Err(StoreError::EnrolmentUsed);
            }
            if crate::clock::is_past(&expires_at, &now) {
                return Err(StoreError::EnrolmentExpired);
            }
            let taken: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT id, status, branch FROM device WHERE signing = ?1",
                    [&d.signing],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(db)?;
            let id = match taken {
                // A revoked desk enrolling again with a new code of its own branch gets its device
                // back, with its cursor and feed: its records continue where head office has them.
                Some((id, status, was)) if status == "revoked" && was == branch => {
                    tx.execute(
                        "UPDATE device SET status = 'active', revoked_at = NULL, name = ?2,
                             recipient = ?3 WHERE id = ?1",
                        params![id, d.name, d.recipient],
                    )
                    .map_err(db)?;
                    id
                }
                Some(_) => return Err(StoreError::KeyEnrolled),
                None => {
                    tx.execute(
                        "INSERT INTO device (id, branch, name, signing, recipient, status, enrolled_at, head_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7)",
                        params![d.id, branch, d.name, d.signing, d.recipient, now, &[0u8; 32][..]],
                    )
                    .map_err(db)?;
                    d.id.clone()
                }
            };
            tx.execute(
                "UPDATE enrolment SET used_at = ?2, device = ?3 WHERE token_sha256 = ?1",
                params![&token_sha256[..], now, id],
            )
            .map_err(db)?;
            let device = get_device(&tx, &id)?.ok_or(StoreError::UnknownDevice)?;
            tx.commit().map_err(db)?;
            Ok(device)
        })
        .await
    }

    async fn device(&self, id: String) -> Result<Option<Device>, StoreError> {
        self.with(move |c| get_device(c, &id)).await
    }

    async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        self.with(|c| {
            let mut stmt = c
                .prepare(&format!("SELECT {DEVICE_COLUMNS} FROM device ORDER BY id"))
                .map_err(db)?;
            let rows = stmt.query_map([], device_row).map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        })
        .await
    }

    async fn revoke(&self, id: String, now: String) -> Result<bool, StoreError> {
        self.with(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let device = get_device(&tx, &id)?.ok_or(StoreError::UnknownDevice)?;
            if device.status == "revoked" {
                return Ok(false);
            }
            tx.execute(
                "UPDATE device SET status = 'revoked', revoked_at = ?2 WHERE id = ?1",
                params![id, now],
            )
            .map_err(db)?;
            let body = serde_json::json!({ "device": id, "revoked_at": now }).to_string();
            insert_feed(
                &tx,
                Some(&id),
                FeedKind::Revocation,
                None,
                body.as_bytes(),
                &now,
            )?;
            tx.commit().map_err(db)?;
            Ok(true)
        })
        .await
    }

    async fn ingest(&self, b: Ingest) -> Result<Stored, StoreError> {
        self.with(move |c| ingest(c, b)).await
    }

    async fn touch(&self, device: String, now: String) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute(
                "UPDATE device SET last_seen = ?2 WHERE id = ?1",
                params![device, now],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn publish(
        &self,
        target: Option<String>,
        kind: FeedKind,
        effective_from: Option<String>,
        body: Vec<u8>,
        now: String,
    ) -> Result<u64, StoreError> {
        self.with(move |c| {
            let tx = c
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            if let Some(t) = &target {
                get_device(&tx, t)?.ok_or(StoreError::UnknownDevice)?;
            }
            let epoch = insert_feed(
                &tx,
                target.as_deref(),
                kind,
                effective_from.as_deref(),
                &body,
                &now,
            )?;
            tx.commit().map_err(db)?;
            Ok(epoch)
        })
        .await
    }

    async fn feed(
        &self,
        device: String,
        since: u64,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        self.with(move |c| {
            let mut stmt = c
                .prepare(
                    "SELECT epoch, kind, published_at, effective_from, body FROM (
                         SELECT epoch, kind, published_at, effective_from, body,
                                SUM(length(body)) OVER (ORDER BY epoch) - length(body) AS before
                         FROM feed_entry WHERE epoch > ?1 AND (target IS NULL OR target = ?2)
                         ORDER BY epoch LIMIT ?3
                     ) WHERE before < ?4 ORDER BY epoch",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(
                    params![i(since), device, limit, super::FEED_PAGE_BYTES as i64],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                        ))
                    },
                )
                .map_err(db)?;
            let mut out = Vec::new();
            for row in rows {
                let (epoch, kind, published_at, effective_from, body) = row.map_err(db)?;
                out.push(FeedEntry {
                    epoch: u(epoch),
                    kind: FeedKind::parse(&kind)
                        .ok_or_else(|| StoreError::Database(format!("unknown feed kind {kind}")))?,
                    published_at,
                    effective_from,
                    body,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn applications(&self, stage: Option<String>) -> Result<Vec<ApplicationRow>, StoreError> {
        self.with(move |c| {
            let mut stmt = c
                .prepare(&format!(
                    "{APP_SELECT} WHERE (?1 IS NULL OR a.stage = ?1) ORDER BY a.lineage, a.version"
                ))
                .map_err(db)?;
            let rows = stmt.query_map([stage], app_row).map_err(db)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db)
        })
        .await
    }

    async fn application(&self, id: String) -> Result<Option<ApplicationDetail>, StoreError> {
        self.with(move |c| {
            let Some(row) = c
                .query_row(&format!("{APP_SELECT} WHERE a.id = ?1"), [&id], app_row)
                .optional()
                .map_err(db)?
            else {
                return Ok(None);
            };
            let payload: String = c
                .query_row("SELECT payload FROM application WHERE id = ?1", [&id], |r| r.get(0))
                .map_err(db)?;
            let mut stmt = c
                .prepare("SELECT step, stage, reason, at, officer_id FROM application_step WHERE application_id = ?1 ORDER BY at, seq")
                .map_err(db)?;
            let steps = stmt
                .query_map([&id], |r| {
                    Ok(StepRow { step: r.get(0)?, stage: r.get(1)?, reason: r.get(2)?, at: r.get(3)?, officer_id: r.get(4)? })
                })
                .map_err(db)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db)?;
            let decision = c
                .query_row(
                    "SELECT application_id, outcome, reason, decided_by, decided_at FROM decision WHERE application_id = ?1",
                    [&id],
                    |r| Ok(Decision { application_id: r.get(0)?, outcome: r.get(1)?, reason: r.get(2)?, decided_by: r.get(3)?, decided_at: r.get(4)? }),
                )
                .optional()
                .map_err(db)?;
            Ok(Some(ApplicationDetail { row, steps, decision, payload }))
        })
        .await
    }

    async fn decide(&self, d: Decision) -> Result<u64, StoreError> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
            let app: Option<(String, String, String)> = tx
                .query_row("SELECT stage, device, lineage FROM application WHERE id = ?1", [&d.application_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
                .map_err(db)?;
            let (stage, device, lineage) = app.ok_or(StoreError::NoApplication)?;
            let decided: bool = tx
                .query_row("SELECT count(*) > 0 FROM decision WHERE application_id = ?1", [&d.application_id], |r| r.get(0))
                .map_err(db)?;
            if decided {
                return Err(StoreError::AlreadyDecided);
            }
            if stage != "referred" {
                return Err(StoreError::NotReferred { stage });
            }
            let body = crate::feed::decision_body(&d, &lineage);
            let epoch = insert_feed(&tx, Some(&device), FeedKind::Decision, None, &body, &d.decided_at)?;
            tx.execute(
                "INSERT INTO decision (application_id, outcome, reason, decided_by, decided_at, epoch) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![d.application_id, d.outcome, d.reason, d.decided_by, d.decided_at, i(epoch)],
            )
            .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(epoch)
        })
        .await
    }

    async fn attachment(&self, device: String, id: String) -> Result<AttachmentState, StoreError> {
        self.with(move |c| {
            c.query_row(
                "SELECT size, received, complete FROM attachment WHERE id = ?1 AND device = ?2",
                params![id, device],
                |r| {
                    Ok(AttachmentState {
                        size: u(r.get(0)?),
                        received: u(r.get(1)?),
                        complete: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(db)?
            .ok_or(StoreError::UnknownAttachment)
        })
        .await
    }

    async fn append_chunk(
        &self,
        device: String,
        id: String,
        offset: u64,
        bytes: Vec<u8>,
    ) -> Result<AttachmentState, StoreError> {
        self.with(move |c| append_chunk(c, &device, &id, offset, &bytes))
            .await
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        self.with(|c| {
            let n = |sql: &str| -> Result<u64, StoreError> { c.query_row(sql, [], |r| r.get::<_, i64>(0)).map(u).map_err(db) };
            Ok(Counts {
                devices_active: n("SELECT count(*) FROM device WHERE status = 'active'")?,
                devices_revoked: n("SELECT count(*) FROM device WHERE status = 'revoked'")?,
                records: n("SELECT count(*) FROM record")?,
                batches: n("SELECT count(*) FROM batch")?,
                referred: n("SELECT count(*) FROM application a WHERE a.stage = 'referred' AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.application_id = a.id)")?,
                feed_entries: n("SELECT count(*) FROM feed_entry")?,
            })
        })
        .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.with(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db))
            .await
    }
}
