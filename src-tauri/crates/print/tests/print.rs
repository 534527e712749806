//! The printed documents checked the way a reader meets them: rendered to real PDF files and read
//! back with poppler (`pdftotext`, `pdffonts`, `pdfinfo`, `pdftoppm`), `qpdf --check` and `zbarimg`
//! for the QR code (scanned from pages rendered at 80 and 150 dpi, as a cheap scanner would).
//! First pages are kept as PNGs under `artifacts/print/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::DateTime;
use chrono::{NaiveDate, TimeZone, Utc};
use domain::Money;
use domain::policy::PolicyVersion;
use domain::schedule::{self, Method, Terms};
use ed25519_dalek::{Signer, SigningKey, Verifier};
use print::{COMPANY, ClientData, ConsentForm, Document, Offer, PrintError, Seal};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn policy() -> &'static PolicyVersion {
    &domain::policy::shipped()[0]
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

/// One of each document as a desk issues it (the policy also as an unsigned reference copy),
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

/// The consent form's labels that must be on one page with its signatures.
fn purposes_ru() -> Vec<String> {
    policy()
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
    if name.starts_with("consent") {
        let mut labels = vec![
            "Цели обработки / Өңдеу мақсаттары".to_owned(),
            "Принял сотрудник МФО / МҰҰ қызметкері қабылдады".to_owned(),
        ];
        labels.extend(purposes_ru());
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
        let form = ConsentForm::new(
            c,
            policy(),
            "Сейтқали Айгерім Болатқызы",
            date(2026, 11, 26),
        );
        let doc = Document::Consent(&form);
        let s = seal(&doc, "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1", &desk_key());
        let name = format!("consent{tag}");
        let path = write(
            &dir,
            &format!("keep-{name}.pdf"),
            &doc.render(Some(&s)).unwrap(),
        );
        assert_kept_together(&name, &path);
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
