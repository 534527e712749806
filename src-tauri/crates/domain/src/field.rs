//! What is wrong with one field of a form, as a closed set the screens translate. Forms are checked
//! whole, so the officer sees every problem at once, next to the field it belongs to. A problem
//! names what the value must be where that is not obvious from the code alone (the shape of a
//! phone number, the product's amounts, the date a date must follow), so the officer reads the
//! limit, not "out of range".

use serde::Serialize;

use crate::money::Money;

/// Why a field's value is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The field is empty but must be filled.
    Required,
    /// Longer than the field allows.
    TooLong,
    /// A character that does not belong in this field (a digit in a name, a control character).
    BadCharacter,
    /// Cyrillic and Latin letters mixed in one name part.
    MixedScripts,
    /// Not in the field's shape (an IIN that is not 12 digits, an email without `@`, …).
    Format(Shape),
    /// The IIN's seventh digit (century and sex) is not 1 to 6.
    IinCentury,
    /// The IIN's first six digits are not a real date of birth.
    IinBirthDate,
    /// The IIN's check digit does not match: it was mistyped.
    IinCheckDigit,
    /// No IIN is issued with these first eleven digits.
    IinNotIssuable,
    /// Birth date or sex differ from what the IIN says.
    IinMismatch,
    /// A number under code 7 that is not Kazakh.
    PhoneNotKazakh,
    /// A `dd.mm.yyyy` date that is not in the calendar.
    NoSuchDay,
    /// A date later than today (a birth or an issue date).
    InFuture,
    /// A date before the one it must follow (expiry before issue, issue before birth).
    DateOrder(After),
    /// The document's expiry date has passed.
    Expired,
    /// A number outside its range, which is named.
    OutOfRange(Range),
    /// A loan's terms break a rule of the product or a legal cap (the quote says which).
    Refused,
}

/// The shape a value must have; the screens show an example of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// 12 digits.
    Iin,
    /// `+7 7XX XXX XX XX`.
    Phone,
    /// `dd.mm.yyyy`.
    Date,
    /// `name@example.kz`.
    Email,
    /// 9 digits: the number of an ID card or a residence permit.
    IdCardNumber,
    /// `N` and 8 digits: the number of a passport.
    PassportNumber,
    /// Tenge: digits, optionally a decimal comma and up to two decimals (`1 234 567,89`).
    Money,
    /// A whole number of months, in digits (the window's own check: the form carries a number).
    Months,
}

/// The date of the form a date must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum After {
    /// Not before the birth date (a document issued before its holder was born).
    BirthDate,
    /// Later than the document's issue date (an expiry on or before it).
    DocumentIssuedOn,
}

/// The range a number must lie in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Range {
    /// Tenge from `min` to `max` inclusive; `None` leaves that side open.
    Money {
        /// Lowest amount, if any.
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        min: Option<Money>,
        /// Highest amount, if any.
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        max: Option<Money>,
    },
    /// From `min` to `max` months inclusive.
    Months {
        /// Fewest months.
        min: u32,
        /// Most months.
        max: u32,
    },
}

/// What a refused value must be, as it crosses to the window with the problem's code: the shape,
/// the date it must follow, or the range (amounts in tiyn). Absent where the code says it all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Limit {
    /// The value must have this shape.
    Shape {
        /// The shape, with an example on screen.
        shape: Shape,
    },
    /// The date must follow this date of the form.
    After {
        /// The date of the form it must follow.
        date: After,
    },
    /// An amount of tenge, in tiyn; `null` leaves that side open.
    Money {
        /// Lowest amount in tiyn, if any.
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        min: Option<Money>,
        /// Highest amount in tiyn, if any.
        #[cfg_attr(feature = "ts", ts(type = "number | null"))]
        max: Option<Money>,
    },
    /// A number of months.
    Months {
        /// Fewest months.
        min: u32,
        /// Most months.
        max: u32,
    },
}

impl Problem {
    /// What the value must be, when the problem names it.
    pub fn limit(self) -> Option<Limit> {
        match self {
            Problem::Format(shape) => Some(Limit::Shape { shape }),
            Problem::DateOrder(date) => Some(Limit::After { date }),
            Problem::OutOfRange(Range::Money { min, max }) => Some(Limit::Money { min, max }),
            Problem::OutOfRange(Range::Months { min, max }) => Some(Limit::Months { min, max }),
            _ => None,
        }
    }
}

/// One field's problem; `field` is the form's own key for it (`iin`, `document_number`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The form's key for the field.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

/// Collects problems while a form is checked.
#[derive(Debug, Default)]
pub(crate) struct Problems(pub(crate) Vec<FieldProblem>);

impl Problems {
    pub(crate) fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.push(FieldProblem { field, problem });
    }

    /// The value when it was read, else records the problem under `field`.
    pub(crate) fn take<T>(&mut self, field: &'static str, r: Result<T, Problem>) -> Option<T> {
        r.map_err(|p| self.add(field, p)).ok()
    }
}

/// Trimmed free text: required or not, at most `max` characters, no control characters.
pub(crate) fn text(raw: &str, max: usize, required: bool) -> Result<Option<String>, Problem> {
    let clean = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() {
        return if required {
            Err(Problem::Required)
        } else {
            Ok(None)
        };
    }
    if clean.chars().count() > max {
        return Err(Problem::TooLong);
    }
    if clean.chars().any(char::is_control) {
        return Err(Problem::BadCharacter);
    }
    Ok(Some(clean))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(text("  a   b ", 3, true), Ok(Some("a b".into())));
        assert_eq!(text("   ", 3, true), Err(Problem::Required));
        assert_eq!(text("   ", 3, false), Ok(None));
        assert_eq!(text("abcd", 3, true), Err(Problem::TooLong));
        assert_eq!(text("a\u{7}b", 9, true), Err(Problem::BadCharacter));
    }
}
