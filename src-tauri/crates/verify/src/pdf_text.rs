//! Reads one text entry of a PDF's dictionaries by its key, without parsing the whole file: the
//! key must occur exactly once, followed by a string (literal `( … )` or hex `< … >`), which is
//! decoded as a PDF text string (UTF-16BE with its byte-order mark, else bytes as Latin-1). One pass,
//! no recursion, bounded by the file: garbage gives `None`, never a panic or a hang.
//!
//! Used for the seal and content a Branch Desk printout carries; whether the file around them is
//! intact is decided by rebuilding it, not here.

/// Whether `key` occurs in `pdf` as a name (not followed by more name characters).
pub fn contains(pdf: &[u8], key: &[u8]) -> bool {
    occurrences(pdf, key).next().is_some()
}

fn occurrences<'a>(pdf: &'a [u8], key: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    pdf.windows(key.len().max(1))
        .enumerate()
        .filter(move |(_, w)| *w == key)
        .map(move |(i, _)| i + key.len())
        .filter(move |&end| pdf.get(end).is_none_or(|&b| !is_regular(b)))
}

/// A byte that continues a PDF name (not whitespace or a delimiter).
fn is_regular(b: u8) -> bool {
    !matches!(
        b,
        b'\0'
            | b'\t'
            | b'\n'
            | b'\x0c'
            | b'\r'
            | b' '
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

/// The text string after the one occurrence of `key`; `None` if the key is missing or doubled or
/// no string follows it.
pub fn entry(pdf: &[u8], key: &[u8]) -> Option<String> {
    let mut found = occurrences(pdf, key);
    let at = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let rest = &pdf[at..];
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let bytes = match rest[start] {
        b'(' => literal(&rest[start + 1..])?,
        b'<' => hex(&rest[start + 1..])?,
        _ => return None,
    };
    decode(&bytes)
}

/// A literal string's bytes, after its opening parenthesis.
fn literal(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        i += 1;
        match b {
            b'\\' => {
                let e = *s.get(i)?;
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut value = u32::from(e - b'0');
                        for _ in 0..2 {
                            match s.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((value & 0xff) as u8);
                    }
                    // A backslash at the end of a line continues the string on the next.
                    b'\r' => {
                        if s.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' if depth == 0 => return Some(out),
            b')' => {
                depth -= 1;
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    None
}

/// A hex string's bytes, after its `<`.
fn hex(s: &[u8]) -> Option<Vec<u8>> {
    let end = s.iter().position(|&b| b == b'>')?;
    let digits: Vec<u8> = s[..end]
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let value = |d: u8| (d as char).to_digit(16).map(|v| v as u8);
    // An odd count ends as if followed by 0 (ISO 32000-1, 7.3.4.3).
    digits
        .chunks(2)
        .map(|pair| Some(value(pair[0])? << 4 | pair.get(1).map_or(Some(0), |&d| value(d))?))
        .collect()
}

/// A PDF text string: UTF-16BE after `FE FF`, else one byte a character.
fn decode(bytes: &[u8]) -> Option<String> {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            if !rest.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = rest
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => Some(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_hex_strings_decode() {
        assert_eq!(
            entry(b"<< /K (a\\(b\\)c\\101\\\n d) >>", b"/K").as_deref(),
            Some("a(b)cA d")
        );
        assert_eq!(entry(b"/K(x(y)z)", b"/K").as_deref(), Some("x(y)z"));
        assert_eq!(
            entry(b"/K <FEFF 0416 0443>", b"/K").as_deref(),
            Some("Жу"),
            "UTF-16BE with its mark"
        );
        assert_eq!(entry(b"/K <414>", b"/K").as_deref(), Some("A@"));
    }

    #[test]
    fn missing_doubled_or_broken_entries_read_as_none() {
        assert_eq!(entry(b"/K (a) /K (b)", b"/K"), None, "doubled");
        assert_eq!(entry(b"/Key (a)", b"/K"), None, "another name");
        assert_eq!(entry(b"/K (unterminated", b"/K"), None);
        assert_eq!(entry(b"/K <41", b"/K"), None);
        assert_eq!(entry(b"/K <4G>", b"/K"), None);
        assert_eq!(entry(b"/K 12", b"/K"), None);
        assert_eq!(entry(b"/K (\\", b"/K"), None);
        assert_eq!(entry(b"/K <FEFF00>", b"/K"), None, "odd UTF-16");
        assert_eq!(entry(b"", b"/K"), None);
        assert!(contains(b"x/K ", b"/K") && !contains(b"/Kx", b"/K"));
    }
}
