//! Concord's browser application: the router, the page frame and the signed-in session.

pub mod api;
pub mod components;
pub mod drafts;
pub mod i18n;
pub mod pages;
pub mod sections;
pub mod webauthn;

use i18n::{Locale, tr, use_i18n};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::{Locale as _, td_string};
use leptos_router::components::{A, FlatRoutes, Route, Router};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{Lazy, path};
use pages::lazy;
use shared::Me;

/// Who is signed in, shared by every page.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in account, `None` when signed out.
    pub me: RwSignal<Option<Me>>,
    /// Whether the server ended the session the page thought it had (signed out on another
    /// device, expired): the forms then say so next to a way to sign in again.
    pub ended: RwSignal<bool>,
}

impl Session {
    fn new() -> Session {
        Session {
            me: RwSignal::new(None),
            ended: RwSignal::new(false),
        }
    }
}

thread_local! {
    /// The application's session, for the calls to the server that learn it has ended.
    static SESSION: std::cell::Cell<Option<Session>> = const { std::cell::Cell::new(None) };
}

/// The session context.
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(Session::new)
}

/// The server answered that nobody is signed in: every part of the page that shows who is
/// signed in, or a form only they may use, changes.
///
/// Not at once but in the browser's next task: the form that asked is still setting its own
/// signals (its error, its busy state), and the effects showing them must run before the form
/// goes. Leptos runs an effect already told of a change even if its owner went since, and one
/// that then reads a signal of the gone form stops the whole page (issue 18).
pub fn session_ended() {
    if let Some(session) = SESSION.get() {
        set_timeout(
            move || {
                if session.me.with_untracked(Option::is_some) {
                    session.ended.set(true);
                    session.me.set(None);
                }
            },
            std::time::Duration::ZERO,
        );
    }
}

/// A link to `page` (`/signin` or `/signup`) that brings the person back here afterwards.
pub fn account_href(page: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let location = use_location();
    move || {
        let path = location.pathname.get();
        if path.starts_with("/sign") {
            page.to_owned()
        } else {
            format!("{page}?next={}", js_sys::encode_uri_component(&path))
        }
    }
}

/// The application: header and routed page.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    SESSION.set(Some(session));
    // Signing in again ends the notice of an ended session.
    Effect::new(move |_| {
        if session.me.with(Option::is_some) {
            session.ended.set(false);
        }
    });
    // Sent with the page when the server started it with its text; asked for otherwise.
    match api::session_sent_with_page() {
        Some(me) => session.me.set(me),
        None => spawn_local(async move {
            if let Ok(me) = api::get_session().await {
                session.me.set(me);
            }
        }),
    }

    i18n::provide_i18n();
    view! { <Frame /> }
}

/// Skip link, header and the routed page, inside the translation context.
#[component]
fn Frame() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Router>
            <a class="skip-link" href="#main">{tr!(i18n, skip_to_content)}</a>
            <Header />
            <PageChange />
            <main id="main" tabindex="-1">
                <FlatRoutes fallback=|| lazy::lazily(lazy::not_found)>
                    <Route path=path!("/") view={Lazy::<lazy::HomeRoute>::new()} />
                    <Route path=path!("/signin") view={Lazy::<lazy::SignInRoute>::new()} />
                    <Route path=path!("/signup") view={Lazy::<lazy::SignUpRoute>::new()} />
                    <Route path=path!("/account") view={Lazy::<lazy::AccountRoute>::new()} />
                    <Route path=path!("/organisations") view={Lazy::<lazy::OrganisationsRoute>::new()} />
                    <Route path=path!("/invitation") view={Lazy::<lazy::InvitationRoute>::new()} />
                    <Route path=path!("/email/verify") view={Lazy::<lazy::EmailVerifyRoute>::new()} />
                    <Route path=path!("/unsubscribe") view={Lazy::<lazy::UnsubscribeRoute>::new()} />
                    <Route path=path!("/new") view={Lazy::<lazy::NewConsultationRoute>::new()} />
                    <Route path=path!("/import/:slug") view={Lazy::<lazy::ImportRoute>::new()} />
                    <Route path=path!("/convene/:slug") view={Lazy::<lazy::ConveneRoute>::new()} />
                    <Route path=path!("/convene/:slug/:round") view={Lazy::<lazy::DraftRoute>::new()} />
                    <Route path=path!("/c/:slug") view={Lazy::<lazy::RoundRoute>::new()} />
                    <Route path=path!("/c/:slug/moderation") view={Lazy::<lazy::ModerationRoute>::new()} />
                    <Route path=path!("/c/:slug/:round") view={Lazy::<lazy::RoundRoute>::new()} />
                    <Route path=path!("/c/:slug/:round/results") view={Lazy::<lazy::ResultsRoute>::new()} />
                    <Route path=path!("/c/:slug/:round/changes") view={Lazy::<lazy::ChangesRoute>::new()} />
                    <Route path=path!("/c/:slug/:round/:key") view=pages::ClausePage />
                </FlatRoutes>
            </main>
        </Router>
    }
}

/// Switches the interface to the language the menu that sent `ev` shows.
fn choose_language(ev: &impl AsRef<web_sys::Event>, i18n: i18n::I18n) {
    let chosen = event_target_value(ev.as_ref());
    if let Some(&locale) = Locale::get_all().iter().find(|l| l.as_str() == chosen)
        && locale != i18n.get_locale_untracked()
    {
        i18n.set_locale(locale);
    }
}

/// After the reader moves to another page, the keyboard's focus goes to its heading and screen
/// readers are told its name (a page drawn in place is otherwise silent, and the focus falls to
/// the top of the document).
#[component]
fn PageChange() -> impl IntoView {
    let location = use_location();
    let announced = RwSignal::new(String::new());
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_none() {
            take_over_from_first_text();
        }
        if previous.is_some_and(|p| p != path) {
            // What the server sent with the first page is that page's alone.
            api::forget_preloaded();
            let before = document().query_selector("main h1").ok().flatten();
            focus_new_heading(before, announced, 50);
        }
        path
    });
    view! { <p class="visually-hidden" role="status" id="page-announcement">{move || announced.get()}</p> }
}

/// Removes the text the server sent with the page (see `shared::first_text`) as soon as the app
/// has drawn the page in its place — its heading, or the notice of an error — in the same task
/// (a mutation observer), so that nobody sees both or neither. However slow the link, the
/// server's text stays until then.
fn take_over_from_first_text() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let id = shared::first_text::FIRST_TEXT_ID;
    let remove = move || {
        if let Some(first) = document().get_element_by_id(id) {
            first.remove();
        }
    };
    let take_over = move || {
        let drawn = document()
            .query_selector("main#main h1, main#main [role='alert']")
            .ok()
            .flatten()
            .is_some();
        if drawn {
            remove();
        }
        drawn
    };
    if document().get_element_by_id(id).is_none() || take_over() {
        return;
    }
    let watch = Closure::<dyn FnMut(js_sys::Array, web_sys::MutationObserver)>::new(
        move |_: js_sys::Array, observer: web_sys::MutationObserver| {
            if take_over() {
                observer.disconnect();
            }
        },
    );
    let options = web_sys::MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    let watching = web_sys::MutationObserver::new(watch.as_ref().unchecked_ref())
        .ok()
        .zip(document().body())
        .is_some_and(|(observer, body)| observer.observe_with_options(&body, &options).is_ok());
    if watching {
        // Once per page load; it lives until the observer lets go of it.
        watch.forget();
    } else {
        // No way to watch: the app shows at once rather than stay out of sight.
        remove();
    }
}

/// Focuses the page's `<h1>` once it is drawn (a page whose code or data is on its way keeps
/// the last page's heading meanwhile: `before`), trying every 100 ms `tries` times more —
/// unless the reader is in a field already, whose typing it would cut off.
fn focus_new_heading(before: Option<web_sys::Element>, announced: RwSignal<String>, tries: u32) {
    use wasm_bindgen::JsCast;
    let heading = document()
        .query_selector("main h1")
        .ok()
        .flatten()
        .filter(|h| before.as_ref() != Some(h))
        .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
    // A reader who already went on into a field of the new page keeps it.
    let typing = document()
        .active_element()
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
    match heading {
        Some(heading) if typing => {
            let name = heading.text_content().unwrap_or_default();
            document().set_title(&format!("{} — Concord", name.trim()));
            announced.set(name);
        }
        Some(heading) => {
            let _ = heading.set_attribute("tabindex", "-1");
            let _ = heading.focus();
            let name = heading.text_content().unwrap_or_default();
            document().set_title(&format!("{} — Concord", name.trim()));
            announced.set(name);
        }
        None if tries > 0 => set_timeout(
            move || focus_new_heading(before, announced, tries - 1),
            std::time::Duration::from_millis(100),
        ),
        None => {}
    }
}

/// Site name, navigation, account links and the language switcher.
#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let sign_out = Action::new_local(move |_: &()| async move { api::sign_out().await });
    // Whether the reader is stepping through the language menu with the keyboard.
    let stepping = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            session.me.set(None);
            navigate("/", Default::default());
        }
    });

    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">"Concord"</A>
            <nav aria-label=move || td_string!(i18n.get_locale(), main_navigation)>
                <A href="/">{tr!(i18n, consultations)}</A>" "
                <A href="/organisations">{tr!(i18n, organisations)}</A>
            </nav>
            <div class="account">
                {move || match session.me.get() {
                    Some(me) => view! {
                        <span class="signed-in">
                            {tr!(i18n, signed_in_as)}" "
                            <A href="/account" attr:id="signed-in-handle">{me.handle}</A>
                        </span>
                        <button
                            type="button"
                            id="sign-out"
                            on:click=move |_| { sign_out.dispatch(()); }
                            disabled=move || sign_out.pending().get()
                        >
                            {tr!(i18n, sign_out)}
                        </button>
                    }
                    .into_any(),
                    None => view! {
                        <a href=account_href("/signin") id="sign-in-link">{tr!(i18n, sign_in)}</a>
                        <a href=account_href("/signup") id="sign-up-link">{tr!(i18n, sign_up)}</a>
                    }
                    .into_any(),
                }}
            </div>
            <label class="language">
                <span class="visually-hidden">{tr!(i18n, language)}</span>
                // A choice made with the arrow keys (each step of which the browser reports as a
                // change) applies once confirmed with Enter or on leaving the menu; one made
                // with the mouse or by touch applies at once.
                <select
                    on:keydown=move |ev| match ev.key().as_str() {
                        "Enter" | " " => {
                            stepping.set(false);
                            choose_language(&ev, i18n);
                        }
                        key if key.starts_with("Arrow")
                            || matches!(key, "Home" | "End" | "PageUp" | "PageDown") => {
                            stepping.set(true);
                        }
                        _ => {}
                    }
                    on:pointerdown=move |_| stepping.set(false)
                    on:change=move |ev| {
                        if !stepping.get_untracked() {
                            choose_language(&ev, i18n);
                        }
                    }
                    on:blur=move |ev| {
                        if stepping.get_untracked() {
                            stepping.set(false);
                            choose_language(&ev, i18n);
                        }
                    }
                >
                    {Locale::get_all()
                        .iter()
                        .map(|&locale| {
                            view! {
                                <option
                                    value=locale.as_str()
                                    lang=locale.as_str()
                                    selected=move || i18n.get_locale() == locale
                                >
                                    {td_string!(locale, language_name)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        </header>
    }
}
