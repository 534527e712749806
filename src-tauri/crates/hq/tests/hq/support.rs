//! A real `branchdesk-hq` process over real TLS on 127.0.0.1, desks made of real keys, and
//! outbox records shaped like the vault's.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sync::batch::Record;
use sync::client::Client;
use sync::enrol::EnrolmentCode;
use sync::{PeerKeys, SecretKeys};

pub const PASSPHRASE: &str = "correct horse battery staple";

/// Head office's folder, initialised once, and its database.
pub struct Office {
    pub home: tempfile::TempDir,
    pub db: String,
    pass_file: PathBuf,
}

impl Office {
    /// `init` in a fresh folder, on SQLite.
    pub fn new() -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        let db = format!("sqlite://{}", home.path().join("hq.db").display());
        Self::with_db(home, db)
    }

    /// `init` in a fresh folder, on the given database.
    pub fn with_db(home: tempfile::TempDir, db: String) -> Self {
        let pass_file = home.path().join("passphrase");
        std::fs::write(&pass_file, PASSPHRASE).expect("passphrase file");
        let office = Self {
            home,
            db,
            pass_file,
        };
        let out = office.cli(&[
            "init",
            "--host",
            "localhost",
            "--host",
            "127.0.0.1",
            "--url",
            "https://127.0.0.1:1",
        ]);
        assert!(
            out.status.success(),
            "init must succeed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        office
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_branchdesk-hq"));
        c.env("BRANCHDESK_HQ_HOME", self.home.path())
            .env("BRANCHDESK_HQ_DB", &self.db)
            .env("BRANCHDESK_HQ_PASSPHRASE_FILE", &self.pass_file)
            .env("BRANCHDESK_HQ_LOG", "warn");
        c
    }

    /// Runs an admin command to completion.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.command()
            .args(args)
            .output()
            .expect("run branchdesk-hq")
    }

    /// Runs an admin command that must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "branchdesk-hq {args:?} must succeed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Everything the servers of this office logged.
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("serve.log")).unwrap_or_default()
    }

    pub fn public(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.home.path().join("public.json")).unwrap())
            .unwrap()
    }

    pub fn head_office_keys(&self) -> PeerKeys {
        let p = self.public();
        PeerKeys::parse(
            p["signing"].as_str().unwrap(),
            p["recipient"].as_str().unwrap(),
        )
        .unwrap()
    }

    pub fn cert_sha256(&self) -> [u8; 32] {
        hex::decode(self.public()["cert_sha256"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    }

    /// A one-time code for `branch`.
    pub fn code(&self, branch: &str) -> EnrolmentCode {
        let text = self.ok(&["enrol", "--branch", branch, "--expires", "1h"]);
        EnrolmentCode::decode(text.trim()).expect("enrol prints a valid code")
    }

    /// Starts `serve` on a free port.
    pub fn serve(&self, extra: &[&str]) -> Server {
        // The server's log (info level) goes to a file the tests read: it must hold no client data.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home.path().join("serve.log"))
            .expect("server log file");
        let mut child = self
            .command()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("BRANCHDESK_HQ_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log)
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
        Server {
            child,
            url: format!("https://{addr}"),
        }
    }

    pub fn client(&self, server: &Server) -> Client {
        Client::new(&server.url, self.cert_sha256(), self.head_office_keys()).expect("client")
    }
}

/// A running server process.
pub struct Server {
    pub child: Child,
    pub url: String,
}

impl Server {
    /// SIGKILL: no chance to finish anything.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM without waiting.
    pub fn term(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }

    /// SIGTERM and wait: the graceful way.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait for the server")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A desk: its keys and, once enrolled, its device id.
pub struct Desk {
    pub keys: SecretKeys,
    pub device: String,
}

pub async fn enrolled(client: &Client, code: &EnrolmentCode, name: &str) -> Desk {
    let keys = SecretKeys::generate();
    let answer = client
        .enrol(code, &keys, name)
        .await
        .expect("enrolment succeeds");
    Desk {
        keys,
        device: answer.device,
    }
}

#[allow(clippy::disallowed_methods)] // the desk's clock in these tests
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An outbox as a desk writes it: per application a client, a draft, a submission and, for every
/// `refer_every`-th, a referral to head office. Sequence numbers from 1.
pub fn outbox(tag: &str, applications: usize, refer_every: usize) -> Vec<Record> {
    let mut out = Vec::new();
    let mut push = |action: &str, entity: &str, payload: serde_json::Value| {
        out.push(Record {
            seq: out.len() as u64 + 1,
            created_at: "2026-12-02T10:00:00Z".into(),
            officer_id: "officer-1".into(),
            action: action.into(),
            entity_id: entity.into(),
            payload: payload.to_string().into_bytes(),
        });
    };
    for n in 0..applications {
        let client = format!("{tag}-client-{n}");
        let app = format!("{tag}-app-{n}");
        push(
            "client.add",
            &client,
            serde_json::json!({"iin": "061211600012", "name": "Тест Тестов", "phone": "+77010000000"}),
        );
        let body = |stage: &str, step: &str| {
            serde_json::json!({
                "id": app, "lineage": app, "version": 1, "replaces": null, "client_id": client,
                "product_id": "consumer-12", "amount_tiyn": 50_000_000 + n as i64, "months": 12,
                "method": "annuity", "purpose": "ремонт", "stage": stage, "maker_id": "officer-1",
                "quote": {}, "step": step, "reason": null,
            })
        };
        push("application.create", &app, body("draft", "create"));
        push("application.submit", &app, body("submitted", "submit"));
        if refer_every > 0 && n % refer_every == 0 {
            push("application.refer", &app, body("referred", "refer"));
        }
    }
    out
}

pub fn status(office: &Office) -> serde_json::Value {
    serde_json::from_str(&office.ok(&["status", "--json"])).expect("status --json")
}

#[allow(dead_code)]
pub fn write(path: &Path, text: &str) {
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .expect("write file");
}

#[allow(dead_code)]
pub const SETTLE: Duration = Duration::from_millis(200);
