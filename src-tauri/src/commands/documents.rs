//! Printing: "Print policy", "Print consent form" and "Print offer" issue a sealed document, keep
//! it in the vault and open it in the system viewer (whose print dialog prints it); "Save as…"
//! writes a stored document where the officer chooses; a client's and an application's documents
//! are listed for re-opening. The work is in `crate::documents`; these are thin wrappers.

use chrono::Utc;
use domain::consent::Scope;
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;
use vault::{DocumentRecord, Vault};

use crate::documents;
use crate::error::{CommandError, ErrorCode};
use crate::quote::desk_time_text;
use crate::state::{ANY_ROLE, AppState};

/// An issued document as the window lists it.
#[derive(Debug, Serialize, TS)]
pub struct DocumentView {
    pub id: String,
    /// `policy`, `consent`, `bureau-consent`, `receipt` or `offer`.
    pub kind: String,
    /// `26.11.2026 09:30`, desk time.
    pub issued_at: String,
    pub file_name: String,
    pub pdf_sha256: String,
    #[ts(type = "number")]
    pub size: i64,
}

pub(crate) fn view(r: &DocumentRecord) -> DocumentView {
    DocumentView {
        id: r.id.to_string(),
        kind: r.kind.clone(),
        issued_at: desk_time_text(&r.issued_at),
        file_name: documents::file_name(r),
        pdf_sha256: r.pdf_sha256.clone(),
        size: r.size,
    }
}

/// Which document to print.
#[derive(Debug, serde::Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrintRequest {
    /// The policy in force; handed to a client when `client_id` says which.
    Policy {
        client_id: Option<String>,
    },
    Consent {
        client_id: String,
    },
    /// The separate consent form for credit-bureau reports.
    BureauConsent {
        client_id: String,
    },
    /// The receipt of a consent event.
    Receipt {
        client_id: String,
        event_id: String,
    },
    Offer {
        application_id: String,
    },
}

/// Issues the requested document and stores it; returns it with its PDF.
pub(crate) fn issue(
    v: &mut Vault,
    request: &PrintRequest,
    now: chrono::DateTime<Utc>,
) -> Result<(DocumentRecord, Vec<u8>), CommandError> {
    match request {
        PrintRequest::Policy { client_id } => {
            documents::issue_policy(v, client_id.as_deref(), &mut documents::no_delivery, now)
        }
        PrintRequest::Consent { client_id } => documents::issue_consent(
            v,
            client_id,
            Scope::Privacy,
            &mut documents::no_delivery,
            now,
        ),
        PrintRequest::BureauConsent { client_id } => documents::issue_consent(
            v,
            client_id,
            Scope::CreditBureau,
            &mut documents::no_delivery,
            now,
        ),
        PrintRequest::Receipt {
            client_id,
            event_id,
        } => documents::issue_receipt(v, client_id, event_id, &mut documents::no_delivery, now),
        PrintRequest::Offer { application_id } => {
            documents::issue_offer(v, application_id, &mut documents::no_delivery, now)
        }
    }
}

fn show(state: &AppState, record: &DocumentRecord, pdf: &[u8]) -> Result<(), CommandError> {
    let path = documents::write_printout(&state.data_dir, &documents::file_name(record), pdf)
        .map_err(|_| CommandError::new(ErrorCode::Internal, "the printout could not be written"))?;
    documents::open_in_viewer(&path)
}

/// Issues a document, keeps it in the vault and opens it in the system viewer.
#[tauri::command]
pub(crate) fn document_print(
    state: State<'_, AppState>,
    request: PrintRequest,
) -> Result<DocumentView, CommandError> {
    let (record, pdf) = state.with_session(ANY_ROLE, |v| issue(v, &request, Utc::now()))?;
    // The document is issued and stored whatever the viewer does; a viewer that cannot start is
    // reported, and "Save as…" still works.
    show(&state, &record, &pdf)?;
    Ok(view(&record))
}

/// Opens a stored document again (a reprint is the same bytes, not a new document).
#[tauri::command]
pub(crate) fn document_open(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    let id = vault::DocumentId::from(id);
    let (record, pdf) = state.with_session(ANY_ROLE, |v| Ok(v.document(&id)?))?;
    show(&state, &record, &pdf)
}

/// Asks where to save a stored document and writes it there; `None` when the officer cancels.
#[tauri::command]
pub(crate) async fn document_save_as(
    app: AppHandle,
    id: String,
) -> Result<Option<String>, CommandError> {
    use tauri_plugin_dialog::DialogExt;
    let state = app.state::<AppState>();
    let id = vault::DocumentId::from(id);
    let (record, pdf) = state.with_session(ANY_ROLE, |v| Ok(v.document(&id)?))?;
    let chosen = app
        .dialog()
        .file()
        .add_filter("PDF", &["pdf"])
        .set_file_name(documents::file_name(&record))
        .blocking_save_file();
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    let path = chosen.into_path().map_err(|_| {
        CommandError::new(
            ErrorCode::InvalidInput,
            "the chosen place is not a file path",
        )
    })?;
    // The dialog asked before replacing a file; still owner-only and never through a symlink.
    vault::files::create_private(&path, true)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &pdf))
        .map_err(|_| {
            CommandError::new(ErrorCode::SaveFailed, "the file could not be written there")
        })?;
    Ok(Some(path.display().to_string()))
}

/// A client's documents (consent forms, and offers for their applications), newest first.
#[tauri::command]
pub(crate) fn documents_list(
    state: State<'_, AppState>,
    client_id: Option<String>,
    application_id: Option<String>,
) -> Result<Vec<DocumentView>, CommandError> {
    state.with_session(ANY_ROLE, |v| {
        list(v, client_id.as_deref(), application_id.as_deref())
    })
}

pub(crate) fn list(
    v: &Vault,
    client_id: Option<&str>,
    application_id: Option<&str>,
) -> Result<Vec<DocumentView>, CommandError> {
    let versions: Vec<vault::ApplicationId> = match application_id {
        Some(a) => v
            .application_versions(&vault::ApplicationId::from(a))?
            .into_iter()
            .map(|x| x.id)
            .collect(),
        None => Vec::new(),
    };
    let client_id = client_id.map(vault::ClientId::from);
    Ok(v.documents_for(client_id.as_ref(), &versions)?
        .iter()
        .map(view)
        .collect())
}
