//! Files the desk writes are its owner's alone: folders 0700, files 0600, never through a symlink.
//!
//! Used for the vault folder and its files, backups, the unlock counter and printouts (the shell
//! calls [`create_private`] and [`private_dir`] too), so one place decides the permissions.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates (or, with `replace`, truncates) `path` for writing with mode 0600. Never follows a
/// symlink at `path`; without `replace` an existing file is refused (`AlreadyExists`).
pub fn create_private(path: &Path, replace: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOFOLLOW: a symlink planted at `path` makes the open fail instead of writing elsewhere.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    restrict(path, 0o600)?;
    Ok(file)
}

/// Creates `path` (and missing parents) as folders only the owner can enter; an existing folder
/// is narrowed to 0700.
pub fn private_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)?;
    restrict(path, 0o700)
}

fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_are_owner_only_and_never_follow_symlinks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a");
        drop(create_private(&path, false).expect("create"));
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "new files are owner-only");
        assert_eq!(
            create_private(&path, false).err().map(|e| e.kind()),
            Some(io::ErrorKind::AlreadyExists),
            "an existing file is not overwritten unless asked"
        );
        let target = dir.path().join("target");
        std::fs::write(&target, b"keep").expect("target");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(
            create_private(&link, true).is_err(),
            "a symlink is refused even when replacing"
        );
        assert_eq!(
            std::fs::read(&target).expect("read"),
            b"keep",
            "the symlink's target is untouched"
        );
        let sub = dir.path().join("x/y");
        private_dir(&sub).expect("dirs");
        let mode = std::fs::metadata(&sub).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "folders are owner-only");
    }
}
