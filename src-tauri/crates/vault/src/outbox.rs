//! The outbox as sync sees it: records read in sequence order for a push, their state moved by
//! head office's signed acknowledgements and refusals, the officer's view of every item, and
//! compaction (an acknowledged record's payload is dropped after a retention period; its hash
//! stays, and the audit entry that names it).
//!
//! States: `queued` (never sent, or sent again after a retry), `sent` (in a push that got no
//! answer yet), `acked` (head office stored it), `refused` (head office said no; the code is kept
//! in `last_error`). Nothing ever leaves the outbox: an acknowledged record keeps its row.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::error::VaultError;
use crate::head_office::{link, require_link};
use crate::officer::Role;
use crate::stamp::stamp;
use crate::vault::Vault;

/// One record to push, numbered as on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRecord {
    /// Wire sequence number (outbox number minus the enrolment's base).
    pub seq: u64,
    /// When the change was made.
    pub created_at: String,
    /// Who made it.
    pub officer_id: String,
    /// What was done.
    pub action: String,
    /// On what.
    pub entity_id: String,
    /// The change.
    pub payload: Vec<u8>,
}

/// State of an outbox item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for the next push.
    Queued,
    /// Pushed, no answer yet.
    Sent,
    /// Stored at head office.
    Acked,
    /// Head office refused it.
    Refused,
}

impl OutboxState {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sent => "sent",
            OutboxState::Acked => "acked",
            OutboxState::Refused => "refused",
        }
    }

    /// The state named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Acked, Self::Refused]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One row of the outbox view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    /// Outbox number.
    pub seq: i64,
    /// When the change was made.
    pub created_at: String,
    /// Who made it (name).
    pub officer_name: String,
    /// What was done.
    pub action: String,
    /// On what.
    pub entity_id: String,
    /// Where it stands.
    pub state: OutboxState,
    /// How many pushes carried it.
    pub attempts: i64,
    /// The last failure's code, if any.
    pub last_error: Option<String>,
    /// When head office acknowledged it.
    pub acked_at: Option<String>,
    /// Payload bytes kept (0 once compacted).
    pub size: i64,
}

/// How many outbox records are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting.
    pub queued: i64,
    /// Pushed, unanswered.
    pub sent: i64,
    /// Stored at head office.
    pub acked: i64,
    /// Refused by head office.
    pub refused: i64,
}

impl OutboxCounts {
    /// Records head office has not stored yet.
    pub fn pending(&self) -> i64 {
        self.queued + self.sent + self.refused
    }
}

/// What a compaction did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Compaction {
    /// Payloads dropped.
    pub records: i64,
    /// Payload bytes dropped.
    pub bytes: i64,
    /// Whether the database file was rewritten to give the space back.
    pub vacuumed: bool,
}

/// How long an acknowledged payload stays before compaction drops it.
pub const OUTBOX_RETENTION_DAYS: i64 = 30;

/// The most outbox items one page of the view holds.
pub const MAX_OUTBOX_PAGE: u32 = 500;

impl Vault {
    /// Up to `limit` records after wire number `after`, in order, for a push. A record whose
    /// payload was compacted cannot be sent again: head office would have to have lost what it
    /// acknowledged, and that is reported rather than papered over.
    pub fn outbox_after(&self, after: u64, limit: usize) -> Result<Vec<OutboxRecord>, VaultError> {
        let link = require_link(&self.conn)?;
        let base = link.seq_base;
        let mut s = self.conn.prepare_cached(
            "SELECT seq, created_at, officer_id, action, entity_id, payload FROM outbox
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = s.query_map(
            params![base.saturating_add(after as i64), limit as i64],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<Vec<u8>>>(5)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, created_at, officer_id, action, entity_id, payload) = row?;
            let payload = payload.ok_or_else(|| {
                VaultError::HeadOfficeMismatch(format!(
                    "head office asks again for record {} which it acknowledged earlier and this desk has compacted",
                    seq - base
                ))
            })?;
            out.push(OutboxRecord {
                seq: (seq - base) as u64,
                created_at,
                officer_id,
                action,
                entity_id,
                payload,
            });
        }
        Ok(out)
    }

    /// Marks wire numbers `first..=last` as pushed and awaiting an answer.
    pub fn outbox_mark_sent(&mut self, first: u64, last: u64) -> Result<(), VaultError> {
        let base = require_link(&self.conn)?.seq_base;
        self.conn.execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1
             WHERE seq BETWEEN ?1 AND ?2 AND state != 'acked'",
            params![base + first as i64, base + last as i64],
        )?;
        Ok(())
    }

    /// Notes a failure on wire numbers `first..=last`: `refused` when head office said no,
    /// otherwise they stay `sent` (no answer came). `code` is kept as the last error.
    pub fn outbox_note_failure(
        &mut self,
        first: u64,
        last: u64,
        refused: bool,
        code: &str,
    ) -> Result<(), VaultError> {
        let base = require_link(&self.conn)?.seq_base;
        self.conn.execute(
            "UPDATE outbox SET state = CASE WHEN ?3 THEN 'refused' ELSE state END, last_error = ?4
             WHERE seq BETWEEN ?1 AND ?2 AND state != 'acked'",
            params![base + first as i64, base + last as i64, refused, code],
        )?;
        Ok(())
    }

    /// Records head office's signed cursor: every record up to wire number `acked` is stored
    /// there, and `batch_hash` (hex) is the hash of the batch ending at it. `audit_head` is the
    /// audit chain head the acknowledged batch carried, if the push sent one: it becomes the head
    /// office anchor that `verify_audit` checks. A cursor below the one recorded (head office
    /// restored from a backup) puts the records above it back in the queue.
    pub fn outbox_acked(
        &mut self,
        acked: u64,
        batch_hash: &str,
        audit_head: Option<(i64, [u8; 32])>,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        let link = require_link(&self.conn)?;
        let base = link.seq_base;
        let upto = i64::try_from(acked)
            .ok()
            .and_then(|a| a.checked_add(base))
            .ok_or_else(|| {
                VaultError::HeadOfficeMismatch(format!("acknowledgement of record {acked}"))
            })?;
        let last: i64 =
            self.conn
                .query_row("SELECT coalesce(max(seq), 0) FROM outbox", [], |r| r.get(0))?;
        if upto > last {
            return Err(VaultError::HeadOfficeMismatch(format!(
                "head office acknowledges record {acked}, which this desk never wrote"
            )));
        }
        // Only the records between the cursor the desk had and the new one change: everything
        // up to the old cursor is acknowledged already (a range on the key, not a table scan).
        let from = base
            + i64::try_from(link.acked_seq)
                .unwrap_or(i64::MAX)
                .min(upto - base);
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET state = 'acked', last_error = NULL, acked_at = coalesce(acked_at, ?2)
             WHERE seq > ?3 AND seq <= ?1 AND state != 'acked'",
            params![upto, stamp(now), from],
        )?;
        tx.execute(
            "UPDATE outbox SET state = 'queued', acked_at = NULL WHERE seq > ?1 AND state = 'acked'
                 AND payload IS NOT NULL",
            params![upto],
        )?;
        tx.execute(
            "UPDATE head_office SET acked_seq = ?1, acked_batch = ?2",
            params![upto - base, batch_hash],
        )?;
        if let Some((seq, hash)) = audit_head {
            tx.execute(
                "UPDATE head_office SET anchor_seq = ?1, anchor_hash = ?2
                 WHERE anchor_seq IS NULL OR anchor_seq <= ?1",
                params![seq, hex::encode(hash)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many outbox records are in each state.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, VaultError> {
        let mut c = OutboxCounts::default();
        let mut s = self
            .conn
            .prepare_cached("SELECT state, count(*) FROM outbox GROUP BY state")?;
        let rows = s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            match OutboxState::parse(&state) {
                Some(OutboxState::Queued) => c.queued = n,
                Some(OutboxState::Sent) => c.sent = n,
                Some(OutboxState::Acked) => c.acked = n,
                Some(OutboxState::Refused) => c.refused = n,
                None => return Err(VaultError::Damaged),
            }
        }
        Ok(c)
    }

    /// The outbox view: newest first, `limit` items before outbox number `before`, optionally
    /// only those in `state`.
    pub fn outbox_items(
        &self,
        state: Option<OutboxState>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, VaultError> {
        let mut s = self.conn.prepare_cached(
            "SELECT o.seq, o.created_at, coalesce(f.name, o.officer_id), o.action, o.entity_id,
                    o.state, o.attempts, o.last_error, o.acked_at, coalesce(length(o.payload), 0)
             FROM outbox o LEFT JOIN officer f ON f.id = o.officer_id
             WHERE o.seq < ?1 AND (?2 IS NULL OR o.state = ?2)
             ORDER BY o.seq DESC LIMIT ?3",
        )?;
        let rows = s.query_map(
            params![
                before.unwrap_or(i64::MAX),
                state.map(OutboxState::as_str),
                i64::from(limit.clamp(1, MAX_OUTBOX_PAGE))
            ],
            |r| {
                let state: String = r.get(5)?;
                Ok(OutboxItem {
                    seq: r.get(0)?,
                    created_at: r.get(1)?,
                    officer_name: r.get(2)?,
                    action: r.get(3)?,
                    entity_id: r.get(4)?,
                    state: OutboxState::parse(&state).unwrap_or(OutboxState::Queued),
                    attempts: r.get(6)?,
                    last_error: r.get(7)?,
                    acked_at: r.get(8)?,
                    size: r.get(9)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Puts refused records back in the queue for the next push; returns how many.
    pub fn outbox_retry(&mut self) -> Result<usize, VaultError> {
        require_link(&self.conn)?;
        Ok(self.conn.execute(
            "UPDATE outbox SET state = 'queued' WHERE state IN ('refused', 'sent')",
            [],
        )?)
    }

    /// Drops the payloads of up to `limit` records head office acknowledged more than
    /// `retention` before `now`, in one transaction, keeping each one's SHA-256 (checked against
    /// the hash taken when it was written). Short, so a sync round in the window can call it
    /// between the officer's own commands until it drops nothing more.
    pub fn drop_acked_payloads(
        &mut self,
        now: DateTime<Utc>,
        retention: Duration,
        limit: usize,
    ) -> Result<Compaction, VaultError> {
        let mut report = Compaction::default();
        if link(&self.conn)?.is_none() {
            return Ok(report);
        }
        let cutoff = stamp(now - retention);
        let tx = self.conn.transaction()?;
        let rows: Vec<(i64, Vec<u8>, Option<Vec<u8>>)> = {
            let mut s = tx.prepare_cached(
                // The partial index `outbox_compactable` holds exactly these rows, so a step
                // never walks past the ones already compacted.
                "SELECT seq, payload, payload_sha256 FROM outbox INDEXED BY outbox_compactable
                 WHERE state = 'acked' AND payload IS NOT NULL AND acked_at <= ?1
                 ORDER BY seq LIMIT ?2",
            )?;
            s.query_map(params![cutoff, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?
        };
        {
            let mut upd = tx.prepare_cached(
                "UPDATE outbox SET payload = NULL, payload_sha256 = ?2 WHERE seq = ?1",
            )?;
            for (seq, payload, hash) in &rows {
                let actual: [u8; 32] = Sha256::digest(payload).into();
                if hash.as_deref().is_some_and(|h| h != actual) {
                    return Err(VaultError::Damaged);
                }
                upd.execute(params![seq, &actual[..]])?;
                report.records += 1;
                report.bytes += payload.len() as i64;
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Drops every payload past the retention ([`Vault::drop_acked_payloads`]) and then gives
    /// the space back to the disk when a quarter or more of the file is free (the file is
    /// rewritten: minutes on a large vault, so this is an administrator's command, not part of
    /// a sync round; without it the freed pages are reused and the vault stops growing).
    pub fn compact_outbox(
        &mut self,
        now: DateTime<Utc>,
        retention: Duration,
    ) -> Result<Compaction, VaultError> {
        self.require(Role::Admin)?;
        let mut report = Compaction::default();
        loop {
            let step = self.drop_acked_payloads(now, retention, 2000)?;
            if step.records == 0 {
                break;
            }
            report.records += step.records;
            report.bytes += step.bytes;
        }
        let (pages, free): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT page_count FROM pragma_page_count()),
                    (SELECT freelist_count FROM pragma_freelist_count())",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if free * 4 >= pages && free > 0 {
            self.conn.execute_batch("VACUUM;")?;
            report.vacuumed = true;
        }
        Ok(report)
    }

    /// Bytes of the database file on disk (the write-ahead log not counted).
    pub fn file_size(&self) -> Result<u64, VaultError> {
        Ok(std::fs::metadata(self.dir.db())?.len())
    }

    /// The audit head head office last acknowledged, if any: (sequence, hex hash).
    pub(crate) fn head_office_anchor(&self) -> Result<Option<(i64, String)>, VaultError> {
        if crate::migrations::version(&self.conn)? < crate::migrations::HEAD_OFFICE {
            return Ok(None);
        }
        Ok(self
            .conn
            .query_row(
                "SELECT anchor_seq, anchor_hash FROM head_office
                 WHERE anchor_seq IS NOT NULL AND anchor_hash IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
