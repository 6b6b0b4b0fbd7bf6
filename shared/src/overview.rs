//! The results overview (issue 18): every clause of a round at a glance, drawn as SVG by this one
//! piece of code for the app's results page, the reading page and the printable report.
//!
//! - [`support_chart`]: a diverging stacked bar per clause, endorsements (with and without
//!   reservation) to the right of the axis and oppositions to the left, as shares of the
//!   positions taken for or against; abstentions apart, as a count.
//! - [`house_grid`]: clauses × stakeholder groups, each cell coloured by that house's result,
//!   with its numbers and a mark in it, so that nothing rests on colour alone.
//!
//! The colours are Okabe and Ito's palette, published for readers with colour-vision
//! deficiencies; a unit test checks, by simulation, that they stay apart for the three
//! common ones.

use crate::{ClauseResults, Tally, escape_html};

/// Endorse, endorse with reservation, oppose, abstain.
pub const STANCE_COLOURS: [&str; 4] = ["#0072B2", "#56B4E9", "#D55E00", "#BBBBBB"];
/// A house carried the clause, did not, took no position: fill and text.
pub const HOUSE_COLOURS: [(&str, &str); 3] = [
    ("#0072B2", "#FFFFFF"),
    ("#D55E00", "#000000"),
    ("#EEEEEE", "#333333"),
];

/// The drawings' width in SVG units; they scale down to a narrow screen.
const WIDTH: u32 = 360;

/// One clause as the overview shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// "3. Protect individuals".
    pub label: String,
    /// Its key, for links to it.
    pub key: String,
    pub tally: Tally,
    /// One per stakeholder group, in the order of [`Labels::groups`].
    pub houses: Vec<Cell>,
}

/// A house's result on a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    /// `None` when nobody in the house took a position.
    pub carried: Option<bool>,
    pub endorsing: u64,
    pub counted: u64,
}

impl From<&crate::House> for Cell {
    fn from(h: &crate::House) -> Self {
        Self {
            carried: h.carried,
            endorsing: h.endorsing,
            counted: h.counted,
        }
    }
}

/// The words the drawings use, in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// Endorse, endorse with reservation, oppose, abstain.
    pub stances: [String; 4],
    /// The stakeholder groups, in the order of [`Row::houses`].
    pub groups: Vec<String>,
    pub support_title: String,
    pub grid_title: String,
    /// A house carried, did not, took no position.
    pub house_results: [String; 3],
    /// Whether the reader's language is written right to left.
    pub rtl: bool,
}

/// The rows of a round's published results, in the text's order; the houses in the order of
/// [`crate::StakeholderGroup::ALL`], as the results list them.
pub fn rows_from(clauses: &[ClauseResults]) -> Vec<Row> {
    clauses
        .iter()
        .map(|c| Row {
            label: format!("{}. {}", c.number, c.title),
            key: c.key.clone(),
            tally: c.results.total,
            houses: c.chambered.houses.iter().map(Cell::from).collect(),
        })
        .collect()
}

/// The order of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// As in the text.
    #[default]
    Text,
    /// Most support first: the share of endorsements among positions for or against, then the
    /// number of them; clauses without any such position last.
    Support,
}

/// How many positions were taken, abstentions included.
pub fn positions(t: &Tally) -> u64 {
    t.endorse + t.endorse_with_reservation + t.oppose + t.abstain
}

/// Whether nobody took any position on any of `rows`: then there is nothing to draw.
pub fn is_empty(rows: &[Row]) -> bool {
    rows.iter().all(|r| positions(&r.tally) == 0)
}

/// The share of endorsements (with or without reservation) among the positions for or against,
/// `None` when there is none.
pub fn support(t: &Tally) -> Option<f64> {
    let endorsing = t.endorse + t.endorse_with_reservation;
    let decided = endorsing + t.oppose;
    (decided > 0).then(|| endorsing as f64 / decided as f64)
}

/// The rows in `order` (a stable sort: equal rows keep the text's order).
pub fn ordered(mut rows: Vec<Row>, order: Order) -> Vec<Row> {
    if order == Order::Support {
        let key = |r: &Row| {
            let decided = r.tally.endorse + r.tally.endorse_with_reservation + r.tally.oppose;
            (support(&r.tally).unwrap_or(-1.0), decided)
        };
        rows.sort_by(|a, b| {
            let (a, b) = (key(a), key(b));
            b.0.total_cmp(&a.0).then(b.1.cmp(&a.1))
        });
    }
    rows
}

/// `part` of `whole` in whole percent, rounded; 0 of nothing.
fn percent(part: u64, whole: u64) -> u64 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

/// `text` cut to `max` characters with "…": an SVG text does not wrap, and the whole of it is in
/// the drawing's name and the table.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// A text at `x`, `y`, anchored at its start in the reader's direction.
fn label(x_start: u32, y: u32, text: &str, rtl: bool, class: &str) -> String {
    let (x, anchor, direction) = if rtl {
        (WIDTH - x_start, "end", " direction=\"rtl\"")
    } else {
        (x_start, "start", "")
    };
    format!(
        "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\"{direction} class=\"{class}\">{}</text>",
        escape_html(text)
    )
}

/// Four colour keys in two rows, below a drawing that ends at `top`.
fn legend(top: u32, entries: &[(&str, &str)], rtl: bool) -> String {
    entries
        .iter()
        .enumerate()
        .map(|(i, (colour, name))| {
            let column = (i as u32 % 2) * (WIDTH / 2);
            let y = top + (i as u32 / 2) * 18;
            let x = if rtl { WIDTH - column - 12 } else { column };
            format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{colour}\" \
                 stroke=\"#555\" stroke-width=\"0.5\"/>{}",
                label(column + 16, y + 10, name, rtl, "ov-key")
            )
        })
        .collect()
}

/// The diverging stacked bars of every clause, with its legend; `role="img"`, named by the
/// figures it shows.
pub fn support_chart(rows: &[Row], labels: &Labels) -> String {
    const ROW: u32 = 40;
    const AXIS: u32 = WIDTH / 2;
    const HALF: u32 = 140;
    let mut body = String::new();
    let mut summary = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let t = &row.tally;
        let top = i as u32 * ROW;
        let decided = t.endorse + t.endorse_with_reservation + t.oppose;
        let scale = |n: u64| (u64::from(HALF) * n).checked_div(decided).unwrap_or(0) as u32;
        let (endorse, reservation, oppose) = (
            scale(t.endorse),
            scale(t.endorse_with_reservation),
            scale(t.oppose),
        );
        let for_share = percent(t.endorse + t.endorse_with_reservation, decided);
        let against_share = percent(t.oppose, decided);
        let abstain = format!("{} {}", labels.stances[3], t.abstain);
        // Each position's count, as the bars' shares cannot say them all.
        let counts = [t.endorse, t.endorse_with_reservation, t.oppose, t.abstain]
            .iter()
            .zip(&labels.stances)
            .map(|(n, stance)| format!("{stance} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        summary.push(format!("{}: {counts}", row.label));
        let bar = top + 18;
        body.push_str(&label(
            0,
            top + 13,
            &fit(&row.label, 44),
            labels.rtl,
            "ov-name",
        ));
        // Abstentions apart: a count at the end of the name's line.
        body.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\" class=\"ov-count\">{}</text>",
            escape_html(&abstain),
            x = if labels.rtl { 0 } else { WIDTH },
            y = top + 13,
            anchor = if labels.rtl { "start" } else { "end" },
        ));
        if decided == 0 {
            continue;
        }
        body.push_str(&format!(
            "<line x1=\"{AXIS}\" y1=\"{axis_top}\" x2=\"{AXIS}\" y2=\"{axis_end}\" stroke=\"#333\"/>\
             <rect x=\"{x}\" y=\"{bar}\" width=\"{oppose}\" height=\"14\" fill=\"{c}\"/>\
             <rect x=\"{AXIS}\" y=\"{bar}\" width=\"{endorse}\" height=\"14\" fill=\"{a}\"/>\
             <rect x=\"{r}\" y=\"{bar}\" width=\"{reservation}\" height=\"14\" fill=\"{b}\"/>\
             <text x=\"{left}\" y=\"{ty}\" text-anchor=\"end\" class=\"ov-count\">{against_share}%</text>\
             <text x=\"{right}\" y=\"{ty}\" class=\"ov-count\">{for_share}%</text>",
            x = AXIS - oppose,
            r = AXIS + endorse,
            left = AXIS - oppose - 3,
            right = AXIS + endorse + reservation + 3,
            ty = bar + 11,
            axis_top = bar - 2,
            axis_end = bar + 16,
            a = STANCE_COLOURS[0],
            b = STANCE_COLOURS[1],
            c = STANCE_COLOURS[2],
        ));
    }
    let bottom = rows.len() as u32 * ROW;
    let keys: Vec<(&str, &str)> = STANCE_COLOURS
        .iter()
        .zip(labels.stances.iter())
        .map(|(c, s)| (*c, s.as_str()))
        .collect();
    let height = bottom + 44;
    format!(
        "<svg class=\"overview support-chart\" role=\"img\" aria-label=\"{name}\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         font-size=\"12\"><title>{title}</title>{body}{keys}</svg>",
        name = escape_html(&format!("{}. {}", labels.support_title, summary.join("; "))),
        title = escape_html(&labels.support_title),
        keys = legend(bottom + 8, &keys, labels.rtl),
    )
}

/// The clauses × stakeholder groups grid. Decorative for screen readers, which read the table
/// [`house_table`] writes from the same rows.
pub fn house_grid(rows: &[Row], labels: &Labels) -> String {
    const HEAD: u32 = 116;
    const ROW: u32 = 44;
    // The cells leave room at the right for the last column's name, turned up and rightwards.
    const AREA: u32 = WIDTH - 60;
    let columns = labels.groups.len().max(1) as u32;
    let cell = AREA / columns;
    let column_x = |i: u32| {
        if labels.rtl {
            AREA - (i + 1) * cell
        } else {
            i * cell
        }
    };
    let mut body = String::new();
    for (i, group) in labels.groups.iter().enumerate() {
        // Column names turned, reading upwards from the top of the column.
        let x = column_x(i as u32) + cell / 2;
        body.push_str(&format!(
            "<text transform=\"translate({x} {y}) rotate(-60)\" class=\"ov-key\">{}</text>",
            escape_html(&fit(group, 20)),
            y = HEAD - 6,
        ));
    }
    for (r, row) in rows.iter().enumerate() {
        let top = HEAD + r as u32 * ROW;
        body.push_str(&label(
            0,
            top + 12,
            &fit(&row.label, 56),
            labels.rtl,
            "ov-name",
        ));
        for (i, house) in row.houses.iter().enumerate() {
            let (which, mark) = match house.carried {
                Some(true) => (0, "✓"),
                Some(false) => (1, "✗"),
                None => (2, "–"),
            };
            let (fill, ink) = HOUSE_COLOURS[which];
            let x = column_x(i as u32);
            let numbers = if house.carried.is_some() {
                format!("{mark} {}/{}", house.endorsing, house.counted)
            } else {
                mark.to_owned()
            };
            body.push_str(&format!(
                "<rect x=\"{rx}\" y=\"{y}\" width=\"{w}\" height=\"22\" fill=\"{fill}\"/>\
                 <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\" fill=\"{ink}\" \
                 class=\"ov-count\">{numbers}</text>",
                rx = x + 1,
                y = top + 17,
                w = cell - 2,
                tx = x + cell / 2,
                ty = top + 32,
            ));
        }
    }
    let bottom = HEAD + rows.len() as u32 * ROW;
    let keys: Vec<(&str, &str)> = HOUSE_COLOURS
        .iter()
        .zip(labels.house_results.iter())
        .map(|((fill, _), name)| (*fill, name.as_str()))
        .collect();
    let height = bottom + 44;
    format!(
        "<svg class=\"overview house-grid\" aria-hidden=\"true\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" font-size=\"12\">{body}{keys}</svg>",
        keys = legend(bottom + 6, &keys, labels.rtl),
    )
}

/// The grid's figures as a table, for screen readers and anyone who prefers one.
pub fn house_table(rows: &[Row], labels: &Labels, caption: &str, clause_heading: &str) -> String {
    let mut html = format!(
        "<table class=\"house-table\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>",
        escape_html(caption),
        escape_html(clause_heading)
    );
    for group in &labels.groups {
        html.push_str(&format!("<th scope=\"col\">{}</th>", escape_html(group)));
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str(&format!(
            "<tr><th scope=\"row\">{}</th>",
            escape_html(&row.label)
        ));
        for house in &row.houses {
            let result = match house.carried {
                Some(true) => &labels.house_results[0],
                Some(false) => &labels.house_results[1],
                None => &labels.house_results[2],
            };
            let numbers = if house.carried.is_some() {
                format!(" ({}/{})", house.endorsing, house.counted)
            } else {
                String::new()
            };
            html.push_str(&format!("<td>{}{numbers}</td>", escape_html(result)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(endorse: u64, endorse_with_reservation: u64, oppose: u64, abstain: u64) -> Tally {
        Tally {
            endorse,
            endorse_with_reservation,
            oppose,
            abstain,
        }
    }

    fn row(label: &str, t: Tally) -> Row {
        Row {
            label: label.into(),
            key: label.into(),
            tally: t,
            houses: vec![
                Cell {
                    carried: Some(true),
                    endorsing: 3,
                    counted: 4,
                },
                Cell {
                    carried: None,
                    endorsing: 0,
                    counted: 0,
                },
            ],
        }
    }

    fn labels(rtl: bool) -> Labels {
        Labels {
            stances: ["Endorse", "With reservation", "Oppose", "Abstain"].map(String::from),
            groups: vec!["Civil society".into(), "Government".into()],
            support_title: "Support".into(),
            grid_title: "Houses".into(),
            house_results: ["Carried", "Not carried", "No positions"].map(String::from),
            rtl,
        }
    }

    #[test]
    fn rows_sort_by_support_then_by_how_many_decided_keeping_ties_in_text_order() {
        let rows = vec![
            row("1", tally(1, 0, 1, 0)),
            row("2", tally(0, 0, 0, 5)),
            row("3", tally(3, 1, 0, 0)),
            row("4", tally(1, 0, 0, 0)),
            row("5", tally(2, 0, 2, 9)),
            row("6", tally(1, 0, 1, 0)),
        ];
        let order: Vec<String> = ordered(rows.clone(), Order::Support)
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(order, ["3", "4", "5", "1", "6", "2"]);
        assert_eq!(ordered(rows.clone(), Order::Text), rows);
        assert_eq!(support(&tally(0, 0, 0, 3)), None);
        assert_eq!(support(&tally(1, 2, 1, 3)), Some(0.75));
    }

    #[test]
    fn the_bars_diverge_from_the_axis_with_their_shares_and_abstentions_apart() {
        let svg = support_chart(&[row("1. Protect", tally(2, 1, 1, 4))], &labels(false));
        // 3 of 4 for: 105 units right of the axis at 180 (75 + 30 of 140), 35 left.
        assert!(
            svg.contains("<rect x=\"145\" y=\"18\" width=\"35\""),
            "{svg}"
        );
        assert!(
            svg.contains("<rect x=\"180\" y=\"18\" width=\"70\""),
            "{svg}"
        );
        assert!(
            svg.contains("<rect x=\"250\" y=\"18\" width=\"35\""),
            "{svg}"
        );
        assert!(svg.contains(">75%<") && svg.contains(">25%<"), "{svg}");
        assert!(svg.contains(">Abstain 4<"), "{svg}");
        assert!(
            svg.contains(
                "aria-label=\"Support. 1. Protect: Endorse 2, With reservation 1, Oppose 1, \
                 Abstain 4\""
            ),
            "{svg}"
        );
        // A clause nobody decided on draws no bar, no share, and divides by nothing.
        let empty = support_chart(&[row("2", tally(0, 0, 0, 2))], &labels(false));
        assert!(
            !empty.contains('%') && !empty.contains("height=\"14\""),
            "{empty}"
        );
        assert!(empty.contains("Oppose 0, Abstain 2\""), "{empty}");
    }

    #[test]
    fn text_is_escaped_and_right_to_left_readers_start_at_the_right() {
        let svg = support_chart(&[row("<b>&", tally(1, 0, 0, 0))], &labels(true));
        assert!(svg.contains("&lt;b&gt;&amp;"), "{svg}");
        assert!(
            svg.contains("x=\"360\" y=\"13\" text-anchor=\"end\" direction=\"rtl\""),
            "{svg}"
        );
    }

    #[test]
    fn a_long_name_is_cut_to_fit_its_line_and_kept_whole_in_the_chart_s_name() {
        let long = "9. ".to_owned() + &"word ".repeat(20);
        let svg = support_chart(&[row(&long, tally(1, 0, 0, 0))], &labels(false));
        let shown = format!(">{}…<", &long[..43]);
        assert!(svg.contains(&shown), "{svg}");
        assert!(
            svg.contains(long.trim_end()),
            "the whole name in the chart's name"
        );
    }

    #[test]
    fn the_grid_marks_each_house_and_its_table_says_the_same() {
        let rows = [row("1. Protect", tally(1, 0, 0, 0))];
        let grid = house_grid(&rows, &labels(false));
        assert!(grid.contains(">✓ 3/4<") && grid.contains(">–<"), "{grid}");
        assert!(grid.contains("fill=\"#0072B2\"") && grid.contains("fill=\"#EEEEEE\""));
        let table = house_table(&rows, &labels(false), "Houses", "Clause");
        assert!(
            table.contains("<td>Carried (3/4)</td><td>No positions</td>"),
            "{table}"
        );
    }

    /// sRGB to linear light.
    fn linear(hex: &str) -> [f64; 3] {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap()) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        [channel(0), channel(1), channel(2)]
    }

    /// Linear RGB to CIE L*a*b* (D65).
    fn lab(rgb: [f64; 3]) -> [f64; 3] {
        let [r, g, b] = rgb.map(|c| c.clamp(0.0, 1.0));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (fx, fy, fz) = (f(x), f(y), f(z));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    /// Machado, Oliveira and Fernandes (2009), full severity, on linear RGB.
    const DEFICIENCIES: [(&str, [[f64; 3]; 3]); 3] = [
        (
            "protanopia",
            [
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ],
        ),
        (
            "deuteranopia",
            [
                [0.367322, 0.860646, -0.227968],
                [0.280085, 0.672501, 0.047413],
                [-0.011820, 0.042940, 0.968881],
            ],
        ),
        (
            "tritanopia",
            [
                [1.255528, -0.076749, -0.178779],
                [-0.078411, 0.930809, 0.147602],
                [0.004733, 0.691367, 0.303900],
            ],
        ),
    ];

    /// The smallest distance (CIE76 ΔE) between two of `colours` as a reader with each common
    /// deficiency, or with none, sees them.
    fn closest(colours: &[&str]) -> (f64, &'static str) {
        let mut worst = (f64::MAX, "none");
        let seen = |m: Option<&[[f64; 3]; 3]>, hex: &str| {
            let c = linear(hex);
            lab(match m {
                None => c,
                Some(m) => m.map(|row| row[0] * c[0] + row[1] * c[1] + row[2] * c[2]),
            })
        };
        let views = std::iter::once(("none", None))
            .chain(DEFICIENCIES.iter().map(|(name, m)| (*name, Some(m))));
        for (name, m) in views {
            for (i, a) in colours.iter().enumerate() {
                for b in &colours[i + 1..] {
                    let (p, q) = (seen(m, a), seen(m, b));
                    let distance = p
                        .iter()
                        .zip(q)
                        .map(|(x, y)| (x - y).powi(2))
                        .sum::<f64>()
                        .sqrt();
                    if distance < worst.0 {
                        worst = (distance, name);
                    }
                }
            }
        }
        worst
    }

    #[test]
    fn the_colours_stay_apart_for_the_common_colour_vision_deficiencies() {
        let (stances, _) = closest(&STANCE_COLOURS);
        let houses: Vec<&str> = HOUSE_COLOURS.iter().map(|(fill, _)| *fill).collect();
        let (grid, _) = closest(&houses);
        assert!(stances > 20.0, "stance colours {stances:.1} apart");
        assert!(grid > 20.0, "house colours {grid:.1} apart");
        // The check can fail: a red and a green of the same lightness merge for most readers
        // with a red-green deficiency.
        let (red_green, who) = closest(&["#D62728", "#2CA02C"]);
        assert!(red_green < 20.0, "{red_green:.1} ({who})");
    }
}
