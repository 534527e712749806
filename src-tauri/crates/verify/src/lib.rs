//! Is this document what it says it is? Branch Desk's checks of the documents an officer meets:
//!
//! - [`mrz`]: an identity document's machine-readable zone (ICAO 9303 TD1 and TD3) read with
//!   every check digit; [`identity`]: the zone against the client's record (IIN, names through
//!   [`names`]' transliteration, birth date, sex, number, expiry) as a report of findings;
//! - [`ours`]: documents a Branch Desk printed, from the PDF (rebuilt and compared byte for byte)
//!   or the QR code's text, against the desk keys this desk knows ([`pdf_text`] reads their seal);
//! - [`signed`]: signed files from outside: PAdES PDFs ([`pades`]) and CMS files ([`cms`]),
//!   RSA, ECDSA and the Kazakh GOST algorithms ([`algorithm`], [`gost`]), certificate paths to the
//!   trust anchors head office configures ([`certificate`]), time-stamp tokens.
//!
//! No I/O and no clock: the caller passes today's date and the bytes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod algorithm;
pub mod certificate;
pub mod cms;
mod der_raw;
pub mod gost;
pub mod identity;
pub mod mrz;
pub mod names;
pub mod ours;
pub mod pades;
pub mod pdf_text;
pub mod signed;
