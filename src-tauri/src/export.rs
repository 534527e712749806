//! The client's data export for a subject-access request, shared by the window and
//! `branchdesk client export`: the vault's dossier of one client as one ZIP, with `index.json`
//! (who, when, by whom, the row counts, and every file with its SHA-256) beside
//! `records/<table>.json` (the rows, column by column) and the PDFs and attachments as stored.
//! The file is written owner-only to `<out>.partial`, the export is audited, and only then is the
//! file put in place, so an export on disk is always an audited one.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use vault::{ClientId, Vault};
use zip::write::SimpleFileOptions;

use crate::error::{CommandError, ErrorCode};

#[derive(Serialize)]
struct IndexFile {
    path: String,
    sha256: String,
    size: usize,
}

#[derive(Serialize)]
struct Index<'a> {
    format: &'static str,
    client_id: &'a str,
    client_iin: String,
    exported_at: String,
    exported_by: &'a str,
    desk: String,
    rows: std::collections::BTreeMap<&'a str, usize>,
    files: Vec<IndexFile>,
}

fn failed<E>(_: E) -> CommandError {
    CommandError::new(ErrorCode::Internal, "the export could not be assembled")
}

/// The ZIP's bytes and the SHA-256 of its index.
pub(crate) fn client_zip(
    v: &Vault,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, String), CommandError> {
    let dossier = v.client_dossier(client)?;
    let record = v.client(client)?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for (table, rows) in &dossier.tables {
        entries.push((
            format!("records/{table}.json"),
            serde_json::to_vec_pretty(rows).map_err(failed)?,
        ));
    }
    for f in &dossier.files {
        entries.push((f.path.clone(), f.bytes.clone()));
    }
    let index = Index {
        format: "branchdesk-client-export/1",
        client_id: client.as_str(),
        client_iin: record.client.iin.as_str().to_owned(),
        exported_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        exported_by: &v.officer().name,
        desk: v.desk_public_keys()?.signing,
        rows: dossier
            .tables
            .iter()
            .map(|(t, rows)| (t.as_str(), rows.len()))
            .collect(),
        files: entries
            .iter()
            .map(|(path, bytes)| IndexFile {
                path: path.clone(),
                sha256: domain::policy::sha256_hex(bytes),
                size: bytes.len(),
            })
            .collect(),
    };
    let index = serde_json::to_vec_pretty(&index).map_err(failed)?;
    let index_sha256 = domain::policy::sha256_hex(&index);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    zip.start_file("index.json", options).map_err(failed)?;
    zip.write_all(&index).map_err(failed)?;
    for (path, bytes) in &entries {
        zip.start_file(path.as_str(), options).map_err(failed)?;
        zip.write_all(bytes).map_err(failed)?;
    }
    let bytes = zip.finish().map_err(failed)?.into_inner();
    Ok((bytes, index_sha256))
}

/// Writes the client's export to `out` (owner-only, never through a symlink): partial file,
/// audit, then rename. Returns the ZIP's size.
pub(crate) fn write(
    v: &mut Vault,
    client: &ClientId,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<usize, CommandError> {
    let (bytes, index_sha256) = client_zip(v, client, now)?;
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let cant = |e: std::io::Error| {
        let _ = std::fs::remove_file(&partial);
        CommandError::new(
            ErrorCode::SaveFailed,
            format!("cannot write {}: {e}", out.display()),
        )
    };
    vault::files::create_private(&partial, true)
        .and_then(|mut f| {
            f.write_all(&bytes)?;
            f.sync_all()
        })
        .map_err(cant)?;
    if let Err(e) = v.record_export(client, &index_sha256, now) {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    std::fs::rename(&partial, out).map_err(cant)?;
    Ok(bytes.len())
}
