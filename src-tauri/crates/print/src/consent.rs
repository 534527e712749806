//! The consent form the client signs at the desk (Law of the Republic of Kazakhstan No. 94-V "On
//! personal data and their protection"): the client's particulars, the policy version and its
//! hash, each purpose of processing with an empty box to tick by hand (required ones marked), and
//! signature and date lines for the client and the officer. Russian and Kazakh side by side; both
//! declarations name the policy by version, effective date and hash. The tick boxes and the
//! signatures are one block, never split across pages, and the check block follows them.

use chrono::NaiveDate;
use domain::date::format_date;
use domain::policy::{PolicyVersion, Purpose};
use serde::{Deserialize, Serialize};

use crate::frame::Frame;
use crate::layout::{Align, BODY, Sheet, bold, plain};
use crate::party::ClientData;
use crate::seal::{Kind, Seal};
use crate::{Content, PrintError, fonts};

/// Everything a consent form says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentForm {
    /// The client who gives the consent.
    pub client: ClientData,
    /// The version of the privacy policy the consent refers to.
    pub policy_version: u32,
    /// The date from which that policy version is in force.
    pub policy_effective: NaiveDate,
    /// SHA-256 of that policy version's text, lower-case hex.
    pub policy_sha256: String,
    /// The purposes of processing the policy asks consent for, each with its tick box.
    pub purposes: Vec<Purpose>,
    /// The officer who takes the consent.
    pub officer: String,
    /// The desk's date when the form was printed.
    pub date: NaiveDate,
}

impl ConsentForm {
    /// The form for `client` under `policy`, taken by `officer` and printed on `date`.
    pub fn new(
        client: ClientData,
        policy: &PolicyVersion,
        officer: &str,
        date: NaiveDate,
    ) -> ConsentForm {
        ConsentForm {
            client,
            policy_version: policy.version,
            policy_effective: policy.effective,
            policy_sha256: policy.sha256.clone(),
            purposes: policy.purposes.clone(),
            officer: officer.to_owned(),
            date,
        }
    }
}

pub(crate) fn content(form: &ConsentForm) -> Result<Content, PrintError> {
    #[derive(Serialize)]
    struct Tagged<'a> {
        kind: &'static str,
        #[serde(flatten)]
        form: &'a ConsentForm,
    }
    Content::of(&Tagged {
        kind: "consent",
        form,
    })
}

pub(crate) fn render(form: &ConsentForm, seal: &Seal) -> Result<Vec<u8>, PrintError> {
    let titles = form.purposes.iter().flat_map(|p| p.title.values());
    fonts::check_all(
        form.client
            .texts()
            .into_iter()
            .chain([form.officer.as_str()])
            .chain(titles.map(String::as_str)),
    )?;
    let content = content(form)?;
    let frame = Frame {
        kind: Kind::Consent,
        title_ru: "Согласие на сбор и обработку персональных данных",
        title_kk: "Дербес деректерді жинауға және өңдеуге келісім",
        seal: Some(seal),
        content: &content.json,
        content_sha256: &content.sha256,
        reference: "",
    };
    let mut sheet = Sheet::new();
    frame.header(&mut sheet, &[])?;

    sheet.heading(
        "Субъект персональных данных / Дербес деректер субъектісі",
        11.0,
    );
    form.client.table(&mut sheet)?;

    let c = &form.client;
    let effective = format_date(form.policy_effective);
    let policy = format!(
        "Политики конфиденциальности (версия {}, действует с {effective}, SHA-256: {})",
        form.policy_version, form.policy_sha256
    );
    let policy_kk = format!(
        "Құпиялылық саясатының (нұсқа {}, {effective} бастап қолданылады, SHA-256: {})",
        form.policy_version, form.policy_sha256
    );
    sheet.paragraph(&[
        plain("Я, "),
        bold(c.full_name.as_str()),
        plain(format!(
            ", ИИН {}, в соответствии с Законом Республики Казахстан от 21 мая 2013 года № 94-V \
             «О персональных данных и их защите» даю ТОО «Микрофинансовая организация «SM INVEST»» \
             согласие на сбор и обработку моих персональных данных в целях, отмеченных мною ниже, \
             на условиях {policy}. С Политикой ознакомлен(а), её экземпляр получил(а).",
            c.iin
        )),
    ]);
    sheet.paragraph(&[
        plain("Мен, "),
        bold(c.full_name.as_str()),
        plain(format!(
            ", ЖСН {}, Қазақстан Республикасының 2013 жылғы 21 мамырдағы № 94-V «Дербес деректер \
             және оларды қорғау туралы» Заңына сәйкес «Микроқаржы ұйымы «SM INVEST»» ЖШС-ға \
             төменде өзім белгілеген мақсаттарда дербес деректерімді жинауға және өңдеуге \
             {policy_kk} шарттарымен келісім беремін. Саясатпен таныстым, оның данасын алдым.",
            c.iin
        )),
    ]);

    let date = format_date(form.date);
    let purposes_and_signatures = |sheet: &mut Sheet| -> Result<(), PrintError> {
        purposes(sheet, form);
        sheet.signature(
            "Субъект персональных данных / Дербес деректер субъектісі",
            &c.full_name,
            &format!("подпись / қолы · дата / күні {date}"),
        );
        sheet.signature(
            "Принял сотрудник МФО / МҰҰ қызметкері қабылдады",
            &form.officer,
            &format!("подпись / қолы · дата / күні {date}"),
        );
        Ok(())
    };
    let check = |sheet: &mut Sheet| frame.check_block(sheet);
    // On one page together if they fit, else each block whole on its own page.
    sheet.keep_together(&|sheet: &mut Sheet| {
        sheet.keep_together(&purposes_and_signatures)?;
        sheet.keep_together(&check)?;
        Ok(())
    })?;
    frame.finish(sheet)
}

/// The purposes of processing, each with a box to tick by hand.
fn purposes(sheet: &mut Sheet, form: &ConsentForm) {
    sheet.heading("Цели обработки / Өңдеу мақсаттары", 11.0);
    sheet.text(
        &[plain(
            "Отметьте каждую цель, на которую вы даёте согласие. / Келісім беретін әр мақсатты белгілеңіз.",
        )],
        BODY * 0.9,
        0.0,
        Align::Left,
    );
    sheet.space(4.0);
    for p in &form.purposes {
        let note = if p.required {
            "обязательно для выдачи микрокредита / микрокредит беру үшін міндетті"
        } else {
            "по желанию, можно отозвать в любое время / қалауы бойынша, кез келген уақытта кері қайтарып алуға болады"
        };
        sheet.tick_box(&[
            bold(p.title_in("ru")),
            plain(" / "),
            bold(p.title_in("kk")),
            plain(format!(" ({note})")),
        ]);
    }
    sheet.text(
        &[plain(
            "Согласие на получение и передачу сведений в кредитное бюро оформляется отдельно. \
             / Кредиттік бюроға мәліметтер алуға және беруге келісім бөлек ресімделеді.",
        )],
        BODY * 0.9,
        0.0,
        Align::Left,
    );
    sheet.space(12.0);
}
