//! What every document shares: the header (organisation, bilingual title, number and issue
//! time), the closing "how to check this paper" block with the QR code, the footer (the company's
//! particulars and page numbers), and the final assembly into a PDF.
//!
//! The QR code is in the check block, not the header: at a module size that decodes from an
//! 80 dpi scan it is 62 mm square, and in the header it would push an offer's cost and ГЭСВ off
//! the first page. The check block is kept on one page, so the code, the values it carries and
//! (on a consent form or an offer) the signatures are read together.
//!
//! Every date and time on paper is the desks' local time, Asia/Almaty ([`desk_time`],
//! [`desk_time_exact`]); only the machine-readable seal (QR code, metadata) keeps UTC, which is
//! what is signed.

use chrono::{DateTime, Utc};

use crate::PrintError;
use crate::company::COMPANY;
use crate::layout::{self, BODY, LEFT, Sheet, TOP, bold, plain};
use crate::pdf::{self, AUTHOR};
use crate::qr;
use crate::seal::{self, Kind, Seal};

/// Space between the QR code's quiet zone and the text beside it, in points.
const QR_GAP: f32 = 6.0;

/// A document being printed: its kind, titles, seal and content hash.
pub(crate) struct Frame<'a> {
    pub kind: Kind,
    pub title_ru: &'a str,
    pub title_kk: &'a str,
    pub seal: Option<&'a Seal>,
    pub content: &'a str,
    pub content_sha256: &'a str,
    /// What identifies an unsealed reference copy (`v1` for policy version 1).
    pub reference: &'a str,
}

/// `26.11.2026 10:00` in Asia/Almaty, where the desks are.
pub(crate) fn desk_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Almaty)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}

/// `26.11.2026 10:00:00 (UTC+05:00)`: the exact instant in Asia/Almaty, to the second that is
/// signed, with its offset so it can be compared with the seal's UTC time.
pub(crate) fn desk_time_exact(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Almaty)
        .format("%d.%m.%Y %H:%M:%S (UTC%:z)")
        .to_string()
}

/// `0123 4567 89ab …`: an id in groups of four, easier to read out over the phone.
pub(crate) fn grouped(id: &str) -> String {
    id.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Frame<'_> {
    fn qr_payload(&self) -> String {
        seal::qr_payload(self.kind, self.seal, self.content_sha256, self.reference)
    }

    /// Draws the header on the first page and moves the flow below it.
    pub(crate) fn header(&self, sheet: &mut Sheet, extra: &[String]) -> Result<(), PrintError> {
        let width = layout::WIDTH;
        let mut top = TOP;
        top -= sheet.text_at(&[bold(AUTHOR)], 8.5, LEFT, top, width);
        top -= 4.0;
        top -= sheet.text_at(&[bold(self.title_ru)], 14.0, LEFT, top, width);
        top -= sheet.text_at(&[bold(self.title_kk)], 11.5, LEFT, top, width);
        top -= 3.0;
        let number = match self.seal {
            Some(s) => format!(
                "№ {} · {} · выдан / берілді",
                grouped(&s.id),
                desk_time(s.issued_at)
            ),
            None => "Контрольный экземпляр / Бақылау данасы".to_owned(),
        };
        let mut lines = vec![number];
        lines.extend(extra.iter().cloned());
        for line in &lines {
            top -= sheet.text_at(&[plain(line.as_str())], 8.5, LEFT, top, width);
        }
        sheet.below(top - 10.0);
        Ok(())
    }

    /// The closing block: how the paper can be checked, with every value the QR code carries.
    /// Kept on one page (callers draw it inside a block kept together).
    pub(crate) fn check_block(&self, sheet: &mut Sheet) -> Result<(), PrintError> {
        sheet.heading("Проверка подлинности / Түпнұсқалықты тексеру", 11.0);
        // The code at the left inside its quiet zone, what it carries beside it.
        let modules = qr::modules(&self.qr_payload())?;
        let side = modules.side_with_quiet_zone();
        let quiet = qr::QUIET as f32 * qr::MODULE;
        let beside = [plain(
            "QR-код содержит те же сведения, что и таблица ниже.\n\
             QR-кодта төмендегі кестедегі мәліметтер бар.",
        )];
        let (text_x, text_width) = (LEFT + side + QR_GAP, layout::WIDTH - side - QR_GAP);
        let text_height = Sheet::text_height(&beside, BODY * 0.9, text_width) + quiet;
        let top = sheet.reserve(side.max(text_height));
        sheet.qr(
            &modules.dark,
            modules.width,
            LEFT + quiet,
            top - quiet,
            qr::MODULE,
        );
        sheet.text_at(&beside, BODY * 0.9, text_x, top - quiet, text_width);
        let mut rows = vec![
            vec![
                "Вид документа / Құжат түрі".to_owned(),
                self.kind.as_str().to_owned(),
            ],
            vec![
                "SHA-256 содержания / мазмұнының SHA-256".to_owned(),
                self.content_sha256.to_owned(),
            ],
        ];
        match self.seal {
            Some(s) => {
                rows.insert(
                    0,
                    vec!["Номер документа / Құжат нөмірі".to_owned(), s.id.clone()],
                );
                rows.push(vec![
                    "Выдан / Берілді (Алматы)".to_owned(),
                    desk_time_exact(s.issued_at),
                ]);
                rows.push(vec![
                    "Ключ рабочего места / Жұмыс орнының кілті (Ed25519)".to_owned(),
                    s.desk_key.clone(),
                ]);
                rows.push(vec![
                    "Подпись / Қолтаңба (Ed25519)".to_owned(),
                    s.signature.clone(),
                ]);
            }
            None => rows.push(vec![
                "Экземпляр / Данасы".to_owned(),
                self.reference.to_owned(),
            ]),
        }
        sheet.facts(&rows, [0.34, 0.66], 7.5)?;
        Ok(())
    }

    /// Adds footers and writes the PDF.
    pub(crate) fn finish(&self, sheet: Sheet) -> Result<Vec<u8>, PrintError> {
        let label = match self.seal {
            Some(s) => format!("№ {}", grouped(&s.id[..8.min(s.id.len())])),
            None => self.reference.to_owned(),
        };
        let short = self.title_ru;
        let pages = sheet.finish(&COMPANY.footer_line(), |n, m| {
            format!("{short} · {label} · Страница {n} из {m} · Бет {n} / {m}")
        })?;
        let seal_text = self.qr_payload();
        let id = match self.seal {
            Some(s) => s.id.clone(),
            None => format!(
                "{}-{}-{}",
                self.kind.as_str(),
                self.reference,
                self.content_sha256
            ),
        };
        pdf::assemble(
            pages,
            &pdf::Info {
                title: self.title_ru,
                subject: self.title_kk,
                issued_at: self.seal.map(|s| s.issued_at),
                seal: &seal_text,
                content: self.content,
                id: &id,
            },
        )
    }
}
