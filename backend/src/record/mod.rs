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
pub mod import;
pub mod report;
pub mod source;

use crate::store::results_from;
use anyhow::{Context, Result, bail};
use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use shared::{Results, Rule, Tally, chambered};
use source::Source;
use std::collections::HashMap;
use std::io::Write;
use std::sync::LazyLock;

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

/// A time kept in milliseconds since the Unix epoch, as RFC 3339 in UTC.
pub fn timestamp(ms: i64) -> String {
    let since = std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + since).to_string()
}

/// A participant's moment, as [`Exporter::moment`] gives it.
fn moment(to_the_millisecond: bool, ms: i64) -> String {
    if to_the_millisecond {
        timestamp(ms)
    } else {
        timestamp(ms - ms.rem_euclid(24 * 60 * 60 * 1000))
    }
}

/// The round a record is of, as the exporter found it.
#[derive(Debug, Clone)]
pub struct Header {
    pub consultation_id: i64,
    pub round_id: i64,
    pub consultation: ConsultationRecord,
    pub round: RoundRecord,
    /// The audit chain's last entry when the snapshot was taken: id and hash.
    pub audit_head: (i64, String),
}

/// Reads one round's record out of a [`Source`].
pub struct Exporter {
    source: Box<dyn Source>,
    pub visibility: Visibility,
    pub header: Header,
    pseudonyms: Pseudonyms,
    /// The database ids of the round's comments in order: a comment's record id is its place.
    comment_ids: Option<Vec<i64>>,
}

/// Stable pseudonyms: an HMAC of the consultation and the account under the instance's key,
/// so the same person has the same pseudonym throughout a consultation and different ones in
/// different consultations, and nobody without the key can tell who it is.
///
/// In the public record a person's positions go under a pseudonym of their own, other than the
/// one of their comments and proposals: those are public under handles, so a shared pseudonym
/// would tell whose positions are whose (see `docs/security.md`).
struct Pseudonyms {
    mac: Hmac<Sha256>,
    consultation_id: i64,
    /// Positions' pseudonyms are the round's own: a person's stand cannot be followed from
    /// one round's public record to the next.
    round_id: i64,
    /// The pseudonyms of people imported with a record, as that record gave them.
    known: HashMap<i64, String>,
    /// Pseudonyms made here, by account and side.
    made: HashMap<(i64, Side), String>,
    /// Whether positions have pseudonyms of their own (the public record).
    split: bool,
}

/// What a pseudonym stands for in a record: what someone wrote, or how they stood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Writing,
    Standing,
}

impl Pseudonyms {
    fn of(&mut self, account_id: i64, side: Side) -> String {
        if let Some(known) = self.known.get(&account_id) {
            return known.clone();
        }
        let side = if self.split { side } else { Side::Writing };
        let (mac, consultation_id, round_id) = (&self.mac, self.consultation_id, self.round_id);
        self.made
            .entry((account_id, side))
            .or_insert_with(|| {
                let mut mac = mac.clone();
                let subject = match side {
                    Side::Writing => format!("{consultation_id}:{account_id}"),
                    Side::Standing => {
                        format!("{consultation_id}:{round_id}:{account_id}:standing")
                    }
                };
                mac.update(subject.as_bytes());
                let digest = mac.finalize().into_bytes();
                let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!("p-{hex}")
            })
            .clone()
    }
}

const HEADER: &str = "SELECT c.id, c.slug, c.title, c.description, r.slug, r.title, r.phase, \
     r.opened_at_ms, p.slug, r.counting, r.rule, r.abstentions_count, r.hide_results, \
     (SELECT last_id FROM audit_head), (SELECT last_hash FROM audit_head), r.preamble_md, \
     c.stakeholder_groups FROM rounds r JOIN consultations c ON c.id = r.consultation_id \
     LEFT JOIN rounds p ON p.id = r.previous_round_id WHERE r.id = $1";

/// A consultation's titles, in the interface's order of languages.
const TITLES: &str = "SELECT language, title FROM consultation_titles WHERE consultation_id = $1 \
     ORDER BY CASE language WHEN 'en' THEN 0 WHEN 'fr' THEN 1 WHEN 'es' THEN 2 ELSE 3 END";

const REGIONS: &str =
    "SELECT name FROM consultation_regions WHERE consultation_id = $1 ORDER BY position";

const CLAUSES: &str = "SELECT k.number, k.key, k.title, k.body_md, k.change_note, k.consensus, \
     pk.title, pk.body_md FROM clauses k \
     LEFT JOIN clauses pk ON pk.round_id = (SELECT previous_round_id FROM rounds WHERE id = $1) \
       AND pk.key = k.key AND pk.kind = 'text' \
     WHERE k.round_id = $1 AND k.kind = 'text' ORDER BY k.number";

const PROPOSALS: &str = "SELECT k.key, k.kind, a.key, k.title, k.body_md, k.proposed_by, \
     COALESCE(hp.handle, h.handle), k.proposed_at_ms, pr.verdict, pr.explanation, pr.at_ms, \
     COALESCE(rhp.handle, rh.handle) \
     FROM clauses k LEFT JOIN clauses a ON a.id = k.amends_id \
     LEFT JOIN accounts h ON h.id = k.proposed_by \
     LEFT JOIN record_people hp ON hp.account_id = h.id \
     LEFT JOIN proposal_responses pr ON pr.clause_id = k.id \
     LEFT JOIN accounts rh ON rh.id = pr.account_id \
     LEFT JOIN record_people rhp ON rhp.account_id = rh.id \
     WHERE k.round_id = $1 AND k.kind <> 'text' ORDER BY k.number DESC";

const TALLIES: &str = "SELECT k.key, t.stance, t.stakeholder_group, t.region, t.n \
     FROM tally_counts t JOIN clauses k ON k.id = t.clause_id WHERE k.round_id = $1 \
     ORDER BY k.key, t.stance, t.stakeholder_group, t.region";

const MINORITY: &str = "SELECT k.key, o.slug, o.name, m.body, m.written_at_ms \
     FROM minority_statements m JOIN clauses k ON k.id = m.clause_id \
     JOIN organisations o ON o.id = m.organisation_id WHERE k.round_id = $1 \
     ORDER BY k.number, o.slug";

/// The pseudonyms of people imported with a record ([`import`]).
const RECORD_PEOPLE: &str = "SELECT account_id, pseudonym FROM record_people \
     WHERE consultation_id = $1 AND pseudonym IS NOT NULL";

const COMMENT_IDS: &str = "SELECT c.id FROM comments c JOIN clauses k ON k.id = c.clause_id \
     WHERE k.round_id = $1 ORDER BY c.id";

/// The comments of a round; also what the export benchmark has `sqlite3 -csv` dump.
pub const COMMENTS: &str = "SELECT c.id, k.key, c.thread_id, c.parent_id, c.depth, \
     c.account_id, COALESCE(ap.handle, a.handle), c.passage_exact, c.passage_prefix, \
     c.passage_suffix, c.body, c.created_at_ms, c.phase, c.edited_at_ms, c.hidden_reason, \
     cr.verdict, cr.explanation, cr.at_ms, COALESCE(rap.handle, ra.handle), c.language \
     FROM clauses k JOIN comments c ON c.clause_id = k.id \
     JOIN accounts a ON a.id = c.account_id \
     LEFT JOIN record_people ap ON ap.account_id = a.id \
     LEFT JOIN comment_responses cr ON cr.comment_id = c.id \
     LEFT JOIN accounts ra ON ra.id = cr.account_id \
     LEFT JOIN record_people rap ON rap.account_id = ra.id \
     WHERE k.round_id = $1 ORDER BY k.number, c.id";

const POSITIONS: &str = "SELECT k.key, pc.account_id, COALESCE(ap.handle, a.handle), o.slug, \
     pc.stakeholder_group, \
     pc.region, pc.stance, pc.reason, pc.cast_at_ms, pc.receipt, \
     CAST(CASE WHEN p.receipt = pc.receipt THEN 1 ELSE 0 END AS BIGINT) \
     FROM clauses k JOIN position_changes pc ON pc.clause_id = k.id \
     JOIN accounts a ON a.id = pc.account_id \
     LEFT JOIN record_people ap ON ap.account_id = a.id \
     LEFT JOIN organisations o ON o.id = pc.organisation_id \
     LEFT JOIN positions p ON p.clause_id = pc.clause_id AND p.account_id = pc.account_id \
     WHERE k.round_id = $1 ORDER BY k.number, pc.id";

/// The same rows for the public record: within a clause by day, and within a day by receipt (a
/// random value), so that the order of rows does not tell the order of casting.
static POSITIONS_PUBLIC: LazyLock<String> = LazyLock::new(|| {
    POSITIONS.replace(
        "ORDER BY k.number, pc.id",
        "ORDER BY k.number, pc.cast_at_ms / 86400000, pc.receipt",
    )
});

const RESPONSES: &str = "SELECT c.id, k.key, cr.verdict, cr.explanation, cr.at_ms, \
     COALESCE(rap.handle, ra.handle) \
     FROM comment_responses cr JOIN comments c ON c.id = cr.comment_id \
     JOIN clauses k ON k.id = c.clause_id JOIN accounts ra ON ra.id = cr.account_id \
     LEFT JOIN record_people rap ON rap.account_id = ra.id \
     WHERE k.round_id = $1 ORDER BY k.number, c.id";

const MODERATION: &str = "SELECT m.at_ms, m.comment_id, k.key, m.action, m.reason, \
     COALESCE(ap.handle, a.handle) \
     FROM moderation_log m JOIN comments c ON c.id = m.comment_id \
     JOIN clauses k ON k.id = c.clause_id JOIN accounts a ON a.id = m.account_id \
     LEFT JOIN record_people ap ON ap.account_id = a.id \
     WHERE k.round_id = $1 ORDER BY m.id";

impl Exporter {
    /// Starts reading round `round_id` from `source`; `pseudonym_key` is the instance's key
    /// for pseudonyms.
    pub fn new(
        mut source: Box<dyn Source>,
        round_id: i64,
        visibility: Visibility,
        pseudonym_key: Vec<u8>,
    ) -> Result<Self> {
        let mut header = None;
        source.each(HEADER, &[round_id], &mut |r| {
            header = Some(Header {
                consultation_id: r.int_at(0)?,
                round_id,
                consultation: ConsultationRecord {
                    slug: r.text_at(1)?,
                    title: r.text_at(2)?,
                    description: r.text_at(3)?,
                    titles: Vec::new(),
                    stakeholder_groups: Some(
                        r.text_at(16)?
                            .split_whitespace()
                            .map(str::to_owned)
                            .collect(),
                    ),
                    regions: None,
                },
                round: RoundRecord {
                    slug: r.text_at(4)?,
                    title: r.text_at(5)?,
                    phase: r.text_at(6)?,
                    opened_at: timestamp(r.int_at(7)?),
                    previous_round: r.text(8)?,
                    counting: r.text_at(9)?,
                    rule: r.text_at(10)?,
                    abstentions_count: r.int_at(11)? != 0,
                    results_hidden_until_close: r.int_at(12)? != 0,
                    preamble: r.text_at(15)?,
                },
                audit_head: (r.int_at(13)?, r.text_at(14)?),
            });
            Ok(())
        })?;
        let Some(mut header) = header else {
            bail!("no round {round_id}");
        };
        let consultation = &mut header.consultation;
        source.each(TITLES, &[header.consultation_id], &mut |r| {
            consultation.titles.push(TitleRecord {
                language: r.text_at(0)?,
                title: r.text_at(1)?,
            });
            Ok(())
        })?;
        let mut regions = Vec::new();
        source.each(REGIONS, &[header.consultation_id], &mut |r| {
            regions.push(r.text_at(0)?);
            Ok(())
        })?;
        consultation.regions = Some(regions);
        let mut known = HashMap::new();
        source.each(RECORD_PEOPLE, &[header.consultation_id], &mut |r| {
            known.insert(r.int_at(0)?, r.text_at(1)?);
            Ok(())
        })?;
        Ok(Self {
            source,
            visibility,
            pseudonyms: Pseudonyms {
                mac: <Hmac<Sha256> as Mac>::new_from_slice(&pseudonym_key)?,
                consultation_id: header.consultation_id,
                round_id: header.round_id,
                known,
                made: HashMap::new(),
                split: visibility == Visibility::Public,
            },
            header,
            comment_ids: None,
        })
    }

    fn convener(&self) -> bool {
        self.visibility == Visibility::Convener
    }

    fn person(&mut self, account_id: i64, handle: Option<String>) -> Person {
        Person {
            pseudonym: self.pseudonyms.of(account_id, Side::Writing),
            handle: handle.filter(|_| self.convener()),
        }
    }

    /// When someone did something, as the record says it: to the millisecond in the convener
    /// record, to the day in the public one, where a time to the millisecond would match the
    /// same comment's time in the public API and so join pseudonyms to handles.
    fn moment(&self, ms: i64) -> String {
        moment(self.convener(), ms)
    }

    /// A handle the convener record shows and the public one leaves out.
    fn convener_only(&self, handle: Option<String>) -> Option<String> {
        handle.filter(|_| self.convener())
    }

    /// The results of every clause and proposal, by key.
    fn tallies(&mut self) -> Result<HashMap<String, Tallies>> {
        let mut rows: HashMap<String, Vec<(String, String, String, i64)>> = HashMap::new();
        self.source
            .each(TALLIES, &[self.header.round_id], &mut |r| {
                rows.entry(r.text_at(0)?).or_default().push((
                    r.text_at(1)?,
                    r.text_at(2)?,
                    r.text_at(3)?,
                    r.int_at(4)?,
                ));
                Ok(())
            })?;
        let rule = Rule::parse(&self.header.round.rule).context("unknown rule")?;
        let abstentions = self.header.round.abstentions_count;
        rows.into_iter()
            .map(|(key, rows)| {
                let results = results_from(rows).map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok((key, tallies_of(&results, rule, abstentions)))
            })
            .collect()
    }

    /// The clauses of the round's text, with their results and minority statements.
    pub fn clauses(&mut self) -> Result<Vec<ClauseRecord>> {
        let mut tallies = self.tallies()?;
        let mut statements: HashMap<String, Vec<MinorityRecord>> = HashMap::new();
        self.source
            .each(MINORITY, &[self.header.round_id], &mut |r| {
                statements
                    .entry(r.text_at(0)?)
                    .or_default()
                    .push(MinorityRecord {
                        organisation: r.text_at(1)?,
                        organisation_name: r.text_at(2)?,
                        body: r.text_at(3)?,
                        written_at: timestamp(r.int_at(4)?),
                    });
                Ok(())
            })?;
        let empty = self.empty_tallies()?;
        let mut clauses = Vec::new();
        self.source
            .each(CLAUSES, &[self.header.round_id], &mut |r| {
                let key = r.text_at(1)?;
                let previous = match (r.text(6)?, r.text(7)?) {
                    (Some(title), Some(body)) => Some(Wording { title, body }),
                    _ => None,
                };
                clauses.push(ClauseRecord {
                    number: r.int_at(0)?,
                    results: tallies.remove(&key).unwrap_or_else(|| empty.clone()),
                    minority_statements: statements.remove(&key).unwrap_or_default(),
                    key,
                    title: r.text_at(2)?,
                    body: r.text_at(3)?,
                    change_note: r.text_at(4)?,
                    consensus: r.text(5)?,
                    previous,
                });
                Ok(())
            })?;
        Ok(clauses)
    }

    fn empty_tallies(&self) -> Result<Tallies> {
        let rule = Rule::parse(&self.header.round.rule).context("unknown rule")?;
        Ok(tallies_of(
            &Results::default(),
            rule,
            self.header.round.abstentions_count,
        ))
    }

    /// The participants' proposals, with their responses and results.
    pub fn proposals(&mut self) -> Result<Vec<ProposalRecord>> {
        let mut tallies = self.tallies()?;
        let empty = self.empty_tallies()?;
        let mut rows = Vec::new();
        self.source
            .each(PROPOSALS, &[self.header.round_id], &mut |r| {
                let response = match r.text(8)? {
                    Some(verdict) => Some((verdict, r.text_at(9)?, r.int_at(10)?, r.text(11)?)),
                    None => None,
                };
                rows.push((
                    r.text_at(0)?,
                    r.text_at(1)?,
                    r.text(2)?,
                    r.text_at(3)?,
                    r.text_at(4)?,
                    (r.int(5)?.unwrap_or(0), r.text(6)?),
                    r.int(7)?.unwrap_or(0),
                    response,
                ));
                Ok(())
            })?;
        let mut proposals = Vec::with_capacity(rows.len());
        for (key, kind, amends, title, body, (by, handle), at, response) in rows {
            proposals.push(ProposalRecord {
                results: tallies.remove(&key).unwrap_or_else(|| empty.clone()),
                proposer: self.person(by, handle),
                proposed_at: self.moment(at),
                response: response.map(|(verdict, explanation, at, by)| ResponseRecord {
                    verdict,
                    explanation,
                    at: timestamp(at),
                    by: self.convener_only(by),
                }),
                key,
                kind,
                amends,
                title,
                body,
            });
        }
        Ok(proposals)
    }

    /// The record id of the comment with database id `id`.
    fn comment_number(ids: &[i64], id: i64) -> Result<u64> {
        let place = ids
            .binary_search(&id)
            .map_err(|_| anyhow::anyhow!("comment {id} is not in the round"))?;
        Ok(u64::try_from(place + 1)?)
    }

    fn load_comment_ids(&mut self) -> Result<Vec<i64>> {
        if let Some(ids) = self.comment_ids.take() {
            return Ok(ids);
        }
        let mut ids = Vec::new();
        self.source
            .each(COMMENT_IDS, &[self.header.round_id], &mut |r| {
                ids.push(r.int_at(0)?);
                Ok(())
            })?;
        Ok(ids)
    }

    /// Hands every comment of the round to `each`, by clause then in order of writing.
    pub fn each_comment(
        &mut self,
        each: &mut dyn FnMut(CommentRecord) -> Result<()>,
    ) -> Result<()> {
        let ids = self.load_comment_ids()?;
        let convener = self.convener();
        let pseudonyms = &mut self.pseudonyms;
        let outcome = self
            .source
            .each(COMMENTS, &[self.header.round_id], &mut |r| {
                let id = r.int_at(0)?;
                let hidden_reason = r.text(14)?;
                let passage = match r.text(7)? {
                    Some(exact) => Some(PassageRecord {
                        exact,
                        prefix: r.text(8)?.unwrap_or_default(),
                        suffix: r.text(9)?.unwrap_or_default(),
                    }),
                    None => None,
                };
                let response = match r.text(15)? {
                    Some(verdict) => Some(ResponseRecord {
                        verdict,
                        explanation: r.text_at(16)?,
                        at: timestamp(r.int_at(17)?),
                        by: r.text(18)?.filter(|_| convener),
                    }),
                    None => None,
                };
                let body = r.text_at(10)?;
                each(CommentRecord {
                    id: Self::comment_number(&ids, id)?,
                    clause: r.text_at(1)?,
                    thread: Self::comment_number(&ids, r.int(2)?.unwrap_or(id))?,
                    parent: match r.int(3)? {
                        Some(parent) => Some(Self::comment_number(&ids, parent)?),
                        None => None,
                    },
                    depth: r.int_at(4)?,
                    author: Person {
                        pseudonym: pseudonyms.of(r.int_at(5)?, Side::Writing),
                        handle: r.text(6)?.filter(|_| convener),
                    },
                    passage,
                    body: (convener || hidden_reason.is_none()).then_some(body),
                    language: r.text(19)?,
                    posted_at: moment(convener, r.int_at(11)?),
                    phase: r.text_at(12)?,
                    edited_at: r.int(13)?.map(|ms| moment(convener, ms)),
                    hidden_reason,
                    response,
                })
            });
        self.comment_ids = Some(ids);
        outcome
    }

    /// Hands every position cast in the round to `each`, by clause, then in order of casting
    /// (convener record) or by day and receipt (public record).
    pub fn each_position(
        &mut self,
        each: &mut dyn FnMut(PositionRecord) -> Result<()>,
    ) -> Result<()> {
        let convener = self.convener();
        let query = if convener {
            POSITIONS
        } else {
            POSITIONS_PUBLIC.as_str()
        };
        let pseudonyms = &mut self.pseudonyms;
        self.source.each(query, &[self.header.round_id], &mut |r| {
            let group = r.text_at(4)?;
            each(PositionRecord {
                clause: r.text_at(0)?,
                voter: Person {
                    pseudonym: pseudonyms.of(r.int_at(1)?, Side::Standing),
                    handle: r.text(2)?.filter(|_| convener),
                },
                organisation: r.text(3)?,
                stakeholder_group: (!group.is_empty()).then_some(group),
                region: r.text_at(5)?,
                position: r.text_at(6)?,
                reason: r.text(7)?,
                cast_at: moment(convener, r.int_at(8)?),
                receipt: r.text_at(9)?,
                current: r.int_at(10)? != 0,
            })
        })
    }

    /// The conveners' responses to the round's comments: comment number, clause, response.
    fn comment_responses(&mut self) -> Result<Vec<(u64, String, ResponseRecord)>> {
        let ids = self.load_comment_ids()?;
        let convener = self.convener();
        let mut responses = Vec::new();
        let outcome = self
            .source
            .each(RESPONSES, &[self.header.round_id], &mut |r| {
                responses.push((
                    Self::comment_number(&ids, r.int_at(0)?)?,
                    r.text_at(1)?,
                    ResponseRecord {
                        verdict: r.text_at(2)?,
                        explanation: r.text_at(3)?,
                        at: timestamp(r.int_at(4)?),
                        by: r.text(5)?.filter(|_| convener),
                    },
                ));
                Ok(())
            });
        self.comment_ids = Some(ids);
        outcome.map(|()| responses)
    }

    /// The moderation log of the round's comments.
    pub fn moderation(&mut self) -> Result<Vec<ModerationRecord>> {
        let ids = self.load_comment_ids()?;
        let convener = self.convener();
        let mut log = Vec::new();
        let outcome = self
            .source
            .each(MODERATION, &[self.header.round_id], &mut |r| {
                log.push(ModerationRecord {
                    at: timestamp(r.int_at(0)?),
                    comment: Self::comment_number(&ids, r.int_at(1)?)?,
                    clause: r.text_at(2)?,
                    action: r.text_at(3)?,
                    reason: r.text_at(4)?,
                    by: r.text(5)?.filter(|_| convener),
                });
                Ok(())
            });
        self.comment_ids = Some(ids);
        outcome.map(|()| log)
    }
}

fn tallies_of(results: &Results, rule: Rule, abstentions: bool) -> Tallies {
    let result = chambered(results, rule, abstentions);
    Tallies {
        total: results.total.into(),
        by_group: results
            .by_group
            .iter()
            .map(|g| NamedCounts {
                name: g.group.map(|g| g.as_str().to_owned()),
                counts: g.tally.into(),
            })
            .collect(),
        by_region: results
            .by_region
            .iter()
            .map(|r| NamedCounts {
                name: Some(r.region.clone()),
                counts: r.tally.into(),
            })
            .collect(),
        carried: result.carried,
        houses: result
            .houses
            .into_iter()
            .map(|h| HouseRecord {
                group: h.group.as_str().to_owned(),
                endorsing: h.endorsing,
                counted: h.counted,
                carried: h.carried,
            })
            .collect(),
    }
}

/// The files of a record, in the order a bundle holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFile {
    Json,
    Clauses,
    Proposals,
    Comments,
    Positions,
    Tallies,
    Moderation,
    Responses,
    MinorityStatements,
    Report,
}

impl DataFile {
    pub const ALL: [DataFile; 10] = [
        DataFile::Json,
        DataFile::Clauses,
        DataFile::Proposals,
        DataFile::Comments,
        DataFile::Positions,
        DataFile::Tallies,
        DataFile::Moderation,
        DataFile::Responses,
        DataFile::MinorityStatements,
        DataFile::Report,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "record.json",
            Self::Clauses => "clauses.csv",
            Self::Proposals => "proposals.csv",
            Self::Comments => "comments.csv",
            Self::Positions => "positions.csv",
            Self::Tallies => "tallies.csv",
            Self::Moderation => "moderation.csv",
            Self::Responses => "responses.csv",
            Self::MinorityStatements => "minority-statements.csv",
            Self::Report => "report.html",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Report => "text/html; charset=utf-8",
            _ => "text/csv; charset=utf-8; header=present",
        }
    }

    /// Whether the file is one of the CSV files.
    pub fn is_csv(self) -> bool {
        !matches!(self, Self::Json | Self::Report)
    }
}

impl Exporter {
    /// Writes one file of the record to `out`.
    pub fn write(&mut self, file: DataFile, out: &mut dyn Write) -> Result<()> {
        match file {
            DataFile::Json => self.write_json(out),
            DataFile::Report => report::write(self, out),
            DataFile::Clauses => {
                let clauses = self.clauses()?;
                csv_file(out, CLAUSE_COLUMNS, |w| {
                    clauses.iter().try_for_each(|c| w.row(&clause_row(c)))
                })
            }
            DataFile::Proposals => {
                let proposals = self.proposals()?;
                csv_file(out, PROPOSAL_COLUMNS, |w| {
                    proposals.iter().try_for_each(|p| w.row(&proposal_row(p)))
                })
            }
            DataFile::Comments => csv_file(out, COMMENT_COLUMNS, |w| {
                self.each_comment(&mut |c| w.row(&comment_row(&c)))
            }),
            DataFile::Positions => csv_file(out, POSITION_COLUMNS, |w| {
                self.each_position(&mut |p| w.row(&position_row(&p)))
            }),
            DataFile::Tallies => {
                let (clauses, proposals) = (self.clauses()?, self.proposals()?);
                csv_file(out, TALLY_COLUMNS, |w| {
                    let all = clauses
                        .iter()
                        .map(|c| (&c.key, &c.results))
                        .chain(proposals.iter().map(|p| (&p.key, &p.results)));
                    for (key, tallies) in all {
                        for row in tally_rows(key, tallies) {
                            w.row(&row)?;
                        }
                    }
                    Ok(())
                })
            }
            DataFile::Moderation => {
                let log = self.moderation()?;
                csv_file(out, MODERATION_COLUMNS, |w| {
                    log.iter().try_for_each(|m| w.row(&moderation_row(m)))
                })
            }
            DataFile::Responses => {
                let proposals = self.proposals()?;
                let comments = self.comment_responses()?;
                csv_file(out, RESPONSE_COLUMNS, |w| {
                    for p in &proposals {
                        if let Some(response) = &p.response {
                            w.row(&response_row("proposal", &p.key, &p.key, response))?;
                        }
                    }
                    for (id, clause, response) in &comments {
                        w.row(&response_row("comment", &id.to_string(), clause, response))?;
                    }
                    Ok(())
                })
            }
            DataFile::MinorityStatements => {
                let clauses = self.clauses()?;
                csv_file(out, MINORITY_COLUMNS, |w| {
                    for c in &clauses {
                        for m in &c.minority_statements {
                            w.row(&[
                                c.key.clone(),
                                m.organisation.clone(),
                                text(&m.organisation_name),
                                text(&m.body),
                                m.written_at.clone(),
                            ])?;
                        }
                    }
                    Ok(())
                })
            }
        }
    }

    /// The whole round as one JSON document ([`Record`]), written as it is read.
    fn write_json(&mut self, out: &mut dyn Write) -> Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        write!(
            out,
            "{{\"schema_version\":{SCHEMA_VERSION},\"visibility\":\"{}\",\"consultation\":",
            self.visibility.as_str()
        )?;
        serde_json::to_writer(&mut out, &self.header.consultation)?;
        out.write_all(b",\"round\":")?;
        serde_json::to_writer(&mut out, &self.header.round)?;
        out.write_all(b",\"clauses\":")?;
        serde_json::to_writer(&mut out, &self.clauses()?)?;
        out.write_all(b",\"proposals\":")?;
        serde_json::to_writer(&mut out, &self.proposals()?)?;
        out.write_all(b",\"comments\":[")?;
        let mut first = true;
        self.each_comment(&mut |c| {
            if !std::mem::take(&mut first) {
                out.write_all(b",")?;
            }
            Ok(serde_json::to_writer(&mut out, &c)?)
        })?;
        out.write_all(b"],\"positions\":[")?;
        let mut first = true;
        self.each_position(&mut |p| {
            if !std::mem::take(&mut first) {
                out.write_all(b",")?;
            }
            Ok(serde_json::to_writer(&mut out, &p)?)
        })?;
        out.write_all(b"],\"moderation\":")?;
        serde_json::to_writer(&mut out, &self.moderation()?)?;
        out.write_all(b"}\n")?;
        out.flush()?;
        Ok(())
    }
}

/// CSV as RFC 4180 says (CRLF, quotes doubled), UTF-8 with a byte-order mark so that Excel
/// reads it as UTF-8 (LibreOffice ignores it).
struct CsvOut<'a> {
    writer: csv::Writer<&'a mut dyn Write>,
}

impl CsvOut<'_> {
    fn row<const N: usize>(&mut self, fields: &[String; N]) -> Result<()> {
        Ok(self.writer.write_record(fields)?)
    }
}

fn csv_file<const N: usize>(
    out: &mut dyn Write,
    columns: [&str; N],
    rows: impl FnOnce(&mut CsvOut<'_>) -> Result<()>,
) -> Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = CsvOut {
        writer: csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(1 << 16)
            .from_writer(out),
    };
    w.writer.write_record(columns)?;
    rows(&mut w)?;
    w.writer.flush()?;
    Ok(())
}

/// Free text as a CSV cell. A cell that starts like a formula (`=`, `+`, `-`, `@`, tab or
/// carriage return) gets a leading apostrophe, so a spreadsheet shows it instead of running
/// it (OWASP's advice on CSV injection); `record.json` keeps the text exactly.
fn text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

fn opt_text(s: &Option<String>) -> String {
    s.as_deref().map(text).unwrap_or_default()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

const CLAUSE_COLUMNS: [&str; 8] = [
    "number",
    "key",
    "title",
    "body",
    "change_note",
    "previous_title",
    "previous_body",
    "consensus",
];

fn clause_row(c: &ClauseRecord) -> [String; 8] {
    [
        c.number.to_string(),
        c.key.clone(),
        text(&c.title),
        text(&c.body),
        text(&c.change_note),
        c.previous
            .as_ref()
            .map(|p| text(&p.title))
            .unwrap_or_default(),
        c.previous
            .as_ref()
            .map(|p| text(&p.body))
            .unwrap_or_default(),
        opt(&c.consensus),
    ]
}

const PROPOSAL_COLUMNS: [&str; 11] = [
    "key",
    "kind",
    "amends",
    "title",
    "body",
    "proposer",
    "proposer_handle",
    "proposed_at",
    "response",
    "response_explanation",
    "carried",
];

fn proposal_row(p: &ProposalRecord) -> [String; 11] {
    [
        p.key.clone(),
        p.kind.clone(),
        opt(&p.amends),
        text(&p.title),
        text(&p.body),
        p.proposer.pseudonym.clone(),
        opt(&p.proposer.handle),
        p.proposed_at.clone(),
        p.response
            .as_ref()
            .map(|r| r.verdict.clone())
            .unwrap_or_default(),
        p.response
            .as_ref()
            .map(|r| text(&r.explanation))
            .unwrap_or_default(),
        flag(p.results.carried),
    ]
}

const COMMENT_COLUMNS: [&str; 19] = [
    "id",
    "clause",
    "thread",
    "parent",
    "depth",
    "author",
    "author_handle",
    "passage",
    "passage_prefix",
    "passage_suffix",
    "body",
    "language",
    "posted_at",
    "phase",
    "edited_at",
    "hidden_reason",
    "response",
    "response_explanation",
    "responded_at",
];

fn comment_row(c: &CommentRecord) -> [String; 19] {
    let passage = c.passage.as_ref();
    let response = c.response.as_ref();
    [
        c.id.to_string(),
        c.clause.clone(),
        c.thread.to_string(),
        c.parent.map(|p| p.to_string()).unwrap_or_default(),
        c.depth.to_string(),
        c.author.pseudonym.clone(),
        opt(&c.author.handle),
        passage.map(|p| text(&p.exact)).unwrap_or_default(),
        passage.map(|p| text(&p.prefix)).unwrap_or_default(),
        passage.map(|p| text(&p.suffix)).unwrap_or_default(),
        opt_text(&c.body),
        opt(&c.language),
        c.posted_at.clone(),
        c.phase.clone(),
        opt(&c.edited_at),
        opt_text(&c.hidden_reason),
        response.map(|r| r.verdict.clone()).unwrap_or_default(),
        response.map(|r| text(&r.explanation)).unwrap_or_default(),
        response.map(|r| r.at.clone()).unwrap_or_default(),
    ]
}

const POSITION_COLUMNS: [&str; 11] = [
    "clause",
    "voter",
    "voter_handle",
    "organisation",
    "stakeholder_group",
    "region",
    "position",
    "reason",
    "cast_at",
    "receipt",
    "current",
];

fn position_row(p: &PositionRecord) -> [String; 11] {
    [
        p.clause.clone(),
        p.voter.pseudonym.clone(),
        opt(&p.voter.handle),
        opt(&p.organisation),
        opt(&p.stakeholder_group),
        text(&p.region),
        p.position.clone(),
        opt_text(&p.reason),
        p.cast_at.clone(),
        text(&p.receipt),
        flag(p.current),
    ]
}

const TALLY_COLUMNS: [&str; 10] = [
    "clause",
    "breakdown",
    "name",
    "endorse",
    "endorse_with_reservation",
    "oppose",
    "abstain",
    "endorsing",
    "counted",
    "carried",
];

/// A clause's tallies as rows: the total (with the result), each group, each region, each
/// house.
fn tally_rows(key: &str, t: &Tallies) -> Vec<[String; 10]> {
    let counts = |breakdown: &str, name: &str, c: &Counts, carried: String| {
        [
            key.to_owned(),
            breakdown.to_owned(),
            text(name),
            c.endorse.to_string(),
            c.endorse_with_reservation.to_string(),
            c.oppose.to_string(),
            c.abstain.to_string(),
            String::new(),
            String::new(),
            carried,
        ]
    };
    let mut rows = vec![counts("total", "", &t.total, flag(t.carried))];
    for g in &t.by_group {
        rows.push(counts(
            "stakeholder_group",
            g.name.as_deref().unwrap_or(""),
            &g.counts,
            String::new(),
        ));
    }
    for r in &t.by_region {
        rows.push(counts(
            "region",
            r.name.as_deref().unwrap_or(""),
            &r.counts,
            String::new(),
        ));
    }
    for h in &t.houses {
        rows.push([
            key.to_owned(),
            "house".to_owned(),
            h.group.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            h.endorsing.to_string(),
            h.counted.to_string(),
            h.carried.map(flag).unwrap_or_default(),
        ]);
    }
    rows
}

const MODERATION_COLUMNS: [&str; 6] = ["at", "comment", "clause", "action", "reason", "by"];

fn moderation_row(m: &ModerationRecord) -> [String; 6] {
    [
        m.at.clone(),
        m.comment.to_string(),
        m.clause.clone(),
        m.action.clone(),
        text(&m.reason),
        opt(&m.by),
    ]
}

const RESPONSE_COLUMNS: [&str; 7] = [
    "subject",
    "id",
    "clause",
    "verdict",
    "explanation",
    "at",
    "by",
];

fn response_row(subject: &str, id: &str, clause: &str, r: &ResponseRecord) -> [String; 7] {
    [
        subject.to_owned(),
        id.to_owned(),
        clause.to_owned(),
        r.verdict.clone(),
        text(&r.explanation),
        r.at.clone(),
        opt(&r.by),
    ]
}

const MINORITY_COLUMNS: [&str; 5] = [
    "clause",
    "organisation",
    "organisation_name",
    "body",
    "written_at",
];
