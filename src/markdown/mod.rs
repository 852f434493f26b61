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

mod anchors;
pub mod highlight;
mod links;
mod notes;
mod safety;

pub use anchors::{Anchors, Heading, TEMPLATE_IDS, heading_slug};
pub use links::{CrossLink, LinkTarget, LinkTargets};
use links::{destination_span, resolve_link};
use notes::notes_defined;
pub use notes::{Backref, FinishedNotes, Note, PageNotes};
use notes::{NOTE_MARK_SEPARATOR, NOTE_MARK_START};
pub use safety::todo_at;
use safety::{RAW_HTML_HINT, html_outside_comments, html_preview, refuse_scheme, sanitize, source_offset};

use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::cite::{Bibliography, CiteItem, check_citation_keys, parse_citation};
use crate::content::site::{CitationNotes, RawHtml};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::html::escape;

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
    /// Whether citations share notes.
    pub citation_notes: CitationNotes,
}

impl Context<'_> {
    /// An error at `span` (a byte range of the file) of the file being rendered.
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.file, self.source, span, message)
    }

    /// A warning at `span` (a byte range of the file) of the file being rendered.
    fn warning(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(self.file, self.source, span, message)
    }
}

/// One piece of rendered Markdown.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub links: Vec<CrossLink>,
    pub headings: Vec<Heading>,
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

/// A footnote definition collected aside: its label, events and span.
type Definition<'a> = (String, Vec<Event<'a>>, Range<usize>);

/// A heading being read: level, explicit id, classes, inner events and text.
type OpenHeading<'a> = (HeadingLevel, Option<String>, Vec<String>, Vec<Event<'a>>, String);

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
    // Tables so far, to name each one's scrolling box.
    let mut tables = 0;
    let mut rendered = Rendered::default();
    // Footnote definitions: (label, events, span) collected aside.
    let mut definitions: Vec<Definition> = Vec::new();
    let mut in_definition: Option<Definition> = None;
    let mut heading: Option<OpenHeading> = None;
    let mut code: Option<(String, String)> = None;
    let mut skip_link_depth = 0usize;
    // The last event of citations already taken together with an earlier one.
    let mut skip_until: Option<usize> = None;
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
        match skip_until {
            Some(last) if i <= last => continue,
            Some(_) => skip_until = None,
            None => {}
        }
        if let Event::Text(t) = &event
            && code.is_none()
            && let Some(at) = todo_at(t)
        {
            let start = file_span(&range).start + source_offset(ctx.source, file_span(&range), t, at);
            diagnostics.push(
                ctx.error(start..start + 4, "this text is not written yet (it says TODO)")
                    .with_hint("replace the placeholder with the entry's text, citing a source for every fact"),
            );
        }
        if let Event::Text(t) | Event::Code(t) = &event
            && let Some((at, c)) = crate::content::load::forbidden_char(t)
        {
            let start = file_span(&range).start + source_offset(ctx.source, file_span(&range), t, at);
            diagnostics.push(
                ctx.error(
                    start..start + 1,
                    format!("the text holds the control character U+{:04X}, which HTML and XML forbid", c as u32),
                )
                .with_hint("delete it (such characters are often pasted invisibly from PDFs or word processors)"),
            );
        }
        // For a note mark: the index of the reference's last event, after
        // which a punctuation mark moves before the mark.
        let mut note_mark: Option<usize> = None;
        let emitted: Option<Event> = match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.as_ref() == CITE_DEST => {
                let mut items = citation_at(ctx, file_span(&range), diagnostics);
                // Citations with nothing but spaces between them end the same
                // sentence: with shared notes they make one note, as
                // `[@a] [@b]` would if written `[@a; @b]`.
                let mut last = i;
                if ctx.citation_notes == CitationNotes::Shared && in_definition.is_none() {
                    while let Some(next) = next_citation(&events, find_link_end(&events, last)) {
                        let more = citation_at(ctx, file_span(&events[next].1), diagnostics);
                        items = items.zip(more).map(|(mut a, b)| {
                            a.extend(b);
                            a
                        });
                        last = next;
                    }
                }
                skip_until = Some(find_link_end(&events, last));
                match items {
                    None => None,
                    Some(items) => {
                        if let Some((label, _, _)) = &in_definition {
                            let number = notes.footnote_number(document, label).unwrap_or(0);
                            Some(Event::InlineHtml(notes.cite_inline(number, items).into()))
                        } else {
                            note_mark = Some(find_link_end(&events, last));
                            Some(Event::InlineHtml(notes.cite(items, ctx.citation_notes).into()))
                        }
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.as_ref() == MISSING_FOOTNOTE_DEST => {
                skip_link_depth = 1;
                let span = file_span(&range);
                let label = ctx.source.get(span.start + 2..span.end.saturating_sub(1)).unwrap_or_default();
                diagnostics.push(
                    ctx.error(span, format!("footnote `[^{label}]` is used but never defined"))
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
                        ctx.error(start..start + tag.len(), format!("raw HTML `{tag}` is not published"))
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
                        ctx.warning(file_span(&range), "a footnote inside a footnote is shown as plain text")
                            .with_hint("merge the two notes"),
                    );
                    Some(Event::Text(format!("[^{label}]").into()))
                } else {
                    note_mark = Some(i);
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
                                    ctx.error(
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
                    let _ = writeln!(html, "</h{n}>");
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
                    let h = highlight::highlight(&buf, &lang);
                    if h.is_none() {
                        diagnostics.push(
                            ctx.warning(file_span(&range), format!("unknown code language `{lang}`; shown without highlighting"))
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
        // A table scrolls sideways inside a box of its own, which a keyboard
        // can reach and a screen reader names, rather than widening the page.
        let wrap_open = matches!(event, Event::Start(Tag::Table(_)));
        let wrap_close = matches!(event, Event::End(TagEnd::Table));
        if wrap_open {
            tables += 1;
        }
        let target: &mut Vec<Event> = if let Some((_, _, _, inner, _)) = heading.as_mut() {
            inner
        } else if let Some((_, buf, _)) = in_definition.as_mut() {
            buf
        } else {
            &mut out
        };
        if let Some(last) = note_mark {
            // As Chicago sets notes (and Pandoc for note styles): no space
            // before the mark, and the mark after a following punctuation
            // mark ("text [@k]." → "text.¹").
            if let Some(Event::Text(t)) = target.last_mut() {
                let trimmed = t.trim_end().to_string();
                *t = trimmed.into();
            }
            if matches!(target.last(), Some(Event::Text(t)) if t.is_empty()) {
                target.pop();
            }
            // Past any note references right after this one: their marks
            // follow the punctuation too ("text[@a][^b]." → "text.¹,²").
            let mut after = last + 1;
            loop {
                match events.get(after) {
                    Some((Event::FootnoteReference(_), _)) => after += 1,
                    Some((Event::Start(Tag::Link { dest_url, .. }), _)) if dest_url.as_ref() == CITE_DEST => {
                        after = find_link_end(&events, after) + 1;
                    }
                    Some((Event::Text(t), _))
                        if t.trim().is_empty()
                            && matches!(events.get(after + 1), Some((Event::FootnoteReference(_), _))) =>
                    {
                        after += 1
                    }
                    _ => break,
                }
            }
            if let Some((Event::Text(next), _)) = events.get_mut(after)
                && let Some(p) = next.chars().next().filter(|c| ".,;:!?".contains(*c))
            {
                target.push(Event::Text(p.to_string().into()));
                let rest = next[p.len_utf8()..].to_string();
                *next = rest.into();
            }
            // Marks side by side are set apart, so that ²⁰ ²¹ never reads as 2021.
            if matches!(target.last(), Some(Event::InlineHtml(h)) if h.starts_with(NOTE_MARK_START)) {
                target.push(Event::InlineHtml(NOTE_MARK_SEPARATOR.into()));
            }
        }
        if wrap_open {
            target.push(Event::Html(
                format!("<div class=\"table-scroll\" role=\"region\" aria-label=\"Table {tables}\" tabindex=\"0\">\n")
                    .into(),
            ));
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
        if wrap_close {
            let target: &mut Vec<Event> = if let Some((_, buf, _)) = in_definition.as_mut() { buf } else { &mut out };
            target.push(Event::Html("</div>\n".into()));
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
                ctx.warning(span, format!("footnote `[^{label}]` is defined but never used"))
                    .with_hint(format!("refer to it with `[^{label}]` in the text, or delete it")),
            );
        }
    }
    for (label, span) in used_labels {
        if !notes_defined(notes, document, &label) {
            diagnostics.push(
                ctx.error(span, format!("footnote `[^{label}]` is used but never defined"))
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

/// The items of the citation whose link spans `span` of the file, with its
/// keys checked; None (and the problems reported) when it cannot be used.
/// (`[@a][@b]` reaches here as one reference link; it is two citations.)
fn citation_at(ctx: &Context, span: Range<usize>, diagnostics: &mut Diagnostics) -> Option<Vec<CiteItem>> {
    let inner = ctx.source.get(span.start + 1..span.end.saturating_sub(1)).unwrap_or_default();
    let mut all = Some(Vec::new());
    let mut at = span.start + 1;
    for part in inner.split("][") {
        let items = match parse_citation(part) {
            Err(e) => {
                diagnostics.push(ctx.error(at + e.span.start..at + e.span.end, e.message).with_hint(e.hint));
                None
            }
            Ok(items) => {
                check_citation_keys(&items, ctx.bibliography, ctx.file, ctx.source, at, diagnostics).then_some(items)
            }
        };
        all = all.zip(items).map(|(mut a, b)| {
            a.extend(b);
            a
        });
        at += part.len() + 2;
    }
    all
}

/// The start of a citation that follows the link ending at `end` with
/// nothing but spaces between, if one does.
fn next_citation(events: &[(Event, Range<usize>)], end: usize) -> Option<usize> {
    let is_citation = |i: usize| matches!(events.get(i), Some((Event::Start(Tag::Link { dest_url, .. }), _)) if dest_url.as_ref() == CITE_DEST);
    match events.get(end + 1) {
        Some((Event::Text(t), _)) if t.trim().is_empty() && is_citation(end + 2) => Some(end + 2),
        _ if is_citation(end + 1) => Some(end + 1),
        _ => None,
    }
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

#[cfg(test)]
mod tests;
