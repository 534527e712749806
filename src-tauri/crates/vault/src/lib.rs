//! The desk's encrypted local store.
//!
//! One vault per desk: a SQLCipher 4 database (`vault.db`, opened with a raw random 256-bit data key,
//! HMAC on, WAL, `synchronous=FULL`, foreign keys on) plus a key file (`vault.keys`) that holds the
//! data key wrapped once per officer (passphrase AND the device secret from the OS keychain) and
//! once to head office for recovery. Every mutating operation writes, in the same transaction, an
//! audit entry hash-chained to the previous one and an outbox record for sync.
//!
//! This crate knows nothing of windows or IPC; the desktop shell and the CLI call it alike.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod applications;
mod audit;
mod backup;
#[cfg(feature = "bench")]
pub mod bench;
mod clients;
mod consents;
mod db;
mod desk_keys;
mod documents;
mod dossier;
mod error;
mod feed;
pub mod files;
mod form_drafts;
mod head_office;
mod ids;
mod keychain;
mod keyfile;
mod migrations;
mod officer;
mod officers;
mod outbox;
mod paging;
mod secret;
mod stamp;
mod throttle;
mod vault;
mod verifications;

pub use applications::{
    ApplicationEvent, ApplicationFilter, ApplicationRecord, ApplicationRow, MAX_REASON,
    QuoteSnapshot,
};
pub use audit::{AnchorCheck, AuditEntry, AuditReport, HeadOfficeCheck};
pub use backup::{BackupKey, BackupTo, RestoreReport, restore};
pub use clients::{ClientQuery, ClientRecord, ClientRow};
pub use consents::{
    AttachmentRecord, ConsentContent, ConsentEventRecord, Evidence, EvidenceRef, MAX_NOTE,
    NewGrant, NewWithdrawal, signature_verifies, standing,
};
pub use desk_keys::DeskPublicKeys;
pub use documents::{DocumentRecord, NewDocument, new_document_id};
pub use dossier::{Dossier, DossierFile};
pub use error::VaultError;
pub use feed::{FeedItem, FeedReport, HeadOfficeDecision, Publication};
pub use form_drafts::{FormDraft, MAX_FORM_DRAFT};
pub use head_office::{
    DEFAULT_SYNC_MINUTES, DeskSecrets, Enrolment, HeadOfficeLink, MAX_SYNC_MINUTES, SyncGuard,
    SyncStatus,
};
pub use ids::{ApplicationId, ClientId, DocumentId};
pub use keychain::{Keychain, KeychainBackend};
pub use officer::{Officer, OfficerId, Role};
pub use officers::RekeyReport;
pub use outbox::{
    Compaction, MAX_OUTBOX_PAGE, OUTBOX_RETENTION_DAYS, OutboxCounts, OutboxItem, OutboxRecord,
    OutboxState,
};
pub use paging::Page;
pub use secret::Passphrase;
/// The schema version this build writes (older vaults are upgraded when unlocked).
pub const SCHEMA_VERSION: u32 = migrations::LATEST;

pub use vault::{DEFAULT_AUTO_LOCK_MINUTES, MIN_PASSPHRASE, Vault, VaultDir, VaultState};
pub use verifications::{
    KnownDesk, MAX_REPORT, NewVerification, TrustAnchor, VerificationKind, VerificationRecord,
};
