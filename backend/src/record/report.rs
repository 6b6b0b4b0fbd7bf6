//! `report.html`: the record as one printable page. Self-contained (inline CSS and SVG, no
//! script, no request anywhere), laid out for A4: the text with its redline against the
//! previous round, the results with a chart and the same numbers as tables, the result house
//! by house, consensus levels, minority statements, proposals, and an index of the comments
//! with the conveners' responses. Written as it is read, like every other file.

use super::{ClauseRecord, Counts, Exporter, ProposalRecord, Tallies, Visibility};
use crate::markdown;
use crate::store::Translated;
use crate::words::Words;
use anyhow::Result;
use shared::overview::{self, Cell, Labels, Row, STANCE_COLOURS};
use shared::redline::{RedlineWords, redline_html};
use shared::{Language, Tally};
use std::collections::HashMap;
use std::io::Write;

pub use shared::escape_html as esc;

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
.restyled { text-decoration: underline dotted; background: #fff3c4; }
.house-table th, .house-table td { overflow-wrap: normal; word-break: normal; }
.clause { border-left: 3px solid #ccc; padding-left: .8em; margin: 1em 0; }
.statement { border-left: 3px solid #999; padding-left: .6em; margin: .4em 0; }
.hidden { font-style: italic; color: #555; }
svg { display: block; margin: .3em 0; max-width: 100%; height: auto; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
main, header { overflow-wrap: break-word; }
@media screen and (max-width: 30em) { th, td { overflow-wrap: anywhere; padding: .15em .3em; } }
.toc { list-style: none; padding-left: 0; }
.toc a { display: inline-block; padding: .3em 0; }
.sr, .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.comments td { font-size: 9pt; }
@media print { a { color: inherit; text-decoration: none; } nav { break-after: page; } }
";

/// Writes the report of `exporter`'s round to `out` (in English: the record's language).
pub fn write(exporter: &mut Exporter, out: &mut dyn Write) -> Result<()> {
    let page = Page {
        results: true,
        links: String::new(),
        head: String::new(),
        words: Words(Language::En),
        translations: HashMap::new(),
    };
    write_page(exporter, out, &page)
}

/// What a page of the report shows besides the text and the comments, and in which language.
#[derive(Debug, Clone)]
pub struct Page {
    /// The counts and outcomes (only once a round is published, for pages anyone reads).
    pub results: bool,
    /// HTML put under the heading (the reading pages' way around the site).
    pub links: String,
    /// HTML put at the end of `<head>` (the reading pages' feeds).
    pub head: String,
    pub words: Words,
    /// By clause key: shown in place of the original, which stays one click away.
    pub translations: HashMap<String, Translated>,
}

/// Writes a page of `exporter`'s round to `out` as `page` says.
pub fn write_page(exporter: &mut Exporter, out: &mut dyn Write, page: &Page) -> Result<()> {
    let (results, links, w) = (page.results, page.links.as_str(), page.words);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let clauses = exporter.clauses()?;
    let proposals = exporter.proposals()?;
    let header = exporter.header.clone();
    let (consultation, round) = (&header.consultation, &header.round);
    let which = match exporter.visibility {
        Visibility::Public => w.get("report_public_record"),
        Visibility::Convener => w.get("report_convener_record"),
    };
    let counting = match round.counting.as_str() {
        "organisation" => w.get("counting_organisation"),
        _ => w.get("counting_person"),
    };
    let rule = match round.rule.as_str() {
        "every_house" => w.get("rule_every_house"),
        _ => w.get("rule_majority"),
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html {html}><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — {round_title}</title><style>{STYLE}</style>{head}</head><body>\
         <header><h1>{title}</h1><p><strong>{round_title}</strong> — {which}</p>\
         <p class=\"meta\">{phase_label}: {phase} · {opened} · {counting_label}: {counting} · \
         {rule_label}: {rule}{abstentions}{previous}</p></header>",
        html = w.html_attributes(),
        head = page.head,
        title = esc(&consultation.title),
        round_title = esc(&round.title),
        phase_label = esc(w.get("phase_label")),
        phase = esc(w.get(&format!("phase_{}", round.phase))),
        opened = esc(&w.with("report_opened", &[("date", day(&round.opened_at))])),
        counting_label = esc(w.get("counting_label")),
        counting = esc(counting),
        rule_label = esc(w.get("rule_label")),
        rule = esc(rule),
        abstentions = if round.abstentions_count {
            format!(" · {}", esc(w.get("abstentions_count")))
        } else {
            String::new()
        },
        previous = round
            .previous_round
            .as_ref()
            .map(|p| format!(" · {}", esc(&w.with("changes_since", &[("round", p)]))))
            .unwrap_or_default(),
    )?;
    out.write_all(links.as_bytes())?;
    write!(
        out,
        "<nav><h2>{}</h2><ul class=\"toc\">",
        esc(w.get("report_contents"))
    )?;
    if results {
        write!(
            out,
            "<li><a href=\"#overview\">{}</a></li>",
            esc(w.get("overview_title"))
        )?;
    }
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
        write!(
            out,
            "<li><a href=\"#proposals\">{}</a></li>",
            esc(w.get("proposals"))
        )?;
    }
    write!(
        out,
        "<li><a href=\"#comments\">{}</a></li></ul></nav>",
        esc(w.get("report_comments"))
    )?;
    out.write_all(b"<main>")?;
    if results {
        out.write_all(overview_section(&clauses, w).as_bytes())?;
    }
    write!(out, "<h2>{}</h2>", esc(w.get("report_text_and_results")))?;
    for c in &clauses {
        let translated = page.translations.get(&c.key);
        clause(
            &mut out,
            c,
            translated,
            round.previous_round.as_deref(),
            results,
            w,
        )?;
    }
    if !proposals.is_empty() {
        write!(out, "<h2 id=\"proposals\">{}</h2>", esc(w.get("proposals")))?;
        for p in &proposals {
            proposal(&mut out, p, results, w)?;
        }
    }
    write!(
        out,
        "<h2 id=\"comments\">{}</h2><table class=\"comments\"><thead><tr>",
        esc(w.get("report_comments"))
    )?;
    for column in [
        "report_number",
        "report_on",
        "report_by",
        "report_comment",
        "report_response",
    ] {
        write!(out, "<th scope=\"col\">{}</th>", esc(w.get(column)))?;
    }
    write!(out, "</tr></thead><tbody>")?;
    let hidden_by = esc(w.get("hidden_by_conveners"));
    let on_passage = esc(w.get("on_passage"));
    exporter.each_comment(&mut |c| {
        let by = match &c.author.handle {
            Some(handle) => format!("{} ({})", esc(handle), esc(&c.author.pseudonym)),
            None => esc(&c.author.pseudonym),
        };
        let said = match (&c.body, &c.hidden_reason) {
            (Some(body), None) => excerpt(body),
            (Some(body), Some(reason)) => format!(
                "<span class=\"hidden\">{hidden_by} {}</span><br>{}",
                esc(reason),
                excerpt(body)
            ),
            (None, reason) => format!(
                "<span class=\"hidden\">{hidden_by} {}</span>",
                esc(reason.as_deref().unwrap_or(""))
            ),
        };
        let passage = c
            .passage
            .as_ref()
            .map(|p| format!("<br><span class=\"note\">{on_passage} “{}”</span>", esc(&p.exact)))
            .unwrap_or_default();
        let reply = c
            .parent
            .map(|p| {
                let n = p.to_string();
                format!(
                    "<br><span class=\"note\">{}</span>",
                    esc(&w.with("report_reply_to", &[("n", &n)]))
                )
            })
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
            .map(|r| {
                format!(
                    "<strong>{}</strong>: {}",
                    esc(w.verdict(&r.verdict)),
                    esc(&r.explanation)
                )
            })
            .unwrap_or_default();
        write!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}{reply}</td><td>{by}<br><span class=\"note\">{}</span></td>\
             <td{lang}>{said}{passage}</td><td>{response}</td></tr>",
            c.id,
            esc(&c.clause),
            minute(&c.posted_at),
        )?;
        Ok(())
    })?;
    writeln!(
        out,
        "</tbody></table></main><footer><p class=\"meta\">{}</p></footer></body></html>",
        esc(w.get("report_footer"))
    )?;
    out.flush()?;
    Ok(())
}

/// The first 300 characters of a comment, as text.
/// The day of a record's time (`2026-12-05T18:58:28.232Z`): `2026-12-05`.
fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// A record's time as a reader reads it, to the minute and in UTC, in a `<time>` element that
/// keeps the exact time: `2026-12-05 18:58 UTC`.
fn minute(time: &str) -> String {
    let shown = match (time.get(..10), time.get(11..16)) {
        (Some(day), Some(clock)) if time.as_bytes().get(10) == Some(&b'T') => {
            format!("{day} {clock} UTC")
        }
        _ => time.to_owned(),
    };
    format!("<time datetime=\"{}\">{}</time>", esc(time), esc(&shown))
}

fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(300).collect();
    if text.len() < body.len() {
        text.push('…');
    }
    esc(&text)
}

fn clause(
    out: &mut dyn Write,
    c: &ClauseRecord,
    translated: Option<&Translated>,
    previous_round: Option<&str>,
    with_results: bool,
    w: Words,
) -> Result<()> {
    match translated {
        None => write!(
            out,
            "<section class=\"clause\" id=\"{key}\"><h3>{n}. {title}</h3>{body}",
            key = esc(&c.key),
            n = c.number,
            title = esc(&c.title),
            body = markdown::render(&c.body),
        )?,
        // The translation, then the authoritative original one click away (no script needed).
        Some(t) => write!(
            out,
            "<section class=\"clause\" id=\"{key}\"><h3>{n}. {title}</h3>\
             <p class=\"note\">{note}{outdated}</p><div lang=\"{lang}\">{body}</div>\
             <details><summary>{original}</summary><h4>{n}. {original_title}</h4>{original_body}\
             </details>",
            key = esc(&c.key),
            n = c.number,
            title = esc(&t.title),
            note = esc(w.get("translated_by_conveners")),
            outdated = if t.outdated {
                format!(" <strong>{}</strong>", esc(w.get("translation_outdated")))
            } else {
                String::new()
            },
            lang = w.0.as_str(),
            body = markdown::render(&t.body_md),
            original = esc(w.get("read_original")),
            original_title = esc(&c.title),
            original_body = markdown::render(&c.body),
        )?,
    }
    match (&c.previous, previous_round) {
        (Some(before), Some(round)) if before.body != c.body || before.title != c.title => {
            write!(
                out,
                "<h4>{}</h4><p>",
                esc(&w.with("changes_since", &[("round", round)]))
            )?;
            let red = markdown::redline(&before.body, &c.body);
            out.write_all(redline_html(&red, &redline_words(w)).as_bytes())?;
            write!(out, "</p>")?;
            if !c.change_note.is_empty() {
                write!(
                    out,
                    "<p class=\"note\">{} {}</p>",
                    esc(w.get("why_changed")),
                    esc(&c.change_note)
                )?;
            }
        }
        (None, Some(_)) => write!(out, "<p class=\"note\">{}</p>", esc(w.get("report_new")))?,
        _ => {}
    }
    // Results, consensus and minority statements belong to a published round.
    if !with_results {
        write!(out, "</section>")?;
        return Ok(());
    }
    results(out, &c.key, &c.results, w)?;
    if let Some(level) = &c.consensus {
        write!(
            out,
            "<p><strong>{}</strong> {}</p>",
            esc(w.get("consensus_level")),
            esc(w.consensus(level))
        )?;
    }
    for s in &c.minority_statements {
        write!(
            out,
            "<div class=\"statement\"><h4>{}</h4>{}<p class=\"note\">{}</p></div>",
            esc(&w.with(
                "report_minority_statement",
                &[("organisation", &s.organisation_name)]
            )),
            markdown::render(&s.body),
            minute(&s.written_at)
        )?;
    }
    write!(out, "</section>")?;
    Ok(())
}

fn proposal(out: &mut dyn Write, p: &ProposalRecord, with_results: bool, w: Words) -> Result<()> {
    let label = p.key.strip_prefix("proposal-").unwrap_or(&p.key);
    let kind = match &p.amends {
        Some(clause) => format!("{} {clause}", w.get("amendment_of")),
        None => w.get("addition").to_owned(),
    };
    let proposed = w.with(
        "report_proposed_by",
        &[
            ("who", &p.proposer.pseudonym),
            ("date", day(&p.proposed_at)),
        ],
    );
    write!(
        out,
        "<section class=\"clause\" id=\"{key}\"><h3>P{label}. {title}</h3>\
         <p class=\"note\">{kind}, {proposed}</p>{body}",
        key = esc(&p.key),
        label = esc(label),
        title = esc(&p.title),
        kind = esc(&kind),
        proposed = esc(&proposed),
        body = markdown::render(&p.body),
    )?;
    if let Some(r) = &p.response {
        write!(
            out,
            "<p><strong>{} — {}:</strong> {}</p>",
            esc(w.get("conveners_response")),
            esc(w.verdict(&r.verdict)),
            esc(&r.explanation)
        )?;
    }
    if with_results {
        results(out, &p.key, &p.results, w)?;
    }
    write!(out, "</section>")?;
    Ok(())
}

/// What a redline says to screen readers, in `w`'s language.
pub(crate) fn redline_words(w: Words) -> RedlineWords {
    RedlineWords {
        added: w.get("added").to_owned(),
        removed: w.get("removed").to_owned(),
        restyled: w.get("restyled").to_owned(),
    }
}

/// Every clause at a glance: the support chart and the houses' grid with its table, drawn as
/// the app's results page draws them.
fn overview_section(clauses: &[ClauseRecord], w: Words) -> String {
    let rows: Vec<Row> = clauses
        .iter()
        .map(|c| {
            let t = &c.results.total;
            Row {
                label: format!("{}. {}", c.number, c.title),
                key: c.key.clone(),
                tally: Tally::from(*t),
                houses: c.results.houses.iter().map(Cell::from).collect(),
            }
        })
        .collect();
    if overview::is_empty(&rows) {
        return format!(
            "<section id=\"overview\"><h2>{}</h2><p class=\"note\">{}</p></section>",
            esc(w.get("overview_title")),
            esc(w.get("overview_no_positions"))
        );
    }
    let groups = clauses
        .first()
        .map(|c| {
            c.results
                .houses
                .iter()
                .map(|h| w.group(Some(&h.group)))
                .collect()
        })
        .unwrap_or_default();
    let labels = Labels {
        stances: STANCES.map(|(stance, _)| w.stance(stance).to_owned()),
        groups,
        support_title: w.get("overview_support").to_owned(),
        grid_title: w.get("overview_houses").to_owned(),
        house_results: ["house_carried", "house_not_carried", "house_no_positions"]
            .map(|key| w.get(key).to_owned()),
        rtl: w.0 == Language::Ar,
    };
    format!(
        "<section id=\"overview\"><h2>{title}</h2><h3>{support}</h3><p class=\"note\">{help}</p>\
         {chart}<h3>{houses}</h3>{grid}{table}</section>",
        title = esc(w.get("overview_title")),
        support = esc(&labels.support_title),
        help = esc(w.get("overview_support_help")),
        chart = overview::support_chart(&rows, &labels),
        houses = esc(&labels.grid_title),
        grid = overview::house_grid(&rows, &labels),
        table = overview::house_table(&rows, &labels, &labels.grid_title, w.get("clause")),
    )
}

/// Each position as stored, with the colour of its bar.
const STANCES: [(&str, &str); 4] = [
    ("endorse", STANCE_COLOURS[0]),
    ("endorse_with_reservation", STANCE_COLOURS[1]),
    ("oppose", STANCE_COLOURS[2]),
    ("abstain", STANCE_COLOURS[3]),
];

fn numbers(c: &Counts) -> [u64; 4] {
    [c.endorse, c.endorse_with_reservation, c.oppose, c.abstain]
}

/// A table of counts per position, one row per (already escaped) name.
fn count_table(
    out: &mut dyn Write,
    caption: &str,
    first_column: &str,
    rows: impl Iterator<Item = (String, Counts)>,
    w: Words,
) -> Result<()> {
    write!(
        out,
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>",
        esc(caption),
        esc(first_column)
    )?;
    for (stance, _) in STANCES {
        write!(out, "<th scope=\"col\">{}</th>", esc(w.stance(stance)))?;
    }
    write!(out, "</tr></thead><tbody>")?;
    for (name, counts) in rows {
        write!(out, "<tr><th scope=\"row\">{}</th>", esc(&name))?;
        for n in numbers(&counts) {
            write!(out, "<td class=\"n\">{n}</td>")?;
        }
        write!(out, "</tr>")?;
    }
    write!(out, "</tbody></table>")?;
    Ok(())
}

fn results(out: &mut dyn Write, key: &str, t: &Tallies, w: Words) -> Result<()> {
    let total = numbers(&t.total);
    let all: u64 = total.iter().sum();
    write!(out, "<h4>{}</h4>", esc(w.get("results_title")))?;
    if all == 0 {
        write!(
            out,
            "<p class=\"note\">{}</p>",
            esc(w.get("report_no_positions"))
        )?;
        return Ok(());
    }
    // A bar per position, its count written beside it: the chart never relies on colour.
    let label = STANCES
        .iter()
        .zip(total)
        .map(|((stance, _), n)| format!("{}: {n}", w.stance(stance)))
        .collect::<Vec<_>>()
        .join(", ");
    write!(
        out,
        "<svg role=\"img\" aria-label=\"{}: {}\" width=\"420\" height=\"92\" \
         viewBox=\"0 0 420 92\">",
        esc(w.get("report_positions")),
        esc(&label)
    )?;
    let max = total.iter().copied().max().unwrap_or(1).max(1);
    for (row, ((stance, colour), n)) in STANCES.iter().zip(total).enumerate() {
        let y = row * 22 + 2;
        let width = 220 * n / max;
        write!(
            out,
            "<text x=\"0\" y=\"{ty}\" font-size=\"10\">{name}</text>\
             <rect x=\"150\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"{colour}\"/>\
             <text x=\"{tx}\" y=\"{ty}\" font-size=\"10\">{n}</text>",
            name = esc(w.stance(stance)),
            ty = y + 12,
            tx = 155 + width,
        )?;
    }
    write!(out, "</svg>")?;
    let groups = std::iter::once((w.get("report_all").to_owned(), t.total)).chain(
        t.by_group
            .iter()
            .map(|g| (w.group(g.name.as_deref()), g.counts)),
    );
    count_table(out, w.get("by_group"), w.get("report_group"), groups, w)?;
    if !t.by_region.is_empty() {
        let regions = t.by_region.iter().map(|r| {
            let name = match r.name.as_deref() {
                None | Some("") => w.get("not_stated").to_owned(),
                Some(name) => name.to_owned(),
            };
            (name, r.counts)
        });
        count_table(out, w.get("by_region"), w.get("region"), regions, w)?;
    }
    let outcome = if t.carried {
        w.get("report_carried")
    } else {
        w.get("report_not_carried")
    };
    write!(
        out,
        "<table id=\"{}-houses\"><caption>{}</caption><thead><tr>",
        esc(key),
        esc(&w.with("report_houses", &[("result", outcome)]))
    )?;
    for column in ["report_house", "endorsing", "counted", "house_result"] {
        write!(out, "<th scope=\"col\">{}</th>", esc(w.get(column)))?;
    }
    write!(out, "</tr></thead><tbody>")?;
    for h in &t.houses {
        let result = match h.carried {
            Some(true) => w.get("house_carried"),
            Some(false) => w.get("house_not_carried"),
            None => w.get("house_no_positions"),
        };
        write!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&w.group(Some(&h.group))),
            h.endorsing,
            h.counted,
            esc(result)
        )?;
    }
    write!(out, "</tbody></table>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_iso_dates_to_the_minute_in_utc() {
        assert_eq!(day("2026-12-05T18:58:28.232Z"), "2026-12-05");
        assert_eq!(
            minute("2026-12-05T18:58:28.232Z"),
            "<time datetime=\"2026-12-05T18:58:28.232Z\">2026-12-05 18:58 UTC</time>"
        );
        assert_eq!(minute("soon"), "<time datetime=\"soon\">soon</time>");
    }
}
