//! Kazakh phone numbers, stored and shown as `+7 7XX XXX XX XX`. Officers may type `+7 7…`,
//! `8 7…` or `7 7…` with any spaces, dashes or brackets. Kazakhstan shares country code 7 with
//! Russia; its numbers continue with 7 (mobile 70X/747/75X/76X/77X, landlines 7XX), so `+7 9XX`
//! and the other Russian ranges are refused as not Kazakh.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not a Kazakh phone number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Not 11 digits in all (country code included).
    #[error("a phone number has 11 digits: +7 7XX XXX XX XX")]
    Length,
    /// A character other than digits, spaces, dashes or brackets.
    #[error("the phone number has a character that is not a digit")]
    BadCharacter,
    /// Does not start with `+7`, `7` or `8`.
    #[error("the number must start with +7 or 8")]
    Prefix,
    /// A number under code 7 that is not Kazakh (the national part does not start with 7).
    #[error("not a Kazakh number: after +7 a Kazakh number continues with 7")]
    NotKazakh,
}

/// A Kazakh phone number, normalised.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Reads a number as officers type it and normalises it to `+7 7XX XXX XX XX`.
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        let t = text.trim();
        let (plus, rest) = match t.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let mut digits = String::with_capacity(11);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '\u{a0}' => {}
                _ => return Err(PhoneError::BadCharacter),
            }
        }
        if digits.len() != 11 {
            return Err(PhoneError::Length);
        }
        let national = match (plus, &digits[..1]) {
            (true, "7") | (false, "7") | (false, "8") => &digits[1..],
            _ => return Err(PhoneError::Prefix),
        };
        if !national.starts_with('7') {
            return Err(PhoneError::NotKazakh);
        }
        let n = national.as_bytes();
        let s = |r: std::ops::Range<usize>| std::str::from_utf8(&n[r]).unwrap_or_default();
        Ok(Phone(format!(
            "+7 {} {} {} {}",
            s(0..3),
            s(3..6),
            s(6..8),
            s(8..10)
        )))
    }

    /// The number as `+7 7XX XXX XX XX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_ways_of_typing_it() {
        for typed in [
            "+7 701 234 56 78",
            "87012345678",
            "8 (701) 234-56-78",
            "+77012345678",
            "7 701 234 5678",
        ] {
            assert_eq!(
                Phone::parse(typed).map(|p| p.to_string()),
                Ok("+7 701 234 56 78".to_owned()),
                "{typed}"
            );
        }
        assert_eq!(
            Phone::parse("8 727 250 00 00").map(|p| p.to_string()),
            Ok("+7 727 250 00 00".to_owned()),
            "Almaty landline"
        );
    }

    #[test]
    fn refuses_russian_and_malformed_numbers() {
        assert_eq!(
            Phone::parse("+7 916 123 45 67"),
            Err(PhoneError::NotKazakh),
            "+7 9XX is Russian"
        );
        assert_eq!(
            Phone::parse("8 495 123 45 67"),
            Err(PhoneError::NotKazakh),
            "Moscow landline"
        );
        assert_eq!(Phone::parse("+8 701 234 56 78"), Err(PhoneError::Prefix));
        assert_eq!(Phone::parse("+7 701 234 56 7"), Err(PhoneError::Length));
        assert_eq!(Phone::parse("+7 701 234 56 789"), Err(PhoneError::Length));
        assert_eq!(
            Phone::parse("+7 701 234 56 7a"),
            Err(PhoneError::BadCharacter)
        );
        assert_eq!(
            Phone::parse("7012345678"),
            Err(PhoneError::Length),
            "ten digits lack the 8 or +7"
        );
    }
}
