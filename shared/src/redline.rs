//! Redlines of rendered text (issue 18): what changed in a clause between two rounds, word by
//! word as a reader sees the text, emphasis shown as emphasis, and a change of emphasis alone
//! shown as such. The server turns each wording's Markdown into [`Token`]s (its parser knows the
//! Markdown); the diff and its HTML are here, for the app, the reading page and the report.

use crate::escape_html;
use serde::{Deserialize, Serialize};

/// How a stretch of text is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Style {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strong: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub emphasis: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub code: bool,
}

/// A word of the text as a reader sees it, a run of space between words, or a line break
/// (`"\n"`) between blocks, with its style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub style: Style,
}

impl Token {
    /// `text` set in `style`.
    pub fn new(text: impl Into<String>, style: Style) -> Token {
        Token {
            text: text.into(),
            style,
        }
    }

    fn is_space(&self) -> bool {
        self.text.chars().all(char::is_whitespace)
    }
}

/// What became of a stretch of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Same,
    Added,
    Removed,
    /// The same words, set differently (emphasis added or taken away).
    Restyled,
}

/// One stretch of a redline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedlineSegment {
    pub change: Change,
    /// The text as a reader sees it; `"\n"` between blocks.
    pub text: String,
    /// How it is set (the new setting of restyled text).
    #[serde(default)]
    pub style: Style,
    /// How restyled text was set before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<Style>,
}

/// The word-by-word changes from `old` to `new`: words compared as read, then the style of
/// each word kept; neighbouring stretches alike merged.
pub fn redline(old: &[Token], new: &[Token]) -> Vec<RedlineSegment> {
    let words = |tokens: &[Token]| tokens.iter().map(|t| t.text.clone()).collect::<Vec<_>>();
    let (before, after) = (words(old), words(new));
    let mut segments: Vec<RedlineSegment> = Vec::new();
    let mut push = |change: Change, token: &Token, was: Option<Style>| match segments.last_mut() {
        Some(last) if last.change == change && last.style == token.style && last.was == was => {
            last.text.push_str(&token.text);
        }
        _ => segments.push(RedlineSegment {
            change,
            text: token.text.clone(),
            style: token.style,
            was,
        }),
    };
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &before, &after) {
        let (tag, from, to) = op.as_tag_tuple();
        match tag {
            similar::DiffTag::Equal => {
                for (was, now) in old[from].iter().zip(&new[to]) {
                    // Space has no look of its own: it is restyled only between restyled words.
                    if was.style == now.style || now.is_space() {
                        push(Change::Same, now, None);
                    } else {
                        push(Change::Restyled, now, Some(was.style));
                    }
                }
            }
            similar::DiffTag::Delete => old[from]
                .iter()
                .for_each(|t| push(Change::Removed, t, None)),
            similar::DiffTag::Insert => new[to].iter().for_each(|t| push(Change::Added, t, None)),
            similar::DiffTag::Replace => {
                old[from]
                    .iter()
                    .for_each(|t| push(Change::Removed, t, None));
                new[to].iter().for_each(|t| push(Change::Added, t, None));
            }
        }
    }
    segments
}

/// Whether anything changed.
pub fn changed(segments: &[RedlineSegment]) -> bool {
    segments.iter().any(|s| s.change != Change::Same)
}

/// The words a redline says for screen readers, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedlineWords {
    pub added: String,
    pub removed: String,
    pub restyled: String,
}

/// The redline as HTML (inside a `<p>`): added text in `<ins>`, removed in `<del>`, restyled in
/// `<span class="restyled">`, each saying so to screen readers (`.visually-hidden`); emphasis
/// as `<strong>`, `<em>` and `<code>`; blocks apart with `<br>`. Every text escaped.
pub fn redline_html(segments: &[RedlineSegment], words: &RedlineWords) -> String {
    let mut html = String::new();
    for s in segments {
        let mut text = escape_html(&s.text).replace('\n', "<br>");
        for (on, tag) in [
            (s.style.code, "code"),
            (s.style.emphasis, "em"),
            (s.style.strong, "strong"),
        ] {
            if on {
                text = format!("<{tag}>{text}</{tag}>");
            }
        }
        let said = |tag: &str, class: &str, what: &str| {
            format!(
                "<{tag}{class}><span class=\"visually-hidden\">{} </span>{text}</{tag}>",
                escape_html(what)
            )
        };
        html.push_str(&match s.change {
            Change::Same => text,
            Change::Added => said("ins", "", &words.added),
            Change::Removed => said("del", "", &words.removed),
            Change::Restyled => said("span", " class=\"restyled\"", &words.restyled),
        });
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style {
        strong: false,
        emphasis: false,
        code: false,
    };
    const STRONG: Style = Style {
        strong: true,
        emphasis: false,
        code: false,
    };

    /// Tokens of `text`, words in `**…**` strong.
    fn tokens(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        for piece in text.split_inclusive(' ') {
            let (word, space) = piece.split_at(piece.trim_end().len());
            let (word, style) = match word.strip_prefix("**").and_then(|w| w.strip_suffix("**")) {
                Some(w) => (w, STRONG),
                None => (word, PLAIN),
            };
            out.push(Token::new(word, style));
            if !space.is_empty() {
                out.push(Token::new(space, PLAIN));
            }
        }
        out
    }

    fn segment(change: Change, text: &str, style: Style, was: Option<Style>) -> RedlineSegment {
        RedlineSegment {
            change,
            text: text.into(),
            style,
            was,
        }
    }

    #[test]
    fn words_added_and_removed_keep_their_style() {
        let red = redline(
            &tokens("Protect **individuals** now"),
            &tokens("Protect **individuals** and infrastructure"),
        );
        assert_eq!(
            red,
            [
                segment(Change::Same, "Protect ", PLAIN, None),
                segment(Change::Same, "individuals", STRONG, None),
                segment(Change::Same, " ", PLAIN, None),
                segment(Change::Removed, "now", PLAIN, None),
                segment(Change::Added, "and infrastructure", PLAIN, None),
            ]
        );
        assert!(changed(&red));
        assert!(!changed(&redline(&tokens("a **b**"), &tokens("a **b**"))));
    }

    #[test]
    fn a_change_of_emphasis_alone_is_a_restyling_not_an_edit() {
        let red = redline(
            &tokens("protect individuals"),
            &tokens("protect **individuals**"),
        );
        assert_eq!(
            red,
            [
                segment(Change::Same, "protect ", PLAIN, None),
                segment(Change::Restyled, "individuals", STRONG, Some(PLAIN)),
            ]
        );
    }

    #[test]
    fn the_html_shows_emphasis_as_emphasis_and_says_what_changed() {
        let words = RedlineWords {
            added: "added".into(),
            removed: "removed".into(),
            restyled: "formatting changed".into(),
        };
        let line = |last: Token| {
            vec![
                Token::new("a", PLAIN),
                Token::new(" ", PLAIN),
                Token::new("<b>", PLAIN),
                Token::new("\n", PLAIN),
                last,
            ]
        };
        let mut new = line(Token::new("c", PLAIN));
        new.push(Token::new(" ", PLAIN));
        new.push(Token::new(
            "d",
            Style {
                emphasis: true,
                ..STRONG
            },
        ));
        let red = redline(&line(Token::new("c", STRONG)), &new);
        let html = redline_html(&red, &words);
        assert_eq!(
            html,
            "a &lt;b&gt;<br>\
             <span class=\"restyled\"><span class=\"visually-hidden\">formatting changed </span>c</span>\
             <ins><span class=\"visually-hidden\">added </span> </ins>\
             <ins><span class=\"visually-hidden\">added </span><strong><em>d</em></strong></ins>"
        );
        assert!(!html.contains("**"));
    }
}
