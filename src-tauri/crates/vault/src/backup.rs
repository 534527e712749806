//! Backup and restore. A backup is one age-encrypted file (to head office's X25519 recipient, or to
//! a passphrase) holding a tar archive: a consistent snapshot of `vault.db` (SQLite's online backup,
//! still SQLCipher-encrypted), `vault.keys`, the device secret and the data key, plus a manifest.
//! The reference `age` tool decrypts it; restoring on a new computer needs only the backup and
//! head office's identity or the backup passphrase.
//!
//! A backup is only written from a vault that passes SQLite's and SQLCipher's integrity checks and
//! whose audit chain is intact, so a damaged vault cannot overwrite good backups with bad ones. The
//! manifest lists every file's SHA-256 and the desk's Ed25519 public key, and is signed with that
//! key (`branchdesk-backup.sig`); restore refuses a backup whose signature, hashes or desk key do
//! not agree, and reports whose desk made it. Only a written backup is audited.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::policy::sha256_hex;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::audit;
use crate::db;
use crate::error::VaultError;
use crate::keychain::Keychain;
use crate::keyfile::KeyFile;
use crate::secret::{DataKey, DeviceSecret, Passphrase};
use crate::vault::{DB_FILE, KEYS_FILE, Vault, VaultDir, VaultState, check_passphrase};

const MANIFEST: &str = "branchdesk-backup.json";
const SIGNATURE: &str = "branchdesk-backup.sig";
/// Format 2: signed manifest with file hashes. Format 1 (unsigned) is refused.
const FORMAT: u32 = 2;
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
    /// Head office's age X25519 identity, for a backup made to its recipient.
    Identity(&'a age::x25519::Identity),
    /// The passphrase a backup was made with.
    Passphrase(&'a Passphrase),
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: u32,
    vault_id: String,
    created_at: String,
    schema: u32,
    /// The desk's Ed25519 verifying key (hex) that signed this manifest.
    #[serde(default)]
    desk_key: String,
    /// Who made it: the administrator's id.
    #[serde(default)]
    made_by: String,
    /// SHA-256 (hex) of every other file in the archive, by name.
    #[serde(default)]
    files: std::collections::BTreeMap<String, String>,
}

/// What a restore put in place, and whose desk made the backup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestoreReport {
    /// The restored vault's id.
    pub vault_id: String,
    /// The desk's Ed25519 verifying key (hex) that signed the backup; it is also the key inside
    /// the restored vault.
    pub desk_key: String,
    /// When the backup was made (RFC 3339, as written in the manifest).
    pub created_at: String,
    /// The administrator who made it (officer id).
    pub made_by: String,
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
    /// Writes an encrypted, signed backup to `dest` (owner-only, via a temporary file, then
    /// renamed). Administrators only. Refused, with nothing written, when the backup passphrase is
    /// too short or the vault fails its integrity or audit check. Audited only once written.
    pub fn backup(
        &mut self,
        dest: &Path,
        to: BackupTo<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.require(crate::officer::Role::Admin)?;
        if let BackupTo::Passphrase(p) = &to {
            check_passphrase(p)?;
        }
        if !self.integrity_problems()?.is_empty() || !self.verify_audit()?.intact() {
            return Err(VaultError::NotIntact);
        }
        let file = KeyFile::read(&self.dir.keys())?;
        let signing = crate::desk_keys::signing_key(&self.conn)?.ok_or(VaultError::Damaged)?;

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
                let ok: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
                if ok != "ok" {
                    return Err(VaultError::NotIntact);
                }
            }
            let db_bytes = Zeroizing::new(std::fs::read(&snapshot)?);
            let keys_bytes = std::fs::read(self.dir.keys())?;
            let contents: [(&str, &[u8]); 4] = [
                (DB_FILE, &db_bytes),
                (KEYS_FILE, &keys_bytes),
                (DEVICE_SECRET, self.device.bytes()),
                (DATA_KEY, self.key.bytes()),
            ];
            let manifest = Manifest {
                format: FORMAT,
                vault_id: file.vault_id.clone(),
                created_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
                schema: self.schema_version()?,
                desk_key: hex::encode(signing.verifying_key().to_bytes()),
                made_by: self.officer.id.0.clone(),
                files: contents
                    .iter()
                    .map(|(name, bytes)| ((*name).to_owned(), sha256_hex(bytes)))
                    .collect(),
            };
            let manifest_bytes =
                serde_json::to_vec_pretty(&manifest).map_err(|e| VaultError::Io(e.into()))?;
            let signature = ed25519_dalek::Signer::sign(&signing, &manifest_bytes);
            let mut archive = Zeroizing::new(Vec::new());
            {
                let mut builder = tar::Builder::new(&mut *archive);
                tar_entry(&mut builder, MANIFEST, &manifest_bytes)?;
                tar_entry(
                    &mut builder,
                    SIGNATURE,
                    hex::encode(signature.to_bytes()).as_bytes(),
                )?;
                for (name, bytes) in contents {
                    tar_entry(&mut builder, name, bytes)?;
                }
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
                let out = crate::files::create_private(&tmp, false)?;
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
        result?;
        let tx = self.conn.transaction()?;
        // A backup of a revoked desk is allowed (it changes no record) and audited.
        audit::record_unguarded(
            &tx,
            &self.officer.id,
            now,
            "vault.backup",
            &file.vault_id,
            b"{}",
        )?;
        audit::commit(tx, &self.dir)
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
    crate::files::private_dir(&dir)?;
    Ok(dir)
}

/// Restores the backup `src` into `dir`, keeping its device secret in `keychain`. Refuses when a
/// vault is there, unless `replace`, in which case the old vault is moved aside (never deleted) to
/// `vault.replaced-<time>`. Everything is decrypted and checked before anything is written: the
/// manifest's signature by the desk key it names, every file's hash, that the restored vault holds
/// that same desk key, and the vault's integrity and audit chain.
pub fn restore(
    src: &Path,
    key: BackupKey<'_>,
    dir: &VaultDir,
    keychain: &Keychain,
    replace: bool,
    now: DateTime<Utc>,
) -> Result<RestoreReport, VaultError> {
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
    let manifest_bytes = get(MANIFEST)?;
    let manifest: Manifest =
        serde_json::from_slice(manifest_bytes).map_err(|_| VaultError::BackupDamaged)?;
    let desk_key = check_signature(&manifest, manifest_bytes, files.get(SIGNATURE))?;
    for name in [DB_FILE, KEYS_FILE, DEVICE_SECRET, DATA_KEY] {
        if manifest.files.get(name) != Some(&sha256_hex(get(name)?)) {
            return Err(VaultError::BackupDamaged);
        }
    }
    let mut keys: KeyFile =
        serde_json::from_slice(get(KEYS_FILE)?).map_err(|_| VaultError::BackupDamaged)?;
    if keys.vault_id != manifest.vault_id {
        return Err(VaultError::BackupDamaged);
    }
    let data_key = DataKey::from_bytes(get(DATA_KEY)?).ok_or(VaultError::BackupDamaged)?;
    let device = DeviceSecret::from_bytes(get(DEVICE_SECRET)?).ok_or(VaultError::BackupDamaged)?;

    let parent = dir.path().parent().ok_or(VaultError::Missing)?;
    std::fs::create_dir_all(parent)?;
    let staging =
        VaultDir::new(parent.join(format!(".vault-restoring-{}", crate::officer::random_id())));
    std::fs::create_dir(staging.path())?;
    crate::files::private_dir(staging.path())?;
    let staged = (|| -> Result<(), VaultError> {
        crate::files::create_private(&staging.db(), false)?.write_all(get(DB_FILE)?.as_slice())?;
        {
            let conn = db::open(&staging.db(), &data_key, false)?;
            let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if ok != "ok" {
                return Err(VaultError::BackupDamaged);
            }
            if crate::audit::first_broken(&conn)?.is_some() {
                return Err(VaultError::BackupDamaged);
            }
            // The key that signed the backup must be the desk key inside it.
            if crate::desk_keys::public(&conn)?.signing != hex::encode(desk_key.to_bytes()) {
                return Err(VaultError::BackupUnsigned);
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
    Ok(RestoreReport {
        vault_id: manifest.vault_id,
        desk_key: manifest.desk_key,
        created_at: manifest.created_at,
        made_by: manifest.made_by,
    })
}

/// Checks the manifest's signature with the desk key it names. A backup without one (format 1,
/// or with the signature removed) is refused as unsigned.
fn check_signature(
    manifest: &Manifest,
    bytes: &[u8],
    signature: Option<&Zeroizing<Vec<u8>>>,
) -> Result<VerifyingKey, VaultError> {
    let signature = signature.ok_or(VaultError::BackupUnsigned)?;
    if manifest.format != FORMAT {
        return Err(VaultError::BackupUnsigned);
    }
    let key: [u8; 32] = hex::decode(&manifest.desk_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(VaultError::BackupUnsigned)?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| VaultError::BackupUnsigned)?;
    let sig: [u8; 64] = std::str::from_utf8(signature)
        .ok()
        .and_then(|t| hex::decode(t.trim()).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or(VaultError::BackupUnsigned)?;
    key.verify(bytes, &Signature::from_bytes(&sig))
        .map_err(|_| VaultError::BackupUnsigned)?;
    Ok(key)
}
