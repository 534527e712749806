//! Signatures inside a PDF (PAdES: `adbe.pkcs7.detached`, `ETSI.CAdES.detached`), found without
//! parsing the PDF's object graph: every `/ByteRange [a b c d]` is read, and a signature counts only
//! when the gap between its two ranges is exactly the hex string of a `/Contents` entry, so the
//! CMS in that string covers every other byte of its revision. Each signature's CMS is then checked
//! over its two ranges ([`crate::cms`]). Bytes after the last signature's range (an incremental
//! update) mean the document was changed after signing.
//!
//! One pass over the bytes, bounded work per candidate, no recursion: garbage and huge files give
//! a verdict, never a panic or a hang.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::certificate::Cert;
use crate::cms::{self, Content, SignerReport};
use crate::der_raw;

/// At most this many signatures are read from one file.
pub const MAX_SIGNATURES: usize = 64;
/// Largest CMS a signature's `/Contents` may hold.
pub const MAX_CONTENTS: usize = 512 * 1024;

const NEEDLE: &[u8] = b"/ByteRange";

/// Why a `/ByteRange` did not make a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Not `[a b c d]` of numbers.
    Syntax,
    /// The ranges do not start at 0, overlap, or leave the file.
    Range,
    /// The gap is not one hex string, or not a `/Contents` value.
    Gap,
    /// The hex string is not one DER object followed by zero padding.
    Contents,
    /// More signatures than [`MAX_SIGNATURES`].
    TooMany,
}

/// One signature of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PdfSignature {
    /// Its byte range.
    pub byte_range: [u64; 4],
    /// Whether its ranges reach the end of the file (nothing was added after it).
    pub covers_whole_file: bool,
    /// Each signer of its CMS.
    pub signers: Vec<SignerReport>,
}

/// Every signature of a PDF.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PdfReport {
    /// The signatures, oldest revision first.
    pub signatures: Vec<PdfSignature>,
    /// `/ByteRange` entries that did not make a signature.
    pub problems: Vec<Problem>,
    /// Bytes were added after the last signature (the document changed after it was signed).
    pub changed_after_signing: bool,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|v| v as u8)
}

/// Offsets just after each `/ByteRange` name.
fn candidates(pdf: &[u8]) -> impl Iterator<Item = usize> + '_ {
    pdf.windows(NEEDLE.len())
        .enumerate()
        .filter(|(_, w)| *w == NEEDLE)
        .map(|(i, _)| i + NEEDLE.len())
        .filter(|&end| pdf.get(end).is_some_and(|&c| is_space(c) || c == b'['))
}

fn byte_range(s: &[u8]) -> Option<[u64; 4]> {
    let mut i = 0;
    let skip = |i: &mut usize| {
        while s.get(*i).is_some_and(|&b| is_space(b)) {
            *i += 1;
        }
    };
    skip(&mut i);
    if s.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut out = [0u64; 4];
    for v in &mut out {
        skip(&mut i);
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        // Fifteen digits at most: no overflow.
        if i == start || i - start > 15 {
            return None;
        }
        *v = s[start..i]
            .iter()
            .fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
    }
    skip(&mut i);
    (s.get(i) == Some(&b']')).then_some(out)
}

/// The CMS a `/ByteRange` at `at` protects, or why there is none.
fn signature_at(pdf: &[u8], at: usize) -> Result<([u64; 4], Vec<u8>), Problem> {
    let head = &pdf[at..pdf.len().min(at + 160)];
    let range = byte_range(head).ok_or(Problem::Syntax)?;
    let [a, b, c, d] = range;
    let size = pdf.len() as u64;
    let end = c.checked_add(d).ok_or(Problem::Range)?;
    if a != 0 || b == 0 || c <= b.saturating_add(1) || end > size {
        return Err(Problem::Range);
    }
    // The /ByteRange itself must be among the signed bytes.
    if (at as u64) > b && (at as u64) < c {
        return Err(Problem::Range);
    }
    let (b, c) = (b as usize, c as usize);
    if c - b > MAX_CONTENTS * 2 + 2 {
        return Err(Problem::Contents);
    }
    let gap = &pdf[b..c];
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return Err(Problem::Gap);
    }
    let mut bytes = Vec::with_capacity(gap.len() / 2);
    let mut high = None;
    for &ch in &gap[1..gap.len() - 1] {
        if is_space(ch) {
            continue;
        }
        let v = hex_value(ch).ok_or(Problem::Gap)?;
        match high.take() {
            None => high = Some(v),
            Some(h) => bytes.push(h << 4 | v),
        }
    }
    if let Some(h) = high {
        bytes.push(h << 4);
    }
    // The hex string must be the value of /Contents.
    let before = pdf[b.saturating_sub(64)..b].trim_ascii_end();
    if !before.ends_with(b"/Contents") {
        return Err(Problem::Gap);
    }
    if bytes.first() != Some(&0x30) {
        return Err(Problem::Contents);
    }
    let len = der_raw::tlv_total_len(&bytes).ok_or(Problem::Contents)?;
    if bytes[len..].iter().any(|&z| z != 0) {
        return Err(Problem::Contents);
    }
    bytes.truncate(len);
    Ok((range, bytes))
}

/// Whether `pdf` carries a PDF signature at all.
pub fn is_signed_pdf(pdf: &[u8]) -> bool {
    pdf.starts_with(b"%PDF-") && candidates(pdf).next().is_some()
}

/// Checks every signature of `pdf` against `anchors`, on `now`.
pub fn verify(pdf: &[u8], anchors: &[Cert], now: DateTime<Utc>) -> PdfReport {
    let mut signatures = Vec::new();
    let mut problems = Vec::new();
    for (n, at) in candidates(pdf).enumerate() {
        if n == MAX_SIGNATURES {
            problems.push(Problem::TooMany);
            break;
        }
        match signature_at(pdf, at) {
            Ok((range, der)) => {
                let ranges = [
                    (range[0] as usize, range[1] as usize),
                    (range[2] as usize, range[3] as usize),
                ];
                let report = cms::verify(&der, Content::Ranges(pdf, ranges), anchors, now);
                signatures.push(PdfSignature {
                    byte_range: range,
                    covers_whole_file: range[2] + range[3] == pdf.len() as u64,
                    signers: report.signers,
                });
            }
            Err(p) => problems.push(p),
        }
    }
    signatures.sort_by_key(|s| s.byte_range[2] + s.byte_range[3]);
    let changed_after_signing = signatures.last().is_some_and(|s| !s.covers_whole_file);
    PdfReport {
        signatures,
        problems,
        changed_after_signing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_read_and_refuse() {
        assert_eq!(byte_range(b" [0 10 20 30]"), Some([0, 10, 20, 30]));
        assert_eq!(byte_range(b"[0 10 20]"), None);
        assert_eq!(
            byte_range(b"[0 1 2 9999999999999999]"),
            None,
            "too many digits"
        );
        assert_eq!(byte_range(b"[0 -1 2 3]"), None);
        assert_eq!(byte_range(b""), None);
    }

    #[test]
    fn garbage_gives_problems_not_panics() {
        for pdf in [
            &b"%PDF-1.7 /ByteRange [0 5 2 3] /Contents <30>"[..],
            b"%PDF-1.7 /ByteRange [0 99999 100000 5]",
            b"%PDF-1.7 /ByteRange",
            b"%PDF-1.7 /ByteRange [",
            b"/ByteRange [0 1 3 0]<>",
        ] {
            let r = verify(pdf, &[], DateTime::UNIX_EPOCH);
            assert!(
                r.signatures.is_empty(),
                "{:?}",
                String::from_utf8_lossy(pdf)
            );
        }
    }
}
