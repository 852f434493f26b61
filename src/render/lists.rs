//! The list pages: the entries of a kind, the sources, the tags.

use super::views::{EntryRef, TagRef};
use super::{Page, Renderer};
use crate::content::Kind;
use crate::diagnostic::Diagnostics;
use crate::model::Entry;
use crate::urls;

impl<'a> Renderer<'a> {
    /// The list of the entries of one kind.
    pub(super) fn kind_page(&self, kind: Kind, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let d = self.derived;
        let path = urls::kind_index(kind);
        let root = urls::root_of(&path);
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
                let cited_by: Vec<EntryRef> =
                    d.cited_by.get(key).map(|v| v.iter().map(|&i| self.entry_ref(i, "")).collect()).unwrap_or_default();
                serde_json::json!({"key": key, "html": html, "cited_by": cited_by})
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
