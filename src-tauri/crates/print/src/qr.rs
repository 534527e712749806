//! The QR code printed on every issued document, as a square of dark and light modules that the
//! layout draws as vector rectangles (crisp at any printer resolution, no image codec needed).
//!
//! Sized for cheap printers and phone cameras: each module is [`MODULE_MM`] (0.85 mm, 2.7 pixels
//! on a page scanned or rendered at 80 dpi), with a quiet zone of [`QUIET`] modules on every side.
//! To keep a code of that module size on the page, error correction is level L (7 %): a seal's
//! 320-odd bytes then need version 12 (65 modules, 55 mm) instead of 13 at level M. The paper
//! stays checkable without the code: the check block prints every value it carries.

use qrcode::{EcLevel, QrCode};

use crate::PrintError;

/// A module's side in millimetres, and in points.
pub(crate) const MODULE_MM: f32 = 0.85;
pub(crate) const MODULE: f32 = MODULE_MM * 72.0 / 25.4;
/// The light margin the QR standard asks for around the code, in modules.
pub(crate) const QUIET: usize = 4;

/// A QR code's modules, row by row, and its width in modules (quiet zone not included).
pub(crate) struct Modules {
    pub dark: Vec<bool>,
    pub width: usize,
}

impl Modules {
    /// The side of the code with its quiet zone, in points.
    pub(crate) fn side_with_quiet_zone(&self) -> f32 {
        (self.width + 2 * QUIET) as f32 * MODULE
    }
}

/// Encodes `payload` with low error correction (see the module comment for why).
pub(crate) fn modules(payload: &str) -> Result<Modules, PrintError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::L)
        .map_err(|_| PrintError::TooLong)?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok(Modules { dark, width })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest seal payload: the `consent` kind, every field at its full length, in hex as
    /// a real seal has it (long runs of digits would encode more compactly).
    fn seal() -> String {
        let hex = |seed: &str| domain::policy::sha256_hex(seed.as_bytes());
        format!(
            "BD1|consent|{}|2026-11-26T05:00:00Z|{}|{}|{}{}",
            &hex("id")[..32],
            hex("content"),
            hex("key"),
            hex("signature, first half"),
            hex("signature, second half")
        )
    }

    #[test]
    fn a_seal_payload_fits_a_code_with_modules_readable_at_80_dpi() {
        let m = modules(&seal()).unwrap();
        assert_eq!(m.dark.len(), m.width * m.width);
        let pixels_at_80_dpi = MODULE_MM / 25.4 * 80.0;
        assert!(
            pixels_at_80_dpi >= 2.5,
            "a module must cover at least 2.5 px at 80 dpi to decode: {pixels_at_80_dpi:.2}"
        );
        assert_eq!(
            m.width, 65,
            "a seal is version 12 at level L (65 modules); a larger version would push the header"
        );
        let side_mm = m.side_with_quiet_zone() * 25.4 / 72.0;
        assert!(
            side_mm <= 63.0,
            "the code with its quiet zone fits the header band: {side_mm:.1} mm"
        );
    }
}
