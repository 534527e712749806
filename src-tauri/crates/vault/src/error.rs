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
    #[error("the file is not a Branch Desk vault")]
    NotAVault,
    #[error("the vault is damaged or was altered")]
    Damaged,
    #[error(
        "the vault was written by a newer version of Branch Desk (schema {found}, this build knows {known})"
    )]
    TooNew { found: u32, known: u32 },
    #[error("the disk is full")]
    DiskFull,
    #[error("file access failed: {0}")]
    Io(#[source] io::Error),
    #[error("database error: {0}")]
    Db(#[source] rusqlite::Error),
}

impl From<io::Error> for VaultError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::StorageFull {
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
