//! Secrets as types: they cannot be cloned, printed or serialised, and are wiped from memory on drop.

use serde::{Deserialize, Deserializer};
use zeroize::{Zeroize, Zeroizing};

use crate::error::VaultError;

/// An officer's passphrase as typed. Deserialisable (it arrives over IPC) but never serialisable.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a typed passphrase.
    pub fn new(text: String) -> Self {
        Passphrase(Zeroizing::new(text))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Reads the text as head office's age identity (the first `AGE-SECRET-KEY-1…` line, as pasted
    /// or read from its file); `BackupKey` when there is none.
    pub fn age_identity(&self) -> Result<age::x25519::Identity, VaultError> {
        self.0
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .and_then(|l| l.parse().ok())
            .ok_or(VaultError::BackupKey)
    }

    /// Length in characters (not bytes): what the officer counts.
    pub fn char_len(&self) -> usize {
        self.0.chars().count()
    }
}

impl<'de> Deserialize<'de> for Passphrase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Passphrase::new)
    }
}

/// The vault's 256-bit data key. Lives only in memory while the vault is unlocked.
pub(crate) struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    pub(crate) fn generate() -> Self {
        use rand::RngCore;
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        DataKey(key)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(DataKey(Zeroizing::new(arr)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The `PRAGMA key` statement for a raw key; the returned text is wiped on drop.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        self.statement("key")
    }

    /// The `PRAGMA rekey` statement that re-encrypts an open database under this key.
    pub(crate) fn rekey_pragma(&self) -> Zeroizing<String> {
        self.statement("rekey")
    }

    fn statement(&self, pragma: &str) -> Zeroizing<String> {
        let mut hex = hex::encode(self.0.as_ref());
        let stmt = Zeroizing::new(format!("PRAGMA {pragma} = \"x'{hex}'\";"));
        hex.zeroize();
        stmt
    }

    /// A public fingerprint of the key (SHA-256 under a label, hex): tells two keys apart
    /// without revealing either.
    pub(crate) fn id(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"branchdesk-data-key-id-v1");
        h.update(self.0.as_ref());
        hex::encode(h.finalize())
    }
}

/// This desk's device secret: 32 random bytes kept in the OS keychain (or the explicit file
/// store), half of every officer's key wrap.
pub(crate) struct DeviceSecret(Zeroizing<[u8; 32]>);

impl DeviceSecret {
    pub(crate) fn generate() -> Self {
        use rand::RngCore;
        let mut s = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(s.as_mut());
        DeviceSecret(s)
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(DeviceSecret(Zeroizing::new(arr)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The secret that age's scrypt wraps an officer's copy of the data key with:
    /// HMAC-SHA256(device secret, passphrase), hex. Needs both halves; scrypt then makes guessing
    /// the passphrase slow even for someone who has the device secret.
    pub(crate) fn wrapping_secret(
        &self,
        passphrase: &Passphrase,
    ) -> Result<age::secrecy::SecretString, VaultError> {
        use hmac::{Hmac, Mac};
        // HMAC accepts keys of any length; the error cannot happen.
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.0.as_ref())
            .map_err(|_| VaultError::Damaged)?;
        mac.update(b"branchdesk-officer-wrap-v1\0");
        mac.update(passphrase.expose().as_bytes());
        let tag: Zeroizing<[u8; 32]> = Zeroizing::new(mac.finalize().into_bytes().into());
        Ok(age::secrecy::SecretString::from(hex::encode(tag.as_ref())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Secrets cannot be cloned, printed or serialised: these fail to compile if anyone adds it.
    static_assertions::assert_not_impl_any!(Passphrase: Clone, std::fmt::Debug, std::fmt::Display, serde::Serialize);
    static_assertions::assert_not_impl_any!(DataKey: Clone, std::fmt::Debug, std::fmt::Display, serde::Serialize);
    static_assertions::assert_not_impl_any!(DeviceSecret: Clone, std::fmt::Debug, std::fmt::Display, serde::Serialize);

    #[test]
    fn the_key_pragma_is_a_raw_hex_key() {
        let key = DataKey::from_bytes(&[0xab; 32]).expect("32 bytes");
        assert_eq!(
            key.pragma().as_str(),
            format!("PRAGMA key = \"x'{}'\";", "ab".repeat(32))
        );
    }
}
