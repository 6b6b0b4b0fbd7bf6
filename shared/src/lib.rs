//! Concord's shared vocabulary: the types of the HTTP API (`/api/v1`) and the pure domain rules
//! (validation, phases, stances, tallies) that the server enforces and the browser shows.
//!
//! This crate builds for `wasm32-unknown-unknown` and for the host; it has no I/O.

pub mod api;
pub mod deliberation;
pub mod draft;
pub mod error;
pub mod first_text;
pub mod following;
pub mod overview;
pub mod redline;
pub mod review;
pub mod rules;
pub mod setup;

pub use api::*;
pub use deliberation::*;
pub use draft::{DraftClause, DraftText};
pub use error::{ApiError, ErrorCode, FieldError};
pub use redline::{Change, RedlineSegment};
pub use review::*;
pub use setup::{
    ConsultationSettings, ImportedRecord, LocalTitle, NewConsultation, SettingsChange,
};

/// Text made safe for HTML, in an element or a quoted attribute.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
