//! A client as the officer registers them (KYC): the form's raw text in, a checked [`Client`] out,
//! or every field's problem at once. The IIN leads: birth date and sex must agree with it, and the
//! identity document must be valid on the day (an expired ID card is not KYC).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::date::{DateError, format_date, parse_date};
use crate::field::{After, FieldProblem, Problem, Problems, Range, Shape, text};
use crate::iin::{Iin, IinError, Sex};
use crate::money::Money;
use crate::person_name::{NameError, NamePart};
use crate::phone::{Phone, PhoneError};

/// Longest address accepted, in characters.
pub const MAX_ADDRESS: usize = 200;
/// Longest issuer, employer or position text.
pub const MAX_SHORT_TEXT: usize = 100;
/// Longest email (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Highest monthly income the form accepts, in tenge (a typo guard, not a credit rule).
pub const MAX_MONTHLY_INCOME_TENGE: i64 = 1_000_000_000;

/// Identity documents a Kazakh branch accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Удостоверение личности РК: 9 digits.
    IdCard,
    /// Паспорт РК: `N` and 8 digits.
    Passport,
    /// Вид на жительство: 9 digits.
    ResidencePermit,
}

/// The client form as typed (dates `dd.mm.yyyy`, income as the officer writes money).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClientForm {
    /// ИИН as typed.
    pub iin: String,
    /// Surname as typed.
    pub surname: String,
    /// Given name as typed.
    pub given_name: String,
    /// Patronymic as typed; may be empty.
    pub patronymic: String,
    /// Date of birth, `dd.mm.yyyy`.
    pub birth_date: String,
    /// Sex, if chosen.
    pub sex: Option<Sex>,
    /// Phone number as typed.
    pub phone: String,
    /// Email as typed; may be empty.
    pub email: String,
    /// Address of registration (прописка).
    pub registration_address: String,
    /// Address where the client actually lives.
    pub actual_address: String,
    /// Identity document kind, if chosen.
    pub document_kind: Option<DocumentKind>,
    /// Document number as typed.
    pub document_number: String,
    /// Who issued the document.
    pub document_issuer: String,
    /// Document issue date, `dd.mm.yyyy`.
    pub document_issued_on: String,
    /// Document expiry date, `dd.mm.yyyy`.
    pub document_expires_on: String,
    /// Employer; may be empty.
    pub employer: String,
    /// Position at the employer; may be empty.
    pub position: String,
    /// Monthly income as typed money, in tenge.
    pub monthly_income: String,
}

/// The identity document, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdDocument {
    /// Which document it is.
    pub kind: DocumentKind,
    /// Number in its kind's shape, upper-case, without spaces.
    pub number: String,
    /// Issuing authority.
    pub issuer: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Expiry date; not passed on the day of registration.
    pub expires_on: NaiveDate,
}

/// A checked client: what the vault stores and head office receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// ИИН, valid and matching the birth date and sex.
    pub iin: Iin,
    /// Surname.
    pub surname: NamePart,
    /// Given name.
    pub given_name: NamePart,
    /// Patronymic, if the client has one.
    pub patronymic: Option<NamePart>,
    /// Date of birth, agreeing with the ИИН.
    pub birth_date: NaiveDate,
    /// Sex, agreeing with the ИИН.
    pub sex: Sex,
    /// Mobile or landline phone number.
    pub phone: Phone,
    /// Email, if given.
    pub email: Option<String>,
    /// Address of registration (прописка).
    pub registration_address: String,
    /// Address where the client actually lives.
    pub actual_address: String,
    /// The identity document shown at registration.
    pub document: IdDocument,
    /// Employer, if given.
    pub employer: Option<String>,
    /// Position, if given.
    pub position: Option<String>,
    /// Declared monthly income.
    pub monthly_income: Money,
}

impl Client {
    /// "Surname Name Patronymic" as on the ID card.
    pub fn full_name(&self) -> String {
        let mut s = format!("{} {}", self.surname.as_str(), self.given_name.as_str());
        if let Some(p) = &self.patronymic {
            s.push(' ');
            s.push_str(p.as_str());
        }
        s
    }

    /// The form filled with this client, for editing.
    pub fn to_form(&self) -> ClientForm {
        ClientForm {
            iin: self.iin.as_str().to_owned(),
            surname: self.surname.as_str().to_owned(),
            given_name: self.given_name.as_str().to_owned(),
            patronymic: self
                .patronymic
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            birth_date: format_date(self.birth_date),
            sex: Some(self.sex),
            phone: self.phone.as_str().to_owned(),
            email: self.email.clone().unwrap_or_default(),
            registration_address: self.registration_address.clone(),
            actual_address: self.actual_address.clone(),
            document_kind: Some(self.document.kind),
            document_number: self.document.number.clone(),
            document_issuer: self.document.issuer.clone(),
            document_issued_on: format_date(self.document.issued_on),
            document_expires_on: format_date(self.document.expires_on),
            employer: self.employer.clone().unwrap_or_default(),
            position: self.position.clone().unwrap_or_default(),
            monthly_income: self.monthly_income.to_string(),
        }
    }
}

/// The key names are searched and sorted by: lower case, `ё` read as `е`, parts joined by spaces.
pub fn name_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace('ё', "е")
}

/// How an IIN's own problem reads as a field problem.
pub fn iin_problem(e: &IinError) -> Problem {
    match e {
        IinError::Length | IinError::NotDigits => Problem::Format(Shape::Iin),
        IinError::CenturyDigit => Problem::IinCentury,
        IinError::BirthDate => Problem::IinBirthDate,
        IinError::CheckDigit => Problem::IinCheckDigit,
        IinError::NotIssuable => Problem::IinNotIssuable,
        IinError::BirthDateMismatch | IinError::SexMismatch => Problem::IinMismatch,
    }
}

fn name(raw: &str, required: bool) -> Result<Option<NamePart>, Problem> {
    match NamePart::parse(raw) {
        Ok(n) => Ok(Some(n)),
        Err(NameError::Empty) if !required => Ok(None),
        Err(NameError::Empty) => Err(Problem::Required),
        Err(NameError::TooLong) => Err(Problem::TooLong),
        Err(NameError::BadCharacter) => Err(Problem::BadCharacter),
        Err(NameError::MixedScripts) => Err(Problem::MixedScripts),
    }
}

fn date(raw: &str) -> Result<NaiveDate, Problem> {
    if raw.trim().is_empty() {
        return Err(Problem::Required);
    }
    parse_date(raw).map_err(|e| match e {
        DateError::Format => Problem::Format(Shape::Date),
        DateError::NoSuchDay => Problem::NoSuchDay,
    })
}

fn phone(raw: &str) -> Result<Phone, Problem> {
    if raw.trim().is_empty() {
        return Err(Problem::Required);
    }
    Phone::parse(raw).map_err(|e| match e {
        PhoneError::NotKazakh => Problem::PhoneNotKazakh,
        PhoneError::Length | PhoneError::BadCharacter | PhoneError::Prefix => {
            Problem::Format(Shape::Phone)
        }
    })
}

fn email(raw: &str) -> Result<Option<String>, Problem> {
    let e = raw.trim();
    if e.is_empty() {
        return Ok(None);
    }
    if e.chars().count() > MAX_EMAIL {
        return Err(Problem::TooLong);
    }
    let shape = e.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    });
    if !shape || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Problem::Format(Shape::Email));
    }
    Ok(Some(e.to_owned()))
}

/// The document number in its kind's shape, upper-cased, spaces removed.
fn document_number(kind: Option<DocumentKind>, raw: &str) -> Result<String, Problem> {
    let n: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if n.is_empty() {
        return Err(Problem::Required);
    }
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let (ok, shape) = match kind {
        Some(DocumentKind::IdCard | DocumentKind::ResidencePermit) => {
            (digits(&n, 9), Shape::IdCardNumber)
        }
        Some(DocumentKind::Passport) => (
            n.strip_prefix('N').is_some_and(|d| digits(d, 8)),
            Shape::PassportNumber,
        ),
        // The kind's own problem is reported on its field; the number is judged once it is known.
        None => (true, Shape::IdCardNumber),
    };
    if ok {
        Ok(n)
    } else {
        Err(Problem::Format(shape))
    }
}

fn income(raw: &str) -> Result<Money, Problem> {
    if raw.trim().is_empty() {
        return Err(Problem::Required);
    }
    let m = Money::parse(raw).map_err(|_| Problem::Format(Shape::Money))?;
    let max = Money::from_tenge(MAX_MONTHLY_INCOME_TENGE).unwrap_or(Money::ZERO);
    if m < Money::ZERO || m > max {
        return Err(Problem::OutOfRange(Range::Money {
            min: Some(Money::ZERO),
            max: Some(max),
        }));
    }
    Ok(m)
}

/// Checks the whole form as of `today` (the desk's date in Asia/Almaty).
pub fn check(form: &ClientForm, today: NaiveDate) -> Result<Client, Vec<FieldProblem>> {
    let mut p = Problems::default();
    let iin = if form.iin.trim().is_empty() {
        p.add("iin", Problem::Required);
        None
    } else {
        p.take(
            "iin",
            Iin::parse(form.iin.trim()).map_err(|e| iin_problem(&e)),
        )
    };
    let surname = p.take("surname", name(&form.surname, true)).flatten();
    let given_name = p.take("given_name", name(&form.given_name, true)).flatten();
    let patronymic = p.take("patronymic", name(&form.patronymic, false));
    let birth_date = p.take("birth_date", date(&form.birth_date));
    if let Some(b) = birth_date {
        if b > today {
            p.add("birth_date", Problem::InFuture);
        } else if iin.as_ref().is_some_and(|i| i.birth_date() != b) {
            p.add("birth_date", Problem::IinMismatch);
        }
    }
    match (form.sex, &iin) {
        (None, _) => p.add("sex", Problem::Required),
        (Some(s), Some(i)) if i.sex() != s => p.add("sex", Problem::IinMismatch),
        _ => {}
    }
    let phone = p.take("phone", phone(&form.phone));
    let email = p.take("email", email(&form.email));
    let registration_address = p
        .take(
            "registration_address",
            text(&form.registration_address, MAX_ADDRESS, true),
        )
        .flatten();
    let actual_address = p
        .take(
            "actual_address",
            text(&form.actual_address, MAX_ADDRESS, true),
        )
        .flatten();
    if form.document_kind.is_none() {
        p.add("document_kind", Problem::Required);
    }
    let number = p.take(
        "document_number",
        document_number(form.document_kind, &form.document_number),
    );
    let issuer = p
        .take(
            "document_issuer",
            text(&form.document_issuer, MAX_SHORT_TEXT, true),
        )
        .flatten();
    let issued_on = p.take("document_issued_on", date(&form.document_issued_on));
    if let Some(d) = issued_on {
        if d > today {
            p.add("document_issued_on", Problem::InFuture);
        } else if birth_date.is_some_and(|b| d < b) {
            p.add("document_issued_on", Problem::DateOrder(After::BirthDate));
        }
    }
    let expires_on = p.take("document_expires_on", date(&form.document_expires_on));
    if let Some(e) = expires_on {
        if issued_on.is_some_and(|i| e <= i) {
            p.add(
                "document_expires_on",
                Problem::DateOrder(After::DocumentIssuedOn),
            );
        } else if e < today {
            p.add("document_expires_on", Problem::Expired);
        }
    }
    let employer = p.take("employer", text(&form.employer, MAX_SHORT_TEXT, false));
    let position = p.take("position", text(&form.position, MAX_SHORT_TEXT, false));
    let monthly_income = p.take("monthly_income", income(&form.monthly_income));

    if !p.0.is_empty() {
        return Err(p.0);
    }
    // Every value is present here: a missing one recorded its problem above.
    let client = || {
        Some(Client {
            iin: iin?,
            surname: surname?,
            given_name: given_name?,
            patronymic: patronymic?,
            birth_date: birth_date?,
            sex: form.sex?,
            phone: phone?,
            email: email?,
            registration_address: registration_address?,
            actual_address: actual_address?,
            document: IdDocument {
                kind: form.document_kind?,
                number: number?,
                issuer: issuer?,
                issued_on: issued_on?,
                expires_on: expires_on?,
            },
            employer: employer?,
            position: position?,
            monthly_income: monthly_income?,
        })
    };
    client().ok_or_else(|| {
        vec![FieldProblem {
            field: "form",
            problem: Problem::Required,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    pub(crate) fn good() -> ClientForm {
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

    fn problems(form: &ClientForm) -> Vec<(&'static str, Problem)> {
        match check(form, today()) {
            Ok(_) => vec![],
            Err(v) => v.into_iter().map(|f| (f.field, f.problem)).collect(),
        }
    }

    #[test]
    fn a_complete_form_gives_a_normalised_client() {
        let c = check(&good(), today()).expect("the good form is accepted");
        assert_eq!(c.phone.as_str(), "+7 701 234 56 78");
        assert_eq!(c.document.number, "045123456", "spaces are dropped");
        assert_eq!(c.full_name(), "Қасымова Әлия Серікқызы");
        assert_eq!(c.email, None, "email is optional");
        assert_eq!(c.monthly_income, Money::from_tenge(350_000).expect("m"));
        assert_eq!(
            check(&c.to_form(), today()),
            Ok(c),
            "a client's form reads back as the same client"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_next_to_its_field() {
        let mut f = good();
        f.iin = "061211600013".into();
        f.phone = "+7 901 234 56 78".into();
        f.email = "nobody".into();
        f.document_expires_on = "01.01.2026".into();
        assert_eq!(
            problems(&f),
            vec![
                ("iin", Problem::IinCheckDigit),
                ("phone", Problem::PhoneNotKazakh),
                ("email", Problem::Format(Shape::Email)),
                ("document_expires_on", Problem::Expired),
            ]
        );
    }

    #[test]
    fn problems_name_the_shape_the_order_or_the_range() {
        let mut f = good();
        f.phone = "701 234 567".into();
        f.document_expires_on = "14.01.2023".into();
        f.monthly_income = "2 000 000 000".into();
        f.birth_date = "11.12.06".into();
        assert_eq!(
            problems(&f),
            vec![
                ("birth_date", Problem::Format(Shape::Date)),
                ("phone", Problem::Format(Shape::Phone)),
                (
                    "document_expires_on",
                    Problem::DateOrder(After::DocumentIssuedOn)
                ),
                (
                    "monthly_income",
                    Problem::OutOfRange(Range::Money {
                        min: Some(Money::ZERO),
                        max: Money::from_tenge(MAX_MONTHLY_INCOME_TENGE),
                    })
                ),
            ]
        );
        let mut f = good();
        f.document_issued_on = "10.12.2006".into();
        f.iin = "0612116".into();
        assert_eq!(
            problems(&f),
            vec![
                ("iin", Problem::Format(Shape::Iin)),
                ("document_issued_on", Problem::DateOrder(After::BirthDate)),
            ]
        );
    }

    #[test]
    fn birth_date_and_sex_must_agree_with_the_iin() {
        let mut f = good();
        f.birth_date = "12.12.2006".into();
        f.sex = Some(Sex::Male);
        assert_eq!(
            problems(&f),
            vec![
                ("birth_date", Problem::IinMismatch),
                ("sex", Problem::IinMismatch)
            ]
        );
    }

    #[test]
    fn document_numbers_follow_their_kind() {
        let mut f = good();
        f.document_kind = Some(DocumentKind::Passport);
        assert_eq!(
            problems(&f),
            vec![("document_number", Problem::Format(Shape::PassportNumber))]
        );
        f.document_number = "n 12345678".into();
        assert_eq!(problems(&f), vec![], "a passport number is N and 8 digits");
        f.document_kind = None;
        assert_eq!(problems(&f), vec![("document_kind", Problem::Required)]);
    }

    #[test]
    fn names_are_keyed_for_search_without_case_or_yo() {
        assert_eq!(name_key("  Ёлкина  Әлия "), "елкина әлия");
    }
}
