//! Consent events in the vault: each grant and each withdrawal is one row, never changed, with
//! its evidence kept as attachments (the drawn signature's strokes and image, the signed form's
//! scan, each hashed at intake). The row's canonical content is signed by the desk's Ed25519 key,
//! so a changed byte shows when it is read ([`ConsentEventRecord::signature_ok`]); recording is
//! audited and queued like every change. A repeated confirmation (the same request key) gives
//! back the first record instead of a second one.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use domain::consent::{self, Action, ConsentError, Event, Method, Scope, Standing};
use domain::evidence::{DrawnSignature, EvidenceError, sniff_scan};
use domain::policy::{PolicyVersion, sha256_hex};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::error::VaultError;
use crate::ids::{ClientId, DocumentId};
use crate::officer::{OfficerId, random_id};
use crate::stamp::stamp;
use crate::vault::Vault;

/// Longest officer's note on a withdrawal, in characters.
pub const MAX_NOTE: usize = 500;

/// The evidence an event is taken with.
#[derive(Clone, Copy, Debug, Default)]
pub struct Evidence<'a> {
    /// The signature drawn on screen.
    pub signature: Option<&'a DrawnSignature>,
    /// That signature as a PNG image (the desk renders it from the strokes).
    pub signature_png: Option<&'a [u8]>,
    /// The signed paper's scan (PDF, PNG or JPEG).
    pub scan: Option<&'a [u8]>,
    /// The officer's note (who called, from which number), for a withdrawal by telephone.
    pub note: Option<&'a str>,
}

/// A grant to record.
#[derive(Clone, Copy, Debug)]
pub struct NewGrant<'a> {
    /// The confirmation's key (32 hex digits, made when the officer opened the form).
    pub request_key: &'a str,
    /// The client.
    pub client_id: &'a ClientId,
    /// The version in force on the desk's date, in the grant's scope.
    pub in_force: &'a PolicyVersion,
    /// The version and hash the officer's screen showed.
    pub policy_version: u32,
    /// See `policy_version`.
    pub policy_sha256: &'a str,
    /// A decision for each purpose.
    pub decisions: &'a BTreeMap<String, bool>,
    /// How it was taken.
    pub method: Method,
    /// With what.
    pub evidence: Evidence<'a>,
}

/// A withdrawal to record.
#[derive(Clone, Copy, Debug)]
pub struct NewWithdrawal<'a> {
    /// The confirmation's key.
    pub request_key: &'a str,
    /// The client.
    pub client_id: &'a ClientId,
    /// The version in force in the withdrawal's scope.
    pub in_force: &'a PolicyVersion,
    /// The purposes to withdraw.
    pub purposes: &'a [String],
    /// How the client asked.
    pub method: Method,
    /// With what.
    pub evidence: Evidence<'a>,
}

/// A piece of evidence as the signed content names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// The attachment's id.
    pub id: String,
    /// `signature-strokes`, `signature-image` or `scan`.
    pub kind: String,
    /// Its media type.
    pub media_type: String,
    /// SHA-256 of its bytes, hex, taken at intake.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What the desk signs for each event: canonical JSON of this struct, fields in this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentContent {
    /// Always `consent-event`.
    pub kind: String,
    /// The event's id.
    pub id: String,
    /// The client's id.
    pub client_id: String,
    /// The client's IIN.
    pub client_iin: String,
    /// Which consent.
    pub scope: Scope,
    /// Grant or withdrawal.
    pub action: Action,
    /// The policy version.
    pub policy_version: u32,
    /// Its SHA-256.
    pub policy_sha256: String,
    /// Per purpose: given (grant) or withdrawn (false).
    pub decisions: BTreeMap<String, bool>,
    /// How.
    pub method: Method,
    /// The attachments.
    pub evidence: Vec<EvidenceRef>,
    /// The officer's note, if any.
    pub note: Option<String>,
    /// The consent form (or credit-bureau form) the grant answers.
    pub form_document_id: Option<String>,
    /// The officer who took it.
    pub officer_id: String,
    /// Their name.
    pub officer_name: String,
    /// The desk's Ed25519 public key, hex.
    pub desk: String,
    /// When, RFC 3339 in Asia/Almaty (+05:00).
    pub at: String,
}

/// A stored event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentEventRecord {
    /// The event's signed content.
    pub content: ConsentContent,
    /// When, RFC 3339 UTC as stored.
    pub at: String,
    /// The desk's signature, hex.
    pub signature: String,
    /// The signature verifies with this desk's key over the content, and the content agrees
    /// with the row's columns. False means the record was altered.
    pub signature_ok: bool,
}

impl ConsentEventRecord {
    /// The event as the rules see it (its time from the stored column).
    pub fn event(&self) -> Event {
        Event {
            id: self.content.id.clone(),
            scope: self.content.scope,
            action: self.content.action,
            policy_version: self.content.policy_version,
            policy_sha256: self.content.policy_sha256.clone(),
            decisions: self.content.decisions.clone(),
            at: DateTime::parse_from_rfc3339(&self.at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
        }
    }
}

/// The message the desk signs for a content: domain-separated, over its SHA-256.
pub fn signing_message(content_json: &str) -> Vec<u8> {
    format!(
        "branchdesk/consent-event/v1\n{}",
        sha256_hex(content_json.as_bytes())
    )
    .into_bytes()
}

/// Whether `signature` (hex) by `desk_key` (hex) covers `content_json`.
pub fn signature_verifies(content_json: &str, signature: &str, desk_key: &str) -> bool {
    let Ok(key) = hex::decode(desk_key) else {
        return false;
    };
    let Ok(key) = <[u8; 32]>::try_from(key.as_slice()) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let Ok(sig) = hex::decode(signature) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&sig) else {
        return false;
    };
    key.verify(&signing_message(content_json), &sig).is_ok()
}

/// A stored attachment's facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttachmentRecord {
    /// Its id.
    pub id: String,
    /// The client it belongs to.
    pub client_id: String,
    /// `signature-strokes`, `signature-image` or `scan`.
    pub kind: String,
    /// Its media type.
    pub media_type: String,
    /// SHA-256 at intake.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
}

fn almaty(now: DateTime<Utc>) -> String {
    now.with_timezone(&chrono_tz::Asia::Almaty)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn valid_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks the evidence against the method before anything is written.
fn check_evidence(method: Method, e: &Evidence<'_>) -> Result<(), VaultError> {
    let (needs_signature, needs_scan) = method.needs();
    if needs_signature {
        e.signature
            .ok_or(VaultError::Evidence(EvidenceError::SignatureEmpty))?
            .check()
            .map_err(VaultError::Evidence)?;
        if e.signature_png.is_none_or(|p| p.is_empty()) {
            return Err(VaultError::Evidence(EvidenceError::Missing));
        }
    }
    if needs_scan {
        sniff_scan(
            e.scan
                .ok_or(VaultError::Evidence(EvidenceError::ScanEmpty))?,
        )
        .map_err(VaultError::Evidence)?;
    }
    if e.note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(VaultError::NoteTooLong);
    }
    Ok(())
}

/// Stores the evidence `method` calls for, as attachments of `client`; returns their refs.
fn store_evidence(
    tx: &Transaction<'_>,
    officer: &OfficerId,
    client: &ClientId,
    method: Method,
    e: &Evidence<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<EvidenceRef>, VaultError> {
    let (with_signature, with_scan) = method.needs();
    let mut parts: Vec<(&str, &str, Vec<u8>)> = Vec::new();
    if let (true, Some(sig), Some(png)) = (with_signature, e.signature, e.signature_png) {
        parts.push((
            "signature-strokes",
            "application/json",
            sig.canonical_json(),
        ));
        parts.push(("signature-image", "image/png", png.to_vec()));
    }
    if let (true, Some(scan)) = (with_scan, e.scan) {
        let kind = sniff_scan(scan).map_err(VaultError::Evidence)?;
        parts.push(("scan", kind.media_type(), scan.to_vec()));
    }
    let mut refs = Vec::new();
    for (kind, media_type, bytes) in parts {
        let r = EvidenceRef {
            id: random_id(),
            kind: kind.to_owned(),
            media_type: media_type.to_owned(),
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
        };
        tx.execute(
            "INSERT INTO attachment (id, client_id, kind, media_type, sha256, size, bytes,
                                         created_at, officer_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                r.id,
                client,
                r.kind,
                r.media_type,
                r.sha256,
                r.size as i64,
                bytes,
                stamp(now),
                officer.0
            ],
        )?;
        // The metadata goes to head office now; the bytes follow in chunks with sync.
        let payload =
            serde_json::to_vec(&(&r, client.as_str())).map_err(|_| VaultError::BadSetting)?;
        audit::record(tx, officer, now, "attachment.add", &r.id, &payload)?;
        refs.push(r);
    }
    Ok(refs)
}

impl Vault {
    /// The record made earlier with `request_key`, if the officer confirmed twice.
    /// A key used before for something else (another client, scope, action or decisions) is
    /// refused: a retried confirmation must ask for the same thing.
    fn repeated(
        &self,
        request_key: &str,
        client: &ClientId,
        asked: (Scope, Action, &BTreeMap<String, bool>),
    ) -> Result<Option<ConsentEventRecord>, VaultError> {
        let found: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT id, client_id FROM consent_event WHERE request_key = ?1",
                [request_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            Some((id, c)) if c == client.as_str() => {
                let first = self
                    .consent_events(client)?
                    .into_iter()
                    .find(|e| e.content.id == id);
                match first {
                    Some(e)
                        if e.content.scope == asked.0
                            && e.content.action == asked.1
                            && &e.content.decisions == asked.2 =>
                    {
                        Ok(Some(e))
                    }
                    _ => Err(VaultError::BadSetting),
                }
            }
            Some(_) => Err(VaultError::BadSetting),
            None => Ok(None),
        }
    }

    /// Writes one event: evidence, row, audit entry and outbox record, in one transaction.
    #[allow(clippy::too_many_arguments)]
    fn write_event(
        &mut self,
        request_key: &str,
        client: &ClientId,
        scope: Scope,
        action: Action,
        policy: (u32, &str),
        decisions: &BTreeMap<String, bool>,
        method: Method,
        evidence: &Evidence<'_>,
        form: Option<DocumentId>,
        now: DateTime<Utc>,
    ) -> Result<ConsentEventRecord, VaultError> {
        let iin = self.client(client)?.client.iin.as_str().to_owned();
        let desk = self.desk_public_keys()?.signing;
        let tx = self.conn.transaction()?;
        let refs = store_evidence(&tx, &self.officer.id, client, method, evidence, now)?;
        let id = random_id();
        let content = ConsentContent {
            kind: "consent-event".to_owned(),
            id: id.clone(),
            client_id: client.as_str().to_owned(),
            client_iin: iin,
            scope,
            action,
            policy_version: policy.0,
            policy_sha256: policy.1.to_owned(),
            decisions: decisions.clone(),
            method,
            evidence: refs,
            note: evidence
                .note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            form_document_id: form.as_ref().map(|d| d.as_str().to_owned()),
            officer_id: self.officer.id.0.clone(),
            officer_name: self.officer.name.clone(),
            desk,
            at: almaty(now),
        };
        let json = serde_json::to_string(&content).map_err(|_| VaultError::BadSetting)?;
        let signature = hex::encode(crate::desk_keys::sign(&tx, &signing_message(&json))?);
        tx.execute(
            "INSERT INTO consent_event (id, client_id, scope, action, policy_version, policy_sha256,
                 decisions, method, form_document_id, request_key, at, officer_id, content, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                id,
                client,
                scope.as_str(),
                action.as_str(),
                policy.0,
                policy.1,
                serde_json::to_string(decisions).map_err(|_| VaultError::BadSetting)?,
                method.as_str(),
                form,
                request_key,
                stamp(now),
                self.officer.id.0,
                json,
                signature
            ],
        )?;
        let payload = serde_json::to_vec(&serde_json::json!({
            "content": &json,
            "signature": &signature,
        }))
        .map_err(|_| VaultError::BadSetting)?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            &format!("consent.{}", action.as_str()),
            &id,
            &payload,
        )?;
        audit::commit(tx, &self.dir)?;
        self.consent_events(client)?
            .into_iter()
            .find(|e| e.content.id == id)
            .ok_or(VaultError::NotFound)
    }

    /// Records a client's decisions on each purpose of the version in force, with the evidence
    /// the method needs; the latest consent form printed for the client under that version is
    /// the form it answers. A repeated request key gives back the first record.
    pub fn record_consent(
        &mut self,
        g: &NewGrant<'_>,
        now: DateTime<Utc>,
    ) -> Result<ConsentEventRecord, VaultError> {
        if !valid_key(g.request_key) {
            return Err(VaultError::BadSetting);
        }
        self.client(g.client_id)?;
        if let Some(first) = self.repeated(
            g.request_key,
            g.client_id,
            (g.in_force.scope, Action::Grant, g.decisions),
        )? {
            return Ok(first);
        }
        consent::check_grant(
            g.in_force,
            g.policy_version,
            g.policy_sha256,
            g.method,
            g.decisions,
        )
        .map_err(VaultError::Consent)?;
        // A new grant cannot do what a withdrawal may not: refuse a required purpose while the
        // client has an open loan.
        if let Some(p) = g
            .in_force
            .purposes
            .iter()
            .find(|p| p.required && g.decisions.get(&p.code) == Some(&false))
            && self.loan_open(g.client_id)?
        {
            return Err(VaultError::Consent(ConsentError::RequiredWhileLoanOpen(
                p.code.clone(),
            )));
        }
        check_evidence(g.method, &g.evidence)?;
        let form_kind = g.in_force.scope.form_kind();
        let form: Option<DocumentId> = self
            .conn
            .query_row(
                "SELECT id FROM document WHERE kind = ?1 AND client_id = ?2 AND policy_version = ?3
                 ORDER BY issued_at DESC, rowid DESC LIMIT 1",
                params![form_kind, g.client_id, g.in_force.version],
                |r| r.get(0),
            )
            .optional()?;
        let Some(form) = form else {
            return Err(VaultError::Consent(ConsentError::NoForm));
        };
        self.write_event(
            g.request_key,
            g.client_id,
            g.in_force.scope,
            Action::Grant,
            (g.in_force.version, &g.in_force.sha256),
            g.decisions,
            g.method,
            &g.evidence,
            Some(form),
            now,
        )
    }

    /// Records the withdrawal of given purposes; a required purpose is refused while the client
    /// has a signed loan.
    pub fn withdraw_consent(
        &mut self,
        w: &NewWithdrawal<'_>,
        now: DateTime<Utc>,
    ) -> Result<ConsentEventRecord, VaultError> {
        if !valid_key(w.request_key) {
            return Err(VaultError::BadSetting);
        }
        self.client(w.client_id)?;
        let withdrawn: BTreeMap<String, bool> =
            w.purposes.iter().map(|p| (p.clone(), false)).collect();
        if let Some(first) = self.repeated(
            w.request_key,
            w.client_id,
            (w.in_force.scope, Action::Withdraw, &withdrawn),
        )? {
            return Ok(first);
        }
        let events = self.consent_events(w.client_id)?;
        let known = self.policy_versions(w.in_force.scope)?;
        let standing = standing(&events, w.in_force, &known);
        standing
            .may_withdraw(w.purposes, self.loan_open(w.client_id)?)
            .map_err(VaultError::Consent)?;
        check_evidence(w.method, &w.evidence)?;
        let grant = events
            .iter()
            .rev()
            .find(|e| {
                e.signature_ok
                    && e.content.scope == w.in_force.scope
                    && e.content.action == Action::Grant
            })
            .ok_or_else(|| VaultError::Consent(ConsentError::NeverGiven(w.purposes[0].clone())))?;
        let policy = (
            grant.content.policy_version,
            grant.content.policy_sha256.clone(),
        );
        let decisions: BTreeMap<String, bool> =
            w.purposes.iter().map(|p| (p.clone(), false)).collect();
        self.write_event(
            w.request_key,
            w.client_id,
            w.in_force.scope,
            Action::Withdraw,
            (policy.0, &policy.1),
            &decisions,
            w.method,
            &w.evidence,
            None,
            now,
        )
    }

    /// Every consent event of a client, in the order recorded, each with its signature checked.
    pub fn consent_events(&self, client: &ClientId) -> Result<Vec<ConsentEventRecord>, VaultError> {
        let desk = self.desk_public_keys()?.signing;
        let mut stmt = self.conn.prepare(
            "SELECT id, client_id, scope, action, policy_version, policy_sha256, decisions, method,
                    form_document_id, at, officer_id, content, signature
             FROM consent_event WHERE client_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([client], |r| {
            Ok((
                [r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?],
                r.get::<_, u32>(4)?,
                [r.get::<_, String>(5)?, r.get(6)?, r.get(7)?],
                r.get::<_, Option<String>>(8)?,
                [r.get::<_, String>(9)?, r.get(10)?, r.get(11)?, r.get(12)?],
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                [id, client_id, scope, action],
                version,
                [sha, decisions, method],
                form,
                [at, officer, json, signature],
            ) = row?;
            // Content that no longer parses is shown from its columns, and never verifies.
            let parsed: Option<ConsentContent> = serde_json::from_str(&json).ok();
            let readable = parsed.is_some();
            let content = parsed.unwrap_or_else(|| ConsentContent {
                kind: "consent-event".to_owned(),
                id: id.clone(),
                client_id: client_id.clone(),
                client_iin: String::new(),
                scope: Scope::parse(&scope).unwrap_or(Scope::Privacy),
                action: Action::parse(&action).unwrap_or(Action::Grant),
                policy_version: version,
                policy_sha256: sha.clone(),
                decisions: serde_json::from_str(&decisions).unwrap_or_default(),
                method: Method::parse(&method).unwrap_or(Method::Paper),
                evidence: Vec::new(),
                note: None,
                form_document_id: form.clone(),
                officer_id: officer.clone(),
                officer_name: String::new(),
                desk: String::new(),
                at: at.clone(),
            });
            let same_time = DateTime::parse_from_rfc3339(&content.at)
                .ok()
                .zip(DateTime::parse_from_rfc3339(&at).ok())
                .is_some_and(|(signed, stored)| signed.timestamp() == stored.timestamp());
            let columns_agree = readable
                && same_time
                && content.id == id
                && content.client_id == client_id
                && content.scope.as_str() == scope
                && content.action.as_str() == action
                && content.policy_version == version
                && content.policy_sha256 == sha
                && serde_json::from_str::<BTreeMap<String, bool>>(&decisions)
                    .ok()
                    .as_ref()
                    == Some(&content.decisions)
                && content.method.as_str() == method
                && content.form_document_id == form
                && content.officer_id == officer;
            let signature_ok = columns_agree && signature_verifies(&json, &signature, &desk);
            out.push(ConsentEventRecord {
                content,
                at,
                signature,
                signature_ok,
            });
        }
        Ok(out)
    }

    /// The client's standing in `scope` against the version in force (altered records count
    /// for nothing).
    pub fn consent_standing(
        &self,
        client: &ClientId,
        in_force: &PolicyVersion,
    ) -> Result<Standing, VaultError> {
        let known = self.policy_versions(in_force.scope)?;
        Ok(standing(&self.consent_events(client)?, in_force, &known))
    }

    /// Whether the client has a signed loan (an open one: loans are not closed yet on the desk).
    pub fn loan_open(&self, client: &ClientId) -> Result<bool, VaultError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM application WHERE client_id = ?1 AND stage = 'signed')",
            [client],
            |r| r.get(0),
        )?)
    }

    /// An attachment named by a signed consent record: its bytes must match the SHA-256 and
    /// size the desk signed (not only the hash stored beside them).
    pub fn attachment_as_signed(
        &self,
        signed: &EvidenceRef,
    ) -> Result<(AttachmentRecord, Vec<u8>), VaultError> {
        let (record, bytes) = self.attachment(&signed.id)?;
        if record.sha256 != signed.sha256 || bytes.len() as u64 != signed.size {
            return Err(VaultError::AttachmentAltered);
        }
        Ok((record, bytes))
    }

    /// An attachment and its bytes, checked against the SHA-256 taken at intake.
    pub fn attachment(&self, id: &str) -> Result<(AttachmentRecord, Vec<u8>), VaultError> {
        let (record, bytes) = self
            .conn
            .query_row(
                "SELECT id, client_id, kind, media_type, sha256, size, bytes FROM attachment WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        AttachmentRecord {
                            id: r.get(0)?,
                            client_id: r.get(1)?,
                            kind: r.get(2)?,
                            media_type: r.get(3)?,
                            sha256: r.get(4)?,
                            size: r.get(5)?,
                        },
                        r.get::<_, Vec<u8>>(6)?,
                    ))
                },
            )
            .optional()?
            .ok_or(VaultError::NotFound)?;
        if sha256_hex(&bytes) != record.sha256 {
            return Err(VaultError::AttachmentAltered);
        }
        Ok((record, bytes))
    }
}

/// A client's standing in `in_force`'s scope from their events (as [`Vault::consent_events`]
/// gives them): verified events only, and nothing given while any record of the scope is altered.
/// `known` are the versions of the scope's text the desk knows ([`Vault::policy_versions`]): the
/// last grant counts against the version it was given to.
pub fn standing(
    events: &[ConsentEventRecord],
    in_force: &PolicyVersion,
    known: &[PolicyVersion],
) -> Standing {
    let scope = in_force.scope;
    let verified: Vec<Event> = events
        .iter()
        .filter(|e| e.signature_ok)
        .map(ConsentEventRecord::event)
        .collect();
    let given = verified
        .iter()
        .rev()
        .find(|e| e.scope == scope && e.action == Action::Grant)
        .and_then(|g| domain::policy::find(known, g.policy_version, &g.policy_sha256))
        .filter(|v| v.scope == scope);
    let mut standing = Standing::of(&verified, scope, in_force, given);
    // An altered record may have been a withdrawal or a later refusal: skipping it could bring
    // back consent the client took away. Nothing counts as given until the vault is looked at.
    if events
        .iter()
        .any(|e| e.content.scope == scope && !e.signature_ok)
    {
        for p in &mut standing.purposes {
            p.granted = false;
        }
    }
    standing
}
