//! The machine-readable zone of an identity document (ICAO Doc 9303): TD1, the ID card's three
//! lines of 30 characters, and TD3, the passport's two lines of 44. Every field is read and every
//! check digit recomputed, the composite one included; a check that fails is a finding, not an
//! error, so the officer sees all of them at once. Only a zone that cannot be read at all (wrong
//! number or length of lines, a character outside `A–Z 0–9 <`) is an [`MrzError`].
//!
//! Check digits catch misreadings and typing slips; they do not prove a document genuine.

use chrono::NaiveDate;
use serde::Serialize;

/// Why lines are not a machine-readable zone at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    /// Not two lines of 44 (passport) or three lines of 30 (ID card).
    #[error(
        "a machine-readable zone is 2 lines of 44 characters (passport) or 3 lines of 30 (ID card); got {0}"
    )]
    Shape(String),
    /// A character outside `A–Z`, `0–9` and `<`.
    #[error(
        "line {line}, position {position}: {found:?} cannot be in a machine-readable zone (only A–Z, 0–9 and <)"
    )]
    Character {
        /// Line, from 1.
        line: usize,
        /// Position in the line, from 1.
        position: usize,
        /// What was there.
        found: char,
    },
}

/// The two layouts read here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// ID card: 3 × 30.
    Td1,
    /// Passport: 2 × 44.
    Td3,
}

/// A field a check digit protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checked {
    /// The document number.
    DocumentNumber,
    /// The date of birth.
    BirthDate,
    /// The date of expiry.
    ExpiryDate,
    /// TD3's personal number (optional data).
    PersonalNumber,
    /// The composite digit over the other fields.
    Composite,
}

/// One check digit: what the zone says and what its field computes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CheckDigit {
    /// The field.
    pub field: Checked,
    /// The digit written in the zone (`<` where a filler stands for it).
    pub written: char,
    /// The digit the field computes to.
    pub computed: char,
    /// The field is all fillers and optional (TD3's personal number): ICAO lets a filler stand
    /// for its check digit, 0.
    pub blank: bool,
}

impl CheckDigit {
    /// Whether the written digit is right.
    pub fn ok(&self) -> bool {
        self.written == self.computed || (self.blank && self.written == '<' && self.computed == '0')
    }
}

/// Sex as the zone writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MrzSex {
    /// `M`.
    Male,
    /// `F`.
    Female,
    /// `<` or `X`: not specified.
    Unspecified,
}

/// A read machine-readable zone. Text fields have their fillers removed; names keep their words
/// separated by single spaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mrz {
    /// TD1 or TD3.
    pub format: Format,
    /// Document code without fillers: `ID`, `I`, `P`, `PN`, …
    pub document_code: String,
    /// Issuing state or organisation (`KAZ`).
    pub issuing_state: String,
    /// Document number, with a TD1 number's overflow joined on.
    pub document_number: String,
    /// Primary identifier (surname).
    pub surname: String,
    /// Secondary identifier (given names).
    pub given_names: String,
    /// Whether the name field is full to its last character (a longer name may have been cut).
    pub name_truncated: bool,
    /// The name field's width: 30 (TD1) or 39 (TD3).
    pub name_width: usize,
    /// Nationality.
    pub nationality: String,
    /// Date of birth as written (`YYMMDD`).
    pub birth_date_text: String,
    /// Sex.
    pub sex: MrzSex,
    /// Date of expiry as written (`YYMMDD`).
    pub expiry_date_text: String,
    /// TD1: line 1's optional data (the Kazakh ID card's IIN); TD3: the personal number.
    pub optional_data: String,
    /// TD1: line 2's optional data; empty for TD3.
    pub optional_data_2: String,
    /// Every check digit, in the order the zone has them.
    pub checks: Vec<CheckDigit>,
}

impl Mrz {
    /// Whether every check digit is right.
    pub fn digits_ok(&self) -> bool {
        self.checks.iter().all(CheckDigit::ok)
    }

    /// The date of birth, the century chosen so that it is not after `today`; `None` when the
    /// text is not a date (unknown day or month are written as fillers).
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let (yy, mm, dd) = yymmdd(&self.birth_date_text)?;
        let this_century = today.format("%Y").to_string().parse::<i32>().ok()? / 100 * 100;
        [this_century, this_century - 100]
            .into_iter()
            .filter_map(|c| NaiveDate::from_ymd_opt(c + yy, mm, dd))
            .find(|d| *d <= today)
    }

    /// The date of expiry (years 2000–2099); `None` when the text is not a date.
    pub fn expiry_date(&self) -> Option<NaiveDate> {
        let (yy, mm, dd) = yymmdd(&self.expiry_date_text)?;
        NaiveDate::from_ymd_opt(2000 + yy, mm, dd)
    }
}

fn yymmdd(text: &str) -> Option<(i32, u32, u32)> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((
        text[0..2].parse().ok()?,
        text[2..4].parse().ok()?,
        text[4..6].parse().ok()?,
    ))
}

/// A character's value in a check-digit sum: digits as themselves, `A`–`Z` as 10–35, `<` as 0.
fn value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        _ => 0,
    }
}

/// The ICAO 9303 check digit of `field`: weights 7, 3, 1 repeating, sum modulo 10.
pub fn check_digit(field: &[u8]) -> char {
    let sum: u32 = field
        .iter()
        .zip([7, 3, 1].iter().cycle())
        .map(|(&c, &w)| value(c) * w)
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

fn check(field: Checked, written: u8, data: &[u8]) -> CheckDigit {
    CheckDigit {
        field,
        written: char::from(written),
        computed: check_digit(data),
        blank: field == Checked::PersonalNumber && data.iter().all(|&c| c == b'<'),
    }
}

/// Text without fillers at either end; fillers inside become spaces.
fn text(field: &[u8]) -> String {
    String::from_utf8_lossy(field)
        .split('<')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn sex(c: u8) -> MrzSex {
    match c {
        b'M' => MrzSex::Male,
        b'F' => MrzSex::Female,
        _ => MrzSex::Unspecified,
    }
}

/// Surname and given names from a name field: `SURNAME<<GIVEN<NAMES<<<`.
fn names(field: &[u8]) -> (String, String, bool) {
    let truncated = field.last().is_some_and(|&c| c != b'<');
    let whole = String::from_utf8_lossy(field);
    let (primary, secondary) = whole.split_once("<<").unwrap_or((&whole, ""));
    (
        text(primary.as_bytes()),
        text(secondary.as_bytes()),
        truncated,
    )
}

/// Reads a zone from its lines. Lines may come with surrounding whitespace and in lower case (as
/// typed); blank lines are skipped. Nothing else is corrected.
pub fn parse<S: AsRef<str>>(lines: &[S]) -> Result<Mrz, MrzError> {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| l.as_ref().trim().to_ascii_uppercase())
        .filter(|l| !l.is_empty())
        .collect();
    let shape = || {
        let lengths: Vec<String> = lines
            .iter()
            .map(|l| l.chars().count().to_string())
            .collect();
        MrzError::Shape(if lengths.is_empty() {
            "no lines".to_owned()
        } else {
            format!("{} line(s) of {}", lines.len(), lengths.join(", "))
        })
    };
    let format = match (lines.len(), lines.first().map(|l| l.chars().count())) {
        (3, Some(30)) => Format::Td1,
        (2, Some(44)) => Format::Td3,
        _ => return Err(shape()),
    };
    let width = if format == Format::Td1 { 30 } else { 44 };
    for (i, line) in lines.iter().enumerate() {
        if let Some((p, c)) = line
            .chars()
            .enumerate()
            .find(|(_, c)| !matches!(c, 'A'..='Z' | '0'..='9' | '<'))
        {
            return Err(MrzError::Character {
                line: i + 1,
                position: p + 1,
                found: c,
            });
        }
        if line.len() != width {
            return Err(shape());
        }
    }
    let l: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
    Ok(match format {
        Format::Td1 => td1(l[0], l[1], l[2]),
        Format::Td3 => td3(l[0], l[1]),
    })
}

fn td1(l1: &[u8], l2: &[u8], l3: &[u8]) -> Mrz {
    let optional = &l1[15..30];
    // A number longer than nine characters: its check digit's place holds a filler and the rest
    // of the number, then its check digit, open the optional data.
    let (number, number_check, optional) = match (l1[14], optional.iter().position(|&c| c == b'<'))
    {
        (b'<', Some(end)) if end > 0 => {
            let mut number = l1[5..14].to_vec();
            number.extend_from_slice(&optional[..end - 1]);
            (number, optional[end - 1], &optional[end..])
        }
        _ => (l1[5..14].to_vec(), l1[14], optional),
    };
    let mut composite = l1[5..30].to_vec();
    composite.extend_from_slice(&l2[0..7]);
    composite.extend_from_slice(&l2[8..15]);
    composite.extend_from_slice(&l2[18..29]);
    let (surname, given_names, name_truncated) = names(l3);
    Mrz {
        format: Format::Td1,
        document_code: text(&l1[0..2]),
        issuing_state: text(&l1[2..5]),
        document_number: text(&number),
        surname,
        given_names,
        name_truncated,
        name_width: 30,
        nationality: text(&l2[15..18]),
        birth_date_text: String::from_utf8_lossy(&l2[0..6]).into_owned(),
        sex: sex(l2[7]),
        expiry_date_text: String::from_utf8_lossy(&l2[8..14]).into_owned(),
        optional_data: text(optional),
        optional_data_2: text(&l2[18..29]),
        checks: vec![
            check(Checked::DocumentNumber, number_check, &number),
            check(Checked::BirthDate, l2[6], &l2[0..6]),
            check(Checked::ExpiryDate, l2[14], &l2[8..14]),
            check(Checked::Composite, l2[29], &composite),
        ],
    }
}

fn td3(l1: &[u8], l2: &[u8]) -> Mrz {
    let mut composite = l2[0..10].to_vec();
    composite.extend_from_slice(&l2[13..20]);
    composite.extend_from_slice(&l2[21..43]);
    let (surname, given_names, name_truncated) = names(&l1[5..44]);
    Mrz {
        format: Format::Td3,
        document_code: text(&l1[0..2]),
        issuing_state: text(&l1[2..5]),
        document_number: text(&l2[0..9]),
        surname,
        given_names,
        name_truncated,
        name_width: 39,
        nationality: text(&l2[10..13]),
        birth_date_text: String::from_utf8_lossy(&l2[13..19]).into_owned(),
        sex: sex(l2[20]),
        expiry_date_text: String::from_utf8_lossy(&l2[21..27]).into_owned(),
        optional_data: text(&l2[28..42]),
        optional_data_2: String::new(),
        checks: vec![
            check(Checked::DocumentNumber, l2[9], &l2[0..9]),
            check(Checked::BirthDate, l2[19], &l2[13..19]),
            check(Checked::ExpiryDate, l2[27], &l2[21..27]),
            check(Checked::PersonalNumber, l2[42], &l2[28..42]),
            check(Checked::Composite, l2[43], &composite),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ICAO Doc 9303 Part 4's specimen passport (Utopia, Anna Maria Eriksson).
    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];
    /// ICAO Doc 9303 Part 5's specimen ID card.
    const TD1: [&str; 3] = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ];

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn icao_specimen_passport_reads_with_every_digit_right() {
        let m = parse(&TD3).unwrap();
        assert_eq!(m.format, Format::Td3);
        assert_eq!(m.document_code, "P");
        assert_eq!(m.issuing_state, "UTO");
        assert_eq!(m.surname, "ERIKSSON");
        assert_eq!(m.given_names, "ANNA MARIA");
        assert_eq!(m.document_number, "L898902C3");
        assert_eq!(m.nationality, "UTO");
        assert_eq!(m.sex, MrzSex::Female);
        assert_eq!(m.optional_data, "ZE184226B");
        assert_eq!(m.birth_date(day(2026, 12, 1)), Some(day(1974, 8, 12)));
        assert_eq!(m.expiry_date(), Some(day(2012, 4, 15)));
        assert!(
            m.digits_ok(),
            "the specimen's digits are right: {:?}",
            m.checks
        );
        assert_eq!(m.checks.len(), 5);
    }

    #[test]
    fn icao_specimen_id_card_reads_with_every_digit_right() {
        let m = parse(&TD1).unwrap();
        assert_eq!(m.format, Format::Td1);
        assert_eq!(m.document_code, "I");
        assert_eq!(m.document_number, "D23145890");
        assert_eq!(m.surname, "ERIKSSON");
        assert_eq!(m.given_names, "ANNA MARIA");
        assert!(!m.name_truncated);
        assert!(
            m.digits_ok(),
            "the specimen's digits are right: {:?}",
            m.checks
        );
    }

    #[test]
    fn a_long_document_number_overflows_into_the_optional_data() {
        // ICAO Part 5's example of a 12-character number: D23145890734, check digit 9.
        let l1 = "I<UTOD23145890<7349<<<<<<<<<<<";
        let mut m = parse(&[l1, TD1[1], TD1[2]]).unwrap();
        assert_eq!(m.document_number, "D23145890734");
        assert_eq!(m.checks[0].computed, '9');
        assert!(m.checks[0].ok(), "{:?}", m.checks[0]);
        m.checks.pop(); // the composite of this made-up line is not the specimen's
    }

    #[test]
    fn shapes_and_characters_are_refused_with_where() {
        assert!(matches!(parse::<&str>(&[]), Err(MrzError::Shape(_))));
        assert!(matches!(parse(&[TD3[0]]), Err(MrzError::Shape(_))));
        assert!(matches!(parse(&[TD1[0], TD1[1]]), Err(MrzError::Shape(_))));
        let short = &TD3[1][..43];
        assert!(matches!(parse(&[TD3[0], short]), Err(MrzError::Shape(_))));
        let bad = TD3[1].replacen('<', " ", 1);
        assert_eq!(
            parse(&[TD3[0], bad.as_str()]),
            Err(MrzError::Character {
                line: 2,
                position: 29 + TD3[1][28..].find('<').unwrap(),
                found: ' '
            })
        );
        assert!(matches!(
            parse(&[TD3[0], &TD3[1].replacen('L', "Ł", 1)]),
            Err(MrzError::Character {
                line: 2,
                position: 1,
                found: 'Ł'
            })
        ));
    }

    #[test]
    fn typed_lower_case_and_spaces_around_are_accepted() {
        let lower: Vec<String> = TD3
            .iter()
            .map(|l| format!("  {}\n", l.to_lowercase()))
            .collect();
        assert_eq!(parse(&lower).unwrap(), parse(&TD3).unwrap());
    }

    #[test]
    fn dates_choose_their_century() {
        let m = parse(&TD3).unwrap();
        // Born '74: 1974, never 2074.
        assert_eq!(m.birth_date(day(2074, 1, 1)), Some(day(1974, 8, 12)));
        let mut young = m.clone();
        young.birth_date_text = "100101".into();
        assert_eq!(young.birth_date(day(2026, 12, 1)), Some(day(2010, 1, 1)));
        young.birth_date_text = "27<<<<".into();
        assert_eq!(
            young.birth_date(day(2026, 12, 1)),
            None,
            "unknown day and month"
        );
    }
}
