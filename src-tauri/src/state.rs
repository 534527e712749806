//! What the window process holds between commands: where the vault is, and the open session.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use vault::{Role, Vault, VaultDir};

use crate::error::{CommandError, ErrorCode};

pub(crate) struct AppState {
    pub data_dir: PathBuf,
    pub vault_dir: VaultDir,
    /// The unlocked vault, signed in as one officer; `None` while locked.
    session: Mutex<Option<Vault>>,
}

impl AppState {
    pub fn new(data_dir: PathBuf) -> Self {
        let vault_dir = crate::paths::vault_dir(&data_dir);
        AppState {
            data_dir,
            vault_dir,
            session: Mutex::new(None),
        }
    }

    /// The session slot, whatever it holds. A poisoned lock (a panic elsewhere) still yields it:
    /// the vault connection is transactional, so nothing half-written survives.
    pub fn slot(&self) -> MutexGuard<'_, Option<Vault>> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open vault if an officer is signed in with at least one of `roles`.
    pub fn with_session<T>(
        &self,
        roles: &[Role],
        f: impl FnOnce(&mut Vault) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let mut slot = self.slot();
        let vault = slot
            .as_mut()
            .ok_or_else(|| CommandError::new(ErrorCode::NotSignedIn, "no officer is signed in"))?;
        if !roles.contains(&vault.officer().role) {
            return Err(CommandError::new(
                ErrorCode::Forbidden,
                "this officer's role may not do this",
            ));
        }
        f(vault)
    }
}

/// Every role: for commands any signed-in officer may call.
pub(crate) const ANY_ROLE: &[Role] = &[Role::Officer, Role::Supervisor, Role::Admin];
