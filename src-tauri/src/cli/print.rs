//! `branchdesk print …`: the privacy policy, a consent form or a loan offer as a PDF file. Issuing
//! (sealing, signing, keeping in the vault) is `crate::documents`, the same code the window calls;
//! this module reads the officer's passphrase, resolves the client and writes the file.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Refusal, say, signed_in};
use crate::error::ErrorCode;

#[derive(Subcommand, Debug)]
pub(super) enum PrintCommand {
    /// The privacy policy in force. Without --officer it needs no vault and writes an unsigned
    /// reference copy; with --officer (passphrase on stdin) it is issued, signed and kept.
    Policy {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        officer: Option<String>,
    },
    /// A client's consent form (the client by id or IIN); issued, signed and kept in the vault.
    Consent {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        officer: String,
        #[arg(long)]
        client: String,
    },
    /// The offer for an approved application version; issued, signed and kept in the vault.
    Offer {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        officer: String,
        #[arg(long)]
        application: String,
    },
}

/// Runs one `print` verb.
pub(super) fn run(cmd: PrintCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    let (out, record, pdf) = match cmd {
        PrintCommand::Policy { out, officer: None } => {
            let policy = crate::documents::policy_in_force(now)?;
            let pdf = print::Document::Policy(policy)
                .render(None)
                .map_err(|e| Refusal::new(ErrorCode::Unprintable, e.to_string()))?;
            (out, None, pdf)
        }
        PrintCommand::Policy {
            out,
            officer: Some(officer),
        } => {
            let mut v = signed_in(&officer)?;
            let (r, pdf) = crate::documents::issue_policy(&mut v, None, now)?;
            (out, Some(r), pdf)
        }
        PrintCommand::Consent {
            out,
            officer,
            client,
        } => {
            let mut v = signed_in(&officer)?;
            let id = match v.client_id_by_iin(&client)? {
                Some(id) => id,
                None => client,
            };
            let (r, pdf) = crate::documents::issue_consent(&mut v, &id, now)?;
            (out, Some(r), pdf)
        }
        PrintCommand::Offer {
            out,
            officer,
            application,
        } => {
            let mut v = signed_in(&officer)?;
            let (r, pdf) = crate::documents::issue_offer(&mut v, &application, now)?;
            (out, Some(r), pdf)
        }
    };
    std::fs::write(&out, &pdf).map_err(|e| {
        Refusal::new(
            ErrorCode::SaveFailed,
            format!("cannot write {}: {e}", out.display()),
        )
    })?;
    match record {
        Some(r) => say(format_args!(
            "issued {} {} on {}: {} ({} bytes, sha256 {})",
            r.kind,
            r.id,
            r.issued_at,
            out.display(),
            pdf.len(),
            r.pdf_sha256
        )),
        None => say(format_args!(
            "reference copy of the policy: {} ({} bytes)",
            out.display(),
            pdf.len()
        )),
    }
}
