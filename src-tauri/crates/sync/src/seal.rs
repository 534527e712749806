//! Compress-then-encrypt and its inverse, bounded: what the batch and the feed carry.

use std::io::{Read, Write};

use crate::SyncError;

const ZSTD_LEVEL: i32 = 3;

/// zstd, then age to `recipient`.
pub(crate) fn seal(plain: &[u8], recipient: &age::x25519::Recipient) -> Result<Vec<u8>, SyncError> {
    let compressed = zstd::bulk::compress(plain, ZSTD_LEVEL).map_err(|_| SyncError::Seal)?;
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
            .map_err(|_| SyncError::Seal)?;
    let mut out = Vec::with_capacity(compressed.len() + 256);
    let mut w = encryptor
        .wrap_output(&mut out)
        .map_err(|_| SyncError::Seal)?;
    w.write_all(&compressed).map_err(|_| SyncError::Seal)?;
    w.finish().map_err(|_| SyncError::Seal)?;
    Ok(out)
}

/// Decrypts with `identity` and decompresses, refusing more than [`crate::MAX_PLAINTEXT`]. The
/// whole stream is read before anything is returned (age detects tampering only while reading).
pub(crate) fn open(
    ciphertext: &[u8],
    identity: &age::x25519::Identity,
) -> Result<Vec<u8>, SyncError> {
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|_| SyncError::Decrypt)?;
    let reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|_| SyncError::Decrypt)?;
    let mut compressed = Vec::new();
    reader
        .take(crate::MAX_ENVELOPE as u64 + 1)
        .read_to_end(&mut compressed)
        .map_err(|_| SyncError::Decrypt)?;
    if compressed.len() > crate::MAX_ENVELOPE {
        return Err(SyncError::TooLarge);
    }
    let mut decoder = zstd::stream::Decoder::new(&compressed[..])
        .map_err(|_| SyncError::malformed("compressed body"))?;
    // A 16 MiB window at most (zstd's default allows 128 MiB per stream): our encoder at level 3
    // never needs more.
    decoder
        .window_log_max(24)
        .map_err(|_| SyncError::malformed("compressed body"))?;
    let mut plain = Vec::new();
    decoder
        .take(crate::MAX_PLAINTEXT as u64 + 1)
        .read_to_end(&mut plain)
        .map_err(|_| SyncError::malformed("compressed body"))?;
    if plain.len() > crate::MAX_PLAINTEXT {
        return Err(SyncError::TooLarge);
    }
    Ok(plain)
}
