//! The HTTP API under `/api/v1`, one module per resource. Every handler carries a
//! `#[utoipa::path]` so the router and the OpenAPI document are built from the same list.

use crate::state::AppState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

mod account;
mod clauses;
mod comments;
mod consultations;
mod conveners;
mod following;
mod invitations;
mod organisations;
mod params;
mod passkeys;
mod positions;
mod proposals;
pub(crate) mod records;
mod reminders;
pub(crate) mod rounds;
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

/// Every API route, with the OpenAPI document describing them. `forgetting` wraps every route
/// after whose writes the store's cache is forgotten: all but a position's, whose writer keeps
/// the new results of its clause itself (see [`crate::store::cache`]).
pub fn api(
    forgetting: impl FnOnce(OpenApiRouter<AppState>) -> OpenApiRouter<AppState>,
) -> OpenApiRouter<AppState> {
    let forgetting = forgetting(
        OpenApiRouter::new()
            .merge(consultations::router())
            .merge(following::router())
            .merge(rounds::router())
            .merge(clauses::router())
            .merge(comments::router())
            .merge(proposals::router())
            .merge(conveners::router())
            .merge(invitations::router())
            .merge(organisations::router())
            .merge(session::router())
            .merge(account::router())
            .merge(passkeys::router())
            .merge(reminders::router())
            .merge(records::router()),
    );
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(forgetting)
        .merge(positions::router())
}

/// The OpenAPI document with the refusals an operation may give before its handler runs,
/// described once here rather than on each: a body that is not JSON (400), too large (413), not
/// sent with its media type (415) or not of the expected shape (422); a malformed address or
/// query (400); and on every operation, the database out of reach or the server too busy (503).
pub fn documented(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let refusal = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiError")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let body = operation.request_body.is_some();
            let parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let mut refusals = Vec::new();
            if body {
                refusals.extend([
                    (
                        "400",
                        "The body is not valid JSON (or did not arrive whole)",
                    ),
                    ("413", "The body is larger than this operation takes"),
                    (
                        "415",
                        "The body is not sent with the media type this operation takes",
                    ),
                    ("422", "The body does not have the expected fields"),
                ]);
            }
            if parameters {
                refusals.push(("400", "The address or its query is not valid"));
            }
            // Any operation may find the database unreachable or the password hashers full.
            refusals.push((
                "503",
                "The database cannot be reached, or the server is too busy to take this now; \
                 try again after `Retry-After`",
            ));
            for (status, description) in refusals {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| refusal(description));
            }
        }
    }
    doc
}
