//! Clauses: read, positions cast on them, and what conveners do to them.

use super::{clause_url, decode, get, no_content, round_url, send, unreachable, with_json};
use gloo_net::http::Request;
use shared::{
    ApiError, CastPosition, Clause, ClauseEdit, ClauseTranslation, ConsensusDesignation, Language,
    MinorityStatement, NewMinorityStatement, PositionCast, Round, TranslationEdit,
};

/// `GET …/clauses/{key}`
pub async fn get_clause(slug: &str, round: &str, key: &str) -> Result<Clause, ApiError> {
    get(&clause_url(slug, round, key)).await
}

/// `PUT …/clauses/{key}/position`
pub async fn cast_position(
    slug: &str,
    round: &str,
    key: &str,
    cast: &CastPosition,
) -> Result<PositionCast, ApiError> {
    let url = format!("{}/position", clause_url(slug, round, key));
    send(Request::put(&url), cast).await
}

/// `PUT …/clauses/{key}/consensus` (conveners)
pub async fn designate_consensus(
    slug: &str,
    round: &str,
    key: &str,
    designation: &ConsensusDesignation,
) -> Result<(), ApiError> {
    let request = with_json(
        Request::put(&format!("{}/consensus", clause_url(slug, round, key))),
        designation,
    )?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `PUT …/clauses/{key}/minority-statement` (an organisation's representative)
pub async fn attach_minority_statement(
    slug: &str,
    round: &str,
    key: &str,
    statement: &NewMinorityStatement,
) -> Result<Vec<MinorityStatement>, ApiError> {
    let url = format!("{}/minority-statement", clause_url(slug, round, key));
    send(Request::put(&url), statement).await
}

/// `POST …/rounds/{round}/clauses` (conveners)
pub async fn add_clause(slug: &str, round: &str, edit: &ClauseEdit) -> Result<Round, ApiError> {
    send(Request::post(&round_url(slug, round, "clauses")), edit).await
}

/// `PUT …/clauses/{key}` (conveners)
pub async fn edit_clause(
    slug: &str,
    round: &str,
    key: &str,
    edit: &ClauseEdit,
) -> Result<Round, ApiError> {
    send(Request::put(&clause_url(slug, round, key)), edit).await
}

/// `DELETE …/clauses/{key}` (conveners)
pub async fn remove_clause(slug: &str, round: &str, key: &str) -> Result<Round, ApiError> {
    decode(
        Request::delete(&clause_url(slug, round, key))
            .send()
            .await
            .map_err(unreachable)?,
    )
    .await
}

fn translation_url(slug: &str, round: &str, key: &str, language: Language) -> String {
    format!(
        "{}/translations/{}",
        clause_url(slug, round, key),
        language.as_str()
    )
}

/// `PUT …/clauses/{key}/translations/{language}` (conveners): the clause's translations.
pub async fn translate_clause(
    slug: &str,
    round: &str,
    key: &str,
    language: Language,
    edit: &TranslationEdit,
) -> Result<Vec<ClauseTranslation>, ApiError> {
    let request = with_json(
        Request::put(&translation_url(slug, round, key, language)),
        edit,
    )?;
    decode(request.send().await.map_err(unreachable)?).await
}

/// `DELETE …/clauses/{key}/translations/{language}` (conveners): the translations left.
pub async fn remove_translation(
    slug: &str,
    round: &str,
    key: &str,
    language: Language,
) -> Result<Vec<ClauseTranslation>, ApiError> {
    let request = Request::delete(&translation_url(slug, round, key, language));
    decode(request.send().await.map_err(unreachable)?).await
}
