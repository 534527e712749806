//! Repayment schedules: annuity and equal principal, monthly, interest on the actual days between
//! payment dates over a 365-day year, every amount in whole tiyn (half-up rounding, integer
//! arithmetic; the annuity factor alone is computed in 28-digit decimals). The schedule also gives
//! the total cost, the overpayment and the ГЭСВ of its own cash flows.

use chrono::{Months, NaiveDate};
use rust_decimal::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Money;
use crate::gesv::{self, Flow, Gesv};

/// How the principal is repaid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Equal total payments (the last one settles the rounding).
    Annuity,
    /// Equal principal parts, interest on the falling balance.
    EqualPrincipal,
}

/// What the officer and the product fix for one loan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    /// Amount lent.
    pub principal: Money,
    /// Nominal annual rate in basis points (36.5 % = 3650).
    pub annual_rate_bp: u32,
    /// Term in months, one payment each month.
    pub months: u32,
    /// Day the loan is issued; payments fall on the same day of later months.
    pub issue_date: NaiveDate,
    /// Annuity or equal principal.
    pub method: Method,
    /// Fee withheld when the loan is issued (reduces what the client receives).
    pub issuance_fee: Money,
    /// Fee added to every monthly payment.
    pub monthly_fee: Money,
}

/// One row of the schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installment {
    /// Payment number, from 1.
    pub number: u32,
    /// Payment date.
    pub date: NaiveDate,
    /// Days since the previous payment (or the issue).
    pub days: u32,
    /// Principal repaid.
    pub principal: Money,
    /// Interest for the days since the previous payment.
    pub interest: Money,
    /// Monthly fee.
    pub fee: Money,
    /// Principal, interest and fee together.
    pub total: Money,
    /// Principal still owed after this payment.
    pub balance: Money,
}

/// A loan's full repayment schedule with its totals and ГЭСВ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// The payments, in order.
    pub installments: Vec<Installment>,
    /// What the client actually receives: principal minus the issuance fee.
    pub net_amount: Money,
    /// Sum of the interest.
    pub total_interest: Money,
    /// Monthly fees plus the issuance fee.
    pub total_fees: Money,
    /// Everything the client pays back, fees included.
    pub total_paid: Money,
    /// Total paid plus the issuance fee, minus the principal.
    pub overpayment: Money,
    /// The annual effective rate of the schedule's own cash flows.
    pub gesv: Gesv,
}

/// Why a schedule cannot be built from the terms.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The principal is zero or negative.
    #[error("the amount must be positive")]
    Amount,
    /// The term is not 1 to 360 months.
    #[error("the term must be 1 to 360 months")]
    Term,
    /// A fee is negative, or the issuance fee is not less than the principal.
    #[error("the fee is negative or not less than the amount")]
    Fee,
    /// A payment date is outside the calendar's range.
    #[error("a payment date falls outside the calendar")]
    Date,
    /// An amount overflowed.
    #[error("the amounts overflow")]
    Overflow,
    /// The ГЭСВ could not be solved from the schedule's flows.
    #[error("the effective rate cannot be computed: {0}")]
    Gesv(#[from] gesv::GesvError),
}

/// `value × num / den`, rounded half-up, for non-negative operands (i128 throughout).
fn mul_div_half_up(value: i128, num: i128, den: i128) -> i128 {
    (value * num * 2 + den) / (den * 2)
}

/// Interest on `balance` for `days` at `rate_bp`, actual/365, in tiyn.
pub fn interest(balance: Money, rate_bp: u32, days: u32) -> Money {
    let i = mul_div_half_up(
        i128::from(balance.tiyn()),
        i128::from(rate_bp) * i128::from(days),
        10_000 * 365,
    );
    Money::from_tiyn(i64::try_from(i).unwrap_or(i64::MAX))
}

/// The annuity payment for the monthly rate `rate_bp / 12`: P·r / (1 − (1+r)^−n), half-up to tiyn.
pub fn annuity_payment(
    principal: Money,
    rate_bp: u32,
    months: u32,
) -> Result<Money, ScheduleError> {
    let p = Decimal::from(principal.tiyn());
    if rate_bp == 0 {
        let per = (p / Decimal::from(months))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        return per
            .to_i64()
            .map(Money::from_tiyn)
            .ok_or(ScheduleError::Overflow);
    }
    let r = Decimal::from(rate_bp) / Decimal::from(120_000u32);
    let growth = (Decimal::ONE + r)
        .checked_powu(u64::from(months))
        .ok_or(ScheduleError::Overflow)?;
    let a = p * r * growth / (growth - Decimal::ONE);
    a.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .map(Money::from_tiyn)
        .ok_or(ScheduleError::Overflow)
}

fn add(a: Money, b: Money) -> Result<Money, ScheduleError> {
    a.checked_add(b).ok_or(ScheduleError::Overflow)
}

/// Builds the schedule for `terms`.
pub fn build(terms: &Terms) -> Result<Schedule, ScheduleError> {
    if terms.principal.tiyn() <= 0 {
        return Err(ScheduleError::Amount);
    }
    if !(1..=360).contains(&terms.months) {
        return Err(ScheduleError::Term);
    }
    if terms.issuance_fee.tiyn() < 0
        || terms.monthly_fee.tiyn() < 0
        || terms.issuance_fee >= terms.principal
    {
        return Err(ScheduleError::Fee);
    }
    let n = terms.months;
    let annuity = match terms.method {
        Method::Annuity => Some(annuity_payment(terms.principal, terms.annual_rate_bp, n)?),
        Method::EqualPrincipal => None,
    };
    let base_principal = Money::from_tiyn(terms.principal.tiyn() / i64::from(n));
    let mut balance = terms.principal;
    let mut previous = terms.issue_date;
    let mut rows = Vec::with_capacity(n as usize);
    let (mut total_interest, mut total_fees, mut total_paid) =
        (Money::ZERO, Money::ZERO, Money::ZERO);
    for k in 1..=n {
        let date = terms
            .issue_date
            .checked_add_months(Months::new(k))
            .ok_or(ScheduleError::Date)?;
        let days = u32::try_from((date - previous).num_days()).map_err(|_| ScheduleError::Date)?;
        let interest = interest(balance, terms.annual_rate_bp, days);
        let principal = if k == n {
            balance
        } else {
            match annuity {
                Some(a) => a
                    .checked_sub(interest)
                    .filter(|p| p.tiyn() > 0)
                    .unwrap_or(Money::ZERO)
                    .min(balance),
                None => base_principal.min(balance),
            }
        };
        balance = balance
            .checked_sub(principal)
            .ok_or(ScheduleError::Overflow)?;
        let total = add(add(principal, interest)?, terms.monthly_fee)?;
        total_interest = add(total_interest, interest)?;
        total_fees = add(total_fees, terms.monthly_fee)?;
        total_paid = add(total_paid, total)?;
        rows.push(Installment {
            number: k,
            date,
            days,
            principal,
            interest,
            fee: terms.monthly_fee,
            total,
            balance,
        });
        previous = date;
    }
    let net_amount = terms
        .principal
        .checked_sub(terms.issuance_fee)
        .ok_or(ScheduleError::Overflow)?;
    let flows: Vec<Flow> = rows
        .iter()
        .map(|r| Flow {
            day: u32::try_from((r.date - terms.issue_date).num_days()).unwrap_or(u32::MAX),
            amount: r.total,
        })
        .collect();
    let gesv = gesv::solve(
        &[Flow {
            day: 0,
            amount: net_amount,
        }],
        &flows,
    )?;
    let overpayment = add(total_paid, terms.issuance_fee)?
        .checked_sub(terms.principal)
        .ok_or(ScheduleError::Overflow)?;
    Ok(Schedule {
        installments: rows,
        net_amount,
        total_interest,
        total_fees: add(total_fees, terms.issuance_fee)?,
        total_paid,
        overpayment,
        gesv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenge(t: i64) -> Money {
        Money::from_tenge(t).expect("fits")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn interest_is_actual_over_365_half_up() {
        // 100 000 ₸ × 12 % × 31 / 365 = 1 019,178… ₸ → 1 019,18 ₸.
        assert_eq!(
            interest(tenge(100_000), 1200, 31),
            Money::from_tiyn(101_918)
        );
        // Exactly half a tiyn rounds up: 1 tiyn × 50 % × 365/365 = 0,5 tiyn → 1.
        assert_eq!(
            interest(Money::from_tiyn(1), 5000, 365),
            Money::from_tiyn(1)
        );
    }

    #[test]
    fn the_textbook_annuity() {
        // 100 000 ₸ at 12 % a year over 12 months: 8 884,88 ₸ a month.
        assert_eq!(
            annuity_payment(tenge(100_000), 1200, 12),
            Ok(Money::from_tiyn(888_488))
        );
        assert_eq!(annuity_payment(tenge(120_000), 0, 12), Ok(tenge(10_000)));
    }

    #[test]
    fn payment_dates_clamp_to_month_end() {
        let s = build(&Terms {
            principal: tenge(30_000),
            annual_rate_bp: 0,
            months: 3,
            issue_date: day(2026, 1, 31),
            method: Method::EqualPrincipal,
            issuance_fee: Money::ZERO,
            monthly_fee: Money::ZERO,
        })
        .expect("builds");
        let dates: Vec<NaiveDate> = s.installments.iter().map(|r| r.date).collect();
        assert_eq!(
            dates,
            vec![day(2026, 2, 28), day(2026, 3, 31), day(2026, 4, 30)]
        );
        assert_eq!(
            s.installments.iter().map(|r| r.days).collect::<Vec<_>>(),
            vec![28, 31, 30]
        );
        assert_eq!(
            s.gesv.tenths_of_percent(),
            0,
            "an interest-free loan without fees costs 0,0 %"
        );
    }

    #[test]
    fn refuses_terms_that_make_no_loan() {
        let ok = Terms {
            principal: tenge(100_000),
            annual_rate_bp: 3000,
            months: 12,
            issue_date: day(2026, 11, 25),
            method: Method::Annuity,
            issuance_fee: Money::ZERO,
            monthly_fee: Money::ZERO,
        };
        assert_eq!(
            build(&Terms {
                principal: Money::ZERO,
                ..ok.clone()
            })
            .err(),
            Some(ScheduleError::Amount)
        );
        assert_eq!(
            build(&Terms {
                months: 0,
                ..ok.clone()
            })
            .err(),
            Some(ScheduleError::Term)
        );
        assert_eq!(
            build(&Terms {
                months: 361,
                ..ok.clone()
            })
            .err(),
            Some(ScheduleError::Term)
        );
        assert_eq!(
            build(&Terms {
                issuance_fee: tenge(100_000),
                ..ok.clone()
            })
            .err(),
            Some(ScheduleError::Fee)
        );
        assert!(build(&ok).is_ok());
    }

    proptest::proptest! {
        /// Whatever the terms, the principal parts add up to the principal exactly, the balance
        /// ends at zero, and every total is principal + interest + fee.
        #[test]
        fn schedules_balance_to_the_tiyn(
            tenge_amount in 10_000i64..10_000_000,
            rate_bp in 0u32..20_000,
            months in 1u32..=60,
            annuity in proptest::bool::ANY,
            fee in 0i64..5_000,
        ) {
            let terms = Terms {
                principal: tenge(tenge_amount),
                annual_rate_bp: rate_bp,
                months,
                issue_date: day(2026, 1, 31),
                method: if annuity { Method::Annuity } else { Method::EqualPrincipal },
                issuance_fee: tenge(fee),
                monthly_fee: Money::from_tiyn(fee),
            };
            let s = build(&terms).expect("builds");
            let principal: i64 = s.installments.iter().map(|r| r.principal.tiyn()).sum();
            proptest::prop_assert_eq!(principal, terms.principal.tiyn());
            proptest::prop_assert_eq!(s.installments.last().map(|r| r.balance), Some(Money::ZERO));
            for r in &s.installments {
                proptest::prop_assert_eq!(r.total.tiyn(), r.principal.tiyn() + r.interest.tiyn() + r.fee.tiyn());
            }
        }
    }
}
