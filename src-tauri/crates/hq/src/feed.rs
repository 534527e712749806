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
