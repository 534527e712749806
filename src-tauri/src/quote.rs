//! The quote report: what `branchdesk quote` prints (as text or JSON) and what the application form
//! shows, built by one function so the two cannot differ. Money is given both as exact tiyn and as
//! `1 234,56 ₸`; dates as ISO and `dd.mm.yyyy`.

use chrono::NaiveDate;
use domain::Money;
use domain::catalog::{Catalog, Quote, QuoteError};
use domain::date::format_date;
use domain::schedule::Method;
use serde::Serialize;

/// The catalog this build ships with; head office's published catalog replaces it after sync.
const SHIPPED_CATALOG: &str = include_str!("../../config/catalog.json");

/// The shipped catalog, parsed once per process (the live quote asks for it on every keystroke).
pub(crate) fn shipped_catalog() -> Result<&'static Catalog, QuoteError> {
    static PARSED: std::sync::OnceLock<Result<Catalog, QuoteError>> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| Catalog::from_json(SHIPPED_CATALOG))
        .as_ref()
        .map_err(Clone::clone)
}

#[derive(clap::Args, Debug)]
pub struct QuoteArgs {
    /// Amount in tenge (`500000`, `500 000,00`).
    #[arg(long)]
    amount: String,
    /// Term in months.
    #[arg(long)]
    term: u32,
    /// Product id from the catalog.
    #[arg(long, default_value = "consumer-12")]
    product: String,
    /// Repayment method.
    #[arg(long, value_parser = ["annuity", "equal-principal"], default_value = "annuity")]
    method: String,
    /// Issue date, YYYY-MM-DD (default: today in Asia/Almaty).
    #[arg(long)]
    issue_date: Option<NaiveDate>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// An amount, exact and as shown.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Amount {
    /// Exact tiyn. A JavaScript number holds it exactly: amounts stay far below 2^53 tiyn.
    #[ts(type = "number")]
    pub tiyn: i64,
    pub text: String,
}

pub(crate) fn amount(m: Money) -> Amount {
    Amount {
        tiyn: m.tiyn(),
        text: m.to_string(),
    }
}

/// One scheduled payment.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Payment {
    pub number: u32,
    #[ts(type = "string")]
    pub date: NaiveDate,
    pub date_text: String,
    pub days: u32,
    pub principal: Amount,
    pub interest: Amount,
    pub fee: Amount,
    pub total: Amount,
    pub balance: Amount,
}

/// A quote as the CLI prints it and the application form shows it.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct QuoteReport {
    pub product: String,
    #[ts(type = "\"annuity\" | \"equal-principal\"")]
    pub method: String,
    #[ts(type = "string")]
    pub issue_date: NaiveDate,
    pub issue_date_text: String,
    pub amount: Amount,
    pub net_amount: Amount,
    pub term_months: u32,
    pub payments: Vec<Payment>,
    pub total_interest: Amount,
    pub total_fees: Amount,
    pub total_paid: Amount,
    pub overpayment: Amount,
    #[ts(type = "number")]
    pub gesv_tenths_of_percent: i64,
    /// `56,0 %`, in the same type as the nominal rate wherever it is shown.
    pub gesv_text: String,
    /// The product's nominal annual rate, `35,0 %`.
    pub nominal_rate_text: String,
    #[ts(type = "number")]
    pub gesv_cap_tenths_of_percent: i64,
    pub short_loan: bool,
}

/// The desk's calendar date at `now`: Kazakhstan's Asia/Almaty.
pub(crate) fn desk_date(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Asia::Almaty).date_naive()
}

/// A stored RFC 3339 time as the desk shows it: `26.11.2026 05:25` in Asia/Almaty (the stored text
/// itself if it does not parse, so nothing is hidden).
pub(crate) fn desk_time_text(stored: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(stored) {
        Ok(t) => t
            .with_timezone(&chrono_tz::Asia::Almaty)
            .format("%d.%m.%Y %H:%M")
            .to_string(),
        Err(_) => stored.to_owned(),
    }
}

fn today_in_almaty() -> NaiveDate {
    desk_date(chrono::Utc::now())
}

fn method_text(m: Method) -> &'static str {
    match m {
        Method::Annuity => "annuity",
        Method::EqualPrincipal => "equal-principal",
    }
}

/// `3500` basis points → `35,0 %` (rounded half-up to a tenth).
pub(crate) use domain::catalog::rate_text;

/// The report of a quote the catalog gave for `amount` over `months`.
pub(crate) fn report(
    catalog: &Catalog,
    q: &Quote,
    amount_value: Money,
    months: u32,
    method: Method,
    issue_date: NaiveDate,
) -> QuoteReport {
    let s = &q.schedule;
    let rate = catalog
        .product(&q.product_id, issue_date)
        .map(|p| p.annual_rate_bp)
        .unwrap_or_default();
    QuoteReport {
        product: q.product_id.clone(),
        method: method_text(method).to_owned(),
        issue_date,
        issue_date_text: format_date(issue_date),
        amount: amount(amount_value),
        net_amount: amount(s.net_amount),
        term_months: months,
        payments: s
            .installments
            .iter()
            .map(|r| Payment {
                number: r.number,
                date: r.date,
                date_text: format_date(r.date),
                days: r.days,
                principal: amount(r.principal),
                interest: amount(r.interest),
                fee: amount(r.fee),
                total: amount(r.total),
                balance: amount(r.balance),
            })
            .collect(),
        total_interest: amount(s.total_interest),
        total_fees: amount(s.total_fees),
        total_paid: amount(s.total_paid),
        overpayment: amount(s.overpayment),
        gesv_tenths_of_percent: s.gesv.tenths_of_percent(),
        gesv_text: s.gesv.to_string(),
        nominal_rate_text: rate_text(rate),
        gesv_cap_tenths_of_percent: q.gesv_cap_tenths,
        short_loan: q.short_loan,
    }
}

/// `branchdesk quote`: the report as JSON or as a table, through the CLI's output
/// (a reader that stops early ends it quietly); a refused quote names the rule and its code.
pub(crate) fn run(args: &QuoteArgs) -> Result<(), crate::cli::Refusal> {
    use crate::cli::say;
    use crate::error::{CommandError, ErrorCode};
    let catalog = shipped_catalog().map_err(|e| CommandError::quote(&e))?;
    let amount_value = Money::parse(&args.amount).map_err(|e| CommandError {
        code: ErrorCode::BadFormat,
        message: format!("--amount: {e}"),
        field: Some("amount".to_owned()),
        limit: None,
    })?;
    let method = if args.method == "annuity" {
        Method::Annuity
    } else {
        Method::EqualPrincipal
    };
    let issue_date = args.issue_date.unwrap_or_else(today_in_almaty);
    let q = catalog
        .quote(&args.product, amount_value, args.term, method, issue_date)
        .map_err(|e| CommandError::quote(&e))?;
    let report = report(catalog, &q, amount_value, args.term, method, issue_date);
    if args.json {
        return crate::cli::say_json(&report);
    }
    say(format_args!(
        "{} · {} · {} · {} мес.",
        report.product,
        report.amount.text,
        format_date(issue_date),
        args.term
    ))?;
    say(format_args!(
        "{:>3}  {:<10}  {:>16}  {:>14}  {:>12}  {:>16}",
        "№", "дата", "основной долг", "вознагр.", "комиссия", "платёж"
    ))?;
    for p in &report.payments {
        say(format_args!(
            "{:>3}  {:<10}  {:>16}  {:>14}  {:>12}  {:>16}",
            p.number, p.date_text, p.principal.text, p.interest.text, p.fee.text, p.total.text
        ))?;
    }
    say(format_args!("к выдаче: {}", report.net_amount.text))?;
    say(format_args!(
        "всего к оплате: {}   переплата: {}",
        report.total_paid.text, report.overpayment.text
    ))?;
    say(format_args!("ГЭСВ: {}", report.gesv_text))
}
