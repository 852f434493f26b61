//! Stage 3: the handbook as checked data.
//!
//! Turns loaded files into [`Entry`] values: ids, partial dates, events with
//! their anchors, typed relations, citations and rendered Markdown, all
//! checked. Problems are reported with their positions; an entry with errors
//! is still kept where possible so later checks (links to it, for instance)
//! do not cascade into noise.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::cite::{Bibliography, CiteItem, check_keys, parse_citation};
use crate::date::{DateError, PartialDate};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, nearest};
use crate::front_matter::{self, DateText, Domain, ExerciseFormat, FrontMatter, OneOrMany, Parsed};
use crate::load::{EntryFile, Kind, Loaded, SourceFile, is_slug};
use crate::markdown::{self, Anchors, CrossLink, FinishedNotes, Heading, LinkTarget, LinkTargets, PageNotes};
use crate::site::SiteConfig;

/// Options that change what is built.
#[derive(Clone, Debug, Default)]
pub struct ModelOptions {
    /// Include entries marked `draft: true`.
    pub drafts: bool,
}

/// A name with an optional language.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Name {
    pub name: String,
    pub lang: Option<String>,
}

/// A claim of another source about an event.
#[derive(Clone, Debug, Serialize)]
pub struct Claim {
    pub date: Option<PartialDate>,
    pub place: Option<String>,
    pub note_html: String,
    /// Note marks of its citations.
    pub cite_html: String,
    /// Citations as written, for short forms in lists.
    pub cites: Vec<Citation>,
}

/// A citation as written in front matter, parsed.
#[derive(Clone, Debug, Serialize)]
pub struct Citation {
    pub text: String,
    #[serde(skip)]
    pub items: Vec<CiteItem>,
}

/// A dated occurrence of an entry.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// Anchor on the entry's page.
    pub anchor: String,
    pub date: PartialDate,
    pub title: String,
    pub place: Option<String>,
    pub participants: Vec<String>,
    pub note_html: String,
    /// Note marks of its citations, to place after the event.
    pub cite_html: String,
    pub cites: Vec<Citation>,
    pub disputed: Vec<Claim>,
}

/// Fields that only some kinds have.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Details {
    pub level: Option<String>,
    pub frequency: Option<String>,
    pub participants: Vec<String>,
    pub domain: Vec<Domain>,
    pub format: Option<ExerciseFormat>,
    pub signatories: Vec<String>,
    pub place: Option<String>,
}

/// One mechanism, exercise or declaration, checked and rendered.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    /// The source file as given to messages.
    pub file: PathBuf,
    /// Path relative to the content folder, e.g. `exercises/joint-sea.md`.
    pub content_path: String,
    pub title: String,
    pub summary: String,
    pub aliases: Vec<Name>,
    pub tags: Vec<String>,
    pub date: PartialDate,
    pub end: Option<PartialDate>,
    pub draft: bool,
    pub details: Details,
    /// (relation name, target id), in the order written.
    pub relations: Vec<(String, String)>,
    pub events: Vec<Event>,
    pub body_html: String,
    pub headings: Vec<Heading>,
    pub notes: FinishedNotes,
    pub links: Vec<CrossLink>,
}

impl Entry {
    /// The page of this entry, relative to the site root.
    pub fn url(&self) -> String {
        entry_url(self.kind, &self.id)
    }
}

/// The page of entry `id` of `kind`, relative to the site root.
pub fn entry_url(kind: Kind, id: &str) -> String {
    format!("{}/{id}.html", kind.folder())
}

/// The home page's own text.
#[derive(Clone, Debug, Default)]
pub struct Home {
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub notes: FinishedNotes,
    pub links: Vec<CrossLink>,
}

/// The whole handbook, checked.
pub struct Handbook {
    pub site: SiteConfig,
    pub bibliography: Bibliography,
    pub home: Home,
    /// Entries sorted by kind, then date, then id.
    pub entries: Vec<Entry>,
}

impl Handbook {
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// Builds the model from loaded files. Returns None when something essential
/// (site.yaml) is unusable; otherwise returns what could be built, with every
/// problem in `diagnostics`.
pub fn build(
    loaded: &Loaded,
    content_dir: &Path,
    options: &ModelOptions,
    diagnostics: &mut Diagnostics,
) -> Option<Handbook> {
    let site = SiteConfig::load(loaded.site.as_ref(), content_dir, diagnostics);
    let style = match &site {
        Some((config, index)) => match crate::cite::load_style(&config.citation_style) {
            Ok(s) => Some(s),
            Err(hint) => {
                let file = loaded.site.as_ref().expect("site was loaded");
                diagnostics.push(
                    Diagnostic::error(
                        &file.path,
                        &file.text,
                        index.value("citation_style"),
                        format!("unknown citation style `{}`", config.citation_style),
                    )
                    .with_hint(hint),
                );
                None
            }
        },
        None => crate::cite::load_style("chicago-notes").ok(),
    };
    let bibliography = Bibliography::load(loaded.references.as_ref(), style.clone()?, diagnostics);
    if loaded.references.is_none() {
        diagnostics.push(
            Diagnostic::file(
                Severity::Warning,
                content_dir.join("references.bib"),
                "references.bib is missing, so nothing can be cited",
            )
            .with_hint("add content/references.bib (BibLaTeX, as Zotero or JabRef export it)"),
        );
    }

    // Parse every front matter (in parallel: it is independent per file).
    let parsed: Vec<(Diagnostics, Option<(usize, Parsed<FrontMatter>)>)> = loaded
        .entries
        .par_iter()
        .map(|file| {
            let mut ds = Diagnostics::new();
            let result = match front_matter::split(&file.source) {
                Ok(split) => {
                    front_matter::parse_entry(&file.source, file.kind, &split, &mut ds).map(|p| (split.body_offset, p))
                }
                Err(d) => {
                    ds.push(d);
                    None
                }
            };
            (ds, result)
        })
        .collect();

    // Ids are unique across kinds.
    let mut first_use: HashMap<&str, &Path> = HashMap::new();
    let mut duplicate = HashSet::new();
    for (i, file) in loaded.entries.iter().enumerate() {
        if let Some(other) = first_use.insert(&file.id, &file.source.path) {
            duplicate.insert(i);
            diagnostics.push(
                Diagnostic::file(
                    Severity::Error,
                    &file.source.path,
                    format!("the id `{}` is already used by {}", file.id, other.display()),
                )
                .with_hint("ids are file names and must be unique across mechanisms, exercises and declarations; rename one file"),
            );
        }
    }

    // What links can point to: every entry file, even one whose front matter
    // has errors (its own errors are reported; links to it are not broken).
    // Drafts only when drafts are built.
    let mut targets = LinkTargets::default();
    let mut ids: HashMap<String, Kind> = HashMap::new();
    let files = loaded
        .entries
        .iter()
        .map(|f| (f.kind, f.id.as_str()))
        .chain(loaded.unreadable.iter().map(|(k, id)| (*k, id.as_str())));
    let drafts: HashSet<&str> = loaded
        .entries
        .iter()
        .zip(&parsed)
        .filter(|(_, (_, p))| p.as_ref().is_some_and(|(_, p)| p.front_matter.draft))
        .map(|(f, _)| f.id.as_str())
        .collect();
    for (kind, id) in files {
        if drafts.contains(id) && !options.drafts {
            continue;
        }
        targets
            .insert(format!("{}/{id}.md", kind.folder()), LinkTarget { id: id.to_string(), url: entry_url(kind, id) });
        ids.entry(id.to_string()).or_insert(kind);
    }
    targets.insert("index.md".into(), LinkTarget { id: String::new(), url: "index.html".into() });
    // Without a usable site.yaml (itself an error), check against the default relations.
    let default_relations = crate::site::default_relations();
    let relations: Vec<&str> = match &site {
        Some((c, _)) => c.relations.keys().map(String::as_str).collect(),
        None => default_relations.keys().map(String::as_str).collect(),
    };

    let checker = Checker { bibliography: &bibliography, targets: &targets, ids: &ids, relations: &relations };
    let compiled: Vec<(Diagnostics, Option<Entry>)> = loaded
        .entries
        .par_iter()
        .zip(parsed)
        .enumerate()
        .map(|(i, (file, (mut ds, p)))| {
            let entry = match p {
                Some((body_offset, p)) if !duplicate.contains(&i) && (options.drafts || !p.front_matter.draft) => {
                    checker.entry(file, body_offset, p, &mut ds)
                }
                _ => None,
            };
            (ds, entry)
        })
        .collect();
    let mut entries = Vec::new();
    for (ds, entry) in compiled {
        diagnostics.extend(ds);
        entries.extend(entry);
    }

    let home = match &loaded.home {
        Some(file) => checker.home(file, diagnostics),
        None => {
            diagnostics.push(
                Diagnostic::file(Severity::Warning, content_dir.join("index.md"), "index.md is missing; the home page has no introduction")
                    .with_hint("add content/index.md with front matter `title` and `summary`, and the handbook's scope in Markdown"),
            );
            Home::default()
        }
    };

    let duplicate_ids: HashSet<&str> = duplicate.iter().map(|&i| loaded.entries[i].id.as_str()).collect();
    check_anchors(&entries, &home, loaded, &duplicate_ids, diagnostics);
    entries.sort_by(|a, b| (a.kind, a.date, &a.id).cmp(&(b.kind, b.date, &b.id)));
    let (site, _) = site?;
    Some(Handbook { site, bibliography, home, entries })
}

/// What entry checks look things up in.
struct Checker<'a> {
    bibliography: &'a Bibliography,
    targets: &'a LinkTargets,
    ids: &'a HashMap<String, Kind>,
    relations: &'a [&'a str],
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
                    Diagnostic::error(
                        &source.path,
                        &source.text,
                        span,
                        format!("invalid date `{}`: {message}", text.0),
                    )
                    .with_hint(DateError::hint()),
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
                    ds.push(Diagnostic::error(&source.path, &source.text, span, e.message).with_hint(e.hint));
                }
                Ok(items) => {
                    let ok = if located {
                        check_keys(&items, self.bibliography, &source.path, &source.text, at, ds)
                    } else {
                        // Folded or escaped YAML: point at the value.
                        let mut local = Diagnostics::new();
                        let ok = check_keys(&items, self.bibliography, &source.path, &source.text, 0, &mut local);
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

    /// Byte offset in the file where the text of a Markdown field begins, if
    /// it is written plainly on the key's line (so spans inside it are exact).
    fn text_offset(source: &SourceFile, p: &Parsed<FrontMatter>, path: &str, text: &str) -> usize {
        let value = p.value_span(path);
        if source.text.get(value.start..value.start + text.len()) == Some(text) {
            value.start
        } else {
            // Block scalars and quoted text: spans point at the field's first line.
            value.start
        }
    }

    fn non_empty(&self, source: &SourceFile, p: &Parsed<FrontMatter>, path: &str, value: &str, ds: &mut Diagnostics) {
        if value.trim().is_empty() {
            ds.push(
                Diagnostic::error(&source.path, &source.text, p.key_span(path), format!("`{path}` is empty"))
                    .with_hint(format!("write the {path}; it is required")),
            );
        }
    }

    fn entry(
        &self,
        file: &EntryFile,
        body_offset: usize,
        p: Parsed<FrontMatter>,
        ds: &mut Diagnostics,
    ) -> Option<Entry> {
        let source = &file.source;
        let fm = &p.front_matter;
        let errors_before = ds.error_count();
        self.non_empty(source, &p, "title", &fm.title, ds);
        self.non_empty(source, &p, "summary", &fm.summary, ds);
        let date = self.date(source, &p, "date", &fm.date, ds);
        let end = fm.end.as_ref().and_then(|e| self.date(source, &p, "end", e, ds));
        if let (Some(d), Some(e)) = (date, end)
            && e.latest() < d.earliest()
        {
            ds.push(
                Diagnostic::error(
                    &source.path,
                    &source.text,
                    p.value_span("end"),
                    format!("`end` ({}) is before `date` ({})", e.edtf(), d.edtf()),
                )
                .with_hint("swap the two dates, or correct one of them"),
            );
        }
        for (i, tag) in fm.tags.iter().enumerate() {
            if crate::load::slugify(tag).is_empty() {
                ds.push(
                    Diagnostic::error(
                        &source.path,
                        &source.text,
                        p.value_span(&format!("tags[{i}]")),
                        "tag has no letters or digits",
                    )
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
                    Diagnostic::error(
                        &source.path,
                        &source.text,
                        p.key_span(&format!("relations.{name}")),
                        format!("unknown relation `{name}`"),
                    )
                    .with_hint(hint),
                );
                continue;
            }
            for (i, target) in targets.as_slice().iter().enumerate() {
                let path =
                    if targets.is_list() { format!("relations.{name}[{i}]") } else { format!("relations.{name}") };
                if target == &file.id {
                    ds.push(
                        Diagnostic::error(
                            &source.path,
                            &source.text,
                            p.value_span(&path),
                            "an entry cannot be related to itself",
                        )
                        .with_hint("remove this id"),
                    );
                } else if !self.ids.contains_key(target) {
                    let hint = match nearest(target, self.ids.keys().map(String::as_str)) {
                        Some(n) => format!("did you mean `{n}`? Ids are entry file names without .md"),
                        None => "ids are entry file names without .md".to_string(),
                    };
                    ds.push(
                        Diagnostic::error(
                            &source.path,
                            &source.text,
                            p.value_span(&path),
                            format!("no entry has the id `{target}`"),
                        )
                        .with_hint(hint),
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
            if let Some(id) = &ev.id {
                if !is_slug(id) {
                    ds.push(
                        Diagnostic::error(
                            &source.path,
                            &source.text,
                            p.value_span(&format!("events[{i}].id")),
                            format!("event id `{id}` is not a slug"),
                        )
                        .with_hint("use lowercase letters, digits and hyphens, e.g. 2015-ii"),
                    );
                } else if !anchors_taken.insert(id.clone()) || markdown::RESERVED_IDS.contains(&id.as_str()) {
                    ds.push(
                        Diagnostic::error(
                            &source.path,
                            &source.text,
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
        };
        let mut notes = PageNotes::new(self.bibliography);
        let mut anchors = Anchors::new(event_anchors.iter().map(String::as_str));
        let body = markdown::render(&source.text[body_offset..], body_offset, &ctx, &mut notes, &mut anchors, ds);
        let mut links = body.links;
        let mut events = Vec::new();
        for (i, (ev, anchor)) in fm.events.iter().zip(event_anchors).enumerate() {
            let base = format!("events[{i}]");
            self.non_empty(source, &p, &format!("{base}.title"), &ev.title, ds);
            let date = self.date(source, &p, &format!("{base}.date"), &ev.date, ds);
            let mut note_html = String::new();
            if let Some(note) = &ev.note {
                let at = Self::text_offset(source, &p, &format!("{base}.note"), note);
                let r = render_field(note, at, &ctx, &mut notes, &mut anchors, ds);
                links.extend(r.links);
                note_html = r.html;
            }
            let cites = self.citations(source, &p, &format!("{base}.cite"), &ev.cite, ds);
            if ev.cite.as_slice().is_empty() {
                ds.push(
                    Diagnostic::warning(
                        &source.path,
                        &source.text,
                        p.key_span(&base),
                        format!("event `{}` cites no source", ev.title),
                    )
                    .with_hint("add `cite: \"@key, p. N\"` to the event"),
                );
            }
            let cite_html: String = cites.iter().map(|c| notes.cite(c.items.clone())).collect();
            let mut disputed = Vec::new();
            for (j, claim) in ev.disputed.iter().enumerate() {
                let cbase = format!("{base}.disputed[{j}]");
                let cdate = claim.date.as_ref().and_then(|d| self.date(source, &p, &format!("{cbase}.date"), d, ds));
                if claim.date.is_none() && claim.place.is_none() && claim.note.is_none() {
                    ds.push(
                        Diagnostic::error(
                            &source.path,
                            &source.text,
                            p.key_span(&cbase),
                            "a disputed claim says nothing",
                        )
                        .with_hint("give the claim's `date`, `place` or `note`"),
                    );
                }
                let mut cnote = String::new();
                if let Some(note) = &claim.note {
                    let at = Self::text_offset(source, &p, &format!("{cbase}.note"), note);
                    let r = render_field(note, at, &ctx, &mut notes, &mut anchors, ds);
                    links.extend(r.links);
                    cnote = r.html;
                }
                let ccites = self.citations(source, &p, &format!("{cbase}.cite"), &claim.cite, ds);
                if claim.cite.as_slice().is_empty() {
                    ds.push(
                        Diagnostic::error(
                            &source.path,
                            &source.text,
                            p.key_span(&cbase),
                            "a disputed claim must cite its source",
                        )
                        .with_hint("add `cite: \"@key, p. N\"` to the claim"),
                    );
                }
                let chtml: String = ccites.iter().map(|c| notes.cite(c.items.clone())).collect();
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
        let notes = notes.finish();
        if notes.cited_keys.is_empty() && ds.error_count() == errors_before {
            ds.push(
                Diagnostic::warning(&source.path, &source.text, p.key_span("title"), "entry cites no source")
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
            body_html: body.html,
            headings: body.headings,
            notes,
            links,
        })
    }

    fn home(&self, file: &SourceFile, ds: &mut Diagnostics) -> Home {
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

/// Renders a Markdown field of the front matter (an event's note).
fn render_field(
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

/// Checks every `#anchor` of a cross-link against the ids of its target page.
fn check_anchors(
    entries: &[Entry],
    home: &Home,
    loaded: &Loaded,
    ambiguous: &HashSet<&str>,
    diagnostics: &mut Diagnostics,
) {
    let mut anchors: HashMap<&str, HashSet<&str>> = HashMap::new();
    for e in entries {
        let set = anchors.entry(e.id.as_str()).or_default();
        set.extend(e.events.iter().map(|ev| ev.anchor.as_str()));
        set.extend(e.headings.iter().map(|h| h.id.as_str()));
        set.extend(markdown::RESERVED_IDS.iter().copied());
        set.extend(e.notes.notes.iter().map(|n| n.id.as_str()));
    }
    let texts: BTreeMap<&Path, &str> = loaded
        .entries
        .iter()
        .map(|f| (f.source.path.as_path(), f.source.text.as_str()))
        .chain(loaded.home.iter().map(|h| (h.path.as_path(), h.text.as_str())))
        .collect();
    let home_file = loaded.home.as_ref().map(|h| h.path.as_path());
    let sources = entries
        .iter()
        .map(|e| (e.id.as_str(), e.file.as_path(), &e.links))
        .chain(home_file.map(|f| ("", f, &home.links)));
    for (own_id, file, links) in sources {
        let text = texts.get(file).copied().unwrap_or_default();
        for link in links {
            let Some(anchor) = &link.anchor else { continue };
            if anchor.is_empty() || anchor == "top" {
                continue;
            }
            let target = link.target.as_deref().unwrap_or(own_id);
            if target.is_empty() || ambiguous.contains(target) {
                continue; // the home page's anchors are its headings; ambiguous ids are reported already
            }
            let Some(set) = anchors.get(target) else { continue };
            if !set.contains(anchor.as_str()) {
                let mut known: Vec<&str> = set
                    .iter()
                    .copied()
                    .filter(|a| !markdown::RESERVED_IDS.contains(a) && !a.starts_with("note-"))
                    .collect();
                known.sort();
                let hint = match nearest(anchor, known.iter().copied()) {
                    Some(n) => format!("did you mean `#{n}`? The page has: {}", known.join(", ")),
                    None => format!("the page's anchors are: {}", known.join(", ")),
                };
                diagnostics.push(
                    Diagnostic::error(
                        file,
                        text,
                        link.span.clone(),
                        format!("`#{anchor}` is not an anchor of `{target}`"),
                    )
                    .with_hint(hint),
                );
            }
        }
    }
}
