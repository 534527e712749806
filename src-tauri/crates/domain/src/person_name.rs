//! A client's surname, name and patronymic as printed on the ID card: Cyrillic (Russian letters and
//! the Kazakh ә ғ қ ң ө ұ ү һ і) or Latin, never a mix within one part (a Latin «а» or «с» typed into
//! a Cyrillic name looks right on screen but breaks every search and every match with head office).

use serde::{Deserialize, Serialize};

/// Longest name part accepted, in characters.
pub const MAX_PART: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    Cyrillic,
    Latin,
}

/// Why a text is not an acceptable name part.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but spaces.
    #[error("the name is empty")]
    Empty,
    /// More than [`MAX_PART`] characters after spaces are collapsed.
    #[error("the name is longer than {MAX_PART} characters")]
    TooLong,
    /// A character other than letters, spaces, hyphens and apostrophes, or no letter at all.
    #[error("only letters, spaces, hyphens and apostrophes are allowed")]
    BadCharacter,
    /// Cyrillic and Latin letters in the same part.
    #[error("Cyrillic and Latin letters are mixed in one name")]
    MixedScripts,
}

fn script(c: char) -> Option<Script> {
    match c {
        'А'..='я'
        | 'Ё'
        | 'ё'
        | 'Ә'
        | 'ә'
        | 'Ғ'
        | 'ғ'
        | 'Қ'
        | 'қ'
        | 'Ң'
        | 'ң'
        | 'Ө'
        | 'ө'
        | 'Ұ'
        | 'ұ'
        | 'Ү'
        | 'ү'
        | 'Һ'
        | 'һ'
        | 'І'
        | 'і' => Some(Script::Cyrillic),
        'A'..='Z' | 'a'..='z' => Some(Script::Latin),
        _ => None,
    }
}

/// One name part, cleaned: spaces collapsed, checked as above.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NamePart(String);

impl NamePart {
    /// Reads a name part: collapses spaces and checks its letters are of one script.
    pub fn parse(text: &str) -> Result<NamePart, NameError> {
        let clean = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if clean.is_empty() {
            return Err(NameError::Empty);
        }
        if clean.chars().count() > MAX_PART {
            return Err(NameError::TooLong);
        }
        let mut seen: Option<Script> = None;
        for c in clean.chars() {
            match (script(c), c) {
                (Some(s), _) => match seen {
                    None => seen = Some(s),
                    Some(prev) if prev != s => return Err(NameError::MixedScripts),
                    Some(_) => {}
                },
                (None, ' ' | '-' | '\'' | '’') => {}
                (None, _) => return Err(NameError::BadCharacter),
            }
        }
        if seen.is_none() {
            return Err(NameError::BadCharacter);
        }
        Ok(NamePart(clean))
    }

    /// The cleaned name part.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NamePart {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        NamePart::parse(&s)
    }
}

impl From<NamePart> for String {
    fn from(n: NamePart) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_russian_and_latin_names_are_accepted() {
        for name in [
            "Қасымова",
            "Әлия",
            "Ұлжан-Гүлнұр",
            "Жұмабекұлы",
            "Ирина",
            "Ёлкина",
            "O'Neil",
            "Smith-Jones",
            "Һ",
        ] {
            assert!(NamePart::parse(name).is_ok(), "{name} must be accepted");
        }
        assert_eq!(
            NamePart::parse("  Ахмет   Байтұрсынұлы ").map(String::from),
            Ok("Ахмет Байтұрсынұлы".to_owned())
        );
    }

    #[test]
    fn mixed_scripts_digits_and_empties_are_refused() {
        // "Иванoв" with a Latin o.
        assert_eq!(NamePart::parse("Иванoв"), Err(NameError::MixedScripts));
        assert_eq!(NamePart::parse("Ivanов"), Err(NameError::MixedScripts));
        assert_eq!(NamePart::parse("Иванов2"), Err(NameError::BadCharacter));
        assert_eq!(NamePart::parse("--"), Err(NameError::BadCharacter));
        assert_eq!(NamePart::parse("   "), Err(NameError::Empty));
        assert_eq!(
            NamePart::parse(&"ә".repeat(MAX_PART + 1)),
            Err(NameError::TooLong)
        );
        assert!(
            NamePart::parse(&"ә".repeat(MAX_PART)).is_ok(),
            "exactly the limit is fine"
        );
    }
}
