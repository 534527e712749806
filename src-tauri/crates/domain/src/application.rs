//! A loan application: the officer's terms checked against the catalog (a quote), and the lifecycle
//! with maker-checker.
//!
//! ```text
//! draft ──submit──▶ submitted ──approve──▶ approved ──issue offer──▶ offer_issued ──sign──▶ signed
//!   ▲                 │ │ │
//!   │ (revise: a new  │ │ └─return──▶ returned ──revise──▶ superseded (+ a new draft version)
//!   │  draft version) │ └──decline──▶ declined
//!                     └──refer─────▶ referred (head office decides)
//! ```
//! The checker is a supervisor who made no version of the application; above their approval limit
//! they may only return it or refer it to head office. A change after submission is a new version
//! naming the one it replaces; the replaced one is kept, marked superseded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Quote, QuoteError};
use crate::field::{FieldProblem, Problem, Problems, Range, Shape, text};
use crate::money::Money;
use crate::schedule::Method;

/// Longest loan purpose text.
pub const MAX_PURPOSE: usize = 200;

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Being prepared by the maker; not yet sent for a decision.
    Draft,
    /// Sent to a supervisor and waiting for their decision.
    Submitted,
    /// Above the supervisor's limit and passed to head office to decide.
    Referred,
    /// Approved by the checker; the offer may now be issued.
    Approved,
    /// Refused by the checker, with the reason given to the client.
    Declined,
    /// Sent back to the maker with a reason, to be revised.
    Returned,
    /// The offer has been issued to the client and awaits their signature.
    OfferIssued,
    /// Signed by the client: the end of the lifecycle on the desk.
    Signed,
    /// Replaced by a newer version; kept for the record.
    Superseded,
}

impl Stage {
    /// Every stage, in lifecycle order.
    pub const ALL: [Stage; 9] = [
        Stage::Draft,
        Stage::Submitted,
        Stage::Referred,
        Stage::Approved,
        Stage::Declined,
        Stage::Returned,
        Stage::OfferIssued,
        Stage::Signed,
        Stage::Superseded,
    ];

    /// The stage's stored name (`draft`, `offer_issued`, …), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Submitted => "submitted",
            Stage::Referred => "referred",
            Stage::Approved => "approved",
            Stage::Declined => "declined",
            Stage::Returned => "returned",
            Stage::OfferIssued => "offer_issued",
            Stage::Signed => "signed",
            Stage::Superseded => "superseded",
        }
    }

    /// The stage with this stored name, if any.
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A step of the lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The maker sends a draft for a decision.
    Submit,
    /// The checker approves a submitted application.
    Approve,
    /// The checker refuses a submitted application (a reason is required).
    Decline,
    /// The checker sends a submitted application back to the maker (a reason is required).
    Return,
    /// The checker passes a submitted application to head office.
    Refer,
    /// The maker issues the offer on an approved application.
    IssueOffer,
    /// The client signs the issued offer.
    Sign,
    /// Replace with a new draft version (after return, or after approval before the offer).
    Revise,
}

impl Step {
    /// Every step, in lifecycle order.
    pub const ALL: [Step; 8] = [
        Step::Submit,
        Step::Approve,
        Step::Decline,
        Step::Return,
        Step::Refer,
        Step::IssueOffer,
        Step::Sign,
        Step::Revise,
    ];

    /// The step's stored name (`submit`, `issue_offer`, …), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Approve => "approve",
            Step::Decline => "decline",
            Step::Return => "return",
            Step::Refer => "refer",
            Step::IssueOffer => "issue_offer",
            Step::Sign => "sign",
            Step::Revise => "revise",
        }
    }

    /// The checker's decisions (the rest are the maker's steps).
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            Step::Approve | Step::Decline | Step::Return | Step::Refer
        )
    }

    /// Decline and return must say why, to the client and to the maker.
    pub fn needs_reason(self) -> bool {
        matches!(self, Step::Decline | Step::Return)
    }
}

/// Why a step is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The step does not start from the application's current stage.
    #[error("this step is not possible from the application's current stage")]
    WrongStage,
    /// The actor is on both sides of maker-checker for this application.
    #[error("maker and checker must be different officers")]
    SameOfficer,
    /// A decision was asked of an officer who is not a supervisor.
    #[error("only a supervisor decides applications")]
    NotChecker,
    /// The amount exceeds the supervisor's approval limit for an approval.
    #[error(
        "the amount is above this supervisor's approval limit: decline it, return it or refer it to head office"
    )]
    AboveLimit,
    /// A decline or a return came without a reason.
    #[error("a decline or a return must give the reason")]
    ReasonRequired,
}

/// Who asks for a step, as the lifecycle needs to know them.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The officer asking for the step.
    pub officer_id: &'a str,
    /// Whether the officer is a supervisor (only supervisors decide).
    pub is_supervisor: bool,
    /// The highest amount this officer may approve.
    pub approval_limit: Money,
}

/// Who has taken part in an application so far, across its versions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Parties<'a> {
    /// Officers who made (created or submitted) a version.
    pub makers: &'a [&'a str],
    /// Officers who decided a version.
    pub checkers: &'a [&'a str],
}

/// The short number officers read out and print: the first 8 characters of the application's
/// lineage (the id of its version 1), upper case, e.g. `A1B2C3D4`. The same on screen and paper.
pub fn short_number(lineage: &str) -> String {
    lineage.chars().take(8).collect::<String>().to_uppercase()
}

/// The stage after `step` from `stage`, if the step is allowed for `actor` on an application of
/// `amount` with these `parties`. Maker and checker stay two people both ways: a maker never
/// decides, and whoever decided does not take the maker's steps (submit, offer, sign, revise).
pub fn next(
    stage: Stage,
    step: Step,
    actor: &Actor<'_>,
    parties: Parties<'_>,
    amount: Money,
    reason: Option<&str>,
) -> Result<Stage, StepError> {
    let makers = parties.makers;
    let to = match (stage, step) {
        (Stage::Draft, Step::Submit) => Stage::Submitted,
        (Stage::Submitted, Step::Approve) => Stage::Approved,
        (Stage::Submitted, Step::Decline) => Stage::Declined,
        (Stage::Submitted, Step::Return) => Stage::Returned,
        (Stage::Submitted, Step::Refer) => Stage::Referred,
        (Stage::Approved, Step::IssueOffer) => Stage::OfferIssued,
        (Stage::OfferIssued, Step::Sign) => Stage::Signed,
        (Stage::Returned | Stage::Approved, Step::Revise) => Stage::Superseded,
        _ => return Err(StepError::WrongStage),
    };
    if step.is_decision() {
        if !actor.is_supervisor {
            return Err(StepError::NotChecker);
        }
        if makers.contains(&actor.officer_id) {
            return Err(StepError::SameOfficer);
        }
        // Saying no carries no credit risk: any supervisor may decline; approving is bounded.
        if step == Step::Approve && amount > actor.approval_limit {
            return Err(StepError::AboveLimit);
        }
    } else if parties.checkers.contains(&actor.officer_id) {
        return Err(StepError::SameOfficer);
    }
    if step.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StepError::ReasonRequired);
    }
    Ok(to)
}

/// The application form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApplicationForm {
    /// Catalog product id as chosen.
    pub product_id: String,
    /// Loan amount as typed, in tenge.
    pub amount: String,
    /// Term in months (0 when not chosen).
    pub months: u32,
    /// Repayment method, if chosen.
    pub method: Option<Method>,
    /// What the loan is for, as typed.
    pub purpose: String,
}

/// Checked terms and their quote on the issue date.
#[derive(Clone, Debug, PartialEq)]
pub struct Terms {
    /// Catalog product id.
    pub product_id: String,
    /// Loan amount.
    pub amount: Money,
    /// Term in months.
    pub months: u32,
    /// Repayment method.
    pub method: Method,
    /// What the loan is for, trimmed.
    pub purpose: String,
    /// Day the loan would be issued, from which the schedule runs.
    pub issue_date: NaiveDate,
    /// The catalog's quote for these terms on the issue date.
    pub quote: Quote,
}

/// Which field a refused quote belongs to.
pub fn quote_field(e: &QuoteError) -> &'static str {
    match e {
        QuoteError::UnknownProduct(_) => "product_id",
        QuoteError::AmountBelow { .. } | QuoteError::AmountAbove { .. } => "amount",
        QuoteError::Term { .. } => "months",
        QuoteError::Method => "method",
        _ => "terms",
    }
}

/// Checks the form and quotes it; problems of the form first, then the quote's refusal.
pub fn check(
    form: &ApplicationForm,
    catalog: &Catalog,
    issue_date: NaiveDate,
) -> Result<Terms, (Vec<FieldProblem>, Option<QuoteError>)> {
    let mut p = Problems::default();
    let product_id = form.product_id.trim();
    if product_id.is_empty() {
        p.add("product_id", Problem::Required);
    }
    // An amount or a term of nothing is refused with the product's limits named.
    let product = catalog.product(product_id, issue_date);
    let amount = if form.amount.trim().is_empty() {
        p.add("amount", Problem::Required);
        None
    } else {
        p.take(
            "amount",
            Money::parse(&form.amount)
                .map_err(|_| Problem::Format(Shape::Money))
                .and_then(|m| {
                    if m > Money::ZERO {
                        Ok(m)
                    } else {
                        Err(Problem::OutOfRange(Range::Money {
                            min: product.and_then(|p| Money::from_tenge(p.min_amount_tenge)),
                            max: product.and_then(|p| Money::from_tenge(p.max_amount_tenge)),
                        }))
                    }
                }),
        )
    };
    if form.months == 0 {
        p.add(
            "months",
            product.map_or(Problem::Required, |p| {
                Problem::OutOfRange(Range::Months {
                    min: p.min_months,
                    max: p.max_months,
                })
            }),
        );
    }
    if form.method.is_none() {
        p.add("method", Problem::Required);
    }
    let purpose = p
        .take("purpose", text(&form.purpose, MAX_PURPOSE, true))
        .flatten();
    let (Some(amount), Some(method), Some(purpose), true) =
        (amount, form.method, purpose, p.0.is_empty())
    else {
        return Err((p.0, None));
    };
    match catalog.quote(product_id, amount, form.months, method, issue_date) {
        Ok(quote) => Ok(Terms {
            product_id: product_id.to_owned(),
            amount,
            months: form.months,
            method,
            purpose,
            issue_date,
            quote,
        }),
        Err(e) => Err((
            vec![FieldProblem {
                field: quote_field(&e),
                problem: Problem::Refused,
            }],
            Some(e),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenge(t: i64) -> Money {
        Money::from_tenge(t).expect("money")
    }

    fn makers<'a>(m: &'a [&'a str]) -> Parties<'a> {
        Parties {
            makers: m,
            checkers: &[],
        }
    }

    #[test]
    fn whoever_decided_does_not_take_the_makers_steps() {
        let s = supervisor("sup");
        let parties = Parties {
            makers: &["off"],
            checkers: &["sup"],
        };
        for (stage, step) in [
            (Stage::Approved, Step::IssueOffer),
            (Stage::Approved, Step::Revise),
            (Stage::Returned, Step::Revise),
        ] {
            assert_eq!(
                next(stage, step, &s, parties, tenge(5), None),
                Err(StepError::SameOfficer),
                "the checker of {stage:?} must not {step:?}"
            );
        }
    }

    fn supervisor(id: &str) -> Actor<'_> {
        Actor {
            officer_id: id,
            is_supervisor: true,
            approval_limit: tenge(1_000_000),
        }
    }

    #[test]
    fn the_maker_never_checks_their_own_application() {
        let s = supervisor("sup");
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Approve,
                &s,
                Parties {
                    makers: &["off", "sup"],
                    checkers: &[]
                },
                tenge(10),
                None
            ),
            Err(StepError::SameOfficer),
            "a supervisor who made an earlier version is a maker too"
        );
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Approve,
                &s,
                Parties {
                    makers: &["off"],
                    checkers: &[]
                },
                tenge(10),
                None
            ),
            Ok(Stage::Approved)
        );
    }

    #[test]
    fn above_the_limit_a_supervisor_may_decline_return_or_refer_but_not_approve() {
        let s = supervisor("sup");
        let big = tenge(1_000_001);
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Approve,
                &s,
                makers(&["off"]),
                big,
                None
            ),
            Err(StepError::AboveLimit),
            "approving above the limit is head office's call"
        );
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Decline,
                &s,
                makers(&["off"]),
                big,
                Some("x")
            ),
            Ok(Stage::Declined),
            "saying no carries no credit risk: a supervisor declines at any amount"
        );
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Refer,
                &s,
                makers(&["off"]),
                big,
                None
            ),
            Ok(Stage::Referred)
        );
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Return,
                &s,
                Parties {
                    makers: &["off"],
                    checkers: &[]
                },
                big,
                Some("паспорт")
            ),
            Ok(Stage::Returned)
        );
    }

    #[test]
    fn officers_do_not_decide_and_reasons_are_required() {
        let o = Actor {
            officer_id: "o2",
            is_supervisor: false,
            approval_limit: tenge(1_000_000),
        };
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Approve,
                &o,
                makers(&["o1"]),
                tenge(5),
                None
            ),
            Err(StepError::NotChecker)
        );
        let s = supervisor("sup");
        assert_eq!(
            next(
                Stage::Submitted,
                Step::Decline,
                &s,
                Parties {
                    makers: &["o1"],
                    checkers: &[]
                },
                tenge(5),
                Some("  ")
            ),
            Err(StepError::ReasonRequired)
        );
    }

    #[test]
    fn only_listed_transitions_exist() {
        let s = supervisor("sup");
        let allowed = [
            (Stage::Draft, Step::Submit),
            (Stage::Submitted, Step::Approve),
            (Stage::Submitted, Step::Decline),
            (Stage::Submitted, Step::Return),
            (Stage::Submitted, Step::Refer),
            (Stage::Approved, Step::IssueOffer),
            (Stage::OfferIssued, Step::Sign),
            (Stage::Returned, Step::Revise),
            (Stage::Approved, Step::Revise),
        ];
        for stage in Stage::ALL {
            for step in Step::ALL {
                let r = next(stage, step, &s, makers(&["o"]), tenge(5), Some("why"));
                assert_eq!(
                    r.is_ok(),
                    allowed.contains(&(stage, step)),
                    "{step:?} from {stage:?}"
                );
            }
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        }
    }
}
