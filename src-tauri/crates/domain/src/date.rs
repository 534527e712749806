//! Calendar dates as the desk shows and reads them: `dd.mm.yyyy` (e.g. `25.11.2026`).

use chrono::NaiveDate;

/// Why a text is not a `dd.mm.yyyy` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not two digits, a dot, two digits, a dot and four digits.
    #[error("the date is not written as dd.mm.yyyy")]
    Format,
    /// Well formed but naming a day that does not exist (e.g. `31.02.2026`).
    #[error("there is no such day in the calendar")]
    NoSuchDay,
}

/// `2026-11-25` → `25.11.2026`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Reads exactly `dd.mm.yyyy` (two, two and four digits).
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let b = text.trim().as_bytes();
    let shape_ok = b.len() == 10
        && b[2] == b'.'
        && b[5] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit());
    if !shape_ok {
        return Err(DateError::Format);
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0, |n, c| n * 10 + u32::from(c - b'0'))
    };
    let year = i32::try_from(num(6..10)).map_err(|_| DateError::Format)?;
    NaiveDate::from_ymd_opt(year, num(3..5), num(0..2)).ok_or(DateError::NoSuchDay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_day_first_with_dots() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).expect("valid date");
        assert_eq!(format_date(d), "01.03.2026");
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!(
            parse_date("29.02.2024"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29).expect("leap day"))
        );
        assert_eq!(
            parse_date("29.02.2025"),
            Err(DateError::NoSuchDay),
            "2025 is not a leap year"
        );
        assert_eq!(parse_date("2025-02-01"), Err(DateError::Format));
        assert_eq!(parse_date("1.2.2025"), Err(DateError::Format));
        assert_eq!(parse_date("01.13.2025"), Err(DateError::NoSuchDay));
    }
}
