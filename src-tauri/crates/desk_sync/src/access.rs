//! How a sync round reaches the vault: briefly, between network calls, so the officer keeps
//! working while a push is under way. The window holds the vault in its session slot (which can
//! empty when the desk locks); the CLI and the tests hold it in a mutex.

use std::sync::Mutex;

use vault::Vault;

use crate::failure::Failure;

/// Lends the unlocked vault for one short step of a round.
pub trait VaultAccess {
    /// Runs `f` with the vault; [`Failure::Locked`] when the desk locked in the meantime.
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, Failure>;
}

impl VaultAccess for Mutex<Vault> {
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, Failure> {
        let mut v = self.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut v))
    }
}
