//! Reading a draft text from a document: Markdown, plain text, DOCX or ODT, into the blocks that
//! `shared::draft::split` cuts into a preamble and clauses. Emphasis, links, lists and tables
//! come through as Markdown.
//!
//! Everything here reads untrusted files, so each reader is bounded: the upload itself (see
//! [`DOCUMENT_MAX`]), what a ZIP entry may unpack to ([`UNPACKED_MAX`]), and XML is read as a
//! stream with no document type definitions (so no entity can expand). No external program runs.

mod docx;
mod markdown;
mod odt;
mod text;

use shared::draft::Block;
use std::io::{Cursor, Read};

/// Largest document accepted, in bytes.
pub const DOCUMENT_MAX: usize = 10 * 1024 * 1024;
/// Most bytes the XML parts of one DOCX or ODT may unpack to, together.
pub const UNPACKED_MAX: u64 = 64 * 1024 * 1024;

/// The formats a draft text is read from, by media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    PlainText,
    Docx,
    Odt,
}

/// The media type of a DOCX file.
pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// The media type of an ODT file.
pub const ODT_TYPE: &str = "application/vnd.oasis.opendocument.text";

impl Format {
    /// The format a `Content-Type` names (parameters such as `charset` aside).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        match essence.to_ascii_lowercase().as_str() {
            "text/markdown" | "text/x-markdown" => Some(Self::Markdown),
            "text/plain" => Some(Self::PlainText),
            DOCX_TYPE => Some(Self::Docx),
            ODT_TYPE => Some(Self::Odt),
            _ => None,
        }
    }

    /// The format a file name's extension suggests.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "md" | "markdown" => Some(Self::Markdown),
            "txt" => Some(Self::PlainText),
            "docx" => Some(Self::Docx),
            "odt" => Some(Self::Odt),
            _ => None,
        }
    }

    /// How people call the format.
    pub fn name(self) -> &'static str {
        match self {
            Self::Markdown => "Markdown",
            Self::PlainText => "plain text",
            Self::Docx => "DOCX",
            Self::Odt => "ODT",
        }
    }
}

/// Why a document could not be read. Nothing is written when this happens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the file is larger than {} MB", DOCUMENT_MAX / (1024 * 1024))]
    TooLarge,
    #[error("the document unpacks to more than {} MB", UNPACKED_MAX / (1024 * 1024))]
    UnpacksTooLarge,
    #[error("this kind of file is not read: {0}")]
    Unsupported(String),
    #[error("the file is not {0}, although it says so")]
    Mislabelled(&'static str),
    #[error("the text is not in UTF-8")]
    NotUtf8,
    #[error("the {format} document cannot be read: {why}")]
    Corrupt { format: &'static str, why: String },
    #[error("the document holds no text")]
    Empty,
}

/// Reads `bytes` as a document of `format` into blocks.
pub fn read(format: Format, bytes: &[u8]) -> Result<Vec<Block>, DocumentError> {
    if bytes.len() > DOCUMENT_MAX {
        return Err(DocumentError::TooLarge);
    }
    let zipped = bytes.starts_with(b"PK\x03\x04");
    let blocks = match format {
        Format::Markdown | Format::PlainText => {
            if zipped {
                return Err(DocumentError::Mislabelled(format.name()));
            }
            let text = std::str::from_utf8(bytes).map_err(|_| DocumentError::NotUtf8)?;
            let text = text.trim_start_matches('\u{feff}');
            if text.contains('\0') {
                return Err(DocumentError::Mislabelled(format.name()));
            }
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            match format {
                Format::Markdown => markdown::read(&text),
                _ => text::read(&text),
            }
        }
        Format::Docx | Format::Odt => {
            if !zipped {
                return Err(DocumentError::Mislabelled(format.name()));
            }
            let mut parts = Parts::open(bytes, format.name())?;
            tight_lists(match format {
                Format::Docx => docx::read(&mut parts)?,
                _ => odt::read(&mut parts)?,
            })
        }
    };
    if blocks.iter().all(|b| b.markdown.trim().is_empty()) {
        return Err(DocumentError::Empty);
    }
    Ok(blocks)
}

/// Word processors give each list item a paragraph of its own, which Markdown would show as a
/// loose list (a paragraph per item, spaced apart): items next to each other become one list
/// block, one item per line, as the document showed them.
fn tight_lists(blocks: Vec<Block>) -> Vec<Block> {
    use shared::draft::BlockKind;
    let item = |b: &Block| {
        let line = b.markdown.trim_start();
        b.kind == BlockKind::Other
            && !b.markdown.contains('\n')
            && (line.starts_with("- ")
                || line
                    .split_once(". ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())))
    };
    let mut tight: Vec<Block> = Vec::with_capacity(blocks.len());
    let mut after_item = false;
    for block in blocks {
        let is_item = item(&block);
        match tight.last_mut() {
            Some(last) if is_item && after_item => {
                last.markdown.push('\n');
                last.markdown.push_str(&block.markdown);
            }
            _ => tight.push(block),
        }
        after_item = is_item;
    }
    tight
}

/// The parts of a ZIP-packed document, each read at most once and within what is left of
/// [`UNPACKED_MAX`].
pub(crate) struct Parts<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    format: &'static str,
    left: u64,
}

impl<'a> Parts<'a> {
    fn open(bytes: &'a [u8], format: &'static str) -> Result<Self, DocumentError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocumentError::Corrupt {
            format,
            why: e.to_string(),
        })?;
        Ok(Self {
            zip,
            format,
            left: UNPACKED_MAX,
        })
    }

    pub(crate) fn corrupt(&self, why: impl ToString) -> DocumentError {
        DocumentError::Corrupt {
            format: self.format,
            why: why.to_string(),
        }
    }

    /// The part `name` unpacked, or `None` when the document has no such part.
    pub(crate) fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocumentError> {
        let format = self.format;
        let corrupt = |why: String| DocumentError::Corrupt { format, why };
        let entry = match self.zip.by_name(name) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(corrupt(e.to_string())),
        };
        // The declared size may lie; `take` is what holds.
        if entry.size() > self.left {
            return Err(DocumentError::UnpacksTooLarge);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .take(self.left + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| corrupt(e.to_string()))?;
        let read = bytes.len() as u64;
        if read > self.left {
            return Err(DocumentError::UnpacksTooLarge);
        }
        self.left -= read;
        Ok(Some(bytes))
    }

    /// The part `name`, which the document must have.
    pub(crate) fn required(&mut self, name: &str) -> Result<Vec<u8>, DocumentError> {
        self.read(name)?
            .ok_or(DocumentError::Mislabelled(self.format))
    }
}

/// Text with its formatting, gathered run by run and written out as Markdown once a paragraph
/// ends, so that neighbouring runs with the same formatting share one pair of markers.
#[derive(Debug, Default)]
pub(crate) struct Inline {
    spans: Vec<Span>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Style {
    pub bold: bool,
    pub italic: bool,
    pub link: Option<String>,
}

#[derive(Debug)]
struct Span {
    style: Style,
    text: String,
}

impl Inline {
    /// Adds `text` in `style`.
    pub(crate) fn push(&mut self, text: &str, style: &Style) {
        if text.is_empty() {
            return;
        }
        match self.spans.last_mut() {
            Some(last) if last.style == *style => last.text.push_str(text),
            _ => self.spans.push(Span {
                style: style.clone(),
                text: text.to_owned(),
            }),
        }
    }

    /// The plain text so far, formatting aside.
    pub(crate) fn plain(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    /// Writes the text out as Markdown and starts afresh.
    pub(crate) fn take_markdown(&mut self) -> String {
        let mut out = String::new();
        for span in self.spans.drain(..) {
            // Markers hug the words: spaces stay outside them, as Markdown needs.
            let text = span.text.as_str();
            let core = text.trim();
            if core.is_empty() {
                out.push_str(&escape(text));
                continue;
            }
            let lead = &text[..text.len() - text.trim_start().len()];
            let trail = &text[text.trim_end().len()..];
            let mut piece = escape(core);
            if span.style.italic {
                piece = format!("*{piece}*");
            }
            if span.style.bold {
                piece = format!("**{piece}**");
            }
            if let Some(link) = span.style.link.as_deref().filter(|l| safe_link(l)) {
                piece = format!("[{piece}](<{}>)", link.replace(['<', '>'], ""));
            }
            out.push_str(lead);
            out.push_str(&piece);
            out.push_str(trail);
        }
        out.trim().to_owned()
    }
}

/// Whether a link target may be kept: web and mail addresses only.
fn safe_link(target: &str) -> bool {
    let lower = target.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// Text from a document, made safe to stand in Markdown as the same text: characters that would
/// start formatting are escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A table as a Markdown pipe table; its first row is the header. Cells' line breaks become
/// spaces.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return String::new();
    }
    let line = |cells: &[String]| {
        let mut out = String::from("|");
        for i in 0..width {
            let cell = cells.get(i).map(String::as_str).unwrap_or_default();
            out.push(' ');
            out.push_str(&cell.split_whitespace().collect::<Vec<_>>().join(" "));
            out.push_str(" |");
        }
        out
    };
    let mut lines = vec![line(&rows[0]), format!("|{}", " --- |".repeat(width))];
    lines.extend(rows[1..].iter().map(|r| line(r)));
    lines.join("\n")
}

/// Tables being read, nested ones too: each a list of rows of cells.
#[derive(Debug, Default)]
pub(crate) struct Tables(Vec<Vec<Vec<String>>>);

impl Tables {
    pub(crate) fn start_table(&mut self) {
        self.0.push(Vec::new());
    }

    pub(crate) fn start_row(&mut self) {
        if let Some(rows) = self.0.last_mut() {
            rows.push(Vec::new());
        }
    }

    pub(crate) fn start_cell(&mut self) {
        if let Some(row) = self.0.last_mut().and_then(|rows| rows.last_mut()) {
            row.push(String::new());
        }
    }

    /// Adds a paragraph's text to the cell being read; `false` when no cell is being read.
    pub(crate) fn add_to_cell(&mut self, text: &str) -> bool {
        let Some(cell) = self.0.last_mut().and_then(|t| t.last_mut()?.last_mut()) else {
            return false;
        };
        if !text.trim().is_empty() {
            if !cell.is_empty() {
                cell.push(' ');
            }
            cell.push_str(text.trim());
        }
        true
    }

    /// Ends the innermost table: a block, or for a table inside another, text in its cell.
    pub(crate) fn end_table(&mut self) -> Option<Block> {
        let rows = self.0.pop()?;
        let markdown = table(&rows);
        if self.add_to_cell(&markdown.replace('\n', " ")) {
            None
        } else {
            Some(Block::new(shared::draft::BlockKind::Other, markdown))
        }
    }
}

/// The value of the attribute whose local name is `name`.
pub(crate) fn attribute(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default()
        })
    })
}

/// The text a character or entity reference stands for (the five of XML, and numbers).
pub(crate) fn reference(r: &quick_xml::events::BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
        .unwrap_or_default()
        .to_owned()
}

/// Reads the XML of a document part event by event, to its end. A part that declares a
/// document type is refused: Office documents never do, and its entities are how an XML bomb
/// expands (quick-xml expands none anyway). So is a part that is not one whole element (cut
/// short, or not XML at all), which would otherwise read as a document without text.
pub(crate) fn each_event(
    parts: &Parts<'_>,
    xml: &[u8],
    mut on: impl FnMut(quick_xml::events::Event<'_>),
) -> Result<(), DocumentError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| parts.corrupt(e))?;
        match &event {
            Event::DocType(_) => return Err(parts.corrupt("a document type definition")),
            Event::Eof if depth == 0 && roots == 1 => return Ok(()),
            Event::Eof => return Err(parts.corrupt("the XML is cut short or is not XML")),
            Event::Start(_) | Event::Empty(_) if depth == 0 => roots += 1,
            Event::Text(t) if depth == 0 && !t.trim().is_empty() => {
                return Err(parts.corrupt("text outside the XML's root element"));
            }
            _ => {}
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        on(event);
        buf.clear();
    }
}

#[cfg(test)]
mod tests;
