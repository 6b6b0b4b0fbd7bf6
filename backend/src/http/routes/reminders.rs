//! E-mail reminders: an account's address and what it hears about (only the account sees
//! them), following the verification link sent to the address, and the one-click unsubscribe
//! of RFC 8058 that needs no sign-in.

use super::params::ConsultationParams;
use crate::domain::reminders;
use crate::http::auth::SignedIn;
use crate::http::error::AppError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::ApiError;
use shared::following::{EmailSettings, EmailVerification, NewEmailAddress, Reminders};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            email_settings,
            set_email_address,
            delete_email_address
        ))
        .routes(routes!(set_reminders))
        .routes(routes!(verify_email_address))
        .routes(routes!(unsubscribe))
}

/// The account's e-mail address and reminders; `available: false` alone when this server
/// sends no e-mail.
#[utoipa::path(get, path = "/api/v1/account/email", tag = "session",
    responses((status = 200, body = EmailSettings), (status = 401, body = ApiError)))]
async fn email_settings(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<ApiJson<EmailSettings>, AppError> {
    Ok(ApiJson(reminders::settings(&state, &account).await?))
}

/// Gives the account an address for reminders (replacing any other) and sends it a link to
/// verify it, valid 24 hours; at most five links an hour. Nothing else is sent to it until it is
/// verified.
#[utoipa::path(put, path = "/api/v1/account/email", tag = "session",
    request_body = NewEmailAddress,
    responses(
        (status = 202, body = EmailSettings, description = "The link is on its way"),
        (status = 401, body = ApiError),
        (status = 409, body = ApiError, description = "This server sends no e-mail"),
        (status = 422, body = ApiError, description = "Not an e-mail address"),
        (status = 429, body = ApiError, description = "Five links were sent for this account in the last hour"),
    ))]
async fn set_email_address(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiJson(new): ApiJson<NewEmailAddress>,
) -> Result<(StatusCode, ApiJson<EmailSettings>), AppError> {
    reminders::set_address(&state, &account, &new).await?;
    let settings = reminders::settings(&state, &account).await?;
    Ok((StatusCode::ACCEPTED, ApiJson(settings)))
}

/// Forgets the account's address, and every message to it not yet sent.
#[utoipa::path(delete, path = "/api/v1/account/email", tag = "session",
    responses((status = 204), (status = 401, body = ApiError)))]
async fn delete_email_address(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
) -> Result<StatusCode, AppError> {
    reminders::remove_address(&state, &account).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets what the account hears about in one consultation.
#[utoipa::path(put, path = "/api/v1/account/reminders/{slug}", tag = "session",
    params(ConsultationParams), request_body = Reminders,
    responses(
        (status = 200, body = EmailSettings),
        (status = 401, body = ApiError),
        (status = 404, body = ApiError),
        (status = 409, body = ApiError, description = "This server sends no e-mail"),
    ))]
async fn set_reminders(
    State(state): State<AppState>,
    SignedIn(account): SignedIn,
    ApiPath(slug): ApiPath<String>,
    ApiJson(chosen): ApiJson<Reminders>,
) -> Result<ApiJson<EmailSettings>, AppError> {
    reminders::choose(&state, &account, &slug, chosen).await?;
    Ok(ApiJson(reminders::settings(&state, &account).await?))
}

/// Follows a verification link: its token (sent after `#`, so that it never reaches a log)
/// verifies the address it was sent to. Works once, for 24 hours, signed in or not.
#[utoipa::path(post, path = "/api/v1/email-verifications", tag = "session",
    request_body = EmailVerification,
    responses(
        (status = 204, description = "The address is verified"),
        (status = 404, body = ApiError, description = "No such link, or one for an address since replaced"),
        (status = 409, body = ApiError, description = "Followed already, or this server sends no e-mail"),
        (status = 410, body = ApiError, description = "The link has expired"),
    ))]
async fn verify_email_address(
    State(state): State<AppState>,
    ApiJson(link): ApiJson<EmailVerification>,
) -> Result<StatusCode, AppError> {
    reminders::verify(&state, &link.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?token=`: the token a message carried in its unsubscribe link.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UnsubscribeQuery {
    /// The token of the message's `List-Unsubscribe` address.
    token: String,
}

/// Stops the kind of reminder the message carrying the token was (RFC 8058 one-click: a mail
/// client POSTs `List-Unsubscribe=One-Click`; the body is not read). No sign-in needed.
#[utoipa::path(post, path = "/api/v1/unsubscribe", tag = "session",
    params(UnsubscribeQuery),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 404, body = ApiError, description = "No message carried this token"),
    ))]
async fn unsubscribe(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<UnsubscribeQuery>,
) -> Result<StatusCode, AppError> {
    reminders::unsubscribe(&state, &query.token).await?;
    Ok(StatusCode::NO_CONTENT)
}
