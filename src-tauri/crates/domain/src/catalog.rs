//! Products, legal caps and МРП values as dated configuration (shipped as `config/catalog.json`,
//! later replaced by head office), and the quote: a schedule for an officer's terms, refused with
//! the rule named when the terms leave the product or break a cap in force on the issue date.
//!
//! Caps (2026 defaults): a microcredit's ГЭСВ at most 46 %; a "short" one (at most 45 days and 45
//! МРП) instead needs a daily rate under 0.3 % and a ГЭСВ at most 179 %. None of these numbers is
//! in code: they come from the catalog.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Money;
use crate::schedule::{self, Method, Schedule, ScheduleError, Terms};

/// A loan product as the catalog offers it from a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Stable product code; several entries share it over time.
    pub id: String,
    /// Display names by language code (`ru`, `kk`, `en`).
    pub name: BTreeMap<String, String>,
    /// The date from which this entry is in force.
    pub valid_from: NaiveDate,
    /// Smallest amount, in whole tenge.
    pub min_amount_tenge: i64,
    /// Largest amount, in whole tenge.
    pub max_amount_tenge: i64,
    /// Shortest term, in months.
    pub min_months: u32,
    /// Longest term, in months.
    pub max_months: u32,
    /// Nominal annual interest rate, in basis points.
    pub annual_rate_bp: u32,
    /// Withheld at issue, in basis points of the amount.
    pub issuance_fee_bp: u32,
    /// Fee added to every monthly payment, in whole tenge.
    pub monthly_fee_tenge: i64,
    /// Repayment methods this product allows.
    pub methods: Vec<Method>,
}

/// The legal caps in force from a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caps {
    /// The date from which these caps apply.
    pub valid_from: NaiveDate,
    /// Highest ГЭСВ of an ordinary microcredit, in tenths of a percent.
    pub max_gesv_tenths: i64,
    /// Longest term, in days, of a short loan.
    pub short_loan_max_days: i64,
    /// Largest amount, in МРП, of a short loan.
    pub short_loan_max_mrp: i64,
    /// The daily rate must stay strictly under this many basis points.
    pub short_loan_max_daily_rate_bp: u32,
    /// Highest ГЭСВ of a short loan, in tenths of a percent.
    pub short_loan_max_gesv_tenths: i64,
}

/// The МРП (monthly calculation index) set for one year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mrp {
    /// Calendar year.
    pub year: i32,
    /// The МРП in whole tenge.
    pub tenge: i64,
}

/// The whole catalog: products, caps and МРП values, each dated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Every product entry, all dates.
    pub products: Vec<Product>,
    /// Every set of caps, all dates.
    pub caps: Vec<Caps>,
    /// МРП values by year.
    pub mrp: Vec<Mrp>,
}

/// Why a quote is refused; each names the rule so the officer can say it to the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    /// The catalog JSON could not be read or holds an amount that overflows.
    #[error("the catalog is not valid: {0}")]
    Catalog(String),
    /// No entry of this product id is in force on the issue date.
    #[error("no product {0:?} is offered on the issue date")]
    UnknownProduct(String),
    /// The amount is below the product's minimum.
    #[error("the amount is below the product's minimum of {min}")]
    AmountBelow {
        /// The product's minimum amount.
        min: Money,
    },
    /// The amount is above the product's maximum.
    #[error("the amount is above the product's maximum of {max}")]
    AmountAbove {
        /// The product's maximum amount.
        max: Money,
    },
    /// The term is outside the product's range of months.
    #[error("the term must be {min} to {max} months for this product")]
    Term {
        /// The product's shortest term, in months.
        min: u32,
        /// The product's longest term, in months.
        max: u32,
    },
    /// The product does not allow the chosen repayment method.
    #[error("this product is not repaid that way")]
    Method,
    /// No caps are in force on the issue date.
    #[error("no legal caps are configured for the issue date")]
    NoCaps,
    /// No МРП is configured for the issue date's year.
    #[error("no МРП value is configured for {0}")]
    NoMrp(i32),
    /// The schedule's ГЭСВ exceeds the cap that applies to this loan.
    #[error("the ГЭСВ of {gesv_tenths} tenths of a percent is above the cap of {cap_tenths}")]
    GesvCap {
        /// The schedule's ГЭСВ, in tenths of a percent.
        gesv_tenths: i64,
        /// The cap in force, in tenths of a percent.
        cap_tenths: i64,
    },
    /// A short loan's daily rate (annual rate / 365) is not under the cap.
    #[error("a short loan's daily rate must stay under {cap_bp} basis points")]
    DailyRateCap {
        /// The cap on the daily rate, in basis points.
        cap_bp: u32,
    },
    /// The schedule could not be built.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// A quote the officer can show: the schedule and which caps it was checked against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// The product id quoted.
    pub product_id: String,
    /// The repayment schedule with its totals and ГЭСВ.
    pub schedule: Schedule,
    /// Whether the short-loan rules applied (≤ 45 days and ≤ 45 МРП).
    pub short_loan: bool,
    /// The ГЭСВ cap the quote was checked against, in tenths of a percent.
    pub gesv_cap_tenths: i64,
}

impl Catalog {
    /// Reads a catalog from its JSON.
    pub fn from_json(text: &str) -> Result<Catalog, QuoteError> {
        serde_json::from_str(text).map_err(|e| QuoteError::Catalog(e.to_string()))
    }

    /// The entry in force on `date` among those sharing an id (latest `valid_from` not after it).
    pub fn product(&self, id: &str, date: NaiveDate) -> Option<&Product> {
        self.products
            .iter()
            .filter(|p| p.id == id && p.valid_from <= date)
            .max_by_key(|p| p.valid_from)
    }

    /// The products offered on `date`: each id once (its entry in force), in the catalog's order
    /// of first appearance; ids with no entry in force yet are left out.
    pub fn products_on(&self, date: NaiveDate) -> Vec<&Product> {
        let mut ids: Vec<&str> = Vec::new();
        for p in &self.products {
            if !ids.contains(&p.id.as_str()) {
                ids.push(&p.id);
            }
        }
        ids.into_iter()
            .filter_map(|id| self.product(id, date))
            .collect()
    }

    /// The caps in force on `date` (latest `valid_from` not after it).
    pub fn caps_on(&self, date: NaiveDate) -> Option<&Caps> {
        self.caps
            .iter()
            .filter(|c| c.valid_from <= date)
            .max_by_key(|c| c.valid_from)
    }

    /// The МРП for `year`, if configured.
    pub fn mrp(&self, year: i32) -> Option<Money> {
        self.mrp
            .iter()
            .find(|m| m.year == year)
            .and_then(|m| Money::from_tenge(m.tenge))
    }

    /// Builds the schedule for the officer's terms and checks it against the product and caps.
    pub fn quote(
        &self,
        product_id: &str,
        amount: Money,
        months: u32,
        method: Method,
        issue_date: NaiveDate,
    ) -> Result<Quote, QuoteError> {
        let p = self
            .product(product_id, issue_date)
            .ok_or_else(|| QuoteError::UnknownProduct(product_id.to_owned()))?;
        let tenge = |t: i64| {
            Money::from_tenge(t).ok_or_else(|| QuoteError::Catalog("amount overflows".into()))
        };
        let (min, max) = (tenge(p.min_amount_tenge)?, tenge(p.max_amount_tenge)?);
        if amount < min {
            return Err(QuoteError::AmountBelow { min });
        }
        if amount > max {
            return Err(QuoteError::AmountAbove { max });
        }
        if !(p.min_months..=p.max_months).contains(&months) {
            return Err(QuoteError::Term {
                min: p.min_months,
                max: p.max_months,
            });
        }
        if !p.methods.contains(&method) {
            return Err(QuoteError::Method);
        }
        let caps = self.caps_on(issue_date).ok_or(QuoteError::NoCaps)?;
        let mrp = self
            .mrp(issue_date.year())
            .ok_or(QuoteError::NoMrp(issue_date.year()))?;
        let fee = Money::from_tiyn(
            i64::try_from(i128::from(amount.tiyn()) * i128::from(p.issuance_fee_bp) / 10_000)
                .map_err(|_| QuoteError::Catalog("fee overflows".into()))?,
        );
        let terms = Terms {
            principal: amount,
            annual_rate_bp: p.annual_rate_bp,
            months,
            issue_date,
            method,
            issuance_fee: fee,
            monthly_fee: tenge(p.monthly_fee_tenge)?,
        };
        let schedule = schedule::build(&terms)?;
        let last_day = schedule
            .installments
            .last()
            .map(|r| (r.date - issue_date).num_days())
            .unwrap_or(0);
        let short_limit = i128::from(mrp.tiyn()) * i128::from(caps.short_loan_max_mrp);
        let short_loan =
            last_day <= caps.short_loan_max_days && i128::from(amount.tiyn()) <= short_limit;
        let gesv_cap = if short_loan {
            // Daily rate = annual / 365; it must stay strictly under the cap.
            if u64::from(p.annual_rate_bp) >= u64::from(caps.short_loan_max_daily_rate_bp) * 365 {
                return Err(QuoteError::DailyRateCap {
                    cap_bp: caps.short_loan_max_daily_rate_bp,
                });
            }
            caps.short_loan_max_gesv_tenths
        } else {
            caps.max_gesv_tenths
        };
        let gesv = schedule.gesv.tenths_of_percent();
        if gesv > gesv_cap {
            return Err(QuoteError::GesvCap {
                gesv_tenths: gesv,
                cap_tenths: gesv_cap,
            });
        }
        Ok(Quote {
            product_id: p.id.clone(),
            schedule,
            short_loan,
            gesv_cap_tenths: gesv_cap,
        })
    }
}

/// A yearly rate in basis points as printed and shown: `3500` → `35,0 %` (tenths, rounded half up).
pub fn rate_text(bp: u32) -> String {
    let tenths = (bp + 5) / 10;
    format!("{},{} %", tenths / 10, tenths % 10)
}
