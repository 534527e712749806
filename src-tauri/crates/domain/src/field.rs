//! What is wrong with one field of a form, as a closed set the screens translate. Forms are checked
//! whole, so the officer sees every problem at once, next to the field it belongs to.

use serde::Serialize;

/// Why a field's value is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Required,
    TooLong,
    /// A character that does not belong in this field (a digit in a name, a control character).
    BadCharacter,
    /// Cyrillic and Latin letters mixed in one name part.
    MixedScripts,
    /// Not in the field's shape (an IIN that is not 12 digits, an email without `@`, …).
    Format,
    IinCentury,
    IinBirthDate,
    IinCheckDigit,
    IinNotIssuable,
    /// Birth date or sex differ from what the IIN says.
    IinMismatch,
    PhoneNotKazakh,
    /// A `dd.mm.yyyy` date that is not in the calendar.
    NoSuchDay,
    InFuture,
    /// A date before the one it must follow (expiry before issue, issue before birth).
    DateOrder,
    Expired,
    OutOfRange,
    /// A loan's terms break a rule of the product or a legal cap (the quote says which).
    Refused,
}

/// One field's problem; `field` is the form's own key for it (`iin`, `document_number`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
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
