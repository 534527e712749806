//! Privacy-policy versions: the text a client consents to, its SHA-256, the date it takes effect,
//! and the purposes of processing (required or optional). Head office publishes new versions
//! through sync; version 1 ships with the app, verbatim, and its hash is pinned here so a changed
//! byte in the shipped text is caught by a test rather than printed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::consent::Scope;

/// One purpose of processing personal data, as the consent form lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    /// Stable code (`issue-microcredit`), what consent records refer to.
    pub code: String,
    /// A required purpose cannot be refused (nor withdrawn while a loan is open).
    pub required: bool,
    /// Title by language code (`ru`, `kk`).
    pub title: BTreeMap<String, String>,
}

impl Purpose {
    /// The title in `lang`, else in Russian, else the code.
    pub fn title_in(&self, lang: &str) -> &str {
        self.title
            .get(lang)
            .or_else(|| self.title.get("ru"))
            .map_or(self.code.as_str(), String::as_str)
    }
}

/// A policy version with its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersion {
    /// Which consent the text asks for: the privacy policy, or the credit-bureau terms.
    pub scope: Scope,
    /// Version number, rising with each publication.
    pub version: u32,
    /// Language code of the text (`ru`, `kk`).
    pub language: String,
    /// The date from which this version is in force.
    pub effective: NaiveDate,
    /// The text exactly as published (Markdown-like: blank-line paragraphs, `- ` lists, `**bold**`).
    pub text: String,
    /// SHA-256 of `text`'s UTF-8 bytes, lower-case hex.
    pub sha256: String,
    /// The purposes of processing this version asks consent for.
    pub purposes: Vec<Purpose>,
}

/// Why a policy version was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The JSON description could not be read; the parser's message.
    #[error("the policy description is not valid: {0}")]
    Malformed(String),
    /// The text's SHA-256 differs from the published one.
    #[error("the policy text does not match its published SHA-256")]
    HashMismatch,
    /// No purposes, or a purpose without a Russian title.
    #[error("the policy has no purposes, or a purpose has no Russian title")]
    NoPurposes,
}

#[derive(Deserialize)]
struct Description {
    #[serde(default = "privacy")]
    scope: Scope,
    version: u32,
    language: String,
    effective: NaiveDate,
    sha256: String,
    purposes: Vec<Purpose>,
}

fn privacy() -> Scope {
    Scope::Privacy
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

impl PolicyVersion {
    /// A version from its description (JSON) and its text; the text must hash to the published
    /// SHA-256, so a policy is never printed or consented to in a form nobody published.
    pub fn from_parts(description: &str, text: &str) -> Result<PolicyVersion, PolicyError> {
        let d: Description =
            serde_json::from_str(description).map_err(|e| PolicyError::Malformed(e.to_string()))?;
        if sha256_hex(text.as_bytes()) != d.sha256 {
            return Err(PolicyError::HashMismatch);
        }
        if d.purposes.is_empty() || d.purposes.iter().any(|p| !p.title.contains_key("ru")) {
            return Err(PolicyError::NoPurposes);
        }
        Ok(PolicyVersion {
            scope: d.scope,
            version: d.version,
            language: d.language,
            effective: d.effective,
            text: text.to_owned(),
            sha256: d.sha256,
            purposes: d.purposes,
        })
    }
}

const V1_DESCRIPTION: &str = include_str!("../../../../config/policy/v1.json");
const V1_TEXT: &str = include_str!("../../../../config/policy/privacy-policy-v1.ru.md");
const BUREAU_V1_DESCRIPTION: &str = include_str!("../../../../config/policy/credit-bureau-v1.json");
const BUREAU_V1_TEXT: &str = include_str!("../../../../config/policy/credit-bureau-v1.ru.md");

/// The privacy-policy versions this build ships with (version 1), parsed once per process.
pub fn shipped() -> &'static [PolicyVersion] {
    shipped_in(Scope::Privacy)
}

/// The versions of `scope`'s text this build ships with.
pub fn shipped_in(scope: Scope) -> &'static [PolicyVersion] {
    static PRIVACY: std::sync::OnceLock<Vec<PolicyVersion>> = std::sync::OnceLock::new();
    static BUREAU: std::sync::OnceLock<Vec<PolicyVersion>> = std::sync::OnceLock::new();
    // The shipped files are checked by this crate's tests, so a failure here is a broken build.
    let parse = |description, text| {
        vec![
            PolicyVersion::from_parts(description, text).unwrap_or_else(|e| {
                panic!("a shipped policy text is broken: {e}");
            }),
        ]
    };
    match scope {
        Scope::Privacy => PRIVACY.get_or_init(|| parse(V1_DESCRIPTION, V1_TEXT)),
        Scope::CreditBureau => BUREAU.get_or_init(|| parse(BUREAU_V1_DESCRIPTION, BUREAU_V1_TEXT)),
    }
}

/// The shipped version of `scope`'s text with this number and hash: the text a stored consent
/// event refers to, if this build knows it.
pub fn shipped_version(scope: Scope, version: u32, sha256: &str) -> Option<&'static PolicyVersion> {
    find(shipped_in(scope), version, sha256)
}

/// The version among `versions` with this number and hash (a stored consent names both).
pub fn find<'a>(
    versions: &'a [PolicyVersion],
    version: u32,
    sha256: &str,
) -> Option<&'a PolicyVersion> {
    versions
        .iter()
        .find(|v| v.version == version && v.sha256 == sha256)
}

/// The shipped version in force on `date`: the latest whose effective date has come.
pub fn in_force(versions: &[PolicyVersion], date: NaiveDate) -> Option<&PolicyVersion> {
    versions
        .iter()
        .filter(|v| v.effective <= date)
        .max_by_key(|v| (v.effective, v.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_v1_is_the_published_text_with_four_purposes() {
        let v1 = &shipped()[0];
        assert_eq!(v1.version, 1);
        assert_eq!(
            v1.sha256, "d6a7873cd20f78a63f6889efcebcb2e91da9aa9def01aeaa4de42dd412446787",
            "the shipped policy text must be the published version 1, byte for byte"
        );
        assert!(v1.text.contains("Политика конфиденциальности"));
        let codes: Vec<(&str, bool)> = v1
            .purposes
            .iter()
            .map(|p| (p.code.as_str(), p.required))
            .collect();
        assert_eq!(
            codes,
            [
                ("issue-microcredit", true),
                ("third-party-transfer", true),
                ("agreement-monitoring", true),
                ("advertising", false)
            ],
            "DESIGN: advertising is the one optional purpose of version 1"
        );
        for p in &v1.purposes {
            assert!(
                v1.text.contains(p.title_in("ru")),
                "the purpose {:?} must be worded as in the policy text",
                p.code
            );
            assert!(
                p.title.contains_key("kk"),
                "every purpose has a Kazakh title"
            );
        }
    }

    #[test]
    fn the_credit_bureau_terms_are_their_own_scope_with_two_required_purposes() {
        let b = &shipped_in(Scope::CreditBureau)[0];
        assert_eq!(b.scope, Scope::CreditBureau);
        assert_eq!(shipped()[0].scope, Scope::Privacy);
        assert!(b.purposes.iter().all(|p| p.required));
        for p in &b.purposes {
            assert!(b.text.contains(p.title_in("ru").split(' ').next().unwrap()));
        }
    }

    #[test]
    fn a_changed_byte_in_the_text_is_refused() {
        let mut text = V1_TEXT.to_owned();
        text.push(' ');
        assert_eq!(
            PolicyVersion::from_parts(V1_DESCRIPTION, &text),
            Err(PolicyError::HashMismatch)
        );
    }

    #[test]
    fn the_version_in_force_is_the_latest_effective_one() {
        let v1 = shipped()[0].clone();
        let mut v2 = v1.clone();
        v2.version = 2;
        v2.effective = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        let all = [v1, v2];
        let on =
            |y, m, d| in_force(&all, NaiveDate::from_ymd_opt(y, m, d).unwrap()).map(|v| v.version);
        assert_eq!(
            on(2025, 12, 31),
            None,
            "nothing is in force before version 1"
        );
        assert_eq!(on(2026, 11, 26), Some(1));
        assert_eq!(
            on(2027, 3, 1),
            Some(2),
            "a version is in force from its effective day"
        );
    }
}
