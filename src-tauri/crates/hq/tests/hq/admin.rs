//! The administrator's command line around the keys: a second `init`, a weak passphrase, a wrong
//! passphrase and a key file others can read are refused with a reason and exit status 1.

use crate::support::Office;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn keys_are_made_once_and_open_only_with_their_passphrase_and_private_mode() {
    let office = Office::new();
    let again = office.cli(&["init", "--host", "localhost"]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "a second init must not replace the keys"
    );
    assert!(
        stderr(&again).contains("refusing to replace"),
        "{}",
        stderr(&again)
    );

    let weak = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_branchdesk-hq"))
        .args([
            "--home",
            weak.path().to_str().unwrap(),
            "init",
            "--host",
            "localhost",
        ])
        .env_remove("BRANCHDESK_HQ_PASSPHRASE_FILE")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"short\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a short passphrase is refused");
    assert!(
        !weak.path().join("keys.age").exists(),
        "nothing is written for a refused init"
    );

    let wrong = office.home.path().join("wrong");
    std::fs::write(&wrong, "not the passphrase at all").unwrap();
    let out = office
        .command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("BRANCHDESK_HQ_PASSPHRASE_FILE", &wrong)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("passphrase does not open"),
        "{}",
        stderr(&out)
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let keys = office.home.path().join("keys.age");
        assert_eq!(
            std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777,
            0o600,
            "init writes the key file owner-only"
        );
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = office
            .command()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "a key file others can read is refused"
        );
        assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    }
}

#[test]
fn bad_arguments_are_usage_errors_and_unknown_things_are_refusals() {
    let office = Office::new();
    assert_eq!(
        office
            .cli(&["enrol", "--branch", "x", "--expires", "soon"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        office
            .cli(&["enrol", "--branch", "x", "--expires", "90d"])
            .status
            .code(),
        Some(1),
        "codes live at most 30 days"
    );
    assert_eq!(
        office.cli(&["enrol", "--branch", " "]).status.code(),
        Some(1)
    );
    assert_eq!(
        office
            .cli(&["decide", "app-x", "maybe", "--reason", "r", "--by", "b"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        office
            .cli(&["decide", "app-x", "approve", "--reason", " ", "--by", "b"])
            .status
            .code(),
        Some(1)
    );
    let out = office.cli(&["show", "app-x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no application"), "{}", stderr(&out));
    assert_eq!(
        office.cli(&["--db", "mysql://x", "status"]).status.code(),
        Some(1),
        "only sqlite:// and postgres:// URLs"
    );
}
