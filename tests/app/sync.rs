//! The desk and head office through the window (SCENARIOS.md): a real `branchdesk-hq` serves over
//! TLS on 127.0.0.1; the administrator connects the desk in Settings with head office's code; an
//! officer submits an application above the supervisor's limit, the supervisor refers it, the desk
//! syncs, head office approves it with `branchdesk-hq decide`, and after the next sync the
//! application reads "approved by head office" and the outbox shows every record acknowledged.
//! The same on PostgreSQL.

use thirtyfour::By;

use crate::desk::{Desk, TestResult, WAIT};
use crate::office::{Office, Server};
use crate::{check, check_eq};

const ADMIN: &str = "Әлия Қасымова";
const OFFICER: &str = "Дәурен Ержанов";
const SUPERVISOR: &str = "Гүлнар Сапарова";
const PASS: &str = "кок-тобе 2026";
const DECIDER: &str = "Кредитный комитет ГО";

async fn referred_and_approved(d: &Desk, office: &Office, server: &Server) -> TestResult {
    d.create_vault(ADMIN, "тёплый чай с молоком").await?;

    // Settings: the administrator pastes head office's code; the desk reads it back first.
    d.click("nav-settings").await?;
    d.wait_text("head-office", WAIT, |t| !t.is_empty()).await?;
    d.type_into("hq-code", "BDE1-not-a-code").await?;
    d.click("hq-read").await?;
    check_eq!(
        d.wait_text("hq-code-error", WAIT, |t| !t.is_empty())
            .await?,
        "Это не код головного офиса: проверьте, что он скопирован целиком.",
        "a mangled code is refused on the field, saying what to check"
    );
    d.type_into("hq-code", &office.code("Алматы-1", &server.url()))
        .await?;
    d.click("hq-read").await?;
    let preview = d.wait_text("hq-preview", WAIT, |t| !t.is_empty()).await?;
    check!(
        preview.contains(&server.url()) && preview.contains("Алматы-1"),
        format!("the code is read back before connecting: {preview:?}")
    );
    d.click("hq-enrol").await?;
    d.wait_text("hq-enrolled", WAIT, |t| !t.is_empty()).await?;
    check_eq!(
        d.text("hq-url").await?,
        server.url(),
        "Settings shows the head office the desk is connected to"
    );
    d.screenshot("sync-enrolled").await?;

    d.add_officer(OFFICER, "кредитный специалист", PASS).await?;
    d.add_officer(SUPERVISOR, "супервайзер", PASS).await?;
    d.type_into("approval-limit", "100000").await?;
    d.click("approval-limit-set").await?;
    d.expect_text(
        "officers-notice",
        "Сохранено.",
        "the supervisor's limit is set",
    )
    .await?;

    // The officer: a client, their consent, an application of 500 000 ₸ submitted.
    d.switch_to(OFFICER, PASS).await?;
    d.click("nav-clients").await?;
    d.type_into("client-search", "061211600012").await?;
    d.click("client-new-with-iin").await?;
    for (field, value) in [
        ("c-surname", "Сейтқали"),
        ("c-given_name", "Айгерим"),
        ("c-document_number", "045123456"),
        ("c-document_issued_on", "15012023"),
        ("c-document_expires_on", "14012033"),
        ("c-phone", "87012345678"),
        ("c-registration_address", "Алматы, ул. Абая, 1, кв. 5"),
        ("c-monthly_income", "350000"),
    ] {
        d.type_into(field, value).await?;
    }
    d.click("client-save").await?;
    d.expect_text("client-name", "Сейтқали Айгерим", "the client card")
        .await?;
    crate::consent::record_and_opt_out(d, "Сейтқали Айгерим").await?;
    d.click("application-new").await?;
    d.type_into("a-amount", "500000").await?;
    d.type_into("a-months", "12").await?;
    d.type_into("a-purpose", "ремонт квартиры").await?;
    d.wait_text("quote-gesv", WAIT, |t| t.ends_with('%'))
        .await?;
    d.click("application-submit").await?;
    d.expect_text("stage", "на решении", "the application is submitted")
        .await?;

    // The supervisor: above the limit, so it goes to head office.
    d.switch_to(SUPERVISOR, PASS).await?;
    d.click("nav-applications").await?;
    d.click("application-open").await?;
    d.click("step-refer").await?;
    d.expect_text("stage", "в головном офисе", "the supervisor refers it")
        .await?;
    d.el("head-office-waiting").await?;

    // Sync now: the progress shows, then the report; the top bar says when.
    d.click("nav-sync").await?;
    d.click("sync-now").await?;
    let report = d.wait_text("sync-report", WAIT, |t| !t.is_empty()).await?;
    check!(
        report.starts_with("Готово"),
        format!("the round reports what it sent: {report:?}")
    );
    check_eq!(
        d.el("sync-status")
            .await?
            .attr("data-state")
            .await?
            .unwrap_or_default(),
        "ok",
        "the top bar shows the last sync succeeded"
    );

    // Head office decides.
    let referred = office.json(&["applications", "--stage", "referred", "--json"]);
    let rows = referred.as_array().cloned().unwrap_or_default();
    check_eq!(rows.len(), 1, "head office has the referred application");
    let app = rows[0]["id"].as_str().unwrap_or_default().to_owned();
    office.ok(&[
        "decide",
        &app,
        "approve",
        "--reason",
        "доход подтверждён",
        "--by",
        DECIDER,
    ]);

    d.click("sync-now").await?;
    let report = d
        .wait_text("sync-report", WAIT, |t| t.contains("решений 1"))
        .await?;
    check!(
        report.contains("решений 1"),
        format!("the next sync brings the decision: {report:?}")
    );
    d.click("nav-applications").await?;
    d.click("application-open").await?;
    d.expect_text("stage", "одобрена", "head office's approval applies")
        .await?;
    let decision = d
        .wait_text("head-office-decision", WAIT, |t| !t.is_empty())
        .await?;
    check!(
        decision.contains("Одобрено головным офисом") && decision.contains(DECIDER),
        format!("the application says who at head office approved it: {decision:?}")
    );
    d.screenshot("sync-approved-by-head-office").await?;

    // The outbox: every record acknowledged, none waiting.
    d.click("nav-sync").await?;
    let counts = d.el("sync-counts").await?;
    for (attr, want) in [
        ("data-queued", "0"),
        ("data-sent", "0"),
        ("data-refused", "0"),
    ] {
        check_eq!(
            counts.attr(attr).await?.unwrap_or_default(),
            want,
            format!("nothing is left in the outbox ({attr})")
        );
    }
    d.el("outbox-table").await?;
    let states = d
        .driver
        .find_all(By::Css("[data-testid=\"outbox-row\"]"))
        .await?;
    check!(!states.is_empty(), "the outbox view lists the records");
    for row in states {
        check_eq!(
            row.attr("data-state").await?.unwrap_or_default(),
            "acked",
            "every record in the outbox view is acknowledged"
        );
    }
    d.screenshot("sync-outbox").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_referred_application_is_approved_by_head_office_on_sqlite() {
    let office = Office::sqlite();
    let server = office.serve();
    Desk::run("sync-sqlite", async |d| {
        referred_and_approved(d, &office, &server).await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_referred_application_is_approved_by_head_office_on_postgresql() {
    let office = Office::postgres();
    let server = office.serve();
    Desk::run("sync-postgresql", async |d| {
        referred_and_approved(d, &office, &server).await
    })
    .await;
}
