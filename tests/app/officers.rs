//! An administrator adds an officer; the officer unlocks the desk with their own passphrase.

use crate::desk::{Desk, TestResult, WAIT};
use crate::{check, check_eq};

async fn add_officer_then_unlock_as_them(d: &Desk) -> TestResult {
    d.create_vault("Әлия Қасымова", "тёплый чай с молоком")
        .await?;
    d.click("nav-settings").await?;
    d.type_into("officer-name", "Дәурен Ержанов").await?;
    d.type_into("officer-passphrase", "кок-тобе 2026").await?;
    d.click("officer-add").await?;
    check_eq!(
        d.wait_text("officers-notice", WAIT, |t| !t.is_empty())
            .await?,
        "Сотрудник добавлен.",
        "the administrator sees the officer was added"
    );
    let rows = d
        .driver
        .find_all(thirtyfour::By::Css("[data-testid=\"officer-row\"]"))
        .await?;
    check_eq!(
        rows.len(),
        2,
        "the list shows the administrator and the new officer"
    );
    d.screenshot("officers-ru").await?;

    d.click("lock").await?;
    d.wait_text("screen-title", WAIT, |t| {
        t == "Разблокировка рабочего места"
    })
    .await?;
    d.unlock_as("Дәурен Ержанов", "не тот пароль совсем")
        .await?;
    check_eq!(
        d.wait_text("error-text", WAIT, |t| !t.is_empty()).await?,
        "Неверная парольная фраза.",
        "a wrong passphrase shows its own error"
    );
    d.unlock_as("Дәурен Ержанов", "кок-тобе 2026").await?;
    let who = d
        .wait_text("signed-in", WAIT, |t| t.contains("Дәурен"))
        .await?;
    check!(
        who.contains("Дәурен Ержанов") && who.contains("кредитный специалист"),
        "the officer is signed in with their role"
    );
    let outbox = d.text("outbox-count").await?;
    check!(
        outbox.ends_with(" 2"),
        format!(
            "the top bar counts the creation and the new officer waiting for head office: {outbox}"
        )
    );
    d.click("nav-settings").await?;
    d.el("security").await?;
    let admin_parts = d
        .driver
        .find_all(thirtyfour::By::Css("[data-testid=\"officers\"]"))
        .await?;
    check!(
        admin_parts.is_empty(),
        "an officer does not see officer management"
    );
    Ok(())
}

#[tokio::test]
async fn an_admin_adds_an_officer_who_unlocks_with_their_own_passphrase() {
    Desk::run("add-officer-unlock", add_officer_then_unlock_as_them).await;
}
