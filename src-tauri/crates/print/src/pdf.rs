//! Turns laid-out pages into PDF bytes: the two fonts embedded as subsets under fixed resource
//! names, a document information dictionary we write ourselves (title, author, dates from the
//! issue time, and the seal and content entries), and a trailer `/ID` derived from the document's
//! own identity. printpdf names resources and the `/ID` from a process-wide counter, so without
//! this the second document a process prints would differ from the first for the same input.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use lopdf::{Object, StringFormat};
use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFont, PdfPage, PdfSaveOptions};

use crate::PrintError;
use crate::company::COMPANY;
use crate::fonts::Weight;
use crate::layout::font_id;

/// What goes into the PDF's information dictionary.
pub(crate) struct Info<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub issued_at: Option<DateTime<Utc>>,
    /// The QR code's text.
    pub seal: &'a str,
    /// The canonical content JSON the seal's hash is taken over.
    pub content: &'a str,
    /// The document id (or reference) the trailer `/ID` is made from.
    pub id: &'a str,
}

pub(crate) const AUTHOR: &str = COMPANY.name;
const CREATOR: &str = concat!("Branch Desk ", env!("CARGO_PKG_VERSION"));

fn parsed(weight: Weight) -> Result<ParsedFont, PrintError> {
    static FONTS: OnceLock<Option<[ParsedFont; 2]>> = OnceLock::new();
    let fonts = FONTS
        .get_or_init(|| {
            let r = ParsedFont::from_bytes(Weight::Regular.bytes(), 0, &mut Vec::new())?;
            let b = ParsedFont::from_bytes(Weight::Bold.bytes(), 0, &mut Vec::new())?;
            Some([r, b])
        })
        .as_ref()
        .ok_or(PrintError::Font)?;
    Ok(match weight {
        Weight::Regular => fonts[0].clone(),
        Weight::Bold => fonts[1].clone(),
    })
}

/// A PDF text string: ASCII as is, anything else as UTF-16BE with its byte-order mark.
fn text(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// A PDF date in Asia/Almaty, like every time the document states: `D:20261126093000+05'00'`.
fn pdf_date(at: DateTime<Utc>) -> Object {
    use chrono::Offset;
    let local = at.with_timezone(&chrono_tz::Asia::Almaty);
    let offset = local.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 3600, offset.abs() % 3600 / 60);
    let text = format!(
        "D:{}{sign}{hours:02}'{minutes:02}'",
        local.format("%Y%m%d%H%M%S")
    );
    Object::String(text.into_bytes(), StringFormat::Literal)
}

/// Serialises `pages` (A4) with `info`.
pub(crate) fn assemble(pages: Vec<Vec<Op>>, info: &Info<'_>) -> Result<Vec<u8>, PrintError> {
    let mut doc = PdfDocument::new(info.title);
    for weight in [Weight::Regular, Weight::Bold] {
        doc.resources
            .fonts
            .map
            .insert(font_id(weight), PdfFont::new(parsed(weight)?));
    }
    let pages = pages
        .into_iter()
        .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
        .collect();
    let doc = doc.with_pages(pages);
    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&options, &mut warnings);

    let mut dict = lopdf::Dictionary::new();
    dict.set("Title", text(info.title));
    dict.set("Author", text(AUTHOR));
    dict.set("Subject", text(info.subject));
    dict.set("Creator", text(CREATOR));
    dict.set("Producer", text(CREATOR));
    if let Some(at) = info.issued_at {
        dict.set("CreationDate", pdf_date(at));
        dict.set("ModDate", pdf_date(at));
    }
    dict.set("BranchDeskSeal", text(info.seal));
    dict.set("BranchDeskContent", text(info.content));
    let info_id = match lo.trailer.get(b"Info") {
        Ok(Object::Reference(id)) => *id,
        _ => lo.new_object_id(),
    };
    lo.objects.insert(info_id, Object::Dictionary(dict));
    lo.trailer.set("Info", Object::Reference(info_id));
    let file_id = domain::policy::sha256_hex(info.id.as_bytes()).as_bytes()[..32].to_vec();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(file_id.clone(), StringFormat::Literal),
            Object::String(file_id, StringFormat::Literal),
        ]),
    );
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|_| PrintError::Write)?;
    Ok(out)
}
