//! NCA RK's public test files (see `tests/fixtures/nca/PROVENANCE.md`), read for the tests and
//! the verification bench.

use std::path::PathBuf;

use verify::certificate::Cert;

/// A file under `tests/fixtures/nca`.
pub fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nca")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A certificate under `tests/fixtures/nca`.
pub fn cert(path: &str) -> Cert {
    Cert::read(&fixture(path)).unwrap_or_else(|| panic!("{path} is a certificate"))
}
