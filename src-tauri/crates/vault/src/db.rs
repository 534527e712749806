//! Opening the SQLCipher database with a raw key and the pragmas every connection needs.

use std::path::Path;
use std::sync::Once;

use rusqlite::{Connection, OpenFlags};

use crate::error::VaultError;
use crate::secret::DataKey;

/// Durability and integrity settings of every vault connection (after the key is proven right).
pub(crate) const STORAGE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = FULL;
     PRAGMA foreign_keys = ON;
     PRAGMA cache_size = -32768;";

/// SQLite marks itself initialised before SQLCipher's own start-up (`SQLITE_EXTRA_INIT`) has
/// finished, so a `PRAGMA key` in one thread racing the very first open in another fails with
/// "sqlcipher not initialized" (seen in CI; about 3 % of processes opening 8 vaults at once).
/// The first open in the process therefore runs alone, to completion, before any other.
/// Should even this in-memory open fail, the real open that follows reports why.
fn initialise_once() {
    static READY: Once = Once::new();
    READY.call_once(|| drop(Connection::open_in_memory()));
}

/// Opens (or, with `create`, creates) the database and proves the key right with a first read.
/// A wrong key or a file that is not SQLCipher shows only at that first read (`NotAVault`).
pub(crate) fn open(path: &Path, key: &DataKey, create: bool) -> Result<Connection, VaultError> {
    initialise_once();
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // SQLCipher writes decryption failures to stderr unless told not to; the error is ours to report.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.pragma())?;
    // SQLCipher 4 with 4096-byte pages and AES-256, but HMAC-SHA1 page authentication (as SQLCipher
    // 3 wrote it) instead of 4's default HMAC-SHA512: Debian 12's `sqlcipher` shell is 3.4.1 and
    // must be able to open the vault given the key. HMAC-SHA1 remains a sound MAC. See
    // ARCHITECTURE.md, "Where this stage departs from DESIGN.md".
    conn.execute_batch(
        "PRAGMA cipher_page_size = 4096;
         PRAGMA cipher_hmac_algorithm = HMAC_SHA1;
         PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA1;",
    )?;
    // SQLCipher's own key material is wiped regardless; memory security would also wipe and lock
    // every page buffer SQLite frees, which costs 1.3-1.6x on reads and scans (BENCHMARKS.md).
    conn.execute_batch("PRAGMA cipher_memory_security = OFF;")?;
    // The first read decrypts page 1 and checks its HMAC.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    conn.execute_batch(STORAGE_PRAGMAS)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHILD: &str = "BRANCHDESK_FIRST_OPEN_CHILD";

    /// Run as a child process (see below): eight threads make the process's first vault opens at once.
    #[test]
    fn first_opens_race_child() {
        let Some(dir) = std::env::var_os(CHILD) else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let path = dir.join(format!("db{i}"));
                std::thread::spawn(move || {
                    open(&path, &DataKey::generate(), true)
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        for t in threads {
            t.join()
                .expect("thread")
                .expect("every concurrent first open succeeds");
        }
    }

    /// The race only exists for the first opens of a process, so each attempt is a fresh process.
    #[test]
    fn concurrent_first_opens_in_a_fresh_process_all_succeed() {
        let exe = std::env::current_exe().expect("test binary");
        for attempt in 0..150 {
            let dir = tempfile::tempdir().expect("tempdir");
            let out = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "db::tests::first_opens_race_child",
                    "--test-threads=1",
                ])
                .env(CHILD, dir.path())
                .output()
                .expect("run child");
            assert!(
                out.status.success(),
                "attempt {attempt}: a first open racing another failed (SQLCipher not yet initialised): {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}
