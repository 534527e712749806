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
const CODES: &[ErrorCode] = &[
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
];

const PASS: &str = "bad input tests";

/// The desk's clock: 11:00 on 25.11.2026 in Almaty (UTC+5), so the desk date is 25.11.2026.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0)
        .single()
        .expect("a valid time")
}

// ---------------------------------------------------------------------------------------------
// Vaults

fn desk() -> (tempfile::TempDir, VaultDir, Keychain, Vault) {
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
struct Branch {
    _tmp: tempfile::TempDir,
    officer: Vault,
    supervisor: Vault,
    client_id: String,
}

fn branch() -> Branch {
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
    Branch {
        _tmp: tmp,
        officer,
        supervisor,
        client_id,
    }
}

/// Everything a refused command could have written.
#[derive(Debug, PartialEq)]
struct Stored {
    audit: i64,
    outbox: i64,
    clients: Vec<ClientRecord>,
    applications: Vec<ApplicationRecord>,
}

fn stored(v: &Vault) -> Stored {
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
struct Checker {
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
struct Bad {
    edits: Vec<(&'static str, Value)>,
    field: &'static str,
    code: ErrorCode,
    why: String,
}

fn bad(field: &'static str, value: impl Into<Value>, code: ErrorCode, why: &str) -> Bad {
    Bad {
        edits: vec![(field, value.into())],
        field,
        code,
        why: why.to_owned(),
    }
}

fn bad_with(
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
struct Good {
    edits: Vec<(&'static str, Value)>,
    why: String,
}

fn good(field: &'static str, value: impl Into<Value>, why: &str) -> Good {
    Good {
        edits: vec![(field, value.into())],
        why: why.to_owned(),
    }
}

/// `base` with fields replaced by key, as the window's JSON would carry them.
fn edited<T: Serialize + DeserializeOwned>(base: &T, edits: &[(&'static str, Value)]) -> T {
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
fn keys<T: Serialize>(form: &T) -> BTreeSet<String> {
    serde_json::to_value(form)
        .expect("a form serialises")
        .as_object()
        .expect("a form is a JSON object")
        .keys()
        .cloned()
        .collect()
}

/// Every key of the form has at least one refusal row.
fn assert_every_field_covered<T: Serialize>(form: &T, rows: &[Bad]) {
    let covered: BTreeSet<String> = rows.iter().map(|b| b.field.to_owned()).collect();
    let missing: Vec<String> = keys(form).difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "fields without a refusal row: {missing:?}"
    );
}

/// `n` characters: `prefix` padded with `fill`.
fn sized(prefix: &str, fill: char, n: usize) -> String {
    let mut s = prefix.to_owned();
    while s.chars().count() < n {
        s.push(fill);
    }
    assert_eq!(s.chars().count(), n, "the prefix is longer than {n}");
    s
}

/// A valid IIN from its first eleven digits.
fn iin(first11: &str) -> String {
    let digits: Vec<u32> = first11.bytes().map(|b| u32::from(b - b'0')).collect();
    let digits: [u32; 11] = digits.try_into().expect("eleven digits");
    let k = check_digit(&digits).expect("an issuable IIN");
    format!("{first11}{k}")
}

/// Another valid IIN of the same woman's birth date and sex (11.12.2006, female), for clients that
/// must not collide with each other.
fn next_iin(serial: &mut u32) -> String {
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

/// A complete, valid client form (the domain's own example): a woman born 11.12.2006.
fn client_form() -> ClientForm {
    ClientForm {
        iin: "061211600012".into(),
        surname: "Қасымова".into(),
        given_name: "Әлия".into(),
        patronymic: "Серікқызы".into(),
        birth_date: "11.12.2006".into(),
        sex: Some(Sex::Female),
        phone: "8 701 234 56 78".into(),
        email: "".into(),
        registration_address: "Алматы, ул. Абая, 1".into(),
        actual_address: "Алматы, ул. Абая, 1".into(),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "045 123 456".into(),
        document_issuer: "МВД РК".into(),
        document_issued_on: "15.01.2023".into(),
        document_expires_on: "14.01.2033".into(),
        employer: "ТОО «Рассвет»".into(),
        position: "".into(),
        monthly_income: "350 000".into(),
    }
}

#[rustfmt::skip]
fn client_refusals() -> Vec<Bad> {
    use ErrorCode::*;
    let name_over = "ә".repeat(MAX_PART + 1);
    let address_over = sized("Алматы, ул. Абая, дом ", 'д', MAX_ADDRESS + 1);
    let short_over = sized("ТОО ", 'Р', MAX_SHORT_TEXT + 1);
    let email_over = format!("{}@{}.kz", "a".repeat(64), "b".repeat(MAX_EMAIL + 1 - 64 - 1 - 3));
    let kind = |k: &str, number: &str| vec![("document_kind", Value::from(k)), ("document_number", number.into())];
    let mut rows = vec![
        // IIN
        bad("iin", "", Required, "an empty IIN is required"),
        bad("iin", "   ", Required, "an IIN of spaces is empty, so required"),
        bad("iin", "06121160001", BadFormat, "an 11-digit IIN is malformed"),
        bad("iin", "0612116000123", BadFormat, "a 13-digit IIN is malformed"),
        bad("iin", "06121160001O", BadFormat, "a letter O in an IIN is malformed"),
        bad("iin", "061211-600012", BadFormat, "a dash in an IIN is malformed"),
        bad("iin", "061211700012", IinCentury, "a seventh digit of 7 names no century"),
        bad("iin", "061211000012", IinCentury, "a seventh digit of 0 names no century"),
        bad("iin", "061311600012", IinBirthDate, "month 13 in an IIN is no birth date"),
        bad("iin", "060230600012", IinBirthDate, "30.02 in an IIN is no birth date"),
        bad("iin", "060229600012", IinBirthDate, "29.02.2006 in an IIN is no birth date"),
        bad("iin", "061211600013", IinCheckDigit, "a wrong check digit is a typo"),
        bad("iin", "061221600012", IinCheckDigit, "a mistyped birth day breaks the check digit"),
        bad("iin", "061211600050", IinNotIssuable, "no IIN is issued when both check sums give 10"),
        // A valid IIN that is not this person's: the field that disagrees with it is named.
        bad_with(vec![("iin", iin("06121260001").into())], "birth_date", IinMismatch,
            "an IIN saying 12.12.2006 for a woman born 11.12.2006: the birth date disagrees"),
        bad_with(vec![("iin", iin("06121150001").into())], "sex", IinMismatch,
            "an IIN saying male (seventh digit 5) for a woman: the sex disagrees"),
        // Names
        bad("surname", "", Required, "an empty surname is required"),
        bad("surname", " \t ", Required, "a surname of spaces is empty, so required"),
        bad("surname", name_over.as_str(), TooLong, "a 61-character surname must be refused as too long, not truncated"),
        bad("surname", format!("{} {}", "ә".repeat(30), "ә".repeat(30)), TooLong, "61 characters counting the space are too long"),
        bad("surname", "Иванов2", BadCharacter, "a digit in a surname"),
        bad("surname", "Иванов!", BadCharacter, "punctuation in a surname"),
        bad("surname", "--", BadCharacter, "a surname without a letter"),
        bad("surname", "Иванов\u{7}", BadCharacter, "a control character in a surname"),
        bad("surname", "Ivanov😀", BadCharacter, "an emoji in a surname"),
        bad("surname", "Иванoв", MixedScripts, "a Latin o in a Cyrillic surname breaks search and matching"),
        bad("surname", "Қасымoва", MixedScripts, "a Latin o in a Kazakh surname breaks search and matching"),
        bad("surname", "Ivanов", MixedScripts, "Latin then Cyrillic in a surname"),
        bad("given_name", "", Required, "an empty given name is required"),
        bad("given_name", name_over.as_str(), TooLong, "a 61-character given name must be refused as too long, not truncated"),
        bad("given_name", "Әлия1", BadCharacter, "a digit in a given name"),
        bad("given_name", "Әлия_", BadCharacter, "an underscore in a given name"),
        bad("given_name", "Aлия", MixedScripts, "a Latin A in a Cyrillic given name"),
        bad("patronymic", name_over.as_str(), TooLong, "a 61-character patronymic must be refused as too long, not truncated"),
        bad("patronymic", "Серікқызы.", BadCharacter, "a dot in a patronymic"),
        bad("patronymic", "Serікқызы", MixedScripts, "Latin and Cyrillic in a patronymic"),
        // Birth date and sex
        bad("birth_date", "", Required, "an empty birth date is required"),
        bad("birth_date", "2006-12-11", BadFormat, "an ISO date is not dd.mm.yyyy"),
        bad("birth_date", "11.12.06", BadFormat, "a two-digit year is not dd.mm.yyyy"),
        bad("birth_date", "1.12.2006", BadFormat, "a one-digit day is not dd.mm.yyyy"),
        bad("birth_date", "11/12/2006", BadFormat, "slashes are not dd.mm.yyyy"),
        bad("birth_date", "11.12.2006г", BadFormat, "a trailing letter is not dd.mm.yyyy"),
        bad("birth_date", "31.02.2006", NoSuchDay, "31.02 is not in the calendar"),
        bad("birth_date", "29.02.2006", NoSuchDay, "2006 is not a leap year"),
        bad("birth_date", "11.13.2006", NoSuchDay, "there is no month 13"),
        bad("birth_date", "00.12.2006", NoSuchDay, "there is no day 0"),
        bad("birth_date", "26.11.2026", DateInFuture, "a birth date after the desk date"),
        bad("birth_date", "12.12.2006", IinMismatch, "a birth date the IIN does not say (it says 11.12.2006)"),
        bad("sex", Value::Null, Required, "no sex chosen is required"),
        bad("sex", "male", IinMismatch, "male with an IIN whose seventh digit 6 says female"),
        // Phone
        bad("phone", "", Required, "an empty phone is required"),
        bad("phone", "+7 916 123 45 67", PhoneNotKazakh, "+7 9xx is a Russian mobile, not a Kazakh one"),
        bad("phone", "8 495 123 45 67", PhoneNotKazakh, "8 495 is a Moscow landline"),
        bad("phone", "+7 701 234 56 7", BadFormat, "ten digits are too short"),
        bad("phone", "+7 701 234 56 789", BadFormat, "twelve digits are too long"),
        bad("phone", "7012345678", BadFormat, "ten digits lack the 8 or +7"),
        bad("phone", "+8 701 234 56 78", BadFormat, "+8 is no country prefix"),
        bad("phone", "9 701 234 56 78", BadFormat, "9 is no trunk prefix"),
        bad("phone", "+7 701 234 56 7a", BadFormat, "a letter in a phone number"),
        bad("phone", "+7 701 234 56 78 доб. 1", BadFormat, "an extension is not part of the number"),
        // Email (optional)
        bad("email", "nobody", BadFormat, "an email without @"),
        bad("email", "aliya@mail", BadFormat, "an email domain without a dot"),
        bad("email", "@mail.kz", BadFormat, "an email without a local part"),
        bad("email", "aliya@@mail.kz", BadFormat, "an email with two @"),
        bad("email", "aliya@.mail.kz", BadFormat, "an email domain starting with a dot"),
        bad("email", "aliya@mail.kz.", BadFormat, "an email domain ending with a dot"),
        bad("email", "ali ya@mail.kz", BadFormat, "a space inside an email"),
        bad("email", "aliya@mail.kz\u{7}", BadFormat, "a control character in an email"),
        bad("email", email_over.as_str(), TooLong, "a 255-character email must be refused as too long, not truncated"),
    ];
    for field in ["registration_address", "actual_address"] {
        rows.extend([
            bad(field, "", Required, "an empty address is required"),
            bad(field, "   ", Required, "an address of spaces is empty, so required"),
            bad(field, address_over.as_str(), TooLong, "a 201-character address must be refused as too long, not truncated"),
            bad(field, "ул. Абая\u{7}, 1", BadCharacter, "a control character in an address"),
            bad(field, "ул. Абая\u{1b}[2J", BadCharacter, "an escape sequence in an address"),
        ]);
    }
    rows.extend([
        // Identity document
        bad("document_kind", Value::Null, Required, "no document kind chosen is required"),
        bad("document_number", "", Required, "an empty document number is required"),
        bad("document_number", "   ", Required, "a document number of spaces is empty"),
        bad("document_number", "04512345", BadFormat, "an ID card number has 9 digits, not 8"),
        bad("document_number", "0451234567", BadFormat, "an ID card number has 9 digits, not 10"),
        bad("document_number", "04512345A", BadFormat, "a letter in an ID card number"),
        bad("document_number", "045-123-456", BadFormat, "dashes in an ID card number"),
        bad("document_number", "N12345678", BadFormat, "a passport number on an ID card is the wrong shape"),
        bad_with(kind("passport", "045123456"), "document_number", BadFormat, "a passport number is N and 8 digits, not 9 digits"),
        bad_with(kind("passport", "N1234567"), "document_number", BadFormat, "a passport number is N and 8 digits, not 7"),
        bad_with(kind("passport", "Н12345678"), "document_number", BadFormat, "a Cyrillic Н is not the Latin N of a passport number"),
        bad_with(kind("passport", "NN2345678"), "document_number", BadFormat, "a passport number has one letter"),
        bad_with(kind("residence_permit", "N12345678"), "document_number", BadFormat, "a residence permit number has no letter"),
        bad_with(kind("residence_permit", "12345678"), "document_number", BadFormat, "a residence permit number has 9 digits, not 8"),
        bad("document_issuer", "", Required, "an empty issuer is required"),
        bad("document_issuer", short_over.as_str(), TooLong, "a 101-character issuer must be refused as too long, not truncated"),
        bad("document_issuer", "МВД\u{0}РК", BadCharacter, "a NUL in an issuer"),
        bad("document_issued_on", "", Required, "an empty issue date is required"),
        bad("document_issued_on", "2023-01-15", BadFormat, "an ISO date is not dd.mm.yyyy"),
        bad("document_issued_on", "15.1.2023", BadFormat, "a one-digit month is not dd.mm.yyyy"),
        bad("document_issued_on", "31.02.2023", NoSuchDay, "31.02 is not in the calendar"),
        bad("document_issued_on", "26.11.2026", DateInFuture, "a document issued after the desk date"),
        bad("document_issued_on", "10.12.2006", DateOrder, "a document issued the day before its holder was born"),
        bad("document_expires_on", "", Required, "an empty expiry date is required"),
        bad("document_expires_on", "14/01/2033", BadFormat, "slashes are not dd.mm.yyyy"),
        bad("document_expires_on", "31.04.2033", NoSuchDay, "April has 30 days"),
        bad("document_expires_on", "14.01.2023", DateOrder, "a document expiring before it was issued"),
        bad("document_expires_on", "15.01.2023", DateOrder, "a document expiring the day it was issued"),
        bad("document_expires_on", "24.11.2026", DocumentExpired, "a document that expired yesterday is not KYC"),
        bad("document_expires_on", "01.01.2026", DocumentExpired, "a document that expired this year is not KYC"),
        // Employment (optional)
        bad("employer", short_over.as_str(), TooLong, "a 101-character employer must be refused as too long, not truncated"),
        bad("employer", "ТОО\u{7}", BadCharacter, "a control character in an employer"),
        bad("position", short_over.as_str(), TooLong, "a 101-character position must be refused as too long, not truncated"),
        bad("position", "кассир\u{9b}", BadCharacter, "a C1 control character in a position"),
        // Income
        bad("monthly_income", "", Required, "an empty income is required"),
        bad("monthly_income", "   ", Required, "an income of spaces is empty, so required"),
        bad("monthly_income", "триста тысяч", BadFormat, "words are not money"),
        bad("monthly_income", "350 000,123", BadFormat, "three decimals are not money"),
        bad("monthly_income", "1e5", BadFormat, "an exponent is not money"),
        bad("monthly_income", "350 000 KZT", BadFormat, "a currency code is not money"),
        bad("monthly_income", "3,5,0", BadFormat, "two decimal commas are not money"),
        bad("monthly_income", "₸", BadFormat, "a tenge sign alone is not money"),
        bad("monthly_income", "99999999999999999999", BadFormat, "an amount that overflows is not money"),
        bad("monthly_income", "-1", OutOfRange, "a negative income"),
        bad("monthly_income", "-0,01", OutOfRange, "a negative income of one tiyn"),
        bad("monthly_income", "1 000 000 000,01", OutOfRange, "one tiyn above 1 000 000 000 ₸ a month is a typo"),
        bad("monthly_income", "2 000 000 000", OutOfRange, "2 000 000 000 ₸ a month is a typo"),
    ]);
    rows
}

/// Boundaries and shapes that must be accepted (each gets an IIN of its own).
#[rustfmt::skip]
fn client_acceptances() -> Vec<Good> {
    let kind = |k: &str, number: &str| vec![("document_kind", Value::from(k)), ("document_number", number.into())];
    vec![
        good("surname", "ә".repeat(MAX_PART), "a 60-character surname is exactly the limit"),
        good("given_name", "ә".repeat(MAX_PART), "a 60-character given name is exactly the limit"),
        good("patronymic", "ә".repeat(MAX_PART), "a 60-character patronymic is exactly the limit"),
        good("patronymic", "", "the patronymic is optional"),
        good("surname", "O'Neil-Smith", "a Latin surname with ' and -"),
        good("email", format!("{}@{}.kz", "a".repeat(64), "b".repeat(MAX_EMAIL - 64 - 1 - 3)), "a 254-character email is exactly the limit"),
        good("email", "aliya@mail.kz", "an ordinary email"),
        good("registration_address", sized("Алматы, ул. Абая, дом ", 'д', MAX_ADDRESS), "a 200-character address is exactly the limit"),
        good("actual_address", sized("Алматы, ул. Абая, дом ", 'д', MAX_ADDRESS), "a 200-character address is exactly the limit"),
        good("document_issuer", sized("МВД ", 'Р', MAX_SHORT_TEXT), "a 100-character issuer is exactly the limit"),
        good("employer", sized("ТОО ", 'Р', MAX_SHORT_TEXT), "a 100-character employer is exactly the limit"),
        good("position", sized("кассир ", 'р', MAX_SHORT_TEXT), "a 100-character position is exactly the limit"),
        good("employer", "", "the employer is optional"),
        good("monthly_income", "1 000 000 000", "1 000 000 000 ₸ a month is exactly the limit"),
        good("monthly_income", "1 000 000 000,00 ₸", "the limit written with decimals and the tenge sign"),
        good("phone", "8 (701) 234-56-78", "brackets and dashes in a phone"),
        good("phone", "+7 727 250 00 00", "an Almaty landline"),
        good("document_expires_on", "25.11.2026", "a document expiring on the desk date is still valid that day"),
        good("document_issued_on", "11.12.2006", "a document issued on the holder's birth day"),
        Good { edits: kind("passport", "n 12345678"), why: "a passport number typed in lower case with a space".into() },
        Good { edits: kind("residence_permit", "123456789"), why: "a residence permit's 9 digits".into() },
    ]
}

// ---------------------------------------------------------------------------------------------
// Clients

#[test]
fn client_create_refuses_every_bad_field_and_stores_nothing() {
    let (_tmp, _dir, _keychain, mut v) = desk();
    let rows = client_refusals();
    assert_every_field_covered(&client_form(), &rows);
    let mut ck = Checker::default();

    for row in &rows {
        let form = edited(&client_form(), &row.edits);
        let before = stored(&v);
        let r = clients::create(&mut v, &form, now());
        ck.refused(&v, &before, r, row.code, Some(row.field), &row.why);
    }

    // Exactly the limits, empty optional fields and other usual shapes are accepted and stored.
    let mut serial = 100;
    for g in client_acceptances() {
        let mut edits = g.edits.clone();
        edits.push(("iin", next_iin(&mut serial).into()));
        let form = edited(&client_form(), &edits);
        let before = stored(&v);
        let r = clients::create(&mut v, &form, now());
        if ck.accepted(&v, &before, r, &g.why).is_some()
            && stored(&v).clients.len() != before.clients.len() + 1
        {
            ck.fail(format!("{}: the client must be stored", g.why));
        }
    }
    let spaced = next_iin(&mut serial);
    let form = edited(
        &client_form(),
        &[("iin", format!("{} {}", &spaced[..6], &spaced[6..]).into())],
    );
    let before = stored(&v);
    let r = clients::create(&mut v, &form, now());
    ck.accepted(&v, &before, r, "an IIN printed as 061211 600012");

    // The IIN registered (typed with a space) again, typed without: a duplicate.
    let form = edited(&client_form(), &[("iin", spaced.clone().into())]);
    let before = stored(&v);
    let r = clients::create(&mut v, &form, now());
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::DuplicateIin,
        Some("iin"),
        "an IIN already registered must be refused and name the IIN field",
    );
    ck.done();
}

#[test]
fn client_dates_are_judged_on_the_desk_date_in_almaty() {
    let (_tmp, _dir, _keychain, mut v) = desk();
    let mut ck = Checker::default();
    // 19:30 UTC on 25.11 is 00:30 on 26.11 in Almaty: the desk's date has moved on.
    let late = Utc
        .with_ymd_and_hms(2026, 11, 25, 19, 30, 0)
        .single()
        .expect("a valid time");
    let form = edited(
        &client_form(),
        &[("document_expires_on", "25.11.2026".into())],
    );
    let before = stored(&v);
    let r = clients::create(&mut v, &form, late);
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::DocumentExpired,
        Some("document_expires_on"),
        "a document that expired yesterday in Almaty is expired, though it is still the 25th in UTC",
    );
    let form = edited(
        &client_form(),
        &[("document_issued_on", "26.11.2026".into())],
    );
    let before = stored(&v);
    let r = clients::create(&mut v, &form, late);
    ck.accepted(
        &v,
        &before,
        r,
        "a document issued today in Almaty is not in the future, though UTC is a day behind",
    );
    ck.done();
}

#[test]
fn client_update_refuses_every_bad_field_stale_versions_and_taken_iins() {
    let (_tmp, _dir, _keychain, mut v) = desk();
    let mut ck = Checker::default();
    let a = clients::create(&mut v, &client_form(), now()).expect("client A");
    let mut serial = 100;
    let other_iin = next_iin(&mut serial);
    let b_form = edited(&client_form(), &[("iin", other_iin.clone().into())]);
    clients::create(&mut v, &b_form, now()).expect("client B");

    for row in &client_refusals() {
        let request = ClientUpdateRequest {
            id: a.clone(),
            version: 1,
            form: edited(&client_form(), &row.edits),
        };
        let before = stored(&v);
        let r = clients::update(&mut v, &request, now());
        ck.refused(&v, &before, r, row.code, Some(row.field), &row.why);
    }

    let changed = edited(&client_form(), &[("phone", "+7 777 000 00 01".into())]);
    for (version, why) in [
        (2, "an edit from a version nobody has yet is stale"),
        (0, "an edit from version 0 is stale"),
    ] {
        let request = ClientUpdateRequest {
            id: a.clone(),
            version,
            form: changed.clone(),
        };
        let before = stored(&v);
        let r = clients::update(&mut v, &request, now());
        ck.refused(&v, &before, r, ErrorCode::Stale, None, why);
    }
    let request = ClientUpdateRequest {
        id: "no-such-client".into(),
        version: 1,
        form: changed.clone(),
    };
    let before = stored(&v);
    let r = clients::update(&mut v, &request, now());
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::NotFound,
        None,
        "an unknown client",
    );
    let request = ClientUpdateRequest {
        id: a.clone(),
        version: 1,
        form: b_form.clone(),
    };
    let before = stored(&v);
    let r = clients::update(&mut v, &request, now());
    ck.refused(
        &v,
        &before,
        r,
        ErrorCode::DuplicateIin,
        Some("iin"),
        "changing A's IIN to B's must be refused on the IIN field",
    );

    let request = ClientUpdateRequest {
        id: a.clone(),
        version: 1,
        form: changed,
    };
    let before = stored(&v);
    let r = clients::update(&mut v, &request, now());
    if let Some(version) = ck.accepted(&v, &before, r, "a good edit at the current version")
        && version != 2
    {
        ck.fail(format!(
            "a good edit raises the version to 2, not {version}"
        ));
    }
    ck.done();
}

#[test]
fn iin_inspection_refuses_every_malformed_iin() {
    use ErrorCode::*;
    let (_tmp, _dir, _keychain, mut v) = desk();
    let mut ck = Checker::default();
    let rows: &[(&str, ErrorCode, &str)] = &[
        ("06121160001", BadFormat, "an 11-digit IIN is malformed"),
        ("0612116000123", BadFormat, "a 13-digit IIN is malformed"),
        ("06121160001O", BadFormat, "a letter in an IIN is malformed"),
        (
            "061211700012",
            IinCentury,
            "a seventh digit of 7 names no century",
        ),
        ("061311600012", IinBirthDate, "month 13 is no birth date"),
        (
            "061211600013",
            IinCheckDigit,
            "a wrong check digit is a typo",
        ),
        ("061211600050", IinNotIssuable, "both check sums give 10"),
    ];
    for (text, code, why) in rows {
        let before = stored(&v);
        let r = clients::inspect_iin(&v, text);
        ck.refused(&v, &before, r, *code, Some("iin"), why);
    }

    let before = stored(&v);
    match clients::inspect_iin(&v, " 061211 600012 ") {
        Ok(info) => {
            if (
                info.iin.as_str(),
                info.birth_date.as_str(),
                info.sex,
                &info.client_id,
            ) != ("061211600012", "11.12.2006", Sex::Female, &None)
            {
                ck.fail(format!(
                    "a valid IIN says 11.12.2006, female, no client yet: {info:?}"
                ));
            }
        }
        Err(e) => ck.fail(format!("a valid IIN with spaces is read: {e:?}")),
    }
    if stored(&v) != before {
        ck.fail("inspecting an IIN stores nothing".into());
    }
    let id = clients::create(&mut v, &client_form(), now()).expect("a client");
    match clients::inspect_iin(&v, "061211600012") {
        Ok(info) if info.client_id.as_deref() == Some(id.as_str()) => {}
        other => ck.fail(format!("a registered IIN names its client: {other:?}")),
    }
    ck.done();
}

#[test]
fn iin_inspection_of_an_empty_field_says_required() {
    let (_tmp, _dir, _keychain, v) = desk();
    let mut ck = Checker::default();
    for (text, why) in [
        (
            "",
            "inspecting an empty IIN is a required field, as on the form",
        ),
        (
            "   ",
            "inspecting an IIN of spaces is a required field, as on the form",
        ),
    ] {
        let before = stored(&v);
        let r = clients::inspect_iin(&v, text);
        ck.refused(&v, &before, r, ErrorCode::Required, Some("iin"), why);
    }
    ck.done();
}

// ---------------------------------------------------------------------------------------------
// Applications

fn application_form() -> ApplicationForm {
    ApplicationForm {
        product_id: "consumer-12".into(),
        amount: "500 000".into(),
        months: 12,
        method: Some(Method::Annuity),
        purpose: "Ремонт дома".into(),
    }
}

fn terms(product: &str, amount: &str, months: u32, method: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("product_id", product.into()),
        ("amount", amount.into()),
        ("months", months.into()),
        ("method", method.into()),
    ]
}

#[rustfmt::skip]
fn application_refusals() -> Vec<Bad> {
    use ErrorCode::*;
    vec![
        bad("product_id", "", Required, "no product chosen is required"),
        bad("product_id", "  ", Required, "a product of spaces is empty"),
        bad("product_id", "consumer-99", UnknownProduct, "a product the catalog lacks"),
        bad("product_id", "CONSUMER-12", UnknownProduct, "product ids are exact"),
        bad("amount", "", Required, "an empty amount is required"),
        bad("amount", "   ", Required, "an amount of spaces is empty, so required"),
        bad("amount", "пятьсот тысяч", BadFormat, "words are not money"),
        bad("amount", "500 000,001", BadFormat, "three decimals are not money"),
        bad("amount", "5e5", BadFormat, "an exponent is not money"),
        bad("amount", "500 000 KZT", BadFormat, "a currency code is not money"),
        bad("amount", "99999999999999999999", BadFormat, "an amount that overflows"),
        bad("amount", "0", OutOfRange, "a loan of nothing"),
        bad("amount", "0,00 ₸", OutOfRange, "a loan of nothing, with decimals"),
        bad("amount", "-500 000", OutOfRange, "a negative loan"),
        bad("amount", "49 999,99", AmountBelow, "one tiyn under consumer-12's minimum of 50 000 ₸"),
        bad("amount", "3 000 000,01", AmountAbove, "one tiyn over consumer-12's maximum of 3 000 000 ₸"),
        bad_with(terms("business-24", "299 999", 12, "annuity"), "amount", AmountBelow, "under business-24's minimum of 300 000 ₸"),
        bad_with(terms("business-24", "10 000 000,01", 12, "annuity"), "amount", AmountAbove, "over business-24's maximum of 10 000 000 ₸"),
        bad_with(terms("short-1", "150 001", 1, "annuity"), "amount", AmountAbove, "over short-1's maximum of 150 000 ₸"),
        bad("months", 0, OutOfRange, "a term of 0 months is outside the product's months"),
        bad("months", 6, TermOutOfRange, "under consumer-12's 7 months"),
        bad("months", 37, TermOutOfRange, "over consumer-12's 36 months"),
        bad("months", u32::MAX, TermOutOfRange, "an absurd term is refused, not a panic"),
        bad_with(terms("business-24", "500 000", 5, "annuity"), "months", TermOutOfRange, "under business-24's 6 months"),
        bad_with(terms("business-24", "500 000", 61, "annuity"), "months", TermOutOfRange, "over business-24's 60 months"),
        bad_with(terms("short-1", "100 000", 2, "annuity"), "months", TermOutOfRange, "short-1 lasts one month"),
        bad("method", Value::Null, Required, "no repayment method chosen is required"),
        bad_with(terms("short-1", "100 000", 1, "equal-principal"), "method", MethodNotOffered, "short-1 is repaid by annuity only"),
        bad("purpose", "", Required, "an empty purpose is required"),
        bad("purpose", "  \n ", Required, "a purpose of spaces is empty, so required"),
        bad("purpose", sized("Ремонт дома ", 'р', MAX_PURPOSE + 1), TooLong, "a 201-character purpose must be refused as too long, not truncated"),
        bad("purpose", "Ремонт\u{7}", BadCharacter, "a control character in a purpose"),
        // The ГЭСВ cap cannot be reached through the shipped catalog: every product is issuable at
        // every limit (domain test `every_shipped_product_is_issuable_at_every_limit`); the cap's
        // refusal is tested in the domain crate with a catalog that breaks it.
    ]
}

#[rustfmt::skip]
fn application_acceptances() -> Vec<Good> {
    let t = |product: &str, amount: &str, months: u32, method: &str, why: &str| Good {
        edits: terms(product, amount, months, method),
        why: why.to_owned(),
    };
    vec![
        t("consumer-12", "50 000", 12, "annuity", "consumer-12's minimum amount"),
        t("consumer-12", "3 000 000", 36, "equal-principal", "consumer-12's maximum amount and term"),
        t("consumer-12", "500 000", 7, "annuity", "consumer-12's shortest term: a ГЭСВ of 45,7 %, just under the 46 % cap"),
        t("business-24", "300 000", 6, "annuity", "business-24's minimum amount and term"),
        t("business-24", "10 000 000", 60, "equal-principal", "business-24's maximum amount and term"),
        t("short-1", "10 000", 1, "annuity", "short-1's minimum amount"),
        t("short-1", "150 000", 1, "annuity", "short-1's maximum amount"),
        good("purpose", sized("Ремонт дома ", 'р', MAX_PURPOSE), "a 200-character purpose is exactly the limit"),
        good("amount", "500 000,50 ₸", "an amount with tiyn and the tenge sign"),
    ]
}

#[test]
fn application_forms_refuse_every_bad_field_and_store_nothing() {
    let mut b = branch();
    let rows = application_refusals();
    assert_every_field_covered(&application_form(), &rows);
    let mut ck = Checker::default();

    // A draft to save and submit, and a returned version to revise.
    let create = |form: ApplicationForm| ApplicationCreateRequest {
        client_id: b.client_id.clone(),
        form,
    };
    let draft =
        applications::create(&mut b.officer, &create(application_form()), now()).expect("a draft");
    let returned = applications::create(&mut b.officer, &create(application_form()), now())
        .expect("another draft");
    let save = |id: &str, form: ApplicationForm| ApplicationSaveRequest {
        id: id.to_owned(),
        form,
    };
    applications::submit(&mut b.officer, &save(&returned, application_form()), now())
        .expect("submit");
    applications::step(
        &mut b.supervisor,
        &ApplicationStepRequest {
            id: returned.clone(),
            step: Step::Return,
            reason: Some("Нет справки о доходах".into()),
        },
        now(),
    )
    .expect("return");

    for row in &rows {
        let form = edited(&application_form(), &row.edits);
        let field = Some(row.field);
        let v = &mut b.officer;

        let before = stored(v);
        let r = applications::quote(&form, now()).map(|q| q.amount.text);
        ck.refused(
            v,
            &before,
            r,
            row.code,
            field,
            &format!("quote: {}", row.why),
        );

        let r = applications::create(v, &create(form.clone()), now());
        ck.refused(
            v,
            &before,
            r,
            row.code,
            field,
            &format!("create: {}", row.why),
        );

        let r = applications::save_draft(v, &save(&draft, form.clone()), now());
        ck.refused(
            v,
            &before,
            r,
            row.code,
            field,
            &format!("save draft: {}", row.why),
        );

        let r = applications::submit(v, &save(&draft, form.clone()), now());
        ck.refused(
            v,
            &before,
            r,
            row.code,
            field,
            &format!("submit: {}", row.why),
        );

        let r = applications::revise(v, &save(&returned, form.clone()), now());
        ck.refused(
            v,
            &before,
            r,
            row.code,
            field,
            &format!("revise: {}", row.why),
        );
    }

    for (id, why) in [
        ("no-such-client", "an application for an unknown client"),
        ("", "an application for no client"),
    ] {
        let before = stored(&b.officer);
        let r = applications::create(
            &mut b.officer,
            &ApplicationCreateRequest {
                client_id: id.into(),
                form: application_form(),
            },
            now(),
        );
        ck.refused(&b.officer, &before, r, ErrorCode::NotFound, None, why);
    }

    for g in application_acceptances() {
        let form = edited(&application_form(), &g.edits);
        let before = stored(&b.officer);
        let r = applications::create(&mut b.officer, &create(form), now());
        ck.accepted(&b.officer, &before, r, &g.why);
    }
    ck.done();
}

/// A step that must be refused: who asks, the request, and what it must give.
struct StepRefusal {
    by_supervisor: bool,
    request: ApplicationStepRequest,
    code: ErrorCode,
    field: Option<&'static str>,
    why: &'static str,
}

fn refuse(
    by_supervisor: bool,
    id: &str,
    step: Step,
    reason: Option<&str>,
    code: ErrorCode,
    field: Option<&'static str>,
    why: &'static str,
) -> StepRefusal {
    StepRefusal {
        by_supervisor,
        request: ApplicationStepRequest {
            id: id.to_owned(),
            step,
            reason: reason.map(str::to_owned),
        },
        code,
        field,
        why,
    }
}

#[rustfmt::skip]
fn step_refusals(draft: &str, submitted: &str) -> Vec<StepRefusal> {
    use ErrorCode::*;
    let too_long = sized("Нет справки о доходах ", 'ы', MAX_REASON + 1);
    let too_long = Some(too_long.as_str());
    let (supervisor, officer) = (true, false);
    let reason = Some("reason");
    vec![
        refuse(supervisor, submitted, Step::Decline, too_long, TooLong, reason, "a 501-character decline reason must be refused as too long, not truncated"),
        refuse(supervisor, submitted, Step::Return, too_long, TooLong, reason, "a 501-character return reason must be refused as too long, not truncated"),
        refuse(supervisor, submitted, Step::Decline, None, ReasonRequired, reason, "a decline must say why"),
        refuse(supervisor, submitted, Step::Decline, Some("   "), ReasonRequired, reason, "a decline reason of spaces says nothing"),
        refuse(supervisor, submitted, Step::Return, None, ReasonRequired, reason, "a return must say why"),
        refuse(supervisor, submitted, Step::Return, Some("\n\t"), ReasonRequired, reason, "a return reason of whitespace says nothing"),
        refuse(supervisor, submitted, Step::Decline, Some("Нет\u{7} справки"), BadCharacter, reason, "a control character in a reason"),
        refuse(supervisor, draft, Step::Approve, None, WrongStage, None, "a draft cannot be approved before it is submitted"),
        refuse(supervisor, draft, Step::Decline, Some("Нет справки"), WrongStage, None, "a draft cannot be declined before it is submitted"),
        refuse(officer, submitted, Step::IssueOffer, None, WrongStage, None, "no offer before approval"),
        refuse(officer, submitted, Step::Sign, None, WrongStage, None, "no signature before an offer"),
        refuse(officer, draft, Step::Submit, None, WrongStage, None, "submission goes with its terms through application_submit, not as a bare step"),
        refuse(officer, submitted, Step::Revise, None, WrongStage, None, "a revision goes with its terms through application_revise, not as a bare step"),
        refuse(supervisor, "no-such-application", Step::Approve, None, NotFound, None, "an unknown application"),
    ]
}

#[test]
fn application_steps_refuse_long_or_missing_reasons_and_wrong_stages() {
    use ErrorCode::*;
    let mut b = branch();
    let mut ck = Checker::default();
    let new = |b: &mut Branch| {
        applications::create(
            &mut b.officer,
            &ApplicationCreateRequest {
                client_id: b.client_id.clone(),
                form: application_form(),
            },
            now(),
        )
        .expect("a draft")
    };
    let draft = new(&mut b);
    let submitted = new(&mut b);
    let save = |id: &str| ApplicationSaveRequest {
        id: id.to_owned(),
        form: application_form(),
    };
    applications::submit(&mut b.officer, &save(&submitted), now()).expect("submit");

    let step = |id: &str, step: Step, reason: Option<&str>| ApplicationStepRequest {
        id: id.to_owned(),
        step,
        reason: reason.map(str::to_owned),
    };
    for row in step_refusals(&draft, &submitted) {
        let v = if row.by_supervisor {
            &mut b.supervisor
        } else {
            &mut b.officer
        };
        let before = stored(v);
        let r = applications::step(v, &row.request, now());
        ck.refused(v, &before, r, row.code, row.field, row.why);
    }

    // Terms steps from the wrong stage.
    let before = stored(&b.officer);
    let r = applications::submit(&mut b.officer, &save(&submitted), now());
    ck.refused(&b.officer, &before, r, WrongStage, None, "submitting twice");
    let r = applications::save_draft(&mut b.officer, &save(&submitted), now());
    ck.refused(
        &b.officer,
        &before,
        r,
        WrongStage,
        None,
        "a submitted application is no longer a draft to save",
    );
    let r = applications::revise(&mut b.officer, &save(&draft), now());
    ck.refused(
        &b.officer,
        &before,
        r,
        WrongStage,
        None,
        "a draft is edited, not revised",
    );

    // Exactly the limit is a reason (the trailing line break is trimmed, as it is when stored);
    // then the returned application cannot be declined.
    let reason = format!("{}\n", sized("Нет справки о доходах ", 'ы', MAX_REASON));
    let before = stored(&b.supervisor);
    let r = applications::step(
        &mut b.supervisor,
        &step(&submitted, Step::Return, Some(reason.as_str())),
        now(),
    );
    if let Some(stage) = ck.accepted(
        &b.supervisor,
        &before,
        r,
        "a 500-character return reason is exactly the limit",
    ) && stage != Stage::Returned
    {
        ck.fail(format!(
            "a return leaves the application returned, not {stage:?}"
        ));
    }
    let before = stored(&b.supervisor);
    let r = applications::step(
        &mut b.supervisor,
        &step(&submitted, Step::Decline, Some("Нет справки")),
        now(),
    );
    ck.refused(
        &b.supervisor,
        &before,
        r,
        WrongStage,
        None,
        "a returned application is the maker's again, not the checker's to decline",
    );
    ck.done();
}

// ---------------------------------------------------------------------------------------------
// Officers

#[test]
fn approval_limits_refuse_bad_money() {
    use ErrorCode::*;
    let (_tmp, _dir, _keychain, mut admin) = desk();
    let mut ck = Checker::default();
    let supervisor = admin
        .add_officer(
            "Гүлнар Сейітова",
            Role::Supervisor,
            &Passphrase::new("supervisor passphrase".into()),
            now(),
        )
        .expect("a supervisor")
        .id;
    let request = |id: &OfficerId, amount: &str| SetApprovalLimitRequest {
        officer_id: id.0.clone(),
        amount: amount.into(),
    };
    let rows: &[(&str, ErrorCode, &str)] = &[
        ("один миллион", BadFormat, "words are not money"),
        ("1 000 000,001", BadFormat, "three decimals are not money"),
        ("1e6", BadFormat, "an exponent is not money"),
        ("1 000 000 KZT", BadFormat, "a currency code is not money"),
        (
            "99999999999999999999",
            BadFormat,
            "an amount that overflows",
        ),
        ("-1", OutOfRange, "a negative limit"),
        ("-0,01", OutOfRange, "a negative limit of one tiyn"),
    ];
    for (amount, code, why) in rows {
        let before = stored(&admin);
        let r = officers::set_approval_limit(&mut admin, &request(&supervisor, amount), now());
        ck.refused(&admin, &before, r, *code, Some("amount"), why);
        if admin.approval_limit(&supervisor).ok() != Some(domain::Money::ZERO) {
            ck.fail(format!("{why}: the limit must stay unset"));
        }
    }
    let before = stored(&admin);
    let r = officers::set_approval_limit(
        &mut admin,
        &request(&OfficerId("no-such-officer".into()), "1 000 000"),
        now(),
    );
    ck.refused(
        &admin,
        &before,
        r,
        UnknownOfficer,
        None,
        "a limit for nobody",
    );

    let before = stored(&admin);
    let r =
        officers::set_approval_limit(&mut admin, &request(&supervisor, "1 000 000,00 ₸"), now());
    ck.accepted(&admin, &before, r, "a limit as money is typed");
    if admin.approval_limit(&supervisor).ok() != domain::Money::from_tenge(1_000_000) {
        ck.fail("the limit is 1 000 000 ₸ once set".into());
    }
    ck.done();
}

#[test]
fn an_empty_approval_limit_is_required_not_malformed() {
    let (_tmp, _dir, _keychain, mut admin) = desk();
    let mut ck = Checker::default();
    let id = admin.officer().id.clone();
    for (amount, why) in [
        (
            "",
            "an empty limit is a required field, as every other amount",
        ),
        (
            "   ",
            "a limit of spaces is a required field, as every other amount",
        ),
    ] {
        let before = stored(&admin);
        let r = officers::set_approval_limit(
            &mut admin,
            &SetApprovalLimitRequest {
                officer_id: id.0.clone(),
                amount: amount.into(),
            },
            now(),
        );
        ck.refused(&admin, &before, r, ErrorCode::Required, Some("amount"), why);
    }
    ck.done();
}

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

// ---------------------------------------------------------------------------------------------
// Printed documents

fn documents_of(v: &Vault) -> usize {
    let apps: Vec<String> = v
        .applications(&ApplicationFilter::default(), None, 1000)
        .expect("list")
        .items
        .into_iter()
        .map(|a| a.id)
        .collect();
    let clients: Vec<String> = v
        .search_clients(&ClientQuery::All, None, 1000)
        .expect("clients")
        .items
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut n = 0;
    for c in &clients {
        n += v.documents_for(Some(c), &[]).expect("documents").len();
    }
    n + v.documents_for(None, &apps).expect("documents").len()
}

#[test]
fn printing_refuses_wrong_stages_unknown_records_and_unprintable_text_and_stores_nothing() {
    use crate::commands::documents::{self, PrintRequest};
    let mut b = branch();
    let draft = applications::create(
        &mut b.officer,
        &ApplicationCreateRequest {
            client_id: b.client_id.clone(),
            form: application_form(),
        },
        now(),
    )
    .expect("a draft");
    let mut odd = client_form();
    odd.iin = iin("92020240001");
    odd.birth_date = "02.02.1992".into();
    odd.actual_address = "г. Алматы, ЖК «中心», кв. 5".into();
    let odd_client = clients::create(&mut b.officer, &odd, now()).expect("the form accepts it");

    let cases: Vec<(PrintRequest, ErrorCode, &str)> = vec![
        (
            PrintRequest::Offer {
                application_id: draft.clone(),
            },
            ErrorCode::WrongStage,
            "a draft has no approved terms to offer",
        ),
        (
            PrintRequest::Offer {
                application_id: "0".repeat(32),
            },
            ErrorCode::NotFound,
            "no such application",
        ),
        (
            PrintRequest::Consent {
                client_id: "nobody".into(),
            },
            ErrorCode::NotFound,
            "no such client",
        ),
        (
            PrintRequest::Policy {
                client_id: Some("nobody".into()),
            },
            ErrorCode::NotFound,
            "a policy for no such client",
        ),
        (
            PrintRequest::Consent {
                client_id: odd_client,
            },
            ErrorCode::Unprintable,
            "an address the fonts cannot draw is refused, not printed as boxes",
        ),
    ];
    for (request, code, why) in cases {
        let before = stored(&b.officer);
        let docs = documents_of(&b.officer);
        let r = documents::issue(&mut b.officer, &request, now());
        assert_eq!(r.as_ref().err().map(|e| e.code), Some(code), "{why}");
        assert_eq!(
            stored(&b.officer),
            before,
            "{why}: nothing audited or queued"
        );
        assert_eq!(documents_of(&b.officer), docs, "{why}: no document stored");
    }
}

#[test]
fn printing_issues_sealed_documents_kept_in_the_vault() {
    use crate::commands::documents::{self, PrintRequest};
    use ed25519_dalek::Verifier;
    let mut b = branch();
    let id = applications::create(
        &mut b.officer,
        &ApplicationCreateRequest {
            client_id: b.client_id.clone(),
            form: application_form(),
        },
        now(),
    )
    .expect("a draft");
    let save = ApplicationSaveRequest {
        id: id.clone(),
        form: application_form(),
    };
    applications::submit(&mut b.officer, &save, now()).expect("submit");
    let approve = ApplicationStepRequest {
        id: id.clone(),
        step: Step::Approve,
        reason: None,
    };
    applications::step(&mut b.supervisor, &approve, now()).expect("approve");
    // Approved is not enough: the offer is printed once the maker has issued it.
    let early = documents::issue(
        &mut b.supervisor,
        &PrintRequest::Offer {
            application_id: id.clone(),
        },
        now(),
    );
    assert_eq!(
        early.err().map(|e| e.code),
        Some(ErrorCode::WrongStage),
        "nobody prints an offer the officer has not issued"
    );
    let issue = ApplicationStepRequest {
        id: id.clone(),
        step: Step::IssueOffer,
        reason: None,
    };
    applications::step(&mut b.officer, &issue, now()).expect("issue the offer");

    let before = stored(&b.officer);
    let (offer, pdf) = documents::issue(
        &mut b.officer,
        &PrintRequest::Offer {
            application_id: id.clone(),
        },
        now(),
    )
    .expect("the offer prints");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let after = stored(&b.officer);
    assert_eq!(
        (after.audit, after.outbox),
        (before.audit + 1, before.outbox + 1),
        "audited and queued"
    );
    let (kept, bytes) = b.officer.document(&offer.id).expect("kept");
    assert_eq!(bytes, pdf, "the vault keeps exactly the bytes printed");
    assert_eq!(kept.application_id.as_deref(), Some(id.as_str()));
    assert_eq!(kept.client_id.as_deref(), Some(b.client_id.as_str()));

    // The seal verifies with the desk's public key over the stored content hash.
    let key_hex = b.officer.desk_public_keys().expect("keys").signing;
    let key = ed25519_dalek::VerifyingKey::from_bytes(
        &hex::decode(key_hex)
            .expect("hex")
            .try_into()
            .expect("32 bytes"),
    )
    .expect("a key");
    let at = chrono::DateTime::parse_from_rfc3339(&kept.issued_at)
        .expect("time")
        .to_utc();
    let message = print::signing_message(print::Kind::Offer, &kept.id, at, &kept.content_sha256);
    let sig = ed25519_dalek::Signature::from_slice(&hex::decode(&kept.signature).expect("hex"))
        .expect("64 bytes");
    assert!(
        key.verify(&message, &sig).is_ok(),
        "the desk signed this offer"
    );

    let (consent, _) = documents::issue(
        &mut b.officer,
        &PrintRequest::Consent {
            client_id: b.client_id.clone(),
        },
        now(),
    )
    .expect("the consent form prints");
    assert_eq!(consent.policy_version, Some(1));
    let (policy, _) = documents::issue(
        &mut b.officer,
        &PrintRequest::Policy {
            client_id: Some(b.client_id.clone()),
        },
        now(),
    )
    .expect("policy");
    assert_eq!(
        (policy.kind.as_str(), policy.policy_version),
        ("policy", Some(1))
    );
    assert_eq!(
        policy.client_id.as_deref(),
        Some(b.client_id.as_str()),
        "handed to this client"
    );
    let (walk_in, _) = documents::issue(
        &mut b.officer,
        &PrintRequest::Policy { client_id: None },
        now(),
    )
    .expect("a policy for someone not registered yet");
    assert_eq!(walk_in.client_id, None);

    let listed = documents::list(&b.officer, Some(&b.client_id), Some(&id)).expect("list");
    let kinds: BTreeSet<&str> = listed.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["consent", "offer", "policy"]),
        "the client's documents and the application's"
    );
    assert_eq!(listed.len(), 3, "the walk-in's policy is nobody's");
    assert_ne!(consent.id, offer.id, "every issue is a new document");
}

/// The vague refusals of issue #14 name what the value must be: the product's amounts and months,
/// the phone's shape, the date an expiry must follow. The window shows the limit with the code.
#[test]
fn refusals_name_the_limit_the_value_broke() {
    use domain::field::{After, Limit, Shape};
    let tenge = |t: i64| domain::Money::from_tenge(t);
    let quoted = |edit: &dyn Fn(&mut ApplicationForm)| {
        let mut f = application_form();
        edit(&mut f);
        match applications::quote(&f, now()) {
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
