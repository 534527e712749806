//! The frame batches and feeds share: magic, version, the signed header, the signature and the
//! ciphertext the header names by hash and length.
//!
//! ```text
//! envelope = magic:[4] version:u16 header_len:u32 header signature:[64] ciphertext
//! signed   = domain 0x00 magic version header
//! hash     = SHA-256(magic version header signature)
//! ```

use crate::wire::{Reader, Writer, expect_version};
use crate::{PROTOCOL_VERSION, PeerKeys, SecretKeys, SyncError, sha256};

/// Which envelope: its magic, the tag its signature covers, its name in errors.
pub(crate) struct Kind {
    pub(crate) magic: &'static [u8; 4],
    pub(crate) domain: &'static [u8],
    pub(crate) what: &'static str,
}

/// A signed header and its ciphertext, as they travel.
#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    pub(crate) header_bytes: Vec<u8>,
    signature: [u8; 64],
    pub(crate) ciphertext: Vec<u8>,
}

impl Envelope {
    /// Signs `header_bytes` (which name the ciphertext) with `keys`.
    pub(crate) fn sign(
        kind: &Kind,
        header_bytes: Vec<u8>,
        ciphertext: Vec<u8>,
        keys: &SecretKeys,
    ) -> Self {
        let signature = keys.sign(kind.domain, &signed_part(kind, &header_bytes));
        Self {
            header_bytes,
            signature,
            ciphertext,
        }
    }

    /// The bytes on the wire.
    pub(crate) fn to_bytes(&self, kind: &Kind) -> Vec<u8> {
        let mut w = Writer::new();
        w.raw(kind.magic)
            .u16(PROTOCOL_VERSION)
            .bytes(&self.header_bytes)
            .raw(&self.signature)
            .raw(&self.ciphertext);
        w.finish()
    }

    /// Splits untrusted bytes into header, signature and ciphertext; refuses another kind,
    /// another version and anything over [`crate::MAX_ENVELOPE`].
    pub(crate) fn parse(kind: &Kind, bytes: &[u8]) -> Result<Self, SyncError> {
        if bytes.len() > crate::MAX_ENVELOPE {
            return Err(SyncError::TooLarge);
        }
        let mut r = Reader::new(bytes, kind.what);
        expect_version(&mut r, kind.magic)?;
        Ok(Self {
            header_bytes: r.bytes()?.to_vec(),
            signature: r.array()?,
            ciphertext: r.rest().to_vec(),
        })
    }

    /// Checks the signature with the sender's key and that the ciphertext is the one the header
    /// names (`len`, `sha256`).
    pub(crate) fn verify(
        &self,
        kind: &Kind,
        sender: &PeerKeys,
        len: u64,
        sha: &[u8; 32],
    ) -> Result<(), SyncError> {
        sender.verify(
            kind.domain,
            &signed_part(kind, &self.header_bytes),
            &self.signature,
        )?;
        if self.ciphertext.len() as u64 != len || sha256(&self.ciphertext) != *sha {
            return Err(SyncError::CiphertextHash);
        }
        Ok(())
    }

    /// SHA-256 over everything but the ciphertext (which the header binds by hash).
    pub(crate) fn hash(&self, kind: &Kind) -> [u8; 32] {
        let mut w = Writer::new();
        w.raw(kind.magic)
            .u16(PROTOCOL_VERSION)
            .raw(&self.header_bytes)
            .raw(&self.signature);
        sha256(&w.finish())
    }
}

fn signed_part(kind: &Kind, header_bytes: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.raw(kind.magic).u16(PROTOCOL_VERSION).raw(header_bytes);
    w.finish()
}
