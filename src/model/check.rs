//! The checks of one entry's front matter and text: dates, relations,
//! citations, event anchors; and the Markdown rendered with them.

use std::collections::{HashMap, HashSet};

use super::entry::{Citation, Claim, Details, Entry, Event, Home, Name, PackedHtml};
use crate::cite::{Bibliography, check_citation_keys, parse_citation};
use crate::content::Kind;
use crate::content::date::{DateError, PartialDate};
use crate::content::fields::{DateText, FrontMatter, OneOrMany};
use crate::content::front_matter::{self, Parsed};
use crate::content::load::{EntryFile, SourceFile};
use crate::content::site::CitationNotes;
use crate::content::slug::is_slug;
use crate::diagnostic::{Diagnostics, nearest};
use crate::markdown::{self, Anchors, CrossLink, LinkTargets, PageNotes};

/// What entry checks look things up in.
pub(super) struct Checker<'a> {
    pub(super) bibliography: &'a Bibliography,
    pub(super) targets: &'a LinkTargets,
    pub(super) ids: &'a HashMap<String, Kind>,
    pub(super) relations: &'a [&'a str],
    pub(super) raw_html: crate::content::site::RawHtml,
    pub(super) citation_notes: CitationNotes,
}

impl Checker<'_> {
    fn date(
        &self,
        source: &SourceFile,
        p: &Parsed<FrontMatter>,
        path: &str,
        text: &DateText,
        ds: &mut Diagnostics,
    ) -> Option<PartialDate> {
        match PartialDate::parse(&text.0) {
            Ok(d) => Some(d),
            Err(DateError { message, span }) => {
                let value = p.value_span(path);
                // Quoted values start one byte later.
                let quote = usize::from(source.text[value.clone()].starts_with(['"', '\'']));
                let start = value.start + quote;
                let span = if value.len() >= text.0.len() { start + span.start..start + span.end } else { value };
                ds.push(
                    source.error(span, format!("invalid date `{}`: {message}", text.0)).with_hint(DateError::hint()),
                );
                None
            }
        }
    }

    fn citations(
        &self,
        source: &SourceFile,
        p: &Parsed<FrontMatter>,
        path: &str,
        cite: &OneOrMany<String>,
        ds: &mut Diagnostics,
    ) -> Vec<Citation> {
        let mut out = Vec::new();
        for (i, text) in cite.as_slice().iter().enumerate() {
            let item_path = if cite.is_list() { format!("{path}[{i}]") } else { path.to_string() };
            let value = p.value_span(&item_path);
            let quote = usize::from(source.text[value.clone()].starts_with(['"', '\'']));
            let at = value.start + quote;
            let located = source.text.get(at..at + text.len()) == Some(text.as_str());
            let text = text.trim_start_matches('[').trim_end_matches(']');
            match parse_citation(text) {
                Err(e) => {
                    let span = if located { at + e.span.start..at + e.span.end } else { value };
                    ds.push(source.error(span, e.message).with_hint(e.hint));
                }
                Ok(items) => {
                    let ok = if located {
                        check_citation_keys(&items, self.bibliography, &source.path, &source.text, at, ds)
                    } else {
                        // Folded or escaped YAML: point at the value.
                        let mut local = Diagnostics::new();
                        let ok =
                            check_citation_keys(&items, self.bibliography, &source.path, &source.text, 0, &mut local);
                        ds.extend(local.into_iter().map(|mut d| {
                            let (line, column) = crate::diagnostic::line_col(&source.text, value.start);
                            d.line = line;
                            d.column = column;
                            d.span = value.clone();
                            d
                        }));
                        ok
                    };
                    if ok {
                        out.push(Citation { text: text.to_string(), items });
                    }
                }
            }
        }
        out
    }

    fn non_empty(&self, source: &SourceFile, p: &Parsed<FrontMatter>, path: &str, value: &str, ds: &mut Diagnostics) {
        if value.trim().is_empty() {
            ds.push(
                source
                    .error(p.key_span(path), format!("`{path}` is empty"))
                    .with_hint(format!("write the {path}; it is required")),
            );
        }
        self.written(source, p, path, value, ds);
    }

    /// Reports a value that still says `TODO` (text not written yet, as in
    /// the placeholders of `handbook new`).
    fn written(&self, source: &SourceFile, p: &Parsed<FrontMatter>, path: &str, value: &str, ds: &mut Diagnostics) {
        if markdown::todo_at(value).is_some() {
            ds.push(
                source
                    .error(p.value_span(path), format!("`{path}` is not written yet (it says TODO)"))
                    .with_hint(format!("replace the placeholder with the {path} of this entry")),
            );
        }
    }

    /// The note marks of an event's or claim's citations: one note for all
    /// of them when citations share notes, else one each.
    fn note_marks(&self, cites: &[Citation], notes: &mut PageNotes) -> String {
        match self.citation_notes {
            CitationNotes::Shared if !cites.is_empty() => {
                notes.cite(cites.iter().flat_map(|c| c.items.iter().cloned()).collect(), self.citation_notes)
            }
            _ => cites.iter().map(|c| notes.cite(c.items.clone(), self.citation_notes)).collect(),
        }
    }

    pub(super) fn entry(
        &self,
        file: &EntryFile,
        body_offset: usize,
        p: &Parsed<FrontMatter>,
        ds: &mut Diagnostics,
    ) -> Option<Entry> {
        let source = &file.source;
        let fm = &p.front_matter;
        let errors_before = ds.error_count();
        self.non_empty(source, p, "title", &fm.title, ds);
        self.non_empty(source, p, "summary", &fm.summary, ds);
        let date = self.date(source, p, "date", &fm.date, ds);
        let end = fm.end.as_ref().and_then(|e| self.date(source, p, "end", e, ds));
        if let (Some(d), Some(e)) = (date, end)
            && e.latest() < d.earliest()
        {
            ds.push(
                source
                    .error(p.value_span("end"), format!("`end` ({}) is before `date` ({})", e.edtf(), d.edtf()))
                    .with_hint("swap the two dates, or correct one of them"),
            );
        }
        for (i, tag) in fm.tags.iter().enumerate() {
            if crate::content::slug::slugify(tag).is_empty() {
                ds.push(
                    source
                        .error(p.value_span(&format!("tags[{i}]")), "tag has no letters or digits")
                        .with_hint("write tags as words, e.g. naval"),
                );
            }
        }

        // Relations.
        let mut relations = Vec::new();
        for (name, targets) in &fm.relations {
            if !self.relations.contains(&name.as_str()) {
                let hint = match nearest(name, self.relations.iter().copied()) {
                    Some(n) => {
                        format!("did you mean `{n}`? Relations are defined in site.yaml: {}", self.relations.join(", "))
                    }
                    None => format!("relations are defined in site.yaml: {}", self.relations.join(", ")),
                };
                ds.push(
                    source
                        .error(p.key_span(&format!("relations.{name}")), format!("unknown relation `{name}`"))
                        .with_hint(hint),
                );
                continue;
            }
            for (i, target) in targets.as_slice().iter().enumerate() {
                let path =
                    if targets.is_list() { format!("relations.{name}[{i}]") } else { format!("relations.{name}") };
                if target == &file.id {
                    ds.push(
                        source
                            .error(p.value_span(&path), "an entry cannot be related to itself")
                            .with_hint("remove this id"),
                    );
                } else if !self.ids.contains_key(target) {
                    let hint = match nearest(target, self.ids.keys().map(String::as_str)) {
                        Some(n) => format!("did you mean `{n}`? Ids are entry file names without .md"),
                        None => "ids are entry file names without .md".to_string(),
                    };
                    ds.push(
                        source.error(p.value_span(&path), format!("no entry has the id `{target}`")).with_hint(hint),
                    );
                } else {
                    relations.push((name.clone(), target.clone()));
                }
            }
        }

        // Event anchors: explicit ids, else the year, with -2, -3 for repeats.
        let mut anchors_taken: HashSet<String> = HashSet::new();
        let mut event_anchors = Vec::new();
        for (i, ev) in fm.events.iter().enumerate() {
            self.written(source, p, &format!("events[{i}].title"), &ev.title, ds);
            if let Some(place) = &ev.place {
                self.written(source, p, &format!("events[{i}].place"), place, ds);
            }
        }
        for (i, ev) in fm.events.iter().enumerate() {
            if let Some(id) = &ev.id {
                if !is_slug(id) {
                    ds.push(
                        source
                            .error(p.value_span(&format!("events[{i}].id")), format!("event id `{id}` is not a slug"))
                            .with_hint("use lowercase letters, digits and hyphens, e.g. 2015-ii"),
                    );
                } else if !anchors_taken.insert(id.clone()) || markdown::TEMPLATE_IDS.contains(&id.as_str()) {
                    ds.push(
                        source
                            .error(
                                p.value_span(&format!("events[{i}].id")),
                                format!("event id `{id}` is already used on this page"),
                            )
                            .with_hint("give each event of an entry its own id"),
                    );
                }
            }
        }
        for ev in &fm.events {
            let anchor = match &ev.id {
                Some(id) => id.clone(),
                None => {
                    let year: String = ev.date.0.chars().take(4).collect();
                    let mut anchor = year.clone();
                    let mut n = 2;
                    while anchors_taken.contains(&anchor) {
                        anchor = format!("{year}-{n}");
                        n += 1;
                    }
                    anchors_taken.insert(anchor.clone());
                    anchor
                }
            };
            event_anchors.push(anchor);
        }

        // Markdown: body first, then event notes and citations, sharing note numbers.
        let content_path = format!("{}/{}.md", file.kind.folder(), file.id);
        let ctx = markdown::Context {
            file: &source.path,
            source: &source.text,
            content_path: &content_path,
            root: "../",
            targets: self.targets,
            bibliography: self.bibliography,
            raw_html: self.raw_html,
            citation_notes: self.citation_notes,
        };
        let mut notes = PageNotes::new(self.bibliography);
        let mut anchors = Anchors::new(event_anchors.iter().map(String::as_str));
        let body = markdown::render(&source.text[body_offset..], body_offset, &ctx, &mut notes, &mut anchors, ds);
        let mut links = body.links;
        let mut events = Vec::new();
        for (i, (ev, anchor)) in fm.events.iter().zip(event_anchors).enumerate() {
            let base = format!("events[{i}]");
            self.non_empty(source, p, &format!("{base}.title"), &ev.title, ds);
            let date = self.date(source, p, &format!("{base}.date"), &ev.date, ds);
            let note_html = note_field(
                ev.note.as_deref(),
                p.value_span(&format!("{base}.note")).start,
                &ctx,
                &mut notes,
                &mut anchors,
                &mut links,
                ds,
            );
            let cites = self.citations(source, p, &format!("{base}.cite"), &ev.cite, ds);
            if ev.cite.as_slice().is_empty() {
                ds.push(
                    source
                        .warning(p.key_span(&base), format!("event `{}` cites no source", ev.title))
                        .with_hint("add `cite: \"@key, p. N\"` to the event"),
                );
            }
            let cite_html = self.note_marks(&cites, &mut notes);
            let mut disputed = Vec::new();
            for (j, claim) in ev.disputed.iter().enumerate() {
                let cbase = format!("{base}.disputed[{j}]");
                let cdate = claim.date.as_ref().and_then(|d| self.date(source, p, &format!("{cbase}.date"), d, ds));
                if claim.date.is_none() && claim.place.is_none() && claim.note.is_none() {
                    ds.push(
                        source
                            .error(p.key_span(&cbase), "a disputed claim says nothing")
                            .with_hint("give the claim's `date`, `place` or `note`"),
                    );
                }
                let cnote = note_field(
                    claim.note.as_deref(),
                    p.value_span(&format!("{cbase}.note")).start,
                    &ctx,
                    &mut notes,
                    &mut anchors,
                    &mut links,
                    ds,
                );
                let ccites = self.citations(source, p, &format!("{cbase}.cite"), &claim.cite, ds);
                if claim.cite.as_slice().is_empty() {
                    ds.push(
                        source
                            .error(p.key_span(&cbase), "a disputed claim must cite its source")
                            .with_hint("add `cite: \"@key, p. N\"` to the claim"),
                    );
                }
                let chtml = self.note_marks(&ccites, &mut notes);
                disputed.push(Claim {
                    date: cdate,
                    place: claim.place.clone(),
                    note_html: cnote,
                    cite_html: chtml,
                    cites: ccites,
                });
            }
            if let Some(date) = date {
                events.push(Event {
                    anchor,
                    date,
                    title: ev.title.clone(),
                    place: ev.place.clone(),
                    participants: ev.participants.clone(),
                    note_html,
                    cite_html,
                    cites,
                    disputed,
                });
            }
        }
        let mut notes = notes.finish();
        if notes.cited_keys.is_empty() && ds.error_count() == errors_before {
            ds.push(
                source
                    .warning(p.key_span("title"), "entry cites no source")
                    .with_hint("cite the source of its facts: [@key, p. N] in the text, or `cite:` on its events"),
            );
        }
        if ds.error_count() > errors_before {
            return None;
        }
        let details = Details {
            level: fm.level.clone(),
            frequency: fm.frequency.clone(),
            participants: fm.participants.clone(),
            domain: fm.domain.as_slice().to_vec(),
            format: fm.format,
            signatories: fm.signatories.clone(),
            place: fm.place.clone(),
        };
        // The entry is held until the site is written: its body compressed,
        // its notes without the room a string keeps to grow (a fifth of its size).
        let body_html = PackedHtml::new(&body.html);
        for note in &mut notes.notes {
            note.html.shrink_to_fit();
        }
        for event in &mut events {
            event.note_html.shrink_to_fit();
            event.cite_html.shrink_to_fit();
        }
        Some(Entry {
            id: file.id.clone(),
            kind: file.kind,
            file: source.path.clone(),
            content_path,
            title: fm.title.clone(),
            summary: fm.summary.clone(),
            aliases: fm
                .aliases
                .iter()
                .map(|a| Name { name: a.name().to_string(), lang: a.lang().map(str::to_string) })
                .collect(),
            tags: fm.tags.clone(),
            date: date?,
            end,
            draft: fm.draft,
            details,
            relations,
            events,
            body_html,
            headings: body.headings,
            notes,
            links,
        })
    }

    pub(super) fn home(&self, file: &SourceFile, ds: &mut Diagnostics) -> Home {
        let split = match front_matter::split(file) {
            Ok(s) => s,
            Err(d) => {
                ds.push(d);
                return Home::default();
            }
        };
        let Some(p) = front_matter::parse_page(file, &split, ds) else {
            return Home::default();
        };
        let ctx = markdown::Context {
            file: &file.path,
            source: &file.text,
            content_path: "index.md",
            root: "",
            targets: self.targets,
            bibliography: self.bibliography,
            raw_html: self.raw_html,
            citation_notes: self.citation_notes,
        };
        let mut notes = PageNotes::new(self.bibliography);
        let mut anchors = Anchors::new([]);
        let body = markdown::render(split.body, split.body_offset, &ctx, &mut notes, &mut anchors, ds);
        Home {
            title: p.front_matter.title,
            summary: p.front_matter.summary,
            body_html: body.html,
            notes: notes.finish(),
            links: body.links,
        }
    }
}

/// Renders an optional Markdown field of the front matter (an event's or a
/// claim's note) that starts at byte `at`, keeping its links.
pub(super) fn note_field(
    text: Option<&str>,
    at: usize,
    ctx: &markdown::Context,
    notes: &mut PageNotes,
    anchors: &mut Anchors,
    links: &mut Vec<CrossLink>,
    ds: &mut Diagnostics,
) -> String {
    let Some(text) = text else { return String::new() };
    let r = render_field(text, at, ctx, notes, anchors, ds);
    links.extend(r.links);
    r.html
}

/// Renders a Markdown field of the front matter (an event's note).
pub(super) fn render_field(
    text: &str,
    at: usize,
    ctx: &markdown::Context,
    notes: &mut PageNotes,
    anchors: &mut Anchors,
    ds: &mut Diagnostics,
) -> markdown::Rendered {
    // Spans inside the field are exact only when the text sits verbatim at `at`;
    // otherwise problems are reported at the start of the field.
    let verbatim = ctx.source.get(at..at + text.len()) == Some(text);
    if verbatim {
        return markdown::render_inline(text, at, ctx, notes, anchors, ds);
    }
    let mut local = Diagnostics::new();
    let shadow = markdown::Context { source: text, ..*ctx };
    let r = markdown::render_inline(text, 0, &shadow, notes, anchors, &mut local);
    let (line, column) = crate::diagnostic::line_col(ctx.source, at);
    ds.extend(local.into_iter().map(|mut d| {
        d.line = line;
        d.column = column;
        d.span = at..at;
        d
    }));
    r
}
