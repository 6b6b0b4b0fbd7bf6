//! Text first (issue 18): the pages of the app whose readable text the server puts into its
//! first answer, and the answers of the API each reads as it starts. The server sends those
//! answers along with the page; the app takes them from there rather than asking again.

/// Where the API lives.
pub const API_BASE: &str = "/api/v1";

/// The id of the element holding the answers sent with the page, as JSON: an object from each
/// API path to its answer.
pub const PRELOADED_ID: &str = "preloaded";

/// The id of the element holding the text the server rendered, which the app removes once it
/// has drawn the page itself.
pub const FIRST_TEXT_ID: &str = "first-text";

/// A page of the app that starts with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// `/c/{slug}/{round}`: the round's text, clause by clause.
    Round { slug: String, round: String },
    /// `/c/{slug}/{round}/results`.
    Results { slug: String, round: String },
    /// `/c/{slug}/{round}/{key}`: one clause with its comments.
    Clause {
        slug: String,
        round: String,
        key: String,
    },
}

/// The words a round's address may hold after its slug that are not a clause's key.
const ROUND_PAGES: [&str; 3] = ["results", "changes", "moderation"];

/// Whether `segment` reads the same encoded and decoded: only such addresses are answered with
/// their text, so that the API paths below are the very ones the app asks for.
fn plain(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

impl Page {
    /// The page at `path` (no query), if it starts with its text.
    pub fn of(path: &str) -> Option<Page> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        if !segments.iter().all(|s| plain(s)) {
            return None;
        }
        let owned = |s: &str| s.to_owned();
        match segments.as_slice() {
            ["c", slug, round] if *round != "moderation" => Some(Page::Round {
                slug: owned(slug),
                round: owned(round),
            }),
            ["c", slug, round, "results"] => Some(Page::Results {
                slug: owned(slug),
                round: owned(round),
            }),
            ["c", slug, round, key] if !ROUND_PAGES.contains(key) => Some(Page::Clause {
                slug: owned(slug),
                round: owned(round),
                key: owned(key),
            }),
            _ => None,
        }
    }

    /// The API paths the page reads as it starts, the signed-in session first; the first after
    /// it holds the text. (A signed-in reader who has not yet stated a stakeholder group also
    /// reads the consultation's groups and their own memberships, once the clause says so.)
    pub fn reads(&self) -> Vec<String> {
        let consultation = |slug: &str| format!("{API_BASE}/consultations/{slug}");
        let round = |slug: &str, round: &str| format!("{}/rounds/{round}", consultation(slug));
        let session = format!("{API_BASE}/session");
        match self {
            Page::Round { slug, round: r } => vec![session, round(slug, r), consultation(slug)],
            Page::Results { slug, round: r } => {
                vec![session, format!("{}/results", round(slug, r))]
            }
            Page::Clause {
                slug,
                round: r,
                key,
            } => {
                let clause = format!("{}/clauses/{key}", round(slug, r));
                vec![session, clause.clone(), format!("{clause}/comments")]
            }
        }
    }

    /// The consultation and round the page belongs to.
    pub fn round(&self) -> (&str, &str) {
        match self {
            Page::Round { slug, round }
            | Page::Results { slug, round }
            | Page::Clause { slug, round, .. } => (slug, round),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_round_and_results_pages_start_with_their_text() {
        assert_eq!(
            Page::of("/c/paris-call/2019/protect-individuals"),
            Some(Page::Clause {
                slug: "paris-call".into(),
                round: "2019".into(),
                key: "protect-individuals".into()
            })
        );
        assert_eq!(
            Page::of("/c/paris-call/2019/"),
            Some(Page::Round {
                slug: "paris-call".into(),
                round: "2019".into()
            })
        );
        assert!(matches!(
            Page::of("/c/paris-call/2019/results"),
            Some(Page::Results { .. })
        ));
        let clause = Page::of("/c/p/r/k").expect("a clause");
        assert_eq!(
            clause.reads()[..2],
            [
                "/api/v1/session",
                "/api/v1/consultations/p/rounds/r/clauses/k"
            ]
        );
    }

    #[test]
    fn other_pages_and_encoded_addresses_do_not() {
        for path in [
            "/",
            "/c/paris-call",
            "/c/paris-call/moderation",
            "/c/paris-call/2019/changes",
            "/c/paris-call/2019/moderation",
            "/c/paris-call/2019/k/extra",
            "/c/paris%2Dcall/2019/k",
            "/c/paris-call/2019/%3Cscript%3E",
            "/convene/paris-call",
            "/c//2019/k",
        ] {
            assert_eq!(Page::of(path), None, "{path}");
        }
    }
}
