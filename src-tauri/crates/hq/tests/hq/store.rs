//! The store contract: every case runs on both back ends (`on_sqlite::…`, `on_postgres::…`),
//! plus PostgreSQL-only tests of several server instances sharing one database (`pg_only::…`).
//!
//! The PostgreSQL tests need a server: `scripts/pg-throwaway.sh run -- cargo test -p
//! branchdesk-hq --test hq` starts a throwaway one and sets `BRANCHDESK_TEST_PG_URL` and
//! `BRANCHDESK_TEST_PG_ADMIN_URL`; each test creates a database of its own and drops it at the
//! end. Without those variables the PostgreSQL tests fail, they never skip.

use std::ops::RangeInclusive;

use hq::ingest::Incoming;
use hq::store::{
    AnyStore, ApplicationRow, AttachmentState, Counts, Decision, Device, Ingest, NewDevice,
    NewEnrolment, Postgres, Store, StoreError, Stored,
};
use sha2::Digest;
use sync::batch::{AuditHead, Record};
use sync::feed::FeedKind;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// Generates, for each case `fn x(s: AnyStore)`, `on_sqlite::x` (a fresh file) and
/// `on_postgres::x` (a fresh database).
macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let dir = tempfile::tempdir().expect("a temp folder");
                    let store = super::sqlite_store(dir.path()).await;
                    super::$case(store).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = super::PgDb::create().await;
                    super::$case(db.store().await).await;
                }
            )*
        }
    };
}

contract!(
    enrolment_is_single_use,
    enrolment_expires,
    enrolment_unknown_code,
    enrolment_same_key_twice,
    enrolment_again_after_revocation,
    ingest_first_batch_then_next,
    ingest_same_batch_again,
    ingest_rebatched_overlap,
    ingest_gap,
    ingest_wrong_prev,
    ingest_conflict_stores_nothing_of_the_batch,
    ingest_revoked_device,
    ingest_unknown_device,
    projections,
    another_desk_cannot_move_an_application,
    decide,
    publish_and_feed,
    feed_pages_by_size,
    chunks,
    counts,
    devices_and_touch,
);

async fn sqlite_store(dir: &std::path::Path) -> AnyStore {
    let url = format!("sqlite://{}", dir.join("hq.db").display());
    let store = AnyStore::open(&url).await.expect("open the SQLite store");
    assert!(matches!(store, AnyStore::Sqlite(_)));
    store
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set. The PostgreSQL store tests need a server: run them through \
             scripts/pg-throwaway.sh, which starts a throwaway one and sets it: \
             `scripts/pg-throwaway.sh run -- cargo test -p branchdesk-hq --test hq` \
             (the SQLite half alone: `cargo test -p branchdesk-hq --test hq on_sqlite`)"
        )
    })
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let host = base.find("://").map_or(0, |i| i + 3);
    let base = match base[host..].find('/') {
        Some(i) => &base[..host + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn admin_client(admin: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to BRANCHDESK_TEST_PG_ADMIN_URL: {e}"));
    tokio::spawn(conn);
    client
}

/// A database of its own for one test, dropped (best effort) when the test ends, failed or not.
struct PgDb {
    admin: String,
    name: String,
    url: String,
}

impl PgDb {
    async fn create() -> Self {
        let admin = env("BRANCHDESK_TEST_PG_ADMIN_URL");
        let base = env("BRANCHDESK_TEST_PG_URL");
        let name = format!("hq_test_{:016x}", rand::random::<u64>());
        admin_client(&admin)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = with_database(&base, &name);
        Self { admin, name, url }
    }

    async fn store(&self) -> AnyStore {
        let store = AnyStore::open(&self.url)
            .await
            .expect("open the PostgreSQL store");
        assert!(matches!(store, AnyStore::Postgres(_)));
        store
    }

    async fn client(&self) -> tokio_postgres::Client {
        admin_client(&self.url).await
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // On a thread of its own: this may run on the test's runtime, which cannot block on
        // another future. FORCE ends the store's pooled connections still open.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                tokio::spawn(conn);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

const NOW: &str = "2026-12-02T10:00:00Z";
const LATER: &str = "2027-01-01T00:00:00Z";
const ZERO: [u8; 32] = [0; 32];

fn token(n: u8) -> [u8; 32] {
    [n; 32]
}

/// A batch hash (the store only compares them).
fn h(n: u8) -> [u8; 32] {
    let mut x = [0xab; 32];
    x[0] = n;
    x
}

fn key(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

async fn code(s: &AnyStore, n: u8, expires_at: &str) {
    s.create_enrolment(NewEnrolment {
        token_sha256: token(n),
        branch: "almaty-1".into(),
        created_at: "2026-12-01T10:00:00Z".into(),
        expires_at: expires_at.into(),
    })
    .await
    .expect("create an enrolment code");
}

fn desk(id: &str, signing: &str) -> NewDevice {
    NewDevice {
        id: id.into(),
        name: format!("desk {id}"),
        signing: signing.into(),
        recipient: format!("age1{id}"),
    }
}

/// Enrols device `id` with code and key number `n`.
async fn enrolled(s: &AnyStore, n: u8, id: &str) -> Device {
    code(s, n, LATER).await;
    s.enrol(token(n), desk(id, &key(n)), NOW.into())
        .await
        .expect("enrol")
}

fn record(seq: u64, action: &str, entity: &str, payload: &str) -> Incoming {
    Incoming::new(Record {
        seq,
        created_at: format!("2026-12-02T09:{:02}:{:02}Z", seq / 60 % 60, seq % 60),
        officer_id: "off-1".into(),
        action: action.into(),
        entity_id: entity.into(),
        payload: payload.as_bytes().to_vec(),
    })
}

/// A record kept as a record only.
fn plain(seq: u64) -> Incoming {
    record(
        seq,
        "vault.backup",
        &format!("b-{seq}"),
        &format!("{{\"n\":{seq}}}"),
    )
}

fn plains(seqs: RangeInclusive<u64>) -> Vec<Incoming> {
    seqs.map(plain).collect()
}

fn batch(device: &str, prev: [u8; 32], hash: [u8; 32], records: Vec<Incoming>) -> Ingest {
    Ingest {
        device: device.into(),
        first_seq: records.first().map_or(0, |r| r.record.seq),
        last_seq: records.last().map_or(0, |r| r.record.seq),
        prev_hash: prev,
        hash,
        envelope: [&b"envelope "[..], &hash[..]].concat(),
        audit_head: None,
        received_at: NOW.into(),
        records,
    }
}

fn stored(acked_seq: u64, head_hash: [u8; 32], new_records: u64) -> Stored {
    Stored {
        acked_seq,
        head_hash,
        new_records,
    }
}

fn app_payload(id: &str, lineage: &str, stage: &str, step: &str) -> String {
    serde_json::json!({
        "id": id, "lineage": lineage, "version": 1, "client_id": "c-1",
        "product_id": "consumer-12", "amount_tiyn": 50_000_000, "months": 12,
        "stage": stage, "maker_id": "off-1", "step": step, "reason": null,
    })
    .to_string()
}

fn app_step(seq: u64, id: &str, stage: &str, step: &str) -> Incoming {
    record(
        seq,
        &format!("application.{step}"),
        id,
        &app_payload(id, id, stage, step),
    )
}

/// Device `dev-a` with client c-1, application a-1 referred (create, submit, refer) and a-2
/// submitted; device `dev-b` with nothing.
async fn two_applications(s: &AnyStore) -> (Device, Device) {
    let a = enrolled(s, 1, "dev-a").await;
    let b = enrolled(s, 2, "dev-b").await;
    let records = vec![
        record(1, "client.add", "c-1", r#"{"id":"c-1","name":"Aigerim"}"#),
        app_step(2, "a-1", "draft", "create"),
        app_step(3, "a-1", "submitted", "submit"),
        app_step(4, "a-1", "referred", "refer"),
        app_step(5, "a-2", "draft", "create"),
        app_step(6, "a-2", "submitted", "submit"),
    ];
    let got = s.ingest(batch("dev-a", ZERO, h(1), records)).await;
    assert_eq!(got, Ok(stored(6, h(1), 6)));
    (a, b)
}

async fn counts_of(s: &AnyStore) -> Counts {
    s.counts().await.expect("counts")
}

fn decision(id: &str, outcome: &str) -> Decision {
    Decision {
        application_id: id.into(),
        outcome: outcome.into(),
        reason: "within policy".into(),
        decided_by: "credit-committee".into(),
        decided_at: "2026-12-02T11:00:00Z".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

async fn enrolment_again_after_revocation(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    assert_eq!(s.revoke("dev-a".into(), NOW.into()).await, Ok(true));
    s.create_enrolment(NewEnrolment {
        token_sha256: token(4),
        branch: "astana-2".into(),
        created_at: NOW.into(),
        expires_at: LATER.into(),
    })
    .await
    .expect("a code for another branch");
    assert_eq!(
        s.enrol(token(4), desk("dev-x", &key(1)), NOW.into()).await,
        Err(StoreError::KeyEnrolled),
        "a revoked desk does not come back through another branch's code"
    );
    code(&s, 2, LATER).await;
    let back = s
        .enrol(token(2), desk("dev-b", &key(1)), NOW.into())
        .await
        .expect("a revoked desk enrols again with a new code");
    assert_eq!(
        (back.id.as_str(), back.status.as_str()),
        ("dev-a", "active"),
        "it gets its own device back, active, with its cursor"
    );
    assert_eq!(s.device("dev-b".into()).await, Ok(None), "no second device");
    assert_eq!(counts_of(&s).await.devices_active, 1);
    code(&s, 3, LATER).await;
    assert_eq!(
        s.enrol(token(3), desk("dev-c", &key(1)), NOW.into()).await,
        Err(StoreError::KeyEnrolled),
        "an active desk's key is not enrolled twice"
    );
}

async fn enrolment_is_single_use(s: AnyStore) {
    code(&s, 1, LATER).await;
    let d = s
        .enrol(token(1), desk("dev-a", &key(1)), NOW.into())
        .await
        .expect("the first use enrols");
    assert_eq!(
        d,
        Device {
            id: "dev-a".into(),
            branch: "almaty-1".into(),
            name: "desk dev-a".into(),
            signing: key(1),
            recipient: "age1dev-a".into(),
            status: "active".into(),
            enrolled_at: NOW.into(),
            last_seen: None,
            acked_seq: 0,
            head_hash: ZERO,
            audit_head: None,
            revoked_at: None,
        }
    );
    assert_eq!(s.device("dev-a".into()).await, Ok(Some(d.clone())));
    // The same desk again with the same code (its answer was lost): its enrolment, not a new one,
    // even after the code's deadline.
    assert_eq!(
        s.enrol(
            token(1),
            desk("dev-a2", &key(1)),
            "2099-01-01T00:00:00Z".into()
        )
        .await,
        Ok(d),
        "a retried enrolment returns the device it made"
    );
    assert_eq!(s.device("dev-a2".into()).await, Ok(None));
    assert_eq!(
        s.enrol(token(1), desk("dev-b", &key(2)), NOW.into()).await,
        Err(StoreError::EnrolmentUsed)
    );
    assert_eq!(s.device("dev-b".into()).await, Ok(None));
    assert_eq!(counts_of(&s).await.devices_active, 1);
}

async fn enrolment_expires(s: AnyStore) {
    code(&s, 1, "2026-12-02T09:59:59Z").await;
    assert_eq!(
        s.enrol(token(1), desk("dev-a", &key(1)), NOW.into()).await,
        Err(StoreError::EnrolmentExpired)
    );
    assert_eq!(s.device("dev-a".into()).await, Ok(None));
    // Deadlines compare as instants: 16:00 at +06:00 is 10:00Z, not past at 10:00Z.
    code(&s, 2, "2026-12-02T16:00:00+06:00").await;
    s.enrol(token(2), desk("dev-b", &key(2)), NOW.into())
        .await
        .expect("a code is good up to its deadline");
}

async fn enrolment_unknown_code(s: AnyStore) {
    assert_eq!(
        s.enrol(token(9), desk("dev-a", &key(1)), NOW.into()).await,
        Err(StoreError::EnrolmentInvalid)
    );
    assert_eq!(counts_of(&s).await, Counts::default());
}

async fn enrolment_same_key_twice(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    code(&s, 2, LATER).await;
    assert_eq!(
        s.enrol(token(2), desk("dev-b", &key(1)), NOW.into()).await,
        Err(StoreError::KeyEnrolled)
    );
    // The refusal used nothing up: the code still enrols a desk with a key of its own.
    s.enrol(token(2), desk("dev-b", &key(2)), NOW.into())
        .await
        .expect("the code was not used by the refusal");
}

async fn ingest_first_batch_then_next(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    let mut first = batch("dev-a", ZERO, h(1), plains(1..=3));
    first.audit_head = Some(AuditHead {
        seq: 10,
        hash: h(10),
    });
    assert_eq!(s.ingest(first).await, Ok(stored(3, h(1), 3)));
    let mut next = batch("dev-a", h(1), h(2), plains(4..=5));
    next.received_at = "2026-12-02T10:05:00Z".into();
    next.audit_head = Some(AuditHead { seq: 5, hash: h(5) });
    assert_eq!(s.ingest(next).await, Ok(stored(5, h(2), 2)));
    let d = s.device("dev-a".into()).await.unwrap().unwrap();
    assert_eq!((d.acked_seq, d.head_hash), (5, h(2)));
    assert_eq!(d.last_seen.as_deref(), Some("2026-12-02T10:05:00Z"));
    assert_eq!(
        d.audit_head,
        Some(AuditHead {
            seq: 10,
            hash: h(10)
        }),
        "the audit head only moves forward"
    );
    let c = counts_of(&s).await;
    assert_eq!((c.records, c.batches), (5, 2));
}

async fn ingest_same_batch_again(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    let b = batch("dev-a", ZERO, h(1), plains(1..=3));
    assert_eq!(s.ingest(b.clone()).await, Ok(stored(3, h(1), 3)));
    assert_eq!(s.ingest(b.clone()).await, Ok(stored(3, h(1), 0)));
    // Also once the cursor has moved past it: the answer is the current cursor.
    s.ingest(batch("dev-a", h(1), h(2), plains(4..=4)))
        .await
        .unwrap();
    assert_eq!(s.ingest(b).await, Ok(stored(4, h(2), 0)));
    let c = counts_of(&s).await;
    assert_eq!((c.records, c.batches), (4, 2));
}

async fn ingest_rebatched_overlap(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    assert_eq!(
        s.ingest(batch("dev-a", ZERO, h(1), plains(1..=2))).await,
        Ok(stored(2, h(1), 2))
    );
    assert_eq!(
        s.ingest(batch("dev-a", h(1), h(2), plains(3..=5))).await,
        Ok(stored(5, h(2), 3))
    );
    // The desk lost the second ack and re-batched 3..8 after the first batch: only 6..8 are new.
    assert_eq!(
        s.ingest(batch("dev-a", h(1), h(3), plains(3..=8))).await,
        Ok(stored(8, h(3), 3))
    );
    // 3..8 cannot follow the batch ending at 5.
    assert_eq!(
        s.ingest(batch("dev-a", h(2), h(4), plains(3..=8))).await,
        Err(StoreError::ChainMismatch)
    );
    let c = counts_of(&s).await;
    assert_eq!((c.records, c.batches), (8, 3));
    // The next batch follows the re-batched one.
    assert_eq!(
        s.ingest(batch("dev-a", h(3), h(5), plains(9..=9))).await,
        Ok(stored(9, h(5), 1))
    );
}

async fn ingest_gap(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    assert_eq!(
        s.ingest(batch("dev-a", ZERO, h(1), plains(2..=3))).await,
        Err(StoreError::Gap { expected: 1 })
    );
    s.ingest(batch("dev-a", ZERO, h(1), plains(1..=2)))
        .await
        .unwrap();
    assert_eq!(
        s.ingest(batch("dev-a", h(1), h(2), plains(4..=5))).await,
        Err(StoreError::Gap { expected: 3 })
    );
    let c = counts_of(&s).await;
    assert_eq!((c.records, c.batches), (2, 1));
}

async fn ingest_wrong_prev(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    assert_eq!(
        s.ingest(batch("dev-a", h(9), h(1), plains(1..=2))).await,
        Err(StoreError::ChainMismatch),
        "the first batch follows 32 zero bytes"
    );
    s.ingest(batch("dev-a", ZERO, h(1), plains(1..=2)))
        .await
        .unwrap();
    assert_eq!(
        s.ingest(batch("dev-a", h(9), h(2), plains(3..=4))).await,
        Err(StoreError::ChainMismatch)
    );
    let mut zero = batch("dev-a", h(1), h(3), vec![plain(0)]);
    zero.first_seq = 0;
    assert_eq!(
        s.ingest(zero).await,
        Err(StoreError::ChainMismatch),
        "nothing follows before record 1"
    );
    let c = counts_of(&s).await;
    assert_eq!((c.records, c.batches), (2, 1));
}

async fn ingest_conflict_stores_nothing_of_the_batch(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    s.ingest(batch("dev-a", ZERO, h(1), plains(1..=2)))
        .await
        .unwrap();
    let altered = vec![
        plain(1),
        record(2, "vault.backup", "b-2", r#"{"n":"altered"}"#),
        record(3, "client.add", "c-3", r#"{"id":"c-3"}"#),
    ];
    assert_eq!(
        s.ingest(batch("dev-a", ZERO, h(2), altered)).await,
        Err(StoreError::Conflict { seq: 2 })
    );
    let c = counts_of(&s).await;
    assert_eq!((c.records, c.batches), (2, 1));
    let d = s.device("dev-a".into()).await.unwrap().unwrap();
    assert_eq!((d.acked_seq, d.head_hash), (2, h(1)));
    // Not even the batch was kept: the same hash with the right content is stored in full.
    let right = vec![plain(1), plain(2), plain(3)];
    assert_eq!(
        s.ingest(batch("dev-a", ZERO, h(2), right)).await,
        Ok(stored(3, h(2), 1))
    );
}

async fn ingest_revoked_device(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    enrolled(&s, 2, "dev-b").await;
    s.ingest(batch("dev-a", ZERO, h(1), plains(1..=2)))
        .await
        .unwrap();
    assert_eq!(s.revoke("dev-a".into(), NOW.into()).await, Ok(true));
    assert_eq!(s.revoke("dev-a".into(), NOW.into()).await, Ok(false));
    assert_eq!(
        s.revoke("dev-x".into(), NOW.into()).await,
        Err(StoreError::UnknownDevice)
    );
    assert_eq!(
        s.ingest(batch("dev-a", h(1), h(2), plains(3..=3))).await,
        Err(StoreError::Revoked)
    );
    assert_eq!(
        s.ingest(batch("dev-a", ZERO, h(1), plains(1..=2))).await,
        Err(StoreError::Revoked),
        "not even a retry is answered"
    );
    let feed = s.feed("dev-a".into(), 0, 100).await.unwrap();
    assert_eq!(feed.len(), 1, "exactly one revocation: {feed:?}");
    assert_eq!(feed[0].kind, FeedKind::Revocation);
    let body: serde_json::Value = serde_json::from_slice(&feed[0].body).unwrap();
    assert_eq!(body["device"], "dev-a");
    assert_eq!(s.feed("dev-b".into(), 0, 100).await, Ok(vec![]));
    let d = s.device("dev-a".into()).await.unwrap().unwrap();
    assert_eq!(d.status, "revoked");
    let c = counts_of(&s).await;
    assert_eq!(
        (
            c.devices_active,
            c.devices_revoked,
            c.records,
            c.feed_entries
        ),
        (1, 1, 2, 1)
    );
}

async fn ingest_unknown_device(s: AnyStore) {
    assert_eq!(
        s.ingest(batch("dev-x", ZERO, h(1), plains(1..=2))).await,
        Err(StoreError::UnknownDevice)
    );
    assert_eq!(counts_of(&s).await, Counts::default());
}

async fn projections(s: AnyStore) {
    two_applications(&s).await;
    // A payload head office cannot read is still kept as a record.
    let unreadable = record(7, "application.submit", "a-x", "not json");
    assert_eq!(
        s.ingest(batch("dev-a", h(1), h(2), vec![unreadable])).await,
        Ok(stored(7, h(2), 1))
    );
    let a1 = ApplicationRow {
        id: "a-1".into(),
        device: "dev-a".into(),
        lineage: "a-1".into(),
        version: 1,
        client_id: "c-1".into(),
        product_id: "consumer-12".into(),
        amount_tiyn: 50_000_000,
        months: 12,
        stage: "referred".into(),
        decision: None,
    };
    assert_eq!(
        s.applications(Some("referred".into())).await,
        Ok(vec![a1.clone()])
    );
    let all = s.applications(None).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|r| (r.id.as_str(), r.stage.as_str()))
            .collect::<Vec<_>>(),
        [("a-1", "referred"), ("a-2", "submitted")]
    );
    assert_eq!(s.applications(Some("approved".into())).await, Ok(vec![]));
    let detail = s.application("a-1".into()).await.unwrap().unwrap();
    assert_eq!(detail.row, a1);
    assert_eq!(
        detail
            .steps
            .iter()
            .map(|st| (st.step.as_str(), st.stage.as_str(), st.officer_id.as_str()))
            .collect::<Vec<_>>(),
        [
            ("create", "draft", "off-1"),
            ("submit", "submitted", "off-1"),
            ("refer", "referred", "off-1")
        ]
    );
    assert_eq!(detail.steps[0].at, "2026-12-02T09:00:02Z");
    assert_eq!(detail.steps[0].reason, None);
    assert_eq!(detail.decision, None);
    assert_eq!(
        detail.payload,
        app_payload("a-1", "a-1", "referred", "refer")
    );
    assert_eq!(s.application("a-x".into()).await, Ok(None));
    let c = counts_of(&s).await;
    assert_eq!((c.records, c.batches, c.referred), (7, 2, 1));
}

async fn another_desk_cannot_move_an_application(s: AnyStore) {
    two_applications(&s).await;
    // dev-b reuses dev-a's ids: its records are kept, but dev-a's rows do not change.
    let records = vec![
        record(
            1,
            "client.add",
            "c-1",
            r#"{"id":"c-1","name":"Someone else"}"#,
        ),
        app_step(2, "a-1", "approved", "approve"),
    ];
    assert_eq!(
        s.ingest(batch("dev-b", ZERO, h(9), records)).await,
        Ok(stored(2, h(9), 2))
    );
    let detail = s.application("a-1".into()).await.unwrap().unwrap();
    assert_eq!(
        (detail.row.device.as_str(), detail.row.stage.as_str()),
        ("dev-a", "referred"),
        "another desk's record must not change this desk's application"
    );
    assert_eq!(
        detail
            .steps
            .iter()
            .map(|st| st.step.as_str())
            .collect::<Vec<_>>(),
        ["create", "submit", "refer"],
        "nor add a step to its history"
    );
    assert_eq!(
        counts_of(&s).await.records,
        8,
        "both desks' records are kept as records"
    );
}

async fn feed_pages_by_size(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    let big = vec![b'x'; 2 * 1024 * 1024];
    for _ in 0..3 {
        s.publish(None, FeedKind::Policy, None, big.clone(), NOW.into())
            .await
            .unwrap();
    }
    let page = s.feed("dev-a".into(), 0, 500).await.unwrap();
    assert_eq!(page.len(), 2, "entries stop once their bodies pass 4 MiB");
    let rest = s.feed("dev-a".into(), page[1].epoch, 500).await.unwrap();
    assert_eq!(
        rest.len(),
        1,
        "the next page continues where the last ended"
    );
    let huge = vec![b'y'; 5 * 1024 * 1024];
    let e = s
        .publish(None, FeedKind::Policy, None, huge, NOW.into())
        .await
        .unwrap();
    let alone = s.feed("dev-a".into(), rest[0].epoch, 500).await.unwrap();
    assert_eq!(
        alone.iter().map(|x| x.epoch).collect::<Vec<_>>(),
        [e],
        "one entry always comes"
    );
}

async fn decide(s: AnyStore) {
    two_applications(&s).await;
    assert_eq!(
        s.decide(decision("a-2", "approve")).await,
        Err(StoreError::NotReferred {
            stage: "submitted".into()
        })
    );
    assert_eq!(
        s.decide(decision("a-9", "approve")).await,
        Err(StoreError::NoApplication)
    );
    let epoch = s.decide(decision("a-1", "approve")).await.unwrap();
    assert_eq!(
        s.decide(decision("a-1", "decline")).await,
        Err(StoreError::AlreadyDecided)
    );
    let feed = s.feed("dev-a".into(), 0, 100).await.unwrap();
    assert_eq!(feed.len(), 1, "{feed:?}");
    assert_eq!((feed[0].epoch, feed[0].kind), (epoch, FeedKind::Decision));
    let body: serde_json::Value = serde_json::from_slice(&feed[0].body).unwrap();
    assert_eq!(
        (&body["application_id"], &body["lineage"], &body["outcome"]),
        (
            &serde_json::json!("a-1"),
            &serde_json::json!("a-1"),
            &serde_json::json!("approve")
        )
    );
    assert_eq!(
        s.feed("dev-b".into(), 0, 100).await,
        Ok(vec![]),
        "a decision goes to its own desk only"
    );
    let detail = s.application("a-1".into()).await.unwrap().unwrap();
    assert_eq!(detail.decision, Some(decision("a-1", "approve")));
    assert_eq!(detail.row.decision.as_deref(), Some("approve"));
    let referred = s.applications(Some("referred".into())).await.unwrap();
    assert_eq!(referred.len(), 1);
    assert_eq!(referred[0].decision.as_deref(), Some("approve"));
    let c = counts_of(&s).await;
    assert_eq!((c.referred, c.feed_entries), (0, 1));
}

async fn publish_and_feed(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    enrolled(&s, 2, "dev-b").await;
    let publish = |target: Option<&str>, kind: FeedKind, body: &str| {
        let s = s.clone();
        let target = target.map(str::to_owned);
        let body = body.as_bytes().to_vec();
        async move {
            s.publish(target, kind, Some("2027-01-01".into()), body, NOW.into())
                .await
        }
    };
    let e1 = publish(None, FeedKind::Products, r#"{"products":[1]}"#)
        .await
        .unwrap();
    let e2 = publish(Some("dev-a"), FeedKind::Roster, r#"{"to":"a"}"#)
        .await
        .unwrap();
    let e3 = publish(Some("dev-b"), FeedKind::Roster, r#"{"to":"b"}"#)
        .await
        .unwrap();
    let e4 = publish(None, FeedKind::Caps, r#"{"caps":[1]}"#)
        .await
        .unwrap();
    assert!(e1 < e2 && e2 < e3 && e3 < e4, "{e1} {e2} {e3} {e4}");
    assert_eq!(
        publish(Some("dev-x"), FeedKind::Roster, "{}").await,
        Err(StoreError::UnknownDevice)
    );
    let epochs = |dev: &str, since: u64, limit: u32| {
        let s = s.clone();
        let dev = dev.to_owned();
        async move {
            s.feed(dev, since, limit)
                .await
                .unwrap()
                .iter()
                .map(|e| e.epoch)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(epochs("dev-a", 0, 100).await, [e1, e2, e4]);
    assert_eq!(epochs("dev-b", 0, 100).await, [e1, e3, e4]);
    assert_eq!(epochs("dev-a", e1, 100).await, [e2, e4]);
    assert_eq!(epochs("dev-a", 0, 2).await, [e1, e2]);
    assert_eq!(epochs("dev-a", e2, 1).await, [e4]);
    assert_eq!(epochs("dev-a", e4, 100).await, Vec::<u64>::new());
    let feed = s.feed("dev-a".into(), 0, 1).await.unwrap();
    assert_eq!(feed[0].kind, FeedKind::Products);
    assert_eq!(feed[0].published_at, NOW);
    assert_eq!(feed[0].effective_from.as_deref(), Some("2027-01-01"));
    assert_eq!(feed[0].body, br#"{"products":[1]}"#);
    assert_eq!(counts_of(&s).await.feed_entries, 4);
}

fn attachment_record(seq: u64, id: &str, sha256: &str, size: u64) -> Incoming {
    let payload = serde_json::json!([
        {"id": id, "client_id": "c-1", "kind": "scan", "media_type": "application/pdf",
         "sha256": sha256, "size": size},
        "c-1"
    ]);
    record(seq, "attachment.add", id, &payload.to_string())
}

async fn chunks(s: AnyStore) {
    enrolled(&s, 1, "dev-a").await;
    enrolled(&s, 2, "dev-b").await;
    let sha = hex::encode(sha2::Sha256::digest(b"0123456789"));
    let records = vec![
        attachment_record(1, "att-1", &sha, 10),
        attachment_record(2, "att-2", &"00".repeat(32), 4),
    ];
    s.ingest(batch("dev-a", ZERO, h(1), records)).await.unwrap();
    let a = || "dev-a".to_owned();
    let st = |size, received, complete| AttachmentState {
        size,
        received,
        complete,
    };
    assert_eq!(
        s.attachment(a(), "att-9".into()).await,
        Err(StoreError::UnknownAttachment)
    );
    assert_eq!(
        s.attachment("dev-b".into(), "att-1".into()).await,
        Err(StoreError::UnknownAttachment),
        "another desk's attachment"
    );
    assert_eq!(
        s.append_chunk("dev-b".into(), "att-1".into(), 0, b"01234".to_vec())
            .await,
        Err(StoreError::UnknownAttachment)
    );
    assert_eq!(
        s.attachment(a(), "att-1".into()).await,
        Ok(st(10, 0, false))
    );
    assert_eq!(
        s.append_chunk(a(), "att-1".into(), 3, b"345".to_vec())
            .await,
        Err(StoreError::ChunkOffset { expected: 0 })
    );
    assert_eq!(
        s.append_chunk(a(), "att-1".into(), 0, vec![]).await,
        Err(StoreError::ChunkMismatch),
        "an empty chunk"
    );
    assert_eq!(
        s.append_chunk(a(), "att-1".into(), 0, b"01234".to_vec())
            .await,
        Ok(st(10, 5, false))
    );
    assert_eq!(
        s.append_chunk(a(), "att-1".into(), 0, b"01234".to_vec())
            .await,
        Err(StoreError::ChunkOffset { expected: 5 })
    );
    assert_eq!(
        s.append_chunk(a(), "att-1".into(), 5, b"56789ab".to_vec())
            .await,
        Err(StoreError::ChunkMismatch),
        "past the announced size"
    );
    assert_eq!(
        s.attachment(a(), "att-1".into()).await,
        Ok(st(10, 5, false))
    );
    assert_eq!(
        s.append_chunk(a(), "att-1".into(), 5, b"56789".to_vec())
            .await,
        Ok(st(10, 10, true))
    );
    assert_eq!(
        s.append_chunk(a(), "att-1".into(), 10, b"x".to_vec()).await,
        Ok(st(10, 10, true)),
        "a complete attachment takes nothing more"
    );
    // Bytes that do not hash to the announcement are thrown away; the desk starts again at 0.
    assert_eq!(
        s.append_chunk(a(), "att-2".into(), 0, b"ab".to_vec()).await,
        Ok(st(4, 2, false))
    );
    assert_eq!(
        s.append_chunk(a(), "att-2".into(), 2, b"cd".to_vec()).await,
        Err(StoreError::ChunkMismatch)
    );
    assert_eq!(s.attachment(a(), "att-2".into()).await, Ok(st(4, 0, false)));
    assert_eq!(
        s.append_chunk(a(), "att-2".into(), 0, b"ab".to_vec()).await,
        Ok(st(4, 2, false))
    );
}

async fn counts(s: AnyStore) {
    assert_eq!(counts_of(&s).await, Counts::default());
    two_applications(&s).await;
    enrolled(&s, 3, "dev-c").await;
    s.revoke("dev-c".into(), NOW.into()).await.unwrap();
    s.ingest(batch("dev-a", h(1), h(2), plains(7..=8)))
        .await
        .unwrap();
    s.publish(None, FeedKind::Policy, None, b"{}".to_vec(), NOW.into())
        .await
        .unwrap();
    assert_eq!(
        counts_of(&s).await,
        Counts {
            devices_active: 2,
            devices_revoked: 1,
            records: 8,
            batches: 2,
            referred: 1,
            feed_entries: 2,
        }
    );
    s.decide(decision("a-1", "decline")).await.unwrap();
    let c = counts_of(&s).await;
    assert_eq!((c.referred, c.feed_entries), (0, 3));
}

async fn devices_and_touch(s: AnyStore) {
    enrolled(&s, 1, "b").await;
    enrolled(&s, 2, "a").await;
    enrolled(&s, 3, "B-2").await;
    let ids = |v: Vec<Device>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.devices().await.unwrap()),
        ["B-2", "a", "b"],
        "by id, in byte order"
    );
    s.touch("a".into(), "2026-12-02T12:00:00Z".into())
        .await
        .unwrap();
    let d = s.device("a".into()).await.unwrap().unwrap();
    assert_eq!(d.last_seen.as_deref(), Some("2026-12-02T12:00:00Z"));
    assert_eq!(s.touch("nobody".into(), NOW.into()).await, Ok(()));
    assert_eq!(s.device("nobody".into()).await, Ok(None));
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL only: several server instances on one database
// ---------------------------------------------------------------------------------------------

mod pg_only {
    use super::*;

    fn s_ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
        r.expect("store call")
    }

    /// Another server instance on `db`, with a connection ready (so that in a race neither side
    /// starts late because it has to connect first).
    async fn handle(db: &PgDb) -> AnyStore {
        let s = AnyStore::Postgres(Postgres::open(&db.url).await.expect("open"));
        s.counts().await.expect("a first call");
        s
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn instances_starting_together_migrate_once() {
        let db = PgDb::create().await;
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url.clone();
                tokio::spawn(async move { Postgres::open(&url).await.map(|_| ()) })
            })
            .collect();
        for o in opens {
            assert_eq!(o.await.expect("task"), Ok(()));
        }
        let migrations =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
                })
                .count() as i64;
        let versions: Vec<i64> = db
            .client()
            .await
            .query("SELECT version FROM schema_migration ORDER BY version", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(versions, (1..=migrations).collect::<Vec<_>>());
        // And a fifth instance later changes nothing.
        handle(&db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_batch_pushed_to_two_instances_at_once_is_stored_once() {
        let db = PgDb::create().await;
        let (one, two) = (handle(&db).await, handle(&db).await);
        for round in 0..8u8 {
            let dev = format!("dev-{round}");
            enrolled(&one, round + 1, &dev).await;
            let b = batch(&dev, ZERO, h(1), plains(1..=40));
            let (x, y) = (one.clone(), two.clone());
            let (b1, b2) = (b.clone(), b);
            let (r1, r2) = tokio::join!(
                tokio::spawn(async move { x.ingest(b1).await }),
                tokio::spawn(async move { y.ingest(b2).await }),
            );
            let mut results = [r1.unwrap(), r2.unwrap()];
            results.sort_by_key(|r| r.as_ref().map_or(0, |s| s.new_records));
            assert_eq!(results[1], Ok(stored(40, h(1), 40)), "{results:?}");
            assert_eq!(
                results[0],
                Ok(stored(40, h(1), 0)),
                "the device lock makes the second see the first's batch: the same answer, nothing new"
            );
            let c = counts_of(&one).await;
            assert_eq!(
                (c.records, c.batches),
                (40 * u64::from(round + 1), u64::from(round + 1))
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_code_presented_to_two_instances_at_once_enrols_once() {
        let db = PgDb::create().await;
        let (one, two) = (handle(&db).await, handle(&db).await);
        for n in 1..=8u8 {
            code(&one, n, LATER).await;
            let (x, y) = (one.clone(), two.clone());
            let (r1, r2) = tokio::join!(
                tokio::spawn(async move {
                    x.enrol(token(n), desk(&format!("x-{n}"), &key(n)), NOW.into())
                        .await
                }),
                tokio::spawn(async move {
                    y.enrol(token(n), desk(&format!("y-{n}"), &key(n + 100)), NOW.into())
                        .await
                }),
            );
            let (r1, r2) = (r1.unwrap(), r2.unwrap());
            assert!(
                (r1.is_ok() && r2 == Err(StoreError::EnrolmentUsed))
                    || (r2.is_ok() && r1 == Err(StoreError::EnrolmentUsed)),
                "{r1:?} {r2:?}"
            );
        }
        assert_eq!(counts_of(&one).await.devices_active, 8);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_key_enrolled_at_once_under_two_codes_enrols_once() {
        let db = PgDb::create().await;
        let (one, two) = (handle(&db).await, handle(&db).await);
        for n in 0..8u8 {
            let (c1, c2) = (2 * n + 1, 2 * n + 2);
            code(&one, c1, LATER).await;
            code(&one, c2, LATER).await;
            let (x, y) = (one.clone(), two.clone());
            let signing = key(200 + n);
            let s2 = signing.clone();
            let (r1, r2) = tokio::join!(
                tokio::spawn(async move {
                    x.enrol(token(c1), desk(&format!("x-{n}"), &signing), NOW.into())
                        .await
                }),
                tokio::spawn(async move {
                    y.enrol(token(c2), desk(&format!("y-{n}"), &s2), NOW.into())
                        .await
                }),
            );
            let (r1, r2) = (r1.unwrap(), r2.unwrap());
            assert!(
                (r1.is_ok() && r2 == Err(StoreError::KeyEnrolled))
                    || (r2.is_ok() && r1 == Err(StoreError::KeyEnrolled)),
                "{r1:?} {r2:?}"
            );
        }
        assert_eq!(counts_of(&one).await.devices_active, 8);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_application_decided_by_two_instances_at_once_is_decided_once() {
        const APPS: u64 = 16;
        let db = PgDb::create().await;
        let (one, two) = (handle(&db).await, handle(&db).await);
        enrolled(&one, 1, "dev-a").await;
        let records = (1..=APPS)
            .map(|n| app_step(n, &format!("a-{n}"), "referred", "refer"))
            .collect();
        s_ok(one.ingest(batch("dev-a", ZERO, h(1), records)).await);
        for n in 1..=APPS {
            // Four deciders, two on each instance.
            let tasks: Vec<_> = [&one, &two, &one, &two]
                .into_iter()
                .enumerate()
                .map(|(k, s)| {
                    let s = s.clone();
                    let d = decision(&format!("a-{n}"), ["approve", "decline"][k % 2]);
                    tokio::spawn(async move { s.decide(d).await })
                })
                .collect();
            let mut results = Vec::new();
            for t in tasks {
                results.push(t.await.unwrap());
            }
            assert_eq!(
                results.iter().filter(|r| r.is_ok()).count(),
                1,
                "{results:?}"
            );
            assert!(
                results
                    .iter()
                    .all(|r| r.is_ok() || *r == Err(StoreError::AlreadyDecided)),
                "{results:?}"
            );
        }
        let c = counts_of(&one).await;
        assert_eq!((c.referred, c.feed_entries), (0, APPS));
    }

    /// Writers on two instances publish at once while a desk polls `epoch > since`: with epochs
    /// committing out of order the reader would step over an entry and never see it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_desk_polling_its_feed_during_concurrent_publishing_misses_nothing() {
        const WRITERS: u64 = 6;
        const EACH: u64 = 30;
        let db = PgDb::create().await;
        let (one, two) = (handle(&db).await, handle(&db).await);
        enrolled(&one, 1, "dev-a").await;
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let s = if w % 2 == 0 { one.clone() } else { two.clone() };
                tokio::spawn(async move {
                    let mut epochs = Vec::new();
                    for n in 0..EACH {
                        let target = (n % 3 == 0).then(|| "dev-a".to_owned());
                        let body = format!("{{\"w\":{w},\"n\":{n}}}").into_bytes();
                        epochs.push(
                            s.publish(target, FeedKind::Roster, None, body, NOW.into())
                                .await
                                .expect("publish"),
                        );
                    }
                    epochs
                })
            })
            .collect();
        let reader = {
            let s = two.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
                while (seen.len() as u64) < WRITERS * EACH {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "the reader saw only {} entries",
                        seen.len()
                    );
                    let since = seen.last().copied().unwrap_or(0);
                    let got = s.feed("dev-a".into(), since, 7).await.expect("feed");
                    seen.extend(got.iter().map(|e| e.epoch));
                }
                seen
            })
        };
        let mut published = Vec::new();
        for w in writers {
            published.extend(w.await.unwrap());
        }
        let seen = reader.await.unwrap();
        assert!(
            seen.windows(2).all(|p| p[0] < p[1]),
            "epochs strictly increase"
        );
        published.sort_unstable();
        assert_eq!(seen, published, "the reader saw every entry");
    }
}
