//! Consultations: listed, read, created, changed, archived and joined; a draft's preview; a
//! round's record files.

use super::{BASE, consultation_url, decode, get, round_url, seg, send, unreachable};
use gloo_net::http::Request;
use shared::{
    ApiError, Consultation, ConsultationSettings, ConsultationSummary, DraftText, ImportedRecord,
    JoinConsultation, NewConsultation, Participation,
};

/// `GET /consultations`
pub async fn list_consultations() -> Result<Vec<ConsultationSummary>, ApiError> {
    get(&format!("{BASE}/consultations")).await
}

/// `POST /consultations` (administrators)
pub async fn create_consultation(new: &NewConsultation) -> Result<Consultation, ApiError> {
    send(Request::post(&format!("{BASE}/consultations")), new).await
}

/// `PUT /consultations/{slug}` (administrators)
pub async fn change_consultation(
    slug: &str,
    settings: &ConsultationSettings,
) -> Result<Consultation, ApiError> {
    send(
        Request::put(&format!("{BASE}/consultations/{}", seg(slug))),
        settings,
    )
    .await
}

/// `POST /consultations/{slug}/archive` (administrators)
pub async fn archive_consultation(slug: &str) -> Result<Consultation, ApiError> {
    let url = consultation_url(slug, "archive");
    decode(Request::post(&url).send().await.map_err(unreachable)?).await
}

/// `POST /consultations/{slug}/text-preview` (conveners): how a document (a `File`, or pasted
/// text) of `media_type` would be cut into clauses; nothing is saved.
pub async fn preview_text(
    slug: &str,
    media_type: &str,
    document: wasm_bindgen::JsValue,
) -> Result<DraftText, ApiError> {
    let request = Request::post(&consultation_url(slug, "text-preview"))
        .header("Content-Type", media_type)
        .body(document)
        .map_err(unreachable)?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// `POST /imports` (administrators): a consultation from another instance's record `bundle`
/// (a `File`), checked against that instance's public `key` (the key line of its `.pub`).
pub async fn import_record(
    bundle: wasm_bindgen::JsValue,
    key: &str,
) -> Result<ImportedRecord, ApiError> {
    let request = Request::post(&format!("{BASE}/imports"))
        .header("Content-Type", "application/zip")
        .header("Concord-Public-Key", key)
        .body(bundle)
        .map_err(unreachable)?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// `GET /consultations/{slug}`
pub async fn get_consultation(slug: &str) -> Result<Consultation, ApiError> {
    get(&format!("{BASE}/consultations/{}", seg(slug))).await
}

/// `PUT /consultations/{slug}/participation`: state one's stakeholder group.
pub async fn join_consultation(
    slug: &str,
    join: &JoinConsultation,
) -> Result<Participation, ApiError> {
    send(Request::put(&consultation_url(slug, "participation")), join).await
}

/// Where a file of a round's record downloads: `…/record/{file}`, the convener record with
/// `convener`. (A link, not a fetch: the browser saves it.)
pub fn record_url(slug: &str, round: &str, file: &str, convener: bool) -> String {
    let url = round_url(slug, round, &format!("record/{}", seg(file)));
    if convener {
        format!("{url}?visibility=convener")
    } else {
        url
    }
}
