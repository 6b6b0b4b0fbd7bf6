//! Reading a record from one snapshot of the database ([`super::source`]): the [`Exporter`] turns
//! rows into the model's parts, people into pseudonyms in the public record, and streams the
//! comments and positions one at a time.

use super::model::{
    ClauseRecord, CommentRecord, ConsultationRecord, HouseRecord, MinorityRecord, ModerationRecord,
    NamedCounts, PassageRecord, Person, PositionRecord, ProposalRecord, ResponseRecord,
    RoundRecord, Tallies, TitleRecord, Visibility, Wording,
};
use super::pseudonyms::{Pseudonyms, Side};
use super::source::Source;
use crate::store::results_from;
use anyhow::{Context, Result, bail};
use shared::{Results, Rule, chambered};
use std::collections::HashMap;
use std::sync::LazyLock;

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

const HEADER: &str = "SELECT c.id AS consultation_id, c.slug AS consultation_slug, c.title AS \
     consultation_title, c.description, r.slug AS round_slug, r.title AS round_title, r.phase, \
     r.opened_at_ms, p.slug AS previous_round, r.counting, r.rule AS round_rule, \
     r.abstentions_count, r.hide_results, (SELECT last_id FROM audit_head) AS audit_last_id, \
     (SELECT last_hash FROM audit_head) AS audit_last_hash, r.preamble_md, c.stakeholder_groups \
     FROM rounds r \
     JOIN consultations c ON c.id = r.consultation_id \
     LEFT JOIN rounds p ON p.id = r.previous_round_id \
     WHERE r.id = $1";

/// A consultation's titles, in the interface's order of languages.
const TITLES: &str = "SELECT language, title \
     FROM consultation_titles \
     WHERE consultation_id = $1 \
     ORDER BY CASE language WHEN 'en' THEN 0 WHEN 'fr' THEN 1 WHEN 'es' THEN 2 ELSE 3 END";

const REGIONS: &str = "SELECT name \
     FROM consultation_regions \
     WHERE consultation_id = $1 \
     ORDER BY position";

const CLAUSES: &str = "SELECT k.number, k.key AS clause_key, k.title, k.body_md, k.change_note, \
     k.consensus, pk.title AS previous_title, pk.body_md AS previous_body_md \
     FROM clauses k \
     LEFT JOIN clauses pk ON pk.round_id = (SELECT previous_round_id FROM rounds WHERE id = $1) \
     AND pk.key = k.key AND pk.kind = 'text' \
     WHERE k.round_id = $1 AND k.kind = 'text' \
     ORDER BY k.number";

const PROPOSALS: &str = "SELECT k.key AS clause_key, k.kind, a.key AS amends, k.title, k.body_md, \
     k.proposed_by, COALESCE(hp.handle, h.handle) AS proposer, k.proposed_at_ms, pr.verdict, \
     pr.explanation, pr.at_ms AS responded_at_ms, COALESCE(rhp.handle, rh.handle) AS responder \
     FROM clauses k \
     LEFT JOIN clauses a ON a.id = k.amends_id \
     LEFT JOIN accounts h ON h.id = k.proposed_by \
     LEFT JOIN record_people hp ON hp.account_id = h.id \
     LEFT JOIN proposal_responses pr ON pr.clause_id = k.id \
     LEFT JOIN accounts rh ON rh.id = pr.account_id \
     LEFT JOIN record_people rhp ON rhp.account_id = rh.id \
     WHERE k.round_id = $1 AND k.kind <> 'text' \
     ORDER BY k.number DESC";

const TALLIES: &str = "SELECT k.key AS clause_key, t.stance, t.stakeholder_group, t.region, t.n \
     FROM tally_counts t \
     JOIN clauses k ON k.id = t.clause_id \
     WHERE k.round_id = $1 \
     ORDER BY k.key, t.stance, t.stakeholder_group, t.region";

const MINORITY: &str = "SELECT k.key AS clause_key, o.slug AS organisation, o.name AS \
     organisation_name, m.body, m.written_at_ms \
     FROM minority_statements m \
     JOIN clauses k ON k.id = m.clause_id \
     JOIN organisations o ON o.id = m.organisation_id \
     WHERE k.round_id = $1 \
     ORDER BY k.number, o.slug";

/// The pseudonyms of people imported with a record ([`import`]).
const RECORD_PEOPLE: &str = "SELECT account_id, pseudonym \
     FROM record_people \
     WHERE consultation_id = $1 AND pseudonym IS NOT NULL";

const COMMENT_IDS: &str = "SELECT c.id AS comment_id \
     FROM comments c \
     JOIN clauses k ON k.id = c.clause_id \
     WHERE k.round_id = $1 \
     ORDER BY c.id";

/// The comments of a round; also what the export benchmark has `sqlite3 -csv` dump.
pub const COMMENTS: &str = "SELECT c.id AS comment_id, k.key AS clause_key, c.thread_id, \
     c.parent_id, c.depth, c.account_id, COALESCE(ap.handle, a.handle) AS handle, c.passage_exact, \
     c.passage_prefix, c.passage_suffix, c.body, c.created_at_ms, c.phase, c.edited_at_ms, \
     c.hidden_reason, cr.verdict, cr.explanation, cr.at_ms AS responded_at_ms, \
     COALESCE(rap.handle, ra.handle) AS responder, c.language \
     FROM clauses k \
     JOIN comments c ON c.clause_id = k.id \
     JOIN accounts a ON a.id = c.account_id \
     LEFT JOIN record_people ap ON ap.account_id = a.id \
     LEFT JOIN comment_responses cr ON cr.comment_id = c.id \
     LEFT JOIN accounts ra ON ra.id = cr.account_id \
     LEFT JOIN record_people rap ON rap.account_id = ra.id \
     WHERE k.round_id = $1 \
     ORDER BY k.number, c.id";

const POSITIONS: &str = "SELECT k.key AS clause_key, pc.account_id, COALESCE(ap.handle, a.handle) \
     AS handle, o.slug AS organisation, pc.stakeholder_group, pc.region, pc.stance, pc.reason, \
     pc.cast_at_ms, pc.receipt, CAST(CASE WHEN p.receipt = pc.receipt THEN 1 ELSE 0 END AS BIGINT) \
     AS is_current \
     FROM clauses k \
     JOIN position_changes pc ON pc.clause_id = k.id \
     JOIN accounts a ON a.id = pc.account_id \
     LEFT JOIN record_people ap ON ap.account_id = a.id \
     LEFT JOIN organisations o ON o.id = pc.organisation_id \
     LEFT JOIN positions p ON p.clause_id = pc.clause_id AND p.account_id = pc.account_id \
     WHERE k.round_id = $1 \
     ORDER BY k.number, pc.id";

/// The same rows for the public record: within a clause by day, and within a day by receipt (a
/// random value), so that the order of rows does not tell the order of casting.
static POSITIONS_PUBLIC: LazyLock<String> = LazyLock::new(|| {
    POSITIONS.replace(
        "ORDER BY k.number, pc.id",
        "ORDER BY k.number, pc.cast_at_ms / 86400000, pc.receipt",
    )
});

const RESPONSES: &str = "SELECT c.id AS comment_id, k.key AS clause_key, cr.verdict, \
     cr.explanation, cr.at_ms, COALESCE(rap.handle, ra.handle) AS responder \
     FROM comment_responses cr \
     JOIN comments c ON c.id = cr.comment_id \
     JOIN clauses k ON k.id = c.clause_id \
     JOIN accounts ra ON ra.id = cr.account_id \
     LEFT JOIN record_people rap ON rap.account_id = ra.id \
     WHERE k.round_id = $1 \
     ORDER BY k.number, c.id";

const MODERATION: &str = "SELECT m.at_ms, m.comment_id, k.key AS clause_key, m.action AS \
     moderation_action, m.reason, COALESCE(ap.handle, a.handle) AS moderator \
     FROM moderation_log m \
     JOIN comments c ON c.id = m.comment_id \
     JOIN clauses k ON k.id = c.clause_id \
     JOIN accounts a ON a.id = m.account_id \
     LEFT JOIN record_people ap ON ap.account_id = a.id \
     WHERE k.round_id = $1 \
     ORDER BY m.id";

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
                consultation_id: r.int_at("consultation_id")?,
                round_id,
                consultation: ConsultationRecord {
                    slug: r.text_at("consultation_slug")?,
                    title: r.text_at("consultation_title")?,
                    description: r.text_at("description")?,
                    titles: Vec::new(),
                    stakeholder_groups: Some(
                        r.text_at("stakeholder_groups")?
                            .split_whitespace()
                            .map(str::to_owned)
                            .collect(),
                    ),
                    regions: None,
                },
                round: RoundRecord {
                    slug: r.text_at("round_slug")?,
                    title: r.text_at("round_title")?,
                    phase: r.text_at("phase")?,
                    opened_at: timestamp(r.int_at("opened_at_ms")?),
                    previous_round: r.text("previous_round")?,
                    counting: r.text_at("counting")?,
                    rule: r.text_at("round_rule")?,
                    abstentions_count: r.int_at("abstentions_count")? != 0,
                    results_hidden_until_close: r.int_at("hide_results")? != 0,
                    preamble: r.text_at("preamble_md")?,
                },
                audit_head: (r.int_at("audit_last_id")?, r.text_at("audit_last_hash")?),
            });
            Ok(())
        })?;
        let Some(mut header) = header else {
            bail!("no round {round_id}");
        };
        let consultation = &mut header.consultation;
        source.each(TITLES, &[header.consultation_id], &mut |r| {
            consultation.titles.push(TitleRecord {
                language: r.text_at("language")?,
                title: r.text_at("title")?,
            });
            Ok(())
        })?;
        let mut regions = Vec::new();
        source.each(REGIONS, &[header.consultation_id], &mut |r| {
            regions.push(r.text_at("name")?);
            Ok(())
        })?;
        consultation.regions = Some(regions);
        let mut known = HashMap::new();
        source.each(RECORD_PEOPLE, &[header.consultation_id], &mut |r| {
            known.insert(r.int_at("account_id")?, r.text_at("pseudonym")?);
            Ok(())
        })?;
        Ok(Self {
            source,
            visibility,
            pseudonyms: Pseudonyms::new(
                &pseudonym_key,
                (header.consultation_id, header.round_id),
                known,
                visibility == Visibility::Public,
            )?,
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
                rows.entry(r.text_at("clause_key")?).or_default().push((
                    r.text_at("stance")?,
                    r.text_at("stakeholder_group")?,
                    r.text_at("region")?,
                    r.int_at("n")?,
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
                    .entry(r.text_at("clause_key")?)
                    .or_default()
                    .push(MinorityRecord {
                        organisation: r.text_at("organisation")?,
                        organisation_name: r.text_at("organisation_name")?,
                        body: r.text_at("body")?,
                        written_at: timestamp(r.int_at("written_at_ms")?),
                    });
                Ok(())
            })?;
        let empty = self.empty_tallies()?;
        let mut clauses = Vec::new();
        self.source
            .each(CLAUSES, &[self.header.round_id], &mut |r| {
                let key = r.text_at("clause_key")?;
                let previous = match (r.text("previous_title")?, r.text("previous_body_md")?) {
                    (Some(title), Some(body)) => Some(Wording { title, body }),
                    _ => None,
                };
                clauses.push(ClauseRecord {
                    number: r.int_at("number")?,
                    results: tallies.remove(&key).unwrap_or_else(|| empty.clone()),
                    minority_statements: statements.remove(&key).unwrap_or_default(),
                    key,
                    title: r.text_at("title")?,
                    body: r.text_at("body_md")?,
                    change_note: r.text_at("change_note")?,
                    consensus: r.text("consensus")?,
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
                let response = match r.text("verdict")? {
                    Some(verdict) => Some((
                        verdict,
                        r.text_at("explanation")?,
                        r.int_at("responded_at_ms")?,
                        r.text("responder")?,
                    )),
                    None => None,
                };
                rows.push((
                    r.text_at("clause_key")?,
                    r.text_at("kind")?,
                    r.text("amends")?,
                    r.text_at("title")?,
                    r.text_at("body_md")?,
                    (r.int("proposed_by")?.unwrap_or(0), r.text("proposer")?),
                    r.int("proposed_at_ms")?.unwrap_or(0),
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
                ids.push(r.int_at("comment_id")?);
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
                let id = r.int_at("comment_id")?;
                let hidden_reason = r.text("hidden_reason")?;
                let passage = match r.text("passage_exact")? {
                    Some(exact) => Some(PassageRecord {
                        exact,
                        prefix: r.text("passage_prefix")?.unwrap_or_default(),
                        suffix: r.text("passage_suffix")?.unwrap_or_default(),
                    }),
                    None => None,
                };
                let response = match r.text("verdict")? {
                    Some(verdict) => Some(ResponseRecord {
                        verdict,
                        explanation: r.text_at("explanation")?,
                        at: timestamp(r.int_at("responded_at_ms")?),
                        by: r.text("responder")?.filter(|_| convener),
                    }),
                    None => None,
                };
                let body = r.text_at("body")?;
                each(CommentRecord {
                    id: Self::comment_number(&ids, id)?,
                    clause: r.text_at("clause_key")?,
                    thread: Self::comment_number(&ids, r.int("thread_id")?.unwrap_or(id))?,
                    parent: match r.int("parent_id")? {
                        Some(parent) => Some(Self::comment_number(&ids, parent)?),
                        None => None,
                    },
                    depth: r.int_at("depth")?,
                    author: Person {
                        pseudonym: pseudonyms.of(r.int_at("account_id")?, Side::Writing),
                        handle: r.text("handle")?.filter(|_| convener),
                    },
                    passage,
                    body: (convener || hidden_reason.is_none()).then_some(body),
                    language: r.text("language")?,
                    posted_at: moment(convener, r.int_at("created_at_ms")?),
                    phase: r.text_at("phase")?,
                    edited_at: r.int("edited_at_ms")?.map(|ms| moment(convener, ms)),
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
            let group = r.text_at("stakeholder_group")?;
            each(PositionRecord {
                clause: r.text_at("clause_key")?,
                voter: Person {
                    pseudonym: pseudonyms.of(r.int_at("account_id")?, Side::Standing),
                    handle: r.text("handle")?.filter(|_| convener),
                },
                organisation: r.text("organisation")?,
                stakeholder_group: (!group.is_empty()).then_some(group),
                region: r.text_at("region")?,
                position: r.text_at("stance")?,
                reason: r.text("reason")?,
                cast_at: moment(convener, r.int_at("cast_at_ms")?),
                receipt: r.text_at("receipt")?,
                current: r.int_at("is_current")? != 0,
            })
        })
    }

    /// The conveners' responses to the round's comments: comment number, clause, response.
    pub(super) fn comment_responses(&mut self) -> Result<Vec<(u64, String, ResponseRecord)>> {
        let ids = self.load_comment_ids()?;
        let convener = self.convener();
        let mut responses = Vec::new();
        let outcome = self
            .source
            .each(RESPONSES, &[self.header.round_id], &mut |r| {
                responses.push((
                    Self::comment_number(&ids, r.int_at("comment_id")?)?,
                    r.text_at("clause_key")?,
                    ResponseRecord {
                        verdict: r.text_at("verdict")?,
                        explanation: r.text_at("explanation")?,
                        at: timestamp(r.int_at("at_ms")?),
                        by: r.text("responder")?.filter(|_| convener),
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
                    at: timestamp(r.int_at("at_ms")?),
                    comment: Self::comment_number(&ids, r.int_at("comment_id")?)?,
                    clause: r.text_at("clause_key")?,
                    action: r.text_at("moderation_action")?,
                    reason: r.text_at("reason")?,
                    by: r.text("moderator")?.filter(|_| convener),
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
