//! Desk sync at branch scale ("desk sync" benchmark): a real SQLCipher vault seeded with
//! `vault::bench::seed` pushes its outbox through `desk_sync::sync_now` to a real
//! `branchdesk-hq serve` (SQLite store) over TLS on 127.0.0.1, and the vault's size after
//! compaction at 100 000 applications. Prints one JSON object a line on stdout, progress on
//! stderr; `scripts/bench-sync.sh` builds it in release and runs it.
//!
//!   push_load push [--applications 10000] [--runs 3] [--direct-runs 1] [--link MBIT:RTT_MS]
//!                  [--lifecycle short|book]
//!   push_load compact [--applications 100000] [--lifecycle book|short]
//!
//! `push`: each run starts a fresh head office (`branchdesk-hq init`, `serve --listen
//! 127.0.0.1:0`, the `Office` of the desk-sync tests) and a fresh desk (`Vault::create`, mock
//! keychain, an officer and a supervisor) seeded with N applications, one client each, enrols
//! the desk with a one-time code and times one `sync_now` (cursor, every batch, the feed, the
//! compaction pass, the note in the vault). The first `--runs` go through the tests' counting
//! TCP proxy (so the bytes on the wire, TLS included, are known), `--direct-runs` straight to
//! head office (the proxy's own cost). After each push the same outbox is sealed again exactly as
//! `round.rs` seals it (batches of `BATCH_RECORDS`, desk's keys, to head office's recipient), the
//! batches are concatenated into one file and uploaded once with `curl --data-binary` to a
//! trivial HTTPS sink in this process (axum over rustls, reads the body, answers 200): the same
//! compressed bytes, one request, no processing. With `--link`, one more run goes through a
//! shaped link of that bandwidth and round-trip time (and curl through the same kind of link to
//! the sink). Then a resumed push: a fresh head office and desk behind the proxy, the connection
//! cut after half the bytes the median uncut round put through the proxy, and a second round
//! without the cut.
//!
//! Where a round's time goes: the progress calls mark the cursor, each batch, the feed and the
//! compaction pass; the vault is lent to the round through a wrapper that times every loan (a
//! batch borrows it three times: read the records, mark them sent, record the acknowledgement);
//! sealing is timed when the same batches are sealed again; the rest of a batch is the HTTPS
//! request and head office's work.
//!
//! `short` lifecycle: `application.submit` after `create`, and `application.refer` for every
//! tenth, so an application is 3.1 outbox records with its client's `client.add` (as the head
//! office ingest benchmark's load). `book`: the spread of `vault/benches/records.rs` (most
//! applications submitted, approved, offered and signed; some declined, returned or revised):
//! about 5.4 records an application.
//!
//! `compact`: one desk seeded with N applications (one client each), enrolled with a dummy head
//! office straight in the vault (`enrol_head_office`), every record marked acknowledged
//! (`outbox_acked`), then the compaction of `compact_outbox(now + 31 days, 30 days)` in its two
//! parts, timed apart: `drop_acked_payloads` in steps of 2 000 until none is left, then
//! `compact_outbox` itself (nothing left to drop: the VACUUM). Sizes of vault.db and its WAL at
//! each step, and `vault::bench::space_used` after.
//!
//! `branchdesk-hq` is the one beside this example (target/<profile>/) or `BRANCHDESK_HQ_BIN`.

// A benchmark times real runs and stamps what it writes with the real clock.
#![allow(clippy::disallowed_methods)]

#[path = "../tests/desk_sync/office.rs"]
mod office;
#[path = "../tests/desk_sync/proxy.rs"]
mod proxy;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use chrono::{DateTime, NaiveDate, Utc};
use desk_sync::{BATCH_RECORDS, Failure, Phase, Progress, RoundReport, VaultAccess, sync_now};
use domain::application::{ApplicationForm, Step, Terms};
use domain::catalog::Catalog;
use domain::client::{Client, ClientForm, DocumentKind};
use domain::iin::{Iin, Sex};
use domain::schedule::Method;
use serde_json::{Value, json};
use sync::batch::{AuditHead, BatchInput, Record, SealedBatch};
use sync::{PeerKeys, SecretKeys};
use vault::bench::SeedApplication;
use vault::{Enrolment, Keychain, OfficerId, Passphrase, Role, Vault, VaultDir};

use office::Office;
use proxy::Proxy;

type Res<T> = Result<T, String>;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("push_load: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("push_load: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: push_load push [--applications N] [--runs R] [--direct-runs D] [--link MBIT:RTT_MS|none] [--lifecycle short|book]\n       push_load compact [--applications N] [--lifecycle book|short]";

/// The command line: a mode and `--name value` pairs.
struct Args {
    mode: String,
    applications: usize,
    runs: usize,
    direct_runs: usize,
    lifecycle: Lifecycle,
    /// One more run over a shaped link: (Mbit/s each way, round trip in ms).
    link: Option<(f64, f64)>,
}

fn parse(args: &[String]) -> Res<Args> {
    let mode = args.first().cloned().ok_or(USAGE)?;
    let (applications, lifecycle) = match mode.as_str() {
        "push" => (10_000, Lifecycle::Short),
        "compact" => (100_000, Lifecycle::Book),
        _ => return Err(USAGE.into()),
    };
    let mut a = Args {
        mode,
        applications,
        runs: 3,
        direct_runs: 1,
        lifecycle,
        link: None,
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag} takes a number, got {value:?}"))
        };
        match flag.as_str() {
            "--applications" => a.applications = number()?,
            "--runs" => a.runs = number()?,
            "--direct-runs" => a.direct_runs = number()?,
            "--link" => {
                a.link = match value.split_once(':') {
                    _ if value == "none" => None,
                    Some((mbit, rtt)) => Some((
                        mbit.parse()
                            .map_err(|_| format!("--link {value}: Mbit/s?"))?,
                        rtt.parse()
                            .map_err(|_| format!("--link {value}: RTT ms?"))?,
                    )),
                    None => return Err(format!("--link is MBIT:RTT_MS or none, got {value:?}")),
                }
            }
            "--lifecycle" => {
                a.lifecycle = match value.as_str() {
                    "short" => Lifecycle::Short,
                    "book" => Lifecycle::Book,
                    _ => return Err(format!("--lifecycle is short or book, got {value:?}")),
                }
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if a.applications == 0 {
        return Err("--applications must be at least 1".into());
    }
    Ok(a)
}

async fn run(args: &[String]) -> Res<()> {
    let args = parse(args)?;
    match args.mode.as_str() {
        "push" => push_mode(&args).await,
        _ => compact_mode(&args),
    }
}

fn say(what: impl std::fmt::Display) {
    eprintln!("push_load: {what}");
}

fn emit(v: &Value) {
    println!("{v}");
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

fn clock() -> DateTime<Utc> {
    Utc::now()
}

fn quiet(_: Progress) {}

// ---------------------------------------------------------------------------------------------
// The desk

/// The unlocked vault, lent to the round through [`VaultAccess`] while the time of each loan
/// (SQLCipher reads and writes, commits with fsync) is noted.
struct Timed {
    vault: Mutex<Vault>,
    calls: Mutex<Vec<Duration>>,
}

impl VaultAccess for Timed {
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, Failure> {
        let t = Instant::now();
        let r = <Mutex<Vault> as VaultAccess>::with(&self.vault, f);
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(t.elapsed());
        r
    }
}

impl Timed {
    /// Loans so far, and the time they took.
    fn spent(&self) -> (usize, Duration) {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        (calls.len(), calls.iter().sum())
    }

    fn calls(&self) -> Vec<Duration> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vault> {
        self.vault.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A desk in a temporary folder: the administrator's unlocked vault, seeded.
struct Desk {
    tmp: tempfile::TempDir,
    _keychain: Keychain,
    access: Timed,
    seed_seconds: f64,
    application_rows: usize,
}

impl Desk {
    fn db(&self) -> std::path::PathBuf {
        self.tmp.path().join("vault").join("vault.db")
    }

    fn folder(&self) -> std::path::PathBuf {
        self.tmp.path().join("vault")
    }

    fn counts(&self) -> Res<vault::OutboxCounts> {
        self.access
            .lock()
            .outbox_counts()
            .map_err(|e| e.to_string())
    }

    fn outbox_len(&self) -> Res<u64> {
        let c = self.counts()?;
        Ok((c.queued + c.sent + c.acked + c.refused) as u64)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lifecycle {
    /// submit, and refer for every tenth: 3.1 records an application with its client.
    Short,
    /// The records benchmark's spread over every stage.
    Book,
}

impl Lifecycle {
    fn name(self) -> &'static str {
        match self {
            Lifecycle::Short => "short",
            Lifecycle::Book => "book",
        }
    }

    fn steps(self, i: usize, rng: &mut Rng) -> Vec<Step> {
        use Step::*;
        match self {
            Lifecycle::Short if i % 10 == 9 => vec![Submit, Refer],
            Lifecycle::Short => vec![Submit],
            Lifecycle::Book => match rng.below(100) {
                0..=5 => vec![],
                6..=7 => vec![Submit],
                8 => vec![Submit, Refer],
                9..=10 => vec![Submit, Approve],
                11..=28 => vec![Submit, Decline],
                29..=31 => vec![Submit, Return],
                32..=33 => vec![Submit, Approve, IssueOffer],
                34..=94 => vec![Submit, Approve, IssueOffer, Sign],
                _ => vec![Submit, Return, Revise, Submit, Approve, IssueOffer, Sign],
            },
        }
    }
}

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.to_owned())
}

/// A fresh vault with an administrator, an officer and a supervisor, seeded with `n`
/// applications, one client each, registered over the past 60 days.
fn desk(n: usize, lifecycle: Lifecycle, seed: u64) -> Res<Desk> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::mock().map_err(|e| e.to_string())?;
    let now = Utc::now();
    let mut v = Vault::create(
        &dir,
        &keychain,
        "Әлия Админ",
        &pass("benchmark admin passphrase"),
        None,
        now,
    )
    .map_err(|e| format!("create vault: {e}"))?;
    let officer: OfficerId = v
        .add_officer("Ержан", Role::Officer, &pass("officer passphrase"), now)
        .map_err(|e| e.to_string())?
        .id;
    let supervisor: OfficerId = v
        .add_officer(
            "Гүлнар",
            Role::Supervisor,
            &pass("supervisor passphrase"),
            now,
        )
        .map_err(|e| e.to_string())?
        .id;

    let mut rng = Rng(seed);
    let catalog = Catalog::from_json(include_str!("../../../../config/catalog.json"))
        .map_err(|e| format!("shipped catalog: {e}"))?;
    let pool = terms_pool(&mut rng, &catalog)?;
    let mut iins = HashSet::with_capacity(n);
    let start = now - chrono::Duration::days(60);
    // Spread over 50 days, so the last steps (up to 7 hours later) are still in the past.
    let gap = chrono::Duration::milliseconds((50 * 86_400_000 / n as i64).max(1));
    let mut clients = Vec::with_capacity(n);
    let mut applications = Vec::with_capacity(n);
    for i in 0..n {
        let at = start + gap * i as i32;
        clients.push((client(i, &mut rng, &mut iins)?, at));
        applications.push(SeedApplication {
            client: i,
            terms: pool[rng.below(pool.len())].clone(),
            steps: lifecycle.steps(i, &mut rng),
            created: at + chrono::Duration::minutes(5),
        });
    }
    let t = Instant::now();
    let seeded = vault::bench::seed(&mut v, &clients, &applications, &officer, &supervisor)
        .map_err(|e| format!("seed: {e}"))?;
    let seed_seconds = secs(t.elapsed());
    Ok(Desk {
        tmp,
        _keychain: keychain,
        access: Timed {
            vault: Mutex::new(v),
            calls: Mutex::new(Vec::new()),
        },
        seed_seconds,
        application_rows: seeded.application_rows,
    })
}

// ---------------------------------------------------------------------------------------------
// push

/// Where a progress call came: when, what, and the vault loans so far with their time.
type Mark = (Instant, Progress, (usize, Duration));

/// One timed round and what it measured.
struct Pushed {
    report: RoundReport,
    wall: Duration,
    marks: Vec<Mark>,
    started: Instant,
    ended: Instant,
    vault_start: (usize, Duration),
    vault_end: (usize, Duration),
    /// Every vault loan's time.
    calls: Vec<Duration>,
}

async fn timed_round(d: &Desk) -> Result<Pushed, (Failure, Duration)> {
    let marks: Mutex<Vec<Mark>> = Mutex::new(Vec::new());
    let access = &d.access;
    let note = |p: Progress| {
        let spent = access.spent();
        marks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((Instant::now(), p, spent));
    };
    let vault_start = access.spent();
    let started = Instant::now();
    let result = sync_now(access, &note, &clock).await;
    let ended = Instant::now();
    let wall = ended - started;
    let vault_end = access.spent();
    match result {
        Ok(report) => Ok(Pushed {
            report,
            wall,
            marks: marks.into_inner().unwrap_or_else(|p| p.into_inner()),
            started,
            ended,
            vault_start,
            vault_end,
            calls: access.calls(),
        }),
        Err(e) => Err((e, wall)),
    }
}

impl Pushed {
    /// The phases of the round from its progress calls: connect and cursor, each batch, the
    /// feed, the compaction pass and the note; with the vault's share of each.
    fn phases(&self) -> Value {
        let push: Vec<&Mark> = self
            .marks
            .iter()
            .filter(|m| m.1.phase == Phase::Push)
            .collect();
        let feed = self.marks.iter().find(|m| m.1.phase == Phase::Feed);
        let compact = self.marks.iter().find(|m| m.1.phase == Phase::Compact);
        let (Some(first), Some(last), Some(feed), Some(compact)) =
            (push.first(), push.last(), feed, compact)
        else {
            return Value::Null;
        };
        let mut batches: Vec<Duration> = push.windows(2).map(|w| w[1].0 - w[0].0).collect();
        let batch_vault: Duration = push.windows(2).map(|w| w[1].2.1 - w[0].2.1).sum();
        // A batch borrows the vault three times: read the records and the audit head, mark them
        // sent (a commit), record the acknowledgement (a commit).
        let mut by_step = [Duration::ZERO; 3];
        let mut other_batches = 0;
        // Each batch's time and its acknowledgement's vault time, in order.
        let in_order: Vec<f64> = batches.iter().map(|d| ms(*d)).collect();
        let mut acked_in_order = Vec::new();
        for w in push.windows(2) {
            let calls = &self.calls[w[0].2.0..w[1].2.0];
            if calls.len() == 3 {
                for (sum, d) in by_step.iter_mut().zip(calls) {
                    *sum += *d;
                }
                acked_in_order.push(ms(calls[2]));
            } else {
                other_batches += 1;
            }
        }
        batches.sort();
        json!({
            "open_and_cursor_s": secs(first.0 - self.started),
            "open_and_cursor_vault_s": secs(first.2.1 - self.vault_start.1),
            "batches_s": secs(last.0 - first.0),
            "batches_vault_s": secs(batch_vault),
            "batches_vault_read_s": secs(by_step[0]),
            "batches_vault_mark_sent_s": secs(by_step[1]),
            "batches_vault_acked_s": secs(by_step[2]),
            "batches_not_three_loans": other_batches,
            "feed_s": secs(compact.0 - feed.0),
            "after_batches_to_feed_s": secs(feed.0 - last.0),
            "compact_and_note_s": secs(self.ended - compact.0),
            "compact_and_note_vault_s": secs(self.vault_end.1 - compact.2.1),
            "vault_total_s": secs(self.vault_end.1 - self.vault_start.1),
            "batch_ms": {
                "n": batches.len(),
                "p50": ms(percentile(&batches, 50.0)),
                "p99": ms(percentile(&batches, 99.0)),
                "max": ms(batches.last().copied().unwrap_or_default()),
                "min": ms(batches.first().copied().unwrap_or_default()),
            },
            "batch_ms_in_order": in_order,
            "acked_ms_in_order": acked_in_order,
        })
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Head office's last acknowledgement recorded once more, every record already acknowledged:
/// what `outbox_acked` costs with nothing left to change (the time of its statements over the
/// whole outbox).
fn acked_again(d: &Desk) -> Res<f64> {
    let mut v = d.access.lock();
    let link = v
        .head_office()
        .map_err(|e| e.to_string())?
        .ok_or("not enrolled")?;
    let t = Instant::now();
    v.outbox_acked(link.acked_seq, &link.acked_batch, None, Utc::now())
        .map_err(|e| e.to_string())?;
    Ok(ms(t.elapsed()))
}

/// The desk's outbox sealed again the way `round.rs` seals it: batches of [`BATCH_RECORDS`]
/// from wire number 1, each on the previous batch's hash, with the audit head, signed with the
/// desk's key and encrypted to head office. Returns the concatenated bytes, the time spent
/// sealing (reading the outbox not included), the batches and the payload bytes.
fn reseal(d: &Desk) -> Res<(Vec<u8>, Duration, u64, u64)> {
    let v = d.access.lock();
    let link = v
        .head_office()
        .map_err(|e| e.to_string())?
        .ok_or("not enrolled")?;
    let secrets = v.desk_secrets().map_err(|e| e.to_string())?;
    let keys =
        SecretKeys::from_parts(secrets.signing(), secrets.identity()).map_err(|e| e.to_string())?;
    let head_office = PeerKeys::parse(&link.signing, &link.recipient).map_err(|e| e.to_string())?;
    let head = v.audit_head().map_err(|e| e.to_string())?;
    let audit_head = head.map(|(seq, hash)| AuditHead {
        seq: seq as u64,
        hash,
    });
    let (mut out, mut sealing, mut batches, mut payload) = (Vec::new(), Duration::ZERO, 0, 0);
    let (mut after, mut prev) = (0u64, [0u8; 32]);
    loop {
        let records = v
            .outbox_after(after, BATCH_RECORDS)
            .map_err(|e| e.to_string())?;
        let Some(last) = records.last().map(|r| r.seq) else {
            break;
        };
        let t = Instant::now();
        let wire: Vec<Record> = records
            .into_iter()
            .map(|r| Record {
                seq: r.seq,
                created_at: r.created_at,
                officer_id: r.officer_id,
                action: r.action,
                entity_id: r.entity_id,
                payload: r.payload,
            })
            .collect();
        payload += wire.iter().map(|r| r.payload.len() as u64).sum::<u64>();
        let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let batch = SealedBatch::seal(
            &BatchInput {
                device: &link.device_id,
                prev_hash: prev,
                created_at: &at,
                audit_head,
                records: &wire,
            },
            &keys,
            &head_office,
        )
        .map_err(|e| format!("seal: {e}"))?;
        out.extend_from_slice(&batch.to_bytes());
        sealing += t.elapsed();
        prev = batch.hash();
        after = last;
        batches += 1;
    }
    Ok((out, sealing, batches, payload))
}

/// A trivial HTTPS endpoint: POST /sink reads the whole body and answers 200 with its length.
async fn sink() -> Res<SocketAddr> {
    let tls = hq::tls::generate(&["127.0.0.1".to_owned()]).map_err(|e| e.to_string())?;
    let config = hq::tls::server_config(&tls.cert_der, &tls.key_der).map_err(|e| e.to_string())?;
    let app = Router::new()
        .route(
            "/sink",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .layer(DefaultBodyLimit::max(1 << 30));
    let handle: axum_server::Handle<SocketAddr> = axum_server::Handle::new();
    let server = axum_server::bind_rustls(
        "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        axum_server::tls_rustls::RustlsConfig::from_config(config),
    )
    .handle(handle.clone())
    .serve(app.into_make_service());
    tokio::spawn(async move {
        let _ = server.await;
    });
    handle
        .listening()
        .await
        .ok_or_else(|| "the sink did not start".to_owned())
}

/// One `curl --data-binary @file` to the sink: curl's own timings, and the process's wall time.
async fn curl(sink: SocketAddr, file: &Path, expect: u64) -> Res<Value> {
    let url = format!("https://{sink}/sink");
    let file = file.to_owned();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args([
                "-sS",
                "-k",
                "-H",
                "content-type: application/octet-stream",
                "--data-binary",
            ])
            .arg(format!("@{}", file.display()))
            .args([
                "-w",
                "\n%{http_code} %{http_version} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_total} %{size_upload}",
                &url,
            ])
            .output()
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("run curl: {e}"))?;
    let wall = started.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "curl failed: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut lines = text.lines();
    let echoed: u64 = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    let w: Vec<&str> = lines.next().unwrap_or("").split(' ').collect();
    if w.len() != 7 || w[0] != "200" || echoed != expect {
        return Err(format!("curl: unexpected answer {text:?}"));
    }
    let f = |i: usize| w[i].parse::<f64>().unwrap_or(f64::NAN);
    Ok(json!({
        "http_version": w[1],
        "connect_s": f(2),
        "tls_done_s": f(3),
        "time_total_s": f(5),
        "upload_bytes": f(6),
        "process_wall_s": secs(wall),
    }))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The same bytes to the sink, three times: the median of curl's `time_total`.
async fn curl_three(sink: SocketAddr, file: &Path, expect: u64) -> Res<Value> {
    let mut all = Vec::new();
    for _ in 0..3 {
        all.push(curl(sink, file, expect).await?);
    }
    let mut totals: Vec<f64> = all
        .iter()
        .map(|c| c["time_total_s"].as_f64().unwrap_or(f64::NAN))
        .collect();
    let mut walls: Vec<f64> = all
        .iter()
        .map(|c| c["process_wall_s"].as_f64().unwrap_or(f64::NAN))
        .collect();
    Ok(json!({
        "time_total_s": median(&mut totals),
        "process_wall_s": median(&mut walls),
        "runs": all,
    }))
}

/// How the desk reaches head office in a run.
#[derive(Clone, Copy, Debug)]
enum Route {
    /// Through the tests' counting proxy: bytes on the wire, TLS included.
    Proxy,
    /// Straight to head office's port.
    Direct,
    /// Through [`Link`]: this bandwidth (bytes/s, each way) and round-trip time; curl's upload
    /// goes through the same kind of link to the sink.
    Shaped { bytes_per_s: f64, rtt: Duration },
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Proxy => "proxy",
            Route::Direct => "direct",
            Route::Shaped { .. } => "shaped",
        }
    }
}

/// One push run: a fresh head office and desk; the timed round; the curl upload of the same
/// bytes.
async fn push_run(args: &Args, run: usize, route: Route, sink: SocketAddr) -> Res<Value> {
    let office = Office::sqlite();
    let server = office.serve();
    let (proxy, link) = match route {
        Route::Proxy => (Some(Proxy::start(&server.addr).await), None),
        Route::Direct => (None, None),
        Route::Shaped { bytes_per_s, rtt } => (
            None,
            Some(Link::start(server.addr.clone(), bytes_per_s, rtt).await?),
        ),
    };
    let url = match (&proxy, &link) {
        (Some(p), _) => p.url(),
        (_, Some(l)) => format!("https://{}", l.addr),
        _ => server.url(),
    };
    say(format!(
        "run {run}: seeding {} applications ({} lifecycle)",
        args.applications,
        args.lifecycle.name()
    ));
    let d = desk(args.applications, args.lifecycle, 1 + run as u64)?;
    let code = office.code("Bench branch", &url);
    desk_sync::enrol(&d.access, &code, "bench desk", false, &clock)
        .await
        .map_err(|e| format!("enrol: {e}"))?;
    let records = d.outbox_len()?;
    let db_before = file_size(&d.db());
    say(format!(
        "run {run}: {records} outbox records seeded in {:.1} s; pushing ({})",
        d.seed_seconds,
        route.name()
    ));
    let load_before = loadavg();
    let wire_before = proxy.as_ref().map_or(0, Proxy::bytes_seen);
    let pushed = timed_round(&d)
        .await
        .map_err(|(e, _)| format!("sync_now: {e}"))?;
    let wire = proxy.as_ref().map(|p| p.bytes_seen() - wire_before);
    let load_after = loadavg();
    let r = pushed.report;
    let held = office.records();
    let pending = d.counts()?.pending();
    if r.records_pushed != records || held != records || pending != 0 {
        return Err(format!(
            "run {run}: pushed {} of {records}, head office holds {held}, {pending} pending",
            r.records_pushed
        ));
    }
    say(format!(
        "run {run}: {records} records in {:.2} s ({} batches, {} bytes)",
        pushed.wall.as_secs_f64(),
        r.batches,
        r.bytes_sent
    ));

    let rescan = acked_again(&d)?;

    // The same bytes, sealed again, in one plain HTTPS upload (through the same kind of link).
    let (bytes, sealing, batches, payload) = reseal(&d)?;
    let file = d.tmp.path().join("batches.bin");
    std::fs::write(&file, &bytes).map_err(|e| e.to_string())?;
    let sink_link = match route {
        Route::Shaped { bytes_per_s, rtt } => {
            Some(Link::start(sink.to_string(), bytes_per_s, rtt).await?)
        }
        _ => None,
    };
    let target = sink_link.as_ref().map_or(sink, |l| l.addr);
    let up = curl_three(target, &file, bytes.len() as u64).await?;
    let curl_s = up["time_total_s"].as_f64().unwrap_or(f64::NAN);
    let wall = pushed.wall.as_secs_f64();
    let per_record = |b: u64| (b as f64 / records as f64 * 10.0).round() / 10.0;
    Ok(json!({
        "measure": "push",
        "run": run,
        "route": route.name(),
        "link": match route {
            Route::Shaped { bytes_per_s, rtt } => json!({
                "mbit_per_s": bytes_per_s * 8.0 / 1e6,
                "rtt_ms": ms(rtt),
            }),
            _ => Value::Null,
        },
        "lifecycle": args.lifecycle.name(),
        "applications": args.applications,
        "application_rows": d.application_rows,
        "records": records,
        "seed_s": d.seed_seconds,
        "vault_db_bytes": db_before,
        "push_s": secs(pushed.wall),
        "records_per_s": (records as f64 / wall).round(),
        "batches": r.batches,
        "bytes_sent": r.bytes_sent,
        "bytes_sent_per_record": per_record(r.bytes_sent),
        "wire_bytes": wire,
        "wire_bytes_per_record": wire.map(per_record),
        "payload_bytes": payload,
        "feed_entries": r.feed_entries,
        "compacted": r.compacted,
        "phases": pushed.phases(),
        "acked_again_ms": rescan,
        "reseal": {
            "batches": batches,
            "bytes": bytes.len(),
            "sealing_s": secs(sealing),
        },
        "curl": up,
        "sync_over_curl": (wall / curl_s * 10.0).round() / 10.0,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }))
}

/// A link of limited bandwidth and fixed latency in front of `target`: each direction's bytes
/// leave one after another at `bytes_per_s` and arrive half the round trip later (no loss, no
/// queue limit, no TCP slow start of its own: a simple model of a branch's line).
struct Link {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Link {
    async fn start(target: String, bytes_per_s: f64, rtt: Duration) -> Res<Link> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("bind link: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let one_way = rtt / 2;
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let to = target.clone();
                tokio::spawn(async move {
                    if let Ok(outbound) = tokio::net::TcpStream::connect(&to).await {
                        let _ = inbound.set_nodelay(true);
                        let _ = outbound.set_nodelay(true);
                        let (ar, aw) = inbound.into_split();
                        let (br, bw) = outbound.into_split();
                        tokio::join!(
                            shape(ar, bw, bytes_per_s, one_way),
                            shape(br, aw, bytes_per_s, one_way)
                        );
                    }
                });
            }
        });
        Ok(Link { addr, task })
    }
}

/// One direction of a [`Link`].
async fn shape(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    bytes_per_s: f64,
    one_way: Duration,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::Instant as At;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(At, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut line_free = At::now();
        while let Ok(n) = from.read(&mut buf).await {
            if n == 0 {
                break;
            }
            // The line is busy until this chunk's last byte has left; it arrives a latency later.
            line_free = line_free.max(At::now()) + Duration::from_secs_f64(n as f64 / bytes_per_s);
            if tx.send((line_free + one_way, buf[..n].to_vec())).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

/// A resumed push: a fresh head office and desk behind the proxy; the connection cut after
/// `cut` bytes; then a round without the cut.
async fn resume_run(args: &Args, seed: u64, cut: u64, uncut_wire: u64) -> Res<Value> {
    let office = Office::sqlite();
    let server = office.serve();
    let proxy = Proxy::start(&server.addr).await;
    say(format!(
        "resume: seeding {} applications",
        args.applications
    ));
    let d = desk(args.applications, args.lifecycle, seed)?;
    let code = office.code("Bench branch", &proxy.url());
    desk_sync::enrol(&d.access, &code, "bench desk", false, &clock)
        .await
        .map_err(|e| format!("enrol: {e}"))?;
    let records = d.outbox_len()?;
    say(format!(
        "resume: {records} records; cutting the connection after {cut} bytes"
    ));
    proxy.cut_after(Some(cut));
    let before = proxy.bytes_seen();
    let first = sync_now(&d.access, &quiet, &clock).await;
    let first_wire = proxy.bytes_seen() - before;
    match &first {
        Err(Failure::Offline) => {}
        other => {
            return Err(format!(
                "the cut round must fail as offline, got {:?}",
                other.as_ref().map(|r| r.records_pushed)
            ));
        }
    }
    // Let head office finish whatever it was storing when the connection went.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let held_at_cut = office.records();
    let c = d.counts()?;
    proxy.cut_after(None);
    let before = proxy.bytes_seen();
    let second = timed_round(&d)
        .await
        .map_err(|(e, _)| format!("the second round: {e}"))?;
    let second_wire = proxy.bytes_seen() - before;
    let r = second.report;
    let held = office.records();
    let pending = d.counts()?.pending();
    if held != records || pending != 0 {
        return Err(format!(
            "resume: head office holds {held} of {records}, {pending} pending"
        ));
    }
    let left = records - c.acked as u64;
    let (all, _, _, _) = reseal(&d)?;
    let batches_needed = (records - held_at_cut).div_ceil(BATCH_RECORDS as u64);
    say(format!(
        "resume: cut round put {first_wire} bytes through, desk had {} acknowledged and {} in flight, head office held {held_at_cut}; the second round pushed {} records in {} batches ({:.2} s)",
        c.acked,
        c.sent,
        r.records_pushed,
        r.batches,
        second.wall.as_secs_f64()
    ));
    Ok(json!({
        "measure": "resume",
        "lifecycle": args.lifecycle.name(),
        "applications": args.applications,
        "records": records,
        "cut_after_bytes": cut,
        "uncut_round_wire_bytes": uncut_wire,
        // This desk's whole outbox in batches, sealed again (against the median run's bytes).
        "resealed_batch_bytes": all.len(),
        "first_round": {
            "wire_bytes": first_wire,
            "desk_acked": c.acked,
            "desk_in_flight": c.sent,
            "desk_queued": c.queued,
            "head_office_held": held_at_cut,
        },
        "second_round": {
            "push_s": secs(second.wall),
            "records_pushed": r.records_pushed,
            "batches": r.batches,
            "batches_needed": batches_needed,
            "bytes_sent": r.bytes_sent,
            "wire_bytes": second_wire,
        },
        // What the desk had not seen acknowledged when the connection went.
        "left_at_cut": left,
        // Records the second round sent beyond those (it starts from head office's cursor).
        "resent_beyond_left": r.records_pushed.saturating_sub(left),
        // Records that went on the wire twice: in flight at the cut and not stored.
        "sent_twice": (c.acked as u64 + c.sent as u64).saturating_sub(held_at_cut),
        // Both rounds' bytes through the proxy beyond the median run's uncut round.
        "wire_overhead_bytes": (first_wire + second_wire) as i64 - uncut_wire as i64,
    }))
}

async fn push_mode(args: &Args) -> Res<()> {
    let sink = sink().await?;
    say(format!(
        "{} cores; load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    ));
    let mut proxied = Vec::new();
    for run in 1..=args.runs {
        let v = push_run(args, run, Route::Proxy, sink).await?;
        emit(&v);
        proxied.push(v);
    }
    let mut run = args.runs;
    for _ in 0..args.direct_runs {
        run += 1;
        emit(&push_run(args, run, Route::Direct, sink).await?);
    }
    if let Some((mbit, rtt_ms)) = args.link {
        run += 1;
        let route = Route::Shaped {
            bytes_per_s: mbit * 1e6 / 8.0,
            rtt: Duration::from_secs_f64(rtt_ms / 1000.0),
        };
        emit(&push_run(args, run, route, sink).await?);
    }
    if proxied.is_empty() {
        return Ok(());
    }
    // The median run by push time.
    proxied.sort_by(|a, b| {
        a["push_s"]
            .as_f64()
            .partial_cmp(&b["push_s"].as_f64())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mid = &proxied[proxied.len() / 2];
    let times: Vec<f64> = proxied
        .iter()
        .filter_map(|v| v["push_s"].as_f64())
        .collect();
    emit(&json!({
        "measure": "push-median",
        "runs": proxied.len(),
        "push_s_sorted": times,
        "median_run": mid["run"],
        "push_s": mid["push_s"],
        "records_per_s": mid["records_per_s"],
        "sync_over_curl": mid["sync_over_curl"],
    }));
    let uncut = mid["wire_bytes"].as_u64().ok_or("no wire bytes")?;
    // The same generated records as the median run (ids and encryption differ), so its uncut
    // bytes are this desk's too, within a few hundred bytes.
    let seed = 1 + mid["run"].as_u64().ok_or("no run number")?;
    emit(&resume_run(args, seed, uncut / 2, uncut).await?);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// compact

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn sizes(d: &Desk) -> Value {
    let db = d.db();
    let wal = db.with_file_name("vault.db-wal");
    json!({
        "vault_db": file_size(&db),
        "wal": file_size(&wal),
        "folder": dir_size(&d.folder()),
    })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn compact_mode(args: &Args) -> Res<()> {
    say(format!(
        "seeding {} applications, one client each ({} lifecycle); load average {}",
        args.applications,
        args.lifecycle.name(),
        loadavg()
    ));
    let d = desk(args.applications, args.lifecycle, 7)?;
    let records_seeded = d.outbox_len()?;
    let after_seed = sizes(&d);
    say(format!(
        "seeded {records_seeded} outbox records in {:.1} s: {after_seed}",
        d.seed_seconds
    ));
    let mut v = d.access.lock();
    let now = Utc::now();
    // A head office that exists only in the vault: nothing is sent anywhere.
    let dummy = SecretKeys::generate().public();
    v.enrol_head_office(
        &Enrolment {
            url: "https://127.0.0.1:1",
            cert_sha256: &"0".repeat(64),
            signing: &dummy.signing_hex(),
            recipient: &dummy.recipient.to_string(),
            branch: "Bench branch",
            device_id: "bench-device",
        },
        false,
        now,
    )
    .map_err(|e| format!("enrol: {e}"))?;
    let c = v.outbox_counts().map_err(|e| e.to_string())?;
    let last = (c.queued + c.sent + c.acked + c.refused) as u64;
    let t = Instant::now();
    v.outbox_acked(last, &"0".repeat(64), None, now)
        .map_err(|e| format!("outbox_acked: {e}"))?;
    let ack_s = secs(t.elapsed());
    drop(v);
    let after_ack = sizes(&d);
    say(format!(
        "{last} records acknowledged in {ack_s} s: {after_ack}; compacting"
    ));
    // `compact_outbox` is these steps of 2 000 payloads until none is left, then VACUUM when a
    // quarter of the file is free: the steps are taken here one by one to time them apart.
    let later = now + chrono::Duration::days(31);
    let retention = chrono::Duration::days(30);
    let mut v = d.access.lock();
    let t = Instant::now();
    let mut steps = Vec::new();
    let (mut dropped, mut dropped_bytes) = (0, 0);
    loop {
        let step = Instant::now();
        let c = v
            .drop_acked_payloads(later, retention, 2000)
            .map_err(|e| format!("drop payloads: {e}"))?;
        if c.records == 0 {
            break;
        }
        steps.push(step.elapsed());
        dropped += c.records;
        dropped_bytes += c.bytes;
    }
    let drop_s = secs(t.elapsed());
    drop(v);
    let after_drop = sizes(&d);
    say(format!(
        "dropped {dropped} payloads ({dropped_bytes} bytes) in {drop_s} s ({} steps): {after_drop}; rewriting the file",
        steps.len()
    ));
    let mut v = d.access.lock();
    let t = Instant::now();
    let compaction = v
        .compact_outbox(later, retention)
        .map_err(|e| format!("compact: {e}"))?;
    let vacuum_s = secs(t.elapsed());
    drop(v);
    let compact_s = drop_s + vacuum_s;
    let after_compact = sizes(&d);
    say(format!(
        "compact_outbox then dropped {} more and took {vacuum_s} s (vacuumed: {}): {after_compact}",
        compaction.records, compaction.vacuumed
    ));
    let step_ms = |i: usize| steps.get(i).map_or(0.0, |d| ms(*d));
    let n = steps.len();
    let v = d.access.lock();
    let counts = v.outbox_counts().map_err(|e| e.to_string())?;
    let space: Vec<Value> = vault::bench::space_used(&v)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(name, bytes)| json!([name, bytes]))
        .collect();
    drop(v);
    let Desk {
        tmp,
        _keychain,
        access,
        seed_seconds,
        application_rows,
    } = d;
    // Closing the last connection checkpoints the WAL into vault.db and removes it.
    drop(access);
    let folder = tmp.path().join("vault");
    let db = folder.join("vault.db");
    let after_close = json!({
        "vault_db": file_size(&db),
        "wal": file_size(&db.with_file_name("vault.db-wal")),
        "folder": dir_size(&folder),
    });
    emit(&json!({
        "measure": "compact",
        "lifecycle": args.lifecycle.name(),
        "applications": args.applications,
        "application_rows": application_rows,
        "records": last,
        "seed_s": seed_seconds,
        "sizes_after_seed": after_seed,
        "ack_s": ack_s,
        "sizes_after_ack": after_ack,
        "compact_s": compact_s,
        "drop_payloads_s": drop_s,
        "drop_steps": n,
        "drop_step_ms": {
            "first": step_ms(0),
            "quarter": step_ms(n / 4),
            "half": step_ms(n / 2),
            "three_quarters": step_ms(n * 3 / 4),
            "last": step_ms(n.saturating_sub(1)),
        },
        "sizes_after_drop": after_drop,
        "vacuum_s": vacuum_s,
        "compacted_records": dropped + compaction.records,
        "compacted_payload_bytes": dropped_bytes + compaction.bytes,
        "vacuumed": compaction.vacuumed,
        "acked_after": counts.acked,
        "sizes_after_compact": after_compact,
        "sizes_after_close": after_close,
        "space_used_after": space,
    }));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generated records

/// splitmix64: small and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SURNAMES: &[&str] = &[
    "Ахметов",
    "Сапаров",
    "Қасымов",
    "Жұмабаев",
    "Нұрланов",
    "Серіков",
    "Омаров",
    "Искаков",
    "Тулегенов",
    "Бекмуханов",
    "Иванов",
    "Смирнов",
    "Ким",
    "Петров",
    "Ли",
    "Шевченко",
];
const MEN: &[&str] = &[
    "Ержан",
    "Нұрлан",
    "Асқар",
    "Дәурен",
    "Бауыржан",
    "Тимур",
    "Сергей",
    "Андрей",
    "Алексей",
];
const WOMEN: &[&str] = &[
    "Әлия",
    "Айгүл",
    "Гүлнар",
    "Динара",
    "Жанар",
    "Сәуле",
    "Елена",
    "Ольга",
    "Наталья",
];
const PATRONYMICS: &[(&str, &str)] = &[
    ("Серікұлы", "Серікқызы"),
    ("Нұрланұлы", "Нұрланқызы"),
    ("Болатович", "Болатовна"),
    ("Сергеевич", "Сергеевна"),
];
const CITIES: &[&str] = &[
    "Алматы",
    "Астана",
    "Шымкент",
    "Қарағанды",
    "Ақтөбе",
    "Павлодар",
];
const STREETS: &[&str] = &[
    "ул. Абая",
    "пр. Республики",
    "ул. Төле би",
    "мкр. Самал-2",
    "ул. Сатпаева",
];
const EMPLOYERS: &[(&str, &str)] = &[
    ("ТОО «Рассвет»", "бухгалтер"),
    ("АО «Казпочта»", "оператор"),
    ("ИП Сапаров", "продавец"),
    ("КГУ «Школа-гимназия №12»", "учитель"),
];
const PURPOSES: &[&str] = &[
    "ремонт жилья",
    "лечение",
    "обучение",
    "покупка бытовой техники",
    "пополнение оборотных средств",
];
const MOBILE_CODES: &[&str] = &[
    "700", "701", "702", "705", "707", "747", "771", "775", "777",
];

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn female(surname: &str) -> String {
    if ["ов", "ев", "ин"].iter().any(|s| surname.ends_with(s)) {
        format!("{surname}а")
    } else {
        surname.to_owned()
    }
}

/// Client `i`: a `domain::client::check`ed record with a distinct IIN and phone.
fn client(i: usize, rng: &mut Rng, iins: &mut HashSet<String>) -> Res<Client> {
    let sex = if rng.chance(55) {
        Sex::Female
    } else {
        Sex::Male
    };
    let male = SURNAMES[rng.below(SURNAMES.len())];
    let (given, surname) = match sex {
        Sex::Male => (MEN[rng.below(MEN.len())], male.to_owned()),
        Sex::Female => (WOMEN[rng.below(WOMEN.len())], female(male)),
    };
    let (son, daughter) = PATRONYMICS[rng.below(PATRONYMICS.len())];
    let (birth, iin) = loop {
        let birth = NaiveDate::from_ymd_opt(1960, 1, 1).ok_or("date")?
            + chrono::Duration::days(rng.below(45 * 365) as i64);
        if let Some(iin) = Iin::compose(birth, sex, rng.below(10_000) as u32).map(String::from)
            && iins.insert(iin.clone())
        {
            break (birth, iin);
        }
    };
    let issued = (birth + chrono::Duration::days(16 * 366))
        .max(today() - chrono::Duration::days(rng.below(9 * 365) as i64 + 1));
    let expires = issued + chrono::Duration::days(10 * 365);
    let subscriber = (i as u64 * 3_137_071 + 1_234_567) % 10_000_000;
    let city = CITIES[rng.below(CITIES.len())];
    let address = format!(
        "{city}, {}, д. {}, кв. {}",
        STREETS[rng.below(STREETS.len())],
        1 + rng.below(200),
        1 + rng.below(150)
    );
    let (employer, position) = EMPLOYERS[rng.below(EMPLOYERS.len())];
    let date = |d: NaiveDate| d.format("%d.%m.%Y").to_string();
    let form = ClientForm {
        iin,
        surname,
        given_name: given.to_owned(),
        patronymic: match sex {
            Sex::Male => son.to_owned(),
            Sex::Female => daughter.to_owned(),
        },
        birth_date: date(birth),
        sex: Some(sex),
        phone: format!(
            "8{}{subscriber:07}",
            MOBILE_CODES[rng.below(MOBILE_CODES.len())]
        ),
        email: if rng.chance(20) {
            format!("client{i}@mail.kz")
        } else {
            String::new()
        },
        registration_address: address.clone(),
        actual_address: address,
        document_kind: Some(DocumentKind::IdCard),
        document_number: format!("{:09}", 40_000_000 + i),
        document_issuer: "МВД РК".into(),
        document_issued_on: date(issued),
        document_expires_on: date(expires),
        employer: employer.into(),
        position: position.into(),
        monthly_income: (150_000 + 5_000 * rng.below(150)).to_string(),
    };
    domain::client::check(&form, today())
        .map_err(|p| format!("generated client {i} is not valid: {p:?}"))
}

/// Valid terms over the shipped products, with their quotes.
fn terms_pool(rng: &mut Rng, catalog: &Catalog) -> Res<Vec<Terms>> {
    let mut pool = Vec::new();
    let mut tries = 0;
    while pool.len() < 200 {
        tries += 1;
        if tries > 10_000 {
            return Err("could not make valid terms from the shipped catalog".into());
        }
        let (product, amount, months) = match rng.below(10) {
            0..=5 => (
                "consumer-12",
                50_000 + 10_000 * rng.below(150),
                7 + rng.below(30),
            ),
            6..=8 => (
                "business-24",
                300_000 + 50_000 * rng.below(100),
                6 + rng.below(55),
            ),
            _ => ("short-1", 10_000 + 5_000 * rng.below(29), 1),
        };
        let form = ApplicationForm {
            product_id: product.into(),
            amount: amount.to_string(),
            months: months as u32,
            method: Some(if product == "short-1" || rng.chance(70) {
                Method::Annuity
            } else {
                Method::EqualPrincipal
            }),
            purpose: PURPOSES[rng.below(PURPOSES.len())].into(),
        };
        if let Ok(t) = domain::application::check(&form, catalog, today()) {
            pool.push(t);
        }
    }
    Ok(pool)
}
