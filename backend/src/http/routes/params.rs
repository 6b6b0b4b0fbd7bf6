//! The path parameters routes share, described once for the OpenAPI document (utoipa reads
//! these types; the handlers read the same segments through `ApiPath`).
#![allow(dead_code)] // the fields are read by utoipa's derive only

/// The path parameter that names a consultation.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConsultationParams {
    /// The consultation's slug
    slug: String,
}

/// The path parameters that name a round.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RoundParams {
    /// The consultation's slug
    slug: String,
    /// The round's slug
    round: String,
}

/// The path parameters that name a clause (for the OpenAPI document).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClauseParams {
    /// The consultation's slug.
    slug: String,
    /// The round's slug, e.g. `2019`.
    round: String,
    /// The clause's stable key.
    key: String,
}

/// The path parameter that names an organisation.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrganisationParams {
    /// The organisation's slug
    slug: String,
}
