//! The layout layer over printpdf: A4 pages with fixed margins, text measured from the fonts' own
//! advances, greedy line breaking (a word longer than the line is split by letters), paragraphs,
//! headings kept with what follows, bulleted lists, tick boxes, tables whose rows wrap and which
//! continue across pages under a repeated header, signature lines, and a footer (a notice such as
//! the company's particulars, and page numbers) added once the page count is known. Nothing is
//! ever drawn outside the margins: whatever does not fit goes to the next page. Blocks are kept
//! whole on one page by drawing, looking and rolling back (`keep`).

use printpdf::{
    Color, FontId, Greyscale, Line, LineCapStyle, LineJoinStyle, LinePoint, Op, PaintMode,
    PdfFontHandle, Point, Pt, Rect, TextItem, TextMatrix, WindingOrder,
};

use crate::PrintError;
use crate::fonts::{self, Weight};

mod keep;

pub(crate) use keep::Piece;

/// A4 in points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
/// 20 mm left and right, 18 mm top, 20 mm bottom (the footer sits in the bottom margin).
pub(crate) const LEFT: f32 = 56.69;
pub(crate) const RIGHT: f32 = PAGE_W - 56.69;
pub(crate) const TOP: f32 = PAGE_H - 51.02;
pub(crate) const BOTTOM: f32 = 56.69;
const FOOTER_BASELINE: f32 = 28.35;
pub(crate) const WIDTH: f32 = RIGHT - LEFT;
/// The footer's type size, and how many lines its notice may take above the page numbers (two
/// lines of 7.5 pt stay below the bottom margin).
pub(crate) const FOOTER_SIZE: f32 = BODY * 0.75;
pub(crate) const FOOTER_NOTICE_LINES: usize = 2;

/// Body text size and the line height factor.
pub(crate) const BODY: f32 = 10.0;
const LEADING: f32 = 1.32;
/// Cell padding in tables.
const PAD: f32 = 3.0;

/// The two fonts' resource ids. Fixed, not printpdf's generated ones, so the same input gives the
/// same bytes however many documents a process has made; the first six letters are the subset tag.
pub(crate) fn font_id(weight: Weight) -> FontId {
    FontId(match weight {
        Weight::Regular => "BDSANR".into(),
        Weight::Bold => "BDSANB".into(),
    })
}

/// A run of text in one weight.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Span {
    pub text: String,
    pub weight: Weight,
}

pub(crate) fn plain(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        weight: Weight::Regular,
    }
}

pub(crate) fn bold(text: impl Into<String>) -> Span {
    Span {
        text: text.into(),
        weight: Weight::Bold,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Center,
}

/// A table column: its share of the text width and how its cells align.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    pub share: f32,
    pub align: Align,
}

/// One laid-out line: pieces in order, each with its weight, and the total width.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LineRun {
    pub pieces: Vec<Span>,
    pub width: f32,
}

impl LineRun {
    fn push(&mut self, text: &str, weight: Weight, size: f32) {
        self.width += fonts::width(text, weight, size);
        match self.pieces.last_mut() {
            Some(last) if last.weight == weight => last.text.push_str(text),
            _ => self.pieces.push(Span {
                text: text.to_owned(),
                weight,
            }),
        }
    }

    fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
}

enum Token {
    Word(Vec<(char, Weight)>),
    Space(Weight),
    Break,
}

fn tokens(spans: &[Span]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word: Vec<(char, Weight)> = Vec::new();
    for span in spans {
        for c in span.text.chars() {
            match c {
                ' ' | '\t' => {
                    if !word.is_empty() {
                        out.push(Token::Word(std::mem::take(&mut word)));
                    }
                    out.push(Token::Space(span.weight));
                }
                '\n' => {
                    if !word.is_empty() {
                        out.push(Token::Word(std::mem::take(&mut word)));
                    }
                    out.push(Token::Break);
                }
                _ => word.push((c, span.weight)),
            }
        }
    }
    if !word.is_empty() {
        out.push(Token::Word(word));
    }
    out
}

fn word_width(word: &[(char, Weight)], size: f32) -> f32 {
    word.iter()
        .map(|(c, w)| fonts::width(c.encode_utf8(&mut [0; 4]), *w, size))
        .sum()
}

/// Breaks `spans` into lines no wider than `max` points at `size`: greedy, on spaces; `\n` forces
/// a break; a word wider than a whole line is split between letters.
pub(crate) fn wrap(spans: &[Span], size: f32, max: f32) -> Vec<LineRun> {
    let mut lines = Vec::new();
    let mut line = LineRun::default();
    let mut pending_space: Option<Weight> = None;
    for token in tokens(spans) {
        match token {
            Token::Break => {
                lines.push(std::mem::take(&mut line));
                pending_space = None;
            }
            Token::Space(w) => {
                if !line.is_empty() {
                    pending_space = Some(w);
                }
            }
            Token::Word(word) => {
                let ww = word_width(&word, size);
                let space = pending_space.map_or(0.0, |w| fonts::width(" ", w, size));
                if !line.is_empty() && line.width + space + ww > max {
                    lines.push(std::mem::take(&mut line));
                    pending_space = None;
                }
                if let Some(w) = pending_space.take() {
                    line.push(" ", w, size);
                }
                for (c, w) in word {
                    let s = c.encode_utf8(&mut [0; 4]).to_owned();
                    let cw = fonts::width(&s, w, size);
                    if !line.is_empty() && line.width + cw > max && ww > max {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push(&s, w, size);
                }
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn line_height(size: f32) -> f32 {
    size * LEADING
}

/// Distance from the top of a line box to its baseline.
fn ascent(size: f32) -> f32 {
    size * 0.98
}

/// A rectangle with its lower-left corner at (`x`, `y`), filled or stroked.
fn rect(x: f32, y: f32, width: f32, height: f32, mode: PaintMode) -> Op {
    Op::DrawRectangle {
        rectangle: Rect {
            x: Pt(x),
            y: Pt(y),
            width: Pt(width),
            height: Pt(height),
            mode: Some(mode),
            winding_order: Some(WindingOrder::NonZero),
        },
    }
}

/// Pages being filled, top to bottom.
pub(crate) struct Sheet {
    pages: Vec<Vec<Op>>,
    /// How far down each finished page was filled (its lowest free `y`); one per page but the last.
    filled_to: Vec<f32>,
    /// The top of the free space on the current page, in points from the bottom edge.
    y: f32,
}

impl Sheet {
    pub(crate) fn new() -> Sheet {
        Sheet {
            pages: vec![Vec::new()],
            filled_to: Vec::new(),
            y: TOP,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        // `pages` is never empty: `new` makes the first page and pages are only added.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page.
    pub(crate) fn page_break(&mut self) {
        self.filled_to.push(self.y);
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub(crate) fn need(&mut self, height: f32) {
        if self.y - height < BOTTOM && self.y < TOP {
            self.page_break();
        }
    }

    /// Vertical space; at the foot of a page it just ends the page (the next line starts the
    /// next one), so a gap never makes an empty page, and at the top of a page there is none.
    pub(crate) fn space(&mut self, pt: f32) {
        if self.y < TOP {
            self.y = (self.y - pt).max(BOTTOM);
        }
    }

    /// The free height left on this page.
    pub(crate) fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// Takes `height` points of the flow (on the next page unless they fit on this one) for
    /// drawing at fixed positions, and returns the top of that space.
    pub(crate) fn reserve(&mut self, height: f32) -> f32 {
        self.need(height);
        let top = self.y;
        self.y = (self.y - height).max(BOTTOM);
        top
    }

    /// Draws one laid-out line with its baseline at `baseline`, starting at `x`.
    fn draw_line(&mut self, run: &LineRun, x: f32, baseline: f32, size: f32) {
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        let mut pen = x;
        for piece in &run.pieces {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(font_id(piece.weight)),
                size: Pt(size),
            });
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(pen), Pt(baseline)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(piece.text.clone())],
            });
            pen += fonts::width(&piece.text, piece.weight, size);
        }
        ops.push(Op::EndTextSection);
    }

    fn aligned_x(run: &LineRun, left: f32, width: f32, align: Align) -> f32 {
        match align {
            Align::Left => left,
            Align::Right => left + (width - run.width).max(0.0),
            Align::Center => left + ((width - run.width) / 2.0).max(0.0),
        }
    }

    /// A block of text between `indent` and the right margin, line by line across pages.
    pub(crate) fn text(&mut self, spans: &[Span], size: f32, indent: f32, align: Align) {
        let width = WIDTH - indent;
        for run in wrap(spans, size, width) {
            self.need(line_height(size));
            let baseline = self.y - ascent(size);
            let x = Self::aligned_x(&run, LEFT + indent, width, align);
            self.draw_line(&run, x, baseline, size);
            self.y -= line_height(size);
        }
    }

    /// A paragraph of body text followed by a gap.
    pub(crate) fn paragraph(&mut self, spans: &[Span]) {
        self.text(spans, BODY, 0.0, Align::Left);
        self.space(BODY * 0.5);
    }

    /// A heading, never left alone at the bottom of a page: it moves to the next page unless it
    /// and two lines of what follows fit.
    pub(crate) fn heading(&mut self, text: &str, size: f32) {
        let lines = wrap(&[bold(text)], size, WIDTH).len() as f32;
        self.space(size * 0.4);
        self.need(lines * line_height(size) + 2.0 * line_height(BODY));
        self.text(&[bold(text)], size, 0.0, Align::Left);
        self.space(size * 0.3);
    }

    /// A bulleted list item: the bullet hangs in the indent, wrapped lines align with the text.
    pub(crate) fn bullet(&mut self, spans: &[Span]) {
        let indent = 14.0;
        let lines = wrap(spans, BODY, WIDTH - indent);
        for (i, run) in lines.iter().enumerate() {
            self.need(line_height(BODY));
            let baseline = self.y - ascent(BODY);
            if i == 0 {
                let mut dot = LineRun::default();
                dot.push("•", Weight::Regular, BODY);
                self.draw_line(&dot, LEFT + 4.0, baseline, BODY);
            }
            self.draw_line(run, LEFT + indent, baseline, BODY);
            self.y -= line_height(BODY);
        }
        self.space(BODY * 0.25);
    }

    /// An empty box to tick by hand, with its label wrapped beside it.
    pub(crate) fn tick_box(&mut self, spans: &[Span]) {
        let indent = 20.0;
        let lines = wrap(spans, BODY, WIDTH - indent);
        for (i, run) in lines.iter().enumerate() {
            self.need(line_height(BODY));
            let baseline = self.y - ascent(BODY);
            if i == 0 {
                self.ops().push(Op::SetOutlineThickness { pt: Pt(0.8) });
                self.stroke_rect(LEFT + 2.0, baseline - 1.5, BODY, BODY);
            }
            self.draw_line(run, LEFT + indent, baseline, BODY);
            self.y -= line_height(BODY);
        }
        self.space(BODY * 0.6);
    }

    fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.ops().push(rect(x, y, w, h, PaintMode::Stroke));
    }

    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, grey: f32) {
        let ops = self.ops();
        ops.push(Op::SetFillColor {
            col: Color::Greyscale(Greyscale {
                percent: grey,
                icc_profile: None,
            }),
        });
        ops.push(rect(x, y, w, h, PaintMode::Fill));
        ops.push(Op::SetFillColor {
            col: Color::Greyscale(Greyscale {
                percent: 0.0,
                icc_profile: None,
            }),
        });
    }

    fn hline(&mut self, x0: f32, x1: f32, y: f32, thickness: f32) {
        let ops = self.ops();
        ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point {
                            x: Pt(x0),
                            y: Pt(y),
                        },
                        bezier: false,
                    },
                    LinePoint {
                        p: Point {
                            x: Pt(x1),
                            y: Pt(y),
                        },
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }

    /// A table: rows wrap inside their cells, a row never splits, and a table that continues on
    /// the next page repeats its header there. Cells are plain text; the header is bold on grey.
    pub(crate) fn table(
        &mut self,
        columns: &[Column],
        header: &[&str],
        rows: &[Vec<String>],
        size: f32,
    ) -> Result<(), PrintError> {
        let widths: Vec<f32> = columns.iter().map(|c| c.share * WIDTH).collect();
        let lay = |cells: &[Span]| -> (Vec<Vec<LineRun>>, f32) {
            let laid: Vec<Vec<LineRun>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, w)| wrap(std::slice::from_ref(cell), size, w - 2.0 * PAD))
                .collect();
            let lines = laid.iter().map(Vec::len).max().unwrap_or(1) as f32;
            (laid, lines * line_height(size) + 2.0 * PAD)
        };
        let head_cells: Vec<Span> = header.iter().map(|h| bold(*h)).collect();
        let (head, head_h) = lay(&head_cells);
        let full_page = TOP - BOTTOM;
        let mut draw_header = true;
        for row in rows {
            let cells: Vec<Span> = row.iter().map(|t| plain(t.as_str())).collect();
            let (laid, h) = lay(&cells);
            if h + head_h > full_page {
                return Err(PrintError::TooLong);
            }
            if self.room() < h + if draw_header { head_h } else { 0.0 } {
                self.page_break();
                draw_header = true;
            }
            if draw_header {
                if !header.is_empty() {
                    self.table_row(columns, &widths, &head, head_h, size, Some(0.88));
                }
                draw_header = false;
            }
            self.table_row(columns, &widths, &laid, h, size, None);
        }
        self.space(BODY * 0.6);
        Ok(())
    }

    /// A two-column table of labels and values without a header, the columns taking `shares` of
    /// the text width.
    pub(crate) fn facts(
        &mut self,
        rows: &[Vec<String>],
        shares: [f32; 2],
        size: f32,
    ) -> Result<(), PrintError> {
        let columns = shares.map(|share| Column {
            share,
            align: Align::Left,
        });
        self.table(&columns, &[], rows, size)
    }

    fn table_row(
        &mut self,
        columns: &[Column],
        widths: &[f32],
        cells: &[Vec<LineRun>],
        height: f32,
        size: f32,
        fill: Option<f32>,
    ) {
        let top = self.y;
        let mut x = LEFT;
        for ((column, w), lines) in columns.iter().zip(widths).zip(cells) {
            if let Some(grey) = fill {
                self.fill_rect(x, top - height, *w, height, grey);
            }
            self.ops().push(Op::SetOutlineThickness { pt: Pt(0.4) });
            self.stroke_rect(x, top - height, *w, height);
            let mut line_top = top - PAD;
            for run in lines {
                let lx = Self::aligned_x(run, x + PAD, w - 2.0 * PAD, column.align);
                self.draw_line(run, lx, line_top - ascent(size), size);
                line_top -= line_height(size);
            }
            x += w;
        }
        self.y = top - height;
    }

    /// A signature line: a caption, a ruled space for the signature with a hint under it, and the
    /// printed name.
    pub(crate) fn signature(&mut self, caption: &str, name: &str, hint: &str) {
        let block = line_height(BODY) * 2.0 + 34.0;
        self.need(block);
        self.text(&[bold(caption)], BODY, 0.0, Align::Left);
        self.y -= 22.0;
        let line_y = self.y;
        self.hline(LEFT, LEFT + 200.0, line_y, 0.6);
        self.hline(LEFT + 230.0, RIGHT, line_y, 0.6);
        self.y -= 2.0;
        let small = BODY * 0.8;
        let mut hint_run = LineRun::default();
        hint_run.push(hint, Weight::Regular, small);
        let baseline = self.y - ascent(small);
        self.draw_line(&hint_run, LEFT, baseline, small);
        let mut name_run = LineRun::default();
        name_run.push(name, Weight::Regular, small);
        self.draw_line(&name_run, LEFT + 230.0, baseline, small);
        self.y -= line_height(small) + 8.0;
    }

    /// A thin frame around a box with its lower-left corner at (`x`, `y`), at a fixed place on
    /// the current page.
    pub(crate) fn outline(&mut self, x: f32, y: f32, width: f32, height: f32, thickness: f32) {
        self.ops()
            .push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.stroke_rect(x, y, width, height);
    }

    /// A pen stroke through `points` (page coordinates) on the current page, `thickness` points
    /// wide with round ends and joins; a stroke of one point is a dot of that width. The round
    /// style is set inside a saved graphics state, so nothing drawn after it changes.
    pub(crate) fn pen_stroke(&mut self, points: &[(f32, f32)], thickness: f32) {
        let ops = self.ops();
        match points {
            [] => {}
            [(x, y)] => {
                let half = thickness / 2.0;
                ops.push(rect(
                    x - half,
                    y - half,
                    thickness,
                    thickness,
                    PaintMode::Fill,
                ));
            }
            _ => {
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
                ops.push(Op::SetLineCapStyle {
                    cap: LineCapStyle::Round,
                });
                ops.push(Op::SetLineJoinStyle {
                    join: LineJoinStyle::Round,
                });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: points
                            .iter()
                            .map(|&(x, y)| LinePoint {
                                p: Point { x: Pt(x), y: Pt(y) },
                                bezier: false,
                            })
                            .collect(),
                        is_closed: false,
                    },
                });
                ops.push(Op::RestoreGraphicsState);
            }
        }
    }

    /// Draws `modules` (a square of dark/light cells, `width` to a row), each `cell` points
    /// square, with the top-left corner at (`x`, `top`) on the current page. Each run of dark
    /// modules in a row is one rectangle: no hairline seams between neighbours when a viewer
    /// anti-aliases, and fewer operations.
    pub(crate) fn qr(&mut self, modules: &[bool], width: usize, x: f32, top: f32, cell: f32) {
        let ops = self.ops();
        for (row, line) in modules.chunks(width.max(1)).enumerate() {
            let mut col = 0;
            while col < line.len() {
                if !line[col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < line.len() && line[col] {
                    col += 1;
                }
                ops.push(rect(
                    x + start as f32 * cell,
                    top - (row + 1) as f32 * cell,
                    (col - start) as f32 * cell,
                    cell,
                    PaintMode::Fill,
                ));
            }
        }
    }

    /// The height `spans` take as text of `size` wrapped to `width`.
    pub(crate) fn text_height(spans: &[Span], size: f32, width: f32) -> f32 {
        wrap(spans, size, width).len() as f32 * line_height(size)
    }

    /// Text at a fixed place, outside the flow (the header, the text beside the QR code).
    pub(crate) fn text_at(
        &mut self,
        spans: &[Span],
        size: f32,
        x: f32,
        top: f32,
        width: f32,
    ) -> f32 {
        let mut y = top;
        for run in wrap(spans, size, width) {
            self.draw_line(&run, x, y - ascent(size), size);
            y -= line_height(size);
        }
        top - y
    }

    /// Moves the flow below `y` (after a fixed-position band).
    pub(crate) fn below(&mut self, y: f32) {
        self.y = self.y.min(y);
    }

    /// Finishes the document: adds each page's footer, centred in the bottom margin: `notice`
    /// (at most [`FOOTER_NOTICE_LINES`] lines, else [`PrintError::TooLong`]) above the line
    /// `footer(page, pages)`, and returns the pages' operations.
    pub(crate) fn finish(
        mut self,
        notice: &str,
        footer: impl Fn(usize, usize) -> String,
    ) -> Result<Vec<Vec<Op>>, PrintError> {
        let size = FOOTER_SIZE;
        let notice = match notice {
            "" => Vec::new(),
            text => wrap(&[plain(text)], size, WIDTH),
        };
        if notice.len() > FOOTER_NOTICE_LINES {
            return Err(PrintError::TooLong);
        }
        let total = self.pages.len();
        for n in 0..total {
            let mut run = LineRun::default();
            run.push(&footer(n + 1, total), Weight::Regular, size);
            let mut lines = notice.clone();
            lines.push(run);
            let page = std::mem::take(&mut self.pages[n]);
            let mut footer_sheet = Sheet {
                pages: vec![page],
                filled_to: Vec::new(),
                y: TOP,
            };
            let mut baseline = FOOTER_BASELINE + (lines.len() - 1) as f32 * line_height(size);
            for line in &lines {
                let x = Self::aligned_x(line, LEFT, WIDTH, Align::Center);
                footer_sheet.draw_line(line, x, baseline, size);
                baseline -= line_height(size);
            }
            self.pages[n] = footer_sheet.pages.remove(0);
        }
        Ok(self.pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[LineRun]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.pieces.iter().map(|p| p.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn wrapping_keeps_every_word_in_order_and_every_line_inside_the_width() {
        let text = "Қарыз алушы микрокредит шарты бойынша төлемдерді уақытында төлеуге міндетті. \
                    Заемщик обязан вносить платежи в срок.";
        for max in [120.0, 250.0, 500.0] {
            let lines = wrap(&[plain(text)], BODY, max);
            assert!(
                lines.iter().all(|l| l.width <= max + 1e-3),
                "a line is wider than {max} pt: {:?}",
                lines.iter().map(|l| l.width).collect::<Vec<_>>()
            );
            assert_eq!(
                texts(&lines).join(" "),
                text,
                "rejoining the lines with spaces gives the text back at {max} pt"
            );
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_split_between_letters() {
        let word = "ОченьДлинноеСловоБезПробеловКотороеНеВлезаетВСтроку";
        let lines = wrap(&[plain(word)], BODY, 80.0);
        assert!(lines.len() > 2, "the word needs several lines");
        assert!(lines.iter().all(|l| l.width <= 80.0 + 1e-3));
        assert_eq!(texts(&lines).concat(), word);
    }

    #[test]
    fn bold_runs_keep_their_weight_across_a_break_and_newlines_force_one() {
        let lines = wrap(
            &[plain("обычный текст "), bold("жирный текст\nновая строка")],
            BODY,
            1000.0,
        );
        assert_eq!(
            texts(&lines),
            ["обычный текст жирный текст", "новая строка"]
        );
        assert_eq!(
            lines[0].pieces.len(),
            2,
            "one regular piece, one bold piece"
        );
        assert_eq!(lines[0].pieces[1].weight, Weight::Bold);
        assert_eq!(lines[1].pieces[0].weight, Weight::Bold);
    }

    #[test]
    fn a_table_longer_than_a_page_continues_with_its_header_repeated() {
        let mut sheet = Sheet::new();
        let rows: Vec<Vec<String>> = (1..=120)
            .map(|i| vec![i.to_string(), format!("строка {i}")])
            .collect();
        let cols = [
            Column {
                share: 0.2,
                align: Align::Right,
            },
            Column {
                share: 0.8,
                align: Align::Left,
            },
        ];
        sheet.table(&cols, &["№", "Текст"], &rows, 9.0).unwrap();
        let pages = sheet.finish("", |n, m| format!("{n}/{m}")).unwrap();
        assert!(
            pages.len() >= 3,
            "120 rows take several pages, got {}",
            pages.len()
        );
        for (i, ops) in pages.iter().enumerate() {
            let shows: Vec<&str> = ops
                .iter()
                .filter_map(|op| match op {
                    Op::ShowText { items } => match &items[0] {
                        TextItem::Text(t) => Some(t.as_str()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            assert!(
                shows.contains(&"Текст"),
                "page {} repeats the table header",
                i + 1
            );
        }
    }
}
