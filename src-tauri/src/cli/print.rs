//! `branchdesk print …`: the privacy policy, a consent form or a loan offer as a PDF file. Issuing
//! (sealing, signing, keeping in the vault) is `crate::documents`, the same code the window calls;
//! this module reads the officer's passphrase, resolves the client and writes the file.
//!
//! `--out` never replaces an existing file unless `--force`, never writes through a symlink, and
//! is owner-only (0600). The PDF is written and synced to a temporary file beside `--out` before
//! the vault records the document, so a document whose file cannot be written is not issued.

use std::io::Write;
use std::path::{Path, PathBuf};

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
        /// Replace `--out` if it exists.
        #[arg(long)]
        force: bool,
    },
    /// A client's consent form (the client by id or IIN); issued, signed and kept in the vault.
    /// `--scope credit-bureau` prints the separate credit-bureau consent form.
    Consent {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_parser = super::parse_scope, default_value = "privacy")]
        scope: domain::consent::Scope,
        #[arg(long)]
        officer: String,
        #[arg(long)]
        client: String,
        /// Replace `--out` if it exists.
        #[arg(long)]
        force: bool,
    },
    /// The offer for an approved application version; issued, signed and kept in the vault.
    Offer {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        officer: String,
        #[arg(long)]
        application: String,
        /// Replace `--out` if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// The `--out` file: checked before anything is issued, written to `<out>.partial` first.
pub(super) struct Output {
    path: PathBuf,
    partial: PathBuf,
    written: bool,
}

impl Output {
    pub(super) fn check(path: PathBuf, force: bool) -> Result<Output, Refusal> {
        super::check_out(&path, force)?;
        let mut partial = path.clone().into_os_string();
        partial.push(".partial");
        Ok(Output {
            path,
            partial: PathBuf::from(partial),
            written: false,
        })
    }

    /// Writes and syncs the PDF to the temporary file (before the vault commit).
    pub(super) fn write(&mut self, pdf: &[u8]) -> Result<(), crate::error::CommandError> {
        let result = vault::files::create_private(&self.partial, true).and_then(|mut f| {
            f.write_all(pdf)?;
            f.sync_all()
        });
        self.written = true;
        result.map_err(|e| {
            crate::error::CommandError::new(
                ErrorCode::SaveFailed,
                format!("cannot write {}: {e}", self.path.display()),
            )
        })
    }

    /// Puts the written file in place.
    pub(super) fn finish(mut self) -> Result<(), Refusal> {
        self.written = false;
        std::fs::rename(&self.partial, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&self.partial);
            Refusal::new(
                ErrorCode::SaveFailed,
                format!("cannot write {}: {e}", self.path.display()),
            )
        })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Output {
    /// A refused or failed issue leaves no partial file behind.
    fn drop(&mut self) {
        if self.written {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// Runs one `print` verb.
pub(super) fn run(cmd: PrintCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    let (out, record, pdf) = match cmd {
        PrintCommand::Policy {
            out,
            officer: None,
            force,
        } => {
            let mut out = Output::check(out, force)?;
            let policy = crate::documents::shipped_policy_in_force(now)?;
            let pdf = print::Document::Policy(policy)
                .render(None)
                .map_err(|e| Refusal::new(ErrorCode::Unprintable, e.to_string()))?;
            out.write(&pdf)?;
            (out, None, pdf)
        }
        PrintCommand::Policy {
            out,
            officer: Some(officer),
            force,
        } => {
            let mut out = Output::check(out, force)?;
            let mut v = signed_in(&officer)?;
            let (r, pdf) =
                crate::documents::issue_policy(&mut v, None, &mut |pdf| out.write(pdf), now)?;
            (out, Some(r), pdf)
        }
        PrintCommand::Consent {
            out,
            scope,
            officer,
            client,
            force,
        } => {
            let mut out = Output::check(out, force)?;
            let mut v = signed_in(&officer)?;
            let id = match v.client_id_by_iin(&client)? {
                Some(id) => id.into_string(),
                None => client,
            };
            let (r, pdf) = crate::documents::issue_consent(
                &mut v,
                &id,
                scope,
                &mut |pdf| out.write(pdf),
                now,
            )?;
            (out, Some(r), pdf)
        }
        PrintCommand::Offer {
            out,
            officer,
            application,
            force,
        } => {
            let mut out = Output::check(out, force)?;
            let mut v = signed_in(&officer)?;
            let (r, pdf) = crate::documents::issue_offer(
                &mut v,
                &application,
                &mut |pdf| out.write(pdf),
                now,
            )?;
            (out, Some(r), pdf)
        }
    };
    let shown = out.path().display().to_string();
    out.finish()?;
    match record {
        Some(r) => say(format_args!(
            "issued {} {} on {}: {} ({} bytes, sha256 {})",
            r.kind,
            r.id,
            r.issued_at,
            shown,
            pdf.len(),
            r.pdf_sha256
        )),
        None => say(format_args!(
            "reference copy of the policy: {} ({} bytes)",
            shown,
            pdf.len()
        )),
    }
}
