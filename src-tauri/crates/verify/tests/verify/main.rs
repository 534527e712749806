//! The verify crate from outside: identity documents against client records (golden zones, every
//! single-character corruption), and later our own printouts and signed files.

mod identity;
mod ours;
