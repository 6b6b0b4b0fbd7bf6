//! Deliberation: threaded comments, comments on a quoted passage, moderation and the
//! conveners' official responses — the types on the wire and the rules both sides apply.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// Replies nest this deep at most; a reply to a comment at this depth joins its siblings.
pub const MAX_DEPTH: i64 = 4;
/// Threads (first comments with their replies) per page.
pub const THREADS_PER_PAGE: usize = 20;
/// Longest quoted passage, in characters.
pub const PASSAGE_MAX: usize = 1000;
/// Words kept before and after a passage to find it again.
pub const PASSAGE_CONTEXT_WORDS: usize = 4;
/// Longest reason for flagging, hiding or a response's explanation, in characters.
pub const REASON_MAX: usize = 1000;

/// A passage of a clause a comment is about: its exact words, with the few words before and
/// after it, so that it can be found again (and told apart from the same words elsewhere) when
/// the wording changes in a later round. Words are separated by single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Passage {
    pub exact: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
}

/// A convener's official answer to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Noted,
    Accepted,
    PartlyAccepted,
    NotAccepted,
}

crate::review::wire_names!(Verdict {
    Noted => "noted",
    Accepted => "accepted",
    PartlyAccepted => "partly_accepted",
    NotAccepted => "not_accepted",
});

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Noted,
        Verdict::Accepted,
        Verdict::PartlyAccepted,
        Verdict::NotAccepted,
    ];
}

/// The conveners' response to a comment, as shown in the thread.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    pub verdict: Verdict,
    pub explanation: String,
    pub at_ms: i64,
}

/// A comment with its replies. Fields that are empty are left out of the JSON (a page of a
/// long discussion is a hundred comments).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: i64,
    /// The author's public handle; `None` once the author deleted their account
    /// (shown as "former participant").
    pub author: Option<String>,
    /// The organisation the author chose to show next to their handle, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// The Markdown as written; empty when the conveners hid the comment.
    pub body: String,
    /// The Markdown rendered and cleaned (no raw HTML, no images, links marked
    /// `rel="nofollow noopener noreferrer"`); empty when hidden.
    pub body_html: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// The comment this one answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    /// 0 for the first comment of a thread.
    #[serde(default)]
    pub depth: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passage: Option<Passage>,
    /// The language it is written in, as its author said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<crate::Language>,
    /// When the author last edited it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at_ms: Option<i64>,
    /// The conveners' public reason, when they hid the comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    /// The replies, oldest first, each with its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub replies: Vec<Comment>,
}

/// One page of a clause's threads, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentPage {
    pub threads: Vec<Comment>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<i64>,
    /// Comments on the clause, replies included.
    pub total: i64,
    /// Of those, how many have a response from the conveners.
    pub answered: i64,
}

/// Body of `POST …/comments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    /// Markdown.
    pub body: String,
    /// The comment this one answers (on the same clause).
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// The passage of the clause this comment is about.
    #[serde(default)]
    pub passage: Option<Passage>,
    /// The language it is written in, when it is one of the interface's.
    #[serde(default)]
    pub language: Option<crate::Language>,
}

/// Body of `PUT …/comments/{id}`: the new wording of one's own comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentEdit {
    pub body: String,
}

/// An earlier wording of an edited comment (for conveners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentVersion {
    pub body: String,
    /// When this wording was written.
    pub written_at_ms: i64,
}

/// Body of `POST …/flags`, of `PUT …/hidden`: why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub reason: String,
}

/// Body of `PUT …/response`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewResponse {
    pub verdict: Verdict,
    pub explanation: String,
}

/// A comment waiting in the conveners' moderation queue, with why it was flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlaggedComment {
    pub round: String,
    pub clause: String,
    /// As the conveners see it: its body even when hidden.
    pub comment: Comment,
    pub reasons: Vec<String>,
}

/// What the conveners did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModerationAction {
    Hide,
    Restore,
}

crate::review::wire_names!(ModerationAction { Hide => "hide", Restore => "restore" });

/// Body of `POST …/moderation`: hide a comment, or restore it (also: keep a flagged comment as
/// it is), with a reason readers see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moderation {
    pub action: ModerationAction,
    pub reason: String,
}

/// One entry of a consultation's public moderation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModerationEntry {
    pub round: String,
    pub clause: String,
    pub comment_id: i64,
    pub action: ModerationAction,
    pub reason: String,
    pub at_ms: i64,
}

/// What a proposal proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// New wording for a clause.
    Amendment,
    /// A clause the text is missing.
    Addition,
}

crate::review::wire_names!(ProposalKind { Amendment => "amendment", Addition => "addition" });

/// What makes a clause a participant's proposal. A proposal is read, discussed and voted on at
/// its own address, like a clause (`…/clauses/proposal-N`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalInfo {
    pub kind: ProposalKind,
    /// The key of the clause an amendment rewrites.
    #[serde(default)]
    pub amends: Option<String>,
    /// Who proposed it; `None` once they deleted their account.
    #[serde(default)]
    pub author: Option<String>,
    pub proposed_at_ms: i64,
}

/// Body of `POST …/rounds/{round}/proposals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProposal {
    pub kind: ProposalKind,
    /// For an amendment: the key of the clause it rewrites.
    #[serde(default)]
    pub clause: Option<String>,
    /// For an addition: the new clause's title (an amendment takes its clause's).
    #[serde(default)]
    pub title: String,
    /// The proposed wording (Markdown).
    pub body_md: String,
}

/// Answer to `POST …/proposals`: where the new proposal is read, discussed and voted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedProposal {
    /// Its key among the round's clauses, e.g. `proposal-3`.
    pub key: String,
}

impl NewProposal {
    /// Checks the fields this kind of proposal needs; returns the title and body trimmed (an
    /// amendment's title is empty: it takes its clause's).
    pub fn check(&self) -> Result<(String, String), Vec<FieldError>> {
        use crate::rules::{BODY_MAX, TITLE_MAX, check_text};
        let body = check_text(
            "body_md",
            &self.body_md,
            BODY_MAX,
            "Write the proposed wording.",
        );
        let (title, clause) = match self.kind {
            ProposalKind::Addition => (
                check_text(
                    "title",
                    &self.title,
                    TITLE_MAX,
                    "Give the new clause a title.",
                ),
                Ok(()),
            ),
            ProposalKind::Amendment => (
                Ok(String::new()),
                match self.clause.as_deref().map(str::trim) {
                    Some(key) if !key.is_empty() => Ok(()),
                    _ => Err(FieldError::new(
                        "clause",
                        "required",
                        "Say which clause the amendment rewrites.",
                    )),
                },
            ),
        };
        match (title, body, clause) {
            (Ok(t), Ok(b), Ok(())) => Ok((t, b)),
            (t, b, c) => Err([t.err(), b.err(), c.err()].into_iter().flatten().collect()),
        }
    }
}

/// Whether `proposed` says the same as `current`, once spaces and line breaks are set aside.
pub fn same_wording(current: &str, proposed: &str) -> bool {
    words(current) == words(proposed)
}

/// Splits text into words the way passages count them: runs of non-space characters.
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// Where `passage` is in `text` (by word index, end exclusive): first where its words come with
/// their prefix and suffix, else where its exact words come first; `None` when they are gone.
pub fn find_passage(text: &[&str], passage: &Passage) -> Option<std::ops::Range<usize>> {
    let exact = words(&passage.exact);
    let prefix = words(&passage.prefix);
    let suffix = words(&passage.suffix);
    if exact.is_empty() || exact.len() > text.len() {
        return None;
    }
    let starts =
        || (0..=text.len() - exact.len()).filter(|&i| text[i..i + exact.len()] == exact[..]);
    let in_context = |&i: &usize| {
        let end = i + exact.len();
        i >= prefix.len()
            && text[i - prefix.len()..i] == prefix[..]
            && text.len() - end >= suffix.len()
            && text[end..end + suffix.len()] == suffix[..]
    };
    starts()
        .find(in_context)
        .or_else(|| starts().next())
        .map(|i| i..i + exact.len())
}

/// The passage of `text` from word `start` to word `end` (inclusive), with its context.
pub fn passage_of(text: &[&str], start: usize, end: usize) -> Option<Passage> {
    if start > end || end >= text.len() {
        return None;
    }
    Some(Passage {
        exact: text[start..=end].join(" "),
        prefix: text[start.saturating_sub(PASSAGE_CONTEXT_WORDS)..start].join(" "),
        suffix: text[end + 1..(end + 1 + PASSAGE_CONTEXT_WORDS).min(text.len())].join(" "),
    })
}

/// Where the words a reader selected (`chosen`, perhaps cut mid-word at either end) are in
/// `text`: the first and last word index, first occurrence.
pub fn locate_selection(text: &[&str], chosen: &[&str]) -> Option<(usize, usize)> {
    let n = chosen.len();
    if n == 0 || n > text.len() {
        return None;
    }
    let fits = |i: usize, whole: bool| {
        (0..n).all(|j| {
            let (word, picked) = (text[i + j], chosen[j]);
            match (whole, j) {
                (true, _) => word == picked,
                (false, 0) if n == 1 => word.contains(picked),
                (false, 0) => word.ends_with(picked),
                (false, j) if j == n - 1 => word.starts_with(picked),
                (false, _) => word == picked,
            }
        })
    };
    let starts = 0..=text.len() - n;
    starts
        .clone()
        .find(|&i| fits(i, true))
        .or_else(|| starts.clone().find(|&i| fits(i, false)))
        .map(|i| (i, i + n - 1))
}

fn check_reason(field: &str, reason: &str, blank: &str) -> Result<String, Vec<FieldError>> {
    crate::rules::check_text(field, reason, REASON_MAX, blank).map_err(|e| vec![e])
}

impl Reason {
    /// Checks the reason and returns it trimmed.
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        check_reason("reason", &self.reason, "Say why.")
    }
}

impl Moderation {
    /// Checks the reason and returns it trimmed.
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        check_reason(
            "reason",
            &self.reason,
            "Give the reason readers will see in the moderation log.",
        )
    }
}

impl NewResponse {
    /// Checks the explanation and returns it trimmed.
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        check_reason(
            "explanation",
            &self.explanation,
            "Explain the response to the participants.",
        )
    }
}

impl CommentEdit {
    /// Checks the new wording and returns it trimmed.
    pub fn check(&self) -> Result<String, Vec<FieldError>> {
        crate::rules::check_comment_body(&self.body).map_err(|e| vec![e])
    }
}

impl NewComment {
    /// Checks the body and the passage (not yet against the clause); returns the body trimmed
    /// and the passage with its words separated by single spaces.
    pub fn check(&self) -> Result<(String, Option<Passage>), Vec<FieldError>> {
        let body = crate::rules::check_comment_body(&self.body).map_err(|e| vec![e]);
        let passage = match &self.passage {
            None => Ok(None),
            Some(p) => {
                let tidy = |s: &str| words(s).join(" ");
                let exact = tidy(&p.exact);
                if exact.is_empty() {
                    Err(vec![FieldError::new(
                        "passage",
                        "required",
                        "Choose the words of the clause the comment is about.",
                    )])
                } else if [&p.exact, &p.prefix, &p.suffix]
                    .iter()
                    .any(|s| s.chars().count() > PASSAGE_MAX)
                {
                    Err(vec![FieldError::new(
                        "passage",
                        "too_long",
                        format!("A passage is limited to {PASSAGE_MAX} characters."),
                    )])
                } else {
                    Ok(Some(Passage {
                        exact,
                        prefix: tidy(&p.prefix),
                        suffix: tidy(&p.suffix),
                    }))
                }
            }
        };
        match (body, passage) {
            (Ok(b), Ok(p)) => Ok((b, p)),
            (b, p) => Err([b.err(), p.err()].into_iter().flatten().flatten().collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "the public core of the internet and the core of the web";

    fn passage(prefix: &str, exact: &str, suffix: &str) -> Passage {
        Passage {
            exact: exact.into(),
            prefix: prefix.into(),
            suffix: suffix.into(),
        }
    }

    #[test]
    fn a_passage_is_found_by_its_context_first() {
        let text = words(TEXT);
        assert_eq!(
            find_passage(&text, &passage("", "core of the", "")),
            Some(2..5)
        );
        assert_eq!(
            find_passage(&text, &passage("and the", "core of the", "web")),
            Some(8..11)
        );
        // The context changed (a later round's wording): the exact words still lead there.
        assert_eq!(
            find_passage(&text, &passage("unrelated", "public core", "")),
            Some(1..3)
        );
        assert_eq!(find_passage(&text, &passage("", "private core", "")), None);
        assert_eq!(find_passage(&text, &passage("", "", "")), None);
    }

    #[test]
    fn a_proposal_needs_what_its_kind_needs() {
        let amendment = NewProposal {
            kind: ProposalKind::Amendment,
            clause: None,
            title: String::new(),
            body_md: "New words.".into(),
        };
        let fields: Vec<_> = amendment
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["clause"]);
        let addition = NewProposal {
            kind: ProposalKind::Addition,
            clause: None,
            title: " ".into(),
            body_md: String::new(),
        };
        let fields: Vec<_> = addition
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["title", "body_md"]);
        assert!(same_wording("Protect  the\ncore.", "Protect the core."));
        assert!(!same_wording(
            "Protect the core.",
            "Protect the whole core."
        ));
    }

    #[test]
    fn a_selection_is_found_even_when_cut_mid_word() {
        let text = words(TEXT);
        assert_eq!(locate_selection(&text, &["public", "core"]), Some((1, 2)));
        assert_eq!(
            locate_selection(&text, &["blic", "core", "o"]),
            Some((1, 3))
        );
        assert_eq!(locate_selection(&text, &["ntern"]), Some((5, 5)));
        assert_eq!(locate_selection(&text, &["nowhere"]), None);
        assert_eq!(locate_selection(&text, &[]), None);
    }

    #[test]
    fn a_chosen_range_becomes_a_passage_with_context() {
        let text = words(TEXT);
        let p = passage_of(&text, 8, 10).unwrap();
        assert_eq!(p, passage("the internet and the", "core of the", "web"));
        assert_eq!(find_passage(&text, &p), Some(8..11));
        assert_eq!(passage_of(&text, 3, 2), None);
        assert_eq!(passage_of(&text, 0, 99), None);
    }

    #[test]
    fn a_comment_needs_a_body_and_a_passage_needs_words() {
        let comment = NewComment {
            body: "  ".into(),
            parent_id: None,
            passage: Some(passage("", " ", "")),
            language: None,
        };
        let errors = comment.check().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["body", "passage"]);
    }
}
