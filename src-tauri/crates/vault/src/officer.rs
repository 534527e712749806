//! Officers of the desk and their roles.

use serde::{Deserialize, Serialize};

/// A stable officer id (random, hex). Not secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OfficerId(pub String);

/// 16 random bytes, hex: ids for officers and vaults.
pub(crate) fn random_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// What an officer may do. Checked in Rust on every command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Registers clients and makes applications.
    Officer,
    /// An officer who also decides applications up to their approval limit.
    Supervisor,
    /// Manages officers, limits and backups; makes no applications.
    Admin,
}

impl Role {
    /// The role's stored name (`officer`, `supervisor`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// The role with this stored name, if any.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "officer" => Some(Role::Officer),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An officer as the vault knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Officer {
    /// Stable id.
    pub id: OfficerId,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Whether an administrator disabled the account.
    pub disabled: bool,
}

/// Longest officer name accepted, in characters.
pub(crate) const MAX_NAME: usize = 100;

/// Trims and checks a display name: 1..=100 characters, letters, spaces, dots, hyphens, apostrophes.
pub(crate) fn clean_name(name: &str) -> Option<String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = name.chars().count();
    let ok_chars = name
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '-' | '\''));
    (len > 0 && len <= MAX_NAME && ok_chars).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(
            clean_name("  Әлия   Қасымова "),
            Some("Әлия Қасымова".to_owned())
        );
        assert_eq!(
            clean_name("Anna-Maria O'Neil"),
            Some("Anna-Maria O'Neil".to_owned())
        );
        assert_eq!(clean_name("   "), None, "blank names are refused");
        assert_eq!(
            clean_name("Robert'); DROP TABLE officer;--"),
            None,
            "punctuation is refused"
        );
        assert_eq!(
            clean_name(&"я".repeat(101)),
            None,
            "over 100 characters is refused"
        );
    }
}
