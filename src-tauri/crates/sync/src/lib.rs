//! The protocol a Branch Desk and head office speak (`docs/sync-protocol.md` is its description).
//!
//! A desk *pushes* its outbox as [`batch`]es: records in per-device sequence order, compressed
//! with zstd, age-encrypted to head office and signed by the desk over the header, the
//! ciphertext's hash and the previous batch's hash. Head office answers with a signed [`ack`]
//! naming the cursor it has stored. A desk *pulls* its [`feed`]: entries head office published
//! for it (decisions, products, caps, policy versions, roster changes, revocations), signed by
//! head office and encrypted to the desk, numbered by a monotonic epoch. A desk joins through an
//! [`enrol`]ment code. [`chunk`] authenticates the resumable upload of large attachments.
//!
//! This crate holds the types, their canonical bytes and the cryptography only: no storage, no
//! network policy. Every decoder takes untrusted bytes and refuses with a typed [`SyncError`].
#![forbid(unsafe_code)]

pub mod ack;
pub mod batch;
pub mod chunk;
pub mod client;
pub mod enrol;
mod envelope;
mod error;
pub mod feed;
pub mod keys;
pub mod refusal;
mod seal;
mod wire;

pub use error::SyncError;
pub use keys::{PeerKeys, SecretKeys};

/// The protocol version this build speaks. A peer speaking another version is refused with
/// [`SyncError::Version`] naming both; versions are never negotiated down.
pub const PROTOCOL_VERSION: u16 = 1;

/// The HTTP header carrying the sender's protocol version on every request and response.
pub const VERSION_HEADER: &str = "x-branchdesk-protocol";

/// Largest decompressed batch or feed body either side accepts (64 MiB).
pub const MAX_PLAINTEXT: usize = 64 * 1024 * 1024;

/// Largest batch or feed envelope on the wire (16 MiB).
pub const MAX_ENVELOPE: usize = 16 * 1024 * 1024;

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
