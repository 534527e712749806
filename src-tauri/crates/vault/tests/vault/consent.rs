//! Consent in a real vault: grants with evidence, the submission rule, withdrawals and the open
//! loan, a repeated confirmation, bad evidence that stores nothing, a changed byte that fails the
//! signature check, and the client's dossier holding all of theirs and nothing of another's.

use std::collections::BTreeMap;

use domain::consent::{Action, ConsentError, Method};
use domain::evidence::{DrawnSignature, EvidenceError, Point};
use domain::policy::PolicyVersion;
use vault::{
    ClientId, Evidence, NewDocument, NewGrant, NewWithdrawal, OfficerId, Role, Vault, VaultError,
};

use super::records::{client, iin, terms};
use super::{desk, now, pass, snapshot};

pub(crate) fn privacy() -> &'static PolicyVersion {
    &domain::policy::shipped()[0]
}

pub(crate) fn drawn() -> DrawnSignature {
    DrawnSignature {
        width: 600,
        height: 200,
        strokes: vec![
            (0..40)
                .map(|i| Point(20 + i * 12, 100 + (i % 7) * 6, u32::from(i) * 15))
                .collect(),
            (0..10)
                .map(|i| Point(300, 40 + i * 10, 700 + u32::from(i) * 15))
                .collect(),
        ],
    }
}

/// A stand-in for the consent form the desk prints (the vault keeps whatever PDF it is given).
pub(crate) fn print_form(v: &mut Vault, client: &ClientId) {
    let id = vault::new_document_id();
    v.store_document(
        &NewDocument {
            id: &id,
            kind: "consent",
            client_id: Some(client),
            application_id: None,
            policy_version: Some(privacy().version),
            issued_at: now(),
            content: "{}",
            content_sha256: &"a".repeat(64),
            signature: &"b".repeat(128),
            pdf: b"%PDF-1.7\n%%EOF\n",
        },
        now(),
    )
    .expect("form stored");
}

/// The desk with a loan officer (administrators do not make applications), signed in.
fn officer_of(d: &super::Desk) -> (OfficerId, Vault) {
    let id = d
        .unlock()
        .add_officer("Ержан", Role::Officer, &pass(OFFICER), now())
        .expect("officer")
        .id;
    let v = as_officer(d, &id);
    (id, v)
}

fn as_officer(d: &super::Desk, id: &OfficerId) -> Vault {
    Vault::unlock(&d.dir, &d.keychain, id, &pass(OFFICER), now()).expect("unlock as officer")
}

const OFFICER: &str = "officer passphrase";

fn decisions(advertising: bool) -> BTreeMap<String, bool> {
    privacy()
        .purposes
        .iter()
        .map(|p| (p.code.clone(), p.required || advertising))
        .collect()
}

fn key(n: u8) -> String {
    format!("{n:032x}")
}

/// Records consent to every required purpose (and advertising when asked) on screen.
pub(crate) fn consent(v: &mut Vault, client: &ClientId, advertising: bool, request: u8) -> String {
    let sig = drawn();
    let d = decisions(advertising);
    v.record_consent(
        &NewGrant {
            request_key: &key(request),
            client_id: client,
            in_force: privacy(),
            policy_version: 1,
            policy_sha256: &privacy().sha256,
            decisions: &d,
            method: Method::Screen,
            evidence: Evidence {
                signature: Some(&sig),
                signature_png: Some(b"\x89PNG stand-in"),
                scan: None,
                note: None,
            },
        },
        now(),
    )
    .expect("consent recorded")
    .content
    .id
}

#[test]
fn submission_waits_for_consent_and_a_grant_is_signed_audited_and_queued() {
    let d = desk();
    let (_, mut v) = officer_of(&d);
    let c = v
        .add_client(&client(&iin(60), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    let app = v
        .create_application(&c, &terms(500_000, 12), now())
        .expect("draft");
    let refused = v.submit_application(&app, &terms(500_000, 12), privacy(), now());
    assert!(
        matches!(refused, Err(VaultError::Consent(ConsentError::Missing(ref m))) if m.len() == 3),
        "no consent, no submission, naming the three required purposes: {refused:?}"
    );
    let sig = drawn();
    let all = decisions(true);
    let grant = |key: &'static str| NewGrant {
        request_key: key,
        client_id: &c,
        in_force: privacy(),
        policy_version: 1,
        policy_sha256: &privacy().sha256,
        decisions: &all,
        method: Method::Screen,
        evidence: Evidence {
            signature: Some(&sig),
            signature_png: Some(b"png"),
            scan: None,
            note: None,
        },
    };
    const KEY: &str = "0123456789abcdef0123456789abcdef";
    assert!(
        matches!(
            v.record_consent(&grant(KEY), now()),
            Err(VaultError::Consent(ConsentError::NoForm))
        ),
        "the consent form is printed before decisions are recorded"
    );
    print_form(&mut v, &c);
    let (audit_before, outbox_before) = (v.audit_len().expect("a"), v.outbox_pending().expect("o"));
    let first = v.record_consent(&grant(KEY), now()).expect("recorded");
    assert!(first.signature_ok, "a fresh record verifies");
    assert_eq!(first.content.action, Action::Grant);
    assert_eq!(
        first
            .content
            .evidence
            .iter()
            .map(|e| e.kind.as_str())
            .collect::<Vec<_>>(),
        ["signature-strokes", "signature-image"]
    );
    assert!(
        first.content.at.ends_with("+05:00"),
        "the time is Almaty's: {}",
        first.content.at
    );
    assert_eq!(
        v.audit_len().expect("a") - audit_before,
        3,
        "two attachments and the grant are audited"
    );
    assert_eq!(
        v.outbox_pending().expect("o") - outbox_before,
        3,
        "and queued"
    );
    let again = v.record_consent(&grant(KEY), now()).expect("same key");
    assert_eq!(
        again.content.id, first.content.id,
        "a second click gives the same record"
    );
    assert_eq!(
        v.consent_events(&c).expect("events").len(),
        1,
        "one record, not two"
    );
    let other_decisions = decisions(false);
    let reused = v.record_consent(
        &NewGrant {
            decisions: &other_decisions,
            ..grant(KEY)
        },
        now(),
    );
    assert!(
        matches!(reused, Err(VaultError::BadSetting)),
        "a key used for other decisions is refused, not answered with the first record: {reused:?}"
    );
    let (record, bytes) = v
        .attachment(&first.content.evidence[0].id)
        .expect("attachment");
    assert_eq!(record.media_type, "application/json");
    assert_eq!(
        serde_json::from_slice::<DrawnSignature>(&bytes).expect("strokes"),
        drawn(),
        "the strokes are kept with every point and time"
    );
    v.submit_application(&app, &terms(500_000, 12), privacy(), now())
        .expect("with consent the application submits");
}

#[test]
fn bad_evidence_and_bad_decisions_store_nothing() {
    let d = desk();
    let mut v = d.unlock();
    let c = v
        .add_client(&client(&iin(61), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut v, &c);
    drop(v);
    let before = snapshot(d.dir.path());
    let mut v = d.unlock();
    let dot = DrawnSignature {
        width: 600,
        height: 200,
        strokes: vec![vec![Point(50, 50, 0)]],
    };
    let empty = DrawnSignature {
        width: 600,
        height: 200,
        strokes: vec![],
    };
    let all = decisions(true);
    let mut short = all.clone();
    short.remove("advertising");
    let elf = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
    let big = {
        let mut b = b"%PDF-1.7\n".to_vec();
        b.resize(domain::evidence::SCAN_MAX + 10, b' ');
        b.extend_from_slice(b"%%EOF");
        b
    };
    let sig = drawn();
    let keys: Vec<String> = (1..=7).map(|n: u32| n.to_string().repeat(32)).collect();
    let zero = "0".repeat(64);
    let nobody = ClientId::from("f".repeat(32));
    type Case<'a> = (&'a str, NewGrant<'a>, fn(&VaultError) -> bool);
    let cases: Vec<Case<'_>> = vec![
        (
            "a one-dot signature",
            NewGrant {
                request_key: &keys[0],
                client_id: &c,
                in_force: privacy(),
                policy_version: 1,
                policy_sha256: &privacy().sha256,
                decisions: &all,
                method: Method::Screen,
                evidence: Evidence {
                    signature: Some(&dot),
                    signature_png: Some(b"png"),
                    ..Evidence::default()
                },
            },
            |e| matches!(e, VaultError::Evidence(EvidenceError::SignatureTooSmall)),
        ),
        (
            "an empty signature",
            NewGrant {
                request_key: &keys[1],
                client_id: &c,
                in_force: privacy(),
                policy_version: 1,
                policy_sha256: &privacy().sha256,
                decisions: &all,
                method: Method::Screen,
                evidence: Evidence {
                    signature: Some(&empty),
                    signature_png: Some(b"png"),
                    ..Evidence::default()
                },
            },
            |e| matches!(e, VaultError::Evidence(EvidenceError::SignatureEmpty)),
        ),
        (
            "a renamed program as the scan",
            NewGrant {
                request_key: &keys[2],
                client_id: &c,
                in_force: privacy(),
                policy_version: 1,
                policy_sha256: &privacy().sha256,
                decisions: &all,
                method: Method::Paper,
                evidence: Evidence {
                    scan: Some(&elf),
                    ..Evidence::default()
                },
            },
            |e| matches!(e, VaultError::Evidence(EvidenceError::ScanType)),
        ),
        (
            "a scan over 20 MB",
            NewGrant {
                request_key: &keys[3],
                client_id: &c,
                in_force: privacy(),
                policy_version: 1,
                policy_sha256: &privacy().sha256,
                decisions: &all,
                method: Method::Paper,
                evidence: Evidence {
                    scan: Some(&big),
                    ..Evidence::default()
                },
            },
            |e| matches!(e, VaultError::Evidence(EvidenceError::ScanTooLarge)),
        ),
        (
            "a policy hash that is not the version's",
            NewGrant {
                request_key: &keys[4],
                client_id: &c,
                in_force: privacy(),
                policy_version: 1,
                policy_sha256: &zero,
                decisions: &all,
                method: Method::Screen,
                evidence: Evidence {
                    signature: Some(&sig),
                    signature_png: Some(b"png"),
                    ..Evidence::default()
                },
            },
            |e| matches!(e, VaultError::Consent(ConsentError::PolicyMismatch)),
        ),
        (
            "a purpose left undecided",
            NewGrant {
                request_key: &keys[5],
                client_id: &c,
                in_force: privacy(),
                policy_version: 1,
                policy_sha256: &privacy().sha256,
                decisions: &short,
                method: Method::Screen,
                evidence: Evidence {
                    signature: Some(&sig),
                    signature_png: Some(b"png"),
                    ..Evidence::default()
                },
            },
            |e| matches!(e, VaultError::Consent(ConsentError::Undecided(_))),
        ),
        (
            "a client who does not exist",
            NewGrant {
                request_key: &keys[6],
                client_id: &nobody,
                in_force: privacy(),
                policy_version: 1,
                policy_sha256: &privacy().sha256,
                decisions: &all,
                method: Method::Screen,
                evidence: Evidence {
                    signature: Some(&sig),
                    signature_png: Some(b"png"),
                    ..Evidence::default()
                },
            },
            |e| matches!(e, VaultError::NotFound),
        ),
    ];
    for (what, grant, expected) in cases {
        let got = v.record_consent(&grant, now());
        assert!(
            matches!(&got, Err(e) if expected(e)),
            "{what} is refused with its own error: {got:?}"
        );
    }
    let never = v.withdraw_consent(
        &NewWithdrawal {
            request_key: &"8".repeat(32),
            client_id: &c,
            in_force: privacy(),
            purposes: &["advertising".to_owned()],
            method: Method::Phone,
            evidence: Evidence::default(),
        },
        now(),
    );
    assert!(
        matches!(never, Err(VaultError::Consent(ConsentError::NeverGiven(_)))),
        "a purpose never given cannot be withdrawn: {never:?}"
    );
    drop(v);
    assert_eq!(
        snapshot(d.dir.path()),
        before,
        "refused consent steps change no file of the vault"
    );
}

#[test]
fn withdrawals_are_events_and_a_required_purpose_stays_while_a_loan_is_open() {
    let d = desk();
    let (off, mut v) = officer_of(&d);
    let c = v
        .add_client(&client(&iin(62), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut v, &c);
    consent(&mut v, &c, true, 1);
    let withdraw = |v: &mut Vault, code: &str, k: u8| {
        v.withdraw_consent(
            &NewWithdrawal {
                request_key: &key(k),
                client_id: &c,
                in_force: privacy(),
                purposes: &[code.to_owned()],
                method: Method::Phone,
                evidence: Evidence {
                    note: Some("звонок клиента"),
                    ..Evidence::default()
                },
            },
            now(),
        )
    };
    let w = withdraw(&mut v, "advertising", 2).expect("advertising opt-out");
    assert_eq!(w.content.action, Action::Withdraw);
    assert_eq!(w.content.note.as_deref(), Some("звонок клиента"));
    let s = v.consent_standing(&c, privacy()).expect("standing");
    assert!(
        !s.purposes
            .iter()
            .find(|p| p.code == "advertising")
            .expect("ad")
            .granted
    );
    assert_eq!(s.ready(), Ok(()), "advertising is optional");
    assert_eq!(
        v.consent_events(&c).expect("events").len(),
        2,
        "the grant is kept, not overwritten"
    );

    // A signed loan: make the application row signed directly, as the lifecycle would.
    let app = v
        .create_application(&c, &terms(500_000, 12), now())
        .expect("draft");
    drop(v);
    d.sql(&format!(
        "UPDATE application SET stage = 'signed' WHERE id = '{app}'"
    ));
    let mut v = as_officer(&d, &off);
    assert!(v.loan_open(&c).expect("open"));
    let refused = withdraw(&mut v, "issue-microcredit", 3);
    assert!(
        matches!(refused, Err(VaultError::Consent(ConsentError::RequiredWhileLoanOpen(ref p))) if p == "issue-microcredit"),
        "a required purpose cannot be withdrawn while a loan is open: {refused:?}"
    );
    let sig = drawn();
    let refusing: BTreeMap<String, bool> = decisions(true)
        .into_iter()
        .map(|(k, v)| {
            let keep = v && k != "issue-microcredit";
            (k, keep)
        })
        .collect();
    let regrant = v.record_consent(
        &NewGrant {
            request_key: &key(9),
            client_id: &c,
            in_force: privacy(),
            policy_version: 1,
            policy_sha256: &privacy().sha256,
            decisions: &refusing,
            method: Method::Screen,
            evidence: Evidence {
                signature: Some(&sig),
                signature_png: Some(b"png"),
                ..Evidence::default()
            },
        },
        now(),
    );
    assert!(
        matches!(
            regrant,
            Err(VaultError::Consent(ConsentError::RequiredWhileLoanOpen(_)))
        ),
        "nor refused by a new grant: {regrant:?}"
    );
}

#[test]
fn an_altered_withdrawal_does_not_bring_consent_back() {
    let d = desk();
    let (off, mut v) = officer_of(&d);
    let c = v
        .add_client(&client(&iin(67), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut v, &c);
    consent(&mut v, &c, true, 1);
    v.withdraw_consent(
        &NewWithdrawal {
            request_key: &key(2),
            client_id: &c,
            in_force: privacy(),
            purposes: &["advertising".to_owned()],
            method: Method::Phone,
            evidence: Evidence::default(),
        },
        now(),
    )
    .expect("opt-out");
    drop(v);
    d.sql(
        "UPDATE consent_event SET content = replace(content, '\"method\":\"phone\"', '\"method\":\"paper\"') WHERE action = 'withdraw'",
    );
    let v = as_officer(&d, &off);
    let events = v.consent_events(&c).expect("events");
    assert!(
        !events[1].signature_ok,
        "the altered withdrawal does not verify"
    );
    let s = v.consent_standing(&c, privacy()).expect("standing");
    assert!(
        s.purposes.iter().all(|p| !p.granted),
        "skipping the altered withdrawal must not give advertising back: {s:?}"
    );
    assert!(
        s.ready().is_err(),
        "and the client is not ready until the vault is looked at"
    );
}

#[test]
fn a_consent_record_with_one_changed_byte_fails_its_signature_check() {
    let d = desk();
    let mut v = d.unlock();
    let c = v
        .add_client(&client(&iin(63), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut v, &c);
    consent(&mut v, &c, false, 1);
    assert!(
        v.consent_standing(&c, privacy())
            .expect("s")
            .ready()
            .is_ok()
    );
    drop(v);
    // One byte of the signed content: the IIN's last digit.
    let i = iin(63);
    let mut changed = i.clone();
    changed.replace_range(11.., if i.ends_with('0') { "1" } else { "0" });
    d.sql(&format!(
        "UPDATE consent_event SET content = replace(content, '{i}', '{changed}')"
    ));
    let v = d.unlock();
    let events = v.consent_events(&c).expect("events");
    assert!(
        !events[0].signature_ok,
        "one changed byte breaks the desk's signature"
    );
    assert!(
        v.consent_standing(&c, privacy())
            .expect("s")
            .ready()
            .is_err(),
        "an altered record counts for nothing: the application waits for a valid consent"
    );
}

#[test]
fn a_newer_policy_asks_for_renewal() {
    let d = desk();
    let (_, mut v) = officer_of(&d);
    let c = v
        .add_client(&client(&iin(64), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut v, &c);
    consent(&mut v, &c, true, 1);
    let mut v2 = privacy().clone();
    v2.version = 2;
    v2.text.push_str("\nНовый пункт.");
    v2.sha256 = domain::policy::sha256_hex(v2.text.as_bytes());
    let s = v.consent_standing(&c, &v2).expect("standing");
    assert!(
        s.renewal_needed,
        "a new text in force asks for renewed consent"
    );
    let app = v
        .create_application(&c, &terms(500_000, 12), now())
        .expect("draft");
    assert!(matches!(
        v.submit_application(&app, &terms(500_000, 12), &v2, now()),
        Err(VaultError::Consent(ConsentError::Renewal {
            given: 1,
            in_force: 2
        }))
    ));
}

#[test]
fn the_dossier_holds_every_record_of_the_client_and_nothing_of_another() {
    let d = desk();
    let (_, mut v) = officer_of(&d);
    let mine = v
        .add_client(&client(&iin(65), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    let other = v
        .add_client(&client(&iin(66), "Петрова", "Мария", "87012345679"), now())
        .expect("other");
    for c in [&mine, &other] {
        print_form(&mut v, c);
    }
    consent(&mut v, &mine, true, 1);
    consent(&mut v, &other, true, 2);
    let app = v
        .create_application(&mine, &terms(500_000, 12), now())
        .expect("draft");
    v.create_application(&other, &terms(600_000, 12), now())
        .expect("other draft");
    assert!(
        matches!(v.client_dossier(&mine), Err(VaultError::Forbidden)),
        "a loan officer does not export a client's data"
    );
    drop(v);
    let dossier = d
        .unlock()
        .client_dossier(&mine)
        .expect("administrators export");
    let ids = |t: &str, col: &str| -> Vec<String> {
        dossier.tables[t]
            .iter()
            .map(|r| r[col].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(ids("client", "id"), [mine.to_string()]);
    assert_eq!(ids("application", "id"), [app.to_string()]);
    assert_eq!(ids("consent_event", "client_id"), [mine.to_string()]);
    assert!(
        ids("attachment", "client_id")
            .iter()
            .all(|c| c == mine.as_str())
    );
    assert_eq!(ids("attachment", "id").len(), 2);
    assert_eq!(
        dossier.files.len(),
        3,
        "the form's PDF and the two attachments"
    );
    let everything = serde_json::to_string(&dossier.tables).expect("json");
    assert!(
        !everything.contains(other.as_str()),
        "nothing names the other client"
    );
    assert!(!everything.contains("Петрова"), "nor carries their name");
    assert!(
        !dossier.tables["audit"].is_empty() && !dossier.tables["outbox"].is_empty(),
        "the audit entries and queued versions that concern the client are in"
    );
    assert!(
        dossier.tables["outbox"]
            .iter()
            .any(|r| r["action"] == "client.add" && r["payload"].is_object()),
        "the client's versions come as JSON"
    );
}
