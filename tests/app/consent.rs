//! Consent in person (SCENARIOS.md), through the window: the officer prints the policy and the
//! consent form, ticks the client's decisions, the client signs on screen (WebDriver pointer
//! actions on the pad), the receipt prints; later the client stops advertising by telephone (two
//! clicks) and the card shows it; a required purpose cannot be withdrawn while the loan is open.
//! Used by the day-at-the-desk test in `applications.rs`, which also checks that an application
//! waits for consent.

use thirtyfour::By;

use crate::desk::{Desk, TestResult, WAIT};
use crate::{check, check_eq};

/// The printed receipt's text (the newest `receipt-*.pdf` handed to the viewer).
fn receipt_text(d: &Desk) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let printouts = d.data_dir.path().join("printouts");
    let mut receipts: Vec<_> = std::fs::read_dir(&printouts)?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("receipt-"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    receipts.sort();
    let (_, newest) = receipts
        .pop()
        .ok_or("the receipt's PDF is written for the viewer")?;
    let out = std::process::Command::new("pdftotext")
        .arg(&newest)
        .arg("-")
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" "))
}

/// Draws a signature on the pad with the pointer: press, a few strokes, release.
async fn sign_on_pad(d: &Desk) -> TestResult {
    let pad = d.el("signature-pad").await?;
    pad.scroll_into_view().await?;
    d.driver
        .action_chain()
        .move_to_element_with_offset(&pad, -220, 10)
        .click_and_hold()
        .move_by_offset(30, -40)
        .move_by_offset(30, 60)
        .move_by_offset(40, -50)
        .move_by_offset(50, 45)
        .move_by_offset(60, -20)
        .release()
        .perform()
        .await?;
    Ok(())
}

/// From the client's card: prints the policy and the consent form, records every purpose given
/// with a signature drawn on screen, checks the receipt, then withdraws advertising by telephone.
pub async fn record_and_opt_out(d: &Desk, client_name: &str) -> TestResult {
    d.wait_text("consent-missing", WAIT, |t| !t.is_empty())
        .await?;
    d.click("print-policy").await?;
    d.wait_text("print-issued", WAIT, |t| t.contains("policy-"))
        .await?;
    d.click("consent-record-privacy").await?;
    check!(
        d.el("consent-print-first").await.is_ok(),
        "the form says the consent form must be printed first"
    );
    d.click("consent-confirm").await?;
    let said = d.wait_text("error-text", WAIT, |t| !t.is_empty()).await?;
    check!(
        said.contains("форму согласия") || said.contains("расписался"),
        format!("confirming before the form is printed or signed is refused, saying why: {said:?}")
    );
    d.click("print-consent").await?;
    d.wait_text("print-issued", WAIT, |t| t.contains("consent-"))
        .await?;
    let printed_at = std::time::Instant::now();
    while !d
        .driver
        .find_all(By::Css("[data-testid=\"consent-print-first\"]"))
        .await?
        .is_empty()
    {
        check!(
            printed_at.elapsed() < WAIT,
            "once the form is printed the open consent form stops asking for it"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Decisions: every purpose, advertising included.
    for code in [
        "issue-microcredit",
        "third-party-transfer",
        "agreement-monitoring",
        "advertising",
    ] {
        d.click(&format!("decide-{code}")).await?;
    }
    // A dot is not a signature.
    let pad = d.el("signature-pad").await?;
    pad.scroll_into_view().await?;
    d.driver
        .action_chain()
        .move_to_element_with_offset(&pad, 0, 0)
        .click()
        .perform()
        .await?;
    d.click("consent-confirm").await?;
    check_eq!(
        d.wait_text("signature-error", WAIT, |t| t.contains("точка"))
            .await?,
        "Это точка, а не подпись: пусть клиент распишется полностью.",
        "a one-dot signature is refused on the signature, in Russian"
    );
    d.click("signature-clear").await?;
    sign_on_pad(d).await?;
    d.screenshot("consent-signed").await?;
    d.click("consent-confirm").await?;
    let notice = d
        .wait_text("consent-notice", WAIT, |t| t.contains("квитанция"))
        .await?;
    check!(
        notice.contains("квитанция"),
        format!("recording the consent prints the receipt: {notice:?}")
    );
    for code in ["issue-microcredit", "advertising"] {
        d.expect_text(
            &format!("purpose-state-{code}"),
            "Дано",
            "the card shows each purpose given",
        )
        .await?;
    }
    check!(
        d.driver
            .find_all(By::Css("[data-testid=\"consent-missing\"]"))
            .await?
            .is_empty(),
        "with consent given the card no longer says it is missing"
    );
    d.wait_text("documents-list", WAIT, |t| {
        t.contains("Квитанция о согласии")
    })
    .await?;
    let text = receipt_text(d)?;
    check!(
        text.contains(client_name)
            && text.contains("info@sinvest.kz")
            && text.contains("Показ рекламных предложений"),
        format!("the receipt names the client, the purposes and how to withdraw: {text}")
    );

    // The client calls to stop advertising: two clicks.
    d.click("withdraw-advertising").await?;
    d.click("withdraw-confirm").await?;
    d.expect_text(
        "purpose-state-advertising",
        "Отозвано",
        "the advertising opt-out is recorded and shown on the card",
    )
    .await?;
    d.expect_text(
        "purpose-state-issue-microcredit",
        "Дано",
        "the other purposes stay given",
    )
    .await?;
    d.wait_text("consent-notice", WAIT, |t| t.contains("Отзыв записан"))
        .await?;
    d.screenshot("consent-card").await?;
    Ok(())
}

/// With the loan signed, the card refuses to withdraw a required purpose, naming the rule.
pub async fn required_stays_while_the_loan_is_open(d: &Desk) -> TestResult {
    d.wait_text("consent-loan-open", WAIT, |t| !t.is_empty())
        .await?;
    d.click("withdraw-issue-microcredit").await?;
    d.click("withdraw-confirm").await?;
    check_eq!(
        d.wait_text("withdraw-error", WAIT, |t| !t.is_empty())
            .await?,
        "Обязательную цель нельзя отозвать, пока у клиента открыт микрокредит (до исполнения обязательств по договору).",
        "a required purpose cannot be withdrawn while the loan is open, and the screen says why"
    );
    d.expect_text(
        "purpose-state-issue-microcredit",
        "Дано",
        "the refused withdrawal changed nothing",
    )
    .await?;
    d.screenshot("consent-required-refused").await?;
    Ok(())
}
