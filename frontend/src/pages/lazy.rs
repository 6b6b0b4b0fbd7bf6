//! What a first visit to a clause does not need, compiled into pieces of wasm of their own that
//! the browser fetches when first shown (split by `scripts/build-frontend` with wasm-split):
//! every page but the clause page (Leptos's lazy routes), and the clause page's forms
//! (`lazily`, with functions marked `#[leptos::lazy]`).

use crate::components::Loading;
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// A view whose code is fetched the first time it is shown: `load` calls a `#[leptos::lazy]`
/// function, so only call this where the view is actually shown.
pub(crate) fn lazily<F>(load: impl FnOnce() -> F + Send + 'static) -> impl IntoView
where
    F: std::future::Future<Output = AnyView> + Send + 'static,
{
    // On a slow connection the reader is told that the form is on its way.
    piece(ViewFnOnce::from(Loading), load)
}

/// [`lazily`], saying nothing while the code is on its way: for small additions shown many
/// times on a page (each comment's buttons), where one "Loading" per comment would be noise.
pub(crate) fn lazily_quietly<F>(load: impl FnOnce() -> F + Send + 'static) -> impl IntoView
where
    F: std::future::Future<Output = AnyView> + Send + 'static,
{
    piece(ViewFnOnce::from(|| ()), load)
}

fn piece<F>(fallback: ViewFnOnce, load: impl FnOnce() -> F + Send + 'static) -> impl IntoView
where
    F: std::future::Future<Output = AnyView> + Send + 'static,
{
    // A transition, not a suspense: the forms read the clause, and a suspense would hide them
    // (and the reader's focus with them) each time the clause is fetched again.
    view! { <Transition fallback>{Suspend::new(load())}</Transition> }
}

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
    /// The list of consultations.
    HomeRoute => view! { <super::Home /> });
lazy_page!(
    /// The sign-in form.
    SignInRoute => view! { <super::SignIn sign_up=false /> });
lazy_page!(
    /// The form creating an account.
    SignUpRoute => view! { <super::SignIn sign_up=true /> });
lazy_page!(
    /// The account page.
    AccountRoute => view! { <super::AccountPage /> });
lazy_page!(
    /// The organisations page.
    OrganisationsRoute => view! { <super::Organisations /> });
lazy_page!(
    /// An invitation's page.
    InvitationRoute => view! { <super::InvitationPage /> });
lazy_page!(
    /// The page a verification link opens.
    EmailVerifyRoute => view! { <super::EmailVerifyPage /> });
lazy_page!(
    /// The page an unsubscribe link opens.
    UnsubscribeRoute => view! { <super::UnsubscribePage /> });
lazy_page!(
    /// The conveners' page of a consultation.
    ConveneRoute => view! { <super::ConvenePage /> });
lazy_page!(
    /// The form creating a consultation.
    NewConsultationRoute => view! { <super::NewConsultationPage /> });
lazy_page!(
    /// Importing a round's text from a document.
    ImportRoute => view! { <super::ImportPage /> });
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

/// The page for an address that leads nowhere.
#[leptos::lazy]
pub(crate) fn not_found() -> AnyView {
    view! { <super::NotFound /> }.into_any()
}
