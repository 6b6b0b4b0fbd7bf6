//! Consultations: how a participant joins one (their stakeholder group, the organisation they
//! speak for, their region), and what administrators do to one: create it, change its
//! settings, archive it.

use super::access;
use crate::refusal::Refusal;
use crate::state::AppState;
use crate::store::{Account, NewSetup, StoreError};
use shared::{
    ConsultationAccess, ConsultationSettings, FieldError, JoinConsultation, NewConsultation,
    Participation, SettingsChange,
};

/// States how `account` takes part in consultation `slug`; answers the participation stored.
pub async fn join(
    state: &AppState,
    account: &Account,
    slug: &str,
    join: &JoinConsultation,
) -> Result<Participation, StoreError> {
    let consultation = state.store.existing_consultation(slug).await?;
    if consultation.access == ConsultationAccess::Invitation {
        if state.store.takes_part(account.id, consultation.id).await? {
            return Err(Refusal::Forbidden(
                "In a consultation by invitation, your invitation set your stakeholder group.",
            )
            .into());
        }
        if !access::may_take_part(state, account, &consultation).await? {
            return Err(Refusal::NotInvited.into());
        }
    }
    access::require_changeable(&consultation)?;
    let region = join.check().map_err(Refusal::Validation)?;
    let setup = state.store.setup_of(consultation.id).await?;
    let mut broken: Vec<FieldError> =
        shared::setup::check_taking_part(&setup.stakeholder_groups, join.stakeholder_group)
            .err()
            .into_iter()
            .collect();
    // Regions come from the consultation's list, so that counts by region add up; one given
    // before the list existed is kept as it was.
    let known = setup.regions.contains(&region)
        || state
            .store
            .participations(account.id)
            .await?
            .iter()
            .any(|p| p.consultation_slug == consultation.slug && p.region == region);
    if !region.is_empty() && !known {
        broken.push(FieldError::new(
            "region",
            "unknown_region",
            "Choose a region from this consultation's list.",
        ));
    }
    if !broken.is_empty() {
        return Err(Refusal::Validation(broken).into());
    }
    let organisation_id = match &join.organisation {
        None => None,
        Some(organisation) => {
            if !state.store.is_member(account.id, organisation).await? {
                return Err(Refusal::Validation(vec![FieldError::new(
                    "organisation",
                    "not_member",
                    "You can speak only for an organisation you are a member of.",
                )])
                .into());
            }
            // An organisation speaks in its own stakeholder group, so that counts by group
            // cannot be swelled under another group's name.
            let group = state
                .store
                .organisations()
                .await?
                .into_iter()
                .find(|o| o.slug == *organisation)
                .map(|o| o.stakeholder_group);
            if group.is_some_and(|g| g != join.stakeholder_group) {
                return Err(Refusal::Validation(vec![FieldError::new(
                    "organisation",
                    "other_group",
                    "This organisation belongs to another stakeholder group: choose its group \
                     to speak for it, or take part without it.",
                )])
                .into());
            }
            state.store.organisation_id(organisation).await?
        }
    };
    state
        .store
        .join_consultation(
            consultation.id,
            account.id,
            join.stakeholder_group,
            organisation_id,
            &region,
        )
        .await?;
    state
        .store
        .participations(account.id)
        .await?
        .into_iter()
        .find(|p| p.consultation_slug == consultation.slug)
        .ok_or_else(|| StoreError::Corrupt("participation just stored is missing".into()))
}

/// Creates a consultation, by administrator `admin`; answers its slug.
pub async fn create(
    state: &AppState,
    admin: &Account,
    new: &NewConsultation,
) -> Result<String, StoreError> {
    let (slug, settings) = new.check().map_err(Refusal::Validation)?;
    let setup = NewSetup {
        slug: &slug,
        access: new.access,
        conveners: &new.conveners,
        settings: &settings,
    };
    state
        .store
        .create_consultation(&setup, None, Some(admin.id))
        .await?;
    tracing::info!(event = "consultation_created", by = admin.id, %slug, "consultation created");
    Ok(slug)
}

/// Changes the settings of consultation `slug`, by administrator `admin`.
pub async fn change(
    state: &AppState,
    admin: &Account,
    slug: &str,
    change: SettingsChange,
) -> Result<(), StoreError> {
    let consultation = state.store.existing_consultation(slug).await?;
    access::require_changeable(&consultation)?;
    let current = state.store.setup_of(consultation.id).await?;
    let settings = change
        .applied_to(ConsultationSettings {
            titles: current.titles,
            description: current.description,
            stakeholder_groups: current.stakeholder_groups,
            regions: current.regions,
        })
        .check()
        .map_err(Refusal::Validation)?;
    state
        .store
        .change_settings(consultation.id, &settings, admin.id)
        .await?;
    tracing::info!(event = "consultation_changed", by = admin.id, slug = %consultation.slug, "consultation changed");
    Ok(())
}

/// Archives consultation `slug`, by administrator `admin`: it stays readable and nothing in it
/// changes any more.
pub async fn archive(state: &AppState, admin: &Account, slug: &str) -> Result<(), StoreError> {
    let consultation = state.store.existing_consultation(slug).await?;
    if state.store.archive(consultation.id, admin.id).await? {
        tracing::info!(event = "consultation_archived", by = admin.id, slug = %consultation.slug, "consultation archived");
    }
    Ok(())
}
