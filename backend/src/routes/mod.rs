//! The HTTP API under `/api/v1`, one module per resource. Every handler carries a
//! `#[utoipa::path]` so the router and the OpenAPI document are built from the same list.

use crate::state::AppState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

mod account;
mod clauses;
pub(crate) mod consultations;
mod convening;
mod deliberation;
mod invitations;
mod organisations;
pub(crate) mod records;
mod rounds;
mod session;

/// The OpenAPI document's header.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Concord API",
        description = "Open consultations on a shared text reviewed every year. Every error \
                       answers with an ApiError body carrying a stable code.",
    ),
    tags(
        (name = "consultations", description = "Consultations, rounds and their text"),
        (name = "clauses", description = "A clause, its comments and positions"),
        (name = "session", description = "Accounts and sign-in"),
        (name = "organisations", description = "Organisations and their stakeholder groups"),
        (name = "convening", description = "What a consultation's conveners do"),
        (name = "invitations", description = "Invitation links, as their holders see them"),
        (name = "records", description = "Records of a round: data files, signed bundles, their schema and key"),
    )
)]
struct ApiDoc;

/// Every API route, with the OpenAPI document describing them.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(consultations::router())
        .merge(clauses::router())
        .merge(deliberation::router())
        .merge(session::router())
        .merge(account::router())
        .merge(organisations::router())
        .merge(convening::router())
        .merge(invitations::router())
        .merge(rounds::router())
        .merge(records::router())
}
