//! The desk's link with head office: the enrolment (head office's pinned certificate and keys,
//! the device id it gave this desk), where push and feed stand, how the last sync went, and the
//! desk's secret keys handed to the sync client for one round.
//!
//! Outbox sequence numbers are the desk's own; on the wire a record's number is its outbox number
//! minus `seq_base`. A first enrolment has base 0 (the whole history goes to head office). After
//! a revocation, enrolling again is explicit: head office gives the same device back (its cursor
//! and feed continue), or, if it made a new device, that one starts at 1 from the first record the
//! old one had not acknowledged.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

use crate::audit;
use crate::error::VaultError;
use crate::officer::Role;
use crate::stamp::stamp;
use crate::vault::Vault;

/// Head office as this desk knows it, and where sync stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadOfficeLink {
    /// Head office's base URL.
    pub url: String,
    /// Hex SHA-256 of the only TLS certificate the desk accepts from it.
    pub cert_sha256: String,
    /// Head office's Ed25519 verifying key, hex.
    pub signing: String,
    /// Head office's age recipient.
    pub recipient: String,
    /// The branch the desk joined.
    pub branch: String,
    /// The device id head office gave this desk.
    pub device_id: String,
    /// Outbox number of the record before wire number 1.
    pub seq_base: i64,
    /// When the desk enrolled (RFC 3339).
    pub enrolled_at: String,
    /// When head office's revocation reached the desk; `None` while it may sync.
    pub revoked_at: Option<String>,
    /// The last feed epoch applied.
    pub feed_through: u64,
    /// The highest wire number head office acknowledged.
    pub acked_seq: u64,
    /// Hex hash of the batch that ends at `acked_seq` (the next batch's previous hash).
    pub acked_batch: String,
}

/// What an administrator's enrolment code and head office's signed answer established.
#[derive(Clone, Debug)]
pub struct Enrolment<'a> {
    /// Head office's base URL.
    pub url: &'a str,
    /// Hex SHA-256 of head office's certificate.
    pub cert_sha256: &'a str,
    /// Head office's verifying key, hex.
    pub signing: &'a str,
    /// Head office's age recipient.
    pub recipient: &'a str,
    /// The branch.
    pub branch: &'a str,
    /// The device id from head office's answer.
    pub device_id: &'a str,
}

/// How sync stands, for the top bar, Settings and `branchdesk sync status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStatus {
    /// The enrolment, if any.
    pub link: Option<HeadOfficeLink>,
    /// When the desk last tried to sync.
    pub last_attempt_at: Option<String>,
    /// When a sync last succeeded.
    pub last_success_at: Option<String>,
    /// The last attempt's failure code (`None` when it succeeded).
    pub last_code: Option<String>,
    /// The last attempt's failure in words.
    pub last_message: Option<String>,
    /// Background sync interval in minutes (0: only on demand).
    pub interval_minutes: u32,
    /// Outbox records per state.
    pub outbox: crate::outbox::OutboxCounts,
}

/// The desk's secret keys for one sync round. Not Clone, not Debug-printable, zeroized on drop.
pub struct DeskSecrets {
    signing: Zeroizing<[u8; 32]>,
    identity: Zeroizing<String>,
}

impl DeskSecrets {
    /// The Ed25519 secret key bytes.
    pub fn signing(&self) -> &[u8; 32] {
        &self.signing
    }

    /// The age X25519 identity (`AGE-SECRET-KEY-1…`).
    pub fn identity(&self) -> &str {
        &self.identity
    }
}

impl std::fmt::Debug for DeskSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeskSecrets(..)")
    }
}

/// Held while a sync round runs (a lock on `sync.lock` in the vault folder, released on drop), so
/// the window and the command line never run two rounds of one vault at once.
pub struct SyncGuard {
    _file: std::fs::File,
}

impl std::fmt::Debug for SyncGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncGuard")
    }
}

/// The default background sync interval, minutes.
pub const DEFAULT_SYNC_MINUTES: u32 = 15;
/// The longest background sync interval an administrator can set, minutes.
pub const MAX_SYNC_MINUTES: u32 = 24 * 60;

const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const LINK_COLUMNS: &str = "url, cert_sha256, signing, recipient, branch, device_id, seq_base,
    enrolled_at, revoked_at, feed_through, acked_seq, acked_batch";

pub(crate) fn link(conn: &Connection) -> Result<Option<HeadOfficeLink>, VaultError> {
    if crate::migrations::version(conn)? < crate::migrations::HEAD_OFFICE {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            &format!("SELECT {LINK_COLUMNS} FROM head_office WHERE id = 1"),
            [],
            |r| {
                Ok(HeadOfficeLink {
                    url: r.get(0)?,
                    cert_sha256: r.get(1)?,
                    signing: r.get(2)?,
                    recipient: r.get(3)?,
                    branch: r.get(4)?,
                    device_id: r.get(5)?,
                    seq_base: r.get(6)?,
                    enrolled_at: r.get(7)?,
                    revoked_at: r.get(8)?,
                    feed_through: r.get::<_, i64>(9)? as u64,
                    acked_seq: r.get::<_, i64>(10)? as u64,
                    acked_batch: r.get(11)?,
                })
            },
        )
        .optional()?)
}

/// Whether head office revoked this desk (schema ≥ 8 only).
pub(crate) fn revoked(conn: &Connection) -> Result<bool, VaultError> {
    Ok(conn
        .query_row(
            "SELECT revoked_at IS NOT NULL FROM head_office WHERE id = 1",
            [],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

pub(crate) fn require_link(conn: &Connection) -> Result<HeadOfficeLink, VaultError> {
    link(conn)?.ok_or(VaultError::NotEnrolled)
}

impl Vault {
    /// Head office as this desk knows it, if enrolled.
    pub fn head_office(&self) -> Result<Option<HeadOfficeLink>, VaultError> {
        link(&self.conn)
    }

    /// Records an enrolment that head office confirmed (administrators only). A desk that is
    /// enrolled already is refused; a revoked desk enrols again only when `again` says so, as a
    /// new device that continues from the first record head office had not acknowledged.
    pub fn enrol_head_office(
        &mut self,
        e: &Enrolment<'_>,
        again: bool,
        now: DateTime<Utc>,
    ) -> Result<HeadOfficeLink, VaultError> {
        self.require(Role::Admin)?;
        let officer = self.officer.id.clone();
        let tx = self.conn.transaction()?;
        // Where the wire numbers, the acknowledged cursor and the feed stand for this device.
        let (seq_base, acked, batch, feed) = match link(&tx)? {
            None => (0, 0, ZERO_HASH.to_owned(), 0),
            Some(old) if old.revoked_at.is_some() && again => {
                tx.execute(
                    "UPDATE outbox SET state = 'queued' WHERE state IN ('sent', 'refused')",
                    [],
                )?;
                if old.device_id == e.device_id {
                    // Head office gave the device back: everything continues where it stood.
                    (
                        old.seq_base,
                        old.acked_seq as i64,
                        old.acked_batch,
                        old.feed_through as i64,
                    )
                } else {
                    // A new device: what the old one had acknowledged stays with it; the rest
                    // goes anew from wire number 1.
                    (
                        old.seq_base + old.acked_seq as i64,
                        0,
                        ZERO_HASH.to_owned(),
                        0,
                    )
                }
            }
            Some(_) => return Err(VaultError::AlreadyEnrolled),
        };
        let at = stamp(now);
        tx.execute(
            "INSERT OR REPLACE INTO head_office (id, url, cert_sha256, signing, recipient, branch,
                 device_id, seq_base, enrolled_at, enrolled_by, acked_seq, acked_batch,
                 feed_through, anchor_seq, anchor_hash)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                 (SELECT anchor_seq FROM head_office WHERE id = 1),
                 (SELECT anchor_hash FROM head_office WHERE id = 1))",
            params![
                e.url,
                e.cert_sha256,
                e.signing,
                e.recipient,
                e.branch,
                e.device_id,
                seq_base,
                at,
                officer.0,
                acked,
                batch,
                feed
            ],
        )?;
        let payload = serde_json::json!({
            "device_id": e.device_id,
            "branch": e.branch,
            "url": e.url,
            "cert_sha256": e.cert_sha256,
            "again": again,
        })
        .to_string();
        audit::record(
            &tx,
            &officer,
            now,
            "sync.enrol",
            e.device_id,
            payload.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)?;
        require_link(&self.conn)
    }

    /// The lock of a sync round, or `None` when another process (or task) holds it.
    pub fn sync_guard(&self) -> Result<Option<SyncGuard>, VaultError> {
        let path = self.dir.path().join("sync.lock");
        let file = match crate::files::create_private(&path, false) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::OpenOptions::new().write(true).open(&path)?
            }
            Err(e) => return Err(e.into()),
        };
        match file.try_lock() {
            Ok(()) => Ok(Some(SyncGuard { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }

    /// The desk's secret keys for a sync round with head office.
    pub fn desk_secrets(&self) -> Result<DeskSecrets, VaultError> {
        let signing = crate::desk_keys::signing_key(&self.conn)?.ok_or(VaultError::Damaged)?;
        let identity: Zeroizing<Vec<u8>> = Zeroizing::new(
            self.conn
                .query_row(
                    "SELECT secret FROM desk_key WHERE kind = 'age-x25519'",
                    [],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or(VaultError::Damaged)?,
        );
        let identity = Zeroizing::new(
            std::str::from_utf8(&identity)
                .map_err(|_| VaultError::Damaged)?
                .to_owned(),
        );
        Ok(DeskSecrets {
            signing: Zeroizing::new(signing.to_bytes()),
            identity,
        })
    }

    /// How sync stands.
    pub fn sync_status(&self) -> Result<SyncStatus, VaultError> {
        let link = link(&self.conn)?;
        let last = self
            .conn
            .query_row(
                "SELECT last_attempt_at, last_success_at, last_code, last_message FROM head_office",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .unwrap_or((None, None, None, None));
        Ok(SyncStatus {
            link,
            last_attempt_at: last.0,
            last_success_at: last.1,
            last_code: last.2,
            last_message: last.3,
            interval_minutes: self.sync_interval_minutes()?,
            outbox: self.outbox_counts()?,
        })
    }

    /// Notes how a sync attempt ended: `Ok` or a failure's code and words. Not audited (it is
    /// the desk's log of its own attempts, not a change to records).
    pub fn note_sync_attempt(
        &mut self,
        outcome: Result<(), (&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        let at = stamp(now);
        match outcome {
            Ok(()) => self.conn.execute(
                "UPDATE head_office SET last_attempt_at = ?1, last_success_at = ?1,
                     last_code = NULL, last_message = NULL",
                params![at],
            )?,
            Err((code, message)) => self.conn.execute(
                "UPDATE head_office SET last_attempt_at = ?1, last_code = ?2, last_message = ?3",
                params![at, code, message],
            )?,
        };
        Ok(())
    }

    /// Minutes between background syncs (0: only when asked).
    pub fn sync_interval_minutes(&self) -> Result<u32, VaultError> {
        if crate::migrations::version(&self.conn)? < crate::migrations::HEAD_OFFICE {
            return Ok(DEFAULT_SYNC_MINUTES);
        }
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM sync_setting WHERE key = 'interval_minutes'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_SYNC_MINUTES))
    }

    /// Sets the background sync interval (administrators only; 0 to 1440 minutes; audited).
    pub fn set_sync_interval_minutes(
        &mut self,
        minutes: u32,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.require(Role::Admin)?;
        if minutes > MAX_SYNC_MINUTES {
            return Err(VaultError::BadSetting);
        }
        let officer = self.officer.id.clone();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO sync_setting (key, value) VALUES ('interval_minutes', ?1)",
            params![minutes.to_string()],
        )?;
        let payload = serde_json::json!({ "interval_minutes": minutes }).to_string();
        audit::record(
            &tx,
            &officer,
            now,
            "settings.sync_interval",
            "sync",
            payload.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)
    }
}
