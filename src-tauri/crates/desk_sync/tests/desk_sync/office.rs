//! A real `branchdesk-hq` for tests: `init` in a temporary folder, `serve` over TLS on 127.0.0.1
//! (on SQLite, or on a fresh database in the throwaway PostgreSQL cluster that
//! `scripts/pg-throwaway.sh` runs), and the admin commands. Shared by the desk-sync tests and the
//! app's end-to-end tests. The binary is the one `cargo test --workspace` builds beside the tests
//! (or `BRANCHDESK_HQ_BIN`).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub const HQ_PASSPHRASE: &str = "head office passphrase for tests";

/// `branchdesk-hq` beside the running test binary (target/<profile>/).
pub fn hq_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("BRANCHDESK_HQ_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let bin = profile_dir.join("branchdesk-hq");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p branchdesk-hq` (cargo test --workspace does)",
        bin.display()
    );
    bin
}

/// Head office's folder and database.
pub struct Office {
    pub home: tempfile::TempDir,
    pub db: String,
}

impl Office {
    /// A new head office on SQLite.
    pub fn sqlite() -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        let db = format!("sqlite://{}", home.path().join("hq.db").display());
        Self::init(home, db)
    }

    /// A new head office on a fresh database of the throwaway PostgreSQL cluster.
    pub fn postgres() -> Self {
        let admin = std::env::var("BRANCHDESK_TEST_PG_ADMIN_URL").unwrap_or_else(|_| {
            panic!("BRANCHDESK_TEST_PG_ADMIN_URL is not set: run the tests through scripts/pg-throwaway.sh (the README's test command does)")
        });
        let name = format!("desk_{}", hex::encode(rand::random::<[u8; 6]>()));
        let out = Command::new("psql")
            .args([
                admin.as_str(),
                "-q",
                "-c",
                &format!("CREATE DATABASE {name}"),
            ])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "creating a test database must work: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let base = admin.rsplit_once('/').expect("a URL with a database").0;
        Self::init(
            tempfile::tempdir().expect("temp dir"),
            format!("{base}/{name}"),
        )
    }

    fn init(home: tempfile::TempDir, db: String) -> Self {
        std::fs::write(home.path().join("passphrase"), HQ_PASSPHRASE).expect("passphrase file");
        let office = Self { home, db };
        office.ok(&[
            "init",
            "--host",
            "127.0.0.1",
            "--host",
            "localhost",
            "--url",
            "https://127.0.0.1:1",
        ]);
        office
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(hq_binary());
        c.env("BRANCHDESK_HQ_HOME", self.home.path())
            .env("BRANCHDESK_HQ_DB", &self.db)
            .env(
                "BRANCHDESK_HQ_PASSPHRASE_FILE",
                self.home.path().join("passphrase"),
            )
            .env("BRANCHDESK_HQ_LOG", "warn");
        c
    }

    /// Runs an admin command that must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .output()
            .expect("run branchdesk-hq");
        assert!(
            out.status.success(),
            "branchdesk-hq {args:?} must succeed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// An admin command's JSON output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    /// A one-time enrolment code for a desk of `branch` whose server will be reached at `url`.
    pub fn code(&self, branch: &str, url: &str) -> String {
        self.ok(&["enrol", "--branch", branch, "--expires", "1h", "--url", url])
            .trim()
            .to_owned()
    }

    /// Records head office holds, all desks.
    pub fn records(&self) -> u64 {
        self.json(&["status", "--json"])["records"]
            .as_u64()
            .expect("records count")
    }

    /// Starts `serve` on `listen` (`127.0.0.1:0` for any free port).
    pub fn serve_on(&self, listen: &str) -> Server {
        let mut child = self
            .command()
            .args(["serve", "--listen", listen, "--rate", "100000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start branchdesk-hq serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on https://")
            .unwrap_or_else(|| panic!("serve must print its address, printed {line:?}"))
            .to_owned();
        Server { child, addr }
    }

    pub fn serve(&self) -> Server {
        self.serve_on("127.0.0.1:0")
    }
}

/// A running `serve`.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Server {
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// SIGKILL: nothing gets to finish.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
