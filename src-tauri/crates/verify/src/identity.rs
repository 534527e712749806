//! A client's identity document checked against the client's record: the zone's check digits,
//! then each thing the zone says beside what the desk holds (IIN, names, birth date, sex, document
//! kind, number and expiry, issuing state and nationality), and whether the document is still
//! valid. Each is one [`Finding`]; the report is what the officer sees and the vault keeps.

use chrono::NaiveDate;
use domain::client::{Client, DocumentKind};
use domain::iin::{Iin, Sex};
use serde::Serialize;

use crate::mrz::{Checked, Format, Mrz, MrzSex};
use crate::names::{self, NameMatch};

/// Days before expiry from which a document is flagged as expiring soon.
pub const EXPIRES_SOON_DAYS: i64 = 90;

/// What a finding is about. The UI words each one; the set is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The document number's check digit.
    DocumentNumberDigit,
    /// The birth date's check digit.
    BirthDateDigit,
    /// The expiry date's check digit.
    ExpiryDateDigit,
    /// The passport's personal-number check digit.
    PersonalNumberDigit,
    /// The composite check digit.
    CompositeDigit,
    /// The document's code and layout against the client's document kind.
    DocumentKind,
    /// Issuing state: Kazakhstan for a Kazakh document.
    IssuingState,
    /// Nationality: Kazakh for an ID card or passport.
    Nationality,
    /// The IIN in a Kazakh ID card's zone: valid and the client's.
    Iin,
    /// Surname.
    Surname,
    /// Given names (the patronymic may follow).
    GivenNames,
    /// Date of birth.
    BirthDate,
    /// Sex.
    Sex,
    /// Document number.
    DocumentNumber,
    /// Expiry date against the client's record.
    ExpiryDate,
    /// Whether the document is still valid today.
    Validity,
    /// Data where a Kazakh ID card has none (line 2's optional data).
    ExtraData,
}

/// How a finding came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// As it should be.
    Pass,
    /// Needs the officer's eye (a name spelled one letter off, a document expiring soon).
    Warn,
    /// Wrong.
    Fail,
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What was checked.
    pub check: Check,
    /// How it came out.
    pub outcome: Outcome,
    /// What the document says, if it says something.
    pub document: Option<String>,
    /// What the client's record says, if it is compared.
    pub record: Option<String>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdentityReport {
    /// The worst outcome of all findings.
    pub verdict: Outcome,
    /// TD1 or TD3.
    pub format: Format,
    /// Every finding, in a fixed order.
    pub findings: Vec<Finding>,
}

fn finding(check: Check, ok: bool, document: impl Into<String>, record: Option<String>) -> Finding {
    Finding {
        check,
        outcome: if ok { Outcome::Pass } else { Outcome::Fail },
        document: Some(document.into()),
        record,
    }
}

fn digit_check(field: Checked) -> Check {
    match field {
        Checked::DocumentNumber => Check::DocumentNumberDigit,
        Checked::BirthDate => Check::BirthDateDigit,
        Checked::ExpiryDate => Check::ExpiryDateDigit,
        Checked::PersonalNumber => Check::PersonalNumberDigit,
        Checked::Composite => Check::CompositeDigit,
    }
}

fn date_text(d: NaiveDate) -> String {
    domain::date::format_date(d)
}

/// The zone's findings alone (check digits, dates readable, validity) for a zone checked without
/// a client, as `branchdesk mrz check` does.
pub fn check_zone(mrz: &Mrz, today: NaiveDate) -> IdentityReport {
    let mut findings = digits(mrz);
    findings.push(validity(mrz, today));
    report(mrz, findings)
}

/// Every finding for `mrz` against `client`, on `today`.
pub fn check_client(mrz: &Mrz, client: &Client, today: NaiveDate) -> IdentityReport {
    let mut findings = digits(mrz);
    let kind = client.document.kind;
    let kazakh = matches!(kind, DocumentKind::IdCard | DocumentKind::Passport);
    // Kazakh ID cards are `ID`, Kazakh passports `P`; a residence permit is some `I` document.
    let kind_ok = match kind {
        DocumentKind::Passport => mrz.format == Format::Td3 && mrz.document_code == "P",
        DocumentKind::IdCard => mrz.format == Format::Td1 && mrz.document_code == "ID",
        DocumentKind::ResidencePermit => {
            mrz.format == Format::Td1 && mrz.document_code.starts_with('I')
        }
    };
    findings.push(finding(
        Check::DocumentKind,
        kind_ok,
        mrz.document_code.clone(),
        Some(kind_name(kind).to_owned()),
    ));
    findings.push(finding(
        Check::IssuingState,
        mrz.issuing_state == "KAZ",
        mrz.issuing_state.clone(),
        Some("KAZ".to_owned()),
    ));
    if kazakh {
        findings.push(finding(
            Check::Nationality,
            mrz.nationality == "KAZ",
            mrz.nationality.clone(),
            Some("KAZ".to_owned()),
        ));
    }
    // A Kazakh ID card's line 1 optional data is the holder's IIN; a Kazakh passport's personal
    // number, when filled, is too.
    if kind == DocumentKind::IdCard
        || (kind == DocumentKind::Passport && !mrz.optional_data.is_empty())
    {
        findings.push(iin(mrz, &client.iin));
    }
    if kind == DocumentKind::IdCard && !mrz.optional_data_2.is_empty() {
        // Nothing is known to go there: worth a look, not a refusal.
        findings.push(Finding {
            check: Check::ExtraData,
            outcome: Outcome::Warn,
            document: Some(mrz.optional_data_2.clone()),
            record: None,
        });
    }
    let surname = client.surname.as_str().to_owned();
    let given = client.given_name.as_str().to_owned();
    let mut given_forms = vec![given.clone()];
    if let Some(p) = &client.patronymic {
        given_forms.push(format!("{given} {}", p.as_str()));
    }
    // A zone cuts a name only when the whole name does not fit its field: a full field for a
    // name that fits is a misreading, not a cut.
    let longest = given_forms.last().map_or(0, |g| names::icao(g).len());
    let cut = mrz.name_truncated && names::icao(&surname).len() + 2 + longest > mrz.name_width;
    findings.push(name(Check::Surname, &[surname], &mrz.surname, cut));
    findings.push(name(Check::GivenNames, &given_forms, &mrz.given_names, cut));
    let birth = mrz.birth_date(today);
    findings.push(finding(
        Check::BirthDate,
        birth == Some(client.birth_date),
        birth.map_or_else(|| mrz.birth_date_text.clone(), date_text),
        Some(date_text(client.birth_date)),
    ));
    let sex_ok = matches!(
        (mrz.sex, client.sex),
        (MrzSex::Male, Sex::Male) | (MrzSex::Female, Sex::Female)
    );
    findings.push(finding(
        Check::Sex,
        sex_ok,
        sex_name(mrz.sex),
        Some(match client.sex {
            Sex::Male => "M".to_owned(),
            Sex::Female => "F".to_owned(),
        }),
    ));
    findings.push(finding(
        Check::DocumentNumber,
        mrz.document_number.replace(' ', "") == client.document.number.to_ascii_uppercase(),
        mrz.document_number.clone(),
        Some(client.document.number.clone()),
    ));
    let expiry = mrz.expiry_date();
    findings.push(finding(
        Check::ExpiryDate,
        expiry == Some(client.document.expires_on),
        expiry.map_or_else(|| mrz.expiry_date_text.clone(), date_text),
        Some(date_text(client.document.expires_on)),
    ));
    findings.push(validity(mrz, today));
    report(mrz, findings)
}

fn report(mrz: &Mrz, findings: Vec<Finding>) -> IdentityReport {
    IdentityReport {
        verdict: findings
            .iter()
            .map(|f| f.outcome)
            .max()
            .unwrap_or(Outcome::Pass),
        format: mrz.format,
        findings,
    }
}

fn digits(mrz: &Mrz) -> Vec<Finding> {
    mrz.checks
        .iter()
        .map(|c| Finding {
            check: digit_check(c.field),
            outcome: if c.ok() { Outcome::Pass } else { Outcome::Fail },
            document: Some(c.written.to_string()),
            record: Some(c.computed.to_string()),
        })
        .collect()
}

fn validity(mrz: &Mrz, today: NaiveDate) -> Finding {
    let Some(expiry) = mrz.expiry_date() else {
        return finding(Check::Validity, false, mrz.expiry_date_text.clone(), None);
    };
    let outcome = if expiry < today {
        Outcome::Fail
    } else if (expiry - today).num_days() <= EXPIRES_SOON_DAYS {
        Outcome::Warn
    } else {
        Outcome::Pass
    };
    Finding {
        check: Check::Validity,
        outcome,
        document: Some(date_text(expiry)),
        record: None,
    }
}

fn iin(mrz: &Mrz, client: &Iin) -> Finding {
    // The whole field is the IIN: anything after it is a misreading.
    let written = &mrz.optional_data;
    let ok = written.len() == 12 && Iin::parse(written).is_ok_and(|i| i == *client);
    finding(
        Check::Iin,
        ok,
        written.clone(),
        Some(client.as_str().to_owned()),
    )
}

fn name(check: Check, forms: &[String], zone: &str, truncated: bool) -> Finding {
    let best = forms
        .iter()
        .map(|f| names::compare(f, zone, truncated))
        .min_by_key(|m| match m {
            NameMatch::Same => 0,
            NameMatch::Close => 1,
            NameMatch::Different => 2,
        })
        .unwrap_or(NameMatch::Different);
    Finding {
        check,
        outcome: match best {
            NameMatch::Same => Outcome::Pass,
            NameMatch::Close => Outcome::Warn,
            NameMatch::Different => Outcome::Fail,
        },
        document: Some(zone.to_owned()),
        record: forms.first().cloned(),
    }
}

fn kind_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::IdCard => "id_card",
        DocumentKind::Passport => "passport",
        DocumentKind::ResidencePermit => "residence_permit",
    }
}

fn sex_name(sex: MrzSex) -> &'static str {
    match sex {
        MrzSex::Male => "M",
        MrzSex::Female => "F",
        MrzSex::Unspecified => "<",
    }
}
