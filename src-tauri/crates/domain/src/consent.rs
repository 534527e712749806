//! Consent to processing personal data (Law 94-V, art. 7–8): given for each purpose of a policy
//! version, provable (who, when, how, on which text), and withdrawable. A client's consent is a
//! list of events, never overwritten: a grant records a decision for every purpose of the version
//! in force; a withdrawal turns given purposes off. [`Standing`] is what those events add up to
//! against the version in force now; the rules for withdrawing and for submitting an
//! application are checked against it.
//!
//! Two scopes share these mechanics: the privacy policy's purposes, and the separate consent to
//! credit-bureau reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::policy::PolicyVersion;

/// Which consent: the privacy policy's purposes, or the credit bureau's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The privacy policy's purposes of processing.
    Privacy,
    /// Credit-bureau reports: requesting the client's report and providing loan data.
    CreditBureau,
}

impl Scope {
    /// The scope as stored: `privacy` or `credit-bureau`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Privacy => "privacy",
            Scope::CreditBureau => "credit-bureau",
        }
    }

    /// The scope stored as `text`.
    pub fn parse(text: &str) -> Option<Scope> {
        [Scope::Privacy, Scope::CreditBureau]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// The kind of the printed form a grant in this scope answers: `consent` or `bureau-consent`.
    pub fn form_kind(self) -> &'static str {
        match self {
            Scope::Privacy => "consent",
            Scope::CreditBureau => "bureau-consent",
        }
    }
}

/// How a decision was taken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The client signed the paper form; its scan is attached.
    Paper,
    /// The client signed on the desk's screen.
    Screen,
    /// Both: the signed paper's scan and a signature on screen.
    PaperAndScreen,
    /// The client asked by telephone (withdrawals only; the officer attests it).
    Phone,
}

impl Method {
    /// The method as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Paper => "paper",
            Method::Screen => "screen",
            Method::PaperAndScreen => "paper-and-screen",
            Method::Phone => "phone",
        }
    }

    /// The method stored as `text`.
    pub fn parse(text: &str) -> Option<Method> {
        [
            Method::Paper,
            Method::Screen,
            Method::PaperAndScreen,
            Method::Phone,
        ]
        .into_iter()
        .find(|m| m.as_str() == text)
    }

    /// Whether the method needs a drawn signature and a scan: `(signature, scan)`.
    pub fn needs(self) -> (bool, bool) {
        match self {
            Method::Paper => (false, true),
            Method::Screen => (true, false),
            Method::PaperAndScreen => (true, true),
            Method::Phone => (false, false),
        }
    }
}

/// Grant or withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Decisions for every purpose of a policy version.
    Grant,
    /// Given purposes turned off.
    Withdraw,
}

impl Action {
    /// The action as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Grant => "grant",
            Action::Withdraw => "withdraw",
        }
    }

    /// The action stored as `text`.
    pub fn parse(text: &str) -> Option<Action> {
        [Action::Grant, Action::Withdraw]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// One consent event as the rules need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The event's id.
    pub id: String,
    /// Which consent.
    pub scope: Scope,
    /// Grant or withdrawal.
    pub action: Action,
    /// The policy version the event refers to.
    pub policy_version: u32,
    /// That version's SHA-256.
    pub policy_sha256: String,
    /// For a grant, every purpose's decision; for a withdrawal, the purposes withdrawn (false).
    pub decisions: BTreeMap<String, bool>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Why a consent step was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    /// A purpose of the policy has no decision.
    #[error("no decision for the purpose {0}")]
    Undecided(String),
    /// A decision for a purpose the policy does not have.
    #[error("the policy has no purpose {0}")]
    UnknownPurpose(String),
    /// The policy version and hash given are not the version in force.
    #[error("the policy version or its SHA-256 is not the version in force")]
    PolicyMismatch,
    /// Consent is taken in person: by paper, on screen, or both.
    #[error("consent is given in person, on paper or on screen")]
    InPersonOnly,
    /// A withdrawal names no purpose.
    #[error("no purpose to withdraw was named")]
    NothingToWithdraw,
    /// A withdrawal of a purpose that is not given now.
    #[error("the purpose {0} is not given, so it cannot be withdrawn")]
    NeverGiven(String),
    /// A required purpose while a signed loan is open.
    #[error("the purpose {0} is required while the client has an open loan")]
    RequiredWhileLoanOpen(String),
    /// No consent form was printed for this client under the version in force.
    #[error("print the consent form for this client first")]
    NoForm,
    /// Submitting without consent to every required purpose of the version in force.
    #[error("the client has not consented to the required purposes {0:?}")]
    Missing(Vec<String>),
    /// The client consented to an older version; the one in force must be consented to.
    #[error("consent was given to policy version {given}; version {in_force} is in force")]
    Renewal {
        /// The version the client consented to.
        given: u32,
        /// The version in force.
        in_force: u32,
    },
}

/// A purpose's state now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurposeState {
    /// The purpose's code.
    pub code: String,
    /// Required by the policy.
    pub required: bool,
    /// Given now.
    pub granted: bool,
    /// The event that set this state (none: never decided).
    pub event_id: Option<String>,
}

/// What a client's events add up to for one scope, against the version in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The version in force.
    pub in_force: u32,
    /// The version of the latest grant, if any.
    pub given_version: Option<u32>,
    /// The latest grant is to another version (or another text) than the one in force.
    pub renewal_needed: bool,
    /// Each purpose of the latest grant's version (or, with none, of the version in force).
    pub purposes: Vec<PurposeState>,
}

impl Standing {
    /// The client's standing in `scope` after `events` (in order), against `in_force`, whose
    /// version holds the purposes of the latest grant when it is the same version, and otherwise
    /// `given` (the version the client consented to) when the caller has it.
    pub fn of(
        events: &[Event],
        scope: Scope,
        in_force: &PolicyVersion,
        given: Option<&PolicyVersion>,
    ) -> Standing {
        let mine: Vec<&Event> = events.iter().filter(|e| e.scope == scope).collect();
        let last_grant = mine.iter().rposition(|e| e.action == Action::Grant);
        let Some(g) = last_grant else {
            return Standing {
                in_force: in_force.version,
                given_version: None,
                renewal_needed: false,
                purposes: in_force
                    .purposes
                    .iter()
                    .map(|p| PurposeState {
                        code: p.code.clone(),
                        required: p.required,
                        granted: false,
                        event_id: None,
                    })
                    .collect(),
            };
        };
        let grant = mine[g];
        let same =
            grant.policy_version == in_force.version && grant.policy_sha256 == in_force.sha256;
        let version = if same { Some(in_force) } else { given };
        let required = |code: &str| {
            version
                .and_then(|v| v.purposes.iter().find(|p| p.code == code))
                .is_some_and(|p| p.required)
        };
        let mut purposes: Vec<PurposeState> = grant
            .decisions
            .iter()
            .map(|(code, granted)| PurposeState {
                code: code.clone(),
                required: required(code),
                granted: *granted,
                event_id: Some(grant.id.clone()),
            })
            .collect();
        if let Some(v) = version {
            // The policy's order, not the codes' alphabetical one.
            purposes.sort_by_key(|s| v.purposes.iter().position(|p| p.code == s.code));
        }
        for w in &mine[g + 1..] {
            for (code, _) in w.decisions.iter() {
                if let Some(s) = purposes.iter_mut().find(|s| &s.code == code) {
                    s.granted = false;
                    s.event_id = Some(w.id.clone());
                }
            }
        }
        Standing {
            in_force: in_force.version,
            given_version: Some(grant.policy_version),
            renewal_needed: !same,
            purposes,
        }
    }

    /// Whether an application may be submitted: consent to the version in force, with every
    /// required purpose given.
    pub fn ready(&self) -> Result<(), ConsentError> {
        match self.given_version {
            Some(given) if self.renewal_needed => Err(ConsentError::Renewal {
                given,
                in_force: self.in_force,
            }),
            _ => {
                let missing: Vec<String> = self
                    .purposes
                    .iter()
                    .filter(|p| p.required && !p.granted)
                    .map(|p| p.code.clone())
                    .collect();
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(ConsentError::Missing(missing))
                }
            }
        }
    }

    /// Whether `purposes` may be withdrawn now, with or without an open loan.
    pub fn may_withdraw(&self, purposes: &[String], loan_open: bool) -> Result<(), ConsentError> {
        if purposes.is_empty() {
            return Err(ConsentError::NothingToWithdraw);
        }
        for code in purposes {
            let state = self
                .purposes
                .iter()
                .find(|p| &p.code == code)
                .filter(|p| p.granted)
                .ok_or_else(|| ConsentError::NeverGiven(code.clone()))?;
            if state.required && loan_open {
                return Err(ConsentError::RequiredWhileLoanOpen(code.clone()));
            }
        }
        Ok(())
    }
}

/// Checks a grant's decisions: the version and hash are those of `in_force`, the method is in
/// person, and there is exactly one decision for each of its purposes.
pub fn check_grant(
    in_force: &PolicyVersion,
    version: u32,
    sha256: &str,
    method: Method,
    decisions: &BTreeMap<String, bool>,
) -> Result<(), ConsentError> {
    if version != in_force.version || sha256 != in_force.sha256 {
        return Err(ConsentError::PolicyMismatch);
    }
    if method == Method::Phone {
        return Err(ConsentError::InPersonOnly);
    }
    if let Some(unknown) = decisions
        .keys()
        .find(|c| !in_force.purposes.iter().any(|p| &p.code == *c))
    {
        return Err(ConsentError::UnknownPurpose(unknown.clone()));
    }
    if let Some(p) = in_force
        .purposes
        .iter()
        .find(|p| !decisions.contains_key(&p.code))
    {
        return Err(ConsentError::Undecided(p.code.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::shipped;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + i64::from(minute) * 60, 0).unwrap()
    }

    fn all(granted: bool) -> BTreeMap<String, bool> {
        shipped()[0]
            .purposes
            .iter()
            .map(|p| (p.code.clone(), granted || p.required))
            .collect()
    }

    fn grant(id: &str, decisions: BTreeMap<String, bool>, policy: &PolicyVersion) -> Event {
        Event {
            id: id.into(),
            scope: Scope::Privacy,
            action: Action::Grant,
            policy_version: policy.version,
            policy_sha256: policy.sha256.clone(),
            decisions,
            at: at(0),
        }
    }

    fn withdraw(id: &str, code: &str) -> Event {
        let v1 = &shipped()[0];
        Event {
            id: id.into(),
            scope: Scope::Privacy,
            action: Action::Withdraw,
            policy_version: v1.version,
            policy_sha256: v1.sha256.clone(),
            decisions: [(code.to_owned(), false)].into(),
            at: at(5),
        }
    }

    #[test]
    fn no_consent_means_every_required_purpose_is_missing() {
        let v1 = &shipped()[0];
        let s = Standing::of(&[], Scope::Privacy, v1, None);
        assert_eq!(
            s.ready(),
            Err(ConsentError::Missing(vec![
                "issue-microcredit".into(),
                "third-party-transfer".into(),
                "agreement-monitoring".into()
            ]))
        );
    }

    #[test]
    fn a_grant_makes_the_client_ready_and_advertising_can_be_withdrawn() {
        let v1 = &shipped()[0];
        let events = vec![grant("g", all(true), v1)];
        let s = Standing::of(&events, Scope::Privacy, v1, None);
        assert_eq!(s.ready(), Ok(()));
        assert_eq!(
            s.purposes
                .iter()
                .map(|p| p.code.as_str())
                .collect::<Vec<_>>(),
            [
                "issue-microcredit",
                "third-party-transfer",
                "agreement-monitoring",
                "advertising"
            ],
            "purposes are listed in the policy's order"
        );
        assert_eq!(s.may_withdraw(&["advertising".into()], true), Ok(()));
        let after = [events, vec![withdraw("w", "advertising")]].concat();
        let s = Standing::of(&after, Scope::Privacy, v1, None);
        assert!(!s.purposes[3].granted);
        assert_eq!(s.purposes[3].event_id.as_deref(), Some("w"));
        assert_eq!(
            s.may_withdraw(&["advertising".into()], false),
            Err(ConsentError::NeverGiven("advertising".into())),
            "a purpose withdrawn already is not given"
        );
        assert_eq!(s.ready(), Ok(()), "advertising is optional");
    }

    #[test]
    fn a_required_purpose_stays_while_a_loan_is_open() {
        let v1 = &shipped()[0];
        let s = Standing::of(&[grant("g", all(false), v1)], Scope::Privacy, v1, None);
        assert_eq!(
            s.may_withdraw(&["issue-microcredit".into()], true),
            Err(ConsentError::RequiredWhileLoanOpen(
                "issue-microcredit".into()
            ))
        );
        assert_eq!(s.may_withdraw(&["issue-microcredit".into()], false), Ok(()));
        assert_eq!(
            s.may_withdraw(&["advertising".into()], false),
            Err(ConsentError::NeverGiven("advertising".into())),
            "the client refused advertising: there is nothing to withdraw"
        );
        let after = [
            vec![grant("g", all(false), v1)],
            vec![withdraw("w", "issue-microcredit")],
        ]
        .concat();
        assert_eq!(
            Standing::of(&after, Scope::Privacy, v1, None).ready(),
            Err(ConsentError::Missing(vec!["issue-microcredit".into()]))
        );
    }

    #[test]
    fn a_changed_policy_text_asks_for_renewal() {
        let v1 = &shipped()[0];
        let mut v2 = v1.clone();
        v2.version = 2;
        v2.text.push_str("\nИзменение.");
        v2.sha256 = crate::policy::sha256_hex(v2.text.as_bytes());
        assert_ne!(v2.sha256, v1.sha256, "another text, another hash");
        let events = vec![grant("g", all(true), v1)];
        let s = Standing::of(&events, Scope::Privacy, &v2, Some(v1));
        assert!(s.renewal_needed);
        assert_eq!(
            s.ready(),
            Err(ConsentError::Renewal {
                given: 1,
                in_force: 2
            })
        );
        // The same version number with another text is not the version consented to either.
        let mut v1b = v1.clone();
        v1b.sha256 = v2.sha256.clone();
        assert!(Standing::of(&events, Scope::Privacy, &v1b, None).renewal_needed);
    }

    #[test]
    fn a_grant_must_decide_each_purpose_of_the_version_in_force() {
        let v1 = &shipped()[0];
        let ok = all(true);
        assert_eq!(check_grant(v1, 1, &v1.sha256, Method::Screen, &ok), Ok(()));
        assert_eq!(
            check_grant(v1, 1, &"0".repeat(64), Method::Screen, &ok),
            Err(ConsentError::PolicyMismatch)
        );
        assert_eq!(
            check_grant(v1, 1, &v1.sha256, Method::Phone, &ok),
            Err(ConsentError::InPersonOnly)
        );
        let mut short = ok.clone();
        short.remove("advertising");
        assert_eq!(
            check_grant(v1, 1, &v1.sha256, Method::Paper, &short),
            Err(ConsentError::Undecided("advertising".into()))
        );
        let mut extra = ok;
        extra.insert("telemarketing".into(), true);
        assert_eq!(
            check_grant(v1, 1, &v1.sha256, Method::Paper, &extra),
            Err(ConsentError::UnknownPurpose("telemarketing".into()))
        );
    }
}
