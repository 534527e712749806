//! A desk for sync tests: a real vault (mock keychain) with an administrator, a loan officer and a
//! supervisor whose approval limit is 100 000 ₸, and ways to give it records to send.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use domain::application::{ApplicationForm, Step, Terms};
use domain::client::{ClientForm, DocumentKind};
use domain::consent::Method;
use domain::evidence::{DrawnSignature, Point};
use domain::iin::{Iin, Sex};
use domain::money::Money;
use domain::schedule::Method as Repayment;
use vault::{
    ApplicationId, Evidence, Keychain, NewDocument, NewGrant, OfficerId, Passphrase, Role, Vault,
    VaultDir,
};

pub const ADMIN_PASS: &str = "administrator passphrase";
pub const OFFICER_PASS: &str = "officer passphrase";
pub const SUPERVISOR_PASS: &str = "supervisor passphrase";

/// The desk's clock in these tests: the real one, as head office's codes and answers are stamped
/// with it by a real process.
#[allow(clippy::disallowed_methods)]
pub fn clock() -> DateTime<Utc> {
    Utc::now()
}

pub fn now() -> DateTime<Utc> {
    clock()
}

fn pass(s: &str) -> Passphrase {
    Passphrase::new(s.to_owned())
}

pub struct Desk {
    _tmp: tempfile::TempDir,
    pub dir: VaultDir,
    pub keychain: Keychain,
    pub admin: OfficerId,
    pub officer: OfficerId,
    pub supervisor: OfficerId,
}

pub fn desk() -> Desk {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = VaultDir::new(tmp.path().join("vault"));
    let keychain = Keychain::mock().expect("mock keychain");
    let mut v = Vault::create(
        &dir,
        &keychain,
        "Әлия Админ",
        &pass(ADMIN_PASS),
        None,
        now(),
    )
    .expect("create vault");
    let admin = v.officer().id.clone();
    let officer = v
        .add_officer("Ержан", Role::Officer, &pass(OFFICER_PASS), now())
        .expect("officer")
        .id;
    let supervisor = v
        .add_officer("Гүлнар", Role::Supervisor, &pass(SUPERVISOR_PASS), now())
        .expect("supervisor")
        .id;
    v.set_approval_limit(&supervisor, Money::from_tenge(100_000).expect("m"), now())
        .expect("limit");
    Desk {
        _tmp: tmp,
        dir,
        keychain,
        admin,
        officer,
        supervisor,
    }
}

impl Desk {
    fn unlock(&self, who: &OfficerId, p: &str) -> Vault {
        Vault::unlock(&self.dir, &self.keychain, who, &pass(p), now()).expect("unlock")
    }

    pub fn admin(&self) -> Mutex<Vault> {
        Mutex::new(self.unlock(&self.admin, ADMIN_PASS))
    }

    pub fn officer(&self) -> Mutex<Vault> {
        Mutex::new(self.unlock(&self.officer, OFFICER_PASS))
    }

    pub fn supervisor(&self) -> Mutex<Vault> {
        Mutex::new(self.unlock(&self.supervisor, SUPERVISOR_PASS))
    }
}

/// `n` audited, queued changes (auto-lock settings), each one outbox record.
pub fn settings_changes(admin: &Mutex<Vault>, n: u32) {
    let mut v = admin.lock().expect("vault");
    for i in 0..n {
        v.set_auto_lock_minutes(1 + i % 60, now()).expect("setting");
    }
}

fn today() -> NaiveDate {
    now().date_naive()
}

/// A client with consent, an application of 500 000 ₸ (above the supervisor's limit) submitted by
/// the officer and referred to head office by the supervisor.
pub fn referred_application(d: &Desk, serial: u32) -> ApplicationId {
    let off = d.officer();
    let mut v = off.lock().expect("vault");
    let iin = Iin::compose(
        NaiveDate::from_ymd_opt(1990, 12, 11).expect("date"),
        Sex::Female,
        serial,
    )
    .expect("an IIN");
    let form = ClientForm {
        iin: iin.to_string(),
        surname: "Иванова".into(),
        given_name: "Анна".into(),
        patronymic: "".into(),
        birth_date: "11.12.1990".into(),
        sex: Some(Sex::Female),
        phone: "87012345678".into(),
        email: "".into(),
        registration_address: "Алматы, ул. Абая, 1".into(),
        actual_address: "Алматы, ул. Абая, 1".into(),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "045123456".into(),
        document_issuer: "МВД РК".into(),
        document_issued_on: "15.01.2023".into(),
        document_expires_on: "14.01.2033".into(),
        employer: "".into(),
        position: "".into(),
        monthly_income: "350000".into(),
    };
    let client = domain::client::check(&form, today()).expect("a valid client");
    let client_id = v.add_client(&client, now()).expect("client");
    let privacy = &domain::policy::shipped()[0];
    v.store_document(
        &NewDocument {
            id: &vault::new_document_id(),
            kind: "consent",
            client_id: Some(&client_id),
            application_id: None,
            policy_version: Some(privacy.version),
            issued_at: now(),
            content: "{}",
            content_sha256: &"a".repeat(64),
            signature: &"b".repeat(128),
            pdf: b"%PDF-1.7\n%%EOF\n",
        },
        now(),
    )
    .expect("consent form");
    let decisions: BTreeMap<String, bool> = privacy
        .purposes
        .iter()
        .map(|p| (p.code.clone(), p.required))
        .collect();
    let sig = DrawnSignature {
        width: 600,
        height: 200,
        strokes: vec![
            (0..40)
                .map(|i| Point(20 + i * 12, 100 + (i % 7) * 6, u32::from(i) * 15))
                .collect(),
        ],
    };
    v.record_consent(
        &NewGrant {
            request_key: &format!("{serial:032x}"),
            client_id: &client_id,
            in_force: privacy,
            policy_version: privacy.version,
            policy_sha256: &privacy.sha256,
            decisions: &decisions,
            method: Method::Screen,
            evidence: Evidence {
                signature: Some(&sig),
                signature_png: Some(b"\x89PNG stand-in"),
                scan: None,
                note: None,
            },
        },
        now(),
    )
    .expect("consent");
    let terms = terms(500_000);
    let app = v
        .create_application(&client_id, &terms, now())
        .expect("draft");
    v.submit_application(&app, &terms, privacy, now())
        .expect("submit");
    drop(v);
    let sup = d.supervisor();
    sup.lock()
        .expect("vault")
        .step_application(&app, Step::Refer, None, now())
        .expect("refer");
    app
}

fn terms(tenge: i64) -> Terms {
    let catalog =
        domain::catalog::Catalog::from_json(include_str!("../../../../../config/catalog.json"))
            .expect("catalog");
    domain::application::check(
        &ApplicationForm {
            product_id: "consumer-12".into(),
            amount: tenge.to_string(),
            months: 12,
            method: Some(Repayment::Annuity),
            purpose: "ремонт".into(),
        },
        &catalog,
        today(),
    )
    .expect("terms")
}
