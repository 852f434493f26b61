//! `handbook serve`'s side of the workspace: a save applied file by file,
//! recompiling only the changed files and what depends on them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::workspace::{ParsedFile, Updated, Workspace, parse_file};
use crate::content::Kind;
use crate::content::load::EntryFile;
use crate::diagnostic::Diagnostics;
use crate::timings::Timings;

impl Workspace {
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

    /// Applies changed files (added, modified or removed; paths as the
    /// loader names them). Returns what changed, or None when the change
    /// needs a whole new workspace (site.yaml or references.bib, or a file
    /// outside the kinds' folders, or a workspace made without
    /// [`ModelOptions::incremental`]).
    pub fn update(
        &mut self,
        paths: &[PathBuf],
        load_diagnostics: &mut Diagnostics,
        timings: &mut Timings,
    ) -> Option<Updated> {
        if !self.options.incremental {
            // Nothing was kept to compile one file against the others.
            return None;
        }
        let mut change = Updated::default();
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
                    if !crate::content::slug::is_slug(&id)
                        || crate::content::slug::RESERVED_ENTRY_IDS.contains(&id.as_str())
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

pub(super) fn is_draft(parsed: &ParsedFile) -> bool {
    parsed.1.as_ref().is_some_and(|(_, p)| p.front_matter.draft)
}
