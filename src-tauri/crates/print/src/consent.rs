//! The consent forms the client signs at the desk, one per scope of consent:
//!
//! - the privacy policy's purposes (Law of the Republic of Kazakhstan No. 94-V "On personal data
//!   and their protection"), [`Kind::Consent`];
//! - credit-bureau reports (Law No. 573-II "On credit bureaus and the formation of credit
//!   histories"), [`Kind::BureauConsent`]: a separate consent, on its own terms.
//!
//! Each form shows the client's particulars, the terms' version and hash, each purpose with an
//! empty box to tick by hand (required ones marked), and signature and date lines for the client
//! and the officer. Russian and Kazakh side by side; both declarations name the terms by version,
//! effective date and hash. The tick boxes and the signatures are one block, never split across
//! pages, and the check block follows them.
//!
//! The scope is in the form's content only when it is not the privacy policy, so the content (and
//! the hash a desk signed) of a privacy form is what it was before the credit-bureau form existed.

use chrono::NaiveDate;
use domain::consent::Scope;
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
    /// Which consent: the privacy policy's purposes or credit-bureau reports. Left out of the
    /// content when it is the privacy policy (and read back as that when absent).
    #[serde(default = "privacy", skip_serializing_if = "is_privacy")]
    pub scope: Scope,
    /// The version of the terms (the privacy policy, or the credit-bureau terms) the consent
    /// refers to.
    pub policy_version: u32,
    /// The date from which that version is in force.
    pub policy_effective: NaiveDate,
    /// SHA-256 of that version's text, lower-case hex.
    pub policy_sha256: String,
    /// The purposes the terms ask consent for, each with its tick box.
    pub purposes: Vec<Purpose>,
    /// The officer who takes the consent.
    pub officer: String,
    /// The desk's date when the form was printed.
    pub date: NaiveDate,
}

impl ConsentForm {
    /// The form for `client` under `policy` (of either scope: the form takes the policy's),
    /// taken by `officer` and printed on `date`.
    pub fn new(
        client: ClientData,
        policy: &PolicyVersion,
        officer: &str,
        date: NaiveDate,
    ) -> ConsentForm {
        ConsentForm {
            client,
            scope: policy.scope,
            policy_version: policy.version,
            policy_effective: policy.effective,
            policy_sha256: policy.sha256.clone(),
            purposes: policy.purposes.clone(),
            officer: officer.to_owned(),
            date,
        }
    }
}

fn privacy() -> Scope {
    Scope::Privacy
}

fn is_privacy(scope: &Scope) -> bool {
    *scope == Scope::Privacy
}

/// Which document `form` is: the privacy consent form or the credit-bureau one.
pub(crate) fn kind(form: &ConsentForm) -> Kind {
    match form.scope {
        Scope::Privacy => Kind::Consent,
        Scope::CreditBureau => Kind::BureauConsent,
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
        kind: kind(form).as_str(),
        form,
    })
}

/// The two forms' titles and the client's role (the declarations differ too: [`declarations`]).
struct Wording {
    title_ru: &'static str,
    title_kk: &'static str,
    /// The client's role under the law cited.
    subject: &'static str,
}

fn wording(scope: Scope) -> Wording {
    match scope {
        Scope::Privacy => Wording {
            title_ru: "Согласие на сбор и обработку персональных данных",
            title_kk: "Дербес деректерді жинауға және өңдеуге келісім",
            subject: "Субъект персональных данных / Дербес деректер субъектісі",
        },
        Scope::CreditBureau => Wording {
            title_ru: "Согласие на предоставление и получение сведений в кредитных бюро",
            title_kk: "Кредиттік бюроларға мәліметтер беруге және алуға келісім",
            subject: "Субъект кредитной истории / Кредиттік тарих субъектісі",
        },
    }
}

/// The declarations, Russian then Kazakh: who consents, under which law, to whom, on which terms
/// (named by version, effective date and hash).
fn declarations(sheet: &mut Sheet, form: &ConsentForm) {
    let c = &form.client;
    let effective = format_date(form.policy_effective);
    let (v, hash) = (form.policy_version, &form.policy_sha256);
    let (ru, kk) = match form.scope {
        Scope::Privacy => (
            format!(
                ", ИИН {}, в соответствии с Законом Республики Казахстан от 21 мая 2013 года № 94-V \
                 «О персональных данных и их защите» даю ТОО «Микрофинансовая организация «SM INVEST»» \
                 согласие на сбор и обработку моих персональных данных в целях, отмеченных мною ниже, \
                 на условиях Политики конфиденциальности (версия {v}, действует с {effective}, \
                 SHA-256: {hash}). С Политикой ознакомлен(а), её экземпляр получил(а).",
                c.iin
            ),
            format!(
                ", ЖСН {}, Қазақстан Республикасының 2013 жылғы 21 мамырдағы № 94-V «Дербес деректер \
                 және оларды қорғау туралы» Заңына сәйкес «Микроқаржы ұйымы «SM INVEST»» ЖШС-ға \
                 төменде өзім белгілеген мақсаттарда дербес деректерімді жинауға және өңдеуге \
                 Құпиялылық саясатының (нұсқа {v}, {effective} бастап қолданылады, SHA-256: {hash}) \
                 шарттарымен келісім беремін. Саясатпен таныстым, оның данасын алдым.",
                c.iin
            ),
        ),
        Scope::CreditBureau => (
            format!(
                ", ИИН {}, в соответствии с Законом Республики Казахстан от 6 июля 2004 года \
                 № 573-II «О кредитных бюро и формировании кредитных историй в Республике \
                 Казахстан» даю ТОО «Микрофинансовая организация «SM INVEST»» согласие на получение \
                 из кредитных бюро кредитных отчётов обо мне и на предоставление в кредитные бюро \
                 сведений обо мне и о моих обязательствах в целях, отмеченных мною ниже, на Условиях \
                 предоставления и получения сведений в кредитных бюро (версия {v}, действует с \
                 {effective}, SHA-256: {hash}). С Условиями ознакомлен(а), их экземпляр получил(а).",
                c.iin
            ),
            format!(
                ", ЖСН {}, Қазақстан Республикасының 2004 жылғы 6 шілдедегі № 573-II «Кредиттік \
                 бюролар және кредиттік тарихты қалыптастыру туралы» Заңына сәйкес «Микроқаржы \
                 ұйымы «SM INVEST»» ЖШС-ға төменде өзім белгілеген мақсаттарда кредиттік бюролардан \
                 мен туралы кредиттік есептерді алуға және кредиттік бюроларға мен туралы және \
                 менің міндеттемелерім туралы мәліметтерді беруге Кредиттік бюроларға мәліметтер \
                 беру және алу шарттарында (нұсқа {v}, {effective} бастап қолданылады, SHA-256: \
                 {hash}) көзделген талаптармен келісім беремін. Шарттармен таныстым, олардың \
                 данасын алдым.",
                c.iin
            ),
        ),
    };
    sheet.paragraph(&[plain("Я, "), bold(c.full_name.as_str()), plain(ru)]);
    sheet.paragraph(&[plain("Мен, "), bold(c.full_name.as_str()), plain(kk)]);
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
    let words = wording(form.scope);
    let frame = Frame {
        kind: kind(form),
        title_ru: words.title_ru,
        title_kk: words.title_kk,
        seal: Some(seal),
        content: &content.json,
        content_sha256: &content.sha256,
        reference: "",
    };
    let mut sheet = Sheet::new();
    frame.header(&mut sheet, &[])?;

    sheet.heading(words.subject, 11.0);
    form.client.table(&mut sheet)?;
    declarations(&mut sheet, form);

    let c = &form.client;
    let date = format_date(form.date);
    let purposes_and_signatures = |sheet: &mut Sheet| -> Result<(), PrintError> {
        purposes(sheet, form);
        sheet.signature(
            words.subject,
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
    if form.scope == Scope::Privacy {
        sheet.text(
            &[plain(
                "Согласие на получение и передачу сведений в кредитное бюро оформляется отдельно. \
                 / Кредиттік бюроға мәліметтер алуға және беруге келісім бөлек ресімделеді.",
            )],
            BODY * 0.9,
            0.0,
            Align::Left,
        );
    }
    sheet.space(12.0);
}
