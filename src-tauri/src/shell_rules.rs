//! Tests of the desktop shell's security settings: the CSP is strict and the main window's
//! capability grants exactly the app's own commands, nothing of Tauri's core or any plugin.

include!("command_names.rs");

fn json(path: &str) -> serde_json::Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full} is not JSON: {e}"))
}

#[test]
fn csp_allows_only_our_own_content() {
    let conf = json("tauri.conf.json");
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP string is configured");
    assert!(
        csp.starts_with("default-src 'self'"),
        "default-src must be 'self': {csp}"
    );
    for banned in ["unsafe-inline", "unsafe-eval", "http:", "https:", "*"] {
        let hits: Vec<&str> = csp
            .split(';')
            .filter(|d| {
                d.split_whitespace()
                    .skip(1)
                    .any(|s| s.contains(banned) && s != "http://ipc.localhost")
            })
            .collect();
        assert!(hits.is_empty(), "the CSP must not allow {banned}: {hits:?}");
    }
    assert_eq!(
        conf["app"]["withGlobalTauri"], false,
        "no global __TAURI__ object for page scripts"
    );
}

#[test]
fn the_main_window_gets_exactly_the_app_commands() {
    let cap = json("src-tauri/capabilities/main.json");
    assert_eq!(
        cap["windows"],
        serde_json::json!(["main"]),
        "the capability is for the main window only"
    );
    let mut granted: Vec<String> = cap["permissions"]
        .as_array()
        .expect("permissions list")
        .iter()
        .map(|p| {
            p.as_str()
                .expect("permissions are plain identifiers")
                .to_owned()
        })
        .collect();
    granted.sort();
    let mut expected: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    expected.sort();
    assert_eq!(
        granted, expected,
        "capabilities must list one allow-<command> per app command and nothing else"
    );
    let caps_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/capabilities");
    let files: Vec<_> = std::fs::read_dir(caps_dir)
        .expect("capabilities folder")
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one capability file; another would widen the window's rights"
    );
}
