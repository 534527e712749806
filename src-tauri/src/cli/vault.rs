//! `branchdesk vault …`: the desk's encrypted vault from the command line: status, init,
//! unlock-test, verify-audit, rekey, backup, restore and recovery with head office's key. One function per verb; each reads its
//! passphrases from stdin and reports through the shared output (`super::say`), so a refusal is
//! text or JSON the same way as every other verb's.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;
use vault::{
    AnchorCheck, AuditReport, BackupKey, BackupTo, HeadOfficeCheck, Keychain, OfficerId, Vault,
    VaultError, VaultState,
};

use super::{Refusal, read_passphrase, read_passphrases, say, say_json, unlock};
use crate::error::ErrorCode;

#[derive(Subcommand, Debug)]
pub(super) enum VaultCommand {
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
    /// Rotates the data key: the vault is re-encrypted under a new key given to every active
    /// officer and to head office; needs an administrator (passphrase on stdin).
    Rekey {
        #[arg(long)]
        officer: String,
    },
    /// Recovers a desk whose keychain lost its secret (or whose administrator forgot the
    /// passphrase) with head office's recovery key: the administrator's new passphrase is read
    /// from stdin. When the device secret was lost, every other officer needs a new passphrase.
    Recover {
        /// Head office's age identity file (AGE-SECRET-KEY-1…).
        #[arg(long)]
        identity: PathBuf,
        /// The administrator to recover as (name or id); default: the first administrator.
        #[arg(long)]
        officer: Option<String>,
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
        /// Replace `--out` if it exists.
        #[arg(long)]
        force: bool,
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

/// Runs one `vault` verb.
pub(super) fn run(cmd: VaultCommand) -> Result<(), Refusal> {
    match cmd {
        VaultCommand::Status { json } => status(json),
        VaultCommand::Init {
            admin,
            recovery,
            file_keychain,
        } => init(&admin, recovery.as_deref(), file_keychain),
        VaultCommand::UnlockTest { officer } => unlock_test(&officer),
        VaultCommand::VerifyAudit { officer, json } => verify_audit(&officer, json),
        VaultCommand::Rekey { officer } => rekey(&officer),
        VaultCommand::Recover { identity, officer } => recover(&identity, officer.as_deref()),
        VaultCommand::Backup {
            officer,
            out,
            to,
            to_passphrase,
            force,
        } => backup(&officer, &out, &to, to_passphrase, force),
        VaultCommand::Restore {
            from,
            identity,
            replace,
            file_keychain,
        } => restore(&from, identity.as_deref(), replace, file_keychain),
    }
}

#[derive(Serialize)]
struct StatusReport {
    data_dir: String,
    exists: bool,
    keychain: Option<String>,
    officers: Vec<String>,
}

/// The keychain a new vault keeps its device secret in. Also makes the data folder owner-only
/// (0700), since a new vault is about to be written into it.
fn keychain(data_dir: &Path, file: bool) -> Result<Keychain, Refusal> {
    vault::files::private_dir(data_dir).map_err(|e| {
        Refusal::new(
            ErrorCode::SaveFailed,
            format!("cannot prepare {}: {e}", data_dir.display()),
        )
    })?;
    if file {
        return Ok(Keychain::file(data_dir));
    }
    Keychain::os().map_err(|e| {
        Refusal::new(
            ErrorCode::KeychainUnavailable,
            format!("{e}; pass --file-keychain to keep the device secret in a file instead"),
        )
    })
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
        VaultState::Present { keychain: backend } => {
            // Names are sealed under the device secret: without it, say so instead of failing.
            let officers = Keychain::for_backend(backend, &data_dir)
                .and_then(|k| crate::paths::vault_dir(&data_dir).roster(&k))
                .map(|r| r.into_iter().map(|(_, name)| name).collect())
                .unwrap_or_else(|e| vec![format!("(unreadable: {e})")]);
            StatusReport {
                data_dir: data_dir.display().to_string(),
                exists: true,
                keychain: Some(backend.as_str().to_owned()),
                officers,
            }
        }
    };
    if json {
        say_json(&report)
    } else if report.exists {
        say(format_args!("vault: {}/vault", report.data_dir))?;
        say(format_args!(
            "device secret kept in: {}",
            report.keychain.as_deref().unwrap_or("?")
        ))?;
        say(format_args!("officers: {}", report.officers.join(", ")))
    } else {
        say(format_args!(
            "no vault yet in {} (open the app, or run `branchdesk vault init`)",
            report.data_dir
        ))
    }
}

fn init(admin: &str, recovery: Option<&str>, file_keychain: bool) -> Result<(), Refusal> {
    let data_dir = crate::paths::data_dir()?;
    let recovery = recovery
        .map(|r| r.trim().parse::<age::x25519::Recipient>())
        .transpose()
        .map_err(|_| {
            Refusal::new(
                ErrorCode::InvalidInput,
                "--recovery is not an age recipient (age1…)",
            )
        })?;
    let keychain = keychain(&data_dir, file_keychain)?;
    let pass = read_passphrase()?;
    let v = Vault::create(
        &crate::paths::vault_dir(&data_dir),
        &keychain,
        admin,
        &pass,
        recovery.as_ref(),
        chrono::Utc::now(),
    )?;
    say(format_args!(
        "vault created in {}; administrator: {}",
        data_dir.display(),
        v.officer().name
    ))
}

fn unlock_test(officer: &str) -> Result<(), Refusal> {
    let pass = read_passphrase()?;
    let v = unlock(officer, &pass)?;
    say(format_args!(
        "ok: {} ({}) unlocks the vault",
        v.officer().name,
        v.officer().role.as_str()
    ))
}

fn verify_audit(officer: &str, json: bool) -> Result<(), Refusal> {
    let pass = read_passphrase()?;
    let v = unlock(officer, &pass)?;
    if v.officer().role != vault::Role::Admin {
        return Err(VaultError::Forbidden.into());
    }
    let report = v.verify_audit()?;
    match audit_problem(&report) {
        // With --json a broken chain is the refusal's one object (code `vault_damaged`).
        None if json => say(serde_json::json!({
            "entries": report.entries,
            "intact": true,
            "first_broken": null,
            "anchored": anchored_seq(&report.anchor),
            "head_office_acknowledged": acknowledged_seq(report.head_office.as_ref()),
        })),
        None => say(format_args!(
            "audit chain intact: {} entries, signed head at entry {}{}",
            report.entries,
            anchored_seq(&report.anchor).unwrap_or(0),
            match acknowledged_seq(report.head_office.as_ref()) {
                Some(seq) => format!(", head office acknowledged entry {seq}"),
                None => String::new(),
            }
        )),
        Some(problem) => Err(Refusal::new(ErrorCode::VaultDamaged, problem)),
    }
}

fn anchored_seq(anchor: &AnchorCheck) -> Option<i64> {
    match anchor {
        AnchorCheck::Matches { seq } | AnchorCheck::Ahead { seq, .. } => Some(*seq),
        _ => None,
    }
}

fn acknowledged_seq(check: Option<&HeadOfficeCheck>) -> Option<i64> {
    match check {
        Some(HeadOfficeCheck::Matches { seq }) => Some(*seq),
        _ => None,
    }
}

/// What is wrong with the chain, in words, or `None` when it is intact.
fn audit_problem(report: &AuditReport) -> Option<String> {
    let entries = report.entries;
    if let Some(seq) = report.first_broken {
        return Some(format!(
            "audit chain broken at entry {seq} of {entries}: an entry was changed, removed or reordered"
        ));
    }
    match &report.anchor {
        AnchorCheck::Matches { .. } | AnchorCheck::Ahead { .. } => None,
        AnchorCheck::Truncated { anchored, last_seq } => Some(format!(
            "audit chain cut short: the signed head is entry {anchored} but the chain now ends at entry {last_seq}"
        )),
        AnchorCheck::Rewritten { seq } => Some(format!(
            "audit history rewritten: entry {seq} differs from the signed head in vault.keys"
        )),
        AnchorCheck::BadSignature => {
            Some("the audit head in vault.keys is not signed by this desk's key".to_owned())
        }
        AnchorCheck::Missing => {
            return Some("the signed audit head is missing from vault.keys".to_owned());
        }
    }
    .or_else(|| match report.head_office {
        None | Some(HeadOfficeCheck::Matches { .. }) => None,
        Some(HeadOfficeCheck::Truncated {
            acknowledged,
            last_seq,
        }) => Some(format!(
            "audit chain cut short: head office acknowledged entry {acknowledged} but the chain now ends at entry {last_seq}"
        )),
        Some(HeadOfficeCheck::Rewritten { seq }) => Some(format!(
            "audit history rewritten: entry {seq} differs from the one head office acknowledged"
        )),
    })
}

fn rekey(officer: &str) -> Result<(), Refusal> {
    let pass = read_passphrase()?;
    let mut v = unlock(officer, &pass)?;
    let report = v.rekey(chrono::Utc::now())?;
    say(format_args!(
        "data key rotated; head office's recovery copy {}",
        if report.recovery_renewed {
            "renewed"
        } else {
            "not renewed (no recovery key on this desk)"
        }
    ))?;
    if !report.need_new_passphrase.is_empty() {
        say(format_args!(
            "these officers need a new passphrase from an administrator: {}",
            report
                .need_new_passphrase
                .iter()
                .map(|o| o.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
    }
    Ok(())
}

/// Reads head office's age identity from a file (the first `AGE-SECRET-KEY-` line).
fn read_identity(path: &Path) -> Result<age::x25519::Identity, Refusal> {
    let text = std::fs::read_to_string(path)
        .map_err(|_| Refusal::new(ErrorCode::InvalidInput, "cannot read the identity file"))?;
    vault::Passphrase::new(text).age_identity().map_err(|_| {
        Refusal::new(
            ErrorCode::BackupKey,
            "the identity file holds no age X25519 identity",
        )
    })
}

fn recover(identity: &Path, officer: Option<&str>) -> Result<(), Refusal> {
    let identity = read_identity(identity)?;
    let data_dir = crate::paths::data_dir()?;
    let dir = crate::paths::vault_dir(&data_dir);
    let keychain = dir.keychain(&data_dir)?;
    // Names are sealed under the device secret; when it is gone an id still names the officer.
    let admin = match officer {
        None => None,
        Some(who) => Some(match dir.roster(&keychain) {
            Ok(roster) => super::find_officer(&roster, who)?,
            Err(VaultError::DeviceSecretMissing) => OfficerId(who.to_owned()),
            Err(e) => return Err(e.into()),
        }),
    };
    let pass = read_passphrase()?;
    let v = Vault::recover(
        &dir,
        &keychain,
        &identity,
        admin.as_ref(),
        &pass,
        chrono::Utc::now(),
    )?;
    say(format_args!(
        "desk recovered: {} has the new passphrase; give the other officers new passphrases",
        v.officer().name
    ))
}

fn backup(
    officer: &str,
    out: &Path,
    to: &[String],
    to_passphrase: bool,
    force: bool,
) -> Result<(), Refusal> {
    super::check_out(out, force)?;
    let now = chrono::Utc::now();
    let passes = read_passphrases(if to_passphrase { 2 } else { 1 })?;
    let mut v = unlock(officer, &passes[0])?;
    if to_passphrase {
        v.backup(out, BackupTo::Passphrase(&passes[1]), now)?;
    } else {
        let recipients = to
            .iter()
            .map(|r| r.trim().parse::<age::x25519::Recipient>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                Refusal::new(
                    ErrorCode::InvalidInput,
                    "--to is not an age recipient (age1…)",
                )
            })?;
        v.backup(out, BackupTo::Recipients(&recipients), now)?;
    }
    say(format_args!("backup written to {}", out.display()))
}

fn restore(
    from: &Path,
    identity: Option<&Path>,
    replace: bool,
    file_keychain: bool,
) -> Result<(), Refusal> {
    let now = chrono::Utc::now();
    let data_dir = crate::paths::data_dir()?;
    let keychain = keychain(&data_dir, file_keychain)?;
    let dir = crate::paths::vault_dir(&data_dir);
    let report = match identity {
        Some(path) => {
            let id = read_identity(path)?;
            vault::restore(
                from,
                BackupKey::Identity(&id),
                &dir,
                &keychain,
                replace,
                now,
            )?
        }
        None => {
            let pass = read_passphrase()?;
            vault::restore(
                from,
                BackupKey::Passphrase(&pass),
                &dir,
                &keychain,
                replace,
                now,
            )?
        }
    };
    say(format_args!(
        "vault {} restored into {}\nbackup made {} by officer {} on the desk whose key is {}",
        report.vault_id,
        data_dir.display(),
        report.created_at,
        report.made_by,
        report.desk_key
    ))
}
