//! Text first (issue 18): a clause, a round or its results opened from outside the app comes with
//! its readable text in the first answer, so that a slow link shows it before the application
//! has arrived, and a browser without JavaScript shows it at all. The page carries, too, the
//! answers of the API that the app reads as it starts (`shared::first_text`), asked of the API
//! itself with the reader's own cookie, so the app draws the same page without asking again.

use crate::record::report::esc;
use crate::words::{Words, negotiate};
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use shared::first_text::{FIRST_TEXT_ID, PRELOADED_ID, Page};
use shared::{Clause, Round, RoundResults, RoundSummary, Tally};
use tower::ServiceExt;

/// Largest API answer sent with a page; a larger one is left for the app to fetch.
const LARGEST_ANSWER: usize = 2 * 1024 * 1024;

/// The app's `index.html` for the page at `uri` asked with `headers`, with the page's text and
/// the answers it reads first; `None` when the page does not start with its text or its text
/// cannot be read (the app then explains, as it would have).
pub async fn page(api: &Router, index: &str, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
    let path = uri.path();
    // `?original`: the reader asked for a translated clause's original wording.
    let original = uri.query().is_some_and(|q| {
        q.split('&')
            .any(|p| p == "original" || p.starts_with("original="))
    });
    let page = Page::of(path)?;
    if !index.contains("<body>") {
        return None;
    }
    let cookie = headers.get(header::COOKIE).cloned();
    let mut answers = Vec::new();
    for path in page.reads() {
        let mut read = Request::get(&path).body(Body::empty()).ok()?;
        if let Some(cookie) = &cookie {
            read.headers_mut().insert(header::COOKIE, cookie.clone());
        }
        let response = api.clone().oneshot(read).await.ok()?;
        if response.status() == StatusCode::OK {
            let body = axum::body::to_bytes(response.into_body(), LARGEST_ANSWER)
                .await
                .ok()?;
            answers.push((path, body));
        }
    }
    // The session is the first read and may be missing (nobody signed in); the text is next.
    let text = answers
        .iter()
        .find(|(path, _)| !path.ends_with("/session"))?;
    let w = Words(negotiate(None, headers));
    let (title, main) = match &page {
        Page::Clause { .. } => clause(&serde_json::from_slice(&text.1).ok()?, w, original),
        Page::Round { .. } => round(&serde_json::from_slice(&text.1).ok()?, w),
        Page::Results { .. } => results(&serde_json::from_slice(&text.1).ok()?, w),
    };
    let (slug, round_slug) = page.round();
    let first = format!(
        "<div id=\"{FIRST_TEXT_ID}\"><header class=\"site-header\"><a href=\"/\" class=\"brand\">\
         Concord</a></header><main>{main}<p class=\"meta\"><a href=\"/read/{slug}/{round_slug}\">\
         {read}</a></p></main></div>",
        read = esc(w.get("read_title")),
    );
    // JSON in a data block: a `<` only occurs inside strings, where `\u003c` means the same,
    // and no answer can then close the block.
    let preloaded = answers
        .iter()
        .map(|(path, body)| {
            format!(
                "{}:{}",
                serde_json::Value::String(path.clone()),
                String::from_utf8_lossy(body).replace('<', "\\u003c")
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    // The data block first, the text after: nothing in the text can then move the block.
    let html = index
        .replacen(
            "</body>",
            &format!(
                "<script type=\"application/json\" id=\"{PRELOADED_ID}\">{{{preloaded}}}</script>\
                 </body>"
            ),
            1,
        )
        .replacen(
            "<html lang=\"en\">",
            &format!("<html {}>", w.html_attributes()),
            1,
        )
        .replacen(
            "<title>Concord</title>",
            &format!(
                "<title>{} — Concord</title>{feeds}",
                esc(&title),
                // Feed readers and browsers find the consultation's and the round's feeds.
                feeds = crate::http::read::follow_links(
                    slug,
                    Some(round_slug),
                    w.get("follow_feed"),
                    w
                )
                .0
            ),
            1,
        )
        .replacen("<body>", &format!("<body>{first}"), 1);
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // It holds what the reader's session may see: for this browser alone, and never kept.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Some(response)
}

/// Breadcrumbs back to the consultations and the round.
fn breadcrumbs(slug: &str, consultation: &str, round: &RoundSummary, w: Words) -> String {
    let (round_title, round) = (&round.title, &round.slug);
    format!(
        "<nav class=\"breadcrumbs\" aria-label=\"{label}\"><a href=\"/\">{all}</a> › \
         <a href=\"/c/{slug}/{round}\">{consultation} — {round_title}</a></nav>",
        label = esc(w.get("breadcrumb")),
        all = esc(w.get("consultations")),
        slug = esc(slug),
        round = esc(round),
        consultation = esc(consultation),
        round_title = esc(round_title),
    )
}

fn clause(c: &Clause, w: Words, original: bool) -> (String, String) {
    // The conveners' translation into the reader's language, as the app shows it, with the
    // note that says so and the original one link away.
    let translation = c
        .translations
        .iter()
        .find(|t| t.language == w.0)
        .filter(|_| !original);
    let (title, body, lang, note) = match translation {
        Some(t) => (
            &t.title,
            &t.body_html,
            t.language.as_str(),
            format!(
                "<p class=\"translation-note\">{} <a href=\"?original\">{}</a></p>",
                esc(w.get("translated_by_conveners")),
                esc(w.get("read_original"))
            ),
        ),
        None => (&c.title, &c.body_html, "", String::new()),
    };
    let title = format!("{}. {}", c.number, title);
    let lang = if lang.is_empty() {
        String::new()
    } else {
        format!(" lang=\"{lang}\"")
    };
    let main = format!(
        "{crumbs}<article class=\"clause\"><h1 dir=\"auto\">{heading}</h1>{note}\
         <div class=\"clause-body\" dir=\"auto\"{lang}>{body}</div></article>",
        crumbs = breadcrumbs(&c.consultation_slug, &c.consultation_title, &c.round, w),
        heading = esc(&title),
    );
    (title, main)
}

/// A clause of a list: number, key, title and what follows its link.
type Listed<'a> = (i64, &'a str, &'a str, String);

/// The clauses of a round, each linked to its page.
fn clause_links(slug: &str, round: &str, clauses: &[Listed]) -> String {
    let items: String = clauses
        .iter()
        .map(|(number, key, title, after)| {
            format!(
                "<li><a href=\"/c/{slug}/{round}/{key}\">{number}. {title}</a>{after}</li>",
                slug = esc(slug),
                round = esc(round),
                key = esc(key),
                title = esc(title),
            )
        })
        .collect();
    format!("<ol class=\"clause-list\">{items}</ol>")
}

fn round(r: &Round, w: Words) -> (String, String) {
    let clauses: Vec<Listed> = r
        .clauses
        .iter()
        .map(|c| (c.number, c.key.as_str(), c.title.as_str(), String::new()))
        .collect();
    // As the app draws the round: the consultation's title, then the round's.
    let main = format!(
        "<nav class=\"breadcrumbs\" aria-label=\"{label}\"><a href=\"/\">{all}</a></nav>\
         <h1 dir=\"auto\">{consultation}</h1><h2 dir=\"auto\">{title}</h2>\
         <div class=\"preamble\" dir=\"auto\">{preamble}</div><h3>{heading}</h3>{list}",
        label = esc(w.get("breadcrumb")),
        all = esc(w.get("consultations")),
        consultation = esc(&r.consultation_title),
        title = esc(&r.title),
        preamble = r.preamble_html,
        heading = esc(w.get("clauses")),
        list = clause_links(&r.consultation_slug, &r.slug, &clauses),
    );
    (format!("{} — {}", r.consultation_title, r.title), main)
}

/// "Endorse 12 · Endorse with reservation 3 · Oppose 1 · Abstain 0".
fn tally(t: &Tally, w: Words) -> String {
    [
        ("endorse", t.endorse),
        ("endorse_with_reservation", t.endorse_with_reservation),
        ("oppose", t.oppose),
        ("abstain", t.abstain),
    ]
    .iter()
    .map(|(stance, n)| format!("{} {n}", esc(w.stance(stance))))
    .collect::<Vec<_>>()
    .join(" · ")
}

fn results(r: &RoundResults, w: Words) -> (String, String) {
    let clauses: Vec<Listed> = r
        .clauses
        .iter()
        .map(|c| {
            let counts = format!("<p class=\"meta\">{}</p>", tally(&c.results.total, w));
            (c.number, c.key.as_str(), c.title.as_str(), counts)
        })
        .collect();
    let title = format!("{} — {}", w.get("results_title"), r.round.title);
    let main = format!(
        "{crumbs}<h1 dir=\"auto\">{heading}</h1>{list}",
        crumbs = breadcrumbs(&r.consultation_slug, &r.consultation_title, &r.round, w),
        heading = esc(&title),
        list = clause_links(&r.consultation_slug, &r.round.slug, &clauses),
    );
    (title, main)
}
