//! `branchdesk sync enrol|now|status|outbox|retry`: the window's sync with head office, headless.
//! The officer is named by `--officer` (optional when the vault has one), passphrase on stdin.
//! A failed sync exits 1 with the same closed code the window shows (`sync_offline`, …).

use std::sync::Mutex;

use clap::Subcommand;

use super::consent::open_as;
use super::{Refusal, say, say_json};
use crate::error::{CommandError, ErrorCode};
use crate::head_office::{
    OutboxItemView, SyncReportView, SyncStatusView, desk_name, parse_state, status_view,
};

#[derive(Subcommand, Debug)]
pub(crate) enum SyncCommand {
    /// Connects this desk to head office with its one-time code (administrators).
    Enrol {
        /// The code head office gave (`BDE1-…`).
        code: String,
        /// Connect again after head office revoked this desk.
        #[arg(long)]
        again: bool,
        /// The desk's name at head office (default: this computer's host name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Pushes the outbox and applies head office's feed now.
    Now {
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Where sync stands: head office, last sync, outbox counts.
    Status {
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The outbox, newest first: each record's state and last error.
    Outbox {
        /// Only `queued`, `sent`, `acked` or `refused`.
        #[arg(long)]
        state: Option<String>,
        /// How many (at most 500).
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Drops acknowledged payloads past the retention and gives the space back to the disk
    /// (administrators; rewrites the vault file, minutes on a large vault).
    Compact {
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Puts refused and unanswered records back in the queue (then run `sync now`).
    Retry {
        #[arg(long)]
        officer: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, Refusal> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Refusal::new(ErrorCode::Internal, e.to_string()))
}

pub(crate) fn run(cmd: SyncCommand) -> Result<(), Refusal> {
    match cmd {
        SyncCommand::Enrol {
            code,
            again,
            name,
            officer,
            json,
        } => {
            let vault = Mutex::new(open_as(officer)?);
            let name = name.unwrap_or_else(desk_name);
            let link = runtime()?
                .block_on(desk_sync::enrol(
                    &vault,
                    &code,
                    &name,
                    again,
                    &chrono::Utc::now,
                ))
                .map_err(CommandError::from)?;
            if json {
                say_json(&serde_json::json!({
                    "enrolled": true,
                    "url": link.url,
                    "branch": link.branch,
                    "device_id": link.device_id,
                }))
            } else {
                say(format_args!(
                    "connected to head office at {} as desk {} of branch {}",
                    link.url, link.device_id, link.branch
                ))
            }
        }
        SyncCommand::Now { officer, json } => {
            let vault = Mutex::new(open_as(officer)?);
            let report = runtime()?
                .block_on(desk_sync::sync_now(&vault, &|_| {}, &chrono::Utc::now))
                .map_err(CommandError::from)?;
            let view = SyncReportView::from(&report);
            if json {
                say_json(&view)
            } else {
                say(format_args!(
                    "sent {} records in {} batches ({} bytes); from head office: {} decisions, {} publications, {} roster changes",
                    view.records_pushed,
                    view.batches,
                    view.bytes_sent,
                    view.decisions,
                    view.publications,
                    view.roster
                ))
            }
        }
        SyncCommand::Status { officer, json } => {
            let v = open_as(officer)?;
            let s = status_view(&v, false)?;
            if json {
                say_json(&s)
            } else {
                say(status_text(&s))
            }
        }
        SyncCommand::Outbox {
            state,
            limit,
            officer,
            json,
        } => {
            let filter = parse_state(state.as_deref())?;
            let v = open_as(officer)?;
            let items: Vec<OutboxItemView> = v
                .outbox_items(filter, None, limit)?
                .iter()
                .map(OutboxItemView::from)
                .collect();
            if json {
                return say_json(&items);
            }
            for i in &items {
                say(format_args!(
                    "{:>7}  {:<8} {}  {:<28} {}{}",
                    i.seq,
                    i.state,
                    i.created_at,
                    i.action,
                    i.officer_name,
                    i.last_error
                        .as_deref()
                        .map(|e| format!("  (last error: {e})"))
                        .unwrap_or_default()
                ))?;
            }
            Ok(())
        }
        SyncCommand::Compact { officer, json } => {
            let mut v = open_as(officer)?;
            let before = v.file_size()?;
            let c = v.compact_outbox(
                chrono::Utc::now(),
                chrono::Duration::days(vault::OUTBOX_RETENTION_DAYS),
            )?;
            let after = v.file_size()?;
            if json {
                say_json(&serde_json::json!({
                    "records": c.records,
                    "payload_bytes": c.bytes,
                    "rewritten": c.vacuumed,
                    "file_bytes_before": before,
                    "file_bytes_after": after,
                }))
            } else {
                say(format_args!(
                    "{} acknowledged payloads dropped ({} bytes); vault file {} → {} bytes",
                    c.records, c.bytes, before, after
                ))
            }
        }
        SyncCommand::Retry { officer, json } => {
            let mut v = open_as(officer)?;
            let n = v.outbox_retry()?;
            if json {
                say_json(&serde_json::json!({ "requeued": n }))
            } else {
                say(format_args!(
                    "{n} records queued again; run `branchdesk sync now`"
                ))
            }
        }
    }
}

fn status_text(s: &SyncStatusView) -> String {
    if !s.enrolled {
        return "not connected to head office: an administrator runs `branchdesk sync enrol CODE`"
            .to_owned();
    }
    let mut lines = vec![format!(
        "head office: {} (branch {}, desk {}){}",
        s.url.as_deref().unwrap_or(""),
        s.branch.as_deref().unwrap_or(""),
        s.device_id.as_deref().unwrap_or(""),
        if s.revoked {
            "; REVOKED: this desk is read-only"
        } else {
            ""
        }
    )];
    lines.push(format!(
        "last sync: {}{}",
        s.last_success_at.as_deref().unwrap_or("never"),
        match (&s.last_code, &s.last_attempt_at) {
            (Some(code), Some(at)) => format!(
                "; last attempt {at} failed ({})",
                serde_json::to_value(code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            _ => String::new(),
        }
    ));
    lines.push(format!(
        "outbox: {} queued, {} sent, {} refused, {} acknowledged; background sync every {} min",
        s.queued, s.sent, s.refused, s.acked, s.interval_minutes
    ));
    lines.join("\n")
}
