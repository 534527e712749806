//! Helpers for `benches/vault.rs` only (cargo feature `bench`, never enabled by the app): open a
//! connection the way the vault does, with a throwaway key or with none, and fill the audit chain
//! quickly, so the benchmark compares like with like.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::error::VaultError;
use crate::officer::OfficerId;
use crate::secret::DataKey;

/// Opens `path` exactly as the vault does: with a fresh random key when `encrypted`, or as plain
/// SQLite (same pragmas, no key) when not.
pub fn open(path: &Path, encrypted: bool) -> Result<Connection, VaultError> {
    if encrypted {
        crate::db::open(path, &DataKey::generate(), true)
    } else {
        let conn = Connection::open(path)?;
        conn.execute_batch(crate::db::STORAGE_PRAGMAS)?;
        Ok(conn)
    }
}

/// Appends `n` linked audit entries in one transaction (officer `o`), for the verification benchmark.
pub fn fill_audit(vault: &mut crate::Vault, n: usize, at: DateTime<Utc>) -> Result<(), VaultError> {
    let officer: OfficerId = vault.officer().id.clone();
    let tx = vault.conn.transaction()?;
    for i in 0..n {
        crate::audit::append(&tx, &officer, at, "bench.entry", &i.to_string(), b"{}")?;
    }
    tx.commit()?;
    Ok(())
}
