//! Build script: tauri-build generates the context (config, embedded UI, ACL) and one permission per
//! app command; the capabilities in src-tauri/capabilities grant the main window exactly those.
//! It also records the git commit the binary is built from (`branchdesk --version` prints it):
//! `BRANCHDESK_GIT_COMMIT` from the environment (a build from a source tarball), else `git`, else
//! `unknown`.

include!("src/command_names.rs");

fn git_commit() -> String {
    if let Ok(c) = std::env::var("BRANCHDESK_GIT_COMMIT")
        && !c.trim().is_empty()
    {
        return c.trim().to_owned();
    }
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn main() {
    println!("cargo:rustc-env=BRANCHDESK_GIT_COMMIT={}", git_commit());
    println!("cargo:rerun-if-env-changed=BRANCHDESK_GIT_COMMIT");
    // A new commit moves HEAD or the branch it points to.
    if let Ok(git_dir) = std::process::Command::new("git")
        .args(["rev-parse", "--git-dir"])
        .output()
        && git_dir.status.success()
    {
        let dir = std::path::PathBuf::from(String::from_utf8_lossy(&git_dir.stdout).trim());
        let mut watch = vec![dir.join("HEAD"), dir.join("packed-refs")];
        if let Ok(head) = std::fs::read_to_string(dir.join("HEAD"))
            && let Some(reference) = head.trim().strip_prefix("ref: ")
        {
            watch.push(dir.join(reference));
        }
        // Only files that exist: cargo reruns the script on every build for a missing one.
        for path in watch.iter().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/*.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
