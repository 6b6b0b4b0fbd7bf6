//! The record of a round: what a convener hands a funder, a government or a court. One model
//! ([`Record`] and its parts, whose JSON Schema is published) is read from one snapshot of the
//! database ([`source`]) and written as JSON, as CSV files and as a signed ZIP bundle
//! ([`bundle`]). The comments and positions stream row by row: nothing of their size is held.
//!
//! Two visibility levels: the public record (people as pseudonyms, hidden comments without
//! their text, no convener names) and the convener record (complete). Column sets and meanings
//! are documented in `docs/records.md`.

pub mod bundle;
pub mod checks;
pub mod command;
mod files;
pub mod import;
mod model;
mod pseudonyms;
mod read;
pub mod report;
pub mod source;

pub use files::DataFile;
pub use model::{
    ClauseRecord, CommentRecord, ConsultationRecord, Counts, HouseRecord, MinorityRecord,
    ModerationRecord, NamedCounts, PassageRecord, Person, PositionRecord, ProposalRecord, Record,
    ResponseRecord, RoundRecord, SCHEMA_VERSION, Tallies, TitleRecord, Visibility, Wording, schema,
};
pub use read::{COMMENTS, Exporter, timestamp};
