//! The headless command line of the same binary: `branchdesk <subcommand>` never touches a display.
//! Exit status: 0 = ok, 1 = refused or invalid (reason on stderr or in the JSON), 2 = usage error.
//! Passphrases are read from standard input, one per line, never from arguments or the environment.

use std::ffi::OsString;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;
use vault::{BackupKey, BackupTo, Keychain, OfficerId, Passphrase, Vault, VaultError, VaultState};

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
    Vault(VaultCommand),
    /// Repayment schedule, total cost and ГЭСВ for a loan, checked against the product and caps.
    Quote(crate::quote::QuoteArgs),
    /// ИИН checks.
    #[command(subcommand)]
    Iin(IinCommand),
    /// Prints a document to a PDF file: the privacy policy, a consent form or a loan offer.
    #[command(subcommand)]
    Print(PrintCommand),
}

#[derive(Subcommand, Debug)]
enum PrintCommand {
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

#[derive(Subcommand, Debug)]
enum IinCommand {
    /// Checks an IIN's check digit, century digit and birth date; prints the birth date and sex.
    Check {
        iin: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum VaultCommand {
    /// Says whether this desk has a vault and which officers can unlock it (no passphrase needed).
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Creates the vault with its first administrator; the passphrase is read from stdin.
    Init {
        /// The administrator's full name.
        #[arg(long)]
        admin: String,
        /// Head office's age recipient (age1…) for the recovery wrap.
        #[arg(long)]
        recovery: Option<String>,
        /// Keep the device secret in a file in the data folder because there is no OS keychain.
        #[arg(long)]
        file_keychain: bool,
    },
    /// Checks that an officer's passphrase (stdin) unlocks the vault; changes nothing.
    UnlockTest {
        /// The officer's name or id.
        #[arg(long)]
        officer: String,
    },
    /// Verifies the audit chain and names the first broken entry; needs an administrator.
    VerifyAudit {
        #[arg(long)]
        officer: String,
        #[arg(long)]
        json: bool,
    },
    /// Writes an encrypted backup; needs an administrator (passphrase on stdin's first line).
    Backup {
        #[arg(long)]
        officer: String,
        /// Where to write the backup.
        #[arg(long)]
        out: PathBuf,
        /// Encrypt to this age recipient (head office); repeatable.
        #[arg(long = "to", required_unless_present = "to_passphrase")]
        to: Vec<String>,
        /// Encrypt to a backup passphrase instead (stdin's second line).
        #[arg(long, conflicts_with = "to")]
        to_passphrase: bool,
    },
    /// Restores a backup into this desk's data folder.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Head office's age identity file; without it the backup passphrase is read from stdin.
        #[arg(long)]
        identity: Option<PathBuf>,
        /// Replace an existing vault (it is moved aside, never deleted).
        #[arg(long)]
        replace: bool,
        /// Keep the device secret in a file because there is no OS keychain.
        #[arg(long)]
        file_keychain: bool,
    },
}

#[derive(Serialize)]
struct StatusReport {
    data_dir: String,
    exists: bool,
    keychain: Option<String>,
    officers: Vec<String>,
}

/// What a subcommand failed with: a refusal (exit 1) with its reason.
pub(crate) struct Refusal(pub String);

impl From<VaultError> for Refusal {
    fn from(e: VaultError) -> Self {
        Refusal(match e {
            // Keep paths and SQL out of the message, as at the IPC edge.
            VaultError::Io(_) => "file access failed".into(),
            VaultError::Db(_) => "database error".into(),
            other => other.to_string(),
        })
    }
}

impl From<crate::paths::PathError> for Refusal {
    fn from(e: crate::paths::PathError) -> Self {
        Refusal(e.to_string())
    }
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
    let result = match cli.command {
        Command::Vault(cmd) => vault_command(cmd),
        Command::Quote(args) => crate::quote::run(&args).map_err(Refusal),
        Command::Iin(IinCommand::Check { iin, json }) => iin_check(&iin, json),
        Command::Print(cmd) => print_command(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refusal(why)) => {
            eprintln!("branchdesk: {why}");
            ExitCode::FAILURE
        }
    }
}

fn read_passphrases(n: usize) -> Result<Vec<Passphrase>, Refusal> {
    let stdin = std::io::stdin();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|_| Refusal("cannot read the passphrase from stdin".into()))?;
        let text = line.trim_end_matches(['\n', '\r']).to_owned();
        zeroize::Zeroize::zeroize(&mut line);
        if text.is_empty() {
            return Err(Refusal("expected a passphrase on stdin".into()));
        }
        out.push(Passphrase::new(text));
    }
    Ok(out)
}

fn keychain(data_dir: &std::path::Path, file: bool) -> Result<Keychain, Refusal> {
    if file {
        return Ok(Keychain::file(data_dir));
    }
    Keychain::os().map_err(|e| {
        Refusal(format!(
            "{e}; pass --file-keychain to keep the device secret in a file instead"
        ))
    })
}

fn find_officer(officers: &[(OfficerId, String)], who: &str) -> Result<OfficerId, Refusal> {
    let hits: Vec<&OfficerId> = officers
        .iter()
        .filter(|(id, name)| id.0 == who || name == who)
        .map(|(id, _)| id)
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Refusal(format!("no officer named {who:?} in this vault"))),
        _ => Err(Refusal(format!(
            "several officers are named {who:?}; use the id"
        ))),
    }
}

fn unlock(officer: &str, passphrase: &Passphrase) -> Result<Vault, Refusal> {
    let data_dir = crate::paths::data_dir()?;
    let dir = crate::paths::vault_dir(&data_dir);
    let (officers, backend) = match dir.state()? {
        VaultState::Present { officers, keychain } => (officers, keychain),
        VaultState::Missing => return Err(VaultError::Missing.into()),
    };
    let id = find_officer(&officers, officer)?;
    let keychain = Keychain::for_backend(backend, &data_dir)?;
    Ok(Vault::unlock(&dir, &keychain, &id, passphrase)?)
}

fn vault_command(cmd: VaultCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    match cmd {
        VaultCommand::Status { json } => status(json),
        VaultCommand::Init {
            admin,
            recovery,
            file_keychain,
        } => {
            let data_dir = crate::paths::data_dir()?;
            let recovery = recovery
                .map(|r| r.trim().parse::<age::x25519::Recipient>())
                .transpose()
                .map_err(|_| Refusal("--recovery is not an age recipient (age1…)".into()))?;
            let keychain = keychain(&data_dir, file_keychain)?;
            let [pass] = <[Passphrase; 1]>::try_from(read_passphrases(1)?)
                .map_err(|_| Refusal("passphrase".into()))?;
            let v = Vault::create(
                &crate::paths::vault_dir(&data_dir),
                &keychain,
                &admin,
                &pass,
                recovery.as_ref(),
                now,
            )?;
            println!(
                "vault created in {}; administrator: {}",
                data_dir.display(),
                v.officer().name
            );
            Ok(())
        }
        VaultCommand::UnlockTest { officer } => {
            let [pass] = <[Passphrase; 1]>::try_from(read_passphrases(1)?)
                .map_err(|_| Refusal("passphrase".into()))?;
            let v = unlock(&officer, &pass)?;
            println!(
                "ok: {} ({}) unlocks the vault",
                v.officer().name,
                v.officer().role.as_str()
            );
            Ok(())
        }
        VaultCommand::VerifyAudit { officer, json } => {
            let [pass] = <[Passphrase; 1]>::try_from(read_passphrases(1)?)
                .map_err(|_| Refusal("passphrase".into()))?;
            let v = unlock(&officer, &pass)?;
            if v.officer().role != vault::Role::Admin {
                return Err(VaultError::Forbidden.into());
            }
            let entries = v.audit_len()?;
            let broken = v.first_broken_audit_entry()?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "entries": entries, "intact": broken.is_none(), "first_broken": broken })
                );
            }
            match broken {
                None => {
                    if !json {
                        println!("audit chain intact: {entries} entries");
                    }
                    Ok(())
                }
                Some(seq) => Err(Refusal(format!(
                    "audit chain broken at entry {seq} of {entries}"
                ))),
            }
        }
        VaultCommand::Backup {
            officer,
            out,
            to,
            to_passphrase,
        } => {
            let passes = read_passphrases(if to_passphrase { 2 } else { 1 })?;
            let mut v = unlock(&officer, &passes[0])?;
            if to_passphrase {
                v.backup(&out, BackupTo::Passphrase(&passes[1]), now)?;
            } else {
                let recipients = to
                    .iter()
                    .map(|r| r.trim().parse::<age::x25519::Recipient>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| Refusal("--to is not an age recipient (age1…)".into()))?;
                v.backup(&out, BackupTo::Recipients(&recipients), now)?;
            }
            println!("backup written to {}", out.display());
            Ok(())
        }
        VaultCommand::Restore {
            from,
            identity,
            replace,
            file_keychain,
        } => {
            let data_dir = crate::paths::data_dir()?;
            let keychain = keychain(&data_dir, file_keychain)?;
            let dir = crate::paths::vault_dir(&data_dir);
            match identity {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|_| Refusal("cannot read the identity file".into()))?;
                    let id = text
                        .lines()
                        .map(str::trim)
                        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
                        .and_then(|l| l.parse::<age::x25519::Identity>().ok())
                        .ok_or_else(|| {
                            Refusal("the identity file holds no age X25519 identity".into())
                        })?;
                    vault::restore(
                        &from,
                        BackupKey::Identity(&id),
                        &dir,
                        &keychain,
                        replace,
                        now,
                    )?;
                }
                None => {
                    let passes = read_passphrases(1)?;
                    vault::restore(
                        &from,
                        BackupKey::Passphrase(&passes[0]),
                        &dir,
                        &keychain,
                        replace,
                        now,
                    )?;
                }
            }
            println!("vault restored into {}", data_dir.display());
            Ok(())
        }
    }
}

fn print_command(cmd: PrintCommand) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    let signed_in = |officer: &str| -> Result<Vault, Refusal> {
        let [pass] = <[Passphrase; 1]>::try_from(read_passphrases(1)?)
            .map_err(|_| Refusal("passphrase".into()))?;
        unlock(officer, &pass)
    };
    let refused = |e: crate::error::CommandError| Refusal(e.message);
    let (out, record, pdf) = match cmd {
        PrintCommand::Policy { out, officer: None } => {
            let policy = crate::documents::policy_in_force(now).map_err(refused)?;
            let pdf = print::Document::Policy(policy)
                .render(None)
                .map_err(|e| Refusal(e.to_string()))?;
            (out, None, pdf)
        }
        PrintCommand::Policy {
            out,
            officer: Some(officer),
        } => {
            let mut v = signed_in(&officer)?;
            let (r, pdf) = crate::documents::issue_policy(&mut v, None, now).map_err(refused)?;
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
            let (r, pdf) = crate::documents::issue_consent(&mut v, &id, now).map_err(refused)?;
            (out, Some(r), pdf)
        }
        PrintCommand::Offer {
            out,
            officer,
            application,
        } => {
            let mut v = signed_in(&officer)?;
            let (r, pdf) =
                crate::documents::issue_offer(&mut v, &application, now).map_err(refused)?;
            (out, Some(r), pdf)
        }
    };
    std::fs::write(&out, &pdf)
        .map_err(|e| Refusal(format!("cannot write {}: {e}", out.display())))?;
    match record {
        Some(r) => println!(
            "issued {} {} on {}: {} ({} bytes, sha256 {})",
            r.kind,
            r.id,
            r.issued_at,
            out.display(),
            pdf.len(),
            r.pdf_sha256
        ),
        None => println!(
            "reference copy of the policy: {} ({} bytes)",
            out.display(),
            pdf.len()
        ),
    }
    Ok(())
}

fn iin_check(text: &str, json: bool) -> Result<(), Refusal> {
    match domain::Iin::parse(text) {
        Ok(iin) => {
            let sex = match iin.sex() {
                domain::Sex::Male => "male",
                domain::Sex::Female => "female",
            };
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "valid": true, "iin": iin.as_str(), "birth_date": iin.birth_date(), "sex": sex })
                );
            } else {
                println!(
                    "valid: born {}, {sex}",
                    domain::date::format_date(iin.birth_date())
                );
            }
            Ok(())
        }
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "valid": false, "reason": e.to_string() })
                );
            }
            Err(Refusal(format!("invalid IIN: {e}")))
        }
    }
}

fn status(json: bool) -> Result<(), Refusal> {
    let data_dir = crate::paths::data_dir()?;
    let state = crate::paths::vault_dir(&data_dir).state()?;
    let report = match state {
        VaultState::Missing => StatusReport {
            data_dir: data_dir.display().to_string(),
            exists: false,
            keychain: None,
            officers: Vec::new(),
        },
        VaultState::Present { officers, keychain } => StatusReport {
            data_dir: data_dir.display().to_string(),
            exists: true,
            keychain: Some(keychain.as_str().to_owned()),
            officers: officers.into_iter().map(|(_, name)| name).collect(),
        },
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| Refusal(e.to_string()))?
        );
    } else if report.exists {
        println!("vault: {}/vault", report.data_dir);
        println!(
            "device secret kept in: {}",
            report.keychain.as_deref().unwrap_or("?")
        );
        println!("officers: {}", report.officers.join(", "));
    } else {
        println!(
            "no vault yet in {} (open the app, or run `branchdesk vault init`)",
            report.data_dir
        );
    }
    Ok(())
}
