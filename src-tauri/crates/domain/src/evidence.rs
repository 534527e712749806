//! Evidence of a consent given or withdrawn at the desk: the signature the client draws on screen
//! (its strokes, each point with its time) and the scan of the paper form they signed. Both are
//! checked here before anything is stored: a signature must be more than a dot, a scan must be a
//! PDF, PNG or JPEG by its bytes (not by its name, so a renamed program is refused) and at most
//! [`SCAN_MAX`] bytes.

use serde::{Deserialize, Serialize};

/// The largest scan accepted: 20 MB.
pub const SCAN_MAX: usize = 20 * 1024 * 1024;

/// Largest canvas side, points beyond it are refused (the window's pad is far smaller).
const CANVAS_MAX: u16 = 4000;
/// At most this many points in a signature (a long signature has a few thousand).
const POINTS_MAX: usize = 20_000;
/// A signature's drawing must span at least this many canvas units one way or the other.
const SPAN_MIN: u16 = 20;
/// ... and have at least this many points.
const POINTS_MIN: usize = 5;

/// One point of a stroke: x and y on the pad (0 = left, top) and milliseconds since the first
/// point of the signature. Serialised as `[x, y, t]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Point(pub u16, pub u16, pub u32);

/// A signature drawn on screen: the pad's size and the strokes (pen down to pen up).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DrawnSignature {
    /// Width of the pad, in its units (CSS pixels).
    pub width: u16,
    /// Height of the pad.
    pub height: u16,
    /// Each stroke's points in the order drawn.
    pub strokes: Vec<Vec<Point>>,
}

/// Why evidence was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// Nothing was drawn.
    #[error("the signature is empty")]
    SignatureEmpty,
    /// A dot or a tick, not a signature.
    #[error("the signature is too small to be a signature")]
    SignatureTooSmall,
    /// More points than any signature has, or points off the pad.
    #[error("the signature's drawing is not valid")]
    SignatureInvalid,
    /// An empty file.
    #[error("the scan is empty")]
    ScanEmpty,
    /// Larger than [`SCAN_MAX`].
    #[error("the scan is larger than 20 MB")]
    ScanTooLarge,
    /// Not a PDF, PNG or JPEG file (whatever its name says).
    #[error("the scan is not a PDF, PNG or JPEG file")]
    ScanType,
    /// Starts like a PDF, PNG or JPEG but is cut short or damaged.
    #[error("the scan file is damaged or incomplete")]
    ScanDamaged,
    /// Neither a signature nor a scan where the method needs one.
    #[error("the method needs a signature or a scan")]
    Missing,
}

impl DrawnSignature {
    /// Checks the drawing: on the pad, not too many points, and more than a dot.
    pub fn check(&self) -> Result<(), EvidenceError> {
        let points: Vec<&Point> = self.strokes.iter().flatten().collect();
        if points.is_empty() {
            return Err(EvidenceError::SignatureEmpty);
        }
        if points.len() > POINTS_MAX
            || self.width == 0
            || self.height == 0
            || self.width > CANVAS_MAX
            || self.height > CANVAS_MAX
            || points.iter().any(|p| p.0 > self.width || p.1 > self.height)
        {
            return Err(EvidenceError::SignatureInvalid);
        }
        let span = |f: fn(&Point) -> u16| {
            let (lo, hi) = points
                .iter()
                .map(|p| f(p))
                .fold((u16::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
            hi - lo
        };
        if points.len() < POINTS_MIN || (span(|p| p.0) < SPAN_MIN && span(|p| p.1) < SPAN_MIN) {
            return Err(EvidenceError::SignatureTooSmall);
        }
        Ok(())
    }

    /// The drawing as canonical JSON, the bytes kept as evidence and hashed into the record.
    pub fn canonical_json(&self) -> Vec<u8> {
        // A plain struct of integers always serialises.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// What a scan turned out to be, from its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ScanType {
    /// `%PDF-` … `%%EOF`.
    Pdf,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
}

impl ScanType {
    /// The media type stored beside the bytes.
    pub fn media_type(self) -> &'static str {
        match self {
            ScanType::Pdf => "application/pdf",
            ScanType::Png => "image/png",
            ScanType::Jpeg => "image/jpeg",
        }
    }
}

/// Checks a scan's size and finds its type from its bytes: a PDF must start with `%PDF-` and
/// end with `%%EOF`, a PNG must start with its signature and `IHDR` and end with `IEND`, a JPEG
/// must start with SOI and end with EOI.
pub fn sniff_scan(bytes: &[u8]) -> Result<ScanType, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::ScanEmpty);
    }
    if bytes.len() > SCAN_MAX {
        return Err(EvidenceError::ScanTooLarge);
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let ends_with = |needle: &[u8]| tail.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(b"%PDF-") {
        return if ends_with(b"%%EOF") {
            Ok(ScanType::Pdf)
        } else {
            Err(EvidenceError::ScanDamaged)
        };
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return if bytes.get(12..16) == Some(b"IHDR") && ends_with(b"IEND") {
            Ok(ScanType::Png)
        } else {
            Err(EvidenceError::ScanDamaged)
        };
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return if bytes.ends_with(&[0xFF, 0xD9]) || ends_with(&[0xFF, 0xD9]) {
            Ok(ScanType::Jpeg)
        } else {
            Err(EvidenceError::ScanDamaged)
        };
    }
    Err(EvidenceError::ScanType)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u16) -> DrawnSignature {
        DrawnSignature {
            width: 600,
            height: 200,
            strokes: vec![
                (0..n)
                    .map(|i| Point(10 + i * 5, 50 + i, u32::from(i) * 16))
                    .collect(),
            ],
        }
    }

    #[test]
    fn a_drawn_signature_passes_and_a_dot_does_not() {
        assert_eq!(line(40).check(), Ok(()));
        assert_eq!(
            DrawnSignature {
                width: 600,
                height: 200,
                strokes: vec![]
            }
            .check(),
            Err(EvidenceError::SignatureEmpty)
        );
        assert_eq!(
            DrawnSignature {
                width: 600,
                height: 200,
                strokes: vec![vec![]]
            }
            .check(),
            Err(EvidenceError::SignatureEmpty),
            "a stroke with no points is nothing drawn"
        );
        let dot = DrawnSignature {
            width: 600,
            height: 200,
            strokes: vec![vec![Point(100, 100, 0); 30]],
        };
        assert_eq!(
            dot.check(),
            Err(EvidenceError::SignatureTooSmall),
            "many points on one spot are a dot"
        );
        assert_eq!(line(2).check(), Err(EvidenceError::SignatureTooSmall));
        let mut off = line(40);
        off.strokes[0].push(Point(601, 10, 900));
        assert_eq!(off.check(), Err(EvidenceError::SignatureInvalid));
    }

    #[test]
    fn scans_are_known_by_their_bytes() {
        assert_eq!(sniff_scan(b"%PDF-1.7\n...\n%%EOF\n"), Ok(ScanType::Pdf));
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(b"....\0\0\0\0IEND\xaeB`\x82");
        assert_eq!(sniff_scan(&png), Ok(ScanType::Png));
        assert_eq!(
            sniff_scan(&[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 0xFF, 0xD9]),
            Ok(ScanType::Jpeg)
        );
        assert_eq!(
            sniff_scan(b"\x7fELF\x02\x01\x01\0"),
            Err(EvidenceError::ScanType),
            "a program renamed to .pdf is refused by its bytes"
        );
        assert_eq!(sniff_scan(b"MZ\x90\0"), Err(EvidenceError::ScanType));
        assert_eq!(sniff_scan(b""), Err(EvidenceError::ScanEmpty));
        assert_eq!(
            sniff_scan(b"%PDF-1.7\n cut"),
            Err(EvidenceError::ScanDamaged)
        );
        let big = vec![b'%'; SCAN_MAX + 1];
        assert_eq!(sniff_scan(&big), Err(EvidenceError::ScanTooLarge));
    }
}
