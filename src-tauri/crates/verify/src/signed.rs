//! A signed file from outside, whatever its kind: a PDF with PAdES signatures, or a CMS file
//! (DER, PEM or base64, as NCALayer and eGov save them), attached or with its document beside it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::certificate::Cert;
use crate::cms::{self, CmsReport, Content};
use crate::pades::{self, PdfReport};

/// Largest file checked (a PDF with scans stays well below).
pub const MAX_FILE: usize = 64 * 1024 * 1024;

/// Why a file could not be checked at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignedError {
    /// Over [`MAX_FILE`].
    #[error("the file is larger than {} MiB", MAX_FILE / 1024 / 1024)]
    TooLarge,
    /// A PDF was given a detached document.
    #[error("a PDF carries its signatures inside; no document goes beside it")]
    DetachedWithPdf,
}

/// What a signed file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum SignedReport {
    /// A PDF and its signatures.
    Pdf(PdfReport),
    /// A CMS file and its signers.
    Cms(CmsReport),
}

/// The file's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileVerdict {
    /// Every signature is good and nothing changed after signing.
    Valid,
    /// Some signature is not good, or the document changed after it was signed.
    NotValid,
    /// No signature at all.
    Unsigned,
}

impl SignedReport {
    /// The verdict over all signatures.
    pub fn verdict(&self) -> FileVerdict {
        match self {
            // A signature dictionary that cannot be read is not "no signature".
            SignedReport::Pdf(p) if p.signatures.is_empty() && p.problems.is_empty() => {
                FileVerdict::Unsigned
            }
            SignedReport::Pdf(p) => {
                let good = p.problems.is_empty()
                    && !p.changed_after_signing
                    && p.signatures.iter().all(|s| {
                        !s.signers.is_empty() && s.signers.iter().all(|x| x.failure.is_none())
                    });
                if good {
                    FileVerdict::Valid
                } else {
                    FileVerdict::NotValid
                }
            }
            SignedReport::Cms(c) if c.signers.is_empty() => FileVerdict::Unsigned,
            SignedReport::Cms(c) => {
                if c.signers.iter().all(|s| s.failure.is_none()) {
                    FileVerdict::Valid
                } else {
                    FileVerdict::NotValid
                }
            }
        }
    }
}

/// A CMS file's DER: as is, or from PEM or bare base64 (how NCALayer hands signatures out).
fn cms_der(bytes: &[u8]) -> Vec<u8> {
    if bytes.first() == Some(&0x30) {
        return bytes.to_vec();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .unwrap_or_else(|_| bytes.to_vec())
}

/// Checks `file` (and `detached`, the document a detached CMS signs) against `anchors`, on `now`.
pub fn verify(
    file: &[u8],
    detached: Option<&[u8]>,
    anchors: &[Cert],
    now: DateTime<Utc>,
) -> Result<SignedReport, SignedError> {
    if file.len() > MAX_FILE || detached.is_some_and(|d| d.len() > MAX_FILE) {
        return Err(SignedError::TooLarge);
    }
    if file.starts_with(b"%PDF-") {
        if detached.is_some() {
            return Err(SignedError::DetachedWithPdf);
        }
        return Ok(SignedReport::Pdf(pades::verify(file, anchors, now)));
    }
    let der = cms_der(file);
    let content = detached.map_or(Content::Attached, Content::Detached);
    Ok(SignedReport::Cms(cms::verify(&der, content, anchors, now)))
}
