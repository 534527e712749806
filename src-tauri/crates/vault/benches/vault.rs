//! Vault benchmarks; prints Markdown rows for BENCHMARKS.md.
//!
//!   cargo bench -p branchdesk-vault --features bench
//!
//! 1. unlock: officer passphrase + device secret → scrypt unwrap → open → first read (median of 7);
//! 2. the same write and read workload on the vault's SQLCipher settings and on plain SQLite with
//!    the same pragmas (WAL, synchronous=FULL), in one run: 20 000 rows of ~300 bytes written in
//!    200 transactions of 100, then 50 000 point reads by id and 20 full-table LIKE scans;
//! 3. audit-chain verification over 1 000 000 entries.

// A benchmark times real runs and stamps what it writes with the real clock.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::params;
use vault::{Keychain, Passphrase, Vault, VaultDir};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

const ROWS: i64 = 20_000;
const BATCH: i64 = 100;
const READS: i64 = 50_000;
const SCANS: usize = 20;

/// (write time, read time, scan time)
fn workload(encrypted: bool) -> (Duration, Duration, Duration) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let conn = vault::bench::open(&tmp.path().join("w.db"), encrypted).expect("open");
    conn.execute_batch("CREATE TABLE client (id INTEGER PRIMARY KEY, iin TEXT NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL)")
        .expect("table");
    let address = "г. Алматы, мкр. Самал-2, ул. Жолдасбекова, д. 97, кв. 12; ".repeat(3);
    let t = Instant::now();
    let mut id = 0i64;
    for _ in 0..ROWS / BATCH {
        conn.execute_batch("BEGIN").expect("begin");
        {
            let mut stmt = conn
                .prepare_cached(
                    "INSERT INTO client (id, iin, name, address) VALUES (?1, ?2, ?3, ?4)",
                )
                .expect("prep");
            for _ in 0..BATCH {
                id += 1;
                stmt.execute(params![
                    id,
                    format!("{:012}", 900101300000i64 + id),
                    format!("Қасымова Әлия {id}"),
                    address
                ])
                .expect("insert");
            }
        }
        conn.execute_batch("COMMIT").expect("commit");
    }
    let write = t.elapsed();
    let t = Instant::now();
    let mut stmt = conn
        .prepare_cached("SELECT name FROM client WHERE id = ?1")
        .expect("prep");
    let mut x = 7i64;
    for _ in 0..READS {
        x = (x * 7919 + 13) % ROWS + 1;
        let _: String = stmt.query_row(params![x], |r| r.get(0)).expect("read");
    }
    let read = t.elapsed();
    let t = Instant::now();
    for i in 0..SCANS {
        let _: i64 = conn
            .query_row(
                "SELECT count(*) FROM client WHERE name LIKE ?1",
                params![format!("%{i}7%")],
                |r| r.get(0),
            )
            .expect("scan");
    }
    (write, read, t.elapsed())
}

fn main() {
    // 1. unlock
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::file(tmp.path());
    let pass = Passphrase::new("benchmark passphrase".into());
    let v = Vault::create(&dir, &keychain, "Bench Admin", &pass, None, Utc::now()).expect("create");
    let id = v.officer().id.clone();
    drop(v);
    let unlocks: Vec<Duration> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let v = Vault::unlock(&dir, &keychain, &id, &pass, chrono::Utc::now()).expect("unlock");
            let d = t.elapsed();
            drop(v);
            d
        })
        .collect();
    println!(
        "| unlock (scrypt 2^17 unwrap + open + first read), median of 7 | {} |",
        ms(median(unlocks))
    );

    // 2. vault vs plain SQLite, alternating, median of 3 each
    let mut enc = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..3 {
        plain.push(workload(false));
        enc.push(workload(true));
    }
    let pick = |v: &Vec<(Duration, Duration, Duration)>,
                f: fn(&(Duration, Duration, Duration)) -> Duration| {
        median(v.iter().map(f).collect())
    };
    for (label, f) in [
        (
            format!("write {ROWS} rows in {} transactions", ROWS / BATCH),
            (|w: &(Duration, Duration, Duration)| w.0) as fn(&_) -> Duration,
        ),
        (
            format!("{READS} point reads by id"),
            |w: &(Duration, Duration, Duration)| w.1,
        ),
        (
            format!("{SCANS} full-table LIKE scans"),
            |w: &(Duration, Duration, Duration)| w.2,
        ),
    ] {
        let (p, e) = (pick(&plain, f), pick(&enc, f));
        println!(
            "| {label} | {} | {} | {:.2}× |",
            ms(p),
            ms(e),
            e.as_secs_f64() / p.as_secs_f64()
        );
    }

    // 3. audit chain of 1 000 000 entries
    let mut v = Vault::unlock(&dir, &keychain, &id, &pass, chrono::Utc::now()).expect("unlock");
    v.fill_audit_for_bench();
    let t = Instant::now();
    let broken = v.first_broken_audit_entry().expect("verify");
    let d = t.elapsed();
    assert_eq!(broken, None);
    println!(
        "| verify audit chain of {} entries | {} |",
        v.audit_len().expect("len"),
        ms(d)
    );
}

trait Fill {
    fn fill_audit_for_bench(&mut self);
}

impl Fill for Vault {
    fn fill_audit_for_bench(&mut self) {
        vault::bench::fill_audit(self, 1_000_000 - 1, Utc::now()).expect("fill");
    }
}
