//! Clause bodies are Markdown written by conveners; they reach browsers as HTML that has been
//! rendered by pulldown-cmark and cleaned by ammonia (no scripts, no event handlers, no
//! `javascript:` links, no remote images that would leak readers' addresses).

use pulldown_cmark::{Options, Parser, html};

/// Renders `markdown` to HTML that is safe to insert into a page.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    );
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .rm_tags(&["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["https", "http", "mailto"].into())
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

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
