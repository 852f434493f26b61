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

use super::dirty::{EntryChange, derivation_unchanged, dirty_pages};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::model::derive::Derived;
use crate::model::{Handbook, ModelOptions, Workspace};
use crate::pipeline::Options;
use crate::render::{Page, Renderer};
use crate::timings::Timings;
use crate::urls;

/// One output file's bytes, shared between the server's threads.
pub type Bytes = Arc<Vec<u8>>;

/// Output path → bytes: a persistent map, so the last good output can be
/// copied for an update (or for the work left to do after it) for nothing.
type Pages = imbl::OrdMap<String, Bytes>;

/// The last output that built without errors.
struct Good {
    handbook: Handbook,
    derived: Arc<Derived>,
    pages: Pages,
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
    /// How long each stage of the update took (`handbook serve --timings`).
    pub timings: Timings,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.diagnostics.has_errors()
    }
}

type Templates = (Tera, crate::render::TemplateSources);

/// The site, in memory, ready to be updated file by file.
pub struct Session {
    options: Options,
    workspace: Workspace,
    templates: Option<Arc<Templates>>,
    statics: Vec<(String, PathBuf)>,
    /// Entry file → when it last changed in git (shared with extras jobs).
    history: Arc<HashMap<String, String>>,
    /// Problems found while walking the content folder.
    walk: Diagnostics,
    good: Option<Good>,
    /// Entries changed since the last good output.
    pending: BTreeSet<String>,
    pending_home: bool,
    /// Everything must be rendered at the next good update (templates or
    /// global files changed while the handbook was broken).
    pending_all: bool,
    /// Files in static/ changed since the last good output.
    statics_changed: bool,
    /// When set (the live server), an incremental update leaves the files
    /// that hold the whole handbook (print page, search index, data
    /// downloads) for [`Session::finish_extras`], so pages can reload first.
    pub defer_extras: bool,
    extras_due: bool,
    /// The pages open in a browser (output paths), which an update renders
    /// before the reload event; with `defer_extras`, the other pages it
    /// touches follow, like the whole-handbook files.
    pub watched: BTreeSet<String>,
    /// Pages an update touched that are not rendered yet: served from the
    /// last good state only after [`Session::render_now`] brings them up to date.
    stale: BTreeSet<String>,
    /// Counts updates, so deferred work for an older state is not installed.
    generation: u64,
}

impl Session {
    /// Loads and builds the whole site in memory.
    pub fn start(options: Options) -> (Session, Report) {
        let start = Instant::now();
        let content = options.content_dir();
        let mut walk = Diagnostics::new();
        let loaded = crate::content::load::load(&content, &mut walk);
        let workspace = Workspace::new(
            loaded,
            &content,
            ModelOptions { drafts: options.drafts, cache_dir: options.cache_dir.clone(), incremental: true },
        );
        let mut template_ds = Diagnostics::new();
        let templates = crate::render::load_templates(&options.root.join("templates"), &mut template_ds);
        let statics = crate::output::write::static_files(&options.root.join("static")).unwrap_or_default();
        let history = Arc::new(crate::content::history::last_changed(&content));
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
            statics_changed: true,
            defer_extras: false,
            extras_due: false,
            watched: BTreeSet::new(),
            stale: BTreeSet::new(),
            generation: 0,
        };
        let mut timings = Timings::new();
        let mut report = session.refresh(template_ds, &mut timings);
        report.timings = timings;
        report.elapsed = start.elapsed();
        (session, report)
    }

    /// The current output, if a build has ever succeeded.
    pub fn page(&self, path: &str) -> Option<Bytes> {
        self.good.as_ref()?.pages.get(path).cloned()
    }

    /// Every output path and its bytes (for comparing with a full build).
    pub fn pages(&self) -> BTreeMap<String, Bytes> {
        self.good.as_ref().map(|g| g.pages.clone().into_iter().collect()).unwrap_or_default()
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Applies changes to files under the root (added, modified or removed).
    pub fn apply(&mut self, changed: &[PathBuf]) -> Report {
        self.generation += 1;
        let start = Instant::now();
        let mut timings = Timings::new();
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
            self.statics = crate::output::write::static_files(&static_dir).unwrap_or_default();
            self.statics_changed = true;
            css_only = content_paths.is_empty()
                && !templates_changed
                && static_changed.iter().all(|p| p.extension().is_some_and(|e| e == "css"));
        }
        if !content_paths.is_empty() {
            let mut walk = Diagnostics::new();
            match self.workspace.update(&content_paths, &mut walk, &mut timings) {
                Some(change) => {
                    self.pending.extend(change.entries);
                    self.pending_home |= change.home;
                }
                None => {
                    // site.yaml, references.bib or an odd file: start over.
                    let loaded = crate::content::load::load(&content, &mut walk);
                    self.walk = walk;
                    self.workspace = Workspace::new(
                        loaded,
                        &content,
                        ModelOptions {
                            drafts: self.options.drafts,
                            cache_dir: self.options.cache_dir.clone(),
                            incremental: true,
                        },
                    );
                    self.pending_all = true;
                    timings.lap("load");
                }
            }
        }
        let mut report = self.refresh(extra, &mut timings);
        report.timings = timings;
        report.css_only = css_only && !report.failed();
        report.elapsed = start.elapsed();
        report
    }

    /// Renders what is pending, if the handbook is now free of errors.
    ///
    /// An update that changes a few entries costs what they change: the
    /// handbook and the pages are persistent collections (copies share all
    /// but what differs), changed entries are found by position, and only
    /// the pages they can affect are rendered and compared. Passes over
    /// every entry or page are left to updates that change the set of pages
    /// (which derive everything again anyway).
    fn refresh(&mut self, extra: Diagnostics, timings: &mut Timings) -> Report {
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
        timings.lap("diagnostics");
        if report.failed() {
            return report;
        }
        // The last good state, when only some entries changed since.
        let previous = self.good.as_ref().filter(|_| !self.pending_all);
        let changes: Vec<EntryChange> = match previous {
            Some(good) => self
                .pending
                .iter()
                .map(|id| EntryChange {
                    old: good.derived.positions.get(id).map(|&i| (i, good.handbook.entries[i].clone())),
                    new: self
                        .workspace
                        .entry(id)
                        .and_then(|e| handbook.position(e).map(|i| (i, e.clone())))
                        .filter(|(i, e)| Arc::ptr_eq(&handbook.entries[*i], e)),
                })
                .collect(),
            None => Vec::new(),
        };
        // What is derived across entries (backlinks, relations, chronology,
        // tags, sources) is reused when no changed entry changed any of it.
        // When no entry moved, what changed entries touch is derived again
        // and the rest kept (a title, events, relations edited).
        let in_place: Option<Vec<usize>> = changes
            .iter()
            .map(|c| match (&c.old, &c.new) {
                (Some((i, _)), Some((j, _))) if i == j => Some(*i),
                _ => None,
            })
            .collect();
        let derived = match previous {
            Some(good)
                if !self.pending_home
                    && derivation_unchanged(good.handbook.entries.len(), handbook.entries.len(), &changes) =>
            {
                good.derived.clone()
            }
            Some(good) if !self.pending_home && good.handbook.entries.len() == handbook.entries.len() => match in_place
            {
                Some(changed) => Arc::new(good.derived.patched(&good.handbook, &handbook, &changed)),
                None => Arc::new(crate::model::derive::derive(&handbook)),
            },
            _ => Arc::new(crate::model::derive::derive(&handbook)),
        };
        timings.lap("derive");
        let renderer = Renderer::new(tera, sources, &handbook, &derived, &self.history);
        // The same derived data over the same entries lists the same pages.
        let same_paths =
            previous.filter(|good| Arc::ptr_eq(&good.derived, &derived)).map(|good| good.all_paths.clone());
        let pages_may_go = same_paths.is_none() || self.statics_changed;
        let all_paths =
            same_paths.unwrap_or_else(|| Arc::new(renderer.page_paths().into_iter().collect::<BTreeSet<String>>()));
        let dirty = previous.and_then(|good| {
            dirty_pages(&good.handbook, &good.derived, &handbook, &derived, &changes, self.pending_home)
        });
        timings.lap("dirty pages");
        // In the live server, an update renders first what a reader can be
        // looking at (the changed entries' pages, and the pages open in a
        // browser); the other pages it touches (a kind's list of 10,000
        // entries, the chronology) follow after the reload event.
        let dirty = match dirty {
            Some(paths) if self.defer_extras => {
                let own: BTreeSet<String> = changes
                    .iter()
                    .flat_map(|c| c.old.iter().chain(c.new.iter()))
                    .map(|(_, e)| urls::entry(e.kind, &e.id))
                    .collect();
                let (now, later): (HashSet<String>, HashSet<String>) =
                    paths.into_iter().partition(|p| own.contains(p) || self.watched.contains(p));
                self.stale.extend(later);
                Some(now)
            }
            dirty => {
                if dirty.is_none() {
                    self.stale.clear();
                }
                dirty
            }
        };
        let mut render_ds = Diagnostics::new();
        let mut fresh = match &dirty {
            Some(paths) => renderer.render_paths(paths, &mut render_ds),
            None => renderer.render_all(&mut render_ds),
        };
        for page in &fresh {
            self.stale.remove(&page.path);
        }
        if render_ds.has_errors() {
            render_ds.sort();
            report.diagnostics.extend(render_ds);
            return report;
        }
        timings.lap("render");
        let before: Pages = self.good.as_ref().map(|g| g.pages.clone()).unwrap_or_default();
        let defer = self.defer_extras && dirty.is_some();
        // The search index's files when they were made again: any other is gone.
        let mut search_made: Option<HashSet<String>> = None;
        self.extras_due = defer || !self.stale.is_empty();
        if !defer {
            // The print page is made of the entry pages just rendered, or kept from before.
            let just: HashMap<&str, &[u8]> = fresh.iter().map(|p| (p.path.as_str(), p.content.as_slice())).collect();
            let page = |p: &str| just.get(p).copied().or_else(|| before.get(p).map(|b| b.as_slice()));
            let print = dirty.as_ref().is_none_or(|d| d.contains(urls::PRINT)).then_some(page);
            let whole = crate::pipeline::whole_handbook_files(&renderer, print, &mut render_ds);
            drop(just);
            search_made = Some(search_paths(&whole));
            fresh.extend(whole);
        }
        // Files that change only with the bibliography (a new workspace) or static/.
        let check_gone = pages_may_go || dirty.is_none();
        let reread = dirty.is_none() || self.statics_changed;
        let statics: HashSet<&str> = self.statics.iter().map(|(p, _)| p.as_str()).filter(|_| check_gone).collect();
        let mut extras: HashSet<String> = HashSet::new();
        if check_gone || reread {
            for page in crate::pipeline::extra_pages(self.workspace.loaded().references.as_ref(), &self.statics) {
                extras.insert(page.path.clone());
                if reread {
                    fresh.push(page);
                }
            }
        }
        if reread {
            for (rel, path) in &self.statics {
                match std::fs::read(path) {
                    Ok(content) => fresh.push(Page { path: rel.clone(), content }),
                    Err(e) => {
                        report.diagnostics.push(Diagnostic::file(Severity::Warning, path, format!("cannot read: {e}")))
                    }
                }
            }
        }
        timings.lap("whole-handbook files");
        let mut pages: Pages = if dirty.is_some() { before.clone() } else { Pages::new() };
        for Page { path, content } in fresh {
            match before.get(&path) {
                // The same bytes stay the same allocation.
                Some(old) if **old == content => {
                    pages.insert(path, old.clone());
                }
                _ => {
                    report.written.push(path.clone());
                    pages.insert(path, Arc::new(content));
                }
            }
        }
        report.written.sort();
        report.written.dedup();
        let stale_search = search_made.as_ref().map(|made| stale_search_files(&pages, made)).unwrap_or_default();
        for p in &stale_search {
            pages.remove(p);
        }
        if check_gone {
            // Drop pages that no longer exist (a removed entry, year or tag, a static file).
            let gone: Vec<String> = pages
                .keys()
                .filter(|p| {
                    !(all_paths.contains(*p)
                        || statics.contains(p.as_str())
                        || extras.contains(*p)
                        || crate::output::data::FILES.contains(&p.as_str())
                        || p.starts_with(urls::SEARCH_DIR))
                })
                .cloned()
                .collect();
            for p in &gone {
                pages.remove(p);
            }
            report.removed = before.keys().filter(|p| !pages.contains_key(*p)).cloned().collect();
        } else {
            report.removed = stale_search;
        }
        timings.lap("compare");
        // Not kept if it cannot be written; serving does not depend on it.
        let _ = handbook.bibliography.save_cache();
        timings.lap("citation cache");
        self.good = Some(Good { handbook, derived, pages, all_paths });
        drop(before);
        timings.lap("drop");
        self.pending.clear();
        self.pending_home = false;
        self.pending_all = false;
        self.statics_changed = false;
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
    /// Entry file → when it last changed in git (shared with extras jobs).
    history: Arc<HashMap<String, String>>,
    /// The entry pages the print page is made from.
    pages: Pages,
    /// Pages the update touched that were left for later.
    stale: Vec<String>,
}

impl ExtrasJob {
    /// The update this job belongs to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Renders the pages left for later, then builds the print page, the
    /// search index and the data downloads.
    pub fn run(&self) -> Vec<Page> {
        let (tera, sources) = &*self.templates;
        let renderer = Renderer::new(tera, sources, &self.handbook, &self.derived, &self.history);
        let mut ds = Diagnostics::new();
        let mut fresh = renderer.render_paths(&self.stale, &mut ds);
        let just: HashMap<&str, &[u8]> = fresh.iter().map(|p| (p.path.as_str(), p.content.as_slice())).collect();
        let page = |p: &str| just.get(p).copied().or_else(|| self.pages.get(p).map(|b| b.as_slice()));
        let whole = crate::pipeline::whole_handbook_files(&renderer, Some(page), &mut ds);
        drop(just);
        fresh.extend(whole);
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
            stale: self.stale.iter().cloned().collect(),
        })
    }

    /// Is the page at `path` touched by an update and not yet rendered?
    pub fn is_stale(&self, path: &str) -> bool {
        self.stale.contains(path)
    }

    /// Renders a page left for later now (a reader asked for it); the
    /// deferred work renders it again, to the same bytes.
    pub fn render_now(&mut self, path: &str) {
        if !self.stale.remove(path) {
            return;
        }
        let (Some(good), Some(templates)) = (self.good.as_mut(), self.templates.clone()) else { return };
        let (tera, sources) = &*templates;
        let renderer = Renderer::new(tera, sources, &good.handbook, &good.derived, &self.history);
        let mut ds = Diagnostics::new();
        for page in renderer.render_paths([path.to_string()].iter(), &mut ds) {
            good.pages.insert(page.path, Arc::new(page.content));
        }
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
        for page in &fresh {
            self.stale.remove(&page.path);
        }
        // Search files the new index no longer has (fewer shards or documents).
        for p in stale_search_files(&good.pages, &search_paths(&fresh)) {
            good.pages.remove(&p);
            changed.push(p);
        }
        for page in fresh {
            if good.pages.get(&page.path).is_none_or(|old| **old != page.content) {
                changed.push(page.path.clone());
                good.pages.insert(page.path, Arc::new(page.content));
            }
        }
        changed
    }
}

/// The paths of the search index's files among `pages`.
fn search_paths(pages: &[Page]) -> HashSet<String> {
    pages.iter().filter(|p| p.path.starts_with(urls::SEARCH_DIR)).map(|p| p.path.clone()).collect()
}

/// The search index's files in `pages` that the index just made does not have.
fn stale_search_files(pages: &Pages, made: &HashSet<String>) -> Vec<String> {
    pages
        .range(urls::SEARCH_DIR.to_string()..)
        .take_while(|(p, _)| p.starts_with(urls::SEARCH_DIR))
        .filter(|(p, _)| !made.contains(*p))
        .map(|(p, _)| p.clone())
        .collect()
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

/// A full in-memory build of the same files, for comparison in tests.
pub fn full_build_pages(options: &Options) -> Result<BTreeMap<String, Vec<u8>>, Diagnostics> {
    let mut ds = Diagnostics::new();
    let Some(crate::pipeline::Compiled { pages, statics, .. }) =
        crate::pipeline::compile(options, &mut ds, &mut Timings::default())
    else {
        return Err(ds);
    };
    let mut out: BTreeMap<String, Vec<u8>> = pages.into_iter().map(|Page { path, content }| (path, content)).collect();
    for (rel, path) in statics {
        out.insert(rel, std::fs::read(path).unwrap_or_default());
    }
    Ok(out)
}
