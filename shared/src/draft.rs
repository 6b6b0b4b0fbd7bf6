//! A first round's text brought in from a document: how a document's blocks are cut into a
//! preamble and clauses, the edits a convener makes to that cut before saving it (rename a key,
//! merge two neighbours, split one at a paragraph, drop one), and the checks a cut must pass.
//!
//! The readers of each format (Markdown, plain text, DOCX, ODT) live on the server; they turn a
//! document into [`Block`]s whose text is already Markdown, and everything after that is here, so
//! that the browser's preview and the server's save follow the same rules.

use crate::FieldError;
use crate::rules::{BODY_MAX, RESERVED_CLAUSE_KEYS, TITLE_MAX, clause_key, slugify};
use serde::{Deserialize, Serialize};

/// Most clauses one imported text may have.
pub const DRAFT_CLAUSES_MAX: usize = 2000;
/// Longest preamble, in characters.
pub const PREAMBLE_MAX: usize = 50_000;
/// Longest clause key, in characters.
pub const KEY_MAX: usize = 64;
/// Longest title made from the first words of a clause that has none.
const MADE_TITLE_MAX: usize = 60;

/// One block of a document, its text already Markdown (emphasis, links, lists and tables kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub markdown: String,
}

/// What a block is, as far as cutting the text into clauses cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A heading of level 1 (the highest) to 6; its Markdown is the heading's text alone.
    Heading(u8),
    /// An ordinary paragraph.
    Paragraph,
    /// An item of a numbered list at the top level, with its number; its Markdown is the item's
    /// text without the number.
    Numbered(u32),
    /// Anything else: a bulleted or nested list, a table, a quotation, a code block.
    Other,
}

impl Block {
    /// A block of `kind` with Markdown `markdown`.
    pub fn new(kind: BlockKind, markdown: impl Into<String>) -> Self {
        Self {
            kind,
            markdown: markdown.into(),
        }
    }

    /// The block as it reads inside a clause's body: a heading keeps its `#`s, a numbered item
    /// its number.
    fn as_body(&self) -> String {
        match self.kind {
            BlockKind::Heading(level) => {
                format!("{} {}", "#".repeat(usize::from(level)), self.markdown)
            }
            BlockKind::Numbered(n) => format!("{n}. {}", self.markdown),
            BlockKind::Paragraph | BlockKind::Other => self.markdown.clone(),
        }
    }
}

/// The text of a round as imported and corrected, before it is saved: what comes before the
/// first clause, and the clauses in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftText {
    /// Markdown; may be empty.
    #[serde(default)]
    pub preamble_md: String,
    pub clauses: Vec<DraftClause>,
}

/// One clause of a [`DraftText`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DraftClause {
    /// The stable key the clause keeps in later rounds: lower-case letters, digits and `-`.
    pub key: String,
    pub title: String,
    /// Markdown.
    pub body_md: String,
}

/// A clause being gathered while cutting.
struct Gathering {
    title: Option<String>,
    parts: Vec<String>,
}

/// Cuts a document's blocks into a preamble and clauses.
///
/// - When the document has headings below its title, the headings of one level start the
///   clauses and become their titles: the level whose headings are numbered ("Article 3",
///   "Principle 2", "§ 4", "1."), else the highest level used more than once.
/// - Otherwise, paragraphs that start with a named number ("Article 3", "Principle 2", "§ 4")
///   start the clauses; when there are none, numbered paragraphs ("1.", "2)") and the items of
///   a numbered list do; when there are none either, every paragraph is a clause.
/// - A clause runs until the next one starts. What comes before the first is the preamble.
/// - A number is taken off a title ("Article 3: Privacy" is titled "Privacy"); a clause with no
///   title of its own is titled by its number ("Article 3") or its first words. Keys come from
///   titles and are unique.
pub fn split(blocks: &[Block]) -> DraftText {
    let blocks: Vec<&Block> = blocks
        .iter()
        .filter(|b| !b.markdown.trim().is_empty())
        .collect();
    let starts = clause_starts(&blocks);
    let mut preamble = Vec::new();
    let mut clauses: Vec<Gathering> = Vec::new();
    for (block, start) in blocks.iter().zip(starts) {
        match start {
            Some(title) => {
                let mut gathering = Gathering {
                    title: None,
                    parts: Vec::new(),
                };
                match block.kind {
                    BlockKind::Heading(_) => gathering.title = Some(title.unwrap_or_default()),
                    _ => {
                        // A numbered paragraph: "Article 3 — Title" on a line of its own, or
                        // "Article 3. The text…", or "1. The text…".
                        let (marker, rest) = strip_marker(&block.markdown);
                        let rest = rest.trim();
                        let (first_line, more) = rest.split_once('\n').unwrap_or((rest, ""));
                        if looks_like_title(first_line) && !more.trim().is_empty() {
                            gathering.title = Some(first_line.trim().to_owned());
                            gathering.parts.push(more.trim().to_owned());
                        } else {
                            gathering.title = marker.filter(|m| is_named(m));
                            if !rest.is_empty() {
                                gathering.parts.push(rest.to_owned());
                            }
                        }
                    }
                }
                clauses.push(gathering);
            }
            None => match clauses.last_mut() {
                Some(gathering) => gathering.parts.push(block.as_body()),
                None => preamble.push(block.as_body()),
            },
        }
    }
    let mut text = DraftText {
        preamble_md: preamble.join("\n\n"),
        clauses: Vec::new(),
    };
    let mut keys = Keys::default();
    for gathering in clauses {
        let body_md = gathering.parts.join("\n\n");
        let title = match gathering.title.filter(|t| !t.trim().is_empty()) {
            Some(title) => title,
            None => first_words(&body_md),
        };
        text.clauses.push(DraftClause {
            key: keys.make(&title),
            title,
            body_md,
        });
    }
    text
}

/// For each block, whether it starts a clause and, for a heading, its title without its number.
fn clause_starts(blocks: &[&Block]) -> Vec<Option<Option<String>>> {
    if let Some(level) = clause_heading_level(blocks) {
        return blocks
            .iter()
            .map(|b| match b.kind {
                BlockKind::Heading(l) if l == level => {
                    let (marker, rest) = strip_marker(&b.markdown);
                    let rest = rest.trim();
                    Some(Some(if rest.is_empty() {
                        marker.unwrap_or_default()
                    } else {
                        rest.to_owned()
                    }))
                }
                _ => None,
            })
            .collect();
    }
    let named = |b: &&Block| {
        matches!(b.kind, BlockKind::Paragraph | BlockKind::Numbered(_))
            && strip_marker(&b.markdown).0.is_some_and(|m| is_named(&m))
    };
    let numbered = |b: &&Block| {
        matches!(b.kind, BlockKind::Numbered(_))
            || (b.kind == BlockKind::Paragraph && strip_marker(&b.markdown).0.is_some())
    };
    let starts: Box<dyn Fn(&&Block) -> bool> = if blocks.iter().any(named) {
        Box::new(named)
    } else if blocks.iter().any(numbered) {
        Box::new(numbered)
    } else {
        Box::new(|b: &&Block| b.kind == BlockKind::Paragraph)
    };
    blocks.iter().map(|b| starts(b).then_some(None)).collect()
}

/// The heading level whose headings start clauses, when the document has headings below its
/// title.
fn clause_heading_level(blocks: &[&Block]) -> Option<u8> {
    let mut count = [0usize; 7];
    let mut numbered = [0usize; 7];
    for block in blocks {
        if let BlockKind::Heading(level) = block.kind {
            let level = usize::from(level.clamp(1, 6));
            count[level] += 1;
            if strip_marker(&block.markdown).0.is_some() {
                numbered[level] += 1;
            }
        }
    }
    let headings: usize = count.iter().sum();
    if headings < 2 {
        // None, or only the document's title.
        return None;
    }
    let level = match (1..=6).max_by_key(|&l| (numbered[l], std::cmp::Reverse(l))) {
        Some(l) if numbered[l] > 0 => l,
        _ => (1..=6)
            .find(|&l| count[l] > 1)
            .or_else(|| (1..=6).rev().find(|&l| count[l] > 0))?,
    };
    u8::try_from(level).ok()
}

/// Words that name a clause's number in the four interface languages.
const NUMBER_WORDS: &[&str] = &[
    "article",
    "art.",
    "artículo",
    "articulo",
    "principle",
    "principe",
    "principio",
    "clause",
    "section",
    "sección",
    "seccion",
    "rule",
    "règle",
    "regla",
    "المادة",
    "مادة",
    "المبدأ",
    "مبدأ",
];

/// Whether a marker is a named number ("Article 3", "§ 4") rather than a bare one ("3.").
fn is_named(marker: &str) -> bool {
    !marker.starts_with(|c: char| c.is_ascii_digit())
}

/// Takes a clause's number off the start of `text`: "Article 3", "Principle 2", "§ 4", "1." or
/// "2)", with the punctuation after it. Returns the marker (as written, without trailing
/// punctuation) and the rest.
pub fn strip_marker(text: &str) -> (Option<String>, &str) {
    let trimmed = text.trim_start();
    let lower = trimmed.to_lowercase();
    let mut marker_end = None;
    if let Some(after) = trimmed.strip_prefix('§') {
        let digits = after.trim_start();
        let n = number_len(digits);
        if n > 0 {
            marker_end = Some(trimmed.len() - digits.len() + n);
        }
    } else if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        let n = number_len(trimmed);
        let rest = &trimmed[n..];
        let closed = rest.starts_with('.') || rest.starts_with(')');
        let after = if closed { &rest[1..] } else { rest };
        if (closed || rest.is_empty())
            && (after.is_empty() || after.starts_with(|c: char| c.is_whitespace()))
        {
            marker_end = Some(n);
        }
    } else {
        for word in NUMBER_WORDS {
            // Lower-casing keeps these words' byte lengths, so offsets carry over.
            if lower.starts_with(word) && lower.len() == trimmed.len() {
                let after = &trimmed[word.len()..];
                let digits = after.trim_start();
                if digits.len() == after.len() && !word.ends_with('.') {
                    continue;
                }
                let n = number_len(digits).max(roman_len(digits));
                if n > 0 && !digits[n..].starts_with(|c: char| c.is_alphanumeric()) {
                    marker_end = Some(trimmed.len() - digits.len() + n);
                    break;
                }
            }
        }
    }
    let Some(end) = marker_end else {
        return (None, text);
    };
    let marker = trimmed[..end].trim().to_owned();
    let rest = trimmed[end..].trim_start_matches(|c: char| {
        c == '.' || c == ':' || c == ')' || c == '-' || c == '–' || c == '—' || c == ' '
    });
    (Some(marker), rest)
}

/// How many bytes of ASCII digits `text` starts with (at most five).
fn number_len(text: &str) -> usize {
    let n = text.bytes().take_while(u8::is_ascii_digit).count();
    if n <= 5 { n } else { 0 }
}

/// How many bytes of an upper-case Roman numeral `text` starts with.
fn roman_len(text: &str) -> usize {
    text.bytes()
        .take_while(|b| b"IVXLC".contains(b))
        .count()
        .min(8)
}

/// Whether a line reads as a title: short, and not a sentence.
fn looks_like_title(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty()
        && line.chars().count() <= 120
        && !line.ends_with(['.', ';', ',', ':'])
        && !line.contains('\n')
}

/// A title made from the first words of a body: at most 60 characters, cut at a word.
pub fn first_words(body: &str) -> String {
    let plain: String = body
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '#' | '[' | ']' | '>' | '|'))
        .collect();
    let plain = plain.split('(').next().unwrap_or_default().trim();
    let mut title = String::new();
    for word in plain.split_whitespace() {
        if title.chars().count() + word.chars().count() + 1 > MADE_TITLE_MAX {
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    title.trim_end_matches(['.', ',', ';', ':']).to_owned()
}

/// The paragraphs of a Markdown body: its parts between blank lines.
pub fn paragraphs(body: &str) -> Vec<&str> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// The text of two neighbouring clauses as one: the second's title stays, in bold, before its
/// text, so nothing is lost.
pub fn merged_body(first_body: &str, second_title: &str, second_body: &str) -> String {
    let title = format!("**{}**", second_title.trim());
    [first_body.trim(), title.as_str(), second_body.trim()]
        .into_iter()
        .filter(|p| !p.is_empty() && *p != "****")
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A body cut before its paragraph `paragraph` (counted from 0, see [`paragraphs`]); `None`
/// when nothing would be left before or after.
pub fn split_body(body: &str, paragraph: usize) -> Option<(String, String)> {
    let parts = paragraphs(body);
    if paragraph == 0 || paragraph >= parts.len() {
        return None;
    }
    Some((
        parts[..paragraph].join("\n\n"),
        parts[paragraph..].join("\n\n"),
    ))
}

/// Unique keys for clauses added one after another, each made from a title as [`clause_key`]
/// makes it, in time that does not grow with the number of clauses sharing a title.
#[derive(Default)]
struct Keys {
    taken: std::collections::HashSet<String>,
    /// For each key made from a title, the suffix to try next.
    next: std::collections::HashMap<String, usize>,
}

impl Keys {
    fn make(&mut self, title: &str) -> String {
        let base = clause_key(title, &[]);
        let mut n = self.next.get(&base).copied().unwrap_or(1);
        loop {
            let key = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            n += 1;
            if !RESERVED_CLAUSE_KEYS.contains(&key.as_str()) && self.taken.insert(key.clone()) {
                self.next.insert(base, n);
                return key;
            }
        }
    }
}

impl DraftText {
    fn keys(&self) -> Vec<String> {
        self.clauses.iter().map(|c| c.key.clone()).collect()
    }

    /// Merges clause `index` with the one after it (see [`merged_body`]). Does nothing for the
    /// last clause.
    pub fn merge_with_next(&mut self, index: usize) {
        if index + 1 >= self.clauses.len() {
            return;
        }
        let next = self.clauses.remove(index + 1);
        let clause = &mut self.clauses[index];
        clause.body_md = merged_body(&clause.body_md, &next.title, &next.body_md);
    }

    /// Splits clause `index` before its paragraph `paragraph` (see [`split_body`]): the
    /// paragraphs from there on become a new clause after it, titled by their first words.
    pub fn split_at(&mut self, index: usize, paragraph: usize) {
        let Some((before, after)) = self
            .clauses
            .get(index)
            .and_then(|c| split_body(&c.body_md, paragraph))
        else {
            return;
        };
        let title = first_words(&after);
        let key = clause_key(&title, &self.keys());
        self.clauses[index].body_md = before;
        self.clauses.insert(
            index + 1,
            DraftClause {
                key,
                title,
                body_md: after,
            },
        );
    }

    /// Drops clause `index`.
    pub fn drop_clause(&mut self, index: usize) {
        if index < self.clauses.len() {
            self.clauses.remove(index);
        }
    }

    /// Checks the text before it is saved: at least one clause and at most
    /// [`DRAFT_CLAUSES_MAX`]; every key well formed, not reserved and used once; every title and
    /// body present and within its limit; the preamble within its limit. Returns every broken
    /// field (`clauses[3].key`, …) at once, and the text trimmed.
    pub fn check(&self) -> Result<DraftText, Vec<FieldError>> {
        let mut broken = Vec::new();
        if self.clauses.is_empty() {
            broken.push(FieldError::new(
                "clauses",
                "required",
                "The text needs at least one clause.",
            ));
        }
        if self.clauses.len() > DRAFT_CLAUSES_MAX {
            broken.push(FieldError::new(
                "clauses",
                "too_many",
                format!("A text has at most {DRAFT_CLAUSES_MAX} clauses."),
            ));
        }
        let preamble =
            crate::rules::check_optional_text("preamble_md", &self.preamble_md, PREAMBLE_MAX)
                .unwrap_or_else(|e| {
                    broken.push(e);
                    String::new()
                });
        let mut seen = std::collections::HashSet::new();
        let mut clauses = Vec::with_capacity(self.clauses.len());
        for (i, clause) in self.clauses.iter().enumerate() {
            let field = |name: &str| format!("clauses[{i}].{name}");
            let key = clause.key.trim();
            if let Err(e) = check_key(key) {
                broken.push(FieldError::new(&field("key"), &e.code, e.message));
            } else if !seen.insert(key) {
                broken.push(FieldError::new(
                    &field("key"),
                    "duplicate",
                    format!("Another clause has the key “{key}”; keys must differ."),
                ));
            }
            let title = crate::rules::check_text(
                &field("title"),
                &clause.title,
                TITLE_MAX,
                "Give the clause a title.",
            );
            let body = crate::rules::check_text(
                &field("body_md"),
                &clause.body_md,
                BODY_MAX,
                "The clause has no text; merge or drop it.",
            );
            match (title, body) {
                (Ok(title), Ok(body_md)) => clauses.push(DraftClause {
                    key: key.to_owned(),
                    title,
                    body_md,
                }),
                (title, body) => broken.extend([title.err(), body.err()].into_iter().flatten()),
            }
        }
        if broken.is_empty() {
            Ok(DraftText {
                preamble_md: preamble,
                clauses,
            })
        } else {
            Err(broken)
        }
    }
}

/// Checks a clause key: 1–64 lower-case letters, digits and single `-` between them, and not one
/// of the round's own page names.
pub fn check_key(key: &str) -> Result<(), FieldError> {
    if key.is_empty() {
        return Err(FieldError::new("key", "required", "Give the clause a key."));
    }
    if key.chars().count() > KEY_MAX {
        return Err(FieldError::new(
            "key",
            "too_long",
            format!("A key has at most {KEY_MAX} characters."),
        ));
    }
    if slugify(key) != key {
        return Err(FieldError::new(
            "key",
            "invalid_characters",
            "Use lower-case letters and digits joined by '-', e.g. protect-individuals.",
        ));
    }
    if RESERVED_CLAUSE_KEYS.contains(&key) {
        return Err(FieldError::new(
            "key",
            "reserved",
            "This word names a page of the round; choose another key.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(level: u8, text: &str) -> Block {
        Block::new(BlockKind::Heading(level), text)
    }
    fn para(text: &str) -> Block {
        Block::new(BlockKind::Paragraph, text)
    }
    fn titles(text: &DraftText) -> Vec<&str> {
        text.clauses.iter().map(|c| c.title.as_str()).collect()
    }

    #[test]
    fn headings_below_the_title_become_clauses_and_the_title_joins_the_preamble() {
        let text = split(&[
            heading(1, "Paris Call"),
            para("We, the signatories, *welcome* this call."),
            heading(2, "Principle 1: Protect individuals"),
            para("Prevent and recover from malicious cyber activities."),
            heading(2, "Principle 2: Protect infrastructure"),
            para("First paragraph."),
            para("Second paragraph."),
        ]);
        assert_eq!(
            text.preamble_md,
            "# Paris Call\n\nWe, the signatories, *welcome* this call."
        );
        assert_eq!(
            titles(&text),
            ["Protect individuals", "Protect infrastructure"]
        );
        assert_eq!(text.clauses[0].key, "protect-individuals");
        assert_eq!(
            text.clauses[1].body_md,
            "First paragraph.\n\nSecond paragraph."
        );
    }

    #[test]
    fn numbered_headings_win_over_the_level_used_most() {
        let text = split(&[
            heading(1, "Part I"),
            heading(2, "Article 1"),
            para("Everyone has the right to privacy."),
            heading(1, "Part II"),
            heading(2, "Article 2 — Expression"),
            para("Everyone may speak."),
        ]);
        assert_eq!(titles(&text), ["Article 1", "Expression"]);
        assert_eq!(text.preamble_md, "# Part I");
        assert_eq!(
            text.clauses[0].body_md,
            "Everyone has the right to privacy.\n\n# Part II"
        );
    }

    #[test]
    fn named_numbers_start_clauses_in_plain_paragraphs() {
        let text = split(&[
            para("Preamble text."),
            para("Article 1\nEveryone has the right to privacy."),
            para("It applies online."),
            para("§ 2. Everyone may speak; 1. this is not a clause."),
            para("1. Nor is this, since named numbers are used."),
        ]);
        assert_eq!(text.preamble_md, "Preamble text.");
        assert_eq!(titles(&text), ["Article 1", "§ 2"]);
        assert_eq!(
            text.clauses[0].body_md,
            "Everyone has the right to privacy.\n\nIt applies online."
        );
        assert_eq!(
            text.clauses[1].body_md,
            "Everyone may speak; 1. this is not a clause.\n\n1. Nor is this, since named numbers are used."
        );
        assert_eq!(text.clauses[1].key, "2");
    }

    #[test]
    fn a_named_number_with_a_title_on_its_line_takes_that_title() {
        let text = split(&[para("Principle 3 – Defend elections\nStates shall…")]);
        assert_eq!(titles(&text), ["Defend elections"]);
        assert_eq!(text.clauses[0].body_md, "States shall…");
    }

    #[test]
    fn numbered_items_start_clauses_titled_by_their_first_words() {
        let text = split(&[
            para("Intro."),
            Block::new(
                BlockKind::Numbered(1),
                "Protect **individuals** and infrastructure.",
            ),
            Block::new(BlockKind::Other, "- a bullet"),
            Block::new(BlockKind::Numbered(2), "Protect the internet."),
        ]);
        assert_eq!(
            titles(&text),
            [
                "Protect individuals and infrastructure",
                "Protect the internet"
            ]
        );
        assert_eq!(
            text.clauses[0].body_md,
            "Protect **individuals** and infrastructure.\n\n- a bullet"
        );
    }

    #[test]
    fn without_structure_every_paragraph_is_a_clause() {
        let text = split(&[para("One thing."), para("Another thing.")]);
        assert_eq!(titles(&text), ["One thing", "Another thing"]);
        assert!(text.preamble_md.is_empty());
    }

    #[test]
    fn many_clauses_with_one_title_get_numbered_keys_quickly() {
        // Each key used to be sought among all keys so far, suffix by suffix: thousands of
        // clauses with one title took minutes and held a server thread.
        let blocks: Vec<Block> = (0..5_000)
            .flat_map(|_| [heading(2, "Same"), para("x")])
            .collect();
        let text = split(&blocks);
        assert_eq!(text.clauses[0].key, "same");
        assert_eq!(text.clauses[4_999].key, "same-5000");
    }

    #[test]
    fn nothing_in_nothing_out() {
        let text = split(&[para("  "), heading(1, "")]);
        assert!(text.clauses.is_empty() && text.preamble_md.is_empty());
        assert_eq!(text.check().unwrap_err()[0].code, "required");
    }

    #[test]
    fn markers_are_read_in_every_interface_language() {
        for (raw, marker, rest) in [
            ("Article 3: Privacy", "Article 3", "Privacy"),
            ("Artículo 12. Texto", "Artículo 12", "Texto"),
            ("Principe IV — Sécurité", "Principe IV", "Sécurité"),
            ("§4 Scope", "§4", "Scope"),
            ("12) Something", "12", "Something"),
            ("المادة 5: الخصوصية", "المادة 5", "الخصوصية"),
        ] {
            let (m, r) = strip_marker(raw);
            assert_eq!((m.as_deref(), r), (Some(marker), rest), "{raw}");
        }
        for plain in [
            "Articles of faith",
            "2026 was a year",
            "Rules matter",
            "1.5 degrees",
        ] {
            assert_eq!(strip_marker(plain).0, None, "{plain}");
        }
    }

    #[test]
    fn merging_keeps_the_second_title_and_text() {
        let mut text = split(&[heading(2, "One"), para("a"), heading(2, "Two"), para("b")]);
        text.merge_with_next(0);
        assert_eq!(titles(&text), ["One"]);
        assert_eq!(text.clauses[0].body_md, "a\n\n**Two**\n\nb");
        text.merge_with_next(0);
        assert_eq!(text.clauses.len(), 1);
    }

    #[test]
    fn splitting_at_a_paragraph_makes_a_new_clause_after() {
        let mut text = split(&[heading(2, "One"), para("a"), para("b c"), heading(2, "b")]);
        text.split_at(0, 1);
        assert_eq!(titles(&text), ["One", "b c", "b"]);
        assert_eq!(text.clauses[0].body_md, "a");
        assert_eq!(text.clauses[1].body_md, "b c");
        text.split_at(0, 0);
        text.split_at(0, 5);
        text.split_at(9, 1);
        assert_eq!(text.clauses.len(), 3);
    }

    #[test]
    fn a_checked_text_has_unique_well_formed_keys() {
        let mut text = split(&[heading(2, "One"), para("a"), heading(2, "Two"), para("b")]);
        assert!(text.check().is_ok());
        text.clauses[1].key = "one".into();
        let broken = text.check().unwrap_err();
        assert_eq!(
            (broken[0].field.as_str(), broken[0].code.as_str()),
            ("clauses[1].key", "duplicate")
        );
        text.clauses[1].key = "Not A Key".into();
        assert_eq!(text.check().unwrap_err()[0].code, "invalid_characters");
        text.clauses[1].key = "results".into();
        assert_eq!(text.check().unwrap_err()[0].code, "reserved");
        text.drop_clause(1);
        text.clauses[0].body_md = " ".into();
        assert_eq!(text.check().unwrap_err()[0].field, "clauses[0].body_md");
    }
}
