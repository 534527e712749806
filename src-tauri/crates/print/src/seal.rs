//! What makes a printout an issued document: an id, the time and desk that issued it, and the
//! desk's Ed25519 signature over the document's content hash. The same facts go into the QR code
//! and into the PDF's metadata, so either the paper or the file can be checked later.
//!
//! The signature cannot cover the PDF bytes (the PDF carries the signature), so it covers the
//! SHA-256 of the document's canonical content (the JSON of what the document says). Rendering is
//! deterministic, so a verifier re-renders the content with the seal and compares bytes: any change
//! to the file shows, and any change to the content breaks the signature.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// The documents a desk issues. The kind is part of what the desk signs ([`signing_message`]), so
/// a signature made for one kind never verifies as another's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The privacy policy.
    Policy,
    /// The consent form for the privacy policy's purposes.
    Consent,
    /// The loan offer.
    Offer,
    /// The consent form for credit-bureau reports (a [`ConsentForm`](crate::ConsentForm) of the
    /// credit-bureau scope).
    #[serde(rename = "bureau-consent")]
    BureauConsent,
    /// The receipt for a consent given or withdrawn ([`Receipt`](crate::Receipt)).
    Receipt,
}

impl Kind {
    /// Every kind, in the order they were added.
    const ALL: [Kind; 5] = [
        Kind::Policy,
        Kind::Consent,
        Kind::Offer,
        Kind::BureauConsent,
        Kind::Receipt,
    ];

    /// The kind's name as printed, signed and stored: `policy`, `consent`, `offer`,
    /// `bureau-consent` or `receipt` (serde uses the same names).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Consent => "consent",
            Kind::Offer => "offer",
            Kind::BureauConsent => "bureau-consent",
            Kind::Receipt => "receipt",
        }
    }

    /// The kind named `text` (as [`Kind::as_str`] gives it), if any.
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// An issued document's identity and the desk's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seal {
    /// 32 lower-case hex digits, made by the vault.
    pub id: String,
    /// Whole seconds: the time printed on the paper is the time signed.
    pub issued_at: DateTime<Utc>,
    /// The desk's Ed25519 public key, hex.
    pub desk_key: String,
    /// Ed25519 signature over [`signing_message`], hex.
    pub signature: String,
}

/// The issue time as written into the message, the QR code and the metadata.
pub fn issued_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The exact bytes the desk signs for a document. Domain-separated and versioned, so a signature
/// made for anything else (a sync batch, another document kind) never verifies as a document.
pub fn signing_message(
    kind: Kind,
    id: &str,
    issued_at: DateTime<Utc>,
    content_sha256: &str,
) -> Vec<u8> {
    format!(
        "branchdesk-document-v1\n{}\n{id}\n{}\n{content_sha256}",
        kind.as_str(),
        issued_text(issued_at)
    )
    .into_bytes()
}

/// The QR code's text: `BD1|kind|id|issued|sha256|desk key|signature`, all ASCII. A reference
/// copy printed without a vault (the policy only) carries `BD1|policy|v<version>|sha256`.
pub(crate) fn qr_payload(
    kind: Kind,
    seal: Option<&Seal>,
    content_sha256: &str,
    reference: &str,
) -> String {
    match seal {
        Some(s) => format!(
            "BD1|{}|{}|{}|{content_sha256}|{}|{}",
            kind.as_str(),
            s.id,
            issued_text(s.issued_at),
            s.desk_key,
            s.signature
        ),
        None => format!("BD1|{}|{reference}|{content_sha256}", kind.as_str()),
    }
}

/// What a document's QR code (and the same entry of its PDF) says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SealText {
    /// An issued document: its kind, seal and content hash.
    Issued {
        /// The document's kind.
        kind: Kind,
        /// Its id, issue time, desk key and signature.
        seal: Seal,
        /// SHA-256 of its canonical content, lower-case hex.
        content_sha256: String,
    },
    /// A reference copy printed without a vault (the policy): `v<version>` and the content hash.
    Reference {
        /// The document's kind.
        kind: Kind,
        /// `v` and the version number.
        reference: String,
        /// SHA-256 of its canonical content, lower-case hex.
        content_sha256: String,
    },
}

fn lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl SealText {
    /// Reads a QR code's text; `None` unless it is exactly what [`qr_payload`] writes (so one
    /// document has one text).
    pub fn parse(text: &str) -> Option<SealText> {
        let parts: Vec<&str> = text.split('|').collect();
        let parsed = match parts.as_slice() {
            ["BD1", kind, id, issued, sha, key, signature] => {
                let issued_at = DateTime::parse_from_rfc3339(issued)
                    .ok()?
                    .with_timezone(&Utc);
                let ok = lower_hex(id, 32)
                    && lower_hex(sha, 64)
                    && lower_hex(key, 64)
                    && lower_hex(signature, 128);
                let kind = Kind::parse(kind)?;
                ok.then(|| SealText::Issued {
                    kind,
                    seal: Seal {
                        id: (*id).to_owned(),
                        issued_at,
                        desk_key: (*key).to_owned(),
                        signature: (*signature).to_owned(),
                    },
                    content_sha256: (*sha).to_owned(),
                })?
            }
            ["BD1", kind, reference, sha] => {
                let version = reference.strip_prefix('v')?;
                let ok = lower_hex(sha, 64)
                    && !version.is_empty()
                    && version.bytes().all(|b| b.is_ascii_digit());
                let kind = Kind::parse(kind)?;
                ok.then(|| SealText::Reference {
                    kind,
                    reference: (*reference).to_owned(),
                    content_sha256: (*sha).to_owned(),
                })?
            }
            _ => return None,
        };
        // One text per document: anything that does not write back the same is refused.
        (parsed.to_text() == text).then_some(parsed)
    }

    /// The text again, as [`qr_payload`] writes it.
    pub fn to_text(&self) -> String {
        match self {
            SealText::Issued {
                kind,
                seal,
                content_sha256,
            } => qr_payload(*kind, Some(seal), content_sha256, ""),
            SealText::Reference {
                kind,
                reference,
                content_sha256,
            } => qr_payload(*kind, None, content_sha256, reference),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_signed_message_names_kind_id_time_and_hash() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 5, 0, 0).unwrap();
        let m = signing_message(Kind::Offer, "ab", at, "cd");
        assert_eq!(
            String::from_utf8(m).unwrap(),
            "branchdesk-document-v1\noffer\nab\n2026-11-26T05:00:00Z\ncd"
        );
        assert_ne!(
            signing_message(Kind::Consent, "ab", at, "cd"),
            signing_message(Kind::Offer, "ab", at, "cd"),
            "a consent signature must not verify as an offer's"
        );
    }

    #[test]
    fn seal_texts_read_back_exactly_and_nothing_else() {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 5, 0, 0).unwrap();
        let seal = Seal {
            id: "0".repeat(32),
            issued_at: at,
            desk_key: "a".repeat(64),
            signature: "b".repeat(128),
        };
        let text = qr_payload(Kind::Offer, Some(&seal), &"c".repeat(64), "");
        let parsed = SealText::parse(&text).expect("an issued seal reads");
        assert_eq!(parsed.to_text(), text);
        let reference = qr_payload(Kind::Policy, None, &"c".repeat(64), "v1");
        assert!(matches!(
            SealText::parse(&reference),
            Some(SealText::Reference { .. })
        ));
        for bad in [
            text.replace("offer", "loan"),
            text.replace("2026-11-26T05:00:00Z", "2026-11-26T05:00:00+00:00"),
            text.to_uppercase(),
            format!("{text}|"),
            text[..text.len() - 1].to_owned(),
            reference.replace("|v1|", "|v|"),
            String::new(),
        ] {
            assert_eq!(SealText::parse(&bad), None, "{bad:?} must not read");
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in Kind::ALL {
            assert_eq!(
                Kind::parse(k.as_str()),
                Some(k),
                "{k:?} parses from its name"
            );
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::from(k.as_str()),
                "{k:?} serialises as the name it is stored and signed under"
            );
        }
        assert_eq!(Kind::parse("bureau_consent"), None);
        assert_eq!(Kind::parse("credit-bureau"), None);
    }
}
