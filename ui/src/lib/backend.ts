// The only module that talks to Rust. Every call goes through `call`, which turns any rejection
// into the one error shape `{code, message}`; screens never see raw IPC errors.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AddOfficerRequest,
  AppInfo,
  ApplicationCreateRequest,
  ApplicationForm,
  ApplicationPage,
  ApplicationRowView,
  ApplicationSaveRequest,
  ApplicationStepRequest,
  ApplicationView,
  AuditCheck,
  ClientCard,
  ClientForm,
  ClientPage,
  ClientUpdateRequest,
  CommandError,
  ConsentRecorded,
  ConsentRecordRequest,
  ConsentView,
  ConsentWithdrawRequest,
  CreateVaultRequest,
  DocumentView,
  ErrorCode,
  FieldIssue,
  FormDraftDto,
  IinInfo,
  Limit,
  OfficerRow,
  PrintRequest,
  ProductView,
  QuoteReport,
  ResetPassphraseRequest,
  SessionStatus,
  SetApprovalLimitRequest,
  SetOfficerDisabledRequest,
  Stage,
  UnlockRequest,
  RecoverRequest,
  ScanStaged,
  EnrolPreviewView,
  OutboxItemView,
  SyncProgressView,
  SyncReportView,
  SyncStatusView,
  IdentityCheckRequest,
  VerificationView,
} from "./bindings";

export type {
  AppInfo,
  AuditCheck,
  CommandError,
  ErrorCode,
  Limit,
  OfficerRow,
  SessionStatus,
  EnrolPreviewView,
  OutboxItemView,
  SyncProgressView,
  SyncReportView,
  SyncStatusView,
  VerificationView,
};

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
  required: true,
  too_long: true,
  bad_character: true,
  mixed_scripts: true,
  bad_format: true,
  iin_century: true,
  iin_birth_date: true,
  iin_check_digit: true,
  iin_not_issuable: true,
  iin_mismatch: true,
  phone_not_kazakh: true,
  no_such_day: true,
  date_in_future: true,
  date_order: true,
  document_expired: true,
  out_of_range: true,
  unknown_product: true,
  amount_below: true,
  amount_above: true,
  term_out_of_range: true,
  method_not_offered: true,
  gesv_cap: true,
  daily_rate_cap: true,
  catalog_incomplete: true,
  duplicate_iin: true,
  not_found: true,
  stale: true,
  wrong_stage: true,
  same_officer: true,
  not_checker: true,
  above_limit: true,
  reason_required: true,
  unprintable: true,
  viewer_unavailable: true,
  save_failed: true,
  consent_missing: true,
  consent_renewal: true,
  consent_required_while_loan_open: true,
  consent_not_given: true,
  consent_form_not_printed: true,
  consent_in_person_only: true,
  policy_mismatch: true,
  purpose_undecided: true,
  signature_empty: true,
  signature_too_small: true,
  scan_too_large: true,
  scan_type: true,
  scan_damaged: true,
  attachment_altered: true,
  sync_not_enrolled: true,
  sync_already_enrolled: true,
  desk_revoked: true,
  sync_offline: true,
  sync_certificate: true,
  sync_refused: true,
  sync_busy: true,
  sync_forged: true,
  enrolment_code_invalid: true,
  enrolment_code_spent: true,
  sync_running: true,
  mrz_unreadable: true,
  not_a_signed_file: true,
  internal: true,
};
const codes: ReadonlySet<string> = new Set(Object.keys(knownCodes));

/** Turns whatever an invoke rejected with into a CommandError. */
export function toCommandError(e: unknown): CommandError {
  if (typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" && codes.has(e.code)) {
    const out: CommandError = { code: e.code as ErrorCode, message: "message" in e && typeof e.message === "string" ? e.message : "" };
    if ("field" in e && typeof e.field === "string") out.field = e.field;
    if ("limit" in e && isLimit(e.limit)) out.limit = e.limit;
    return out;
  }
  return { code: "internal", message: String(e) };
}

// A limit is shown only in a shape the screens know; anything else is dropped, not trusted.
function isLimit(l: unknown): l is Limit {
  if (typeof l !== "object" || l === null || !("kind" in l)) return false;
  const num = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v);
  const money = (v: unknown) => v === null || num(v);
  switch (l.kind) {
    case "shape":
      return "shape" in l && typeof l.shape === "string";
    case "after":
      return "date" in l && typeof l.date === "string";
    case "money":
      return "min" in l && "max" in l && money(l.min) && money(l.max);
    case "months":
      return "min" in l && "max" in l && num(l.min) && num(l.max);
    default:
      return false;
  }
}

export class BackendError extends Error {
  readonly code: ErrorCode;
  /** The form field the error belongs to, when it is one field's problem. */
  readonly field: string | undefined;
  /** What the field's value must be, when Rust named it. */
  readonly limit: Limit | undefined;
  constructor(e: CommandError) {
    super(e.message);
    this.code = e.code;
    this.field = e.field;
    this.limit = e.limit;
  }
}

async function call<T>(
  command: string,
  args?: Record<string, unknown> | Uint8Array,
  headers?: Record<string, string>,
): Promise<T> {
  try {
    return await invoke<T>(command, args, headers ? { headers } : undefined);
  } catch (e) {
    throw new BackendError(toCommandError(e));
  }
}

export const backend = {
  uiReady: () => call<void>("ui_ready"),
  sessionStatus: () => call<SessionStatus>("session_status"),
  createVault: (request: CreateVaultRequest) => call<SessionStatus>("vault_create", { request }),
  unlock: (request: UnlockRequest) => call<SessionStatus>("session_unlock", { request }),
  recover: (request: RecoverRequest) => call<SessionStatus>("vault_recover", { request }),
  lock: () => call<SessionStatus>("session_lock"),
  touch: () => call<void>("session_touch"),
  appInfo: () => call<AppInfo>("app_info"),
  auditVerify: () => call<AuditCheck>("audit_verify"),
  setAutoLock: (minutes: number) => call<void>("settings_set_auto_lock", { request: { minutes } }),
  officers: () => call<OfficerRow[]>("officers_list"),
  addOfficer: (request: AddOfficerRequest) => call<OfficerRow[]>("officer_add", { request }),
  setOfficerDisabled: (request: SetOfficerDisabledRequest) => call<OfficerRow[]>("officer_set_disabled", { request }),
  resetPassphrase: (request: ResetPassphraseRequest) => call<void>("officer_reset_passphrase", { request }),
  setApprovalLimit: (request: SetApprovalLimitRequest) => call<OfficerRow[]>("officer_set_approval_limit", { request }),
  checkClient: (form: ClientForm) => call<FieldIssue[]>("client_check", { form }),
  createClient: (form: ClientForm) => call<string>("client_create", { form }),
  updateClient: (request: ClientUpdateRequest) => call<number>("client_update", { request }),
  client: (id: string) => call<ClientCard>("client_get", { id }),
  searchClients: (query: string, after: string | null) => call<ClientPage>("clients_search", { request: { query, after } }),
  inspectIin: (iin: string) => call<IinInfo>("iin_inspect", { iin }),
  products: () => call<ProductView[]>("products_list"),
  quote: (form: ApplicationForm) => call<QuoteReport>("application_quote", { form }),
  createApplication: (request: ApplicationCreateRequest) => call<string>("application_create", { request }),
  saveDraft: (request: ApplicationSaveRequest) => call<void>("application_save_draft", { request }),
  submitApplication: (request: ApplicationSaveRequest) => call<void>("application_submit", { request }),
  reviseApplication: (request: ApplicationSaveRequest) => call<string>("application_revise", { request }),
  stepApplication: (request: ApplicationStepRequest) => call<Stage>("application_step", { request }),
  application: (id: string) => call<ApplicationView>("application_get", { id }),
  applications: (stage: Stage | null, after: string | null) => call<ApplicationPage>("applications_list", { request: { stage, after } }),
  approvalQueue: () => call<ApplicationRowView[]>("approval_queue"),
  saveFormDraft: (draft: FormDraftDto) => call<void>("form_draft_save", { draft }),
  takeFormDraft: () => call<FormDraftDto | null>("form_draft_take"),
  printDocument: (request: PrintRequest) => call<DocumentView>("document_print", { request }),
  openDocument: (id: string) => call<void>("document_open", { id }),
  saveDocumentAs: (id: string) => call<string | null>("document_save_as", { id }),
  documents: (clientId: string | null, applicationId: string | null) =>
    call<DocumentView[]>("documents_list", { clientId, applicationId }),
  consent: (clientId: string) => call<ConsentView>("consent_get", { clientId }),
  // The scan's bytes go as the raw request body, not as a JSON array of numbers.
  stageScan: (bytes: Uint8Array) => call<ScanStaged>("consent_scan_stage", bytes),
  recordConsent: (request: ConsentRecordRequest) => call<ConsentRecorded>("consent_record", { request }),
  withdrawConsent: (request: ConsentWithdrawRequest) => call<ConsentRecorded>("consent_withdraw", { request }),
  saveConsentReceipt: (clientId: string, scope: string) =>
    call<string | null>("consent_receipt_save", { clientId, scope }),
  exportClient: (clientId: string) => call<string | null>("client_export", { clientId }),
  syncStatus: () => call<SyncStatusView>("sync_status"),
  syncEnrolPreview: (code: string) => call<EnrolPreviewView>("sync_enrol_preview", { code }),
  syncEnrol: (code: string, again: boolean) => call<SyncStatusView>("sync_enrol", { request: { code, again } }),
  // Progress (records and bytes) arrives on a channel while the round runs.
  syncNow: (onProgress: (p: SyncProgressView) => void) => {
    const progress = new Channel<SyncProgressView>();
    progress.onmessage = onProgress;
    return call<SyncReportView>("sync_now", { progress });
  },
  syncOutbox: (state: string | null, before: number | null) =>
    call<OutboxItemView[]>("sync_outbox", { request: { state, before } }),
  syncRetry: () => call<number>("sync_retry"),
  setSyncInterval: (minutes: number) => call<void>("settings_set_sync_interval", { request: { minutes } }),
  verifyIdentity: (request: IdentityCheckRequest) => call<VerificationView>("verify_identity", { request }),
  verifyQr: (text: string) => call<VerificationView>("verify_qr", { text }),
  // The file's bytes go as the raw body; a detached signature's document follows them, and the
  // header says where the signature ends.
  verifyFile: (name: string, file: Uint8Array, detached: Uint8Array | null) => {
    const headers: Record<string, string> = { "x-file-name": encodeURIComponent(name) };
    if (!detached) return call<VerificationView>("verify_file", file, headers);
    const body = new Uint8Array(file.length + detached.length);
    body.set(file, 0);
    body.set(detached, file.length);
    headers["x-signature-length"] = String(file.length);
    return call<VerificationView>("verify_file", body, headers);
  },
  /** Kept reports, newest first: `identity` true for ID checks only, false for documents only. */
  verifications: (clientId: string | null, identity: boolean | null) =>
    call<VerificationView[]>("verifications_list", { clientId, identity }),
};
