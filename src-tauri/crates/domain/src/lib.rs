//! Pure rules of Branch Desk: the things a loan officer's desk must get right whatever the screen or
//! storage around it. No I/O, no clock reads, no GUI: every input is a value, every output is a value.
//!
//! Areas so far: [`money`] (KZT in integer tiyn, formatted `1 234 567,89 ₸`) and [`date`]
//! (`dd.mm.yyyy`). IIN, schedule, ГЭСВ and caps arrive with the applications issue.
#![forbid(unsafe_code)]

pub mod date;
pub mod money;

pub use money::Money;
