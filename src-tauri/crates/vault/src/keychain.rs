//! Where the desk's device secret lives: the OS keychain when there is one, or, chosen explicitly
//! when there is none (headless Linux), a file in the data folder. The backend in use is recorded
//! in the key file and shown in Settings; the desk never falls back to a weaker store by itself.
//!
//! The device secret is half of every officer's key wrap (the passphrase is the other half), so a
//! vault folder copied to another computer cannot be opened with a passphrase alone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};

use crate::error::VaultError;
use crate::secret::DeviceSecret;

/// The keychain service name under which device secrets are kept.
const SERVICE: &str = "kz.sminvest.branchdesk";

/// Which kind of store holds the device secret; recorded in the key file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeychainBackend {
    /// Linux Secret Service (GNOME Keyring, KWallet) over D-Bus.
    SecretService,
    /// Windows Credential Manager.
    WindowsCredentialManager,
    /// macOS Keychain.
    AppleKeychain,
    /// keyring-core's in-memory mock: tests only.
    Mock,
    /// A file with owner-only permissions in the data folder: weaker, used only when chosen.
    File,
}

impl KeychainBackend {
    /// Whether this backend is a real OS keychain (the UI warns when it is not).
    pub fn is_os_keychain(self) -> bool {
        !matches!(self, KeychainBackend::File | KeychainBackend::Mock)
    }

    /// The name recorded in the key file and shown in Settings (`secret-service`, `file`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            KeychainBackend::SecretService => "secret-service",
            KeychainBackend::WindowsCredentialManager => "windows-credential-manager",
            KeychainBackend::AppleKeychain => "apple-keychain",
            KeychainBackend::Mock => "mock",
            KeychainBackend::File => "file",
        }
    }
}

/// A store for device secrets.
#[derive(Clone)]
pub enum Keychain {
    /// A keyring-core credential store (the OS keychain, or the mock in tests).
    Store {
        /// The keyring-core store.
        store: Arc<CredentialStore>,
        /// Which kind of store it is.
        backend: KeychainBackend,
    },
    /// Files named `device-<vault id>.secret` in this folder, owner-only.
    File {
        /// The folder holding the secret files.
        dir: PathBuf,
    },
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keychain({})", self.backend().as_str())
    }
}

impl Keychain {
    /// The operating system's keychain, or why there is none here.
    pub fn os() -> Result<Keychain, VaultError> {
        #[cfg(target_os = "linux")]
        {
            let store = zbus_secret_service_keyring_store::Store::new()
                .map_err(|e| VaultError::KeychainUnavailable(e.to_string()))?;
            let keychain = Keychain::Store {
                store,
                backend: KeychainBackend::SecretService,
            };
            keychain.probe()?;
            Ok(keychain)
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(VaultError::KeychainUnavailable(
                "no keychain store is built for this platform yet".into(),
            ))
        }
    }

    /// Opens the store a vault recorded (`file_dir` holds the file store), never a different,
    /// possibly weaker, one. The mock lives only in memory, so it cannot be reopened.
    pub fn for_backend(backend: KeychainBackend, file_dir: &Path) -> Result<Keychain, VaultError> {
        match backend {
            KeychainBackend::File => Ok(Keychain::file(file_dir)),
            KeychainBackend::Mock => {
                Err(VaultError::KeychainUnavailable("a test-only store".into()))
            }
            KeychainBackend::SecretService
            | KeychainBackend::WindowsCredentialManager
            | KeychainBackend::AppleKeychain => Keychain::os(),
        }
    }

    /// keyring-core's in-memory mock store (tests).
    pub fn mock() -> Result<Keychain, VaultError> {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new()
            .map_err(|e| VaultError::KeychainUnavailable(e.to_string()))?;
        Ok(Keychain::Store {
            store,
            backend: KeychainBackend::Mock,
        })
    }

    /// The explicit file-backed store in `dir` (the data folder).
    pub fn file(dir: impl Into<PathBuf>) -> Keychain {
        Keychain::File { dir: dir.into() }
    }

    /// Which kind of store this is.
    pub fn backend(&self) -> KeychainBackend {
        match self {
            Keychain::Store { backend, .. } => *backend,
            Keychain::File { .. } => KeychainBackend::File,
        }
    }

    /// Asks the store for an entry that does not exist: proves it answers (D-Bus up, collection unlocked).
    /// Only the Linux store is probed so far (docs/windows.md: the Windows store comes next).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    fn probe(&self) -> Result<(), VaultError> {
        match self.entry("probe")?.get_secret() {
            Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(VaultError::KeychainUnavailable(e.to_string())),
        }
    }

    fn entry(&self, vault_id: &str) -> Result<Entry, VaultError> {
        match self {
            Keychain::Store { store, .. } => {
                Entry::new_in_store(store, SERVICE, &format!("device-secret/{vault_id}"))
                    .map_err(|e| VaultError::KeychainUnavailable(e.to_string()))
            }
            Keychain::File { .. } => Err(VaultError::KeychainUnavailable(
                "not a keyring store".into(),
            )),
        }
    }

    fn file_path(dir: &Path, vault_id: &str) -> PathBuf {
        dir.join(format!("device-{vault_id}.secret"))
    }

    /// Stores the device secret of vault `vault_id`.
    pub(crate) fn put(&self, vault_id: &str, secret: &DeviceSecret) -> Result<(), VaultError> {
        match self {
            Keychain::Store { .. } => self
                .entry(vault_id)?
                .set_secret(secret.bytes())
                .map_err(|e| VaultError::KeychainUnavailable(e.to_string())),
            Keychain::File { dir } => {
                std::fs::create_dir_all(dir)?;
                let path = Self::file_path(dir, vault_id);
                let tmp = path.with_extension("secret.tmp");
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create(true).truncate(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut f = options.open(&tmp)?;
                f.write_all(secret.bytes())?;
                f.sync_all()?;
                std::fs::rename(&tmp, &path)?;
                Ok(())
            }
        }
    }

    /// Reads the device secret of vault `vault_id`.
    pub(crate) fn get(&self, vault_id: &str) -> Result<DeviceSecret, VaultError> {
        let bytes = match self {
            Keychain::Store { .. } => match self.entry(vault_id)?.get_secret() {
                Ok(b) => zeroize::Zeroizing::new(b),
                Err(keyring_core::Error::NoEntry) => return Err(VaultError::DeviceSecretMissing),
                Err(e) => return Err(VaultError::KeychainUnavailable(e.to_string())),
            },
            Keychain::File { dir } => match std::fs::read(Self::file_path(dir, vault_id)) {
                Ok(b) => zeroize::Zeroizing::new(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(VaultError::DeviceSecretMissing);
                }
                Err(e) => return Err(e.into()),
            },
        };
        DeviceSecret::from_bytes(&bytes).ok_or(VaultError::DeviceSecretMissing)
    }

    /// Removes the device secret of vault `vault_id` (a vault that failed to be created).
    pub(crate) fn forget(&self, vault_id: &str) {
        match self {
            Keychain::Store { .. } => {
                if let Ok(e) = self.entry(vault_id) {
                    let _ = e.delete_credential();
                }
            }
            Keychain::File { dir } => {
                let _ = std::fs::remove_file(Self::file_path(dir, vault_id));
            }
        }
    }
}
