//! Live updates through server-sent events: every position cast is announced to the conveners
//! watching its round's tally, and every new or changed comment to everyone reading its clause.
//! With SQLite (one process) the announcement goes straight to the watchers; with PostgreSQL it
//! goes through `NOTIFY`, and every process — the one that wrote included — hears it with
//! `LISTEN` ([`pg`]) and tells its own watchers, so a change on one process reaches watchers
//! connected to another. Every live route is one [`Following::events`] with its own filter.

mod hub;
mod pg;

pub use hub::{Announcement, CommentEvent, Following, Hub, LiveEvents};
pub use pg::listen;
