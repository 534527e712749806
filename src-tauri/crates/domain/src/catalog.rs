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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    /// Display names by language code (`ru`, `kk`, `en`).
    pub name: BTreeMap<String, String>,
    pub valid_from: NaiveDate,
    pub min_amount_tenge: i64,
    pub max_amount_tenge: i64,
    pub min_months: u32,
    pub max_months: u32,
    pub annual_rate_bp: u32,
    /// Withheld at issue, in basis points of the amount.
    pub issuance_fee_bp: u32,
    pub monthly_fee_tenge: i64,
    pub methods: Vec<Method>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caps {
    pub valid_from: NaiveDate,
    pub max_gesv_tenths: i64,
    pub short_loan_max_days: i64,
    pub short_loan_max_mrp: i64,
    /// The daily rate must stay strictly under this many basis points.
    pub short_loan_max_daily_rate_bp: u32,
    pub short_loan_max_gesv_tenths: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mrp {
    pub year: i32,
    pub tenge: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub products: Vec<Product>,
    pub caps: Vec<Caps>,
    pub mrp: Vec<Mrp>,
}

/// Why a quote is refused; each names the rule so the officer can say it to the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("the catalog is not valid: {0}")]
    Catalog(String),
    #[error("no product {0:?} is offered on the issue date")]
    UnknownProduct(String),
    #[error("the amount is below the product's minimum of {min}")]
    AmountBelow { min: Money },
    #[error("the amount is above the product's maximum of {max}")]
    AmountAbove { max: Money },
    #[error("the term must be {min} to {max} months for this product")]
    Term { min: u32, max: u32 },
    #[error("this product is not repaid that way")]
    Method,
    #[error("no legal caps are configured for the issue date")]
    NoCaps,
    #[error("no МРП value is configured for {0}")]
    NoMrp(i32),
    #[error("the ГЭСВ of {gesv_tenths} tenths of a percent is above the cap of {cap_tenths}")]
    GesvCap { gesv_tenths: i64, cap_tenths: i64 },
    #[error("a short loan's daily rate must stay under {cap_bp} basis points")]
    DailyRateCap { cap_bp: u32 },
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// A quote the officer can show: the schedule and which caps it was checked against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub product_id: String,
    pub schedule: Schedule,
    /// Whether the short-loan rules applied (≤ 45 days and ≤ 45 МРП).
    pub short_loan: bool,
    pub gesv_cap_tenths: i64,
}

impl Catalog {
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

    pub fn caps_on(&self, date: NaiveDate) -> Option<&Caps> {
        self.caps
            .iter()
            .filter(|c| c.valid_from <= date)
            .max_by_key(|c| c.valid_from)
    }

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
