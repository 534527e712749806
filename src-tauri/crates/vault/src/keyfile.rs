//! `vault.keys`: what is needed to unlock, readable before the vault is open.
//!
//! Each officer has an age X25519 identity of their own. The identity is wrapped with age's scrypt
//! recipient over a secret derived from the officer's passphrase AND this desk's device secret (see
//! [`DeviceSecret::wrapping_secret`]); the data key is encrypted to every active officer's X25519
//! recipient and once to head office's (recovery). So an administrator can rotate the data key
//! (rekey) for everyone without knowing their passphrases, and a disabled officer's copy is simply
//! removed. Officers' names are sealed under a key derived from the device secret, so a copied
//! folder names nobody. The signed head of the audit chain is kept here too (see `audit.rs`).
//!
//! Format 1 (stage one) wrapped the data key itself under the passphrase and kept names in clear;
//! such an officer is moved to format 2 at their next unlock.
//!
//! Writers take an exclusive lock on `vault.keys.lock` and replace the file atomically, so two
//! processes (the window and the CLI) never lose each other's changes.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::Path;

use age::secrecy::ExposeSecret;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::audit::Anchor;
use crate::error::VaultError;
use crate::keychain::KeychainBackend;
use crate::officer::OfficerId;
use crate::secret::{DataKey, DeviceSecret, Passphrase};
use crate::vault::VaultDir;

/// scrypt log₂(N) for officer wraps: unlock takes ≈0.4 s on the reference 2-core machine (BENCHMARKS.md).
pub(crate) const WORK_FACTOR: u8 = 17;
/// Refuse wraps that would ask for far more work (a planted file must not hang the desk).
const MAX_WORK_FACTOR: u8 = 20;
/// The format this build writes.
const FORMAT: u32 = 2;

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
    /// Head office's recovery recipient (`age1…`), so a rekey can wrap the new key to it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_recipient: Option<String>,
    /// During a rekey: the fingerprint of the new data key ([`DataKey::id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_key_id: Option<String>,
    /// During a rekey: the new data key to head office's recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_recovery: Option<String>,
    /// The signed head of the audit chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<Anchor>,
}

/// One officer's entry.
#[derive(Serialize, Deserialize)]
pub(crate) struct Wrap {
    pub id: OfficerId,
    /// Format 1 only: the display name in clear (sealed at the next write that has the device secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The display name sealed under the device secret (hex nonce ‖ ciphertext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_name: Option<String>,
    /// Format 1 only: the data key under the passphrase (hex age ciphertext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap: Option<String>,
    /// The officer's age X25519 identity under the passphrase and device secret (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The officer's age recipient (`age1…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The data key encrypted to `recipient` (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// During a rekey: the new data key encrypted to `recipient` (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_key: Option<String>,
    /// The officer was disabled or rekeyed out: no key material is kept; an administrator must
    /// give them a new passphrase.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
}

impl KeyFile {
    pub(crate) fn read(path: &Path) -> Result<KeyFile, VaultError> {
        let bytes = std::fs::read(path)?;
        let file: KeyFile = serde_json::from_slice(&bytes).map_err(|_| VaultError::NotAVault)?;
        if file.format != 1 && file.format != FORMAT {
            return Err(VaultError::NotAVault);
        }
        Ok(file)
    }

    /// Writes to a temporary file (owner-only), syncs it, then renames over `path`, so a crash
    /// leaves the old or the new file, never a torn one. Callers outside creation go through
    /// [`KeyFile::update`], which holds the writers' lock.
    pub(crate) fn write(&mut self, path: &Path) -> Result<(), VaultError> {
        self.format = FORMAT;
        let json = serde_json::to_vec_pretty(self).map_err(|e| VaultError::Io(e.into()))?;
        let tmp = path.with_extension("keys.tmp");
        let written = (|| -> Result<(), VaultError> {
            let mut f = crate::files::create_private(&tmp, true)?;
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

    /// Reads, changes and writes `vault.keys` under an exclusive lock shared by every process.
    /// `change` returns whether it changed anything (nothing is written otherwise).
    pub(crate) fn update(
        dir: &VaultDir,
        change: impl FnOnce(&mut KeyFile) -> Result<bool, VaultError>,
    ) -> Result<(), VaultError> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.path().join("vault.keys.lock"))?;
        lock.lock()?;
        let mut file = KeyFile::read(&dir.keys())?;
        let result = match change(&mut file) {
            Ok(true) => file.write(&dir.keys()),
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        };
        let _ = lock.unlock();
        result
    }

    pub(crate) fn wrap_of(&self, officer: &OfficerId) -> Option<&Wrap> {
        self.officers.iter().find(|w| &w.id == officer)
    }

    pub(crate) fn wrap_of_mut(&mut self, officer: &OfficerId) -> Option<&mut Wrap> {
        self.officers.iter_mut().find(|w| &w.id == officer)
    }
}

/// What an officer's entry opens.
pub(crate) struct Unwrapped {
    /// The data key as of the last finished rekey.
    pub key: DataKey,
    /// The new data key of an unfinished rekey, if any.
    pub next: Option<DataKey>,
}

impl Wrap {
    /// A fresh format-2 entry: a new identity under `passphrase` and `device`, `key` encrypted to it.
    pub(crate) fn new(
        id: OfficerId,
        name: &str,
        key: &DataKey,
        device: &DeviceSecret,
        passphrase: &Passphrase,
    ) -> Result<Wrap, VaultError> {
        let identity = age::x25519::Identity::generate();
        let mut wrap = Wrap {
            id,
            name: None,
            sealed_name: Some(seal_name(device, name)?),
            wrap: None,
            identity: None,
            recipient: None,
            key: None,
            next_key: None,
            revoked: false,
        };
        wrap.set_identity(&identity, device, passphrase)?;
        wrap.key = Some(encrypt_to(key, &identity.to_public())?);
        Ok(wrap)
    }

    fn set_identity(
        &mut self,
        identity: &age::x25519::Identity,
        device: &DeviceSecret,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        let mut recipient = age::scrypt::Recipient::new(device.wrapping_secret(passphrase)?);
        recipient.set_work_factor(WORK_FACTOR);
        let text = identity.to_string();
        let ct = age::encrypt(&recipient, text.expose_secret().as_bytes())
            .map_err(|_| VaultError::Damaged)?;
        self.identity = Some(hex::encode(ct));
        self.recipient = Some(identity.to_public().to_string());
        self.wrap = None;
        self.revoked = false;
        Ok(())
    }

    /// The display name: unsealed with the device secret, or the format-1 clear name.
    pub(crate) fn name(&self, device: &DeviceSecret) -> Result<String, VaultError> {
        match (&self.sealed_name, &self.name) {
            (Some(sealed), _) => unseal_name(device, sealed),
            (None, Some(name)) => Ok(name.clone()),
            (None, None) => Err(VaultError::Damaged),
        }
    }

    /// Seals a format-1 clear name (after a successful unlock proved the device secret).
    pub(crate) fn seal_clear_name(&mut self, device: &DeviceSecret) -> Result<bool, VaultError> {
        match self.name.take() {
            Some(name) => {
                self.sealed_name = Some(seal_name(device, &name)?);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Opens the entry with the officer's passphrase; a wrong passphrase (or device secret) is
    /// `WrongPassphrase`, a removed entry `OfficerDisabled`.
    pub(crate) fn open(
        &self,
        device: &DeviceSecret,
        passphrase: &Passphrase,
    ) -> Result<Unwrapped, VaultError> {
        if self.revoked {
            return Err(VaultError::OfficerDisabled);
        }
        let mut scrypt = age::scrypt::Identity::new(device.wrapping_secret(passphrase)?);
        scrypt.set_max_work_factor(MAX_WORK_FACTOR);
        if let Some(legacy) = &self.wrap {
            return Ok(Unwrapped {
                key: decrypt_key(legacy, &scrypt)?,
                next: None,
            });
        }
        let sealed = self.identity.as_deref().ok_or(VaultError::Damaged)?;
        let text = Zeroizing::new(decrypt(sealed, &scrypt)?);
        let identity: age::x25519::Identity = std::str::from_utf8(&text)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or(VaultError::Damaged)?;
        let key = decrypt_key(self.key.as_deref().ok_or(VaultError::Damaged)?, &identity)
            .map_err(|_| VaultError::Damaged)?;
        let next = self
            .next_key
            .as_deref()
            .map(|n| decrypt_key(n, &identity).map_err(|_| VaultError::Damaged))
            .transpose()?;
        Ok(Unwrapped { key, next })
    }

    /// Moves a format-1 entry to format 2 with the passphrase just proven right.
    pub(crate) fn upgrade(
        &mut self,
        key: &DataKey,
        device: &DeviceSecret,
        passphrase: &Passphrase,
    ) -> Result<(), VaultError> {
        let identity = age::x25519::Identity::generate();
        self.set_identity(&identity, device, passphrase)?;
        self.key = Some(encrypt_to(key, &identity.to_public())?);
        self.next_key = None;
        Ok(())
    }

    /// The officer's recipient, if this entry can receive a (new) data key.
    pub(crate) fn recipient(&self) -> Option<age::x25519::Recipient> {
        if self.revoked || self.wrap.is_some() {
            return None;
        }
        self.recipient.as_deref().and_then(|r| r.parse().ok())
    }

    /// Drops every piece of key material: the officer can no longer unlock.
    pub(crate) fn revoke(&mut self) {
        self.wrap = None;
        self.identity = None;
        self.recipient = None;
        self.key = None;
        self.next_key = None;
        self.revoked = true;
    }
}

/// Encrypts the data key to an age recipient (an officer's or head office's), hex.
pub(crate) fn encrypt_to(
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

fn decrypt(wrap: &str, identity: &dyn age::Identity) -> Result<Vec<u8>, VaultError> {
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
    let mut plain = Vec::with_capacity(80);
    reader
        .read_to_end(&mut plain)
        .map_err(|_| VaultError::Damaged)?;
    Ok(plain)
}

fn decrypt_key(wrap: &str, identity: &dyn age::Identity) -> Result<DataKey, VaultError> {
    let plain = Zeroizing::new(decrypt(wrap, identity)?);
    DataKey::from_bytes(&plain).ok_or(VaultError::Damaged)
}

fn name_cipher(device: &DeviceSecret) -> Result<ChaCha20Poly1305, VaultError> {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(device.bytes())
        .map_err(|_| VaultError::Damaged)?;
    mac.update(b"branchdesk-officer-names-v1");
    let key: Zeroizing<[u8; 32]> = Zeroizing::new(mac.finalize().into_bytes().into());
    ChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| VaultError::Damaged)
}

fn seal_name(device: &DeviceSecret, name: &str) -> Result<String, VaultError> {
    use rand::RngCore;
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = name_cipher(device)?
        .encrypt(Nonce::from_slice(&nonce), name.as_bytes())
        .map_err(|_| VaultError::Damaged)?;
    Ok(hex::encode([&nonce[..], &ct[..]].concat()))
}

fn unseal_name(device: &DeviceSecret, sealed: &str) -> Result<String, VaultError> {
    let bytes = hex::decode(sealed).map_err(|_| VaultError::Damaged)?;
    if bytes.len() < 12 {
        return Err(VaultError::Damaged);
    }
    let (nonce, ct) = bytes.split_at(12);
    let plain = name_cipher(device)?
        .decrypt(Nonce::from_slice(nonce), ct)
        .map_err(|_| VaultError::DeviceSecretMissing)?;
    String::from_utf8(plain).map_err(|_| VaultError::Damaged)
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
            let wrapped = encrypt_to(&data_key, &identity.to_public()).expect("wrap");
            let back = unwrap_recovery(&wrapped, &identity).expect("unwrap");
            prop_assert_eq!(back.bytes(), &key);
            let mut bytes = hex::decode(&wrapped).expect("hex");
            let i = flip.index(bytes.len());
            bytes[i] ^= 0x01;
            prop_assert!(unwrap_recovery(&hex::encode(bytes), &identity).is_err(), "a flipped byte at {} must be refused", i);
        }

        /// Names round-trip through sealing; another device secret cannot read them. (At least 8
        /// characters: a shorter name's hex could occur in random ciphertext by chance.)
        #[test]
        fn sealed_names_round_trip(name in "\\PC{8,100}") {
            let device = DeviceSecret::generate();
            let sealed = seal_name(&device, &name).expect("seal");
            prop_assert!(!sealed.contains(&hex::encode(name.as_bytes())), "the name must not be visible");
            prop_assert_eq!(unseal_name(&device, &sealed).expect("unseal"), name);
            prop_assert!(unseal_name(&DeviceSecret::generate(), &sealed).is_err(), "another device cannot read it");
        }
    }

    /// The officer entry needs both halves: the passphrase and the device secret.
    #[test]
    fn officer_entry_needs_passphrase_and_device_secret() {
        let key = DataKey::generate();
        let device = DeviceSecret::generate();
        let pass = Passphrase::new("correct horse battery".into());
        let wrap = Wrap::new(OfficerId("a".into()), "Әлия", &key, &device, &pass).expect("wrap");
        assert_eq!(
            wrap.open(&device, &pass).expect("open").key.bytes(),
            key.bytes()
        );
        assert_eq!(wrap.name(&device).expect("name"), "Әлия");
        let other_device = DeviceSecret::generate();
        assert!(
            matches!(
                wrap.open(&other_device, &pass),
                Err(VaultError::WrongPassphrase)
            ),
            "another device secret fails"
        );
        let other_pass = Passphrase::new("correct horse battery!".into());
        assert!(
            matches!(
                wrap.open(&device, &other_pass),
                Err(VaultError::WrongPassphrase)
            ),
            "another passphrase fails"
        );
        let mut revoked = wrap;
        revoked.revoke();
        assert!(
            matches!(
                revoked.open(&device, &pass),
                Err(VaultError::OfficerDisabled)
            ),
            "a revoked entry opens nothing"
        );
    }
}
