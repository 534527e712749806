//! Issuing a printed document, shared by the window and the CLI: build what the document says
//! from the vault, hash it, sign the hash with the desk's key, render the PDF, store it in the
//! vault. Also where printouts go on disk for the system viewer (a private folder in the data
//! folder, emptied when the desk locks or starts), and opening them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};
use domain::Money;
use domain::application::Stage;
use domain::consent::Scope;
use domain::policy::PolicyVersion;
use print::{ClientData, ConsentForm, Document, Offer, PrintError, Seal};
use vault::{DocumentRecord, NewDocument, Vault};

use crate::error::{CommandError, ErrorCode};
use crate::quote::desk_date;

impl From<PrintError> for CommandError {
    fn from(e: PrintError) -> Self {
        let code = match e {
            PrintError::Unprintable(_) => ErrorCode::Unprintable,
            PrintError::TooLong => ErrorCode::TooLong,
            PrintError::Unsealed | PrintError::Font | PrintError::Write => ErrorCode::Internal,
        };
        CommandError::new(code, e.to_string())
    }
}

/// What an issued document is about, for the vault's links.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Links<'a> {
    pub client_id: Option<&'a vault::ClientId>,
    pub application_id: Option<&'a vault::ApplicationId>,
    pub policy_version: Option<u32>,
}

/// The privacy policy version in force on the desk's date.
pub(crate) fn policy_in_force(
    v: &Vault,
    now: DateTime<Utc>,
) -> Result<PolicyVersion, CommandError> {
    terms_in_force(v, Scope::Privacy, now)
}

/// The version of `scope`'s text (privacy policy, credit-bureau terms) in force on the desk's
/// date.
/// Head office's published versions count from their dates; the shipped ones are the fallback.
pub(crate) fn terms_in_force(
    v: &Vault,
    scope: Scope,
    now: DateTime<Utc>,
) -> Result<PolicyVersion, CommandError> {
    domain::policy::in_force(&v.policy_versions(scope)?, desk_date(now))
        .cloned()
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "no policy is in force on this date"))
}

/// The shipped privacy policy in force on the desk's date (printing it needs no vault).
pub(crate) fn shipped_policy_in_force(
    now: DateTime<Utc>,
) -> Result<&'static PolicyVersion, CommandError> {
    domain::policy::in_force(domain::policy::shipped_in(Scope::Privacy), desk_date(now))
        .ok_or_else(|| CommandError::new(ErrorCode::NotFound, "no policy is in force on this date"))
}

/// Where an issued PDF goes before the vault records it: the CLI writes its `--out` file here, so
/// a document whose file cannot be written is never issued. The window passes [`no_delivery`]
/// (its copy is kept in the vault and shown from there).
pub(crate) type Deliver<'a> = &'a mut dyn FnMut(&[u8]) -> Result<(), CommandError>;

/// Nothing to write before the vault commit.
pub(crate) fn no_delivery(_: &[u8]) -> Result<(), CommandError> {
    Ok(())
}

/// Seals, renders, delivers and then stores `doc`; returns the stored record and the PDF.
pub(crate) fn issue(
    v: &mut Vault,
    doc: Document<'_>,
    links: Links<'_>,
    deliver: Deliver<'_>,
    now: DateTime<Utc>,
) -> Result<(DocumentRecord, Vec<u8>), CommandError> {
    let content = doc.content()?;
    let id = vault::new_document_id();
    // Whole seconds: the time printed and signed is the time stored.
    let issued_at = now.trunc_subsecs(0);
    let message = print::signing_message(doc.kind(), id.as_str(), issued_at, &content.sha256);
    let signature = hex::encode(v.sign(&message)?);
    let seal = Seal {
        id: id.to_string(),
        issued_at,
        desk_key: v.desk_public_keys()?.signing,
        signature: signature.clone(),
    };
    let pdf = doc.render(Some(&seal))?;
    deliver(&pdf)?;
    let record = v.store_document(
        &NewDocument {
            id: &id,
            kind: doc.kind().as_str(),
            client_id: links.client_id,
            application_id: links.application_id,
            policy_version: links.policy_version,
            issued_at,
            content: &content.json,
            content_sha256: &content.sha256,
            signature: &signature,
            pdf: &pdf,
        },
        now,
    )?;
    Ok((record, pdf))
}

/// Prints the privacy policy in force, for a client when one is named.
pub(crate) fn issue_policy(
    v: &mut Vault,
    client_id: Option<&str>,
    deliver: Deliver<'_>,
    now: DateTime<Utc>,
) -> Result<(DocumentRecord, Vec<u8>), CommandError> {
    let policy = &policy_in_force(v, now)?;
    let client = client_id
        .map(|id| v.client(&vault::ClientId::from(id)))
        .transpose()?;
    let links = Links {
        client_id: client.as_ref().map(|c| &c.id),
        policy_version: Some(policy.version),
        ..Links::default()
    };
    issue(v, Document::Policy(policy), links, deliver, now)
}

/// Prints the consent form for a client, on the version in force of `scope`'s text (the privacy
/// policy's form, or the separate credit-bureau form).
pub(crate) fn issue_consent(
    v: &mut Vault,
    client_id: &str,
    scope: Scope,
    deliver: Deliver<'_>,
    now: DateTime<Utc>,
) -> Result<(DocumentRecord, Vec<u8>), CommandError> {
    let client = v.client(&vault::ClientId::from(client_id))?;
    let policy = &terms_in_force(v, scope, now)?;
    let form = ConsentForm::new(
        ClientData::of(&client.client),
        policy,
        &v.officer().name.clone(),
        desk_date(now),
    );
    let links = Links {
        client_id: Some(&client.id),
        policy_version: Some(policy.version),
        ..Links::default()
    };
    issue(v, Document::Consent(&form), links, deliver, now)
}

/// Prints the receipt of a consent event: the purposes as they stood after it, the policy, the
/// evidence and how to withdraw.
pub(crate) fn issue_receipt(
    v: &mut Vault,
    client_id: &str,
    event_id: &str,
    deliver: Deliver<'_>,
    now: DateTime<Utc>,
) -> Result<(DocumentRecord, Vec<u8>), CommandError> {
    let client = v.client(&vault::ClientId::from(client_id))?;
    let receipt = crate::commands::consent::receipt_of(v, &client, event_id)?;
    let links = Links {
        client_id: Some(&client.id),
        policy_version: Some(receipt.policy_version),
        ..Links::default()
    };
    issue(v, Document::Receipt(&receipt), links, deliver, now)
}

/// Prints the offer of an application version whose offer the officer issued (or that is signed).
pub(crate) fn issue_offer(
    v: &mut Vault,
    application_id: &str,
    deliver: Deliver<'_>,
    now: DateTime<Utc>,
) -> Result<(DocumentRecord, Vec<u8>), CommandError> {
    let r = v.application(&vault::ApplicationId::from(application_id))?;
    // The paper follows the step: the maker issues the offer (which prints it); until then nobody,
    // a supervisor included, can put a sealed offer in a client's hands.
    if !matches!(r.stage, Stage::OfferIssued | Stage::Signed) {
        return Err(CommandError::new(
            ErrorCode::WrongStage,
            "an offer is printed once the officer has issued it",
        ));
    }
    let client = v.client(&r.client_id)?;
    let quote_date = r.quote.quote_date;
    let catalog = crate::commands::applications::catalog_on(v, quote_date)?;
    let product = catalog.product(&r.product_id, quote_date).ok_or_else(|| {
        CommandError::new(
            ErrorCode::UnknownProduct,
            "the product is not in the catalog",
        )
    })?;
    let schedule = r.quote.quote.schedule.clone();
    let offer = Offer {
        application: r.lineage.to_string(),
        application_version: r.version,
        client: ClientData::of(&client.client),
        product_id: r.product_id.clone(),
        product_name: product.name.clone(),
        amount: r.amount,
        months: r.months,
        method: r.method,
        annual_rate_bp: product.annual_rate_bp,
        issuance_fee: r
            .amount
            .checked_sub(schedule.net_amount)
            .unwrap_or(Money::from_tiyn(0)),
        monthly_fee: Money::from_tenge(product.monthly_fee_tenge).unwrap_or(Money::from_tiyn(0)),
        issue_date: quote_date,
        schedule,
        officer: v.officer().name.clone(),
    };
    let links = Links {
        client_id: Some(&r.client_id),
        application_id: Some(&r.id),
        ..Links::default()
    };
    issue(v, Document::Offer(&offer), links, deliver, now)
}

/// A document's file name: `offer-0123abcd.pdf`.
pub(crate) fn file_name(record: &DocumentRecord) -> String {
    format!(
        "{}-{}.pdf",
        record.kind,
        &record.id.as_str()[..8.min(record.id.as_str().len())]
    )
}

/// The private folder printouts are written to for the viewer.
pub(crate) fn printouts_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("printouts")
}

/// Writes `pdf` into the printouts folder (folder 0700, file 0600, never through a symlink) and
/// returns its path.
pub(crate) fn write_printout(data_dir: &Path, name: &str, pdf: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let dir = printouts_dir(data_dir);
    vault::files::private_dir(&dir)?;
    let path = dir.join(name);
    vault::files::create_private(&path, true)?.write_all(pdf)?;
    Ok(path)
}

/// Removes the printouts folder (when a session ends, see `AppState`, and at start): client data
/// does not stay on disk outside the vault once the desk locks. A missing folder is fine.
pub(crate) fn clear_printouts(data_dir: &Path) {
    let _ = std::fs::remove_dir_all(printouts_dir(data_dir));
}

/// Opens `path` in the system's PDF viewer (whose print dialog prints it), or in the program
/// named by `BRANCHDESK_PDF_VIEWER` when a desk sets one.
pub(crate) fn open_in_viewer(path: &Path) -> Result<(), CommandError> {
    let failed = |_| {
        CommandError::new(
            ErrorCode::ViewerUnavailable,
            "no PDF viewer could be started",
        )
    };
    match std::env::var_os("BRANCHDESK_PDF_VIEWER").filter(|v| !v.is_empty()) {
        Some(viewer) => {
            let mut child = std::process::Command::new(viewer)
                .arg(path)
                .spawn()
                .map_err(failed)?;
            // Reap it when it exits, so no zombie is left behind.
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        None => open::that_detached(path).map_err(failed),
    }
}
