//! Head office's answer to a push: the cursor it has stored, signed, so the desk can keep it as
//! proof (and anchor its audit chain to it).
//!
//! ```text
//! signed = "branchdesk/sync/ack/v1" 0x00 device:str acked_seq:u64 batch_hash:[32] received_at:str
//! ```

use serde::{Deserialize, Serialize};

use crate::wire::Writer;
use crate::{PeerKeys, SecretKeys, SyncError, keys::signature_from_hex};

const DOMAIN: &[u8] = b"branchdesk/sync/ack/v1";

/// Everything up to `acked_seq` is stored at head office; `batch_hash` is the hash of the batch
/// ending there, the `prev_hash` of the desk's next batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    /// The protocol version of the sender.
    pub protocol: u16,
    /// The desk's device id.
    pub device: String,
    /// The highest sequence number stored with every one before it.
    pub acked_seq: u64,
    /// Hex SHA-256 of the batch ending at `acked_seq` (zeros when nothing is stored).
    pub batch_hash: String,
    /// When head office stored it (RFC 3339, UTC).
    pub received_at: String,
    /// Head office's Ed25519 signature, hex.
    pub signature: String,
}

impl Ack {
    /// Signs a cursor.
    pub fn sign(
        device: &str,
        acked_seq: u64,
        batch_hash: [u8; 32],
        received_at: &str,
        head_office: &SecretKeys,
    ) -> Self {
        let sig = head_office.sign(
            DOMAIN,
            &message(device, acked_seq, &batch_hash, received_at),
        );
        Self {
            protocol: crate::PROTOCOL_VERSION,
            device: device.to_owned(),
            acked_seq,
            batch_hash: hex::encode(batch_hash),
            received_at: received_at.to_owned(),
            signature: hex::encode(sig),
        }
    }

    /// Checks the version and head office's signature; returns the batch hash.
    pub fn verify(&self, head_office: &PeerKeys) -> Result<[u8; 32], SyncError> {
        if self.protocol != crate::PROTOCOL_VERSION {
            return Err(SyncError::Version {
                ours: crate::PROTOCOL_VERSION,
                theirs: self.protocol,
            });
        }
        let hash: [u8; 32] = hex::decode(&self.batch_hash)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SyncError::malformed("ack"))?;
        let sig = signature_from_hex(&self.signature)?;
        head_office.verify(
            DOMAIN,
            &message(&self.device, self.acked_seq, &hash, &self.received_at),
            &sig,
        )?;
        Ok(hash)
    }
}

fn message(device: &str, acked_seq: u64, hash: &[u8; 32], at: &str) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(device).u64(acked_seq).raw(hash).str(at);
    w.finish()
}
