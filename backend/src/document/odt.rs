//! ODT (OpenDocument text): `content.xml` read as a stream, with bold and italic text styles and
//! numbered list styles from its automatic styles and from `styles.xml`. A "Title" paragraph is
//! a level-1 heading and a heading of outline level N is level N + 1, as for DOCX. Notes,
//! annotations, frames and tracked deletions are left out.

use super::{DocumentError, Inline, Parts, Style, Tables, attribute, each_event, reference};
use quick_xml::events::{BytesStart, Event};
use shared::draft::{Block, BlockKind};
use std::collections::HashMap;

/// What the document's styles say, by style name.
#[derive(Debug, Default)]
struct Styles {
    /// Text styles: bold, italic.
    text: HashMap<String, (bool, bool)>,
    /// Paragraph styles: their parent, and whether they are the "Title".
    paragraph: HashMap<String, (Option<String>, bool)>,
    /// List styles: whether level 1 is numbered, and where it starts.
    lists: HashMap<String, (bool, u32)>,
}

pub(super) fn read(parts: &mut Parts<'_>) -> Result<Vec<Block>, DocumentError> {
    let mimetype = parts.read("mimetype")?.unwrap_or_default();
    if mimetype.trim_ascii() != super::ODT_TYPE.as_bytes() {
        return Err(DocumentError::Mislabelled("ODT"));
    }
    let content = parts.required("content.xml")?;
    let mut styles = Styles::default();
    if let Some(xml) = parts.read("styles.xml")? {
        styles.read(parts, &xml)?;
    }
    styles.read(parts, &content)?;
    Body {
        styles,
        ..Body::default()
    }
    .read(parts, &content)
}

impl Styles {
    fn read(&mut self, parts: &Parts<'_>, xml: &[u8]) -> Result<(), DocumentError> {
        let mut style: Option<(String, String, Option<String>)> = None;
        let mut list: Option<String> = None;
        each_event(parts, xml, |event| match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "style" => {
                    let name = attribute(&e, "name").unwrap_or_default();
                    let family = attribute(&e, "family").unwrap_or_default();
                    let parent = attribute(&e, "parent-style-name");
                    if family == "paragraph" {
                        let title = name == "Title";
                        self.paragraph.insert(name.clone(), (parent.clone(), title));
                    }
                    style = Some((name, family, parent));
                }
                "text-properties" => {
                    if let Some((name, family, _)) = &style
                        && family == "text"
                    {
                        let bold = attribute(&e, "font-weight").is_some_and(|w| {
                            w == "bold" || w.parse::<u32>().is_ok_and(|n| n >= 600)
                        });
                        let italic = attribute(&e, "font-style")
                            .is_some_and(|s| s == "italic" || s == "oblique");
                        self.text.insert(name.clone(), (bold, italic));
                    }
                }
                "list-style" => list = attribute(&e, "name"),
                "list-level-style-number"
                | "list-level-style-bullet"
                | "list-level-style-image" => {
                    if let Some(name) = &list
                        && attribute(&e, "level").as_deref() == Some("1")
                    {
                        let numbered = e.local_name().as_ref() == "list-level-style-number"
                            && attribute(&e, "num-format").is_some_and(|f| !f.is_empty());
                        let start = attribute(&e, "start-value")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1);
                        self.lists.insert(name.clone(), (numbered, start));
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "style" => style = None,
                "list-style" => list = None,
                _ => {}
            },
            _ => {}
        })?;
        Ok(())
    }

    /// Whether a paragraph style is, or inherits from, the "Title" style.
    fn is_title(&self, name: &str) -> bool {
        // Writers may use the built-in "Title" style without defining it.
        if name == "Title" {
            return true;
        }
        let mut current = Some(name.to_owned());
        for _ in 0..10 {
            let Some((parent, title)) = current.as_ref().and_then(|n| self.paragraph.get(n)) else {
                return false;
            };
            if *title {
                return true;
            }
            current = parent.clone();
        }
        false
    }
}

/// A list being read: its style, its depth, and the number of its next item.
#[derive(Debug, Clone)]
struct List {
    style: Option<String>,
    next: u32,
}

#[derive(Default)]
struct Body {
    styles: Styles,
    blocks: Vec<Block>,
    inline: Inline,
    /// The heading level of the paragraph being read (0 for an ordinary one).
    level: Option<u8>,
    /// Formatting of the spans being read, innermost last.
    spans: Vec<Style>,
    link: Option<String>,
    skipping: usize,
    lists: Vec<List>,
    /// The number the last list of each style reached, for lists that continue it.
    last_numbers: HashMap<String, u32>,
    /// Whether the current list item's first paragraph has been read.
    item_started: bool,
    tables: Tables,
}

impl Body {
    fn read(mut self, parts: &Parts<'_>, xml: &[u8]) -> Result<Vec<Block>, DocumentError> {
        let mut in_text = false;
        each_event(parts, xml, |event| match event {
            Event::Start(e) => {
                let local_name = e.local_name();
                let name = local_name.as_ref();
                if self.skipping > 0
                    || matches!(
                        name,
                        "note" | "annotation" | "frame" | "tracked-changes" | "deletion"
                    )
                    || name == "automatic-styles"
                    || name == "font-face-decls"
                {
                    self.skipping += 1;
                    return;
                }
                if name == "body" {
                    in_text = true;
                }
                self.start(name, &e);
            }
            Event::Empty(e) if self.skipping == 0 => {
                let name = e.local_name().as_ref().to_owned();
                self.empty(&name, &e);
            }
            Event::End(e) => {
                if self.skipping > 0 {
                    self.skipping -= 1;
                    return;
                }
                self.end(e.local_name().as_ref());
            }
            Event::Text(t) if in_text && self.skipping == 0 && self.level.is_some() => {
                let text = t.xml10_content();
                // XML white space between words is one space, as ODF says.
                let text = collapse(&text);
                self.inline.push(&text, &self.style());
            }
            Event::GeneralRef(r) if in_text && self.skipping == 0 && self.level.is_some() => {
                self.inline.push(&reference(&r), &self.style());
            }
            _ => {}
        })?;
        Ok(self.blocks)
    }

    fn style(&self) -> Style {
        let mut style = Style {
            link: self.link.clone(),
            ..Style::default()
        };
        for span in &self.spans {
            style.bold |= span.bold;
            style.italic |= span.italic;
        }
        style
    }

    fn start(&mut self, name: &str, e: &BytesStart<'_>) {
        match name {
            "h" => {
                let outline: u8 = attribute(e, "outline-level")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(1);
                self.level = Some(outline.clamp(1, 5) + 1);
            }
            "p" => {
                let title = attribute(e, "style-name").is_some_and(|s| self.styles.is_title(&s));
                self.level = Some(if title { 1 } else { 0 });
            }
            "span" => {
                let (bold, italic) = attribute(e, "style-name")
                    .and_then(|s| self.styles.text.get(&s).copied())
                    .unwrap_or_default();
                self.spans.push(Style {
                    bold,
                    italic,
                    link: None,
                });
            }
            "a" => self.link = attribute(e, "href"),
            "list" => {
                let style = attribute(e, "style-name")
                    .or_else(|| self.lists.last().and_then(|l| l.style.clone()));
                let start = style
                    .as_ref()
                    .and_then(|s| self.styles.lists.get(s))
                    .map_or(1, |(_, start)| *start);
                let continues = attribute(e, "continue-numbering").as_deref() == Some("true")
                    || attribute(e, "continue-list").is_some();
                let next = match (&style, continues) {
                    (Some(s), true) => self.last_numbers.get(s).map_or(start, |n| n + 1),
                    _ => start,
                };
                self.lists.push(List { style, next });
            }
            "list-item" => self.item_started = false,
            "table" => self.tables.start_table(),
            "table-row" => self.tables.start_row(),
            "table-cell" => self.tables.start_cell(),
            _ => {}
        }
    }

    fn empty(&mut self, name: &str, e: &BytesStart<'_>) {
        if self.level.is_none() {
            return;
        }
        match name {
            "s" => {
                let n = attribute(e, "c")
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(1)
                    .min(100);
                self.inline.push(&" ".repeat(n), &self.style());
            }
            "tab" => self.inline.push(" ", &self.style()),
            "line-break" => self.inline.push("\n", &Style::default()),
            "p" | "h" => {}
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "span" => {
                self.spans.pop();
            }
            "a" => self.link = None,
            "p" | "h" => self.paragraph(),
            "list" => {
                if let Some(list) = self.lists.pop()
                    && let Some(style) = list.style
                {
                    self.last_numbers.insert(style, list.next.saturating_sub(1));
                }
            }
            "table" => {
                if let Some(block) = self.tables.end_table() {
                    self.blocks.push(block);
                }
            }
            _ => {}
        }
    }

    fn paragraph(&mut self) {
        let level = self.level.take().unwrap_or(0);
        // A paragraph in a table is part of its cell.
        let plain = self.inline.plain();
        let text = self.inline.take_markdown();
        if self.tables.add_to_cell(&text) {
            return;
        }
        if level > 0 {
            let text = plain;
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            self.blocks
                .push(Block::new(BlockKind::Heading(level), text));
            return;
        }
        let depth = self.lists.len();
        if depth == 0 {
            self.blocks.push(Block::new(BlockKind::Paragraph, text));
            return;
        }
        // A list item's later paragraphs continue it.
        if self.item_started {
            let indent = "   ".repeat(depth - 1);
            self.blocks
                .push(Block::new(BlockKind::Other, format!("{indent}   {text}")));
            return;
        }
        self.item_started = true;
        let styles = &self.styles;
        let Some(list) = self.lists.last_mut() else {
            return;
        };
        let numbered = list
            .style
            .as_ref()
            .and_then(|s| styles.lists.get(s))
            .is_some_and(|(numbered, _)| *numbered);
        let n = list.next;
        list.next += 1;
        let block = match (numbered, depth) {
            (true, 1) => Block::new(BlockKind::Numbered(n), text),
            (true, _) => Block::new(
                BlockKind::Other,
                format!("{}{n}. {text}", "   ".repeat(depth - 1)),
            ),
            (false, _) => Block::new(
                BlockKind::Other,
                format!("{}- {text}", "  ".repeat(depth - 1)),
            ),
        };
        self.blocks.push(block);
    }
}

/// Runs of XML white space as one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\n' | '\t' | '\r') {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}
