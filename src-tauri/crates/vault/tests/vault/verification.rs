//! Verification reports kept (audited, queued, listed per client; malformed ones refused and
//! nothing changed), the desks and trust anchors head office publishes as the desk reads them,
//! and stored bytes checked on the way out (a printed document whose PDF was altered in the
//! database is refused, and so is an export that would carry it).

use vault::{Enrolment, FeedItem, NewVerification, VaultError, VerificationKind};

use super::records::{client, iin};
use super::{desk, now};

const HQ: &str = "ab00000000000000000000000000000000000000000000000000000000000000";

fn report<'a>(client: Option<&'a vault::ClientId>) -> NewVerification<'a> {
    NewVerification {
        kind: VerificationKind::Identity,
        client_id: client,
        subject: "ID 041234567",
        file_sha256: None,
        verdict: "pass",
        report: r#"{"report":{"verdict":"pass","findings":[]}}"#,
    }
}

#[test]
fn a_report_is_kept_audited_queued_and_listed_for_its_client() {
    let d = desk();
    let mut v = d.unlock();
    let c = v
        .add_client(
            &client(&iin(81), "Сейтқали", "Айгерім", "87012345681"),
            now(),
        )
        .expect("client");
    let (audit, outbox) = (v.audit_len().unwrap(), v.outbox_pending().unwrap());
    let kept = v
        .record_verification(&report(Some(&c)), now())
        .expect("kept");
    assert_eq!(kept.kind, "identity");
    assert_eq!(kept.officer_id, v.officer().id.0);
    assert_eq!(v.audit_len().unwrap(), audit + 1, "a check is audited");
    assert_eq!(
        v.outbox_pending().unwrap(),
        outbox + 1,
        "and queued for head office"
    );
    let printout = NewVerification {
        kind: VerificationKind::Printout,
        client_id: None,
        subject: "offer.pdf",
        file_sha256: Some(&"0f".repeat(32)),
        verdict: "altered",
        report: r#"{"verdict":"altered"}"#,
    };
    v.record_verification(&printout, now())
        .expect("a printout's check");
    assert_eq!(
        v.verifications(Some(&c), None, 50).unwrap(),
        vec![kept.clone()],
        "the client's list holds their checks only"
    );
    assert_eq!(v.verifications(None, None, 50).unwrap().len(), 2);
    let kinds = |identity| {
        v.verifications(None, Some(identity), 50)
            .unwrap()
            .into_iter()
            .map(|r| r.kind)
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(true), ["identity"], "identity checks only");
    assert_eq!(kinds(false), ["printout"], "documents only");
    assert_eq!(v.first_broken_audit_entry().unwrap(), None);

    // Malformed reports change nothing.
    let (audit, outbox) = (v.audit_len().unwrap(), v.outbox_pending().unwrap());
    let other = vault::ClientId::from("f".repeat(32));
    let bad_sha = "xyz".repeat(8);
    for (why, bad) in [
        ("an identity check names its client", report(None)),
        (
            "the report is JSON",
            NewVerification {
                report: "{not json",
                ..report(Some(&c))
            },
        ),
        (
            "a subject is given",
            NewVerification {
                subject: " ",
                ..report(Some(&c))
            },
        ),
        (
            "a file's hash is 64 hex digits",
            NewVerification {
                file_sha256: Some(&bad_sha),
                ..report(Some(&c))
            },
        ),
        (
            "the report has a sane size",
            NewVerification {
                report: &format!("\"{}\"", "x".repeat(vault::MAX_REPORT)),
                ..report(Some(&c))
            },
        ),
    ] {
        assert!(
            matches!(
                v.record_verification(&bad, now()),
                Err(VaultError::BadSetting)
            ),
            "{why}"
        );
    }
    assert!(
        matches!(
            v.record_verification(&report(Some(&other)), now()),
            Err(VaultError::NotFound)
        ),
        "a client that is not here"
    );
    assert_eq!(
        (v.audit_len().unwrap(), v.outbox_pending().unwrap()),
        (audit, outbox),
        "refused reports change nothing"
    );
}

fn publication(kind: &str, body: serde_json::Value) -> FeedItem {
    FeedItem::Publication {
        kind: kind.into(),
        published_at: "2026-11-20T00:00:00Z".into(),
        effective_from: None,
        body: body.to_string(),
    }
}

#[test]
fn known_desks_and_anchors_come_from_head_office_and_the_desk_itself() {
    let d = desk();
    let mut v = d.unlock();
    let own = v.desk_public_keys().expect("keys").signing;
    let known = v.known_desks().unwrap();
    assert_eq!(known.len(), 1, "before sync: this desk alone");
    assert!(known[0].own && known[0].key == own && known[0].revoked_at.is_none());
    assert!(
        v.trust_anchors().unwrap().is_empty(),
        "no anchors until head office sends them"
    );

    v.enrol_head_office(
        &Enrolment {
            url: "https://127.0.0.1:8443",
            cert_sha256: HQ,
            signing: HQ,
            recipient: "age1example",
            branch: "Алматы-1",
            device_id: "dev-1",
        },
        false,
        now(),
    )
    .expect("enrol");
    let (a, b) = ("a1".repeat(32), "b2".repeat(32));
    let desk = |key: &str, revoked: Option<&str>| {
        serde_json::json!({ "device": "dev", "branch": "almaty-1", "name": format!("desk {}", &key[..2]),
                            "signing": key, "enrolled_at": "2026-11-01T00:00:00Z", "revoked_at": revoked })
    };
    let anchor = |subject: &str| {
        serde_json::json!({ "subject": subject, "sha256": "00".repeat(32),
                            "not_after": "2030-01-01T00:00:00Z", "pem": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n" })
    };
    v.apply_feed(
        0,
        4,
        &[
            (
                1,
                publication(
                    "desks",
                    serde_json::json!({ "desks": [desk(&a, None), desk(&own, None)] }),
                ),
            ),
            (
                2,
                publication(
                    "anchors",
                    serde_json::json!({ "anchors": [anchor("NCA old")] }),
                ),
            ),
            // A later list computed before `a` enrolled, and `b` revoked.
            (
                3,
                publication(
                    "desks",
                    serde_json::json!({ "desks": [desk(&b, Some("2026-11-24T00:00:00Z"))] }),
                ),
            ),
            (
                4,
                publication(
                    "anchors",
                    serde_json::json!({ "anchors": [anchor("NCA RK"), anchor("NCA RK GOST")] }),
                ),
            ),
        ],
        now(),
    )
    .expect("feed");
    let known = v.known_desks().unwrap();
    let keys: Vec<(&str, bool, bool)> = known
        .iter()
        .map(|k| (k.key.as_str(), k.own, k.revoked_at.is_some()))
        .collect();
    assert_eq!(
        keys,
        vec![
            (own.as_str(), true, false),
            (a.as_str(), false, false),
            (b.as_str(), false, true)
        ],
        "own key first (never listed twice), every listed key kept, b's revocation shown"
    );
    // A list computed before b's revocation but published after it must not undo it; a list
    // where b enrolled again after its revocation does.
    let listed = |enrolled: &str| {
        serde_json::json!({ "device": "dev", "branch": "almaty-1", "name": "desk b2",
                            "signing": b, "enrolled_at": enrolled, "revoked_at": null })
    };
    let b_revoked = |v: &vault::Vault| {
        v.known_desks()
            .unwrap()
            .iter()
            .find(|k| k.key == b)
            .map(|k| k.revoked_at.is_some())
    };
    v.apply_feed(
        4,
        5,
        &[(
            5,
            publication(
                "desks",
                serde_json::json!({ "desks": [listed("2026-11-01T00:00:00Z")] }),
            ),
        )],
        now(),
    )
    .expect("feed");
    assert_eq!(
        b_revoked(&v),
        Some(true),
        "a stale list published late must not bring a revoked desk's key back"
    );
    v.apply_feed(
        5,
        6,
        &[(
            6,
            publication(
                "desks",
                serde_json::json!({ "desks": [listed("2026-11-25T00:00:00Z")] }),
            ),
        )],
        now(),
    )
    .expect("feed");
    assert_eq!(
        b_revoked(&v),
        Some(false),
        "a desk enrolled again after its revocation is trusted again"
    );
    // Head office revokes this desk: its own seal is then a revoked signer's too.
    v.apply_feed(6, 7, &[(7, FeedItem::Revocation)], now())
        .expect("revocation");
    assert!(
        v.known_desks().unwrap()[0].revoked_at.is_some(),
        "a revoked desk must not vouch for its own printouts"
    );
    let anchors: Vec<String> = v
        .trust_anchors()
        .unwrap()
        .into_iter()
        .map(|a| a.subject)
        .collect();
    assert_eq!(
        anchors,
        ["NCA RK", "NCA RK GOST"],
        "the newest set replaces the last"
    );
}

#[test]
fn an_altered_printout_in_the_vault_is_refused_not_served_nor_exported() {
    let d = desk();
    let mut v = d.unlock();
    let c = v
        .add_client(&client(&iin(82), "Ахметова", "Дана", "87012345682"), now())
        .expect("client");
    let id = vault::new_document_id();
    let pdf = b"%PDF-1.3 a consent form".to_vec();
    v.store_document(
        &vault::NewDocument {
            id: &id,
            kind: "consent",
            client_id: Some(&c),
            application_id: None,
            policy_version: Some(1),
            issued_at: now(),
            content: "{}",
            content_sha256: &"ab".repeat(32),
            signature: &"cd".repeat(64),
            pdf: &pdf,
        },
        now(),
    )
    .expect("store");
    assert!(v.client_dossier(&c).is_ok(), "an intact dossier exports");
    drop(v);
    d.sql(&format!(
        "UPDATE document SET pdf = CAST('%PDF-1.3 a forged form' AS BLOB) WHERE id = '{id}';"
    ));
    let v = d.unlock();
    assert!(
        matches!(v.document(&id), Err(VaultError::AttachmentAltered)),
        "altered bytes are refused, never served"
    );
    assert!(
        matches!(v.client_dossier(&c), Err(VaultError::AttachmentAltered)),
        "nor exported"
    );
}
