//! `report.html`: the record as one printable page. Self-contained (inline CSS and SVG, no
//! script, no request anywhere), laid out for A4: the text with its redline against the
//! previous round, the results with a chart and the same numbers as tables, the result house
//! by house, consensus levels, minority statements, proposals, and an index of the comments
//! with the conveners' responses. Written as it is read, like every other file.

use super::{ClauseRecord, Counts, Exporter, ProposalRecord, Tallies, Visibility};
use crate::markdown;
use anyhow::Result;
use shared::{Change, redline};
use std::io::Write;

/// Text made safe for HTML.
pub fn esc(s: &str) -> String {
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

pub const STYLE: &str = "
@page { size: A4; margin: 18mm 16mm 20mm; }
body { font: 10.5pt/1.45 Georgia, 'Times New Roman', serif; color: #111; max-width: 48em;
  margin: 2em auto; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 .2em; } h2 { font-size: 15pt; margin-top: 1.6em;
  border-bottom: 1px solid #999; } h3 { font-size: 12.5pt; margin: 1.2em 0 .3em; }
h4 { font-size: 10.5pt; margin: .9em 0 .2em; text-transform: uppercase; letter-spacing: .04em; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
.meta, .note, caption { color: #444; font-size: 9.5pt; }
table { border-collapse: collapse; margin: .4em 0 .8em; font-size: 9.5pt; break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: .15em .5em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; caption-side: top; padding-bottom: .2em; }
ins { text-decoration: underline; background: #e3f1e6; }
del { text-decoration: line-through; background: #f8e1e1; }
.clause { border-left: 3px solid #ccc; padding-left: .8em; margin: 1em 0; }
.statement { border-left: 3px solid #999; padding-left: .6em; margin: .4em 0; }
.hidden { font-style: italic; color: #555; }
svg { display: block; margin: .3em 0; }
.toc { list-style: none; padding-left: 0; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.comments td { font-size: 9pt; }
@media print { a { color: inherit; text-decoration: none; } nav { break-after: page; } }
";

/// Writes the report of `exporter`'s round to `out`.
pub fn write(exporter: &mut Exporter, out: &mut dyn Write) -> Result<()> {
    write_page(exporter, out, true, "")
}

/// What a page of the report shows besides the text and the comments.
///
/// `results`: the counts and outcomes (only once a round is published, for pages anyone reads);
/// `links`: HTML put under the heading (the reading pages' way around the site).
pub fn write_page(
    exporter: &mut Exporter,
    out: &mut dyn Write,
    results: bool,
    links: &str,
) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let clauses = exporter.clauses()?;
    let proposals = exporter.proposals()?;
    let header = exporter.header.clone();
    let (consultation, round) = (&header.consultation, &header.round);
    let which = match exporter.visibility {
        Visibility::Public => {
            "public record (people by pseudonym; hidden comments without their text)"
        }
        Visibility::Convener => "complete record, for the conveners",
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — {round_title}</title><style>{STYLE}</style></head><body>\
         <header><h1>{title}</h1><p><strong>{round_title}</strong> — {which}</p>\
         <p class=\"meta\">Phase: {phase} · opened {opened} · {counting} · rule: {rule}{abstentions}\
         {previous}</p></header>",
        title = esc(&consultation.title),
        round_title = esc(&round.title),
        phase = esc(&round.phase),
        opened = esc(&round.opened_at),
        counting = if round.counting == "organisation" {
            "one position per organisation"
        } else {
            "one position per participant"
        },
        rule = if round.rule == "every_house" {
            "a majority in every stakeholder group's house"
        } else {
            "a majority of all"
        },
        abstentions = if round.abstentions_count {
            ", abstentions counting as not endorsing"
        } else {
            ""
        },
        previous = round
            .previous_round
            .as_ref()
            .map(|p| format!(" · changes shown against round {}", esc(p)))
            .unwrap_or_default(),
    )?;
    out.write_all(links.as_bytes())?;
    write!(out, "<nav><h2>Contents</h2><ul class=\"toc\">")?;
    for c in &clauses {
        write!(
            out,
            "<li><a href=\"#{}\">{}. {}</a></li>",
            esc(&c.key),
            c.number,
            esc(&c.title)
        )?;
    }
    if !proposals.is_empty() {
        write!(out, "<li><a href=\"#proposals\">Proposals</a></li>")?;
    }
    write!(
        out,
        "<li><a href=\"#comments\">Comments and responses</a></li></ul></nav>"
    )?;
    write!(out, "<main><h2>The text and its results</h2>")?;
    for c in &clauses {
        clause(&mut out, c, round.previous_round.as_deref(), results)?;
    }
    if !proposals.is_empty() {
        write!(out, "<h2 id=\"proposals\">Proposals</h2>")?;
        for p in &proposals {
            proposal(&mut out, p, results)?;
        }
    }
    write!(
        out,
        "<h2 id=\"comments\">Comments and responses</h2>\
         <table class=\"comments\"><thead><tr><th scope=\"col\">No.</th><th scope=\"col\">On</th>\
         <th scope=\"col\">By</th><th scope=\"col\">Comment</th><th scope=\"col\">Response</th>\
         </tr></thead><tbody>"
    )?;
    exporter.each_comment(&mut |c| {
        let by = match &c.author.handle {
            Some(handle) => format!("{} ({})", esc(handle), esc(&c.author.pseudonym)),
            None => esc(&c.author.pseudonym),
        };
        let said = match (&c.body, &c.hidden_reason) {
            (Some(body), None) => excerpt(body),
            (Some(body), Some(reason)) => format!(
                "<span class=\"hidden\">Hidden by the conveners: {}</span><br>{}",
                esc(reason),
                excerpt(body)
            ),
            (None, reason) => format!(
                "<span class=\"hidden\">Hidden by the conveners: {}</span>",
                esc(reason.as_deref().unwrap_or(""))
            ),
        };
        let passage = c
            .passage
            .as_ref()
            .map(|p| format!("<br><span class=\"note\">On “{}”</span>", esc(&p.exact)))
            .unwrap_or_default();
        let reply = c
            .parent
            .map(|p| format!("<br><span class=\"note\">reply to {p}</span>"))
            .unwrap_or_default();
        // Marked so that screen readers speak it in its own language.
        let lang = c
            .language
            .as_deref()
            .map(|l| format!(" lang=\"{}\"", esc(l)))
            .unwrap_or_default();
        let response = c
            .response
            .as_ref()
            .map(|r| format!("<strong>{}</strong>: {}", esc(&verdict(&r.verdict)), esc(&r.explanation)))
            .unwrap_or_default();
        write!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}{reply}</td><td>{by}<br><span class=\"note\">{}</span></td>\
             <td{lang}>{said}{passage}</td><td>{response}</td></tr>",
            c.id,
            esc(&c.clause),
            esc(&c.posted_at),
        )?;
        Ok(())
    })?;
    writeln!(
        out,
        "</tbody></table></main><footer><p class=\"meta\">Written by Concord from one snapshot \
         of its database. The bundle this report came in lists the SHA-256 of every file in \
         manifest.json, signed with the instance's key.</p></footer></body></html>"
    )?;
    out.flush()?;
    Ok(())
}

/// The first 300 characters of a comment, as text.
fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(300).collect();
    if text.len() < body.len() {
        text.push('…');
    }
    esc(&text)
}

fn verdict(v: &str) -> String {
    match v {
        "partly_accepted" => "Partly accepted".into(),
        "not_accepted" => "Not accepted".into(),
        "accepted" => "Accepted".into(),
        "noted" => "Noted".into(),
        other => other.into(),
    }
}

fn clause(
    out: &mut dyn Write,
    c: &ClauseRecord,
    previous_round: Option<&str>,
    with_results: bool,
) -> Result<()> {
    write!(
        out,
        "<section class=\"clause\" id=\"{key}\"><h3>{n}. {title}</h3>{body}",
        key = esc(&c.key),
        n = c.number,
        title = esc(&c.title),
        body = markdown::render(&c.body),
    )?;
    match (&c.previous, previous_round) {
        (Some(before), Some(round)) if before.body != c.body || before.title != c.title => {
            write!(out, "<h4>Changes since round {}</h4><p>", esc(round))?;
            for segment in redline(&before.body, &c.body) {
                let text = esc(&segment.text);
                match segment.change {
                    Change::Same => write!(out, "{text}")?,
                    Change::Added => {
                        write!(out, "<ins><span class=\"sr\">Added: </span>{text}</ins>")?
                    }
                    Change::Removed => {
                        write!(out, "<del><span class=\"sr\">Removed: </span>{text}</del>")?
                    }
                }
            }
            write!(out, "</p>")?;
            if !c.change_note.is_empty() {
                write!(out, "<p class=\"note\">Why: {}</p>", esc(&c.change_note))?;
            }
        }
        (None, Some(_)) => write!(out, "<p class=\"note\">New in this round.</p>")?,
        _ => {}
    }
    // Results, consensus and minority statements belong to a published round.
    if !with_results {
        write!(out, "</section>")?;
        return Ok(());
    }
    results(out, &c.key, &c.results)?;
    if let Some(level) = &c.consensus {
        write!(
            out,
            "<p><strong>Consensus level:</strong> {}</p>",
            esc(&consensus(level))
        )?;
    }
    for s in &c.minority_statements {
        write!(
            out,
            "<div class=\"statement\"><h4>Minority statement of {}</h4>{}<p class=\"note\">{}</p></div>",
            esc(&s.organisation_name),
            markdown::render(&s.body),
            esc(&s.written_at)
        )?;
    }
    write!(out, "</section>")?;
    Ok(())
}

fn consensus(level: &str) -> String {
    match level {
        "full_consensus" => "Full consensus".into(),
        "consensus" => "Consensus".into(),
        "strong_support" => "Strong support with significant opposition".into(),
        "divergence" => "Divergence".into(),
        other => other.into(),
    }
}

fn proposal(out: &mut dyn Write, p: &ProposalRecord, with_results: bool) -> Result<()> {
    let label = p.key.strip_prefix("proposal-").unwrap_or(&p.key);
    let kind = match &p.amends {
        Some(clause) => format!("Amendment of {}", esc(clause)),
        None => "Addition".into(),
    };
    write!(
        out,
        "<section class=\"clause\" id=\"{key}\"><h3>P{label}. {title}</h3>\
         <p class=\"note\">{kind}, proposed by {by} on {at}</p>{body}",
        key = esc(&p.key),
        label = esc(label),
        title = esc(&p.title),
        by = esc(&p.proposer.pseudonym),
        at = esc(&p.proposed_at),
        body = markdown::render(&p.body),
    )?;
    if let Some(r) = &p.response {
        write!(
            out,
            "<p><strong>Conveners' response — {}:</strong> {}</p>",
            esc(&verdict(&r.verdict)),
            esc(&r.explanation)
        )?;
    }
    if with_results {
        results(out, &p.key, &p.results)?;
    }
    write!(out, "</section>")?;
    Ok(())
}

const STANCES: [(&str, &str); 4] = [
    ("Endorse", "#2e7d32"),
    ("Endorse with reservation", "#9e9d24"),
    ("Oppose", "#c62828"),
    ("Abstain", "#757575"),
];

fn numbers(c: &Counts) -> [u64; 4] {
    [c.endorse, c.endorse_with_reservation, c.oppose, c.abstain]
}

fn results(out: &mut dyn Write, key: &str, t: &Tallies) -> Result<()> {
    let total = numbers(&t.total);
    let all: u64 = total.iter().sum();
    write!(out, "<h4>Results</h4>")?;
    if all == 0 {
        write!(out, "<p class=\"note\">No positions were taken.</p>")?;
        return Ok(());
    }
    // A bar per position, its count written beside it: the chart never relies on colour.
    let label = STANCES
        .iter()
        .zip(total)
        .map(|((name, _), n)| format!("{name}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    write!(
        out,
        "<svg role=\"img\" aria-label=\"Positions: {label}\" width=\"420\" height=\"92\" \
         viewBox=\"0 0 420 92\">"
    )?;
    let max = total.iter().copied().max().unwrap_or(1).max(1);
    for (row, ((name, colour), n)) in STANCES.iter().zip(total).enumerate() {
        let y = row * 22 + 2;
        let width = 220 * n / max;
        write!(
            out,
            "<text x=\"0\" y=\"{ty}\" font-size=\"10\">{name}</text>\
             <rect x=\"150\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"{colour}\"/>\
             <text x=\"{tx}\" y=\"{ty}\" font-size=\"10\">{n}</text>",
            ty = y + 12,
            tx = 155 + width,
        )?;
    }
    write!(out, "</svg>")?;
    write!(
        out,
        "<table><caption>Positions by stakeholder group</caption><thead><tr><th scope=\"col\">Group</th>"
    )?;
    for (name, _) in STANCES {
        write!(out, "<th scope=\"col\">{name}</th>")?;
    }
    write!(out, "</tr></thead><tbody>")?;
    let rows = std::iter::once(("All".to_owned(), t.total)).chain(
        t.by_group
            .iter()
            .map(|g| (group(g.name.as_deref()), g.counts)),
    );
    for (name, counts) in rows {
        write!(out, "<tr><th scope=\"row\">{}</th>", esc(&name))?;
        for n in numbers(&counts) {
            write!(out, "<td class=\"n\">{n}</td>")?;
        }
        write!(out, "</tr>")?;
    }
    write!(out, "</tbody></table>")?;
    if !t.by_region.is_empty() {
        write!(
            out,
            "<table><caption>Positions by region</caption><thead><tr><th scope=\"col\">Region</th>"
        )?;
        for (name, _) in STANCES {
            write!(out, "<th scope=\"col\">{name}</th>")?;
        }
        write!(out, "</tr></thead><tbody>")?;
        for r in &t.by_region {
            let name = match r.name.as_deref() {
                None | Some("") => "Not stated".to_owned(),
                Some(name) => name.to_owned(),
            };
            write!(out, "<tr><th scope=\"row\">{}</th>", esc(&name))?;
            for n in numbers(&r.counts) {
                write!(out, "<td class=\"n\">{n}</td>")?;
            }
            write!(out, "</tr>")?;
        }
        write!(out, "</tbody></table>")?;
    }
    write!(
        out,
        "<table id=\"{}-houses\"><caption>Result house by house: {}</caption><thead><tr>\
         <th scope=\"col\">House</th><th scope=\"col\">Endorsing</th><th scope=\"col\">Counted</th>\
         <th scope=\"col\">Result</th></tr></thead><tbody>",
        esc(key),
        if t.carried { "carried" } else { "not carried" }
    )?;
    for h in &t.houses {
        let result = match h.carried {
            Some(true) => "Carried",
            Some(false) => "Not carried",
            None => "No positions",
        };
        write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{result}</td></tr>",
            esc(&group(Some(&h.group))),
            h.endorsing,
            h.counted
        )?;
    }
    write!(out, "</tbody></table>")?;
    Ok(())
}

fn group(name: Option<&str>) -> String {
    match name {
        Some("civil_society") => "Civil society",
        Some("private_sector") => "Private sector",
        Some("government") => "Government",
        Some("academia") => "Academia",
        Some("technical_community") => "Technical community",
        Some("intergovernmental") => "Intergovernmental",
        Some(other) => return other.to_owned(),
        None => "Not recorded",
    }
    .to_owned()
}
