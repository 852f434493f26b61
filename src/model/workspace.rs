//! The per-file workspace: every source and what was computed from it, kept
//! so that a change to a few files recomputes only what depends on them
//! (`handbook serve`). A full build is a workspace made once.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::anchors::{AnchorChecks, HOME, anchor_targets, check_anchors};
use super::check::Checker;
use super::entry::{Entries, Entry, Handbook, Home};
use crate::cite::Bibliography;
use crate::cite::cache::CitationCache;
use crate::content::Kind;
use crate::content::fields::FrontMatter;
use crate::content::front_matter::{self, Parsed};
use crate::content::load::{EntryFile, Loaded, SourceFile};
use crate::content::site::SiteConfig;
use crate::content::yaml_index::YamlIndex;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::markdown::{CrossLink, LinkTarget, LinkTargets};
use crate::timings::Timings;

/// Where links can point (by source path), the ids that exist, the files
/// that repeat an id (by index), the problems found building it, and the
/// index of the file that holds each id.
pub(super) type LinkIndex = (LinkTargets, HashMap<String, Kind>, HashSet<usize>, Diagnostics, HashMap<String, usize>);

/// Options that change what is built.
#[derive(Clone, Debug, Default)]
pub struct ModelOptions {
    /// Include entries marked `draft: true`.
    pub drafts: bool,
    /// Where rendered citations are kept between runs (see
    /// [`crate::cite::cache`]); `None` keeps nothing.
    pub cache_dir: Option<PathBuf>,
    /// Keep each file's parsed front matter, so that [`Workspace::update`]
    /// can recompile a changed file against the others (`handbook serve`).
    /// Without it (a build) each file is parsed, compiled and let go in one
    /// step: the front matter and its positions took more memory than the
    /// compiled entries.
    pub incremental: bool,
}

/// Builds the model from loaded files. Returns None when something essential
/// (site.yaml) is unusable; otherwise returns what could be built, with every
/// problem in `diagnostics`.
pub fn from_loaded(
    loaded: &Loaded,
    content_dir: &Path,
    options: &ModelOptions,
    diagnostics: &mut Diagnostics,
) -> Option<Handbook> {
    let workspace = Workspace::new(loaded.clone(), content_dir, options.clone());
    diagnostics.extend(workspace.diagnostics());
    workspace.handbook()
}

/// One entry file compiled: its problems, and the entry unless it could not be made.
pub(super) type CompiledFile = (Diagnostics, Option<Arc<Entry>>);

pub(super) type ParsedFile = (Diagnostics, Option<(usize, Parsed<FrontMatter>)>);

/// The handbook's sources and everything computed from each of them, kept
/// per file so that a change to a few files recomputes only what depends on
/// them (`handbook serve`). A full build is a workspace made once.
pub struct Workspace {
    pub(super) content_dir: PathBuf,
    pub(super) options: ModelOptions,
    pub(super) loaded: Loaded,
    pub(super) site: Option<(SiteConfig, YamlIndex)>,
    /// Problems of site.yaml, references.bib and the loading of files.
    pub(super) global: Diagnostics,
    pub(super) bibliography: Arc<Bibliography>,
    /// Per entry file (aligned with `loaded.entries`): front matter, then
    /// the compiled entry. Without [`ModelOptions::incremental`] the front
    /// matter is not kept (`parsed` is empty) and is parsed again where a
    /// message needs its positions.
    pub(super) parsed: Vec<ParsedFile>,
    /// Ids of the drafts left out of the build, found while compiling when
    /// `parsed` is not kept.
    pub(super) drafts_left_out: HashSet<String>,
    pub(super) compiled: Vec<CompiledFile>,
    /// How many of `compiled` have problems: when none do, listing the
    /// problems does not visit every entry.
    pub(super) with_problems: usize,
    pub(super) home: (Diagnostics, Arc<Home>),
    /// Problems found across files: duplicate ids, broken anchors.
    pub(super) cross: Diagnostics,
    /// Relations that lead back to where they started (A part of B, B part of A).
    pub(super) cycles: Diagnostics,
    /// Where links can point, kept until the set of entries changes.
    pub(super) links: Option<LinkIndex>,
    /// Anchor links across files, kept until the set of entries changes.
    pub(super) anchors: Option<AnchorChecks>,
    /// The compiled entries in the handbook's order (kind, date, id),
    /// updated entry by entry (sorting them all touched every entry on every save).
    pub(super) order: Option<Entries>,
}

/// What changed in a workspace update, for deciding which pages to render.
#[derive(Clone, Debug, Default)]
pub struct Updated {
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
                        file.error(
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
        let parsed: Vec<ParsedFile> =
            if options.incremental { loaded.entries.par_iter().map(parse_file).collect() } else { Vec::new() };
        let mut ws = Workspace {
            content_dir: content_dir.to_path_buf(),
            options,
            loaded,
            site,
            global,
            bibliography,
            parsed,
            drafts_left_out: HashSet::new(),
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
        if !ws.drafts_left_out.is_empty() {
            // Links and relations to drafts were taken as good while the
            // drafts were not yet known: compile again what points to one.
            ws.links = None;
            let drafts = &ws.drafts_left_out;
            let points_to_draft = |e: &Entry| {
                e.links.iter().any(|l| l.target.as_ref().is_some_and(|t| drafts.contains(t)))
                    || e.relations.iter().any(|(_, t)| drafts.contains(t))
            };
            let again: Vec<usize> =
                (0..ws.compiled.len()).filter(|&i| ws.compiled[i].1.as_deref().is_some_and(points_to_draft)).collect();
            let home = ws.home.1.links.iter().any(|l| l.target.as_ref().is_some_and(|t| drafts.contains(t)));
            ws.recompile(&again, home, &mut Timings::new());
        }
        ws
    }

    /// The front matter of entry file `i`: kept, or parsed again.
    pub(super) fn parsed(&self, i: usize) -> Cow<'_, ParsedFile> {
        kept_or_parsed(self.parsed.get(i), &self.file(i))
    }

    /// Entry file `i` with its text: as kept, or read again if a build has
    /// let the text go.
    pub(super) fn file(&self, i: usize) -> Cow<'_, EntryFile> {
        let file = &self.loaded.entries[i];
        if self.options.incremental { Cow::Borrowed(file) } else { with_text(file) }
    }

    /// The text of the file at `path` (an entry file or `index.md`), for a
    /// message's position: as kept, or read again.
    pub(super) fn text_of(&self, path: &Path) -> Cow<'_, str> {
        let same = |s: &SourceFile| s.path.as_os_str() == path.as_os_str();
        if let Some(i) = self.loaded.entries.iter().position(|f| same(&f.source)) {
            return match self.file(i) {
                Cow::Borrowed(file) => Cow::Borrowed(file.source.text.as_str()),
                Cow::Owned(file) => Cow::Owned(file.source.text),
            };
        }
        Cow::Borrowed(self.loaded.home.iter().find(|s| same(s)).map_or("", |s| s.text.as_str()))
    }

    /// Recompiles the entries at `which` (and the home page if `home`), then
    /// redoes the cross-file checks.
    pub(super) fn recompile(&mut self, which: &[usize], home: bool, timings: &mut Timings) {
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
        let citation_notes = self.site.as_ref().map(|(c, _)| c.citation_notes).unwrap_or_default();
        let checker =
            Checker { bibliography: &self.bibliography, targets, ids, relations: &relations, raw_html, citation_notes };
        let drafts = self.options.drafts;
        let compile = |i: usize, file: &EntryFile| {
            let parsed = kept_or_parsed(self.parsed.get(i), file);
            let (ds, p) = parsed.as_ref();
            let mut ds = ds.clone();
            let left_out = p.as_ref().is_some_and(|(_, p)| p.front_matter.draft) && !drafts;
            let entry = match p {
                Some((body_offset, p)) if !duplicate.contains(&i) && !left_out => {
                    checker.entry(file, *body_offset, p, &mut ds).map(Arc::new)
                }
                _ => None,
            };
            (i, (ds, entry), left_out)
        };
        let results: Vec<(usize, CompiledFile, bool)> = if self.options.incremental {
            which.par_iter().map(|&i| compile(i, &self.loaded.entries[i])).collect()
        } else {
            // A build lets each file's text go once it is compiled (the
            // entries take its room as they are made; at 100,000 entries
            // the texts are half a gigabyte), and reads it again in the
            // rare case a message needs it later (see `file`).
            let mut chosen = vec![false; self.loaded.entries.len()];
            which.iter().for_each(|&i| chosen[i] = true);
            let mut files = std::mem::take(&mut self.loaded.entries);
            let results = files
                .par_iter_mut()
                .enumerate()
                .filter(|(i, _)| chosen[*i])
                .map(|(i, file)| {
                    let result = compile(i, &with_text(file));
                    file.source.text = String::new();
                    result
                })
                .collect();
            self.loaded.entries = files;
            results
        };
        if !self.options.incremental {
            let left_out = results.iter().filter(|r| r.2).map(|r| self.loaded.entries[r.0].id.clone());
            self.drafts_left_out.extend(left_out);
        }
        let results: Vec<(usize, CompiledFile)> = results.into_iter().map(|(i, c, _)| (i, c)).collect();
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
            check_anchors(
                own_id,
                file,
                links,
                &target_of,
                &|path| self.text_of(path).into_owned(),
                &duplicate_ids,
                &mut found,
            );
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
            .chain(self.drafts_left_out.iter().map(String::as_str))
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
                LinkTarget { id: id.to_string(), url: crate::urls::entry(kind, id) },
            );
            ids.entry(id.to_string()).or_insert(kind);
        }
        targets.insert("index.md".into(), LinkTarget { id: String::new(), url: crate::urls::HOME.into() });
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
}

/// The entry file with its text: as it is, or, if a build has let the text
/// go once the file was compiled, read again from disk (as it is if it
/// cannot be read now).
fn with_text(file: &EntryFile) -> Cow<'_, EntryFile> {
    if !file.source.text.is_empty() {
        return Cow::Borrowed(file);
    }
    match crate::content::load::read_text(&file.source.path, &mut Diagnostics::new()) {
        Some(source) => Cow::Owned(EntryFile { source, ..file.clone() }),
        None => Cow::Borrowed(file),
    }
}

/// A file's front matter: as kept, or parsed from `file`.
fn kept_or_parsed<'a>(kept: Option<&'a ParsedFile>, file: &EntryFile) -> Cow<'a, ParsedFile> {
    match kept {
        Some(p) => Cow::Borrowed(p),
        None => Cow::Owned(parse_file(file)),
    }
}

pub(super) fn parse_file(file: &EntryFile) -> ParsedFile {
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
