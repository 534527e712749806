//! The two faces every document is set in, DejaVu Sans and DejaVu Sans Bold, shipped in the repo
//! (fonts/, licence beside them) and compiled into the binary, so a desk prints the same glyphs
//! whatever fonts its OS has. Text is measured here from the faces' own advance widths: printpdf
//! draws runs but neither measures nor wraps them.

use std::sync::OnceLock;

use crate::PrintError;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Regular or bold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub(crate) fn bytes(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR,
            Weight::Bold => BOLD,
        }
    }
}

struct Face {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

fn face(weight: Weight) -> &'static Face {
    static FACES: OnceLock<[Face; 2]> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        [Weight::Regular, Weight::Bold].map(|w| {
            // The shipped fonts are parsed by this crate's tests; failing here is a broken build.
            let face = ttf_parser::Face::parse(w.bytes(), 0)
                .unwrap_or_else(|e| panic!("the shipped font {w:?} does not parse: {e}"));
            let units_per_em = f32::from(face.units_per_em());
            Face { face, units_per_em }
        })
    });
    match weight {
        Weight::Regular => &faces[0],
        Weight::Bold => &faces[1],
    }
}

/// Width of `text` set in `weight` at `size` points, in points.
pub(crate) fn width(text: &str, weight: Weight, size: f32) -> f32 {
    let f = face(weight);
    let units: u32 = text
        .chars()
        .map(|c| {
            f.face
                .glyph_index(c)
                .and_then(|g| f.face.glyph_hor_advance(g))
                .map_or(0, u32::from)
        })
        .sum();
    units as f32 * size / f.units_per_em
}

/// Refuses text the faces cannot draw (it would print as empty boxes and not extract). Line
/// breaks and tabs are layout, not glyphs.
pub(crate) fn check_printable(text: &str) -> Result<(), PrintError> {
    for c in text.chars() {
        if c == '\n' || c == '\t' {
            continue;
        }
        for w in [Weight::Regular, Weight::Bold] {
            if face(w).face.glyph_index(c).is_none() || c.is_control() {
                return Err(PrintError::Unprintable(c));
            }
        }
    }
    Ok(())
}

/// [`check_printable`] over several texts: the first one with an unprintable character refuses.
pub(crate) fn check_all<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<(), PrintError> {
    texts.into_iter().try_for_each(check_printable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_draw_russian_kazakh_and_the_tenge_sign() {
        let letters = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя\
                       ӘҒҚҢӨҰҮҺІәғқңөұүһі₸№«»—–…";
        assert_eq!(check_printable(letters), Ok(()));
    }

    #[test]
    fn text_outside_the_faces_is_refused_by_name() {
        assert_eq!(
            check_printable("Иванов 中"),
            Err(PrintError::Unprintable('中'))
        );
        assert_eq!(
            check_printable("a\u{7}b"),
            Err(PrintError::Unprintable('\u{7}'))
        );
    }

    #[test]
    fn widths_come_from_the_face_and_scale_with_size() {
        let w10 = width("Қарыз", Weight::Regular, 10.0);
        let w20 = width("Қарыз", Weight::Regular, 20.0);
        assert!(
            w10 > 20.0 && w10 < 40.0,
            "five letters at 10 pt are about 30 pt wide: {w10}"
        );
        assert!((w20 - 2.0 * w10).abs() < 1e-3, "width is linear in size");
        assert!(
            width("Қарыз", Weight::Bold, 10.0) > w10,
            "bold DejaVu is wider than regular"
        );
    }
}
