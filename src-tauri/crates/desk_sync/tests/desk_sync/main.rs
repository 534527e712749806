//! The desk's sync against a real `branchdesk-hq` over TLS on 127.0.0.1 (SQLite and PostgreSQL),
//! through a proxy that cuts connections, across a head office killed mid-push, against a server
//! with another certificate, and against a head office that answers wrongly on purpose.

mod desk;
mod fake;
mod office;
mod proxy;

use std::sync::Mutex;

use desk::{clock, desk, referred_application, settings_changes};
use desk_sync::{Failure, sync_now};
use domain::application::Stage;
use office::Office;
use proxy::Proxy;
use sync::PeerKeys;
use sync::feed::{FeedEntry, FeedKind};
use vault::{Enrolment, HeadOfficeCheck, Vault, VaultError};

fn quiet(_: desk_sync::Progress) {}

async fn sync(v: &Mutex<Vault>) -> Result<desk_sync::RoundReport, Failure> {
    sync_now(v, &quiet, &clock).await
}

async fn enrol(v: &Mutex<Vault>, code: &str) {
    desk_sync::enrol(v, code, "Алматы, окно 1", false, &clock)
        .await
        .expect("enrolment with a fresh code succeeds");
}

fn outbox_len(v: &Mutex<Vault>) -> u64 {
    let c = v.lock().unwrap().outbox_counts().expect("counts");
    (c.queued + c.sent + c.acked + c.refused) as u64
}

fn pending(v: &Mutex<Vault>) -> i64 {
    v.lock().unwrap().outbox_counts().expect("counts").pending()
}

async fn a_day_with(office: Office) {
    let server = office.serve();
    let d = desk();
    let admin = d.admin();
    enrol(&admin, &office.code("Алматы-1", &server.url())).await;
    let app = referred_application(&d, 101);
    let report = sync(&admin).await.expect("the first sync succeeds");
    assert_eq!(report.records_pushed, outbox_len(&admin), "{report:?}");
    assert_eq!(pending(&admin), 0, "everything is acknowledged");
    let referred = office.json(&["applications", "--stage", "referred", "--json"]);
    assert!(
        referred.to_string().contains(app.as_str()),
        "head office lists the referred application: {referred}"
    );
    office.ok(&[
        "decide",
        app.as_str(),
        "approve",
        "--reason",
        "доход подтверждён",
        "--by",
        "Сауле Кредитный комитет",
    ]);
    let sup = d.supervisor();
    let report = sync(&sup).await.expect("the next sync succeeds");
    assert_eq!(report.feed.decisions, 1, "{report:?}");
    let v = sup.lock().unwrap();
    assert_eq!(v.application(&app).expect("app").stage, Stage::Approved);
    let decision = v
        .head_office_decision(&app)
        .expect("read")
        .expect("head office's decision is kept");
    assert_eq!(decision.decided_by, "Сауле Кредитный комитет");
    assert_eq!(v.outbox_counts().expect("counts").pending(), 0);
    let audit = v.verify_audit().expect("verify");
    assert!(
        matches!(audit.head_office, Some(HeadOfficeCheck::Matches { .. })),
        "the audit head head office acknowledged is checked: {audit:?}"
    );
    assert!(audit.intact());
    let all = (v.outbox_counts().expect("c").acked) as u64;
    drop(v);
    assert_eq!(office.records(), all, "head office holds each record once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_at_the_desk_with_head_office_on_sqlite() {
    a_day_with(Office::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_at_the_desk_with_head_office_on_postgresql() {
    a_day_with(Office::postgres()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_cut_connections_lose_nothing_and_store_nothing_twice() {
    let office = Office::sqlite();
    let server = office.serve();
    let proxy = Proxy::start(&server.addr).await;
    let d = desk();
    let admin = d.admin();
    enrol(&admin, &office.code("Алматы-1", &proxy.url())).await;
    settings_changes(&admin, 1_500);
    sync(&admin)
        .await
        .expect("the history goes in one uncut sync");
    // What one round of 60 new records puts on the wire: the range the cuts fall in.
    settings_changes(&admin, 60);
    let before = proxy.bytes_seen();
    sync(&admin).await.expect("an uncut round");
    let round_bytes = proxy.bytes_seen() - before;
    let mut cut = 0;
    for run in 0..100u64 {
        settings_changes(&admin, 60);
        // Offsets spread over the handshake, the cursor, the batch and the feed.
        let offset = rand::random::<u64>() % round_bytes;
        proxy.cut_after(Some(offset));
        match sync(&admin).await {
            Ok(_) => {}
            Err(Failure::Offline) => cut += 1,
            Err(other) => panic!(
                "a cut connection is 'head office cannot be reached', never {other:?} (run {run}, cut after {offset} of {round_bytes} bytes)"
            ),
        }
        let status = admin.lock().unwrap().sync_status().expect("status");
        assert!(
            status.last_attempt_at.is_some(),
            "each attempt is noted for the top bar"
        );
    }
    assert!(cut >= 50, "most runs must really be cut, {cut} were");
    proxy.cut_after(None);
    sync(&admin)
        .await
        .expect("with the connection whole again, the desk recovers by itself");
    assert_eq!(pending(&admin), 0, "nothing is left behind");
    assert_eq!(
        office.records(),
        outbox_len(&admin),
        "head office holds every record exactly once"
    );
    let devices = office.json(&["devices", "--json"]);
    assert_eq!(
        devices[0]["last_seq"].as_u64(),
        Some(outbox_len(&admin)),
        "head office's cursor is the desk's last record: {devices}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn head_office_killed_mid_push_and_restarted_loses_nothing() {
    let office = Office::sqlite();
    let server = office.serve();
    let proxy = Proxy::start(&server.addr).await;
    let d = desk();
    let admin = std::sync::Arc::new(d.admin());
    enrol(&admin, &office.code("Алматы-1", &proxy.url())).await;
    settings_changes(&admin, 8_000);
    let pushing = {
        let admin = admin.clone();
        tokio::spawn(async move { sync(&admin).await })
    };
    // Kill head office once it has stored part of the push.
    let started = std::time::Instant::now();
    while office.records() < 600 && started.elapsed().as_secs() < 60 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.kill();
    let cut = pushing.await.expect("task");
    assert!(
        matches!(cut, Err(Failure::Offline)),
        "a push cut by a dead head office is 'cannot be reached': {cut:?}"
    );
    let partial = office.records();
    assert!(
        partial > 0 && partial < outbox_len(&admin),
        "the kill landed mid-push ({partial} stored)"
    );
    let restarted = office.serve();
    proxy.point_at(&restarted.addr);
    sync(&admin)
        .await
        .expect("after the restart the desk finishes");
    assert_eq!(pending(&admin), 0);
    assert_eq!(office.records(), outbox_len(&admin), "exactly once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_with_another_certificate_gets_nothing() {
    let office = Office::sqlite();
    let server = office.serve();
    let stranger = Office::sqlite();
    let impostor = stranger.serve();
    let proxy = Proxy::start(&server.addr).await;
    let d = desk();
    let admin = d.admin();
    enrol(&admin, &office.code("Алматы-1", &proxy.url())).await;
    sync(&admin).await.expect("first sync");
    settings_changes(&admin, 10);
    proxy.point_at(&impostor.addr);
    let r = sync(&admin).await;
    assert!(matches!(r, Err(Failure::Certificate)), "{r:?}");
    let status = admin.lock().unwrap().sync_status().expect("status");
    assert_eq!(status.last_code.as_deref(), Some("certificate"));
    assert_eq!(
        status.outbox.queued, 10,
        "nothing was sent to the impostor: the records are still queued"
    );
    assert_eq!(stranger.records(), 0);
    proxy.point_at(&server.addr);
    sync(&admin).await.expect("back to the real head office");
    assert_eq!(pending(&admin), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn revocation_makes_the_desk_read_only_and_enrolling_again_is_explicit() {
    let office = Office::sqlite();
    let server = office.serve();
    let d = desk();
    let admin = d.admin();
    enrol(&admin, &office.code("Алматы-1", &server.url())).await;
    sync(&admin).await.expect("first sync");
    let device = admin
        .lock()
        .unwrap()
        .head_office()
        .expect("link")
        .expect("enrolled")
        .device_id;
    office.ok(&["revoke", &device]);
    let r = sync(&admin).await;
    assert!(matches!(r, Err(Failure::Revoked)), "{r:?}");
    assert!(
        matches!(
            admin.lock().unwrap().set_auto_lock_minutes(9, clock()),
            Err(VaultError::Revoked)
        ),
        "a revoked desk changes nothing"
    );
    let code = office.code("Алматы-1", &server.url());
    let implicit = desk_sync::enrol(&admin, &code, "окно 1", false, &clock).await;
    assert!(
        matches!(implicit, Err(Failure::Revoked)),
        "re-enrolment is not implicit: {implicit:?}"
    );
    let link = desk_sync::enrol(&admin, &code, "окно 1", true, &clock)
        .await
        .expect("explicit re-enrolment");
    assert_eq!(
        link.device_id, device,
        "head office gives the desk its device back"
    );
    settings_changes(&admin, 3);
    sync(&admin).await.expect("the new device syncs");
    assert_eq!(pending(&admin), 0);
}

/// A catalogue like the shipped one whose products start on `from` at `rate_bp`.
fn catalogue(dir: &std::path::Path, name: &str, from: chrono::NaiveDate, rate_bp: u64) -> String {
    let shipped = include_str!("../../../../../config/catalog.json");
    let mut c: serde_json::Value = serde_json::from_str(shipped).expect("shipped catalogue");
    for p in c["products"].as_array_mut().expect("products") {
        p["valid_from"] = serde_json::json!(from.to_string());
        p["annual_rate_bp"] = serde_json::json!(rate_bp);
    }
    let path = dir.join(name);
    std::fs::write(&path, c.to_string()).expect("write catalogue");
    path.display().to_string()
}

/// Privacy policy version 2, in force from `from`.
fn policy_v2(dir: &std::path::Path, from: chrono::NaiveDate) -> String {
    let text = "# Политика конфиденциальности, редакция 2\n\nТекст второй редакции.\n";
    std::fs::write(dir.join("v2.ru.md"), text).expect("text");
    let mut d: serde_json::Value =
        serde_json::from_str(include_str!("../../../../../config/policy/v1.json")).expect("v1");
    d["version"] = serde_json::json!(2);
    d["effective"] = serde_json::json!(from.to_string());
    d["text_file"] = serde_json::json!("v2.ru.md");
    d["sha256"] = serde_json::json!(domain::policy::sha256_hex(text.as_bytes()));
    let path = dir.join("v2.json");
    std::fs::write(&path, d.to_string()).expect("description");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn roster_catalogues_and_policies_from_head_office_take_effect_from_their_dates() {
    let office = Office::sqlite();
    let server = office.serve();
    let d = desk();
    let admin = d.admin();
    enrol(&admin, &office.code("Алматы-1", &server.url())).await;
    let app = referred_application(&d, 202);
    let today = clock().date_naive();
    let tomorrow = today + chrono::Days::new(1);
    let files = tempfile::tempdir().expect("dir");
    office.ok(&["roster", "disable", &d.officer.0]);
    office.ok(&[
        "publish",
        "products",
        &catalogue(files.path(), "now.json", today, 3000),
    ]);
    office.ok(&[
        "publish",
        "products",
        &catalogue(files.path(), "later.json", tomorrow, 2500),
    ]);
    office.ok(&["publish", "policy", &policy_v2(files.path(), today)]);
    let report = sync(&admin).await.expect("sync");
    assert_eq!(
        (report.feed.roster, report.feed.publications),
        (1, 4),
        "the roster change; two catalogues, the policy, and the desk list its enrolment published: {report:?}"
    );
    let unlock = Vault::unlock(
        &d.dir,
        &d.keychain,
        &d.officer,
        &vault::Passphrase::new(desk::OFFICER_PASS.into()),
        clock(),
    );
    assert!(
        matches!(unlock, Err(VaultError::OfficerDisabled)),
        "an officer disabled at head office cannot unlock"
    );
    let v = admin.lock().unwrap();
    let shipped =
        domain::catalog::Catalog::from_json(include_str!("../../../../../config/catalog.json"))
            .expect("shipped");
    let rate = |date| {
        v.catalog_on(&shipped, date)
            .expect("catalogue")
            .product("consumer-12", date)
            .map(|p| p.annual_rate_bp)
    };
    assert_eq!(rate(today), Some(3000), "today's publication is in force");
    assert_eq!(
        rate(tomorrow),
        Some(2500),
        "a publication takes effect on its date, not before"
    );
    let versions = v
        .policy_versions(domain::consent::Scope::Privacy)
        .expect("versions");
    let in_force = domain::policy::in_force(&versions, today).expect("a version in force");
    assert_eq!(in_force.version, 2, "head office's version 2 is in force");
    let client = v.application(&app).expect("app").client_id;
    let standing = v.consent_standing(&client, in_force).expect("standing");
    assert!(
        standing.renewal_needed,
        "a client who consented to version 1 is asked to renew"
    );
}

/// A desk enrolled with the misbehaving head office.
async fn with_fake() -> (desk::Desk, Mutex<Vault>, fake::Fake) {
    let d = desk();
    let admin = d.admin();
    let public = admin.lock().unwrap().desk_public_keys().expect("keys");
    let desk_keys = PeerKeys::parse(&public.signing, &public.age_recipient).expect("keys");
    let fake = fake::Fake::start(desk_keys).await;
    admin
        .lock()
        .unwrap()
        .enrol_head_office(
            &Enrolment {
                url: &fake.url(),
                cert_sha256: &fake.cert_sha256,
                signing: &fake.public.signing_hex(),
                recipient: &fake.public.recipient.to_string(),
                branch: "Алматы-1",
                device_id: fake::DEVICE,
            },
            false,
            clock(),
        )
        .expect("enrol");
    (d, admin, fake)
}

fn entry(epoch: u64) -> FeedEntry {
    FeedEntry {
        epoch,
        kind: FeedKind::Caps,
        published_at: "2026-12-01T00:00:00Z".into(),
        effective_from: Some("2026-12-01".into()),
        body: b"{\"caps\":[]}".to_vec(),
    }
}

fn feed_through(v: &Mutex<Vault>) -> u64 {
    v.lock()
        .unwrap()
        .head_office()
        .unwrap()
        .unwrap()
        .feed_through
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_signed_by_another_key_is_refused_and_changes_nothing() {
    let (_d, admin, fake) = with_fake().await;
    fake.publish(entry(1));
    fake.set_mode(fake::Mode::FeedSignedByStranger);
    let r = sync(&admin).await;
    assert!(matches!(r, Err(Failure::Forged(_))), "{r:?}");
    assert_eq!(feed_through(&admin), 0);
    assert!(
        admin
            .lock()
            .unwrap()
            .publications("caps")
            .unwrap()
            .is_empty()
    );
    let status = admin.lock().unwrap().sync_status().unwrap();
    assert_eq!(status.last_code.as_deref(), Some("forged"));
    fake.set_mode(fake::Mode::Honest);
    sync(&admin).await.expect("the genuine feed applies");
    assert_eq!(feed_through(&admin), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolled_back_feed_is_refused() {
    let (_d, admin, fake) = with_fake().await;
    fake.publish(entry(1));
    fake.publish(entry(2));
    let old = fake.sealed_feed(0);
    sync(&admin).await.expect("honest sync");
    assert_eq!(feed_through(&admin), 2);
    fake.set_mode(fake::Mode::FeedReplay(old));
    let r = sync(&admin).await;
    assert!(matches!(r, Err(Failure::Forged(_))), "{r:?}");
    assert_eq!(feed_through(&admin), 2, "the desk does not go back");
    assert_eq!(admin.lock().unwrap().publications("caps").unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn replayed_and_overreaching_acknowledgements_acknowledge_nothing() {
    let (_d, admin, fake) = with_fake().await;
    settings_changes(&admin, 20);
    for mode in [fake::Mode::AckReplay, fake::Mode::AckTooFar] {
        fake.set_mode(mode);
        let r = sync(&admin).await;
        assert!(matches!(r, Err(Failure::Forged(_))), "{r:?}");
        assert_eq!(
            admin.lock().unwrap().outbox_counts().unwrap().acked,
            0,
            "no record counts as stored on a wrong acknowledgement"
        );
    }
    fake.set_mode(fake::Mode::Honest);
    sync(&admin).await.expect("honest sync");
    assert_eq!(pending(&admin), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_round_at_a_time_across_processes() {
    let office = Office::sqlite();
    let server = office.serve();
    let d = desk();
    let admin = d.admin();
    enrol(&admin, &office.code("Алматы-1", &server.url())).await;
    // Another process (here: another unlock of the same vault) is in the middle of a round.
    let other = d.admin();
    let held = other.lock().unwrap().sync_guard().expect("guard");
    assert!(held.is_some(), "the first round takes the lock");
    let r = sync(&admin).await;
    assert!(
        matches!(r, Err(Failure::Running)),
        "a second round waits its turn instead of racing the first: {r:?}"
    );
    drop(held);
    sync(&admin)
        .await
        .expect("once the other round ends, this one runs");
    assert_eq!(pending(&admin), 0);
}
