//! Keyset paging shared by the client search and the application lists: a page of rows and an
//! opaque cursor (the sort key and id of the last row), so a page costs the same wherever it is.

/// One page of a list and where the next one starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Pass back as `after` for the next page; `None` on the last page.
    pub next: Option<String>,
}

const CURSOR_SEP: char = '\u{1f}';

/// A keyset cursor: the sort key and id of the last row of a page.
pub(crate) fn cursor(key: &str, id: &str) -> String {
    format!("{key}{CURSOR_SEP}{id}")
}

/// The sort key and id a cursor names, if it is one.
pub(crate) fn split_cursor(after: Option<&str>) -> Option<(String, String)> {
    after
        .and_then(|a| a.split_once(CURSOR_SEP))
        .map(|(k, i)| (k.to_owned(), i.to_owned()))
}

impl<T> Page<T> {
    /// A page from rows fetched one over `limit` (the extra row says another page follows); the
    /// cursor names the last row kept.
    pub(crate) fn from_rows(
        mut rows: Vec<T>,
        limit: i64,
        cursor_of: impl Fn(&T) -> String,
    ) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next = if more {
            rows.last().map(cursor_of)
        } else {
            None
        };
        Page { items: rows, next }
    }
}
