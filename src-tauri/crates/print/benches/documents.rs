//! Printing speed and size (issue #5): the sealed privacy policy and a 24-month offer rendered
//! in-process, and the same documents printed from equivalent HTML (same text, same tables, the
//! same DejaVu Sans font) by headless Chromium in the same run, as a ratio. Chromium is timed as a
//! whole process, the way a desk would have to use it; for a like-for-like process comparison the
//! `branchdesk print policy` CLI is timed too when its release binary is built.
//!
//! Run: `cargo bench -p branchdesk-print --bench documents` (needs `chromium`; without it the
//! Chromium rows say so). Writes the PDFs under `target/print-bench/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use domain::Money;
use domain::schedule::{self, Method, Terms};
use print::{ClientData, Document, Offer, Seal};

const RUNS: usize = 50;
const CHROMIUM_RUNS: usize = 7;

fn seal(id: &str) -> Seal {
    Seal {
        id: id.into(),
        issued_at: Utc.with_ymd_and_hms(2026, 11, 26, 4, 30, 0).unwrap(),
        desk_key: "ea".repeat(32),
        signature: "5c".repeat(64),
    }
}

fn offer() -> Offer {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let terms = Terms {
        principal: Money::from_tenge(500_000).unwrap(),
        annual_rate_bp: 3500,
        months: 24,
        issue_date: date(2026, 11, 26),
        method: Method::Annuity,
        issuance_fee: Money::from_tenge(5_000).unwrap(),
        monthly_fee: Money::from_tiyn(0),
    };
    Offer {
        application: "a1b2c3d4e5f60718293a4b5c6d7e8f90".into(),
        application_version: 1,
        client: ClientData {
            full_name: "Әбдіқадыров Нұрлан Ғалымұлы".into(),
            iin: "850315300123".into(),
            birth_date: date(1985, 3, 15),
            document: "Удостоверение личности № 045678912, выдано МВД РК 01.02.2020, действительно до 01.02.2030".into(),
            registration_address: "г. Алматы, ул. Абая, д. 10, кв. 5".into(),
            actual_address: "г. Алматы, мкр. Самал-2, д. 33, кв. 18".into(),
            phone: "+7 701 234 56 78".into(),
        },
        product_id: "consumer-12".into(),
        product_name: BTreeMap::from([
            ("ru".to_owned(), "Потребительский микрокредит".to_owned()),
            ("kk".to_owned(), "Тұтынушылық микрокредит".to_owned()),
        ]),
        amount: terms.principal,
        months: 24,
        method: Method::Annuity,
        annual_rate_bp: 3500,
        issuance_fee: terms.issuance_fee,
        monthly_fee: terms.monthly_fee,
        issue_date: terms.issue_date,
        schedule: schedule::build(&terms).unwrap(),
        officer: "Сейтқали Айгерім Болатқызы".into(),
    }
}

fn stats(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 95 / 100).min(times.len() - 1)]),
    )
}

fn time_render(doc: Document<'_>, seal: &Seal) -> (f64, f64, Vec<u8>) {
    let first = doc.render(Some(seal)).unwrap();
    let times = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let pdf = doc.render(Some(seal)).unwrap();
            let e = t.elapsed();
            assert!(pdf == first, "rendering is deterministic");
            e
        })
        .collect();
    let (median, p95) = stats(times);
    (median, p95, first)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(s).split("**").enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<b>{part}</b>"));
        } else {
            out.push_str(part);
        }
    }
    out
}

fn page(font: &Path, body: &str) -> String {
    format!(
        "<!doctype html><html lang=ru><meta charset=utf-8><style>\
         @font-face {{ font-family: D; src: url('file://{}'); }}\
         @font-face {{ font-family: D; font-weight: bold; src: url('file://{}'); }}\
         @page {{ size: A4; margin: 18mm 20mm 20mm 20mm; }}\
         body {{ font-family: D; font-size: 10pt; }} h1 {{ font-size: 14pt; }} h2 {{ font-size: 11pt; }}\
         table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 0.4pt solid #000; padding: 3pt; font-size: 7.5pt; }}\
         th {{ background: #e0e0e0; }} thead {{ display: table-header-group; }} .r {{ text-align: right; }}\
         </style><body>{body}</body></html>",
        font.join("DejaVuSans.ttf").display(),
        font.join("DejaVuSans-Bold.ttf").display()
    )
}

fn policy_html(text: &str) -> String {
    let mut body = String::from("<h1>Политика конфиденциальности / Құпиялылық саясаты</h1>");
    for block in text
        .split("\n\n")
        .map(|b| b.trim_matches('\n'))
        .filter(|b| !b.trim().is_empty())
    {
        if block.starts_with("- ") {
            body.push_str("<ul>");
            for item in block.lines() {
                body.push_str(&format!(
                    "<li>{}</li>",
                    inline(item.trim_start_matches("- "))
                ));
            }
            body.push_str("</ul>");
        } else if !block.contains('\n') && !block.ends_with(['.', ':', ';']) && block.len() < 240 {
            body.push_str(&format!("<h2>{}</h2>", inline(block)));
        } else {
            body.push_str(&format!("<p>{}</p>", inline(block).replace('\n', "<br>")));
        }
    }
    body
}

fn offer_html(o: &Offer) -> String {
    let s = &o.schedule;
    let c = &o.client;
    let mut body = format!(
        "<h1>Предложение о предоставлении микрокредита / Микрокредит беру туралы ұсыныс</h1>\
         <h2>Заёмщик / Қарыз алушы</h2><table>\
         <tr><td>Ф.И.О. / Т.А.Ә.</td><td>{}</td></tr><tr><td>ИИН / ЖСН</td><td>{}</td></tr>\
         <tr><td>Документ / Құжат</td><td>{}</td></tr><tr><td>Адрес / Мекенжайы</td><td>{}</td></tr>\
         <tr><td>Телефон</td><td>{}</td></tr></table>\
         <h2>Условия микрокредита / Микрокредит шарттары</h2><table>\
         <tr><td>Сумма микрокредита / Микрокредит сомасы</td><td>{}</td></tr>\
         <tr><td>Срок / Мерзімі</td><td>{} мес. / ай</td></tr>\
         <tr><td>Номинальная ставка / Номиналды мөлшерлеме</td><td>35,0 % годовых</td></tr>\
         <tr><td>ГЭСВ / СЖТМ</td><td>{} годовых</td></tr>\
         <tr><td>Полная стоимость / Толық құны</td><td>{}</td></tr>\
         <tr><td>Всего к возврату / Барлығы</td><td>{}</td></tr></table>\
         <h2>График погашения / Өтеу кестесі</h2><table><thead><tr><th>№</th><th>Дата</th>\
         <th>Основной долг</th><th>Вознагр.</th><th>Комиссия</th><th>Платёж</th><th>Остаток</th></tr></thead><tbody>",
        c.full_name,
        c.iin,
        c.document,
        c.registration_address,
        c.phone,
        o.amount,
        o.months,
        s.gesv,
        s.overpayment,
        s.total_paid
    );
    for i in &s.installments {
        body.push_str(&format!(
            "<tr><td class=r>{}</td><td>{}</td><td class=r>{}</td><td class=r>{}</td><td class=r>{}</td><td class=r>{}</td><td class=r>{}</td></tr>",
            i.number,
            domain::date::format_date(i.date),
            i.principal,
            i.interest,
            i.fee,
            i.total,
            i.balance
        ));
    }
    body.push_str("</tbody></table><h2>Подписи сторон / Тараптардың қолтаңбалары</h2><p>Заёмщик ____________ Представитель МФО ____________</p>");
    body
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn time_chromium(bin: &str, html: &Path, pdf: &Path) -> (f64, f64, u64) {
    let times = (0..CHROMIUM_RUNS)
        .map(|_| {
            let _ = std::fs::remove_file(pdf);
            let t = Instant::now();
            let out = Command::new(bin)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-pdf-header-footer",
                ])
                .arg(format!("--print-to-pdf={}", pdf.display()))
                .arg(format!("file://{}", html.display()))
                .output()
                .expect("chromium runs");
            let e = t.elapsed();
            assert!(
                pdf.exists(),
                "chromium wrote the PDF: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            e
        })
        .collect();
    let (median, p95) = stats(times);
    (median, p95, std::fs::metadata(pdf).unwrap().len())
}

fn cli_policy_ms(out: &Path) -> Option<f64> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/release/branchdesk");
    let bin = std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| PathBuf::from(d).join("release/branchdesk"))
        .filter(|p| p.exists())
        .unwrap_or(bin);
    if !bin.exists() {
        return None;
    }
    let times = (0..CHROMIUM_RUNS)
        .map(|_| {
            let t = Instant::now();
            let s = Command::new(&bin)
                .args(["print", "policy", "--out"])
                .arg(out)
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(s.success());
            t.elapsed()
        })
        .collect();
    Some(stats(times).0)
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/print-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fonts")
        .canonicalize()
        .unwrap();
    let policy = &domain::policy::shipped()[0];
    let o = offer();

    let (pm, pp, ppdf) = time_render(
        Document::Policy(policy),
        &seal("00112233445566778899aabbccddeeff"),
    );
    let (om, op, opdf) = time_render(
        Document::Offer(&o),
        &seal("0ffe40ffe40ffe40ffe40ffe40ffe40f"),
    );
    std::fs::write(dir.join("policy.pdf"), &ppdf).unwrap();
    std::fs::write(dir.join("offer-24.pdf"), &opdf).unwrap();
    println!("Branch Desk, in-process render + seal, {RUNS} runs:");
    println!(
        "  policy    median {pm:.2} ms  p95 {pp:.2} ms  size {} bytes",
        ppdf.len()
    );
    println!(
        "  offer-24  median {om:.2} ms  p95 {op:.2} ms  size {} bytes",
        opdf.len()
    );
    if let Some(ms) = cli_policy_ms(&dir.join("policy-cli.pdf")) {
        println!("  `branchdesk print policy` whole process: median {ms:.1} ms");
    }

    let policy_html_path = dir.join("policy.html");
    let offer_html_path = dir.join("offer-24.html");
    std::fs::write(&policy_html_path, page(&fonts, &policy_html(&policy.text))).unwrap();
    std::fs::write(&offer_html_path, page(&fonts, &offer_html(&o))).unwrap();
    match chromium() {
        None => println!("Chromium: not installed (apt-get install chromium); no ratio this run"),
        Some(bin) => {
            let (cpm, cpp, cps) =
                time_chromium(bin, &policy_html_path, &dir.join("policy-chromium.pdf"));
            let (com, cop, cos) =
                time_chromium(bin, &offer_html_path, &dir.join("offer-24-chromium.pdf"));
            println!("Chromium --headless --print-to-pdf, whole process, {CHROMIUM_RUNS} runs:");
            println!("  policy    median {cpm:.0} ms  p95 {cpp:.0} ms  size {cps} bytes");
            println!("  offer-24  median {com:.0} ms  p95 {cop:.0} ms  size {cos} bytes");
            println!("Ratios (Chromium / Branch Desk):");
            println!(
                "  policy    time {:.0}×  size {:.2}×",
                cpm / pm,
                cps as f64 / ppdf.len() as f64
            );
            println!(
                "  offer-24  time {:.0}×  size {:.2}×",
                com / om,
                cos as f64 / opdf.len() as f64
            );
        }
    }
}
