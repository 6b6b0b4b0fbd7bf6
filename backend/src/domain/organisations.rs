//! Organisations, which every consultation shares: anyone signed in adds one (self-declared,
//! and flagged when its name looks like another's), members ask to join and its representative
//! or a steward accepts them, and stewards verify it and name its representative.

use super::access;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, RepresentativeOutcome, StoreError};
use shared::{FieldError, Membership, MembershipRequest, NewOrganisation, Organisation};

/// Adds an organisation, by `account`: verified at once when a steward adds it, otherwise
/// self-declared with `account` as its first member.
pub async fn create(
    state: &AppState,
    account: &Account,
    new: &NewOrganisation,
) -> Result<Organisation, StoreError> {
    let (name, region, slug) = new.check().map_err(Refusal::Validation)?;
    let verified = access::acts_as_steward(state, account).await?;
    let looks_like = state.store.lookalike(&name).await?;
    let organisation = Organisation {
        slug,
        name,
        stakeholder_group: new.stakeholder_group,
        region,
        verified,
        representative: None,
        looks_like,
    };
    let founder = (!verified).then_some(account.id);
    state
        .store
        .create_organisation(&organisation, founder, account.id)
        .await?;
    tracing::info!(event = "organisation_created", by = account.id, verified,
        slug = %organisation.slug, "organisation created");
    if let Some(original) = &organisation.looks_like {
        tracing::warn!(event = "organisation_lookalike", by = account.id,
            slug = %organisation.slug, looks_like = %original,
            "a new organisation's name looks like an existing one's");
    }
    Ok(organisation)
}

/// Asks, as `account`, to join organisation `slug`.
pub async fn ask_to_join(
    state: &AppState,
    account: &Account,
    slug: &str,
) -> Result<Membership, StoreError> {
    let membership = state
        .store
        .request_membership(account.id, slug)
        .await?
        .ok_or(Refusal::NotFound("organisation"))?;
    tracing::info!(event = "membership_requested", account = account.id, %slug, "asked to join");
    Ok(membership)
}

/// The requests to join that `account` may accept: all of them for a steward, otherwise those
/// of the organisations it represents.
pub async fn requests_to_join(
    state: &AppState,
    account: &Account,
) -> Result<Vec<MembershipRequest>, StoreError> {
    let represented_by = (!access::acts_as_steward(state, account).await?).then_some(account.id);
    state.store.membership_requests(represented_by).await
}

/// Accepts `handle`'s request to join organisation `slug`, by its representative or a steward.
pub async fn accept_member(
    state: &AppState,
    lead: &Account,
    slug: &str,
    handle: &str,
) -> Result<(), StoreError> {
    if !state.store.accept_membership(slug, handle, lead.id).await? {
        return Err(Refusal::NotFound("request to join").into());
    }
    tracing::info!(event = "membership_accepted", by = lead.id, %slug, "request to join accepted");
    Ok(())
}

/// Verifies organisation `slug`, by a steward.
pub async fn verify(state: &AppState, steward: &Account, slug: &str) -> Result<(), StoreError> {
    if !state.store.verify_organisation(slug, steward.id).await? {
        return Err(Refusal::NotFound("organisation").into());
    }
    tracing::info!(event = "organisation_verified", by = steward.id, %slug, "organisation verified");
    Ok(())
}

/// Names member `handle` the representative of organisation `slug`, by a steward.
pub async fn name_representative(
    state: &AppState,
    steward: &Account,
    slug: &str,
    handle: &str,
) -> Result<(), StoreError> {
    let handle = handle.trim().to_lowercase();
    match state
        .store
        .set_representative(slug, &handle, steward.id)
        .await?
    {
        RepresentativeOutcome::Set => {
            tracing::info!(event = "role_changed", role = "representative", by = steward.id,
                %slug, "representative named");
            Ok(())
        }
        RepresentativeOutcome::NoSuchOrganisation => Err(Refusal::NotFound("organisation").into()),
        RepresentativeOutcome::NotAMember => Err(Refusal::Validation(vec![FieldError::new(
            "handle",
            "not_member",
            "Only a member of the organisation can represent it. Accept their request to join first.",
        )]).into()),
    }
}
