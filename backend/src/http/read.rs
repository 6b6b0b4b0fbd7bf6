//! The reading pages: the consultations, each round's text and — once published — its results
//! and public record, as plain HTML rendered by the server, for readers whose browser runs no
//! JavaScript or WebAssembly (the app's `<noscript>` links here). Self-contained like the
//! printable report they share their layout with: one inline stylesheet allowed by its digest,
//! no script, no request anywhere else.

use crate::http::error::AppError;
use crate::http::routes::records::streamed;
use crate::http::routes::rounds::find_round;
use crate::record::report::{Page, STYLE, esc, write_page};
use crate::record::{Exporter, Visibility};
use crate::state::AppState;
use crate::words::{Words, negotiate};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use shared::{Language, Phase};

/// The policy of these pages and of the printable report: nothing but their own inline
/// stylesheet.
pub(crate) fn policy() -> HeaderValue {
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    HeaderValue::from_str(&format!(
        "default-src 'none'; style-src 'sha256-{digest}'; img-src 'self' data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

fn page(body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CONTENT_SECURITY_POLICY, policy());
    response
}

/// `?lang=`: the language a reader chose on these pages.
#[derive(Debug, serde::Deserialize)]
pub struct Lang {
    lang: Option<String>,
}

impl Lang {
    fn words(&self, headers: &HeaderMap) -> Words {
        Words(negotiate(self.lang.as_deref(), headers))
    }
}

/// Links to this page in each language, each named in itself, the current one marked.
fn language_links(path: &str, w: Words) -> String {
    let links: Vec<String> = Language::ALL
        .iter()
        .map(|&l| {
            let name = esc(Words(l).get("language_name"));
            let current = if l == w.0 { " aria-current=\"page\"" } else { "" };
            format!(
                "<a href=\"{path}?lang={code}\" lang=\"{code}\" hreflang=\"{code}\"{current}>{name}</a>",
                code = l.as_str()
            )
        })
        .collect();
    format!(
        "<nav aria-label=\"{}\"><p class=\"meta\">{}</p></nav>",
        esc(w.get("language")),
        links.join(" · ")
    )
}

/// The ways to follow a consultation (and round `round` of it): `<link rel="alternate">`
/// elements for `<head>`, so that browsers and feed readers find the feeds, and a line of links
/// for the page.
pub(crate) fn follow_links(
    slug: &str,
    round: Option<&str>,
    title: &str,
    w: Words,
) -> (String, String) {
    use shared::following::{calendar_path, consultation_feed_path, round_feed_path};
    let feed = esc(&consultation_feed_path(slug));
    let mut head = format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{feed}\" title=\"{}\">",
        esc(title)
    );
    let mut line = vec![format!(
        "<a href=\"{feed}\" type=\"application/atom+xml\">{}</a>",
        esc(w.get("follow_feed"))
    )];
    if let Some(round) = round {
        let round_feed = esc(&round_feed_path(slug, round));
        head.push_str(&format!(
            "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{round_feed}\" title=\"{}\">",
            esc(w.get("follow_round_feed"))
        ));
        line.push(format!(
            "<a href=\"{round_feed}\" type=\"application/atom+xml\">{}</a>",
            esc(w.get("follow_round_feed"))
        ));
    }
    line.push(format!(
        "<a href=\"{}\" type=\"text/calendar\">{}</a>",
        esc(&calendar_path(slug)),
        esc(w.get("follow_calendar"))
    ));
    let body = format!(
        "<p class=\"meta\">{}: {}</p>",
        esc(w.get("follow_heading")),
        line.join(" · ")
    );
    (head, body)
}

/// `/read`: every consultation with its rounds, and the ways to follow each.
pub async fn index(
    State(state): State<AppState>,
    Query(lang): Query<Lang>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let w = lang.words(&headers);
    let suffix = format!("?lang={}", w.0.as_str());
    let mut html = format!(
        "<!DOCTYPE html>\n<html {html}><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>{languages}<main>\
         <h1>{heading}</h1><p class=\"meta\">{intro} <a href=\"/\">{site}</a></p>",
        html = w.html_attributes(),
        title = esc(w.get("read_title")),
        languages = language_links("/read", w),
        heading = esc(w.get("consultations")),
        intro = esc(w.get("read_intro")),
        site = esc(w.get("read_site")),
    );
    let consultations = state.store.list_consultations().await?;
    if consultations.is_empty() {
        html.push_str(&format!(
            "<p class=\"empty\">{}</p>",
            esc(w.get("no_consultations"))
        ));
    }
    let mut feeds = String::new();
    for summary in consultations {
        let Some(consultation) = state.store.consultation(&summary.slug).await? else {
            continue;
        };
        let (head, follow) = follow_links(&consultation.slug, None, &consultation.title, w);
        feeds.push_str(&head);
        html.push_str(&format!(
            "<h2>{}</h2>{}{follow}<ul>",
            esc(&consultation.title),
            crate::markdown::render(&consultation.description)
        ));
        for round in &consultation.rounds {
            let what = if round.phase == Phase::Published {
                w.get("read_text_results_record")
            } else {
                w.get("read_text")
            };
            html.push_str(&format!(
                "<li><a href=\"/read/{slug}/{round_slug}{suffix}\">{title}</a> — {what}</li>",
                slug = esc(&consultation.slug),
                round_slug = esc(&round.slug),
                title = esc(&round.title),
                what = esc(what),
            ));
        }
        html.push_str("</ul>");
    }
    html.push_str("</main></body></html>\n");
    // The feeds are known once the consultations are read.
    let html = html.replacen("</head>", &format!("{feeds}</head>"), 1);
    Ok(page(Body::from(html)))
}

/// A reading page that is not there: 404, in the reader's language, with the way back.
fn not_found(w: Words) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html {html}><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main><h1>{title}</h1>\
         <p>{text}</p><p><a href=\"/read?lang={code}\">{all}</a></p></main></body></html>\n",
        html = w.html_attributes(),
        title = esc(w.get("not_found_title")),
        text = esc(w.get("not_found_text")),
        code = w.0.as_str(),
        all = esc(w.get("read_all")),
    );
    let mut response = page(Body::from(html));
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    response
}

/// `/read/{slug}/{round}`: the round's text and comments; its results and links to its public
/// record once it is published.
pub async fn round(
    State(state): State<AppState>,
    Path((slug, round)): Path<(String, String)>,
    Query(lang): Query<Lang>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let w = lang.words(&headers);
    let (consultation, row) = match find_round(&state, &slug, &round).await {
        Ok(found) => found,
        // A reader without JavaScript gets a page saying so, not the API's JSON.
        Err(AppError::Refused(crate::refusal::Refusal::NotFound(_))) => {
            return Ok(not_found(w));
        }
        Err(other) => return Err(other),
    };
    let published = row.state.phase()? == Phase::Published;
    let base = format!(
        "/api/v1/consultations/{}/rounds/{}/record",
        esc(&consultation.slug),
        esc(&row.slug)
    );
    let here = format!("/read/{}/{}", esc(&consultation.slug), esc(&row.slug));
    let mut links = format!(
        "{languages}<p class=\"meta\"><a href=\"/read?lang={code}\">{all}</a> · \
         <a href=\"/c/{}/{}\">{interactive}</a></p>",
        esc(&consultation.slug),
        esc(&row.slug),
        languages = language_links(&here, w),
        code = w.0.as_str(),
        all = esc(w.get("read_all")),
        interactive = esc(w.get("read_interactive")),
    );
    if published {
        links.push_str(&format!(
            "<p>{record} <a href=\"{base}/bundle.zip\">{bundle}</a>, \
             <a href=\"{base}/record.json\">record.json</a>, \
             <a href=\"{base}/comments.csv\">comments.csv</a>, \
             <a href=\"{base}/positions.csv\">positions.csv</a>, \
             <a href=\"{base}/tallies.csv\">tallies.csv</a>, \
             <a href=\"{base}/report.html\">{report}</a>.</p>",
            record = esc(w.get("read_public_record")),
            bundle = esc(w.get("record_bundle")),
            report = esc(w.get("read_report")),
        ));
    } else {
        links.push_str(&format!(
            "<p class=\"meta\">{}</p>",
            esc(w.get("read_results_later"))
        ));
    }
    let (head, follow) = follow_links(&consultation.slug, Some(&row.slug), &consultation.title, w);
    links.push_str(&follow);
    if !row.preamble_md.trim().is_empty() {
        // What comes before the clauses, rendered and cleaned like them.
        links.push_str(&format!(
            "<div class=\"preamble\">{}</div>",
            crate::markdown::render(&row.preamble_md)
        ));
    }
    let source = crate::record::source::snapshot(&state.store).await?;
    let key = state.store.pseudonym_key().await?;
    let round_id = row.id;
    let contents = Page {
        results: published,
        links,
        head,
        words: w,
        translations: state.store.round_translations(round_id, w.0).await?,
    };
    Ok(page(streamed(move |out| {
        let mut exporter = Exporter::new(source, round_id, Visibility::Public, key)?;
        write_page(&mut exporter, out, &contents)
    })))
}
