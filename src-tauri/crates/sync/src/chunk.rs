//! Large attachments (scans) travel apart from batches, in chunks a desk can resume: each chunk
//! is sent to `PUT /v1/attachments/{id}?offset=N` with the device id and the desk's signature
//! over the chunk in two headers. Head office accepts only the next offset and, once all bytes
//! are there, checks them against the size and SHA-256 the desk signed in the `attachment.add`
//! record of a batch.
//!
//! ```text
//! signed = "branchdesk/sync/chunk/v1" 0x00 device:str attachment:str offset:u64 chunk_sha256:[32]
//! ```

use crate::wire::Writer;
use crate::{SecretKeys, SyncError, sha256};

const DOMAIN: &[u8] = b"branchdesk/sync/chunk/v1";
/// Header naming the sending device.
pub const DEVICE_HEADER: &str = "x-branchdesk-device";
/// Header carrying the hex signature.
pub const SIGNATURE_HEADER: &str = "x-branchdesk-signature";
/// Largest chunk head office accepts (1 MiB).
pub const MAX_CHUNK: usize = 1024 * 1024;

fn message(device: &str, attachment: &str, offset: u64, chunk: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.str(device)
        .str(attachment)
        .u64(offset)
        .raw(&sha256(chunk));
    w.finish()
}

/// The desk's signature over one chunk, hex.
pub fn sign(
    desk: &SecretKeys,
    device: &str,
    attachment: &str,
    offset: u64,
    chunk: &[u8],
) -> String {
    hex::encode(desk.sign(DOMAIN, &message(device, attachment, offset, chunk)))
}

/// Checks a chunk's signature with the device's verifying key (hex).
pub fn verify(
    signing_hex: &str,
    device: &str,
    attachment: &str,
    offset: u64,
    chunk: &[u8],
    signature_hex: &str,
) -> Result<(), SyncError> {
    let sig = crate::keys::signature_from_hex(signature_hex)?;
    crate::keys::verify_with(
        signing_hex,
        DOMAIN,
        &message(device, attachment, offset, chunk),
        &sig,
    )
}
