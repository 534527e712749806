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
