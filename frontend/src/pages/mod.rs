//! One routed page per file.

mod account;
mod changes;
pub(crate) mod clause;
mod convene;
mod convening_rounds;
mod dashboard;
mod email_links;
mod home;
mod import;
mod invitation;
pub mod lazy;
mod moderation;
mod new_consultation;
mod not_found;
mod organisations;
pub(crate) mod proposals;
mod results;
mod round;
mod sign_in;

pub use account::AccountPage;
pub use changes::ChangesPage;
pub use clause::ClausePage;
pub use convene::ConvenePage;
pub use convening_rounds::DraftEditor;
pub use email_links::{EmailVerifyPage, UnsubscribePage};
pub use home::Home;
pub use import::ImportPage;
pub use invitation::InvitationPage;
pub use moderation::ModerationLogPage;
pub use new_consultation::NewConsultationPage;
pub use not_found::NotFound;
pub use organisations::Organisations;
pub use results::ResultsPage;
pub use round::RoundPage;
pub use sign_in::SignIn;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A path parameter of the current route, reactive; empty when absent.
pub(crate) fn param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}
