//! Issued documents: each printed policy, consent form and offer is kept whole in the vault (the
//! PDF and its SHA-256), with the canonical content and the desk's signature it was sealed with,
//! linked to the client, application version or policy version it concerns. Issuing is audited
//! and queued for head office like every other change; a stored document is never changed.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::audit;
use crate::error::VaultError;
use crate::ids::{ApplicationId, ClientId, DocumentId};
use crate::officer::random_id;
use crate::stamp::stamp;
use crate::vault::Vault;

/// A document to store, as the printer made and the desk sealed it.
#[derive(Clone, Debug)]
pub struct NewDocument<'a> {
    /// From [`new_document_id`].
    pub id: &'a DocumentId,
    /// `policy`, `consent` or `offer`.
    pub kind: &'a str,
    /// The client it concerns, if any.
    pub client_id: Option<&'a ClientId>,
    /// The application version it concerns, if any.
    pub application_id: Option<&'a ApplicationId>,
    /// The policy version it presents, if any.
    pub policy_version: Option<u32>,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The canonical content the PDF was rendered from and the seal covers.
    pub content: &'a str,
    /// SHA-256 of `content`, hex.
    pub content_sha256: &'a str,
    /// The desk's Ed25519 signature, hex.
    pub signature: &'a str,
    /// The PDF bytes.
    pub pdf: &'a [u8],
}

/// A stored document, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentRecord {
    /// The document's id, 32 hex digits.
    pub id: DocumentId,
    /// `policy`, `consent` or `offer`.
    pub kind: String,
    /// The client it concerns, if any.
    pub client_id: Option<ClientId>,
    /// The application version it concerns, if any.
    pub application_id: Option<ApplicationId>,
    /// The policy version it presents, if any.
    pub policy_version: Option<u32>,
    /// When it was issued (RFC 3339, UTC).
    pub issued_at: String,
    /// The officer who issued it.
    pub officer_id: String,
    /// SHA-256 of the canonical content, hex.
    pub content_sha256: String,
    /// The desk's Ed25519 signature, hex.
    pub signature: String,
    /// SHA-256 of the PDF bytes, hex.
    pub pdf_sha256: String,
    /// Size of the PDF, in bytes.
    pub size: i64,
}

/// A fresh document id: 32 hex digits from the OS's random source.
pub fn new_document_id() -> DocumentId {
    DocumentId::from(random_id())
}

const COLUMNS: &str = "id, kind, client_id, application_id, policy_version, issued_at, officer_id, \
                       content_sha256, signature, pdf_sha256, length(pdf)";

fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentRecord> {
    Ok(DocumentRecord {
        id: r.get(0)?,
        kind: r.get(1)?,
        client_id: r.get(2)?,
        application_id: r.get(3)?,
        policy_version: r.get(4)?,
        issued_at: r.get(5)?,
        officer_id: r.get(6)?,
        content_sha256: r.get(7)?,
        signature: r.get(8)?,
        pdf_sha256: r.get(9)?,
        size: r.get(10)?,
    })
}

/// What head office receives about an issued document: everything but the PDF bytes, which it
/// can re-render byte for byte from the content and the seal.
#[derive(Serialize)]
struct Issued<'a> {
    id: &'a str,
    kind: &'a str,
    client_id: Option<&'a str>,
    application_id: Option<&'a str>,
    policy_version: Option<u32>,
    issued_at: String,
    content: &'a str,
    content_sha256: &'a str,
    signature: &'a str,
    pdf_sha256: &'a str,
    size: usize,
}

impl Vault {
    /// Stores an issued document with its audit entry and outbox record, in one transaction.
    pub fn store_document(
        &mut self,
        doc: &NewDocument<'_>,
        now: DateTime<Utc>,
    ) -> Result<DocumentRecord, VaultError> {
        if !matches!(
            doc.kind,
            "policy" | "consent" | "offer" | "receipt" | "bureau-consent"
        ) || doc.id.as_str().len() != 32
            || doc.content_sha256.len() != 64
            || doc.signature.len() != 128
            || doc.pdf.is_empty()
        {
            return Err(VaultError::BadSetting);
        }
        let pdf_sha256 = domain::policy::sha256_hex(doc.pdf);
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO document (id, kind, client_id, application_id, policy_version, issued_at,
                                   officer_id, content, content_sha256, signature, pdf, pdf_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                doc.id.as_str(),
                doc.kind,
                doc.client_id,
                doc.application_id,
                doc.policy_version,
                stamp(doc.issued_at),
                self.officer.id.0,
                doc.content,
                doc.content_sha256,
                doc.signature,
                doc.pdf,
                pdf_sha256
            ],
        )?;
        let payload = serde_json::to_vec(&Issued {
            id: doc.id.as_str(),
            kind: doc.kind,
            client_id: doc.client_id.map(ClientId::as_str),
            application_id: doc.application_id.map(ApplicationId::as_str),
            policy_version: doc.policy_version,
            issued_at: stamp(doc.issued_at),
            content: doc.content,
            content_sha256: doc.content_sha256,
            signature: doc.signature,
            pdf_sha256: &pdf_sha256,
            size: doc.pdf.len(),
        })
        .map_err(|_| VaultError::BadSetting)?;
        audit::record(
            &tx,
            &self.officer.id,
            now,
            "document.issue",
            doc.id.as_str(),
            &payload,
        )?;
        let stored = tx.query_row(
            &format!("SELECT {COLUMNS} FROM document WHERE id = ?1"),
            [doc.id],
            record,
        )?;
        audit::commit(tx, &self.dir)?;
        Ok(stored)
    }

    /// A stored document and its PDF bytes, checked against the SHA-256 taken when it was
    /// issued (altered bytes are refused, never served).
    pub fn document(&self, id: &DocumentId) -> Result<(DocumentRecord, Vec<u8>), VaultError> {
        let (record, pdf) = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS}, pdf FROM document WHERE id = ?1"),
                [id],
                |r| Ok((record(r)?, r.get::<_, Vec<u8>>(11)?)),
            )
            .optional()?
            .ok_or(VaultError::NotFound)?;
        if domain::policy::sha256_hex(&pdf) != record.pdf_sha256 {
            return Err(VaultError::AttachmentAltered);
        }
        Ok((record, pdf))
    }

    /// Documents issued for a client or for any version of an application, newest first.
    pub fn documents_for(
        &self,
        client_id: Option<&ClientId>,
        application_ids: &[ApplicationId],
    ) -> Result<Vec<DocumentRecord>, VaultError> {
        let mut out = Vec::new();
        if let Some(c) = client_id {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {COLUMNS} FROM document WHERE client_id = ?1 AND application_id IS NULL"
            ))?;
            out.extend(
                stmt.query_map([c], record)?
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM document WHERE application_id = ?1"
        ))?;
        for a in application_ids {
            out.extend(
                stmt.query_map([a], record)?
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        out.sort_by(|a, b| b.issued_at.cmp(&a.issued_at).then(b.id.cmp(&a.id)));
        Ok(out)
    }
}
