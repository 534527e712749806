//! The consent receipt against a JSON Schema written from the Kantara Consent Receipt v1.1 field
//! list (`docs/consent-receipt-v1.1.schema.json`): every shape a client can get validates (all
//! purposes given, advertising refused, after a withdrawal, credit bureau), and the schema is
//! strict enough to refuse a receipt with a field missing, renamed or of the wrong type.

use std::collections::BTreeMap;

use chrono::DateTime;
use domain::consent::{Action, Event, Method, Scope, Standing};
use domain::consent_receipt::{Controller, POLICY_URL, ReceiptFacts, receipt};
use domain::policy::{PolicyVersion, shipped_in};

fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../docs/consent-receipt-v1.1.schema.json"
    );
    let text = std::fs::read_to_string(path).expect("the schema file is in docs/");
    let value: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&value).expect("the schema is a valid JSON Schema")
}

fn controller() -> Controller {
    Controller {
        pii_controller: "ТОО «Микрофинансовая организация «SM INVEST»»".into(),
        on_behalf: false,
        contact: "Отделение МФО".into(),
        address: "г. Алматы".into(),
        email: "info@sinvest.kz".into(),
        phone: "—".into(),
        pii_controller_url: POLICY_URL.into(),
    }
}

fn event(
    id: &str,
    scope: Scope,
    action: Action,
    policy: &PolicyVersion,
    decisions: BTreeMap<String, bool>,
) -> Event {
    Event {
        id: id.into(),
        scope,
        action,
        policy_version: policy.version,
        policy_sha256: policy.sha256.clone(),
        decisions,
        at: DateTime::from_timestamp(1_780_000_000, 0).expect("time"),
    }
}

fn receipt_json(scope: Scope, events: &[Event]) -> serde_json::Value {
    let policy = &shipped_in(scope)[0];
    let standing = Standing::of(events, scope, policy, Some(policy));
    let last = events.last().expect("an event");
    serde_json::to_value(receipt(&ReceiptFacts {
        event_id: &last.id,
        at: last.at,
        method: Method::PaperAndScreen,
        desk_key: &"ab".repeat(32),
        iin: "901211400011",
        scope,
        policy,
        standing: &standing,
        controller: controller(),
    }))
    .expect("serialisable")
}

fn errors(v: &jsonschema::Validator, json: &serde_json::Value) -> Vec<String> {
    v.iter_errors(json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn every_receipt_a_client_can_get_follows_the_v1_1_field_list() {
    let v = schema();
    let privacy = &shipped_in(Scope::Privacy)[0];
    let all: BTreeMap<String, bool> = privacy
        .purposes
        .iter()
        .map(|p| (p.code.clone(), true))
        .collect();
    let no_ads: BTreeMap<String, bool> = privacy
        .purposes
        .iter()
        .map(|p| (p.code.clone(), p.required))
        .collect();
    let grant = event(
        "0123456789abcdef0123456789abcdef",
        Scope::Privacy,
        Action::Grant,
        privacy,
        all,
    );
    let withdraw = event(
        "fedcba9876543210fedcba9876543210",
        Scope::Privacy,
        Action::Withdraw,
        privacy,
        [("advertising".to_owned(), false)].into(),
    );
    let bureau = &shipped_in(Scope::CreditBureau)[0];
    let bureau_all = bureau
        .purposes
        .iter()
        .map(|p| (p.code.clone(), true))
        .collect();
    let cases = [
        (
            "all given",
            receipt_json(Scope::Privacy, std::slice::from_ref(&grant)),
        ),
        (
            "advertising refused",
            receipt_json(
                Scope::Privacy,
                &[event(
                    "00112233445566778899aabbccddeeff",
                    Scope::Privacy,
                    Action::Grant,
                    privacy,
                    no_ads,
                )],
            ),
        ),
        (
            "after a withdrawal",
            receipt_json(Scope::Privacy, &[grant, withdraw]),
        ),
        (
            "credit bureau",
            receipt_json(
                Scope::CreditBureau,
                &[event(
                    "aaaabbbbccccddddeeeeffff00001111",
                    Scope::CreditBureau,
                    Action::Grant,
                    bureau,
                    bureau_all,
                )],
            ),
        ),
    ];
    for (what, json) in &cases {
        assert_eq!(
            errors(&v, json),
            Vec::<String>::new(),
            "{what}: the receipt must validate: {json:#}"
        );
    }
    assert_eq!(
        cases[2].1["services"][0]["purposes"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "after advertising is withdrawn the receipt lists the three purposes still given"
    );
}

#[test]
fn the_schema_refuses_what_the_specification_does_not_allow() {
    let v = schema();
    let privacy = &shipped_in(Scope::Privacy)[0];
    let all: BTreeMap<String, bool> = privacy
        .purposes
        .iter()
        .map(|p| (p.code.clone(), true))
        .collect();
    let good = receipt_json(
        Scope::Privacy,
        &[event(
            "0123456789abcdef0123456789abcdef",
            Scope::Privacy,
            Action::Grant,
            privacy,
            all,
        )],
    );
    let mut missing = good.clone();
    missing
        .as_object_mut()
        .expect("object")
        .remove("consentTimestamp");
    let mut renamed = good.clone();
    let id = renamed["consentReceiptID"].take();
    renamed
        .as_object_mut()
        .expect("object")
        .remove("consentReceiptID");
    renamed["consentReceiptId"] = id;
    let mut wrong_type = good.clone();
    wrong_type["sensitive"] = "no".into();
    let mut no_third_party = good.clone();
    no_third_party["services"][0]["purposes"][1]
        .as_object_mut()
        .expect("purpose")
        .remove("thirdPartyName");
    for (what, json) in [
        ("a missing consentTimestamp", missing),
        ("consentReceiptID spelled otherwise", renamed),
        ("sensitive as a string", wrong_type),
        (
            "a disclosure without the third party's name",
            no_third_party,
        ),
    ] {
        assert!(
            !errors(&v, &json).is_empty(),
            "{what} must be refused by the schema"
        );
    }
}
