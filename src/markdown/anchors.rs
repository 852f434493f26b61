//! Heading ids: unique on a page, never one the templates or notes use.

use std::collections::HashSet;

/// A heading of the body, for anchors and tables of contents.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Ids the page templates use; headings never take them.
pub const TEMPLATE_IDS: &[&str] = &[
    "main",
    "top",
    "content",
    "notes",
    "notes-label",
    "bibliography",
    "events",
    "relations",
    "mentioned-in",
    "search",
    "cite-this",
    "search-input",
    "search-status",
    "note-preview",
    "toc-label",
    "home-timeline-title",
    "home-timeline-desc",
];

/// Hands out heading ids unique on a page.
#[derive(Clone, Debug, Default)]
pub struct Anchors {
    pub(super) taken: HashSet<String>,
}

impl Anchors {
    /// Anchors with the reserved ids and `taken` (e.g. event anchors) already used.
    pub fn new<'a>(taken: impl IntoIterator<Item = &'a str>) -> Anchors {
        let mut a = Anchors::default();
        a.taken.extend(TEMPLATE_IDS.iter().map(|s| s.to_string()));
        a.taken.extend(taken.into_iter().map(str::to_string));
        a
    }

    /// An id for a heading with `text`: its slug, made unique, never `note-…`.
    pub(super) fn claim(&mut self, wanted: &str) -> String {
        let mut base = heading_slug(wanted);
        if base.is_empty() {
            base = "section".to_string();
        }
        if base.starts_with("note-") || base.starts_with("noteref-") || base.starts_with("ref-") {
            base = format!("h-{base}");
        }
        let mut id = base.clone();
        let mut n = 1;
        while self.taken.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        id
    }

    pub fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }
}

/// GitHub-style heading slug: lowercase, letters and digits kept (any script),
/// spaces to hyphens, other punctuation dropped.
pub fn heading_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == ' ' || c == '-' || c == '_' {
            out.push('-');
        }
    }
    out
}
