//! The consent receipt a client can take away, as JSON in the Kantara Initiative's Consent
//! Receipt Specification v1.1 (field names and shapes as the specification lists them). One
//! receipt describes a client's consent in one scope after one event: the services (the scope),
//! each purpose given with its category, type, the personal-data categories it covers, whether it
//! is primary, how it ends and whether it goes to third parties. The schema our tests check it
//! against is `docs/consent-receipt-v1.1.schema.json`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::consent::{Method, Scope, Standing};
use crate::policy::PolicyVersion;

/// The specification's version string.
pub const SPEC_VERSION: &str = "KI-CR-v1.1.0";

/// The organisation that controls the data, as the receipt names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Controller {
    /// Legal name.
    pub pii_controller: String,
    /// Whether it acts for someone else.
    pub on_behalf: bool,
    /// Who to contact.
    pub contact: String,
    /// Registered address.
    pub address: String,
    /// Contact e-mail.
    pub email: String,
    /// Contact telephone.
    pub phone: String,
    /// The controller's site.
    pub pii_controller_url: String,
}

/// A receipt (Kantara Consent Receipt v1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Always [`SPEC_VERSION`].
    pub version: String,
    /// Where the controller is: `KZ`.
    pub jurisdiction: String,
    /// The event's time, seconds since 1970 (UTC).
    pub consent_timestamp: i64,
    /// How the consent was taken, in words.
    pub collection_method: String,
    /// The event's id, as a UUID.
    #[serde(rename = "consentReceiptID")]
    pub consent_receipt_id: String,
    /// The desk's Ed25519 public key, hex, which signed the event.
    pub public_key: String,
    /// The receipt's language.
    pub language: String,
    /// The client: their IIN.
    pub pii_principal_id: String,
    /// The organisation.
    pub pii_controllers: Vec<Controller>,
    /// Where the policy is published.
    pub policy_url: String,
    /// The service the consent concerns, with its purposes.
    pub services: Vec<Service>,
    /// Whether sensitive personal data is processed.
    pub sensitive: bool,
    /// Categories of sensitive data (none).
    pub spi_cat: Vec<String>,
}

/// A service and the purposes given for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Service {
    /// The service's name.
    pub service: String,
    /// Each purpose currently given.
    pub purposes: Vec<ReceiptPurpose>,
}

/// One purpose given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptPurpose {
    /// The purpose's title as the policy words it.
    pub purpose: String,
    /// Its categories from the specification's list.
    pub purpose_category: Vec<String>,
    /// `EXPLICIT`: the client decided each purpose in person.
    pub consent_type: String,
    /// The personal data it covers.
    pub pii_category: Vec<String>,
    /// Whether the purpose is the service's reason to exist.
    pub primary_purpose: bool,
    /// When and how it ends.
    pub termination: String,
    /// Whether data goes to third parties.
    pub third_party_disclosure: bool,
    /// Who, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub third_party_name: Option<String>,
}

/// What a receipt is made from.
#[derive(Clone, Debug)]
pub struct ReceiptFacts<'a> {
    /// The event's id (32 hex digits).
    pub event_id: &'a str,
    /// When the event happened.
    pub at: DateTime<Utc>,
    /// How.
    pub method: Method,
    /// The desk's public key, hex.
    pub desk_key: &'a str,
    /// The client's IIN.
    pub iin: &'a str,
    /// The scope.
    pub scope: Scope,
    /// The policy version consented to.
    pub policy: &'a PolicyVersion,
    /// The standing after the event.
    pub standing: &'a Standing,
    /// The organisation.
    pub controller: Controller,
}

/// The controller's published site; the policy applies to it.
pub const POLICY_URL: &str = "https://www.sminvest.kz";

/// 32 hex digits as a UUID's 8-4-4-4-12 groups.
fn as_uuid(id: &str) -> String {
    if id.len() != 32 || !id.is_ascii() {
        return id.to_owned();
    }
    format!(
        "{}-{}-{}-{}-{}",
        &id[..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..]
    )
}

/// The specification's purpose categories, PII categories and third parties for each of our
/// purposes: `(categories, pii, primary, third party)`.
fn classify(code: &str) -> (&'static [&'static str], bool, Option<&'static str>) {
    match code {
        "issue-microcredit" => (&["Core Function"], true, None),
        "third-party-transfer" => (
            &["3rd Party Sharing for Core Function"],
            false,
            Some("Третьи лица с разрешения клиента"),
        ),
        "agreement-monitoring" => (&["Contracted Service"], false, None),
        "advertising" => (
            &["Marketing", "Marketing Third Parties"],
            false,
            Some("Рекламодатели — партнёры МФО"),
        ),
        "bureau-report" => (&["Core Function"], true, Some("Кредитные бюро РК")),
        "bureau-provide" => (
            &["Legally Required Data Retention"],
            false,
            Some("Кредитные бюро РК"),
        ),
        _ => (&["Core Function"], false, None),
    }
}

const PII: &[&str] = &[
    "Biographical",
    "Contact",
    "Official/Government Identifiers",
    "Financial",
];

/// How a method is described on the receipt.
fn collected(method: Method) -> &'static str {
    match method {
        Method::Paper => "В отделении: подписанная клиентом бумажная форма (скан приложен)",
        Method::Screen => "В отделении: подпись клиента на экране",
        Method::PaperAndScreen => {
            "В отделении: подписанная бумажная форма (скан) и подпись на экране"
        }
        Method::Phone => "По телефону: обращение клиента принято сотрудником",
    }
}

/// The receipt for `facts`: every purpose given now, with how it ends.
pub fn receipt(facts: &ReceiptFacts<'_>) -> Receipt {
    let purposes = facts
        .standing
        .purposes
        .iter()
        .filter(|s| s.granted)
        .filter_map(|s| facts.policy.purposes.iter().find(|p| p.code == s.code))
        .map(|p| {
            let (categories, primary, third) = classify(&p.code);
            let termination = if p.required {
                "Отзыв — лично в отделении МФО или по e-mail info@sinvest.kz; при открытом \
                 микрокредите — после исполнения обязательств по договору"
            } else {
                "Отзыв в любое время — лично в отделении МФО, по телефону или по e-mail \
                 info@sinvest.kz"
            };
            ReceiptPurpose {
                purpose: p.title_in(&facts.policy.language).to_owned(),
                purpose_category: categories.iter().map(|c| (*c).to_owned()).collect(),
                consent_type: "EXPLICIT".to_owned(),
                pii_category: PII.iter().map(|c| (*c).to_owned()).collect(),
                primary_purpose: primary,
                termination: termination.to_owned(),
                third_party_disclosure: third.is_some(),
                third_party_name: third.map(str::to_owned),
            }
        })
        .collect();
    let service = match facts.scope {
        Scope::Privacy => "Микрокредитование: обработка персональных данных",
        Scope::CreditBureau => "Микрокредитование: кредитные бюро",
    };
    Receipt {
        version: SPEC_VERSION.to_owned(),
        jurisdiction: "KZ".to_owned(),
        consent_timestamp: facts.at.timestamp(),
        collection_method: collected(facts.method).to_owned(),
        consent_receipt_id: as_uuid(facts.event_id),
        public_key: facts.desk_key.to_owned(),
        language: facts.policy.language.clone(),
        pii_principal_id: facts.iin.to_owned(),
        pii_controllers: vec![facts.controller.clone()],
        policy_url: POLICY_URL.to_owned(),
        services: vec![Service {
            service: service.to_owned(),
            purposes,
        }],
        sensitive: false,
        spi_cat: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Action, Event};
    use crate::policy::shipped;

    #[test]
    fn a_receipt_lists_the_purposes_given_and_uses_the_specs_names() {
        let v1 = &shipped()[0];
        let decisions = v1
            .purposes
            .iter()
            .map(|p| (p.code.clone(), p.required))
            .collect();
        let event = Event {
            id: "0123456789abcdef0123456789abcdef".into(),
            scope: Scope::Privacy,
            action: Action::Grant,
            policy_version: 1,
            policy_sha256: v1.sha256.clone(),
            decisions,
            at: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
        };
        let standing = Standing::of(std::slice::from_ref(&event), Scope::Privacy, v1, None);
        let r = receipt(&ReceiptFacts {
            event_id: &event.id,
            at: event.at,
            method: Method::Screen,
            desk_key: "ab",
            iin: "900101300123",
            scope: Scope::Privacy,
            policy: v1,
            standing: &standing,
            controller: Controller {
                pii_controller: "ТОО".into(),
                on_behalf: false,
                contact: "c".into(),
                address: "a".into(),
                email: "info@sinvest.kz".into(),
                phone: "p".into(),
                pii_controller_url: POLICY_URL.into(),
            },
        });
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["consentReceiptID"],
            "01234567-89ab-cdef-0123-456789abcdef"
        );
        assert_eq!(json["consentTimestamp"], 1_780_000_000);
        assert_eq!(
            json["services"][0]["purposes"].as_array().unwrap().len(),
            3,
            "advertising was refused, so only the three required purposes are given"
        );
        assert!(
            json["services"][0]["purposes"][0]["primaryPurpose"]
                .as_bool()
                .unwrap()
        );
    }
}
