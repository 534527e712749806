//! The two key pairs each side holds: Ed25519 to sign, age X25519 to receive. The secret halves
//! live in [`SecretKeys`], which cannot be cloned, printed or serialised and is zeroized on drop.

use age::secrecy::ExposeSecret;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::SyncError;

/// A side's secret keys. Not `Clone`, `Debug` prints nothing secret; both keys zeroize on drop.
pub struct SecretKeys {
    signing: SigningKey,
    identity: age::x25519::Identity,
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKeys")
            .field("public", &self.public())
            .finish_non_exhaustive()
    }
}

impl SecretKeys {
    /// Fresh keys from the OS's random source.
    pub fn generate() -> Self {
        Self {
            signing: SigningKey::generate(&mut rand::rngs::OsRng),
            identity: age::x25519::Identity::generate(),
        }
    }

    /// Keys from their stored forms: the 32 secret bytes of the signing key and the age identity
    /// (`AGE-SECRET-KEY-1…`).
    pub fn from_parts(signing: &[u8; 32], identity: &str) -> Result<Self, SyncError> {
        let identity = identity
            .parse::<age::x25519::Identity>()
            .map_err(|_| SyncError::Key {
                what: "age identity",
            })?;
        Ok(Self {
            signing: SigningKey::from_bytes(signing),
            identity,
        })
    }

    /// The stored forms, for a caller that encrypts them at rest. Zeroized when dropped.
    pub fn to_parts(&self) -> (Zeroizing<[u8; 32]>, Zeroizing<String>) {
        (
            Zeroizing::new(self.signing.to_bytes()),
            Zeroizing::new(self.identity.to_string().expose_secret().to_owned()),
        )
    }

    /// The public halves.
    pub fn public(&self) -> PeerKeys {
        PeerKeys {
            signing: self.signing.verifying_key(),
            recipient: self.identity.to_public(),
        }
    }

    pub(crate) fn sign(&self, domain: &[u8], message: &[u8]) -> [u8; 64] {
        self.signing.sign(&tagged(domain, message)).to_bytes()
    }

    pub(crate) fn identity(&self) -> &age::x25519::Identity {
        &self.identity
    }
}

/// The other side's public keys: its Ed25519 verifying key and age recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerKeys {
    /// Verifies what the peer signs.
    pub signing: VerifyingKey,
    /// Encrypts what only the peer may read.
    pub recipient: age::x25519::Recipient,
}

impl PeerKeys {
    /// From the hex verifying key (64 characters) and the `age1…` recipient.
    pub fn parse(signing_hex: &str, recipient: &str) -> Result<Self, SyncError> {
        Ok(Self {
            signing: verifying_key(signing_hex)?,
            recipient: recipient.parse().map_err(|_| SyncError::Key {
                what: "age recipient",
            })?,
        })
    }

    /// The verifying key as hex.
    pub fn signing_hex(&self) -> String {
        hex::encode(self.signing.to_bytes())
    }

    pub(crate) fn verify(
        &self,
        domain: &[u8],
        message: &[u8],
        signature: &[u8; 64],
    ) -> Result<(), SyncError> {
        verify(&self.signing, domain, message, signature)
    }
}

fn verifying_key(signing_hex: &str) -> Result<VerifyingKey, SyncError> {
    let bytes: [u8; 32] = hex::decode(signing_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SyncError::Key { what: "signing" })?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| SyncError::Key { what: "signing" })
}

fn verify(
    key: &VerifyingKey,
    domain: &[u8],
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), SyncError> {
    key.verify_strict(
        &tagged(domain, message),
        &ed25519_dalek::Signature::from_bytes(signature),
    )
    .map_err(|_| SyncError::Signature)
}

/// Verifies a signature by a bare verifying key (hex), as carried in requests.
pub fn verify_with(
    signing_hex: &str,
    domain: &[u8],
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), SyncError> {
    verify(&verifying_key(signing_hex)?, domain, message, signature)
}

/// Domain separation: every signature covers a tag naming what is signed, so a signature over one
/// kind of message can never be replayed as another.
fn tagged(domain: &[u8], message: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(domain.len() + 1 + message.len());
    m.extend_from_slice(domain);
    m.push(0);
    m.extend_from_slice(message);
    m
}

/// Parses a hex signature of 64 bytes.
pub fn signature_from_hex(s: &str) -> Result<[u8; 64], SyncError> {
    hex::decode(s)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SyncError::malformed("signature"))
}
