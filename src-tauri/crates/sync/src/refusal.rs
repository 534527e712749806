//! How head office says no: one JSON shape with a closed set of codes the desk acts on.

use serde::{Deserialize, Serialize};

/// Why a request was refused. The desk decides what to do from the code, never the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The request speaks another protocol version (`ours`/`theirs` say which).
    ProtocolVersion,
    /// The body is not a well-formed message.
    Malformed,
    /// The body is larger than head office accepts.
    TooLarge,
    /// A signature does not verify, or the ciphertext is not the signed one.
    BadSignature,
    /// The body cannot be decrypted with head office's key.
    Undecryptable,
    /// No device with this id is enrolled.
    UnknownDevice,
    /// The device's enrolment was revoked.
    Revoked,
    /// The batch does not continue from what is stored (`expected` says where to).
    SequenceGap,
    /// The batch's previous hash is not the hash of the stored batch it follows.
    ChainMismatch,
    /// A record has the sequence number of a stored one but other content.
    SequenceConflict,
    /// The enrolment code is not known, or the desk's key is enrolled already.
    EnrolmentInvalid,
    /// The enrolment code was used already.
    EnrolmentUsed,
    /// The enrolment code expired.
    EnrolmentExpired,
    /// Too many requests from this device; retry later.
    RateLimited,
    /// No attachment with this id was announced in a batch.
    UnknownAttachment,
    /// The chunk does not start where the stored bytes end (`expected` gives the offset).
    ChunkOffset,
    /// The chunk is empty or runs past the announced size, or the assembled bytes do not have
    /// the announced hash (they are dropped; send again from 0).
    ChunkMismatch,
    /// Head office cannot serve now (its store is unreachable); retry later.
    Unavailable,
}

impl RefusalCode {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::ProtocolVersion => "protocol_version",
            RefusalCode::Malformed => "malformed",
            RefusalCode::TooLarge => "too_large",
            RefusalCode::BadSignature => "bad_signature",
            RefusalCode::Undecryptable => "undecryptable",
            RefusalCode::UnknownDevice => "unknown_device",
            RefusalCode::Revoked => "revoked",
            RefusalCode::SequenceGap => "sequence_gap",
            RefusalCode::ChainMismatch => "chain_mismatch",
            RefusalCode::SequenceConflict => "sequence_conflict",
            RefusalCode::EnrolmentInvalid => "enrolment_invalid",
            RefusalCode::EnrolmentUsed => "enrolment_used",
            RefusalCode::EnrolmentExpired => "enrolment_expired",
            RefusalCode::RateLimited => "rate_limited",
            RefusalCode::UnknownAttachment => "unknown_attachment",
            RefusalCode::ChunkOffset => "chunk_offset",
            RefusalCode::ChunkMismatch => "chunk_mismatch",
            RefusalCode::Unavailable => "unavailable",
        }
    }
}

/// The body of every refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// What is wrong.
    pub code: RefusalCode,
    /// In words, for logs and administrators (English; the desk translates by code).
    pub message: String,
    /// Head office's protocol version.
    pub ours: u16,
    /// The version the request spoke, when it is the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theirs: Option<u16>,
    /// Where to continue: the next sequence number (or chunk offset) head office expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<u64>,
}

impl Refusal {
    /// A refusal with a message.
    pub fn new(code: RefusalCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            ours: crate::PROTOCOL_VERSION,
            theirs: None,
            expected: None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}
