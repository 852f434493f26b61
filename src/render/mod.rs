//! Stage 5: pages from templates.
//!
//! The model and what was derived from it become plain view structs (the
//! template's variables, documented in `templates/README.md`), rendered by
//! Tera 2 with autoescaping on. Pages render in parallel; each page's links
//! are relative (`root` is `""` or `../`), so the site works under any
//! sub-path and from `file://`.

mod chronology;
mod entry;
mod lists;
mod neighbourhood;
mod page;
mod print;
mod search;
mod templates;
mod timeline;
mod views;

pub use chronology::year_page_paths;
pub use lists::{PAGE_SIZE as KIND_PAGE_SIZE, kind_page_paths};
pub use page::{Collected, Output, Page};
use templates::template_error;
pub use templates::{TemplateSources, load_templates};
use views::{BibItem, EntryRef, GroupView, NavItem, SiteView};

use std::collections::HashMap;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::content::Kind;
use crate::diagnostic::Diagnostics;
use crate::model::derive::{Derived, RelationGroup};
use crate::model::{Entry, Handbook};
use crate::urls;

/// Everything the renderer needs, computed once per build.
pub struct Renderer<'a> {
    tera: &'a Tera,
    sources: &'a TemplateSources,
    handbook: &'a Handbook,
    derived: &'a Derived,
    history: &'a HashMap<String, String>,
}

impl<'a> Renderer<'a> {
    pub fn new(
        tera: &'a Tera,
        sources: &'a TemplateSources,
        handbook: &'a Handbook,
        derived: &'a Derived,
        history: &'a HashMap<String, String>,
    ) -> Renderer<'a> {
        Renderer { tera, sources, handbook, derived, history }
    }

    /// What the pages are made from: the handbook, what was derived from it,
    /// and when each entry file last changed.
    pub fn model(&self) -> (&'a Handbook, &'a Derived, &'a HashMap<String, String>) {
        (self.handbook, self.derived, self.history)
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
                url: format!("{root}{}", urls::kind_index(*k)),
                count: list.len(),
                key: k.folder(),
            })
            .collect();
        nav.push(NavItem {
            title: "Chronology",
            url: format!("{root}{}", urls::CHRONOLOGY),
            count: self.derived.years.iter().map(|y| y.items.len()).sum(),
            key: "chronology",
        });
        nav.push(NavItem {
            title: "Sources",
            url: format!("{root}{}", urls::SOURCES),
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
            url: format!("{root}{}", urls::entry(e.kind, &e.id)),
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
                relation: &g.relation,
                declared_here: g.declared_here,
                entries: g.entries.iter().map(|&i| self.entry_ref(i, root)).collect(),
            })
            .collect()
    }

    fn context(&self, path: &str, title: &str, description: &str, section: &str) -> Context {
        let root = urls::root_of(path);
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

    /// Every page of the site, with its output path.
    fn jobs(&self) -> Vec<(String, Job)> {
        let h = self.handbook;
        let d = self.derived;
        let mut jobs: Vec<(String, Job)> =
            h.entries.iter().enumerate().map(|(i, e)| (urls::entry(e.kind, &e.id), Job::Entry(i))).collect();
        jobs.extend([
            (urls::HOME.to_string(), Job::Home),
            (urls::CHRONOLOGY.to_string(), Job::Chronology),
            (urls::SOURCES.to_string(), Job::Sources),
            (urls::TAGS.to_string(), Job::Tags),
            (urls::NOT_FOUND.to_string(), Job::NotFound),
            (urls::SEARCH.to_string(), Job::Search),
        ]);
        jobs.extend(
            Kind::ALL
                .into_iter()
                .flat_map(|k| (1..=lists::page_count(d, k)).map(move |n| (urls::kind_page(k, n), Job::Kind(k, n)))),
        );
        jobs.extend((0..d.years.len()).filter(|&i| !d.years[i].items.is_empty()).flat_map(|i| {
            (1..=chronology::year_page_count(&d.years[i]))
                .map(move |n| (urls::year_page(d.years[i].year, n), Job::Year(i, n)))
        }));
        jobs.extend(d.tags.iter().map(|(t, (slug, _))| (urls::tag(slug), Job::Tag(t.clone()))));
        jobs
    }

    /// The page at output path `path`, found without listing every page.
    fn job_for(&self, path: &str) -> Option<Job> {
        let d = self.derived;
        Some(match urls::parse(path)? {
            urls::PagePath::Home => Job::Home,
            urls::PagePath::Chronology => Job::Chronology,
            urls::PagePath::Sources => Job::Sources,
            urls::PagePath::Tags => Job::Tags,
            urls::PagePath::NotFound => Job::NotFound,
            urls::PagePath::Print | urls::PagePath::PrintPart(_) => return None,
            urls::PagePath::Search => Job::Search,
            urls::PagePath::KindIndex(kind) => Job::Kind(kind, 1),
            urls::PagePath::KindPage(kind, n) => (n <= lists::page_count(d, kind)).then_some(Job::Kind(kind, n))?,
            urls::PagePath::Entry(kind, id) => {
                let i = *d.positions.get(id)?;
                (self.handbook.entries[i].kind == kind).then_some(Job::Entry(i))?
            }
            urls::PagePath::Year(stem) => {
                // `2016`, or `2016-2` for the second page of a long year.
                let (year, n) = match stem.rsplit_once('-') {
                    Some((year, n)) if !year.is_empty() => (year, n.parse().ok().filter(|&n: &usize| n >= 2)?),
                    _ => (stem, 1),
                };
                let year: i32 = year.parse().ok()?;
                let i = d.years.iter().position(|y| y.year == year && !y.items.is_empty())?;
                (urls::year_page(year, n) == path && n <= chronology::year_page_count(&d.years[i]))
                    .then_some(Job::Year(i, n))?
            }
            urls::PagePath::Tag(slug) => Job::Tag(d.tags.iter().find(|(_, (s, _))| s == slug)?.0.clone()),
        })
    }

    /// The output paths of every page (not static files).
    pub fn page_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.jobs().into_iter().map(|(p, _)| p).collect();
        paths.extend(self.print_parts().into_iter().map(|p| p.path));
        if !paths.iter().any(|p| p == urls::PRINT) {
            paths.push(urls::PRINT.to_string());
        }
        paths
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

    /// Renders every page, handing each to `emit` as soon as it is made (in
    /// no set order), so a build need not hold them all; diagnostics come in
    /// the order of [`Renderer::render_all`].
    pub fn render_each(&self, emit: &(dyn Fn(Page) + Sync), diagnostics: &mut Diagnostics) {
        let jobs: Vec<Job> = self.jobs().into_iter().map(|(_, j)| j).collect();
        let found: Vec<Diagnostics> = jobs
            .into_par_iter()
            .map(|job| {
                let mut ds = Diagnostics::new();
                if let Some(page) = self.job(job, &mut ds) {
                    emit(page);
                }
                ds
            })
            .collect();
        for ds in found {
            diagnostics.extend(ds);
        }
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
        match job {
            Job::Entry(i) => self.entry_page(i, ds),
            Job::Kind(kind, n) => self.kind_page(kind, n, ds),
            Job::Home => self.home_page(ds),
            Job::Chronology => self.chronology_page(ds),
            Job::Year(i, n) => self.year_page(i, n, ds),
            Job::Sources => self.sources_page(ds),
            Job::Tags => self.tags_page(ds),
            Job::Tag(tag) => self.tag_page(&tag, ds),
            Job::NotFound => self.not_found_page(ds),
            Job::Search => self.search_page(ds),
        }
    }

    /// The home page.
    pub(super) fn home_page(&self, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let d = self.derived;
        let path = urls::HOME;
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
        ctx.insert("timeline_svg", &self.summary_timeline("", false, "home-timeline"));
        ctx.insert("years", &d.years.iter().map(|y| self.year_summary(y, "")).collect::<Vec<_>>());
        ctx.insert("event_count", &crate::model::derive::event_count(&h.entries));
        ctx.insert("latest", &self.latest(""));
        self.render("home.html", path, &ctx, ds)
    }

    /// The page a server shows for a missing address.
    pub(super) fn not_found_page(&self, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        // The 404 page is served for a missing address at any depth: its
        // links are relative to the site root, and a script in its head
        // points a <base> at the root it is served under (the site's own
        // path from its base URL, when the address is under it).
        let path = urls::NOT_FOUND;
        let mut ctx = self.context(path, "Page not found", "", "404");
        let site_path =
            h.site.base().and_then(|b| b.splitn(4, '/').nth(3).map(|p| format!("/{p}"))).unwrap_or_default();
        ctx.insert("site_path", &site_path);
        self.render("404.html", path, &ctx, ds)
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

#[derive(Debug, PartialEq)]
enum Job {
    Entry(usize),
    /// Page `n` (from 1) of a kind's list.
    Kind(Kind, usize),
    Home,
    Chronology,
    /// Page `n` (from 1) of year `i` of `Derived::years`.
    Year(usize, usize),
    Sources,
    Tags,
    Tag(String),
    NotFound,
    Search,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelOptions, Workspace};
    use std::path::Path;

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
