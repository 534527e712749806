//! The headless command line of the same binary: `branchdesk <subcommand>` never touches a display.
//! Exit status: 0 = ok, 1 = refused or invalid (reason on stderr or in the JSON), 2 = usage error.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;
use vault::VaultState;

#[derive(Parser, Debug)]
#[command(
    name = "branchdesk",
    version,
    about = "Branch Desk: the loan officer's desk of ТОО «МФО «SM INVEST»».",
    long_about = "Branch Desk: the loan officer's desk of ТОО «МФО «SM INVEST»».\n\
                  Run without arguments to open the desk's window; with a subcommand it works headless.",
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
    Vault(VaultCommand),
}

#[derive(Subcommand, Debug)]
enum VaultCommand {
    /// Says whether this desk has a vault and which officers can unlock it (no passphrase needed).
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct StatusReport {
    data_dir: String,
    exists: bool,
    officers: Vec<String>,
}

/// Parses `args` (program name first) and runs the subcommand.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Vault(VaultCommand::Status { json }) => vault_status(json),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("branchdesk: {message}");
    ExitCode::FAILURE
}

fn vault_status(json: bool) -> ExitCode {
    let data_dir = match crate::paths::data_dir() {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let state = match crate::paths::vault_dir(&data_dir).state() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let report = StatusReport {
        data_dir: data_dir.display().to_string(),
        exists: state != VaultState::Missing,
        officers: match state {
            VaultState::Missing => Vec::new(),
            VaultState::Present(o) => o.into_iter().map(|(_, name)| name).collect(),
        },
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail(e),
        }
    } else if report.exists {
        println!("vault: {}/vault", report.data_dir);
        println!("officers: {}", report.officers.join(", "));
    } else {
        println!(
            "no vault yet in {} (open the app to create one)",
            report.data_dir
        );
    }
    ExitCode::SUCCESS
}
