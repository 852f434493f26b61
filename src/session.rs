//! A site kept in memory and rebuilt incrementally, for `handbook serve`.
//!
//! A [`Session`] holds the [`Workspace`] (every file and what was computed
//! from it), the templates, and the last good output (page path → bytes).
//! When files change it recompiles only the changed entries (and those whose
//! links name them), re-derives the cross-entry data (cheap, linear), works
//! out which pages can have changed, and renders only those. The result is
//! byte-identical to a full `handbook build` of the same files; the tests in
//! `tests/serve.rs` compare the two after edits, additions, renames and
//! deletions. A broken edit leaves the last good pages in place.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tera::Tera;

use crate::build::Options;
use crate::derive::Derived;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::model::{Entry, Handbook, ModelOptions, Workspace};
use crate::render::{Page, Renderer};

/// One output file's bytes, shared between the server's threads.
pub type Bytes = Arc<Vec<u8>>;

/// The last output that built without errors.
struct Good {
    handbook: Handbook,
    derived: Arc<Derived>,
    pages: BTreeMap<String, Bytes>,
    /// The paths of the pages rendered from templates.
    all_paths: Arc<BTreeSet<String>>,
}

/// What an update did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Output paths written (added or changed).
    pub written: Vec<String>,
    /// Output paths that no longer exist.
    pub removed: Vec<String>,
    /// True when only stylesheets changed: pages can swap them without reloading.
    pub css_only: bool,
    /// The problems of the handbook as it now is. If there are errors, the
    /// previous pages are still served.
    pub diagnostics: Diagnostics,
    pub elapsed: Duration,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.diagnostics.has_errors()
    }
}

type Templates = (Tera, HashMap<String, (PathBuf, String)>);

/// The site, in memory, ready to be updated file by file.
pub struct Session {
    options: Options,
    workspace: Workspace,
    templates: Option<Arc<Templates>>,
    statics: Vec<(String, PathBuf)>,
    history: HashMap<String, String>,
    /// Problems found while walking the content folder.
    walk: Diagnostics,
    good: Option<Good>,
    /// Entries changed since the last good output.
    pending: BTreeSet<String>,
    pending_home: bool,
    /// Everything must be rendered at the next good update (templates or
    /// global files changed while the handbook was broken).
    pending_all: bool,
    /// When set (the live server), an incremental update leaves the files
    /// that hold the whole handbook (print page, search index, data
    /// downloads) for [`Session::finish_extras`], so pages can reload first.
    pub defer_extras: bool,
    extras_due: bool,
    /// Counts updates, so deferred work for an older state is not installed.
    generation: u64,
}

impl Session {
    /// Loads and builds the whole site in memory.
    pub fn start(options: Options) -> (Session, Report) {
        let start = Instant::now();
        let content = options.content_dir();
        let mut walk = Diagnostics::new();
        let loaded = crate::load::load(&content, &mut walk);
        let workspace = Workspace::new(
            loaded,
            &content,
            ModelOptions { drafts: options.drafts, cache_dir: options.cache_dir.clone() },
        );
        let mut template_ds = Diagnostics::new();
        let templates = crate::render::load_templates(&options.root.join("templates"), &mut template_ds);
        let statics = crate::write::static_files(&options.root.join("static")).unwrap_or_default();
        let history = crate::history::last_changed(&content);
        let mut session = Session {
            options,
            workspace,
            templates: templates.map(Arc::new),
            statics,
            history,
            walk,
            good: None,
            pending: BTreeSet::new(),
            pending_home: false,
            pending_all: true,
            defer_extras: false,
            extras_due: false,
            generation: 0,
        };
        let mut report = session.refresh(template_ds);
        report.elapsed = start.elapsed();
        (session, report)
    }

    /// The current output, if a build has ever succeeded.
    pub fn page(&self, path: &str) -> Option<Bytes> {
        self.good.as_ref()?.pages.get(path).cloned()
    }

    /// Every output path and its bytes (for comparing with a full build).
    pub fn pages(&self) -> BTreeMap<String, Bytes> {
        self.good.as_ref().map(|g| g.pages.clone()).unwrap_or_default()
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Applies changes to files under the root (added, modified or removed).
    pub fn apply(&mut self, changed: &[PathBuf]) -> Report {
        self.generation += 1;
        let start = Instant::now();
        let root = self.options.root.clone();
        let content = self.options.content_dir();
        let templates_dir = root.join("templates");
        let static_dir = root.join("static");
        let mut content_paths = Vec::new();
        let mut templates_changed = false;
        let mut static_changed: Vec<PathBuf> = Vec::new();
        for path in changed {
            let path = relative_to(path, &root);
            if path.starts_with(&content) {
                content_paths.push(path);
            } else if path.starts_with(&templates_dir) {
                templates_changed = true;
            } else if path.starts_with(&static_dir) {
                static_changed.push(path);
            }
        }
        let mut extra = Diagnostics::new();
        if templates_changed {
            self.templates = crate::render::load_templates(&templates_dir, &mut extra).map(Arc::new);
            self.pending_all = true;
        }
        let mut css_only = false;
        if !static_changed.is_empty() {
            self.statics = crate::write::static_files(&static_dir).unwrap_or_default();
            css_only = content_paths.is_empty()
                && !templates_changed
                && static_changed.iter().all(|p| p.extension().is_some_and(|e| e == "css"));
        }
        if !content_paths.is_empty() {
            let mut walk = Diagnostics::new();
            match self.workspace.update(&content_paths, &mut walk) {
                Some(change) => {
                    self.pending.extend(change.entries);
                    self.pending_home |= change.home;
                }
                None => {
                    // site.yaml, references.bib or an odd file: start over.
                    let loaded = crate::load::load(&content, &mut walk);
                    self.walk = walk;
                    self.workspace = Workspace::new(
                        loaded,
                        &content,
                        ModelOptions { drafts: self.options.drafts, cache_dir: self.options.cache_dir.clone() },
                    );
                    self.pending_all = true;
                }
            }
        }
        let mut report = self.refresh(extra);
        report.css_only = css_only && !report.failed();
        report.elapsed = start.elapsed();
        report
    }

    /// Renders what is pending, if the handbook is now free of errors.
    fn refresh(&mut self, extra: Diagnostics) -> Report {
        let mut diagnostics = self.walk.clone();
        diagnostics.extend(self.workspace.diagnostics());
        diagnostics.extend(extra);
        diagnostics.sort();
        let mut report = Report { diagnostics, ..Report::default() };
        let (Some(handbook), Some((tera, sources))) = (self.workspace.handbook(), self.templates.as_deref()) else {
            if !report.failed() {
                report.diagnostics.push(Diagnostic::file(
                    Severity::Error,
                    "templates",
                    "templates could not be loaded",
                ));
            }
            return report;
        };
        if report.failed() {
            return report;
        }
        // What is derived across entries (backlinks, relations, chronology,
        // tags, sources) is reused when no changed entry changed any of it.
        let derived = match (&self.good, self.pending_all) {
            (Some(good), false) if !self.pending_home && derivation_unchanged(&good.handbook, &handbook) => {
                good.derived.clone()
            }
            _ => Arc::new(crate::derive::derive(&handbook)),
        };
        let renderer = Renderer::new(tera, sources, &handbook, &derived, &self.history);
        // The same derived data over the same entries lists the same pages.
        let all_paths = match &self.good {
            Some(good) if Arc::ptr_eq(&good.derived, &derived) => good.all_paths.clone(),
            _ => Arc::new(renderer.page_paths().into_iter().collect::<BTreeSet<String>>()),
        };
        let dirty = match (&self.good, self.pending_all) {
            (Some(good), false) => {
                dirty_pages(&good.handbook, &good.derived, &handbook, &derived, &self.pending, self.pending_home)
            }
            _ => None,
        };
        let mut render_ds = Diagnostics::new();
        let rendered = match &dirty {
            Some(paths) => renderer.render_where(|p| paths.contains(p), &mut render_ds),
            None => renderer.render_all(&mut render_ds),
        };
        if render_ds.has_errors() {
            render_ds.sort();
            report.diagnostics.extend(render_ds);
            return report;
        }
        let before: BTreeMap<String, Bytes> =
            self.good.as_mut().map(|g| std::mem::take(&mut g.pages)).unwrap_or_default();
        let mut pages: BTreeMap<String, Bytes> = if dirty.is_some() { before.clone() } else { BTreeMap::new() };
        for page in rendered {
            pages.insert(page.path, Arc::new(page.content));
        }
        let defer = self.defer_extras && dirty.is_some();
        if !defer {
            if dirty.as_ref().is_none_or(|d| d.contains(crate::render::PRINT_PAGE)) {
                if let Some(page) = renderer.print_page(|p| pages.get(p).map(|b| b.as_slice()), &mut render_ds) {
                    pages.insert(page.path, Arc::new(page.content));
                }
            }
            for page in crate::data::pages(&handbook, &derived, &self.history) {
                pages.insert(page.path, Arc::new(page.content));
            }
        }
        self.extras_due = defer;
        for page in crate::build::extra_pages(self.workspace.loaded().references.as_ref(), &self.statics) {
            pages.insert(page.path, Arc::new(page.content));
        }
        for (rel, path) in &self.statics {
            match std::fs::read(path) {
                Ok(bytes) => {
                    pages.insert(rel.clone(), Arc::new(bytes));
                }
                Err(e) => {
                    report.diagnostics.push(Diagnostic::file(Severity::Warning, path, format!("cannot read: {e}")))
                }
            }
        }
        // Drop pages that no longer exist (a removed entry, year or tag).
        let statics: HashSet<&str> = self.statics.iter().map(|(p, _)| p.as_str()).collect();
        let extras: HashSet<String> =
            crate::build::extra_pages(self.workspace.loaded().references.as_ref(), &self.statics)
                .into_iter()
                .map(|p| p.path)
                .collect();
        pages.retain(|p, _| {
            all_paths.contains(p)
                || statics.contains(p.as_str())
                || extras.contains(p)
                || crate::data::FILES.contains(&p.as_str())
        });
        // Unchanged pages are the same Arc: compare pointers before bytes.
        report.written = pages
            .iter()
            .filter(|(p, b)| before.get(*p).is_none_or(|old| !Arc::ptr_eq(old, b) && old != *b))
            .map(|(p, _)| p.clone())
            .collect();
        report.removed = before.keys().filter(|p| !pages.contains_key(*p)).cloned().collect();
        // Not kept if it cannot be written; serving does not depend on it.
        let _ = handbook.bibliography.save_cache();
        self.good = Some(Good { handbook, derived, pages, all_paths });
        self.pending.clear();
        self.pending_home = false;
        self.pending_all = false;
        report
    }
}

/// What is needed to rebuild the files that hold the whole handbook, taken
/// from a session so the work can run without holding it.
pub struct ExtrasJob {
    generation: u64,
    handbook: Handbook,
    derived: Arc<Derived>,
    templates: Arc<Templates>,
    history: HashMap<String, String>,
    /// The entry pages the print page is made from.
    pages: BTreeMap<String, Bytes>,
}

impl ExtrasJob {
    /// The update this job belongs to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Builds the print page, the search index and the data downloads.
    pub fn run(&self) -> Vec<Page> {
        let (tera, sources) = &*self.templates;
        let renderer = Renderer::new(tera, sources, &self.handbook, &self.derived, &self.history);
        let mut ds = Diagnostics::new();
        let (mut fresh, print) = rayon::join(
            || crate::data::pages(&self.handbook, &self.derived, &self.history),
            || renderer.print_page(|p| self.pages.get(p).map(|b| b.as_slice()), &mut ds),
        );
        fresh.extend(print);
        fresh.sort_by(|a, b| a.path.cmp(&b.path));
        fresh
    }
}

impl Session {
    /// Brings the files that hold the whole handbook (print page, search
    /// index, data downloads) up to date after a deferred update; returns
    /// the paths that changed.
    pub fn finish_extras(&mut self) -> Vec<String> {
        match self.extras_job() {
            Some(job) => {
                let pages = job.run();
                self.install_extras(job.generation, pages)
            }
            None => Vec::new(),
        }
    }

    /// The deferred work of the last update, if any, to [`ExtrasJob::run`]
    /// without holding the session; then [`Session::install_extras`].
    pub fn extras_job(&mut self) -> Option<ExtrasJob> {
        if !self.extras_due {
            return None;
        }
        self.extras_due = false;
        let (good, templates) = (self.good.as_ref()?, self.templates.clone()?);
        Some(ExtrasJob {
            generation: self.generation,
            handbook: good.handbook.clone(),
            derived: good.derived.clone(),
            templates,
            history: self.history.clone(),
            pages: good.pages.clone(),
        })
    }

    /// Takes the files an [`ExtrasJob`] built, unless the handbook changed
    /// since (the update that changed it has left a newer job); returns the
    /// paths that changed.
    pub fn install_extras(&mut self, generation: u64, fresh: Vec<Page>) -> Vec<String> {
        if generation != self.generation {
            // Whatever came since may have failed and left nothing to do: do it again.
            self.extras_due = self.good.is_some();
            return Vec::new();
        }
        let Some(good) = self.good.as_mut() else { return Vec::new() };
        let mut changed = Vec::new();
        for page in fresh {
            if good.pages.get(&page.path).is_none_or(|old| **old != page.content) {
                changed.push(page.path.clone());
                good.pages.insert(page.path, Arc::new(page.content));
            }
        }
        changed
    }
}

fn relative_to(path: &Path, root: &Path) -> PathBuf {
    if root.as_os_str().is_empty() {
        let cwd = std::env::current_dir().unwrap_or_default();
        return path.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf());
    }
    if path.starts_with(root) {
        return path.to_path_buf();
    }
    // The watcher reports absolute paths; the root may be relative.
    let abs_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    match path.strip_prefix(&abs_root) {
        Ok(rest) => root.join(rest),
        Err(_) => path.to_path_buf(),
    }
}

/// What an entry looks like from other pages: lists, related entries, tags.
fn list_signature(e: &Entry) -> String {
    format!(
        "{}\u{0}{}\u{0}{:?}\u{0}{}\u{0}{:?}\u{0}{}\u{0}{:?}",
        e.title,
        e.summary,
        e.kind,
        e.date.edtf(),
        e.end.map(|d| d.edtf()),
        e.events.len(),
        e.details
    )
}

/// What the chronology shows of an entry's events.
fn event_signature(e: &Entry) -> String {
    let mut s = String::new();
    for ev in &e.events {
        s.push_str(&format!(
            "{}|{}|{}|{:?}|{:?}|{:?}\n",
            ev.anchor,
            ev.date.edtf(),
            ev.title,
            ev.place,
            ev.cites.iter().map(|c| &c.text).collect::<Vec<_>>(),
            ev.disputed
                .iter()
                .map(|c| (c.date.map(|d| d.edtf()), &c.place, c.cites.iter().map(|x| &x.text).collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        ));
    }
    s
}

fn link_targets(e: &Entry) -> BTreeSet<&str> {
    e.links.iter().filter_map(|l| l.target.as_deref()).filter(|t| !t.is_empty()).collect()
}

/// True when `derive` would give the same result for `new` as for `old`:
/// the same entries in the same order, and no changed entry differs in what
/// derivation reads (title, kind, dates, events, links, relations, tags,
/// cited sources).
fn derivation_unchanged(old: &Handbook, new: &Handbook) -> bool {
    // Entries that were not recompiled are the same allocation in both: only
    // the others are looked at (reading all 10,000 was most of a save's time).
    old.entries.len() == new.entries.len()
        && old.entries.iter().zip(&new.entries).all(|(a, b)| {
            Arc::ptr_eq(a, b)
                || (a.id == b.id
                    && list_signature(a) == list_signature(b)
                    && event_signature(a) == event_signature(b)
                    && link_targets(a) == link_targets(b)
                    && a.relations == b.relations
                    && a.tags == b.tags
                    && a.notes.cited_keys == b.notes.cited_keys)
        })
}

/// The pages that may differ between two states of the handbook, given the
/// entries that changed; None when every page must be rendered.
pub fn dirty_pages(
    old: &Handbook,
    old_d: &Derived,
    new: &Handbook,
    new_d: &Derived,
    changed: &BTreeSet<String>,
    home_changed: bool,
) -> Option<HashSet<String>> {
    // Counts shown in the navigation of every page, and the set of years
    // (year pages link to their neighbours).
    let counts = |h: &Handbook, d: &Derived| {
        (
            d.by_kind.iter().map(Vec::len).collect::<Vec<_>>(),
            crate::derive::event_count(&h.entries),
            h.bibliography.keys().len(),
            d.years.iter().filter(|y| !y.items.is_empty()).map(|y| y.year).collect::<Vec<_>>(),
            d.tags.len(),
        )
    };
    // The same derived data (reused when no change touched it) has the same counts.
    if !std::ptr::eq(old_d, new_d) && counts(old, old_d) != counts(new, new_d) {
        return None;
    }
    let mut dirty: HashSet<String> = HashSet::new();
    if home_changed {
        dirty.insert("index.html".into());
    }
    // Where each changed entry is, in each state. Entries that were not
    // recompiled are the same allocation in both, in the same place when the
    // set of entries is the same: only the others need be looked at.
    let index = |h: &Handbook, others: &Handbook| -> HashMap<String, usize> {
        let same_set = h.entries.len() == others.entries.len();
        h.entries
            .iter()
            .enumerate()
            .filter(|(i, e)| !same_set || !Arc::ptr_eq(e, &others.entries[*i]))
            .filter(|(_, e)| changed.contains(&e.id))
            .map(|(i, e)| (e.id.clone(), i))
            .collect()
    };
    let (old_index, new_index) = (index(old, new), index(new, old));
    // Pages of the entries that show `i` in one of their lists, or that it shows.
    let neighbours = |h: &Handbook, d: &Derived, i: usize, out: &mut HashSet<String>| {
        let e = &h.entries[i];
        for g in d.relations_out[i].iter().chain(&d.relations_in[i]) {
            out.extend(g.entries.iter().map(|&j| h.entries[j].url()));
        }
        out.extend(d.mentioned_in[i].iter().map(|&j| h.entries[j].url()));
        for t in link_targets(e) {
            if let Some(j) = h.entries.iter().position(|x| x.id == t) {
                out.insert(h.entries[j].url());
            }
        }
    };
    let years = |e: &Entry| e.events.iter().map(|ev| format!("chronology/{}.html", ev.date.year())).collect::<Vec<_>>();
    let tags = |h: &Handbook, d: &Derived, e: &Entry| {
        let _ = h;
        e.tags.iter().filter_map(|t| d.tags.get(t).map(|(slug, _)| format!("tags/{slug}.html"))).collect::<Vec<_>>()
    };
    if !changed.is_empty() {
        // The print page holds every entry.
        dirty.insert("print.html".into());
    }
    for id in changed {
        let o = old_index.get(id).map(|&i| (i, &*old.entries[i]));
        let n = new_index.get(id).map(|&i| (i, &*new.entries[i]));
        for (_, e) in o.iter().chain(n.iter()) {
            dirty.insert(e.url());
        }
        let same = |f: &dyn Fn(&Entry) -> String| match (o, n) {
            (Some((_, a)), Some((_, b))) => f(a) == f(b),
            (None, None) => true,
            _ => false,
        };
        let listed_same = same(&list_signature);
        let events_same = same(&event_signature);
        let links_same = same(&|e: &Entry| format!("{:?}", link_targets(e)));
        let relations_same = same(&|e: &Entry| format!("{:?}", e.relations));
        let tags_same = same(&|e: &Entry| format!("{:?}", e.tags));
        let cites_same = same(&|e: &Entry| format!("{:?}", e.notes.cited_keys));
        if !listed_same || !links_same || !relations_same {
            if let Some((i, _)) = o {
                neighbours(old, old_d, i, &mut dirty);
            }
            if let Some((i, _)) = n {
                neighbours(new, new_d, i, &mut dirty);
            }
        }
        if !listed_same {
            for (_, e) in o.iter().chain(n.iter()) {
                dirty.insert(format!("{}/index.html", e.kind.folder()));
                dirty.extend(years(e));
            }
            dirty.extend(["chronology/index.html", "sources.html", "index.html"].map(String::from));
        }
        if !listed_same || !tags_same {
            if let Some((_, e)) = o {
                dirty.extend(tags(old, old_d, e));
            }
            if let Some((_, e)) = n {
                dirty.extend(tags(new, new_d, e));
            }
            dirty.insert("tags/index.html".into());
        }
        if !events_same {
            for (_, e) in o.iter().chain(n.iter()) {
                dirty.extend(years(e));
            }
            dirty.extend(["chronology/index.html", "index.html"].map(String::from));
        }
        if !cites_same {
            dirty.insert("sources.html".into());
        }
    }
    Some(dirty)
}

/// A full in-memory build of the same files, for comparison in tests.
pub fn full_build_pages(options: &Options) -> Result<BTreeMap<String, Vec<u8>>, Diagnostics> {
    let mut ds = Diagnostics::new();
    let Some((pages, statics, _)) = crate::build::compile(options, &mut ds, &mut crate::build::Timings::default())
    else {
        return Err(ds);
    };
    let mut out: BTreeMap<String, Vec<u8>> = pages.into_iter().map(|Page { path, content }| (path, content)).collect();
    for (rel, path) in statics {
        out.insert(rel, std::fs::read(path).unwrap_or_default());
    }
    Ok(out)
}
