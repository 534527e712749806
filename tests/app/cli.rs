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
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        concat!("branchdesk ", env!("CARGO_PKG_VERSION"))
    );
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
