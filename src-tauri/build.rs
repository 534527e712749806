//! Build script: tauri-build generates the context (config, embedded UI, ACL) and one permission per
//! app command; the capabilities in src-tauri/capabilities grant the main window exactly those.

/// Every IPC command the UI may call. Adding a command means adding it here, to the handler list in
/// lib.rs and to capabilities/main.json; the build fails when a capability names an unknown one.
const COMMANDS: &[&str] = &[
    "ui_ready",
    "session_status",
    "vault_create",
    "session_unlock",
    "session_lock",
    "app_info",
];

fn main() {
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/*.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
