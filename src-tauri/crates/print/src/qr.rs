//! The QR code printed on every issued document, as a square of dark and light modules that the
//! layout draws as vector squares (crisp at any printer resolution, no image codec needed).

use qrcode::{EcLevel, QrCode};

use crate::PrintError;

/// A QR code's modules, row by row, and its width in modules (quiet zone not included).
pub(crate) struct Modules {
    pub dark: Vec<bool>,
    pub width: usize,
}

/// Encodes `payload` with medium error correction (a smudged or folded corner still scans).
pub(crate) fn modules(payload: &str) -> Result<Modules, PrintError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
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

    #[test]
    fn a_seal_payload_fits_a_printable_code() {
        let payload = "BD1|offer|0123456789abcdef0123456789abcdef|2026-11-26T05:00:00Z|\
                       0000000000000000000000000000000000000000000000000000000000000000|\
                       1111111111111111111111111111111111111111111111111111111111111111|\
                       22222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222";
        let m = modules(payload).unwrap();
        assert_eq!(m.dark.len(), m.width * m.width);
        assert!(
            m.width <= 81,
            "at most version 16, so 28 mm gives ≥ 0.35 mm modules: {}",
            m.width
        );
    }
}
