//! Pages a reader of a clause does not need, each compiled into its own piece of wasm that the
//! browser fetches when the page is first opened (Leptos's lazy routes, split by
//! `scripts/build-frontend` with wasm-split). The home page, the sign-in forms and the clause
//! page stay in the first download.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// Declares a lazily loaded route showing `$view`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $name:ident => $view:expr) => {
        $(#[$doc])*
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    };
}

lazy_page!(
    /// The account page.
    SettingsRoute => view! { <super::Settings /> });
lazy_page!(
    /// The organisations page.
    OrganisationsRoute => view! { <super::Organisations /> });
lazy_page!(
    /// An invitation's page.
    InvitationRoute => view! { <super::InvitationPage /> });
lazy_page!(
    /// The conveners' page of a consultation.
    ConveneRoute => view! { <super::ConvenePage /> });
lazy_page!(
    /// The draft editor of a round.
    DraftRoute => view! { <super::DraftEditor /> });
lazy_page!(
    /// A consultation's or a round's page.
    RoundRoute => view! { <super::RoundPage /> });
lazy_page!(
    /// The public moderation log.
    ModerationRoute => view! { <super::ModerationLogPage /> });
lazy_page!(
    /// A round's published results.
    ResultsRoute => view! { <super::ResultsPage /> });
lazy_page!(
    /// A round's whole text with its changes.
    ChangesRoute => view! { <super::ChangesPage /> });
