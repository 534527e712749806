//! `branchdesk-hq`: head office for Branch Desks.
//!
//! Desks push their outbox as signed, encrypted batches ([`sync::batch`]); head office checks
//! each against the device's key, status and chain, stores it exactly once with the signed
//! envelope as evidence and its records sorted into tables ([`ingest`], [`store`]), and answers
//! with a signed cursor. Each desk pulls its own feed of decisions, catalogues, policies, roster
//! changes and revocations, signed by head office and encrypted to the desk ([`feed`]). The
//! server ([`server`]) speaks only TLS ([`tls`]); its keys live in an encrypted key file
//! ([`keys`]). Administrators work through the command line ([`cli`]).
#![forbid(unsafe_code)]

pub mod cli;
pub mod clock;
pub mod feed;
pub mod ingest;
pub mod keys;
pub mod metrics;
pub mod rate;
pub mod server;
pub mod store;
pub mod tls;
