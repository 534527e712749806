//! Head office's feed entries read into what the vault applies. The entries are already proven
//! to be head office's (signature, desk, epochs); a body this build cannot read is refused as a
//! whole answer rather than half applied.

use serde::Deserialize;
use sync::feed::{FeedEntry, FeedKind};
use vault::{FeedItem, HeadOfficeDecision};

use crate::failure::Failure;

#[derive(Deserialize)]
struct DecisionBody {
    application_id: String,
    outcome: String,
    reason: Option<String>,
    decided_by: String,
    decided_at: String,
}

#[derive(Deserialize)]
struct RosterBody {
    officer_id: String,
    enabled: bool,
}

/// The vault's item for one entry.
pub(crate) fn item(entry: &FeedEntry) -> Result<FeedItem, Failure> {
    let unreadable = |what: &str| {
        Failure::Forged(format!(
            "feed entry {} ({what}) cannot be read",
            entry.epoch
        ))
    };
    Ok(match entry.kind {
        FeedKind::Decision => {
            let d: DecisionBody =
                serde_json::from_slice(&entry.body).map_err(|_| unreadable("decision"))?;
            FeedItem::Decision(HeadOfficeDecision {
                application_id: d.application_id,
                outcome: d.outcome,
                reason: d.reason,
                decided_by: d.decided_by,
                decided_at: d.decided_at,
            })
        }
        FeedKind::Roster => {
            let r: RosterBody =
                serde_json::from_slice(&entry.body).map_err(|_| unreadable("roster"))?;
            FeedItem::Roster {
                officer_id: r.officer_id,
                enabled: r.enabled,
            }
        }
        FeedKind::Revocation => FeedItem::Revocation,
        FeedKind::Products
        | FeedKind::Caps
        | FeedKind::Policy
        | FeedKind::Desks
        | FeedKind::Anchors => FeedItem::Publication {
            kind: entry.kind.as_str().to_owned(),
            published_at: entry.published_at.clone(),
            effective_from: entry.effective_from.clone(),
            body: String::from_utf8(entry.body.clone()).map_err(|_| unreadable("publication"))?,
        },
    })
}
