//! A signature drawn on the desk's screen, made visible from its strokes alone: as a PNG image to
//! keep beside the strokes ([`signature_png`]), and as vector pen strokes on a printed receipt.
//! Both are made here from the points, never taken from the window, so the picture is exactly
//! what the stored strokes say, and the same strokes always give the same bytes.
//!
//! The PNG is the pad's size in the pad's units, 8-bit greyscale, dark ink about 2.5 px wide on
//! white, each pixel's shade from its distance to the nearest stroke (a round brush along each
//! segment, edges softened by a pixel). Only plain `f64` arithmetic is used, which gives the same
//! results on every platform.

use domain::evidence::{DrawnSignature, Point};

use crate::layout::Sheet;

/// The largest side of the image, in pixels. A checked signature's pad is at most this large
/// ([`DrawnSignature::check`]); a larger pad is cut to it rather than allocating gigabytes.
const SIDE_MAX: u16 = 4000;
/// The brush's radius in pixels: lines about 2.5 px wide.
const RADIUS: f64 = 1.25;
/// The ink's grey level (0 black, 255 white).
const INK: u8 = 24;
const PAPER: u8 = 255;

/// The signature as a PNG: the strokes in dark ink on white, the pad's size (`width` × `height`,
/// at least 1 × 1, at most 4000 a side), 8-bit greyscale. Deterministic: the same strokes give
/// the same bytes. A stroke of one point is a dot; points off the pad are cut off at its edges.
pub fn signature_png(sig: &DrawnSignature) -> Vec<u8> {
    let width = sig.width.clamp(1, SIDE_MAX);
    let height = sig.height.clamp(1, SIDE_MAX);
    let mut canvas = Canvas::new(usize::from(width), usize::from(height));
    for stroke in &sig.strokes {
        match stroke.as_slice() {
            [] => {}
            [p] => canvas.segment(*p, *p),
            points => {
                for pair in points.windows(2) {
                    canvas.segment(pair[0], pair[1]);
                }
            }
        }
    }
    canvas.png()
}

/// An 8-bit greyscale image being drawn on.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![PAPER; width * height],
        }
    }

    /// Inks the pixels near the segment from `a` to `b` (a dot when they are the same point).
    /// Walks the segment along its longer axis and looks a few pixels either side of it, so the
    /// work is proportional to the segment's length, not to the area of its bounding box.
    fn segment(&mut self, a: Point, b: Point) {
        let (ax, ay) = (f64::from(a.0), f64::from(a.1));
        let (bx, by) = (f64::from(b.0), f64::from(b.1));
        let steep = (by - ay).abs() > (bx - ax).abs();
        // Work in (major, minor) coordinates: major is the axis the segment runs along more.
        let (a_major, a_minor, b_major, b_minor) = if steep {
            (ay, ax, by, bx)
        } else {
            (ax, ay, bx, by)
        };
        let reach = RADIUS + 1.0;
        let (lo, hi) = (a_major.min(b_major), a_major.max(b_major));
        let major_limit = if steep { self.height } else { self.width };
        let minor_limit = if steep { self.width } else { self.height };
        let first = (lo - reach).floor().max(0.0) as usize;
        let last = ((hi + reach).ceil() as usize).min(major_limit.saturating_sub(1));
        for major in first..=last {
            // The segment's minor coordinate at this column, held at the ends beyond them.
            let m = major as f64;
            let minor_at = if b_major == a_major {
                a_minor
            } else {
                let t = ((m - a_major) / (b_major - a_major)).clamp(0.0, 1.0);
                a_minor + t * (b_minor - a_minor)
            };
            let from = (minor_at - reach - 1.0).floor().max(0.0) as usize;
            let to = ((minor_at + reach + 1.0).ceil() as usize).min(minor_limit.saturating_sub(1));
            for minor in from..=to {
                let (x, y) = if steep {
                    (minor, major)
                } else {
                    (major, minor)
                };
                let d = distance((x as f64, y as f64), (ax, ay), (bx, by));
                self.ink(x, y, d);
            }
        }
    }

    /// Darkens pixel (`x`, `y`) by its distance `d` from a stroke's centre line: full ink within
    /// the brush less half a pixel, paper beyond it plus half a pixel, a shade in between.
    fn ink(&mut self, x: usize, y: usize, d: f64) {
        let cover = (RADIUS + 0.5 - d).clamp(0.0, 1.0);
        if cover <= 0.0 {
            return;
        }
        let shade = f64::from(PAPER) - cover * f64::from(PAPER - INK);
        let shade = shade.round() as u8;
        let pixel = &mut self.pixels[y * self.width + x];
        *pixel = (*pixel).min(shade);
    }

    fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // The sides are 1 to 4000 and the data is exactly width × height bytes, so encoding into
        // memory cannot fail; if the png crate ever did, that would be a bug in this function.
        encode(&mut out, self)
            .unwrap_or_else(|e| panic!("encoding a signature of valid size failed: {e}"));
        out
    }
}

fn encode(out: &mut Vec<u8>, canvas: &Canvas) -> Result<(), png::EncodingError> {
    let sides = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut encoder = png::Encoder::new(out, sides(canvas.width), sides(canvas.height));
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Default);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&canvas.pixels)?;
    writer.finish()
}

/// Distance from `p` to the segment from `a` to `b`.
fn distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0)
    };
    let (cx, cy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    (cx * cx + cy * cy).sqrt()
}

/// Draws `sig`'s strokes as pen strokes scaled into the box whose top-left corner is at (`x`,
/// `top`), `width` × `height` points, on the current page: the whole pad fits the box, its
/// proportions kept, centred; the pad's top is the box's top.
pub(crate) fn draw(
    sheet: &mut Sheet,
    sig: &DrawnSignature,
    x: f32,
    top: f32,
    width: f32,
    height: f32,
) {
    let (pad_w, pad_h) = (f32::from(sig.width.max(1)), f32::from(sig.height.max(1)));
    let scale = (width / pad_w).min(height / pad_h);
    let left = x + (width - pad_w * scale) / 2.0;
    let upper = top - (height - pad_h * scale) / 2.0;
    // Points off the pad are held at its edges, so nothing is drawn outside the box.
    let place = |p: &Point| {
        (
            left + f32::from(p.0).min(pad_w) * scale,
            upper - f32::from(p.1).min(pad_h) * scale,
        )
    };
    for stroke in &sig.strokes {
        let points: Vec<(f32, f32)> = stroke.iter().map(place).collect();
        sheet.pen_stroke(&points, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(strokes: Vec<Vec<Point>>) -> DrawnSignature {
        DrawnSignature {
            width: 300,
            height: 100,
            strokes,
        }
    }

    fn decode(png_bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let decoder = png::Decoder::new(png_bytes);
        let mut reader = decoder.read_info().expect("the output is a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("with one frame");
        buf.truncate(info.buffer_size());
        (info, buf)
    }

    #[test]
    fn a_pixel_on_a_line_is_dark_and_a_far_corner_is_white() {
        let s = sig(vec![
            vec![Point(20, 50, 0), Point(150, 50, 40), Point(280, 20, 80)],
            vec![Point(100, 80, 200)],
        ]);
        let (info, pixels) = decode(&signature_png(&s));
        assert_eq!((info.width, info.height), (300, 100), "the pad's size");
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        let at = |x: usize, y: usize| pixels[y * 300 + x];
        assert!(
            at(80, 50) < 64,
            "a pixel on the first segment is ink: {}",
            at(80, 50)
        );
        assert!(at(150, 50) < 64, "and on the joint: {}", at(150, 50));
        assert!(
            at(100, 80) < 64,
            "a one-point stroke is a dot: {}",
            at(100, 80)
        );
        assert_eq!(at(299, 99), 255, "the far corner is paper");
        assert_eq!(at(0, 0), 255, "and so is the near one");
        assert_eq!(at(80, 54), 255, "the line is about 2.5 px wide, not 8");
    }

    #[test]
    fn steep_lines_are_as_wide_as_flat_ones() {
        let s = sig(vec![vec![Point(150, 5, 0), Point(152, 95, 10)]]);
        let (_, pixels) = decode(&signature_png(&s));
        let row = &pixels[50 * 300..51 * 300];
        let dark = row.iter().filter(|&&p| p < 128).count();
        assert!(
            (2..=4).contains(&dark),
            "a near-vertical line crosses a row in 2 to 4 dark pixels: {dark}"
        );
    }

    #[test]
    fn an_empty_pad_is_a_white_pixel_and_points_off_the_pad_are_cut_off() {
        let empty = DrawnSignature {
            width: 0,
            height: 0,
            strokes: vec![vec![Point(5, 5, 0), Point(9, 9, 1)]],
        };
        let (info, pixels) = decode(&signature_png(&empty));
        assert_eq!((info.width, info.height), (1, 1), "at least one pixel");
        assert_eq!(pixels.len(), 1);
        let off = sig(vec![vec![Point(250, 50, 0), Point(900, 50, 10)]]);
        let (_, pixels) = decode(&signature_png(&off));
        assert!(pixels[50 * 300 + 299] < 64, "the line runs to the edge");
    }
}
