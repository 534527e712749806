// The only module that talks to Rust. Every call goes through `call`, which turns any rejection
// into the one error shape `{code, message}`; screens never see raw IPC errors.
import { invoke } from "@tauri-apps/api/core";
import type {
  AddOfficerRequest,
  AppInfo,
  AuditCheck,
  CommandError,
  CreateVaultRequest,
  ErrorCode,
  OfficerRow,
  ResetPassphraseRequest,
  SessionStatus,
  SetOfficerDisabledRequest,
  UnlockRequest,
} from "./bindings";

export type { AppInfo, AuditCheck, CommandError, ErrorCode, OfficerRow, SessionStatus };

// Exhaustive by type: adding a code in Rust fails the type check here until it is listed.
const knownCodes: Record<ErrorCode, true> = {
  invalid_input: true,
  weak_passphrase: true,
  vault_exists: true,
  vault_missing: true,
  unknown_officer: true,
  officer_disabled: true,
  wrong_passphrase: true,
  not_a_vault: true,
  vault_damaged: true,
  vault_too_new: true,
  disk_full: true,
  not_signed_in: true,
  forbidden: true,
  too_many_attempts: true,
  keychain_unavailable: true,
  device_secret_missing: true,
  last_admin: true,
  backup_key: true,
  backup_damaged: true,
  internal: true,
};
const codes: ReadonlySet<string> = new Set(Object.keys(knownCodes));

/** Turns whatever an invoke rejected with into a CommandError. */
export function toCommandError(e: unknown): CommandError {
  if (typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" && codes.has(e.code)) {
    const message = "message" in e && typeof e.message === "string" ? e.message : "";
    return { code: e.code as ErrorCode, message };
  }
  return { code: "internal", message: String(e) };
}

export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(e: CommandError) {
    super(e.message);
    this.code = e.code;
  }
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw new BackendError(toCommandError(e));
  }
}

export const backend = {
  uiReady: () => call<void>("ui_ready"),
  sessionStatus: () => call<SessionStatus>("session_status"),
  createVault: (request: CreateVaultRequest) => call<SessionStatus>("vault_create", { request }),
  unlock: (request: UnlockRequest) => call<SessionStatus>("session_unlock", { request }),
  lock: () => call<SessionStatus>("session_lock"),
  touch: () => call<void>("session_touch"),
  appInfo: () => call<AppInfo>("app_info"),
  auditVerify: () => call<AuditCheck>("audit_verify"),
  setAutoLock: (minutes: number) => call<void>("settings_set_auto_lock", { request: { minutes } }),
  officers: () => call<OfficerRow[]>("officers_list"),
  addOfficer: (request: AddOfficerRequest) => call<OfficerRow[]>("officer_add", { request }),
  setOfficerDisabled: (request: SetOfficerDisabledRequest) => call<OfficerRow[]>("officer_set_disabled", { request }),
  resetPassphrase: (request: ResetPassphraseRequest) => call<void>("officer_reset_passphrase", { request }),
};
