//! Backup and restore. A backup is one age-encrypted file (to head office's X25519 recipient, or to
//! a passphrase) holding a tar archive: a consistent snapshot of `vault.db` (SQLite's online backup,
//! still SQLCipher-encrypted), `vault.keys`, the device secret and the data key, plus a manifest.
//! The reference `age` tool decrypts it; restoring on a new computer needs only the backup and
//! head office's identity or the backup passphrase.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::audit;
use crate::db;
use crate::error::VaultError;
use crate::keychain::Keychain;
use crate::keyfile::KeyFile;
use crate::secret::{DataKey, DeviceSecret, Passphrase};
use crate::vault::{DB_FILE, KEYS_FILE, Vault, VaultDir, VaultState};

const MANIFEST: &str = "branchdesk-backup.json";
const DEVICE_SECRET: &str = "device.secret";
const DATA_KEY: &str = "data.key";
/// scrypt log₂(N) for passphrase-protected backups: ≈1.3 s here; a backup is made rarely.
const BACKUP_WORK_FACTOR: u8 = 18;
const MAX_BACKUP_WORK_FACTOR: u8 = 22;

/// Who can open a backup.
pub enum BackupTo<'a> {
    /// Head office's age X25519 recipient(s).
    Recipients(&'a [age::x25519::Recipient]),
    /// A passphrase typed by the administrator.
    Passphrase(&'a Passphrase),
}

/// What opens a backup.
pub enum BackupKey<'a> {
    Identity(&'a age::x25519::Identity),
    Passphrase(&'a Passphrase),
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    vault_id: String,
    created_at: String,
    schema: u32,
}

fn tar_entry(
    builder: &mut tar::Builder<&mut Vec<u8>>,
    name: &str,
    bytes: &[u8],
) -> Result<(), VaultError> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_cksum();
    builder.append_data(&mut header, name, bytes)?;
    Ok(())
}

impl Vault {
    /// Writes an encrypted backup to `dest` (via a temporary file, then renamed). Administrators only.
    pub fn backup(
        &mut self,
        dest: &Path,
        to: BackupTo<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.require(crate::officer::Role::Admin)?;
        let file = KeyFile::read(&self.dir.keys())?;
        // Record the backup in the audit trail first, so the snapshot contains its own entry.
        let tx = self.conn.transaction()?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "vault.backup",
            &file.vault_id,
            b"{}",
        )?;
        tx.commit()?;

        let snapshot_dir = tempfile_dir(dest)?;
        let snapshot = snapshot_dir.join(DB_FILE);
        let result = (|| -> Result<(), VaultError> {
            {
                let mut copy = db::open(&snapshot, &self.key, true)?;
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy)?;
                backup.run_to_completion(256, std::time::Duration::ZERO, None)?;
                drop(backup);
                copy.execute_batch(
                    "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;",
                )?;
            }
            let manifest = Manifest {
                format: 1,
                vault_id: file.vault_id.clone(),
                created_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
                schema: self.schema_version()?,
            };
            let mut archive = Zeroizing::new(Vec::new());
            {
                let mut builder = tar::Builder::new(&mut *archive);
                tar_entry(
                    &mut builder,
                    MANIFEST,
                    &serde_json::to_vec_pretty(&manifest).map_err(|e| VaultError::Io(e.into()))?,
                )?;
                tar_entry(&mut builder, DB_FILE, &std::fs::read(&snapshot)?)?;
                tar_entry(&mut builder, KEYS_FILE, &std::fs::read(self.dir.keys())?)?;
                tar_entry(&mut builder, DEVICE_SECRET, self.device.bytes())?;
                tar_entry(&mut builder, DATA_KEY, self.key.bytes())?;
                builder.finish()?;
            }
            let encryptor = match to {
                BackupTo::Recipients(rs) => {
                    age::Encryptor::with_recipients(rs.iter().map(|r| r as &dyn age::Recipient))
                        .map_err(|_| VaultError::BackupKey)?
                }
                BackupTo::Passphrase(p) => {
                    let mut r = age::scrypt::Recipient::new(age::secrecy::SecretString::from(
                        p.expose().to_owned(),
                    ));
                    r.set_work_factor(BACKUP_WORK_FACTOR);
                    age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
                        .map_err(|_| VaultError::BackupKey)?
                }
            };
            let tmp = dest.with_extension("partial");
            let written = (|| -> Result<(), VaultError> {
                let out = std::fs::File::create(&tmp)?;
                let mut w = encryptor.wrap_output(std::io::BufWriter::new(out))?;
                w.write_all(&archive)?;
                let mut out = w.finish()?;
                out.flush()?;
                out.get_ref().sync_all()?;
                std::fs::rename(&tmp, dest)?;
                Ok(())
            })();
            if written.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            written
        })();
        let _ = std::fs::remove_dir_all(&snapshot_dir);
        result
    }
}

fn tempfile_dir(near: &Path) -> Result<std::path::PathBuf, VaultError> {
    let parent = near
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = parent.join(format!(
        ".branchdesk-backup-{}",
        crate::officer::random_id()
    ));
    std::fs::create_dir(&dir)?;
    Ok(dir)
}

/// Restores the backup `src` into `dir`, keeping its device secret in `keychain`. Refuses when a
/// vault is there, unless `replace`, in which case the old vault is moved aside (never deleted) to
/// `vault.replaced-<time>`. Everything is decrypted and checked before anything is written.
pub fn restore(
    src: &Path,
    key: BackupKey<'_>,
    dir: &VaultDir,
    keychain: &Keychain,
    replace: bool,
    now: DateTime<Utc>,
) -> Result<(), VaultError> {
    if dir
        .state()
        .map(|s| s != VaultState::Missing)
        .unwrap_or(true)
        && !replace
    {
        return Err(VaultError::AlreadyExists);
    }
    let ciphertext = std::fs::read(src)?;
    let decryptor =
        age::Decryptor::new_buffered(&ciphertext[..]).map_err(|_| VaultError::BackupDamaged)?;
    let mut plain = Zeroizing::new(Vec::new());
    {
        let reader = match key {
            BackupKey::Identity(id) => decryptor.decrypt(std::iter::once(id as &dyn age::Identity)),
            BackupKey::Passphrase(p) => {
                let mut id = age::scrypt::Identity::new(age::secrecy::SecretString::from(
                    p.expose().to_owned(),
                ));
                id.set_max_work_factor(MAX_BACKUP_WORK_FACTOR);
                decryptor.decrypt(std::iter::once(&id as &dyn age::Identity))
            }
        };
        let mut reader = reader.map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                VaultError::BackupKey
            }
            _ => VaultError::BackupDamaged,
        })?;
        // A tampered stream fails only while reading: read it all before trusting any of it.
        reader
            .read_to_end(&mut plain)
            .map_err(|_| VaultError::BackupDamaged)?;
    }
    let mut files: HashMap<String, Zeroizing<Vec<u8>>> = HashMap::new();
    let mut archive = tar::Archive::new(&plain[..]);
    for entry in archive.entries().map_err(|_| VaultError::BackupDamaged)? {
        let mut entry = entry.map_err(|_| VaultError::BackupDamaged)?;
        let name = entry
            .path()
            .map_err(|_| VaultError::BackupDamaged)?
            .to_string_lossy()
            .into_owned();
        let mut bytes = Zeroizing::new(Vec::new());
        entry
            .read_to_end(&mut bytes)
            .map_err(|_| VaultError::BackupDamaged)?;
        files.insert(name, bytes);
    }
    let get = |name: &str| files.get(name).ok_or(VaultError::BackupDamaged);
    let manifest: Manifest =
        serde_json::from_slice(get(MANIFEST)?).map_err(|_| VaultError::BackupDamaged)?;
    let mut keys: KeyFile =
        serde_json::from_slice(get(KEYS_FILE)?).map_err(|_| VaultError::BackupDamaged)?;
    if manifest.format != 1 || keys.vault_id != manifest.vault_id {
        return Err(VaultError::BackupDamaged);
    }
    let data_key = DataKey::from_bytes(get(DATA_KEY)?).ok_or(VaultError::BackupDamaged)?;
    let device = DeviceSecret::from_bytes(get(DEVICE_SECRET)?).ok_or(VaultError::BackupDamaged)?;

    let parent = dir.path().parent().ok_or(VaultError::Missing)?;
    std::fs::create_dir_all(parent)?;
    let staging =
        VaultDir::new(parent.join(format!(".vault-restoring-{}", crate::officer::random_id())));
    std::fs::create_dir(staging.path())?;
    let staged = (|| -> Result<(), VaultError> {
        std::fs::write(staging.db(), get(DB_FILE)?.as_slice())?;
        {
            let conn = db::open(&staging.db(), &data_key, false)?;
            let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if ok != "ok" {
                return Err(VaultError::BackupDamaged);
            }
            if crate::audit::first_broken(&conn)?.is_some() {
                return Err(VaultError::BackupDamaged);
            }
        }
        keys.keychain = keychain.backend();
        keys.write(&staging.keys())?;
        Ok(())
    })();
    if let Err(e) = staged {
        let _ = std::fs::remove_dir_all(staging.path());
        return Err(e);
    }
    keychain.put(&keys.vault_id, &device)?;
    if dir.path().exists() {
        let aside = parent.join(format!("vault.replaced-{}", now.format("%Y%m%dT%H%M%SZ")));
        std::fs::rename(dir.path(), aside)?;
    }
    std::fs::rename(staging.path(), dir.path())?;
    Ok(())
}
