//! The record's data files: `record.json` and one CSV file per part, written row by row as the
//! [`Exporter`] reads them; the columns of each CSV file are documented in `docs/records.md`.

use super::model::{
    ClauseRecord, CommentRecord, Counts, ModerationRecord, PositionRecord, ProposalRecord,
    ResponseRecord, SCHEMA_VERSION, Tallies,
};
use super::read::Exporter;
use super::report;
use anyhow::Result;
use std::io::Write;

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
