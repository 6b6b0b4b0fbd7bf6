//! Plain text: paragraphs are separated by blank lines; what could read as Markdown formatting
//! is escaped, so the text reads as it was written.

use super::escape;
use shared::draft::{Block, BlockKind};

/// Reads plain text (line ends already `\n`) into paragraphs.
pub(super) fn read(text: &str) -> Vec<Block> {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(|line| escape(line.trim()))
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| Block::new(BlockKind::Paragraph, paragraph))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_separate_paragraphs_and_stars_stay_stars() {
        let blocks = read("Article 1\nEveryone *counts*.\n\n\n\n  Article 2  \n");
        assert_eq!(
            blocks,
            [
                Block::new(BlockKind::Paragraph, "Article 1\nEveryone \\*counts\\*."),
                Block::new(BlockKind::Paragraph, "Article 2"),
            ]
        );
    }
}
