//! A client's dossier for a subject-access request: every row the vault holds about one client
//! (the client, each version of each application with its events, consent events, attachments,
//! issued documents, the outbox records that carry their versions, and the audit entries that
//! name any of them), and nothing about anyone else. Rows are taken whole, column by column, so
//! a column added by a later migration is exported without a change here. Large bytes (PDFs,
//! scans, signatures) come out as files beside the rows. Only a supervisor or an administrator
//! exports, and each export is audited.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};

use crate::audit;
use crate::error::VaultError;
use crate::ids::ClientId;
use crate::officer::Role;
use crate::vault::Vault;

/// One exported file: its path in the export and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierFile {
    /// `documents/<id>.pdf` or `attachments/<id>.<ext>`.
    pub path: String,
    /// The bytes as stored.
    pub bytes: Vec<u8>,
}

/// Everything about one client.
#[derive(Clone, Debug, PartialEq)]
pub struct Dossier {
    /// Rows per table (`client`, `application`, …), each column by name; a blob kept as a file
    /// is `{"file": path}`, an outbox payload is its JSON,
    /// other blobs (hashes) are hex.
    pub tables: BTreeMap<String, Vec<Map<String, Value>>>,
    /// The PDFs and attachments.
    pub files: Vec<DossierFile>,
}

/// The tables exported and which rows belong to the client (`?1` is the client's id, `?2` the
/// JSON array of every id that concerns them).
const TABLES: &[(&str, &str)] = &[
    ("client", "SELECT * FROM client WHERE id = ?1"),
    (
        "application",
        "SELECT * FROM application WHERE client_id = ?1 ORDER BY lineage, version",
    ),
    (
        "application_event",
        "SELECT * FROM application_event WHERE application_id IN
             (SELECT id FROM application WHERE client_id = ?1) ORDER BY seq",
    ),
    (
        "consent_event",
        "SELECT * FROM consent_event WHERE client_id = ?1 ORDER BY rowid",
    ),
    (
        "attachment",
        "SELECT * FROM attachment WHERE client_id = ?1 ORDER BY rowid",
    ),
    (
        "document",
        "SELECT * FROM document WHERE client_id = ?1 OR application_id IN
             (SELECT id FROM application WHERE client_id = ?1) ORDER BY issued_at, id",
    ),
    (
        "verification",
        "SELECT * FROM verification WHERE client_id = ?1 ORDER BY at, id",
    ),
    (
        "outbox",
        "SELECT * FROM outbox WHERE entity_id IN (SELECT value FROM json_each(?2)) ORDER BY seq",
    ),
    (
        "audit",
        "SELECT * FROM audit WHERE entity_id IN (SELECT value FROM json_each(?2)) ORDER BY seq",
    ),
];

fn extension(media_type: Option<&Value>) -> &'static str {
    match media_type.and_then(Value::as_str) {
        Some("application/pdf") => "pdf",
        Some("image/png") => "png",
        Some("image/jpeg") => "jpg",
        Some("application/json") => "json",
        _ => "bin",
    }
}

impl Vault {
    /// Every id that concerns the client: theirs, their applications', documents', consent
    /// events' and attachments'.
    fn ids_of(&self, client: &ClientId) -> Result<Vec<String>, VaultError> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM client WHERE id = ?1
             UNION SELECT id FROM application WHERE client_id = ?1
             UNION SELECT id FROM document WHERE client_id = ?1
                 OR application_id IN (SELECT id FROM application WHERE client_id = ?1)
             UNION SELECT id FROM consent_event WHERE client_id = ?1
             UNION SELECT id FROM attachment WHERE client_id = ?1
             UNION SELECT id FROM verification WHERE client_id = ?1",
        )?;
        let ids = stmt
            .query_map([client], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// The client's dossier (supervisors and administrators only).
    pub fn client_dossier(&self, client: &ClientId) -> Result<Dossier, VaultError> {
        if !matches!(self.officer.role, Role::Supervisor | Role::Admin) {
            return Err(VaultError::Forbidden);
        }
        self.client(client)?;
        let ids =
            serde_json::to_string(&self.ids_of(client)?).map_err(|_| VaultError::BadSetting)?;
        let mut tables = BTreeMap::new();
        let mut files = Vec::new();
        for (table, sql) in TABLES {
            let mut stmt = self.conn.prepare(sql)?;
            let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
            let mut rows = if stmt.parameter_count() == 1 {
                stmt.query(rusqlite::params![client])?
            } else {
                stmt.query(rusqlite::params![client, ids])?
            };
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let mut map = Map::new();
                let mut blobs = Vec::new();
                for (i, name) in names.iter().enumerate() {
                    let value = match row.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(n) => Value::from(n),
                        ValueRef::Real(f) => Value::from(f),
                        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => {
                            if matches!(
                                (*table, name.as_str()),
                                ("document", "pdf") | ("attachment", "bytes")
                            ) {
                                blobs.push((name.clone(), b.to_vec()));
                                Value::Null
                            } else if (*table, name.as_str()) == ("outbox", "payload") {
                                serde_json::from_slice::<Value>(b)
                                    .unwrap_or_else(|_| Value::String(hex::encode(b)))
                            } else {
                                Value::String(hex::encode(b))
                            }
                        }
                    };
                    map.insert(name.clone(), value);
                }
                for (name, bytes) in blobs {
                    // Bytes go out only as they were kept: a mismatch stops the export.
                    let kept = if *table == "document" {
                        "pdf_sha256"
                    } else {
                        "sha256"
                    };
                    if map.get(kept).and_then(Value::as_str)
                        != Some(domain::policy::sha256_hex(&bytes).as_str())
                    {
                        return Err(VaultError::AttachmentAltered);
                    }
                    let id = map
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or("row")
                        .to_owned();
                    let path = if *table == "document" {
                        format!("documents/{id}.pdf")
                    } else {
                        format!("attachments/{id}.{}", extension(map.get("media_type")))
                    };
                    map.insert(name, serde_json::json!({ "file": path }));
                    files.push(DossierFile { path, bytes });
                }
                out.push(map);
            }
            tables.insert((*table).to_owned(), out);
        }
        Ok(Dossier { tables, files })
    }

    /// Audits an export of the client's dossier (what went out is named by its index's hash).
    pub fn record_export(
        &mut self,
        client: &ClientId,
        index_sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        if !matches!(self.officer.role, Role::Supervisor | Role::Admin) {
            return Err(VaultError::Forbidden);
        }
        let tx = self.conn.transaction()?;
        let payload = serde_json::to_vec(&serde_json::json!({ "index_sha256": index_sha256 }))
            .map_err(|_| VaultError::BadSetting)?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "client.export",
            client.as_str(),
            &payload,
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(())
    }
}
