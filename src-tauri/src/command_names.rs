// Every IPC command the UI may call, in one list shared by build.rs (which generates an
// `allow-<command>` permission for each) and the test that checks capabilities/main.json grants
// exactly these. Adding a command: add it here, to the handler list in lib.rs, and to the capability.
pub const COMMANDS: &[&str] = &[
    "ui_ready",
    "session_status",
    "vault_create",
    "session_unlock",
    "session_lock",
    "session_touch",
    "app_info",
    "audit_verify",
    "settings_set_auto_lock",
    "officers_list",
    "officer_add",
    "officer_set_disabled",
    "officer_reset_passphrase",
];
