//! The printed documents checked the way a reader meets them: rendered to real PDF files and read
//! back with poppler (`pdftotext`, `pdffonts`, `pdfinfo`, `pdftoppm`), `qpdf --check` and `zbarimg`
//! for the QR code (scanned from pages rendered at 80 and 150 dpi, as a cheap scanner would).
//! First pages are kept as PNGs under `artifacts/print/`. Every kind of document is here: the
//! policy, the privacy and credit-bureau consent forms, the offer and the consent receipt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::DateTime;
use chrono::{NaiveDate, TimeZone, Utc};
use domain::Money;
use domain::consent::{Action, Method as Taken, Scope};
use domain::evidence::{DrawnSignature, Point};
use domain::policy::PolicyVersion;
use domain::schedule::{self, Method, Terms};
use ed25519_dalek::{Signer, SigningKey, Verifier};
use print::{
    COMPANY, ClientData, ConsentForm, Document, Kind, LineState, Offer, PrintError, Receipt,
    ReceiptEvidence, ReceiptLine, Seal,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn policy() -> &'static PolicyVersion {
    &domain::policy::shipped()[0]
}

/// The shipped credit-bureau terms, version 1.
fn bureau() -> &'static PolicyVersion {
    &domain::policy::shipped_in(Scope::CreditBureau)[0]
}

/// A signature as a client draws it on the desk's 600 × 200 pad: a zigzag of a name, an underline,
/// and a dot (a stroke of one point).
fn drawn() -> DrawnSignature {
    let name: Vec<Point> = (0..24u16)
        .map(|i| {
            let y = if i % 2 == 0 { 150 - i * 2 } else { 60 + i * 3 };
            Point(60 + i * 18, y, u32::from(i) * 35)
        })
        .collect();
    let underline = vec![
        Point(50, 175, 1200),
        Point(300, 170, 1350),
        Point(520, 178, 1500),
    ];
    let dot = vec![Point(540, 60, 1800)];
    let sig = DrawnSignature {
        width: 600,
        height: 200,
        strokes: vec![name, underline, dot],
    };
    sig.check()
        .expect("the test signature passes the desk's check");
    sig
}

/// A receipt for the privacy policy: a grant (advertising refused) or a withdrawal of advertising,
/// signed on screen with `signature` (its strokes and image kept as evidence) or, without one, on
/// paper (its scan kept).
fn receipt(action: Action, signature: Option<DrawnSignature>, at: DateTime<Utc>) -> Receipt {
    let p = policy();
    let last = match action {
        Action::Grant => LineState::Refused,
        Action::Withdraw => LineState::Withdrawn,
    };
    let states = [LineState::Given, LineState::Given, LineState::Given, last];
    let scan = ReceiptEvidence {
        kind: "scan".into(),
        sha256: domain::policy::sha256_hex(b"the signed form, scanned"),
        size: 245_760,
    };
    let evidence = match &signature {
        None => vec![scan],
        Some(_) => Vec::new(),
    };
    let evidence = signature
        .iter()
        .flat_map(|sig| {
            let strokes = sig.canonical_json();
            let png = print::signature_png(sig);
            [
                ReceiptEvidence {
                    kind: "signature-strokes".into(),
                    sha256: domain::policy::sha256_hex(&strokes),
                    size: strokes.len() as u64,
                },
                ReceiptEvidence {
                    kind: "signature-image".into(),
                    sha256: domain::policy::sha256_hex(&png),
                    size: png.len() as u64,
                },
            ]
        })
        .chain(evidence)
        .collect();
    Receipt {
        client: client(),
        scope: Scope::Privacy,
        event_id: "e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7".into(),
        action,
        at,
        method: if signature.is_some() {
            Taken::Screen
        } else {
            Taken::Paper
        },
        officer: "Сейтқали Айгерім Болатқызы".into(),
        policy_version: p.version,
        policy_effective: p.effective,
        policy_sha256: p.sha256.clone(),
        purposes: p
            .purposes
            .iter()
            .zip(states)
            .map(|(p, state)| ReceiptLine {
                code: p.code.clone(),
                title_ru: p.title_in("ru").to_owned(),
                title_kk: p.title_in("kk").to_owned(),
                required: p.required,
                state,
            })
            .collect(),
        evidence,
        note: None,
        signature,
    }
}

/// A withdrawal of the credit-bureau consent by telephone: no files, the officer's note.
fn bureau_withdrawal(at: DateTime<Utc>) -> Receipt {
    let p = bureau();
    Receipt {
        client: client(),
        scope: Scope::CreditBureau,
        event_id: "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0".into(),
        action: Action::Withdraw,
        at,
        method: Taken::Phone,
        officer: "Сейтқали Айгерім Болатқызы".into(),
        policy_version: p.version,
        policy_effective: p.effective,
        policy_sha256: p.sha256.clone(),
        purposes: p
            .purposes
            .iter()
            .map(|p| ReceiptLine {
                code: p.code.clone(),
                title_ru: p.title_in("ru").to_owned(),
                title_kk: p.title_in("kk").to_owned(),
                required: p.required,
                state: LineState::Withdrawn,
            })
            .collect(),
        evidence: Vec::new(),
        note: Some(
            "Клиент позвонил с номера из анкеты; личность подтверждена по ИИН и дате рождения. \
             Займов у клиента нет."
                .into(),
        ),
        signature: None,
    }
}

fn client() -> ClientData {
    ClientData {
        full_name: "Әбдіқадыров Нұрлан Ғалымұлы".into(),
        iin: "850315300123".into(),
        birth_date: date(1985, 3, 15),
        document: "Удостоверение личности № 045678912, выдано МВД РК 01.02.2020, действительно до 01.02.2030".into(),
        registration_address: "г. Алматы, ул. Абая, д. 10, кв. 5".into(),
        actual_address: "г. Алматы, мкр. Самал-2, д. 33, кв. 18".into(),
        phone: "+7 701 234 56 78".into(),
    }
}

fn offer(months: u32, client: ClientData) -> Offer {
    let terms = Terms {
        principal: Money::from_tenge(500_000).unwrap(),
        annual_rate_bp: 3500,
        months,
        issue_date: date(2026, 11, 26),
        method: Method::Annuity,
        issuance_fee: Money::from_tenge(5_000).unwrap(),
        monthly_fee: Money::from_tiyn(0),
    };
    let schedule = schedule::build(&terms).expect("the test terms make a schedule");
    Offer {
        application: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
        application_version: 2,
        client,
        product_id: "consumer-12".into(),
        product_name: BTreeMap::from([
            ("ru".to_owned(), "Потребительский микрокредит".to_owned()),
            ("kk".to_owned(), "Тұтынушылық микрокредит".to_owned()),
        ]),
        amount: terms.principal,
        months,
        method: terms.method,
        annual_rate_bp: terms.annual_rate_bp,
        issuance_fee: terms.issuance_fee,
        monthly_fee: terms.monthly_fee,
        issue_date: terms.issue_date,
        schedule,
        officer: "Сейтқали Айгерім Болатқызы".into(),
    }
}

fn desk_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// Seals `doc` the way the desk does: hash the content, sign the message with the desk key.
fn seal(doc: &Document<'_>, id: &str, key: &SigningKey) -> Seal {
    seal_at(
        doc,
        id,
        key,
        Utc.with_ymd_and_hms(2026, 11, 26, 4, 30, 0).unwrap(),
    )
}

fn seal_at(doc: &Document<'_>, id: &str, key: &SigningKey, issued_at: DateTime<Utc>) -> Seal {
    let content = doc.content().unwrap();
    let message = print::signing_message(doc.kind(), id, issued_at, &content.sha256);
    Seal {
        id: id.into(),
        issued_at,
        desk_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(key.sign(&message).to_bytes()),
    }
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../artifacts/print");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, pdf: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    path
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (scripts/setup-debian.sh): {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler prints UTF-8")
}

fn text_of(pdf: &Path) -> String {
    run("pdftotext", &[pdf.to_str().unwrap(), "-"])
}

/// The text above the footers (pdftotext's crop box, in points from the top-left corner).
fn body_text(pdf: &Path) -> String {
    let args = [
        "-x",
        "0",
        "-y",
        "0",
        "-W",
        "596",
        "-H",
        "800",
        pdf.to_str().unwrap(),
        "-",
    ];
    run("pdftotext", &args)
}

/// Collapses all whitespace to single spaces, so wrapped lines compare as running text.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that `needles` occur in `haystack` in this order.
fn in_order(haystack: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        match haystack[from..].find(n) {
            Some(at) => from += at + n.len(),
            None => panic!("expected {n:?} after byte {from} in reading order; text:\n{haystack}"),
        }
    }
}

fn check_fonts_and_structure(pdf: &Path) {
    let fonts = run("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "exactly the regular and bold faces: {fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(
            cols[0].len() > 7 && cols[0].as_bytes()[6] == b'+' && cols[0].contains("DejaVuSans"),
            "a subset font is named TAG+DejaVuSans: {row}"
        );
        assert_eq!(
            &cols[cols.len() - 5..cols.len() - 2],
            &["yes", "yes", "yes"],
            "embedded, subset, with a ToUnicode map: {row}"
        );
    }
    let check = Command::new("qpdf")
        .args(["--check", pdf.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "qpdf --check must accept the file: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Every word's box lies inside the page's margins (pdftotext -bbox gives them in points).
fn assert_inside_margins(pdf: &Path) -> usize {
    let html = run("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let num = |s: &str, key: &str| -> f32 {
        let at = s.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        s[at..].split('"').next().unwrap().parse().unwrap()
    };
    let mut pages = 0;
    let mut words = 0;
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            pages += 1;
        }
        if line.starts_with("<word ") {
            words += 1;
            let (x0, y0, x1, y1) = (
                num(line, "xMin"),
                num(line, "yMin"),
                num(line, "xMax"),
                num(line, "yMax"),
            );
            assert!(
                x0 >= 56.0 && x1 <= 595.28 - 56.0 && y0 >= 50.0 && y1 <= 841.89 - 20.0,
                "a word leaves the margins on page {pages}: {line}"
            );
        }
    }
    assert!(words > 50, "the document has text: {words} words");
    pages
}

fn render_page(pdf: &Path, page: u32, out_stem: &Path) -> PathBuf {
    render_at(pdf, page, out_stem, 80)
}

fn render_at(pdf: &Path, page: u32, out_stem: &Path, dpi: u32) -> PathBuf {
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            &dpi.to_string(),
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-singlefile",
            pdf.to_str().unwrap(),
            out_stem.to_str().unwrap(),
        ],
    );
    out_stem.with_extension("png")
}

fn page_count(pdf: &Path) -> u32 {
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gives a page count: {info}"))
}

/// Page `page`'s text laid out as printed (`pdftotext -layout -f N -l N`), without the footer:
/// the crop box stops at 790 pt from the top, above the footer's lines.
fn page_body(pdf: &Path, page: u32) -> String {
    let n = page.to_string();
    let args = [
        "-layout",
        "-f",
        &n,
        "-l",
        &n,
        "-x",
        "0",
        "-y",
        "0",
        "-W",
        "596",
        "-H",
        "790",
        pdf.to_str().unwrap(),
        "-",
    ];
    run("pdftotext", &args)
}

/// Page `page`'s whole text, footer included.
fn page_text(pdf: &Path, page: u32) -> String {
    let n = page.to_string();
    run(
        "pdftotext",
        &["-f", &n, "-l", &n, pdf.to_str().unwrap(), "-"],
    )
}

fn custom_info(pdf: &Path, key: &str) -> String {
    let info = run(
        "pdfinfo",
        &["-custom", "-enc", "UTF-8", pdf.to_str().unwrap()],
    );
    let prefix = format!("{key}:");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("pdfinfo shows no {key}: {info}"))
        .trim()
        .to_owned()
}

#[test]
fn the_policy_prints_verbatim_with_headings_lists_and_a_seal() {
    let dir = artifacts();
    let key = desk_key();
    let doc = Document::Policy(policy());
    let s = seal(&doc, "00112233445566778899aabbccddeeff", &key);
    let pdf = doc.render(Some(&s)).unwrap();
    let path = write(&dir, "policy.pdf", &pdf);
    check_fonts_and_structure(&path);
    let text = flat(&text_of(&path));
    in_order(
        &text,
        &[
            "Политика конфиденциальности",
            "Құпиялылық саясаты",
            "Версия / Нұсқа 1",
            "Политика является основным руководящим документом",
            "1. Персональная информация пользователей",
            "Выдача микрокредита;",
            "Показ рекламных предложений, в том числе третьих лиц.",
            "4. Защита персональных данных пользователей",
            "Обратная связь",
            "info@sinvest.kz.",
            "Проверка подлинности / Түпнұсқалықты тексеру",
        ],
    );
    // Every word of the published text is on paper, in order, nothing between them but bullets.
    let published: String = policy().text.replace("**", "").replace("\n- ", "\n• ");
    in_order(&flat(&body_text(&path)), &[flat(&published).as_str()]);
    assert!(
        pdf.len() < 150 * 1024,
        "the policy stays under 150 KB: {} bytes",
        pdf.len()
    );
    let pages = assert_inside_margins(&path);
    assert!(pages >= 2, "the policy takes more than one page: {pages}");
    let png = render_page(&path, 1, &dir.join("policy-page-1"));
    assert!(
        std::fs::metadata(&png).unwrap().len() > 10_000,
        "page 1 rendered to {png:?}"
    );
}

#[test]
fn the_consent_form_lists_each_purpose_with_a_box_and_both_signatures() {
    let dir = artifacts();
    let form = ConsentForm::new(
        client(),
        policy(),
        "Сейтқали Айгерім Болатқызы",
        date(2026, 11, 26),
    );
    let doc = Document::Consent(&form);
    let s = seal(&doc, "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", &desk_key());
    let path = write(&dir, "consent.pdf", &doc.render(Some(&s)).unwrap());
    check_fonts_and_structure(&path);
    let text = flat(&text_of(&path));
    in_order(
        &text,
        &[
            "Согласие на сбор и обработку персональных данных",
            "Дербес деректерді жинауға және өңдеуге келісім",
            "Әбдіқадыров Нұрлан Ғалымұлы",
            "850315300123",
            "№ 94-V",
            &policy().sha256,
            "Мен, Әбдіқадыров Нұрлан Ғалымұлы, ЖСН 850315300123",
            "Выдача микрокредита / Микрокредит беру (обязательно",
            "Передача информации третьей стороне с разрешения пользователя",
            "Отслеживание исполнения договоренностей по Договору микрокредита",
            "Показ рекламных предложений, в том числе третьих лиц / Жарнамалық ұсыныстарды",
            "(по желанию",
            "кредитное бюро оформляется отдельно",
            "Субъект персональных данных / Дербес деректер субъектісі",
            "Принял сотрудник МФО",
            "Сейтқали Айгерім Болатқызы",
        ],
    );
    for letter in ["ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "і"] {
        assert!(text.contains(letter), "Kazakh letter {letter} extracts");
    }
    assert_inside_margins(&path);
    render_page(&path, 1, &dir.join("consent-page-1"));
}

#[test]
fn the_offer_puts_cost_rate_and_gesv_on_page_one_then_the_schedule() {
    let dir = artifacts();
    let o = offer(24, client());
    let doc = Document::Offer(&o);
    let s = seal(&doc, "0ffe40ffe40ffe40ffe40ffe40ffe40f", &desk_key());
    let pdf = doc.render(Some(&s)).unwrap();
    assert!(
        pdf.len() < 150 * 1024,
        "a 24-month offer stays under 150 KB: {}",
        pdf.len()
    );
    let path = write(&dir, "offer-24.pdf", &pdf);
    check_fonts_and_structure(&path);
    let page1 = flat(&run(
        "pdftotext",
        &["-f", "1", "-l", "1", path.to_str().unwrap(), "-"],
    ));
    let gesv = o.schedule.gesv.to_string();
    in_order(
        &page1,
        &[
            "Предложение о предоставлении микрокредита",
            "Микрокредит беру туралы ұсыныс",
            "Заёмщик / Қарыз алушы",
            "Сумма микрокредита / Микрокредит сомасы 500 000,00 ₸",
            "Срок / Мерзімі 24 мес. / ай",
            "35,0 % годовых",
            &format!("{gesv} годовых"),
            "Полная стоимость микрокредита",
            &o.schedule.overpayment.to_string(),
            "Всего к возврату",
            &o.schedule.total_paid.to_string(),
        ],
    );
    let text = flat(&text_of(&path));
    let last = o.schedule.installments.last().unwrap();
    in_order(
        &text,
        &[
            "График погашения / Өтеу кестесі",
            &format!(
                "1 {}",
                domain::date::format_date(o.schedule.installments[0].date)
            ),
            &format!("24 {}", domain::date::format_date(last.date)),
            "Итого / Барлығы",
            "Подписи сторон",
            "Заёмщик / Қарыз алушы",
            "Представитель МФО / МҰҰ өкілі",
        ],
    );
    assert_inside_margins(&path);
    render_page(&path, 1, &dir.join("offer-page-1"));
    render_page(&path, 2, &dir.join("offer-page-2"));
}

#[test]
fn long_inputs_paginate_without_text_leaving_the_page() {
    let dir = artifacts();
    let mut c = client();
    c.registration_address =
        "Республика Казахстан, Алматинская область, Карасайский район, село Каскелен, \
         улица Наурызбай батыра, дом 127, корпус 4, квартира 311, вход со двора, домофон 311"
            .chars()
            .cycle()
            .take(200)
            .collect();
    c.actual_address = "Қазақстан Республикасы, Алматы облысы, Қарасай ауданы, Қаскелең ауылы, \
         Наурызбай батыр көшесі, 127 үй, 4 корпус, 311 пәтер, аулада кіреберіс, домофон 311"
        .chars()
        .cycle()
        .take(200)
        .collect();
    assert_eq!(c.registration_address.chars().count(), 200);
    let o = offer(60, c.clone());
    let doc = Document::Offer(&o);
    let s = seal(&doc, "60606060606060606060606060606060", &desk_key());
    let path = write(&dir, "offer-60.pdf", &doc.render(Some(&s)).unwrap());
    let pages = assert_inside_margins(&path);
    assert!(pages >= 3, "60 payments need more pages: {pages}");
    let text = flat(&text_of(&path));
    assert!(text.contains(&format!(
        "60 {}",
        domain::date::format_date(o.schedule.installments[59].date)
    )));
    let header_repeats = text.matches("Остаток / Қалдық").count();
    assert!(
        header_repeats >= 2,
        "the schedule's header repeats on its continuation page: {header_repeats}"
    );

    let form = ConsentForm::new(
        c,
        policy(),
        "Сейтқали Айгерім Болатқызы",
        date(2026, 11, 26),
    );
    let doc = Document::Consent(&form);
    let s = seal(&doc, "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1", &desk_key());
    let path = write(
        &dir,
        "consent-long-address.pdf",
        &doc.render(Some(&s)).unwrap(),
    );
    assert_inside_margins(&path);

    let mut long = policy().clone();
    long.text = std::iter::repeat_n(policy().text.as_str(), 6)
        .collect::<Vec<_>>()
        .join("\n\n");
    let path = write(
        &dir,
        "policy-long.pdf",
        &Document::Policy(&long).render(None).unwrap(),
    );
    let pages = assert_inside_margins(&path);
    assert!(pages >= 8, "six times the policy takes many pages: {pages}");
}

#[test]
fn output_is_byte_identical_for_the_same_input_and_issue_time() {
    let o = offer(24, client());
    let doc = Document::Offer(&o);
    let s = seal(&doc, "0ffe40ffe40ffe40ffe40ffe40ffe40f", &desk_key());
    let first = doc.render(Some(&s)).unwrap();
    // Other documents in between must not change the next one (printpdf's ids are process-wide).
    Document::Policy(policy()).render(None).unwrap();
    let second = doc.render(Some(&s)).unwrap();
    assert!(
        first == second,
        "the same offer and seal give the same bytes"
    );

    let mut later = s.clone();
    later.issued_at += chrono::Duration::seconds(1);
    assert!(
        doc.render(Some(&later)).unwrap() != first,
        "the issue time is part of the document"
    );

    // A separate process (the CLI, another desk) gives the same bytes too: checked by the app's
    // CLI test, which prints the reference policy twice in two processes.
}

#[test]
fn the_seal_in_the_metadata_and_the_qr_code_verifies_with_the_desk_key() {
    let dir = artifacts();
    let key = desk_key();
    let form = ConsentForm::new(
        client(),
        policy(),
        "Сейтқали Айгерім Болатқызы",
        date(2026, 11, 26),
    );
    let doc = Document::Consent(&form);
    let s = seal(&doc, "5ea15ea15ea15ea15ea15ea15ea15ea1", &key);
    let path = write(&dir, "consent-seal.pdf", &doc.render(Some(&s)).unwrap());

    let payload = custom_info(&path, "BranchDeskSeal");
    let parts: Vec<&str> = payload.split('|').collect();
    assert_eq!(
        parts.len(),
        7,
        "BD1|kind|id|issued|sha256|key|signature: {payload}"
    );
    assert_eq!(
        &parts[..4],
        &["BD1", "consent", s.id.as_str(), "2026-11-26T04:30:00Z"]
    );
    let content = custom_info(&path, "BranchDeskContent");
    assert_eq!(
        domain::policy::sha256_hex(content.as_bytes()),
        parts[4],
        "the embedded content hashes to the sealed hash"
    );
    let back: serde_json::Value = serde_json::from_str(&content).unwrap();
    assert_eq!(back["client"]["iin"], "850315300123");
    let message = print::signing_message(print::Kind::Consent, parts[2], s.issued_at, parts[4]);
    let sig = ed25519_dalek::Signature::from_slice(&hex::decode(parts[6]).unwrap()).unwrap();
    let vk = ed25519_dalek::VerifyingKey::from_bytes(
        &hex::decode(parts[5]).unwrap().try_into().unwrap(),
    )
    .unwrap();
    assert!(
        vk.verify(&message, &sig).is_ok(),
        "the desk's signature verifies"
    );
    assert!(
        vk.verify(
            &print::signing_message(print::Kind::Offer, parts[2], s.issued_at, parts[4]),
            &sig
        )
        .is_err(),
        "and only for this kind of document"
    );

    // The QR code on paper (in the check block, on the last page) says the same.
    let last = page_count(&path);
    let png = render_at(&path, last, &dir.join("consent-qr"), 200);
    let read = run("zbarimg", &["--quiet", "--raw", png.to_str().unwrap()]);
    assert_eq!(read.trim(), payload, "the printed QR code carries the seal");
}

#[test]
fn text_the_fonts_cannot_draw_is_refused_not_printed_as_boxes() {
    let mut c = client();
    c.actual_address = "г. Алматы 中".into();
    let o = offer(12, c);
    let doc = Document::Offer(&o);
    let s = seal(&doc, "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0", &desk_key());
    assert_eq!(doc.render(Some(&s)), Err(PrintError::Unprintable('中')));
    let form = ConsentForm::new(client(), policy(), "Officer", date(2026, 11, 26));
    assert_eq!(
        Document::Consent(&form).render(None),
        Err(PrintError::Unsealed),
        "only the policy has unsigned reference copies"
    );
    let mut r = receipt(Action::Withdraw, None, usual_time());
    assert_eq!(
        Document::Receipt(&r).render(None),
        Err(PrintError::Unsealed),
        "a receipt is always issued signed"
    );
    r.note = Some("Клиент сказал: 中".into());
    let doc = Document::Receipt(&r);
    let s = seal(&doc, "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1", &desk_key());
    assert_eq!(
        doc.render(Some(&s)).err(),
        Some(PrintError::Unprintable('中')),
        "the officer's note is checked like every other printed text"
    );
    let mut r = receipt(Action::Grant, None, usual_time());
    r.purposes[0].title_kk = "Микрокредит 가".into();
    let doc = Document::Receipt(&r);
    let s = seal(&doc, "e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2", &desk_key());
    assert_eq!(
        doc.render(Some(&s)).err(),
        Some(PrintError::Unprintable('가')),
        "a purpose's title is checked too"
    );
}

#[test]
fn the_renderer_output_is_pinned_so_a_change_to_printed_bytes_is_deliberate() {
    // Verification re-renders a document from its embedded content and seal and compares bytes,
    // so any change to what the renderer writes (layout, fonts, printpdf or lopdf upgrades) breaks
    // that for documents printed before it. When this fails on purpose, keep the old renderer
    // reachable for verification (or verify by content and signature) and update the hash.
    //
    // Updated deliberately (was 8de8309e…c8fce6) for: the QR code moved into the check block with
    // 0.85 mm modules, level L and a quiet zone; blocks kept together across pages; the company's
    // particulars in every footer; the issue time on paper in Asia/Almaty; no "branchdesk verify"
    // line; PDF dates in Almaty time. `branchdesk verify` does not exist yet, so nothing
    // re-renders documents printed before this change; any that must be checked later can be
    // checked by content and signature. Then (c36357a5…8e56) again, for the same reason, when the
    // offer's application number became the screen's (`domain::application::short_number`,
    // `A1B2C3D4` instead of `a1b2 c3d4`).
    let o = offer(24, client());
    let doc = Document::Offer(&o);
    let s = seal(&doc, "0ffe40ffe40ffe40ffe40ffe40ffe40f", &desk_key());
    let pdf = doc.render(Some(&s)).unwrap();
    assert_eq!(
        domain::policy::sha256_hex(&pdf),
        "b18f0b5c5d1103b3234f7cc9f24a8b30e95a1a807f00d3b8cd11e103a3a2df1d",
        "the 24-month offer's bytes changed"
    );
}

/// One of each document as a desk issues it (the policy also as an unsigned reference copy; a
/// receipt both for a grant signed on screen and for a credit-bureau withdrawal by telephone),
/// sealed at `issued_at`, written under `artifacts/print/` with `tag` in the name.
fn every_kind(tag: &str, issued_at: DateTime<Utc>) -> Vec<(&'static str, PathBuf)> {
    let dir = artifacts();
    let key = desk_key();
    let mut out = Vec::new();
    let doc = Document::Policy(policy());
    let s = seal_at(&doc, "00112233445566778899aabbccddeeff", &key, issued_at);
    out.push(("policy", doc.render(Some(&s)).unwrap()));
    out.push(("policy-reference", doc.render(None).unwrap()));
    let form = ConsentForm::new(
        client(),
        policy(),
        "Сейтқали Айгерім Болатқызы",
        issued_at
            .with_timezone(&chrono_tz::Asia::Almaty)
            .date_naive(),
    );
    let doc = Document::Consent(&form);
    let s = seal_at(&doc, "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", &key, issued_at);
    out.push(("consent", doc.render(Some(&s)).unwrap()));
    let o = offer(24, client());
    let doc = Document::Offer(&o);
    let s = seal_at(&doc, "0ffe40ffe40ffe40ffe40ffe40ffe40f", &key, issued_at);
    out.push(("offer", doc.render(Some(&s)).unwrap()));
    let form = ConsentForm::new(
        client(),
        bureau(),
        "Сейтқали Айгерім Болатқызы",
        issued_at
            .with_timezone(&chrono_tz::Asia::Almaty)
            .date_naive(),
    );
    let doc = Document::Consent(&form);
    let s = seal_at(&doc, "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", &key, issued_at);
    out.push(("bureau-consent", doc.render(Some(&s)).unwrap()));
    // The events a moment before their receipts are issued.
    let at = issued_at - chrono::Duration::minutes(2);
    let r = receipt(Action::Grant, Some(drawn()), at);
    let doc = Document::Receipt(&r);
    let s = seal_at(&doc, "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e", &key, issued_at);
    out.push(("receipt", doc.render(Some(&s)).unwrap()));
    let r = bureau_withdrawal(at);
    let doc = Document::Receipt(&r);
    let s = seal_at(&doc, "7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b", &key, issued_at);
    out.push(("receipt-bureau-phone", doc.render(Some(&s)).unwrap()));
    out.into_iter()
        .map(|(name, pdf)| (name, write(&dir, &format!("{tag}-{name}.pdf"), &pdf)))
        .collect()
}

fn usual_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 4, 30, 0).unwrap()
}

/// What `zbarimg` reads from page `page` rendered by plain `pdftoppm -r dpi` as greyscale PGM
/// (`gray`) or colour PNG; `None` when it finds no code.
fn scan(pdf: &Path, page: u32, dpi: u32, gray: bool) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("page");
    let n = page.to_string();
    let format = if gray { "-gray" } else { "-png" };
    run(
        "pdftoppm",
        &[
            format,
            "-r",
            &dpi.to_string(),
            "-f",
            &n,
            "-l",
            &n,
            "-singlefile",
            pdf.to_str().unwrap(),
            stem.to_str().unwrap(),
        ],
    );
    let image = stem.with_extension(if gray { "pgm" } else { "png" });
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&image)
        .output()
        .expect("zbarimg must be installed (zbar-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn the_qr_code_of_every_document_scans_from_a_page_rendered_at_80_and_150_dpi() {
    for (name, path) in every_kind("qr", usual_time()) {
        let payload = custom_info(&path, "BranchDeskSeal");
        assert!(
            payload.starts_with("BD1|"),
            "{name}: the seal is in the metadata"
        );
        // Exactly one code in the whole document, found on the coarsest render…
        let pages = page_count(&path);
        let found: Vec<(u32, String)> = (1..=pages)
            .filter_map(|p| scan(&path, p, 80, true).map(|read| (p, read)))
            .collect();
        let page = match found.as_slice() {
            [(page, read)] => {
                assert_eq!(read, &payload, "{name}: the QR code carries the seal");
                *page
            }
            _ => panic!(
                "{name}: at 80 dpi (grey PGM) exactly one QR code must decode, to the seal, \
                 found {found:?}; modules must be big enough (≥ 2.5 px at 80 dpi) with a \
                 4-module quiet zone"
            ),
        };
        // …and on that page from every other render.
        for (dpi, gray) in [(80, false), (150, true), (150, false)] {
            assert_eq!(
                scan(&path, page, dpi, gray).as_deref(),
                Some(payload.as_str()),
                "{name}: page {page} at {dpi} dpi ({}) must decode to the seal",
                if gray { "grey PGM" } else { "PNG" }
            );
        }
    }
}

#[test]
fn no_document_prints_a_command_that_does_not_exist() {
    for (name, path) in every_kind("commands", usual_time()) {
        let text = flat(&text_of(&path));
        assert!(
            !text.contains("branchdesk verify"),
            "{name}: `branchdesk verify` does not exist yet, so paper must not tell anyone to run it"
        );
    }
}

/// The consent form's labels that must be on one page with its signatures: its terms' purposes.
fn purposes_ru(policy: &PolicyVersion) -> Vec<String> {
    policy
        .purposes
        .iter()
        .map(|p| p.title_in("ru").to_owned())
        .collect()
}

/// Checks page by page that the closing blocks are whole on the last page and that no page of
/// a document of several pages holds only a fragment.
fn assert_kept_together(name: &str, path: &Path) {
    let pages = page_count(path);
    let bodies: Vec<String> = (1..=pages).map(|p| page_body(path, p)).collect();
    for (i, body) in bodies.iter().enumerate() {
        let lines = body.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(
            pages == 1 || lines >= 5,
            "{name}: page {} of {pages} holds only {lines} lines; a block was split or moved \
             leaving a fragment:\n{body}",
            i + 1
        );
    }
    let last = flat(&bodies[bodies.len() - 1]);
    let reference = name.contains("reference");
    let check_labels: &[&str] = if reference {
        &[
            "Проверка подлинности / Түпнұсқалықты тексеру",
            "Экземпляр / Данасы",
        ]
    } else {
        &[
            "Проверка подлинности / Түпнұсқалықты тексеру",
            "Номер документа / Құжат нөмірі",
            "Подпись / Қолтаңба (Ed25519)",
        ]
    };
    for label in check_labels {
        assert!(
            last.contains(label),
            "{name}: the whole check block is on the last page, which lacks {label:?}:\n{last}"
        );
    }
    if name.starts_with("offer") {
        for label in [
            "Подписи сторон / Тараптардың қолтаңбалары",
            "Заёмщик / Қарыз алушы",
            "Представитель МФО / МҰҰ өкілі",
        ] {
            assert!(
                last.contains(label),
                "{name}: the signature block is whole on the last page, with the check block; \
                 it lacks {label:?}:\n{last}"
            );
        }
    }
    if name.starts_with("consent") || name.starts_with("bureau-consent") {
        let mut labels = vec![
            "Цели обработки / Өңдеу мақсаттары".to_owned(),
            "Принял сотрудник МФО / МҰҰ қызметкері қабылдады".to_owned(),
        ];
        let terms = if name.starts_with("bureau") {
            bureau()
        } else {
            policy()
        };
        labels.extend(purposes_ru(terms));
        for label in &labels {
            assert!(
                last.contains(label.as_str()),
                "{name}: the tick boxes and both signatures are on one page (the last); \
                 it lacks {label:?}:\n{last}"
            );
        }
        assert_eq!(
            last.matches("подпись / қолы").count(),
            2,
            "{name}: both signature lines are on the last page:\n{last}"
        );
    }
    if name.starts_with("receipt") {
        for label in [
            "Как отозвать согласие / Келісімді қалай кері қайтаруға болады",
            "info@sinvest.kz",
        ] {
            assert!(
                last.contains(label),
                "{name}: the whole \"how to withdraw\" block is on the last page, with the \
                 check block; it lacks {label:?}:\n{last}"
            );
        }
    }
}

#[test]
fn closing_blocks_stay_whole_and_no_page_is_left_with_a_fragment() {
    for (name, path) in every_kind("keep", usual_time()) {
        assert_kept_together(name, &path);
    }
    // Schedules of every usual length and long addresses move the page breaks about.
    let dir = artifacts();
    let mut long = client();
    long.registration_address = "Республика Казахстан, Алматинская область, Карасайский район, \
         село Каскелен, улица Наурызбай батыра, дом 127, корпус 4, квартира 311, вход со двора"
        .into();
    long.actual_address = long.registration_address.clone();
    for c in [client(), long] {
        let tag = if c == client() { "" } else { "-long" };
        for months in [3, 6, 9, 12, 18, 24, 30, 36, 42, 48, 54, 60] {
            let o = offer(months, c.clone());
            let doc = Document::Offer(&o);
            let s = seal(&doc, "0ffe40ffe40ffe40ffe40ffe40ffe40f", &desk_key());
            let name = format!("offer-{months}{tag}");
            let path = write(
                &dir,
                &format!("keep-{name}.pdf"),
                &doc.render(Some(&s)).unwrap(),
            );
            assert_kept_together(&name, &path);
        }
        for (kind, terms) in [("consent", policy()), ("bureau-consent", bureau())] {
            let form = ConsentForm::new(
                c.clone(),
                terms,
                "Сейтқали Айгерім Болатқызы",
                date(2026, 11, 26),
            );
            let doc = Document::Consent(&form);
            let s = seal(&doc, "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1", &desk_key());
            let name = format!("{kind}{tag}");
            let path = write(
                &dir,
                &format!("keep-{name}.pdf"),
                &doc.render(Some(&s)).unwrap(),
            );
            assert_kept_together(&name, &path);
        }
        let mut signed = receipt(Action::Grant, Some(drawn()), usual_time());
        signed.client = c.clone();
        signed.note = Some("Клиент попросил копию квитанции на электронную почту.".into());
        let mut phoned = bureau_withdrawal(usual_time());
        phoned.client = c;
        for (kind, r) in [("receipt", signed), ("receipt-bureau-phone", phoned)] {
            let doc = Document::Receipt(&r);
            let s = seal(&doc, "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e", &desk_key());
            let name = format!("{kind}{tag}");
            let path = write(
                &dir,
                &format!("keep-{name}.pdf"),
                &doc.render(Some(&s)).unwrap(),
            );
            assert_kept_together(&name, &path);
        }
    }
}

#[test]
fn the_kazakh_declaration_names_the_policy_version_date_and_hash_like_the_russian_one() {
    let form = ConsentForm::new(
        client(),
        policy(),
        "Сейтқали Айгерім Болатқызы",
        date(2026, 11, 26),
    );
    let doc = Document::Consent(&form);
    let s = seal(&doc, "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2", &desk_key());
    let path = write(
        &artifacts(),
        "consent-declarations.pdf",
        &doc.render(Some(&s)).unwrap(),
    );
    let text = flat(&text_of(&path));
    let effective = domain::date::format_date(policy().effective);
    let kk = &text[text
        .find("Мен, ")
        .expect("the Kazakh declaration starts «Мен, …»")..];
    let kk = &kk[..kk.find("данасын алдым").expect("and ends «…данасын алдым»")];
    for (what, needle) in [
        ("version", format!("нұсқа {}", policy().version)),
        ("effective date", format!("{effective} бастап")),
        ("hash", format!("SHA-256: {}", policy().sha256)),
    ] {
        assert!(
            kk.contains(&needle),
            "the Kazakh declaration names the policy's {what} ({needle:?}) as the Russian one \
             does: {kk}"
        );
    }
}

#[test]
fn every_date_and_time_on_paper_is_in_almaty_time() {
    // 20:30 UTC on the 25th is 01:30 on the 26th in Almaty (UTC+5): a UTC date would be a day off.
    let issued_at = Utc.with_ymd_and_hms(2026, 11, 25, 20, 30, 0).unwrap();
    for (name, path) in every_kind("almaty", issued_at) {
        let text = flat(&text_of(&path));
        for utc in ["25.11.2026", "2026-11-25", "20:30"] {
            assert!(
                !text.contains(utc),
                "{name}: {utc:?} is the issue time in UTC; paper shows Asia/Almaty:\n{text}"
            );
        }
        if name == "policy-reference" {
            continue;
        }
        for almaty in [
            "26.11.2026 01:30 · выдан",
            "26.11.2026 01:30:00 (UTC+05:00)",
        ] {
            assert!(
                text.contains(almaty),
                "{name}: the issue time prints as {almaty:?} (header, check block):\n{text}"
            );
        }
        if name.starts_with("receipt") {
            assert!(
                text.contains("26.11.2026 01:28"),
                "{name}: the event's time (20:28 UTC on the 25th) prints in Almaty time:\n{text}"
            );
        }
        let info = run("pdfinfo", &["-isodates", path.to_str().unwrap()]);
        assert!(
            info.contains("2026-11-26T01:30:00+05"),
            "{name}: the PDF's dates are in Almaty time too:\n{info}"
        );
    }
}

#[test]
fn every_page_names_the_company_with_its_bin_address_and_licence() {
    assert!(
        !COMPANY.bin.is_empty() && !COMPANY.licence.is_empty() && !COMPANY.address.is_empty(),
        "the particulars are set (placeholders until head office confirms them)"
    );
    for (name, path) in every_kind("company", usual_time()) {
        for page in 1..=page_count(&path) {
            let text = flat(&page_text(&path, page));
            for (what, value) in [
                ("БИН", format!("БИН / БСН {}", COMPANY.bin)),
                ("address", COMPANY.address.to_owned()),
                ("licence", COMPANY.licence.to_owned()),
            ] {
                assert!(
                    text.contains(&value),
                    "{name}: page {page} must show the company's {what} ({value:?}):\n{text}"
                );
            }
        }
    }
}

#[test]
fn the_kazakh_term_for_the_effective_rate_is_sjtm_and_no_other() {
    let mut seen = 0;
    for (name, path) in every_kind("terms", usual_time()) {
        let text = flat(&text_of(&path));
        seen += text.matches("СЖТМ").count();
        // Any other acronym of the same letters is a variant spelling.
        for word in text.split(|c: char| !c.is_alphabetic()) {
            let acronym = (3..=5).contains(&word.chars().count())
                && word.chars().all(|c| "СЖТМҚЫ".contains(c));
            assert!(
                !acronym || word == "СЖТМ",
                "{name}: the Kazakh ГЭСВ is «СЖТМ», not «{word}»"
            );
        }
    }
    assert!(
        seen >= 2,
        "the offer names СЖТМ beside ГЭСВ in its terms and in its note: {seen}"
    );
}

#[test]
fn the_privacy_consent_form_prints_as_before_the_credit_bureau_form_existed() {
    // Desks have signed privacy consent forms' content hashes, and verification re-renders the
    // bytes: adding the credit-bureau scope must change neither for a privacy form. Pinned before
    // `scope` was added to `ConsentForm`.
    let form = ConsentForm::new(
        client(),
        policy(),
        "Сейтқали Айгерім Болатқызы",
        date(2026, 11, 26),
    );
    assert_eq!(
        form.scope,
        Scope::Privacy,
        "the form takes the policy's scope"
    );
    let doc = Document::Consent(&form);
    assert_eq!(doc.kind(), Kind::Consent);
    let content = doc.content().unwrap();
    assert!(
        content.json.starts_with(r#"{"kind":"consent","client":"#)
            && !content.json.contains("scope"),
        "a privacy form's content has no scope key: {}",
        content.json
    );
    assert_eq!(
        content.sha256, "6f7707a7f19de9da9b99ceca923293ab8641e733f63745261442f0aa09cade8b",
        "the privacy consent form's canonical content changed"
    );
    let back: ConsentForm = serde_json::from_str(&content.json).unwrap();
    assert_eq!(
        back, form,
        "content without a scope reads back as a privacy form"
    );
    let s = seal(&doc, "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", &desk_key());
    assert_eq!(
        domain::policy::sha256_hex(&doc.render(Some(&s)).unwrap()),
        "8406c75e87fd67977e9176bb70f257afe136ec9e8cb04807ad9adebbdb5504e7",
        "the privacy consent form's printed bytes changed"
    );
}

#[test]
fn the_credit_bureau_form_cites_law_573_ii_names_its_terms_and_lists_both_purposes() {
    let dir = artifacts();
    let key = desk_key();
    let terms = bureau();
    let form = ConsentForm::new(
        client(),
        terms,
        "Сейтқали Айгерім Болатқызы",
        date(2026, 11, 26),
    );
    assert_eq!(form.scope, Scope::CreditBureau);
    let doc = Document::Consent(&form);
    assert_eq!(
        doc.kind(),
        Kind::BureauConsent,
        "a credit-bureau form is its own kind"
    );
    let content = doc.content().unwrap();
    assert!(
        content.json.starts_with(r#"{"kind":"bureau-consent","#)
            && content.json.contains(r#""scope":"credit-bureau""#),
        "the content is tagged bureau-consent and names its scope: {}",
        content.json
    );
    let back: ConsentForm = serde_json::from_str(&content.json).unwrap();
    assert_eq!(back, form, "the content reads back as the same form");

    let s = seal(&doc, "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1", &key);
    let path = write(&dir, "bureau-consent.pdf", &doc.render(Some(&s)).unwrap());
    check_fonts_and_structure(&path);
    assert_inside_margins(&path);
    render_page(&path, 1, &dir.join("bureau-consent-page-1"));
    let text = flat(&text_of(&path));
    let effective = domain::date::format_date(terms.effective);
    let mut needles =
        vec![
        "Согласие на предоставление и получение сведений в кредитных бюро".to_owned(),
        "Кредиттік бюроларға мәліметтер беруге және алуға келісім".to_owned(),
        "Әбдіқадыров Нұрлан Ғалымұлы".to_owned(),
        "от 6 июля 2004 года № 573-II «О кредитных бюро и формировании кредитных историй в \
         Республике Казахстан»"
            .to_owned(),
        format!("(версия {}, действует с {effective}, SHA-256: {})", terms.version, terms.sha256),
        "Мен, Әбдіқадыров Нұрлан Ғалымұлы, ЖСН 850315300123".to_owned(),
        "2004 жылғы 6 шілдедегі № 573-II «Кредиттік бюролар және кредиттік тарихты қалыптастыру \
         туралы» Заңына"
            .to_owned(),
        format!(
            "(нұсқа {}, {effective} бастап қолданылады, SHA-256: {})",
            terms.version, terms.sha256
        ),
    ];
    for p in &terms.purposes {
        needles.push(format!(
            "{} / {} (обязательно",
            p.title_in("ru"),
            p.title_in("kk")
        ));
    }
    needles.push("Принял сотрудник МФО".to_owned());
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    in_order(&text, &needles);
    for wrong in [
        "94-V",
        "оформляется отдельно",
        "Политики конфиденциальности",
    ] {
        assert!(
            !text.contains(wrong),
            "the credit-bureau form is not the privacy form: it must not say {wrong:?}"
        );
    }
    assert_kept_together("bureau-consent", &path);

    // The seal names the kind, and the desk's signature verifies only for it.
    let payload = custom_info(&path, "BranchDeskSeal");
    let parts: Vec<&str> = payload.split('|').collect();
    assert_eq!(&parts[..3], &["BD1", "bureau-consent", s.id.as_str()]);
    assert_eq!(
        parts[4], content.sha256,
        "the seal carries the content's hash"
    );
    let sig = ed25519_dalek::Signature::from_slice(&hex::decode(parts[6]).unwrap()).unwrap();
    let vk = key.verifying_key();
    let message = |kind| print::signing_message(kind, &s.id, s.issued_at, &content.sha256);
    assert!(vk.verify(&message(Kind::BureauConsent), &sig).is_ok());
    assert!(
        vk.verify(&message(Kind::Consent), &sig).is_err(),
        "a credit-bureau consent's signature must not verify as a privacy consent's"
    );
}

/// Each purpose's title (Russian, Kazakh), whether it is required, and its state, in reading order.
fn purpose_rows(r: &Receipt) -> Vec<String> {
    r.purposes
        .iter()
        .flat_map(|p| {
            let required = if p.required {
                "обязательно / міндетті"
            } else {
                "по желанию / қалауы бойынша"
            };
            let state = match p.state {
                LineState::Given => "Дано / Берілді",
                LineState::Refused => "Не дано / Берілмеді",
                LineState::Withdrawn => "Отозвано / Кері қайтарылды",
            };
            [
                p.title_ru.clone(),
                p.title_kk.clone(),
                required.to_owned(),
                state.to_owned(),
            ]
        })
        .collect()
}

fn receipt_pdf(r: &Receipt, id: &str, file: &str) -> PathBuf {
    let doc = Document::Receipt(r);
    let s = seal(&doc, id, &desk_key());
    let path = write(&artifacts(), file, &doc.render(Some(&s)).unwrap());
    check_fonts_and_structure(&path);
    assert_inside_margins(&path);
    path
}

#[test]
fn the_receipt_shows_the_event_each_purposes_state_the_evidence_and_how_to_withdraw() {
    let at = Utc.with_ymd_and_hms(2026, 11, 26, 4, 28, 0).unwrap();
    let granted = receipt(Action::Grant, Some(drawn()), at);
    let withdrawn = receipt(Action::Withdraw, None, at);
    let phoned = bureau_withdrawal(at);
    for (r, id, file) in [
        (
            &granted,
            "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e",
            "receipt-grant-screen.pdf",
        ),
        (
            &withdrawn,
            "7d7d7d7d7d7d7d7d7d7d7d7d7d7d7d7d",
            "receipt-withdraw-paper.pdf",
        ),
        (
            &phoned,
            "7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b",
            "receipt-bureau-phone.pdf",
        ),
    ] {
        let doc = Document::Receipt(r);
        assert_eq!(doc.kind(), Kind::Receipt);
        let content = doc.content().unwrap();
        assert!(
            content.json.starts_with(r#"{"kind":"receipt","#),
            "{file}: the content is tagged receipt: {}",
            content.json
        );
        let back: Receipt = serde_json::from_str(&content.json).unwrap();
        assert_eq!(
            &back, r,
            "{file}: the embedded content reads back as the receipt"
        );

        let path = receipt_pdf(r, id, file);
        let text = flat(&text_of(&path));
        let (title_ru, title_kk, terms, subject) = match r.scope {
            Scope::Privacy => (
                "Квитанция о согласии на обработку персональных данных",
                "Дербес деректерді өңдеуге келісім туралы түбіртек",
                "Политика конфиденциальности / Құпиялылық саясаты",
                "Субъект персональных данных",
            ),
            Scope::CreditBureau => (
                "Квитанция о согласии (кредитные бюро)",
                "Келісім туралы түбіртек (кредиттік бюролар)",
                "Условия предоставления и получения сведений в кредитных бюро",
                "Субъект кредитной истории",
            ),
        };
        let happened = match r.action {
            Action::Grant => "Согласие дано / Келісім берілді",
            Action::Withdraw => "Согласие отозвано / Келісім кері қайтарылды",
        };
        let method = match r.method {
            Taken::Screen => "подпись на экране / экрандағы қолтаңба",
            Taken::Paper => "подписанная бумажная форма (скан)",
            Taken::Phone => "по телефону, со слов клиента",
            Taken::PaperAndScreen => "подписанная бумажная форма (скан) и подпись на экране",
        };
        let mut needles: Vec<String> = [
            title_ru,
            title_kk,
            subject,
            "Әбдіқадыров Нұрлан Ғалымұлы",
            "850315300123",
            happened,
            "26.11.2026 09:28",
            method,
            "Сейтқали Айгерім Болатқызы",
            r.event_id.as_str(),
            terms,
            r.policy_sha256.as_str(),
        ]
        .map(str::to_owned)
        .to_vec();
        needles.extend(purpose_rows(r));
        needles.push("Доказательства / Дәлелдер".to_owned());
        needles.extend(r.evidence.iter().map(|e| e.sha256.clone()));
        if r.signature.is_some() {
            needles.push("Подпись клиента на экране / Клиенттің экрандағы қолтаңбасы".to_owned());
        }
        if let Some(note) = &r.note {
            needles.push(flat(note));
        }
        needles.extend(
            [
                "Как отозвать согласие / Келісімді қалай кері қайтаруға болады",
                "лично в любом отделении МФО или сообщением на электронную почту info@sinvest.kz",
                "Согласие на обязательные цели нельзя отозвать, пока у вас есть непогашенный \
                 микрокредит (до полного исполнения обязательств по договору)",
                "info@sinvest.kz электрондық поштасына",
                "Проверка подлинности",
                "receipt",
            ]
            .map(str::to_owned),
        );
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        in_order(&text, &needles);
        if r.signature.is_none() {
            assert!(
                !text.contains("Подпись клиента на экране"),
                "{file}: no signature was drawn, so none is printed"
            );
        }
        if r.evidence.is_empty() {
            assert!(
                text.contains("Файлов нет"),
                "{file}: a receipt without files says so"
            );
        }
        assert_kept_together(&format!("receipt {file}"), &path);
    }
}

#[test]
fn a_receipt_renders_to_the_same_bytes_every_time() {
    for r in [
        receipt(Action::Grant, Some(drawn()), usual_time()),
        bureau_withdrawal(usual_time()),
    ] {
        let doc = Document::Receipt(&r);
        let s = seal(&doc, "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e", &desk_key());
        let first = doc.render(Some(&s)).unwrap();
        Document::Policy(policy()).render(None).unwrap();
        let second = doc.render(Some(&s)).unwrap();
        assert!(
            first == second,
            "the same receipt and seal give the same bytes (a verifier re-renders and compares)"
        );
    }
    let signed = receipt(Action::Grant, Some(drawn()), usual_time());
    let mut moved = signed.clone();
    if let Some(sig) = &mut moved.signature {
        sig.strokes[0][0].1 += 1;
    }
    let render = |r: &Receipt| {
        let doc = Document::Receipt(r);
        let s = seal(&doc, "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e", &desk_key());
        doc.render(Some(&s)).unwrap()
    };
    assert!(
        render(&signed) != render(&moved),
        "the signature's strokes are part of what the receipt says"
    );
}

/// Page `page` of `pdf` rendered at 72 dpi (one pixel a point) as 8-bit grey: width, height,
/// pixels.
fn grey_page(pdf: &Path, page: u32) -> (usize, usize, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("page");
    let n = page.to_string();
    let args = [
        "-gray",
        "-r",
        "72",
        "-f",
        &n,
        "-l",
        &n,
        "-singlefile",
        pdf.to_str().unwrap(),
        stem.to_str().unwrap(),
    ];
    run("pdftoppm", &args);
    let bytes = std::fs::read(stem.with_extension("pgm")).unwrap();
    // P5 <width> <height> 255, each followed by one whitespace byte, then the pixels.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P5", "pdftoppm -gray writes a binary PGM");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = bytes[at + 1..].to_vec();
    assert_eq!(pixels.len(), w * h);
    (w, h, pixels)
}

/// Where the word `word` right after `before` is on page `page`: (xMin, yMin, xMax, yMax) in points.
fn word_box(pdf: &Path, page: u32, before: &str, word: &str) -> Option<(f32, f32, f32, f32)> {
    let n = page.to_string();
    let html = run(
        "pdftotext",
        &["-bbox", "-f", &n, "-l", &n, pdf.to_str().unwrap(), "-"],
    );
    let num = |s: &str, key: &str| -> f32 {
        let at = s.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        s[at..].split('"').next().unwrap().parse().unwrap()
    };
    let words: Vec<&str> = html
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<word "))
        .collect();
    let text = |l: &str| {
        l.split('>')
            .nth(1)
            .unwrap_or("")
            .split('<')
            .next()
            .unwrap_or("")
            .to_owned()
    };
    words.windows(2).find_map(|pair| {
        (text(pair[0]) == before && text(pair[1]) == word).then(|| {
            let l = pair[1];
            (
                num(l, "xMin"),
                num(l, "yMin"),
                num(l, "xMax"),
                num(l, "yMax"),
            )
        })
    })
}

#[test]
fn the_signature_drawn_on_screen_is_printed_in_its_box_under_its_heading() {
    let r = receipt(Action::Grant, Some(drawn()), usual_time());
    let path = receipt_pdf(
        &r,
        "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e",
        "receipt-signature.pdf",
    );
    let (page, heading) = (1..=page_count(&path))
        .find_map(|p| word_box(&path, p, "Подпись", "клиента").map(|b| (p, b)))
        .expect("the receipt has the signature's heading");
    let (w, h, pixels) = grey_page(&path, page);
    render_at(&path, page, &artifacts().join("receipt-signature"), 100);
    let dark = |x0: f32, x1: f32, y0: f32, y1: f32| {
        let (x0, x1) = (x0.max(0.0) as usize, (x1 as usize).min(w));
        let (y0, y1) = (y0.max(0.0) as usize, (y1 as usize).min(h));
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| pixels[y * w + x] < 128)
            .count()
    };
    // The box is 60 × 20 mm (170 × 57 pt) at the left margin, right below the heading; look
    // inside its frame.
    let top = heading.3 + 6.0;
    let inside = dark(60.0, 224.0, top + 2.0, top + 52.0);
    assert!(
        inside > 150,
        "the strokes are drawn inside the signature box: {inside} dark pixels"
    );
    let beside = dark(232.0, 539.0, top + 2.0, top + 52.0);
    assert_eq!(beside, 0, "nothing is drawn beside the box");

    let mut blank = r.clone();
    if let Some(sig) = &mut blank.signature {
        sig.strokes.clear();
    }
    let path = receipt_pdf(
        &blank,
        "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e",
        "receipt-signature-blank.pdf",
    );
    let (_, _, blank_pixels) = grey_page(&path, page);
    let empty = (top as usize + 2..top as usize + 52)
        .flat_map(|y| (60..224).map(move |x| (x, y)))
        .filter(|&(x, y)| blank_pixels[y * w + x] < 128)
        .count();
    assert_eq!(
        empty, 0,
        "with no strokes the box is empty, so what was counted above is the signature"
    );
}

#[test]
fn the_signature_png_is_a_png_of_the_pad_and_the_same_strokes_give_the_same_bytes() {
    let sig = drawn();
    let png = print::signature_png(&sig);
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the output starts with the PNG signature"
    );
    assert_eq!(&png[12..16], b"IHDR", "the first chunk is the header");
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (600, 200), "the image is the pad's size");
    assert_eq!(
        (png[24], png[25]),
        (8, 0),
        "8-bit greyscale (bit depth 8, colour type 0)"
    );
    assert_eq!(
        print::signature_png(&sig),
        png,
        "the same strokes give the same bytes"
    );
    let mut other = sig.clone();
    other.strokes.pop();
    assert_ne!(
        print::signature_png(&other),
        png,
        "different strokes give a different image"
    );
    let path = artifacts().join("signature.png");
    std::fs::write(&path, &png).unwrap();
}
