//! Verification reports and what the desk trusts when it verifies. A report (an identity
//! document's zone against the client's record, one of our printouts, a signed file from outside)
//! is kept as the officer saw it, audited and queued for head office like every other change; a
//! stored report is never changed. The keys of the desks whose printouts are genuine are this
//! desk's own plus those head office lists; the certificates trusted for signed files are the ones
//! head office configures. Both arrive as publications in the feed (the `verify` crate reads them).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::error::VaultError;
use crate::ids::ClientId;
use crate::officer::random_id;
use crate::stamp::stamp;
use crate::vault::Vault;

/// The largest report kept (its JSON, in bytes): a signed file with many signers stays far below.
pub const MAX_REPORT: usize = 256 * 1024;

/// What was verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationKind {
    /// An identity document's machine-readable zone, against the client's record.
    Identity,
    /// A document a Branch Desk printed (PDF or QR text).
    Printout,
    /// A signed file from outside (CMS or PAdES).
    Signed,
}

impl VerificationKind {
    fn as_str(self) -> &'static str {
        match self {
            VerificationKind::Identity => "identity",
            VerificationKind::Printout => "printout",
            VerificationKind::Signed => "signed",
        }
    }
}

/// A report to keep.
#[derive(Clone, Debug)]
pub struct NewVerification<'a> {
    /// What was verified.
    pub kind: VerificationKind,
    /// The client it concerns, if any (an identity check always names one).
    pub client_id: Option<&'a ClientId>,
    /// What it was, in words: a document number, a file's name, a printout's id.
    pub subject: &'a str,
    /// SHA-256 of the file checked, hex, when a file was checked.
    pub file_sha256: Option<&'a str>,
    /// The verdict's code (`valid`, `authentic`, `altered`, …; the verify crate's words).
    pub verdict: &'a str,
    /// The whole report, JSON.
    pub report: &'a str,
}

/// A kept report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerificationRecord {
    /// Its id, 32 hex digits.
    pub id: String,
    /// What was verified.
    pub kind: String,
    /// The client it concerns.
    pub client_id: Option<String>,
    /// What it was, in words.
    pub subject: String,
    /// SHA-256 of the file checked.
    pub file_sha256: Option<String>,
    /// The verdict's code.
    pub verdict: String,
    /// The report, JSON.
    pub report: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The officer who verified.
    pub officer_id: String,
}

/// A desk whose sealed printouts this desk accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KnownDesk {
    /// Its Ed25519 signing key, lower-case hex.
    pub key: String,
    /// Its name and branch, as head office lists it ("this desk" for its own).
    pub name: String,
    /// This desk itself.
    pub own: bool,
    /// When head office revoked it (RFC 3339), if it did.
    pub revoked_at: Option<String>,
}

/// A certificate head office configured as a trust anchor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustAnchor {
    /// Its subject, in words.
    pub subject: String,
    /// SHA-256 of its DER, hex.
    pub sha256: String,
    /// Its validity's end (RFC 3339).
    pub not_after: String,
    /// The certificate, PEM.
    pub pem: String,
}

#[derive(Deserialize)]
struct DesksBody {
    desks: Vec<ListedDesk>,
}

#[derive(Deserialize)]
struct ListedDesk {
    signing: String,
    name: String,
    branch: String,
    #[serde(default)]
    enrolled_at: Option<String>,
    revoked_at: Option<String>,
}

#[derive(Deserialize)]
struct AnchorsBody {
    anchors: Vec<TrustAnchor>,
}

/// Whether RFC 3339 time `a` is after `b`; `false` when either cannot be read.
fn later(a: &str, b: &str) -> bool {
    match (
        DateTime::parse_from_rfc3339(a),
        DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a > b,
        _ => false,
    }
}

const COLUMNS: &str = "id, kind, client_id, subject, file_sha256, verdict, report, at, officer_id";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<VerificationRecord> {
    Ok(VerificationRecord {
        id: r.get(0)?,
        kind: r.get(1)?,
        client_id: r.get(2)?,
        subject: r.get(3)?,
        file_sha256: r.get(4)?,
        verdict: r.get(5)?,
        report: r.get(6)?,
        at: r.get(7)?,
        officer_id: r.get(8)?,
    })
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Vault {
    /// Keeps a verification report with its audit entry and outbox record, in one transaction.
    /// An identity check must name a client; the report must be JSON of a sane size.
    pub fn record_verification(
        &mut self,
        v: &NewVerification<'_>,
        now: DateTime<Utc>,
    ) -> Result<VerificationRecord, VaultError> {
        if crate::migrations::version(&self.conn)? < crate::migrations::VERIFICATION {
            return Err(VaultError::Damaged);
        }
        let well_formed = !v.subject.trim().is_empty()
            && v.subject.chars().count() <= 200
            && !v.verdict.is_empty()
            && v.verdict.len() <= 40
            && v.report.len() <= MAX_REPORT
            && serde_json::from_str::<serde_json::Value>(v.report).is_ok()
            && v.file_sha256.is_none_or(|h| is_hex(h, 64))
            && (v.kind != VerificationKind::Identity || v.client_id.is_some());
        if !well_formed {
            return Err(VaultError::BadSetting);
        }
        if let Some(c) = v.client_id {
            self.client(c)?;
        }
        let id = random_id();
        let at = stamp(now);
        let tx = self.conn.transaction()?;
        tx.execute(
            &format!(
                "INSERT INTO verification ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                id,
                v.kind.as_str(),
                v.client_id,
                v.subject,
                v.file_sha256,
                v.verdict,
                v.report,
                at,
                self.officer.id.0
            ],
        )?;
        let stored = tx.query_row(
            &format!("SELECT {COLUMNS} FROM verification WHERE id = ?1"),
            [&id],
            record,
        )?;
        let payload = serde_json::to_vec(&stored).map_err(|_| VaultError::BadSetting)?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            &format!("verification.{}", v.kind.as_str()),
            &id,
            &payload,
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(stored)
    }

    /// Reports kept for a client (or, with `None`, every report), newest first, at most `limit`;
    /// with `identity`, only identity checks (`Some(true)`) or only documents (`Some(false)`).
    pub fn verifications(
        &self,
        client: Option<&ClientId>,
        identity: Option<bool>,
        limit: u32,
    ) -> Result<Vec<VerificationRecord>, VaultError> {
        if crate::migrations::version(&self.conn)? < crate::migrations::VERIFICATION {
            return Ok(Vec::new());
        }
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM verification
             WHERE (?1 IS NULL OR client_id = ?1) AND (?3 IS NULL OR (kind = 'identity') = ?3)
             ORDER BY at DESC, rowid DESC LIMIT ?2"
        ))?;
        let rows = s.query_map(params![client, limit.min(500), identity], record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The desks whose printouts this desk accepts: itself, and every desk any list from head
    /// office named. A later list's word on a key replaces an earlier one's, except that a
    /// revocation is undone only by a list showing the desk enrolled again after it (two lists
    /// published close together may arrive in either order); a key missing from one list is not
    /// forgotten. This desk's own key is revoked when head office revoked this desk.
    pub fn known_desks(&self) -> Result<Vec<KnownDesk>, VaultError> {
        let own = crate::desk_keys::public(&self.conn)?.signing;
        let mut by_key: BTreeMap<String, (KnownDesk, Option<String>)> = BTreeMap::new();
        for p in self.publications("desks")? {
            // Head office checked what it signed; a list this build cannot read is skipped.
            let Ok(body) = serde_json::from_str::<DesksBody>(&p.body) else {
                continue;
            };
            for d in body.desks {
                let key = d.signing.to_ascii_lowercase();
                if !is_hex(&key, 64) || key == own {
                    continue;
                }
                if let Some((before, enrolled_before)) = by_key.get(&key) {
                    let unrevokes = before.revoked_at.is_some() && d.revoked_at.is_none();
                    let enrolled_again = match (&d.enrolled_at, enrolled_before) {
                        (Some(now), Some(then)) => later(now, then),
                        _ => false,
                    };
                    if unrevokes && !enrolled_again {
                        continue;
                    }
                }
                by_key.insert(
                    key.clone(),
                    (
                        KnownDesk {
                            key,
                            name: format!("{} ({})", d.name, d.branch),
                            own: false,
                            revoked_at: d.revoked_at,
                        },
                        d.enrolled_at,
                    ),
                );
            }
        }
        let own_revoked = crate::head_office::link(&self.conn)?.and_then(|l| l.revoked_at);
        let mut out = vec![KnownDesk {
            key: own,
            name: "this desk".into(),
            own: true,
            revoked_at: own_revoked,
        }];
        out.extend(by_key.into_values().map(|(d, _)| d));
        Ok(out)
    }

    /// The trust anchors head office configured last (none until it does).
    pub fn trust_anchors(&self) -> Result<Vec<TrustAnchor>, VaultError> {
        Ok(self
            .publications("anchors")?
            .into_iter()
            .rev()
            .find_map(|p| serde_json::from_str::<AnchorsBody>(&p.body).ok())
            .map(|b| b.anchors)
            .unwrap_or_default())
    }
}
