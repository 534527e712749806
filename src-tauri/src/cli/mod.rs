//! The headless command line of the same binary: `branchdesk <subcommand>` never touches a display.
//! Exit status: 0 = ok, 1 = refused or invalid (reason on stderr or in the JSON), 2 = usage error.
//! Passphrases are read from standard input, one per line, never from arguments or the environment.
//!
//! This module parses the command line, dispatches to one module per area (`vault`, `print`, …),
//! and owns what every verb shares: the refusal (`Refusal`, carrying the same closed error codes as
//! the window's IPC edge), how a refusal is reported (text on stderr, or with `--json` one object
//! `{"ok":false,"code":…,"message":…}` on stdout), the standard output every verb writes through
//! (a reader that stops early, as in `branchdesk quote | head`, ends the process quietly instead of
//! a panic), and signing an officer in with a passphrase from stdin.

mod consent;
mod print;
mod records;
mod sync;
mod vault;
mod verify;

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::process::ExitCode;

use ::vault::{OfficerId, Passphrase, Vault, VaultError};
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use serde::Serialize;

use crate::error::{CommandError, ErrorCode};

/// Exit status of a refused or invalid request.
const EXIT_REFUSED: u8 = 1;
/// Exit status of a command line that does not parse.
const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "branchdesk",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("BRANCHDESK_GIT_COMMIT"), ")"),
    about = "Branch Desk: the loan officer's desk of ТОО «МФО «SM INVEST»».",
    long_about = "Branch Desk: the loan officer's desk of ТОО «МФО «SM INVEST»».\n\
                  Run without arguments to open the desk's window; with a subcommand it works headless.\n\
                  Exit status: 0 ok, 1 refused or invalid, 2 usage error.",
    subcommand_required = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The desk's encrypted vault.
    #[command(subcommand)]
    Vault(vault::VaultCommand),
    /// Repayment schedule, total cost and ГЭСВ for a loan, checked against the product and caps.
    Quote(crate::quote::QuoteArgs),
    /// ИИН checks.
    #[command(subcommand)]
    Iin(IinCommand),
    /// Prints a document to a PDF file: the privacy policy, a consent form or a loan offer.
    #[command(subcommand)]
    Print(print::PrintCommand),
    /// Manages the desk's officers (administrators).
    #[command(subcommand)]
    Officer(records::OfficerCommand),
    /// Registers clients (same checks as the window).
    #[command(subcommand)]
    Client(records::ClientCommand),
    /// Takes an application through its steps (same rules as the window).
    #[command(subcommand)]
    Application(records::ApplicationCommand),
    /// A client's consent: show, receipt, record, withdraw (same rules as the window).
    #[command(subcommand)]
    Consent(consent::ConsentCommand),
    /// Sync with head office: enrol, sync now, status, the outbox.
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// Identity documents' machine-readable zones (ICAO 9303).
    #[command(subcommand)]
    Mrz(MrzCommand),
    /// Is a file what it says? A Branch Desk printout (PDF or its QR text), or a signed PDF or
    /// CMS file (RSA, ECDSA, Kazakh GOST). Needs no vault.
    Verify(verify::VerifyArgs),
}

#[derive(Subcommand, Debug)]
enum MrzCommand {
    /// Reads a zone and checks every check digit and the expiry.
    Check(verify::MrzCheckArgs),
}

#[derive(Subcommand, Debug)]
enum IinCommand {
    /// Checks an IIN's check digit, century digit and birth date; prints the birth date and sex.
    Check {
        iin: String,
        #[arg(long)]
        json: bool,
    },
}

/// Why a subcommand did not finish: refused (exit 1, with the reason), or its reader went away.
pub(crate) enum Refusal {
    /// Refused or invalid, with the same closed code the window receives for the same problem.
    Refused(CommandError),
    /// Standard output was closed by its reader (`| head`): stop quietly, nothing to report.
    OutputClosed,
    /// The verb printed its report of an invalid result (a document that is not authentic):
    /// exit 1 with nothing more to say.
    Reported,
}

impl Refusal {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Refusal::Refused(CommandError::new(code, message))
    }
}

impl From<CommandError> for Refusal {
    fn from(e: CommandError) -> Self {
        Refusal::Refused(e)
    }
}

impl From<VaultError> for Refusal {
    fn from(e: VaultError) -> Self {
        // The code is the IPC edge's; the message keeps the vault's own words (the keychain's
        // detail helps at a terminal) except paths and SQL, kept out as at the IPC edge.
        let message = match &e {
            VaultError::Io(_) => "file access failed".to_owned(),
            VaultError::Db(_) => "database error".to_owned(),
            other => other.to_string(),
        };
        let mut error = CommandError::from(e);
        error.message = message;
        Refusal::Refused(error)
    }
}

impl From<crate::paths::PathError> for Refusal {
    fn from(e: crate::paths::PathError) -> Self {
        Refusal::new(ErrorCode::InvalidInput, e.to_string())
    }
}

/// Parses `args` (program name first) and runs the subcommand.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, wants_json(&matches))));
    let (cli, json) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // --help and --version arrive here too; they are not errors.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Vault(cmd) => vault::run(cmd),
        Command::Quote(args) => crate::quote::run(&args),
        Command::Iin(IinCommand::Check { iin, json }) => iin_check(&iin, json),
        Command::Print(cmd) => print::run(cmd),
        Command::Officer(cmd) => records::officer(cmd),
        Command::Client(cmd) => records::client(cmd),
        Command::Application(cmd) => records::application(cmd),
        Command::Consent(cmd) => consent::run(cmd),
        Command::Sync(cmd) => sync::run(cmd),
        Command::Mrz(MrzCommand::Check(args)) => verify::mrz_check(&args),
        Command::Verify(args) => verify::run(&args),
    };
    match result {
        Ok(()) | Err(Refusal::OutputClosed) => ExitCode::SUCCESS,
        Err(Refusal::Reported) => ExitCode::from(EXIT_REFUSED),
        Err(Refusal::Refused(error)) => {
            report_refusal(&error, json);
            ExitCode::from(EXIT_REFUSED)
        }
    }
}

/// Whether the subcommand that runs was given `--json` (any verb that has the flag).
fn wants_json(matches: &ArgMatches) -> bool {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    matches!(leaf.try_get_one::<bool>("json"), Ok(Some(true)))
}

/// A refusal as JSON on stdout: `{"ok":false,"code":…,"message":…,"field"?:…}`.
#[derive(Serialize)]
struct RefusalReport<'a> {
    ok: bool,
    #[serde(flatten)]
    error: &'a CommandError,
}

/// Reports a refusal: one JSON object on stdout with `--json`, else the reason on stderr.
fn report_refusal(error: &CommandError, json: bool) {
    if json {
        let report = RefusalReport { ok: false, error };
        if let Ok(text) = serde_json::to_string(&report) {
            // A closed stdout leaves nobody to tell.
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            return;
        }
    }
    let _ = writeln!(std::io::stderr().lock(), "branchdesk: {}", error.message);
}

/// Writes one line of a verb's output to stdout. A reader that went away ends the verb quietly
/// (`Refusal::OutputClosed`), any other failure to write is a refusal; never a panic.
pub(crate) fn say(text: impl std::fmt::Display) -> Result<(), Refusal> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Refusal::OutputClosed,
            _ => Refusal::new(ErrorCode::Internal, "cannot write to standard output"),
        })
}

/// Writes a value as indented JSON to stdout (as `say`).
pub(crate) fn say_json(value: &impl Serialize) -> Result<(), Refusal> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Refusal::new(ErrorCode::Internal, e.to_string()))?;
    say(text)
}

/// Reads `n` passphrases from stdin, one per line.
pub(crate) fn read_passphrases(n: usize) -> Result<Vec<Passphrase>, Refusal> {
    let stdin = std::io::stdin();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|_| {
            Refusal::new(
                ErrorCode::InvalidInput,
                "cannot read the passphrase from stdin",
            )
        })?;
        let text = line.trim_end_matches(['\n', '\r']).to_owned();
        zeroize::Zeroize::zeroize(&mut line);
        if text.is_empty() {
            return Err(Refusal::new(
                ErrorCode::Required,
                "expected a passphrase on stdin",
            ));
        }
        out.push(Passphrase::new(text));
    }
    Ok(out)
}

/// Reads one passphrase from stdin.
pub(crate) fn read_passphrase() -> Result<Passphrase, Refusal> {
    read_passphrases(1)?
        .pop()
        .ok_or_else(|| Refusal::new(ErrorCode::Required, "expected a passphrase on stdin"))
}

/// Refuses an output path that is a symlink or a folder, or that exists without `--force`.
pub(crate) fn check_out(path: &std::path::Path, force: bool) -> Result<(), Refusal> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Refusal::new(
            ErrorCode::InvalidInput,
            format!("{} is a symbolic link; not written through", path.display()),
        )),
        Ok(m) if m.is_dir() => Err(Refusal::new(
            ErrorCode::InvalidInput,
            format!("{} is a folder", path.display()),
        )),
        Ok(_) if !force => Err(Refusal::new(
            ErrorCode::InvalidInput,
            format!("{} exists; pass --force to replace it", path.display()),
        )),
        _ => Ok(()),
    }
}

/// A consent scope on the command line: `privacy` or `credit-bureau`.
pub(crate) fn parse_scope(text: &str) -> Result<domain::consent::Scope, String> {
    domain::consent::Scope::parse(text)
        .ok_or_else(|| format!("{text:?} is not privacy or credit-bureau"))
}

/// The officer named `who` (by id or by full name).
pub(crate) fn find_officer(
    officers: &[(OfficerId, String)],
    who: &str,
) -> Result<OfficerId, Refusal> {
    let hits: Vec<&OfficerId> = officers
        .iter()
        .filter(|(id, name)| id.0 == who || name == who)
        .map(|(id, _)| id)
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Refusal::new(
            ErrorCode::UnknownOfficer,
            format!("no officer named {who:?} in this vault"),
        )),
        _ => Err(Refusal::new(
            ErrorCode::InvalidInput,
            format!("several officers are named {who:?}; use the id"),
        )),
    }
}

/// Opens the vault as `officer` with `passphrase`.
pub(crate) fn unlock(officer: &str, passphrase: &Passphrase) -> Result<Vault, Refusal> {
    let data_dir = crate::paths::data_dir()?;
    let dir = crate::paths::vault_dir(&data_dir);
    let keychain = dir.keychain(&data_dir)?;
    let id = find_officer(&dir.roster(&keychain)?, officer)?;
    Ok(Vault::unlock(
        &dir,
        &keychain,
        &id,
        passphrase,
        chrono::Utc::now(),
    )?)
}

/// Opens the vault as `officer`, whose passphrase is the first line of stdin.
pub(crate) fn signed_in(officer: &str) -> Result<Vault, Refusal> {
    let pass = read_passphrase()?;
    unlock(officer, &pass)
}

fn iin_check(text: &str, json: bool) -> Result<(), Refusal> {
    match domain::Iin::parse(text) {
        Ok(iin) => {
            let sex = match iin.sex() {
                domain::Sex::Male => "male",
                domain::Sex::Female => "female",
            };
            if json {
                say(
                    serde_json::json!({ "valid": true, "iin": iin.as_str(), "birth_date": iin.birth_date(), "sex": sex }),
                )
            } else {
                say(format_args!(
                    "valid: born {}, {sex}",
                    domain::date::format_date(iin.birth_date())
                ))
            }
        }
        Err(e) => Err(CommandError {
            code: crate::error::problem_code(domain::client::iin_problem(&e)),
            message: format!("invalid IIN: {e}"),
            field: Some("iin".to_owned()),
            limit: domain::client::iin_problem(&e).limit(),
        }
        .into()),
    }
}
