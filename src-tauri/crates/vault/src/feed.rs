//! Head office's feed applied to the vault, all of one answer in one transaction: decisions on
//! referred applications, published catalogues, caps and policy versions (kept with their dates;
//! the shell chooses what is in force), roster changes, and this desk's revocation. The sync
//! client has checked head office's signature and the epochs before anything reaches here; the
//! vault checks again that the answer continues exactly where the last one ended.

use chrono::{DateTime, NaiveDate, Utc};
use domain::catalog::Catalog;
use domain::consent::Scope;
use domain::policy::PolicyVersion;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::audit;
use crate::error::VaultError;
use crate::head_office::require_link;
use crate::keyfile::KeyFile;
use crate::officer::OfficerId;
use crate::officers::record_state_from_head_office;
use crate::stamp::stamp;
use crate::vault::Vault;

/// One entry of head office's feed, as the vault applies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedItem {
    /// Head office decided a referred application.
    Decision(HeadOfficeDecision),
    /// A catalogue, caps or policy version (`kind` is `products`, `caps` or `policy`) with its
    /// JSON body as head office signed it.
    Publication {
        /// `products`, `caps` or `policy`.
        kind: String,
        /// When head office published it.
        published_at: String,
        /// The day it takes effect (`YYYY-MM-DD`), if dated.
        effective_from: Option<String>,
        /// The JSON body.
        body: String,
    },
    /// An officer disabled (`enabled = false`) or enabled again at head office.
    Roster {
        /// The officer's id on this desk.
        officer_id: String,
        /// Whether the officer may work.
        enabled: bool,
    },
    /// Head office revoked this desk.
    Revocation,
}

/// Head office's decision on an application, as shown on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadOfficeDecision {
    /// The application version decided.
    pub application_id: String,
    /// `approved` or `declined` (head office's `approve` and `decline` are read as these).
    pub outcome: String,
    /// The reason head office gave.
    pub reason: Option<String>,
    /// Who decided at head office.
    pub decided_by: String,
    /// When (RFC 3339).
    pub decided_at: String,
}

/// A publication kept from the feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Publication {
    /// Its feed epoch.
    pub epoch: u64,
    /// `products`, `caps` or `policy`.
    pub kind: String,
    /// The day it takes effect, if dated.
    pub effective_from: Option<String>,
    /// The JSON body.
    pub body: String,
}

/// What one feed answer changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedReport {
    /// Decisions applied to referred applications.
    pub decisions: usize,
    /// Decisions not applied: on applications this desk does not hold (skipped), or no longer
    /// referred (kept on the application, stage unchanged).
    pub decisions_kept: usize,
    /// Catalogues, caps and policy versions stored.
    pub publications: usize,
    /// Officers disabled or enabled.
    pub roster: usize,
    /// Whether this answer revoked the desk.
    pub revoked: bool,
    /// Whether head office disabled the officer who is signed in (the shell ends the session).
    pub signed_in_disabled: bool,
}

impl Vault {
    /// Applies head office's feed entries after epoch `since` up to `through`, in one
    /// transaction with one audit entry. `since` must be where the last answer ended (a stale or
    /// rolled-back answer is refused); entries must be in increasing epochs within the range.
    pub fn apply_feed(
        &mut self,
        since: u64,
        through: u64,
        entries: &[(u64, FeedItem)],
        now: DateTime<Utc>,
    ) -> Result<FeedReport, VaultError> {
        let link = require_link(&self.conn)?;
        if i64::try_from(through).is_err() {
            return Err(VaultError::HeadOfficeMismatch(format!(
                "feed epoch {through} is out of range"
            )));
        }
        if since != link.feed_through {
            return Err(VaultError::HeadOfficeMismatch(format!(
                "the feed answer starts after epoch {since}, this desk stands at {}",
                link.feed_through
            )));
        }
        if through < since {
            return Err(VaultError::HeadOfficeMismatch(
                "the feed goes backwards".into(),
            ));
        }
        let mut last = since;
        for (epoch, _) in entries {
            if *epoch <= last || *epoch > through {
                return Err(VaultError::HeadOfficeMismatch(format!(
                    "feed entry {epoch} is out of order"
                )));
            }
            last = *epoch;
        }
        if entries.is_empty() && through == since {
            return Ok(FeedReport::default());
        }
        let officer = self.officer.id.clone();
        let tx = self.conn.transaction()?;
        let mut report = FeedReport::default();
        let mut disabled = Vec::new();
        for (epoch, item) in entries {
            match item {
                FeedItem::Decision(d) => {
                    if apply_decision(&tx, &officer, *epoch, d, now)? {
                        report.decisions += 1;
                    } else {
                        report.decisions_kept += 1;
                    }
                }
                FeedItem::Publication {
                    kind,
                    published_at,
                    effective_from,
                    body,
                } => {
                    tx.execute(
                        "INSERT OR IGNORE INTO publication
                             (epoch, kind, published_at, effective_from, body, received_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            *epoch as i64,
                            kind,
                            published_at,
                            effective_from,
                            body,
                            stamp(now)
                        ],
                    )?;
                    report.publications += 1;
                }
                FeedItem::Roster {
                    officer_id,
                    enabled,
                } => {
                    let id = OfficerId(officer_id.clone());
                    let changed = tx.execute(
                        "UPDATE officer SET disabled = ?1 WHERE id = ?2 AND disabled != ?1",
                        params![!enabled, id.0],
                    )?;
                    if changed > 0 {
                        let action = if *enabled {
                            "officer.enable"
                        } else {
                            "officer.disable"
                        };
                        record_state_from_head_office(&tx, &officer, &id, now, action)?;
                        report.roster += 1;
                        if !enabled {
                            disabled.push(id);
                        }
                    }
                }
                FeedItem::Revocation => report.revoked = true,
            }
        }
        // The revocation is written last: what came before it in the feed still applies.
        if report.revoked {
            tx.execute(
                "UPDATE head_office SET revoked_at = coalesce(revoked_at, ?1)",
                params![stamp(now)],
            )?;
        }
        tx.execute(
            "UPDATE head_office SET feed_through = ?1",
            params![through as i64],
        )?;
        let summary = serde_json::json!({
            "since": since,
            "through": through,
            "decisions": report.decisions,
            "decisions_kept": report.decisions_kept,
            "publications": report.publications,
            "roster": report.roster,
            "revoked": report.revoked,
        })
        .to_string();
        audit::append(
            &tx,
            &officer,
            now,
            "sync.feed",
            &through.to_string(),
            summary.as_bytes(),
        )?;
        audit::commit(tx, &self.dir)?;
        report.signed_in_disabled = disabled.contains(&officer);
        if !disabled.is_empty() {
            // As when an administrator disables an officer here: their key entry goes, and the
            // data key turns so that a copy of the old entry opens nothing.
            KeyFile::update(&self.dir, |file| {
                for id in &disabled {
                    if let Some(w) = file.wrap_of_mut(id) {
                        w.revoke();
                    }
                }
                Ok(true)
            })?;
            self.rotate_key(now)?;
        }
        Ok(report)
    }

    /// Head office's decision on the application `id`, if one came.
    pub fn head_office_decision(
        &self,
        id: &crate::ids::ApplicationId,
    ) -> Result<Option<HeadOfficeDecision>, VaultError> {
        if crate::migrations::version(&self.conn)? < crate::migrations::HEAD_OFFICE {
            return Ok(None);
        }
        Ok(self
            .conn
            .query_row(
                "SELECT application_id, outcome, reason, decided_by, decided_at
                 FROM head_office_decision WHERE application_id = ?1",
                params![id.as_str()],
                |r| {
                    Ok(HeadOfficeDecision {
                        application_id: r.get(0)?,
                        outcome: r.get(1)?,
                        reason: r.get(2)?,
                        decided_by: r.get(3)?,
                        decided_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Every version of `scope`'s text this desk knows: those shipped with the build, then those
    /// head office published (a publication this build cannot read is left out, not fatal).
    pub fn policy_versions(&self, scope: Scope) -> Result<Vec<PolicyVersion>, VaultError> {
        let mut known = domain::policy::shipped_in(scope).to_vec();
        for p in self.publications("policy")? {
            let Some(v) = policy_of(&p.body).filter(|v| v.scope == scope) else {
                continue;
            };
            if domain::policy::find(&known, v.version, &v.sha256).is_none() {
                known.push(v);
            }
        }
        Ok(known)
    }

    /// The catalogue in force on `date`: `shipped`, with its products and its caps each replaced
    /// by the newest head office publication of that kind that has taken effect by `date`.
    pub fn catalog_on(&self, shipped: &Catalog, date: NaiveDate) -> Result<Catalog, VaultError> {
        let mut catalog = shipped.clone();
        let newest = |kind: &str| -> Result<Option<Catalog>, VaultError> {
            Ok(self
                .publications(kind)?
                .into_iter()
                .rev()
                .filter(|p| match p.effective_from.as_deref() {
                    None => true,
                    // A date this build cannot read is not in effect.
                    Some(d) => d.parse::<NaiveDate>().is_ok_and(|d| d <= date),
                })
                .find_map(|p| Catalog::from_json(&p.body).ok()))
        };
        if let Some(c) = newest("products")?.filter(|c| !c.products.is_empty()) {
            catalog.products = c.products;
        }
        if let Some(c) = newest("caps")?.filter(|c| !c.caps.is_empty()) {
            catalog.caps = c.caps;
        }
        Ok(catalog)
    }

    /// Publications of `kind` received from head office, oldest first.
    pub fn publications(&self, kind: &str) -> Result<Vec<Publication>, VaultError> {
        if crate::migrations::version(&self.conn)? < crate::migrations::HEAD_OFFICE {
            return Ok(Vec::new());
        }
        let mut s = self.conn.prepare_cached(
            "SELECT epoch, kind, effective_from, body FROM publication WHERE kind = ?1
             ORDER BY epoch",
        )?;
        let rows = s.query_map(params![kind], |r| {
            Ok(Publication {
                epoch: r.get::<_, i64>(0)? as u64,
                kind: r.get(1)?,
                effective_from: r.get(2)?,
                body: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A published policy version: `{description, text}` as head office checked and signed it.
fn policy_of(body: &str) -> Option<PolicyVersion> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let description = v.get("description")?.to_string();
    let text = v.get("text")?.as_str()?;
    PolicyVersion::from_parts(&description, text).ok()
}

/// Applies one decision: a referred application moves to approved or declined, with an event
/// that says head office decided. Returns false when the application is not here (nothing to
/// keep it on) or no longer referred (the decision is kept on it, so the officer sees it, and
/// its stage is left alone). Audited, not queued: it came from head office.
fn apply_decision(
    tx: &Transaction<'_>,
    officer: &OfficerId,
    epoch: u64,
    d: &HeadOfficeDecision,
    now: DateTime<Utc>,
) -> Result<bool, VaultError> {
    // Head office writes the step (`approve`); the stage it leads to is `approved`.
    let (stage_to, step) = match d.outcome.as_str() {
        "approve" | "approved" => ("approved", "head_office_approve"),
        "decline" | "declined" => ("declined", "head_office_decline"),
        other => {
            return Err(VaultError::HeadOfficeMismatch(format!(
                "unknown decision outcome {other:?}"
            )));
        }
    };
    let stage: Option<String> = tx
        .query_row(
            "SELECT stage FROM application WHERE id = ?1",
            params![d.application_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(stage) = stage else {
        return Ok(false);
    };
    tx.execute(
        "INSERT OR IGNORE INTO head_office_decision
             (application_id, outcome, reason, decided_by, decided_at, epoch, applied_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            d.application_id,
            stage_to,
            d.reason,
            d.decided_by,
            d.decided_at,
            epoch as i64,
            stamp(now)
        ],
    )?;
    if stage != "referred" {
        return Ok(false);
    }
    let at = stamp(now);
    tx.execute(
        "UPDATE application SET stage = ?2, updated_at = ?3 WHERE id = ?1",
        params![d.application_id, stage_to, at],
    )?;
    tx.execute(
        "INSERT INTO application_event (application_id, at, officer_id, step, stage, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![d.application_id, at, officer.0, step, stage_to, d.reason],
    )?;
    let payload = serde_json::json!({
        "application_id": d.application_id,
        "outcome": stage_to,
        "reason": d.reason,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at,
        "epoch": epoch,
    })
    .to_string();
    audit::append(
        tx,
        officer,
        now,
        &format!("application.{step}"),
        &d.application_id,
        payload.as_bytes(),
    )?;
    Ok(true)
}
