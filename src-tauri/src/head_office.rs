//! The desk's link with head office as the window and the CLI show it: the views of sync status,
//! a round's report and progress, and the outbox; the mapping of sync failures to the closed error
//! codes; and the window's background sync, which runs a round every N minutes while an officer
//! is signed in and backs off with jitter after a failure. The work itself is `desk_sync`'s.

use std::time::Duration;

use desk_sync::{Failure, Phase, Progress, RoundReport};
use serde::Serialize;
use ts_rs::TS;
use vault::{OutboxItem, OutboxState, SyncStatus, Vault};

use crate::error::{CommandError, ErrorCode};
use crate::quote::desk_time_text;

impl From<Failure> for CommandError {
    fn from(f: Failure) -> Self {
        let f = match f {
            Failure::Vault(e) => return CommandError::from(e),
            other => other,
        };
        let code = match &f {
            Failure::NotEnrolled => ErrorCode::SyncNotEnrolled,
            Failure::AlreadyEnrolled => ErrorCode::SyncAlreadyEnrolled,
            Failure::Revoked => ErrorCode::DeskRevoked,
            Failure::Locked => ErrorCode::NotSignedIn,
            Failure::Forbidden => ErrorCode::Forbidden,
            Failure::Offline => ErrorCode::SyncOffline,
            Failure::Certificate => ErrorCode::SyncCertificate,
            Failure::Refused { .. } => ErrorCode::SyncRefused,
            Failure::Busy => ErrorCode::SyncBusy,
            Failure::Forged(_) => ErrorCode::SyncForged,
            Failure::BadCode => ErrorCode::EnrolmentCodeInvalid,
            Failure::CodeSpent => ErrorCode::EnrolmentCodeSpent,
            Failure::Running => ErrorCode::SyncRunning,
            Failure::Internal(_) => ErrorCode::Internal,
            Failure::Vault(_) => ErrorCode::Internal,
        };
        CommandError::new(code, f.to_string())
    }
}

/// How sync stands: the top bar, Settings and `branchdesk sync status`.
#[derive(Debug, Serialize, TS)]
pub struct SyncStatusView {
    pub enrolled: bool,
    pub branch: Option<String>,
    pub url: Option<String>,
    pub device_id: Option<String>,
    /// Head office revoked this desk: it is read-only.
    pub revoked: bool,
    /// As the desk shows times; `None` before the first attempt.
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    /// The last attempt's error code (one of the sync codes), `None` when it succeeded.
    pub last_code: Option<ErrorCode>,
    pub interval_minutes: u32,
    #[ts(type = "number")]
    pub queued: i64,
    #[ts(type = "number")]
    pub sent: i64,
    #[ts(type = "number")]
    pub acked: i64,
    #[ts(type = "number")]
    pub refused: i64,
    /// A round is under way now.
    pub running: bool,
}

/// The stored failure code of the last attempt as the window's error code.
fn stored_code(code: &str) -> ErrorCode {
    match code {
        "not_enrolled" => ErrorCode::SyncNotEnrolled,
        "revoked" => ErrorCode::DeskRevoked,
        "offline" => ErrorCode::SyncOffline,
        "certificate" => ErrorCode::SyncCertificate,
        "busy" => ErrorCode::SyncBusy,
        "forged" => ErrorCode::SyncForged,
        "refused" => ErrorCode::SyncRefused,
        "running" => ErrorCode::SyncRunning,
        _ => ErrorCode::Internal,
    }
}

impl SyncStatusView {
    pub(crate) fn of(s: &SyncStatus, running: bool) -> Self {
        let link = s.link.as_ref();
        SyncStatusView {
            enrolled: link.is_some(),
            branch: link.map(|l| l.branch.clone()),
            url: link.map(|l| l.url.clone()),
            device_id: link.map(|l| l.device_id.clone()),
            revoked: link.is_some_and(|l| l.revoked_at.is_some()),
            last_attempt_at: s.last_attempt_at.as_deref().map(desk_time_text),
            last_success_at: s.last_success_at.as_deref().map(desk_time_text),
            last_code: s.last_code.as_deref().map(stored_code),
            interval_minutes: s.interval_minutes,
            queued: s.outbox.queued,
            sent: s.outbox.sent,
            acked: s.outbox.acked,
            refused: s.outbox.refused,
            running,
        }
    }
}

/// What a round did.
#[derive(Debug, Serialize, TS)]
pub struct SyncReportView {
    #[ts(type = "number")]
    pub records_pushed: u64,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    #[ts(type = "number")]
    pub batches: u64,
    pub decisions: usize,
    pub publications: usize,
    pub roster: usize,
    #[ts(type = "number")]
    pub compacted: i64,
}

impl From<&RoundReport> for SyncReportView {
    fn from(r: &RoundReport) -> Self {
        SyncReportView {
            records_pushed: r.records_pushed,
            bytes_sent: r.bytes_sent,
            batches: r.batches,
            decisions: r.feed.decisions,
            publications: r.feed.publications,
            roster: r.feed.roster,
            compacted: r.compacted,
        }
    }
}

/// Where "Sync now" stands, for its progress bar.
#[derive(Clone, Debug, Serialize, TS)]
pub struct SyncProgressView {
    /// `push`, `feed` or `compact`.
    pub phase: String,
    #[ts(type = "number")]
    pub records_done: u64,
    #[ts(type = "number")]
    pub records_total: u64,
    #[ts(type = "number")]
    pub bytes_sent: u64,
}

impl From<Progress> for SyncProgressView {
    fn from(p: Progress) -> Self {
        SyncProgressView {
            phase: match p.phase {
                Phase::Push => "push",
                Phase::Feed => "feed",
                Phase::Compact => "compact",
            }
            .to_owned(),
            records_done: p.records_done,
            records_total: p.records_total,
            bytes_sent: p.bytes_sent,
        }
    }
}

/// One row of the outbox view.
#[derive(Debug, Serialize, TS)]
pub struct OutboxItemView {
    #[ts(type = "number")]
    pub seq: i64,
    pub created_at: String,
    pub officer_name: String,
    pub action: String,
    pub entity_id: String,
    /// `queued`, `sent`, `acked` or `refused`.
    pub state: String,
    #[ts(type = "number")]
    pub attempts: i64,
    /// Head office's refusal code or the failure's code, if the last attempt failed.
    pub last_error: Option<String>,
    pub acked_at: Option<String>,
    /// Payload bytes kept (0 once compacted).
    #[ts(type = "number")]
    pub size: i64,
}

impl From<&OutboxItem> for OutboxItemView {
    fn from(i: &OutboxItem) -> Self {
        OutboxItemView {
            seq: i.seq,
            created_at: desk_time_text(&i.created_at),
            officer_name: i.officer_name.clone(),
            action: i.action.clone(),
            entity_id: i.entity_id.clone(),
            state: i.state.as_str().to_owned(),
            attempts: i.attempts,
            last_error: i.last_error.clone(),
            acked_at: i.acked_at.as_deref().map(desk_time_text),
            size: i.size,
        }
    }
}

/// A state filter from the window or the command line.
pub(crate) fn parse_state(text: Option<&str>) -> Result<Option<OutboxState>, CommandError> {
    match text {
        None | Some("") | Some("all") => Ok(None),
        Some(s) => OutboxState::parse(s).map(Some).ok_or_else(|| {
            CommandError::new(
                ErrorCode::InvalidInput,
                "the state is one of queued, sent, acked, refused",
            )
            .on("state")
        }),
    }
}

/// What an enrolment code says, shown before the administrator confirms.
#[derive(Debug, Serialize, TS)]
pub struct EnrolPreviewView {
    pub url: String,
    pub branch: String,
    pub expires_at: String,
    /// The code's deadline has passed (head office will most likely refuse it).
    pub expired: bool,
}

/// The desk's name as head office lists it: the computer's host name, else "Branch Desk".
pub(crate) fn desk_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty() && h.chars().count() <= 100)
        .unwrap_or_else(|| "Branch Desk".to_owned())
}

/// The vault's sync status as a view.
pub(crate) fn status_view(v: &Vault, running: bool) -> Result<SyncStatusView, CommandError> {
    Ok(SyncStatusView::of(&v.sync_status()?, running))
}

/// The wait before the next background round: the interval after a success, a jittered backoff
/// after failures in a row; `None` when background sync is off (interval 0).
pub(crate) fn next_round_in(interval_minutes: u32, failures: u32) -> Option<Duration> {
    if interval_minutes == 0 {
        return None;
    }
    let interval = Duration::from_secs(u64::from(interval_minutes) * 60);
    Some(desk_sync::retry_delay(
        failures,
        interval,
        &mut rand::thread_rng(),
    ))
}
