//! What head office publishes into desks' feeds, checked before it is signed into them: product
//! catalogues and caps (read with the desk's own rules), policy versions (text and hash must
//! agree), decisions and roster changes.

use sync::feed::FeedKind;

use crate::store::Decision;

/// Why a file cannot be published.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PublishError {
    /// The file is not what the kind needs.
    #[error("{0}")]
    Invalid(String),
}

/// A checked publication: the body desks receive and the day it takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// Feed kind.
    pub kind: FeedKind,
    /// From when (`YYYY-MM-DD`), if dated.
    pub effective_from: Option<String>,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// Checks a product catalogue (`products`) or caps (`caps`) file: it must read as the desk's
/// catalogue and hold at least one product or one caps entry.
pub fn catalogue(kind: FeedKind, text: &str) -> Result<Publication, PublishError> {
    let catalog = domain::catalog::Catalog::from_json(text)
        .map_err(|e| PublishError::Invalid(format!("not a valid catalogue: {e}")))?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| PublishError::Invalid(e.to_string()))?;
    let entries = match kind {
        FeedKind::Products => "products",
        FeedKind::Caps => "caps",
        _ => return Err(PublishError::Invalid("not a catalogue kind".into())),
    };
    let list = value
        .get(entries)
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len);
    if list == 0 {
        return Err(PublishError::Invalid(format!("the file has no {entries}")));
    }
    let first_day = match kind {
        FeedKind::Products => catalog.products.iter().map(|p| p.valid_from).min(),
        _ => catalog.caps.iter().map(|c| c.valid_from).min(),
    };
    Ok(Publication {
        kind,
        effective_from: first_day.map(|d| d.to_string()),
        body: serde_json::to_vec(&value).map_err(|e| PublishError::Invalid(e.to_string()))?,
    })
}

/// Checks a policy version: its description (JSON, as in `config/policy/v1.json`) and the text it
/// names, whose SHA-256 must be the one the description states.
pub fn policy(description: &str, text: &str) -> Result<Publication, PublishError> {
    let version = domain::policy::PolicyVersion::from_parts(description, text)
        .map_err(|e| PublishError::Invalid(format!("not a valid policy version: {e}")))?;
    let body = serde_json::json!({
        "description": serde_json::from_str::<serde_json::Value>(description)
            .map_err(|e| PublishError::Invalid(e.to_string()))?,
        "text": text,
    });
    Ok(Publication {
        kind: FeedKind::Policy,
        effective_from: Some(version.effective.to_string()),
        body: serde_json::to_vec(&body).map_err(|e| PublishError::Invalid(e.to_string()))?,
    })
}

/// The body of a decision entry.
pub fn decision_body(d: &Decision, lineage: &str) -> Vec<u8> {
    serde_json::json!({
        "application_id": d.application_id,
        "lineage": lineage,
        "outcome": d.outcome,
        "reason": d.reason,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at,
    })
    .to_string()
    .into_bytes()
}

/// The body of a roster entry: an officer disabled (`enabled = false`) or enabled again.
pub fn roster_body(officer_id: &str, enabled: bool, at: &str) -> Vec<u8> {
    serde_json::json!({ "officer_id": officer_id, "enabled": enabled, "at": at })
        .to_string()
        .into_bytes()
}

/// The body of a desks entry: every desk head office enrolled, with its Ed25519 signing key and,
/// for a revoked one, when. Desks verify each other's sealed printouts with it; the newest entry
/// replaces the list before it.
pub fn desks_body(devices: &[crate::store::Device]) -> Vec<u8> {
    let desks: Vec<_> = devices
        .iter()
        .map(|d| {
            serde_json::json!({
                "device": d.id,
                "branch": d.branch,
                "name": d.name,
                "signing": d.signing,
                "enrolled_at": d.enrolled_at,
                "revoked_at": d.revoked_at,
            })
        })
        .collect();
    serde_json::json!({ "desks": desks })
        .to_string()
        .into_bytes()
}

/// Checks a trust-anchor file (PEM, any number of certificates; or one DER certificate): every
/// certificate in it must read, none may have expired at `now`, and there must be at least one.
/// The body lists each with its subject, SHA-256 and validity, and the PEM desks read back.
pub fn anchors(
    bytes: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Publication, PublishError> {
    use base64::Engine as _;
    let certs = verify::certificate::Cert::read_all(bytes);
    let blocks = bytes
        .windows(b"-----BEGIN CERTIFICATE-----".len())
        .filter(|w| *w == b"-----BEGIN CERTIFICATE-----")
        .count();
    if certs.is_empty() {
        return Err(PublishError::Invalid(
            "the file holds no certificate (PEM or DER)".into(),
        ));
    }
    if blocks > certs.len() {
        return Err(PublishError::Invalid(format!(
            "{} of the file's {blocks} certificates cannot be read",
            blocks - certs.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut list = Vec::new();
    for c in &certs {
        let sha256 = hex::encode(sync::sha256(&c.raw));
        if !seen.insert(sha256.clone()) {
            continue;
        }
        let (from, until) = c.validity();
        if until < now {
            return Err(PublishError::Invalid(format!(
                "the certificate of {} expired on {}",
                c.subject_line(),
                until.date_naive()
            )));
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(&c.raw);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|l| std::str::from_utf8(l).unwrap_or_default())
            .collect();
        list.push(serde_json::json!({
            "subject": c.subject_line(),
            "sha256": sha256,
            "not_before": from.to_rfc3339(),
            "not_after": until.to_rfc3339(),
            "pem": format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n")),
        }));
    }
    Ok(Publication {
        kind: FeedKind::Anchors,
        effective_from: None,
        body: serde_json::json!({ "anchors": list })
            .to_string()
            .into_bytes(),
    })
}

/// Publishes the list of desks to every desk (after an enrolment or a revocation changed it).
/// Two enrolments at once may each list the desks without the other; desks keep every key any
/// list named, the newest list's word on each winning, so no enrolled key goes missing.
pub async fn publish_desks(
    store: &crate::store::AnyStore,
    now: String,
) -> Result<u64, crate::store::StoreError> {
    use crate::store::Store as _;
    let devices = store.devices().await?;
    store
        .publish(None, FeedKind::Desks, None, desks_body(&devices), now)
        .await
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn nca(name: &str) -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../verify/tests/fixtures/nca/ca/"
        );
        std::fs::read(format!("{path}{name}")).expect("fixture")
    }

    fn pem(der: &[u8]) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
    }

    #[test]
    fn anchors_are_read_checked_and_listed_once() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let (root, issuing) = (nca("root_test_gost_2022.cer"), nca("nca_gost2022_test.cer"));
        let bundle = format!("{}{}{}", pem(&root), pem(&issuing), pem(&root));
        let p = anchors(bundle.as_bytes(), now).expect("two NCA RK test CAs");
        assert_eq!(p.kind, FeedKind::Anchors);
        let body: serde_json::Value = serde_json::from_slice(&p.body).unwrap();
        let list = body["anchors"].as_array().unwrap();
        assert_eq!(list.len(), 2, "a certificate given twice is listed once");
        let back = verify::certificate::Cert::read_all(list[0]["pem"].as_str().unwrap().as_bytes());
        assert_eq!(back[0].raw, root, "desks read back the very certificate");
        assert!(anchors(&root, now).is_ok(), "one DER certificate");

        for (why, bad) in [
            ("no certificate", b"hello".to_vec()),
            (
                "a block that does not read",
                format!(
                    "{}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                    pem(&root)
                )
                .into_bytes(),
            ),
        ] {
            assert!(anchors(&bad, now).is_err(), "{why} is refused");
        }
        let later = Utc.with_ymd_and_hms(2040, 1, 1, 0, 0, 0).unwrap();
        let expired = anchors(&root, later).unwrap_err().to_string();
        assert!(expired.contains("expired on 2032-07-07"), "{expired}");
    }
}
