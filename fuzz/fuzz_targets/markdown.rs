//! Any text as a clause body or a comment: rendering never panics, and no tag of a rendered
//! comment is a script, an image, a frame or a style, has an event handler or a `javascript:`
//! address. (Text between tags is escaped, so it may say anything.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fn tags(html: &str) -> impl Iterator<Item = String> + '_ {
    html.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or("").to_lowercase())
}

fn handler(tag: &str) -> bool {
    tag.split(|c: char| c.is_whitespace() || c == '/')
        .skip(1)
        .any(|attribute| attribute.starts_with("on") && attribute.contains('='))
}

fuzz_target!(|text: &str| {
    let _ = backend::markdown::render(text);
    let comment = backend::markdown::render_comment(text);
    for tag in tags(&comment) {
        let name = tag.trim_start_matches('/');
        for forbidden in ["script", "img", "iframe", "object", "embed", "style", "svg"] {
            assert!(!name.starts_with(forbidden), "<{tag}> in {comment}");
        }
        assert!(!handler(&tag), "an event handler in <{tag}>");
        assert!(!tag.contains("javascript:"), "a script link in <{tag}>");
    }
    let words = backend::markdown::words(text);
    let _ = backend::markdown::render_clause(text, &[0..words.len().min(3)]);
});
