//! The vault's side of sync with head office: enrolment and explicit re-enrolment, outbox states
//! moved by acknowledgements and refusals, head office's feed applied in one transaction
//! (decisions, publications, roster, revocation), compaction, and the acknowledged audit head.

use chrono::Duration;
use domain::application::{Stage, Step};
use domain::money::Money;
use vault::{
    Enrolment, FeedItem, HeadOfficeCheck, HeadOfficeDecision, OutboxState, Role, Vault, VaultError,
};

use super::consent::{consent, print_form, privacy};
use super::records::{client, iin, terms};
use super::{desk, now, pass};

const HEX64: &str = "ab00000000000000000000000000000000000000000000000000000000000000";

fn enrolment(device: &str) -> Enrolment<'_> {
    Enrolment {
        url: "https://127.0.0.1:8443",
        cert_sha256: HEX64,
        signing: HEX64,
        recipient: "age1example",
        branch: "Алматы-1",
        device_id: device,
    }
}

fn enrolled() -> super::Desk {
    let d = desk();
    d.unlock()
        .enrol_head_office(&enrolment("dev-1"), false, now())
        .expect("an administrator enrols the desk");
    d
}

fn decision(app: &str, outcome: &str) -> FeedItem {
    FeedItem::Decision(HeadOfficeDecision {
        application_id: app.to_owned(),
        outcome: outcome.to_owned(),
        reason: Some("доход подтверждён".to_owned()),
        decided_by: "Сауле Head".to_owned(),
        decided_at: "2026-11-25T10:00:00Z".to_owned(),
    })
}

#[test]
fn enrolment_is_for_administrators_once_and_is_audited_and_queued() {
    let d = desk();
    let mut admin = d.unlock();
    let officer = admin
        .add_officer("Ержан", Role::Officer, &pass("officer passphrase"), now())
        .expect("officer")
        .id;
    let mut off = Vault::unlock(
        &d.dir,
        &d.keychain,
        &officer,
        &pass("officer passphrase"),
        now(),
    )
    .expect("officer unlocks");
    assert!(
        matches!(
            off.enrol_head_office(&enrolment("dev-1"), false, now()),
            Err(VaultError::Forbidden)
        ),
        "only an administrator enrols the desk"
    );
    drop(off);
    assert!(admin.head_office().expect("read").is_none());
    let link = admin
        .enrol_head_office(&enrolment("dev-1"), false, now())
        .expect("enrol");
    assert_eq!(link.device_id, "dev-1");
    assert_eq!(
        link.seq_base, 0,
        "a first enrolment sends the whole history"
    );
    assert!(
        matches!(
            admin.enrol_head_office(&enrolment("dev-2"), true, now()),
            Err(VaultError::AlreadyEnrolled)
        ),
        "a live enrolment is not replaced, even when asked"
    );
    let all = admin.outbox_after(0, 1000).expect("outbox");
    assert_eq!(
        all.first().map(|r| r.seq),
        Some(1),
        "wire numbers start at 1"
    );
    assert_eq!(
        all.last().map(|r| r.action.as_str()),
        Some("sync.enrol"),
        "the enrolment itself goes to head office"
    );
    assert!(
        all.windows(2).all(|w| w[1].seq == w[0].seq + 1),
        "no gaps in wire numbers"
    );
}

#[test]
fn acknowledgements_and_refusals_move_outbox_states_and_never_lose_a_record() {
    let d = enrolled();
    let mut v = d.unlock();
    for m in 1..=4 {
        v.set_auto_lock_minutes(m, now()).expect("set");
    }
    let records = v.outbox_after(0, 1000).expect("outbox");
    let last = records.last().expect("records").seq;
    assert_eq!(v.outbox_counts().expect("counts").queued, last as i64);

    v.outbox_mark_sent(1, 3).expect("sent");
    v.outbox_note_failure(1, 3, true, "bad_signature")
        .expect("refused");
    let refused = v
        .outbox_items(Some(OutboxState::Refused), None, 50)
        .expect("view");
    assert_eq!(refused.len(), 3, "the refused batch shows as refused");
    assert!(
        refused
            .iter()
            .all(|i| i.last_error.as_deref() == Some("bad_signature") && i.attempts == 1),
        "each item keeps the code and the attempts: {refused:?}"
    );
    assert_eq!(v.outbox_retry().expect("retry"), 3);
    assert_eq!(v.outbox_counts().expect("counts").refused, 0);

    v.outbox_mark_sent(1, last).expect("sent");
    v.outbox_acked(last - 1, HEX64, None, now()).expect("ack");
    let c = v.outbox_counts().expect("counts");
    assert_eq!((c.acked, c.sent), (last as i64 - 1, 1), "{c:?}");
    assert_eq!(
        v.outbox_after(last - 1, 10).expect("rest").len(),
        1,
        "what is not acknowledged is still there to send"
    );
    // Head office restored from a backup: its cursor went back; the records go again.
    v.outbox_acked(2, HEX64, None, now()).expect("lower cursor");
    let c = v.outbox_counts().expect("counts");
    assert_eq!(c.acked, 2, "only what head office now has counts: {c:?}");
    assert_eq!(c.pending(), last as i64 - 2);
    assert!(
        matches!(
            v.outbox_acked(last + 5, HEX64, None, now()),
            Err(VaultError::HeadOfficeMismatch(_))
        ),
        "an acknowledgement of records never written is refused"
    );
}

#[test]
fn compaction_drops_acknowledged_payloads_after_the_retention_only() {
    let d = enrolled();
    let mut v = d.unlock();
    for m in 1..=6 {
        v.set_auto_lock_minutes(m, now()).expect("set");
    }
    let records = v.outbox_after(0, 1000).expect("outbox");
    let last = records.last().expect("records").seq;
    v.outbox_acked(last - 2, HEX64, None, now()).expect("ack");
    let early = v
        .compact_outbox(now(), Duration::days(30))
        .expect("compact");
    assert_eq!(early.records, 0, "nothing is dropped within the retention");
    let later = now() + Duration::days(31);
    let done = v
        .compact_outbox(later, Duration::days(30))
        .expect("compact");
    assert_eq!(
        done.records,
        last as i64 - 2,
        "every acknowledged payload past the retention goes"
    );
    assert!(done.bytes > 0);
    let items = v.outbox_items(None, None, 500).expect("view");
    assert_eq!(
        items.len(),
        last as usize,
        "every record keeps its row after compaction"
    );
    assert!(
        items
            .iter()
            .all(|i| (i.state == OutboxState::Acked) == (i.size == 0)),
        "acknowledged rows lost their payload, the others kept theirs: {items:?}"
    );
    assert_eq!(
        v.outbox_after(last - 2, 10).expect("unsent").len(),
        2,
        "unacknowledged records still go"
    );
    assert!(
        matches!(
            v.outbox_after(0, 10),
            Err(VaultError::HeadOfficeMismatch(_))
        ),
        "asking again for compacted records is an error, not an empty answer"
    );
    assert!(
        v.verify_audit().expect("verify").intact(),
        "compaction leaves the audit chain intact"
    );
}

#[test]
fn a_referred_application_is_approved_by_head_office_through_the_feed() {
    let d = enrolled();
    let mut admin = d.unlock();
    let officer = admin
        .add_officer("Ержан", Role::Officer, &pass("officer passphrase"), now())
        .expect("officer")
        .id;
    let supervisor = admin
        .add_officer("Гүлнар", Role::Supervisor, &pass("supervisor pass"), now())
        .expect("supervisor")
        .id;
    admin
        .set_approval_limit(&supervisor, Money::from_tenge(100_000).expect("m"), now())
        .expect("limit");
    drop(admin);
    let mut off = Vault::unlock(
        &d.dir,
        &d.keychain,
        &officer,
        &pass("officer passphrase"),
        now(),
    )
    .expect("officer");
    let c = off
        .add_client(&client(&iin(77), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut off, &c);
    consent(&mut off, &c, false, 7);
    let app = off
        .create_application(&c, &terms(500_000, 12), now())
        .expect("draft");
    off.submit_application(&app, &terms(500_000, 12), privacy(), now())
        .expect("submit");
    drop(off);
    let mut sup = Vault::unlock(
        &d.dir,
        &d.keychain,
        &supervisor,
        &pass("supervisor pass"),
        now(),
    )
    .expect("supervisor");
    assert_eq!(
        sup.step_application(&app, Step::Refer, None, now())
            .expect("refer"),
        Stage::Referred
    );
    let audit_before = sup.audit_len().expect("audit");
    let pending_before = sup.outbox_pending().expect("outbox");

    // A stale answer (not starting where the desk stands) changes nothing.
    assert!(matches!(
        sup.apply_feed(5, 9, &[(7, decision(app.as_str(), "approved"))], now()),
        Err(VaultError::HeadOfficeMismatch(_))
    ));
    assert!(matches!(
        sup.apply_feed(0, 9, &[(10, decision(app.as_str(), "approved"))], now()),
        Err(VaultError::HeadOfficeMismatch(_))
    ));
    assert_eq!(sup.application(&app).expect("app").stage, Stage::Referred);

    let report = sup
        .apply_feed(
            0,
            3,
            &[
                (2, decision(app.as_str(), "approved")),
                (3, decision("no-such-application", "declined")),
            ],
            now(),
        )
        .expect("apply");
    assert_eq!((report.decisions, report.decisions_kept), (1, 1));
    assert_eq!(sup.application(&app).expect("app").stage, Stage::Approved);
    let hq = sup
        .head_office_decision(&app)
        .expect("read")
        .expect("the decision is kept");
    assert_eq!(
        (hq.outcome.as_str(), hq.decided_by.as_str()),
        ("approved", "Сауле Head")
    );
    let events = sup.application_events(&app).expect("events");
    assert_eq!(
        events.last().map(|e| e.step.as_str()),
        Some("head_office_approve"),
        "the history says head office decided"
    );
    assert_eq!(
        sup.audit_len().expect("audit"),
        audit_before + 2,
        "the decision and the feed answer are audited"
    );
    assert_eq!(
        sup.outbox_pending().expect("outbox"),
        pending_before,
        "what came from head office is not sent back to it"
    );
    assert_eq!(sup.head_office().expect("link").expect("l").feed_through, 3);
    // The same answer again is stale now.
    assert!(matches!(
        sup.apply_feed(0, 3, &[(2, decision(app.as_str(), "approved"))], now()),
        Err(VaultError::HeadOfficeMismatch(_))
    ));
    assert!(sup.verify_audit().expect("verify").intact());
}

#[test]
fn roster_publications_and_revocation_from_the_feed() {
    let d = enrolled();
    let mut admin = d.unlock();
    let officer = admin
        .add_officer("Ержан", Role::Officer, &pass("officer passphrase"), now())
        .expect("officer")
        .id;
    let report = admin
        .apply_feed(
            0,
            12,
            &[
                (
                    10,
                    FeedItem::Publication {
                        kind: "products".into(),
                        published_at: "2026-11-20T00:00:00Z".into(),
                        effective_from: Some("2026-12-01".into()),
                        body: "{\"products\":[]}".into(),
                    },
                ),
                (
                    11,
                    FeedItem::Roster {
                        officer_id: officer.0.clone(),
                        enabled: false,
                    },
                ),
            ],
            now(),
        )
        .expect("apply");
    assert_eq!((report.publications, report.roster), (1, 1));
    assert_eq!(admin.publications("products").expect("read").len(), 1);
    assert!(
        matches!(
            Vault::unlock(
                &d.dir,
                &d.keychain,
                &officer,
                &pass("officer passphrase"),
                now()
            ),
            Err(VaultError::OfficerDisabled)
        ),
        "an officer disabled at head office cannot unlock"
    );
    admin
        .outbox_acked(1, HEX64, admin.audit_head().expect("head"), now())
        .expect("ack");

    let r = admin
        .apply_feed(12, 13, &[(13, FeedItem::Revocation)], now())
        .expect("revocation");
    assert!(r.revoked);
    let before = admin.audit_len().expect("audit");
    assert!(
        matches!(
            admin.set_auto_lock_minutes(7, now()),
            Err(VaultError::Revoked)
        ),
        "a revoked desk is read-only"
    );
    assert!(
        matches!(
            admin.add_client(&client(&iin(78), "Петрова", "Ольга", "87012345679"), now()),
            Err(VaultError::Revoked)
        ),
        "no new client on a revoked desk"
    );
    assert_eq!(admin.audit_len().expect("audit"), before, "nothing written");
    assert!(
        admin.officers().is_ok(),
        "reading still works on a revoked desk"
    );
    assert!(matches!(
        admin.enrol_head_office(&enrolment("dev-2"), false, now()),
        Err(VaultError::AlreadyEnrolled)
    ));
    let link = admin
        .enrol_head_office(&enrolment("dev-2"), true, now())
        .expect("explicit re-enrolment");
    assert_eq!(
        link.seq_base, 1,
        "the new device starts after what the old one had acknowledged"
    );
    assert_eq!(link.feed_through, 0, "a new device reads its own feed");
    assert_eq!(
        admin.outbox_after(0, 1).expect("outbox")[0].seq,
        1,
        "wire numbers start at 1 for the new device"
    );
    admin
        .set_auto_lock_minutes(7, now())
        .expect("writable again after enrolling again");
}

#[test]
fn cutting_the_chain_behind_what_head_office_acknowledged_is_reported() {
    let d = enrolled();
    let mut v = d.unlock();
    for m in 1..=5 {
        v.set_auto_lock_minutes(m, now()).expect("set");
    }
    let head = v.audit_head().expect("head").expect("entries");
    let last = v.outbox_after(0, 1000).expect("outbox").len() as u64;
    v.outbox_acked(last, HEX64, Some(head), now()).expect("ack");
    let report = v.verify_audit().expect("verify");
    assert_eq!(
        report.head_office,
        Some(HeadOfficeCheck::Matches { seq: head.0 })
    );
    drop(v);
    d.sql(&format!("DELETE FROM audit WHERE seq >= {};", head.0 - 1));
    let report = d.unlock().verify_audit().expect("verify");
    assert!(
        matches!(
            report.head_office,
            Some(HeadOfficeCheck::Truncated { acknowledged, .. }) if acknowledged == head.0
        ),
        "the acknowledged head names the cut: {report:?}"
    );
    assert!(!report.intact());
}
