// Generated from the Rust DTOs by `cargo test bindings` (src-tauri/src/bindings.rs).
// Do not edit by hand: run `UPDATE_BINDINGS=1 cargo test bindings` after changing a DTO.

export type ErrorCode = "invalid_input" | "weak_passphrase" | "vault_exists" | "vault_missing" | "unknown_officer" | "officer_disabled" | "wrong_passphrase" | "not_a_vault" | "vault_damaged" | "vault_too_new" | "disk_full" | "not_signed_in" | "forbidden" | "too_many_attempts" | "keychain_unavailable" | "device_secret_missing" | "last_admin" | "backup_key" | "backup_damaged" | "required" | "too_long" | "bad_character" | "mixed_scripts" | "bad_format" | "iin_century" | "iin_birth_date" | "iin_check_digit" | "iin_not_issuable" | "iin_mismatch" | "phone_not_kazakh" | "no_such_day" | "date_in_future" | "date_order" | "document_expired" | "out_of_range" | "unknown_product" | "amount_below" | "amount_above" | "term_out_of_range" | "method_not_offered" | "gesv_cap" | "daily_rate_cap" | "catalog_incomplete" | "duplicate_iin" | "not_found" | "stale" | "wrong_stage" | "same_officer" | "not_checker" | "above_limit" | "reason_required" | "consent_missing" | "consent_renewal" | "consent_required_while_loan_open" | "consent_not_given" | "consent_form_not_printed" | "consent_in_person_only" | "policy_mismatch" | "purpose_undecided" | "signature_empty" | "signature_too_small" | "scan_too_large" | "scan_type" | "scan_damaged" | "attachment_altered" | "unprintable" | "viewer_unavailable" | "save_failed" | "sync_not_enrolled" | "sync_already_enrolled" | "desk_revoked" | "sync_offline" | "sync_certificate" | "sync_refused" | "sync_busy" | "sync_forged" | "enrolment_code_invalid" | "enrolment_code_spent" | "sync_running" | "mrz_unreadable" | "not_a_signed_file" | "internal";

export type Shape = "iin" | "phone" | "date" | "email" | "id_card_number" | "passport_number" | "money" | "months";

export type After = "birth_date" | "document_issued_on";

export type Limit = { "kind": "shape", 
/**
 * The shape, with an example on screen.
 */
shape: Shape, } | { "kind": "after", 
/**
 * The date of the form it must follow.
 */
date: After, } | { "kind": "money", 
/**
 * Lowest amount in tiyn, if any.
 */
min: number | null, 
/**
 * Highest amount in tiyn, if any.
 */
max: number | null, } | { "kind": "months", 
/**
 * Fewest months.
 */
min: number, 
/**
 * Most months.
 */
max: number, };

export type CommandError = { code: ErrorCode, message: string, 
/**
 * The form field the error belongs to, when it is one field's problem.
 */
field?: string, 
/**
 * What the value must be (its shape, the date it must follow, its range), when the problem
 * names it: the window shows it with the code's text.
 */
limit?: Limit, };

export type OfficerChoice = { id: string, name: string, };

export type SignedInOfficer = { id: string, name: string, role: "officer" | "supervisor" | "admin", 
/**
 * False when the device secret is in the explicit file store: the UI warns.
 */
keychain_is_os: boolean, };

export type SessionStatus = { "state": "no_vault" } | { "state": "locked", officers: Array<OfficerChoice>, } | { "state": "needs_recovery" } | { "state": "unlocked", officer: SignedInOfficer, 
/**
 * `None` when the count could not be read (shown as unknown, never as zero).
 */
outbox_pending: number | null, 
/**
 * Seconds until the desk locks itself unless the officer does something.
 */
idle_seconds_left: number, };

export type CreateVaultRequest = { admin_name: string, passphrase: string, 
/**
 * Keep the device secret in a file because this computer has no keychain. Only honoured
 * after the OS keychain was found missing; never chosen silently.
 */
allow_file_keychain: boolean, };

export type UnlockRequest = { officer_id: string, passphrase: string, };

export type RecoverRequest = { 
/**
 * Head office's age identity (`AGE-SECRET-KEY-1…`), as pasted or read from its file.
 */
identity: string, 
/**
 * The administrator to recover as; `null` takes the first administrator.
 */
officer_id: string | null, passphrase: string, };

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

export type AnchorView = { "state": "matches", seq: number, } | { "state": "ahead", seq: number, } | { "state": "truncated", anchored: number, 
/**
 * The last entry still there (0 when none).
 */
last_seq: number, } | { "state": "rewritten", seq: number, } | { "state": "bad_signature" } | { "state": "missing" };

export type AuditCheck = { entries: number, 
/**
 * The first entry that does not link to the one before, if any.
 */
first_broken: number | null, 
/**
 * How the chain compares with the signed head kept in `vault.keys`.
 */
anchor: AnchorView, 
/**
 * How it compares with the head head office last acknowledged (`null` before any).
 */
head_office: HeadOfficeView | null, };

export type AutoLockRequest = { minutes: number, };

export type OfficerRow = { id: string, name: string, role: "officer" | "supervisor" | "admin", disabled: boolean, 
/**
 * The highest amount a supervisor may approve, `1 000 000,00 ₸` (none until set).
 */
approval_limit: string, };

export type AddOfficerRequest = { name: string, role: "officer" | "supervisor" | "admin", passphrase: string, };

export type SetOfficerDisabledRequest = { officer_id: string, disabled: boolean, };

export type ResetPassphraseRequest = { officer_id: string, passphrase: string, };

export type SetApprovalLimitRequest = { officer_id: string, 
/**
 * As the administrator types money.
 */
amount: string, };

export type FormDraftDto = { 
/**
 * Which form (`client`, `application`).
 */
kind: string, 
/**
 * The form's content and where it was open, as the window serialised it.
 */
data: string, };

export type Sex = "male" | "female";

export type DocumentKind = "id_card" | "passport" | "residence_permit";

export type ClientForm = { 
/**
 * ИИН as typed.
 */
iin: string, 
/**
 * Surname as typed.
 */
surname: string, 
/**
 * Given name as typed.
 */
given_name: string, 
/**
 * Patronymic as typed; may be empty.
 */
patronymic: string, 
/**
 * Date of birth, `dd.mm.yyyy`.
 */
birth_date: string, 
/**
 * Sex, if chosen.
 */
sex: Sex | null, 
/**
 * Phone number as typed.
 */
phone: string, 
/**
 * Email as typed; may be empty.
 */
email: string, 
/**
 * Address of registration (прописка).
 */
registration_address: string, 
/**
 * Address where the client actually lives.
 */
actual_address: string, 
/**
 * Identity document kind, if chosen.
 */
document_kind: DocumentKind | null, 
/**
 * Document number as typed.
 */
document_number: string, 
/**
 * Who issued the document.
 */
document_issuer: string, 
/**
 * Document issue date, `dd.mm.yyyy`.
 */
document_issued_on: string, 
/**
 * Document expiry date, `dd.mm.yyyy`.
 */
document_expires_on: string, 
/**
 * Employer; may be empty.
 */
employer: string, 
/**
 * Position at the employer; may be empty.
 */
position: string, 
/**
 * Monthly income as typed money, in tenge.
 */
monthly_income: string, };

export type FieldIssue = { field: string, code: ErrorCode, 
/**
 * What the value must be, when the problem names it (shape, earlier date, range).
 */
limit?: Limit, };

export type IinInfo = { iin: string, birth_date: string, sex: Sex, 
/**
 * The client who already has this IIN, if any.
 */
client_id: string | null, };

export type ClientView = { id: string, version: number, full_name: string, iin: string, birth_date: string, sex: Sex, phone: string, email: string | null, registration_address: string, actual_address: string, document_kind: DocumentKind, document_number: string, document_issuer: string, document_issued_on: string, document_expires_on: string, employer: string | null, position: string | null, monthly_income: string, registered_at: string, 
/**
 * The form filled with this client, for editing.
 */
form: ClientForm, };

export type ClientCard = { client: ClientView, applications: Array<ApplicationRowView>, };

export type ClientRowView = { id: string, iin: string, full_name: string, phone: string, birth_date: string, };

export type ClientPage = { items: Array<ClientRowView>, next: string | null, 
/**
 * The query was too short to search (fewer than 2 letters or 4 digits).
 */
too_short: boolean, };

export type ClientSearchRequest = { query: string, after: string | null, };

export type ClientUpdateRequest = { id: string, version: number, form: ClientForm, };

export type Method = "annuity" | "equal-principal";

export type Stage = "draft" | "submitted" | "referred" | "approved" | "declined" | "returned" | "offer_issued" | "signed" | "superseded";

export type Step = "submit" | "approve" | "decline" | "return" | "refer" | "issue_offer" | "sign" | "revise";

export type ApplicationForm = { 
/**
 * Catalog product id as chosen.
 */
product_id: string, 
/**
 * Loan amount as typed, in tenge.
 */
amount: string, 
/**
 * Term in months (0 when not chosen).
 */
months: number, 
/**
 * Repayment method, if chosen.
 */
method: Method | null, 
/**
 * What the loan is for, as typed.
 */
purpose: string, };

export type Amount = { 
/**
 * Exact tiyn. A JavaScript number holds it exactly: amounts stay far below 2^53 tiyn.
 */
tiyn: number, text: string, };

export type Payment = { number: number, date: string, date_text: string, days: number, principal: Amount, interest: Amount, fee: Amount, total: Amount, balance: Amount, };

export type QuoteReport = { product: string, method: "annuity" | "equal-principal", issue_date: string, issue_date_text: string, amount: Amount, net_amount: Amount, term_months: number, payments: Array<Payment>, total_interest: Amount, total_fees: Amount, total_paid: Amount, overpayment: Amount, gesv_tenths_of_percent: number, 
/**
 * `56,0 %`, in the same type as the nominal rate wherever it is shown.
 */
gesv_text: string, 
/**
 * The product's nominal annual rate, `35,0 %`.
 */
nominal_rate_text: string, gesv_cap_tenths_of_percent: number, short_loan: boolean, };

export type ProductView = { id: string, 
/**
 * Names by language (`ru`, `kk`, `en`).
 */
name: { [key in string]?: string }, min_amount: string, max_amount: string, min_months: number, max_months: number, nominal_rate_text: string, methods: Array<Method>, };

export type ApplicationRowView = { id: string, 
/**
 * Short reference officers read out: the first 8 characters of the application's id.
 */
number: string, version: number, client_id: string, client_name: string, product_id: string, amount: string, amount_tiyn: number, months: number, stage: Stage, maker_name: string, updated_at: string, };

export type ApplicationPage = { items: Array<ApplicationRowView>, next: string | null, };

export type ApplicationEventView = { at: string, officer_name: string, step: string, stage: Stage, reason: string | null, version: number, };

export type VersionView = { id: string, version: number, stage: Stage, };

export type ApplicationView = { id: string, number: string, version: number, replaces: string | null, client_id: string, client_name: string, stage: Stage, maker_name: string, purpose: string, 
/**
 * The form filled with this version's terms, for editing a draft or revising.
 */
form: ApplicationForm, 
/**
 * The quote as stored with this version.
 */
quote: QuoteReport, events: Array<ApplicationEventView>, versions: Array<VersionView>, actions: Array<Step>, 
/**
 * The client has consented to the required purposes of the policy in force (submission
 * waits for it).
 */
consent_ready: boolean, 
/**
 * The client consented to an older policy version: consent must be renewed first.
 */
consent_renewal: boolean, 
/**
 * Head office's decision, when this version was referred and head office decided it.
 */
head_office: HeadOfficeDecisionView | null, };

export type ApplicationCreateRequest = { client_id: string, form: ApplicationForm, };

export type ApplicationSaveRequest = { id: string, form: ApplicationForm, };

export type ApplicationStepRequest = { id: string, step: Step, reason: string | null, };

export type ApplicationsListRequest = { stage: Stage | null, after: string | null, };

export type DocumentView = { id: string, 
/**
 * `policy`, `consent`, `bureau-consent`, `receipt` or `offer`.
 */
kind: string, 
/**
 * `26.11.2026 09:30`, desk time.
 */
issued_at: string, file_name: string, pdf_sha256: string, size: number, };

export type PrintRequest = { "kind": "policy", client_id: string | null, } | { "kind": "consent", client_id: string, } | { "kind": "bureau_consent", client_id: string, } | { "kind": "receipt", client_id: string, event_id: string, } | { "kind": "offer", application_id: string, };

export type Point = [number, number, number];

export type DrawnSignature = { 
/**
 * Width of the pad, in its units (CSS pixels).
 */
width: number, 
/**
 * Height of the pad.
 */
height: number, 
/**
 * Each stroke's points in the order drawn.
 */
strokes: Array<Array<Point>>, };

export type PurposeView = { code: string, title_ru: string, title_kk: string, required: boolean, 
/**
 * Given now.
 */
granted: boolean, 
/**
 * The client has decided it (given, refused or withdrawn).
 */
decided: boolean, 
/**
 * Not given because the client withdrew it.
 */
withdrawn: boolean, };

export type ConsentEventView = { id: string, 
/**
 * `grant` or `withdraw`.
 */
action: string, 
/**
 * Desk time, `26.11.2026 09:30`.
 */
at: string, 
/**
 * `paper`, `screen`, `paper-and-screen` or `phone`.
 */
method: string, officer: string, policy_version: number, 
/**
 * For a grant each purpose's decision; for a withdrawal the purposes withdrawn.
 */
decisions: Array<PurposeView>, 
/**
 * `signature-strokes`, `signature-image`, `scan`.
 */
evidence: Array<string>, note: string | null, 
/**
 * False when the record no longer verifies (altered): it counts for nothing.
 */
signature_ok: boolean, };

export type ScopeView = { 
/**
 * `privacy` or `credit-bureau`.
 */
scope: string, in_force_version: number, in_force_sha256: string, 
/**
 * `dd.mm.yyyy`.
 */
in_force_effective: string, 
/**
 * The version of the latest grant.
 */
given_version: number | null, 
/**
 * The latest grant is to another version than the one in force: ask again.
 */
renewal_needed: boolean, 
/**
 * Every required purpose of the version in force is given.
 */
ready: boolean, 
/**
 * Each purpose's state now.
 */
purposes: Array<PurposeView>, 
/**
 * The version in force's purposes, for a new grant.
 */
form_purposes: Array<PurposeView>, 
/**
 * A consent form under the version in force was printed for the client.
 */
form_printed: boolean, 
/**
 * Every event, oldest first.
 */
history: Array<ConsentEventView>, };

export type ConsentView = { client_id: string, 
/**
 * The client has a signed loan: required purposes cannot be withdrawn.
 */
loan_open: boolean, scopes: Array<ScopeView>, };

export type ConsentRecordRequest = { 
/**
 * 32 hex digits made when the form opened: a second click gives the same record.
 */
request_key: string, client_id: string, 
/**
 * `privacy` or `credit-bureau`.
 */
scope: string, 
/**
 * The version and hash the screen showed.
 */
policy_version: number, policy_sha256: string, 
/**
 * Purpose code → given.
 */
decisions: { [key in string]?: boolean }, 
/**
 * `paper`, `screen` or `paper-and-screen`.
 */
method: string, signature?: DrawnSignature, 
/**
 * From `consent_scan_stage`.
 */
scan_token?: string, };

export type ConsentWithdrawRequest = { request_key: string, client_id: string, scope: string, purposes: Array<string>, 
/**
 * `phone`, `paper`, `screen` or `paper-and-screen`.
 */
method: string, signature?: DrawnSignature, scan_token?: string, note?: string, };

export type ScanStaged = { token: string, 
/**
 * `application/pdf`, `image/png` or `image/jpeg`.
 */
media_type: string, size: number, sha256: string, };

export type ConsentRecorded = { event_id: string, };

export type HeadOfficeDecisionView = { 
/**
 * `approved` or `declined`.
 */
outcome: string, reason: string | null, decided_by: string, 
/**
 * As the desk shows times: `26.11.2026 10:15`.
 */
decided_at: string, };

export type HeadOfficeView = { "state": "matches", seq: number, } | { "state": "truncated", acknowledged: number, last_seq: number, } | { "state": "rewritten", seq: number, };

export type SyncStatusView = { enrolled: boolean, branch: string | null, url: string | null, device_id: string | null, 
/**
 * Head office revoked this desk: it is read-only.
 */
revoked: boolean, 
/**
 * As the desk shows times; `None` before the first attempt.
 */
last_attempt_at: string | null, last_success_at: string | null, 
/**
 * The last attempt's error code (one of the sync codes), `None` when it succeeded.
 */
last_code: ErrorCode | null, interval_minutes: number, queued: number, sent: number, acked: number, refused: number, 
/**
 * A round is under way now.
 */
running: boolean, };

export type SyncReportView = { records_pushed: number, bytes_sent: number, batches: number, decisions: number, publications: number, roster: number, compacted: number, };

export type SyncProgressView = { 
/**
 * `push`, `feed` or `compact`.
 */
phase: string, records_done: number, records_total: number, bytes_sent: number, };

export type OutboxItemView = { seq: number, created_at: string, officer_name: string, action: string, entity_id: string, 
/**
 * `queued`, `sent`, `acked` or `refused`.
 */
state: string, attempts: number, 
/**
 * Head office's refusal code or the failure's code, if the last attempt failed.
 */
last_error: string | null, acked_at: string | null, 
/**
 * Payload bytes kept (0 once compacted).
 */
size: number, };

export type EnrolPreviewView = { url: string, branch: string, expires_at: string, 
/**
 * The code's deadline has passed (head office will most likely refuse it).
 */
expired: boolean, };

export type EnrolRequest = { 
/**
 * Head office's one-time code as pasted (`BDE1-…`, line breaks allowed).
 */
code: string, 
/**
 * Enrol again after head office revoked this desk (explicit).
 */
again: boolean, };

export type OutboxRequest = { 
/**
 * `queued`, `sent`, `acked`, `refused`, or `null` for all.
 */
state: string | null, 
/**
 * Items before this outbox number (the next page), or `null` for the newest.
 */
before: number | null, };

export type SyncIntervalRequest = { 
/**
 * Minutes between background syncs, 0 to 1440 (0: only "Sync now").
 */
minutes: number, };

export type IdentityCheckRequest = { client_id: string, 
/**
 * Two lines (passport) or three (ID card), as read.
 */
lines: Array<string>, };

export type ReportLine = { 
/**
 * `check.<name>` (identity), `printout.<name>`, `reason.<name>`, `signed.<name>`, `problem.<name>`,
 * `failure.<name>`.
 */
code: string, 
/**
 * `pass`, `warn`, `fail` or `info`.
 */
outcome: string, 
/**
 * What the document or file says.
 */
found: string | null, 
/**
 * What the client's record says, where it was compared.
 */
expected: string | null, };

export type VerificationView = { 
/**
 * The kept report's id; `None` when it could not be kept (a revoked desk is read-only).
 */
id: string | null, 
/**
 * `identity`, `printout` or `signed`.
 */
kind: string, 
/**
 * identity: `pass`, `warn`, `fail`; printout: `authentic`, `altered`, `unknown_signer`,
 * `revoked_signer`; signed: `valid`, `not_valid`, `unsigned`.
 */
verdict: string, 
/**
 * What was checked, in words.
 */
subject: string, 
/**
 * `26.11.2026 09:30`, desk time.
 */
at: string, lines: Array<ReportLine>, };
