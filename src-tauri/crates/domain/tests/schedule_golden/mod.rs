//! Schedules and ГЭСВ against loans worked out by hand (`vectors/hand_checked.json`, each loan with
//! its arithmetic written out), and a property test that the solved ГЭСВ really solves its equation
//! and is rounded to the right tenth of a percent.
//!
//! Included from `domain.rs` so the crate keeps one integration-test binary.

use chrono::{Days, NaiveDate};
use domain::Money;
use domain::gesv::{Flow, npv};
use domain::schedule::{Method, Schedule, Terms, build};
use proptest::prelude::*;

fn hand_checked() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/hand_checked.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("hand-checked vectors are readable"))
        .expect("hand-checked vectors are JSON")
}

/// An integer field of a vector object, named in the panic if it is missing.
fn int(v: &serde_json::Value, key: &str, ctx: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{ctx}: `{key}` must be an integer in the vector"))
}

fn terms_of(loan: &serde_json::Value, name: &str) -> Terms {
    let t = &loan["terms"];
    let ctx = format!("{name} terms");
    Terms {
        principal: Money::from_tiyn(int(t, "principal", &ctx)),
        annual_rate_bp: u32::try_from(int(t, "annual_rate_bp", &ctx)).expect("rate fits u32"),
        months: u32::try_from(int(t, "months", &ctx)).expect("months fit u32"),
        issue_date: t["issue_date"]
            .as_str()
            .expect("issue_date")
            .parse()
            .expect("issue_date is an ISO date"),
        method: match t["method"].as_str() {
            Some("annuity") => Method::Annuity,
            Some("equal-principal") => Method::EqualPrincipal,
            other => panic!("{name}: unknown method {other:?}"),
        },
        issuance_fee: Money::from_tiyn(int(t, "issuance_fee", &ctx)),
        monthly_fee: Money::from_tiyn(int(t, "monthly_fee", &ctx)),
    }
}

/// Every row, every total and the ГЭСВ of every hand-checked loan must match to the tiyn (to the
/// tenth of a percent for the ГЭСВ). These are the figures an officer prints on the offer and the
/// schedule the client signs, so a difference of one tiyn is a wrong document, not a rounding
/// detail. A failure names the loan, the row and the field; the loan's `working` in the JSON shows
/// how the expected figure was obtained.
#[test]
fn schedules_match_hand_checked_loans() {
    let v = hand_checked();
    let loans = v["loans"].as_array().expect("loans");
    assert!(
        loans.len() >= 10,
        "the issue asks for at least 10 hand-checked loans, found {}",
        loans.len()
    );
    for loan in loans {
        let name = loan["name"].as_str().expect("every loan has a name");
        assert!(
            loan["working"].as_array().is_some_and(|w| !w.is_empty()),
            "{name}: a hand-checked loan must show its working"
        );
        let terms = terms_of(loan, name);
        let s = build(&terms).unwrap_or_else(|e| panic!("{name}: the schedule must build: {e}"));
        let rows = loan["installments"].as_array().expect("installments");
        assert_eq!(
            s.installments.len(),
            rows.len(),
            "{name}: one payment per month of the term"
        );
        for (got, want) in s.installments.iter().zip(rows) {
            let n = got.number;
            let ctx = format!("{name} row {n}");
            assert_eq!(
                i64::from(n),
                int(want, "number", &ctx),
                "{ctx}: rows are numbered from 1 in order"
            );
            assert_eq!(
                got.date.to_string(),
                want["date"].as_str().expect("date"),
                "{ctx}: date — payment k falls k months after the issue, clamped to the month's end; \
                 a wrong date is a wrong contract and shifts every day count"
            );
            assert_eq!(
                i64::from(got.days),
                int(want, "days", &ctx),
                "{ctx}: days — interest and the ГЭСВ run on the actual days since the previous payment"
            );
            let money = [
                (
                    "principal",
                    got.principal,
                    "the method decides the principal part (annuity: A − interest; equal: floor(P/n)); \
                     the last payment takes the remaining balance",
                ),
                (
                    "interest",
                    got.interest,
                    "balance × rate × days / 365, rounded half-up to the tiyn",
                ),
                ("fee", got.fee, "the monthly fee is added to every payment"),
                (
                    "total",
                    got.total,
                    "what the client pays on that date: principal + interest + fee",
                ),
                (
                    "balance",
                    got.balance,
                    "what the client still owes after this payment (0 after the last)",
                ),
            ];
            for (field, value, why) in money {
                assert_eq!(
                    value.tiyn(),
                    int(want, field, &ctx),
                    "{ctx}: {field} in tiyn — {why}"
                );
            }
        }
        check_totals(name, &s, &loan["totals"]);
        assert_eq!(
            s.gesv.tenths_of_percent(),
            int(loan, "gesv_tenths", name),
            "{name}: ГЭСВ in tenths of a percent (solved rate {:.6} %) — the legally capped rate \
             printed on the offer, rounded half-up to 0.1 %",
            s.gesv.rate * 100.0
        );
    }
}

fn check_totals(name: &str, s: &Schedule, want: &serde_json::Value) {
    let ctx = format!("{name} totals");
    let totals = [
        (
            "net_amount",
            s.net_amount,
            "what the client receives: principal − issuance fee (the ГЭСВ disbursement)",
        ),
        (
            "total_interest",
            s.total_interest,
            "the sum of the interest column",
        ),
        (
            "total_fees",
            s.total_fees,
            "issuance fee + every monthly fee: all the fees the client bears",
        ),
        (
            "total_paid",
            s.total_paid,
            "the sum of the payments the client makes back",
        ),
        (
            "overpayment",
            s.overpayment,
            "total paid + issuance fee − principal: the cost of the loan shown to the client",
        ),
    ];
    for (field, value, why) in totals {
        assert_eq!(
            value.tiyn(),
            int(want, field, &ctx),
            "{ctx}: {field} in tiyn — {why}"
        );
    }
}

/// The ГЭСВ equation's flows for a schedule: the net amount out on day 0, every payment back on
/// its day.
fn flows(s: &Schedule, issue: NaiveDate) -> (Vec<Flow>, Vec<Flow>) {
    let payments = s
        .installments
        .iter()
        .map(|r| Flow {
            day: u32::try_from((r.date - issue).num_days()).expect("payments follow the issue"),
            amount: r.total,
        })
        .collect();
    (
        vec![Flow {
            day: 0,
            amount: s.net_amount,
        }],
        payments,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// For any sane terms, the solved ГЭСВ makes the two sides of the equation equal (to a
    /// millionth of the principal), and the shown tenth of a percent is the half-up rounding of the
    /// root: NPV ≥ 0 at the shown value − 0.05 % and < 0 at the shown value + 0.05 % (NPV falls as
    /// the rate rises, so the root lies in that half-open interval). A wrong root or a wrong
    /// rounding would print an offer whose ГЭСВ is not the law's, and the cap check would be
    /// decided on it.
    #[test]
    fn the_gesv_solves_its_equation_and_rounds_to_the_right_tenth(
        principal_tiyn in 1_000_000i64..=500_000_000,
        rate_bp in 0u32..=5_600,
        months in 1u32..=36,
        annuity in any::<bool>(),
        issuance_fee_bp in 0i64..=500,
        monthly_fee_bp in 0i64..=100,
        // 2023-01-01 plus up to eight years: the leap years 2024 and 2028, month ends, 29.02.
        issue_offset in 0u64..(8 * 365 + 2),
    ) {
        let issue = NaiveDate::from_ymd_opt(2023, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(issue_offset)))
            .expect("a calendar date");
        let terms = Terms {
            principal: Money::from_tiyn(principal_tiyn),
            annual_rate_bp: rate_bp,
            months,
            issue_date: issue,
            method: if annuity { Method::Annuity } else { Method::EqualPrincipal },
            issuance_fee: Money::from_tiyn(principal_tiyn * issuance_fee_bp / 10_000),
            // Up to 1 % of the amount a month, at most 5 000 ₸.
            monthly_fee: Money::from_tiyn((principal_tiyn * monthly_fee_bp / 10_000).min(500_000)),
        };
        let s = build(&terms).expect("sane terms build");
        let (out, back) = flows(&s, issue);
        let rate = s.gesv.rate;
        let principal = principal_tiyn as f64;

        let residual = npv(rate, &out, &back);
        prop_assert!(
            residual.abs() < 1e-6 * principal,
            "NPV {} tiyn at the solved rate {} for {:?}: the rate does not solve the equation",
            residual, rate, terms
        );

        let tenths = s.gesv.tenths_of_percent();
        let below = (tenths as f64 - 0.5) / 1000.0;
        let above = (tenths as f64 + 0.5) / 1000.0;
        let (npv_below, npv_above) = (npv(below, &out, &back), npv(above, &out, &back));
        prop_assert!(
            npv_below >= 0.0 && npv_above < 0.0,
            "shown {} tenths (root {}): NPV {} at {} and {} at {} must change sign there, \
             else the root is outside [shown − 0.05 %, shown + 0.05 %) and rounds elsewhere; {:?}",
            tenths, rate, npv_below, below, npv_above, above, terms
        );
    }
}
