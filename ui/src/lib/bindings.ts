// Generated from the Rust DTOs by `cargo test bindings` (src-tauri/src/bindings.rs).
// Do not edit by hand: run `UPDATE_BINDINGS=1 cargo test bindings` after changing a DTO.

export type ErrorCode = "invalid_input" | "weak_passphrase" | "vault_exists" | "vault_missing" | "unknown_officer" | "officer_disabled" | "wrong_passphrase" | "not_a_vault" | "vault_damaged" | "vault_too_new" | "disk_full" | "not_signed_in" | "forbidden" | "too_many_attempts" | "keychain_unavailable" | "device_secret_missing" | "last_admin" | "backup_key" | "backup_damaged" | "internal";

export type CommandError = { code: ErrorCode, message: string, };

export type OfficerChoice = { id: string, name: string, };

export type SignedInOfficer = { id: string, name: string, role: "officer" | "supervisor" | "admin", 
/**
 * False when the device secret is in the explicit file store: the UI warns.
 */
keychain_is_os: boolean, };

export type SessionStatus = { "state": "no_vault" } | { "state": "locked", officers: Array<OfficerChoice>, } | { "state": "unlocked", officer: SignedInOfficer, 
/**
 * `None` when the count could not be read (shown as unknown, never as zero).
 */
outbox_pending: number | null, };

export type CreateVaultRequest = { admin_name: string, passphrase: string, 
/**
 * Keep the device secret in a file because this computer has no keychain. Only honoured
 * after the OS keychain was found missing; never chosen silently.
 */
allow_file_keychain: boolean, };

export type UnlockRequest = { officer_id: string, passphrase: string, };

export type AppInfo = { version: string, data_dir: string, schema_version: number, audit_entries: number, outbox_pending: number, 
/**
 * Where the device secret is kept: `secret-service`, `file`, …
 */
keychain_backend: string, keychain_is_os: boolean, 
/**
 * Whether head office can recover this vault.
 */
has_recovery: boolean, auto_lock_minutes: number, 
/**
 * The desk's Ed25519 public key, hex: what head office certifies.
 */
desk_signing_key: string, };

export type AuditCheck = { entries: number, 
/**
 * The first entry that does not link to the one before, if any.
 */
first_broken: number | null, };

export type AutoLockRequest = { minutes: number, };

export type OfficerRow = { id: string, name: string, role: "officer" | "supervisor" | "admin", disabled: boolean, };

export type AddOfficerRequest = { name: string, role: "officer" | "supervisor" | "admin", passphrase: string, };

export type SetOfficerDisabledRequest = { officer_id: string, disabled: boolean, };

export type ResetPassphraseRequest = { officer_id: string, passphrase: string, };
