//! The one error shape that crosses IPC: `{code, message}`. `code` is from a closed set the UI
//! acts on and translates; `message` is a plain English detail for logs and support, never shown
//! as the only explanation and never carrying secrets, SQL, paths or stack traces.

use serde::Serialize;
use ts_rs::TS;
use vault::VaultError;

/// Every error code the UI may receive. Adding one means adding its translation in all languages
/// (the UI's type check fails otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field failed validation.
    InvalidInput,
    /// The passphrase is shorter than the rule.
    WeakPassphrase,
    /// Creating a vault where one exists.
    VaultExists,
    /// Unlocking where there is no vault.
    VaultMissing,
    /// The officer is not in this vault.
    UnknownOfficer,
    /// The officer's account is disabled.
    OfficerDisabled,
    /// The passphrase does not open this officer's key.
    WrongPassphrase,
    /// The file is not a vault at all.
    NotAVault,
    /// The vault is damaged or was altered.
    VaultDamaged,
    /// The vault comes from a newer version of the app.
    VaultTooNew,
    /// No space left on the disk.
    DiskFull,
    /// A command that needs a signed-in officer was called while locked.
    NotSignedIn,
    /// The officer's role does not allow this.
    Forbidden,
    /// Too many wrong passphrases in a row: wait, then try again.
    TooManyAttempts,
    /// The vault's keychain cannot be reached (no D-Bus, locked collection, none on this OS).
    KeychainUnavailable,
    /// The keychain does not hold this vault's device secret (a copied vault, a lost keychain).
    DeviceSecretMissing,
    /// The last active administrator cannot be disabled.
    LastAdmin,
    /// The backup cannot be opened with that key or passphrase.
    BackupKey,
    /// The backup file is damaged or not a backup.
    BackupDamaged,
    /// Anything else: a bug or an environment fault; details only in the message.
    Internal,
}

/// The error every command returns.
#[derive(Debug, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
        }
    }
}

impl From<VaultError> for CommandError {
    fn from(e: VaultError) -> Self {
        let code = match &e {
            VaultError::AlreadyExists => ErrorCode::VaultExists,
            VaultError::Missing => ErrorCode::VaultMissing,
            VaultError::WeakPassphrase { .. } => ErrorCode::WeakPassphrase,
            VaultError::BadOfficerName => ErrorCode::InvalidInput,
            VaultError::UnknownOfficer => ErrorCode::UnknownOfficer,
            VaultError::OfficerDisabled => ErrorCode::OfficerDisabled,
            VaultError::WrongPassphrase => ErrorCode::WrongPassphrase,
            VaultError::NotAVault => ErrorCode::NotAVault,
            VaultError::Damaged => ErrorCode::VaultDamaged,
            VaultError::TooNew { .. } => ErrorCode::VaultTooNew,
            VaultError::DiskFull => ErrorCode::DiskFull,
            VaultError::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            VaultError::Forbidden => ErrorCode::Forbidden,
            VaultError::LastAdmin => ErrorCode::LastAdmin,
            // The keychain's own text can name D-Bus paths: keep it out of the message.
            VaultError::KeychainUnavailable(_) => {
                return CommandError::new(
                    ErrorCode::KeychainUnavailable,
                    "the OS keychain is not available",
                );
            }
            VaultError::DeviceSecretMissing => ErrorCode::DeviceSecretMissing,
            VaultError::BackupKey => ErrorCode::BackupKey,
            VaultError::BackupDamaged => ErrorCode::BackupDamaged,
            VaultError::BadSetting => ErrorCode::InvalidInput,
            // I/O and database details may name paths or SQL: keep them out of the message.
            VaultError::Io(_) => {
                return CommandError::new(ErrorCode::Internal, "file access failed");
            }
            VaultError::Db(_) => return CommandError::new(ErrorCode::Internal, "database error"),
        };
        CommandError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let e = CommandError::new(ErrorCode::WrongPassphrase, "the passphrase is not right");
        let json = serde_json::to_string(&e).expect("serialisable");
        assert_eq!(
            json,
            r#"{"code":"wrong_passphrase","message":"the passphrase is not right"}"#
        );
    }

    #[test]
    fn io_and_db_details_do_not_leak() {
        let io = std::io::Error::other("/home/officer/secret/path");
        let e = CommandError::from(VaultError::Io(io));
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(
            !e.message.contains("/home"),
            "paths must not cross IPC: {}",
            e.message
        );
    }
}
