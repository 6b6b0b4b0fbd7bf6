//! Any text as a clause body or a comment: rendering never panics, and a comment never comes
//! out with an active tag, an image or a script link.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = backend::markdown::render(text);
    let comment = backend::markdown::render_comment(text).to_lowercase();
    for forbidden in ["<script", "<img", "<iframe", "javascript:", " onerror=", " onload="] {
        assert!(!comment.contains(forbidden), "{forbidden} in {comment}");
    }
    let words = backend::markdown::words(text);
    let _ = backend::markdown::render_clause(text, &[0..words.len().min(3)]);
});
