//! Append-only schema migrations. Never edit a released step: add a new one at the end.
//! The schema version is SQLite's `user_version`: the number of steps applied.

use rusqlite::Connection;

use crate::error::VaultError;

const STEPS: &[&str] = &[
    // 1: officers and the audit chain.
    "CREATE TABLE officer (
         id          TEXT PRIMARY KEY,
         name        TEXT NOT NULL,
         role        TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
         disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
         created_at  TEXT NOT NULL
     ) STRICT;
     CREATE TABLE audit (
         seq           INTEGER PRIMARY KEY,
         at            TEXT NOT NULL,
         officer_id    TEXT NOT NULL REFERENCES officer(id),
         action        TEXT NOT NULL,
         entity_id     TEXT NOT NULL,
         payload_hash  BLOB NOT NULL,
         prev_hash     BLOB NOT NULL,
         hash          BLOB NOT NULL
     ) STRICT;
     CREATE TABLE meta (
         key    TEXT PRIMARY KEY,
         value  TEXT NOT NULL
     ) STRICT;",
];

/// The schema version this build writes.
pub(crate) const LATEST: u32 = STEPS.len() as u32;

/// Brings the schema up to [`LATEST`] in one transaction; refuses a vault from a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), VaultError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > LATEST {
        return Err(VaultError::TooNew {
            found,
            known: LATEST,
        });
    }
    if found == LATEST {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for step in &STEPS[found as usize..] {
        tx.execute_batch(step)?;
    }
    tx.execute_batch(&format!("PRAGMA user_version = {LATEST};"))?;
    tx.commit()?;
    Ok(())
}
