//! Opening the SQLCipher database with a raw key and the pragmas every connection needs.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::VaultError;
use crate::secret::DataKey;

/// Durability and integrity settings of every vault connection (after the key is proven right).
pub(crate) const STORAGE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = FULL;
     PRAGMA foreign_keys = ON;
     PRAGMA cache_size = -32768;";

/// Opens (or, with `create`, creates) the database and proves the key right with a first read.
/// A wrong key or a file that is not SQLCipher shows only at that first read (`NotAVault`).
pub(crate) fn open(path: &Path, key: &DataKey, create: bool) -> Result<Connection, VaultError> {
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
