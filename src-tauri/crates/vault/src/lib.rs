//! The desk's encrypted local store.
//!
//! One vault per desk: a SQLCipher 4 database (`vault.db`, opened with a raw random 256-bit data key,
//! HMAC on, WAL, `synchronous=FULL`, foreign keys on) plus a key file (`vault.keys`) that holds the
//! data key wrapped once per officer. Every mutating operation writes, in the same transaction, an
//! audit entry hash-chained to the previous one.
//!
//! This crate knows nothing of windows or IPC; the desktop shell and the CLI call it alike.
#![forbid(unsafe_code)]

mod audit;
mod db;
mod error;
mod keyfile;
mod migrations;
mod officer;
mod secret;
mod vault;

pub use audit::AuditEntry;
pub use error::VaultError;
pub use officer::{Officer, OfficerId, Role};
pub use secret::Passphrase;
pub use vault::{Vault, VaultDir, VaultState};
