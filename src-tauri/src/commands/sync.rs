//! Sync with head office from the window: status for the top bar, enrolment in Settings
//! (administrators), "Sync now" with progress, the outbox view and its retry, and the background
//! interval. Every command checks the session and role here; the work is `desk_sync`'s.

use serde::Deserialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::head_office::{
    EnrolPreviewView, OutboxItemView, SyncProgressView, SyncReportView, SyncStatusView,
    parse_state, status_view,
};
use crate::state::{ADMIN, ANY_ROLE, AppState};

#[derive(Debug, Deserialize, TS)]
pub struct EnrolRequest {
    /// Head office's one-time code as pasted (`BDE1-…`, line breaks allowed).
    pub code: String,
    /// Enrol again after head office revoked this desk (explicit).
    pub again: bool,
}

#[derive(Debug, Deserialize, TS)]
pub struct OutboxRequest {
    /// `queued`, `sent`, `acked`, `refused`, or `null` for all.
    pub state: Option<String>,
    /// Items before this outbox number (the next page), or `null` for the newest.
    #[ts(type = "number | null")]
    pub before: Option<i64>,
}

#[derive(Debug, Deserialize, TS)]
pub struct SyncIntervalRequest {
    /// Minutes between background syncs, 0 to 1440 (0: only "Sync now").
    pub minutes: u32,
}

fn running(state: &AppState) -> bool {
    state.sync_round.try_lock().is_err()
}

#[tauri::command]
pub(crate) fn sync_status(state: State<'_, AppState>) -> Result<SyncStatusView, CommandError> {
    let running = running(&state);
    state.with_session_quiet(|v| status_view(v, running))
}

/// Reads a code for the administrator to confirm (where it connects, which branch).
#[tauri::command]
pub(crate) fn sync_enrol_preview(
    state: State<'_, AppState>,
    code: String,
) -> Result<EnrolPreviewView, CommandError> {
    state.with_session(ADMIN, |_| Ok(()))?;
    let p = desk_sync::preview(&code, chrono::Utc::now())
        .map_err(|e| CommandError::from(e).on("code"))?;
    Ok(EnrolPreviewView {
        url: p.url,
        branch: p.branch,
        expires_at: crate::quote::desk_time_text(&p.expires_at),
        expired: p.expired,
    })
}

#[tauri::command]
pub(crate) async fn sync_enrol(
    app: AppHandle,
    request: EnrolRequest,
) -> Result<SyncStatusView, CommandError> {
    let state = app.state::<AppState>();
    state.with_session(ADMIN, |_| Ok(()))?;
    let _round = state.sync_round.lock().await;
    desk_sync::enrol(
        &*state,
        &request.code,
        &crate::head_office::desk_name(),
        request.again,
        &chrono::Utc::now,
    )
    .await
    .map_err(|e| {
        let e = CommandError::from(e);
        match e.code {
            ErrorCode::EnrolmentCodeInvalid | ErrorCode::EnrolmentCodeSpent => e.on("code"),
            _ => e,
        }
    })?;
    state.with_session_quiet(|v| status_view(v, true))
}

/// One round now, reporting progress on `progress`; waits for a background round under way.
#[tauri::command]
pub(crate) async fn sync_now(
    app: AppHandle,
    progress: Channel<SyncProgressView>,
) -> Result<SyncReportView, CommandError> {
    let state = app.state::<AppState>();
    state.with_session(ANY_ROLE, |_| Ok(()))?;
    let _round = state.sync_round.lock().await;
    let report = desk_sync::sync_now(
        &*state,
        &|p| {
            let _ = progress.send(SyncProgressView::from(p));
        },
        &chrono::Utc::now,
    )
    .await?;
    end_session_if_disabled(&state, &report);
    Ok(SyncReportView::from(&report))
}

/// Head office disabled the officer who is signed in: their session ends now (the window's
/// session poll shows the unlock screen, where they can no longer sign in).
fn end_session_if_disabled(state: &AppState, report: &desk_sync::RoundReport) {
    if report.feed.signed_in_disabled {
        state.lock();
    }
}

#[tauri::command]
pub(crate) fn sync_outbox(
    state: State<'_, AppState>,
    request: OutboxRequest,
) -> Result<Vec<OutboxItemView>, CommandError> {
    let filter = parse_state(request.state.as_deref())?;
    state.with_session(ANY_ROLE, |v| {
        Ok(
            v.outbox_items(filter, request.before, crate::commands::PAGE)?
                .iter()
                .map(OutboxItemView::from)
                .collect(),
        )
    })
}

/// Puts refused and unanswered records back in the queue; the window then syncs.
#[tauri::command]
pub(crate) fn sync_retry(state: State<'_, AppState>) -> Result<usize, CommandError> {
    state.with_session(ANY_ROLE, |v| Ok(v.outbox_retry()?))
}

#[tauri::command]
pub(crate) fn settings_set_sync_interval(
    state: State<'_, AppState>,
    request: SyncIntervalRequest,
) -> Result<(), CommandError> {
    if request.minutes > vault::MAX_SYNC_MINUTES {
        return Err(CommandError::new(
            ErrorCode::OutOfRange,
            format!("0 to {} minutes", vault::MAX_SYNC_MINUTES),
        )
        .on("minutes"));
    }
    state.with_session(ADMIN, |v| {
        Ok(v.set_sync_interval_minutes(request.minutes, chrono::Utc::now())?)
    })
}

/// Runs a round shortly after an officer signs in and then every N minutes while one is signed
/// in; after a failure sooner, backing off with jitter. A round never overlaps "Sync now" (they
/// share one lock).
pub(crate) fn spawn_background(app: AppHandle) {
    const TICK: std::time::Duration = std::time::Duration::from_secs(5);
    tauri::async_runtime::spawn(async move {
        let mut failures = 0u32;
        let mut next = tokio::time::Instant::now() + TICK;
        loop {
            tokio::time::sleep(TICK).await;
            let state = app.state::<AppState>();
            let interval = state
                .with_session_quiet(|v| {
                    Ok(v.head_office()?
                        .filter(|l| l.revoked_at.is_none())
                        .map(|_| v.sync_interval_minutes())
                        .transpose()?)
                })
                .ok()
                .flatten()
                .filter(|m| *m > 0);
            let Some(minutes) = interval else {
                // Locked, not enrolled, revoked or switched off: start afresh when that changes.
                failures = 0;
                next = tokio::time::Instant::now() + TICK;
                continue;
            };
            if tokio::time::Instant::now() < next {
                continue;
            }
            let Ok(_round) = state.sync_round.try_lock() else {
                continue;
            };
            match desk_sync::sync_now(&*state, &|_| {}, &chrono::Utc::now).await {
                Ok(report) => {
                    end_session_if_disabled(&state, &report);
                    failures = 0
                }
                Err(desk_sync::Failure::Locked | desk_sync::Failure::NotEnrolled) => failures = 0,
                Err(_) => failures = failures.saturating_add(1),
            }
            let wait = crate::head_office::next_round_in(minutes, failures).unwrap_or(TICK);
            next = tokio::time::Instant::now() + wait;
        }
    });
}
