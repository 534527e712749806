//! A bare Tauri 2 window that says hello: the yardstick Branch Desk's start-up time and memory are
//! measured against (scripts/bench-startup.sh). With `BRANCHDESK_READY_FILE` set, the first paint
//! of the page writes that file, exactly as Branch Desk does.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[tauri::command]
fn ready() {
    if let Some(path) = std::env::var_os("BRANCHDESK_READY_FILE") {
        let _ = std::fs::write(path, b"ready");
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("hello-tauri: {e}");
            std::process::exit(1);
        });
}
