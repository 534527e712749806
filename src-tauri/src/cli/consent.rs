//! `branchdesk consent show|receipt|record|withdraw` and `branchdesk client export`: a client's
//! consent without the window, under the same rules and through the same functions as the
//! window's commands (`crate::commands::consent`). The client is named by IIN (or id); the officer
//! by `--officer` (optional when the vault has one officer), passphrase on stdin.

use std::path::PathBuf;

use clap::Subcommand;
use domain::consent::Scope;
use domain::evidence::DrawnSignature;

use super::{Refusal, say, say_json, signed_in};
use crate::commands::consent::{self, ConsentRecordRequest, ConsentWithdrawRequest};
use crate::error::ErrorCode;

#[derive(Subcommand, Debug)]
pub(super) enum ConsentCommand {
    /// Each purpose's state, the policy version in force, whether consent must be renewed, and
    /// every grant and withdrawal.
    Show {
        #[arg(long)]
        client: String,
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The receipt of the client's latest consent event: a summary, or with --json the Kantara
    /// Consent Receipt v1.1; with --out also the sealed PDF receipt (issued and kept).
    Receipt {
        #[arg(long)]
        client: String,
        #[arg(long)]
        officer: Option<String>,
        #[arg(long, value_parser = super::parse_scope, default_value = "privacy")]
        scope: Scope,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace `--out` if it exists.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Records the client's decisions (after the consent form was printed): --give and --refuse
    /// list purpose codes; the evidence is the signed form's scan (--scan) and/or a drawn
    /// signature as JSON (--signature).
    Record {
        #[arg(long)]
        client: String,
        #[arg(long)]
        officer: Option<String>,
        #[arg(long, value_parser = super::parse_scope, default_value = "privacy")]
        scope: Scope,
        #[arg(long, value_delimiter = ',')]
        give: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        refuse: Vec<String>,
        #[arg(long)]
        scan: Option<PathBuf>,
        #[arg(long)]
        signature: Option<PathBuf>,
        /// 32 hex digits: the same key again records nothing new (a retried command).
        #[arg(long)]
        request_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Withdraws given purposes (--purpose, repeatable) by phone, paper or screen.
    Withdraw {
        #[arg(long)]
        client: String,
        #[arg(long)]
        officer: Option<String>,
        #[arg(long, value_parser = super::parse_scope, default_value = "privacy")]
        scope: Scope,
        #[arg(long = "purpose", required = true)]
        purposes: Vec<String>,
        /// phone, paper, screen or paper-and-screen.
        #[arg(long, default_value = "phone")]
        method: String,
        #[arg(long)]
        scan: Option<PathBuf>,
        #[arg(long)]
        signature: Option<PathBuf>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        request_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// The vault opened as `officer`, or as the vault's only officer.
pub(super) fn open_as(officer: Option<String>) -> Result<::vault::Vault, Refusal> {
    match officer {
        Some(o) => signed_in(&o),
        None => {
            let data_dir = crate::paths::data_dir()?;
            let dir = crate::paths::vault_dir(&data_dir);
            let keychain = dir.keychain(&data_dir)?;
            match dir.roster(&keychain)?.as_slice() {
                [(id, _)] => signed_in(&id.0.clone()),
                _ => Err(Refusal::new(
                    ErrorCode::InvalidInput,
                    "this vault has several officers: name one with --officer",
                )),
            }
        }
    }
}

/// The client's id, from an IIN or an id.
pub(super) fn client_id(v: &::vault::Vault, client: &str) -> Result<String, Refusal> {
    Ok(match v.client_id_by_iin(client)? {
        Some(id) => id.into_string(),
        None => {
            v.client(&::vault::ClientId::from(client))?;
            client.to_owned()
        }
    })
}

fn read_file(path: &PathBuf, field: &str) -> Result<Vec<u8>, Refusal> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Refusal::Refused(
            crate::error::CommandError::new(
                ErrorCode::InvalidInput,
                format!("cannot read {}: {e}", path.display()),
            )
            .on(field),
        )
    })?;
    if !meta.is_file() {
        return Err(Refusal::Refused(
            crate::error::CommandError::new(
                ErrorCode::InvalidInput,
                format!("{} is not a regular file", path.display()),
            )
            .on(field),
        ));
    }
    if meta.len() > domain::evidence::SCAN_MAX as u64 {
        return Err(
            ::vault::VaultError::Evidence(domain::evidence::EvidenceError::ScanTooLarge).into(),
        );
    }
    // Bounded even if the file grows while it is read.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(|e| {
                Refusal::new(
                    ErrorCode::InvalidInput,
                    format!("cannot read {}: {e}", path.display()),
                )
            })?,
            domain::evidence::SCAN_MAX as u64 + 1,
        ),
        &mut bytes,
    )
    .map(|_| bytes)
    .map_err(|e| {
        Refusal::new(
            ErrorCode::InvalidInput,
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

fn read_signature(path: &Option<PathBuf>) -> Result<Option<DrawnSignature>, Refusal> {
    path.as_ref()
        .map(|p| {
            serde_json::from_slice(&read_file(p, "signature")?).map_err(|e| {
                Refusal::Refused(
                    crate::error::CommandError::new(
                        ErrorCode::InvalidInput,
                        format!("the signature is not a drawn signature's JSON: {e}"),
                    )
                    .on("signature"),
                )
            })
        })
        .transpose()
}

fn request_key(given: Option<String>) -> String {
    given.unwrap_or_else(|| ::vault::new_document_id().into_string())
}

fn method_for(scan: bool, signature: bool) -> &'static str {
    match (scan, signature) {
        (true, true) => "paper-and-screen",
        (false, true) => "screen",
        _ => "paper",
    }
}

pub(super) fn run(cmd: ConsentCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    match cmd {
        ConsentCommand::Show {
            client,
            officer,
            json,
        } => {
            let v = open_as(officer)?;
            let id = client_id(&v, &client)?;
            let view = consent::view(&v, &id, now)?;
            if json {
                return say_json(&view);
            }
            let mut text = String::new();
            for s in &view.scopes {
                text.push_str(&format!(
                    "{}: policy version {} in force (SHA-256 {}){}{}\n",
                    s.scope,
                    s.in_force_version,
                    s.in_force_sha256,
                    if s.renewal_needed {
                        "; consent must be renewed"
                    } else {
                        ""
                    },
                    if s.ready {
                        ""
                    } else {
                        "; required purposes not given"
                    },
                ));
                for p in &s.purposes {
                    let state = match (p.granted, p.decided) {
                        (true, _) => "given",
                        (false, true) => "not given",
                        (false, false) => "not decided",
                    };
                    text.push_str(&format!(
                        "  {:<22} {:<11} {}\n",
                        p.code,
                        state,
                        if p.required { "required" } else { "optional" }
                    ));
                }
                for e in &s.history {
                    let what: Vec<String> = e
                        .decisions
                        .iter()
                        .map(|d| format!("{}={}", d.code, if d.granted { "yes" } else { "no" }))
                        .collect();
                    text.push_str(&format!(
                        "  {} {} {} by {} ({}){}: {}\n",
                        e.at,
                        e.action,
                        e.id,
                        e.officer,
                        e.method,
                        if e.signature_ok { "" } else { " ALTERED" },
                        what.join(" ")
                    ));
                }
            }
            if view.loan_open {
                text.push_str(
                    "the client has an open loan: required purposes cannot be withdrawn\n",
                );
            }
            say(text.trim_end())
        }
        ConsentCommand::Receipt {
            client,
            officer,
            scope,
            out,
            force,
            json,
        } => {
            let mut v = open_as(officer)?;
            let id = client_id(&v, &client)?;
            let record = v.client(&::vault::ClientId::from(id.as_str()))?;
            let receipt = consent::kantara(&v, &record, scope)?;
            if let Some(out) = out {
                // As `print`: checked first, written to `<out>.partial` before the vault records
                // the receipt, put in place after; a failure leaves no file behind.
                let mut out = super::print::Output::check(out, force)?;
                let event = v
                    .consent_events(&record.id)?
                    .into_iter()
                    .rev()
                    .find(|e| e.signature_ok && e.content.scope == scope)
                    .map(|e| e.content.id)
                    .unwrap_or_default();
                crate::documents::issue_receipt(
                    &mut v,
                    &id,
                    &event,
                    &mut |pdf| out.write(pdf),
                    now,
                )?;
                out.finish()?;
            }
            if json {
                return say_json(&receipt);
            }
            let purposes: Vec<&str> = receipt.services[0]
                .purposes
                .iter()
                .map(|p| p.purpose.as_str())
                .collect();
            say(format!(
                "consent receipt {} ({}), {} at {}\nmethod: {}\ngiven: {}",
                receipt.consent_receipt_id,
                receipt.version,
                receipt.pii_principal_id,
                receipt.consent_timestamp,
                receipt.collection_method,
                if purposes.is_empty() {
                    "nothing".to_owned()
                } else {
                    purposes.join("; ")
                }
            ))
        }
        ConsentCommand::Record {
            client,
            officer,
            scope,
            give,
            refuse,
            scan,
            signature,
            request_key: key,
            json,
        } => {
            let scan = scan.as_ref().map(|p| read_file(p, "scan")).transpose()?;
            let signature = read_signature(&signature)?;
            if let Some(bytes) = &scan {
                consent::check_scan(bytes)?;
            }
            let mut v = open_as(officer)?;
            let id = client_id(&v, &client)?;
            let in_force = crate::documents::terms_in_force(&v, scope, now)?;
            let decisions = give
                .iter()
                .map(|c| (c.clone(), true))
                .chain(refuse.iter().map(|c| (c.clone(), false)))
                .collect();
            let recorded = consent::record(
                &mut v,
                &ConsentRecordRequest {
                    request_key: request_key(key),
                    client_id: id,
                    scope: scope.as_str().to_owned(),
                    policy_version: in_force.version,
                    policy_sha256: in_force.sha256.clone(),
                    decisions,
                    method: method_for(scan.is_some(), signature.is_some()).to_owned(),
                    signature,
                    scan_token: None,
                },
                scan.as_deref(),
                now,
            )?;
            if json {
                say_json(&serde_json::json!({ "ok": true, "event_id": recorded.event_id }))
            } else {
                say(format!("consent recorded: {}", recorded.event_id))
            }
        }
        ConsentCommand::Withdraw {
            client,
            officer,
            scope,
            purposes,
            method,
            scan,
            signature,
            note,
            request_key: key,
            json,
        } => {
            let scan = scan.as_ref().map(|p| read_file(p, "scan")).transpose()?;
            let signature = read_signature(&signature)?;
            let mut v = open_as(officer)?;
            let id = client_id(&v, &client)?;
            let recorded = consent::withdraw(
                &mut v,
                &ConsentWithdrawRequest {
                    request_key: request_key(key),
                    client_id: id,
                    scope: scope.as_str().to_owned(),
                    purposes,
                    method,
                    signature,
                    scan_token: None,
                    note,
                },
                scan.as_deref(),
                now,
            )?;
            if json {
                say_json(&serde_json::json!({ "ok": true, "event_id": recorded.event_id }))
            } else {
                say(format!("withdrawal recorded: {}", recorded.event_id))
            }
        }
    }
}

/// `branchdesk client export`: the client's data as one ZIP (supervisors and administrators).
pub(super) fn export(
    client: String,
    officer: Option<String>,
    out: PathBuf,
    force: bool,
    json: bool,
) -> Result<(), Refusal> {
    super::check_out(&out, force)?;
    let mut v = open_as(officer)?;
    let id = client_id(&v, &client)?;
    let size = crate::export::write(
        &mut v,
        &::vault::ClientId::from(id.as_str()),
        &out,
        chrono::Utc::now(),
    )?;
    if json {
        say_json(&serde_json::json!({ "ok": true, "out": out.display().to_string(), "size": size }))
    } else {
        say(format!(
            "client export written: {} ({size} bytes)",
            out.display()
        ))
    }
}
