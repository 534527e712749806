//! Verification: a zone that is not one, an unknown client, an oversized QR text or file, a PDF
//! given a detached document: each a typed error, nothing kept. Garbage that is a file gets a
//! verdict (kept), not an error; a good zone passes and is kept.

use super::*;
use crate::verification;

#[test]
pub(super) fn verification_refuses_what_cannot_be_checked_and_keeps_nothing() {
    let mut b = branch();
    let client = b.client_id.clone();
    let long_qr = "B".repeat(5000);
    let huge = vec![b'%'; verify::signed::MAX_FILE + 1];
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    type Check<'a> =
        Box<dyn Fn(&mut Vault) -> Result<verification::VerificationView, CommandError> + 'a>;
    let cases: Vec<(Check, ErrorCode, &str)> = vec![
        (
            Box::new(|v| verification::check_identity(v, &client, &["IDKAZ".into()], now())),
            ErrorCode::MrzUnreadable,
            "one short line is not a zone",
        ),
        (
            Box::new(|v| {
                verification::check_identity(
                    v,
                    &client,
                    &["I".repeat(30), "Ж".repeat(30), "<".repeat(30)],
                    now(),
                )
            }),
            ErrorCode::MrzUnreadable,
            "Cyrillic letters are not zone characters",
        ),
        (
            Box::new(|v| verification::check_identity(v, "nobody", &["x".into()], now())),
            ErrorCode::NotFound,
            "no such client",
        ),
        (
            Box::new(|v| verification::check_qr(v, &long_qr, now())),
            ErrorCode::TooLong,
            "a QR code holds far less",
        ),
        (
            Box::new(|v| verification::check_file(v, "huge.pdf", &huge, None, now())),
            ErrorCode::NotASignedFile,
            "over 64 MiB",
        ),
        (
            Box::new(|v| verification::check_file(v, "a.pdf", pdf, Some(b"document"), now())),
            ErrorCode::NotASignedFile,
            "a PDF carries its signatures inside",
        ),
    ];
    for (check, code, why) in cases {
        let before = stored(&b.officer);
        let kept = b.officer.verifications(None, None, 500).unwrap().len();
        let r = check(&mut b.officer);
        assert_eq!(r.as_ref().err().map(|e| e.code), Some(code), "{why}");
        assert_eq!(
            stored(&b.officer),
            before,
            "{why}: nothing audited or queued"
        );
        assert_eq!(
            b.officer.verifications(None, None, 500).unwrap().len(),
            kept,
            "{why}: nothing kept"
        );
    }

    // Garbage is a verdict, not an error, and is kept like any check.
    let v = verification::check_file(
        &mut b.officer,
        "garbage.bin",
        b"not a signature",
        None,
        now(),
    )
    .expect("a verdict");
    assert_eq!(
        (v.kind.as_str(), v.verdict.as_str()),
        ("signed", "not_valid"),
        "bytes that are no signature are read as a broken one"
    );
    assert!(v.id.is_some(), "the check is kept");
    assert!(
        v.lines.iter().any(|l| l.code == "signed.no_anchors"),
        "the report says head office has sent no anchors yet: {:?}",
        v.lines
    );
    let qr = verification::check_qr(&mut b.officer, "BD1|nonsense", now()).expect("a verdict");
    assert_eq!(qr.verdict, "altered", "an unreadable seal is not authentic");
    let forged = format!("BD1|offer|v1|{}", "0".repeat(64));
    let typed = verification::check_qr(&mut b.officer, &forged, now()).expect("a verdict");
    assert_eq!(
        typed.verdict, "altered",
        "a reference text anyone can type is not an authentic offer"
    );

    // The history shows each document check with the lines the officer read, newest first.
    let listed: Vec<_> = b
        .officer
        .verifications(None, Some(false), 10)
        .unwrap()
        .iter()
        .map(verification::view_of)
        .collect();
    assert_eq!(listed.len(), 3, "garbage.bin and two QR texts");
    assert_eq!(
        (listed[0].lines.clone(), listed[2].lines.clone()),
        (typed.lines.clone(), v.lines.clone()),
        "kept lines read back as shown"
    );
    assert!(!listed[2].lines.is_empty());
}
