//! Branch Desk's printed documents, as PDFs that print the same on every desk and can be checked
//! later: the privacy policy, the two consent forms (the privacy policy's purposes and
//! credit-bureau reports, [`ConsentForm`]), the loan offer ([`Offer`]) and the receipt for a
//! consent given or withdrawn ([`Receipt`]). A signature drawn on screen is also made into a PNG
//! here ([`signature_png`]), from its strokes.
//!
//! - `layout` is a small layout layer over printpdf (measured line breaking,
//!   pagination, headings, lists, tables with repeated headers, page numbers) on A4;
//! - the fonts (DejaVu Sans, regular and bold) are compiled in and embedded as subsets with a
//!   ToUnicode map, so `pdftotext` gives back the exact Russian and Kazakh text;
//! - every issued document carries a [`Seal`]: its id, issue time, and the desk's Ed25519
//!   signature over the SHA-256 of its canonical content, in a QR code and in the PDF's metadata;
//! - output is byte-identical for the same content and seal, in any process, so a verifier can
//!   re-render a document and compare;
//! - every page's footer carries the company's particulars ([`COMPANY`]: placeholders until head
//!   office confirms them), and every date and time printed is in Asia/Almaty.
//!
//! Signing and storing are not done here: the caller (the desk) hashes the [`Content`], signs
//! [`signing_message`] with the vault's desk key, and stores the bytes [`Document::render`] returns.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod company;
mod consent;
mod fonts;
mod frame;
mod layout;
mod markup;
mod offer;
mod party;
mod pdf;
mod policy;
mod qr;
mod receipt;
mod reprint;
mod seal;
mod signature;

use domain::policy::PolicyVersion;
use serde::Serialize;

pub use company::{COMPANY, Company};
pub use consent::ConsentForm;
pub use offer::Offer;
pub use party::ClientData;
pub use receipt::{LineState, Receipt, ReceiptEvidence, ReceiptLine};
pub use reprint::{ReprintError, reprint};
pub use seal::{Kind, Seal, SealText, issued_text, signing_message};
pub use signature::signature_png;

/// Why a document could not be printed. Nothing is stored when printing fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    /// The text holds a character the document's fonts cannot draw (it would print as a box).
    #[error("the character {0:?} cannot be printed with the document's fonts")]
    Unprintable(char),
    /// A single table row or seal is larger than a page or a QR code can hold.
    #[error("a part of the document is too long to print")]
    TooLong,
    /// A consent form, an offer or a receipt must be issued with a seal; only the policy has
    /// reference copies.
    #[error("this document can only be printed as an issued, signed document")]
    Unsealed,
    /// The compiled-in fonts could not be read (a broken build).
    #[error("the document fonts could not be loaded")]
    Font,
    /// The PDF could not be serialised.
    #[error("the PDF could not be written")]
    Write,
}

/// A document's canonical content: the JSON its seal's hash is taken over, and that hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    /// The document's content as compact JSON, tagged with its kind.
    pub json: String,
    /// SHA-256 of `json`, lower-case hex.
    pub sha256: String,
}

impl Content {
    fn of(value: &impl Serialize) -> Result<Content, PrintError> {
        // Serialising our own plain structs cannot fail; a failure would be a bug, reported typed.
        let json = serde_json::to_string(value).map_err(|_| PrintError::Write)?;
        let sha256 = domain::policy::sha256_hex(json.as_bytes());
        Ok(Content { json, sha256 })
    }
}

/// A document to print.
#[derive(Clone, Copy, Debug)]
pub enum Document<'a> {
    /// A version of the privacy policy.
    Policy(&'a PolicyVersion),
    /// A client's consent form: [`Kind::Consent`] for the privacy policy's purposes,
    /// [`Kind::BureauConsent`] for credit-bureau reports (by the form's scope).
    Consent(&'a ConsentForm),
    /// A loan offer.
    Offer(&'a Offer),
    /// The receipt for a consent given or withdrawn.
    Receipt(&'a Receipt),
}

impl Document<'_> {
    /// Which document this is (a consent form's kind follows its scope).
    pub fn kind(&self) -> Kind {
        match self {
            Document::Policy(_) => Kind::Policy,
            Document::Consent(f) => consent::kind(f),
            Document::Offer(_) => Kind::Offer,
            Document::Receipt(_) => Kind::Receipt,
        }
    }

    /// What the seal signs: the canonical content and its hash.
    pub fn content(&self) -> Result<Content, PrintError> {
        match self {
            Document::Policy(p) => policy::content(p),
            Document::Consent(f) => consent::content(f),
            Document::Offer(o) => offer::content(o),
            Document::Receipt(r) => receipt::content(r),
        }
    }

    /// The PDF. `seal` is the issued document's identity and signature; without one only the
    /// policy prints, as an unsigned reference copy.
    pub fn render(&self, seal: Option<&Seal>) -> Result<Vec<u8>, PrintError> {
        match (self, seal) {
            (Document::Policy(p), seal) => policy::render(p, seal),
            (Document::Consent(f), Some(seal)) => consent::render(f, seal),
            (Document::Offer(o), Some(seal)) => offer::render(o, seal),
            (Document::Receipt(r), Some(seal)) => receipt::render(r, seal),
            (_, None) => Err(PrintError::Unsealed),
        }
    }
}
