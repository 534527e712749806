//! The headless CLI in the same binary: runs with no display, exit codes 0 / 1 / 2.

use std::process::{Command, Output};

fn branchdesk(args: &[&str], data_dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_branchdesk"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("BRANCHDESK_DATA_DIR", data_dir)
        .output()
        .expect("run branchdesk")
}

#[test]
fn help_and_version_need_no_display() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let help = branchdesk(&["--help"], tmp.path());
    assert_eq!(help.status.code(), Some(0), "--help exits 0: {help:?}");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("Usage: branchdesk") && text.contains("vault"),
        "--help lists the subcommands: {text}"
    );

    let version = branchdesk(&["--version"], tmp.path());
    assert_eq!(version.status.code(), Some(0));
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let said = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    assert!(
        said.starts_with(concat!(
            "branchdesk ",
            env!("CARGO_PKG_VERSION"),
            " (commit "
        )),
        "--version names the package version and the commit: {said}"
    );
    if let Some(commit) = commit {
        assert_eq!(
            said,
            format!("branchdesk {} (commit {commit})", env!("CARGO_PKG_VERSION")),
            "the commit is the one the binary was built from"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = branchdesk(&["no-such-command"], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown subcommand is a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand"));
}

#[test]
fn vault_status_reports_a_missing_vault_as_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = branchdesk(&["vault", "status", "--json"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["exists"], false, "an empty data folder has no vault");
    assert!(
        !tmp.path().join("vault").exists(),
        "asking the status creates nothing"
    );
}

#[test]
fn a_relative_data_dir_override_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_branchdesk"))
        .args(["vault", "status"])
        .env_remove("DISPLAY")
        .env("BRANCHDESK_DATA_DIR", "relative/dir")
        .output()
        .expect("run branchdesk");
    assert_eq!(out.status.code(), Some(1), "a refused setting exits 1");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("absolute"),
        "{out:?}"
    );
}

fn branchdesk_with_stdin(args: &[&str], data_dir: &std::path::Path, stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_branchdesk"))
        .args(args)
        .env_remove("DISPLAY")
        .env("BRANCHDESK_DATA_DIR", data_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run branchdesk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

/// Head office's key pair, made with the reference age tool: the identity file and the recipient.
fn head_office_keys(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let identity = dir.join("hq.key");
    let keygen = Command::new("age-keygen")
        .arg("-o")
        .arg(&identity)
        .output()
        .expect("age-keygen (Debian package age)");
    assert!(keygen.status.success(), "{keygen:?}");
    let recipient = String::from_utf8_lossy(&keygen.stderr)
        .trim()
        .trim_start_matches("Public key: ")
        .to_owned();
    assert!(
        recipient.starts_with("age1"),
        "age-keygen prints the recipient: {recipient}"
    );
    (identity, recipient)
}

#[test]
fn vault_init_unlock_verify_backup_and_restore_headless() {
    let desk = tempfile::tempdir().expect("desk");
    let hq = tempfile::tempdir().expect("head office");
    let (identity, recipient) = head_office_keys(hq.path());

    let init = branchdesk_with_stdin(
        &[
            "vault",
            "init",
            "--admin",
            "Әлия Қасымова",
            "--recovery",
            &recipient,
            "--file-keychain",
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(init.status.code(), Some(0), "vault init: {init:?}");
    let again = branchdesk_with_stdin(
        &["vault", "init", "--admin", "Другой", "--file-keychain"],
        desk.path(),
        "другая фраза 123\n",
    );
    assert_eq!(again.status.code(), Some(1), "a second init is refused");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{again:?}"
    );

    let ok = branchdesk_with_stdin(
        &["vault", "unlock-test", "--officer", "Әлия Қасымова"],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let wrong = branchdesk_with_stdin(
        &["vault", "unlock-test", "--officer", "Әлия Қасымова"],
        desk.path(),
        "холодный чай\n",
    );
    assert_eq!(wrong.status.code(), Some(1), "a wrong passphrase exits 1");
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("passphrase is not right"),
        "{wrong:?}"
    );

    let verify = branchdesk_with_stdin(
        &[
            "vault",
            "verify-audit",
            "--officer",
            "Әлия Қасымова",
            "--json",
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
    let report: serde_json::Value = serde_json::from_slice(&verify.stdout).expect("JSON");
    assert_eq!(report["intact"], true);

    let backup = hq.path().join("desk.age");
    let out = branchdesk_with_stdin(
        &[
            "vault",
            "backup",
            "--officer",
            "Әлия Қасымова",
            "--out",
            backup.to_str().expect("utf-8"),
            "--to",
            &recipient,
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(out.status.code(), Some(0), "backup: {out:?}");

    let new_desk = tempfile::tempdir().expect("new desk");
    let restore_args = [
        "vault",
        "restore",
        "--from",
        backup.to_str().expect("utf-8"),
        "--identity",
        identity.to_str().expect("utf-8"),
        "--file-keychain",
    ];
    let restored = branchdesk_with_stdin(&restore_args, new_desk.path(), "");
    assert_eq!(restored.status.code(), Some(0), "restore: {restored:?}");
    let ok = branchdesk_with_stdin(
        &["vault", "unlock-test", "--officer", "Әлия Қасымова"],
        new_desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "the restored vault unlocks on the new desk: {ok:?}"
    );
    let refused = branchdesk_with_stdin(&restore_args, new_desk.path(), "");
    assert_eq!(
        refused.status.code(),
        Some(1),
        "restore refuses to overwrite without --replace"
    );
}

#[test]
fn quote_prints_the_schedule_and_refuses_with_the_rule() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = branchdesk(
        &[
            "quote",
            "--json",
            "--amount",
            "500000",
            "--term",
            "12",
            "--issue-date",
            "2026-11-25",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let q: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let payments = q["payments"].as_array().expect("payments");
    assert_eq!(payments.len(), 12);
    let principal: i64 = payments
        .iter()
        .map(|p| p["principal"]["tiyn"].as_i64().expect("tiyn"))
        .sum();
    assert_eq!(
        principal, 50_000_000,
        "the principal parts add up to the amount"
    );
    assert_eq!(payments[0]["date_text"], "25.12.2026");
    assert!(
        q["gesv_tenths_of_percent"].as_i64().expect("gesv")
            <= q["gesv_cap_tenths_of_percent"].as_i64().expect("cap")
    );
    assert!(q["gesv_text"].as_str().expect("text").ends_with(" %"));

    let refused = branchdesk(
        &[
            "quote",
            "--amount",
            "5000",
            "--term",
            "12",
            "--issue-date",
            "2026-11-25",
        ],
        tmp.path(),
    );
    assert_eq!(
        refused.status.code(),
        Some(1),
        "an amount below the product is refused"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("below the product's minimum of 50 000,00 ₸"),
        "{refused:?}"
    );
    let usage = branchdesk(&["quote", "--amount", "5000"], tmp.path());
    assert_eq!(
        usage.status.code(),
        Some(2),
        "a missing --term is a usage error"
    );
}

#[test]
fn iin_check_says_valid_or_why_not() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ok = branchdesk(&["iin", "check", "061211600012", "--json"], tmp.path());
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON");
    assert_eq!(v["birth_date"], "2006-12-11");
    assert_eq!(v["sex"], "female");
    let bad = branchdesk(&["iin", "check", "061211600013"], tmp.path());
    assert_eq!(bad.status.code(), Some(1), "a wrong check digit exits 1");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("check digit"),
        "{bad:?}"
    );
}

#[test]
fn print_writes_the_policy_the_same_in_every_process_and_issues_from_the_vault() {
    let desk = tempfile::tempdir().expect("desk");
    let out = tempfile::tempdir().expect("out");
    let a = out.path().join("a.pdf");
    let b = out.path().join("b.pdf");
    for path in [&a, &b] {
        let run = branchdesk(
            &["print", "policy", "--out", path.to_str().unwrap()],
            desk.path(),
        );
        assert_eq!(
            run.status.code(),
            Some(0),
            "a reference copy needs no vault: {run:?}"
        );
    }
    let (a_bytes, b_bytes) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(
        a_bytes == b_bytes,
        "two processes print byte-identical reference copies"
    );
    let text = Command::new("pdftotext")
        .arg(&a)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Политика конфиденциальности") && text.contains("Контрольный экземпляр"),
        "the policy, marked as a reference copy: {text}"
    );

    let init = branchdesk_with_stdin(
        &[
            "vault",
            "init",
            "--admin",
            "Әлия Қасымова",
            "--file-keychain",
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(init.status.code(), Some(0), "vault init: {init:?}");
    let issued = out.path().join("issued.pdf");
    let run = branchdesk_with_stdin(
        &[
            "print",
            "policy",
            "--officer",
            "Әлия Қасымова",
            "--out",
            issued.to_str().unwrap(),
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(run.status.code(), Some(0), "an issued policy: {run:?}");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        said.starts_with("issued policy "),
        "names what it issued: {said}"
    );
    let info = Command::new("pdfinfo")
        .args(["-custom"])
        .arg(&issued)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("BranchDeskSeal:") && l.contains("BD1|policy|")),
        "the issued copy carries the desk's seal: {info}"
    );

    for (args, why) in [
        (
            vec![
                "print",
                "consent",
                "--officer",
                "Әлия Қасымова",
                "--client",
                "061211600012",
            ],
            "no such client",
        ),
        (
            vec![
                "print",
                "offer",
                "--officer",
                "Әлия Қасымова",
                "--application",
                "nope",
            ],
            "no such application",
        ),
    ] {
        let target = out.path().join("refused.pdf");
        let mut args = args.clone();
        args.extend(["--out", target.to_str().unwrap()]);
        let run = branchdesk_with_stdin(&args, desk.path(), "тёплый чай с молоком\n");
        assert_eq!(
            run.status.code(),
            Some(1),
            "{why} is refused with exit 1: {run:?}"
        );
        assert!(!target.exists(), "{why}: no file is written");
    }
}

fn entries(desk: &std::path::Path) -> i64 {
    let verify = branchdesk_with_stdin(
        &[
            "vault",
            "verify-audit",
            "--officer",
            "Әлия Қасымова",
            "--json",
        ],
        desk,
        "тёплый чай с молоком\n",
    );
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
    let report: serde_json::Value = serde_json::from_slice(&verify.stdout).expect("JSON");
    report["entries"].as_i64().expect("entries")
}

#[cfg(unix)]
#[test]
fn out_never_replaces_a_file_or_follows_a_symlink_and_a_refusal_issues_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let desk = tempfile::tempdir().expect("desk");
    let out = tempfile::tempdir().expect("out");
    let init = branchdesk_with_stdin(
        &[
            "vault",
            "init",
            "--admin",
            "Әлия Қасымова",
            "--file-keychain",
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(init.status.code(), Some(0), "vault init: {init:?}");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(desk.path()), 0o700, "the data folder is owner-only");

    let existing = out.path().join("existing.pdf");
    std::fs::write(&existing, b"the officer's earlier file").expect("write");
    let target = out.path().join("elsewhere.pdf");
    let link = out.path().join("link.pdf");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let before = entries(desk.path());
    for path in [&existing, &link] {
        let run = branchdesk_with_stdin(
            &[
                "print",
                "policy",
                "--officer",
                "Әлия Қасымова",
                "--out",
                path.to_str().unwrap(),
            ],
            desk.path(),
            "тёплый чай с молоком\n",
        );
        assert_eq!(run.status.code(), Some(1), "refused: {run:?}");
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(
            said.contains("pass --force") || said.contains("symbolic link"),
            "says why: {said}"
        );
    }
    assert_eq!(
        std::fs::read(&existing).expect("read"),
        b"the officer's earlier file",
        "the existing file is untouched"
    );
    assert!(!target.exists(), "nothing was written through the symlink");
    assert_eq!(
        entries(desk.path()),
        before,
        "a refused print issues nothing"
    );

    let backup = branchdesk_with_stdin(
        &[
            "vault",
            "backup",
            "--officer",
            "Әлия Қасымова",
            "--out",
            existing.to_str().unwrap(),
            "--to-passphrase",
        ],
        desk.path(),
        "тёплый чай с молоком\nфраза для копии 12345\n",
    );
    assert_eq!(
        backup.status.code(),
        Some(1),
        "a backup does not replace a file: {backup:?}"
    );

    let run = branchdesk_with_stdin(
        &[
            "print",
            "policy",
            "--officer",
            "Әлия Қасымова",
            "--out",
            existing.to_str().unwrap(),
            "--force",
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(run.status.code(), Some(0), "--force replaces: {run:?}");
    assert!(std::fs::read(&existing).expect("read").starts_with(b"%PDF"));
    assert_eq!(mode(&existing), 0o600, "printed files are owner-only");
    assert_eq!(
        entries(desk.path()),
        before + 1,
        "issued once, audited once"
    );

    // A folder that cannot be written: the document is not issued.
    let locked = out.path().join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let blocked = locked.join("offer.pdf");
    let run = branchdesk_with_stdin(
        &[
            "print",
            "policy",
            "--officer",
            "Әлия Қасымова",
            "--out",
            blocked.to_str().unwrap(),
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    // Root ignores folder permissions; then the write succeeds and one more is issued.
    let root = std::fs::File::create(locked.join("probe")).is_ok();
    if root {
        assert_eq!(run.status.code(), Some(0), "{run:?}");
    } else {
        assert_eq!(
            run.status.code(),
            Some(1),
            "an unwritable --out is refused: {run:?}"
        );
        assert_eq!(entries(desk.path()), before + 1, "and nothing is issued");
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_cli_quietly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_branchdesk"))
        .args([
            "quote",
            "--amount",
            "500000",
            "--term",
            "12",
            "--issue-date",
            "2026-11-25",
        ])
        .env_remove("DISPLAY")
        .env("BRANCHDESK_DATA_DIR", tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close the reading end at once, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "no panic on a closed pipe: {stderr}"
    );
    assert!(
        out.status.code().is_some(),
        "exits, not killed by a signal: {out:?}"
    );
}

#[test]
fn head_office_recovers_a_desk_from_the_command_line() {
    let desk = tempfile::tempdir().expect("desk");
    let hq = tempfile::tempdir().expect("head office");
    let (identity, recipient) = head_office_keys(hq.path());
    let init = branchdesk_with_stdin(
        &[
            "vault",
            "init",
            "--admin",
            "Әлия Қасымова",
            "--recovery",
            &recipient,
            "--file-keychain",
        ],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(init.status.code(), Some(0), "vault init: {init:?}");
    // The keychain lost the device secret.
    for entry in std::fs::read_dir(desk.path()).expect("dir").flatten() {
        if entry.file_name().to_string_lossy().starts_with("device-") {
            std::fs::remove_file(entry.path()).expect("remove");
        }
    }
    let locked_out = branchdesk_with_stdin(
        &["vault", "unlock-test", "--officer", "Әлия Қасымова"],
        desk.path(),
        "тёплый чай с молоком\n",
    );
    assert_eq!(locked_out.status.code(), Some(1), "{locked_out:?}");
    let recovered = branchdesk_with_stdin(
        &["vault", "recover", "--identity", identity.to_str().unwrap()],
        desk.path(),
        "новая фраза администратора\n",
    );
    assert_eq!(recovered.status.code(), Some(0), "recover: {recovered:?}");
    assert!(
        String::from_utf8_lossy(&recovered.stdout).contains("Әлия Қасымова"),
        "names who was recovered: {recovered:?}"
    );
    let ok = branchdesk_with_stdin(
        &["vault", "unlock-test", "--officer", "Әлия Қасымова"],
        desk.path(),
        "новая фраза администратора\n",
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "the new passphrase unlocks: {ok:?}"
    );
    let rekey = branchdesk_with_stdin(
        &["vault", "rekey", "--officer", "Әлия Қасымова"],
        desk.path(),
        "новая фраза администратора\n",
    );
    assert_eq!(rekey.status.code(), Some(0), "rekey: {rekey:?}");
    assert!(
        String::from_utf8_lossy(&rekey.stdout).contains("renewed"),
        "head office's copy follows the new key: {rekey:?}"
    );
}

#[test]
fn a_script_registers_a_client_and_takes_an_application_to_approval() {
    let desk = tempfile::tempdir().expect("desk");
    let forms = tempfile::tempdir().expect("forms");
    let admin_pass = "тёплый чай с молоком\n";
    let init = branchdesk_with_stdin(
        &[
            "vault",
            "init",
            "--admin",
            "Әлия Қасымова",
            "--file-keychain",
        ],
        desk.path(),
        admin_pass,
    );
    assert_eq!(init.status.code(), Some(0), "vault init: {init:?}");
    for (name, role, pass) in [
        ("Ержан Сапаров", "officer", "парольная фраза офицера"),
        (
            "Гүлнар Әбдіқызы",
            "supervisor",
            "парольная фраза супервайзера",
        ),
    ] {
        let add = branchdesk_with_stdin(
            &[
                "officer",
                "add",
                "--officer",
                "Әлия Қасымова",
                "--name",
                name,
                "--role",
                role,
            ],
            desk.path(),
            &format!("{admin_pass}{pass}\n"),
        );
        assert_eq!(add.status.code(), Some(0), "officer add {role}: {add:?}");
    }
    let limit = branchdesk_with_stdin(
        &[
            "officer",
            "set-limit",
            "--officer",
            "Әлия Қасымова",
            "--supervisor",
            "Гүлнар Әбдіқызы",
            "--amount",
            "1 000 000",
        ],
        desk.path(),
        admin_pass,
    );
    assert_eq!(limit.status.code(), Some(0), "set-limit: {limit:?}");

    let client_form = forms.path().join("client.json");
    let mut form = serde_json::json!({
        "iin": "061211600012", "surname": "Қасымова", "given_name": "Әлия",
        "patronymic": "Серікқызы", "birth_date": "11.12.2006", "sex": "female",
        "phone": "8 701 234 56 78", "email": "", "registration_address": "Алматы, ул. Абая, 1",
        "actual_address": "Алматы, ул. Абая, 1", "document_kind": "id_card",
        "document_number": "045 123 456", "document_issuer": "МВД РК",
        "document_issued_on": "15.01.2023", "document_expires_on": "14.01.2033",
        "employer": "ТОО «Рассвет»", "position": "", "monthly_income": "350 000"
    });
    // A bad phone is refused with the same code and field as in the window.
    form["phone"] = "8 701 234 56".into();
    std::fs::write(&client_form, form.to_string()).expect("write");
    let officer = ["--officer", "Ержан Сапаров"];
    let officer_pass = "парольная фраза офицера\n";
    let mut args = vec![
        "client",
        "add",
        "--form",
        client_form.to_str().unwrap(),
        "--json",
    ];
    args.extend(officer);
    let bad = branchdesk_with_stdin(&args, desk.path(), officer_pass);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    let refusal: serde_json::Value = serde_json::from_slice(&bad.stdout).expect("JSON refusal");
    assert_eq!(refusal["ok"], false);
    assert_eq!(
        refusal["field"], "phone",
        "the refusal names the field: {refusal}"
    );

    form["phone"] = "8 701 234 56 78".into();
    std::fs::write(&client_form, form.to_string()).expect("write");
    let added = branchdesk_with_stdin(&args, desk.path(), officer_pass);
    assert_eq!(added.status.code(), Some(0), "client add: {added:?}");
    let added: serde_json::Value = serde_json::from_slice(&added.stdout).expect("JSON");
    assert!(added["client_id"].is_string(), "{added}");

    let app_form = forms.path().join("application.json");
    std::fs::write(
        &app_form,
        serde_json::json!({
            "product_id": "consumer-12", "amount": "500 000", "months": 12,
            "method": "annuity", "purpose": "Ремонт дома"
        })
        .to_string(),
    )
    .expect("write");
    let mut args = vec![
        "application",
        "create",
        "--client",
        "061211600012",
        "--form",
        app_form.to_str().unwrap(),
        "--json",
    ];
    args.extend(officer);
    let created = branchdesk_with_stdin(&args, desk.path(), officer_pass);
    assert_eq!(
        created.status.code(),
        Some(0),
        "application create: {created:?}"
    );
    let created: serde_json::Value = serde_json::from_slice(&created.stdout).expect("JSON");
    let id = created["application_id"].as_str().expect("id").to_owned();

    let mut args = vec!["application", "submit", "--id", &id, "--json"];
    args.extend(officer);
    let refused = branchdesk_with_stdin(&args, desk.path(), officer_pass);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "no consent, no submission: {refused:?}"
    );
    let refusal: serde_json::Value = serde_json::from_slice(&refused.stdout).expect("JSON");
    assert_eq!(
        refusal["code"], "consent_missing",
        "the refusal names consent, as in the window: {refusal}"
    );
    consent_headless(&desk, &forms, officer, officer_pass);
    let submitted = branchdesk_with_stdin(&args, desk.path(), officer_pass);
    assert_eq!(submitted.status.code(), Some(0), "submit: {submitted:?}");
    export_headless(&desk, &forms, &form);

    // The maker cannot approve their own application.
    let mut args = vec![
        "application",
        "decide",
        "--id",
        &id,
        "--step",
        "approve",
        "--json",
    ];
    args.extend(officer);
    let own = branchdesk_with_stdin(&args, desk.path(), officer_pass);
    assert_eq!(own.status.code(), Some(1), "{own:?}");

    let decided = branchdesk_with_stdin(
        &[
            "application",
            "decide",
            "--officer",
            "Гүлнар Әбдіқызы",
            "--id",
            &id,
            "--step",
            "approve",
            "--json",
        ],
        desk.path(),
        "парольная фраза супервайзера\n",
    );
    assert_eq!(decided.status.code(), Some(0), "approve: {decided:?}");
    let decided: serde_json::Value = serde_json::from_slice(&decided.stdout).expect("JSON");
    assert_eq!(decided["stage"], "approved");
}

/// The client's consent without the window: the form is printed, a renamed program is refused as
/// the scan (nothing stored), the decisions are recorded with the signed form's scan, the state
/// and the Kantara receipt (JSON and sealed PDF) come back, and withdrawing a purpose never given
/// is refused.
fn consent_headless(
    desk: &tempfile::TempDir,
    forms: &tempfile::TempDir,
    officer: [&str; 2],
    pass: &str,
) {
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(officer);
        branchdesk_with_stdin(&all, desk.path(), pass)
    };
    let json = |out: &Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {out:?}"))
    };
    let form_pdf = forms.path().join("consent-form.pdf");
    let printed = run(&[
        "print",
        "consent",
        "--client",
        "061211600012",
        "--out",
        form_pdf.to_str().unwrap(),
    ]);
    assert_eq!(printed.status.code(), Some(0), "print consent: {printed:?}");
    let program = forms.path().join("scan.pdf");
    std::fs::copy("/bin/true", &program).expect("a program renamed to .pdf");
    let give = "issue-microcredit,third-party-transfer,agreement-monitoring";
    let bad = run(&[
        "consent",
        "record",
        "--client",
        "061211600012",
        "--give",
        give,
        "--refuse",
        "advertising",
        "--scan",
        program.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    assert_eq!(
        json(&bad)["code"],
        "scan_type",
        "a renamed program is not a scan"
    );
    assert_eq!(json(&bad)["field"], "scan");
    let shown = run(&["consent", "show", "--client", "061211600012", "--json"]);
    assert_eq!(
        json(&shown)["scopes"][0]["history"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "the refused record stored nothing"
    );
    let recorded = run(&[
        "consent",
        "record",
        "--client",
        "061211600012",
        "--give",
        give,
        "--refuse",
        "advertising",
        "--scan",
        form_pdf.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        recorded.status.code(),
        Some(0),
        "consent record: {recorded:?}"
    );
    let shown = json(&run(&[
        "consent",
        "show",
        "--client",
        "061211600012",
        "--json",
    ]));
    let privacy = &shown["scopes"][0];
    assert_eq!(privacy["scope"], "privacy");
    assert_eq!(
        privacy["ready"], true,
        "every required purpose is given: {privacy}"
    );
    assert_eq!(privacy["purposes"][3]["code"], "advertising");
    assert_eq!(
        privacy["purposes"][3]["granted"], false,
        "advertising was refused"
    );
    assert_eq!(privacy["history"][0]["method"], "paper");
    let text = run(&["consent", "show", "--client", "061211600012"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("advertising") && text.contains("not given") && text.contains("grant"),
        "the text view lists purposes and history: {text}"
    );
    let receipt_pdf = forms.path().join("receipt.pdf");
    let receipt = run(&[
        "consent",
        "receipt",
        "--client",
        "061211600012",
        "--json",
        "--out",
        receipt_pdf.to_str().unwrap(),
    ]);
    assert_eq!(
        receipt.status.code(),
        Some(0),
        "consent receipt: {receipt:?}"
    );
    let receipt = json(&receipt);
    assert_eq!(receipt["version"], "KI-CR-v1.1.0");
    assert_eq!(receipt["piiPrincipalId"], "061211600012");
    assert_eq!(
        receipt["services"][0]["purposes"].as_array().map(Vec::len),
        Some(3)
    );
    let pdf = Command::new("pdftotext")
        .arg(&receipt_pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let pdf = String::from_utf8_lossy(&pdf.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        pdf.contains("info@sinvest.kz"),
        "the sealed receipt says how to withdraw: {pdf}"
    );
    let before = std::fs::read(&receipt_pdf).expect("the receipt was written");
    let again = run(&[
        "consent",
        "receipt",
        "--client",
        "061211600012",
        "--out",
        receipt_pdf.to_str().unwrap(),
    ]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "--out never replaces a file without --force: {again:?}"
    );
    assert_eq!(
        std::fs::read(&receipt_pdf).expect("still there"),
        before,
        "and leaves it as it was"
    );
    let never = run(&[
        "consent",
        "withdraw",
        "--client",
        "061211600012",
        "--purpose",
        "advertising",
        "--json",
    ]);
    assert_eq!(never.status.code(), Some(1), "{never:?}");
    assert_eq!(json(&never)["code"], "consent_not_given");
}

/// A subject-access export by the supervisor: one ZIP whose index lists every file with its hash,
/// holding the client's records and nothing of a second client.
fn export_headless(desk: &tempfile::TempDir, forms: &tempfile::TempDir, form: &serde_json::Value) {
    // A second client, who must not appear in the first one's export.
    let mut other = form.clone();
    let mut digits: Vec<u32> = "06121160002"
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .collect();
    let check = loop {
        let d: [u32; 11] = digits.clone().try_into().unwrap();
        if let Some(k) = domain::iin::check_digit(&d) {
            break k;
        }
        digits[10] += 1;
    };
    let other_iin: String = digits
        .iter()
        .chain([check].iter())
        .map(|d| d.to_string())
        .collect();
    other["iin"] = other_iin.clone().into();
    other["surname"] = "Петрова".into();
    other["phone"] = "8 702 111 22 33".into();
    let other_form = forms.path().join("other.json");
    std::fs::write(&other_form, other.to_string()).expect("write");
    let added = branchdesk_with_stdin(
        &[
            "client",
            "add",
            "--officer",
            "Ержан Сапаров",
            "--form",
            other_form.to_str().unwrap(),
        ],
        desk.path(),
        "парольная фраза офицера\n",
    );
    assert_eq!(added.status.code(), Some(0), "second client: {added:?}");
    let zip_path = forms.path().join("export.zip");
    let by_officer = branchdesk_with_stdin(
        &[
            "client",
            "export",
            "--client",
            "061211600012",
            "--officer",
            "Ержан Сапаров",
            "--out",
            zip_path.to_str().unwrap(),
            "--json",
        ],
        desk.path(),
        "парольная фраза офицера\n",
    );
    assert_eq!(
        by_officer.status.code(),
        Some(1),
        "a loan officer does not export: {by_officer:?}"
    );
    assert!(!zip_path.exists(), "and nothing is written");
    let exported = branchdesk_with_stdin(
        &[
            "client",
            "export",
            "--client",
            "061211600012",
            "--officer",
            "Гүлнар Әбдіқызы",
            "--out",
            zip_path.to_str().unwrap(),
        ],
        desk.path(),
        "парольная фраза супервайзера\n",
    );
    assert_eq!(
        exported.status.code(),
        Some(0),
        "client export: {exported:?}"
    );
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(&zip_path).expect("zip")).expect("a ZIP");
    let mut names = Vec::new();
    let mut everything = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        names.push(f.name().expect("entry name").to_string());
        std::io::Read::read_to_end(&mut f, &mut everything).expect("read");
    }
    let index: serde_json::Value = {
        let mut f = zip.by_name("index.json").expect("index.json");
        serde_json::from_reader(&mut f).expect("index JSON")
    };
    assert_eq!(index["client_iin"], "061211600012");
    let listed: Vec<&str> = index["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for name in names.iter().filter(|n| *n != "index.json") {
        assert!(listed.contains(&name.as_str()), "the index lists {name}");
    }
    for want in [
        "records/client.json",
        "records/application.json",
        "records/consent_event.json",
        "records/audit.json",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} is in the export: {names:?}"
        );
    }
    assert!(
        names.iter().any(|n| n.starts_with("documents/")),
        "the issued PDFs are in: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("attachments/")),
        "the scan is in: {names:?}"
    );
    let text = String::from_utf8_lossy(&everything);
    assert!(!text.contains(&other_iin), "nothing about the other client");
    assert!(!text.contains("Петрова"), "not even their name");
}

/// `branchdesk sync …` headless against a real `branchdesk-hq` over TLS: not connected yet, a
/// mangled code, enrolment, a sync, the outbox and the audit check with head office's
/// acknowledged head; offline, the failure's code and words; exit codes as everywhere.
#[test]
fn sync_enrol_now_status_and_outbox_headless() {
    let desk = tempfile::tempdir().expect("desk");
    let pass = "тёплый чай с молоком\n";
    let run = |args: &[&str]| branchdesk_with_stdin(args, desk.path(), pass);
    let init = run(&[
        "vault",
        "init",
        "--admin",
        "Әлия Қасымова",
        "--file-keychain",
    ]);
    assert_eq!(init.status.code(), Some(0), "vault init: {init:?}");

    let status = run(&["sync", "status", "--json"]);
    assert_eq!(status.status.code(), Some(0), "{status:?}");
    let s: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(s["enrolled"], false, "a new desk is not connected: {s}");
    let now = run(&["sync", "now", "--json"]);
    assert_eq!(
        now.status.code(),
        Some(1),
        "sync before enrolment is refused"
    );
    let refusal: serde_json::Value = serde_json::from_slice(&now.stdout).expect("json");
    assert_eq!(refusal["code"], "sync_not_enrolled", "{refusal}");
    let bad = run(&["sync", "enrol", "BDE1-garbage"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("not a valid head office code"),
        "a mangled code says what is wrong: {bad:?}"
    );
    let usage = run(&["sync", "outbox", "--limit", "many"]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "a bad number is a usage error"
    );

    let office = crate::office::Office::sqlite();
    let server = office.serve();
    let code = office.code("Алматы-1", &server.url());
    let enrol = run(&["sync", "enrol", &code, "--json"]);
    assert_eq!(enrol.status.code(), Some(0), "enrol: {enrol:?}");
    let e: serde_json::Value = serde_json::from_slice(&enrol.stdout).expect("json");
    assert_eq!(e["branch"], "Алматы-1");
    let again = run(&["sync", "enrol", &code]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "a connected desk does not enrol twice"
    );

    let now = run(&["sync", "now", "--json"]);
    assert_eq!(now.status.code(), Some(0), "sync now: {now:?}");
    let report: serde_json::Value = serde_json::from_slice(&now.stdout).expect("json");
    let pushed = report["records_pushed"].as_u64().expect("records");
    assert!(
        pushed >= 2,
        "the vault's history went to head office: {report}"
    );
    assert_eq!(
        office.records(),
        pushed,
        "head office holds what the desk says it sent"
    );
    let outbox = run(&["sync", "outbox", "--json"]);
    let items: serde_json::Value = serde_json::from_slice(&outbox.stdout).expect("json");
    let items = items.as_array().expect("a list");
    assert!(
        !items.is_empty() && items.iter().all(|i| i["state"] == "acked"),
        "every record is acknowledged: {items:?}"
    );
    let audit = run(&[
        "vault",
        "verify-audit",
        "--officer",
        "Әлия Қасымова",
        "--json",
    ]);
    let a: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("json");
    assert!(
        a["head_office_acknowledged"].as_i64().is_some(),
        "verify-audit checks the head head office acknowledged: {a}"
    );

    let compact = run(&["sync", "compact", "--json"]);
    assert_eq!(compact.status.code(), Some(0), "compact: {compact:?}");
    let c: serde_json::Value = serde_json::from_slice(&compact.stdout).expect("json");
    assert_eq!(
        c["records"], 0,
        "nothing is dropped within the retention, even when acknowledged: {c}"
    );

    drop(server);
    let offline = run(&["sync", "now"]);
    assert_eq!(offline.status.code(), Some(1), "offline exits 1");
    assert!(
        String::from_utf8_lossy(&offline.stderr).contains("cannot be reached"),
        "offline is said in words: {offline:?}"
    );
    let status = run(&["sync", "status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("failed (sync_offline)") && text.contains("Алматы-1"),
        "status names the last failure: {text}"
    );
}

#[test]
fn mrz_check_reads_a_zone_and_says_which_digit_is_wrong() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let zone = [
        "IDKAZ0412345670850315310006<<<",
        "8503150M3105205KAZ<<<<<<<<<<<4",
        "ZHUMABEKOV<<NURLAN<<<<<<<<<<<<",
    ];
    let ok = branchdesk(
        &["mrz", "check", zone[0], zone[1], zone[2], "--json"],
        tmp.path(),
    );
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON");
    assert_eq!(v["zone"]["document_number"], "041234567");
    assert_eq!(v["birth_date"], "1985-03-15");
    let bad = branchdesk(
        &[
            "mrz",
            "check",
            zone[0],
            &zone[1].replace("M31", "M32"),
            zone[2],
        ],
        tmp.path(),
    );
    assert_eq!(
        bad.status.code(),
        Some(1),
        "a wrong expiry digit exits 1: {bad:?}"
    );
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(text.contains("FAIL ExpiryDateDigit"), "{text}");
    let shape = branchdesk(&["mrz", "check", "P<UTO"], tmp.path());
    assert_eq!(shape.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&shape.stderr).contains("2 lines of 44"));
    let usage = branchdesk(&["mrz", "check"], tmp.path());
    assert_eq!(usage.status.code(), Some(2), "no lines is a usage error");
}

#[test]
fn verify_checks_printouts_and_signed_files_without_a_vault() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pdf = tmp.path().join("policy.pdf");
    let printed = branchdesk(
        &["print", "policy", "--out", pdf.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(printed.status.code(), Some(0), "{printed:?}");
    let ok = branchdesk(&["verify", pdf.to_str().unwrap()], tmp.path());
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("policy v1: authentic"),
        "{ok:?}"
    );

    let mut bytes = std::fs::read(&pdf).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    let changed = tmp.path().join("changed.pdf");
    std::fs::write(&changed, &bytes).unwrap();
    let bad = branchdesk(&["verify", changed.to_str().unwrap(), "--json"], tmp.path());
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).expect("JSON");
    assert_eq!(v["report"]["verdict"], "altered");

    let nca = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src-tauri/crates/verify/tests/fixtures/nca");
    let cms = nca.join("gost2015/kalkan_individual_detached.cms");
    let doc = nca.join("gost2015/kalkan_individual_document.txt");
    let args = |anchors: bool| {
        let mut a = vec![
            "verify".to_owned(),
            cms.to_str().unwrap().to_owned(),
            "--detached".to_owned(),
            doc.to_str().unwrap().to_owned(),
        ];
        if anchors {
            a.extend([
                "--anchors".to_owned(),
                nca.join("ca").to_str().unwrap().to_owned(),
            ]);
        }
        a
    };
    let with: Vec<String> = args(true);
    let valid = branchdesk(
        &with.iter().map(String::as_str).collect::<Vec<_>>(),
        tmp.path(),
    );
    assert_eq!(valid.status.code(), Some(0), "{valid:?}");
    let text = String::from_utf8_lossy(&valid.stdout);
    assert!(
        text.contains("IIN 123456789011") && text.contains("GOST 34.10-2015"),
        "{text}"
    );
    let without: Vec<String> = args(false);
    let unknown = branchdesk(
        &without.iter().map(String::as_str).collect::<Vec<_>>(),
        tmp.path(),
    );
    assert_eq!(
        unknown.status.code(),
        Some(1),
        "no anchors: unknown signer: {unknown:?}"
    );
    let usage = branchdesk(&["verify"], tmp.path());
    assert_eq!(
        usage.status.code(),
        Some(2),
        "nothing to verify is a usage error"
    );
}
