//! Integration tests of the domain crate: golden vectors shared with the UI.

use chrono::NaiveDate;
use domain::Money;
use domain::date::{format_date, parse_date};

fn vectors() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/format.json");
    let text = std::fs::read_to_string(path).expect("golden vectors file is readable");
    serde_json::from_str(&text).expect("golden vectors file is JSON")
}

#[test]
fn money_matches_golden_display_forms() {
    for v in vectors()["money"].as_array().expect("money vectors") {
        let tiyn = v["tiyn"].as_i64().expect("tiyn is an integer");
        let text = v["text"].as_str().expect("text is a string");
        assert_eq!(
            Money::from_tiyn(tiyn).to_string(),
            text,
            "display of {tiyn} tiyn"
        );
        assert_eq!(
            Money::parse(text),
            Ok(Money::from_tiyn(tiyn)),
            "{text} reads back"
        );
    }
}

#[test]
fn dates_match_golden_display_forms() {
    for v in vectors()["date"].as_array().expect("date vectors") {
        let iso: NaiveDate = v["iso"].as_str().expect("iso").parse().expect("iso date");
        let text = v["text"].as_str().expect("text");
        assert_eq!(format_date(iso), text);
        assert_eq!(parse_date(text), Ok(iso));
    }
}

fn iin_vectors() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/iin.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("iin vectors")).expect("JSON")
}

#[test]
fn iin_golden_vectors() {
    use domain::{Iin, IinError, Sex};
    let v = iin_vectors();
    let mut second_path = 0;
    for case in v["valid"].as_array().expect("valid") {
        let text = case["iin"].as_str().expect("iin");
        let iin = Iin::parse(text).unwrap_or_else(|e| panic!("{text} must be valid: {e}"));
        let born: NaiveDate = case["birth_date"]
            .as_str()
            .expect("date")
            .parse()
            .expect("iso");
        let sex = if case["sex"] == "male" {
            Sex::Male
        } else {
            Sex::Female
        };
        assert_eq!(iin.birth_date(), born, "{text}: birth date");
        assert_eq!(iin.sex(), sex, "{text}: sex");
        assert_eq!(iin.check_person(born, sex), Ok(()));
        assert_eq!(
            iin.check_person(born.succ_opt().expect("next day"), sex),
            Err(IinError::BirthDateMismatch)
        );
        let other = if sex == Sex::Male {
            Sex::Female
        } else {
            Sex::Male
        };
        assert_eq!(iin.check_person(born, other), Err(IinError::SexMismatch));
        if case["weights"] == "second" {
            second_path += 1;
        }
    }
    assert!(
        second_path >= 2,
        "the vectors must exercise the second-weights path"
    );
    for case in v["invalid"].as_array().expect("invalid") {
        let text = case["iin"].as_str().expect("iin");
        let want = match case["error"].as_str().expect("error") {
            "not_issuable" => IinError::NotIssuable,
            "century_digit" => IinError::CenturyDigit,
            "birth_date" => IinError::BirthDate,
            "length" => IinError::Length,
            "not_digits" => IinError::NotDigits,
            "check_digit" => IinError::CheckDigit,
            other => panic!("unknown expected error {other}"),
        };
        assert_eq!(Iin::parse(text), Err(want), "{text}");
    }
}

/// A single-digit typo changes the first weighted sum (weights 1..10 are invertible mod 11), so it
/// is refused, with two exceptions the official scheme cannot avoid: the 11th digit, whose first
/// weight is 11 ≡ 0 (mod 11), and typos that move the number onto the second-weights path, where a
/// different sum decides. This test pins that down, so the exceptions stay exactly those.
#[test]
fn single_digit_errors_are_caught_except_where_the_scheme_is_blind() {
    use domain::Iin;
    for case in iin_vectors()["valid"].as_array().expect("valid") {
        let text = case["iin"].as_str().expect("iin");
        let first_path = case["weights"] == "first";
        for pos in 0..12 {
            for digit in b'0'..=b'9' {
                let mut bytes = text.as_bytes().to_vec();
                if bytes[pos] == digit {
                    continue;
                }
                bytes[pos] = digit;
                let typo = String::from_utf8(bytes).expect("ascii");
                if Iin::parse(&typo).is_err() {
                    continue;
                }
                let d: Vec<u32> = typo.bytes().map(|b| u32::from(b - b'0')).collect();
                let first_sum = d[..11].iter().zip(1..=11).map(|(d, w)| d * w).sum::<u32>() % 11;
                let blind_spot = pos == 10 || first_sum == 10 || !first_path;
                assert!(
                    blind_spot,
                    "{typo} (a typo of {text} at position {}) must be refused",
                    pos + 1
                );
            }
        }
    }
}

mod consent_receipt;
mod schedule_golden;

#[test]
fn schedules_match_an_independent_implementation() {
    use domain::schedule::{Method, Terms, build};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/schedule.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("JSON");
    for loan in v["loans"].as_array().expect("loans") {
        let t = &loan["terms"];
        let int = |k: &str| t[k].as_i64().unwrap_or_else(|| panic!("{k}"));
        let terms = Terms {
            principal: Money::from_tenge(int("principal_tenge")).expect("fits"),
            annual_rate_bp: u32::try_from(int("rate_bp")).expect("rate"),
            months: u32::try_from(int("months")).expect("months"),
            issue_date: t["issue"].as_str().expect("issue").parse().expect("date"),
            method: if t["method"] == "annuity" {
                Method::Annuity
            } else {
                Method::EqualPrincipal
            },
            issuance_fee: Money::from_tenge(int("issuance_fee_tenge")).expect("fits"),
            monthly_fee: Money::from_tiyn(int("monthly_fee_tiyn")),
        };
        let s = build(&terms).expect("builds");
        let rows = loan["rows"].as_array().expect("rows");
        assert_eq!(s.installments.len(), rows.len());
        for (got, want) in s.installments.iter().zip(rows) {
            let ctx = format!("{terms:?} payment {}", got.number);
            assert_eq!(
                got.date.to_string(),
                want["date"].as_str().expect("date"),
                "{ctx}"
            );
            assert_eq!(
                i64::from(got.days),
                want["days"].as_i64().expect("days"),
                "{ctx}"
            );
            assert_eq!(
                got.principal.tiyn(),
                want["principal"].as_i64().expect("p"),
                "{ctx}: principal"
            );
            assert_eq!(
                got.interest.tiyn(),
                want["interest"].as_i64().expect("i"),
                "{ctx}: interest"
            );
            assert_eq!(
                got.total.tiyn(),
                want["total"].as_i64().expect("t"),
                "{ctx}: total"
            );
            assert_eq!(
                got.balance.tiyn(),
                want["balance"].as_i64().expect("b"),
                "{ctx}: balance"
            );
        }
        assert_eq!(
            s.total_paid.tiyn(),
            loan["total_paid"].as_i64().expect("paid")
        );
        assert_eq!(
            s.overpayment.tiyn(),
            loan["overpayment"].as_i64().expect("over")
        );
        assert_eq!(
            s.gesv.tenths_of_percent(),
            loan["gesv_tenths"].as_i64().expect("gesv"),
            "{terms:?}: ГЭСВ"
        );
    }
}

fn shipped_catalog() -> domain::catalog::Catalog {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../config/catalog.json");
    domain::catalog::Catalog::from_json(
        &std::fs::read_to_string(path).expect("config/catalog.json"),
    )
    .expect("the shipped catalog parses")
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("iso date")
}

/// A product the desk offers must be issuable across its whole range: every corner of amount and
/// term, by every method, within the caps (a 3-month consumer loan with a 1 % fee once was not).
#[test]
fn every_shipped_product_is_issuable_at_every_limit() {
    let c = shipped_catalog();
    for day in ["2026-01-01", "2026-11-25", "2026-12-31"] {
        let day = date(day);
        for p in &c.products {
            for tenge in [p.min_amount_tenge, p.max_amount_tenge] {
                for months in [p.min_months, p.max_months] {
                    for &method in &p.methods {
                        let q = c.quote(
                            &p.id,
                            Money::from_tenge(tenge).expect("fits"),
                            months,
                            method,
                            day,
                        );
                        assert!(
                            q.is_ok(),
                            "{} at {tenge} ₸ over {months} months ({method:?}) on {day} must be issuable: {q:?}",
                            p.id
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_shipped_catalog_quotes_within_the_caps() {
    use domain::schedule::Method;
    let c = shipped_catalog();
    let q = c
        .quote(
            "consumer-12",
            Money::from_tenge(500_000).expect("fits"),
            12,
            Method::Annuity,
            date("2026-11-25"),
        )
        .expect("quote");
    assert!(!q.short_loan);
    assert_eq!(
        q.gesv_cap_tenths, 460,
        "the general cap in force in 2026 is 46 %"
    );
    assert!(
        q.schedule.gesv.tenths_of_percent() <= 460,
        "ГЭСВ {} within the cap",
        q.schedule.gesv
    );
    assert_eq!(q.schedule.installments.len(), 12);
    assert_eq!(
        q.schedule.net_amount,
        Money::from_tenge(495_000).expect("fits"),
        "1 % is withheld at issue"
    );

    let short = c
        .quote(
            "short-1",
            Money::from_tenge(100_000).expect("fits"),
            1,
            Method::Annuity,
            date("2026-11-25"),
        )
        .expect("short quote");
    assert!(
        short.short_loan,
        "a one-month loan of at most 45 МРП is a short loan"
    );
    assert_eq!(short.gesv_cap_tenths, 1790);
}

#[test]
fn quotes_outside_the_product_are_refused_with_the_rule() {
    use domain::catalog::QuoteError;
    use domain::schedule::Method;
    let c = shipped_catalog();
    let day = date("2026-11-25");
    let t = |x: i64| Money::from_tenge(x).expect("fits");
    assert!(matches!(
        c.quote("consumer-12", t(10_000), 12, Method::Annuity, day),
        Err(QuoteError::AmountBelow { .. })
    ));
    assert!(matches!(
        c.quote("consumer-12", t(5_000_000), 12, Method::Annuity, day),
        Err(QuoteError::AmountAbove { .. })
    ));
    assert_eq!(
        c.quote("consumer-12", t(500_000), 48, Method::Annuity, day)
            .err(),
        Some(QuoteError::Term { min: 7, max: 36 })
    );
    assert_eq!(
        c.quote("short-1", t(100_000), 1, Method::EqualPrincipal, day)
            .err(),
        Some(QuoteError::Method)
    );
    assert!(matches!(
        c.quote("no-such", t(500_000), 12, Method::Annuity, day),
        Err(QuoteError::UnknownProduct(_))
    ));
    assert!(
        matches!(
            c.quote(
                "consumer-12",
                t(500_000),
                12,
                Method::Annuity,
                date("2025-12-31")
            ),
            Err(QuoteError::UnknownProduct(_))
        ),
        "not offered before valid_from"
    );
    assert_eq!(
        c.quote(
            "consumer-12",
            t(500_000),
            12,
            Method::Annuity,
            date("2027-03-01")
        )
        .err(),
        Some(QuoteError::NoMrp(2027))
    );
}

#[test]
fn caps_are_dated_configuration_and_refuse_with_the_rule() {
    use domain::catalog::{Catalog, QuoteError};
    use domain::schedule::Method;
    let mut c: Catalog = shipped_catalog();
    // Head office lowers the cap from 2027 and publishes the 2027 МРП.
    let mut stricter = c.caps[0].clone();
    stricter.valid_from = date("2027-01-01");
    stricter.max_gesv_tenths = 400;
    c.caps.push(stricter);
    c.mrp.push(domain::catalog::Mrp {
        year: 2027,
        tenge: 4500,
    });
    let t = |x: i64| Money::from_tenge(x).expect("fits");
    let before = c
        .quote(
            "consumer-12",
            t(500_000),
            12,
            Method::Annuity,
            date("2026-12-31"),
        )
        .expect("the 46 % cap applies in 2026");
    assert_eq!(before.gesv_cap_tenths, 460);
    let after = c
        .quote(
            "consumer-12",
            t(500_000),
            12,
            Method::Annuity,
            date("2027-01-15"),
        )
        .err();
    assert!(
        matches!(
            after,
            Some(QuoteError::GesvCap {
                cap_tenths: 400,
                ..
            })
        ),
        "the 2027 cap refuses it: {after:?}"
    );

    // Above 45 МРП a one-month loan is not short: the general cap refuses its 90 % nominal rate.
    let big = c.quote(
        "short-1",
        t(150_000),
        1,
        Method::Annuity,
        date("2026-11-25"),
    );
    assert!(
        big.is_ok(),
        "150 000 ₸ ≤ 45 × 4 325 ₸ is still short: {big:?}"
    );
    let mut wide = c.clone();
    wide.products[2].max_amount_tenge = 300_000;
    let long = wide
        .quote(
            "short-1",
            t(250_000),
            1,
            Method::Annuity,
            date("2026-11-25"),
        )
        .err();
    assert!(
        matches!(
            long,
            Some(QuoteError::GesvCap {
                cap_tenths: 460,
                ..
            })
        ),
        "{long:?}"
    );
    // A short loan's daily rate must stay under 0.3 %: 109.5 % a year is exactly 0.3 % a day.
    wide.products[2].annual_rate_bp = 10_950;
    let daily = wide
        .quote(
            "short-1",
            t(100_000),
            1,
            Method::Annuity,
            date("2026-11-25"),
        )
        .err();
    assert_eq!(daily, Some(QuoteError::DailyRateCap { cap_bp: 30 }));
}

/// A product with a newer dated entry is offered once, as the entry in force on the day; one that
/// starts later is not offered yet.
#[test]
fn products_on_a_day_are_each_offered_once_as_in_force() {
    let mut c = shipped_catalog();
    let first = c.products[0].clone();
    let mut newer = first.clone();
    newer.valid_from = date("2026-06-01");
    newer.annual_rate_bp = first.annual_rate_bp - 100;
    let mut later = first.clone();
    later.id = "not-yet".to_owned();
    later.valid_from = date("2027-01-01");
    c.products.push(newer);
    c.products.push(later);
    let offered = c.products_on(date("2026-11-25"));
    let ids: Vec<&str> = offered.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        ["consumer-12", "business-24", "short-1"],
        "each id once, in catalog order, nothing before its date"
    );
    assert_eq!(
        offered[0].annual_rate_bp,
        first.annual_rate_bp - 100,
        "the entry in force on the day is the newer one"
    );
    assert_eq!(
        c.products_on(date("2026-03-01"))[0].annual_rate_bp,
        first.annual_rate_bp,
        "before the newer entry, the first one is offered"
    );
}
