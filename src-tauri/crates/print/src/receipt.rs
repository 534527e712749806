//! The receipt a client takes away after giving or withdrawing consent at the desk: proof, on
//! paper and signed by the desk, of what was recorded (Law No. 94-V requires that consent can be
//! proven and withdrawn; the client should hold the same proof the organisation does).
//!
//! It says who (the client's particulars), what (consent given or withdrawn), when (the event's
//! time, Asia/Almaty), how (paper, screen, both, or by telephone), before whom (the officer) and
//! under which text (the terms' version, effective date and SHA-256); then each purpose's state
//! after the event, the evidence kept (each file's SHA-256, so the client can later match it), the
//! signature drawn on screen, the officer's note, and how to withdraw. One receipt serves both
//! scopes of consent: the privacy policy's purposes and credit-bureau reports. Russian and Kazakh
//! side by side; the closing blocks are never split across pages.

use chrono::{DateTime, NaiveDate, Utc};
use domain::consent::{Action, Method, Scope};
use domain::date::format_date;
use domain::evidence::DrawnSignature;
use serde::{Deserialize, Serialize};

use crate::frame::{Frame, desk_time};
use crate::layout::{Align, BODY, Column, LEFT, Sheet, bold, plain};
use crate::party::ClientData;
use crate::seal::{Kind, Seal};
use crate::{Content, PrintError, fonts, signature};

/// A purpose's state right after the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// The client has consented to it.
    Given,
    /// The client declined it when granting.
    Refused,
    /// The client had consented to it and withdrew.
    Withdrawn,
}

impl LineState {
    /// The state in words, Russian / Kazakh.
    fn words(self) -> &'static str {
        match self {
            LineState::Given => "Дано / Берілді",
            LineState::Refused => "Не дано / Берілмеді",
            LineState::Withdrawn => "Отозвано / Кері қайтарылды",
        }
    }
}

/// One purpose of the terms on a receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// The purpose's code in the terms (`issue-microcredit`, `bureau-report`, …).
    pub code: String,
    /// The purpose's Russian title.
    pub title_ru: String,
    /// The purpose's Kazakh title.
    pub title_kk: String,
    /// Whether a loan needs it (such a purpose cannot be withdrawn while a loan is open).
    pub required: bool,
    /// Its state right after the event.
    pub state: LineState,
}

/// One piece of evidence kept with the event, named by its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEvidence {
    /// `signature-strokes`, `signature-image` or `scan`.
    pub kind: String,
    /// SHA-256 of the stored file, lower-case hex.
    pub sha256: String,
    /// The file's size in bytes.
    pub size: u64,
}

/// Everything a consent receipt says: one consent event (a grant or a withdrawal) and its result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The client whose consent it is.
    pub client: ClientData,
    /// Which consent: the privacy policy's purposes or credit-bureau reports.
    pub scope: Scope,
    /// The event's id, 32 lower-case hex digits.
    pub event_id: String,
    /// Consent given or withdrawn.
    pub action: Action,
    /// When the event was recorded.
    pub at: DateTime<Utc>,
    /// How the client's decision was taken down.
    pub method: Method,
    /// The officer who recorded it.
    pub officer: String,
    /// The version of the terms the event refers to.
    pub policy_version: u32,
    /// The date from which that version is in force.
    pub policy_effective: NaiveDate,
    /// SHA-256 of that version's text, lower-case hex.
    pub policy_sha256: String,
    /// Every purpose of that version, with its state right after the event.
    pub purposes: Vec<ReceiptLine>,
    /// The evidence kept with the event (none for a withdrawal by telephone).
    pub evidence: Vec<ReceiptEvidence>,
    /// The officer's note (for a withdrawal by telephone, what the client said).
    pub note: Option<String>,
    /// The signature the client drew on screen, if any; printed from its strokes.
    pub signature: Option<DrawnSignature>,
}

pub(crate) fn content(receipt: &Receipt) -> Result<Content, PrintError> {
    #[derive(Serialize)]
    struct Tagged<'a> {
        kind: &'static str,
        #[serde(flatten)]
        receipt: &'a Receipt,
    }
    Content::of(&Tagged {
        kind: Kind::Receipt.as_str(),
        receipt,
    })
}

/// The printed signature's box: about 60 × 20 mm.
const SIGNATURE_W: f32 = 170.0;
const SIGNATURE_H: f32 = 57.0;

fn titles(scope: Scope) -> (&'static str, &'static str) {
    match scope {
        Scope::Privacy => (
            "Квитанция о согласии на обработку персональных данных",
            "Дербес деректерді өңдеуге келісім туралы түбіртек",
        ),
        Scope::CreditBureau => (
            "Квитанция о согласии (кредитные бюро)",
            "Келісім туралы түбіртек (кредиттік бюролар)",
        ),
    }
}

fn what_happened(action: Action) -> &'static str {
    match action {
        Action::Grant => "Согласие дано / Келісім берілді",
        Action::Withdraw => "Согласие отозвано / Келісім кері қайтарылды",
    }
}

fn method_words(method: Method) -> &'static str {
    match method {
        Method::Paper => "подписанная бумажная форма (скан) / қол қойылған қағаз нысан (скан)",
        Method::Screen => "подпись на экране / экрандағы қолтаңба",
        Method::PaperAndScreen => {
            "подписанная бумажная форма (скан) и подпись на экране / қол қойылған қағаз нысан \
             (скан) және экрандағы қолтаңба"
        }
        Method::Phone => "по телефону, со слов клиента / телефон арқылы, клиенттің айтуы бойынша",
    }
}

fn evidence_words(kind: &str) -> &str {
    match kind {
        "signature-strokes" => "подпись на экране (штрихи) / экрандағы қолтаңба (сызықтар)",
        "signature-image" => "изображение подписи (PNG) / қолтаңба суреті (PNG)",
        "scan" => "скан подписанной формы / қол қойылған нысанның сканы",
        other => other,
    }
}

/// The terms the event refers to, by name.
fn terms_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Privacy => "Политика конфиденциальности / Құпиялылық саясаты",
        Scope::CreditBureau => {
            "Условия предоставления и получения сведений в кредитных бюро / Кредиттік бюроларға \
             мәліметтер беру және алу шарттары"
        }
    }
}

/// `12 345 байт`: a size in bytes, its digits in groups of three (the same word in Kazakh).
fn bytes_text(size: u64) -> String {
    let digits = size.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{out} байт")
}

pub(crate) fn render(receipt: &Receipt, seal: &Seal) -> Result<Vec<u8>, PrintError> {
    let r = receipt;
    fonts::check_all(
        r.client
            .texts()
            .into_iter()
            .chain([
                r.officer.as_str(),
                r.event_id.as_str(),
                r.policy_sha256.as_str(),
            ])
            .chain(
                r.purposes
                    .iter()
                    .flat_map(|p| [p.title_ru.as_str(), p.title_kk.as_str()]),
            )
            .chain(
                r.evidence
                    .iter()
                    .flat_map(|e| [evidence_words(&e.kind), e.sha256.as_str()]),
            )
            .chain(r.note.as_deref()),
    )?;
    let content = content(r)?;
    let (title_ru, title_kk) = titles(r.scope);
    let frame = Frame {
        kind: Kind::Receipt,
        title_ru,
        title_kk,
        seal: Some(seal),
        content: &content.json,
        content_sha256: &content.sha256,
        reference: "",
    };
    let mut sheet = Sheet::new();
    frame.header(&mut sheet, &[])?;

    let subject = match r.scope {
        Scope::Privacy => "Субъект персональных данных / Дербес деректер субъектісі",
        Scope::CreditBureau => "Субъект кредитной истории / Кредиттік тарих субъектісі",
    };
    sheet.heading(subject, 11.0);
    r.client.table(&mut sheet)?;

    sheet.heading("Что записано / Не тіркелді", 11.0);
    sheet.facts(
        &[
            vec![
                "Событие / Оқиға".to_owned(),
                what_happened(r.action).to_owned(),
            ],
            vec![
                "Время (Алматы) / Уақыты (Алматы)".to_owned(),
                desk_time(r.at),
            ],
            vec![
                "Способ / Тәсілі".to_owned(),
                method_words(r.method).to_owned(),
            ],
            vec![
                "Сотрудник МФО / МҰҰ қызметкері".to_owned(),
                r.officer.clone(),
            ],
            vec![
                "Номер события / Оқиға нөмірі".to_owned(),
                r.event_id.clone(),
            ],
        ],
        [0.34, 0.66],
        9.0,
    )?;

    sheet.heading("Условия / Шарттар", 11.0);
    sheet.facts(
        &[
            vec![
                "Документ / Құжат".to_owned(),
                terms_name(r.scope).to_owned(),
            ],
            vec!["Версия / Нұсқа".to_owned(), r.policy_version.to_string()],
            vec![
                "Действует с / Қолданылу күні".to_owned(),
                format_date(r.policy_effective),
            ],
            vec![
                "SHA-256 текста / мәтіннің SHA-256".to_owned(),
                r.policy_sha256.clone(),
            ],
        ],
        [0.34, 0.66],
        7.5,
    )?;

    purposes(&mut sheet, r)?;
    evidence(&mut sheet, r)?;
    if let Some(sig) = &r.signature {
        sheet.keep_together(&|sheet: &mut Sheet| {
            signature_block(sheet, sig);
            Ok(())
        })?;
    }
    if let Some(note) = r.note.as_deref().filter(|n| !n.trim().is_empty()) {
        sheet.keep_together(&|sheet: &mut Sheet| {
            sheet.heading("Примечание сотрудника / Қызметкердің ескертпесі", 11.0);
            sheet.paragraph(&[plain(note)]);
            Ok(())
        })?;
    }

    let how = |sheet: &mut Sheet| -> Result<(), PrintError> {
        how_to_withdraw(sheet, r);
        Ok(())
    };
    let check = |sheet: &mut Sheet| frame.check_block(sheet);
    // On one page together if they fit, else each block whole on its own page.
    sheet.keep_together(&|sheet: &mut Sheet| {
        sheet.keep_together(&how)?;
        sheet.keep_together(&check)?;
        Ok(())
    })?;
    frame.finish(sheet)
}

/// Each purpose of the terms: its titles, whether it is required, its state after the event.
fn purposes(sheet: &mut Sheet, r: &Receipt) -> Result<(), PrintError> {
    sheet.heading("Цели и их состояние / Мақсаттар және олардың күйі", 11.0);
    let rows: Vec<Vec<String>> = r
        .purposes
        .iter()
        .map(|p| {
            vec![
                format!("{}\n{}", p.title_ru, p.title_kk),
                if p.required {
                    "обязательно / міндетті"
                } else {
                    "по желанию / қалауы бойынша"
                }
                .to_owned(),
                p.state.words().to_owned(),
            ]
        })
        .collect();
    let columns = [
        Column {
            share: 0.56,
            align: Align::Left,
        },
        Column {
            share: 0.2,
            align: Align::Left,
        },
        Column {
            share: 0.24,
            align: Align::Left,
        },
    ];
    sheet.table(
        &columns,
        &[
            "Цель / Мақсат",
            "Обязательность / Міндеттілігі",
            "Состояние / Күйі",
        ],
        &rows,
        9.0,
    )
}

/// The evidence kept, each with its SHA-256.
fn evidence(sheet: &mut Sheet, r: &Receipt) -> Result<(), PrintError> {
    sheet.heading("Доказательства / Дәлелдер", 11.0);
    if r.evidence.is_empty() {
        sheet.paragraph(&[plain(
            "Файлов нет: решение записано со слов клиента. / Файлдар жоқ: шешім клиенттің айтуы \
             бойынша жазылды.",
        )]);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = r
        .evidence
        .iter()
        .map(|e| {
            vec![
                format!("{}, {}", evidence_words(&e.kind), bytes_text(e.size)),
                e.sha256.clone(),
            ]
        })
        .collect();
    let columns = [
        Column {
            share: 0.34,
            align: Align::Left,
        },
        Column {
            share: 0.66,
            align: Align::Left,
        },
    ];
    sheet.table(&columns, &["Файл / Файл", "SHA-256"], &rows, 7.5)
}

/// The signature drawn on screen, from its strokes, in a framed box.
fn signature_block(sheet: &mut Sheet, sig: &DrawnSignature) {
    sheet.heading(
        "Подпись клиента на экране / Клиенттің экрандағы қолтаңбасы",
        11.0,
    );
    let top = sheet.reserve(SIGNATURE_H + 6.0);
    sheet.outline(LEFT, top - SIGNATURE_H, SIGNATURE_W, SIGNATURE_H, 0.4);
    let inset = 3.0;
    signature::draw(
        sheet,
        sig,
        LEFT + inset,
        top - inset,
        SIGNATURE_W - 2.0 * inset,
        SIGNATURE_H - 2.0 * inset,
    );
}

/// How the client can withdraw: the terms' contacts, and the rule for required purposes.
fn how_to_withdraw(sheet: &mut Sheet, r: &Receipt) {
    sheet.heading(
        "Как отозвать согласие / Келісімді қалай кері қайтаруға болады",
        11.0,
    );
    sheet.paragraph(&[
        plain(
            "Согласие можно отозвать полностью или по отдельным целям: лично в любом отделении МФО \
             или сообщением на электронную почту ",
        ),
        bold("info@sinvest.kz"),
        plain(
            ". Согласие на обязательные цели нельзя отозвать, пока у вас есть непогашенный \
             микрокредит (до полного исполнения обязательств по договору)",
        ),
        plain(if r.purposes.iter().any(|p| !p.required) {
            "; согласие на цели по желанию можно отозвать в любое время."
        } else {
            "."
        }),
    ]);
    sheet.paragraph(&[
        plain(
            "Келісімді толық немесе жекелеген мақсаттар бойынша кері қайтаруға болады: МҰҰ-ның \
             кез келген бөлімшесіне жеке келіп немесе ",
        ),
        bold("info@sinvest.kz"),
        plain(
            " электрондық поштасына хабарлама жіберіп. Міндетті мақсаттарға берілген келісімді \
             өтелмеген микрокредитіңіз бар кезде (шарт бойынша міндеттемелер толық орындалғанға \
             дейін) кері қайтаруға болмайды",
        ),
        plain(if r.purposes.iter().any(|p| !p.required) {
            "; қалауы бойынша мақсаттарға берілген келісімді кез келген уақытта кері қайтаруға \
             болады."
        } else {
            "."
        }),
    ]);
    if r.scope == Scope::CreditBureau {
        sheet.text(
            &[plain(
                "Отзыв не распространяется на сведения, предоставление которых в кредитные бюро \
                 предусмотрено законом, и на уже полученные кредитные отчёты. / Кері қайтару \
                 кредиттік бюроларға берілуі заңда көзделген мәліметтерге және бұрын алынған \
                 кредиттік есептерге қолданылмайды.",
            )],
            BODY * 0.9,
            0.0,
            Align::Left,
        );
        sheet.space(BODY * 0.5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_grouped_by_thousands() {
        assert_eq!(bytes_text(0), "0 байт");
        assert_eq!(bytes_text(999), "999 байт");
        assert_eq!(bytes_text(1000), "1 000 байт");
        assert_eq!(bytes_text(20_971_520), "20 971 520 байт");
    }
}
