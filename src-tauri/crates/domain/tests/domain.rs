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
