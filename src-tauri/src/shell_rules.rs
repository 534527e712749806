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

/// The commands `ui/src/lib/backend.ts` invokes: the name in every `call<…>("name"` there. A call
/// whose command is not a string literal fails the test, so nothing can hide from it.
fn backend_commands(src: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = src[at..].find("call") {
        let start = at + i;
        at = start + "call".len();
        let word_before = src[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let word_after = src[at..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        // `function call<T>(command: string, …)` is the definition, not a call.
        if word_before || word_after || src[..start].trim_end().ends_with("function") {
            continue;
        }
        let mut rest = &src[at..];
        if rest.starts_with('<') {
            let mut depth = 0;
            let mut end = None;
            for (j, c) in rest.char_indices() {
                match c {
                    '<' => depth += 1,
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            rest = &rest[end.expect("a call's type arguments are closed")..];
        }
        let Some(args) = rest.strip_prefix('(') else {
            continue;
        };
        let name = args
            .strip_prefix('"')
            .and_then(|a| a.split_once('"'))
            .map(|(name, _)| name.to_owned())
            .unwrap_or_else(|| {
                panic!(
                    "backend.ts calls a command that is not a string literal: call{}",
                    &rest[..rest.len().min(40)]
                )
            });
        found.push(name);
    }
    found
}

#[test]
fn the_window_calls_exactly_the_app_commands() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/backend.ts");
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let called: std::collections::BTreeSet<String> = backend_commands(&src).into_iter().collect();
    let listed: std::collections::BTreeSet<String> =
        COMMANDS.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(
        COMMANDS.len(),
        listed.len(),
        "command_names.rs lists a command twice"
    );
    let unlisted: Vec<&String> = called.difference(&listed).collect();
    let uncalled: Vec<&String> = listed.difference(&called).collect();
    assert!(
        unlisted.is_empty() && uncalled.is_empty(),
        "ui/src/lib/backend.ts and src-tauri/src/command_names.rs must name the same commands: \
         called but not listed {unlisted:?}; listed but never called {uncalled:?}"
    );
}

#[test]
fn the_command_scanner_reads_every_shape_of_call() {
    let src = r#"
        async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {}
        a: () => call<void>("ui_ready"),
        b: () => call<FormDraftDto | null>("form_draft_take"),
        c: (x: string) => call<Record<string, Array<string>>>("nested", { x }),
        d: () => call("untyped"),
        recall: () => recall<void>("not_ours"),
    "#;
    assert_eq!(
        backend_commands(src),
        ["ui_ready", "form_draft_take", "nested", "untyped"]
    );
}

#[test]
fn only_backend_ts_reaches_tauri() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir)
            .expect("ui/src is readable")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "ts" || e == "svelte") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src"));
    let mut files = Vec::new();
    walk(root, &mut files);
    let offenders: Vec<String> = files
        .iter()
        .filter(|p| !p.ends_with("lib/backend.ts"))
        .filter(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .contains("@tauri-apps/api")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "only ui/src/lib/backend.ts may import @tauri-apps/api: {offenders:?}"
    );
}
