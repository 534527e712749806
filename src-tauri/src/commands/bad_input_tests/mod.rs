//! Bad input at the IPC edge: every field's limit and format gives a typed error and stores nothing.
//!
//! The tests call the functions the Tauri commands wrap (`clients::create`, `applications::submit`,
//! …) on a real vault. Each table row is one wrong value of one field, the code and field the window
//! must receive, and why. Forms are edited through their JSON, with the keys the window sends, so a
//! row names exactly the field the error must name. After every refusal the vault must hold what it
//! held before: the same audit chain length, the same outbox, the same clients and applications.
//! Every row is checked and all failures are reported together.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use domain::application::{ApplicationForm, MAX_PURPOSE, Stage, Step};
use domain::client::{ClientForm, DocumentKind, MAX_ADDRESS, MAX_EMAIL, MAX_SHORT_TEXT};
use domain::iin::{Sex, check_digit};
use domain::person_name::MAX_PART;
use domain::schedule::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use vault::{
    ApplicationFilter, ApplicationRecord, ClientQuery, ClientRecord, Keychain, MAX_REASON,
    OfficerId, Passphrase, Role, Vault, VaultDir,
};

use crate::commands::applications::{
    self, ApplicationCreateRequest, ApplicationSaveRequest, ApplicationStepRequest,
};
use crate::commands::clients::{self, ClientUpdateRequest};
use crate::commands::officers::{self, SetApprovalLimitRequest};
use crate::error::{CommandError, ErrorCode};

/// Every code these refusals may send; each must be translated in every language.
pub(super) const CODES: &[ErrorCode] = &[
    ErrorCode::Required,
    ErrorCode::TooLong,
    ErrorCode::BadCharacter,
    ErrorCode::MixedScripts,
    ErrorCode::BadFormat,
    ErrorCode::IinCentury,
    ErrorCode::IinBirthDate,
    ErrorCode::IinCheckDigit,
    ErrorCode::IinNotIssuable,
    ErrorCode::IinMismatch,
    ErrorCode::PhoneNotKazakh,
    ErrorCode::NoSuchDay,
    ErrorCode::DateInFuture,
    ErrorCode::DateOrder,
    ErrorCode::DocumentExpired,
    ErrorCode::OutOfRange,
    ErrorCode::UnknownProduct,
    ErrorCode::AmountBelow,
    ErrorCode::AmountAbove,
    ErrorCode::TermOutOfRange,
    ErrorCode::MethodNotOffered,
    ErrorCode::GesvCap,
    // No product of the shipped catalog reaches the short-loan daily rate cap (short-1 charges
    // 90 % a year, under 0.3 % a day), so no row sends it; the window must still translate it.
    ErrorCode::DailyRateCap,
    ErrorCode::DuplicateIin,
    ErrorCode::NotFound,
    ErrorCode::Stale,
    ErrorCode::WrongStage,
    ErrorCode::ReasonRequired,
    ErrorCode::UnknownOfficer,
    ErrorCode::Unprintable,
    ErrorCode::ConsentMissing,
    ErrorCode::ConsentRenewal,
    ErrorCode::ConsentRequiredWhileLoanOpen,
    ErrorCode::ConsentNotGiven,
    ErrorCode::ConsentFormNotPrinted,
    ErrorCode::ConsentInPersonOnly,
    ErrorCode::PolicyMismatch,
    ErrorCode::PurposeUndecided,
    ErrorCode::SignatureEmpty,
    ErrorCode::SignatureTooSmall,
    ErrorCode::ScanTooLarge,
    ErrorCode::ScanType,
    ErrorCode::ScanDamaged,
    ErrorCode::AttachmentAltered,
    ErrorCode::MrzUnreadable,
    ErrorCode::NotASignedFile,
];

pub(super) const PASS: &str = "bad input tests";

/// The desk's clock: 11:00 on 25.11.2026 in Almaty (UTC+5), so the desk date is 25.11.2026.
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0)
        .single()
        .expect("a valid time")
}

// ---------------------------------------------------------------------------------------------
// Vaults

pub(super) fn desk() -> (tempfile::TempDir, VaultDir, Keychain, Vault) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::mock().expect("mock keychain");
    let admin = Vault::create(
        &dir,
        &keychain,
        "Админ Тестов",
        &Passphrase::new(PASS.into()),
        None,
        now(),
    )
    .expect("create vault");
    (tmp, dir, keychain, admin)
}

/// A desk with an officer (maker), a supervisor (checker, limit 5 000 000 ₸) and one client.
pub(super) struct Branch {
    _tmp: tempfile::TempDir,
    officer: Vault,
    supervisor: Vault,
    client_id: String,
}

pub(super) fn branch() -> Branch {
    let (tmp, dir, keychain, mut admin) = desk();
    let mut sign_in = |name: &str, role: Role, pass: &str| {
        let pass = Passphrase::new(pass.into());
        let o = admin
            .add_officer(name, role, &pass, now())
            .expect("add officer");
        (
            o.id.clone(),
            Vault::unlock(&dir, &keychain, &o.id, &pass, now()).expect("unlock"),
        )
    };
    let (_, officer) = sign_in("Ерлан Маратов", Role::Officer, "officer passphrase");
    let (supervisor_id, supervisor) =
        sign_in("Гүлнар Сейітова", Role::Supervisor, "supervisor passphrase");
    officers::set_approval_limit(
        &mut admin,
        &SetApprovalLimitRequest {
            officer_id: supervisor_id.0,
            amount: "5 000 000".into(),
        },
        now(),
    )
    .expect("set the supervisor's limit");
    let client_id = clients::create(&mut admin, &client_form(), now()).expect("a client");
    consent_given(&mut admin, &client_id);
    Branch {
        _tmp: tmp,
        officer,
        supervisor,
        client_id,
    }
}

/// A drawn signature that passes: two strokes across the pad.
pub(super) fn drawn() -> domain::evidence::DrawnSignature {
    use domain::evidence::Point;
    domain::evidence::DrawnSignature {
        width: 600,
        height: 200,
        strokes: vec![
            (0..40u16)
                .map(|i| Point(20 + i * 12, 100 + (i % 5) * 7, u32::from(i) * 16))
                .collect(),
            (0..8u16)
                .map(|i| Point(300, 40 + i * 12, 800 + u32::from(i) * 16))
                .collect(),
        ],
    }
}

/// The consent form printed for `client_id` and every purpose of the policy in force given, on
/// screen: what a client who may apply has done.
pub(super) fn consent_given(v: &mut Vault, client_id: &str) {
    crate::documents::issue_consent(
        v,
        client_id,
        domain::consent::Scope::Privacy,
        &mut crate::documents::no_delivery,
        now(),
    )
    .expect("the consent form prints");
    let policy = crate::documents::policy_in_force(v, now()).expect("a policy in force");
    crate::commands::consent::record(
        v,
        &crate::commands::consent::ConsentRecordRequest {
            request_key: vault::new_document_id().into_string(),
            client_id: client_id.to_owned(),
            scope: "privacy".into(),
            policy_version: policy.version,
            policy_sha256: policy.sha256.clone(),
            decisions: policy
                .purposes
                .iter()
                .map(|p| (p.code.clone(), true))
                .collect(),
            method: "screen".into(),
            signature: Some(drawn()),
            scan_token: None,
        },
        None,
        now(),
    )
    .expect("consent recorded");
}

/// Everything a refused command could have written.
#[derive(Debug, PartialEq)]
pub(super) struct Stored {
    audit: i64,
    outbox: i64,
    clients: Vec<ClientRecord>,
    applications: Vec<ApplicationRecord>,
}

pub(super) fn stored(v: &Vault) -> Stored {
    let clients = v
        .search_clients(&ClientQuery::All, None, 200)
        .expect("list clients")
        .items
        .into_iter()
        .map(|r| v.client(&r.id).expect("read client"))
        .collect();
    let applications = v
        .applications(
            &ApplicationFilter {
                client_id: None,
                stage: None,
            },
            None,
            200,
        )
        .expect("list applications")
        .items
        .into_iter()
        .map(|r| v.application(&r.id).expect("read application"))
        .collect();
    Stored {
        audit: v.audit_len().expect("audit length"),
        outbox: v.outbox_pending().expect("outbox length"),
        clients,
        applications,
    }
}

// ---------------------------------------------------------------------------------------------
// Checking refusals

/// Collects every wrong outcome so one run reports all of them.
#[derive(Default)]
pub(super) struct Checker {
    failures: Vec<String>,
}

impl Checker {
    /// `result` must be the error `code` on `field`, and `v` must hold exactly `before`.
    fn refused<T: std::fmt::Debug>(
        &mut self,
        v: &Vault,
        before: &Stored,
        result: Result<T, CommandError>,
        code: ErrorCode,
        field: Option<&str>,
        why: &str,
    ) {
        if !CODES.contains(&code) {
            self.failures.push(format!(
                "{code:?} is not in CODES, so its translation is unchecked"
            ));
        }
        match result {
            Ok(value) => self.failures.push(format!(
                "{why}: expected {code:?} on {field:?}, but it was accepted ({value:?})"
            )),
            Err(e) => {
                if e.code != code || e.field.as_deref() != field {
                    self.failures.push(format!(
                        "{why}: expected {code:?} on {field:?}, got {:?} on {:?} ({})",
                        e.code, e.field, e.message
                    ));
                }
                if e.message.trim().is_empty() {
                    self.failures
                        .push(format!("{why}: the error must carry a detail message"));
                }
            }
        }
        let after = stored(v);
        if &after != before {
            self.failures.push(format!(
                "{why}: a refused command must store nothing (audit {} → {}, outbox {} → {}, \
                 clients {} → {}, applications changed: {})",
                before.audit,
                after.audit,
                before.outbox,
                after.outbox,
                before.clients.len(),
                after.clients.len(),
                before.applications != after.applications,
            ));
        }
    }

    /// `result` must be accepted, and `v` must have recorded it once (one audit entry, one outbox
    /// record).
    fn accepted<T: std::fmt::Debug>(
        &mut self,
        v: &Vault,
        before: &Stored,
        result: Result<T, CommandError>,
        why: &str,
    ) -> Option<T> {
        match result {
            Ok(value) => {
                let after = stored(v);
                if after.audit != before.audit + 1 || after.outbox != before.outbox + 1 {
                    self.failures.push(format!(
                        "{why}: an accepted change is audited and queued once (audit {} → {}, \
                         outbox {} → {})",
                        before.audit, after.audit, before.outbox, after.outbox
                    ));
                }
                Some(value)
            }
            Err(e) => {
                self.failures.push(format!(
                    "{why}: must be accepted, got {:?} on {:?} ({})",
                    e.code, e.field, e.message
                ));
                None
            }
        }
    }

    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }

    fn done(self) {
        assert!(
            self.failures.is_empty(),
            "{} wrong outcome(s):\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Forms and table rows

/// One wrong value (or a few, when a field's rule depends on another) and what it must give.
pub(super) struct Bad {
    edits: Vec<(&'static str, Value)>,
    field: &'static str,
    code: ErrorCode,
    why: String,
}

pub(super) fn bad(field: &'static str, value: impl Into<Value>, code: ErrorCode, why: &str) -> Bad {
    Bad {
        edits: vec![(field, value.into())],
        field,
        code,
        why: why.to_owned(),
    }
}

pub(super) fn bad_with(
    edits: Vec<(&'static str, Value)>,
    field: &'static str,
    code: ErrorCode,
    why: &str,
) -> Bad {
    Bad {
        edits,
        field,
        code,
        why: why.to_owned(),
    }
}

/// Values that must be accepted.
pub(super) struct Good {
    edits: Vec<(&'static str, Value)>,
    why: String,
}

pub(super) fn good(field: &'static str, value: impl Into<Value>, why: &str) -> Good {
    Good {
        edits: vec![(field, value.into())],
        why: why.to_owned(),
    }
}

/// `base` with fields replaced by key, as the window's JSON would carry them.
pub(super) fn edited<T: Serialize + DeserializeOwned>(
    base: &T,
    edits: &[(&'static str, Value)],
) -> T {
    let mut json = serde_json::to_value(base).expect("a form serialises");
    let object = json.as_object_mut().expect("a form is a JSON object");
    for (key, value) in edits {
        assert!(
            object.contains_key(*key),
            "{key} is not a field of the form"
        );
        object.insert((*key).to_owned(), value.clone());
    }
    serde_json::from_value(json).expect("the edited form is still well typed")
}

/// Keys of a form as the window sends them.
pub(super) fn keys<T: Serialize>(form: &T) -> BTreeSet<String> {
    serde_json::to_value(form)
        .expect("a form serialises")
        .as_object()
        .expect("a form is a JSON object")
        .keys()
        .cloned()
        .collect()
}

/// Every key of the form has at least one refusal row.
pub(super) fn assert_every_field_covered<T: Serialize>(form: &T, rows: &[Bad]) {
    let covered: BTreeSet<String> = rows.iter().map(|b| b.field.to_owned()).collect();
    let missing: Vec<String> = keys(form).difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "fields without a refusal row: {missing:?}"
    );
}

/// `n` characters: `prefix` padded with `fill`.
pub(super) fn sized(prefix: &str, fill: char, n: usize) -> String {
    let mut s = prefix.to_owned();
    while s.chars().count() < n {
        s.push(fill);
    }
    assert_eq!(s.chars().count(), n, "the prefix is longer than {n}");
    s
}

/// A valid IIN from its first eleven digits.
pub(super) fn iin(first11: &str) -> String {
    let digits: Vec<u32> = first11.bytes().map(|b| u32::from(b - b'0')).collect();
    let digits: [u32; 11] = digits.try_into().expect("eleven digits");
    let k = check_digit(&digits).expect("an issuable IIN");
    format!("{first11}{k}")
}

/// Another valid IIN of the same woman's birth date and sex (11.12.2006, female), for clients that
/// must not collide with each other.
pub(super) fn next_iin(serial: &mut u32) -> String {
    loop {
        *serial += 1;
        let first11 = format!("0612116{:04}", *serial);
        let digits: Vec<u32> = first11.bytes().map(|b| u32::from(b - b'0')).collect();
        let digits: [u32; 11] = digits.try_into().expect("eleven digits");
        if let Some(k) = check_digit(&digits) {
            return format!("{first11}{k}");
        }
    }
}

mod application_fields;
mod client_fields;
mod consent_refusals;
mod document_refusals;
mod verify_refusals;

use application_fields::application_form;
use client_fields::client_form;

// ---------------------------------------------------------------------------------------------
// Translations

/// The code as it crosses IPC (`too_long`).
fn wire(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .expect("a code serialises")
        .as_str()
        .expect("a code is a string")
        .to_owned()
}

/// The text of `key` in the `<lang>Errors` table of `ui/src/lib/i18n/<lang>.ts`, if present.
fn translation(source: &str, lang: &str, key: &str) -> Option<String> {
    let start = source.find(&format!("export const {lang}Errors"))?;
    let table = &source[start..];
    let table = &table[..table.find("\n};")?];
    let lines: Vec<&str> = table.lines().map(str::trim).collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("{key}:")) || l.starts_with(&format!("\"{key}\":")))?;
    let (_, rest) = lines[at].split_once(':')?;
    // A long text may be wrapped onto the next line.
    let value = match rest.trim() {
        "" => lines.get(at + 1).copied().unwrap_or_default(),
        v => v,
    };
    Some(
        value
            .trim_end_matches(',')
            .trim_matches(|c| c == '"' || c == '\'' || c == '`')
            .to_owned(),
    )
}

#[test]
fn every_code_these_refusals_send_is_translated_in_every_language() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/i18n");
    let mut missing = Vec::new();
    for lang in ["ru", "kk", "en"] {
        let path = dir.join(format!("{lang}.ts"));
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} must be readable: {e}", path.display()));
        for code in CODES {
            let key = wire(*code);
            match translation(&source, lang, &key) {
                Some(text) if !text.trim().is_empty() => {}
                Some(_) => missing.push(format!("{lang}: {key} is empty")),
                None => missing.push(format!("{lang}: {key} is missing from {lang}Errors")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "every refusal must reach the officer in their language:\n{}",
        missing.join("\n")
    );
}

/// The vague refusals of issue #14 name what the value must be: the product's amounts and months,
/// the phone's shape, the date an expiry must follow. The window shows the limit with the code.
#[test]
fn refusals_name_the_limit_the_value_broke() {
    use domain::field::{After, Limit, Shape};
    let tenge = |t: i64| domain::Money::from_tenge(t);
    let (_tmp, _dir, _keychain, vault) = desk();
    let quoted = |edit: &dyn Fn(&mut ApplicationForm)| {
        let mut f = application_form();
        edit(&mut f);
        match applications::quote(&vault, &f, now()) {
            Err(e) => (e.code, e.field, e.limit),
            Ok(_) => panic!("the terms {f:?} must be refused"),
        }
    };
    let consumer = Some(Limit::Money {
        min: tenge(50_000),
        max: tenge(3_000_000),
    });
    let months = Some(Limit::Months { min: 7, max: 36 });
    let amount = Some("amount".to_owned());
    let term = Some("months".to_owned());
    assert_eq!(
        quoted(&|f| f.amount = "0".into()),
        (ErrorCode::OutOfRange, amount.clone(), consumer),
        "a loan of nothing names the product's amounts"
    );
    assert_eq!(
        quoted(&|f| f.amount = "49 999".into()),
        (
            ErrorCode::AmountBelow,
            amount.clone(),
            Some(Limit::Money {
                min: tenge(50_000),
                max: None
            })
        ),
        "under the minimum names the minimum"
    );
    assert_eq!(
        quoted(&|f| f.amount = "3 000 001".into()),
        (
            ErrorCode::AmountAbove,
            amount.clone(),
            Some(Limit::Money {
                min: None,
                max: tenge(3_000_000)
            })
        ),
        "over the maximum names the maximum"
    );
    assert_eq!(
        quoted(&|f| f.amount = "5e5".into()),
        (
            ErrorCode::BadFormat,
            amount,
            Some(Limit::Shape {
                shape: Shape::Money
            })
        ),
        "words are not money, and the shape of money is named"
    );
    for m in [0, 1000] {
        assert_eq!(
            quoted(&|f| f.months = m),
            (
                if m == 0 {
                    ErrorCode::OutOfRange
                } else {
                    ErrorCode::TermOutOfRange
                },
                term.clone(),
                months
            ),
            "a term of {m} months names the product's months"
        );
    }

    let (_tmp, _dir, _keychain, mut v) = desk();
    let client = |edit: &dyn Fn(&mut ClientForm), v: &mut Vault| {
        let mut f = client_form();
        edit(&mut f);
        match clients::create(v, &f, now()) {
            Err(e) => (e.code, e.field, e.limit),
            Ok(_) => panic!("the client form {f:?} must be refused"),
        }
    };
    assert_eq!(
        client(&|f| f.phone = "701 234 567".into(), &mut v),
        (
            ErrorCode::BadFormat,
            Some("phone".to_owned()),
            Some(Limit::Shape {
                shape: Shape::Phone
            })
        ),
        "a 9-digit phone names the shape +7 7XX XXX XX XX"
    );
    let f = client_form();
    let issued = f.document_issued_on.clone();
    assert_eq!(
        client(&|f| f.document_expires_on = issued.clone(), &mut v),
        (
            ErrorCode::DateOrder,
            Some("document_expires_on".to_owned()),
            Some(Limit::After {
                date: After::DocumentIssuedOn
            })
        ),
        "an expiry on the issue date must follow the issue date"
    );
    let json = serde_json::to_value(CommandError::field(
        "amount",
        domain::field::Problem::OutOfRange(domain::field::Range::Money {
            min: tenge(50_000),
            max: None,
        }),
    ))
    .expect("json");
    assert_eq!(
        json["limit"],
        serde_json::json!({ "kind": "money", "min": 5_000_000, "max": null }),
        "the limit crosses IPC tagged, amounts in tiyn"
    );
}
