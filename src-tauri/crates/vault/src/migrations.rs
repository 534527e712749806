//! Append-only schema migrations. Never edit a released step: add a new one at the end.
//! The schema version is SQLite's `user_version`: the number of steps applied.
//!
//! The schema stays readable by SQLite 3.15 (Debian 12's `sqlcipher` shell): no STRICT tables,
//! types enforced with CHECK constraints instead.

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
     );
     CREATE TABLE audit (
         seq           INTEGER PRIMARY KEY,
         at            TEXT NOT NULL,
         officer_id    TEXT NOT NULL REFERENCES officer(id),
         action        TEXT NOT NULL,
         entity_id     TEXT NOT NULL,
         payload_hash  BLOB NOT NULL,
         prev_hash     BLOB NOT NULL,
         hash          BLOB NOT NULL
     );
     CREATE TABLE meta (
         key    TEXT PRIMARY KEY,
         value  TEXT NOT NULL
     );",
    // 2: the outbox for head-office sync, and the desk's own keys.
    "CREATE TABLE outbox (
         seq         INTEGER PRIMARY KEY,
         created_at  TEXT NOT NULL,
         officer_id  TEXT NOT NULL REFERENCES officer(id),
         action      TEXT NOT NULL,
         entity_id   TEXT NOT NULL,
         payload     BLOB NOT NULL,
         state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'acked')),
         attempts    INTEGER NOT NULL DEFAULT 0,
         last_error  TEXT
     );
     CREATE INDEX outbox_queued ON outbox(state, seq);
     CREATE TABLE desk_key (
         kind        TEXT PRIMARY KEY CHECK (kind IN ('ed25519-signing', 'age-x25519')),
         secret      BLOB NOT NULL,
         public      TEXT NOT NULL,
         created_at  TEXT NOT NULL
     );",
];

/// The schema version this build writes.
pub(crate) const LATEST: u32 = STEPS.len() as u32;

/// Brings the schema up to [`LATEST`] in one transaction; refuses a vault from a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), VaultError> {
    migrate_to(conn, LATEST)
}

/// The schema version the database says it has.
pub(crate) fn version(conn: &Connection) -> Result<u32, VaultError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies the steps up to `target` (tests build older vaults with a lower target).
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), VaultError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(VaultError::TooNew {
            found,
            known: LATEST,
        });
    }
    if found >= target {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for step in &STEPS[found as usize..target as usize] {
        tx.execute_batch(step)?;
    }
    tx.execute_batch(&format!("PRAGMA user_version = {target};"))?;
    tx.commit()?;
    Ok(())
}
