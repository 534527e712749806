//! `branchdesk quote`: the same quote the application form shows, from the shipped catalog, as text
//! or JSON. Money is printed both as exact tiyn and as `1 234,56 ₸`; dates as ISO and `dd.mm.yyyy`.

use chrono::NaiveDate;
use domain::Money;
use domain::catalog::Catalog;
use domain::date::format_date;
use domain::schedule::Method;
use serde::Serialize;

/// The catalog this build ships with; head office's published catalog replaces it after sync.
pub(crate) const SHIPPED_CATALOG: &str = include_str!("../../config/catalog.json");

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

#[derive(Serialize)]
struct Amount {
    tiyn: i64,
    text: String,
}

fn amount(m: Money) -> Amount {
    Amount {
        tiyn: m.tiyn(),
        text: m.to_string(),
    }
}

#[derive(Serialize)]
struct Payment {
    number: u32,
    date: NaiveDate,
    date_text: String,
    days: u32,
    principal: Amount,
    interest: Amount,
    fee: Amount,
    total: Amount,
    balance: Amount,
}

#[derive(Serialize)]
struct Report {
    product: String,
    method: String,
    issue_date: NaiveDate,
    amount: Amount,
    net_amount: Amount,
    term_months: u32,
    payments: Vec<Payment>,
    total_interest: Amount,
    total_fees: Amount,
    total_paid: Amount,
    overpayment: Amount,
    gesv_tenths_of_percent: i64,
    gesv_text: String,
    gesv_cap_tenths_of_percent: i64,
    short_loan: bool,
}

fn today_in_almaty() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Almaty)
        .date_naive()
}

pub(crate) fn run(args: &QuoteArgs) -> Result<(), String> {
    let catalog = Catalog::from_json(SHIPPED_CATALOG).map_err(|e| e.to_string())?;
    let amount_value = Money::parse(&args.amount).map_err(|e| format!("--amount: {e}"))?;
    let method = if args.method == "annuity" {
        Method::Annuity
    } else {
        Method::EqualPrincipal
    };
    let issue_date = args.issue_date.unwrap_or_else(today_in_almaty);
    let q = catalog
        .quote(&args.product, amount_value, args.term, method, issue_date)
        .map_err(|e| e.to_string())?;
    let s = &q.schedule;
    let report = Report {
        product: q.product_id.clone(),
        method: args.method.clone(),
        issue_date,
        amount: amount(amount_value),
        net_amount: amount(s.net_amount),
        term_months: args.term,
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
        gesv_cap_tenths_of_percent: q.gesv_cap_tenths,
        short_loan: q.short_loan,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    println!(
        "{} · {} · {} · {} мес.",
        report.product,
        report.amount.text,
        format_date(issue_date),
        args.term
    );
    println!(
        "{:>3}  {:<10}  {:>16}  {:>14}  {:>12}  {:>16}",
        "№", "дата", "основной долг", "вознагр.", "комиссия", "платёж"
    );
    for p in &report.payments {
        println!(
            "{:>3}  {:<10}  {:>16}  {:>14}  {:>12}  {:>16}",
            p.number, p.date_text, p.principal.text, p.interest.text, p.fee.text, p.total.text
        );
    }
    println!("к выдаче: {}", report.net_amount.text);
    println!(
        "всего к оплате: {}   переплата: {}",
        report.total_paid.text, report.overpayment.text
    );
    println!("ГЭСВ: {}", report.gesv_text);
    Ok(())
}
