//! ГЭСВ (годовая эффективная ставка вознаграждения): the annual rate `i` that makes what the
//! client receives equal, in present value, to everything the client pays (NB RK resolution 208
//! of 26.11.2019):
//!
//! ```text
//! Σ S_j / (1+i)^(t_j/365) = Σ P_k / (1+i)^(t_k/365)
//! ```
//!
//! `S` are disbursements net of fees paid at issuance, `P` every payment (principal, interest,
//! fees; never penalties), `t` whole days from the first disbursement over a 365-day year (leap
//! years too). Shown rounded half-up to one decimal place. The rate is a ratio, not money, so it is
//! solved in floating point; the amounts going in are exact tiyn.

use std::fmt;

use crate::Money;

/// One dated amount: `day` counts whole days from the first disbursement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Whole days after the first disbursement.
    pub day: u32,
    /// The amount in tiyn, positive.
    pub amount: Money,
}

/// Why no ГЭСВ can be solved from the flows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GesvError {
    /// No disbursement flow was given.
    #[error("there is no disbursement")]
    NoDisbursement,
    /// No payment flow was given.
    #[error("there is no payment")]
    NoPayment,
    /// A flow's amount is zero or negative.
    #[error("an amount is not positive")]
    NonPositive,
    /// The payments add up to less than the disbursements.
    #[error("the payments do not cover the disbursement: no positive rate exists")]
    BelowPrincipal,
    /// No root below a rate of 10⁹ (100 000 000 000 %).
    #[error("the rate is beyond any plausible value")]
    OutOfRange,
}

/// The solved rate.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gesv {
    /// The exact root, as a fraction (0.5595 = 55.95 %).
    pub rate: f64,
}

impl Gesv {
    /// The rate in tenths of a percent, rounded half-up: 55.95… % → 560.
    pub fn tenths_of_percent(self) -> i64 {
        // A tiny epsilon keeps a true …x.x5 from rounding down through binary representation.
        (self.rate * 1000.0 + 0.5 + 1e-9).floor() as i64
    }
}

impl fmt::Display for Gesv {
    /// `56,0 %`: the decimal comma, as on the offer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.tenths_of_percent();
        let sign = if t < 0 { "-" } else { "" };
        write!(f, "{sign}{},{} %", t.abs() / 10, t.abs() % 10)
    }
}

/// Net present value of the payments minus the disbursements at annual rate `i`.
pub fn npv(i: f64, disbursements: &[Flow], payments: &[Flow]) -> f64 {
    let pv = |flows: &[Flow]| -> f64 {
        flows
            .iter()
            .map(|f| f.amount.tiyn() as f64 / (1.0 + i).powf(f64::from(f.day) / 365.0))
            .sum()
    };
    pv(payments) - pv(disbursements)
}

/// Solves the ГЭСВ equation by bisection (the NPV falls as the rate rises when money goes out
/// before it comes back, which [`GesvError::BelowPrincipal`] and the day order guarantee).
pub fn solve(disbursements: &[Flow], payments: &[Flow]) -> Result<Gesv, GesvError> {
    if disbursements.is_empty() {
        return Err(GesvError::NoDisbursement);
    }
    if payments.is_empty() {
        return Err(GesvError::NoPayment);
    }
    if disbursements
        .iter()
        .chain(payments)
        .any(|f| f.amount.tiyn() <= 0)
    {
        return Err(GesvError::NonPositive);
    }
    let total = |fs: &[Flow]| fs.iter().map(|f| i128::from(f.amount.tiyn())).sum::<i128>();
    if total(payments) < total(disbursements) {
        return Err(GesvError::BelowPrincipal);
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    while npv(hi, disbursements, payments) > 0.0 {
        hi *= 2.0;
        if hi > 1.0e9 {
            return Err(GesvError::OutOfRange);
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if npv(mid, disbursements, payments) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Gesv {
        rate: 0.5 * (lo + hi),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(day: u32, tenge: i64) -> Flow {
        Flow {
            day,
            amount: Money::from_tenge(tenge).expect("fits"),
        }
    }

    #[test]
    fn the_design_check_vector() {
        // DESIGN.md: 100 000 ₸ out on day 0, 103 720 ₸ back on day 30 → 55.95… → 56.0 %.
        let g = solve(&[flow(0, 100_000)], &[flow(30, 103_720)]).expect("solves");
        assert!((g.rate - 0.5595).abs() < 0.0005, "exact rate {}", g.rate);
        assert_eq!(g.tenths_of_percent(), 560);
        assert_eq!(g.to_string(), "56,0 %");
    }

    #[test]
    fn a_year_at_ten_percent_is_ten_percent() {
        let g = solve(&[flow(0, 100_000)], &[flow(365, 110_000)]).expect("solves");
        assert_eq!(g.tenths_of_percent(), 100);
        assert_eq!(g.to_string(), "10,0 %");
    }

    #[test]
    fn refuses_flows_that_have_no_rate() {
        assert_eq!(solve(&[], &[flow(30, 1)]), Err(GesvError::NoDisbursement));
        assert_eq!(solve(&[flow(0, 1)], &[]), Err(GesvError::NoPayment));
        assert_eq!(
            solve(&[flow(0, 100)], &[flow(30, 99)]),
            Err(GesvError::BelowPrincipal)
        );
        assert_eq!(
            solve(&[flow(0, 100)], &[flow(30, 0)]),
            Err(GesvError::NonPositive)
        );
    }

    proptest::proptest! {
        /// For any monthly loan whose payments exceed what was lent, the solved rate makes the two
        /// sides of the equation equal (to a millionth of the amount lent).
        #[test]
        fn the_solution_solves_the_equation(
            lent in 10_000i64..5_000_000,
            months in 1u32..60,
            markup_per_mille in 0i64..800,
        ) {
            let total = lent + lent * markup_per_mille / 1000;
            let per = total / i64::from(months);
            let mut payments: Vec<Flow> = (1..=months).map(|m| flow(m * 30 + m / 2, per)).collect();
            let rest = total - per * i64::from(months);
            if let Some(last) = payments.last_mut() {
                last.amount = Money::from_tenge(per + rest).expect("fits");
            }
            let d = [flow(0, lent)];
            let g = solve(&d, &payments).expect("solves");
            let residual = npv(g.rate, &d, &payments).abs();
            proptest::prop_assert!(residual <= lent as f64 * 100.0 * 1e-6, "residual {} tiyn at rate {}", residual, g.rate);
        }
    }
}
