//! Pure rules of Branch Desk: the things a loan officer's desk must get right whatever the screen or
//! storage around it. No I/O, no clock reads, no GUI: every input is a value, every output is a value.
//!
//! Areas so far:
//! - [`money`]: KZT in integer tiyn, formatted `1 234 567,89 ₸`; [`date`]: `dd.mm.yyyy`;
//! - [`iin`]: ИИН check digit and its agreement with birth date and sex;
//! - [`person_name`]: name parts in Cyrillic with Kazakh letters, or Latin, never mixed;
//! - [`phone`]: Kazakh numbers as `+7 7XX XXX XX XX`;
//! - [`gesv`]: the annual effective rate solved from dated flows;
//! - [`schedule`]: annuity and equal-principal schedules on actual days, with totals and ГЭСВ;
//! - [`catalog`]: products, caps and МРП as dated configuration, and the quote checked against them;
//! - [`client`]: the KYC form checked whole; [`application`]: terms, quote and the maker-checker
//!   lifecycle; [`field`]: the closed set of per-field problems forms report;
//! - [`policy`]: privacy-policy versions, their hashes and purposes (version 1 ships with the app);
//! - [`consent`]: per-purpose consent as events, what they add up to, and the rules on them;
//!   [`evidence`]: the drawn signature and the signed form's scan, checked before they are kept;
//!   [`consent_receipt`]: the Kantara Consent Receipt v1.1 a client can take.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod application;
pub mod catalog;
pub mod client;
pub mod consent;
pub mod consent_receipt;
pub mod date;
pub mod evidence;
pub mod field;
pub mod gesv;
pub mod iin;
pub mod money;
pub mod person_name;
pub mod phone;
pub mod policy;
pub mod schedule;

pub use iin::{Iin, IinError, Sex};
pub use money::Money;
pub use phone::{Phone, PhoneError};
