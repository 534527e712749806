//! Golden machine-readable zones of a Kazakh ID card and passport for one client, and every
//! single-character corruption of them caught by the report.

use chrono::NaiveDate;
use domain::client::{Client, ClientForm, DocumentKind};
use verify::identity::{Check, Outcome, check_client, check_zone};
use verify::mrz;

/// Жумабеков Нурлан Болатович, ИИН 850315310006, born 15.03.1985.
const ID_CARD: [&str; 3] = [
    "IDKAZ0412345670850315310006<<<",
    "8503150M3105205KAZ<<<<<<<<<<<4",
    "ZHUMABEKOV<<NURLAN<<<<<<<<<<<<",
];

/// The same client's passport, the IIN as its personal number.
const PASSPORT: [&str; 2] = [
    "P<KAZZHUMABEKOV<<NURLAN<<<<<<<<<<<<<<<<<<<<<",
    "N123456785KAZ8503150M3105205850315310006<<08",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

fn client(kind: DocumentKind, number: &str) -> Client {
    let form = ClientForm {
        iin: "850315310006".into(),
        surname: "Жумабеков".into(),
        given_name: "Нурлан".into(),
        patronymic: "Болатович".into(),
        birth_date: "15.03.1985".into(),
        sex: Some(domain::iin::Sex::Male),
        phone: "+7 701 234 56 78".into(),
        registration_address: "г. Алматы, ул. Абая, 1".into(),
        actual_address: "г. Алматы, ул. Абая, 1".into(),
        document_kind: Some(kind),
        document_number: number.into(),
        document_issuer: "МВД РК".into(),
        document_issued_on: "20.05.2021".into(),
        document_expires_on: "20.05.2031".into(),
        monthly_income: "350 000".into(),
        ..ClientForm::default()
    };
    domain::client::check(&form, today()).expect("the test client is valid")
}

#[test]
fn golden_zones_pass_against_their_client() {
    for (lines, c) in [
        (&ID_CARD[..], client(DocumentKind::IdCard, "041234567")),
        (&PASSPORT[..], client(DocumentKind::Passport, "N12345678")),
    ] {
        let zone = mrz::parse(lines).expect("a golden zone parses");
        assert!(zone.digits_ok(), "golden check digits: {:?}", zone.checks);
        let report = check_client(&zone, &c, today());
        assert_eq!(
            report.verdict,
            Outcome::Pass,
            "a golden zone agrees with its client: {:#?}",
            report.findings
        );
        assert!(
            report.findings.iter().any(|f| f.check == Check::Iin),
            "the IIN in the zone is checked"
        );
    }
}

/// Every character of every line replaced by every other character a zone may hold: the report
/// must not pass (a failed check digit, or a field that no longer agrees with the client).
fn every_corruption_caught(lines: &[&str], c: &Client) {
    let alphabet: Vec<char> = ('0'..='9').chain('A'..='Z').chain(['<']).collect();
    let mut tried = 0;
    for (i, line) in lines.iter().enumerate() {
        for (p, original) in line.chars().enumerate() {
            for &x in alphabet.iter().filter(|&&x| x != original) {
                let mut corrupted: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
                corrupted[i] = line
                    .chars()
                    .enumerate()
                    .map(|(k, ch)| if k == p { x } else { ch })
                    .collect();
                tried += 1;
                let Ok(zone) = mrz::parse(&corrupted) else {
                    continue;
                };
                let report = check_client(&zone, c, today());
                assert_ne!(
                    report.verdict,
                    Outcome::Pass,
                    "line {} position {} {original:?} -> {x:?} went unnoticed:\n{}",
                    i + 1,
                    p + 1,
                    corrupted.join("\n")
                );
            }
        }
    }
    assert_eq!(tried, lines.iter().map(|l| l.len()).sum::<usize>() * 36);
}

#[test]
fn every_single_character_corruption_of_an_id_card_is_caught() {
    every_corruption_caught(&ID_CARD, &client(DocumentKind::IdCard, "041234567"));
}

#[test]
fn every_single_character_corruption_of_a_passport_is_caught() {
    every_corruption_caught(&PASSPORT, &client(DocumentKind::Passport, "N12345678"));
}

#[test]
fn another_client_expired_and_soon_expiring_documents_are_flagged() {
    let zone = mrz::parse(&ID_CARD).unwrap();
    let mut other = client(DocumentKind::IdCard, "041234567");
    other.iin = domain::Iin::parse("061211600012").unwrap();
    let report = check_client(&zone, &other, today());
    let iin = report
        .findings
        .iter()
        .find(|f| f.check == Check::Iin)
        .unwrap();
    assert_eq!(iin.outcome, Outcome::Fail, "another client's IIN");

    let expired = check_zone(&zone, NaiveDate::from_ymd_opt(2031, 5, 21).unwrap());
    assert_eq!(expired.verdict, Outcome::Fail, "expired the day before");
    let soon = check_zone(&zone, NaiveDate::from_ymd_opt(2031, 3, 1).unwrap());
    assert_eq!(soon.verdict, Outcome::Warn, "expires within 90 days");
    assert_eq!(check_zone(&zone, today()).verdict, Outcome::Pass);
}
