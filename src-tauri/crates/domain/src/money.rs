//! Money in Kazakhstani tenge, held as an integer count of tiyn (1 ₸ = 100 tiyn). Never a float.
//!
//! The display form used on screens, in PDFs and in the CLI is `1 234 567,89 ₸`: groups of three
//! digits separated by a space, a decimal comma, always two decimals, then the tenge sign.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of KZT in tiyn. Negative amounts are allowed (refunds, differences).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a text could not be read as an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// No digit was typed.
    #[error("the amount is empty")]
    Empty,
    /// A character other than digits, group spaces, one decimal separator or a leading minus.
    #[error("the amount has a character that is not a digit, a space or a decimal comma")]
    BadCharacter,
    /// More than two digits after the decimal separator.
    #[error("the amount has more than two decimals")]
    TooManyDecimals,
    /// The amount does not fit in an `i64` count of tiyn.
    #[error("the amount is too large")]
    Overflow,
}

impl Money {
    /// No money: 0,00 ₸.
    pub const ZERO: Money = Money(0);

    /// An amount given in tiyn.
    pub const fn from_tiyn(tiyn: i64) -> Self {
        Money(tiyn)
    }

    /// Whole tenge; `None` when the amount does not fit.
    pub const fn from_tenge(tenge: i64) -> Option<Self> {
        match tenge.checked_mul(100) {
            Some(t) => Some(Money(t)),
            None => None,
        }
    }

    /// The amount as a count of tiyn.
    pub const fn tiyn(self) -> i64 {
        self.0
    }

    /// The sum, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The difference, or `None` on overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Reads what an officer types: `1 234 567,89`, `1234567.89`, `500000`, with or without `₸`.
    /// Spaces (also no-break and thin spaces) group digits; `,` or `.` starts at most two decimals.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let text = text.trim().trim_end_matches('₸').trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut tenge: i64 = 0;
        let mut decimals: Option<u32> = None;
        let mut cents: i64 = 0;
        let mut digits = 0usize;
        for c in text.chars() {
            match c {
                '0'..='9' => {
                    let d = i64::from(c as u8 - b'0');
                    digits += 1;
                    match decimals.as_mut() {
                        None => {
                            tenge = tenge
                                .checked_mul(10)
                                .and_then(|t| t.checked_add(d))
                                .ok_or(MoneyError::Overflow)?;
                        }
                        Some(n) if *n < 2 => {
                            cents = cents * 10 + d;
                            *n += 1;
                        }
                        Some(_) => return Err(MoneyError::TooManyDecimals),
                    }
                }
                ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' if decimals.is_none() => {}
                ',' | '.' if decimals.is_none() => decimals = Some(0),
                _ => return Err(MoneyError::BadCharacter),
            }
        }
        if digits == 0 {
            return Err(MoneyError::Empty);
        }
        if decimals == Some(1) {
            cents *= 10;
        }
        let tiyn = tenge
            .checked_mul(100)
            .and_then(|t| t.checked_add(cents))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money(if negative { -tiyn } else { tiyn }))
    }
}

/// Groups the decimal digits of `n` in threes with a space: `1234567` → `1 234 567`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{},{:02} ₸", group_thousands(abs / 100), abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_grouping_comma_and_tenge_sign() {
        assert_eq!(Money::from_tiyn(123_456_789).to_string(), "1 234 567,89 ₸");
        assert_eq!(Money::from_tiyn(0).to_string(), "0,00 ₸");
        assert_eq!(Money::from_tiyn(5).to_string(), "0,05 ₸");
        assert_eq!(Money::from_tiyn(-100_050).to_string(), "-1 000,50 ₸");
        assert_eq!(
            Money::from_tiyn(i64::MIN).to_string(),
            "-92 233 720 368 547 758,08 ₸"
        );
    }

    #[test]
    fn parses_what_officers_type() {
        assert_eq!(
            Money::parse("1 234 567,89"),
            Ok(Money::from_tiyn(123_456_789))
        );
        assert_eq!(Money::parse("500000"), Ok(Money::from_tiyn(50_000_000)));
        assert_eq!(
            Money::parse("500 000,5 ₸"),
            Ok(Money::from_tiyn(50_000_050))
        );
        assert_eq!(Money::parse("12.34"), Ok(Money::from_tiyn(1_234)));
        assert_eq!(Money::parse("1\u{a0}000"), Ok(Money::from_tiyn(100_000)));
    }

    #[test]
    fn refuses_malformed_amounts() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("₸"), Err(MoneyError::Empty));
        assert_eq!(Money::parse("12,345"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Money::parse("1e5"), Err(MoneyError::BadCharacter));
        assert_eq!(Money::parse("1,2,3"), Err(MoneyError::BadCharacter));
        assert_eq!(
            Money::parse("99999999999999999999"),
            Err(MoneyError::Overflow)
        );
    }

    proptest::proptest! {
        /// Every amount reads back from its display form, and the display form is always
        /// `[-]d{1,3}( ddd)*,dd ₸`.
        #[test]
        fn any_amount_round_trips(tiyn in (i64::MIN + 1)..i64::MAX) {
            let m = Money::from_tiyn(tiyn);
            let text = m.to_string();
            proptest::prop_assert_eq!(Money::parse(&text), Ok(m));
            let body = text.trim_start_matches('-').trim_end_matches(" ₸");
            let (int, frac) = body.split_once(',').expect("a decimal comma");
            proptest::prop_assert_eq!(frac.len(), 2);
            let grouped = int.split(' ').enumerate().all(|(i, g)| {
                let size_ok = if i == 0 { (1..=3).contains(&g.len()) } else { g.len() == 3 };
                size_ok && g.bytes().all(|b| b.is_ascii_digit())
            });
            proptest::prop_assert!(grouped, "digits must be grouped in threes: {}", text);
        }
    }

    #[test]
    fn display_then_parse_round_trips() {
        for tiyn in [0, 1, 99, 100, 123_456_789, -42, 999_999_999_999] {
            let m = Money::from_tiyn(tiyn);
            assert_eq!(
                Money::parse(&m.to_string()),
                Ok(m),
                "{m} must read back as itself"
            );
        }
    }
}
