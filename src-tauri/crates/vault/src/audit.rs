//! The audit chain: one entry per mutating operation, written in the same transaction as the change,
//! each entry's hash covering the previous entry's hash, so a rewritten history is detectable.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use crate::error::VaultError;
use crate::officer::OfficerId;

/// One link of the chain as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub officer_id: String,
    pub action: String,
    pub entity_id: String,
    pub payload_hash: [u8; 32],
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

const GENESIS: [u8; 32] = [0; 32];

/// The hash of an entry: SHA-256 over the previous hash and every field, each field length-prefixed.
fn link_hash(
    prev: &[u8; 32],
    seq: i64,
    at: &str,
    officer: &str,
    action: &str,
    entity: &str,
    payload: &[u8; 32],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"branchdesk-audit-v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    for field in [at, officer, action, entity] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update(payload);
    h.finalize().into()
}

/// Appends an entry for `action` on `entity_id` by `officer` at `at`, over `payload` (hashed, not stored).
pub(crate) fn append(
    tx: &Transaction<'_>,
    officer: &OfficerId,
    at: DateTime<Utc>,
    action: &str,
    entity_id: &str,
    payload: &[u8],
) -> Result<i64, VaultError> {
    let last: Option<(i64, Vec<u8>)> = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (
            seq + 1,
            <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| VaultError::Damaged)?,
        ),
        None => (1, GENESIS),
    };
    let at = crate::vault::stamp(at);
    let payload_hash: [u8; 32] = Sha256::digest(payload).into();
    let hash = link_hash(
        &prev,
        seq,
        &at,
        &officer.0,
        action,
        entity_id,
        &payload_hash,
    );
    tx.execute(
        "INSERT INTO audit (seq, at, officer_id, action, entity_id, payload_hash, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            at,
            officer.0,
            action,
            entity_id,
            &payload_hash[..],
            &prev[..],
            &hash[..]
        ],
    )?;
    Ok(seq)
}

/// Records one change: its audit entry and its outbox record, in the caller's transaction, so both
/// commit with the change or not at all. Returns the audit sequence number.
pub(crate) fn record(
    tx: &Transaction<'_>,
    officer: &OfficerId,
    at: DateTime<Utc>,
    action: &str,
    entity_id: &str,
    payload: &[u8],
) -> Result<i64, VaultError> {
    let seq = append(tx, officer, at, action, entity_id, payload)?;
    tx.execute(
        "INSERT INTO outbox (created_at, officer_id, action, entity_id, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![crate::vault::stamp(at), officer.0, action, entity_id, payload],
    )?;
    Ok(seq)
}

/// Walks the chain from the start; returns the seq of the first entry that does not link, if any.
pub(crate) fn first_broken(conn: &rusqlite::Connection) -> Result<Option<i64>, VaultError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, officer_id, action, entity_id, payload_hash, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS;
    let mut expected_seq = 1i64;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let blob = |i: usize| -> Result<[u8; 32], VaultError> {
            let v: Vec<u8> = r.get(i)?;
            <[u8; 32]>::try_from(v.as_slice()).map_err(|_| VaultError::Damaged)
        };
        let (payload, stored_prev, stored_hash) = match (blob(5), blob(6), blob(7)) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            _ => return Ok(Some(seq)),
        };
        let at: String = r.get(1)?;
        let officer: String = r.get(2)?;
        let action: String = r.get(3)?;
        let entity: String = r.get(4)?;
        let hash = link_hash(&prev, seq, &at, &officer, &action, &entity, &payload);
        if seq != expected_seq || stored_prev != prev || stored_hash != hash {
            return Ok(Some(seq));
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok(None)
}
