//! Head office's store: one trait, two back ends chosen by the database URL — `sqlite://PATH`
//! (embedded, the default) and `postgres://…` (many stateless server instances over one
//! database). Every rule that decides what is stored lives here, in one transaction per call, so
//! any number of instances can serve at once: nothing is kept in memory between requests.
//!
//! The contract test suite (`tests/hq/store.rs`) runs every case on both back ends.

mod postgres;
mod sqlite;

use std::future::Future;

pub use postgres::Postgres;
pub use sqlite::Sqlite;
use sync::batch::AuditHead;
use sync::feed::{FeedEntry, FeedKind};

use crate::ingest::Incoming;

/// Why the store refused or failed. The refusals are part of the protocol; `Database` is not.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// The database could not be reached or failed; nothing was changed.
    #[error("database error: {0}")]
    Database(String),
    /// The database URL is not `sqlite://PATH` or `postgres://…`.
    #[error("unsupported database URL (use sqlite://PATH or postgres://…)")]
    Url,
    /// No device with this id.
    #[error("no device with this id is enrolled")]
    UnknownDevice,
    /// The device was revoked.
    #[error("the device was revoked")]
    Revoked,
    /// The batch does not continue from the stored cursor.
    #[error(
        "the batch does not continue from what is stored; next expected sequence is {expected}"
    )]
    Gap {
        /// The next sequence number head office expects.
        expected: u64,
    },
    /// The batch's previous hash names no stored batch it could follow.
    #[error("the batch's previous hash is not the hash of the batch before it")]
    ChainMismatch,
    /// A record reuses a stored sequence number with other content.
    #[error("record {seq} differs from the one stored under that number")]
    Conflict {
        /// The sequence number.
        seq: u64,
    },
    /// The enrolment code is unknown.
    #[error("unknown enrolment code")]
    EnrolmentInvalid,
    /// The enrolment code was used already.
    #[error("the enrolment code was already used")]
    EnrolmentUsed,
    /// The enrolment code expired.
    #[error("the enrolment code expired")]
    EnrolmentExpired,
    /// The desk's key is enrolled already under another device id.
    #[error("this desk's key is already enrolled")]
    KeyEnrolled,
    /// No application with this id.
    #[error("no application with this id")]
    NoApplication,
    /// The application is not waiting for head office.
    #[error("the application is {stage}, not referred to head office")]
    NotReferred {
        /// Its stage.
        stage: String,
    },
    /// Head office decided it already.
    #[error("head office has already decided this application")]
    AlreadyDecided,
    /// No attachment with this id from this device.
    #[error("no attachment with this id was announced by this device")]
    UnknownAttachment,
    /// A chunk does not start where the stored bytes end.
    #[error("the chunk must start at offset {expected}")]
    ChunkOffset {
        /// Where the next chunk must start.
        expected: u64,
    },
    /// The assembled attachment is not the announced one.
    #[error("the attachment's bytes do not match its announced size or hash")]
    ChunkMismatch,
}

/// A new one-time enrolment code (its token's hash only).
#[derive(Debug, Clone)]
pub struct NewEnrolment {
    /// SHA-256 of the token.
    pub token_sha256: [u8; 32],
    /// Branch the desk will join.
    pub branch: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub expires_at: String,
}

/// A desk presenting a code.
#[derive(Debug, Clone)]
pub struct NewDevice {
    /// The id head office gives it.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Ed25519 verifying key, hex.
    pub signing: String,
    /// age recipient.
    pub recipient: String,
}

/// An enrolled desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Device id.
    pub id: String,
    /// Branch.
    pub branch: String,
    /// Name given at enrolment.
    pub name: String,
    /// Ed25519 verifying key, hex.
    pub signing: String,
    /// age recipient.
    pub recipient: String,
    /// `active` or `revoked`.
    pub status: String,
    /// When it enrolled.
    pub enrolled_at: String,
    /// When it was last heard from.
    pub last_seen: Option<String>,
    /// Its cursor: every record up to here is stored.
    pub acked_seq: u64,
    /// Hash of the batch ending at the cursor.
    pub head_hash: [u8; 32],
    /// The last audit head it reported.
    pub audit_head: Option<AuditHead>,
    /// When it was revoked, if it is.
    pub revoked_at: Option<String>,
}

/// A verified, decrypted batch ready to store.
#[derive(Debug, Clone)]
pub struct Ingest {
    /// Device id (its signature was checked against this device's key).
    pub device: String,
    /// First record's sequence.
    pub first_seq: u64,
    /// Last record's sequence.
    pub last_seq: u64,
    /// The previous batch's hash as the desk signed it.
    pub prev_hash: [u8; 32],
    /// This batch's hash.
    pub hash: [u8; 32],
    /// The signed envelope, kept as evidence.
    pub envelope: Vec<u8>,
    /// The desk's audit head.
    pub audit_head: Option<AuditHead>,
    /// RFC 3339 UTC.
    pub received_at: String,
    /// The records, decoded and sorted into kinds.
    pub records: Vec<Incoming>,
}

/// What a push achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The device's cursor after it.
    pub acked_seq: u64,
    /// The hash of the batch ending at the cursor.
    pub head_hash: [u8; 32],
    /// How many records were new (0 for a retry).
    pub new_records: u64,
}

/// One line of `branchdesk-hq applications`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationRow {
    /// Application (version) id.
    pub id: String,
    /// The device it came from.
    pub device: String,
    /// Its lineage (first version's id).
    pub lineage: String,
    /// Version number.
    pub version: u64,
    /// Client id.
    pub client_id: String,
    /// Product id.
    pub product_id: String,
    /// Amount in tiyn.
    pub amount_tiyn: i64,
    /// Term in months.
    pub months: u64,
    /// Stage as the desk last reported it.
    pub stage: String,
    /// Head office's decision, if any: `approve` or `decline`.
    pub decision: Option<String>,
}

/// One step in an application's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepRow {
    /// The step (`submit`, `refer`, …).
    pub step: String,
    /// The stage after it.
    pub stage: String,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// When.
    pub at: String,
    /// Who.
    pub officer_id: String,
}

/// Head office's decision on a referred application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// The application (version) id.
    pub application_id: String,
    /// `approve` or `decline`.
    pub outcome: String,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub decided_by: String,
    /// When (RFC 3339 UTC).
    pub decided_at: String,
}

/// Everything about one application.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationDetail {
    /// The summary row.
    pub row: ApplicationRow,
    /// Its steps in order.
    pub steps: Vec<StepRow>,
    /// Head office's decision.
    pub decision: Option<Decision>,
    /// The desk's last payload for it (JSON).
    pub payload: String,
}

/// An announced attachment and how much of it has arrived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachmentState {
    /// Announced size.
    pub size: u64,
    /// Bytes received.
    pub received: u64,
    /// All bytes received and their hash checked.
    pub complete: bool,
}

/// Counts for `status` and `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Devices enrolled and active.
    pub devices_active: u64,
    /// Devices revoked.
    pub devices_revoked: u64,
    /// Records stored.
    pub records: u64,
    /// Batches stored.
    pub batches: u64,
    /// Applications waiting for head office.
    pub referred: u64,
    /// Feed entries.
    pub feed_entries: u64,
}

/// Head office's store. Each method is one transaction.
pub trait Store: Clone + Send + Sync + 'static {
    /// Keeps a new enrolment code's hash.
    fn create_enrolment(
        &self,
        e: NewEnrolment,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Uses a code once and enrols the desk under it; refuses an unknown, used or expired code.
    fn enrol(
        &self,
        token_sha256: [u8; 32],
        device: NewDevice,
        now: String,
    ) -> impl Future<Output = Result<Device, StoreError>> + Send;
    /// One device.
    fn device(&self, id: String)
    -> impl Future<Output = Result<Option<Device>, StoreError>> + Send;
    /// Every device, by id.
    fn devices(&self) -> impl Future<Output = Result<Vec<Device>, StoreError>> + Send;
    /// Revokes a device and tells it through its feed. `Ok(false)` if it was revoked already.
    fn revoke(
        &self,
        id: String,
        now: String,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Stores a verified batch exactly once (see the module docs of `ingest`).
    fn ingest(&self, batch: Ingest) -> impl Future<Output = Result<Stored, StoreError>> + Send;
    /// Notes that a device was heard from.
    fn touch(
        &self,
        device: String,
        now: String,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Publishes a feed entry for one device or, with `target = None`, for every desk.
    fn publish(
        &self,
        target: Option<String>,
        kind: FeedKind,
        effective_from: Option<String>,
        body: Vec<u8>,
        now: String,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// The device's feed after `since`, epochs increasing: at most `limit` entries, ending once
    /// their bodies pass [`FEED_PAGE_BYTES`] (the first entry always comes).
    fn feed(
        &self,
        device: String,
        since: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<FeedEntry>, StoreError>> + Send;
    /// Applications (latest state of each version), optionally of one stage.
    fn applications(
        &self,
        stage: Option<String>,
    ) -> impl Future<Output = Result<Vec<ApplicationRow>, StoreError>> + Send;
    /// One application with its history.
    fn application(
        &self,
        id: String,
    ) -> impl Future<Output = Result<Option<ApplicationDetail>, StoreError>> + Send;
    /// Decides a referred application and sends the decision to its desk's feed.
    fn decide(&self, d: Decision) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// How much of an attachment announced by `device` has arrived.
    fn attachment(
        &self,
        device: String,
        id: String,
    ) -> impl Future<Output = Result<AttachmentState, StoreError>> + Send;
    /// Appends a chunk at `offset` (which must be where the stored bytes end); when the last
    /// byte arrives, checks size and SHA-256 against the announcement and marks it complete.
    fn append_chunk(
        &self,
        device: String,
        id: String,
        offset: u64,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<AttachmentState, StoreError>> + Send;
    /// Counts for operations.
    fn counts(&self) -> impl Future<Output = Result<Counts, StoreError>> + Send;
    /// Whether the store answers (a trivial query, for `/health`).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The store a URL names, migrated.
#[derive(Clone)]
pub enum AnyStore {
    /// Embedded SQLite.
    Sqlite(Sqlite),
    /// PostgreSQL.
    Postgres(Postgres),
}

impl AnyStore {
    /// Opens (creating if needed) and migrates the store at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(AnyStore::Sqlite(Sqlite::open(path.as_ref()).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(AnyStore::Postgres(Postgres::open(url).await?))
        } else {
            Err(StoreError::Url)
        }
    }
}

macro_rules! both {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            AnyStore::Sqlite($s) => $e.await,
            AnyStore::Postgres($s) => $e.await,
        }
    };
}

impl Store for AnyStore {
    async fn create_enrolment(&self, e: NewEnrolment) -> Result<(), StoreError> {
        both!(self, s => s.create_enrolment(e))
    }
    async fn enrol(&self, t: [u8; 32], d: NewDevice, now: String) -> Result<Device, StoreError> {
        both!(self, s => s.enrol(t, d, now))
    }
    async fn device(&self, id: String) -> Result<Option<Device>, StoreError> {
        both!(self, s => s.device(id))
    }
    async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        both!(self, s => s.devices())
    }
    async fn revoke(&self, id: String, now: String) -> Result<bool, StoreError> {
        both!(self, s => s.revoke(id, now))
    }
    async fn ingest(&self, b: Ingest) -> Result<Stored, StoreError> {
        both!(self, s => s.ingest(b))
    }
    async fn touch(&self, device: String, now: String) -> Result<(), StoreError> {
        both!(self, s => s.touch(device, now))
    }
    async fn publish(
        &self,
        target: Option<String>,
        kind: FeedKind,
        effective_from: Option<String>,
        body: Vec<u8>,
        now: String,
    ) -> Result<u64, StoreError> {
        both!(self, s => s.publish(target, kind, effective_from, body, now))
    }
    async fn feed(
        &self,
        device: String,
        since: u64,
        limit: u32,
    ) -> Result<Vec<FeedEntry>, StoreError> {
        both!(self, s => s.feed(device, since, limit))
    }
    async fn applications(&self, stage: Option<String>) -> Result<Vec<ApplicationRow>, StoreError> {
        both!(self, s => s.applications(stage))
    }
    async fn application(&self, id: String) -> Result<Option<ApplicationDetail>, StoreError> {
        both!(self, s => s.application(id))
    }
    async fn decide(&self, d: Decision) -> Result<u64, StoreError> {
        both!(self, s => s.decide(d))
    }
    async fn attachment(&self, device: String, id: String) -> Result<AttachmentState, StoreError> {
        both!(self, s => s.attachment(device, id))
    }
    async fn append_chunk(
        &self,
        device: String,
        id: String,
        offset: u64,
        bytes: Vec<u8>,
    ) -> Result<AttachmentState, StoreError> {
        both!(self, s => s.append_chunk(device, id, offset, bytes))
    }
    async fn counts(&self) -> Result<Counts, StoreError> {
        both!(self, s => s.counts())
    }
    async fn ping(&self) -> Result<(), StoreError> {
        both!(self, s => s.ping())
    }
}

/// Body bytes per feed page: entries stop once their bodies pass this (one always goes), so an
/// answer always fits the envelope limit and a page never loads more than this from the store.
pub const FEED_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Largest attachment head office accepts (the desk's scan limit is 20 MB).
pub const MAX_ATTACHMENT: u64 = 25 * 1024 * 1024;
