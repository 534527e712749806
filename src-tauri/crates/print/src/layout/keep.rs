//! Keeping things together across page breaks, so that no page holds only a fragment: a block
//! (a signature block, the check block, the consent's tick boxes with the signatures) moves whole
//! to the next page when it does not fit in the space left. A block that moves leaves the page
//! before it nearly full (it did not fit in what was left), so only a short closing block can end
//! up as a fragment, alone on the last page; then the end of the document carries the last pieces
//! of its flow (the last paragraphs of a policy) over to that page ([`Sheet::closing`]).
//!
//! Both work by drawing, looking at where the pages broke, and rolling back to a [`Mark`]: pages
//! and their operations are only ever appended, so truncating them restores the sheet exactly, and
//! layout is deterministic and cheap, so trying is simpler and more exact than measuring ahead.

use super::{BOTTOM, Sheet, TOP};
use crate::PrintError;

/// Less content than this on a page (about nine lines of body text) makes it a fragment, which
/// [`Sheet::closing`] avoids on any but a one-page document.
const MIN_FILL: f32 = (TOP - BOTTOM) / 6.0;

/// A piece of a document's flow, drawn onto the sheet; it may be drawn more than once while the
/// layout tries arrangements, so it must draw the same way each time.
pub(crate) type Piece<'a> = &'a dyn Fn(&mut Sheet) -> Result<(), PrintError>;

/// A point in the flow that drawing can be rolled back to.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Mark {
    pages: usize,
    ops: usize,
    y: f32,
}

impl Mark {
    /// Whether the flow was at the top of an empty page here.
    fn at_top(&self) -> bool {
        self.y >= TOP
    }
}

impl Sheet {
    /// The current point in the flow.
    fn mark(&self) -> Mark {
        Mark {
            pages: self.pages.len(),
            ops: self.pages.last().map_or(0, Vec::len),
            y: self.y,
        }
    }

    /// Undoes everything drawn since `mark`.
    fn rollback(&mut self, mark: Mark) {
        self.pages.truncate(mark.pages);
        self.filled_to.truncate(mark.pages.saturating_sub(1));
        self.ops().truncate(mark.ops);
        self.y = mark.y;
    }

    /// How many pages have been started since `mark` (0: still on the mark's page).
    fn pages_since(&self, mark: Mark) -> usize {
        self.pages.len().saturating_sub(mark.pages)
    }

    /// Whether a page from `mark`'s page on holds less than [`MIN_FILL`], in a document of more
    /// than one page.
    fn fragment_since(&self, mark: Mark) -> bool {
        if self.pages.len() < 2 {
            return false;
        }
        let first = mark.pages.saturating_sub(1);
        self.filled_to
            .iter()
            .chain([&self.y])
            .skip(first)
            .any(|lowest| TOP - lowest < MIN_FILL)
    }

    /// Draws `block` on one page: here if it fits in the space left, else at the top of the next
    /// page. A block longer than a whole page flows from here (blocks kept together inside it
    /// still are). Returns whether the block is on one page.
    pub(crate) fn keep_together(&mut self, block: Piece<'_>) -> Result<bool, PrintError> {
        let here = self.mark();
        block(self)?;
        if self.pages_since(here) == 0 || here.at_top() {
            return Ok(self.pages_since(here) == 0);
        }
        self.rollback(here);
        self.page_break();
        let top = self.mark();
        block(self)?;
        if self.pages_since(top) == 0 {
            return Ok(true);
        }
        // Longer than a page either way: better to flow on from where it was.
        self.rollback(here);
        block(self)?;
        Ok(false)
    }

    /// The end of a document: the pieces of `tail` in order, then `last` kept together. When that
    /// leaves a page (from here on) with less than a fragment's worth, the last pieces of the tail
    /// are carried over to `last`'s page, as few as will do; if no arrangement helps, the plain
    /// one is kept.
    pub(crate) fn closing(
        &mut self,
        tail: &[Piece<'_>],
        last: Piece<'_>,
    ) -> Result<(), PrintError> {
        let start = self.mark();
        for carried in 0..=tail.len() {
            let (flow, kept) = tail.split_at(tail.len() - carried);
            let whole = self.try_closing(flow, kept, last)?;
            if !self.fragment_since(start) {
                return Ok(());
            }
            self.rollback(start);
            if !whole {
                // The carried pieces and the block no longer fit one page: carrying more cannot help.
                break;
            }
        }
        self.try_closing(tail, &[], last)?;
        Ok(())
    }

    /// Draws `flow`, then `kept` and `last` kept together; whether those are on one page.
    fn try_closing(
        &mut self,
        flow: &[Piece<'_>],
        kept: &[Piece<'_>],
        last: Piece<'_>,
    ) -> Result<bool, PrintError> {
        for piece in flow {
            piece(self)?;
        }
        self.keep_together(&|s: &mut Sheet| {
            for piece in kept {
                piece(s)?;
            }
            last(s)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Align, BODY, plain};

    fn lines(n: usize) -> impl Fn(&mut Sheet) -> Result<(), PrintError> {
        move |s: &mut Sheet| {
            for i in 0..n {
                s.text(&[plain(format!("строка {i}"))], BODY, 0.0, Align::Left);
            }
            Ok(())
        }
    }

    /// Lines of body text that fill a page from the top, less `short` lines.
    fn page_less(short: usize) -> usize {
        let per_page = ((crate::layout::TOP - crate::layout::BOTTOM) / (BODY * 1.32)) as usize;
        per_page - short
    }

    #[test]
    fn a_block_that_does_not_fit_moves_whole_to_the_next_page() {
        let mut sheet = Sheet::new();
        lines(page_less(3))(&mut sheet).unwrap();
        let start = sheet.mark();
        let on_one = sheet.keep_together(&lines(10)).unwrap();
        assert!(on_one, "ten lines fit one page");
        assert_eq!(
            sheet.pages_since(start),
            1,
            "the block starts the next page instead of leaving three lines behind"
        );
    }

    #[test]
    fn a_block_longer_than_a_page_flows_from_where_it_is() {
        let mut sheet = Sheet::new();
        lines(5)(&mut sheet).unwrap();
        let start = sheet.mark();
        let on_one = sheet.keep_together(&lines(page_less(0) + 10)).unwrap();
        assert!(!on_one, "a block longer than a page cannot be kept on one");
        assert_eq!(
            sheet.pages_since(start),
            1,
            "it flows on from page 1 rather than leaving page 1 nearly empty"
        );
    }

    #[test]
    fn a_short_closing_block_takes_the_last_lines_with_it_instead_of_standing_alone() {
        let mut sheet = Sheet::new();
        // One-line pieces that leave room for one more line; a three-line closing block does not
        // fit after them, and alone on page 2 it would be a fragment.
        let one = lines(1);
        let tail: Vec<Piece<'_>> = vec![&one; page_less(1)];
        let start = sheet.mark();
        sheet.closing(&tail, &lines(3)).unwrap();
        assert!(
            !sheet.fragment_since(start),
            "no page is left with a fragment"
        );
        assert_eq!(
            sheet.pages_since(start),
            1,
            "two pages: the block and the lines carried with it make page 2"
        );
        let mut plain_flow = Sheet::new();
        let plain_start = plain_flow.mark();
        for piece in &tail {
            piece(&mut plain_flow).unwrap();
        }
        plain_flow.keep_together(&lines(3)).unwrap();
        assert!(
            plain_flow.fragment_since(plain_start),
            "without carrying, the block alone would be a fragment (the test's premise)"
        );
    }
}
