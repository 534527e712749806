//! Verification speed (issue #18); prints Markdown rows for BENCHMARKS.md.
//!
//!   cargo bench -p branchdesk-verify --bench verify
//!
//! Three files, each verified whole as `branchdesk verify` would (read from memory, format
//! detected, every check done) many times in-process, after a few untimed runs:
//! - a GOST 34.10-2015 512-bit CMS with its content attached (NCA RK's public test file signed with
//!   Kalkan), its chain checked to the NCA RK test anchors;
//! - a PAdES PDF signed with RSA-2048 (adbe.pkcs7.detached) by a throwaway CA that `openssl`
//!   makes at the start of the run (the same helper the tests use);
//! - one of our 24-month offers, sealed with an Ed25519 desk key: the seal is verified and the PDF is
//!   rebuilt from its content and compared byte for byte.

// A benchmark times real runs with the real clock.
#![allow(clippy::disallowed_methods)]

#[path = "../tests/verify/nca.rs"]
mod nca;
#[path = "../tests/verify/openssl_pki.rs"]
mod openssl_pki;
#[path = "../tests/verify/ours.rs"]
#[allow(dead_code, unused_imports)]
mod ours;

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use ed25519_dalek::SigningKey;
use print::Document;
use verify::ours::Verdict;
use verify::signed::{self, FileVerdict};

use nca::{cert, fixture};

const RUNS: usize = 200;

fn time(name: &str, bytes: usize, mut run: impl FnMut()) {
    for _ in 0..5 {
        run();
    }
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            run();
            t.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {name} | {bytes} B | {:.2} ms | {:.2} ms |",
        ms(samples[RUNS / 2]),
        ms(samples[RUNS * 99 / 100])
    );
}

fn main() {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    println!("| File | Size | p50 | p99 |");
    println!("|---|---:|---:|---:|");

    let gost = fixture("gost2015/kalkan_individual_attached.cms");
    let anchors = vec![
        cert("ca/root_test_gost_2022.cer"),
        cert("ca/nca_gost2022_test.cer"),
    ];
    assert_eq!(
        signed::verify(&gost, None, &anchors, now)
            .unwrap()
            .verdict(),
        FileVerdict::Valid,
        "the GOST fixture verifies before it is timed"
    );
    time(
        "GOST 34.10-2015 512-bit CMS, attached (NCA RK test)",
        gost.len(),
        || {
            std::hint::black_box(signed::verify(&gost, None, &anchors, now).unwrap());
        },
    );

    let dir = openssl_pki::TempDir::new("bench");
    let pki = openssl_pki::make_pki(&dir.0, openssl_pki::Alg::Rsa2048, "b-");
    let pdf = openssl_pki::sign_pdf(
        &pki,
        &openssl_pki::minimal_pdf(),
        "adbe.pkcs7.detached",
        false,
    );
    let roots = vec![pki.root.clone()];
    assert_eq!(
        signed::verify(&pdf, None, &roots, now).unwrap().verdict(),
        FileVerdict::Valid,
        "the PAdES PDF verifies before it is timed"
    );
    time("RSA-2048 PAdES PDF (openssl test CA)", pdf.len(), || {
        std::hint::black_box(signed::verify(&pdf, None, &roots, now).unwrap());
    });

    let key = SigningKey::from_bytes(&[7; 32]);
    let offer = ours::offer(500_000);
    let doc = Document::Offer(&offer);
    let printed = doc.render(Some(&ours::seal(&doc, &key))).unwrap();
    let known = ours::known(&key);
    let policies = domain::policy::shipped().to_vec();
    assert_eq!(
        verify::ours::verify_pdf(&printed, &known, &policies).verdict,
        Verdict::Authentic,
        "the offer verifies before it is timed"
    );
    time(
        "Our 12-month offer (seal + re-render)",
        printed.len(),
        || {
            std::hint::black_box(verify::ours::verify_pdf(&printed, &known, &policies));
        },
    );
}
