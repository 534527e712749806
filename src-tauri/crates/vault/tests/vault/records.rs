//! Clients and applications stored in a real vault: duplicates, search, paging, the lifecycle
//! with maker-checker, versions, and an audit entry for every change.

use chrono::NaiveDate;
use domain::application::{ApplicationForm, Stage, Step, StepError, Terms};
use domain::client::{Client, ClientForm, DocumentKind};
use domain::iin::{Sex, check_digit};
use domain::money::Money;
use domain::schedule::Method;
use vault::{ApplicationFilter, ClientQuery, OfficerId, Role, Vault, VaultError};

use super::consent::{consent, print_form, privacy};
use super::{Desk, desk, now, pass};

pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

/// A valid IIN for a woman born on 11.12.1990 with serial `serial`.
pub(crate) fn iin(serial: u32) -> String {
    let mut d = [9, 0, 1, 2, 1, 1, 4, 0, 0, 0, 0];
    let mut s = serial;
    for i in (7..11).rev() {
        d[i] = s % 10;
        s /= 10;
    }
    let mut s = serial;
    // Skip serials whose first eleven digits can get no check digit.
    while check_digit(&d).is_none() {
        s += 1;
        let mut t = s;
        for i in (7..11).rev() {
            d[i] = t % 10;
            t /= 10;
        }
    }
    let k = check_digit(&d).expect("issuable");
    d.iter().chain([k].iter()).map(|x| x.to_string()).collect()
}

pub(crate) fn client(iin: &str, surname: &str, given: &str, phone: &str) -> Client {
    let form = ClientForm {
        iin: iin.into(),
        surname: surname.into(),
        given_name: given.into(),
        patronymic: "".into(),
        birth_date: "11.12.1990".into(),
        sex: Some(Sex::Female),
        phone: phone.into(),
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
    domain::client::check(&form, today()).expect("a valid client")
}

pub(crate) fn catalog() -> domain::catalog::Catalog {
    domain::catalog::Catalog::from_json(include_str!("../../../../../config/catalog.json"))
        .expect("shipped catalog")
}

pub(crate) fn terms(amount_tenge: i64, months: u32) -> Terms {
    let form = ApplicationForm {
        product_id: "consumer-12".into(),
        amount: amount_tenge.to_string(),
        months,
        method: Some(Method::Annuity),
        purpose: "ремонт".into(),
    };
    domain::application::check(&form, &catalog(), today()).expect("terms within the product")
}

struct Branch {
    desk: Desk,
    officer: OfficerId,
    supervisor: OfficerId,
    second_supervisor: OfficerId,
}

const OFFICER_PASS: &str = "officer passphrase";
const SUPERVISOR_PASS: &str = "supervisor passphrase";

fn branch() -> Branch {
    let desk = desk();
    let mut admin = desk.unlock();
    let officer = admin
        .add_officer("Ержан", Role::Officer, &pass(OFFICER_PASS), now())
        .expect("officer")
        .id;
    let supervisor = admin
        .add_officer("Гүлнар", Role::Supervisor, &pass(SUPERVISOR_PASS), now())
        .expect("supervisor")
        .id;
    let second_supervisor = admin
        .add_officer("Марат", Role::Supervisor, &pass(SUPERVISOR_PASS), now())
        .expect("second supervisor")
        .id;
    for s in [&supervisor, &second_supervisor] {
        admin
            .set_approval_limit(s, Money::from_tenge(1_000_000).expect("m"), now())
            .expect("limit");
    }
    Branch {
        desk,
        officer,
        supervisor,
        second_supervisor,
    }
}

impl Branch {
    fn as_officer(&self) -> Vault {
        Vault::unlock(
            &self.desk.dir,
            &self.desk.keychain,
            &self.officer,
            &pass(OFFICER_PASS),
            now(),
        )
        .expect("unlock as officer")
    }
    fn as_supervisor(&self, who: &OfficerId) -> Vault {
        Vault::unlock(
            &self.desk.dir,
            &self.desk.keychain,
            who,
            &pass(SUPERVISOR_PASS),
            now(),
        )
        .expect("unlock as supervisor")
    }
}

#[test]
fn a_duplicate_iin_is_refused_naming_the_client_and_changes_nothing() {
    let d = desk();
    let mut v = d.unlock();
    let a = v
        .add_client(&client(&iin(1), "Иванова", "Анна", "87012345678"), now())
        .expect("first");
    let audit = v.audit_len().expect("audit");
    let err = v
        .add_client(&client(&iin(1), "Петрова", "Мария", "87012345679"), now())
        .expect_err("same IIN twice");
    assert!(
        matches!(&err, VaultError::DuplicateIin { client_id } if client_id == &a),
        "the refusal names the existing client: {err:?}"
    );
    assert_eq!(v.audit_len().expect("audit"), audit, "nothing was written");
    let page = v
        .search_clients(&ClientQuery::All, None, 50)
        .expect("search");
    assert_eq!(page.items.len(), 1, "still one client");
}

#[test]
fn edits_raise_the_version_and_a_stale_edit_is_refused() {
    let d = desk();
    let mut v = d.unlock();
    let id = v
        .add_client(&client(&iin(2), "Иванова", "Анна", "87012345678"), now())
        .expect("add");
    let rec = v.client(&id).expect("read");
    assert_eq!(rec.version, 1);
    let changed = client(&iin(2), "Сидорова", "Анна", "87012345678");
    assert_eq!(v.update_client(&id, 1, &changed, now()).expect("edit"), 2);
    assert!(
        matches!(
            v.update_client(&id, 1, &changed, now()),
            Err(VaultError::Stale)
        ),
        "an edit of an old version must not overwrite a newer one"
    );
    let found = v
        .search_clients(&ClientQuery::parse("сидор"), None, 10)
        .expect("search");
    assert_eq!(found.items.len(), 1, "the name index follows the edit");
    let old = v
        .search_clients(&ClientQuery::parse("иванова"), None, 10)
        .expect("search");
    assert!(old.items.is_empty(), "the old name is no longer found");
    assert!(matches!(
        v.client(&vault::ClientId::from("nope")),
        Err(VaultError::NotFound)
    ));
}

#[test]
fn search_by_iin_name_and_phone_in_pages() {
    let d = desk();
    let mut v = d.unlock();
    let names = [
        ("Қасымова", "Әлия"),
        ("Ёлкина", "Ирина"),
        ("Елкина", "Ольга"),
        ("Smith", "Anna"),
        ("Иванова", "Анна"),
    ];
    for (i, (s, g)) in names.iter().enumerate() {
        v.add_client(
            &client(&iin(10 + i as u32), s, g, &format!("8701234560{i}")),
            now(),
        )
        .expect("add");
    }
    let names_of = |q: &str| -> Vec<String> {
        v.search_clients(&ClientQuery::parse(q), None, 50)
            .expect("search")
            .items
            .into_iter()
            .map(|r| r.full_name)
            .collect()
    };
    assert_eq!(
        names_of("елкин"),
        vec!["Ёлкина Ирина", "Елкина Ольга"],
        "case-insensitive, ё found by е, in name order (ё sorts as е)"
    );
    assert_eq!(
        names_of("ҚАСЫМ"),
        vec!["Қасымова Әлия"],
        "Kazakh letters fold too"
    );
    assert_eq!(names_of("smith an"), vec!["Smith Anna"]);
    assert_eq!(names_of("анна"), vec!["Иванова Анна"]);
    assert_eq!(names_of(&iin(12)), vec!["Елкина Ольга"], "exact IIN");
    assert_eq!(names_of("901211").len(), 5, "IIN prefix");
    assert_eq!(names_of("+7 701 234 56 03"), vec!["Smith Anna"], "phone");
    assert_eq!(
        names_of("87012345604"),
        vec!["Иванова Анна"],
        "phone with 8"
    );
    assert!(names_of("\"оr*").is_empty(), "FTS syntax in input is text");

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = v
            .search_clients(&ClientQuery::All, after.as_deref(), 2)
            .expect("page");
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|r| r.full_name));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "pages cover every client once: {seen:?}");
    let mut sorted = seen.clone();
    sorted.sort_by_key(|n| domain::client::name_key(n));
    assert_eq!(seen, sorted, "pages are in name order");
}

#[test]
fn the_lifecycle_with_maker_checker_is_audited_at_every_step() {
    let b = branch();
    let mut off = b.as_officer();
    let client_id = off
        .add_client(&client(&iin(30), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut off, &client_id);
    consent(&mut off, &client_id, false, 1);
    let app = off
        .create_application(&client_id, &terms(500_000, 12), now())
        .expect("draft");
    off.update_draft(&app, &terms(600_000, 12), now())
        .expect("a draft can change in place");
    assert_eq!(
        off.application(&app).expect("read").amount,
        Money::from_tenge(600_000).expect("m")
    );
    off.submit_application(&app, &terms(600_000, 12), privacy(), now())
        .expect("submit");
    assert!(
        matches!(
            off.update_draft(&app, &terms(700_000, 12), now()),
            Err(VaultError::Step(StepError::WrongStage))
        ),
        "a submitted application does not change in place"
    );
    assert!(
        matches!(
            off.step_application(&app, Step::Approve, None, now()),
            Err(VaultError::Step(StepError::NotChecker))
        ),
        "an officer does not decide"
    );
    drop(off);

    let mut sup = b.as_supervisor(&b.supervisor);
    let queue = sup.approval_queue().expect("queue");
    assert_eq!(
        queue.len(),
        1,
        "the submitted application waits for the supervisor"
    );
    assert_eq!(queue[0].client_name, "Иванова Анна");
    let before = sup.audit_len().expect("audit");
    let outbox = sup.outbox_pending().expect("outbox");
    assert!(
        matches!(
            sup.step_application(&app, Step::Return, Some(" "), now()),
            Err(VaultError::Step(StepError::ReasonRequired))
        ),
        "a return says why"
    );
    assert_eq!(
        sup.step_application(&app, Step::Return, Some("нужна справка о доходах"), now())
            .expect("return"),
        Stage::Returned
    );
    assert_eq!(sup.audit_len().expect("audit"), before + 1, "audited");
    assert_eq!(sup.outbox_pending().expect("outbox"), outbox + 1, "queued");
    drop(sup);

    let mut off = b.as_officer();
    let v2 = off
        .revise_application(&app, &terms(550_000, 12), now())
        .expect("revise");
    let rec = off.application(&v2).expect("v2");
    assert_eq!(
        (
            rec.version,
            rec.replaces.as_ref().map(vault::ApplicationId::as_str)
        ),
        (2, Some(app.as_str()))
    );
    assert_eq!(
        off.application(&app).expect("v1").stage,
        Stage::Superseded,
        "the replaced version is kept, superseded"
    );
    off.submit_application(&v2, &terms(550_000, 12), privacy(), now())
        .expect("submit v2");
    drop(off);

    let mut sup = b.as_supervisor(&b.second_supervisor);
    assert_eq!(
        sup.step_application(&v2, Step::Approve, None, now())
            .expect("approve"),
        Stage::Approved
    );
    drop(sup);
    let mut off = b.as_officer();
    off.step_application(&v2, Step::IssueOffer, None, now())
        .expect("offer");
    off.step_application(&v2, Step::Sign, None, now())
        .expect("signed");
    let events: Vec<(String, Stage)> = off
        .application_events(&v2)
        .expect("events")
        .into_iter()
        .map(|e| (e.step, e.stage))
        .collect();
    assert_eq!(
        events,
        vec![
            ("create".into(), Stage::Draft),
            ("submit".into(), Stage::Submitted),
            ("return".into(), Stage::Returned),
            ("revise".into(), Stage::Superseded),
            ("create".into(), Stage::Draft),
            ("submit".into(), Stage::Submitted),
            ("approve".into(), Stage::Approved),
            ("issue_offer".into(), Stage::OfferIssued),
            ("sign".into(), Stage::Signed),
        ],
        "every step of both versions, in order (a draft's edits are audited, not events)"
    );
    let list = off
        .applications(
            &ApplicationFilter {
                client_id: Some(client_id.clone()),
                stage: None,
            },
            None,
            50,
        )
        .expect("list");
    assert_eq!(
        list.items.iter().map(|r| r.version).collect::<Vec<_>>(),
        vec![2],
        "lists show the current version only"
    );
    assert_eq!(off.first_broken_audit_entry().expect("verify"), None);
}

#[test]
fn a_checker_who_made_a_version_or_is_over_the_limit_cannot_approve() {
    let b = branch();
    let mut sup = b.as_supervisor(&b.supervisor);
    let client_id = sup
        .add_client(&client(&iin(40), "Иванова", "Анна", "87012345678"), now())
        .expect("client");
    print_form(&mut sup, &client_id);
    consent(&mut sup, &client_id, false, 1);
    let own = sup
        .create_application(&client_id, &terms(500_000, 12), now())
        .expect("draft");
    sup.submit_application(&own, &terms(500_000, 12), privacy(), now())
        .expect("submit");
    assert!(
        sup.approval_queue().expect("queue").is_empty(),
        "not my own"
    );
    let before = sup.audit_len().expect("audit");
    assert!(
        matches!(
            sup.step_application(&own, Step::Approve, None, now()),
            Err(VaultError::Step(StepError::SameOfficer))
        ),
        "never the same officer"
    );
    assert_eq!(
        sup.audit_len().expect("audit"),
        before,
        "refusal writes nothing"
    );
    drop(sup);

    let mut other = b.as_supervisor(&b.second_supervisor);
    let big = other
        .create_application(&client_id, &terms(2_000_000, 24), now())
        .expect("draft");
    other
        .submit_application(&big, &terms(2_000_000, 24), privacy(), now())
        .expect("submit");
    drop(other);
    let mut sup = b.as_supervisor(&b.supervisor);
    assert!(
        matches!(
            sup.step_application(&big, Step::Approve, None, now()),
            Err(VaultError::Step(StepError::AboveLimit))
        ),
        "2 000 000 ₸ is above a 1 000 000 ₸ limit"
    );
    assert_eq!(
        sup.step_application(&big, Step::Refer, None, now())
            .expect("refer"),
        Stage::Referred,
        "above the limit it goes to head office"
    );
}

#[test]
fn an_administrator_sets_limits_but_does_not_make_or_check() {
    let b = branch();
    let mut admin = b.desk.unlock();
    let id = admin
        .add_client(&client(&iin(50), "Иванова", "Анна", "87012345678"), now())
        .expect("admins may register clients");
    assert!(matches!(
        admin.create_application(&id, &terms(500_000, 12), now()),
        Err(VaultError::Forbidden)
    ));
    assert!(matches!(
        admin.set_approval_limit(&OfficerId("nobody".into()), Money::ZERO, now()),
        Err(VaultError::UnknownOfficer)
    ));
    drop(admin);
    let mut off = b.as_officer();
    assert!(matches!(
        off.set_approval_limit(&b.supervisor, Money::ZERO, now()),
        Err(VaultError::Forbidden)
    ));
}

#[test]
fn an_open_form_is_kept_for_its_officer_once_audited_and_never_queued() {
    let b = branch();
    let mut off = b.as_officer();
    let outbox = off.outbox_pending().expect("outbox");
    let audit = off.audit_len().expect("audit");
    off.save_form_draft("client", r#"{"surname":"Сейтқали"}"#, now())
        .expect("save");
    off.save_form_draft("client", r#"{"surname":"Сейтқали Айгерим"}"#, now())
        .expect("a later save replaces the earlier one");
    assert_eq!(
        off.audit_len().expect("audit"),
        audit + 2,
        "each save is audited"
    );
    assert_eq!(
        off.outbox_pending().expect("outbox"),
        outbox,
        "a form draft is desk-local scratch, never sent to head office"
    );
    assert!(matches!(
        off.save_form_draft("client", &"x".repeat(vault::MAX_FORM_DRAFT + 1), now()),
        Err(VaultError::BadSetting)
    ));
    drop(off);

    let mut sup = b.as_supervisor(&b.supervisor);
    assert_eq!(
        sup.take_form_draft(now()).expect("take"),
        None,
        "another officer does not get the officer's form"
    );
    drop(sup);
    let mut off = b.as_officer();
    let d = off
        .take_form_draft(now())
        .expect("take")
        .expect("the draft");
    assert_eq!(
        (d.kind.as_str(), d.data.as_str()),
        ("client", r#"{"surname":"Сейтқали Айгерим"}"#)
    );
    assert_eq!(
        off.take_form_draft(now()).expect("take"),
        None,
        "handed back once"
    );
    assert_eq!(off.first_broken_audit_entry().expect("verify"), None);
}

#[test]
fn only_the_drafts_maker_changes_its_terms() {
    let b = branch();
    let mut officer = b.as_officer();
    let client_id = officer
        .add_client(&client(&iin(41), "Петрова", "Мария", "87012345679"), now())
        .expect("client");
    let draft = officer
        .create_application(&client_id, &terms(500_000, 12), now())
        .expect("draft");
    drop(officer);
    let mut sup = b.as_supervisor(&b.supervisor);
    let before = sup.audit_len().expect("audit");
    assert!(
        matches!(
            sup.update_draft(&draft, &terms(900_000, 24), now()),
            Err(VaultError::Forbidden)
        ),
        "a supervisor cannot rewrite the terms of a draft they would then decide"
    );
    assert_eq!(
        sup.audit_len().expect("audit"),
        before,
        "refusal writes nothing"
    );
    drop(sup);
    b.as_officer()
        .update_draft(&draft, &terms(600_000, 12), now())
        .expect("the maker changes their own draft");
}
