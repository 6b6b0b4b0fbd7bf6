//! Organisations and their members.

use super::{BASE, decode, get, no_content, seg, send, unreachable, with_json};
use gloo_net::http::Request;
use shared::{
    ApiError, Membership, MembershipRequest, NewOrganisation, Organisation, RepresentativeChange,
};

/// `GET /organisations`
pub async fn list_organisations() -> Result<Vec<Organisation>, ApiError> {
    get(&format!("{BASE}/organisations")).await
}

/// `POST /organisations`
pub async fn create_organisation(new: &NewOrganisation) -> Result<Organisation, ApiError> {
    send(Request::post(&format!("{BASE}/organisations")), new).await
}

/// `POST /organisations/{slug}/membership`: ask to join.
pub async fn request_membership(slug: &str) -> Result<Membership, ApiError> {
    let url = format!("{BASE}/organisations/{}/membership", seg(slug));
    decode(Request::post(&url).send().await.map_err(unreachable)?).await
}

/// `GET /membership-requests` (administrators)
pub async fn list_membership_requests() -> Result<Vec<MembershipRequest>, ApiError> {
    get(&format!("{BASE}/membership-requests")).await
}

/// `PUT /organisations/{slug}/members/{handle}` (administrators)
pub async fn accept_membership(slug: &str, handle: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/organisations/{}/members/{}", seg(slug), seg(handle));
    no_content(Request::put(&url).send().await.map_err(unreachable)?).await
}

/// `PUT /organisations/{slug}/verification` (administrators and conveners)
pub async fn verify_organisation(slug: &str) -> Result<(), ApiError> {
    let url = format!("{BASE}/organisations/{}/verification", seg(slug));
    no_content(Request::put(&url).send().await.map_err(unreachable)?).await
}

/// `PUT /organisations/{slug}/representative` (administrators and conveners)
pub async fn set_representative(slug: &str, change: &RepresentativeChange) -> Result<(), ApiError> {
    let url = format!("{BASE}/organisations/{}/representative", seg(slug));
    let request = with_json(Request::put(&url), change)?;
    no_content(request.send().await.map_err(unreachable)?).await
}
