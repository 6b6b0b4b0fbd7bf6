//! The reading pages: the consultations, each round's text and — once published — its results
//! and public record, as plain HTML rendered by the server, for readers whose browser runs no
//! JavaScript or WebAssembly (the app's `<noscript>` links here). Self-contained like the
//! printable report they share their layout with: one inline stylesheet allowed by its digest,
//! no script, no request anywhere else.

use crate::error::AppError;
use crate::record::report::{STYLE, esc, write_page};
use crate::record::{Exporter, Visibility};
use crate::routes::consultations::find_round;
use crate::routes::records::streamed;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use shared::Phase;

/// The policy of these pages: nothing but their own inline stylesheet.
fn policy() -> HeaderValue {
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

/// `/read`: every consultation with its rounds.
pub async fn index(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Concord — read</title><style>{STYLE}</style></head><body><main>\
         <h1>Consultations</h1><p class=\"meta\">These pages work without JavaScript. \
         Commenting and taking positions need the <a href=\"/\">interactive site</a>.</p>"
    );
    for summary in state.store.list_consultations().await? {
        let Some(consultation) = state.store.consultation(&summary.slug).await? else {
            continue;
        };
        html.push_str(&format!(
            "<h2>{}</h2>{}<ul>",
            esc(&consultation.title),
            crate::markdown::render(&consultation.description)
        ));
        for round in &consultation.rounds {
            let what = if round.phase == Phase::Published {
                "text, results and public record"
            } else {
                "text"
            };
            html.push_str(&format!(
                "<li><a href=\"/read/{slug}/{round_slug}\">{title}</a> — {what}</li>",
                slug = esc(&consultation.slug),
                round_slug = esc(&round.slug),
                title = esc(&round.title),
            ));
        }
        html.push_str("</ul>");
    }
    html.push_str("</main></body></html>\n");
    Ok(page(Body::from(html)))
}

/// `/read/{slug}/{round}`: the round's text and comments; its results and links to its public
/// record once it is published.
pub async fn round(
    State(state): State<AppState>,
    Path((slug, round)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (consultation, row) = find_round(&state, &slug, &round).await?;
    let published = row.state.phase()? == Phase::Published;
    let base = format!(
        "/api/v1/consultations/{}/rounds/{}/record",
        esc(&consultation.slug),
        esc(&row.slug)
    );
    let mut links = format!(
        "<p class=\"meta\"><a href=\"/read\">All consultations</a> · \
         <a href=\"/c/{}/{}\">The interactive page</a></p>",
        esc(&consultation.slug),
        esc(&row.slug)
    );
    if published {
        links.push_str(&format!(
            "<p>The public record: <a href=\"{base}/bundle.zip\">signed bundle (ZIP)</a>, \
             <a href=\"{base}/record.json\">record.json</a>, \
             <a href=\"{base}/comments.csv\">comments.csv</a>, \
             <a href=\"{base}/positions.csv\">positions.csv</a>, \
             <a href=\"{base}/tallies.csv\">tallies.csv</a>, \
             <a href=\"{base}/report.html\">printable report</a>.</p>"
        ));
    } else {
        links.push_str("<p class=\"meta\">Results are shown here once the round is published.</p>");
    }
    let source = state.store.record_source().await?;
    let key = state.store.pseudonym_key().await?;
    let round_id = row.id;
    Ok(page(streamed(move |out| {
        let mut exporter = Exporter::new(source, round_id, Visibility::Public, key)?;
        write_page(&mut exporter, out, published, &links)
    })))
}
