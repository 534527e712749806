//! The privacy policy as printed: a policy version's text with its title, section headings, bold
//! runs and lists kept, under a header naming the version, its effective date and its hash, and
//! ending with the check block, kept on one page (with the last paragraphs carried over to it
//! when it would otherwise stand alone as a fragment).

use domain::date::format_date;
use domain::policy::PolicyVersion;
use serde::Serialize;

use crate::frame::Frame;
use crate::layout::{Align, Piece, Sheet};
use crate::markup::{self, Block};
use crate::seal::{Kind, Seal};
use crate::{Content, PrintError, fonts};

/// What a policy printout says, for the seal: which version, by its hash (the text is the
/// version's own, so it is not repeated).
#[derive(Serialize)]
struct PolicyContent<'a> {
    kind: &'static str,
    policy_version: u32,
    policy_language: &'a str,
    policy_sha256: &'a str,
}

pub(crate) fn content(policy: &PolicyVersion) -> Result<Content, PrintError> {
    Content::of(&PolicyContent {
        kind: "policy",
        policy_version: policy.version,
        policy_language: &policy.language,
        policy_sha256: &policy.sha256,
    })
}

pub(crate) fn render(policy: &PolicyVersion, seal: Option<&Seal>) -> Result<Vec<u8>, PrintError> {
    fonts::check_printable(&policy.text)?;
    let content = content(policy)?;
    let reference = format!("v{}", policy.version);
    let frame = Frame {
        kind: Kind::Policy,
        title_ru: "Политика конфиденциальности",
        title_kk: "Құпиялылық саясаты",
        seal,
        content: &content.json,
        content_sha256: &content.sha256,
        reference: &reference,
    };
    let mut sheet = Sheet::new();
    frame.header(
        &mut sheet,
        &[
            format!(
                "Версия / Нұсқа {} · действует с / күшіне енеді {}",
                policy.version,
                format_date(policy.effective)
            ),
            format!("SHA-256 текста / мәтінінің SHA-256: {}", policy.sha256),
        ],
    )?;
    let blocks = markup::blocks(&policy.text);
    let draw: Vec<_> = blocks
        .iter()
        .map(|block| {
            move |sheet: &mut Sheet| -> Result<(), PrintError> {
                match block {
                    Block::Title(t) => {
                        sheet.text(&[crate::layout::bold(t.as_str())], 13.0, 0.0, Align::Center);
                        sheet.space(8.0);
                    }
                    Block::Heading(h) => sheet.heading(h, 11.0),
                    Block::Paragraph(spans) => sheet.paragraph(spans),
                    Block::Item(spans) => sheet.bullet(spans),
                }
                Ok(())
            }
        })
        .collect();
    let pieces: Vec<Piece<'_>> = draw.iter().map(|d| d as Piece<'_>).collect();
    sheet.closing(&pieces, &|sheet: &mut Sheet| frame.check_block(sheet))?;
    frame.finish(sheet)
}
