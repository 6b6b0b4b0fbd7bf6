//! Reading documents: units of each part, and the project's own sample documents read end to
//! end.

use super::*;

#[test]
fn runs_with_the_same_formatting_share_their_markers() {
    let bold = Style {
        bold: true,
        ..Style::default()
    };
    let mut inline = Inline::default();
    inline.push("Protect ", &Style::default());
    inline.push("individuals", &bold);
    inline.push(" and", &bold);
    inline.push(" *infrastructure*", &Style::default());
    assert_eq!(
        inline.take_markdown(),
        "Protect **individuals and** \\*infrastructure\\*"
    );
}

#[test]
fn list_items_next_to_each_other_make_one_tight_list() {
    use shared::draft::BlockKind::{Numbered, Other, Paragraph};
    let blocks = [
        (Paragraph, "States should:"),
        (Other, "- protect people;"),
        (Other, "  - online"),
        (Other, "- protect infrastructure."),
        (Paragraph, "And:"),
        (Numbered(1), "first"),
        (Other, "   1. nested"),
        (Other, "   2. again"),
        (Other, "| a | b |\n|---|---|"),
    ]
    .map(|(kind, text)| Block::new(kind, text));
    let tight: Vec<String> = tight_lists(blocks.to_vec())
        .into_iter()
        .map(|b| b.markdown)
        .collect();
    assert_eq!(
        tight,
        [
            "States should:",
            "- protect people;\n  - online\n- protect infrastructure.",
            "And:",
            "first",
            "   1. nested\n   2. again",
            "| a | b |\n|---|---|",
        ]
    );
}

#[test]
fn only_web_and_mail_links_are_kept() {
    let mut inline = Inline::default();
    let link = |l: &str| Style {
        link: Some(l.to_owned()),
        ..Style::default()
    };
    inline.push("site", &link("https://example.org/a b"));
    inline.push(" and ", &Style::default());
    inline.push("script", &link("javascript:alert(1)"));
    assert_eq!(
        inline.take_markdown(),
        "[site](<https://example.org/a b>) and script"
    );
}

#[test]
fn media_types_and_names_say_the_format() {
    assert_eq!(
        Format::from_media_type("text/markdown; charset=utf-8"),
        Some(Format::Markdown)
    );
    assert_eq!(Format::from_media_type("application/pdf"), None);
    assert_eq!(Format::from_file_name("Draft.DOCX"), Some(Format::Docx));
    assert_eq!(Format::from_file_name("draft"), None);
}

#[test]
fn text_that_is_not_what_it_says_is_refused() {
    assert_eq!(
        read(Format::Docx, b"# Just text").unwrap_err(),
        DocumentError::Mislabelled("DOCX")
    );
    assert_eq!(
        read(Format::Markdown, b"PK\x03\x04rest").unwrap_err(),
        DocumentError::Mislabelled("Markdown")
    );
    assert_eq!(
        read(Format::PlainText, &[0xff, 0xfe, 0x00]).unwrap_err(),
        DocumentError::NotUtf8
    );
    assert!(matches!(
        read(Format::Odt, b"PK\x03\x04 not really a zip").unwrap_err(),
        DocumentError::Corrupt { .. }
    ));
    assert_eq!(
        read(Format::Markdown, b" \n\n ").unwrap_err(),
        DocumentError::Empty
    );
}

/// The project's own sample documents (`tests/fixtures/`), read end to end.
mod fixtures {
    use super::super::*;
    use shared::draft::split;

    fn text(format: Format, bytes: &[u8]) -> shared::DraftText {
        let text = split(&read(format, bytes).expect("readable"));
        text.check().expect("a text that can be saved")
    }

    #[test]
    fn a_word_processors_docx_keeps_its_headings_lists_emphasis_links_and_table() {
        let text = text(
            Format::Docx,
            include_bytes!("../../../tests/fixtures/charter.docx"),
        );
        assert_eq!(
            text.clauses
                .iter()
                .map(|c| c.title.as_str())
                .collect::<Vec<_>>(),
            [
                "Access for everyone",
                "Privacy by default",
                "Accountable operators"
            ]
        );
        assert!(
            text.preamble_md
                .starts_with("# Charter for an Open and Secure Network")
        );
        assert!(
            text.preamble_md.contains("*governments*"),
            "{}",
            text.preamble_md
        );
        assert!(
            text.preamble_md.contains("**commit**"),
            "{}",
            text.preamble_md
        );
        assert!(
            text.preamble_md
                .contains("[every year](<https://example.org/charter/review>)"),
            "{}",
            text.preamble_md
        );
        assert!(
            text.clauses[0].body_md.contains("- Connections priced"),
            "{}",
            text.clauses[0].body_md
        );
        assert!(
            text.clauses[1].body_md.contains("| Civil society | 4 |"),
            "{}",
            text.clauses[1].body_md
        );
        assert!(
            text.clauses[2].body_md.contains("1. publish how")
                && text.clauses[2].body_md.contains("2. answer questions"),
            "{}",
            text.clauses[2].body_md
        );
    }

    #[test]
    fn an_odt_reads_as_the_same_text_as_the_docx() {
        let odt = text(
            Format::Odt,
            include_bytes!("../../../tests/fixtures/charter.odt"),
        );
        let docx = text(
            Format::Docx,
            include_bytes!("../../../tests/fixtures/charter.docx"),
        );
        assert_eq!(odt, docx);
    }

    #[test]
    fn a_markdown_declaration_splits_at_its_numbered_headings() {
        let text = text(
            Format::Markdown,
            include_bytes!("../../../tests/fixtures/declaration.md"),
        );
        assert_eq!(
            text.clauses
                .iter()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>(),
            [
                "protect-individuals",
                "protect-infrastructure",
                "defend-elections"
            ]
        );
        assert!(text.clauses[1].body_md.contains("- naming and addressing;"));
    }

    #[test]
    fn a_plain_text_charter_splits_at_its_articles() {
        let text = text(
            Format::PlainText,
            include_bytes!("../../../tests/fixtures/declaration.txt"),
        );
        assert_eq!(
            text.clauses
                .iter()
                .map(|c| c.title.as_str())
                .collect::<Vec<_>>(),
            ["Open membership", "Fair use", "Privacy"]
        );
        assert!(
            text.preamble_md
                .starts_with("CHARTER OF THE COMMUNITY NETWORK")
        );
        assert_eq!(
            text.clauses[1].body_md,
            "No member may use more of the shared capacity than the assembly allows.\nHeavy users are asked first, and limited only after a warning."
        );
    }
}
