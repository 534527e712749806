//! End-to-end harness: launches the real Branch Desk binary through `tauri-driver` and gives tests
//! a few verbs to drive its window (`click`, `type_into`, `text`, `wait_text`), each addressing
//! elements by their `data-testid`. Later issues' tests reuse it.
//!
//! Needs an X display (`xvfb-run -a`), `tauri-driver` 2.x and `WebKitWebDriver`
//! (Debian `webkit2gtk-driver`). Without them the tests skip, unless `E2E_REQUIRED=1` (set by the
//! README's test command and CI), which turns a missing display or driver into a failure.
//!
//! Every desk gets its own data folder (`BRANCHDESK_DATA_DIR`), so tests never share a vault. A
//! failing scenario leaves a screenshot in `artifacts/e2e/<name>-failure.png` and the session is
//! always quit before the test panics (a panic with an open session would hang for the timeout).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How long a verb waits for the window to show what it expects.
pub const WAIT: Duration = Duration::from_secs(15);

/// Like `assert_eq!`, but returns an error so the session is quit cleanly before the test fails.
#[macro_export]
macro_rules! check_eq {
    ($left:expr, $right:expr, $why:expr) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            return Err(format!(
                "{}: {} == {} failed: left={l:?} right={r:?}",
                $why,
                stringify!($left),
                stringify!($right)
            )
            .into());
        }
    }};
}

/// Like `assert!`, returning an error instead of panicking.
#[macro_export]
macro_rules! check {
    ($cond:expr, $why:expr) => {{
        if !$cond {
            return Err(format!("{}: {} was false", $why, stringify!($cond)).into());
        }
    }};
}

/// Only one desk window at a time: two WebKit processes on a 2-core CI box make timing flaky.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// tauri-driver, stopped with SIGTERM so it can stop WebKitWebDriver (SIGKILL would orphan it).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tauri_driver_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return p.into();
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    match cargo_home.map(|h| h.join("bin/tauri-driver")) {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

fn on_path(bin: &Path) -> bool {
    if bin.components().count() > 1 {
        return bin.exists();
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(bin).exists()))
        .unwrap_or(false)
}

/// Two distinct free ports, both listeners held until both are known.
fn two_free_ports() -> std::io::Result<(u16, u16)> {
    let a = TcpListener::bind("127.0.0.1:0")?;
    let b = TcpListener::bind("127.0.0.1:0")?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

fn wait_for_port(port: u16, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("nothing listens on port {port} after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Where screenshots go: `artifacts/e2e/` in the repository (kept by CI, ignored by git).
pub fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts/e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Where a failed scenario's screenshot goes.
pub fn failure_screenshot(name: &str) -> PathBuf {
    artifacts_dir().join(format!("{name}-failure.png"))
}

/// Decides whether end-to-end tests can run here; `None` means skip (only without E2E_REQUIRED).
fn e2e_available() -> Option<PathBuf> {
    let required = std::env::var_os("E2E_REQUIRED").is_some_and(|v| v == "1");
    let driver = tauri_driver_bin();
    let problem = if std::env::var_os("DISPLAY").is_none() {
        Some("there is no DISPLAY (run under `xvfb-run -a`)".to_owned())
    } else if !on_path(&driver) {
        Some(format!(
            "{} is missing (cargo install tauri-driver --version ^2 --locked)",
            driver.display()
        ))
    } else if !on_path(Path::new("WebKitWebDriver")) {
        Some("WebKitWebDriver is missing (apt-get install webkit2gtk-driver)".to_owned())
    } else {
        None
    };
    match problem {
        None => Some(driver),
        Some(p) if required => panic!("E2E_REQUIRED=1 but {p}"),
        Some(p) => {
            eprintln!("SKIP end-to-end test: {p}; set E2E_REQUIRED=1 to make this fatal");
            None
        }
    }
}

/// A running Branch Desk window with its own data folder.
pub struct Desk {
    pub driver: WebDriver,
    pub data_dir: tempfile::TempDir,
    _process: Driver,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Desk {
    /// Starts the app on a fresh, empty data folder. `None` when end-to-end tests are skipped here.
    pub async fn launch() -> Option<Desk> {
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        Self::launch_in(data_dir).await
    }

    /// Runs `scenario` on a fresh desk and ends it (screenshot on failure, then the test fails).
    /// Returns the data folder for a follow-up desk; `None` when end-to-end tests are skipped here.
    pub async fn run(
        name: &str,
        scenario: impl AsyncFnOnce(&Desk) -> TestResult,
    ) -> Option<tempfile::TempDir> {
        let d = Desk::launch().await?;
        let result = scenario(&d).await;
        Some(d.finish(name, result).await)
    }

    /// Starts the app on the given data folder (to reopen a vault a previous desk created).
    pub async fn launch_in(data_dir: tempfile::TempDir) -> Option<Desk> {
        let driver_bin = e2e_available()?;
        let turn = ONE_AT_A_TIME.lock().await;
        let (port, native_port) = two_free_ports().expect("free ports");
        let process = Driver(
            Command::new(&driver_bin)
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .env("BRANCHDESK_DATA_DIR", data_dir.path())
                // No PDF viewer pops up under test: the printed file is checked where it is written.
                .env("BRANCHDESK_PDF_VIEWER", "true")
                // No Secret Service for the window under test: the desk must notice and ask before
                // keeping its device secret in a file (the real keychain is tested in the vault crate).
                .env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    "unix:path=/nonexistent/branchdesk-e2e-bus",
                )
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn tauri-driver"),
        );
        wait_for_port(port, Duration::from_secs(15)).expect("tauri-driver listens");
        wait_for_port(native_port, Duration::from_secs(15)).expect("WebKitWebDriver listens");
        let mut caps = Capabilities::new();
        caps.set(
            "tauri:options",
            serde_json::json!({ "application": env!("CARGO_BIN_EXE_branchdesk") }),
        )
        .expect("capabilities");
        // thirtyfour's reqwest shares the workspace's reqwest build, whose rustls (the sync
        // client's, with no built-in provider) needs one chosen before any client is made.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let driver = WebDriver::builder(format!("http://127.0.0.1:{port}"), caps)
            .request_timeout(Duration::from_secs(30))
            .await
            .expect("WebDriver session (the app window starts)");
        Some(Desk {
            driver,
            data_dir,
            _process: process,
            _turn: turn,
        })
    }

    /// Ends the session and fails the test with `result`'s error, after saving a screenshot.
    pub async fn finish(self, name: &str, result: TestResult) -> tempfile::TempDir {
        let (data_dir, quit) = self.end(name, &result).await;
        if let Err(e) = result {
            panic!("end-to-end scenario {name} failed: {e}");
        }
        quit.expect("quit the WebDriver session (closes the app)");
        data_dir
    }

    /// Ends the session; on a failed `result` first saves `artifacts/e2e/<name>-failure.png`.
    pub async fn end(
        self,
        name: &str,
        result: &TestResult,
    ) -> (tempfile::TempDir, WebDriverResult<()>) {
        if let Err(e) = result {
            let shot = failure_screenshot(name);
            match self.driver.screenshot(&shot).await {
                Ok(()) => eprintln!("screenshot of the failure: {}", shot.display()),
                Err(se) => eprintln!("could not take a failure screenshot: {se}"),
            }
            eprintln!("scenario {name} failed: {e}");
        }
        let quit = self.driver.quit().await;
        (self.data_dir, quit)
    }

    pub async fn screenshot(&self, name: &str) -> TestResult {
        self.driver
            .screenshot(&artifacts_dir().join(format!("{name}.png")))
            .await?;
        Ok(())
    }

    /// The element with `data-testid="{id}"`, waiting up to 10 s for it to appear.
    pub async fn el(&self, id: &str) -> WebDriverResult<WebElement> {
        self.driver
            .query(By::Css(format!("[data-testid=\"{id}\"]")))
            .wait(Duration::from_secs(10), Duration::from_millis(50))
            .first()
            .await
    }

    pub async fn text(&self, id: &str) -> WebDriverResult<String> {
        self.el(id).await?.text().await
    }

    /// Clicks the element; if the screen re-rendered it between finding and clicking (a stale
    /// element), finds it again, a few times.
    pub async fn click(&self, id: &str) -> WebDriverResult<()> {
        let mut attempts = 0;
        loop {
            match self.el(id).await?.click().await {
                Err(e)
                    if attempts < 5
                        && matches!(
                            e.as_inner(),
                            thirtyfour::error::WebDriverErrorInner::StaleElementReference(_)
                        ) =>
                {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }

    pub async fn type_into(&self, id: &str, text: &str) -> WebDriverResult<()> {
        let el = self.el(id).await?;
        el.clear().await?;
        el.send_keys(text).await
    }

    /// Sizes the window's viewport to `width`×`height` CSS pixels (the window's outer size is
    /// adjusted until the page reports it); returns the viewport the page then reports.
    pub async fn viewport(&self, width: u32, height: u32) -> WebDriverResult<(i64, i64)> {
        let read = || async {
            let r = self
                .driver
                .execute(
                    "return [window.innerWidth, window.innerHeight];",
                    Vec::new(),
                )
                .await?;
            r.convert::<(i64, i64)>()
        };
        let (mut w, mut h) = (width, height);
        for _ in 0..3 {
            self.driver.set_window_rect(0, 0, w, h).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let (iw, ih) = read().await?;
            if iw == i64::from(width) && ih == i64::from(height) {
                break;
            }
            w = (i64::from(w) + i64::from(width) - iw).max(200) as u32;
            h = (i64::from(h) + i64::from(height) - ih).max(200) as u32;
        }
        read().await
    }

    /// Every table on screen that is wider than its card (or sticks out of it), and a page that
    /// scrolls sideways: what an officer would see cut off. Empty when everything fits.
    pub async fn overflowing_tables(&self) -> WebDriverResult<Vec<String>> {
        let r = self
            .driver
            .execute(
                r#"const out = [];
                for (const t of document.querySelectorAll('table')) {
                  const r = t.getBoundingClientRect();
                  if (r.width === 0) continue;
                  const card = t.closest('.card') || document.body;
                  const c = card.getBoundingClientRect();
                  const name = t.dataset.testid || t.className || 'table';
                  if (r.right > c.right + 0.5 || r.left < c.left - 0.5)
                    out.push(`${name}: table ${Math.round(r.left)}..${Math.round(r.right)} px, card ${Math.round(c.left)}..${Math.round(c.right)} px`);
                  for (const cell of t.querySelectorAll('th, td')) {
                    if (cell.scrollWidth > cell.clientWidth + 1) {
                      out.push(`${name}: cell "${cell.textContent.trim()}" is clipped`);
                      break;
                    }
                  }
                }
                const page = document.documentElement;
                if (page.scrollWidth > window.innerWidth)
                  out.push(`the page scrolls sideways: ${page.scrollWidth} > ${window.innerWidth} px`);
                return out;"#,
                Vec::new(),
            )
            .await?;
        r.convert::<Vec<String>>()
    }

    /// Waits until the element reads exactly `want`; fails with `why` and what it read instead.
    pub async fn expect_text(&self, id: &str, want: &str, why: &str) -> TestResult {
        let got = self.wait_text(id, WAIT, |t| t == want).await?;
        if got != want {
            return Err(format!("{why}: [{id}] reads {got:?}, expected {want:?}").into());
        }
        Ok(())
    }

    /// Polls the element's text until `pred` holds or `timeout` passes; returns the last text seen.
    pub async fn wait_text(
        &self,
        id: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> WebDriverResult<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = match self.el(id).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if pred(&text) || Instant::now() > deadline {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// First run: creates the vault as `admin`, choosing the file store when asked (no keychain
    /// under test), and waits for the shell.
    pub async fn create_vault(&self, admin: &str, passphrase: &str) -> TestResult {
        self.wait_text("screen-title", WAIT, |t| !t.is_empty())
            .await?;
        self.type_into("admin-name", admin).await?;
        self.type_into("passphrase", passphrase).await?;
        self.type_into("passphrase-repeat", passphrase).await?;
        self.click("create-submit").await?;
        self.el("keychain-missing").await?;
        self.click("allow-file-keychain").await?;
        self.click("create-submit").await?;
        let who = self
            .wait_text("signed-in", WAIT, |t| t.contains(admin))
            .await?;
        if !who.contains(admin) {
            return Err(format!("the shell should show {admin} signed in, shows {who:?}").into());
        }
        Ok(())
    }

    /// Chooses `officer` on the unlock screen and types `passphrase`.
    pub async fn unlock_as(&self, officer: &str, passphrase: &str) -> TestResult {
        let select = thirtyfour::components::SelectElement::new(&self.el("officer").await?).await?;
        select.select_by_visible_text(officer).await?;
        self.type_into("unlock-passphrase", passphrase).await?;
        self.click("unlock-submit").await?;
        Ok(())
    }

    /// Label text of the form field whose input has this id.
    pub async fn label_of(&self, input_id: &str) -> WebDriverResult<String> {
        self.driver
            .find(By::Css(format!("label[for=\"{input_id}\"]")))
            .await?
            .text()
            .await
    }

    /// The value of an input (what the officer sees typed in it).
    pub async fn value(&self, id: &str) -> WebDriverResult<String> {
        Ok(self.el(id).await?.value().await?.unwrap_or_default())
    }

    /// Chooses the option with this visible text in the select `id`.
    pub async fn choose(&self, id: &str, visible: &str) -> WebDriverResult<()> {
        let select = thirtyfour::components::SelectElement::new(&self.el(id).await?).await?;
        select.select_by_visible_text(visible).await
    }

    /// An administrator, in Settings, adds an officer and waits for the confirmation.
    pub async fn add_officer(&self, name: &str, role_text: &str, passphrase: &str) -> TestResult {
        self.click("nav-settings").await?;
        self.type_into("officer-name", name).await?;
        self.choose("officer-role", role_text).await?;
        self.type_into("officer-passphrase", passphrase).await?;
        self.click("officer-add").await?;
        self.expect_text(
            "officers-notice",
            "Сотрудник добавлен.",
            "the officer was added",
        )
        .await
    }

    /// Locks the desk and unlocks it as `officer`, waiting until they are signed in.
    pub async fn switch_to(&self, officer: &str, passphrase: &str) -> TestResult {
        self.click("lock").await?;
        self.wait_text("screen-title", WAIT, |t| {
            t == "Разблокировка рабочего места"
        })
        .await?;
        self.unlock_as(officer, passphrase).await?;
        let who = self
            .wait_text("signed-in", WAIT, |t| t.contains(officer))
            .await?;
        if !who.contains(officer) {
            return Err(format!("{officer} should be signed in, the bar says {who:?}").into());
        }
        Ok(())
    }
}
