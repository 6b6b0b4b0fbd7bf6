//! Markdown: each top-level block keeps its own source text, so the clauses read exactly as the
//! convener wrote them; headings and the items of a top-level numbered list are told apart.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use shared::draft::{Block, BlockKind};

/// Reads Markdown into blocks.
pub(super) fn read(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut depth = 0usize;
    // Within a top-level numbered list: the next item's number.
    let mut numbered: Option<u64> = None;
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        let text = source[range].trim();
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    match &tag {
                        Tag::Heading { level, .. } => {
                            blocks.push(Block::new(
                                BlockKind::Heading(heading_level(*level)),
                                heading_text(text),
                            ));
                        }
                        Tag::List(Some(start)) => numbered = Some(*start),
                        Tag::Paragraph => blocks.push(Block::new(BlockKind::Paragraph, text)),
                        Tag::List(None)
                        | Tag::BlockQuote(_)
                        | Tag::CodeBlock(_)
                        | Tag::Table(_)
                        | Tag::HtmlBlock => blocks.push(Block::new(BlockKind::Other, text)),
                        _ => {}
                    }
                } else if depth == 1
                    && let (Tag::Item, Some(n)) = (&tag, numbered.as_mut())
                {
                    blocks.push(Block::new(
                        BlockKind::Numbered(u32::try_from(*n).unwrap_or(u32::MAX)),
                        item_text(text),
                    ));
                    *n += 1;
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if depth == 0 && matches!(end, TagEnd::List(true)) {
                    numbered = None;
                }
            }
            _ => {}
        }
    }
    blocks
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A heading's text without its `#`s (ATX) or underline (setext).
fn heading_text(source: &str) -> String {
    if source.starts_with('#') {
        source
            .trim_start_matches('#')
            .trim()
            .trim_end_matches('#')
            .trim()
            .to_owned()
    } else {
        source.lines().next().unwrap_or_default().trim().to_owned()
    }
}

/// A numbered item's text without its number, its continuation lines dedented.
fn item_text(source: &str) -> String {
    let rest = source.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix(['.', ')']).unwrap_or(rest);
    let indent = source.len() - rest.trim_start().len();
    let mut lines = rest.trim_start().lines();
    let first = lines.next().unwrap_or_default().to_owned();
    let more = lines.map(|line| {
        let spaces = line.len() - line.trim_start().len();
        &line[spaces.min(indent)..]
    });
    std::iter::once(first.as_str())
        .chain(more)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_numbered_items_are_told_apart() {
        let blocks = read(
            "# Call\n\nWe *agree*.\n\n## 1. Protect\n\nText with a [link](https://example.org).\n\n\
             3. First item\n   goes on\n4. Second item\n\n- a bullet\n- another\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        let kinds: Vec<BlockKind> = blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading(1),
                BlockKind::Paragraph,
                BlockKind::Heading(2),
                BlockKind::Paragraph,
                BlockKind::Numbered(3),
                BlockKind::Numbered(4),
                BlockKind::Other,
                BlockKind::Other,
            ]
        );
        assert_eq!(blocks[2].markdown, "1. Protect");
        assert_eq!(
            blocks[3].markdown,
            "Text with a [link](https://example.org)."
        );
        assert_eq!(blocks[4].markdown, "First item\ngoes on");
        assert_eq!(blocks[6].markdown, "- a bullet\n- another");
        assert!(blocks[7].markdown.starts_with("| a | b |"));
    }
}
