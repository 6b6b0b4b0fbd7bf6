//! DOCX (Office Open XML): `word/document.xml` read as a stream, with the heading levels from
//! `word/styles.xml`, list kinds from `word/numbering.xml` and link targets from
//! `word/_rels/document.xml.rels`. A "Title" paragraph is a level-1 heading and "Heading N" is
//! level N + 1, so that a document's title stays above its clauses. Deleted text (tracked
//! changes), field codes and text boxes' fallbacks are left out.

use super::{DocumentError, Inline, Parts, Style, Tables, attribute, each_event, reference};
use quick_xml::events::Event;
use shared::draft::{Block, BlockKind};
use std::collections::HashMap;

/// What a paragraph style says.
#[derive(Debug, Clone, Default)]
struct ParagraphStyle {
    level: Option<u8>,
    num_id: Option<String>,
    based_on: Option<String>,
}

/// A list's kind at each level, and where its numbers start.
#[derive(Debug, Clone, Copy)]
struct ListLevel {
    ordered: bool,
    start: u32,
}

pub(super) fn read(parts: &mut Parts<'_>) -> Result<Vec<Block>, DocumentError> {
    let document = parts.required("word/document.xml")?;
    let styles = match parts.read("word/styles.xml")? {
        Some(xml) => styles(parts, &xml)?,
        None => HashMap::new(),
    };
    let numbering = match parts.read("word/numbering.xml")? {
        Some(xml) => numbering(parts, &xml)?,
        None => HashMap::new(),
    };
    let links = match parts.read("word/_rels/document.xml.rels")? {
        Some(xml) => relationships(parts, &xml)?,
        None => HashMap::new(),
    };
    Body {
        styles,
        numbering,
        links,
        ..Body::default()
    }
    .read(parts, &document)
}

/// The heading level a style's name or outline level gives.
fn level_of(name: &str, outline: Option<u8>) -> Option<u8> {
    let name = name.to_ascii_lowercase();
    if name == "title" {
        return Some(1);
    }
    if let Some(n) = name
        .strip_prefix("heading ")
        .and_then(|n| n.parse::<u8>().ok())
    {
        return Some(n.clamp(1, 5) + 1);
    }
    outline.filter(|l| *l < 9).map(|l| l.min(4) + 2)
}

fn styles(parts: &Parts<'_>, xml: &[u8]) -> Result<HashMap<String, ParagraphStyle>, DocumentError> {
    let mut found: HashMap<String, ParagraphStyle> = HashMap::new();
    let mut current: Option<(String, ParagraphStyle, String, Option<u8>)> = None;
    each_event(parts, xml, |event| match event {
        Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
            "style" => {
                current = attribute(&e, "styleId")
                    .map(|id| (id, ParagraphStyle::default(), String::new(), None));
            }
            "name" => {
                if let Some((_, _, name, _)) = current.as_mut() {
                    *name = attribute(&e, "val").unwrap_or_default();
                }
            }
            "basedOn" => {
                if let Some((_, style, _, _)) = current.as_mut() {
                    style.based_on = attribute(&e, "val");
                }
            }
            "outlineLvl" => {
                if let Some((_, _, _, outline)) = current.as_mut() {
                    *outline = attribute(&e, "val").and_then(|v| v.parse().ok());
                }
            }
            "numId" => {
                if let Some((_, style, _, _)) = current.as_mut() {
                    style.num_id = attribute(&e, "val").filter(|v| v != "0");
                }
            }
            _ => {}
        },
        Event::End(e) if e.local_name().as_ref() == "style" => {
            if let Some((id, mut style, name, outline)) = current.take() {
                style.level = level_of(&name, outline);
                found.insert(id, style);
            }
        }
        _ => {}
    })?;
    Ok(found)
}

/// Each list (`numId`) with its levels.
fn numbering(
    parts: &Parts<'_>,
    xml: &[u8],
) -> Result<HashMap<String, HashMap<u8, ListLevel>>, DocumentError> {
    let mut abstracts: HashMap<String, HashMap<u8, ListLevel>> = HashMap::new();
    let mut lists: HashMap<String, String> = HashMap::new();
    let mut abstract_id: Option<String> = None;
    let mut level: Option<(u8, ListLevel)> = None;
    let mut num_id: Option<String> = None;
    each_event(parts, xml, |event| match event {
        Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
            "abstractNum" => abstract_id = attribute(&e, "abstractNumId"),
            "lvl" => {
                level = attribute(&e, "ilvl").and_then(|l| l.parse().ok()).map(|l| {
                    (
                        l,
                        ListLevel {
                            ordered: true,
                            start: 1,
                        },
                    )
                });
            }
            "start" => {
                if let Some((_, l)) = level.as_mut() {
                    l.start = attribute(&e, "val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1);
                }
            }
            "numFmt" => {
                if let Some((_, l)) = level.as_mut() {
                    let format = attribute(&e, "val").unwrap_or_default();
                    l.ordered = !matches!(format.as_str(), "bullet" | "none" | "");
                }
            }
            "num" => num_id = attribute(&e, "numId"),
            "abstractNumId" => {
                if let (Some(num), Some(target)) = (num_id.as_ref(), attribute(&e, "val")) {
                    lists.insert(num.clone(), target);
                }
            }
            _ => {}
        },
        Event::End(e) => match e.local_name().as_ref() {
            "lvl" => {
                if let (Some(id), Some((ilvl, l))) = (abstract_id.as_ref(), level.take()) {
                    abstracts.entry(id.clone()).or_default().insert(ilvl, l);
                }
            }
            "abstractNum" => abstract_id = None,
            "num" => num_id = None,
            _ => {}
        },
        _ => {}
    })?;
    Ok(lists
        .into_iter()
        .filter_map(|(num, target)| Some((num, abstracts.get(&target)?.clone())))
        .collect())
}

/// External link targets by relationship id.
fn relationships(parts: &Parts<'_>, xml: &[u8]) -> Result<HashMap<String, String>, DocumentError> {
    let mut links = HashMap::new();
    each_event(parts, xml, |event| match event {
        Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
            if let (Some(id), Some(target)) = (attribute(&e, "Id"), attribute(&e, "Target")) {
                links.insert(id, target);
            }
        }
        _ => {}
    })?;
    Ok(links)
}

/// Reading `word/document.xml`.
#[derive(Default)]
struct Body {
    styles: HashMap<String, ParagraphStyle>,
    numbering: HashMap<String, HashMap<u8, ListLevel>>,
    links: HashMap<String, String>,
    blocks: Vec<Block>,
    // The paragraph being read.
    inline: Inline,
    style_id: Option<String>,
    outline: Option<u8>,
    num: (Option<String>, u8),
    // The run being read.
    in_run: bool,
    in_text: bool,
    run: Style,
    link: Option<String>,
    /// Depth inside something whose text is left out (deleted text, text box fallbacks).
    skipping: usize,
    tables: Tables,
    /// Each list's counters, per level.
    counters: HashMap<String, [u32; 9]>,
}

impl Body {
    fn read(mut self, parts: &Parts<'_>, xml: &[u8]) -> Result<Vec<Block>, DocumentError> {
        each_event(parts, xml, |event| match event {
            Event::Start(e) => {
                let local_name = e.local_name();
                let name = local_name.as_ref();
                if self.skipping > 0
                    || matches!(name, "del" | "Fallback" | "instrText" | "txbxContent")
                {
                    self.skipping += 1;
                    return;
                }
                self.start(name, &e);
            }
            Event::Empty(e) if self.skipping == 0 => {
                let name = e.local_name().as_ref().to_owned();
                self.start(&name, &e);
                self.end(&name);
            }
            Event::End(e) => {
                if self.skipping > 0 {
                    self.skipping -= 1;
                    return;
                }
                self.end(e.local_name().as_ref());
            }
            Event::Text(t) if self.in_text && self.skipping == 0 => {
                self.inline.push(&t.xml10_content(), &self.style());
            }
            Event::GeneralRef(r) if self.in_text && self.skipping == 0 => {
                self.inline.push(&reference(&r), &self.style());
            }
            _ => {}
        })?;
        Ok(self.blocks)
    }

    fn style(&self) -> Style {
        Style {
            link: self.link.clone(),
            ..self.run.clone()
        }
    }

    fn start(&mut self, name: &str, e: &quick_xml::events::BytesStart<'_>) {
        let on =
            || attribute(e, "val").is_none_or(|v| !matches!(v.as_str(), "0" | "false" | "off"));
        match name {
            "p" => {
                self.style_id = None;
                self.outline = None;
                self.num = (None, 0);
            }
            "pStyle" => self.style_id = attribute(e, "val"),
            "outlineLvl" if !self.in_run => {
                self.outline = attribute(e, "val").and_then(|v| v.parse().ok());
            }
            "numId" if !self.in_run => self.num.0 = attribute(e, "val"),
            "ilvl" if !self.in_run => {
                self.num.1 = attribute(e, "val")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
                    .min(8);
            }
            "r" => {
                self.in_run = true;
                self.run = Style::default();
            }
            "b" if self.in_run => self.run.bold = on(),
            "i" if self.in_run => self.run.italic = on(),
            "rStyle" if self.in_run => match attribute(e, "val").as_deref() {
                Some("Strong") => self.run.bold = true,
                Some("Emphasis") => self.run.italic = true,
                _ => {}
            },
            "t" if self.in_run => self.in_text = true,
            "tab" if self.in_run => self.inline.push(" ", &self.style()),
            "br" | "cr" if self.in_run => self.inline.push("\n", &Style::default()),
            "hyperlink" => {
                self.link = attribute(e, "id").and_then(|id| self.links.get(&id).cloned());
            }
            "tbl" => self.tables.start_table(),
            "tr" => self.tables.start_row(),
            "tc" => self.tables.start_cell(),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "t" => self.in_text = false,
            "r" => self.in_run = false,
            "hyperlink" => self.link = None,
            "p" => self.paragraph(),
            "tbl" => {
                if let Some(block) = self.tables.end_table() {
                    self.blocks.push(block);
                }
            }
            _ => {}
        }
    }

    fn paragraph(&mut self) {
        let style = self.style_id.as_ref().and_then(|id| self.resolved(id));
        let level = style
            .as_ref()
            .and_then(|s| s.level)
            .or_else(|| self.outline.filter(|l| *l < 9).map(|l| l.min(4) + 2));
        // A paragraph in a table is part of its cell.
        let plain = self.inline.plain();
        let text = self.inline.take_markdown();
        if self.tables.add_to_cell(&text) {
            return;
        }
        // A heading is a title: plain text. Other paragraphs keep their formatting.
        if let Some(level) = level {
            let text = plain;
            self.blocks.push(Block::new(
                BlockKind::Heading(level),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            ));
            return;
        }
        let num_id = self
            .num
            .0
            .clone()
            .or_else(|| style.and_then(|s| s.num_id))
            .filter(|n| n != "0");
        let Some(num_id) = num_id else {
            self.blocks.push(Block::new(BlockKind::Paragraph, text));
            return;
        };
        let ilvl = self.num.1;
        let list = self.numbering.get(&num_id);
        let kind = list
            .and_then(|l| l.get(&ilvl))
            .copied()
            .unwrap_or(ListLevel {
                ordered: false,
                start: 1,
            });
        let counters = self.counters.entry(num_id).or_insert([0; 9]);
        let i = usize::from(ilvl);
        counters[i] = if counters[i] == 0 {
            kind.start
        } else {
            counters[i] + 1
        };
        counters[i + 1..].iter_mut().for_each(|c| *c = 0);
        let n = counters[i];
        let block = match (kind.ordered, ilvl) {
            (true, 0) => Block::new(BlockKind::Numbered(n), text),
            (true, _) => Block::new(BlockKind::Other, format!("{}{n}. {text}", "   ".repeat(i))),
            (false, _) => Block::new(BlockKind::Other, format!("{}- {text}", "  ".repeat(i))),
        };
        self.blocks.push(block);
    }

    /// A paragraph style with what it inherits (its heading level and list).
    fn resolved(&self, id: &str) -> Option<ParagraphStyle> {
        let mut style = self.styles.get(id)?.clone();
        let mut parent = style.based_on.clone();
        for _ in 0..10 {
            let Some(next) = parent.and_then(|p| self.styles.get(&p)) else {
                break;
            };
            style.level = style.level.or(next.level);
            style.num_id = style.num_id.or_else(|| next.num_id.clone());
            parent = next.based_on.clone();
        }
        Some(style)
    }
}
