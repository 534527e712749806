//! `vault.keys`: what is needed to unlock, readable before the vault is open.
//!
//! The data key is wrapped once per officer with age's scrypt recipient over a secret derived from
//! the officer's passphrase AND this desk's device secret (see [`DeviceSecret::wrapping_secret`]),
//! and optionally once more to head office's age X25519 recipient for recovery. Only ids, display
//! names, the keychain backend and ciphertext are in this file; roles and everything else live in
//! the encrypted database.

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::VaultError;
use crate::keychain::KeychainBackend;
use crate::officer::OfficerId;
use crate::secret::{DataKey, DeviceSecret, Passphrase};

/// scrypt log₂(N) for officer wraps: unlock takes ≈0.4 s on the reference 2-core machine (BENCHMARKS.md).
pub(crate) const WORK_FACTOR: u8 = 17;
/// Refuse wraps that would ask for far more work (a planted file must not hang the desk).
const MAX_WORK_FACTOR: u8 = 20;

#[derive(Serialize, Deserialize)]
pub(crate) struct KeyFile {
    pub format: u32,
    /// Random id of this vault; names its device secret in the keychain.
    pub vault_id: String,
    /// Where the device secret is kept.
    pub keychain: KeychainBackend,
    pub officers: Vec<Wrap>,
    /// The data key encrypted to head office's age recipient, hex; the recovery path.
    pub recovery: Option<String>,
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

    /// Writes to a temporary file, syncs it, then renames over `path`, so a crash leaves the old or
    /// the new file, never a torn one.
    pub(crate) fn write(&self, path: &Path) -> Result<(), VaultError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| VaultError::Io(e.into()))?;
        let tmp = path.with_extension("keys.tmp");
        let written = (|| -> Result<(), VaultError> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    pub(crate) fn wrap_of(&self, officer: &OfficerId) -> Option<&Wrap> {
        self.officers.iter().find(|w| &w.id == officer)
    }
}

/// Wraps the data key for one officer.
pub(crate) fn wrap(
    key: &DataKey,
    device: &DeviceSecret,
    passphrase: &Passphrase,
) -> Result<String, VaultError> {
    let mut recipient = age::scrypt::Recipient::new(device.wrapping_secret(passphrase)?);
    recipient.set_work_factor(WORK_FACTOR);
    let ct = age::encrypt(&recipient, key.bytes()).map_err(|_| VaultError::Damaged)?;
    Ok(hex::encode(ct))
}

/// Unwraps an officer's copy of the data key; a wrong passphrase (or device secret) is `WrongPassphrase`.
pub(crate) fn unwrap(
    wrap: &str,
    device: &DeviceSecret,
    passphrase: &Passphrase,
) -> Result<DataKey, VaultError> {
    let mut identity = age::scrypt::Identity::new(device.wrapping_secret(passphrase)?);
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    decrypt_key(wrap, &identity)
}

/// Wraps the data key to head office's recovery recipient.
pub(crate) fn wrap_recovery(
    key: &DataKey,
    recipient: &age::x25519::Recipient,
) -> Result<String, VaultError> {
    let ct = age::encrypt(recipient, key.bytes()).map_err(|_| VaultError::Damaged)?;
    Ok(hex::encode(ct))
}

/// Unwraps the recovery copy with head office's identity.
pub(crate) fn unwrap_recovery(
    wrap: &str,
    identity: &age::x25519::Identity,
) -> Result<DataKey, VaultError> {
    decrypt_key(wrap, identity)
}

fn decrypt_key(wrap: &str, identity: &dyn age::Identity) -> Result<DataKey, VaultError> {
    let ct = hex::decode(wrap).map_err(|_| VaultError::Damaged)?;
    let decryptor = age::Decryptor::new_buffered(&ct[..]).map_err(|_| VaultError::Damaged)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any data key survives the recovery wrap; any single flipped byte is refused, never
        /// turned into a different key.
        #[test]
        fn recovery_wrap_round_trips_and_detects_tampering(key in any::<[u8; 32]>(), flip in any::<prop::sample::Index>()) {
            let identity = age::x25519::Identity::generate();
            let data_key = DataKey::from_bytes(&key).expect("32 bytes");
            let wrapped = wrap_recovery(&data_key, &identity.to_public()).expect("wrap");
            let back = unwrap_recovery(&wrapped, &identity).expect("unwrap");
            prop_assert_eq!(back.bytes(), &key);
            let mut bytes = hex::decode(&wrapped).expect("hex");
            let i = flip.index(bytes.len());
            bytes[i] ^= 0x01;
            prop_assert!(unwrap_recovery(&hex::encode(bytes), &identity).is_err(), "a flipped byte at {} must be refused", i);
        }
    }

    /// The officer wrap needs both halves: the passphrase and the device secret.
    #[test]
    fn officer_wrap_needs_passphrase_and_device_secret() {
        let key = DataKey::generate();
        let device = DeviceSecret::generate();
        let pass = Passphrase::new("correct horse battery".into());
        let wrapped = wrap(&key, &device, &pass).expect("wrap");
        assert_eq!(
            unwrap(&wrapped, &device, &pass).expect("unwrap").bytes(),
            key.bytes()
        );
        let other_device = DeviceSecret::generate();
        assert!(
            matches!(
                unwrap(&wrapped, &other_device, &pass),
                Err(VaultError::WrongPassphrase)
            ),
            "another device secret fails"
        );
        let other_pass = Passphrase::new("correct horse battery!".into());
        assert!(
            matches!(
                unwrap(&wrapped, &device, &other_pass),
                Err(VaultError::WrongPassphrase)
            ),
            "another passphrase fails"
        );
    }
}
