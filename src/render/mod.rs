//! Stage 5: pages from templates.
//!
//! The model and what was derived from it become plain view structs (the
//! template's variables, documented in `templates/README.md`), rendered by
//! Tera 2 with autoescaping on. Pages render in parallel; each page's links
//! are relative (`root` is `""` or `../`), so the site works under any
//! sub-path and from `file://`.

pub mod chart;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::content::date::PartialDate;
use crate::content::load::Kind;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::markdown::{Heading, Note};
use crate::model::derive::{Derived, RelationGroup, Year};
use crate::model::{Entry, Handbook, Name};

/// The templates every site has, compiled into the binary; a site overrides
/// any of them with a file of the same name in its `templates/` folder.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("events_table.html", include_str!("../../templates/events_table.html")),
    ("notes.html", include_str!("../../templates/notes.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("kind.html", include_str!("../../templates/kind.html")),
    ("entry.html", include_str!("../../templates/entry.html")),
    ("chronology.html", include_str!("../../templates/chronology.html")),
    ("year.html", include_str!("../../templates/year.html")),
    ("sources.html", include_str!("../../templates/sources.html")),
    ("tags.html", include_str!("../../templates/tags.html")),
    ("tag.html", include_str!("../../templates/tag.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("print.html", include_str!("../../templates/print.html")),
];

/// The output path of the print page.
pub const PRINT_PAGE: &str = "print.html";

/// One output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    pub content: Vec<u8>,
}

/// Loads the templates: the defaults, overridden by `dir/*.html` if present.
pub fn load_templates(dir: &Path, diagnostics: &mut Diagnostics) -> Option<(Tera, HashMap<String, (PathBuf, String)>)> {
    let mut sources: BTreeMap<String, (PathBuf, String)> = DEFAULT_TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), (PathBuf::from("templates").join(name), text.to_string())))
        .collect();
    if dir.is_dir() {
        let mut ds = Diagnostics::new();
        for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let Ok(item) = item else { continue };
            let path = item.path();
            if !item.file_type().is_file() || path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let name = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
            if let Some(file) = crate::content::load::read_text(path, &mut ds) {
                sources.insert(name, (path.to_path_buf(), file.text));
            }
        }
        if ds.has_errors() {
            diagnostics.extend(ds);
            return None;
        }
    }
    let mut tera = Tera::new();
    let files: Vec<(String, String)> = sources.iter().map(|(n, (_, t))| (n.clone(), t.clone())).collect();
    if let Err(e) = tera.add_raw_templates(files) {
        diagnostics.push(template_error(&e, &sources.clone().into_iter().collect()));
        return None;
    }
    Some((tera, sources.into_iter().collect()))
}

/// A Tera error as a diagnostic at the template's line and column.
fn template_error(e: &tera::Error, sources: &HashMap<String, (PathBuf, String)>) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    match report.and_then(|r| sources.get(r.filename()).map(|s| (r, s))) {
        Some((r, (path, text))) => {
            Diagnostic::error(path, text, r.span().range.clone(), format!("template error: {}", r.message()))
                .with_hint("fix the template; variables available to each template are listed in templates/README.md")
        }
        None => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            Diagnostic::file(Severity::Error, "templates", format!("template error: {message}"))
        }
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: Option<String>,
    repository: Option<&'a str>,
    generator: &'static str,
}

#[derive(Serialize, Clone)]
struct NavItem {
    title: &'static str,
    url: String,
    count: usize,
    key: &'static str,
}

#[derive(Serialize, Clone)]
struct EntryRef<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    kind: Kind,
    kind_name: &'static str,
    summary: &'a str,
    date: PartialDate,
    end: Option<PartialDate>,
}

#[derive(Serialize)]
struct Fact {
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct ClaimView<'a> {
    date: Option<PartialDate>,
    place: Option<&'a str>,
    note_html: &'a str,
    cite_html: &'a str,
}

#[derive(Serialize)]
struct EventView<'a> {
    anchor: &'a str,
    date: PartialDate,
    title: &'a str,
    place: Option<&'a str>,
    participants: String,
    note_html: &'a str,
    cite_html: &'a str,
    disputed: Vec<ClaimView<'a>>,
}

#[derive(Serialize)]
struct GroupView<'a> {
    label: &'a str,
    entries: Vec<EntryRef<'a>>,
}

#[derive(Serialize)]
struct BibItem<'a> {
    key: &'a str,
    html: &'a str,
}

#[derive(Serialize)]
struct TagRef {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct EntryView<'a> {
    id: &'a str,
    kind: Kind,
    kind_name: &'static str,
    kind_title: &'static str,
    kind_url: String,
    title: &'a str,
    summary: &'a str,
    aliases: &'a [Name],
    tags: Vec<TagRef>,
    date: PartialDate,
    end: Option<PartialDate>,
    facts: Vec<Fact>,
    body_html: &'a str,
    headings: &'a [Heading],
    events: Vec<EventView<'a>>,
    relations_out: Vec<GroupView<'a>>,
    relations_in: Vec<GroupView<'a>>,
    mentioned_in: Vec<EntryRef<'a>>,
    notes: &'a [Note],
    bibliography: Vec<BibItem<'a>>,
    edit_url: Option<String>,
    source_path: String,
    last_changed: Option<&'a str>,
    cite_chicago: String,
    cite_bibtex: String,
}

#[derive(Serialize)]
struct ChronoEvent<'a> {
    date: PartialDate,
    title: &'a str,
    place: Option<&'a str>,
    entry_title: &'a str,
    entry_id: &'a str,
    url: String,
    kind: Kind,
    kind_name: &'static str,
    disputed: bool,
    dispute_summary: String,
    citation_html: String,
}

#[derive(Serialize)]
struct YearView<'a> {
    year: i32,
    url: String,
    count: usize,
    mechanisms: usize,
    exercises: usize,
    declarations: usize,
    topics: usize,
    events: Vec<ChronoEvent<'a>>,
}

/// Everything the renderer needs, computed once per build.
pub struct Renderer<'a> {
    tera: &'a Tera,
    sources: &'a HashMap<String, (PathBuf, String)>,
    handbook: &'a Handbook,
    derived: &'a Derived,
    history: &'a HashMap<String, String>,
}

fn root_for(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

impl<'a> Renderer<'a> {
    pub fn new(
        tera: &'a Tera,
        sources: &'a HashMap<String, (PathBuf, String)>,
        handbook: &'a Handbook,
        derived: &'a Derived,
        history: &'a HashMap<String, String>,
    ) -> Renderer<'a> {
        Renderer { tera, sources, handbook, derived, history }
    }

    fn site(&self) -> SiteView<'a> {
        let s = &self.handbook.site;
        SiteView {
            title: &s.title,
            description: &s.description,
            language: &s.language,
            base_url: s.base(),
            repository: s.repository.as_deref(),
            generator: concat!("handbook ", env!("CARGO_PKG_VERSION")),
        }
    }

    fn nav(&self, root: &str) -> Vec<NavItem> {
        let mut nav: Vec<NavItem> = Kind::ALL
            .iter()
            .zip(&self.derived.by_kind)
            .map(|(k, list)| NavItem {
                title: k.plural_title(),
                url: format!("{root}{}/index.html", k.folder()),
                count: list.len(),
                key: k.folder(),
            })
            .collect();
        nav.push(NavItem {
            title: "Chronology",
            url: format!("{root}chronology/index.html"),
            count: self.derived.years.iter().map(|y| y.items.len()).sum(),
            key: "chronology",
        });
        nav.push(NavItem {
            title: "Sources",
            url: format!("{root}sources.html"),
            count: self.handbook.bibliography.keys().len(),
            key: "sources",
        });
        nav
    }

    fn entry_ref(&self, i: usize, root: &str) -> EntryRef<'a> {
        let e: &'a Entry = &self.handbook.entries[i];
        EntryRef {
            id: &e.id,
            title: &e.title,
            url: format!("{root}{}", e.url()),
            kind: e.kind,
            kind_name: e.kind.name(),
            summary: &e.summary,
            date: e.date,
            end: e.end,
        }
    }

    fn groups(&self, groups: &'a [RelationGroup], root: &str) -> Vec<GroupView<'a>> {
        groups
            .iter()
            .map(|g| GroupView {
                label: &g.label,
                entries: g.entries.iter().map(|&i| self.entry_ref(i, root)).collect(),
            })
            .collect()
    }

    fn context(&self, path: &str, title: &str, description: &str, section: &str) -> Context {
        let root = root_for(path);
        let mut ctx = Context::new();
        ctx.insert("site", &self.site());
        ctx.insert("nav", &self.nav(&root));
        ctx.insert(
            "page",
            &serde_json::json!({
                "path": path,
                "title": title,
                "description": description,
                "section": section,
                "canonical": self.handbook.site.base().map(|b| format!("{b}{path}")),
            }),
        );
        ctx.insert("root", &root);
        ctx
    }

    fn render(&self, template: &str, path: &str, ctx: &Context, diagnostics: &mut Diagnostics) -> Option<Page> {
        match self.tera.render(template, ctx) {
            Ok(html) => Some(Page { path: path.to_string(), content: html.into_bytes() }),
            Err(e) => {
                diagnostics.push(template_error(&e, self.sources));
                None
            }
        }
    }

    fn edit_url(&self, content_path: &str) -> Option<String> {
        let s = &self.handbook.site;
        s.repository.as_ref().map(|r| format!("{}/edit/{}/content/{content_path}", r.trim_end_matches('/'), s.branch))
    }

    fn entry_page(&self, i: usize, diagnostics: &mut Diagnostics) -> Option<Page> {
        let e = &self.handbook.entries[i];
        let path = e.url();
        let root = root_for(&path);
        let d = &e.details;
        let mut facts = Vec::new();
        let mut fact = |label: &'static str, value: String| {
            if !value.is_empty() {
                facts.push(Fact { label, value });
            }
        };
        fact("Level", d.level.clone().unwrap_or_default());
        fact("Frequency", d.frequency.clone().unwrap_or_default());
        fact("Participants", d.participants.join("; "));
        fact("Domain", d.domain.iter().map(|x| x.label()).collect::<Vec<_>>().join(", "));
        fact("Format", d.format.map(|f| f.label().to_string()).unwrap_or_default());
        fact("Signatories", d.signatories.join("; "));
        fact("Place", d.place.clone().unwrap_or_default());
        let view = EntryView {
            id: &e.id,
            kind: e.kind,
            kind_name: e.kind.name(),
            kind_title: e.kind.plural_title(),
            kind_url: format!("{root}{}/index.html", e.kind.folder()),
            title: &e.title,
            summary: &e.summary,
            aliases: &e.aliases,
            tags: e.tags.iter().map(|t| self.tag_ref(t, &root)).collect(),
            date: e.date,
            end: e.end,
            facts,
            body_html: &e.body_html,
            headings: &e.headings,
            events: e
                .events
                .iter()
                .map(|ev| EventView {
                    anchor: &ev.anchor,
                    date: ev.date,
                    title: &ev.title,
                    place: ev.place.as_deref(),
                    participants: ev.participants.join("; "),
                    note_html: &ev.note_html,
                    cite_html: &ev.cite_html,
                    disputed: ev
                        .disputed
                        .iter()
                        .map(|c| ClaimView {
                            date: c.date,
                            place: c.place.as_deref(),
                            note_html: &c.note_html,
                            cite_html: &c.cite_html,
                        })
                        .collect(),
                })
                .collect(),
            relations_out: self.groups(&self.derived.relations_out[i], &root),
            relations_in: self.groups(&self.derived.relations_in[i], &root),
            mentioned_in: self.derived.mentioned_in[i].iter().map(|&j| self.entry_ref(j, &root)).collect(),
            notes: &e.notes.notes,
            bibliography: e.notes.bibliography.iter().map(|(k, h)| BibItem { key: k, html: h }).collect(),
            edit_url: self.edit_url(&e.content_path),
            source_path: format!("content/{}", e.content_path),
            last_changed: self.history.get(&e.content_path).map(String::as_str),
            cite_chicago: self.cite_chicago(e),
            cite_bibtex: self.cite_bibtex(e),
        };
        let mut ctx = self.context(&path, &e.title, &e.summary, e.kind.folder());
        ctx.insert("entry", &view);
        self.render("entry.html", &path, &ctx, diagnostics)
    }

    /// The entry's address: absolute when the site's base URL is known.
    fn absolute_url(&self, e: &Entry) -> String {
        format!("{}{}", self.handbook.site.base().unwrap_or_default(), e.url())
    }

    /// "Cite this entry" in Chicago style (a page in a reference work).
    fn cite_chicago(&self, e: &Entry) -> String {
        use crate::html::escape;
        let site = &self.handbook.site;
        let mut s = format!("“{}.” In <i>{}</i>", escape(&e.title), escape(&site.title));
        if let Some(editor) = &site.editor {
            s.push_str(&format!(", edited by {}", escape(editor)));
        }
        s.push('.');
        if let Some(date) =
            self.history.get(&e.content_path).and_then(|d| d.parse::<crate::content::date::PartialDate>().ok())
        {
            let (y, m, d) = date.earliest();
            s.push_str(&format!(" Last modified {} {d}, {y}.", crate::content::date::MONTHS[m as usize - 1]));
        }
        let url = self.absolute_url(e);
        s.push_str(&format!(" <a href=\"{0}\">{0}</a>.", escape(&url)));
        s
    }

    /// "Cite this entry" as a BibLaTeX `@online` entry.
    fn cite_bibtex(&self, e: &Entry) -> String {
        let site = &self.handbook.site;
        let brace = |s: &str| s.replace(['{', '}'], "");
        let mut s = format!(
            "@online{{handbook-{},\n  title = {{{}}},\n  organization = {{{}}},\n",
            e.id,
            brace(&e.title),
            brace(&site.title)
        );
        if let Some(editor) = &site.editor {
            s.push_str(&format!("  editor = {{{}}},\n", brace(editor)));
        }
        if let Some(date) = self.history.get(&e.content_path) {
            s.push_str(&format!("  date = {{{date}}},\n"));
        }
        s.push_str(&format!("  url = {{{}}},\n}}", self.absolute_url(e)));
        s
    }

    fn tag_ref(&self, tag: &str, root: &str) -> TagRef {
        let (slug, list) = self.derived.tags.get(tag).map(|(s, l)| (s.as_str(), l.len())).unwrap_or(("", 0));
        TagRef { name: tag.to_string(), url: format!("{root}tags/{slug}.html"), count: list }
    }

    fn chrono_event(&self, entry: usize, event: usize, root: &str) -> ChronoEvent<'a> {
        let e: &'a Entry = &self.handbook.entries[entry];
        let ev = &e.events[event];
        let bib = &self.handbook.bibliography;
        let citation_html =
            ev.cites.iter().map(|c| crate::cite::short_citation(bib, &c.items)).collect::<Vec<_>>().join(" ");
        let dispute_summary = ev
            .disputed
            .iter()
            .map(|c| {
                let mut parts = Vec::new();
                if let Some(d) = c.date {
                    parts.push(d.to_string());
                }
                if let Some(p) = &c.place {
                    parts.push(p.clone());
                }
                let who: Vec<String> = c
                    .cites
                    .iter()
                    .map(|x| crate::html::strip_tags(&crate::cite::short_citation(bib, &x.items)))
                    .collect();
                format!("{} ({})", parts.join(", "), who.join("; "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        ChronoEvent {
            date: ev.date,
            title: &ev.title,
            place: ev.place.as_deref(),
            entry_title: &e.title,
            entry_id: &e.id,
            url: format!("{root}{}#{}", e.url(), ev.anchor),
            kind: e.kind,
            kind_name: e.kind.name(),
            disputed: !ev.disputed.is_empty(),
            dispute_summary,
            citation_html,
        }
    }

    fn year_view(&self, y: &Year, root: &str) -> YearView<'a> {
        YearView {
            year: y.year,
            url: format!("{root}chronology/{}.html", y.year),
            count: y.items.len(),
            mechanisms: y.by_kind[0],
            exercises: y.by_kind[1],
            declarations: y.by_kind[2],
            topics: y.by_kind[3],
            events: y.items.iter().map(|it| self.chrono_event(it.entry, it.event, root)).collect(),
        }
    }

    /// Every page of the site, with its output path.
    fn jobs(&self) -> Vec<(String, Job)> {
        let h = self.handbook;
        let d = self.derived;
        let mut jobs: Vec<(String, Job)> = (0..h.entries.len()).map(|i| (h.entries[i].url(), Job::Entry(i))).collect();
        jobs.extend([
            ("index.html".to_string(), Job::Home),
            ("chronology/index.html".to_string(), Job::Chronology),
            ("sources.html".to_string(), Job::Sources),
            ("tags/index.html".to_string(), Job::Tags),
            ("404.html".to_string(), Job::NotFound),
        ]);
        jobs.extend(Kind::ALL.into_iter().map(|k| (format!("{}/index.html", k.folder()), Job::Kind(k))));
        jobs.extend(
            (0..d.years.len())
                .filter(|&i| !d.years[i].items.is_empty())
                .map(|i| (format!("chronology/{}.html", d.years[i].year), Job::Year(i))),
        );
        jobs.extend(d.tags.iter().map(|(t, (slug, _))| (format!("tags/{slug}.html"), Job::Tag(t.clone()))));
        jobs
    }

    /// The page at output path `path`, found without listing every page.
    fn job_for(&self, path: &str) -> Option<Job> {
        let d = self.derived;
        let job = match path {
            "index.html" => Job::Home,
            "chronology/index.html" => Job::Chronology,
            "sources.html" => Job::Sources,
            "tags/index.html" => Job::Tags,
            "404.html" => Job::NotFound,
            _ => {
                let (folder, name) = path.split_once('/')?;
                let stem = name.strip_suffix(".html")?;
                match (folder, Kind::from_folder(folder)) {
                    (_, Some(kind)) if stem == "index" => Job::Kind(kind),
                    (_, Some(kind)) => {
                        let i = *d.positions.get(stem)?;
                        (self.handbook.entries[i].kind == kind).then_some(Job::Entry(i))?
                    }
                    ("chronology", None) => {
                        let year: i32 = stem.parse().ok()?;
                        Job::Year(d.years.iter().position(|y| y.year == year && !y.items.is_empty())?)
                    }
                    ("tags", None) => Job::Tag(d.tags.iter().find(|(_, (slug, _))| slug == stem)?.0.clone()),
                    _ => return None,
                }
            }
        };
        Some(job)
    }

    /// The output paths of every page (not static files).
    pub fn page_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.jobs().into_iter().map(|(p, _)| p).collect();
        paths.push(PRINT_PAGE.to_string());
        paths
    }

    /// The print page: every entry on one page, as mdBook's print page, made
    /// from the entry pages already rendered (`entry_page` gives a page's
    /// bytes by path): each article with its ids prefixed by the entry id,
    /// and links between entries turned into links within the page.
    pub fn print_page<'p>(
        &self,
        entry_page: impl Fn(&str) -> Option<&'p [u8]> + Sync,
        diagnostics: &mut Diagnostics,
    ) -> Option<Page> {
        let h = self.handbook;
        let articles: Vec<String> = h
            .entries
            .par_iter()
            .filter_map(|e| {
                let html = std::str::from_utf8(entry_page(&e.url())?).ok()?;
                let (a, b) = (html.find("<article")?, html.rfind("</article>")?);
                Some(print_article(&html[a..b + "</article>".len()], &e.id))
            })
            .collect();
        // The articles are the bulk of the page (megabytes for a large
        // handbook): the template renders around a marker and the articles
        // are put in its place, rather than copied into and out of Tera.
        let mut ctx = self.context(PRINT_PAGE, "The whole handbook", &h.site.description, "print");
        ctx.insert("articles_html", ARTICLES_MARKER);
        let mut page = self.render("print.html", PRINT_PAGE, &ctx, diagnostics)?;
        let at = page.content.windows(ARTICLES_MARKER.len()).position(|w| w == ARTICLES_MARKER.as_bytes());
        let Some(at) = at else {
            // The template does not show `articles_html` as it is (it may filter it): render it whole.
            ctx.insert("articles_html", &articles.iter().map(|a| format!("{a}\n")).collect::<String>());
            return self.render("print.html", PRINT_PAGE, &ctx, diagnostics);
        };
        let tail = page.content.split_off(at + ARTICLES_MARKER.len());
        page.content.truncate(at);
        page.content.reserve(articles.iter().map(|a| a.len() + 1).sum::<usize>() + tail.len());
        for article in &articles {
            page.content.extend_from_slice(article.as_bytes());
            page.content.push(b'\n');
        }
        page.content.extend_from_slice(&tail);
        Some(page)
    }

    /// Renders every page of the site.
    pub fn render_all(&self, diagnostics: &mut Diagnostics) -> Vec<Page> {
        self.run(self.jobs().into_iter().map(|(_, j)| j).collect(), diagnostics)
    }

    /// Renders the pages at these output paths (paths that name no page,
    /// such as the print page or a removed entry's, are passed over).
    pub fn render_paths<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p String>,
        diagnostics: &mut Diagnostics,
    ) -> Vec<Page> {
        let mut jobs: Vec<(&String, Job)> = paths.into_iter().filter_map(|p| Some((p, self.job_for(p)?))).collect();
        jobs.sort_by(|a, b| a.0.cmp(b.0));
        self.run(jobs.into_iter().map(|(_, j)| j).collect(), diagnostics)
    }

    fn run(&self, jobs: Vec<Job>, diagnostics: &mut Diagnostics) -> Vec<Page> {
        let results: Vec<(Diagnostics, Option<Page>)> = jobs
            .into_par_iter()
            .map(|job| {
                let mut ds = Diagnostics::new();
                let page = self.job(job, &mut ds);
                (ds, page)
            })
            .collect();
        let mut pages = Vec::with_capacity(results.len());
        for (ds, page) in results {
            diagnostics.extend(ds);
            pages.extend(page);
        }
        pages
    }

    fn job(&self, job: Job, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let d = self.derived;
        match job {
            Job::Entry(i) => self.entry_page(i, ds),
            Job::Kind(kind) => {
                let path = format!("{}/index.html", kind.folder());
                let root = root_for(&path);
                let list = &d.by_kind[Kind::ALL.iter().position(|k| *k == kind).expect("kind")];
                let mut ctx = self.context(&path, kind.plural_title(), "", kind.folder());
                ctx.insert(
                    "kind",
                    &serde_json::json!({"name": kind.name(), "title": kind.plural_title(), "folder": kind.folder()}),
                );
                let entries: Vec<serde_json::Value> = list
                    .iter()
                    .map(|&i| {
                        let e = &h.entries[i];
                        serde_json::json!({
                            "entry": self.entry_ref(i, &root),
                            "events": e.events.len(),
                            "facts": kind_fact(e),
                        })
                    })
                    .collect();
                ctx.insert("entries", &entries);
                self.render("kind.html", &path, &ctx, ds)
            }
            Job::Home => {
                let path = "index.html";
                let mut ctx = self.context(path, &h.site.title, &h.site.description, "home");
                let home = &h.home;
                ctx.insert(
                    "home",
                    &serde_json::json!({
                        "title": if home.title.is_empty() { h.site.title.as_str() } else { home.title.as_str() },
                        "summary": home.summary,
                        "body_html": home.body_html,
                        "notes": home.notes.notes,
                        "bibliography": home.notes.bibliography.iter().map(|(k, v)| BibItem { key: k, html: v }).collect::<Vec<_>>(),
                    }),
                );
                ctx.insert("chart_svg", &crate::render::chart::svg(&d.years, "", "home-chart"));
                ctx.insert("years", &d.years.iter().map(|y| self.year_summary(y, "")).collect::<Vec<_>>());
                ctx.insert("event_count", &crate::model::derive::event_count(&h.entries));
                ctx.insert("latest", &self.latest(""));
                self.render("home.html", path, &ctx, ds)
            }
            Job::Chronology => {
                let path = "chronology/index.html";
                let root = root_for(path);
                let mut ctx =
                    self.context(path, "Chronology", "Every dated event in the handbook, by year.", "chronology");
                let years: Vec<YearView> =
                    d.years.iter().filter(|y| !y.items.is_empty()).map(|y| self.year_view(y, &root)).collect();
                ctx.insert("years", &years);
                ctx.insert("all_years", &d.years.iter().map(|y| self.year_summary(y, &root)).collect::<Vec<_>>());
                ctx.insert("chart_svg", &crate::render::chart::svg(&d.years, &root, "chronology-chart"));
                let filter_entries: Vec<EntryRef> = (0..h.entries.len())
                    .filter(|&i| !h.entries[i].events.is_empty())
                    .map(|i| self.entry_ref(i, &root))
                    .collect();
                ctx.insert("entries", &filter_entries);
                self.render("chronology.html", path, &ctx, ds)
            }
            Job::Year(i) => {
                let y = &d.years[i];
                let path = format!("chronology/{}.html", y.year);
                let root = root_for(&path);
                let title = format!("{}", y.year);
                let mut ctx = self.context(
                    &path,
                    &title,
                    &format!("Events of {} in the handbook's chronology.", y.year),
                    "chronology",
                );
                ctx.insert("year", &self.year_view(y, &root));
                let with_events = |j: &usize| !d.years[*j].items.is_empty();
                let prev = (0..i).rev().find(with_events).map(|j| self.year_summary(&d.years[j], &root));
                let next = (i + 1..d.years.len()).find(with_events).map(|j| self.year_summary(&d.years[j], &root));
                ctx.insert("prev", &prev);
                ctx.insert("next", &next);
                self.render("year.html", &path, &ctx, ds)
            }
            Job::Sources => {
                let path = "sources.html";
                let mut ctx = self.context(
                    path,
                    "Sources",
                    "Every source the handbook cites, with the entries that cite it.",
                    "sources",
                );
                let rendered = h.bibliography.render_all();
                let sources: Vec<serde_json::Value> = rendered
                    .iter()
                    .map(|(key, html)| {
                        let cited_by: Vec<EntryRef> = d
                            .cited_by
                            .get(key)
                            .map(|v| v.iter().map(|&i| self.entry_ref(i, "")).collect())
                            .unwrap_or_default();
                        serde_json::json!({"key": key, "html": html, "cited_by": cited_by})
                    })
                    .collect();
                ctx.insert("sources", &sources);
                self.render("sources.html", path, &ctx, ds)
            }
            Job::Tags => {
                let path = "tags/index.html";
                let root = root_for(path);
                let mut ctx = self.context(path, "Tags", "", "tags");
                let tags: Vec<TagRef> = d.tags.keys().map(|t| self.tag_ref(t, &root)).collect();
                ctx.insert("tags", &tags);
                self.render("tags.html", path, &ctx, ds)
            }
            Job::Tag(tag) => {
                let (slug, list) = &d.tags[&tag];
                let path = format!("tags/{slug}.html");
                let root = root_for(&path);
                let mut ctx = self.context(&path, &format!("Tag: {tag}"), "", "tags");
                ctx.insert("tag", &tag);
                ctx.insert("entries", &list.iter().map(|&i| self.entry_ref(i, &root)).collect::<Vec<_>>());
                self.render("tag.html", &path, &ctx, ds)
            }
            Job::NotFound => {
                // The 404 page is served from any depth, so it links absolutely
                // from the site root when a base URL is known.
                let path = "404.html";
                let mut ctx = self.context(path, "Page not found", "", "404");
                if let Some(base) = h.site.base() {
                    let base_path = base.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap_or_else(|| "/".into());
                    ctx.insert("root", &base_path);
                    ctx.insert("nav", &self.nav(&base_path));
                }
                self.render("404.html", path, &ctx, ds)
            }
        }
    }

    fn year_summary(&self, y: &Year, root: &str) -> serde_json::Value {
        serde_json::json!({
            "year": y.year,
            "url": format!("{root}chronology/{}.html", y.year),
            "count": y.items.len(),
            "mechanisms": y.by_kind[0],
            "exercises": y.by_kind[1],
            "declarations": y.by_kind[2],
            "topics": y.by_kind[3],
        })
    }

    /// The most recently changed entries (by their last commit), newest first.
    fn latest(&self, root: &str) -> Vec<serde_json::Value> {
        let h = self.handbook;
        let mut dated: Vec<(&str, usize)> = h
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| self.history.get(&e.content_path).map(|d| (d.as_str(), i)))
            .collect();
        dated.sort_by(|a, b| b.0.cmp(a.0).then_with(|| h.entries[a.1].title.cmp(&h.entries[b.1].title)));
        dated
            .into_iter()
            .take(8)
            .map(|(date, i)| serde_json::json!({"date": date, "entry": self.entry_ref(i, root)}))
            .collect()
    }
}

/// Rewrites one entry's article for the print page: ids get the entry's id as
/// a prefix (so they stay unique), links to entries point within the page,
/// and links to other pages are made relative to the site root.
/// Stands for the articles while the print page's template renders.
const ARTICLES_MARKER: &str = "\u{1}handbook-articles\u{1}";

fn print_article(article: &str, id: &str) -> String {
    let mut out = String::with_capacity(article.len() + article.len() / 8);
    let mut rest = article;
    // Walk the attribute values (`name="`), rewriting the four that hold ids.
    while let Some(q) = rest.find("=\"") {
        let name_start = rest[..q].rfind(' ').map_or(0, |i| i + 1);
        let name = &rest[name_start..q];
        out.push_str(&rest[..q + 2]);
        rest = &rest[q + 2..];
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        rest = &rest[end..];
        let new = match name {
            "href" => {
                if let Some(anchor) = value.strip_prefix('#') {
                    format!("#{id}--{anchor}")
                } else if value.contains("://") || value.starts_with("mailto:") {
                    value.to_string()
                } else {
                    let local = value.strip_prefix("../").unwrap_or(value);
                    let (file, anchor) = local.split_once('#').unwrap_or((local, ""));
                    let is_entry = Kind::ALL
                        .iter()
                        .any(|k| file.starts_with(&format!("{}/", k.folder())) && !file.ends_with("/index.html"));
                    let target = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".html");
                    match (is_entry, anchor) {
                        (true, "") => format!("#{target}"),
                        (true, a) => format!("#{target}--{a}"),
                        _ => local.to_string(),
                    }
                }
            }
            "id" | "aria-labelledby" | "aria-describedby" => {
                value.split(' ').map(|v| format!("{id}--{v}")).collect::<Vec<_>>().join(" ")
            }
            _ => value.to_string(),
        };
        out.push_str(&new);
    }
    out.push_str(rest);
    // The article itself is the target of links to the entry.
    out.replacen("<article", &format!("<article id=\"{id}\""), 1)
}

/// The one fact shown in a kind's index table.
fn kind_fact(e: &Entry) -> String {
    let d = &e.details;
    match e.kind {
        Kind::Mechanism => d.level.clone().unwrap_or_default(),
        Kind::Exercise => {
            let domains: Vec<&str> = d.domain.iter().map(|x| x.label()).collect();
            let mut s = domains.join(", ");
            if let Some(f) = d.format {
                if !s.is_empty() {
                    s.push_str("; ");
                }
                s.push_str(f.label());
            }
            s
        }
        Kind::Declaration => d.place.clone().unwrap_or_default(),
        Kind::Topic => e.tags.join(", "),
    }
}

#[derive(Debug, PartialEq)]
enum Job {
    Entry(usize),
    Kind(Kind),
    Home,
    Chronology,
    Year(usize),
    Sources,
    Tags,
    Tag(String),
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelOptions, Workspace};

    #[test]
    fn every_page_is_found_by_its_path() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let mut ds = Diagnostics::new();
        let loaded = crate::content::load::load(&root, &mut ds);
        let handbook = Workspace::new(loaded, &root, ModelOptions::default()).handbook().unwrap();
        let derived = crate::model::derive::derive(&handbook);
        let (tera, sources) = load_templates(Path::new("no templates"), &mut ds).unwrap();
        let history = HashMap::new();
        let renderer = Renderer::new(&tera, &sources, &handbook, &derived, &history);
        let jobs = renderer.jobs();
        assert!(jobs.len() > handbook.entries.len() + 10);
        for (path, job) in jobs {
            assert_eq!(renderer.job_for(&path), Some(job), "{path}");
        }
        for other in [
            "print.html",
            "exercises/no-such-entry.html",
            "chronology/1066.html",
            "tags/x.html",
            "a/b/c.html",
            "x.html",
        ] {
            assert_eq!(renderer.job_for(other), None, "{other}");
        }
    }
}
