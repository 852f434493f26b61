//! Stage 3: the handbook as checked data.
//!
//! Turns loaded files into [`Entry`] values: ids, partial dates, events with
//! their anchors, typed relations, citations and rendered Markdown, all
//! checked. Problems are reported with their positions; an entry with errors
//! is still kept where possible so later checks (links to it, for instance)
//! do not cascade into noise.

pub mod derive;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::cite::cache::CitationCache;
use crate::cite::{Bibliography, CiteItem, check_keys, parse_citation};
use crate::content::date::{DateError, PartialDate};
use crate::content::front_matter::{self, DateText, Domain, ExerciseFormat, FrontMatter, OneOrMany, Parsed};
use crate::content::load::{EntryFile, Kind, Loaded, SourceFile, is_slug};
use crate::content::site::SiteConfig;
use crate::content::yaml_index::YamlIndex;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, nearest};
use crate::markdown::{self, Anchors, CrossLink, FinishedNotes, Heading, LinkTarget, LinkTargets, PageNotes};
use crate::timings::Timings;

/// Where links can point (by source path), the ids that exist, the files
/// that repeat an id (by index), the problems found building it, and the
/// index of the file that holds each id.
type LinkIndex = (LinkTargets, HashMap<String, Kind>, HashSet<usize>, Diagnostics, HashMap<String, usize>);

/// Links to anchors in other entries, checked again only where a change
/// can affect them.
#[derive(Debug, Default)]
struct AnchorChecks {
    /// For each id, the files (entry index, or [`HOME`]) with a link to one of its anchors.
    linked_from: HashMap<String, HashSet<usize>>,
    /// The broken anchor links of each file that has some.
    problems: BTreeMap<usize, Diagnostics>,
}

/// The home page, where [`AnchorChecks`] names a file by entry index.
const HOME: usize = usize::MAX;

/// The links among `links` that name an anchor to check, with the anchor
/// and the id of the page it is on (`own_id` for the page's own anchors;
/// `#top` always exists, and the home page's anchors are its headings).
fn anchor_links<'a>(
    links: &'a [CrossLink],
    own_id: &'a str,
) -> impl Iterator<Item = (&'a CrossLink, &'a str, &'a str)> {
    links.iter().filter_map(move |l| {
        let anchor = l.anchor.as_deref().filter(|a| !a.is_empty() && *a != "top")?;
        let target = l.target.as_deref().unwrap_or(own_id);
        (!target.is_empty()).then_some((l, anchor, target))
    })
}

/// The ids whose anchors `links` point to.
fn anchor_targets<'a>(links: &'a [CrossLink], own_id: &'a str) -> impl Iterator<Item = &'a str> {
    anchor_links(links, own_id).map(|(_, _, target)| target)
}

/// Options that change what is built.
#[derive(Clone, Debug, Default)]
pub struct ModelOptions {
    /// Include entries marked `draft: true`.
    pub drafts: bool,
    /// Where rendered citations are kept between runs (see
    /// [`crate::cite::cache`]); `None` keeps nothing.
    pub cache_dir: Option<PathBuf>,
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

    /// What orders the handbook's entries: kind, then date, then id.
    pub fn order_key(&self) -> (Kind, PartialDate, &str) {
        (self.kind, self.date, &self.id)
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
#[derive(Clone)]
pub struct Handbook {
    pub site: SiteConfig,
    pub bibliography: Arc<Bibliography>,
    pub home: Arc<Home>,
    /// Entries sorted by kind, then date, then id ([`Entry::order_key`]).
    pub entries: Entries,
}

/// The handbook's entries in order: a persistent vector, so that a copy of
/// the handbook costs nothing and changing one entry copies only the path to
/// it. (`handbook serve` keeps the last good handbook beside the one being
/// updated; copying 10,000 entry references on every save touched memory
/// all over the heap, and was most of a save's time once that memory had
/// gone cold.)
pub type Entries = imbl::Vector<Arc<Entry>>;

impl Handbook {
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id).map(|e| &**e)
    }

    /// Where `entry` (or the entry with its id, kind and dates) is in
    /// [`Handbook::entries`], found by binary search.
    pub fn position(&self, entry: &Entry) -> Option<usize> {
        let key = entry.order_key();
        self.entries.binary_search_by(|e| e.order_key().cmp(&key)).ok()
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
    let workspace = Workspace::new(loaded.clone(), content_dir, options.clone());
    diagnostics.extend(workspace.diagnostics());
    workspace.handbook()
}

type ParsedFile = (Diagnostics, Option<(usize, Parsed<FrontMatter>)>);

/// The handbook's sources and everything computed from each of them, kept
/// per file so that a change to a few files recomputes only what depends on
/// them (`handbook serve`). A full build is a workspace made once.
pub struct Workspace {
    content_dir: PathBuf,
    options: ModelOptions,
    loaded: Loaded,
    site: Option<(SiteConfig, YamlIndex)>,
    /// Problems of site.yaml, references.bib and the loading of files.
    global: Diagnostics,
    bibliography: Arc<Bibliography>,
    /// Per entry file (aligned with `loaded.entries`): front matter, then the compiled entry.
    parsed: Vec<ParsedFile>,
    compiled: Vec<(Diagnostics, Option<Arc<Entry>>)>,
    /// How many of `compiled` have problems: when none do, listing the
    /// problems does not visit every entry.
    with_problems: usize,
    home: (Diagnostics, Arc<Home>),
    /// Problems found across files: duplicate ids, broken anchors.
    cross: Diagnostics,
    /// Relations that lead back to where they started (A part of B, B part of A).
    cycles: Diagnostics,
    /// Where links can point, kept until the set of entries changes.
    links: Option<LinkIndex>,
    /// Anchor links across files, kept until the set of entries changes.
    anchors: Option<AnchorChecks>,
    /// The compiled entries in the handbook's order (kind, date, id),
    /// updated entry by entry (sorting them all touched every entry on every save).
    order: Option<Entries>,
}

/// What changed in a workspace update, for deciding which pages to render.
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// Ids of entries recompiled (or removed).
    pub entries: Vec<String>,
    /// True when the home page's text changed.
    pub home: bool,
    /// True when everything was rebuilt (site.yaml or references.bib changed).
    pub everything: bool,
}

impl Workspace {
    /// Loads nothing itself: takes the files read by [`crate::content::load::load`].
    pub fn new(loaded: Loaded, content_dir: &Path, options: ModelOptions) -> Workspace {
        let mut global = Diagnostics::new();
        let site = SiteConfig::load(loaded.site.as_ref(), content_dir, &mut global);
        let style = match &site {
            Some((config, index)) => match crate::cite::load_style(&config.citation_style) {
                Ok(s) => s,
                Err(hint) => {
                    let file = loaded.site.as_ref().expect("site was loaded");
                    global.push(
                        Diagnostic::error(
                            &file.path,
                            &file.text,
                            index.value("citation_style"),
                            format!("unknown citation style `{}`", config.citation_style),
                        )
                        .with_hint(hint),
                    );
                    crate::cite::load_style("chicago-notes").expect("bundled style")
                }
            },
            None => crate::cite::load_style("chicago-notes").expect("bundled style"),
        };
        let style_name = site.as_ref().map_or("chicago-notes", |(config, _)| config.citation_style.as_str());
        let cache = match &options.cache_dir {
            Some(dir) => CitationCache::open(dir, style_name),
            None => CitationCache::none(),
        };
        let bibliography =
            Arc::new(Bibliography::load(loaded.references.as_ref(), style, &mut global).with_cache(cache));
        // The Sources page needs the whole bibliography in the style's order,
        // a long render when it is not cached: start it now, beside the entries.
        let prefetch = bibliography.clone();
        rayon::spawn(move || {
            prefetch.render_all();
        });
        if loaded.references.is_none() {
            global.push(
                Diagnostic::file(
                    Severity::Warning,
                    content_dir.join("references.bib"),
                    "references.bib is missing, so nothing can be cited",
                )
                .with_hint("add content/references.bib (BibLaTeX, as Zotero or JabRef export it)"),
            );
        }
        let parsed: Vec<ParsedFile> = loaded.entries.par_iter().map(parse_file).collect();
        let mut ws = Workspace {
            content_dir: content_dir.to_path_buf(),
            options,
            loaded,
            site,
            global,
            bibliography,
            parsed,
            compiled: Vec::new(),
            with_problems: 0,
            home: (Diagnostics::new(), Arc::new(Home::default())),
            cross: Diagnostics::new(),
            cycles: Diagnostics::new(),
            links: None,
            anchors: None,
            order: None,
        };
        let all: Vec<usize> = (0..ws.loaded.entries.len()).collect();
        ws.compiled = vec![(Diagnostics::new(), None); ws.loaded.entries.len()];
        ws.recompile(&all, true, &mut Timings::new());
        ws
    }

    /// Recompiles the entries at `which` (and the home page if `home`), then
    /// redoes the cross-file checks.
    fn recompile(&mut self, which: &[usize], home: bool, timings: &mut Timings) {
        let links = self.links.take().unwrap_or_else(|| self.link_index());
        let (targets, ids, duplicate, cross, positions) = &links;
        // What the changed files linked to before, to forget it below.
        let owned = |links: &[CrossLink], id: &str| anchor_targets(links, id).map(str::to_string).collect::<Vec<_>>();
        let mut linked_before: Vec<(usize, Vec<String>)> =
            which.iter().filter_map(|&i| self.compiled[i].1.as_ref().map(|e| (i, owned(&e.links, &e.id)))).collect();
        if home {
            linked_before.push((HOME, owned(&self.home.1.links, "")));
        }
        let default_relations = crate::content::site::default_relations();
        let relations: Vec<&str> = match &self.site {
            Some((c, _)) => c.relations.keys().map(String::as_str).collect(),
            None => default_relations.keys().map(String::as_str).collect(),
        };
        let raw_html = self.site.as_ref().map(|(c, _)| c.raw_html).unwrap_or_default();
        let checker = Checker { bibliography: &self.bibliography, targets, ids, relations: &relations, raw_html };
        let drafts = self.options.drafts;
        let results: Vec<(usize, (Diagnostics, Option<Arc<Entry>>))> = which
            .par_iter()
            .map(|&i| {
                let file = &self.loaded.entries[i];
                let (ds, p) = &self.parsed[i];
                let mut ds = ds.clone();
                let entry = match p {
                    Some((body_offset, p)) if !duplicate.contains(&i) && (drafts || !p.front_matter.draft) => {
                        checker.entry(file, *body_offset, p, &mut ds).map(Arc::new)
                    }
                    _ => None,
                };
                (i, (ds, entry))
            })
            .collect();
        timings.lap("compile");
        // A cycle can only appear or go where relations changed.
        let full = self.order.is_none();
        let relations_changed = full
            || results.iter().any(|(i, (_, new))| {
                let relations = |e: &Option<Arc<Entry>>| e.as_ref().map(|e| e.relations.clone()).unwrap_or_default();
                relations(&self.compiled[*i].1) != relations(new)
            });
        for (i, r) in results {
            let old = std::mem::replace(&mut self.compiled[i], r);
            self.with_problems -= usize::from(!old.0.is_empty());
            self.with_problems += usize::from(!self.compiled[i].0.is_empty());
            let Some(order) = self.order.as_mut() else { continue };
            let new = &self.compiled[i].1;
            let place = |order: &Entries, e: &Entry| order.binary_search_by(|x| x.order_key().cmp(&e.order_key()));
            match (old.1, new) {
                // Most edits keep the entry where it was: replace it there.
                (Some(old), Some(new)) if old.order_key() == new.order_key() => {
                    if let Ok(at) = place(order, &old) {
                        order.set(at, new.clone());
                    }
                }
                (old, new) => {
                    if let Some(Ok(at)) = old.map(|old| place(order, &old)) {
                        order.remove(at);
                    }
                    if let Some(new) = new {
                        let at = place(order, new).unwrap_or_else(|at| at);
                        order.insert(at, new.clone());
                    }
                }
            }
        }
        if self.order.is_none() {
            let mut order: Vec<Arc<Entry>> = self.compiled.iter().filter_map(|(_, e)| e.clone()).collect();
            order.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
            self.order = Some(order.into_iter().collect());
        }
        timings.lap("order");
        if relations_changed {
            self.cycles = self.relation_cycles();
        }
        if home {
            let mut ds = Diagnostics::new();
            let h = match &self.loaded.home {
                Some(file) => checker.home(file, &mut ds),
                None => {
                    ds.push(
                        Diagnostic::file(Severity::Warning, self.content_dir.join("index.md"), "index.md is missing; the home page has no introduction")
                            .with_hint("add content/index.md with front matter `title` and `summary`, and the handbook's scope in Markdown"),
                    );
                    Home::default()
                }
            };
            self.home = (ds, Arc::new(h));
        }
        let duplicate_ids: HashSet<&str> = duplicate.iter().map(|&i| self.loaded.entries[i].id.as_str()).collect();
        let full = self.anchors.is_none();
        let sources: Vec<usize> = match &self.anchors {
            None => (0..self.compiled.len()).chain([HOME]).collect(),
            Some(checks) => {
                // The changed files, and the files that link to their anchors.
                let mut sources: BTreeSet<usize> = which.iter().copied().collect();
                if home {
                    sources.insert(HOME);
                }
                for &i in which {
                    sources.extend(checks.linked_from.get(&self.loaded.entries[i].id).into_iter().flatten());
                }
                sources.into_iter().collect()
            }
        };
        let mut checks = self.anchors.take().unwrap_or_default();
        for (source, targets) in linked_before {
            for target in targets {
                if let Some(set) = checks.linked_from.get_mut(&target) {
                    set.remove(&source);
                }
            }
        }
        let relinked: Vec<usize> =
            if full { sources.clone() } else { which.iter().copied().chain(home.then_some(HOME)).collect() };
        for source in relinked {
            let (links, id) = match source {
                HOME => (&self.home.1.links, ""),
                i => match &self.compiled[i].1 {
                    Some(e) => (&e.links, e.id.as_str()),
                    None => continue,
                },
            };
            for target in anchor_targets(links, id) {
                checks.linked_from.entry(target.to_string()).or_default().insert(source);
            }
        }
        let target_of = |id: &str| positions.get(id).and_then(|&i| self.compiled[i].1.as_deref());
        for source in sources {
            let mut found = Diagnostics::new();
            let (own_id, file, links) = match source {
                HOME => match &self.loaded.home {
                    Some(f) => ("", f.path.as_path(), &self.home.1.links),
                    None => continue,
                },
                i => match &self.compiled[i].1 {
                    Some(e) => (e.id.as_str(), e.file.as_path(), &e.links),
                    None => {
                        checks.problems.remove(&i);
                        continue;
                    }
                },
            };
            check_anchors(own_id, file, links, &target_of, &self.loaded, &duplicate_ids, &mut found);
            if found.is_empty() {
                checks.problems.remove(&source);
            } else {
                checks.problems.insert(source, found);
            }
        }
        let mut cross = cross.clone();
        for found in checks.problems.values() {
            cross.extend(found.iter().cloned());
        }
        self.cross = cross;
        self.anchors = Some(checks);
        self.links = Some(links);
        timings.lap("anchors");
    }

    /// One error for each cycle of a relation that is not symmetric (`alpha`
    /// part of `beta`, `beta` part of `alpha`), at the relation of the
    /// cycle's first entry by id, naming the whole cycle.
    fn relation_cycles(&self) -> Diagnostics {
        let mut ds = Diagnostics::new();
        let symmetric: HashSet<&str> = match &self.site {
            Some((c, _)) => c.relations.iter().filter(|(_, l)| l.symmetric).map(|(n, _)| n.as_str()).collect(),
            None => HashSet::from(["related"]),
        };
        // Per relation name: id → (entry index, targets).
        let mut graphs: BTreeMap<&str, BTreeMap<&str, (usize, Vec<&str>)>> = BTreeMap::new();
        for (i, (_, e)) in self.compiled.iter().enumerate() {
            let Some(e) = e else { continue };
            for (name, target) in &e.relations {
                if !symmetric.contains(name.as_str()) {
                    let node = graphs.entry(name).or_default().entry(&e.id).or_insert((i, Vec::new()));
                    node.1.push(target);
                }
            }
        }
        for (name, graph) in &graphs {
            let mut done: HashSet<&str> = HashSet::new();
            let mut cycles: BTreeSet<Vec<&str>> = BTreeSet::new();
            for &start in graph.keys() {
                // Depth-first from `start`, in id order; a path back to an id on it is a cycle.
                let mut path: Vec<(&str, usize)> = vec![(start, 0)];
                while let Some(&(node, next)) = path.last() {
                    let targets = graph.get(node).map(|(_, t)| t.as_slice()).unwrap_or_default();
                    let Some(&target) = targets.get(next) else {
                        done.insert(node);
                        path.pop();
                        continue;
                    };
                    path.last_mut().expect("not empty").1 += 1;
                    if let Some(at) = path.iter().position(|(n, _)| *n == target) {
                        // Turned to start at its first id, so each cycle is reported once.
                        let mut cycle: Vec<&str> = path[at..].iter().map(|(n, _)| *n).collect();
                        let first = (0..cycle.len()).min_by_key(|&k| cycle[k]).unwrap_or(0);
                        cycle.rotate_left(first);
                        cycles.insert(cycle);
                    } else if !done.contains(target) && graph.contains_key(target) {
                        path.push((target, 0));
                    }
                }
            }
            for cycle in cycles {
                ds.push(self.cycle_problem(name, &cycle, graph));
            }
        }
        ds
    }

    fn cycle_problem(&self, name: &str, cycle: &[&str], graph: &BTreeMap<&str, (usize, Vec<&str>)>) -> Diagnostic {
        let (i, _) = graph[cycle[0]];
        let next = cycle.get(1).copied().unwrap_or(cycle[0]);
        let file = &self.loaded.entries[i].source;
        let shown: Vec<&str> = cycle.iter().copied().chain([cycle[0]]).collect();
        let message = format!("`{name}` goes round in a circle: {}", shown.join(" → "));
        let hint = format!("an entry cannot be `{name}` of itself, even through others; remove one link of the circle");
        let span = match &self.parsed[i].1 {
            Some((_, p)) => {
                let targets = p.front_matter.relations.get(name);
                match targets.map(|t| (t.is_list(), t.as_slice().iter().position(|t| t == next))) {
                    Some((true, Some(k))) => p.value_span(&format!("relations.{name}[{k}]")),
                    _ => p.value_span(&format!("relations.{name}")),
                }
            }
            None => 0..0,
        };
        Diagnostic::error(&file.path, &file.text, span, message).with_hint(hint)
    }

    /// The index of the entry file at `path` (as the loader names it), whose id is `id`.
    fn position_of(&self, path: &Path, id: &str) -> Option<usize> {
        // Ids are nearly always unique: look the id up first (the index may
        // be stale within a batch that adds or removes files; the path tells).
        if let Some((.., positions)) = &self.links
            && let Some(&i) = positions.get(id)
            && self.loaded.entries.get(i).is_some_and(|f| f.source.path.as_os_str() == path.as_os_str())
        {
            return Some(i);
        }
        // The files are in path order, as the loader walks them; comparing
        // bytes makes sure (comparing paths component by component, 10,000
        // times, took longer than the rest of an update).
        let entries = &self.loaded.entries;
        match entries.binary_search_by(|f| f.source.path.as_path().cmp(path)) {
            Ok(i) => Some(i),
            Err(_) => entries.iter().position(|f| f.source.path.as_os_str() == path.as_os_str()),
        }
    }

    /// Where links can point, the ids that exist, and which files repeat an id.
    fn link_index(&self) -> LinkIndex {
        let mut cross = Diagnostics::new();
        let mut first_use: HashMap<&str, &Path> = HashMap::new();
        let mut duplicate = HashSet::new();
        for (i, file) in self.loaded.entries.iter().enumerate() {
            if let Some(other) = first_use.insert(&file.id, &file.source.path) {
                duplicate.insert(i);
                cross.push(
                    Diagnostic::file(Severity::Error, &file.source.path, format!("the id `{}` is already used by {}", file.id, other.display()))
                        .with_hint("ids are file names and must be unique across mechanisms, exercises and declarations; rename one file"),
                );
            }
        }
        // Every entry file is a target, even one whose front matter has errors
        // (its own errors are reported; links to it are not broken). Drafts
        // only when drafts are built.
        let mut targets = LinkTargets::default();
        let mut ids: HashMap<String, Kind> = HashMap::new();
        let drafts: HashSet<&str> = self
            .loaded
            .entries
            .iter()
            .zip(&self.parsed)
            .filter(|(_, (_, p))| p.as_ref().is_some_and(|(_, p)| p.front_matter.draft))
            .map(|(f, _)| f.id.as_str())
            .collect();
        let files = self
            .loaded
            .entries
            .iter()
            .map(|f| (f.kind, f.id.as_str()))
            .chain(self.loaded.unreadable.iter().map(|(k, id)| (*k, id.as_str())));
        for (kind, id) in files {
            if drafts.contains(id) && !self.options.drafts {
                continue;
            }
            targets.insert(
                format!("{}/{id}.md", kind.folder()),
                LinkTarget { id: id.to_string(), url: entry_url(kind, id) },
            );
            ids.entry(id.to_string()).or_insert(kind);
        }
        targets.insert("index.md".into(), LinkTarget { id: String::new(), url: "index.html".into() });
        let mut positions = HashMap::with_capacity(self.loaded.entries.len());
        for (i, file) in self.loaded.entries.iter().enumerate() {
            positions.entry(file.id.clone()).or_insert(i);
        }
        (targets, ids, duplicate, cross, positions)
    }

    /// Every problem, from every file.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut all = self.global.clone();
        // Each file's diagnostics include its front matter's.
        if self.with_problems > 0 {
            for (ds, _) in &self.compiled {
                all.extend(ds.iter().cloned());
            }
        }
        all.extend(self.home.0.iter().cloned());
        all.extend(self.cross.iter().cloned());
        all.extend(self.cycles.iter().cloned());
        all.sort();
        all
    }

    /// The handbook, or None when site.yaml is unusable.
    pub fn handbook(&self) -> Option<Handbook> {
        let (site, _) = self.site.as_ref()?;
        let entries = self.order.clone().unwrap_or_default();
        Some(Handbook {
            site: site.clone(),
            bibliography: self.bibliography.clone(),
            home: self.home.1.clone(),
            entries,
        })
    }

    /// The compiled entry with this id, if it compiled (and is not a draft
    /// left out of the build).
    pub fn entry(&self, id: &str) -> Option<&Arc<Entry>> {
        let i = match &self.links {
            Some((.., positions)) => *positions.get(id)?,
            None => self.loaded.entries.iter().position(|f| f.id == id)?,
        };
        self.compiled[i].1.as_ref()
    }

    /// The files as loaded (for snippets, and for the references download).
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// Applies changed files (added, modified or removed; paths as the
    /// loader names them). Returns what changed, or None when the change
    /// needs a whole new workspace (site.yaml or references.bib, or a file
    /// outside the kinds' folders).
    pub fn update(
        &mut self,
        paths: &[PathBuf],
        load_diagnostics: &mut Diagnostics,
        timings: &mut Timings,
    ) -> Option<Change> {
        let mut change = Change::default();
        let mut touched: Vec<usize> = Vec::new();
        let mut ids_changed = false;
        for path in paths {
            let rel = path.strip_prefix(&self.content_dir).ok()?;
            let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
            match parts.as_slice() {
                ["index.md"] => {
                    let mut ds = Diagnostics::new();
                    self.loaded.home =
                        if path.exists() { crate::content::load::read_text(path, &mut ds) } else { None };
                    load_diagnostics.extend(ds);
                    change.home = true;
                }
                [folder, file] if Kind::from_folder(folder).is_some() && file.ends_with(".md") => {
                    let kind = Kind::from_folder(folder).expect("checked");
                    let id = file.trim_end_matches(".md").to_string();
                    if !crate::content::load::is_slug(&id) || crate::content::load::RESERVED_IDS.contains(&id.as_str())
                    {
                        return None; // reported by a full load
                    }
                    let existing = self.position_of(path, &id);
                    let mut ds = Diagnostics::new();
                    let text = if path.exists() { crate::content::load::read_text(path, &mut ds) } else { None };
                    if !ds.is_empty() {
                        return None; // unreadable files: let a full load report them
                    }
                    match (existing, text) {
                        (Some(i), Some(source)) => {
                            let was_draft = is_draft(&self.parsed[i]);
                            // An edit of the body only (the usual one) keeps the front matter as parsed.
                            let old = &self.loaded.entries[i].source.text;
                            let same_front_matter = self.parsed[i]
                                .1
                                .as_ref()
                                .is_some_and(|(body, _)| source.text.get(..*body) == old.get(..*body));
                            self.loaded.entries[i].source = source;
                            if !same_front_matter {
                                self.parsed[i] = parse_file(&self.loaded.entries[i]);
                            }
                            // A draft coming or going changes what links can point to.
                            ids_changed |= was_draft != is_draft(&self.parsed[i]);
                            touched.push(i);
                        }
                        (Some(i), None) => {
                            self.loaded.entries.remove(i);
                            self.parsed.remove(i);
                            let (ds, _) = self.compiled.remove(i);
                            self.with_problems -= usize::from(!ds.is_empty());
                            touched.retain(|&t| t != i);
                            for t in &mut touched {
                                if *t > i {
                                    *t -= 1;
                                }
                            }
                            ids_changed = true;
                        }
                        (None, Some(source)) => {
                            let file = EntryFile { kind, id: id.clone(), source };
                            // Keep the loader's order (sorted by path) so results match a full build.
                            let at = self.loaded.entries.partition_point(|f| f.source.path < file.source.path);
                            self.parsed.insert(at, parse_file(&file));
                            self.compiled.insert(at, (Diagnostics::new(), None));
                            self.loaded.entries.insert(at, file);
                            for t in &mut touched {
                                if *t >= at {
                                    *t += 1;
                                }
                            }
                            touched.push(at);
                            ids_changed = true;
                        }
                        (None, None) => {}
                    }
                    change.entries.push(id);
                }
                _ => return None,
            }
        }
        if ids_changed {
            self.links = None;
            self.anchors = None;
            self.order = None;
        }
        // Entries whose links or relations name a changed id may resolve differently now.
        let mut which: HashSet<usize> = touched.into_iter().collect();
        // Only a change to the set of entries changes how others' links and
        // relations resolve (anchors are checked across files every time).
        if ids_changed {
            for (i, f) in self.loaded.entries.iter().enumerate() {
                if change.entries.iter().any(|id| f.source.text.contains(id.as_str())) {
                    which.insert(i);
                }
            }
        }
        let mut which: Vec<usize> = which.into_iter().collect();
        which.sort_unstable();
        for &i in &which {
            let id = &self.loaded.entries[i].id;
            if !change.entries.contains(id) {
                change.entries.push(id.clone());
            }
        }
        let home = change.home
            || self.loaded.home.as_ref().is_some_and(|h| change.entries.iter().any(|id| h.text.contains(id.as_str())));
        change.home = home;
        timings.lap("read");
        self.recompile(&which, home, timings);
        Some(change)
    }
}

fn is_draft(parsed: &ParsedFile) -> bool {
    parsed.1.as_ref().is_some_and(|(_, p)| p.front_matter.draft)
}

fn parse_file(file: &EntryFile) -> ParsedFile {
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
}

/// What entry checks look things up in.
struct Checker<'a> {
    bibliography: &'a Bibliography,
    targets: &'a LinkTargets,
    ids: &'a HashMap<String, Kind>,
    relations: &'a [&'a str],
    raw_html: crate::content::site::RawHtml,
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

    fn non_empty(&self, source: &SourceFile, p: &Parsed<FrontMatter>, path: &str, value: &str, ds: &mut Diagnostics) {
        if value.trim().is_empty() {
            ds.push(
                Diagnostic::error(&source.path, &source.text, p.key_span(path), format!("`{path}` is empty"))
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
                Diagnostic::error(
                    &source.path,
                    &source.text,
                    p.value_span(path),
                    format!("`{path}` is not written yet (it says TODO)"),
                )
                .with_hint(format!("replace the placeholder with the {path} of this entry")),
            );
        }
    }

    fn entry(
        &self,
        file: &EntryFile,
        body_offset: usize,
        p: &Parsed<FrontMatter>,
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
            if crate::content::load::slugify(tag).is_empty() {
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
            self.written(source, p, &format!("events[{i}].title"), &ev.title, ds);
            if let Some(place) = &ev.place {
                self.written(source, p, &format!("events[{i}].place"), place, ds);
            }
        }
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
            raw_html: self.raw_html,
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
            let note_html = note_field(
                ev.note.as_deref(),
                p.value_span(&format!("{base}.note")).start,
                &ctx,
                &mut notes,
                &mut anchors,
                &mut links,
                ds,
            );
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
                let cnote = note_field(
                    claim.note.as_deref(),
                    p.value_span(&format!("{cbase}.note")).start,
                    &ctx,
                    &mut notes,
                    &mut anchors,
                    &mut links,
                    ds,
                );
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
            raw_html: self.raw_html,
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
fn note_field(
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

/// Checks the `#anchor` of each of one file's cross-links against the ids of its target page.
fn check_anchors<'e>(
    own_id: &str,
    file: &Path,
    links: &[CrossLink],
    target_of: &impl Fn(&str) -> Option<&'e Entry>,
    loaded: &Loaded,
    ambiguous: &HashSet<&str>,
    diagnostics: &mut Diagnostics,
) {
    let has_anchor = |e: &Entry, anchor: &str| {
        markdown::RESERVED_IDS.contains(&anchor)
            || e.events.iter().any(|ev| ev.anchor == anchor)
            || e.headings.iter().any(|h| h.id == anchor)
            || e.notes.notes.iter().any(|n| n.id == anchor)
    };
    for (link, anchor, target) in anchor_links(links, own_id) {
        if ambiguous.contains(target) {
            continue; // reported already
        }
        let Some(target_entry) = target_of(target) else { continue };
        if !has_anchor(target_entry, anchor) {
            // The source text, for the snippet, is looked up only for a broken link.
            let text = loaded
                .entries
                .iter()
                .map(|f| &f.source)
                .chain(loaded.home.iter())
                .find(|s| s.path.as_os_str() == file.as_os_str())
                .map_or("", |s| s.text.as_str());
            let mut known: Vec<&str> = target_entry
                .events
                .iter()
                .map(|ev| ev.anchor.as_str())
                .chain(target_entry.headings.iter().map(|h| h.id.as_str()))
                .filter(|a| !markdown::RESERVED_IDS.contains(a) && !a.starts_with("note-"))
                .collect();
            known.sort();
            known.dedup();
            let hint = match nearest(anchor, known.iter().copied()) {
                Some(n) => format!("did you mean `#{n}`? The page has: {}", known.join(", ")),
                None => format!("the page's anchors are: {}", known.join(", ")),
            };
            diagnostics.push(
                Diagnostic::error(file, text, link.span.clone(), format!("`#{anchor}` is not an anchor of `{target}`"))
                    .with_hint(hint),
            );
        }
    }
}
