//! `vault.keys`: the data key wrapped once per officer, readable before the vault is unlocked.
//!
//! Each wrap is an age file encrypted to the officer's passphrase (scrypt, work factor set on
//! purpose, ≥0.3 s here). Only ids, display names and ciphertext are in this file; roles and
//! everything else live inside the encrypted database.

use std::io::{Read, Write};
use std::path::Path;

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::VaultError;
use crate::officer::OfficerId;
use crate::secret::{DataKey, Passphrase};

/// scrypt log₂(N) for officer wraps: ≈0.6 s on the reference 2-core machine.
pub(crate) const WORK_FACTOR: u8 = 16;
/// Refuse wraps that would ask for far more work (a planted file must not hang the desk).
const MAX_WORK_FACTOR: u8 = 20;

#[derive(Serialize, Deserialize)]
pub(crate) struct KeyFile {
    pub format: u32,
    pub officers: Vec<Wrap>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Wrap {
    pub id: OfficerId,
    pub name: String,
    /// The age ciphertext, hex-encoded.
    pub wrap: String,
}

impl KeyFile {
    pub(crate) fn read(path: &Path) -> Result<KeyFile, VaultError> {
        let bytes = std::fs::read(path)?;
        let file: KeyFile = serde_json::from_slice(&bytes).map_err(|_| VaultError::NotAVault)?;
        if file.format != 1 {
            return Err(VaultError::NotAVault);
        }
        Ok(file)
    }

    /// Writes to a temporary file, syncs it, then renames over `path`.
    pub(crate) fn write(&self, path: &Path) -> Result<(), VaultError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| VaultError::Io(e.into()))?;
        let tmp = path.with_extension("keys.tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

fn secret(p: &Passphrase) -> SecretString {
    SecretString::from(p.expose().to_owned())
}

pub(crate) fn wrap(key: &DataKey, passphrase: &Passphrase) -> Result<String, VaultError> {
    let mut recipient = age::scrypt::Recipient::new(secret(passphrase));
    recipient.set_work_factor(WORK_FACTOR);
    let ct = age::encrypt(&recipient, key.bytes()).map_err(|_| VaultError::Damaged)?;
    Ok(hex::encode(ct))
}

pub(crate) fn unwrap(wrap: &str, passphrase: &Passphrase) -> Result<DataKey, VaultError> {
    let ct = hex::decode(wrap).map_err(|_| VaultError::Damaged)?;
    let mut identity = age::scrypt::Identity::new(secret(passphrase));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let decryptor = age::Decryptor::new_buffered(&ct[..]).map_err(|_| VaultError::Damaged)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                VaultError::WrongPassphrase
            }
            _ => VaultError::Damaged,
        })?;
    let mut plain = Zeroizing::new(Vec::with_capacity(32));
    reader
        .read_to_end(&mut plain)
        .map_err(|_| VaultError::Damaged)?;
    DataKey::from_bytes(&plain).ok_or(VaultError::Damaged)
}
