//! E-mail reminders: the account's address and choices, following a verification link, and
//! unsubscribing from a message.

use super::{BASE, get, no_content, seg, send, unreachable, with_json};
use gloo_net::http::Request;
use shared::ApiError;
use shared::following::{EmailSettings, EmailVerification, NewEmailAddress, Reminders};

/// `GET /account/email`
pub async fn email_settings() -> Result<EmailSettings, ApiError> {
    get(&format!("{BASE}/account/email")).await
}

/// `PUT /account/email`: sends a verification link to the address.
pub async fn set_email_address(new: &NewEmailAddress) -> Result<EmailSettings, ApiError> {
    send(Request::put(&format!("{BASE}/account/email")), new).await
}

/// `DELETE /account/email`
pub async fn delete_email_address() -> Result<(), ApiError> {
    let url = format!("{BASE}/account/email");
    no_content(Request::delete(&url).send().await.map_err(unreachable)?).await
}

/// `PUT /account/reminders/{slug}`
pub async fn set_reminders(slug: &str, chosen: &Reminders) -> Result<EmailSettings, ApiError> {
    send(
        Request::put(&format!("{BASE}/account/reminders/{}", seg(slug))),
        chosen,
    )
    .await
}

/// `POST /email-verifications`: follows a verification link.
pub async fn verify_email_address(token: String) -> Result<(), ApiError> {
    let request = with_json(
        Request::post(&format!("{BASE}/email-verifications")),
        &EmailVerification { token },
    )?;
    no_content(request.send().await.map_err(unreachable)?).await
}

/// `POST /unsubscribe?token=`: stops the kind of reminder a message was.
pub async fn unsubscribe(token: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/unsubscribe?token={}", seg(token));
    no_content(Request::post(&url).send().await.map_err(unreachable)?).await
}
