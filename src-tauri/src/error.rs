//! The one error shape that crosses IPC: `{code, message}`. `code` is from a closed set the UI
//! acts on and translates; `message` is a plain English detail for logs and support, never shown
//! as the only explanation and never carrying secrets, SQL, paths or stack traces.

use domain::application::StepError;
use domain::catalog::QuoteError;
use domain::consent::ConsentError;
use domain::evidence::EvidenceError;
use domain::field::{Limit, Problem};
use serde::Serialize;
use ts_rs::TS;
use vault::VaultError;

/// Every error code the UI may receive. Adding one means adding its translation in all languages
/// (the UI's type check fails otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field failed validation.
    InvalidInput,
    /// The passphrase is shorter than the rule.
    WeakPassphrase,
    /// Creating a vault where one exists.
    VaultExists,
    /// Unlocking where there is no vault.
    VaultMissing,
    /// The officer is not in this vault.
    UnknownOfficer,
    /// The officer's account is disabled.
    OfficerDisabled,
    /// The passphrase does not open this officer's key.
    WrongPassphrase,
    /// The file is not a vault at all.
    NotAVault,
    /// The vault is damaged or was altered.
    VaultDamaged,
    /// The vault comes from a newer version of the app.
    VaultTooNew,
    /// No space left on the disk.
    DiskFull,
    /// A command that needs a signed-in officer was called while locked.
    NotSignedIn,
    /// The officer's role does not allow this.
    Forbidden,
    /// Too many wrong passphrases in a row: wait, then try again.
    TooManyAttempts,
    /// The vault's keychain cannot be reached (no D-Bus, locked collection, none on this OS).
    KeychainUnavailable,
    /// The keychain does not hold this vault's device secret (a copied vault, a lost keychain).
    DeviceSecretMissing,
    /// The last active administrator cannot be disabled.
    LastAdmin,
    /// The backup cannot be opened with that key or passphrase.
    BackupKey,
    /// The backup file is damaged or not a backup.
    BackupDamaged,
    // Form fields (the error's `field` says which).
    /// A required field is empty.
    Required,
    /// Longer than the field allows.
    TooLong,
    /// A character that does not belong in the field.
    BadCharacter,
    /// Cyrillic and Latin letters mixed in one name.
    MixedScripts,
    /// Not in the field's shape.
    BadFormat,
    /// The IIN's seventh digit is not 1 to 6.
    IinCentury,
    /// The IIN's first six digits are not a date.
    IinBirthDate,
    /// The IIN's check digit does not match (a typo).
    IinCheckDigit,
    /// No IIN is issued with these digits.
    IinNotIssuable,
    /// Birth date or sex differ from the IIN.
    IinMismatch,
    /// A phone number outside Kazakhstan's +7 7… ranges.
    PhoneNotKazakh,
    /// A date that is not in the calendar.
    NoSuchDay,
    /// A date in the future where a past one is needed.
    DateInFuture,
    /// A date before the one it must follow.
    DateOrder,
    /// The identity document has expired.
    DocumentExpired,
    /// A number outside the field's range.
    OutOfRange,
    // Loan terms refused by the product or a legal cap.
    /// No such product on the date.
    UnknownProduct,
    /// Below the product's minimum amount.
    AmountBelow,
    /// Above the product's maximum amount.
    AmountAbove,
    /// The term is outside the product's months.
    TermOutOfRange,
    /// The product is not repaid that way.
    MethodNotOffered,
    /// The ГЭСВ is above the legal cap.
    GesvCap,
    /// A short loan's daily rate is at or above the cap.
    DailyRateCap,
    /// The catalog lacks caps, МРП or a valid schedule for these terms.
    CatalogIncomplete,
    // Records and the application lifecycle.
    /// The IIN is already registered (the UI links to that client).
    DuplicateIin,
    /// No such client or application.
    NotFound,
    /// Someone changed the record since it was opened.
    Stale,
    /// The step is not possible from the application's stage.
    WrongStage,
    /// Maker-checker: an officer may not check an application they made.
    SameOfficer,
    /// Only supervisors decide applications.
    NotChecker,
    /// Above this supervisor's approval limit: return or refer to head office.
    AboveLimit,
    /// Decline and return need a reason.
    ReasonRequired,
    // Consent.
    /// The client has not consented to the required purposes of the policy in force.
    ConsentMissing,
    /// The client consented to an older policy version: consent must be renewed.
    ConsentRenewal,
    /// A required purpose cannot be withdrawn while the client has an open loan.
    ConsentRequiredWhileLoanOpen,
    /// The purpose is not given now, so there is nothing to withdraw.
    ConsentNotGiven,
    /// The consent form must be printed for the client before their decisions are recorded.
    ConsentFormNotPrinted,
    /// Consent is given in person (paper, screen or both), not by telephone.
    ConsentInPersonOnly,
    /// The policy version or hash shown is not the version in force.
    PolicyMismatch,
    /// A purpose has no decision, or a decision names a purpose the policy does not have.
    PurposeUndecided,
    /// Nothing was drawn in the signature pad.
    SignatureEmpty,
    /// A dot or a tick, not a signature.
    SignatureTooSmall,
    /// The scan is larger than 20 MB.
    ScanTooLarge,
    /// The scan is not a PDF, PNG or JPEG file (whatever its name says).
    ScanType,
    /// The scan file is damaged or cut short.
    ScanDamaged,
    /// A stored scan or signature no longer matches the hash taken when it was stored.
    AttachmentAltered,
    // Printed documents.
    /// The record holds a character the document's fonts cannot print.
    Unprintable,
    /// No PDF viewer could be started (the document is issued and stored; "Save as…" works).
    ViewerUnavailable,
    /// The file could not be written where the officer chose.
    SaveFailed,
    // Sync with head office.
    /// The desk is not connected to head office yet (an administrator enters its code).
    SyncNotEnrolled,
    /// The desk is connected to head office already.
    SyncAlreadyEnrolled,
    /// Head office revoked this desk: it is read-only until an administrator connects it again.
    DeskRevoked,
    /// Head office cannot be reached: everything is kept and goes on the next sync.
    SyncOffline,
    /// The server is not our head office (another certificate): nothing was sent.
    SyncCertificate,
    /// Head office refused the sync (its code is in the outbox view).
    SyncRefused,
    /// Head office is busy: sync goes on by itself shortly.
    SyncBusy,
    /// An answer claiming to be from head office was not genuine and was refused.
    SyncForged,
    /// The text is not a head office code (mistyped or cut off).
    EnrolmentCodeInvalid,
    /// The head office code expired or was used already.
    EnrolmentCodeSpent,
    /// Another sync of this desk is under way (the window's or the command line's).
    SyncRunning,
    // Verification.
    /// The text is not a machine-readable zone (line count, lengths, characters).
    MrzUnreadable,
    /// The file cannot be checked at all (too large; a PDF given a detached document).
    NotASignedFile,
    /// Anything else: a bug or an environment fault; details only in the message.
    Internal,
}

/// The error every command returns.
#[derive(Debug, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
    /// The form field the error belongs to, when it is one field's problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// What the value must be (its shape, the date it must follow, its range), when the problem
    /// names it: the window shows it with the code's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<Limit>,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
            field: None,
            limit: None,
        }
    }

    /// The same error, on `field` of the form.
    pub fn on(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// One field's problem.
    pub fn field(field: &str, problem: Problem) -> Self {
        CommandError {
            code: problem_code(problem),
            message: format!("{field}: {problem:?}"),
            field: Some(field.to_owned()),
            limit: problem.limit(),
        }
    }

    /// A quote refused by the product or a cap, on the field it concerns.
    pub fn quote(e: &QuoteError) -> Self {
        CommandError {
            code: quote_code(e),
            message: e.to_string(),
            field: Some(domain::application::quote_field(e).to_owned()),
            limit: quote_limit(e),
        }
    }
}

/// The product's limit a refused quote broke, for the window to name.
pub fn quote_limit(e: &QuoteError) -> Option<Limit> {
    match *e {
        QuoteError::AmountBelow { min } => Some(Limit::Money {
            min: Some(min),
            max: None,
        }),
        QuoteError::AmountAbove { max } => Some(Limit::Money {
            min: None,
            max: Some(max),
        }),
        QuoteError::Term { min, max } => Some(Limit::Months { min, max }),
        _ => None,
    }
}

/// The code of a form field's problem.
pub fn problem_code(p: Problem) -> ErrorCode {
    match p {
        Problem::Required => ErrorCode::Required,
        Problem::TooLong => ErrorCode::TooLong,
        Problem::BadCharacter => ErrorCode::BadCharacter,
        Problem::MixedScripts => ErrorCode::MixedScripts,
        Problem::Format(_) => ErrorCode::BadFormat,
        Problem::IinCentury => ErrorCode::IinCentury,
        Problem::IinBirthDate => ErrorCode::IinBirthDate,
        Problem::IinCheckDigit => ErrorCode::IinCheckDigit,
        Problem::IinNotIssuable => ErrorCode::IinNotIssuable,
        Problem::IinMismatch => ErrorCode::IinMismatch,
        Problem::PhoneNotKazakh => ErrorCode::PhoneNotKazakh,
        Problem::NoSuchDay => ErrorCode::NoSuchDay,
        Problem::InFuture => ErrorCode::DateInFuture,
        Problem::DateOrder(_) => ErrorCode::DateOrder,
        Problem::Expired => ErrorCode::DocumentExpired,
        Problem::OutOfRange(_) => ErrorCode::OutOfRange,
        Problem::Refused => ErrorCode::InvalidInput,
    }
}

/// The code of a consent rule.
pub fn consent_code(e: &ConsentError) -> ErrorCode {
    match e {
        ConsentError::Undecided(_) | ConsentError::UnknownPurpose(_) => ErrorCode::PurposeUndecided,
        ConsentError::PolicyMismatch => ErrorCode::PolicyMismatch,
        ConsentError::InPersonOnly => ErrorCode::ConsentInPersonOnly,
        ConsentError::NothingToWithdraw => ErrorCode::Required,
        ConsentError::NeverGiven(_) => ErrorCode::ConsentNotGiven,
        ConsentError::RequiredWhileLoanOpen(_) => ErrorCode::ConsentRequiredWhileLoanOpen,
        ConsentError::NoForm => ErrorCode::ConsentFormNotPrinted,
        ConsentError::Missing(_) => ErrorCode::ConsentMissing,
        ConsentError::Renewal { .. } => ErrorCode::ConsentRenewal,
    }
}

/// The form field a consent rule belongs to.
fn consent_field(e: &ConsentError) -> Option<&'static str> {
    match e {
        ConsentError::Undecided(_) | ConsentError::UnknownPurpose(_) => Some("decisions"),
        ConsentError::PolicyMismatch => Some("policy"),
        ConsentError::InPersonOnly => Some("method"),
        ConsentError::NothingToWithdraw
        | ConsentError::NeverGiven(_)
        | ConsentError::RequiredWhileLoanOpen(_) => Some("purposes"),
        ConsentError::NoForm => Some("form"),
        ConsentError::Missing(_) | ConsentError::Renewal { .. } => Some("consent"),
    }
}

/// The code of a refused quote.
pub fn quote_code(e: &QuoteError) -> ErrorCode {
    match e {
        QuoteError::UnknownProduct(_) => ErrorCode::UnknownProduct,
        QuoteError::AmountBelow { .. } => ErrorCode::AmountBelow,
        QuoteError::AmountAbove { .. } => ErrorCode::AmountAbove,
        QuoteError::Term { .. } => ErrorCode::TermOutOfRange,
        QuoteError::Method => ErrorCode::MethodNotOffered,
        QuoteError::GesvCap { .. } => ErrorCode::GesvCap,
        QuoteError::DailyRateCap { .. } => ErrorCode::DailyRateCap,
        QuoteError::Catalog(_)
        | QuoteError::NoCaps
        | QuoteError::NoMrp(_)
        | QuoteError::Schedule(_) => ErrorCode::CatalogIncomplete,
    }
}

impl From<VaultError> for CommandError {
    fn from(e: VaultError) -> Self {
        let code = match &e {
            VaultError::AlreadyExists => ErrorCode::VaultExists,
            VaultError::Missing => ErrorCode::VaultMissing,
            VaultError::WeakPassphrase { .. } => ErrorCode::WeakPassphrase,
            VaultError::BadOfficerName => ErrorCode::InvalidInput,
            VaultError::UnknownOfficer => ErrorCode::UnknownOfficer,
            VaultError::OfficerDisabled => ErrorCode::OfficerDisabled,
            VaultError::WrongPassphrase => ErrorCode::WrongPassphrase,
            VaultError::NotAVault => ErrorCode::NotAVault,
            VaultError::Damaged => ErrorCode::VaultDamaged,
            VaultError::TooNew { .. } => ErrorCode::VaultTooNew,
            VaultError::DiskFull => ErrorCode::DiskFull,
            VaultError::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            VaultError::Forbidden => ErrorCode::Forbidden,
            VaultError::LastAdmin => ErrorCode::LastAdmin,
            // The keychain's own text can name D-Bus paths: keep it out of the message.
            VaultError::KeychainUnavailable(_) => {
                return CommandError::new(
                    ErrorCode::KeychainUnavailable,
                    "the OS keychain is not available",
                );
            }
            VaultError::DeviceSecretMissing => ErrorCode::DeviceSecretMissing,
            VaultError::BackupKey => ErrorCode::BackupKey,
            VaultError::BackupDamaged | VaultError::BackupUnsigned => ErrorCode::BackupDamaged,
            VaultError::NotIntact => ErrorCode::VaultDamaged,
            VaultError::BadSetting => ErrorCode::InvalidInput,
            VaultError::DuplicateIin { .. } => ErrorCode::DuplicateIin,
            VaultError::NotFound => ErrorCode::NotFound,
            VaultError::Stale => ErrorCode::Stale,
            VaultError::Step(s) => match s {
                StepError::WrongStage => ErrorCode::WrongStage,
                StepError::SameOfficer => ErrorCode::SameOfficer,
                StepError::NotChecker => ErrorCode::NotChecker,
                StepError::AboveLimit => ErrorCode::AboveLimit,
                StepError::ReasonRequired => ErrorCode::ReasonRequired,
            },
            VaultError::ReasonTooLong | VaultError::NoteTooLong => ErrorCode::TooLong,
            VaultError::Consent(c) => consent_code(c),
            VaultError::Evidence(ev) => match ev {
                EvidenceError::SignatureEmpty | EvidenceError::Missing => ErrorCode::SignatureEmpty,
                EvidenceError::SignatureTooSmall => ErrorCode::SignatureTooSmall,
                EvidenceError::SignatureInvalid => ErrorCode::InvalidInput,
                EvidenceError::ScanEmpty => ErrorCode::Required,
                EvidenceError::ScanTooLarge => ErrorCode::ScanTooLarge,
                EvidenceError::ScanType => ErrorCode::ScanType,
                EvidenceError::ScanDamaged => ErrorCode::ScanDamaged,
            },
            VaultError::AttachmentAltered => ErrorCode::AttachmentAltered,
            VaultError::Revoked => ErrorCode::DeskRevoked,
            VaultError::NotEnrolled => ErrorCode::SyncNotEnrolled,
            VaultError::AlreadyEnrolled => ErrorCode::SyncAlreadyEnrolled,
            VaultError::HeadOfficeMismatch(_) => ErrorCode::SyncForged,
            // I/O and database details may name paths or SQL: keep them out of the message.
            VaultError::Io(_) => {
                return CommandError::new(ErrorCode::Internal, "file access failed");
            }
            VaultError::Db(_) => return CommandError::new(ErrorCode::Internal, "database error"),
        };
        // The vault's refusals that belong to one field of the form the officer filled in.
        let field = match &e {
            VaultError::DuplicateIin { .. } => Some("iin"),
            VaultError::Step(StepError::ReasonRequired) | VaultError::ReasonTooLong => {
                Some("reason")
            }
            VaultError::NoteTooLong => Some("note"),
            VaultError::Evidence(
                EvidenceError::SignatureEmpty
                | EvidenceError::SignatureTooSmall
                | EvidenceError::SignatureInvalid
                | EvidenceError::Missing,
            ) => Some("signature"),
            VaultError::Evidence(_) => Some("scan"),
            VaultError::Consent(c) => consent_field(c),
            _ => None,
        };
        CommandError {
            code,
            message: e.to_string(),
            field: field.map(str::to_owned),
            limit: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let e = CommandError::new(ErrorCode::WrongPassphrase, "the passphrase is not right");
        let json = serde_json::to_string(&e).expect("serialisable");
        assert_eq!(
            json,
            r#"{"code":"wrong_passphrase","message":"the passphrase is not right"}"#
        );
    }

    #[test]
    fn io_and_db_details_do_not_leak() {
        let io = std::io::Error::other("/home/officer/secret/path");
        let e = CommandError::from(VaultError::Io(io));
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(
            !e.message.contains("/home"),
            "paths must not cross IPC: {}",
            e.message
        );
    }
}
