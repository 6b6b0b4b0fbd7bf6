//! Markdown reaches browsers as HTML rendered by pulldown-cmark and cleaned by ammonia (no
//! scripts, no event handlers, no `javascript:` links, no images — an image from another site
//! would leak its readers' addresses — and links marked `rel="nofollow noopener noreferrer"`).
//! Clause bodies are written by conveners and may hold simple HTML; comments may hold none: any
//! HTML in a comment is shown as the text it is.
//!
//! A clause's *words* are what passages are counted in: runs of non-space characters of its
//! text as a reader sees it (markup aside), which [`words`] lists and [`render_clause`] can
//! mark with `<mark>`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use shared::redline::{RedlineSegment, Style, Token};
use std::ops::Range;

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    )
}

/// Renders events to HTML that is safe to insert into a page.
fn clean<'a>(events: impl Iterator<Item = Event<'a>>, size_hint: usize) -> String {
    let mut unsafe_html = String::with_capacity(size_hint * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default()
        .rm_tags(&["img"])
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_schemes(["https", "http", "mailto"].into())
        .clean(&unsafe_html)
        .to_string()
}

/// Renders a clause body (Markdown, simple HTML allowed) to safe HTML.
pub fn render(markdown: &str) -> String {
    clean(parser(markdown), markdown.len())
}

/// Renders a comment: Markdown without any raw HTML, which shows as text.
pub fn render_comment(markdown: &str) -> String {
    let events = parser(markdown).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    clean(events, markdown.len())
}

/// Walks the text of rendered Markdown word by word: calls `word` with each piece of text and
/// the index of the word it belongs to (`None` for spaces between words). A word split by
/// inline markup (`a*b*c`) is one word; a block or a line break ends a word.
struct WordWalk {
    next: usize,
    in_word: bool,
}

impl WordWalk {
    fn new() -> Self {
        Self {
            next: 0,
            in_word: false,
        }
    }

    fn brk(&mut self) {
        self.in_word = false;
    }

    /// Splits `text` into pieces, each with its word index or `None` for white space.
    fn pieces<'t>(&mut self, text: &'t str) -> Vec<(&'t str, Option<usize>)> {
        runs(text)
            .map(|(piece, space)| {
                if space {
                    self.in_word = false;
                    (piece, None)
                } else {
                    if !self.in_word {
                        self.next += 1;
                        self.in_word = true;
                    }
                    (piece, Some(self.next - 1))
                }
            })
            .collect()
    }

    /// Whether `event` ends the current word without carrying text.
    fn breaks(event: &Event<'_>) -> bool {
        match event {
            Event::SoftBreak | Event::HardBreak | Event::Rule => true,
            Event::Start(tag) => !matches!(
                tag,
                Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. }
            ),
            Event::End(tag) => !matches!(
                tag,
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link
            ),
            _ => false,
        }
    }
}

/// The words of a clause body, in reading order.
pub fn words(markdown: &str) -> Vec<String> {
    let mut walk = WordWalk::new();
    let mut words: Vec<String> = Vec::new();
    for event in parser(markdown) {
        match &event {
            Event::Text(text) | Event::Code(text) => {
                for (piece, index) in walk.pieces(text) {
                    match index {
                        Some(i) if i < words.len() => words[i].push_str(piece),
                        Some(_) => words.push(piece.to_owned()),
                        None => {}
                    }
                }
            }
            event if WordWalk::breaks(event) => walk.brk(),
            _ => {}
        }
    }
    words
}

/// The text of a clause body as a reader sees it, for a redline (`shared::redline`): its words
/// and the spaces between them with their emphasis, a line break between blocks; markup and
/// raw HTML aside.
pub fn styled_words(markdown: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut style = Style::default();
    let line_break = |tokens: &mut Vec<Token>| {
        if tokens.last().is_some_and(|t| t.text != "\n") {
            tokens.push(Token::new("\n", Style::default()));
        }
    };
    for event in parser(markdown) {
        match event {
            Event::Start(Tag::Strong) => style.strong = true,
            Event::End(TagEnd::Strong) => style.strong = false,
            Event::Start(Tag::Emphasis) => style.emphasis = true,
            Event::End(TagEnd::Emphasis) => style.emphasis = false,
            Event::Text(text) => push_words(&mut tokens, &text, style),
            Event::Code(text) => push_words(
                &mut tokens,
                &text,
                Style {
                    code: true,
                    ..style
                },
            ),
            Event::SoftBreak => push_words(&mut tokens, " ", style),
            Event::HardBreak | Event::Rule => line_break(&mut tokens),
            Event::End(tag) if WordWalk::breaks(&Event::End(tag)) => line_break(&mut tokens),
            _ => {}
        }
    }
    while tokens.last().is_some_and(|t| t.text == "\n") {
        tokens.pop();
    }
    tokens
}

/// Adds `text` to `tokens` as words, runs of punctuation and runs of space, in `style`: a word
/// whose full stop became a comma keeps the word.
fn push_words(tokens: &mut Vec<Token>, text: &str, style: Style) {
    for (piece, _) in runs(text) {
        let mut rest = piece;
        while let Some(first) = rest.chars().next() {
            let letter = first.is_alphanumeric();
            let len = rest
                .find(|c: char| c.is_alphanumeric() != letter)
                .unwrap_or(rest.len());
            let (part, tail) = rest.split_at(len);
            tokens.push(Token::new(part, style));
            rest = tail;
        }
    }
}

/// `text` as runs of white space and of anything else, each with whether it is space.
fn runs(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let space = rest.chars().next()?.is_whitespace();
        let len = rest
            .find(|c: char| c.is_whitespace() != space)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(len);
        rest = tail;
        Some((piece, space))
    })
}

/// The redline of a clause body from `old` to `new` (Markdown), as readers see the text.
pub fn redline(old: &str, new: &str) -> Vec<RedlineSegment> {
    shared::redline::redline(&styled_words(old), &styled_words(new))
}

/// Renders a clause body with the words in `marks` (ranges of word indices) inside `<mark>`,
/// so that readers see which passages have comments.
pub fn render_clause(markdown: &str, marks: &[Range<usize>]) -> String {
    if marks.is_empty() {
        return render(markdown);
    }
    let marked = |i: usize| marks.iter().any(|m| m.contains(&i));
    let mut walk = WordWalk::new();
    let mut events = Vec::new();
    for event in parser(markdown) {
        match event {
            Event::Text(text) => {
                let pieces = walk.pieces(&text);
                let mut open = false;
                for (index, (piece, word)) in pieces.iter().enumerate() {
                    // Spaces between two marked words stay inside the mark.
                    let next_marked = pieces
                        .get(index + 1)
                        .and_then(|(_, w)| *w)
                        .is_some_and(marked);
                    let inside = match word {
                        Some(i) => marked(*i),
                        None => open && next_marked,
                    };
                    if inside && !open {
                        events.push(Event::Html(CowStr::Borrowed("<mark>")));
                        open = true;
                    } else if !inside && open {
                        events.push(Event::Html(CowStr::Borrowed("</mark>")));
                        open = false;
                    }
                    events.push(Event::Text(CowStr::from(piece.to_string())));
                }
                if open {
                    events.push(Event::Html(CowStr::Borrowed("</mark>")));
                }
            }
            Event::Code(code) => {
                let words: Vec<_> = walk.pieces(&code).into_iter().filter_map(|p| p.1).collect();
                let inside = words.into_iter().any(marked);
                if inside {
                    events.push(Event::Html(CowStr::Borrowed("<mark>")));
                }
                events.push(Event::Code(code));
                if inside {
                    events.push(Event::Html(CowStr::Borrowed("</mark>")));
                }
            }
            event => {
                if WordWalk::breaks(&event) {
                    walk.brk();
                }
                events.push(event);
            }
        }
    }
    clean(events.into_iter(), markdown.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::redline::Change;

    #[test]
    fn a_redline_compares_the_text_as_read_with_its_emphasis() {
        let tokens = styled_words("Protect **individuals**\nnow.\n\n- `x` <b>y</b>");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Protect",
                " ",
                "individuals",
                " ",
                "now",
                ".",
                "\n",
                "x",
                " ",
                "y"
            ]
        );
        assert!(tokens[2].style.strong && tokens[7].style.code && !tokens[0].style.strong);
        // The demo's first clause: no asterisk reaches the reader, and emphasis alone changing
        // is a restyling.
        let red = redline(
            "States should protect individuals and infrastructure.",
            "States should protect **individuals** and critical infrastructure.",
        );
        assert!(red.iter().all(|s| !s.text.contains('*')), "{red:?}");
        let restyled: Vec<&str> = red
            .iter()
            .filter(|s| s.change == Change::Restyled)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(restyled, ["individuals"], "{red:?}");
        let added: Vec<&str> = red
            .iter()
            .filter(|s| s.change == Change::Added)
            .map(|s| s.text.trim())
            .collect();
        assert_eq!(added, ["critical"], "{red:?}");
    }

    #[test]
    fn words_are_what_a_reader_sees() {
        let md = "Protect the **public** core\nof the*in*ternet.\n\n- `code` item";
        assert_eq!(
            words(md),
            [
                "Protect",
                "the",
                "public",
                "core",
                "of",
                "theinternet.",
                "code",
                "item"
            ]
        );
    }

    #[test]
    fn marked_words_are_wrapped_in_mark() {
        // (An empty range past the end marks nothing.)
        let html = render_clause("Protect the public core of the internet.", &[2..4, 99..99]);
        assert_eq!(
            html,
            "<p>Protect the <mark>public core</mark> of the internet.</p>\n"
        );
        let html = render_clause("One *two* three", &[1..2, 99..99]);
        assert_eq!(html, "<p>One <em><mark>two</mark></em> three</p>\n");
    }

    #[test]
    fn html_in_a_comment_shows_as_text() {
        let html = render_comment("<b>bold</b> and <script>alert(1)</script> **strong**");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("<strong>strong</strong>"), "{html}");
        let link = render_comment("[site](https://example.org)");
        assert!(
            link.contains(r#"rel="nofollow noopener noreferrer""#),
            "{link}"
        );
    }

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(
            render("Some *emphasis*."),
            "<p>Some <em>emphasis</em>.</p>\n"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = render(
            "<script>alert(1)</script>\n\n<b onclick=\"x()\">bold</b>\n\n[link](javascript:alert(1))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(html.contains("<b>bold</b>"), "{html}");
        assert!(html.contains(">link</a>"), "the link text stays: {html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn remote_images_are_dropped_so_readers_are_not_tracked() {
        let html = render("![pixel](https://tracker.example/p.gif)");
        assert!(!html.contains("<img"), "{html}");
    }
}
