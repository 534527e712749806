//! Consent's bad input at the IPC edge: each refusal has its code and the field it belongs to,
//! and stores nothing; a confirmation clicked twice is one record; an application for a client
//! without consent is refused naming consent.

use domain::evidence::{DrawnSignature, Point, SCAN_MAX};

use super::*;
use crate::commands::consent::{self, ConsentRecordRequest, ConsentWithdrawRequest};
use crate::commands::documents::{self, PrintRequest};

/// A second client with the consent form printed and no consent yet.
fn unconsented(b: &mut Branch) -> String {
    let mut form = client_form();
    let mut serial = 700;
    form.iin = next_iin(&mut serial);
    form.phone = "+7 701 765 43 21".into();
    let id = clients::create(&mut b.officer, &form, now()).expect("a second client");
    crate::documents::issue_consent(
        &mut b.officer,
        &id,
        domain::consent::Scope::Privacy,
        &mut crate::documents::no_delivery,
        now(),
    )
    .expect("the form prints");
    id
}

fn grant(client_id: &str) -> ConsentRecordRequest {
    let policy = crate::documents::shipped_policy_in_force(now()).expect("policy");
    ConsentRecordRequest {
        request_key: vault::new_document_id().into_string(),
        client_id: client_id.to_owned(),
        scope: "privacy".into(),
        policy_version: policy.version,
        policy_sha256: policy.sha256.clone(),
        decisions: policy
            .purposes
            .iter()
            .map(|p| (p.code.clone(), p.required))
            .collect(),
        method: "screen".into(),
        signature: Some(drawn()),
        scan_token: None,
    }
}

fn events(v: &Vault, client_id: &str) -> usize {
    v.consent_events(&vault::ClientId::from(client_id))
        .expect("events")
        .len()
}

#[test]
fn consent_refuses_bad_evidence_and_decisions_on_their_fields_and_stores_nothing() {
    let mut b = branch();
    let c = unconsented(&mut b);
    let before = stored(&b.officer);
    let dot = DrawnSignature {
        width: 600,
        height: 200,
        strokes: vec![vec![Point(300, 100, 0)]],
    };
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(SCAN_MAX + 1, b' ');
    let cut = b"%PDF-1.7\n1 0 obj\n<<".to_vec();
    type Edit = Box<dyn Fn(&mut ConsentRecordRequest)>;
    type Case<'a> = (&'a str, Edit, Option<&'a [u8]>, ErrorCode, Option<&'a str>);
    let cases: Vec<Case<'_>> = vec![
        (
            "no signature",
            Box::new(|r| r.signature = None),
            None,
            ErrorCode::SignatureEmpty,
            Some("signature"),
        ),
        (
            "an empty pad",
            Box::new(|r| {
                r.signature = Some(DrawnSignature {
                    width: 600,
                    height: 200,
                    strokes: vec![],
                })
            }),
            None,
            ErrorCode::SignatureEmpty,
            Some("signature"),
        ),
        (
            "a one-dot signature",
            Box::new(move |r| r.signature = Some(dot.clone())),
            None,
            ErrorCode::SignatureTooSmall,
            Some("signature"),
        ),
        (
            "a renamed program as the scan",
            Box::new(|r| r.method = "paper".into()),
            Some(&elf),
            ErrorCode::ScanType,
            Some("scan"),
        ),
        (
            "a scan over 20 MB",
            Box::new(|r| r.method = "paper".into()),
            Some(&big),
            ErrorCode::ScanTooLarge,
            Some("scan"),
        ),
        (
            "a scan cut short",
            Box::new(|r| r.method = "paper".into()),
            Some(&cut),
            ErrorCode::ScanDamaged,
            Some("scan"),
        ),
        (
            "paper without a scan",
            Box::new(|r| r.method = "paper".into()),
            None,
            ErrorCode::Required,
            Some("scan"),
        ),
        (
            "a policy hash that is not the version's",
            Box::new(|r| r.policy_sha256 = "0".repeat(64)),
            None,
            ErrorCode::PolicyMismatch,
            Some("policy"),
        ),
        (
            "another policy version",
            Box::new(|r| r.policy_version = 2),
            None,
            ErrorCode::PolicyMismatch,
            Some("policy"),
        ),
        (
            "a purpose left undecided",
            Box::new(|r| {
                r.decisions.remove("advertising");
            }),
            None,
            ErrorCode::PurposeUndecided,
            Some("decisions"),
        ),
        (
            "a purpose the policy does not have",
            Box::new(|r| {
                r.decisions.insert("telemarketing".into(), true);
            }),
            None,
            ErrorCode::PurposeUndecided,
            Some("decisions"),
        ),
        (
            "consent by telephone",
            Box::new(|r| r.method = "phone".into()),
            None,
            ErrorCode::ConsentInPersonOnly,
            Some("method"),
        ),
        (
            "an unknown method",
            Box::new(|r| r.method = "fax".into()),
            None,
            ErrorCode::InvalidInput,
            Some("method"),
        ),
        (
            "an unknown scope",
            Box::new(|r| r.scope = "marketing".into()),
            None,
            ErrorCode::InvalidInput,
            Some("scope"),
        ),
        (
            "a client who does not exist",
            Box::new(|r| r.client_id = "f".repeat(32)),
            None,
            ErrorCode::NotFound,
            None,
        ),
        (
            "a malformed request key",
            Box::new(|r| r.request_key = "x".into()),
            None,
            ErrorCode::InvalidInput,
            None,
        ),
    ];
    for (what, edit, scan, code, field) in cases {
        let mut r = grant(&c);
        edit(&mut r);
        let e = consent::record(&mut b.officer, &r, scan, now())
            .expect_err(&format!("{what} must be refused"));
        assert_eq!(e.code, code, "{what}: {e:?}");
        assert_eq!(
            e.field.as_deref(),
            field,
            "{what}: the refusal is on its field"
        );
        assert_eq!(stored(&b.officer), before, "{what} stores nothing");
        assert_eq!(events(&b.officer, &c), 0, "{what} records no consent");
    }
    // The window's scan intake refuses the same bytes before anything is held.
    for bytes in [&elf[..], &big[..], &cut[..], &[][..]] {
        let e = consent::check_scan(bytes).expect_err("refused at intake");
        assert_eq!(e.field.as_deref(), Some("scan"), "{e:?}");
    }
}

#[test]
fn a_confirmation_clicked_twice_is_one_record_and_submission_waits_for_consent() {
    let mut b = branch();
    let c = unconsented(&mut b);
    let app = applications::create(
        &mut b.officer,
        &ApplicationCreateRequest {
            client_id: c.clone(),
            form: application_form(),
        },
        now(),
    )
    .expect("a draft");
    let before = stored(&b.officer);
    let submit = ApplicationSaveRequest {
        id: app.clone(),
        form: application_form(),
    };
    let e = applications::submit(&mut b.officer, &submit, now()).expect_err("no consent");
    assert_eq!(e.code, ErrorCode::ConsentMissing, "{e:?}");
    assert_eq!(e.field.as_deref(), Some("consent"));
    assert_eq!(
        stored(&b.officer),
        before,
        "a refused submit stores nothing"
    );
    let r = grant(&c);
    let first = consent::record(&mut b.officer, &r, None, now()).expect("first click");
    let second = consent::record(&mut b.officer, &r, None, now()).expect("second click");
    assert_eq!(
        first.event_id, second.event_id,
        "the second click gives the same record"
    );
    assert_eq!(events(&b.officer, &c), 1, "one record, not two");
    applications::submit(&mut b.officer, &submit, now()).expect("with consent it submits");
}

#[test]
fn withdrawals_refuse_what_was_never_given_and_store_nothing() {
    let mut b = branch();
    let c = unconsented(&mut b);
    consent::record(&mut b.officer, &grant(&c), None, now()).expect("advertising refused");
    let before = stored(&b.officer);
    let withdraw = |purposes: Vec<&str>| ConsentWithdrawRequest {
        request_key: vault::new_document_id().into_string(),
        client_id: c.clone(),
        scope: "privacy".into(),
        purposes: purposes.into_iter().map(str::to_owned).collect(),
        method: "phone".into(),
        signature: None,
        scan_token: None,
        note: None,
    };
    for (what, r, code) in [
        (
            "a purpose never given",
            withdraw(vec!["advertising"]),
            ErrorCode::ConsentNotGiven,
        ),
        (
            "a purpose the policy does not have",
            withdraw(vec!["telemarketing"]),
            ErrorCode::ConsentNotGiven,
        ),
        ("no purpose", withdraw(vec![]), ErrorCode::Required),
    ] {
        let e = consent::withdraw(&mut b.officer, &r, None, now()).expect_err(what);
        assert_eq!(e.code, code, "{what}: {e:?}");
        assert_eq!(e.field.as_deref(), Some("purposes"), "{what}");
        assert_eq!(stored(&b.officer), before, "{what} stores nothing");
    }
    let mut long = withdraw(vec!["issue-microcredit"]);
    long.note = Some("я".repeat(vault::MAX_NOTE + 1));
    let e = consent::withdraw(&mut b.officer, &long, None, now()).expect_err("a long note");
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::TooLong, Some("note"))
    );
    assert_eq!(stored(&b.officer), before);
    consent::withdraw(
        &mut b.officer,
        &withdraw(vec!["issue-microcredit"]),
        None,
        now(),
    )
    .expect("a required purpose can be withdrawn when no loan is open");
    assert_eq!(
        events(&b.officer, &c),
        2,
        "the withdrawal is an event beside the grant"
    );
}

#[test]
fn credit_bureau_consent_has_its_own_form_record_and_receipt() {
    let mut b = branch();
    let c = b.client_id.clone();
    let bureau =
        crate::documents::terms_in_force(&b.officer, domain::consent::Scope::CreditBureau, now())
            .expect("bureau terms in force");
    let request = ConsentRecordRequest {
        scope: "credit-bureau".into(),
        policy_version: bureau.version,
        policy_sha256: bureau.sha256.clone(),
        decisions: bureau
            .purposes
            .iter()
            .map(|p| (p.code.clone(), true))
            .collect(),
        ..grant(&c)
    };
    let e = consent::record(&mut b.officer, &request, None, now())
        .expect_err("the privacy consent form does not stand for the bureau's");
    assert_eq!(e.code, ErrorCode::ConsentFormNotPrinted, "{e:?}");
    let (form, _) = documents::issue(
        &mut b.officer,
        &PrintRequest::BureauConsent {
            client_id: c.clone(),
        },
        now(),
    )
    .expect("the bureau form prints");
    assert_eq!(form.kind, "bureau-consent");
    let recorded = consent::record(&mut b.officer, &request, None, now()).expect("recorded");
    let view = consent::view(&b.officer, &c, now()).expect("view");
    let scope = |name: &str| {
        view.scopes
            .iter()
            .find(|s| s.scope == name)
            .expect("both scopes are shown")
    };
    assert!(
        scope("credit-bureau").ready,
        "the bureau purposes are given"
    );
    assert_eq!(scope("credit-bureau").history.len(), 1);
    assert_eq!(
        scope("privacy").history.len(),
        1,
        "the privacy consent is its own record, untouched"
    );
    let (receipt, pdf) = documents::issue(
        &mut b.officer,
        &PrintRequest::Receipt {
            client_id: c.clone(),
            event_id: recorded.event_id,
        },
        now(),
    )
    .expect("the receipt prints");
    assert_eq!(receipt.kind, "receipt");
    assert!(pdf.starts_with(b"%PDF-"));
}
