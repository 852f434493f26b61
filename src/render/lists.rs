//! The list pages: the entries of a kind, the sources, the tags.

use super::views::{EntryRef, TagRef, pager};
use super::{Page, Renderer};
use crate::content::Kind;
use crate::diagnostic::Diagnostics;
use crate::model::Entry;
use crate::model::derive::Derived;
use crate::urls;

/// The most entries one page of a kind's list holds; a longer list is
/// split into pages in date order (10,000 generated entries made one list
/// of 7.9 MB, 100,000 one of 79 MB).
pub const PAGE_SIZE: usize = 500;

/// The most citing entries the Sources page names under one source; the
/// rest are counted (10,000 generated entries made a 5.5 MB page, 100,000
/// one of 56 MB). `handbook.json` has them all.
const CITED_BY_SHOWN: usize = 100;

/// How many pages the list of `kind` takes (at least one, even empty).
pub(super) fn page_count(d: &Derived, kind: Kind) -> usize {
    d.by_kind[Kind::ALL.iter().position(|k| *k == kind).expect("kind")].len().div_ceil(PAGE_SIZE).max(1)
}

/// The paths of every page of the list of `kind`.
pub fn kind_page_paths(d: &Derived, kind: Kind) -> Vec<String> {
    (1..=page_count(d, kind)).map(|n| urls::kind_page(kind, n)).collect()
}

impl<'a> Renderer<'a> {
    /// The list of the entries of one kind.
    pub(super) fn kind_page(&self, kind: Kind, n: usize, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let d = self.derived;
        let path = urls::kind_page(kind, n);
        let root = urls::root_of(&path);
        let all = &d.by_kind[Kind::ALL.iter().position(|k| *k == kind).expect("kind")];
        let pages = page_count(d, kind);
        let list = all.chunks(PAGE_SIZE).nth(n - 1).unwrap_or_default();
        let title = if pages > 1 {
            format!("{}, page {n} of {pages}", kind.plural_title())
        } else {
            kind.plural_title().to_string()
        };
        let mut ctx = self.context(&path, &title, "", kind.folder());
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
        ctx.insert("total", &all.len());
        // The pages of a long list, each named by the dates it spans.
        let pager = pager(
            all,
            PAGE_SIZE,
            n,
            |k| format!("{root}{}", urls::kind_page(kind, k)),
            |&i| h.entries[i].date.to_string(),
        );
        ctx.insert("pages", &pager);
        ctx.insert("page_number", &n);
        ctx.insert("pager_label", &format!("Pages of the {}", kind.plural_title().to_lowercase()));
        let title = format!("Timeline of the {}", kind.plural_title().to_lowercase());
        ctx.insert("timeline_svg", &self.lanes_timeline(list, &root, "timeline", &title));
        self.render("kind.html", &path, &ctx, ds)
    }

    /// Every source, with the entries that cite it.
    pub(super) fn sources_page(&self, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let path = urls::SOURCES;
        let mut ctx =
            self.context(path, "Sources", "Every source the handbook cites, with the entries that cite it.", "sources");
        let d = self.derived;
        let rendered = h.bibliography.render_all();
        let sources: Vec<serde_json::Value> = rendered
            .iter()
            .map(|(key, html)| {
                let all: &[usize] = d.cited_by.get(key).map(Vec::as_slice).unwrap_or_default();
                let cited_by: Vec<EntryRef> = all.iter().take(CITED_BY_SHOWN).map(|&i| self.entry_ref(i, "")).collect();
                let more = all.len() - cited_by.len();
                serde_json::json!({"key": key, "html": html, "cited_by": cited_by, "more": more})
            })
            .collect();
        ctx.insert("sources", &sources);
        self.render("sources.html", path, &ctx, ds)
    }

    /// The list of tags.
    pub(super) fn tags_page(&self, ds: &mut Diagnostics) -> Option<Page> {
        let _h = self.handbook;
        let d = self.derived;
        let path = urls::TAGS;
        let root = urls::root_of(path);
        let mut ctx = self.context(path, "Tags", "", "tags");
        let tags: Vec<TagRef> = d.tags.keys().map(|t| self.tag_ref(t, &root)).collect();
        ctx.insert("tags", &tags);
        self.render("tags.html", path, &ctx, ds)
    }

    /// The entries with one tag.
    pub(super) fn tag_page(&self, tag: &str, ds: &mut Diagnostics) -> Option<Page> {
        let _h = self.handbook;
        let d = self.derived;
        let (slug, list) = &d.tags[tag];
        let path = urls::tag(slug);
        let root = urls::root_of(&path);
        let mut ctx = self.context(&path, &format!("Tag: {tag}"), "", "tags");
        ctx.insert("tag", &tag);
        ctx.insert("entries", &list.iter().map(|&i| self.entry_ref(i, &root)).collect::<Vec<_>>());
        self.render("tag.html", &path, &ctx, ds)
    }

    pub(super) fn tag_ref(&self, tag: &str, root: &str) -> TagRef {
        let (slug, list) = self.derived.tags.get(tag).map(|(s, l)| (s.as_str(), l.len())).unwrap_or(("", 0));
        TagRef { name: tag.to_string(), slug: slug.to_string(), url: format!("{root}{}", urls::tag(slug)), count: list }
    }
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
