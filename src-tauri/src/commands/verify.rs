//! Verifying: an identity document's zone against the client's record (client card), a
//! printout's QR text or a file (Verify screen), and the reports kept. Any signed-in officer may
//! verify. The work is in `crate::verification`; these are thin wrappers.

use chrono::Utc;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::{ANY_ROLE, AppState};
use crate::verification::{self, VerificationView};

/// The zone an officer typed or scanned from a client's document.
#[derive(Debug, Deserialize, TS)]
pub struct IdentityCheckRequest {
    pub client_id: String,
    /// Two lines (passport) or three (ID card), as read.
    pub lines: Vec<String>,
}

/// Checks a client's identity document's zone against their record and keeps the report.
#[tauri::command]
pub(crate) fn verify_identity(
    state: State<'_, AppState>,
    request: IdentityCheckRequest,
) -> Result<VerificationView, CommandError> {
    if request.lines.len() > 3 || request.lines.iter().any(|l| l.len() > 200) {
        return Err(CommandError::new(
            ErrorCode::MrzUnreadable,
            "a zone has two or three short lines",
        )
        .on("mrz"));
    }
    state.with_session(ANY_ROLE, |v| {
        verification::check_identity(v, &request.client_id, &request.lines, Utc::now())
    })
}

/// Checks a printout's QR text and keeps the report.
#[tauri::command]
pub(crate) fn verify_qr(
    state: State<'_, AppState>,
    text: String,
) -> Result<VerificationView, CommandError> {
    state.with_session(ANY_ROLE, |v| verification::check_qr(v, &text, Utc::now()))
}

/// Checks a file sent as the raw request body: a printout, a signed PDF or a CMS file, and after
/// it, for a detached signature, the document it signs. Headers: `x-file-name` (URI-encoded) and,
/// with a document, `x-signature-length` (where the signature ends and the document begins).
#[tauri::command]
pub(crate) fn verify_file(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<VerificationView, CommandError> {
    let tauri::ipc::InvokeBody::Raw(body) = request.body() else {
        return Err(
            CommandError::new(ErrorCode::InvalidInput, "the file must be sent as bytes").on("file"),
        );
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let name = header("x-file-name")
        .and_then(|n| percent_decode(&n))
        .unwrap_or_else(|| "file".to_owned());
    let (file, detached) = match header("x-signature-length") {
        None => (&body[..], None),
        Some(n) => {
            let n: usize = n
                .parse()
                .ok()
                .filter(|n| *n > 0 && *n < body.len())
                .ok_or_else(|| {
                    CommandError::new(ErrorCode::InvalidInput, "the signature's length is wrong")
                        .on("file")
                })?;
            (&body[..n], Some(&body[n..]))
        }
    };
    if file.is_empty() {
        return Err(CommandError::new(ErrorCode::Required, "the file is empty").on("file"));
    }
    state.with_session(ANY_ROLE, |v| {
        verification::check_file(v, &name, file, detached, Utc::now())
    })
}

/// Reports kept for a client (or every report), newest first: only identity checks, only
/// documents, or both (`identity` absent).
#[tauri::command]
pub(crate) fn verifications_list(
    state: State<'_, AppState>,
    client_id: Option<String>,
    identity: Option<bool>,
) -> Result<Vec<VerificationView>, CommandError> {
    state.with_session(ANY_ROLE, |v| {
        let client = client_id.map(vault::ClientId::from);
        Ok(v.verifications(client.as_ref(), identity, 50)?
            .iter()
            .map(verification::view_of)
            .collect())
    })
}

/// `encodeURIComponent`'s inverse; `None` for a broken escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn file_names_come_back_as_the_window_sent_them() {
        assert_eq!(
            percent_decode("%D0%BE%D1%84%D0%B5%D1%80%D1%82%D0%B0.pdf").as_deref(),
            Some("оферта.pdf")
        );
        assert_eq!(percent_decode("a%2"), None, "a cut escape is refused");
        assert_eq!(
            percent_decode("%ff"),
            None,
            "bytes that are not UTF-8 are refused"
        );
    }
}
