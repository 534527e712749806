//! Reads a policy text as published: paragraphs separated by blank lines, single line breaks kept,
//! `- ` list items, `**bold**` runs (which may span lines). A one-line paragraph that does not end
//! in punctuation is a section heading (`1. Персональная информация …`, `Обратная связь`); a
//! paragraph that is bold throughout is the title. Nothing else is interpreted, so the printed
//! words are exactly the published words.

use crate::layout::{Span, bold, plain};

/// A block of the policy.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Block {
    Title(String),
    Heading(String),
    Paragraph(Vec<Span>),
    Item(Vec<Span>),
}

/// Splits `text` into runs at `**`, toggling bold; `bold_at_start` carries a run open across
/// blocks' lines.
fn spans(text: &str, bold_on: &mut bool) -> Vec<Span> {
    let mut out = Vec::new();
    for (i, part) in text.split("**").enumerate() {
        if i > 0 {
            *bold_on = !*bold_on;
        }
        if part.is_empty() {
            continue;
        }
        out.push(if *bold_on { bold(part) } else { plain(part) });
    }
    out
}

fn without_markers(text: &str) -> String {
    text.replace("**", "")
}

fn is_heading(text: &str) -> bool {
    let t = without_markers(text);
    let t = t.trim();
    !t.contains('\n')
        && t.chars().count() <= 120
        && !t.ends_with(['.', ',', ';', ':', '!', '?', '»'])
        && !t.starts_with("- ")
}

/// The blocks of a policy text, in order.
pub(crate) fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for chunk in text.split("\n\n") {
        let chunk = chunk.trim_matches('\n');
        if chunk.trim().is_empty() {
            continue;
        }
        let plain_text = without_markers(chunk);
        if chunk.starts_with("**")
            && chunk.ends_with("**")
            && !chunk[2..chunk.len() - 2].contains("**")
        {
            out.push(Block::Title(plain_text.trim().to_owned()));
            continue;
        }
        if is_heading(chunk) {
            out.push(Block::Heading(plain_text.trim().to_owned()));
            continue;
        }
        let mut bold_on = false;
        let mut paragraph: Vec<Span> = Vec::new();
        for line in chunk.split('\n') {
            if let Some(item) = line.strip_prefix("- ") {
                if !paragraph.is_empty() {
                    out.push(Block::Paragraph(std::mem::take(&mut paragraph)));
                }
                out.push(Block::Item(spans(item, &mut bold_on)));
            } else {
                if !paragraph.is_empty() {
                    paragraph.push(plain("\n"));
                }
                paragraph.extend(spans(line, &mut bold_on));
            }
        }
        if !paragraph.is_empty() {
            out.push(Block::Paragraph(paragraph));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_policy_reads_as_title_headings_paragraphs_and_lists() {
        let v1 = &domain::policy::shipped()[0];
        let b = blocks(&v1.text);
        assert_eq!(
            b[0],
            Block::Title(
                "Политика конфиденциальности\nТОО «Микрофинансовая организация «SM INVEST»»".into()
            ),
            "the bold two-line opening is the title"
        );
        let headings: Vec<&str> = b
            .iter()
            .filter_map(|x| match x {
                Block::Heading(h) => Some(h.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings.len(),
            5,
            "four numbered sections and «Обратная связь»: {headings:?}"
        );
        assert!(headings[0].starts_with("1. Персональная информация"));
        assert_eq!(headings[4], "Обратная связь");
        let items = b.iter().filter(|x| matches!(x, Block::Item(_))).count();
        assert_eq!(items, 4 + 3 + 2, "every `- ` line is a list item");
        let bold_in_body = b.iter().any(|x| match x {
            Block::Paragraph(s) => s.iter().any(|s| {
                s.weight == crate::fonts::Weight::Bold && s.text.contains("связаться с нами")
            }),
            _ => false,
        });
        assert!(
            bold_in_body,
            "the bold run inside «1) При возникновении…» stays bold"
        );
    }

    #[test]
    fn every_word_of_the_text_is_kept() {
        let v1 = &domain::policy::shipped()[0];
        let mut words = Vec::new();
        for block in blocks(&v1.text) {
            let text = match block {
                Block::Title(t) | Block::Heading(t) => t,
                Block::Paragraph(s) | Block::Item(s) => s.iter().map(|s| s.text.as_str()).collect(),
            };
            words.extend(text.split_whitespace().map(str::to_owned));
        }
        let source: Vec<String> = without_markers(&v1.text)
            .split_whitespace()
            .filter(|w| *w != "-")
            .map(str::to_owned)
            .collect();
        assert_eq!(
            words, source,
            "the blocks hold the published words, in order, none added"
        );
    }
}
