//! ИИН (individual identification number): 12 digits `YYMMDD C SSSS K`, where `C` gives the
//! century and sex (1/2 = 1800s, 3/4 = 1900s, 5/6 = 2000s; odd male, even female) and `K` is the
//! check digit: Σ dᵢ·i (i = 1..11) mod 11; when that is 10, Σ dᵢ·wᵢ with w = 3..11,1,2 mod 11;
//! when that is 10 too, no such IIN is issued (Government Resolution No. 565 of 11.06.2003).
//!
//! The scheme catches every single-digit typo but one: in the 11th digit, whose first weight is
//! 11 ≡ 0 (mod 11). Agreement with the birth date and sex cannot catch that one either (it is in
//! the serial number); the ID card's MRZ, which carries the IIN, can.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Sex as encoded in the IIN's seventh digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Odd seventh digit.
    Male,
    /// Even seventh digit.
    Female,
}

/// Why a text is not a valid IIN, or does not match the person.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IinError {
    /// Not 12 digits once spaces are removed.
    #[error("an IIN has exactly 12 digits")]
    Length,
    /// Something other than digits and spaces.
    #[error("an IIN has digits only")]
    NotDigits,
    /// The seventh digit is not 1 to 6.
    #[error("the seventh digit (century and sex) must be 1 to 6")]
    CenturyDigit,
    /// The first six digits `YYMMDD` are not a real calendar date.
    #[error("the first six digits are not a real date of birth")]
    BirthDate,
    /// The twelfth digit is not the computed check digit.
    #[error("the check digit does not match: the IIN was mistyped")]
    CheckDigit,
    /// Both check sums give 10, so no IIN is issued with these digits.
    #[error("no IIN is issued with these first eleven digits (both check sums give 10)")]
    NotIssuable,
    /// The stated date of birth is not the one in the IIN.
    #[error("the IIN's date of birth differs from the one given")]
    BirthDateMismatch,
    /// The stated sex is not the one in the IIN.
    #[error("the IIN's sex differs from the one given")]
    SexMismatch,
}

/// A valid IIN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iin(String);

const W1: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const W2: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The check digit for the first 11 digits, or `None` when no IIN can have them.
pub fn check_digit(first11: &[u32; 11]) -> Option<u32> {
    let sum = |w: &[u32; 11]| first11.iter().zip(w).map(|(d, w)| d * w).sum::<u32>() % 11;
    match sum(&W1) {
        10 => match sum(&W2) {
            10 => None,
            c => Some(c),
        },
        c => Some(c),
    }
}

impl Iin {
    /// Reads an IIN; spaces are ignored (`061211 600012` is how some forms print it).
    pub fn parse(text: &str) -> Result<Iin, IinError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(IinError::NotDigits);
        }
        if compact.len() != 12 {
            return Err(IinError::Length);
        }
        let d: Vec<u32> = compact.bytes().map(|b| u32::from(b - b'0')).collect();
        if !(1..=6).contains(&d[6]) {
            return Err(IinError::CenturyDigit);
        }
        let iin = Iin(compact);
        iin.birth_date_checked()?;
        let first11: [u32; 11] = d[..11].try_into().map_err(|_| IinError::Length)?;
        match check_digit(&first11) {
            None => Err(IinError::NotIssuable),
            Some(c) if c != d[11] => Err(IinError::CheckDigit),
            Some(_) => Ok(iin),
        }
    }

    fn digit(&self, i: usize) -> u32 {
        u32::from(self.0.as_bytes()[i] - b'0')
    }

    fn birth_date_checked(&self) -> Result<NaiveDate, IinError> {
        let yy = self.digit(0) * 10 + self.digit(1);
        let century = match self.digit(6) {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return Err(IinError::CenturyDigit),
        };
        let month = self.digit(2) * 10 + self.digit(3);
        let day = self.digit(4) * 10 + self.digit(5);
        NaiveDate::from_ymd_opt((century + yy) as i32, month, day).ok_or(IinError::BirthDate)
    }

    /// The date of birth encoded in the IIN.
    pub fn birth_date(&self) -> NaiveDate {
        // A parsed IIN always has a real date; the fallback is never reached.
        self.birth_date_checked().unwrap_or_default()
    }

    /// The sex encoded in the IIN.
    pub fn sex(&self) -> Sex {
        if self.digit(6) % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Checks that a client's stated date of birth and sex agree with the IIN.
    pub fn check_person(&self, birth_date: NaiveDate, sex: Sex) -> Result<(), IinError> {
        if self.birth_date() != birth_date {
            return Err(IinError::BirthDateMismatch);
        }
        if self.sex() != sex {
            return Err(IinError::SexMismatch);
        }
        Ok(())
    }

    /// The IIN a person born on `birth` of `sex` gets with registration serial `serial`
    /// (0–9999), or `None` when no IIN has those first 11 digits. Makes realistic test data.
    pub fn compose(birth: NaiveDate, sex: Sex, serial: u32) -> Option<Iin> {
        let yy = (birth.year().rem_euclid(100)) as u32;
        let century = match (birth.year() >= 2000, sex) {
            (false, Sex::Male) => 3,
            (false, Sex::Female) => 4,
            (true, Sex::Male) => 5,
            (true, Sex::Female) => 6,
        };
        let (m, d) = (birth.month(), birth.day());
        let serial = serial % 10_000;
        let first11 = [
            yy / 10,
            yy % 10,
            m / 10,
            m % 10,
            d / 10,
            d % 10,
            century,
            serial / 1000,
            serial / 100 % 10,
            serial / 10 % 10,
            serial % 10,
        ];
        let k = check_digit(&first11)?;
        Some(Iin(first11
            .iter()
            .chain([k].iter())
            .map(|x| x.to_string())
            .collect()))
    }

    /// The 12 digits, without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year of birth (handy for age checks).
    pub fn birth_year(&self) -> i32 {
        self.birth_date().year()
    }
}

impl fmt::Display for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Iin {
    type Error = IinError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Iin::parse(&s)
    }
}

impl From<Iin> for String {
    fn from(i: Iin) -> String {
        i.0
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_composed_iin_reads_back_as_that_persons() {
        let birth = NaiveDate::from_ymd_opt(2006, 12, 11).unwrap();
        let iin = Iin::compose(birth, Sex::Female, 12).expect("serial 0012 has a check digit");
        let read = Iin::parse(iin.as_str()).expect("a composed IIN is valid");
        assert_eq!((read.birth_date(), read.sex()), (birth, Sex::Female));
        assert_eq!(&iin.as_str()[7..11], "0012", "the serial is digits 8 to 11");
    }

    use super::*;

    #[test]
    fn the_published_second_weights_vector_is_valid() {
        // Σ·W1 = 87 → 10, Σ·W2 = 112 → 2 = the twelfth digit (research/mission-anchors.md §4.1).
        let iin = Iin::parse("061211600012").expect("valid");
        assert_eq!(
            iin.birth_date(),
            NaiveDate::from_ymd_opt(2006, 12, 11).expect("date")
        );
        assert_eq!(iin.sex(), Sex::Female);
    }
}
