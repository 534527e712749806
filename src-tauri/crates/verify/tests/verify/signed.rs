//! Signed files from outside: the public NCA RK test CMS files (GOST 34.10-2015 512-bit attached
//! and detached, GOST 34.310-2004, an RSA co-signer) verify with their chains, and one flipped byte
//! in the content, the signed attributes or the signature makes each fail; PDFs signed here by a
//! test CA that openssl makes (RSA, RSA-PSS, P-256, P-384; PAdES and CAdES sub-filters; with a
//! time-stamp) verify, one changed byte in the signed range does not, a signer outside the anchors
//! is unknown, and bytes added after signing show. Garbage and truncations give verdicts.

use chrono::{DateTime, TimeZone, Utc};
use verify::certificate::Cert;
use verify::cms::{self, Content, Failure, SignerReport};
use verify::signed::{self, FileVerdict, SignedReport};

use crate::nca::{cert, fixture};
use crate::openssl_pki::{self as pki, Alg, TempDir};

/// The public NCA RK test CA certificates, as head office would configure them for a test (the
/// files carry only the signer's certificate, so the issuing CAs are configured too).
fn test_anchors() -> Vec<Cert> {
    vec![
        cert("ca/root_test_gost_2022.cer"),
        cert("ca/nca_gost2022_test.cer"),
        // Their roots are not public: the issuing CAs stand as anchors.
        cert("ca/nca_gost_test_2004.pem"),
        cert("rsa/nca_rsa_test.pem"),
        // The 2004 signer of Kalkan's example was issued by the production CA.
        cert("ca/prod_root_gost_2015.crt"),
        cert("ca/prod_nca_gost_2018.crt"),
    ]
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

/// Files the tests sign with openssl carry the wall clock's time (its certificates start then and
/// its signing-time says so); they are checked on it.
#[allow(clippy::disallowed_methods)]
fn signed_now() -> DateTime<Utc> {
    Utc::now() + chrono::Duration::minutes(1)
}

fn cms_signers(file: &[u8], detached: Option<&[u8]>, anchors: &[Cert]) -> Vec<SignerReport> {
    match signed::verify(file, detached, anchors, now()).expect("a signed file") {
        SignedReport::Cms(c) => c.signers,
        SignedReport::Pdf(_) => panic!("not a PDF"),
    }
}

fn only(signers: Vec<SignerReport>) -> SignerReport {
    assert_eq!(signers.len(), 1, "{signers:#?}");
    signers.into_iter().next().unwrap()
}

#[test]
fn gost_512_attached_and_detached_verify_with_their_chain() {
    let anchors = test_anchors();
    let attached = only(cms_signers(
        &fixture("gost2015/kalkan_individual_attached.cms"),
        None,
        &anchors,
    ));
    assert_eq!(attached.failure, None, "{attached:#?}");
    assert_eq!(attached.algorithm, "GOST 34.10-2015 (512)");
    assert_eq!(attached.signer.iin.as_deref(), Some("123456789011"));
    assert_eq!(
        attached.signer.name, "ТЕСТОВ ТЕСТ ТЕСТОВИЧ",
        "common name and given name"
    );
    assert_eq!(
        attached.signing_time,
        Some(Utc.with_ymd_and_hms(2026, 7, 20, 9, 8, 6).unwrap())
    );
    assert_eq!(
        attached.path.len(),
        2,
        "signer, then the issuing CA (an anchor): {:?}",
        attached.path
    );
    let ts = attached
        .time_stamp
        .as_ref()
        .expect("CAdES-T carries a time-stamp");
    assert!(
        !ts.trusted,
        "the production TSA is not among the test anchors"
    );

    let document = fixture("gost2015/kalkan_individual_document.txt");
    let detached = only(cms_signers(
        &fixture("gost2015/kalkan_individual_detached.cms"),
        Some(&document),
        &anchors,
    ));
    assert_eq!(detached.failure, None, "{detached:#?}");

    let legal = only(cms_signers(
        &fixture("gost2015/kalkan_legal_entity_attached.cms"),
        None,
        &anchors,
    ));
    assert_eq!(legal.failure, None, "{legal:#?}");
    assert_eq!(legal.signer.bin.as_deref(), Some("123456789021"));
    assert_eq!(legal.signer.organisation.as_deref(), Some("АО \"ТЕСТ\""));
}

#[test]
fn gost_512_and_rsa_co_signers_attached_and_detached() {
    let anchors = test_anchors();
    let attached = cms_signers(
        &fixture("gost2015/ncanode_attached_test123.cms"),
        None,
        &anchors,
    );
    assert_eq!(attached.len(), 2);
    assert_eq!(attached[0].failure, None, "{:#?}", attached[0]);
    assert_eq!(attached[0].algorithm, "GOST 34.10-2015 (512)");
    // The RSA co-signer's certificate ran 2021-01-18..2022-01-18; it signed on 2022-09-27.
    assert_eq!(attached[1].algorithm, "RSA");
    assert_eq!(
        attached[1].failure,
        Some(Failure::CertificateNotValid),
        "an expired certificate at the signing time: {:#?}",
        attached[1]
    );
    let detached = cms_signers(
        &fixture("gost2015/ncanode_detached_test123.cms"),
        Some(b"test123"),
        &anchors,
    );
    assert_eq!(detached[0].failure, None, "{detached:#?}");
    assert_eq!(detached[1].failure, Some(Failure::CertificateNotValid));
    let other = cms_signers(
        &fixture("gost2015/ncanode_detached_test123.cms"),
        Some(b"test124"),
        &anchors,
    );
    assert!(
        other
            .iter()
            .all(|s| s.failure == Some(Failure::ContentChanged)),
        "another document: {other:#?}"
    );
    let none = cms_signers(
        &fixture("gost2015/ncanode_detached_test123.cms"),
        None,
        &anchors,
    );
    assert!(
        none.iter()
            .all(|s| s.failure == Some(Failure::ContentMissing))
    );
}

#[test]
fn gost_2004_verifies_with_its_chain_and_time_stamp() {
    let s = only(cms_signers(
        &fixture("gost2004/kalkan_test_CMS_GOST.pem"),
        None,
        &test_anchors(),
    ));
    assert_eq!(s.failure, None, "{s:#?}");
    assert_eq!(s.algorithm, "GOST 34.310-2004");
    let ts = s.time_stamp.as_ref().expect("a time-stamp");
    assert!(
        ts.trusted,
        "the 2004 TSA chains to the production root: {ts:?}"
    );
}

#[test]
fn without_the_anchors_the_signer_is_unknown() {
    let s = only(cms_signers(
        &fixture("gost2015/kalkan_individual_attached.cms"),
        None,
        &[],
    ));
    assert_eq!(s.failure, Some(Failure::UnknownSigner));
    assert_eq!(
        s.signer.iin.as_deref(),
        Some("123456789011"),
        "the signer is still named"
    );
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("the bytes are in the file")
}

/// One byte flipped in the content, the signed attributes (the signing time) and the signature
/// of each GOST file: each fails, the first as a changed document, the others as a bad signature.
#[test]
fn one_flipped_byte_in_content_attributes_or_signature_fails() {
    let anchors = test_anchors();
    for (file, content) in [
        (
            "gost2015/kalkan_individual_attached.cms",
            fixture("gost2015/kalkan_individual_document.txt"),
        ),
        ("gost2015/ncanode_attached_test123.cms", b"test123".to_vec()),
        ("gost2004/kalkan_test_CMS_GOST.pem", Vec::new()),
    ] {
        let original = fixture(file);
        let der = if original[0] == 0x30 {
            original.clone()
        } else {
            let text = String::from_utf8(original.clone()).unwrap();
            let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap()
        };
        let signers = cms::verify(&der, Content::Attached, &anchors, now()).signers;
        assert_eq!(signers[0].failure, None, "{file} verifies first");

        // The content (for the 2004 file: its Latin text).
        let at = if content.is_empty() {
            find(&der, b"Testovaya")
        } else {
            find(&der, &content)
        };
        let mut changed = der.clone();
        changed[at] ^= 0x01;
        let r = cms::verify(&changed, Content::Attached, &anchors, now());
        assert!(
            r.signers
                .iter()
                .all(|s| s.failure == Some(Failure::ContentChanged)),
            "{file}: content flipped: {:#?}",
            r.signers
        );

        // A digit of the signing time (UTCTime after the signingTime OID).
        let oid = [
            0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05,
        ];
        let at = find(&der, &oid) + oid.len() + 2 + 2 + 3;
        let mut changed = der.clone();
        changed[at] ^= 0x01;
        let r = cms::verify(&changed, Content::Attached, &anchors, now());
        assert_eq!(
            r.signers[0].failure,
            Some(Failure::BadSignature),
            "{file}: signed attributes changed: {:#?}",
            r.signers[0]
        );

        // The first signer's signature value.
        let signature = crate::openssl_pki::signature_value(&der);
        let at = find(&der, &signature) + signature.len() / 2;
        let mut changed = der.clone();
        changed[at] ^= 0x01;
        let r = cms::verify(&changed, Content::Attached, &anchors, now());
        assert_eq!(
            r.signers[0].failure,
            Some(Failure::BadSignature),
            "{file}: signature changed"
        );
    }
}

#[test]
fn garbage_and_truncations_give_a_verdict_never_a_panic() {
    let der = fixture("gost2015/kalkan_individual_attached.cms");
    for cut in (0..der.len()).step_by(der.len() / 50) {
        let r = signed::verify(&der[..cut], None, &test_anchors(), now()).expect("a verdict");
        assert_ne!(r.verdict(), FileVerdict::Valid, "cut at {cut}");
    }
    for junk in [
        &b""[..],
        b"hello",
        b"%PDF-1.7\n%%EOF",
        &[0x30, 0x80, 0, 0],
        &[0xff; 64],
    ] {
        let r = signed::verify(junk, None, &[], now()).expect("a verdict");
        assert_ne!(r.verdict(), FileVerdict::Valid);
    }
    // A signature entry that cannot be read is a broken signature, not "no signature".
    let broken = b"%PDF-1.7 /ByteRange [0 5 2 3] /Contents <30>";
    let r = signed::verify(broken, None, &[], now()).expect("a verdict");
    assert_eq!(
        r.verdict(),
        FileVerdict::NotValid,
        "a PDF whose only signature entry is broken must not read as unsigned: {r:?}"
    );
}

#[test]
fn signer_and_certificate_counts_are_bounded() {
    // A CMS naming more signers than are checked: the extra ones make the file not valid rather
    // than costing a digest and a path search each.
    use ::cms::content_info::ContentInfo;
    use ::cms::signed_data::{SignedData, SignerInfos};
    use der::{Decode, Encode};
    let der = fixture("gost2015/kalkan_individual_attached.cms");
    let mut ci = ContentInfo::from_der(&der).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    let one = sd.signer_infos.0.get(0).unwrap().clone();
    let many: Vec<_> = (0..cms::MAX_SIGNERS as u8 + 5)
        .map(|n| {
            let mut si = one.clone();
            let mut sig = si.signature.as_bytes().to_vec();
            sig[0] ^= n;
            si.signature = der::asn1::OctetString::new(sig).unwrap();
            si
        })
        .collect();
    sd.signer_infos = SignerInfos(many.try_into().unwrap());
    ci.content = der::Any::encode_from(&sd).unwrap();
    let crowded = ci.to_der().unwrap();
    let r = cms::verify(&crowded, Content::Attached, &test_anchors(), now());
    assert_eq!(
        r.signers.len(),
        cms::MAX_SIGNERS + 1,
        "only the first signers are checked, then one line says there were more"
    );
    assert_eq!(
        r.signers.last().unwrap().failure,
        Some(Failure::Malformed),
        "too many signers is a fault of the file"
    );
}

#[test]
fn pdfs_signed_by_an_openssl_test_ca_verify_and_one_changed_byte_does_not() {
    let dir = TempDir::new("pades");
    for (n, (alg, subfilter)) in [
        (Alg::Rsa2048, "adbe.pkcs7.detached"),
        (Alg::RsaPss, "ETSI.CAdES.detached"),
        (Alg::P256, "ETSI.CAdES.detached"),
        (Alg::P384, "adbe.pkcs7.detached"),
    ]
    .into_iter()
    .enumerate()
    {
        let prefix: &'static str = Box::leak(format!("p{n}-").into_boxed_str());
        let test_pki = pki::make_pki(&dir.0, alg, prefix);
        let pdf = pki::sign_pdf(&test_pki, &pki::minimal_pdf(), subfilter, false);
        if let Some(out) = pki::pdfsig(&dir.0, &pdf) {
            assert!(
                out.contains("Signature is Valid"),
                "pdfsig accepts the fixture: {out}"
            );
        }
        let anchors = vec![test_pki.root.clone()];
        let report = signed::verify(&pdf, None, &anchors, signed_now()).unwrap();
        assert_eq!(
            report.verdict(),
            FileVerdict::Valid,
            "{alg:?} {subfilter}: {report:#?}"
        );

        // One byte inside the signed range (the page text).
        let at = find(&pdf, pki::PAGE_TEXT.as_bytes());
        let mut changed = pdf.clone();
        changed[at] ^= 0x01;
        let SignedReport::Pdf(r) = signed::verify(&changed, None, &anchors, signed_now()).unwrap()
        else {
            panic!("a PDF")
        };
        assert_eq!(
            r.signatures[0].signers[0].failure,
            Some(Failure::ContentChanged),
            "{alg:?}"
        );

        // A certificate outside the anchors.
        let stranger = pki::make_pki(&dir.0, alg, Box::leak(format!("s{n}-").into_boxed_str()));
        let r = signed::verify(&pdf, None, &[stranger.root], signed_now()).unwrap();
        let SignedReport::Pdf(r) = r else { panic!() };
        assert_eq!(
            r.signatures[0].signers[0].failure,
            Some(Failure::UnknownSigner)
        );

        // Checked two days before it was made: the signer's claimed signing time is later than
        // that "now" and is not believed, so the certificate is judged on that day, when it was
        // not yet valid (a claimed time must not carry a certificate past its validity).
        let early = signed_now() - chrono::Duration::days(2);
        let SignedReport::Pdf(r) = signed::verify(&pdf, None, &anchors, early).unwrap() else {
            panic!()
        };
        assert_eq!(
            r.signatures[0].signers[0].failure,
            Some(Failure::CertificateNotValid),
            "{alg:?}: a signing time in the future must not be believed"
        );

        // Bytes added after the signature: an incremental update nobody signed.
        let mut more = pdf.clone();
        more.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        let r = signed::verify(&more, None, &anchors, signed_now()).unwrap();
        let SignedReport::Pdf(p) = &r else { panic!() };
        assert!(p.changed_after_signing);
        assert_eq!(r.verdict(), FileVerdict::NotValid);
    }
}

#[test]
fn a_time_stamped_pdf_uses_the_authoritys_time() {
    let dir = TempDir::new("pades-ts");
    let test_pki = pki::make_pki(&dir.0, Alg::Rsa2048, "t-");
    let tsa = pki::make_tsa(&dir.0);
    let pdf = pki::sign_pdf(&test_pki, &pki::minimal_pdf(), "ETSI.CAdES.detached", true);
    let anchors = vec![test_pki.root.clone(), tsa.root.clone()];
    let SignedReport::Pdf(r) = signed::verify(&pdf, None, &anchors, signed_now()).unwrap() else {
        panic!()
    };
    let s = &r.signatures[0].signers[0];
    assert_eq!(s.failure, None, "{s:#?}");
    assert!(s.time_stamp.as_ref().is_some_and(|t| t.trusted), "{s:#?}");
    // The authority not among the anchors: the stamp is shown, not trusted.
    let SignedReport::Pdf(r) = signed::verify(&pdf, None, &anchors[..1], signed_now()).unwrap()
    else {
        panic!()
    };
    let s = &r.signatures[0].signers[0];
    assert_eq!(s.failure, None);
    assert!(s.time_stamp.as_ref().is_some_and(|t| !t.trusted));
}
