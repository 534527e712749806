//! The loan offer: a first page with the client, the amount, term and payment, the fees, the full
//! cost, and the nominal rate and ГЭСВ set in the same type side by side (the law forbids showing
//! the effective rate less prominently); then the repayment schedule, a table that continues
//! across pages under its header; then the signature blocks and the check block, kept on one page
//! together (or each whole on its own). Labels are Russian and Kazakh.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::Money;
use domain::catalog::rate_text as rate;
use domain::date::format_date;
use domain::schedule::{Method, Schedule};
use serde::{Deserialize, Serialize};

use crate::frame::Frame;
use crate::layout::{Align, BODY, Column, Sheet, plain};
use crate::party::ClientData;
use crate::seal::{Kind, Seal};
use crate::{Content, PrintError, fonts};

/// Everything an offer says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// The application (lineage id) and the version the offer is made for.
    pub application: String,
    /// The application's version the offer is made for.
    pub application_version: i64,
    /// The borrower.
    pub client: ClientData,
    /// The catalogue product's id; printed as its name when `product_name` has none.
    pub product_id: String,
    /// Product name by language (`ru`, `kk`).
    pub product_name: BTreeMap<String, String>,
    /// The microcredit amount (principal).
    pub amount: Money,
    /// The term, in months.
    pub months: u32,
    /// How the loan is repaid: annuity or equal principal parts.
    pub method: Method,
    /// The nominal annual interest rate, in basis points (`3500` is 35,0 %).
    pub annual_rate_bp: u32,
    /// The fee charged at issue.
    pub issuance_fee: Money,
    /// The fee charged each month.
    pub monthly_fee: Money,
    /// The date the loan is issued.
    pub issue_date: NaiveDate,
    /// The repayment schedule, with its totals and ГЭСВ.
    pub schedule: Schedule,
    /// The officer who issues the offer.
    pub officer: String,
}

fn method(m: Method) -> &'static str {
    match m {
        Method::Annuity => "аннуитетными платежами / аннуитеттік төлемдермен",
        Method::EqualPrincipal => "равными долями основного долга / негізгі борышты тең үлестермен",
    }
}

pub(crate) fn content(offer: &Offer) -> Result<Content, PrintError> {
    #[derive(Serialize)]
    struct Tagged<'a> {
        kind: &'static str,
        #[serde(flatten)]
        offer: &'a Offer,
    }
    Content::of(&Tagged {
        kind: "offer",
        offer,
    })
}

fn payment_text(s: &Schedule) -> String {
    let totals: Vec<Money> = s.installments.iter().map(|i| i.total).collect();
    match (totals.iter().min(), totals.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => lo.to_string(),
        (Some(lo), Some(hi)) => {
            // An annuity's last payment absorbs rounding; name the regular one and the last.
            let first = totals[0];
            if totals[..totals.len() - 1].iter().all(|t| *t == first) {
                format!("{first}, последний / соңғысы {}", totals[totals.len() - 1])
            } else {
                format!("от / бастап {lo} до / дейін {hi}")
            }
        }
        _ => String::new(),
    }
}

pub(crate) fn render(offer: &Offer, seal: &Seal) -> Result<Vec<u8>, PrintError> {
    fonts::check_all(
        offer
            .client
            .texts()
            .into_iter()
            .chain([offer.officer.as_str()])
            .chain(offer.product_name.values().map(String::as_str)),
    )?;
    let content = content(offer)?;
    let frame = Frame {
        kind: Kind::Offer,
        title_ru: "Предложение о предоставлении микрокредита",
        title_kk: "Микрокредит беру туралы ұсыныс",
        seal: Some(seal),
        content: &content.json,
        content_sha256: &content.sha256,
        reference: "",
    };
    let s = &offer.schedule;
    let name = |lang: &str| {
        offer
            .product_name
            .get(lang)
            .or_else(|| offer.product_name.get("ru"))
            .cloned()
            .unwrap_or_else(|| offer.product_id.clone())
    };
    let mut sheet = Sheet::new();
    frame.header(
        &mut sheet,
        &[format!(
            "Заявка / Өтінім {} · версия / нұсқа {}",
            domain::application::short_number(&offer.application),
            offer.application_version
        )],
    )?;

    sheet.heading("Заёмщик / Қарыз алушы", 11.0);
    offer.client.table(&mut sheet)?;

    sheet.heading("Условия микрокредита / Микрокредит шарттары", 11.0);
    let last_date = s
        .installments
        .last()
        .map(|i| format_date(i.date))
        .unwrap_or_default();
    // The nominal rate and the ГЭСВ are adjacent rows of one table: same face, same size.
    let terms = vec![
        vec!["Продукт / Өнім".to_owned(), format!("{} / {}", name("ru"), name("kk"))],
        vec!["Сумма микрокредита / Микрокредит сомасы".to_owned(), offer.amount.to_string()],
        vec!["Срок / Мерзімі".to_owned(), format!("{} мес. / ай", offer.months)],
        vec![
            "Номинальная ставка вознаграждения / Сыйақының номиналды мөлшерлемесі".to_owned(),
            format!("{} годовых / жылдық", rate(offer.annual_rate_bp)),
        ],
        vec![
            "ГЭСВ (годовая эффективная ставка вознаграждения) / СЖТМ (сыйақының жылдық тиімді мөлшерлемесі)".to_owned(),
            format!("{} годовых / жылдық", s.gesv),
        ],
        vec!["Способ погашения / Өтеу тәсілі".to_owned(), method(offer.method).to_owned()],
        vec!["Ежемесячный платёж / Ай сайынғы төлем".to_owned(), payment_text(s)],
        vec!["Комиссия за выдачу / Беру үшін комиссия".to_owned(), offer.issuance_fee.to_string()],
        vec!["Ежемесячная комиссия / Ай сайынғы комиссия".to_owned(), offer.monthly_fee.to_string()],
        vec!["Сумма к выдаче на руки / Қолға берілетін сома".to_owned(), s.net_amount.to_string()],
        vec!["Вознаграждение за весь срок / Бүкіл мерзімге сыйақы".to_owned(), s.total_interest.to_string()],
        vec!["Комиссии за весь срок / Бүкіл мерзімге комиссиялар".to_owned(), s.total_fees.to_string()],
        vec![
            "Полная стоимость микрокредита (переплата) / Микрокредиттің толық құны (артық төлем)".to_owned(),
            s.overpayment.to_string(),
        ],
        vec!["Всего к возврату / Барлығы қайтарылады".to_owned(), s.total_paid.to_string()],
        vec![
            "Дата выдачи · последний платёж / Берілу күні · соңғы төлем".to_owned(),
            format!("{} · {last_date}", format_date(offer.issue_date)),
        ],
    ];
    sheet.facts(&terms, [0.5, 0.5], 9.5)?;
    // How the ГЭСВ is computed: one note, never split across pages.
    sheet.keep_together(&|sheet: &mut Sheet| {
        sheet.text(
            &[plain(
                "ГЭСВ рассчитана по фактическим дням между платежами на 365-дневный год \
                 (постановление Правления Национального Банка РК № 208 от 26.11.2019). \
                 / СЖТМ төлемдер арасындағы нақты күндер бойынша 365 күндік жылға есептелген.",
            )],
            BODY * 0.8,
            0.0,
            Align::Left,
        );
        Ok(())
    })?;

    sheet.heading("График погашения / Өтеу кестесі", 11.0);
    let columns = [
        Column {
            share: 0.06,
            align: Align::Right,
        },
        Column {
            share: 0.13,
            align: Align::Left,
        },
        Column {
            share: 0.17,
            align: Align::Right,
        },
        Column {
            share: 0.16,
            align: Align::Right,
        },
        Column {
            share: 0.12,
            align: Align::Right,
        },
        Column {
            share: 0.18,
            align: Align::Right,
        },
        Column {
            share: 0.18,
            align: Align::Right,
        },
    ];
    let header = [
        "№",
        "Дата / Күні",
        "Основной долг / Негізгі борыш",
        "Вознагр. / Сыйақы",
        "Комиссия",
        "Платёж / Төлем",
        "Остаток / Қалдық",
    ];
    let mut rows: Vec<Vec<String>> = s
        .installments
        .iter()
        .map(|i| {
            vec![
                i.number.to_string(),
                format_date(i.date),
                i.principal.to_string(),
                i.interest.to_string(),
                i.fee.to_string(),
                i.total.to_string(),
                i.balance.to_string(),
            ]
        })
        .collect();
    let principal: i64 = s.installments.iter().map(|i| i.principal.tiyn()).sum();
    rows.push(vec![
        String::new(),
        "Итого / Барлығы".to_owned(),
        Money::from_tiyn(principal).to_string(),
        s.total_interest.to_string(),
        Money::from_tiyn(s.installments.iter().map(|i| i.fee.tiyn()).sum()).to_string(),
        Money::from_tiyn(s.installments.iter().map(|i| i.total.tiyn()).sum()).to_string(),
        String::new(),
    ]);
    sheet.table(&columns, &header, &rows, 7.5)?;

    let signatures = |sheet: &mut Sheet| -> Result<(), PrintError> {
        sheet.heading("Подписи сторон / Тараптардың қолтаңбалары", 11.0);
        sheet.text(
            &[plain(
                "Заёмщик подтверждает, что ознакомлен с условиями и графиком погашения. \
                 / Қарыз алушы шарттармен және өтеу кестесімен танысқанын растайды.",
            )],
            BODY * 0.9,
            0.0,
            Align::Left,
        );
        sheet.space(6.0);
        sheet.signature(
            "Заёмщик / Қарыз алушы",
            &offer.client.full_name,
            "подпись / қолы · дата / күні",
        );
        sheet.signature(
            "Представитель МФО / МҰҰ өкілі",
            &offer.officer,
            "подпись / қолы · дата / күні",
        );
        Ok(())
    };
    let check = |sheet: &mut Sheet| frame.check_block(sheet);
    // On one page together if they fit, else each block whole on its own page.
    sheet.keep_together(&|sheet: &mut Sheet| {
        sheet.keep_together(&signatures)?;
        sheet.keep_together(&check)?;
        Ok(())
    })?;
    frame.finish(sheet)
}
