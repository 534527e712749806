//! Where the desk keeps its data: the user's data folder (XDG on Linux), never beside the binary
//! or in the current folder. `BRANCHDESK_DATA_DIR` overrides it (tests, a second desk on one PC).

use std::path::PathBuf;

/// The application identifier, also the name of its data folder.
pub const APP_ID: &str = "kz.sminvest.branchdesk";

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error("the user's data folder is unknown (set HOME or BRANCHDESK_DATA_DIR)")]
    NoDataDir,
    #[error("BRANCHDESK_DATA_DIR must be an absolute path")]
    RelativeOverride,
}

/// The desk's data folder.
pub fn data_dir() -> Result<PathBuf, PathError> {
    if let Some(dir) = std::env::var_os("BRANCHDESK_DATA_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            Ok(dir)
        } else {
            Err(PathError::RelativeOverride)
        };
    }
    dirs::data_dir()
        .map(|d| d.join(APP_ID))
        .ok_or(PathError::NoDataDir)
}

/// The folder of the desk's vault inside the data folder.
pub fn vault_dir(data_dir: &std::path::Path) -> vault::VaultDir {
    vault::VaultDir::new(data_dir.join("vault"))
}
