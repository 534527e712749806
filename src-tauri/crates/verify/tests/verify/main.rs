//! The verify crate from outside: identity documents against client records (golden zones, every
//! single-character corruption), our own printouts, and signed files (NCA RK's public test files,
//! PDFs signed here by an openssl test CA).

mod identity;
mod nca;
mod openssl_pki;
mod ours;
mod signed;
