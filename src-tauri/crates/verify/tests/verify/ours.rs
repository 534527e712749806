//! Our own printouts: a sealed offer verifies; one changed byte anywhere, another desk's key, a
//! revoked desk, a seal moved onto other content, each gives its verdict. Policy reference copies
//! and QR texts too.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use domain::Money;
use domain::schedule::{self, Method, Terms};
use ed25519_dalek::{Signer, SigningKey};
use print::{ClientData, Document, Offer, Seal};
use verify::ours::{DeskKey, Reason, Verdict, verify_pdf, verify_qr};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn offer(amount_tenge: i64) -> Offer {
    let terms = Terms {
        principal: Money::from_tenge(amount_tenge).unwrap(),
        annual_rate_bp: 3500,
        months: 12,
        issue_date: date(2026, 11, 26),
        method: Method::Annuity,
        issuance_fee: Money::from_tenge(5_000).unwrap(),
        monthly_fee: Money::from_tiyn(0),
    };
    Offer {
        application: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
        application_version: 2,
        client: ClientData {
            full_name: "Жумабеков Нурлан Болатович".into(),
            iin: "850315310006".into(),
            birth_date: date(1985, 3, 15),
            document: "Удостоверение личности № 041234567".into(),
            registration_address: "г. Алматы, ул. Абая, 1".into(),
            actual_address: "г. Алматы, ул. Абая, 1".into(),
            phone: "+7 701 234 56 78".into(),
        },
        product_id: "consumer-12".into(),
        product_name: BTreeMap::from([("ru".to_owned(), "Потребительский".to_owned())]),
        amount: terms.principal,
        months: terms.months,
        method: terms.method,
        annual_rate_bp: terms.annual_rate_bp,
        issuance_fee: terms.issuance_fee,
        monthly_fee: terms.monthly_fee,
        issue_date: terms.issue_date,
        schedule: schedule::build(&terms).unwrap(),
        officer: "Сейтқали Айгерім".into(),
    }
}

pub fn seal(doc: &Document<'_>, key: &SigningKey) -> Seal {
    let issued_at = Utc.with_ymd_and_hms(2026, 11, 26, 4, 30, 0).unwrap();
    let id = "0123456789abcdef0123456789abcdef";
    let content = doc.content().unwrap();
    let message = print::signing_message(doc.kind(), id, issued_at, &content.sha256);
    Seal {
        id: id.into(),
        issued_at,
        desk_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(key.sign(&message).to_bytes()),
    }
}

pub fn known(key: &SigningKey) -> Vec<DeskKey> {
    vec![DeskKey {
        key: hex::encode(key.verifying_key().to_bytes()),
        name: "Алматы, филиал 1".into(),
        own: true,
        revoked_at: None,
    }]
}

fn policies() -> Vec<domain::policy::PolicyVersion> {
    domain::policy::shipped().to_vec()
}

#[test]
fn a_printed_offer_verifies_and_one_changed_byte_does_not() {
    let ours = SigningKey::from_bytes(&[7; 32]);
    let o = offer(500_000);
    let doc = Document::Offer(&o);
    let s = seal(&doc, &ours);
    let pdf = doc.render(Some(&s)).unwrap();
    let report = verify_pdf(&pdf, &known(&ours), &policies());
    assert_eq!(report.verdict, Verdict::Authentic, "{report:?}");
    assert_eq!(report.kind, Some(print::Kind::Offer));
    assert_eq!(report.id.as_deref(), Some(s.id.as_str()));
    assert_eq!(report.issued_at, Some(s.issued_at));
    assert!(report.own_desk && report.content_checked);

    // One byte changed anywhere: 40 offsets spread over the file, both ends, and inside the seal
    // and the content entries; each is altered.
    let mut offsets: Vec<usize> = (0..pdf.len()).step_by(pdf.len() / 40).collect();
    offsets.push(pdf.len() - 1);
    for key in [&b"/BranchDeskSeal"[..], b"/BranchDeskContent"] {
        let at = pdf
            .windows(key.len())
            .position(|w| w == key)
            .expect("entry");
        offsets.extend([at + 1, at + key.len() + 8, at + key.len() + 200]);
    }
    for at in offsets {
        let mut changed = pdf.clone();
        changed[at] ^= 0x01;
        let r = verify_pdf(&changed, &known(&ours), &policies());
        assert_eq!(
            r.verdict,
            Verdict::Altered,
            "a byte changed at {at} of {} must show: {r:?}",
            pdf.len()
        );
    }
    // A byte appended or cut.
    let mut longer = pdf.clone();
    longer.push(b'\n');
    assert_eq!(
        verify_pdf(&longer, &known(&ours), &policies()).reason,
        Some(Reason::Bytes)
    );
    assert_eq!(
        verify_pdf(&pdf[..pdf.len() - 1], &known(&ours), &policies()).verdict,
        Verdict::Altered
    );
}

#[test]
fn another_desks_key_is_unknown_and_a_revoked_desk_is_revoked() {
    let ours = SigningKey::from_bytes(&[7; 32]);
    let theirs = SigningKey::from_bytes(&[9; 32]);
    let o = offer(500_000);
    let doc = Document::Offer(&o);
    let pdf = doc.render(Some(&seal(&doc, &theirs))).unwrap();
    let r = verify_pdf(&pdf, &known(&ours), &policies());
    assert_eq!(r.verdict, Verdict::UnknownSigner, "{r:?}");
    assert_eq!(r.reason, Some(Reason::UnknownKey));

    let mut listed = known(&theirs);
    listed[0].own = false;
    listed[0].revoked_at = Some(Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap());
    let r = verify_pdf(&pdf, &listed, &policies());
    assert_eq!(r.verdict, Verdict::RevokedSigner, "{r:?}");
    assert_eq!(r.signer.as_deref(), Some("Алматы, филиал 1"));
}

#[test]
fn a_seal_moved_onto_other_content_is_altered() {
    let ours = SigningKey::from_bytes(&[7; 32]);
    let small = offer(500_000);
    let big = offer(5_000_000);
    // The seal made for the small offer, printed on the big one: the content hash differs.
    let s = seal(&Document::Offer(&small), &ours);
    let pdf = Document::Offer(&big).render(Some(&s)).unwrap();
    let r = verify_pdf(&pdf, &known(&ours), &policies());
    assert_eq!(r.verdict, Verdict::Altered);
    assert_eq!(
        r.reason,
        Some(Reason::Signature),
        "the printout carries its own content's hash, which the seal did not sign"
    );
}

#[test]
fn policy_reference_copies_and_qr_texts() {
    let policy = &domain::policy::shipped()[0];
    let pdf = Document::Policy(policy).render(None).unwrap();
    let r = verify_pdf(&pdf, &[], &policies());
    assert_eq!(r.verdict, Verdict::Authentic, "{r:?}");
    assert_eq!(
        r.id.as_deref(),
        Some(format!("v{}", policy.version).as_str())
    );
    // A version this desk does not know cannot be checked.
    assert_eq!(verify_pdf(&pdf, &[], &[]).reason, Some(Reason::Content));

    // A reference copy's QR text has no signature: it passes only as a known version's own text.
    let content = Document::Policy(policy).content().unwrap();
    let text = format!("BD1|policy|v{}|{}", policy.version, content.sha256);
    let r = verify_qr(&text, &[], &policies());
    assert_eq!(
        r.verdict,
        Verdict::Authentic,
        "the shipped policy's QR text: {r:?}"
    );
    assert!(!r.content_checked);
    for (forged, why) in [
        (
            format!("BD1|policy|v{}|{}", policy.version, "0".repeat(64)),
            Reason::ContentHash,
        ),
        (
            format!("BD1|policy|v99|{}", content.sha256),
            Reason::Content,
        ),
        (
            format!("BD1|offer|v{}|{}", policy.version, content.sha256),
            Reason::Content,
        ),
    ] {
        let r = verify_qr(&forged, &[], &policies());
        assert_eq!(
            (r.verdict, r.reason),
            (Verdict::Altered, Some(why)),
            "anyone can type a reference text; {forged} must not pass as authentic"
        );
    }

    let ours = SigningKey::from_bytes(&[7; 32]);
    let o = offer(500_000);
    let doc = Document::Offer(&o);
    let s = seal(&doc, &ours);
    let content = doc.content().unwrap();
    let qr = format!(
        "BD1|offer|{}|{}|{}|{}|{}",
        s.id,
        print::issued_text(s.issued_at),
        content.sha256,
        s.desk_key,
        s.signature
    );
    let r = verify_qr(&qr, &known(&ours), &policies());
    assert_eq!(r.verdict, Verdict::Authentic);
    assert!(
        !r.content_checked,
        "a QR text proves the seal, not the paper"
    );
    let forged = qr.replace(&content.sha256, &"0".repeat(64));
    assert_eq!(
        verify_qr(&forged, &known(&ours), &policies()).reason,
        Some(Reason::Signature)
    );
    assert_eq!(
        verify_qr("hello", &known(&ours), &policies()).reason,
        Some(Reason::SealUnreadable)
    );
}
