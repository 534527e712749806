//! The administrator's command line. Exit status: 0 done, 1 refused or failed (the reason on
//! stderr), 2 usage error (from clap).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use sync::PeerKeys;
use sync::enrol::EnrolmentCode;
use sync::feed::FeedKind;

use crate::clock::Clock;
use crate::keys::Home;
use crate::store::{AnyStore, Decision, NewEnrolment, Store};

/// Head office for Branch Desks.
#[derive(Parser, Debug)]
#[command(name = "branchdesk-hq", version, about)]
pub struct Cli {
    /// Head office's folder (keys, certificate, default database).
    #[arg(long, env = "BRANCHDESK_HQ_HOME", global = true)]
    home: Option<PathBuf>,
    /// Database URL: sqlite://PATH (default: <home>/hq.db) or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "BRANCHDESK_HQ_DB", global = true)]
    db: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make head office's keys and a self-signed TLS certificate (passphrase: first line of
    /// standard input, or the file named by BRANCHDESK_HQ_PASSPHRASE_FILE).
    Init {
        /// Host names and IP addresses desks reach head office by (repeat).
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        /// The URL desks use (default: https://<first host>:8443).
        #[arg(long)]
        url: Option<String>,
    },
    /// Serve desks over HTTPS until SIGTERM or Ctrl-C (passphrase as for init).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Requests per second each desk may make on average (bursts of ten times that).
        #[arg(long, default_value_t = 20.0)]
        rate: f64,
    },
    /// Make a one-time enrolment code for a desk of a branch.
    Enrol {
        /// The branch the desk belongs to.
        #[arg(long)]
        branch: String,
        /// How long the code stays valid: 30m, 24h, 7d.
        #[arg(long, default_value = "24h")]
        expires: String,
        /// The URL this desk reaches head office by, if not the one given at init (another
        /// address on the branch's network, a port forwarded).
        #[arg(long)]
        url: Option<String>,
    },
    /// List enrolled desks: last seen, last sequence, status.
    Devices {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a desk: its pushes are refused and its feed tells it so.
    Revoke {
        /// Device id (from `devices`).
        device: String,
    },
    /// Publish a policy version, products, caps or trust anchors to every desk (checked before
    /// it is signed into the feed).
    Publish {
        /// What the file holds.
        what: Publication,
        /// The file: a policy description (JSON naming its text file), a catalogue (JSON), or
        /// the certificates desks trust for signed files (PEM; the whole set, replacing the last).
        file: PathBuf,
    },
    /// Disable or enable an officer on every desk.
    Roster {
        /// disable or enable.
        change: RosterChange,
        /// The officer's id.
        officer: String,
    },
    /// List applications as desks last reported them.
    Applications {
        /// Only this stage (draft, submitted, referred, approved, …).
        #[arg(long)]
        stage: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// One application with its steps and head office's decision.
    Show {
        /// Application id.
        application: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Decide an application referred to head office; the desk receives it on its next sync.
    Decide {
        /// Application id.
        application: String,
        /// approve or decline.
        outcome: Outcome,
        /// Why (shown to the officer).
        #[arg(long)]
        reason: String,
        /// Who decides.
        #[arg(long)]
        by: String,
    },
    /// Counts: desks, records, batches, applications waiting.
    Status {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Publication {
    Policy,
    Products,
    Caps,
    Anchors,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RosterChange {
    Disable,
    Enable,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Outcome {
    Approve,
    Decline,
}

/// A failed command: its message for stderr.
#[derive(Debug)]
pub struct Failed(pub String);

impl<E: std::fmt::Display> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed(e.to_string())
    }
}

fn default_home() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("branchdesk-hq")
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failed> {
    let home = Home::new(cli.home.clone().unwrap_or_else(default_home));
    let db_url = cli.db.clone().unwrap_or_else(|| home.default_db());
    let clock = Clock::System;
    match cli.command {
        Command::Init { hosts, url } => {
            let url = url.unwrap_or_else(|| format!("https://{}:8443", hosts[0]));
            let pass = crate::keys::read_passphrase()?;
            let public = home.init(&url, &hosts, &pass)?;
            println!("head office keys made in {}", home.dir().display());
            println!("url:              {}", public.url);
            println!(
                "certificate:      {} (SHA-256 {})",
                home.cert().display(),
                public.cert_sha256
            );
            println!("signing key:      {}", public.signing);
            println!("age recipient:    {}", public.recipient);
            Ok(())
        }
        Command::Serve { listen, rate } => serve(&home, &db_url, listen, rate, clock).await,
        Command::Enrol {
            branch,
            expires,
            url,
        } => {
            let branch = branch.trim().to_owned();
            if branch.is_empty() || branch.chars().count() > 100 {
                return Err(Failed(
                    "the branch name must have 1 to 100 characters".into(),
                ));
            }
            let lifetime = parse_duration(&expires)?;
            let public = home.public()?;
            let store = AnyStore::open(&db_url).await?;
            let token: [u8; 32] = rand::random();
            let now = clock.now();
            let expires_at = crate::clock::text(now + lifetime);
            store
                .create_enrolment(NewEnrolment {
                    token_sha256: sync::sha256(&token),
                    branch: branch.clone(),
                    created_at: crate::clock::text(now),
                    expires_at: expires_at.clone(),
                })
                .await?;
            let cert_sha256: [u8; 32] = hex::decode(&public.cert_sha256)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Failed("public.json is damaged".into()))?;
            let url = url.unwrap_or_else(|| public.url.clone());
            if !url.starts_with("https://") {
                return Err(Failed("the URL must start with https://".into()));
            }
            let code = EnrolmentCode {
                url,
                cert_sha256,
                head_office: PeerKeys::parse(&public.signing, &public.recipient)?,
                branch,
                token,
                expires_at: expires_at.clone(),
            };
            eprintln!(
                "one-time code for {} (valid until {expires_at}); give it to the desk's administrator:",
                public.url
            );
            println!("{}", code.encode());
            Ok(())
        }
        Command::Devices { json } => {
            let store = AnyStore::open(&db_url).await?;
            let devices = store.devices().await?;
            if json {
                let rows: Vec<_> = devices
                    .iter()
                    .map(|d| {
                        serde_json::json!({
                            "id": d.id, "branch": d.branch, "name": d.name, "status": d.status,
                            "enrolled_at": d.enrolled_at, "last_seen": d.last_seen, "last_seq": d.acked_seq,
                            "audit_seq": d.audit_head.map(|h| h.seq),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<17} {:<8} {:<20} {:<20} {:>9}  name",
                    "device", "status", "branch", "last seen", "last seq"
                );
                for d in &devices {
                    println!(
                        "{:<17} {:<8} {:<20} {:<20} {:>9}  {}",
                        d.id,
                        d.status,
                        d.branch,
                        d.last_seen.as_deref().unwrap_or("never"),
                        d.acked_seq,
                        d.name
                    );
                }
            }
            Ok(())
        }
        Command::Revoke { device } => {
            let store = AnyStore::open(&db_url).await?;
            let revoked = store.revoke(device.clone(), clock.text()).await?;
            // Published on every run: a run whose publication failed after the revocation
            // committed is repaired by running it again.
            crate::feed::publish_desks(&store, clock.text()).await?;
            if revoked {
                println!(
                    "{device} revoked; its next sync tells it so, and other desks stop trusting its printouts"
                );
            } else {
                println!("{device} was already revoked; the desk list is published again");
            }
            Ok(())
        }
        Command::Publish { what, file } => {
            let publication = read_publication(what, &file, clock.now())?;
            if publication.body.len() > crate::store::FEED_PAGE_BYTES {
                return Err(Failed(
                    "the publication is larger than 4 MiB; desks could not receive it".into(),
                ));
            }
            let store = AnyStore::open(&db_url).await?;
            let epoch = store
                .publish(
                    None,
                    publication.kind,
                    publication.effective_from.clone(),
                    publication.body,
                    clock.text(),
                )
                .await?;
            println!(
                "published {} (effective {}) to every desk at epoch {epoch}",
                publication.kind.as_str(),
                publication.effective_from.as_deref().unwrap_or("at once")
            );
            Ok(())
        }
        Command::Roster { change, officer } => {
            let enabled = matches!(change, RosterChange::Enable);
            let store = AnyStore::open(&db_url).await?;
            let now = clock.text();
            let body = crate::feed::roster_body(&officer, enabled, &now);
            let epoch = store
                .publish(None, FeedKind::Roster, None, body, now)
                .await?;
            println!(
                "officer {officer} {} on every desk at epoch {epoch}",
                if enabled { "enabled" } else { "disabled" }
            );
            Ok(())
        }
        Command::Applications { stage, json } => {
            let store = AnyStore::open(&db_url).await?;
            let rows = store.applications(stage).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<38} {:<17} {:<10} {:>16} {:>6}  decision",
                    "application", "device", "stage", "amount, ₸", "months"
                );
                for r in &rows {
                    println!(
                        "{:<38} {:<17} {:<10} {:>16} {:>6}  {}",
                        r.id,
                        r.device,
                        r.stage,
                        tenge(r.amount_tiyn),
                        r.months,
                        r.decision.as_deref().unwrap_or("-")
                    );
                }
            }
            Ok(())
        }
        Command::Show { application, json } => {
            let store = AnyStore::open(&db_url).await?;
            let detail = store
                .application(application.clone())
                .await?
                .ok_or_else(|| Failed(format!("no application {application}")))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&detail)?);
            } else {
                let r = &detail.row;
                println!(
                    "application {} (version {} of {})",
                    r.id, r.version, r.lineage
                );
                println!(
                    "device {}  client {}  product {}",
                    r.device, r.client_id, r.product_id
                );
                println!(
                    "amount {} ₸ for {} months; stage {}",
                    tenge(r.amount_tiyn),
                    r.months,
                    r.stage
                );
                for s in &detail.steps {
                    println!(
                        "  {}  {:<8} → {:<10} by {}{}",
                        s.at,
                        s.step,
                        s.stage,
                        s.officer_id,
                        s.reason
                            .as_deref()
                            .map(|x| format!(": {x}"))
                            .unwrap_or_default()
                    );
                }
                match &detail.decision {
                    Some(d) => println!(
                        "head office: {} by {} at {}: {}",
                        d.outcome, d.decided_by, d.decided_at, d.reason
                    ),
                    None => println!("head office: not decided"),
                }
            }
            Ok(())
        }
        Command::Decide {
            application,
            outcome,
            reason,
            by,
        } => {
            let (reason, by) = (reason.trim().to_owned(), by.trim().to_owned());
            if reason.is_empty() || by.is_empty() {
                return Err(Failed(
                    "a decision needs a reason and the name of who decides".into(),
                ));
            }
            let store = AnyStore::open(&db_url).await?;
            let outcome = match outcome {
                Outcome::Approve => "approve",
                Outcome::Decline => "decline",
            };
            let epoch = store
                .decide(Decision {
                    application_id: application.clone(),
                    outcome: outcome.into(),
                    reason,
                    decided_by: by,
                    decided_at: clock.text(),
                })
                .await?;
            println!(
                "{application}: {outcome}d; the desk receives it on its next sync (epoch {epoch})"
            );
            Ok(())
        }
        Command::Status { json } => {
            let store = AnyStore::open(&db_url).await?;
            let c = store.counts().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&c)?);
            } else {
                println!(
                    "desks: {} active, {} revoked",
                    c.devices_active, c.devices_revoked
                );
                println!("stored: {} records in {} batches", c.records, c.batches);
                println!("waiting for head office: {} applications", c.referred);
                println!("feed entries: {}", c.feed_entries);
            }
            Ok(())
        }
    }
}

fn tenge(tiyn: i64) -> String {
    let sign = if tiyn < 0 { "-" } else { "" };
    let t = tiyn.unsigned_abs();
    format!("{sign}{}.{:02}", t / 100, t % 100)
}

fn parse_duration(s: &str) -> Result<chrono::Duration, Failed> {
    let bad = || {
        Failed(format!(
            "cannot read the duration {s:?}: use e.g. 30m, 24h or 7d"
        ))
    };
    let unit = s.chars().last().ok_or_else(bad)?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    let d = match unit {
        'm' => chrono::Duration::try_minutes(n),
        'h' => chrono::Duration::try_hours(n),
        'd' => chrono::Duration::try_days(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    if n <= 0 || d > chrono::Duration::days(30) {
        return Err(Failed(
            "an enrolment code must expire within 30 days".into(),
        ));
    }
    Ok(d)
}

fn read_publication(
    what: Publication,
    file: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::feed::Publication, Failed> {
    let bytes = std::fs::read(file).map_err(|e| Failed(format!("{}: {e}", file.display())))?;
    let text = || {
        std::str::from_utf8(&bytes)
            .map_err(|_| Failed(format!("{}: not UTF-8 text", file.display())))
    };
    Ok(match what {
        Publication::Anchors => crate::feed::anchors(&bytes, now)?,
        Publication::Products => crate::feed::catalogue(FeedKind::Products, text()?)?,
        Publication::Caps => crate::feed::catalogue(FeedKind::Caps, text()?)?,
        Publication::Policy => {
            let text = text()?;
            let desc: serde_json::Value = serde_json::from_str(text)?;
            let name = desc
                .get("text_file")
                .and_then(|v| v.as_str())
                .filter(|n| !n.contains('/') && !n.contains('\\'))
                .ok_or_else(|| {
                    Failed(
                        "the policy description must name its text_file (in the same folder)"
                            .into(),
                    )
                })?;
            let text_path = file.parent().unwrap_or(Path::new(".")).join(name);
            let body = std::fs::read_to_string(&text_path)
                .map_err(|e| Failed(format!("{}: {e}", text_path.display())))?;
            crate::feed::policy(text, &body)?
        }
    })
}

async fn serve(
    home: &Home,
    db_url: &str,
    listen: SocketAddr,
    rate: f64,
    clock: Clock,
) -> Result<(), Failed> {
    if !(rate.is_finite() && rate > 0.0) {
        return Err(Failed("--rate must be a positive number".into()));
    }
    let pass = crate::keys::read_passphrase()?;
    let unlocked = home.unlock(&pass)?;
    drop(pass);
    let store = AnyStore::open(db_url).await?;
    let tls = crate::tls::server_config(&unlocked.cert_der, &unlocked.tls_key)?;
    let shared = Arc::new(crate::server::Shared {
        store,
        keys: unlocked.keys,
        clock,
        metrics: Default::default(),
        rate: crate::rate::RateLimit::new(rate, (rate * 10.0).max(1.0)),
        pushes: tokio::sync::Semaphore::new(crate::server::CONCURRENT_PUSHES),
        stored: tokio::sync::Notify::new(),
    });
    let backend = if db_url.starts_with("sqlite://") {
        "sqlite"
    } else {
        "postgres"
    };
    crate::server::serve(
        listen,
        shared,
        tls,
        stop_signal(),
        Duration::from_secs(30),
        |addr| {
            tracing::info!(%addr, backend, "serving");
            // Scripts and tests read the bound address (useful with port 0) from this line.
            println!("listening on https://{addr}");
            use std::io::Write;
            let _ = std::io::stdout().flush();
        },
    )
    .await?;
    Ok(())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, tenge};

    #[test]
    fn code_lifetimes_read_minutes_hours_days_up_to_thirty_days() {
        assert_eq!(
            parse_duration("30m").unwrap(),
            chrono::Duration::minutes(30)
        );
        assert_eq!(parse_duration("24h").unwrap(), chrono::Duration::hours(24));
        assert_eq!(parse_duration("7d").unwrap(), chrono::Duration::days(7));
        for bad in ["", "h", "0h", "-1h", "31d", "1w", "1.5h", "24", "1д", "д"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn amounts_print_in_tenge_with_tiyn() {
        assert_eq!(tenge(50_000_000), "500000.00");
        assert_eq!(tenge(12_345), "123.45");
        assert_eq!(tenge(5), "0.05");
        assert_eq!(tenge(-5), "-0.05");
        assert_eq!(tenge(i64::MIN), "-92233720368547758.08");
    }
}
