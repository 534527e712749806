//! What can go wrong with the vault, one variant per thing the officer or the shell must tell apart.

use std::io;

/// Errors of the vault. Variants carry no secrets and no SQL.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("a vault already exists in this folder")]
    AlreadyExists,
    #[error("there is no vault in this folder")]
    Missing,
    #[error("the passphrase is too short (at least {min} characters)")]
    WeakPassphrase { min: usize },
    #[error("the officer's name is empty or too long")]
    BadOfficerName,
    #[error("no such officer in this vault")]
    UnknownOfficer,
    #[error("this officer's account is disabled")]
    OfficerDisabled,
    #[error("the passphrase is not right")]
    WrongPassphrase,
    #[error("too many wrong passphrases; try again in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("the officer's role does not allow this")]
    Forbidden,
    #[error("the last active administrator cannot be disabled")]
    LastAdmin,
    #[error("the file is not a Branch Desk vault")]
    NotAVault,
    #[error("the vault is damaged or was altered")]
    Damaged,
    #[error(
        "the vault was written by a newer version of Branch Desk (schema {found}, this build knows {known})"
    )]
    TooNew { found: u32, known: u32 },
    #[error("the OS keychain is not available: {0}")]
    KeychainUnavailable(String),
    #[error("this computer's keychain has no device secret for this vault")]
    DeviceSecretMissing,
    #[error("the backup cannot be read with this key or passphrase")]
    BackupKey,
    #[error("the backup file is damaged or is not a Branch Desk backup")]
    BackupDamaged,
    #[error("the backup is not signed by the desk that made it; it is refused")]
    BackupUnsigned,
    #[error("the vault failed its integrity or audit check; no backup was written")]
    NotIntact,
    #[error("the setting is out of range")]
    BadSetting,
    #[error("a client with this IIN is already registered")]
    DuplicateIin { client_id: String },
    #[error("no such record in this vault")]
    NotFound,
    #[error("the record was changed by someone else since it was opened")]
    Stale,
    #[error(transparent)]
    Step(#[from] domain::application::StepError),
    #[error("the reason is too long")]
    ReasonTooLong,
    #[error("the disk is full")]
    DiskFull,
    #[error("file access failed: {0}")]
    Io(#[source] io::Error),
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
