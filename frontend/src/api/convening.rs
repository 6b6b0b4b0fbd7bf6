//! What conveners do besides the text: access, conveners, invitations (and their holders'
//! side), the dashboard, and the live tally.

use super::{
    BASE, consultation_url, decode, follow, get, no_content, round_url, seg, send, unreachable,
};
use gloo_net::http::Request;
use shared::{
    AccessChange, ApiError, Consultation, Convener, Dashboard, Invitation, InvitationPreview,
    InvitationToken, IssuedInvitation, LiveTally, NewInvitation, Participation,
};

/// `GET /consultations/{slug}/rounds/{round}/live`: the round's tallies for its conveners, each
/// clause's first and then each that changes.
pub fn follow_tallies(slug: &str, round: &str, on: impl FnMut(LiveTally) + 'static) {
    follow(&round_url(slug, round, "live"), "tally", on);
}

/// `GET /consultations/{slug}/dashboard` (conveners)
pub async fn dashboard(slug: &str) -> Result<Dashboard, ApiError> {
    get(&consultation_url(slug, "dashboard")).await
}

/// `PUT /consultations/{slug}/access` (conveners)
pub async fn set_access(slug: &str, change: &AccessChange) -> Result<Consultation, ApiError> {
    send(Request::put(&consultation_url(slug, "access")), change).await
}

/// `GET /consultations/{slug}/conveners` (conveners)
pub async fn list_conveners(slug: &str) -> Result<Vec<Convener>, ApiError> {
    get(&consultation_url(slug, "conveners")).await
}

/// `PUT /consultations/{slug}/conveners/{handle}` (administrators)
pub async fn add_convener(slug: &str, handle: &str) -> Result<(), ApiError> {
    let url = consultation_url(slug, &format!("conveners/{}", seg(handle)));
    no_content(Request::put(&url).send().await.map_err(unreachable)?).await
}

/// `DELETE /consultations/{slug}/conveners/{handle}` (administrators)
pub async fn remove_convener(slug: &str, handle: &str) -> Result<(), ApiError> {
    let url = consultation_url(slug, &format!("conveners/{}", seg(handle)));
    no_content(Request::delete(&url).send().await.map_err(unreachable)?).await
}

/// `GET /consultations/{slug}/invitations` (conveners)
pub async fn list_invitations(slug: &str) -> Result<Vec<Invitation>, ApiError> {
    get(&consultation_url(slug, "invitations")).await
}

/// `POST /consultations/{slug}/invitations` (conveners)
pub async fn create_invitation(
    slug: &str,
    new: &NewInvitation,
) -> Result<IssuedInvitation, ApiError> {
    send(Request::post(&consultation_url(slug, "invitations")), new).await
}

/// `DELETE /consultations/{slug}/invitations/{id}` (conveners)
pub async fn revoke_invitation(slug: &str, id: i64) -> Result<Invitation, ApiError> {
    let url = consultation_url(slug, &format!("invitations/{id}"));
    decode(Request::delete(&url).send().await.map_err(unreachable)?).await
}

/// `POST /invitations/preview`
pub async fn preview_invitation(token: &InvitationToken) -> Result<InvitationPreview, ApiError> {
    send(Request::post(&format!("{BASE}/invitations/preview")), token).await
}

/// `POST /invitations/accept`
pub async fn accept_invitation(token: &InvitationToken) -> Result<Participation, ApiError> {
    send(Request::post(&format!("{BASE}/invitations/accept")), token).await
}
