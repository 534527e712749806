//! From a desk's records to head office's tables. Every record is kept as received (with its
//! SHA-256); what it says is also sorted into a table per kind: clients, applications and their
//! steps, documents, consent events, attachments. A record whose payload head office cannot read
//! is still stored (the desk signed it and its outbox must drain); it just adds no table row, and
//! the log says so without its content.

use serde_json::Value;
use sync::batch::Record;

/// Largest payload sorted into a table (1 MiB).
const MAX_PROJECTED: usize = 1024 * 1024;

/// A record with what it means for head office's tables.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The record as the desk sent it.
    pub record: Record,
    /// SHA-256 of its canonical bytes: a resent record must match it exactly.
    pub sha256: [u8; 32],
    /// The table row it adds or replaces.
    pub projection: Projection,
}

/// The table row a record adds or replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projection {
    /// `client.add` / `client.update`: the client's data as JSON.
    Client {
        /// Client id.
        id: String,
        /// Its data (JSON text).
        data: String,
    },
    /// `application.*`: the version's state after the step.
    Application(ApplicationState),
    /// `document.issue`.
    Document {
        /// Document id.
        id: String,
        /// Its kind.
        kind: String,
        /// The client it concerns.
        client_id: Option<String>,
        /// The application it concerns.
        application_id: Option<String>,
        /// The desk's payload (JSON text).
        payload: String,
    },
    /// `consent.grant` / `consent.withdraw`.
    Consent {
        /// Event id.
        id: String,
        /// The client.
        client_id: Option<String>,
        /// `grant` or `withdraw`.
        action: String,
        /// The signed content and its signature (JSON text).
        payload: String,
    },
    /// `attachment.add`: its bytes follow in chunks.
    Attachment {
        /// Attachment id.
        id: String,
        /// The client.
        client_id: String,
        /// Its kind.
        kind: String,
        /// Media type.
        media_type: String,
        /// Hex SHA-256 the bytes must have.
        sha256: String,
        /// Size the bytes must have.
        size: u64,
    },
    /// Kept as a record only (officer settings, backups, exports, …).
    None,
    /// A payload head office could not read: kept as a record only.
    Unreadable,
}

/// An application version's state as a step left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationState {
    /// Version id.
    pub id: String,
    /// Lineage.
    pub lineage: String,
    /// Version number.
    pub version: u64,
    /// Client id.
    pub client_id: String,
    /// Product id.
    pub product_id: String,
    /// Amount in tiyn.
    pub amount_tiyn: i64,
    /// Term.
    pub months: u64,
    /// Stage after the step.
    pub stage: String,
    /// The maker.
    pub maker_id: String,
    /// The step (`create`, `submit`, `refer`, …).
    pub step: String,
    /// The reason given with the step.
    pub reason: Option<String>,
    /// The whole payload (JSON text).
    pub payload: String,
}

impl Incoming {
    /// Sorts one record.
    pub fn new(record: Record) -> Self {
        let sha256 = record_sha256(&record);
        let projection = project(&record);
        Self {
            record,
            sha256,
            projection,
        }
    }
}

/// SHA-256 over a record's canonical encoding (the batch plaintext of just this record).
pub fn record_sha256(r: &Record) -> [u8; 32] {
    sync::sha256(&sync::batch::encode_records(std::slice::from_ref(r)))
}

fn project(r: &Record) -> Projection {
    let family = r.action.split('.').next().unwrap_or("");
    let known = matches!(
        family,
        "client" | "application" | "document" | "consent" | "attachment"
    );
    if !known || r.action == "client.export" {
        return Projection::None;
    }
    // The vault's payloads are a few kilobytes; a huge one would cost far more memory as a JSON
    // tree than its compressed bytes on the wire. It is kept as a record only.
    if r.payload.len() > MAX_PROJECTED {
        return Projection::Unreadable;
    }
    let Ok(text) = std::str::from_utf8(&r.payload) else {
        return Projection::Unreadable;
    };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Projection::Unreadable;
    };
    match read(r, family, text, &v) {
        // PostgreSQL's text cannot hold NUL: such a value is kept in the record only, on both
        // back ends alike.
        Some(p) if !has_nul(&p) => p,
        _ => Projection::Unreadable,
    }
}

fn has_nul(p: &Projection) -> bool {
    let nul = |s: &str| s.contains('\0');
    let opt = |s: &Option<String>| s.as_deref().is_some_and(nul);
    match p {
        Projection::Client { id, data } => nul(id) || nul(data),
        Projection::Application(a) => {
            [
                &a.id,
                &a.lineage,
                &a.client_id,
                &a.product_id,
                &a.stage,
                &a.maker_id,
                &a.step,
                &a.payload,
            ]
            .iter()
            .any(|s| nul(s))
                || opt(&a.reason)
        }
        Projection::Document {
            id,
            kind,
            client_id,
            application_id,
            payload,
        } => nul(id) || nul(kind) || opt(client_id) || opt(application_id) || nul(payload),
        Projection::Consent {
            id,
            client_id,
            action,
            payload,
        } => nul(id) || opt(client_id) || nul(action) || nul(payload),
        Projection::Attachment {
            id,
            client_id,
            kind,
            media_type,
            sha256,
            ..
        } => [id, client_id, kind, media_type, sha256]
            .iter()
            .any(|s| nul(s)),
        Projection::None | Projection::Unreadable => false,
    }
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn read(r: &Record, family: &str, text: &str, v: &Value) -> Option<Projection> {
    Some(match family {
        "client" => Projection::Client {
            id: r.entity_id.clone(),
            data: text.to_owned(),
        },
        "application" => Projection::Application(ApplicationState {
            id: s(v, "id")?,
            lineage: s(v, "lineage")?,
            version: v.get("version")?.as_u64()?,
            client_id: s(v, "client_id")?,
            product_id: s(v, "product_id")?,
            amount_tiyn: v.get("amount_tiyn")?.as_i64()?,
            months: v.get("months")?.as_u64()?,
            stage: s(v, "stage")?,
            maker_id: s(v, "maker_id")?,
            step: s(v, "step")?,
            reason: s(v, "reason"),
            payload: text.to_owned(),
        }),
        "document" => Projection::Document {
            id: s(v, "id")?,
            kind: s(v, "kind")?,
            client_id: s(v, "client_id"),
            application_id: s(v, "application_id"),
            payload: text.to_owned(),
        },
        "consent" => {
            let content: Value = serde_json::from_str(v.get("content")?.as_str()?).ok()?;
            Projection::Consent {
                id: r.entity_id.clone(),
                client_id: s(&content, "client_id"),
                action: r.action.strip_prefix("consent.")?.to_owned(),
                payload: text.to_owned(),
            }
        }
        "attachment" => {
            // The vault writes (record, client id) as a JSON pair.
            let rec = v.get(0)?;
            let size = rec
                .get("size")?
                .as_u64()
                .filter(|s| (1..=crate::store::MAX_ATTACHMENT).contains(s))?;
            Projection::Attachment {
                id: s(rec, "id")?,
                client_id: v.get(1)?.as_str()?.to_owned(),
                kind: s(rec, "kind")?,
                media_type: s(rec, "media_type")?,
                sha256: s(rec, "sha256")?,
                size,
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(action: &str, payload: &str) -> Record {
        Record {
            seq: 1,
            created_at: "t".into(),
            officer_id: "o".into(),
            action: action.into(),
            entity_id: "e-1".into(),
            payload: payload.as_bytes().to_vec(),
        }
    }

    #[test]
    fn an_application_step_becomes_its_versions_state() {
        let p = project(&rec(
            "application.refer",
            r#"{"id":"a2","lineage":"a1","version":2,"replaces":"a1","client_id":"c","product_id":"consumer-12","amount_tiyn":50000000,"months":12,"method":"annuity","purpose":"x","stage":"referred","maker_id":"m","quote":{},"step":"refer","reason":null}"#,
        ));
        let Projection::Application(a) = p else {
            panic!("an application record must project to an application, got {p:?}");
        };
        assert_eq!(
            (a.id.as_str(), a.stage.as_str(), a.amount_tiyn, a.version),
            ("a2", "referred", 50_000_000, 2)
        );
    }

    #[test]
    fn unreadable_payloads_are_kept_as_records_only() {
        assert_eq!(
            project(&rec("application.submit", "not json")),
            Projection::Unreadable
        );
        assert_eq!(
            project(&rec("application.submit", "{}")),
            Projection::Unreadable
        );
        assert_eq!(project(&rec("vault.backup", "{}")), Projection::None);
        assert_eq!(project(&rec("client.export", "{}")), Projection::None);
    }

    #[test]
    fn a_nul_in_a_value_or_an_oversize_attachment_is_kept_as_a_record_only() {
        let p = project(&rec(
            "application.refer",
            r#"{"id":"a2","lineage":"a1","version":2,"client_id":"c","product_id":"p","amount_tiyn":1,"months":12,"stage":"referred","maker_id":"m","step":"refer","reason":"x\u0000y"}"#,
        ));
        assert_eq!(
            p,
            Projection::Unreadable,
            "PostgreSQL cannot store a NUL: neither back end sorts it"
        );
        let a = project(&rec(
            "attachment.add",
            r#"[{"id":"att-1","kind":"scan","media_type":"application/pdf","sha256":"00","size":1000000000000},"c-9"]"#,
        ));
        assert_eq!(
            a,
            Projection::Unreadable,
            "an attachment above the limit is never expected"
        );
    }

    #[test]
    fn consents_and_attachments_name_their_client() {
        let c = project(&rec(
            "consent.grant",
            r#"{"content":"{\"client_id\":\"c-9\",\"scope\":\"privacy\"}","signature":"ab"}"#,
        ));
        assert!(
            matches!(c, Projection::Consent { ref client_id, ref action, .. } if client_id.as_deref() == Some("c-9") && action == "grant")
        );
        let a = project(&rec(
            "attachment.add",
            r#"[{"id":"att-1","client_id":"c-9","kind":"scan","media_type":"application/pdf","sha256":"00","size":10},"c-9"]"#,
        ));
        assert!(matches!(a, Projection::Attachment { size: 10, .. }));
    }
}
