//! What the window process holds between commands: where the vault is, the open session, and
//! when the officer last did something (for auto-lock). The unlock throttle lives beside the
//! vault (see the vault crate), shared with the CLI and kept across restarts.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use vault::{Role, Vault, VaultDir};

use crate::error::{CommandError, ErrorCode};

pub(crate) struct AppState {
    pub data_dir: PathBuf,
    pub vault_dir: VaultDir,
    session: Mutex<Option<Session>>,
    /// The scan the officer attached last, checked, waiting for the grant or withdrawal that
    /// names its token; dropped when the session ends.
    scan: Mutex<Option<StagedScan>>,
    /// Held while a sync round runs: one round at a time, "Sync now" or the background's.
    pub sync_round: tokio::sync::Mutex<()>,
}

/// A scan held between `consent_scan_stage` and the record that uses it.
pub(crate) struct StagedScan {
    pub token: String,
    pub bytes: Vec<u8>,
}

/// An unlocked vault and the officer's last activity.
pub(crate) struct Session {
    pub vault: Vault,
    pub last_activity: Instant,
    pub idle_limit: Duration,
}

impl Session {
    pub fn new(vault: Vault) -> Session {
        let minutes = vault
            .auto_lock_minutes()
            .unwrap_or(vault::DEFAULT_AUTO_LOCK_MINUTES);
        Session {
            vault,
            last_activity: Instant::now(),
            idle_limit: Duration::from_secs(u64::from(minutes) * 60),
        }
    }

    /// Seconds until auto-lock, as of `now`.
    pub fn idle_left(&self, now: Instant) -> u64 {
        self.idle_limit
            .saturating_sub(now.duration_since(self.last_activity))
            .as_secs()
    }

    pub fn idle_expired(&self, now: Instant) -> bool {
        now.duration_since(self.last_activity) >= self.idle_limit
    }
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> Self {
        let vault_dir = crate::paths::vault_dir(&data_dir);
        AppState {
            data_dir,
            vault_dir,
            session: Mutex::new(None),
            scan: Mutex::new(None),
            sync_round: tokio::sync::Mutex::new(()),
        }
    }

    /// The session slot, whatever it holds. A poisoned lock (a panic elsewhere) still yields it:
    /// the vault connection is transactional, so nothing half-written survives.
    pub fn slot(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ends the session in `slot`, if any. Dropping it drops the Vault (connection closed, key and
    /// device secret wiped); the printouts handed to the viewer go with it, so client data stays
    /// only in the vault once the desk is locked, whichever way it was locked.
    fn end_session(&self, slot: &mut Option<Session>) {
        if slot.take().is_some() {
            crate::documents::clear_printouts(&self.data_dir);
        }
        *self.scan.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Holds a checked scan (replacing any earlier one).
    pub fn stage_scan(&self, scan: StagedScan) {
        *self.scan.lock().unwrap_or_else(|p| p.into_inner()) = Some(scan);
    }

    /// The held scan's bytes when `token` names it; no token, no scan.
    pub fn staged_scan(&self, token: Option<&str>) -> Result<Option<Vec<u8>>, CommandError> {
        let Some(token) = token else {
            return Ok(None);
        };
        let held = self.scan.lock().unwrap_or_else(|p| p.into_inner());
        match held.as_ref() {
            Some(s) if s.token == token => Ok(Some(s.bytes.clone())),
            _ => Err(CommandError::new(
                ErrorCode::InvalidInput,
                "the scan is no longer held: attach it again",
            )
            .on("scan")),
        }
    }

    /// Locks the desk (the officer's "Lock" button).
    pub fn lock(&self) {
        self.end_session(&mut self.slot());
    }

    /// Locks the desk if the officer has been idle past the limit; true when it did.
    pub fn lock_if_idle(&self, now: Instant) -> bool {
        let mut slot = self.slot();
        if slot.as_ref().is_some_and(|s| s.idle_expired(now)) {
            self.end_session(&mut slot);
            return true;
        }
        false
    }

    /// Runs `f` on the open vault if an officer is signed in with one of `roles`; counts as activity.
    pub fn with_session<T>(
        &self,
        roles: &[Role],
        f: impl FnOnce(&mut Vault) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let now = Instant::now();
        let mut slot = self.slot();
        if slot.as_ref().is_some_and(|s| s.idle_expired(now)) {
            self.end_session(&mut slot);
        }
        let session = slot
            .as_mut()
            .ok_or_else(|| CommandError::new(ErrorCode::NotSignedIn, "no officer is signed in"))?;
        if !roles.contains(&session.vault.officer().role) {
            return Err(CommandError::new(
                ErrorCode::Forbidden,
                "this officer's role may not do this",
            ));
        }
        session.last_activity = now;
        f(&mut session.vault)
    }

    /// Like [`with_session`](Self::with_session), for what the window does on its own (saving
    /// the open form before auto-lock): it does not count as the officer's activity.
    pub fn with_session_quiet<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let mut slot = self.slot();
        if slot
            .as_ref()
            .is_some_and(|s| s.idle_expired(Instant::now()))
        {
            self.end_session(&mut slot);
        }
        let session = slot
            .as_mut()
            .ok_or_else(|| CommandError::new(ErrorCode::NotSignedIn, "no officer is signed in"))?;
        f(&mut session.vault)
    }
}

/// A sync round borrows the signed-in officer's vault between network calls; without touching the
/// officer's activity (background sync must not keep an idle desk unlocked). A locked desk ends
/// the round.
impl desk_sync::VaultAccess for AppState {
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, desk_sync::Failure> {
        let mut slot = self.slot();
        if slot
            .as_ref()
            .is_some_and(|s| s.idle_expired(Instant::now()))
        {
            self.end_session(&mut slot);
        }
        match slot.as_mut() {
            Some(session) => Ok(f(&mut session.vault)),
            None => Err(desk_sync::Failure::Locked),
        }
    }
}

/// Every role: for commands any signed-in officer may call.
pub(crate) const ANY_ROLE: &[Role] = &[Role::Officer, Role::Supervisor, Role::Admin];
/// Administrators only.
pub(crate) const ADMIN: &[Role] = &[Role::Admin];
/// Supervisors and administrators (a client's data export).
pub(crate) const CHECKERS: &[Role] = &[Role::Supervisor, Role::Admin];

#[cfg(test)]
mod tests {
    use super::*;
    use vault::{Keychain, Passphrase};

    fn signed_in_state() -> (tempfile::TempDir, AppState) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = AppState::new(tmp.path().to_path_buf());
        let keychain = Keychain::mock().expect("mock keychain");
        let v = Vault::create(
            &state.vault_dir,
            &keychain,
            "Auto Lock",
            &Passphrase::new("auto lock pass".into()),
            None,
            chrono::Utc::now(),
        )
        .expect("create");
        *state.slot() = Some(Session::new(v));
        (tmp, state)
    }

    #[test]
    fn the_default_idle_limit_is_ten_minutes_and_activity_pushes_it_back() {
        let (_tmp, state) = signed_in_state();
        let start = state
            .slot()
            .as_ref()
            .map(|s| (s.last_activity, s.idle_limit))
            .expect("session");
        assert_eq!(
            start.1,
            Duration::from_secs(600),
            "auto-lock defaults to 10 minutes"
        );
        assert!(
            !state.lock_if_idle(start.0 + Duration::from_secs(599)),
            "not locked before the limit"
        );
        // Pretend the officer last did something five minutes ago; a command must move that on.
        let earlier = start
            .0
            .checked_sub(Duration::from_secs(300))
            .expect("the clock is past five minutes");
        if let Some(s) = state.slot().as_mut() {
            s.last_activity = earlier;
        }
        state.with_session(ANY_ROLE, |_| Ok(())).expect("activity");
        let touched = state
            .slot()
            .as_ref()
            .map(|s| s.last_activity)
            .expect("session");
        assert!(
            touched >= start.0,
            "a command counts as activity: the idle clock restarts at the command, not five minutes ago"
        );
        assert!(
            !state.lock_if_idle(earlier + Duration::from_secs(600)),
            "ten minutes after the old activity the desk stays open: the command pushed auto-lock back"
        );
        assert!(
            state.lock_if_idle(touched + Duration::from_secs(600)),
            "locked once idle for the limit"
        );
        assert!(
            state.slot().is_none(),
            "locking drops the vault (and with it the key)"
        );
    }

    #[test]
    fn a_command_after_the_idle_limit_is_refused_as_not_signed_in() {
        let (_tmp, state) = signed_in_state();
        if let Some(s) = state.slot().as_mut() {
            s.idle_limit = Duration::ZERO;
        }
        let err = state
            .with_session(ANY_ROLE, |_| Ok(()))
            .expect_err("refused");
        assert_eq!(err.code, ErrorCode::NotSignedIn);
        assert!(state.slot().is_none(), "the idle session was dropped");
    }

    #[test]
    fn every_way_a_session_ends_removes_the_printouts() {
        let printed = |state: &AppState| {
            crate::documents::write_printout(&state.data_dir, "offer-0123abcd.pdf", b"%PDF-")
                .expect("printout")
        };
        // The officer's Lock button.
        let (_tmp, state) = signed_in_state();
        let path = printed(&state);
        state.lock();
        assert!(!path.exists(), "locking removes the printouts");
        // The auto-lock thread.
        let (_tmp, state) = signed_in_state();
        let path = printed(&state);
        if let Some(s) = state.slot().as_mut() {
            s.idle_limit = Duration::ZERO;
        }
        assert!(state.lock_if_idle(Instant::now()));
        assert!(!path.exists(), "auto-lock removes the printouts");
        // A command that finds the session expired before the auto-lock thread did.
        let (_tmp, state) = signed_in_state();
        let path = printed(&state);
        if let Some(s) = state.slot().as_mut() {
            s.idle_limit = Duration::ZERO;
        }
        let _ = state.with_session(ANY_ROLE, |_| Ok(()));
        assert!(
            !path.exists(),
            "an expired session found by a command takes its printouts too"
        );
    }

    #[test]
    fn roles_are_checked_in_rust() {
        let (_tmp, state) = signed_in_state();
        state
            .with_session(ADMIN, |_| Ok(()))
            .expect("the first officer is an administrator");
        let err = state
            .with_session(&[Role::Supervisor], |_| Ok(()))
            .expect_err("refused");
        assert_eq!(
            err.code,
            ErrorCode::Forbidden,
            "an administrator is not a supervisor"
        );
    }
}
