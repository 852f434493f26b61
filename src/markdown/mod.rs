//! Stage 2b: Markdown to HTML, with notes, citations and cross-links.
//!
//! pulldown-cmark parses the text; this module rewrites its event stream:
//!
//! - `[^x]` footnotes and `[@key, p. 35]` citations become notes numbered
//!   together in order of first use, collected by a [`PageNotes`] that spans
//!   the whole page (body and event notes). A footnote used twice gets lettered
//!   back-links; each citation is a note of its own, rendered by hayagriva.
//! - Relative links to other entries' `.md` files become links to their pages;
//!   the targets are reported so the caller can check anchors and build
//!   backlinks.
//! - Headings get ids that cannot clash with note ids or event anchors.
//! - Fenced code is highlighted by [`crate::markdown::highlight`].

pub mod highlight;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::cite::{Bibliography, CiteItem, NoteRun, check_keys, parse_citation};
use crate::content::site::RawHtml;
use crate::content::url::{ALLOWED_SCHEMES, forbidden_scheme};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, nearest};
use crate::html::escape;

/// Where a cross-link can point: the content-relative path of each Markdown
/// file (`exercises/joint-sea.md`) and the page it becomes.
#[derive(Clone, Debug, Default)]
pub struct LinkTargets {
    by_path: HashMap<String, LinkTarget>,
}

/// The page a Markdown file becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTarget {
    /// The entry id, or `""` for the home page.
    pub id: String,
    /// The page's path in the output, e.g. `exercises/joint-sea.html`.
    pub url: String,
}

impl LinkTargets {
    pub fn insert(&mut self, content_path: String, target: LinkTarget) {
        self.by_path.insert(content_path, target);
    }

    fn get(&self, content_path: &str) -> Option<&LinkTarget> {
        self.by_path.get(content_path)
    }

    fn nearest(&self, content_path: &str) -> Option<&str> {
        nearest(content_path, self.by_path.keys().map(String::as_str))
    }
}

/// What a page's Markdown is rendered against.
pub struct Context<'a> {
    /// The file, for messages.
    pub file: &'a Path,
    /// The file's full text: spans are byte ranges in it.
    pub source: &'a str,
    /// The file's path relative to the content folder, e.g. `exercises/joint-sea.md`.
    pub content_path: &'a str,
    /// Relative prefix from this page to the site root, e.g. `../`.
    pub root: &'a str,
    pub targets: &'a LinkTargets,
    pub bibliography: &'a Bibliography,
    /// What to do with raw HTML in the text.
    pub raw_html: RawHtml,
}

/// A link from this page to another page (or to an anchor on this one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossLink {
    /// Target entry id (`""` for the home page), or None for `#anchor` on this page.
    pub target: Option<String>,
    pub anchor: Option<String>,
    /// Span of the link destination in the file.
    pub span: Range<usize>,
}

/// A heading of the body, for anchors and tables of contents.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// One piece of rendered Markdown.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub links: Vec<CrossLink>,
    pub headings: Vec<Heading>,
}

/// A note at the end of a page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub number: usize,
    /// The note's element id, `note-3`.
    pub id: String,
    /// Ids of the places that refer to it, with the letter shown on a back-link
    /// when there are several (`a`, `b`, …).
    pub backrefs: Vec<Backref>,
    pub html: String,
    /// True for citations (the note is a reference), false for footnotes.
    pub is_citation: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Backref {
    pub id: String,
    pub label: String,
}

enum NoteBody {
    Html(String),
    Citation(usize),
}

struct PendingNote {
    number: usize,
    backrefs: Vec<String>,
    body: NoteBody,
    is_citation: bool,
}

/// The notes of one page, numbered across all the Markdown on it.
pub struct PageNotes<'b> {
    run: NoteRun<'b>,
    notes: Vec<PendingNote>,
    /// (document, footnote label) → index in `notes`.
    footnotes: HashMap<(usize, String), usize>,
    documents: usize,
    cited_keys: Vec<String>,
}

/// Everything about a page's notes once rendered.
#[derive(Clone, Debug, Default)]
pub struct FinishedNotes {
    pub notes: Vec<Note>,
    /// The page's bibliography: (key, HTML).
    pub bibliography: Vec<(String, String)>,
    /// The keys cited on the page, each once, in order of first citation.
    pub cited_keys: Vec<String>,
}

/// Marks where a citation inside a footnote is filled in once rendered.
const INLINE_CITE: char = '\u{1}';

impl<'b> PageNotes<'b> {
    pub fn new(bibliography: &'b Bibliography) -> PageNotes<'b> {
        PageNotes {
            run: NoteRun::new(bibliography),
            notes: Vec::new(),
            footnotes: HashMap::new(),
            documents: 0,
            cited_keys: Vec::new(),
        }
    }

    fn remember_keys(&mut self, items: &[CiteItem]) {
        for item in items {
            if !self.cited_keys.contains(&item.key) {
                self.cited_keys.push(item.key.clone());
            }
        }
    }

    /// Adds a citation as a new note; returns the HTML of its note mark.
    pub fn cite(&mut self, items: Vec<CiteItem>) -> String {
        self.remember_keys(&items);
        let number = self.notes.len() + 1;
        let index = self.run.add(number, items);
        self.notes.push(PendingNote {
            number,
            backrefs: vec![format!("noteref-{number}")],
            body: NoteBody::Citation(index),
            is_citation: true,
        });
        note_mark(number, &format!("noteref-{number}"))
    }

    /// A citation inside a footnote: rendered into the footnote's text, in its number.
    fn cite_inline(&mut self, note: usize, items: Vec<CiteItem>) -> String {
        self.remember_keys(&items);
        let index = self.run.add(note, items);
        format!("{INLINE_CITE}{index}{INLINE_CITE}")
    }

    /// A reference to footnote `label` of `document`; numbered on first use.
    fn footnote_ref(&mut self, document: usize, label: &str) -> String {
        let key = (document, label.to_string());
        let index = match self.footnotes.get(&key) {
            Some(&i) => i,
            None => {
                self.notes.push(PendingNote {
                    number: self.notes.len() + 1,
                    backrefs: Vec::new(),
                    body: NoteBody::Html(String::new()),
                    is_citation: false,
                });
                self.footnotes.insert(key, self.notes.len() - 1);
                self.notes.len() - 1
            }
        };
        let note = &mut self.notes[index];
        let id = if note.backrefs.is_empty() {
            format!("noteref-{}", note.number)
        } else {
            format!("noteref-{}-{}", note.number, note.backrefs.len() + 1)
        };
        note.backrefs.push(id.clone());
        note_mark(note.number, &id)
    }

    fn footnote_number(&self, document: usize, label: &str) -> Option<usize> {
        self.footnotes.get(&(document, label.to_string())).map(|&i| self.notes[i].number)
    }

    fn define_footnote(&mut self, document: usize, label: &str, html: String) -> bool {
        match self.footnotes.get(&(document, label.to_string())) {
            Some(&i) => {
                self.notes[i].body = NoteBody::Html(html);
                true
            }
            None => false,
        }
    }

    /// Renders all citations and returns the notes in order.
    pub fn finish(self) -> FinishedNotes {
        let rendered = self.run.finish();
        let fill = |html: &str| -> String {
            if !html.contains(INLINE_CITE) {
                return html.to_string();
            }
            let mut out = String::new();
            for (i, part) in html.split(INLINE_CITE).enumerate() {
                if i % 2 == 1 {
                    let index: usize = part.parse().unwrap_or(usize::MAX);
                    // Inside a note, a citation reads as a parenthesis (as in Pandoc).
                    if let Some(c) = rendered.citations.get(index) {
                        out.push('(');
                        out.push_str(c.strip_suffix('.').unwrap_or(c));
                        out.push(')');
                    }
                } else {
                    out.push_str(part);
                }
            }
            out
        };
        let notes = self
            .notes
            .into_iter()
            .map(|n| {
                let html = match &n.body {
                    NoteBody::Html(h) => fill(h),
                    NoteBody::Citation(i) => {
                        format!("<p>{}</p>", rendered.citations.get(*i).map_or("", String::as_str))
                    }
                };
                let many = n.backrefs.len() > 1;
                let backrefs = n
                    .backrefs
                    .into_iter()
                    .enumerate()
                    .map(|(i, id)| Backref { id, label: if many { letter(i) } else { String::new() } })
                    .collect();
                Note { number: n.number, id: format!("note-{}", n.number), backrefs, html, is_citation: n.is_citation }
            })
            .collect();
        FinishedNotes { notes, bibliography: rendered.bibliography, cited_keys: self.cited_keys }
    }
}

/// a, b, …, z, aa, ab, … (Wikipedia's back-link letters, without running out).
fn letter(i: usize) -> String {
    let mut n = i;
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

fn note_mark(number: usize, id: &str) -> String {
    format!(
        "<sup class=\"noteref\"><a href=\"#note-{number}\" id=\"{id}\" role=\"doc-noteref\" aria-describedby=\"notes-label\">{number}</a></sup>"
    )
}

/// Ids the page templates use; headings never take them.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "content",
    "notes",
    "notes-label",
    "bibliography",
    "events",
    "relations",
    "mentioned-in",
    "search",
    "cite-this",
    "search-input",
    "search-status",
    "note-preview",
];

/// Hands out heading ids unique on a page.
#[derive(Clone, Debug, Default)]
pub struct Anchors {
    taken: HashSet<String>,
}

impl Anchors {
    /// Anchors with the reserved ids and `taken` (e.g. event anchors) already used.
    pub fn new<'a>(taken: impl IntoIterator<Item = &'a str>) -> Anchors {
        let mut a = Anchors::default();
        a.taken.extend(RESERVED_IDS.iter().map(|s| s.to_string()));
        a.taken.extend(taken.into_iter().map(str::to_string));
        a
    }

    /// An id for a heading with `text`: its slug, made unique, never `note-…`.
    fn claim(&mut self, wanted: &str) -> String {
        let mut base = heading_slug(wanted);
        if base.is_empty() {
            base = "section".to_string();
        }
        if base.starts_with("note-") || base.starts_with("noteref-") || base.starts_with("ref-") {
            base = format!("h-{base}");
        }
        let mut id = base.clone();
        let mut n = 1;
        while self.taken.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        id
    }

    pub fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }
}

/// GitHub-style heading slug: lowercase, letters and digits kept (any script),
/// spaces to hyphens, other punctuation dropped.
pub fn heading_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == ' ' || c == '-' || c == '_' {
            out.push('-');
        }
    }
    out
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

const CITE_DEST: &str = "handbook-cite:";
const MISSING_FOOTNOTE_DEST: &str = "handbook-missing-footnote:";

/// Renders `text`, which starts at byte `offset` of the file.
pub fn render(
    text: &str,
    offset: usize,
    ctx: &Context,
    notes: &mut PageNotes,
    anchors: &mut Anchors,
    diagnostics: &mut Diagnostics,
) -> Rendered {
    let document = notes.documents;
    notes.documents += 1;
    let mut callback = |link: BrokenLink| -> Option<(CowStr, CowStr)> {
        let r = link.reference.trim();
        if r.starts_with('^') {
            Some((CowStr::Borrowed(MISSING_FOOTNOTE_DEST), CowStr::Borrowed("")))
        } else if r.contains('@') {
            Some((CowStr::Borrowed(CITE_DEST), CowStr::Borrowed("")))
        } else {
            None
        }
    };
    let parser = Parser::new_with_broken_link_callback(text, options(), Some(&mut callback)).into_offset_iter();
    let file_span = |r: &Range<usize>| offset + r.start..offset + r.end;

    let mut out: Vec<Event> = Vec::new();
    let mut rendered = Rendered::default();
    // Footnote definitions: (label, events, span) collected aside.
    let mut definitions: Vec<(String, Vec<Event>, Range<usize>)> = Vec::new();
    let mut in_definition: Option<(String, Vec<Event>, Range<usize>)> = None;
    let mut heading: Option<(HeadingLevel, Option<String>, Vec<String>, Vec<Event>, String)> = None;
    let mut code: Option<(String, String)> = None;
    let mut skip_link_depth = 0usize;
    let mut used_labels: Vec<(String, Range<usize>)> = Vec::new();
    // Inside an HTML comment that spans several raw-HTML events; whether the
    // current HTML block has been reported (once is enough).
    let mut in_comment = false;
    let mut block_reported = false;

    let mut events: Vec<(Event, Range<usize>)> = parser.collect();
    for i in 0..events.len() {
        let (event, range) = events[i].clone();
        if let (Event::Text(open), Some((Event::Text(label), _)), Some((Event::Text(close), end))) =
            (&event, events.get(i + 1), events.get(i + 2))
            && open.as_ref() == "["
            && label.starts_with('^')
            && close.starts_with(']')
            && !label.contains(char::is_whitespace)
        {
            // pulldown-cmark leaves `[^x]` without a definition as plain text.
            used_labels.push((label[1..].to_string(), file_span(&(range.start..end.start + 1))));
        }
        if skip_link_depth > 0 {
            match event {
                Event::Start(Tag::Link { .. }) => skip_link_depth += 1,
                Event::End(TagEnd::Link) => skip_link_depth -= 1,
                _ => {}
            }
            continue;
        }
        if let Event::Text(t) = &event
            && code.is_none()
            && let Some(at) = todo_at(t)
        {
            let start = file_span(&range).start + source_offset(ctx.source, file_span(&range), t, at);
            diagnostics.push(
                Diagnostic::error(
                    ctx.file,
                    ctx.source,
                    start..start + 4,
                    "this text is not written yet (it says TODO)",
                )
                .with_hint("replace the placeholder with the entry's text, citing a source for every fact"),
            );
        }
        if let Event::Text(t) | Event::Code(t) = &event
            && let Some((at, c)) = crate::content::load::forbidden_char(t)
        {
            let start = file_span(&range).start + source_offset(ctx.source, file_span(&range), t, at);
            diagnostics.push(
                Diagnostic::error(
                    ctx.file,
                    ctx.source,
                    start..start + 1,
                    format!("the text holds the control character U+{:04X}, which HTML and XML forbid", c as u32),
                )
                .with_hint("delete it (such characters are often pasted invisibly from PDFs or word processors)"),
            );
        }
        let mut note_citation: Option<usize> = None;
        let emitted: Option<Event> = match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.as_ref() == CITE_DEST => {
                skip_link_depth = 1;
                let span = file_span(&range);
                let inner_start = span.start + 1;
                let inner = ctx.source.get(inner_start..span.end.saturating_sub(1)).unwrap_or_default();
                match parse_citation(inner) {
                    Err(e) => {
                        diagnostics.push(
                            Diagnostic::error(
                                ctx.file,
                                ctx.source,
                                inner_start + e.span.start..inner_start + e.span.end,
                                e.message,
                            )
                            .with_hint(e.hint),
                        );
                        None
                    }
                    Ok(items) => {
                        if !check_keys(&items, ctx.bibliography, ctx.file, ctx.source, inner_start, diagnostics) {
                            None
                        } else if let Some((label, _, _)) = &in_definition {
                            let number = notes.footnote_number(document, label).unwrap_or(0);
                            Some(Event::InlineHtml(notes.cite_inline(number, items).into()))
                        } else {
                            note_citation = Some(i);
                            Some(Event::InlineHtml(notes.cite(items).into()))
                        }
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.as_ref() == MISSING_FOOTNOTE_DEST => {
                skip_link_depth = 1;
                let span = file_span(&range);
                let label = ctx.source.get(span.start + 2..span.end.saturating_sub(1)).unwrap_or_default();
                diagnostics.push(
                    Diagnostic::error(
                        ctx.file,
                        ctx.source,
                        span,
                        format!("footnote `[^{label}]` is used but never defined"),
                    )
                    .with_hint(format!("add a line `[^{label}]: The note's text.` after the paragraph")),
                );
                None
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let span = destination_span(ctx.source, file_span(&range), &dest_url);
                let dest = if refuse_scheme(&dest_url, "link", span.clone(), ctx, diagnostics) {
                    Some(String::new())
                } else {
                    resolve_link(&dest_url, span, ctx, &mut rendered.links, diagnostics)
                };
                Some(Event::Start(Tag::Link { link_type, dest_url: dest.map_or(dest_url, CowStr::from), title, id }))
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let span = destination_span(ctx.source, file_span(&range), &dest_url);
                let dest_url =
                    if refuse_scheme(&dest_url, "image", span, ctx, diagnostics) { CowStr::from("") } else { dest_url };
                Some(Event::Start(Tag::Image { link_type, dest_url, title, id }))
            }
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) if ctx.raw_html == RawHtml::Reject => {
                block_reported = false;
                None
            }
            Event::Html(raw) | Event::InlineHtml(raw) if ctx.raw_html == RawHtml::Reject => {
                let in_block = matches!(events[i].0, Event::Html(_));
                if let Some(at) = html_outside_comments(&raw, &mut in_comment)
                    && !(in_block && block_reported)
                    && !raw[at..].starts_with("</")
                {
                    block_reported = in_block;
                    let tag = html_preview(&raw[at..]);
                    let start = file_span(&range).start + source_offset(ctx.source, file_span(&range), &raw, at);
                    diagnostics.push(
                        Diagnostic::error(
                            ctx.file,
                            ctx.source,
                            start..start + tag.len(),
                            format!("raw HTML `{tag}` is not published"),
                        )
                        .with_hint(RAW_HTML_HINT),
                    );
                    in_comment = false;
                }
                None
            }
            Event::FootnoteReference(label) => {
                used_labels.push((label.to_string(), file_span(&range)));
                if in_definition.is_some() {
                    diagnostics.push(
                        Diagnostic::warning(
                            ctx.file,
                            ctx.source,
                            file_span(&range),
                            "a footnote inside a footnote is shown as plain text",
                        )
                        .with_hint("merge the two notes"),
                    );
                    Some(Event::Text(format!("[^{label}]").into()))
                } else {
                    Some(Event::InlineHtml(notes.footnote_ref(document, &label).into()))
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                in_definition = Some((label.to_string(), Vec::new(), file_span(&range)));
                None
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some(def) = in_definition.take() {
                    definitions.push(def);
                }
                None
            }
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                heading = Some((
                    level,
                    id.map(|s| s.to_string()),
                    classes.iter().map(|c| c.to_string()).collect(),
                    Vec::new(),
                    String::new(),
                ));
                None
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, classes, inner, text)) = heading.take() {
                    let id = match id {
                        Some(explicit) => {
                            if anchors.contains(&explicit) {
                                diagnostics.push(
                                    Diagnostic::error(
                                        ctx.file,
                                        ctx.source,
                                        file_span(&range),
                                        format!("heading id `{explicit}` is already used on this page"),
                                    )
                                    .with_hint("choose another {#id}"),
                                );
                            }
                            anchors.taken.insert(explicit.clone());
                            explicit
                        }
                        None => anchors.claim(&text),
                    };
                    let n = level as u8;
                    rendered.headings.push(Heading { level: n, id: id.clone(), text: text.trim().to_string() });
                    let class = if classes.is_empty() {
                        String::new()
                    } else {
                        format!(" class=\"{}\"", escape(&classes.join(" ")))
                    };
                    let mut html = format!("<h{n} id=\"{}\"{class}>", escape(&id));
                    pulldown_cmark::html::push_html(&mut html, inner.into_iter());
                    let _ = write!(html, "</h{n}>\n");
                    Some(Event::Html(html.into()))
                } else {
                    None
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or_default().to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
                None
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, buf)) = code.as_mut() {
                    buf.push_str(&t);
                }
                None
            }
            Event::End(TagEnd::CodeBlock) => {
                let (lang, buf) = code.take().unwrap_or_default();
                let highlighted = if lang.is_empty() {
                    None
                } else {
                    let h = crate::markdown::highlight::highlight(&buf, &lang);
                    if h.is_none() {
                        diagnostics.push(
                            Diagnostic::warning(ctx.file, ctx.source, file_span(&range), format!("unknown code language `{lang}`; shown without highlighting"))
                                .with_hint("use a common language name (rust, python, yaml, json, …) or leave the fence without one"),
                        );
                    }
                    h
                };
                let class =
                    if lang.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape(&lang)) };
                let body = highlighted.unwrap_or_else(|| escape(&buf));
                Some(Event::Html(format!("<pre class=\"code\"><code{class}>{body}</code></pre>\n").into()))
            }
            other => Some(other),
        };
        let Some(event) = emitted else { continue };
        let target: &mut Vec<Event> = if let Some((_, _, _, inner, _)) = heading.as_mut() {
            inner
        } else if let Some((_, buf, _)) = in_definition.as_mut() {
            buf
        } else {
            &mut out
        };
        if let Some(start) = note_citation {
            // As Pandoc does for note styles: no space before the mark, and the
            // mark goes after a following punctuation mark ("text [@k]." → "text.¹").
            if let Some(Event::Text(t)) = target.last_mut() {
                let trimmed = t.trim_end().to_string();
                *t = trimmed.into();
            }
            let close = find_link_end(&events, start);
            if let Some((Event::Text(next), _)) = events.get_mut(close + 1)
                && let Some(p) = next.chars().next().filter(|c| ".,;:!?".contains(*c))
            {
                target.push(Event::Text(p.to_string().into()));
                let rest = next[p.len_utf8()..].to_string();
                *next = rest.into();
            }
        }
        if let Some((_, _, _, inner, text)) = heading.as_mut() {
            if let Event::Text(t) | Event::Code(t) = &event {
                text.push_str(t);
            }
            inner.push(event);
        } else if let Some((_, buf, _)) = in_definition.as_mut() {
            buf.push(event);
        } else {
            out.push(event);
        }
    }

    // Footnote definitions: those used become notes; the others are reported.
    for (label, events, span) in definitions {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        if ctx.raw_html == RawHtml::Sanitize {
            html = sanitize(&html);
        }
        if !notes.define_footnote(document, &label, html) {
            diagnostics.push(
                Diagnostic::warning(
                    ctx.file,
                    ctx.source,
                    span,
                    format!("footnote `[^{label}]` is defined but never used"),
                )
                .with_hint(format!("refer to it with `[^{label}]` in the text, or delete it")),
            );
        }
    }
    for (label, span) in used_labels {
        if !notes_defined(notes, document, &label) {
            diagnostics.push(
                Diagnostic::error(
                    ctx.file,
                    ctx.source,
                    span,
                    format!("footnote `[^{label}]` is used but never defined"),
                )
                .with_hint(format!("add a line `[^{label}]: The note's text.` after the paragraph")),
            );
        }
    }

    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    rendered.html = match ctx.raw_html {
        RawHtml::Reject => html,
        RawHtml::Sanitize => sanitize(&html),
    };
    rendered
}

const RAW_HTML_HINT: &str = "write it in Markdown instead (emphasis, links, lists, tables and footnotes cover what an entry needs); \
     to show `<` as text, write `\\<` or put it in `code`; a handbook whose authors are all trusted can set \
     `raw_html: sanitize` in site.yaml";

/// Reports a link or image whose URL has a forbidden scheme; true if it has one.
fn refuse_scheme(url: &str, what: &str, span: Range<usize>, ctx: &Context, diagnostics: &mut Diagnostics) -> bool {
    let Some(scheme) = forbidden_scheme(url) else { return false };
    diagnostics.push(
        Diagnostic::error(ctx.file, ctx.source, span, format!("{what} with a `{scheme}:` address is not published"))
            .with_hint(
                "entries may link only to http, https and mailto addresses, or to other entries with relative links",
            ),
    );
    true
}

/// The byte offset in the file of `at` within `text`, an event's text that
/// comes from the source `span` (entities and container prefixes can make
/// the two differ; then the start of the span is the best there is).
fn source_offset(source: &str, span: Range<usize>, text: &str, at: usize) -> usize {
    let Some(slice) = source.get(span.clone()) else { return 0 };
    let needle = &text[at..];
    let needle = &needle[..needle.char_indices().nth(12).map_or(needle.len(), |(i, _)| i)];
    slice.find(needle).unwrap_or(0)
}

/// Where `raw` (a piece of raw HTML) has something other than whitespace
/// and comments, if anywhere; `in_comment` carries an open `<!--` over to
/// the next piece.
fn html_outside_comments(raw: &str, in_comment: &mut bool) -> Option<usize> {
    let mut i = 0;
    while i < raw.len() {
        if *in_comment {
            match raw[i..].find("-->") {
                Some(end) => {
                    i += end + 3;
                    *in_comment = false;
                }
                None => return None,
            }
        } else {
            let rest = &raw[i..];
            let trimmed = rest.trim_start();
            i += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                return None;
            }
            if trimmed.starts_with("<!--") {
                *in_comment = true;
                i += 4;
            } else {
                return Some(i);
            }
        }
    }
    None
}

/// Where `text` says `TODO` as a word: text that is not written yet. The
/// placeholders `handbook new` writes start with it, so an entry cannot be
/// published before they are replaced.
pub fn todo_at(text: &str) -> Option<usize> {
    text.match_indices("TODO").map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + 4..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The start of a raw HTML tag, for a message: `<script>`, `<img …>`.
fn html_preview(raw: &str) -> String {
    let end = raw.find(['>', '\n']).map_or(raw.len(), |i| i + 1);
    let tag = &raw[..end];
    if tag.chars().count() <= 40 {
        return tag.to_string();
    }
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    format!("{} …>", &tag[..name_end])
}

/// Cleans rendered Markdown that may hold raw HTML (`raw_html: sanitize`):
/// an allow-list of elements and attributes (ammonia's, plus the ids,
/// classes and roles this module writes), links and images only to http,
/// https, mailto and relative addresses.
fn sanitize(html: &str) -> String {
    use std::sync::OnceLock;
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class", "role", "aria-describedby", "aria-label", "lang", "title"])
            .add_tags(["section", "sup", "sub", "abbr", "mark", "figure", "figcaption", "span"])
            .url_schemes(ALLOWED_SCHEMES.iter().copied().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(None)
            .add_tag_attribute_values("th", "style", ["text-align: left", "text-align: center", "text-align: right"])
            .add_tag_attribute_values("td", "style", ["text-align: left", "text-align: center", "text-align: right"]);
        b
    });
    cleaner.clean(html).to_string()
}

/// Index of the `End(Link)` that closes the link starting at `start`.
fn find_link_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    let mut depth = 0;
    for (i, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(Tag::Link { .. }) => depth += 1,
            Event::End(TagEnd::Link) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len()
}

fn notes_defined(notes: &PageNotes, document: usize, label: &str) -> bool {
    notes
        .footnotes
        .get(&(document, label.to_string()))
        .is_some_and(|&i| matches!(&notes.notes[i].body, NoteBody::Html(h) if !h.is_empty()))
}

/// Renders a short piece of Markdown (an event's note) without the outer paragraph.
pub fn render_inline(
    text: &str,
    offset: usize,
    ctx: &Context,
    notes: &mut PageNotes,
    anchors: &mut Anchors,
    diagnostics: &mut Diagnostics,
) -> Rendered {
    let mut r = render(text, offset, ctx, notes, anchors, diagnostics);
    let trimmed = r.html.trim_end();
    if let Some(inner) = trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>"))
        && !inner.contains("<p>")
    {
        r.html = inner.to_string();
    }
    r
}

/// The span of `dest` inside the link's source text (falls back to the whole link).
fn destination_span(source: &str, link: Range<usize>, dest: &str) -> Range<usize> {
    let text = source.get(link.clone()).unwrap_or_default();
    match text.rfind(dest) {
        Some(i) if !dest.is_empty() => link.start + i..link.start + i + dest.len(),
        _ => link,
    }
}

/// Rewrites a link destination. Relative links to `.md` files become links to
/// pages (and are recorded); other links are left alone. Returns the new
/// destination, or None to keep it.
fn resolve_link(
    dest: &str,
    span: Range<usize>,
    ctx: &Context,
    links: &mut Vec<CrossLink>,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    if dest.is_empty()
        || dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with("//")
    {
        return None;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    if path.is_empty() {
        links.push(CrossLink { target: None, anchor, span });
        return None;
    }
    let path = percent_decode(path);
    if !path.ends_with(".md") {
        return None; // an asset or another file: left as written
    }
    if path.starts_with('/') {
        diagnostics.push(
            Diagnostic::error(ctx.file, ctx.source, span, format!("link `{dest}` is absolute"))
                .with_hint("link to entries with relative paths, e.g. ../exercises/joint-sea.md, so links work on GitHub and under any sub-path"),
        );
        return None;
    }
    let Some(resolved) = join_relative(ctx.content_path, &path) else {
        diagnostics.push(
            Diagnostic::error(ctx.file, ctx.source, span, format!("link `{dest}` points outside the content folder"))
                .with_hint("link to an entry's file, e.g. ../exercises/joint-sea.md"),
        );
        return None;
    };
    let Some(target) = ctx.targets.get(&resolved) else {
        let hint = match ctx.targets.nearest(&resolved) {
            Some(near) => format!("did you mean `{}`?", relative_between(ctx.content_path, near)),
            None => "check the file name; entries live in mechanisms/, exercises/ and declarations/".to_string(),
        };
        diagnostics.push(
            Diagnostic::error(
                ctx.file,
                ctx.source,
                span,
                format!("link to `{dest}`: there is no such entry file ({resolved})"),
            )
            .with_hint(hint),
        );
        return None;
    };
    links.push(CrossLink { target: Some(target.id.clone()), anchor: anchor.clone(), span });
    let mut url = format!("{}{}", ctx.root, target.url);
    if let Some(a) = anchor {
        url.push('#');
        url.push_str(&a);
    }
    Some(url)
}

/// `base` is a content-relative file path; returns `rel` resolved against its folder.
fn join_relative(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for piece in rel.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The relative path from content file `from` to content file `to`.
fn relative_between(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    format!("{}{to}", "../".repeat(depth))
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(Ok(b)) = s.get(i + 1..i + 3).map(|hex| u8::from_str_radix(hex, 16))
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Severity used for problems found in Markdown that do not stop a build.
pub const WARNING: Severity = Severity::Warning;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::load_style;
    use crate::content::load::SourceFile;

    fn bib() -> Bibliography {
        let file = SourceFile {
            path: "references.bib".into(),
            text: "@article{k, author = {Korolev, Alexander}, title = {Beyond the Nominal}, journaltitle = {Insight Turkey}, date = {2018}}\n".into(),
        };
        let mut ds = Diagnostics::new();
        Bibliography::load(Some(&file), load_style("chicago-notes").unwrap(), &mut ds)
    }

    fn targets() -> LinkTargets {
        let mut t = LinkTargets::default();
        t.insert(
            "exercises/joint-sea.md".into(),
            LinkTarget { id: "joint-sea".into(), url: "exercises/joint-sea.html".into() },
        );
        t
    }

    fn run(src: &str) -> (Rendered, FinishedNotes, Diagnostics) {
        run_with(src, RawHtml::Reject)
    }

    fn run_with(src: &str, raw_html: RawHtml) -> (Rendered, FinishedNotes, Diagnostics) {
        let bib = bib();
        let targets = targets();
        let ctx = Context {
            file: Path::new("content/mechanisms/m.md"),
            source: src,
            content_path: "mechanisms/m.md",
            root: "../",
            targets: &targets,
            bibliography: &bib,
            raw_html,
        };
        let mut notes = PageNotes::new(&bib);
        let mut anchors = Anchors::new(["2016"]);
        let mut ds = Diagnostics::new();
        let r = render(src, 0, &ctx, &mut notes, &mut anchors, &mut ds);
        (r, notes.finish(), ds)
    }

    #[test]
    fn footnotes_and_citations_share_numbering() {
        let (r, notes, ds) = run("A[^x] B [@k, p. 3] C[^x] D [@k, p. 4].\n\n[^x]: Aside, citing [@k, p. 9].\n");
        assert!(ds.is_empty(), "{ds:?}");
        assert!(r.html.contains(r##"<a href="#note-1" id="noteref-1" role="doc-noteref""##), "{}", r.html);
        assert!(r.html.contains(r##"<a href="#note-2" id="noteref-2""##), "{}", r.html);
        assert!(r.html.contains(r##"<a href="#note-1" id="noteref-1-2""##), "{}", r.html);
        assert!(r.html.contains(r##"<a href="#note-3" id="noteref-3""##), "{}", r.html);
        assert_eq!(notes.notes.len(), 3);
        let labels: Vec<&str> = notes.notes[0].backrefs.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["a", "b"]);
        assert!(notes.notes[0].html.contains("Aside, citing"));
        // The citation inside the footnote is the first citation of the source: full form.
        assert!(notes.notes[0].html.contains("Alexander Korolev"), "{}", notes.notes[0].html);
        assert!(notes.notes[1].html.contains("Korolev, “Beyond"), "{}", notes.notes[1].html);
        assert_eq!(notes.cited_keys, ["k"]);
    }

    #[test]
    fn reports_undefined_and_unused_footnotes() {
        let (_, _, ds) = run("Text[^missing].\n\n[^unused]: Never used.\n");
        let msgs: Vec<String> = ds.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect();
        assert!(msgs.contains(&"1:5 footnote `[^missing]` is used but never defined".to_string()), "{msgs:?}");
        assert!(msgs.contains(&"3:1 footnote `[^unused]` is defined but never used".to_string()), "{msgs:?}");
    }

    #[test]
    fn rewrites_cross_links_and_rejects_broken_ones() {
        let (r, _, ds) = run("See [JS](../exercises/joint-sea.md#2016) and\n[bad](../exercises/joint-sae.md).\n");
        assert!(r.html.contains(r#"href="../exercises/joint-sea.html#2016""#), "{}", r.html);
        assert_eq!(r.links[0].target.as_deref(), Some("joint-sea"));
        assert_eq!(r.links[0].anchor.as_deref(), Some("2016"));
        let d = ds.iter().next().unwrap();
        assert_eq!((d.line, d.column), (2, 7));
        assert!(d.message.contains("no such entry file"), "{}", d.message);
        assert_eq!(d.hint.as_deref(), Some("did you mean `../exercises/joint-sea.md`?"));
    }

    #[test]
    fn unknown_citation_keys_are_errors_at_the_key() {
        let (_, _, ds) = run("Text [see @kk, p. 3].\n");
        let d = ds.iter().next().unwrap();
        assert_eq!((d.line, d.column, d.message.as_str()), (1, 11, "unknown citation key `kk`"));
        assert_eq!(d.hint.as_deref(), Some("did you mean `@k`? Otherwise add an entry `kk` to content/references.bib"));
    }

    #[test]
    fn heading_ids_avoid_reserved_and_event_ids() {
        let (r, _, _) = run("## 2016\n\n## Notes\n\n## Note 1\n\n## Notes\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["2016-1", "notes-1", "h-note-1", "notes-2"]);
    }

    #[test]
    fn citation_marks_follow_punctuation_without_space() {
        let (r, _, _) = run("A claim [@k, p. 3]. Another [@k], and more.\n");
        assert!(r.html.starts_with("<p>A claim.<sup"), "{}", r.html);
        assert!(r.html.contains("Another,<sup"), "{}", r.html);
    }

    #[test]
    fn letters_do_not_run_out() {
        assert_eq!(letter(0), "a");
        assert_eq!(letter(25), "z");
        assert_eq!(letter(26), "aa");
        assert_eq!(letter(27), "ab");
    }

    fn messages(ds: &Diagnostics) -> Vec<String> {
        ds.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect()
    }

    #[test]
    fn raw_html_is_an_error_at_its_position_and_comments_are_dropped() {
        let (r, _, ds) = run(
            "<!--\nA note to editors.\n-->\n\nText <!-- aside --> here.\n\n<div>\n<script>alert(1)</script>\n</div>\n\nA <img src=x onerror=alert(1)> b.\n",
        );
        assert_eq!(
            messages(&ds),
            ["7:1 raw HTML `<div>` is not published", "11:3 raw HTML `<img src=x onerror=alert(1)>` is not published"],
            "one problem per HTML block, none for closing tags"
        );
        assert!(!r.html.contains("<!--") && !r.html.contains("<div") && !r.html.contains("<img"), "{}", r.html);
        let (_, _, ds) = run("<!-- fine --><script>x</script>\n");
        assert_eq!(messages(&ds), ["1:14 raw HTML `<script>` is not published"]);
    }

    #[test]
    fn links_and_images_with_unsafe_schemes_are_errors() {
        for (src, scheme) in [
            ("[x](javascript:alert(1))", "javascript"),
            ("[x](JaVaScRiPt:alert(1))", "javascript"),
            ("[x](&#106;avascript:alert(1))", "javascript"),
            ("[x](java&#x09;script:alert(1))", "javascript"),
            ("[x](<java\tscript:alert(1)>)", "javascript"),
            ("<javascript:alert(1)>", "javascript"),
            ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "data"),
            ("[x](file:///etc/passwd)", "file"),
            ("[x](vbscript:msgbox)", "vbscript"),
            ("[x][r]\n\n[r]: javascript:alert(1)", "javascript"),
        ] {
            let (r, _, ds) = run(src);
            let m = messages(&ds);
            assert_eq!(m.len(), 1, "{src}: {m:?}");
            assert!(m[0].contains(&format!("a `{scheme}:` address is not published")), "{src}: {m:?}");
            let html = r.html.to_lowercase();
            assert!(
                !html.contains(&format!("href=\"{scheme}")) && !html.contains("src=\"{scheme}"),
                "{src}: {}",
                r.html
            );
        }
        let (_, _, ds) =
            run("[a](https://example.org) [b](mailto:x@example.org) [c](http://x.org/a:b) [d](page.html#a:b)\n");
        assert!(ds.is_empty(), "{:?}", messages(&ds));
    }

    #[test]
    fn control_characters_from_entities_are_errors() {
        let (_, _, ds) = run("Joint&#1;Sea\n");
        assert_eq!(messages(&ds), ["1:6 the text holds the control character U+0001, which HTML and XML forbid"]);
    }

    #[test]
    fn sanitize_keeps_harmless_html_and_removes_script() {
        let src = "A <abbr title=\"People's Liberation Army\">PLA</abbr> b <img src=x onerror=alert(1)>.[^n] [@k]\n\n<script>alert(1)</script>\n<a href=\"javascript:alert(1)\">x</a> <svg onload=alert(1)></svg>\n\n| a |\n|:-:|\n| b |\n\n[^n]: Note <b onclick=\"x()\">bold</b> [@k, p. 2].\n";
        let (r, notes, ds) = run_with(src, RawHtml::Sanitize);
        assert!(ds.is_empty(), "{:?}", messages(&ds));
        for bad in ["script", "onerror", "onload", "javascript", "onclick", "<svg"] {
            assert!(!r.html.contains(bad), "{bad}: {}", r.html);
            assert!(!notes.notes[0].html.contains(bad), "{bad}: {}", notes.notes[0].html);
        }
        assert!(r.html.contains("<abbr title=\"People's Liberation Army\">PLA</abbr>"), "{}", r.html);
        assert!(r.html.contains("role=\"doc-noteref\""), "{}", r.html);
        assert!(r.html.contains("style=\"text-align: center\""), "{}", r.html);
        assert!(
            notes.notes[0].html.contains("<b>bold</b>") && notes.notes[0].html.contains("Korolev"),
            "{}",
            notes.notes[0].html
        );
    }
}
