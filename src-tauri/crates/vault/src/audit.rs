//! The audit chain: one entry per mutating operation, written in the same transaction as the change.
//!
//! Each entry's hash covers the previous entry's hash and every field. Entries are keyed: the hash
//! is an HMAC-SHA256 under a chain key derived from the desk's signing key (inside the encrypted
//! database), so a history rewritten with plain SHA-256 does not verify. Entries written before
//! keying existed (schema < 6) keep their SHA-256 links; once a keyed entry appears, every later
//! one must be keyed.
//!
//! The head of the chain (sequence number and hash) is also kept outside the database, in
//! `vault.keys`, signed by the desk's Ed25519 key (the *anchor*). Deleting the last entries, or all
//! of them, or rewriting entries and recomputing the chain, no longer matches the anchor. The anchor
//! only moves forward, and only while the entry it names is still there unchanged, so evidence of
//! tampering is never overwritten by the next change. Each push to head office carries the head
//! too; the head head office acknowledged is kept and checked like the anchor.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::VaultError;
use crate::keyfile::KeyFile;
use crate::officer::OfficerId;
use crate::vault::VaultDir;

/// One link of the chain as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Who.
    pub officer_id: String,
    /// What, e.g. `client.add`.
    pub action: String,
    /// On what.
    pub entity_id: String,
    /// SHA-256 of the payload (the payload itself goes to the outbox).
    pub payload_hash: [u8; 32],
    /// The previous entry's hash.
    pub prev_hash: [u8; 32],
    /// This entry's hash.
    pub hash: [u8; 32],
}

const GENESIS: [u8; 32] = [0; 32];

/// The chain head as kept in `vault.keys`: the last entry's sequence and hash, signed by the desk.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Anchor {
    pub seq: i64,
    /// Hex of the entry's hash.
    pub hash: String,
    /// Hex of the desk's Ed25519 signature over [`anchor_message`].
    pub signature: String,
}

fn anchor_message(vault_id: &str, seq: i64, hash: &[u8; 32]) -> Vec<u8> {
    format!(
        "branchdesk-audit-anchor-v1\n{vault_id}\n{seq}\n{}",
        hex::encode(hash)
    )
    .into_bytes()
}

/// What a full check of the chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries in the database.
    pub entries: i64,
    /// The first entry that does not link (rewritten, reordered, or unkeyed after keyed ones).
    pub first_broken: Option<i64>,
    /// How the database's chain compares with the signed head kept in `vault.keys`.
    pub anchor: AnchorCheck,
    /// How it compares with the last head head office acknowledged (`None` before the first
    /// acknowledged push).
    pub head_office: Option<HeadOfficeCheck>,
}

/// The chain against the audit head head office last acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadOfficeCheck {
    /// The acknowledged entry is there, unchanged.
    Matches {
        /// Its sequence number.
        seq: i64,
    },
    /// The acknowledged entry is gone: the chain was cut back behind what head office has.
    Truncated {
        /// The acknowledged sequence number.
        acknowledged: i64,
        /// The last sequence number still present (0 when none).
        last_seq: i64,
    },
    /// The acknowledged entry's hash differs: history head office saw was rewritten.
    Rewritten {
        /// The acknowledged sequence number.
        seq: i64,
    },
}

impl AuditReport {
    /// True when every link holds and the chain reaches the anchored head unchanged.
    pub fn intact(&self) -> bool {
        self.first_broken.is_none()
            && matches!(
                self.anchor,
                AnchorCheck::Matches { .. } | AnchorCheck::Ahead { .. }
            )
            && matches!(
                self.head_office,
                None | Some(HeadOfficeCheck::Matches { .. })
            )
    }
}

/// The chain against its anchor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnchorCheck {
    /// The anchored entry is the last one, unchanged.
    Matches {
        /// Sequence number of the anchored, last entry.
        seq: i64,
    },
    /// The anchored entry is there unchanged and `unanchored` entries follow it (a crash between
    /// a commit and the anchor's update; the next change or unlock moves the anchor on).
    Ahead {
        /// Sequence number of the anchored entry (0 for a vault never anchored yet).
        seq: i64,
        /// How many entries follow it.
        unanchored: i64,
    },
    /// Entries up to the anchored one are missing: the chain was cut short.
    Truncated {
        /// Sequence number the anchor names.
        anchored: i64,
        /// The last sequence number still present (0 when none).
        last_seq: i64,
    },
    /// The anchored entry's hash differs: the history up to it was rewritten.
    Rewritten {
        /// Sequence number of the anchored entry.
        seq: i64,
    },
    /// The anchor's signature does not verify with the desk's key.
    BadSignature,
    /// The vault has recorded entries since anchoring began but `vault.keys` holds no anchor.
    Missing,
}

/// The chain key: HMAC-SHA256(desk signing key, label). `None` before the desk has keys (schema 1).
fn chain_key(conn: &Connection) -> Result<Option<Zeroizing<[u8; 32]>>, VaultError> {
    let Some(signing) = crate::desk_keys::signing_key(conn)? else {
        return Ok(None);
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&signing.to_bytes())
        .map_err(|_| VaultError::Damaged)?;
    mac.update(b"branchdesk-audit-chain-key-v1");
    Ok(Some(Zeroizing::new(mac.finalize().into_bytes().into())))
}

/// The hash of an entry over the previous hash and every field, each length-prefixed: HMAC under
/// the chain key when keyed, plain SHA-256 for entries from before keying.
#[allow(clippy::too_many_arguments)]
fn link_hash(
    key: Option<&[u8; 32]>,
    prev: &[u8; 32],
    seq: i64,
    at: &str,
    officer: &str,
    action: &str,
    entity: &str,
    payload: &[u8; 32],
) -> Result<[u8; 32], VaultError> {
    let mut body = Vec::with_capacity(160);
    body.extend_from_slice(prev);
    body.extend_from_slice(&seq.to_be_bytes());
    for field in [at, officer, action, entity] {
        body.extend_from_slice(&(field.len() as u64).to_be_bytes());
        body.extend_from_slice(field.as_bytes());
    }
    body.extend_from_slice(payload);
    Ok(match key {
        Some(k) => {
            let mut mac =
                <Hmac<Sha256> as Mac>::new_from_slice(k).map_err(|_| VaultError::Damaged)?;
            mac.update(b"branchdesk-audit-v2");
            mac.update(&body);
            mac.finalize().into_bytes().into()
        }
        None => {
            let mut h = Sha256::new();
            h.update(b"branchdesk-audit-v1");
            h.update(&body);
            h.finalize().into()
        }
    })
}

fn has_keyed_column(conn: &Connection) -> Result<bool, VaultError> {
    Ok(crate::migrations::version(conn)? >= crate::migrations::AUDIT_KEYED)
}

/// Appends an entry for `action` on `entity_id` by `officer` at `at`, over `payload` (hashed, not
/// stored). Keyed whenever the desk has its keys.
pub(crate) fn append(
    tx: &Transaction<'_>,
    officer: &OfficerId,
    at: DateTime<Utc>,
    action: &str,
    entity_id: &str,
    payload: &[u8],
) -> Result<i64, VaultError> {
    let (seq, prev) = match head(tx)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS),
    };
    let at = crate::stamp::stamp(at);
    let payload_hash: [u8; 32] = Sha256::digest(payload).into();
    let keyed = has_keyed_column(tx)?;
    let key = if keyed { chain_key(tx)? } else { None };
    let hash = link_hash(
        key.as_deref(),
        &prev,
        seq,
        &at,
        &officer.0,
        action,
        entity_id,
        &payload_hash,
    )?;
    if keyed {
        tx.execute(
            "INSERT INTO audit (seq, at, officer_id, action, entity_id, payload_hash, prev_hash, hash, keyed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                seq,
                at,
                officer.0,
                action,
                entity_id,
                &payload_hash[..],
                &prev[..],
                &hash[..],
                key.is_some()
            ],
        )?;
    } else {
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
    }
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
    // A desk head office revoked is read-only: every change comes through here.
    if crate::migrations::version(tx)? >= crate::migrations::HEAD_OFFICE
        && crate::head_office::revoked(tx)?
    {
        return Err(VaultError::Revoked);
    }
    record_unguarded(tx, officer, at, action, entity_id, payload)
}

/// [`record`] without the read-only check: for what head office's own feed changes on a revoked
/// desk (its roster) and for maintenance that changes no record (backup, rekey, recovery), never
/// for the desk's own changes to records.
pub(crate) fn record_unguarded(
    tx: &Transaction<'_>,
    officer: &OfficerId,
    at: DateTime<Utc>,
    action: &str,
    entity_id: &str,
    payload: &[u8],
) -> Result<i64, VaultError> {
    if crate::migrations::version(tx)? >= crate::migrations::HEAD_OFFICE {
        let seq = append(tx, officer, at, action, entity_id, payload)?;
        let hash: [u8; 32] = Sha256::digest(payload).into();
        tx.execute(
            "INSERT INTO outbox (created_at, officer_id, action, entity_id, payload, payload_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![crate::stamp::stamp(at), officer.0, action, entity_id, payload, &hash[..]],
        )?;
        return Ok(seq);
    }
    let seq = append(tx, officer, at, action, entity_id, payload)?;
    tx.execute(
        "INSERT INTO outbox (created_at, officer_id, action, entity_id, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![crate::stamp::stamp(at), officer.0, action, entity_id, payload],
    )?;
    Ok(seq)
}

/// The last entry's sequence and hash.
pub(crate) fn head(conn: &Connection) -> Result<Option<(i64, [u8; 32])>, VaultError> {
    let last: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    last.map(|(seq, hash)| {
        <[u8; 32]>::try_from(hash.as_slice())
            .map(|h| (seq, h))
            .map_err(|_| VaultError::Damaged)
    })
    .transpose()
}

fn hash_at(conn: &Connection, seq: i64) -> Result<Option<Vec<u8>>, VaultError> {
    Ok(conn
        .query_row("SELECT hash FROM audit WHERE seq = ?1", params![seq], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Commits `tx` and then moves the anchor in `vault.keys` to the new head. The anchor moves only
/// forward from an anchored entry that is still there unchanged; a failure to write it after the
/// commit is not an error (the change is durable; the next change or unlock anchors it).
pub(crate) fn commit(tx: Transaction<'_>, dir: &VaultDir) -> Result<(), VaultError> {
    let next = next_anchor(&tx, dir)?;
    tx.commit()?;
    if let Some((vault_seq, anchor)) = next {
        let _ = write_anchor(dir, vault_seq, anchor);
    }
    Ok(())
}

/// The anchor for the current head, if the anchor in `vault.keys` may move to it.
fn next_anchor(conn: &Connection, dir: &VaultDir) -> Result<Option<(i64, Anchor)>, VaultError> {
    let Some((seq, hash)) = head(conn)? else {
        return Ok(None);
    };
    let Some(signing) = crate::desk_keys::signing_key(conn)? else {
        return Ok(None);
    };
    let file = KeyFile::read(&dir.keys())?;
    if let Some(old) = &file.audit_head {
        let still_there = hash_at(conn, old.seq)?
            .map(|h| hex::encode(h) == old.hash)
            .unwrap_or(false);
        if !still_there || old.seq > seq {
            // Tampering evidence: leave the anchor where it is.
            return Ok(None);
        }
        if old.seq == seq {
            return Ok(None);
        }
    }
    Ok(Some((
        seq,
        sign_anchor(&signing, &file.vault_id, seq, &hash),
    )))
}

fn sign_anchor(signing: &SigningKey, vault_id: &str, seq: i64, hash: &[u8; 32]) -> Anchor {
    Anchor {
        seq,
        hash: hex::encode(hash),
        signature: hex::encode(
            signing
                .sign(&anchor_message(vault_id, seq, hash))
                .to_bytes(),
        ),
    }
}

fn write_anchor(dir: &VaultDir, seq: i64, anchor: Anchor) -> Result<(), VaultError> {
    KeyFile::update(dir, |file| {
        // Another process may have anchored further already; never move back.
        if file.audit_head.as_ref().is_some_and(|a| a.seq >= seq) {
            return Ok(false);
        }
        file.audit_head = Some(anchor);
        Ok(true)
    })
}

/// Anchors the current head if the anchor may move forward to it (after unlock, after a crash
/// between a commit and its anchor, and when a vault from before anchoring is first opened).
pub(crate) fn anchor_now(conn: &Connection, dir: &VaultDir) -> Result<(), VaultError> {
    let file = KeyFile::read(&dir.keys())?;
    if file.audit_head.is_none() && anchoring_started(conn)? {
        // The anchor was removed: do not replace the evidence with a fresh one.
        return Ok(());
    }
    if let Some((seq, anchor)) = next_anchor(conn, dir)? {
        write_anchor(dir, seq, anchor)?;
    }
    if !anchoring_started(conn)? && KeyFile::read(&dir.keys())?.audit_head.is_some() {
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('audit_anchored', '1')",
            [],
        )?;
    }
    Ok(())
}

fn anchoring_started(conn: &Connection) -> Result<bool, VaultError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM meta WHERE key = 'audit_anchored'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Walks the chain from the start and compares its end with the anchor in `vault.keys`.
pub(crate) fn check(
    conn: &Connection,
    dir: &VaultDir,
    head_office_anchor: Option<(i64, String)>,
) -> Result<AuditReport, VaultError> {
    let first_broken = first_broken(conn)?;
    let entries: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
    let last_seq: i64 =
        conn.query_row("SELECT coalesce(max(seq), 0) FROM audit", [], |r| r.get(0))?;
    let file = KeyFile::read(&dir.keys())?;
    let anchor = match &file.audit_head {
        None if anchoring_started(conn)? || entries == 0 => AnchorCheck::Missing,
        // A vault from before anchoring that was never opened by this build.
        None => AnchorCheck::Ahead {
            seq: 0,
            unanchored: entries,
        },
        Some(a) => check_anchor(conn, &file.vault_id, a, last_seq)?,
    };
    let head_office = match head_office_anchor {
        None => None,
        Some((seq, hash)) => Some(match hash_at(conn, seq)? {
            None => HeadOfficeCheck::Truncated {
                acknowledged: seq,
                last_seq,
            },
            Some(h) if hex::encode(&h) != hash => HeadOfficeCheck::Rewritten { seq },
            Some(_) => HeadOfficeCheck::Matches { seq },
        }),
    };
    Ok(AuditReport {
        entries,
        first_broken,
        anchor,
        head_office,
    })
}

fn check_anchor(
    conn: &Connection,
    vault_id: &str,
    a: &Anchor,
    last_seq: i64,
) -> Result<AnchorCheck, VaultError> {
    let Ok(hash) = <[u8; 32]>::try_from(hex::decode(&a.hash).unwrap_or_default().as_slice()) else {
        return Ok(AnchorCheck::BadSignature);
    };
    let public = crate::desk_keys::public(conn)?;
    let verified = (|| -> Option<()> {
        let key: [u8; 32] = hex::decode(&public.signing).ok()?.try_into().ok()?;
        let key = VerifyingKey::from_bytes(&key).ok()?;
        let sig: [u8; 64] = hex::decode(&a.signature).ok()?.try_into().ok()?;
        key.verify(
            &anchor_message(vault_id, a.seq, &hash),
            &Signature::from_bytes(&sig),
        )
        .ok()
    })();
    if verified.is_none() {
        return Ok(AnchorCheck::BadSignature);
    }
    Ok(match hash_at(conn, a.seq)? {
        None => AnchorCheck::Truncated {
            anchored: a.seq,
            last_seq,
        },
        Some(h) if h != hash => AnchorCheck::Rewritten { seq: a.seq },
        Some(_) if last_seq == a.seq => AnchorCheck::Matches { seq: a.seq },
        Some(_) => AnchorCheck::Ahead {
            seq: a.seq,
            unanchored: last_seq - a.seq,
        },
    })
}

/// Walks the chain from the start; returns the seq of the first entry that does not link, if any.
pub(crate) fn first_broken(conn: &Connection) -> Result<Option<i64>, VaultError> {
    let keyed_column = has_keyed_column(conn)?;
    let key = chain_key(conn)?;
    let sql = if keyed_column {
        "SELECT seq, at, officer_id, action, entity_id, payload_hash, prev_hash, hash, keyed FROM audit ORDER BY seq"
    } else {
        "SELECT seq, at, officer_id, action, entity_id, payload_hash, prev_hash, hash, 0 FROM audit ORDER BY seq"
    };
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS;
    let mut expected_seq = 1i64;
    let mut seen_keyed = false;
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
        let keyed: bool = r.get(8)?;
        if seen_keyed && !keyed {
            return Ok(Some(seq));
        }
        seen_keyed |= keyed;
        let entry_key = if keyed {
            match key.as_deref() {
                Some(k) => Some(k),
                None => return Ok(Some(seq)),
            }
        } else {
            None
        };
        let at: String = r.get(1)?;
        let officer: String = r.get(2)?;
        let action: String = r.get(3)?;
        let entity: String = r.get(4)?;
        let hash = link_hash(
            entry_key, &prev, seq, &at, &officer, &action, &entity, &payload,
        )?;
        if seq != expected_seq || stored_prev != prev || stored_hash != hash {
            return Ok(Some(seq));
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok(None)
}

/// The payload hash of the entry at `seq` if it is an officer entry about `officer`.
pub(crate) fn officer_entry_payload(
    conn: &Connection,
    seq: i64,
    officer: &OfficerId,
) -> Result<Option<[u8; 32]>, VaultError> {
    let row: Option<(String, String, Vec<u8>)> = conn
        .query_row(
            "SELECT action, entity_id, payload_hash FROM audit WHERE seq = ?1",
            params![seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.and_then(|(action, entity, hash)| {
        (action.starts_with("officer.") || action == "vault.create")
            .then_some(())
            .filter(|_| entity == officer.0)
            .and_then(|_| <[u8; 32]>::try_from(hash.as_slice()).ok())
    }))
}
