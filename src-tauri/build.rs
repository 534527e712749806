//! Build script: tauri-build generates the context (config, embedded UI, ACL) and one permission per
//! app command; the capabilities in src-tauri/capabilities grant the main window exactly those.

include!("src/command_names.rs");

fn main() {
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/*.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
