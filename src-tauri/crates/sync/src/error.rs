//! What can be wrong with bytes received from the other side.

/// Why a message was refused. Every decoder returns one of these; none panics on any input.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SyncError {
    /// The peer speaks another protocol version.
    #[error(
        "the other side speaks sync protocol version {theirs}; this side speaks version {ours}"
    )]
    Version {
        /// This build's version.
        ours: u16,
        /// The version the peer sent.
        theirs: u16,
    },
    /// The bytes are not a well-formed message of this kind.
    #[error("malformed {what}")]
    Malformed {
        /// Which part failed to decode.
        what: &'static str,
    },
    /// The signature does not verify with the sender's key.
    #[error("the signature does not verify")]
    Signature,
    /// The ciphertext is not the one the signed header names.
    #[error("the ciphertext does not match its signed hash")]
    CiphertextHash,
    /// The ciphertext cannot be decrypted with this side's identity.
    #[error("the body cannot be decrypted with this side's key")]
    Decrypt,
    /// The message or its decompressed body is larger than allowed.
    #[error("the message is larger than allowed")]
    TooLarge,
    /// A key in an enrolment code or message is not a valid key.
    #[error("invalid {what} key")]
    Key {
        /// Which key.
        what: &'static str,
    },
    /// Encryption or compression failed on this side.
    #[error("could not seal the message")]
    Seal,
}

impl SyncError {
    pub(crate) fn malformed(what: &'static str) -> Self {
        SyncError::Malformed { what }
    }
}
