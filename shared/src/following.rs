//! Where anyone follows a consultation with no account: its Atom feeds and its calendar.

/// The address of a consultation's Atom feed, from the site's root.
pub fn consultation_feed_path(slug: &str) -> String {
    format!("/api/v1/consultations/{slug}/feed.atom")
}

/// The address of a round's Atom feed, from the site's root.
pub fn round_feed_path(slug: &str, round: &str) -> String {
    format!("/api/v1/consultations/{slug}/rounds/{round}/feed.atom")
}

/// The address of a consultation's calendar (iCalendar), from the site's root.
pub fn calendar_path(slug: &str) -> String {
    format!("/api/v1/consultations/{slug}/calendar.ics")
}
