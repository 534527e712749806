//! Ingest load for head office (BENCHMARKS.md, "Head office ingest"): enrols desks with one-time
//! codes, then pushes each desk's outbox to a running `branchdesk-hq serve` the way a desk does,
//! timing every batch, and prints one JSON object with the results.
//!
//!   cargo run --release -p branchdesk-hq --example ingest_load -- \
//!       --url https://127.0.0.1:PORT --codes codes.txt --applications 10000 --batch 500 --desks 1
//!
//! `scripts/bench-hq.sh` starts a fresh head office on SQLite and on PostgreSQL and runs this
//! against it. Codes come from `branchdesk-hq enrol` (one per desk: they are single use), from a
//! file (`--codes`, one a line) or repeated `--code`. `--url` overrides the URL inside the codes
//! (the server usually listens on a port chosen at start); the pinned certificate and keys are
//! still the code's.
//!
//! Every application is one client and its steps, as the desk's vault writes them to its outbox:
//! `client.add` (the checked `domain::client::Client` as JSON), `application.create` and
//! `application.submit` (the version's JSON with its quote and schedule, as `applications.rs`
//! queues it), and for every tenth application `application.refer` (the checker passes it to head
//! office). Clients are valid records (IIN with its check digit, agreeing birth date and sex);
//! terms are checked against the shipped catalog, so the payloads have the real shape and size.
//! Applications are shared out over the desks; the desks push at the same time, each its batches
//! in order, sealing each batch (zstd + age to head office, Ed25519 signature) on the prev_hash of
//! the previous acknowledgement, as `Client::push_records` does.
//!
//! Reported: records, applications, batches, wall time of the push phase (sealing included),
//! records/s, per-batch latency of `Client::push` (request to verified ack) p50/p99/max, bytes
//! sent (envelopes), and the time spent sealing.

// A benchmark times real runs and stamps what it sends with the real clock.
#![allow(clippy::disallowed_methods)]

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use clap::Parser;
use domain::application::{ApplicationForm, Terms};
use domain::catalog::Catalog;
use domain::client::{ClientForm, DocumentKind};
use domain::iin::{Iin, Sex};
use domain::schedule::Method;
use sync::SecretKeys;
use sync::batch::{AuditHead, BatchInput, Record, SealedBatch};
use sync::client::{Client, ClientError};
use sync::enrol::EnrolmentCode;

/// Pushes a generated outbox to head office and times it.
#[derive(Parser, Debug)]
#[command(name = "ingest_load")]
struct Args {
    /// Head office's URL (default: the one in the codes).
    #[arg(long)]
    url: Option<String>,
    /// A file of enrolment codes, one a line (blank lines ignored).
    #[arg(long)]
    codes: Option<PathBuf>,
    /// An enrolment code (repeat for several desks).
    #[arg(long = "code")]
    code: Vec<String>,
    /// Applications in all (shared out over the desks).
    #[arg(long, default_value_t = 10_000)]
    applications: usize,
    /// Records per batch.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Desks pushing at the same time (needs as many codes).
    #[arg(long, default_value_t = 1)]
    desks: usize,
    /// Seed of the generated data (same seed, same records apart from ids and times).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ingest_load: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(report) => {
            println!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ingest_load: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// One enrolled desk with its outbox.
struct Desk {
    device: String,
    keys: SecretKeys,
    client: Client,
    head_office: sync::PeerKeys,
    records: Vec<Record>,
}

/// What one desk measured.
#[derive(Default)]
struct DeskResult {
    latencies: Vec<Duration>,
    bytes: u64,
    seal: Duration,
}

async fn run(args: Args) -> Result<String, String> {
    if args.desks == 0 || args.batch == 0 || args.applications < args.desks {
        return Err(
            "--desks and --batch must be at least 1, --applications at least --desks".into(),
        );
    }
    let mut texts = args.code.clone();
    if let Some(path) = &args.codes {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        texts.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    if texts.len() < args.desks {
        return Err(format!(
            "{} desks need {} enrolment codes (single use); got {}",
            args.desks,
            args.desks,
            texts.len()
        ));
    }

    // Enrol every desk first (not timed).
    let mut desks = Vec::with_capacity(args.desks);
    for (i, text) in texts.iter().take(args.desks).enumerate() {
        let code =
            EnrolmentCode::decode(text).map_err(|e| format!("enrolment code {}: {e}", i + 1))?;
        let url = args.url.clone().unwrap_or_else(|| code.url.clone());
        let client = Client::new(&url, code.cert_sha256, code.head_office.clone())
            .map_err(|e| format!("client for {url}: {e}"))?;
        let keys = SecretKeys::generate();
        let answer = client
            .enrol(&code, &keys, &format!("bench-desk-{}", i + 1))
            .await
            .map_err(|e| format!("enrolling desk {}: {e}", i + 1))?;
        desks.push(Desk {
            device: answer.device,
            keys,
            client,
            head_office: code.head_office.clone(),
            records: Vec::new(),
        });
    }

    // Generate the outboxes (not timed).
    let generated = Instant::now();
    let catalog = Catalog::from_json(include_str!("../../../../config/catalog.json"))
        .map_err(|e| format!("shipped catalog: {e}"))?;
    let mut rng = Rng(args.seed);
    let pool = terms_pool(&mut rng, &catalog)?;
    let mut iins = HashSet::new();
    let start = Utc::now() - chrono::Duration::days(30);
    let per_desk = args.applications / args.desks;
    let extra = args.applications % args.desks;
    let mut app_index = 0usize;
    let mut payload_bytes = 0u64;
    for (d, desk) in desks.iter_mut().enumerate() {
        let n = per_desk + usize::from(d < extra);
        let maker = random_id();
        let checker = random_id();
        let mut out = Outbox {
            records: Vec::with_capacity(n * 3 + n / 10 + 1),
            at: start,
        };
        for _ in 0..n {
            let client = client(app_index, &mut rng, &mut iins)?;
            let terms = &pool[rng.below(pool.len())];
            let client_id = random_id();
            out.push(&maker, "client.add", &client_id, client.into_bytes());
            let id = random_id();
            let v = Version {
                id: &id,
                client_id: &client_id,
                terms,
                maker: &maker,
            };
            out.push(
                &maker,
                "application.create",
                &id,
                v.payload("draft", "create"),
            );
            out.push(
                &maker,
                "application.submit",
                &id,
                v.payload("submitted", "submit"),
            );
            if app_index % 10 == 9 {
                out.push(
                    &checker,
                    "application.refer",
                    &id,
                    v.payload("referred", "refer"),
                );
            }
            app_index += 1;
        }
        payload_bytes += out
            .records
            .iter()
            .map(|r| r.payload.len() as u64)
            .sum::<u64>();
        desk.records = out.records;
    }
    let generation = generated.elapsed();
    let records: usize = desks.iter().map(|d| d.records.len()).sum();
    eprintln!(
        "ingest_load: {} desks enrolled, {records} records for {} applications generated in {:.1} s; pushing in batches of {}",
        desks.len(),
        args.applications,
        generation.as_secs_f64(),
        args.batch
    );

    // Push: every desk at once, each its batches in order.
    let started = Instant::now();
    let batch = args.batch;
    let tasks: Vec<_> = desks
        .into_iter()
        .map(|desk| tokio::spawn(push_all(desk, batch)))
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.map_err(|e| format!("desk task: {e}"))??);
    }
    let total = started.elapsed();

    let mut latencies: Vec<Duration> = results.iter().flat_map(|r| r.latencies.clone()).collect();
    latencies.sort();
    let bytes: u64 = results.iter().map(|r| r.bytes).sum();
    let seal: Duration = results.iter().map(|r| r.seal).sum();
    let ms = |d: Duration| (d.as_secs_f64() * 1e5).round() / 100.0;
    let report = serde_json::json!({
        "desks": args.desks,
        "applications": args.applications,
        "records": records,
        "batches": latencies.len(),
        "batch_size": args.batch,
        "total_seconds": (total.as_secs_f64() * 1000.0).round() / 1000.0,
        "records_per_second": (records as f64 / total.as_secs_f64()).round(),
        "batch_ms": {
            "p50": ms(percentile(&latencies, 50.0)),
            "p99": ms(percentile(&latencies, 99.0)),
            "max": ms(latencies.last().copied().unwrap_or_default()),
            "mean": ms(latencies.iter().sum::<Duration>() / latencies.len().max(1) as u32),
        },
        "bytes_sent": bytes,
        "payload_bytes": payload_bytes,
        "seal_seconds": (seal.as_secs_f64() * 1000.0).round() / 1000.0,
        "generation_seconds": (generation.as_secs_f64() * 1000.0).round() / 1000.0,
    });
    Ok(report.to_string())
}

/// Pushes one desk's outbox from what head office has stored, batch by batch.
async fn push_all(desk: Desk, batch: usize) -> Result<DeskResult, String> {
    let now = || Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let fail = |what: &str, e: ClientError| {
        let hint = match &e {
            ClientError::Refused(r) if r.code == sync::refusal::RefusalCode::RateLimited => {
                " (start the server with a higher --rate)"
            }
            _ => "",
        };
        format!("{}: {what}: {e}{hint}", desk.device)
    };
    let mut ack = desk
        .client
        .cursor(&desk.device, &desk.keys, &now())
        .await
        .map_err(|e| fail("cursor", e))?;
    let mut result = DeskResult::default();
    let mut audit_hash = [0u8; 32];
    while (ack.acked_seq as usize) < desk.records.len() {
        let from = ack.acked_seq as usize;
        let to = (from + batch).min(desk.records.len());
        let sealing = Instant::now();
        let prev = ack
            .verify(&desk.head_office)
            .map_err(|e| format!("{}: ack: {e}", desk.device))?;
        // The desk's audit chain advances with its records; a stand-in hash chain here.
        audit_hash = sync::sha256(&[&audit_hash[..], &(to as u64).to_be_bytes()].concat());
        let sealed = SealedBatch::seal(
            &BatchInput {
                device: &desk.device,
                prev_hash: prev,
                created_at: &now(),
                audit_head: Some(AuditHead {
                    seq: to as u64,
                    hash: audit_hash,
                }),
                records: &desk.records[from..to],
            },
            &desk.keys,
            &desk.head_office,
        )
        .map_err(|e| format!("{}: sealing: {e}", desk.device))?;
        let size = sealed.to_bytes().len() as u64;
        result.seal += sealing.elapsed();
        let pushed = Instant::now();
        let next = desk
            .client
            .push(&sealed)
            .await
            .map_err(|e| fail(&format!("batch {}..={}", from + 1, to), e))?;
        result.latencies.push(pushed.elapsed());
        result.bytes += size;
        if next.acked_seq != to as u64 {
            return Err(format!(
                "{}: pushed records {}..={}, head office acknowledged up to {}",
                desk.device,
                from + 1,
                to,
                next.acked_seq
            ));
        }
        ack = next;
    }
    Ok(result)
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The outbox being written: records numbered from 1, a few minutes apart.
struct Outbox {
    records: Vec<Record>,
    at: DateTime<Utc>,
}

impl Outbox {
    fn push(&mut self, officer: &str, action: &str, entity: &str, payload: Vec<u8>) {
        self.at += chrono::Duration::seconds(53);
        self.records.push(Record {
            seq: self.records.len() as u64 + 1,
            created_at: self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            officer_id: officer.to_owned(),
            action: action.to_owned(),
            entity_id: entity.to_owned(),
            payload,
        });
    }
}

/// An application version, as the vault's `applications.rs` queues it for a step.
struct Version<'a> {
    id: &'a str,
    client_id: &'a str,
    terms: &'a Terms,
    maker: &'a str,
}

impl Version<'_> {
    fn payload(&self, stage: &str, step: &str) -> Vec<u8> {
        let t = self.terms;
        serde_json::json!({
            "id": self.id,
            "lineage": self.id,
            "version": 1,
            "replaces": null,
            "client_id": self.client_id,
            "product_id": t.product_id,
            "amount_tiyn": t.amount.tiyn(),
            "months": t.months,
            "method": match t.method {
                Method::Annuity => "annuity",
                Method::EqualPrincipal => "equal-principal",
            },
            "purpose": t.purpose,
            "stage": stage,
            "maker_id": self.maker,
            "quote": { "quote_date": t.issue_date, "quote": t.quote },
            "step": step,
            "reason": null,
        })
        .to_string()
        .into_bytes()
    }
}

/// 32 hex digits, as the vault's ids.
fn random_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

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

/// Client `i` as `client.add` carries it: the checked record's JSON.
fn client(i: usize, rng: &mut Rng, iins: &mut HashSet<String>) -> Result<String, String> {
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
    let checked = domain::client::check(&form, today())
        .map_err(|p| format!("generated client {i} is not valid: {p:?}"))?;
    serde_json::to_string(&checked).map_err(|e| e.to_string())
}

/// Valid terms over the shipped products, with their quotes.
fn terms_pool(rng: &mut Rng, catalog: &Catalog) -> Result<Vec<Terms>, String> {
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
