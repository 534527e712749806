//! `branchdesk-hq`'s integration tests: the store's contract on both back ends, and the real
//! server over real TLS on 127.0.0.1.

mod admin;
mod instances;
mod server;
mod store;
mod support;
