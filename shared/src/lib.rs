//! Concord's shared vocabulary: the types of the HTTP API (`/api/v1`) and the pure domain rules
//! (validation, phases, stances, tallies) that the server enforces and the browser shows.
//!
//! This crate builds for `wasm32-unknown-unknown` and for the host; it has no I/O.

pub mod api;
pub mod deliberation;
pub mod draft;
pub mod error;
pub mod first_text;
pub mod review;
pub mod rules;
pub mod setup;

pub use api::*;
pub use deliberation::*;
pub use draft::{DraftClause, DraftText};
pub use error::{ApiError, ErrorCode, FieldError};
pub use review::*;
pub use setup::{
    ConsultationSettings, ImportedRecord, LocalTitle, NewConsultation, SettingsChange,
};
