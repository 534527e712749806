//! Checking documents through the window (issue #18): on the client's card the officer types the
//! machine-readable zone of the client's ID card and the desk compares it with the record (a typo
//! in one digit is caught and named); on the Verify screen the officer opens the offer the desk
//! printed (authentic), the same file with one byte changed (altered), and types the text of its
//! QR code (an authentic seal). Used by the day-at-the-desk test in `applications.rs`.

use std::path::Path;

use thirtyfour::By;

use crate::desk::{Desk, TestResult, WAIT};
use crate::{check, check_eq};

fn digit(field: &str) -> char {
    verify::mrz::check_digit(field.as_bytes())
}

/// The zone of a Kazakh ID card (TD1) for the test's client, with every check digit computed.
pub fn id_card_zone(
    number: &str,
    iin: &str,
    birth: &str,
    sex: char,
    expiry: &str,
    name: &str,
) -> [String; 3] {
    let line1 = format!("IDKAZ{number}{}{iin:<<15}", digit(number));
    let line2_head = format!("{birth}{}{sex}{expiry}{}KAZ", digit(birth), digit(expiry));
    let line2_body = format!("{line2_head}{:<<11}", "");
    let composite = format!(
        "{}{}{}{}",
        &line1[5..30],
        &line2_body[0..7],
        &line2_body[8..15],
        &line2_body[18..29]
    );
    let line2 = format!("{line2_body}{}", digit(&composite));
    [line1, line2, format!("{name:<<30}")]
}

/// The id of the report on screen, if one is.
async fn shown(d: &Desk) -> Result<Option<String>, Box<dyn std::error::Error + Send + Sync>> {
    match d
        .driver
        .find_all(By::Css("[data-testid=\"verification\"]"))
        .await?
        .first()
    {
        Some(el) => Ok(el.attr("data-id").await?),
        None => Ok(None),
    }
}

/// Clicks `button` and waits for a new report (another id than the one shown before); its verdict.
async fn check_with(
    d: &Desk,
    button: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let before = shown(d).await?;
    d.click(button).await?;
    let started = std::time::Instant::now();
    loop {
        let now = shown(d).await.unwrap_or(None);
        if now.is_some() && now != before {
            break;
        }
        if started.elapsed() > WAIT {
            return Err(format!("no new report after {button}").into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Ok(d.el("verification")
        .await?
        .attr("data-verdict")
        .await?
        .unwrap_or_default())
}

/// On the client's card: the client's ID card matches the record; a mistyped digit does not.
pub async fn identity_on_the_card(d: &Desk) -> TestResult {
    let zone = id_card_zone(
        "045123456",
        "061211600012",
        "061211",
        'F',
        "330114",
        "SEITKALI<<AIGERIM",
    );
    d.type_into("mrz-lines", &zone.join("\n")).await?;
    let verdict = check_with(d, "mrz-check").await?;
    let lines = d.text("verify-lines").await?;
    check_eq!(
        verdict,
        "pass",
        format!("the client's own ID card matches the record: {lines}")
    );
    // One digit of the document number mistyped: its check digit says so.
    let mut typo = zone.clone();
    typo[0].replace_range(9..10, "9");
    d.type_into("mrz-lines", &typo.join("\n")).await?;
    check_eq!(
        check_with(d, "mrz-check").await?,
        "fail",
        "a mistyped digit fails the check"
    );
    let failing = d
        .driver
        .find_all(By::Css(
            "[data-testid=\"verify-lines\"] tr[data-outcome=\"fail\"]",
        ))
        .await?;
    let mut codes = Vec::new();
    for row in failing {
        codes.push(row.attr("data-code").await?.unwrap_or_default());
    }
    check!(
        codes.contains(&"check.document_number_digit".to_owned()),
        format!("the line names the document number's check digit: {codes:?}")
    );
    d.wait_text("identity-history", WAIT, |t| t.lines().count() >= 2)
        .await?;
    Ok(())
}

/// On the Verify screen: the printed offer is authentic, a copy with one changed byte is altered,
/// and the QR text's seal is authentic.
pub async fn offer_on_the_verify_screen(d: &Desk, offer: &Path) -> TestResult {
    d.click("nav-verify").await?;
    d.el("verify-file")
        .await?
        .send_keys(offer.display().to_string())
        .await?;
    let verdict = check_with(d, "verify-file-check").await?;
    let lines = d.text("verify-lines").await?;
    check_eq!(
        verdict,
        "authentic",
        format!("the offer this desk printed is authentic: {lines}")
    );
    check!(
        lines.contains("Оферта") || lines.contains("offer"),
        format!("the report names the document: {lines}")
    );
    d.screenshot("verify-offer").await?;

    let pdf = std::fs::read(offer)?;
    let altered = offer.with_file_name("altered-offer.pdf");
    let mut bytes = pdf.clone();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&altered, &bytes)?;
    d.el("verify-file")
        .await?
        .send_keys(altered.display().to_string())
        .await?;
    check_eq!(
        check_with(d, "verify-file-check").await?,
        "altered",
        "one changed byte is caught"
    );

    let qr =
        verify::pdf_text::entry(&pdf, b"/BranchDeskSeal").ok_or("the offer carries its seal")?;
    d.type_into("verify-qr", &qr).await?;
    check_eq!(
        check_with(d, "verify-qr-check").await?,
        "authentic",
        "the QR code's seal is authentic"
    );
    d.wait_text("verify-history", WAIT, |t| t.lines().count() >= 3)
        .await?;
    Ok(())
}
