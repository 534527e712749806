//! `branchdesk officer add|set-limit|disable`, `branchdesk client add|export` and
//! `branchdesk application create|submit|decide`: head office and
//! scripts drive a desk's records without the window, under the same rules. Each verb calls the
//! same functions the window's commands call (`crate::commands::clients`, `…::applications`), as
//! the officer whose passphrase is the first line of stdin; forms are JSON files of the window's
//! shape (`ClientForm`, `ApplicationForm`). With `--json` the answer, and any refusal, is one JSON
//! object on stdout.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use domain::application::{ApplicationForm, Step};
use domain::client::ClientForm;
use serde::de::DeserializeOwned;

use super::{Refusal, read_passphrases, say, say_json, signed_in, unlock};
use crate::commands::applications::{
    self, ApplicationCreateRequest, ApplicationSaveRequest, ApplicationStepRequest,
};
use crate::commands::clients;
use crate::commands::officers::{self, SetApprovalLimitRequest};
use crate::error::ErrorCode;

#[derive(Subcommand, Debug)]
pub(super) enum OfficerCommand {
    /// Adds an officer; stdin: the administrator's passphrase, then the new officer's.
    Add {
        /// The administrator (name or id).
        #[arg(long)]
        officer: String,
        /// The new officer's full name.
        #[arg(long)]
        name: String,
        /// officer, supervisor or admin.
        #[arg(long, value_parser = parse_role)]
        role: vault::Role,
        #[arg(long)]
        json: bool,
    },
    /// Sets a supervisor's approval limit (e.g. "1 000 000"); administrators only.
    SetLimit {
        #[arg(long)]
        officer: String,
        /// The supervisor (name or id).
        #[arg(long)]
        supervisor: String,
        #[arg(long)]
        amount: String,
    },
    /// Disables an officer: their key entry is removed and the data key rotated.
    Disable {
        #[arg(long)]
        officer: String,
        /// Who is disabled (name or id).
        #[arg(long)]
        who: String,
    },
}

fn parse_role(text: &str) -> Result<vault::Role, String> {
    vault::Role::parse(text).ok_or_else(|| format!("{text:?} is not officer, supervisor or admin"))
}

#[derive(Subcommand, Debug)]
pub(super) enum ClientCommand {
    /// Registers a client from a JSON form (the window's client form); prints the client's id.
    Add {
        /// The officer (name or id); passphrase on stdin.
        #[arg(long)]
        officer: String,
        /// The form as JSON (`-` for the rest of stdin after the passphrase).
        #[arg(long)]
        form: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Everything the vault holds about one client as one ZIP with a JSON index, for a
    /// subject-access request (supervisors and administrators; audited).
    Export {
        /// The client (IIN or id).
        #[arg(long)]
        client: String,
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// Replace `--out` if it exists.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(super) enum ApplicationCommand {
    /// Creates a draft application for a client (by id or IIN) from a JSON form; prints its id.
    Create {
        #[arg(long)]
        officer: String,
        #[arg(long)]
        client: String,
        #[arg(long)]
        form: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Submits a draft for a decision, with its saved terms or a new form.
    Submit {
        #[arg(long)]
        officer: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        form: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Takes a decision step: approve, decline, return, refer, issue_offer, sign, withdraw.
    Decide {
        #[arg(long)]
        officer: String,
        #[arg(long)]
        id: String,
        #[arg(long, value_parser = parse_step)]
        step: Step,
        /// Required to decline or return.
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_step(text: &str) -> Result<Step, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("{text:?} is not a step"))
}

/// Reads a JSON form from `path` (`-`: the rest of stdin).
fn read_form<T: DeserializeOwned>(path: &Path) -> Result<T, Refusal> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| {
        Refusal::new(
            ErrorCode::InvalidInput,
            format!("cannot read the form: {e}"),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Refusal::new(
            ErrorCode::InvalidInput,
            format!("the form is not valid JSON of the expected shape: {e}"),
        )
    })
}

fn answer(json: bool, key: &str, value: serde_json::Value, text: String) -> Result<(), Refusal> {
    if json {
        let mut object = serde_json::Map::new();
        object.insert("ok".to_owned(), true.into());
        object.insert(key.to_owned(), value);
        say_json(&object)
    } else {
        say(text)
    }
}

/// The officer of this vault named `who` (by name or id).
fn officer_id(v: &vault::Vault, who: &str) -> Result<vault::OfficerId, Refusal> {
    let roster: Vec<_> = v.officers()?.into_iter().map(|o| (o.id, o.name)).collect();
    super::find_officer(&roster, who)
}

pub(super) fn officer(cmd: OfficerCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    match cmd {
        OfficerCommand::Add {
            officer,
            name,
            role,
            json,
        } => {
            let passes = read_passphrases(2)?;
            let mut v = unlock(&officer, &passes[0])?;
            let added = v.add_officer(&name, role, &passes[1], now)?;
            answer(
                json,
                "officer_id",
                added.id.0.clone().into(),
                format!("officer {} added ({})", added.id.0, role.as_str()),
            )
        }
        OfficerCommand::SetLimit {
            officer,
            supervisor,
            amount,
        } => {
            let mut v = signed_in(&officer)?;
            let id = officer_id(&v, &supervisor)?;
            let request = SetApprovalLimitRequest {
                officer_id: id.0,
                amount,
            };
            officers::set_approval_limit(&mut v, &request, now)?;
            say("approval limit set")
        }
        OfficerCommand::Disable { officer, who } => {
            let mut v = signed_in(&officer)?;
            let id = officer_id(&v, &who)?;
            v.set_officer_disabled(&id, true, now)?;
            say("officer disabled; their key entry is removed and the data key was rotated")
        }
    }
}

pub(super) fn client(cmd: ClientCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    match cmd {
        ClientCommand::Add {
            officer,
            form,
            json,
        } => {
            let mut v = signed_in(&officer)?;
            let form: ClientForm = read_form(&form)?;
            let id = clients::create(&mut v, &form, now)?;
            answer(
                json,
                "client_id",
                id.clone().into(),
                format!("client {id} registered"),
            )
        }
        ClientCommand::Export {
            client,
            officer,
            out,
            force,
            json,
        } => super::consent::export(client, officer, out, force, json),
    }
}

pub(super) fn application(cmd: ApplicationCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    match cmd {
        ApplicationCommand::Create {
            officer,
            client,
            form,
            json,
        } => {
            let mut v = signed_in(&officer)?;
            let form: ApplicationForm = read_form(&form)?;
            let client_id = v
                .client_id_by_iin(&client)?
                .map(vault::ClientId::into_string)
                .unwrap_or(client);
            let id =
                applications::create(&mut v, &ApplicationCreateRequest { client_id, form }, now)?;
            answer(
                json,
                "application_id",
                id.clone().into(),
                format!("draft application {id} created"),
            )
        }
        ApplicationCommand::Submit {
            officer,
            id,
            form,
            json,
        } => {
            let mut v = signed_in(&officer)?;
            let form = match form {
                Some(path) => read_form(&path)?,
                None => applications::view(&v, &id, now)?.form,
            };
            applications::submit(
                &mut v,
                &ApplicationSaveRequest {
                    id: id.clone(),
                    form,
                },
                now,
            )?;
            answer(
                json,
                "stage",
                "submitted".into(),
                format!("application {id} submitted"),
            )
        }
        ApplicationCommand::Decide {
            officer,
            id,
            step,
            reason,
            json,
        } => {
            if matches!(step, Step::Submit | Step::Revise) {
                return Err(Refusal::new(
                    ErrorCode::InvalidInput,
                    "submit with `application submit`; a revision is made in the window",
                ));
            }
            let mut v = signed_in(&officer)?;
            let stage = applications::step(
                &mut v,
                &ApplicationStepRequest {
                    id: id.clone(),
                    step,
                    reason,
                },
                now,
            )?;
            let stage_text = stage.as_str();
            answer(
                json,
                "stage",
                stage_text.into(),
                format!("application {id}: {stage_text}"),
            )
        }
    }
}
