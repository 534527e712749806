//! Documents a Branch Desk issued: a printout's PDF, or the text of its QR code.
//!
//! A PDF is **authentic** when its seal's Ed25519 signature verifies with a desk key this desk
//! knows (its own, or one head office lists) over the kind, id, issue time and content hash; the
//! content it carries hashes to that hash; and rebuilding the document from that content and seal
//! gives the file's bytes exactly. It is **altered** when any of that fails, **unknown signer**
//! when the signature is good but the key is nobody's we know, and **revoked signer** when head
//! office revoked the desk that signed. A policy printed as a reference copy carries no signature:
//! it is authentic when it is, byte for byte, a known version's copy.
//!
//! A QR code's text alone proves the seal, not the paper's content: that needs the vault's copy or
//! the file.

use chrono::{DateTime, Utc};
use domain::policy::PolicyVersion;
use ed25519_dalek::{Signature, VerifyingKey};
use print::{Kind, ReprintError, Seal, SealText};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::pdf_text;

/// A desk's signing key as this desk knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskKey {
    /// Ed25519 public key, lower-case hex.
    pub key: String,
    /// Who it is: the desk's name, or its branch, as head office lists it.
    pub name: String,
    /// This desk itself.
    pub own: bool,
    /// When head office revoked it, if it did.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The verdict. The UI words each one; the set is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Issued by a known desk and unchanged since.
    Authentic,
    /// Changed after it was issued (or its seal does not belong to it).
    Altered,
    /// A good signature by a key this desk does not know.
    UnknownSigner,
    /// Signed by a desk head office revoked.
    RevokedSigner,
}

/// Why a document is not authentic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The seal or content entry is missing, doubled or unreadable.
    SealUnreadable,
    /// The content does not hash to what the seal says.
    ContentHash,
    /// The signature does not verify over the seal's facts.
    Signature,
    /// The file's bytes are not those of the document its content and seal make.
    Bytes,
    /// The content cannot be made into a document (unknown kind, fields, policy version).
    Content,
    /// The key is not one this desk knows.
    UnknownKey,
    /// Head office revoked the signing desk.
    Revoked,
}

/// What verification found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OursReport {
    /// The verdict.
    pub verdict: Verdict,
    /// Why it is not authentic; `None` when it is.
    pub reason: Option<Reason>,
    /// The document's kind, when the seal says it.
    pub kind: Option<Kind>,
    /// Its id (issued documents) or `v<version>` (a policy's reference copy).
    pub id: Option<String>,
    /// When it was issued.
    pub issued_at: Option<DateTime<Utc>>,
    /// The signing desk's key, hex.
    pub desk_key: Option<String>,
    /// The signing desk as this desk knows it.
    pub signer: Option<String>,
    /// Whether it is this desk's own key.
    pub own_desk: bool,
    /// When the signer was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// SHA-256 of the content, hex.
    pub content_sha256: Option<String>,
    /// Whether the paper's content was checked (a PDF), or only its seal (a QR code's text).
    pub content_checked: bool,
}

impl OursReport {
    fn altered(reason: Reason) -> OursReport {
        OursReport {
            verdict: Verdict::Altered,
            reason: Some(reason),
            kind: None,
            id: None,
            issued_at: None,
            desk_key: None,
            signer: None,
            own_desk: false,
            revoked_at: None,
            content_sha256: None,
            content_checked: false,
        }
    }
}

/// Whether `pdf` looks like a document a Branch Desk issued (it carries a seal entry).
pub fn is_ours(pdf: &[u8]) -> bool {
    pdf_text::contains(pdf, SEAL_KEY)
}

const SEAL_KEY: &[u8] = b"/BranchDeskSeal";
const CONTENT_KEY: &[u8] = b"/BranchDeskContent";

/// Verifies a PDF a Branch Desk printed. `known` are the desk keys this desk knows; `policies` the
/// policy versions a policy printout may copy.
pub fn verify_pdf(pdf: &[u8], known: &[DeskKey], policies: &[PolicyVersion]) -> OursReport {
    let (Some(seal_text), Some(content)) = (
        pdf_text::entry(pdf, SEAL_KEY),
        pdf_text::entry(pdf, CONTENT_KEY),
    ) else {
        return OursReport::altered(Reason::SealUnreadable);
    };
    let Some(seal) = SealText::parse(&seal_text) else {
        return OursReport::altered(Reason::SealUnreadable);
    };
    let mut report = from_seal(&seal, known, policies);
    report.content_checked = true;
    if report.verdict == Verdict::Altered {
        return report;
    }
    let fail = |mut r: OursReport, reason| {
        r.verdict = Verdict::Altered;
        r.reason = Some(reason);
        r
    };
    let (kind, sha) = match &seal {
        SealText::Issued {
            kind,
            content_sha256,
            ..
        }
        | SealText::Reference {
            kind,
            content_sha256,
            ..
        } => (*kind, content_sha256),
    };
    if hex::encode(Sha256::digest(content.as_bytes())) != *sha {
        return fail(report, Reason::ContentHash);
    }
    let issued = match &seal {
        SealText::Issued { seal, .. } => Some(seal),
        SealText::Reference { .. } => None,
    };
    match print::reprint(&content, issued, policies) {
        Ok((k, bytes)) if k == kind && bytes == pdf => report,
        Ok(_) => fail(report, Reason::Bytes),
        Err(ReprintError::Content | ReprintError::UnknownPolicy(_) | ReprintError::Print(_)) => {
            fail(report, Reason::Content)
        }
    }
}

/// Verifies the text of a printout's QR code: the seal only (see the module's note). A reference
/// copy's text carries no signature: it is authentic only when it names a policy version in
/// `policies` and that version's content hash.
pub fn verify_qr(text: &str, known: &[DeskKey], policies: &[PolicyVersion]) -> OursReport {
    match SealText::parse(text.trim()) {
        Some(seal) => from_seal(&seal, known, policies),
        None => OursReport::altered(Reason::SealUnreadable),
    }
}

/// Whether `reference` (`v<version>`) and `content_sha256` are those of a known policy version's
/// reference copy: `Ok` when they are, else why not.
fn known_reference(
    kind: Kind,
    reference: &str,
    content_sha256: &str,
    policies: &[PolicyVersion],
) -> Result<(), Reason> {
    let versions: Vec<&PolicyVersion> = policies
        .iter()
        .filter(|p| kind == Kind::Policy && format!("v{}", p.version) == reference)
        .collect();
    if versions.is_empty() {
        return Err(Reason::Content);
    }
    let matches = versions.iter().any(|p| {
        print::Document::Policy(p)
            .content()
            .is_ok_and(|c| c.sha256 == content_sha256)
    });
    if matches {
        Ok(())
    } else {
        Err(Reason::ContentHash)
    }
}

fn from_seal(text: &SealText, known: &[DeskKey], policies: &[PolicyVersion]) -> OursReport {
    match text {
        SealText::Reference {
            kind,
            reference,
            content_sha256,
        } => {
            let checked = known_reference(*kind, reference, content_sha256, policies);
            OursReport {
                verdict: if checked.is_ok() {
                    Verdict::Authentic
                } else {
                    Verdict::Altered
                },
                reason: checked.err(),
                kind: Some(*kind),
                id: Some(reference.clone()),
                issued_at: None,
                desk_key: None,
                signer: None,
                own_desk: false,
                revoked_at: None,
                content_sha256: Some(content_sha256.clone()),
                content_checked: false,
            }
        }
        SealText::Issued {
            kind,
            seal,
            content_sha256,
        } => {
            let mut report = OursReport {
                verdict: Verdict::Authentic,
                reason: None,
                kind: Some(*kind),
                id: Some(seal.id.clone()),
                issued_at: Some(seal.issued_at),
                desk_key: Some(seal.desk_key.clone()),
                signer: None,
                own_desk: false,
                revoked_at: None,
                content_sha256: Some(content_sha256.clone()),
                content_checked: false,
            };
            if !signature_ok(*kind, seal, content_sha256) {
                report.verdict = Verdict::Altered;
                report.reason = Some(Reason::Signature);
                return report;
            }
            match known.iter().find(|k| k.key == seal.desk_key) {
                None => {
                    report.verdict = Verdict::UnknownSigner;
                    report.reason = Some(Reason::UnknownKey);
                }
                Some(k) => {
                    report.signer = Some(k.name.clone());
                    report.own_desk = k.own;
                    report.revoked_at = k.revoked_at;
                    if k.revoked_at.is_some() {
                        report.verdict = Verdict::RevokedSigner;
                        report.reason = Some(Reason::Revoked);
                    }
                }
            }
            report
        }
    }
}

fn signature_ok(kind: Kind, seal: &Seal, content_sha256: &str) -> bool {
    let key = hex::decode(&seal.desk_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let signature = hex::decode(&seal.signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    let message = print::signing_message(kind, &seal.id, seal.issued_at, content_sha256);
    match (key, signature) {
        (Some(key), Some(signature)) => key.verify_strict(&message, &signature).is_ok(),
        _ => false,
    }
}
