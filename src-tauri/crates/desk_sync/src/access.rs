//! How a sync round reaches the vault: briefly, between network calls, so the officer keeps
//! working while a push is under way. The window holds the vault in its session slot (which can
//! empty when the desk locks); the CLI and the tests hold it in a mutex.

use std::sync::Mutex;

use vault::{OfficerId, Vault};

use crate::failure::Failure;

/// Lends the unlocked vault for one short step of a round.
pub trait VaultAccess {
    /// Runs `f` with the vault; [`Failure::Locked`] when the desk locked in the meantime.
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, Failure>;
}

/// The vault lent for one round on behalf of the officer who started it: if the desk locks and
/// another officer signs in meanwhile, the round ends ([`Failure::Locked`]) rather than act, and be
/// audited, as them.
pub(crate) struct OneOfficer<'a, A> {
    access: &'a A,
    officer: OfficerId,
}

impl<'a, A: VaultAccess> OneOfficer<'a, A> {
    pub(crate) fn of(access: &'a A) -> Result<Self, Failure> {
        let officer = access.with(|v| v.officer().id.clone())?;
        Ok(Self { access, officer })
    }
}

impl<A: VaultAccess> VaultAccess for OneOfficer<'_, A> {
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, Failure> {
        self.access
            .with(|v| (v.officer().id == self.officer).then(|| f(v)))?
            .ok_or(Failure::Locked)
    }
}

impl VaultAccess for Mutex<Vault> {
    fn with<R>(&self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, Failure> {
        let mut v = self.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut v))
    }
}
