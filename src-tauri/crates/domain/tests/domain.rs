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
