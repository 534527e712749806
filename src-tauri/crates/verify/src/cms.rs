//! CMS SignedData (RFC 5652) as NCALayer, eGov, Kalkan and OpenSSL make it, attached or detached:
//! every signer's content digest against its messageDigest attribute, its signature over the
//! signed attributes' original bytes, the certificate it names (and the signingCertificate
//! attribute's hash of it), a time-stamp token when there is one, and the path to a trust anchor
//! at the time that counts: the time-stamp's when a trusted authority stamped it, else the time
//! the signer wrote, else now.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::OctetString;
use der::{Decode, Encode};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;

use crate::algorithm::{self, AlgorithmError, Digest, Hasher};
use crate::certificate::{self, Cert, PathError, Purpose, Subject};
use crate::der_raw;

const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const SIGNING_CERT_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
const TIME_STAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Why a signature is not good. The UI words each one; the set is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The file is not a CMS SignedData this reader understands.
    Malformed,
    /// An algorithm this build does not check.
    Unsupported,
    /// The document changed after it was signed (its digest differs).
    ContentChanged,
    /// The signature does not verify: the signed attributes or the signature were changed.
    BadSignature,
    /// The signer's certificate is not in the file.
    SignerCertificateMissing,
    /// The signer's certificate does not lead to a trust anchor.
    UnknownSigner,
    /// A certificate on the path was not valid at the signing time.
    CertificateNotValid,
    /// A certificate on the path may not be used so.
    CertificateMisused,
    /// The time-stamp token is broken or stamps something else.
    TimeStampInvalid,
    /// A detached signature was given no document, or an attached one a second document.
    ContentMissing,
}

/// Where the signed content is.
#[derive(Clone, Copy, Debug)]
pub enum Content<'a> {
    /// Inside the CMS.
    Attached,
    /// Beside it.
    Detached(&'a [u8]),
    /// Two byte ranges of a PDF (PAdES).
    Ranges(&'a [u8], [(usize, usize); 2]),
}

/// A time-stamp token's finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimeStamp {
    /// The time it stamps.
    pub time: DateTime<Utc>,
    /// The authority (its certificate's subject).
    pub authority: String,
    /// Whether the authority leads to a trust anchor (only then is the time used).
    pub trusted: bool,
}

/// One signer's check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignerReport {
    /// `None` when good, else why not.
    pub failure: Option<Failure>,
    /// Details for the failure (an algorithm's OID, a certificate's subject), for the log and
    /// `--json`; not shown as the reason itself.
    pub detail: Option<String>,
    /// Who signed, from the certificate (empty when it is missing).
    pub signer: Subject,
    /// The signature algorithm.
    pub algorithm: String,
    /// The signing time the signer wrote (claimed).
    pub signing_time: Option<DateTime<Utc>>,
    /// The time-stamp, when there is one.
    pub time_stamp: Option<TimeStamp>,
    /// The certificate path to the anchor, leaf first (when found).
    pub path: Vec<String>,
    /// The signer certificate's validity.
    pub certificate_valid: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl SignerReport {
    fn failed(failure: Failure, detail: impl Into<String>) -> SignerReport {
        SignerReport {
            failure: Some(failure),
            detail: Some(detail.into()),
            signer: Subject::default(),
            algorithm: String::new(),
            signing_time: None,
            time_stamp: None,
            path: Vec::new(),
            certificate_valid: None,
        }
    }
}

/// What a CMS file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CmsReport {
    /// One report a signer, in the file's order; empty when it has none.
    pub signers: Vec<SignerReport>,
    /// Whether the content is inside the file.
    pub attached: bool,
    /// The attached content's size.
    pub content_size: Option<u64>,
}

fn algorithm_failure(e: AlgorithmError) -> (Failure, String) {
    match e {
        AlgorithmError::Unsupported(what) => (Failure::Unsupported, what),
        AlgorithmError::Malformed(what) => (Failure::Malformed, what.to_owned()),
        AlgorithmError::BadSignature => (Failure::BadSignature, String::new()),
    }
}

/// Whether a signer's claimed signing time can stand for when it signed: not later than `now`,
/// give or take five minutes between clocks.
pub fn claim_believable(claimed: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    claimed <= now + chrono::Duration::minutes(5)
}

/// At most this many signers are checked in one CMS (real files have one or two).
pub const MAX_SIGNERS: usize = 8;
/// At most this many certificates are read from one CMS (a chain is a handful).
pub const MAX_CERTIFICATES: usize = 32;

/// Content digests already computed for this file, by algorithm: every signer of a file signs the
/// same content, so each digest is taken once however many signers there are.
type Digests = RefCell<Vec<(Digest, Vec<u8>)>>;

struct Parsed<'a> {
    data: SignedData,
    certificates: Vec<Cert>,
    signer_infos: Vec<&'a [u8]>,
}

fn parse(der: &[u8]) -> Result<Parsed<'_>, (Failure, String)> {
    let malformed = |what: &str| (Failure::Malformed, what.to_owned());
    let ci = ContentInfo::from_der(der).map_err(|_| malformed("not a DER ContentInfo"))?;
    if ci.content_type != SIGNED_DATA {
        return Err(malformed("not SignedData"));
    }
    let data: SignedData = ci
        .content
        .decode_as()
        .map_err(|_| malformed("SignedData"))?;
    let raw = der_raw::raw_signed_data(der).ok_or_else(|| malformed("SignedData"))?;
    Ok(Parsed {
        data,
        certificates: raw
            .certificates
            .iter()
            .take(MAX_CERTIFICATES)
            .filter_map(|c| Cert::from_der(c))
            .collect(),
        signer_infos: raw.signer_infos,
    })
}

/// Verifies a CMS SignedData file against `anchors`, on `now`.
pub fn verify(der: &[u8], content: Content<'_>, anchors: &[Cert], now: DateTime<Utc>) -> CmsReport {
    let parsed = match parse(der) {
        Ok(p) => p,
        Err((f, detail)) => {
            return CmsReport {
                signers: vec![SignerReport::failed(f, detail)],
                attached: false,
                content_size: None,
            };
        }
    };
    let attached = parsed.data.encap_content_info.econtent.is_some();
    let econtent = attached_content(&parsed.data);
    let digests = Digests::default();
    let mut signers: Vec<SignerReport> = parsed
        .signer_infos
        .iter()
        .take(MAX_SIGNERS)
        .map(|si| {
            signer(
                si,
                &parsed,
                econtent.as_deref(),
                content,
                anchors,
                now,
                &digests,
            )
        })
        .collect();
    if parsed.signer_infos.len() > MAX_SIGNERS {
        signers.push(SignerReport::failed(
            Failure::Malformed,
            format!("more than {MAX_SIGNERS} signers"),
        ));
    }
    CmsReport {
        signers,
        attached,
        content_size: econtent.map(|c| c.len() as u64),
    }
}

fn attached_content(data: &SignedData) -> Option<Vec<u8>> {
    let any = data.encap_content_info.econtent.as_ref()?;
    let os: OctetString = any.decode_as().ok()?;
    Some(os.as_bytes().to_vec())
}

/// The single value of attribute `oid` (signed or unsigned); an attribute given twice or with
/// several values is malformed.
fn attribute(
    si: &SignerInfo,
    oid: Oid,
    signed: bool,
) -> Result<Option<&der::Any>, (Failure, String)> {
    let set = if signed {
        si.signed_attrs.as_ref()
    } else {
        si.unsigned_attrs.as_ref()
    };
    let mut found = None;
    for a in set
        .into_iter()
        .flat_map(|s| s.iter())
        .filter(|a| a.oid == oid)
    {
        if found.is_some() || a.values.len() != 1 {
            return Err((
                Failure::Malformed,
                format!("attribute {oid} must be given once"),
            ));
        }
        found = a.values.get(0);
    }
    Ok(found)
}

fn time_of(v: &der::Any) -> Option<DateTime<Utc>> {
    let t = x509_cert::time::Time::from_der(&v.to_der().ok()?).ok()?;
    DateTime::from_timestamp(t.to_unix_duration().as_secs() as i64, 0)
}

fn digest_of(
    content: Content<'_>,
    econtent: Option<&[u8]>,
    digest: Digest,
) -> Result<Vec<u8>, (Failure, String)> {
    let missing = |what: &str| (Failure::ContentMissing, what.to_owned());
    match (content, econtent) {
        (Content::Attached, Some(c)) => Ok(digest.of(c)),
        (Content::Attached, None) => Err(missing("a detached signature needs its document")),
        (_, Some(_)) => Err(missing(
            "the signature holds its document; none may be given beside it",
        )),
        (Content::Detached(d), None) => Ok(digest.of(d)),
        (Content::Ranges(file, ranges), None) => {
            let mut h: Hasher = digest.hasher();
            for (start, len) in ranges {
                let part = start
                    .checked_add(len)
                    .and_then(|end| file.get(start..end))
                    .ok_or_else(|| {
                        (Failure::Malformed, "byte range outside the file".to_owned())
                    })?;
                h.update(part);
            }
            Ok(h.finish())
        }
    }
}

/// The cryptographic core of one signer: certificate, content digest, signature, certificate
/// binding. Returns the signer's certificate and the digest algorithm.
fn core(
    si_raw: &[u8],
    si: &SignerInfo,
    parsed: &Parsed<'_>,
    econtent: Option<&[u8]>,
    content: Content<'_>,
    digests: &Digests,
) -> Result<(Cert, Digest), (Failure, String)> {
    let cert = parsed
        .certificates
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.cert.tbs_certificate.issuer == ias.issuer
                    && c.cert.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                c.key_id().as_deref() == Some(ski.0.as_bytes())
            }
        })
        .cloned()
        .ok_or((Failure::SignerCertificateMissing, String::new()))?;
    let digest = Digest::from_oid(&si.digest_alg.oid).map_err(algorithm_failure)?;
    let known = digests
        .borrow()
        .iter()
        .find(|(d, _)| *d == digest)
        .map(|(_, v)| v.clone());
    let computed = match known {
        Some(v) => v,
        None => {
            let v = digest_of(content, econtent, digest)?;
            digests.borrow_mut().push((digest, v.clone()));
            v
        }
    };
    let key = &cert.cert.tbs_certificate.subject_public_key_info;
    if si.signed_attrs.is_none() {
        // Without signed attributes the signature is over the content itself.
        let message = match (content, econtent) {
            (Content::Attached, Some(c)) => c.to_vec(),
            (Content::Detached(d), None) => d.to_vec(),
            _ => {
                return Err((
                    Failure::Unsupported,
                    "a PDF signature without signed attributes".into(),
                ));
            }
        };
        algorithm::verify(
            key,
            &si.signature_algorithm,
            Some(digest),
            &message,
            si.signature.as_bytes(),
        )
        .map_err(algorithm_failure)?;
        return Ok((cert, digest));
    }
    let content_type: Oid = attribute(si, CONTENT_TYPE, true)?
        .ok_or((Failure::Malformed, "no content-type attribute".into()))?
        .decode_as()
        .map_err(|_| (Failure::Malformed, "content-type attribute".into()))?;
    if content_type != parsed.data.encap_content_info.econtent_type {
        return Err((Failure::Malformed, "content-type attribute differs".into()));
    }
    let message_digest: OctetString = attribute(si, MESSAGE_DIGEST, true)?
        .ok_or((Failure::Malformed, "no message-digest attribute".into()))?
        .decode_as()
        .map_err(|_| (Failure::Malformed, "message-digest attribute".into()))?;
    // The signature first: a changed digest attribute is a broken signature, not a changed document.
    let signed = der_raw::signed_attrs_for_signature(si_raw)
        .ok_or((Failure::Malformed, "signed attributes".into()))?;
    algorithm::verify(
        key,
        &si.signature_algorithm,
        Some(digest),
        &signed,
        si.signature.as_bytes(),
    )
    .map_err(algorithm_failure)?;
    if message_digest.as_bytes() != computed.as_slice() {
        return Err((Failure::ContentChanged, String::new()));
    }
    if let Some(v) = attribute(si, SIGNING_CERT_V2, true)? {
        signing_certificate_v2(v, &cert.raw)?;
    }
    Ok((cert, digest))
}

/// SigningCertificateV2: the first ESSCertIDv2 must hash the signer's certificate.
fn signing_certificate_v2(v: &der::Any, cert: &[u8]) -> Result<(), (Failure, String)> {
    let bad = || {
        (
            Failure::Malformed,
            "signing-certificate attribute".to_owned(),
        )
    };
    let outer = der_raw::children(v.value()).ok_or_else(bad)?;
    let certs = outer.first().filter(|t| t.tag == 0x30).ok_or_else(bad)?;
    let first = der_raw::children(certs.value)
        .ok_or_else(bad)?
        .into_iter()
        .next()
        .ok_or_else(bad)?;
    let parts = der_raw::children(first.value).ok_or_else(bad)?;
    let (digest, hash) = match parts.as_slice() {
        [alg, h, ..] if alg.tag == 0x30 => {
            let alg = AlgorithmIdentifierOwned::from_der(alg.raw).map_err(|_| bad())?;
            (Digest::from_oid(&alg.oid).map_err(algorithm_failure)?, h)
        }
        [h, ..] => (Digest::Sha256, h),
        [] => return Err(bad()),
    };
    if hash.tag != 0x04 {
        return Err(bad());
    }
    if digest.of(cert) != hash.value {
        return Err((
            Failure::CertificateMisused,
            "the signing-certificate attribute names another certificate".into(),
        ));
    }
    Ok(())
}

fn signer(
    si_raw: &[u8],
    parsed: &Parsed<'_>,
    econtent: Option<&[u8]>,
    content: Content<'_>,
    anchors: &[Cert],
    now: DateTime<Utc>,
    digests: &Digests,
) -> SignerReport {
    let Ok(si) = SignerInfo::from_der(si_raw) else {
        return SignerReport::failed(Failure::Malformed, "SignerInfo");
    };
    let mut report = SignerReport::failed(Failure::Malformed, "");
    report.signing_time = attribute(&si, SIGNING_TIME, true)
        .ok()
        .flatten()
        .and_then(time_of);
    let (cert, _) = match core(si_raw, &si, parsed, econtent, content, digests) {
        Ok(c) => c,
        Err((f, detail)) => {
            report.failure = Some(f);
            report.detail = Some(detail);
            // Name the signer when the certificate is there, even if the signature fails.
            if let Some(c) = parsed.certificates.iter().find(|c| match &si.sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    c.cert.tbs_certificate.serial_number == ias.serial_number
                        && c.cert.tbs_certificate.issuer == ias.issuer
                }
                SignerIdentifier::SubjectKeyIdentifier(_) => false,
            }) {
                report.signer = c.subject();
            }
            return report;
        }
    };
    report.signer = cert.subject();
    report.algorithm = algorithm::name(
        &si.signature_algorithm.oid,
        &cert.cert.tbs_certificate.subject_public_key_info,
    )
    .to_owned();
    report.certificate_valid = Some(cert.validity());
    match attribute(&si, TIME_STAMP_TOKEN, false) {
        Ok(Some(token)) => match time_stamp(token, si.signature.as_bytes(), anchors) {
            Ok(ts) => report.time_stamp = Some(ts),
            Err(detail) => {
                report.failure = Some(Failure::TimeStampInvalid);
                report.detail = Some(detail);
                return report;
            }
        },
        Ok(None) => {}
        Err((f, detail)) => {
            report.failure = Some(f);
            report.detail = Some(detail);
            return report;
        }
    }
    // The trusted time-stamp's time, else the time the signer claims (shown as a claim; a
    // claim later than now is not believed), else now.
    let at = report
        .time_stamp
        .as_ref()
        .filter(|t| t.trusted)
        .map(|t| t.time)
        .or(report.signing_time.filter(|t| claim_believable(*t, now)))
        .unwrap_or(now);
    match certificate::path(&cert, &parsed.certificates, anchors, at, Purpose::Signing) {
        Ok(path) => {
            report.path = path;
            report.failure = None;
            report.detail = None;
        }
        Err(e) => {
            let (f, detail) = match e {
                PathError::Untrusted => (Failure::UnknownSigner, cert.subject_line()),
                PathError::NotValidAt(s) => (Failure::CertificateNotValid, s),
                PathError::Misused(s) => (Failure::CertificateMisused, s),
            };
            report.failure = Some(f);
            report.detail = Some(detail);
        }
    }
    report
}

/// An RFC 3161 token over `signature`: its own signature, that it stamps this signature, and
/// whether its authority is trusted.
fn time_stamp(token: &der::Any, signature: &[u8], anchors: &[Cert]) -> Result<TimeStamp, String> {
    let der = token.to_der().map_err(|_| "unreadable token".to_owned())?;
    let parsed = parse(&der).map_err(|(_, d)| d)?;
    if parsed.data.encap_content_info.econtent_type != TST_INFO {
        return Err("not a time-stamp token".into());
    }
    let econtent = attached_content(&parsed.data).ok_or("a token without TSTInfo")?;
    let [si_raw] = parsed.signer_infos.as_slice() else {
        return Err("a token has one signer".into());
    };
    let si = SignerInfo::from_der(si_raw).map_err(|_| "the token's signer".to_owned())?;
    let (cert, _) = core(
        si_raw,
        &si,
        &parsed,
        Some(&econtent),
        Content::Attached,
        &Digests::default(),
    )
    .map_err(|(f, d)| format!("the token's signature: {f:?} {d}"))?;
    let tst = x509_tsp::TstInfo::from_der(&econtent).map_err(|_| "TSTInfo".to_owned())?;
    let digest =
        Digest::from_oid(&tst.message_imprint.hash_algorithm.oid).map_err(|e| format!("{e:?}"))?;
    if digest.of(signature) != tst.message_imprint.hashed_message.as_bytes() {
        return Err("the token stamps another signature".into());
    }
    let time = DateTime::from_timestamp(tst.gen_time.to_unix_duration().as_secs() as i64, 0)
        .ok_or("the token's time")?;
    let trusted = certificate::path(
        &cert,
        &parsed.certificates,
        anchors,
        time,
        Purpose::TimeStamping,
    )
    .is_ok();
    Ok(TimeStamp {
        time,
        authority: cert.subject_line(),
        trusted,
    })
}
