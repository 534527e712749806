// Generated from the Rust DTOs by `cargo test bindings` (src-tauri/src/bindings.rs).
// Do not edit by hand: run `UPDATE_BINDINGS=1 cargo test bindings` after changing a DTO.

export type ErrorCode = "invalid_input" | "weak_passphrase" | "vault_exists" | "vault_missing" | "unknown_officer" | "officer_disabled" | "wrong_passphrase" | "not_a_vault" | "vault_damaged" | "vault_too_new" | "disk_full" | "not_signed_in" | "forbidden" | "internal";

export type CommandError = { code: ErrorCode, message: string, };

export type OfficerChoice = { id: string, name: string, };

export type SignedInOfficer = { id: string, name: string, role: "officer" | "supervisor" | "admin", };

export type SessionStatus = { "state": "no_vault" } | { "state": "locked", officers: Array<OfficerChoice>, } | { "state": "unlocked", officer: SignedInOfficer, };

export type CreateVaultRequest = { admin_name: string, passphrase: string, };

export type UnlockRequest = { officer_id: string, passphrase: string, };

export type AppInfo = { version: string, data_dir: string, schema_version: number, audit_entries: number, };
