//! The record's model: [`Record`] and its parts, whose JSON Schema is published, as JSON and
//! CSV files carry them; and who may read which ([`Visibility`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shared::Tally;

/// The version of the record's layout; an instance refuses records of a newer one.
pub const SCHEMA_VERSION: u32 = 1;

/// Who may read a record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Pseudonymous, hidden content left out; anyone may download it once results are published.
    Public,
    /// Complete, for the consultation's conveners.
    Convener,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Convener => "convener",
        }
    }
}

/// A whole round in one document (`record.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// [`SCHEMA_VERSION`] of the instance that wrote it.
    pub schema_version: u32,
    pub visibility: Visibility,
    pub consultation: ConsultationRecord,
    pub round: RoundRecord,
    /// The text's clauses in order, each with its results.
    pub clauses: Vec<ClauseRecord>,
    /// Amendments and additions proposed by participants, P1 first.
    pub proposals: Vec<ProposalRecord>,
    /// Every comment on the round's clauses and proposals, by clause then in order of writing.
    pub comments: Vec<CommentRecord>,
    /// Every position cast, changes included, by clause then in order of casting.
    pub positions: Vec<PositionRecord>,
    /// Comments hidden and restored by the conveners, in order.
    pub moderation: Vec<ModerationRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRecord {
    pub slug: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// Its title in each interface language it has one in (`en`, `fr`, `es`, `ar`). Records
    /// made before Concord named them have none; the title above then stands alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<TitleRecord>,
    /// The stakeholder groups taking part, in the order offered (all six when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stakeholder_groups: Option<Vec<String>>,
    /// The regions participants chose from, in the order offered (the UN geoscheme's
    /// sub-regions when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
}

/// A consultation's title in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleRecord {
    pub language: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundRecord {
    pub slug: String,
    pub title: String,
    /// `draft`, `commenting`, `voting`, `closed` or `published` when the record was made.
    pub phase: String,
    /// RFC 3339, UTC.
    pub opened_at: String,
    /// The round this one was opened from, by slug.
    pub previous_round: Option<String>,
    /// `person` (one position per participant) or `organisation` (one per organisation).
    pub counting: String,
    /// `majority` (of everybody) or `every_house` (a majority in every stakeholder group).
    pub rule: String,
    /// Whether abstentions count as not endorsing.
    pub abstentions_count: bool,
    /// Whether participants saw no counts until the round closed.
    pub results_hidden_until_close: bool,
    /// What the text says before its first clause (Markdown); left out when there is none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub preamble: String,
}

/// A title and body as a clause had them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    pub title: String,
    /// Markdown.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClauseRecord {
    pub number: i64,
    /// Stable across rounds.
    pub key: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The conveners' note on why the clause changed since the previous round.
    pub change_note: String,
    /// The clause in the previous round, if it was there (for the redline).
    pub previous: Option<Wording>,
    /// `full_consensus`, `consensus`, `strong_support` or `divergence`, once designated.
    pub consensus: Option<String>,
    pub results: Tallies,
    pub minority_statements: Vec<MinorityRecord>,
}

/// A person as a record names them: always by a pseudonym that is the same for them
/// throughout the consultation; by handle too in the convener record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub pseudonym: String,
    pub handle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalRecord {
    /// `proposal-N`; shown as PN.
    pub key: String,
    /// `amendment` or `addition`.
    pub kind: String,
    /// The clause an amendment rewords, by key.
    pub amends: Option<String>,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub proposer: Person,
    pub proposed_at: String,
    pub response: Option<ResponseRecord>,
    pub results: Tallies,
}

/// A convener's official response to a comment or proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseRecord {
    /// `noted`, `accepted`, `partly_accepted` or `not_accepted`.
    pub verdict: String,
    pub explanation: String,
    pub at: String,
    /// The convener's handle (convener record only).
    pub by: Option<String>,
}

/// The words of a clause a comment is about, with context to find them again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PassageRecord {
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRecord {
    /// Numbered from 1 within the round, in order of writing.
    pub id: u64,
    /// The clause or proposal, by key.
    pub clause: String,
    /// The comment that opened the thread (itself for a thread's first comment).
    pub thread: u64,
    pub parent: Option<u64>,
    pub depth: i64,
    pub author: Person,
    pub passage: Option<PassageRecord>,
    /// Markdown; `null` in the public record when the conveners hid the comment.
    pub body: Option<String>,
    /// The language its author said it is written in (`en`, `fr`, `es`, `ar`), if they did.
    #[serde(default)]
    pub language: Option<String>,
    pub posted_at: String,
    /// The round's phase when it was written.
    pub phase: String,
    pub edited_at: Option<String>,
    /// Set while the comment is hidden: the conveners' public reason.
    pub hidden_reason: Option<String>,
    pub response: Option<ResponseRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionRecord {
    /// The clause or proposal, by key.
    pub clause: String,
    /// Who cast it: the person's pseudonym.
    pub voter: Person,
    /// The organisation it was cast for (rounds counting one position per organisation), by
    /// slug.
    pub organisation: Option<String>,
    pub stakeholder_group: Option<String>,
    pub region: String,
    /// `endorse`, `endorse_with_reservation`, `oppose` or `abstain`.
    pub position: String,
    pub reason: Option<String>,
    pub cast_at: String,
    /// What the voter was given when casting: they find it here to check it was counted.
    pub receipt: String,
    /// Whether this is the voter's standing position (not changed since).
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRecord {
    pub at: String,
    pub comment: u64,
    pub clause: String,
    /// `hide` or `restore`.
    pub action: String,
    pub reason: String,
    /// The convener's handle (convener record only).
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinorityRecord {
    /// By slug.
    pub organisation: String,
    pub organisation_name: String,
    pub body: String,
    pub written_at: String,
}

/// Counts of standing positions, overall, by stakeholder group and by region, and the result
/// under the round's rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tallies {
    pub total: Counts,
    /// Groups with positions; `name` is null for positions whose group was not recorded.
    pub by_group: Vec<NamedCounts>,
    /// Regions with positions; `name` is "" for "not stated".
    pub by_region: Vec<NamedCounts>,
    /// Whether the clause carried under the round's rule.
    pub carried: bool,
    /// Each stakeholder group's house.
    pub houses: Vec<HouseRecord>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub endorse: u64,
    pub endorse_with_reservation: u64,
    pub oppose: u64,
    pub abstain: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedCounts {
    pub name: Option<String>,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseRecord {
    pub group: String,
    pub endorsing: u64,
    pub counted: u64,
    /// `null` when nobody in the house took a position.
    pub carried: Option<bool>,
}

impl From<Counts> for Tally {
    fn from(c: Counts) -> Self {
        Self {
            endorse: c.endorse,
            endorse_with_reservation: c.endorse_with_reservation,
            oppose: c.oppose,
            abstain: c.abstain,
        }
    }
}

impl From<&HouseRecord> for shared::overview::Cell {
    fn from(h: &HouseRecord) -> Self {
        Self {
            carried: h.carried,
            endorsing: h.endorsing,
            counted: h.counted,
        }
    }
}

impl From<Tally> for Counts {
    fn from(t: Tally) -> Self {
        Self {
            endorse: t.endorse,
            endorse_with_reservation: t.endorse_with_reservation,
            oppose: t.oppose,
            abstain: t.abstain,
        }
    }
}

/// The JSON Schema of [`Record`], as published at `/api/v1/schema/record.json`.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Record)).unwrap_or_default()
}
