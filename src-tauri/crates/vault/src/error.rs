//! What can go wrong with the vault, one variant per thing the officer or the shell must tell apart.

use std::io;

/// Errors of the vault. Variants carry no secrets and no SQL.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Creating a vault where one already exists.
    #[error("a vault already exists in this folder")]
    AlreadyExists,
    /// No vault in the folder.
    #[error("there is no vault in this folder")]
    Missing,
    /// A new passphrase is shorter than the minimum.
    #[error("the passphrase is too short (at least {min} characters)")]
    WeakPassphrase {
        /// The shortest passphrase accepted, in characters.
        min: usize,
    },
    /// An officer's name is empty, over 100 characters, or has characters a name does not.
    #[error("the officer's name is empty or too long")]
    BadOfficerName,
    /// No officer with this id in the vault.
    #[error("no such officer in this vault")]
    UnknownOfficer,
    /// The officer's account was disabled by an administrator.
    #[error("this officer's account is disabled")]
    OfficerDisabled,
    /// The passphrase does not unwrap this officer's copy of the data key.
    #[error("the passphrase is not right")]
    WrongPassphrase,
    /// Unlocking is throttled after repeated wrong passphrases.
    #[error("too many wrong passphrases; try again in {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// The signed-in officer's role does not allow the operation.
    #[error("the officer's role does not allow this")]
    Forbidden,
    /// Disabling or demoting the last active administrator.
    #[error("the last active administrator cannot be disabled")]
    LastAdmin,
    /// `vault.db` or `vault.keys` is not a Branch Desk vault's (or the data key does not open it).
    #[error("the file is not a Branch Desk vault")]
    NotAVault,
    /// The vault, its key file or a stored record is corrupt or was tampered with.
    #[error("the vault is damaged or was altered")]
    Damaged,
    /// The vault was written by a newer Branch Desk with a later schema.
    #[error(
        "the vault was written by a newer version of Branch Desk (schema {found}, this build knows {known})"
    )]
    TooNew {
        /// Schema version of the vault.
        found: u32,
        /// Newest schema version this build knows.
        known: u32,
    },
    /// The OS keychain could not be used; the keychain's message.
    #[error("the OS keychain is not available: {0}")]
    KeychainUnavailable(String),
    /// This computer's keychain lacks the vault's device secret (e.g. the vault was copied here).
    #[error("this computer's keychain has no device secret for this vault")]
    DeviceSecretMissing,
    /// The backup cannot be decrypted with the key or passphrase given.
    #[error("the backup cannot be read with this key or passphrase")]
    BackupKey,
    /// The backup file is corrupt or not a Branch Desk backup.
    #[error("the backup file is damaged or is not a Branch Desk backup")]
    BackupDamaged,
    /// The backup's signature by the desk that made it is missing or does not verify.
    #[error("the backup is not signed by the desk that made it; it is refused")]
    BackupUnsigned,
    /// A backup was refused because the vault failed its integrity or audit check.
    #[error("the vault failed its integrity or audit check; no backup was written")]
    NotIntact,
    /// A value given to the vault is out of range or malformed (a limit, a document, a draft).
    #[error("the setting is out of range")]
    BadSetting,
    /// Another client is already registered with this ИИН.
    #[error("a client with this IIN is already registered")]
    DuplicateIin {
        /// Id of the client who already has this ИИН.
        client_id: crate::ids::ClientId,
    },
    /// No record with this id.
    #[error("no such record in this vault")]
    NotFound,
    /// The record changed since the version being edited was read.
    #[error("the record was changed by someone else since it was opened")]
    Stale,
    /// An application step the lifecycle rules refuse.
    #[error(transparent)]
    Step(#[from] domain::application::StepError),
    /// A decision reason is longer than [`MAX_REASON`](crate::MAX_REASON) characters.
    #[error("the reason is too long")]
    ReasonTooLong,
    /// The disk is full.
    #[error("the disk is full")]
    DiskFull,
    /// A consent step the rules refuse (the rule is named).
    #[error("{0}")]
    Consent(#[from] domain::consent::ConsentError),
    /// A signature or scan refused as evidence.
    #[error("{0}")]
    Evidence(#[from] domain::evidence::EvidenceError),
    /// An officer's note longer than the vault keeps.
    #[error("the note is too long")]
    NoteTooLong,
    /// A stored attachment's or printed document's bytes no longer match the SHA-256 taken when
    /// they were kept.
    #[error("a stored file was altered since it was kept")]
    AttachmentAltered,
    /// Head office revoked this desk's enrolment: it keeps what it has, read-only.
    #[error(
        "head office revoked this desk: it is read-only; an administrator can enrol it again with a new code"
    )]
    Revoked,
    /// The desk is not enrolled with head office.
    #[error("this desk is not enrolled with head office")]
    NotEnrolled,
    /// The desk is enrolled already; enrolling again is for a revoked desk, or explicit.
    #[error("this desk is already enrolled with head office")]
    AlreadyEnrolled,
    /// What head office sent does not fit this desk's records (its feed, an acknowledgement).
    #[error("head office's data does not match this desk: {0}")]
    HeadOfficeMismatch(String),
    /// Another file-system error.
    #[error("file access failed: {0}")]
    Io(#[source] io::Error),
    /// Another SQLite/SQLCipher error.
    #[error("database error: {0}")]
    Db(#[source] rusqlite::Error),
}

impl From<io::Error> for VaultError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
            VaultError::DiskFull
        } else {
            VaultError::Io(e)
        }
    }
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::NotADatabase) => VaultError::NotAVault,
            Some(C::DatabaseCorrupt) => VaultError::Damaged,
            Some(C::DiskFull) => VaultError::DiskFull,
            _ => VaultError::Db(e),
        }
    }
}
