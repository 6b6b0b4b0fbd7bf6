//! The ways to follow a consultation with no account: its feed, the round's feed and its
//! calendar, as links on the page and as `<link rel="alternate">` in the document's head, where
//! browsers and feed readers look for feeds.

use crate::i18n::{tr, use_i18n};
use leptos::prelude::*;
use shared::following::{calendar_path, consultation_feed_path, round_feed_path};

/// The follow links of consultation `slug` and, when given, of its round `round`.
#[component]
pub fn FollowLinks(slug: String, round: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    // In the interface's language, for feed readers and calendar apps that do not say theirs.
    let lang = crate::i18n::language_of(i18n.get_locale_untracked()).as_str();
    let feed = format!("{}?lang={lang}", consultation_feed_path(&slug));
    let round_feed = round
        .as_deref()
        .map(|r| format!("{}?lang={lang}", round_feed_path(&slug, r)));
    let calendar = format!("{}?lang={lang}", calendar_path(&slug));
    announce_feeds(&feed, round_feed.as_deref());
    view! {
        <section class="follow" id="follow" aria-labelledby="follow-heading">
            <h2 id="follow-heading">{tr!(i18n, follow_heading)}</h2>
            <p class="help">{tr!(i18n, follow_help)}</p>
            <ul class="follow-links">
                <li><a href=feed type="application/atom+xml" id="follow-feed">{tr!(i18n, follow_feed)}</a></li>
                {round_feed.map(|href| view! {
                    <li><a href=href type="application/atom+xml" id="follow-round-feed">{tr!(i18n, follow_round_feed)}</a></li>
                })}
                <li><a href=calendar type="text/calendar" id="follow-calendar">{tr!(i18n, follow_calendar)}</a></li>
            </ul>
        </section>
    }
}

/// Puts this page's feeds in the document's head in place of any there before (the server's,
/// or another page's), and takes them out when the page goes.
fn announce_feeds(feed: &str, round_feed: Option<&str>) {
    const FEEDS: &str = "link[rel='alternate'][type='application/atom+xml']";
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let clear = move |document: &web_sys::Document| {
        while let Ok(Some(link)) = document.query_selector(FEEDS) {
            link.remove();
        }
    };
    clear(&document);
    let Ok(Some(head)) = document.query_selector("head") else {
        return;
    };
    for href in std::iter::once(feed).chain(round_feed) {
        if let Ok(link) = document.create_element("link") {
            let _ = link.set_attribute("rel", "alternate");
            let _ = link.set_attribute("type", "application/atom+xml");
            let _ = link.set_attribute("href", href);
            let _ = head.append_child(&link);
        }
    }
    on_cleanup(move || {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            clear(&document);
        }
    });
}
