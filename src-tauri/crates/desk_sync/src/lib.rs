//! The desk's side of sync with head office.
//!
//! [`enrol`] registers the keys the vault already holds with head office's one-time code and
//! pins head office's certificate and keys in the vault. [`sync_now`] runs one round: push the
//! outbox in sequence order (each batch signed, encrypted to head office, carrying the audit
//! chain's head), record head office's signed acknowledgements, pull the feed and apply it in one
//! vault transaction, then compact acknowledged payloads past their retention. Every failure is a
//! [`Failure`] with a closed code and words an officer understands; nothing a round does can lose
//! a record, because the outbox only changes state on head office's signed word.
//!
//! This crate knows the vault and the wire protocol, not windows: the shell's commands and the
//! CLI call it alike, each handing it the vault through [`VaultAccess`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod access;
mod backoff;
mod enrol;
mod failure;
mod feed;
mod round;

pub use access::VaultAccess;
pub use backoff::retry_delay;
pub use enrol::{EnrolmentPreview, enrol, preview};
pub use failure::Failure;
pub use round::{BATCH_RECORDS, Phase, Progress, RoundReport, sync_now};
