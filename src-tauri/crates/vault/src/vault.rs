//! Creating, unlocking and using a vault.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::audit;
use crate::db;
use crate::error::VaultError;
use crate::keyfile::{self, KeyFile, Wrap};
use crate::migrations;
use crate::officer::{self, Officer, OfficerId, Role};
use crate::secret::{DataKey, Passphrase};

/// Shortest passphrase accepted, in characters.
pub const MIN_PASSPHRASE: usize = 10;

const DB_FILE: &str = "vault.db";
const KEYS_FILE: &str = "vault.keys";

/// The folder a desk's vault lives in (`<data dir>/vault`).
#[derive(Clone, Debug)]
pub struct VaultDir(PathBuf);

/// What a vault folder holds, as far as can be told without a passphrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultState {
    Missing,
    /// The officers who can unlock it: `(id, display name)`.
    Present(Vec<(OfficerId, String)>),
}

impl VaultDir {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        VaultDir(path.into())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    fn db(&self) -> PathBuf {
        self.0.join(DB_FILE)
    }

    fn keys(&self) -> PathBuf {
        self.0.join(KEYS_FILE)
    }

    pub fn state(&self) -> Result<VaultState, VaultError> {
        if !self.keys().exists() && !self.db().exists() {
            return Ok(VaultState::Missing);
        }
        if !self.db().exists() {
            return Err(VaultError::Damaged);
        }
        let file = KeyFile::read(&self.keys())?;
        Ok(VaultState::Present(
            file.officers.into_iter().map(|w| (w.id, w.name)).collect(),
        ))
    }
}

/// An unlocked vault, signed in as one officer. Dropping it closes the database and wipes the key.
pub struct Vault {
    conn: Connection,
    officer: Officer,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Vault {
    /// Creates a new vault whose first officer is an administrator. The vault is built in a
    /// temporary folder beside the target and renamed into place, so a crash leaves no half vault.
    pub fn create(
        dir: &VaultDir,
        admin_name: &str,
        passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<Vault, VaultError> {
        if dir.state()? != VaultState::Missing {
            return Err(VaultError::AlreadyExists);
        }
        let name = officer::clean_name(admin_name).ok_or(VaultError::BadOfficerName)?;
        if passphrase.char_len() < MIN_PASSPHRASE {
            return Err(VaultError::WeakPassphrase {
                min: MIN_PASSPHRASE,
            });
        }
        let parent = dir.path().parent().ok_or(VaultError::Missing)?;
        std::fs::create_dir_all(parent)?;
        let staging =
            VaultDir::new(parent.join(format!(".vault-creating-{}", OfficerId::generate().0)));
        std::fs::create_dir(staging.path())?;
        let built = Self::build(&staging, &name, passphrase, now);
        if let Err(e) = built {
            let _ = std::fs::remove_dir_all(staging.path());
            return Err(e);
        }
        if let Err(e) = std::fs::rename(staging.path(), dir.path()) {
            let _ = std::fs::remove_dir_all(staging.path());
            return Err(if dir.path().exists() {
                VaultError::AlreadyExists
            } else {
                e.into()
            });
        }
        let id = built?;
        Self::unlock(dir, &id, passphrase)
    }

    fn build(
        staging: &VaultDir,
        name: &str,
        passphrase: &Passphrase,
        now: DateTime<Utc>,
    ) -> Result<OfficerId, VaultError> {
        let key = DataKey::generate();
        let mut conn = db::open(&staging.db(), &key, true)?;
        migrations::migrate(&mut conn)?;
        let id = OfficerId::generate();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO officer (id, name, role, disabled, created_at) VALUES (?1, ?2, 'admin', 0, ?3)",
            params![id.0, name, stamp(now)],
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('created_at', ?1)",
            params![stamp(now)],
        )?;
        audit::append(&tx, &id, now, "vault.create", &id.0, name.as_bytes())?;
        tx.commit()?;
        // Fold the WAL into the main file before the folder moves.
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(conn);
        KeyFile {
            format: 1,
            officers: vec![Wrap {
                id: id.clone(),
                name: name.to_owned(),
                wrap: keyfile::wrap(&key, passphrase)?,
            }],
        }
        .write(&staging.keys())?;
        Ok(id)
    }

    /// Unlocks as `officer` with their passphrase. Reads only: nothing on disk changes on failure.
    pub fn unlock(
        dir: &VaultDir,
        officer: &OfficerId,
        passphrase: &Passphrase,
    ) -> Result<Vault, VaultError> {
        if dir.state()? == VaultState::Missing {
            return Err(VaultError::Missing);
        }
        let file = KeyFile::read(&dir.keys())?;
        let wrap = file
            .officers
            .iter()
            .find(|w| &w.id == officer)
            .ok_or(VaultError::UnknownOfficer)?;
        let key = keyfile::unwrap(&wrap.wrap, passphrase)?;
        let mut conn = db::open(&dir.db(), &key, false)?;
        drop(key);
        migrations::migrate(&mut conn)?;
        let row = conn
            .query_row(
                "SELECT name, role, disabled FROM officer WHERE id = ?1",
                params![officer.0],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                },
            )
            .optional()?;
        let (name, role, disabled) = row.ok_or(VaultError::UnknownOfficer)?;
        if disabled {
            return Err(VaultError::OfficerDisabled);
        }
        let role = Role::parse(&role).ok_or(VaultError::Damaged)?;
        Ok(Vault {
            conn,
            officer: Officer {
                id: officer.clone(),
                name,
                role,
                disabled,
            },
        })
    }

    /// The officer signed in.
    pub fn officer(&self) -> &Officer {
        &self.officer
    }

    /// The schema version of the open vault.
    pub fn schema_version(&self) -> Result<u32, VaultError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Number of audit entries.
    pub fn audit_len(&self) -> Result<i64, VaultError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?)
    }

    /// Checks the whole audit chain; `Some(seq)` is the first entry that does not link.
    pub fn first_broken_audit_entry(&self) -> Result<Option<i64>, VaultError> {
        audit::first_broken(&self.conn)
    }
}
