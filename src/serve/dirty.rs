//! Which pages an update touches: an entry's own page, and the pages that
//! list it, link to it or show its events, decided by comparing what each
//! kind of page shows of the entry before and after.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use crate::model::derive::Derived;
use crate::model::{Entry, Handbook};
use crate::urls;

/// What an entry looks like from other pages: lists, related entries, tags.
pub(super) fn list_signature(e: &Entry) -> String {
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
pub(super) fn event_signature(e: &Entry) -> String {
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

pub(super) fn link_targets(e: &Entry) -> BTreeSet<&str> {
    e.links.iter().filter_map(|l| l.target.as_deref()).filter(|t| !t.is_empty()).collect()
}

/// An entry changed since the last good output: where it was and where it
/// is now in the handbook's entries (None where it does not exist, or did
/// not compile).
pub(super) struct EntryChange {
    pub old: Option<(usize, Arc<Entry>)>,
    pub new: Option<(usize, Arc<Entry>)>,
}

impl EntryChange {
    /// True when `f` gives the same for the entry before and after.
    fn same<T: PartialEq>(&self, f: impl Fn(&Entry) -> T) -> bool {
        match (&self.old, &self.new) {
            (Some((_, a)), Some((_, b))) => f(a) == f(b),
            (None, None) => true,
            _ => false,
        }
    }

    fn both(&self) -> impl Iterator<Item = &Entry> {
        self.old.iter().chain(self.new.iter()).map(|(_, e)| &**e)
    }
}

/// The pages of its kind's list that show the changed entry: the one it is
/// on, when it keeps its place and date (its row and lane change, the
/// pages' date ranges do not); otherwise every page of the list, before and
/// after (rows move from page to page).
fn kind_list_pages(old_d: &Derived, new_d: &Derived, c: &EntryChange) -> Vec<String> {
    let place = |d: &Derived, (i, e): &(usize, Arc<Entry>)| {
        let list = &d.by_kind[crate::content::Kind::ALL.iter().position(|k| *k == e.kind)?];
        Some((e.kind, list.iter().position(|j| j == i)?, list.len()))
    };
    if let (Some(old), Some(new)) = (&c.old, &c.new) {
        let (a, b) = (place(old_d, old), place(new_d, new));
        if let Some((kind, position, _)) = a
            && a == b
            && old.1.date == new.1.date
            && old.1.end == new.1.end
        {
            return vec![urls::kind_page(kind, position / crate::render::KIND_PAGE_SIZE + 1)];
        }
    }
    let mut pages: Vec<String> = Vec::new();
    for e in c.both() {
        pages.extend(crate::render::kind_page_paths(old_d, e.kind));
        pages.extend(crate::render::kind_page_paths(new_d, e.kind));
    }
    pages
}

/// True when `derive` would give the same result after the changes as
/// before: as many entries, each changed entry still in its place, and none
/// different in what derivation reads (title, kind, dates, events, links,
/// relations, tags, cited sources). Entries that were not recompiled are
/// the same in both and keep their order, so only the changed are looked at.
pub(super) fn derivation_unchanged(old_len: usize, new_len: usize, changes: &[EntryChange]) -> bool {
    old_len == new_len
        && changes.iter().all(|c| match (&c.old, &c.new) {
            (Some((i, a)), Some((j, b))) => {
                i == j
                    && (Arc::ptr_eq(a, b)
                        || (list_signature(a) == list_signature(b)
                            && event_signature(a) == event_signature(b)
                            && link_targets(a) == link_targets(b)
                            && a.relations == b.relations
                            && a.tags == b.tags
                            && a.notes.cited_keys == b.notes.cited_keys))
            }
            (None, None) => true,
            _ => false,
        })
}

/// The pages that may differ between two states of the handbook, given the
/// entries that changed; None when every page must be rendered.
pub(super) fn dirty_pages(
    old: &Handbook,
    old_d: &Derived,
    new: &Handbook,
    new_d: &Derived,
    changes: &[EntryChange],
    home_changed: bool,
) -> Option<HashSet<String>> {
    // Counts shown in the navigation of every page, and the set of years
    // (year pages link to their neighbours).
    let counts = |h: &Handbook, d: &Derived| {
        (
            d.by_kind.iter().map(Vec::len).collect::<Vec<_>>(),
            crate::model::derive::event_count(&h.entries),
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
        dirty.insert(urls::HOME.into());
    }
    // Pages of the entries that show entry `i` in one of their lists, or that it shows.
    let neighbours = |h: &Handbook, d: &Derived, i: usize, out: &mut HashSet<String>| {
        for g in &d.connections[i] {
            out.extend(g.entries.iter().map(|&j| urls::entry(h.entries[j].kind, &h.entries[j].id)));
        }
        out.extend(d.mentioned_in[i].iter().map(|&j| urls::entry(h.entries[j].kind, &h.entries[j].id)));
        for t in link_targets(&h.entries[i]) {
            if let Some(&j) = d.positions.get(t) {
                out.insert(urls::entry(h.entries[j].kind, &h.entries[j].id));
            }
        }
    };
    // Every page of the years of its events, before and after (a long
    // year's events move between its pages).
    let years = |e: &Entry| {
        let mut pages: Vec<String> = Vec::new();
        for ev in &e.events {
            pages.extend(crate::render::year_page_paths(old_d, ev.date.year()));
            pages.extend(crate::render::year_page_paths(new_d, ev.date.year()));
        }
        pages
    };
    // The entries before and after entry `i` in its kind's list, whose pages link to it.
    let kind_neighbours = |h: &Handbook, d: &Derived, i: usize, out: &mut HashSet<String>| {
        let k = crate::content::Kind::ALL.iter().position(|k| *k == h.entries[i].kind).expect("every kind is in ALL");
        let list = &d.by_kind[k];
        if let Some(at) = list.iter().position(|&j| j == i) {
            for j in [at.checked_sub(1), Some(at + 1)].into_iter().flatten().filter_map(|p| list.get(p)) {
                out.insert(urls::entry(h.entries[*j].kind, &h.entries[*j].id));
            }
        }
    };
    let tags = |d: &Derived, e: &Entry| {
        e.tags.iter().filter_map(|t| d.tags.get(t).map(|(slug, _)| urls::tag(slug))).collect::<Vec<_>>()
    };
    if !changes.is_empty() {
        // The print page holds every entry.
        dirty.insert(urls::PRINT.into());
    }
    for c in changes {
        dirty.extend(c.both().map(|e| urls::entry(e.kind, &e.id)));
        let listed_same = c.same(list_signature);
        let events_same = c.same(event_signature);
        let links_same = c.same(|e| link_targets(e).into_iter().map(str::to_string).collect::<Vec<_>>());
        let relations_same = c.same(|e| e.relations.clone());
        let tags_same = c.same(|e| e.tags.clone());
        let cites_same = c.same(|e| e.notes.cited_keys.clone());
        if !listed_same || !links_same || !relations_same {
            if let Some((i, _)) = c.old {
                neighbours(old, old_d, i, &mut dirty);
            }
            if let Some((i, _)) = c.new {
                neighbours(new, new_d, i, &mut dirty);
            }
        }
        if !listed_same {
            if let Some((i, _)) = c.old {
                kind_neighbours(old, old_d, i, &mut dirty);
            }
            if let Some((i, _)) = c.new {
                kind_neighbours(new, new_d, i, &mut dirty);
            }
            dirty.extend(kind_list_pages(old_d, new_d, c));
            for e in c.both() {
                dirty.extend(years(e));
            }
            dirty.extend([urls::CHRONOLOGY, urls::SOURCES, urls::HOME].map(String::from));
        }
        if !listed_same || !tags_same {
            if let Some((_, e)) = &c.old {
                dirty.extend(tags(old_d, e));
            }
            if let Some((_, e)) = &c.new {
                dirty.extend(tags(new_d, e));
            }
            dirty.insert(urls::TAGS.into());
            // The chronology's rows and lanes carry the tags, for its filter.
            dirty.extend(kind_list_pages(old_d, new_d, c));
            for e in c.both() {
                dirty.extend(years(e));
            }
            dirty.insert(urls::CHRONOLOGY.into());
        }
        if !events_same {
            // The kind's list draws the entry's events in its timeline.
            dirty.extend(kind_list_pages(old_d, new_d, c));
            for e in c.both() {
                dirty.extend(years(e));
            }
            dirty.extend([urls::CHRONOLOGY, urls::HOME].map(String::from));
        }
        if !cites_same {
            dirty.insert(urls::SOURCES.into());
        }
    }
    Some(dirty)
}
