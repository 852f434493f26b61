//! Stage 4: what follows from the entries as a whole.
//!
//! Backlinks ("Mentioned in"), the inverse of every typed relation, the
//! chronology grouped by year, tags, and which entries cite each source. Each
//! is built with one pass over the entries and a map, never by searching, so
//! the cost grows linearly with the handbook. When a few entries change and
//! none moves, [`Derived::patched`] brings an earlier result up to date with
//! work that grows with what the changed entries touch (`handbook serve`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::content::Kind;
use crate::content::date::PartialDate;
use crate::content::site::RelationLabels;
use crate::model::{Entries, Entry, Handbook};

/// A group of related entries under one label ("Followed by": [...]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationGroup {
    pub label: Arc<str>,
    /// The relation's name in `site.yaml` (`follows`).
    pub relation: Arc<str>,
    /// Whether the entry declares the relation (`follows`), rather than
    /// another entry declaring it towards this one (`followed by`); both for
    /// a symmetric relation.
    pub declared_here: bool,
    /// Indexes into `Handbook::entries`.
    pub entries: Vec<usize>,
}

/// One event in the chronology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChronologyItem {
    /// Index of the entry in `Handbook::entries`.
    pub entry: usize,
    /// Index of the event in the entry's `events`.
    pub event: usize,
}

/// The events of one year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Year {
    pub year: i32,
    pub items: Vec<ChronologyItem>,
    /// Number of events per kind, in `Kind::ALL` order.
    pub by_kind: [usize; Kind::ALL.len()],
}

/// Everything derived from the entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Derived {
    /// Per entry: entries whose text links to it (sorted by title, each once).
    pub mentioned_in: Vec<Vec<usize>>,
    /// Per entry: its connections, one group per label, in the order of the
    /// relations' names, each relation's inverse right after it (`Follows`,
    /// `Followed by`), a symmetric relation once whichever side declares it.
    pub connections: Vec<Vec<RelationGroup>>,
    /// Years with events, ascending; every year between the first and last is present.
    pub years: Vec<Year>,
    /// Tag (as written) → its slug and the entries with it.
    pub tags: BTreeMap<String, (String, Vec<usize>)>,
    /// Citation key → entries citing it.
    pub cited_by: HashMap<String, Vec<usize>>,
    /// Per entry kind, the entries of that kind (indexes), in `Kind::ALL` order.
    pub by_kind: [Vec<usize>; Kind::ALL.len()],
    /// Home page: entries it links to, for completeness of backlinks.
    pub home_links: Vec<usize>,
    /// Entry id → its index in `Handbook::entries`.
    pub positions: HashMap<String, usize>,
}

fn kind_index(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).expect("every kind is in ALL")
}

/// For one entry and relation: the entries it declares the relation towards,
/// and those that declare it towards the entry.
type Sides = (BTreeSet<usize>, BTreeSet<usize>);

/// Derives backlinks, relations, chronology, tags and sources.
pub fn derive(handbook: &Handbook) -> Derived {
    // A plain slice: the sorts below look entries up by index many times.
    let entries: Vec<&Entry> = handbook.entries.iter().map(|e| &**e).collect();
    let positions: HashMap<String, usize> = entries.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
    let all: Vec<usize> = (0..entries.len()).collect();
    let mentioned_in = mentions(&entries, &positions, &all);
    let connections = connections(&entries, &positions, &handbook.site.relations, &all);
    let years = chronology(&entries);
    let tags = tags(&entries);
    let cited_by = cited_by(&entries);
    let mut by_kind: [Vec<usize>; Kind::ALL.len()] = Default::default();
    for (i, e) in entries.iter().enumerate() {
        by_kind[kind_index(e.kind)].push(i);
    }
    let home_links = handbook
        .home
        .links
        .iter()
        .filter_map(|l| l.target.as_deref().and_then(|t| positions.get(t)).copied())
        .collect();
    Derived { mentioned_in, connections, years, tags, cited_by, by_kind, home_links, positions }
}

impl Derived {
    /// What [`derive`] gives for `new`, from what it gave for `old`, when
    /// the entries at `changed` are the only ones that differ and every
    /// entry (with the same home page) is where it was: a title, events,
    /// relations, tags or text edited. The backlinks and connections of the
    /// entries the changed ones touch are made again, the changed entries'
    /// events are put back in the chronology, tags and sources are listed
    /// again; nothing else is visited.
    pub fn patched(&self, old: &Handbook, new: &Handbook, changed: &[usize]) -> Derived {
        let entries: Vec<&Entry> = new.entries.iter().map(|e| &**e).collect();
        let before: Vec<&Entry> = old.entries.iter().map(|e| &**e).collect();
        let mut d = self.clone();
        // Whose backlinks and connections can differ: the changed entries,
        // what they linked or related to before and now, and what relates to them.
        let mut touched: BTreeSet<usize> = changed.iter().copied().collect();
        for &i in changed {
            for e in [before[i], entries[i]] {
                touched.extend(e.links.iter().filter_map(|l| l.target.as_deref().and_then(|t| self.positions.get(t))));
                touched.extend(e.relations.iter().filter_map(|(_, t)| self.positions.get(t)));
            }
        }
        let changed_ids: BTreeSet<&str> = changed.iter().map(|&i| entries[i].id.as_str()).collect();
        for (j, e) in entries.iter().enumerate() {
            if e.relations.iter().any(|(_, t)| changed_ids.contains(t.as_str())) {
                touched.insert(j);
            }
        }
        let touched: Vec<usize> = touched.into_iter().collect();
        // Backlinks of the touched entries, from every entry's links.
        let mentioned = mentions(&entries, &self.positions, &touched);
        let related = connections(&entries, &self.positions, &new.site.relations, &touched);
        for (k, &t) in touched.iter().enumerate() {
            d.mentioned_in[t] = mentioned[k].clone();
            d.connections[t] = related[k].clone();
        }
        // The chronology: the changed entries' events out, and in again.
        let same_events = changed.iter().all(|&i| {
            before[i].title == entries[i].title
                && before[i].events.len() == entries[i].events.len()
                && before[i].events.iter().zip(&entries[i].events).all(|(a, b)| a.date == b.date && a.title == b.title)
        });
        if !same_events {
            d.years = rechronicled(&self.years, &entries, changed).unwrap_or_else(|| chronology(&entries));
        }
        // Tags and sources: listed again when an entry's changed, re-sorted
        // where a changed entry's title moves it.
        let retitled: Vec<usize> = changed.iter().copied().filter(|&i| before[i].title != entries[i].title).collect();
        if changed.iter().any(|&i| before[i].tags != entries[i].tags) {
            d.tags = tags(&entries);
        } else if !retitled.is_empty() {
            for (_, list) in d.tags.values_mut() {
                if retitled.iter().any(|i| list.contains(i)) {
                    list.sort_by(by_title(&entries));
                }
            }
        }
        if changed.iter().any(|&i| before[i].notes.cited_keys != entries[i].notes.cited_keys) {
            d.cited_by = cited_by(&entries);
        } else {
            for &i in &retitled {
                for key in &entries[i].notes.cited_keys {
                    if let Some(list) = d.cited_by.get_mut(key) {
                        list.sort_by(by_title(&entries));
                    }
                }
            }
        }
        d
    }
}

/// Orders entries by title (then id), as every list of entries is.
fn by_title<'a>(entries: &'a [&'a Entry]) -> impl Fn(&usize, &usize) -> std::cmp::Ordering + 'a {
    move |a, b| (&entries[*a].title, &entries[*a].id).cmp(&(&entries[*b].title, &entries[*b].id))
}

/// For each entry of `which`, the entries whose text links to it.
fn mentions(entries: &[&Entry], positions: &HashMap<String, usize>, which: &[usize]) -> Vec<Vec<usize>> {
    let slot: HashMap<usize, usize> = which.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    let mut mentioned: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); which.len()];
    for (i, e) in entries.iter().enumerate() {
        for link in &e.links {
            if let Some(&t) = link.target.as_deref().and_then(|t| positions.get(t))
                && t != i
                && let Some(&k) = slot.get(&t)
            {
                mentioned[k].insert(i);
            }
        }
    }
    mentioned
        .into_iter()
        .map(|s| {
            let mut v: Vec<usize> = s.into_iter().collect();
            v.sort_by(by_title(entries));
            v
        })
        .collect()
}

/// For each entry of `which`, its connections (see [`Derived::connections`]).
fn connections(
    entries: &[&Entry],
    positions: &HashMap<String, usize>,
    labels: &BTreeMap<String, RelationLabels>,
    which: &[usize],
) -> Vec<Vec<RelationGroup>> {
    let slot: HashMap<usize, usize> = which.iter().enumerate().map(|(k, &i)| (i, k)).collect();
    // Each label and name once, shared by every group that shows it.
    let shared: HashMap<&str, Arc<str>> = labels
        .iter()
        .flat_map(|(n, l)| [n.as_str(), l.label.as_str(), l.inverse.as_str()])
        .map(|s| (s, Arc::from(s)))
        .collect();
    // (entry, relation name) → (declared there, declared towards it).
    let mut sides: Vec<BTreeMap<&str, Sides>> = vec![BTreeMap::new(); which.len()];
    for (i, e) in entries.iter().enumerate() {
        for (name, target) in &e.relations {
            let Some(&t) = positions.get(target.as_str()) else { continue };
            if !labels.contains_key(name) {
                continue;
            }
            if let Some(&k) = slot.get(&i) {
                sides[k].entry(name.as_str()).or_default().0.insert(t);
            }
            if let Some(&k) = slot.get(&t) {
                sides[k].entry(name.as_str()).or_default().1.insert(i);
            }
        }
    }
    sides
        .into_iter()
        .map(|by_name| {
            let mut groups: Vec<RelationGroup> = Vec::new();
            let mut add = |label: &str, relation: &str, declared_here: bool, set: BTreeSet<usize>| {
                if set.is_empty() {
                    return;
                }
                // One heading per label, even where two relations share it.
                match groups.iter_mut().find(|g| &*g.label == label) {
                    Some(g) => {
                        let new: Vec<usize> = set.into_iter().filter(|x| !g.entries.contains(x)).collect();
                        g.entries.extend(new);
                    }
                    None => groups.push(RelationGroup {
                        label: shared[label].clone(),
                        relation: shared[relation].clone(),
                        declared_here,
                        entries: set.into_iter().collect(),
                    }),
                }
            };
            // Typed relations first; a symmetric one (`related`, the loosest)
            // lists only the entries no other relation names.
            let (symmetric, typed): (Vec<_>, Vec<_>) =
                by_name.into_iter().partition(|(name, _)| labels[*name].symmetric);
            let mut named: BTreeSet<usize> = BTreeSet::new();
            for (name, (here, there)) in typed {
                let RelationLabels { label, inverse, .. } = &labels[name];
                named.extend(here.iter().chain(&there).copied());
                add(label, name, true, here);
                add(inverse, name, false, there);
            }
            for (name, (here, there)) in symmetric {
                add(
                    &labels[name].label,
                    name,
                    true,
                    here.union(&there).filter(|x| !named.contains(x)).copied().collect(),
                );
            }
            for g in &mut groups {
                g.entries.sort_by(by_title(entries));
            }
            groups
        })
        .collect()
}

/// How the chronology orders events: by date, then entry title, then event title.
fn chronology_order<'a>(
    entries: &'a [&'a Entry],
) -> impl Fn(&(PartialDate, usize, usize), &(PartialDate, usize, usize)) -> std::cmp::Ordering + 'a {
    move |a, b| {
        a.0.cmp(&b.0)
            .then_with(|| entries[a.1].title.cmp(&entries[b.1].title))
            .then_with(|| entries[a.1].events[a.2].title.cmp(&entries[b.1].events[b.2].title))
    }
}

/// The chronology: every event, grouped by year.
fn chronology(entries: &[&Entry]) -> Vec<Year> {
    let mut items: Vec<(PartialDate, usize, usize)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        for (j, ev) in e.events.iter().enumerate() {
            items.push((ev.date, i, j));
        }
    }
    items.sort_by(chronology_order(entries));
    let mut years: Vec<Year> = Vec::new();
    for (date, i, j) in items {
        let y = date.year();
        if years.last().is_none_or(|last| last.year != y) {
            // Fill gaps so the chart shows quiet years as zero.
            let mut next = years.last().map_or(y, |last| last.year + 1);
            while next < y {
                years.push(Year { year: next, items: Vec::new(), by_kind: [0; Kind::ALL.len()] });
                next += 1;
            }
            years.push(Year { year: y, items: Vec::new(), by_kind: [0; Kind::ALL.len()] });
        }
        let year = years.last_mut().expect("pushed above");
        year.by_kind[kind_index(entries[i].kind)] += 1;
        year.items.push(ChronologyItem { entry: i, event: j });
    }
    years
}

/// `years` with the events of the `changed` entries taken out and put back
/// where they now belong; None when one falls outside the years there are
/// (the caller then builds the chronology again).
fn rechronicled(years: &[Year], entries: &[&Entry], changed: &[usize]) -> Option<Vec<Year>> {
    let mut years = years.to_vec();
    let first = years.first()?.year;
    for year in &mut years {
        let before = year.items.len();
        year.items.retain(|it| !changed.contains(&it.entry));
        if year.items.len() != before {
            year.by_kind = [0; Kind::ALL.len()];
            for it in &year.items {
                year.by_kind[kind_index(entries[it.entry].kind)] += 1;
            }
        }
    }
    let order = chronology_order(entries);
    for &i in changed {
        for (j, ev) in entries[i].events.iter().enumerate() {
            let y = ev.date.year();
            let year = years.get_mut(usize::try_from(y - first).ok()?)?;
            let key = (ev.date, i, j);
            let at = year.items.partition_point(|it| {
                order(&(entries[it.entry].events[it.event].date, it.entry, it.event), &key).is_lt()
            });
            year.items.insert(at, ChronologyItem { entry: i, event: j });
            year.by_kind[kind_index(entries[i].kind)] += 1;
        }
    }
    // The first and last years hold events, as a fresh chronology's do.
    let empty = |y: &Year| y.items.is_empty();
    if years.first().is_some_and(empty) || years.last().is_some_and(empty) {
        return None;
    }
    Some(years)
}

/// Tags. Spellings with one slug (`Naval`, `naval`) are one tag, shown as
/// first written in the handbook's order, so no two tags share a page.
fn tags(entries: &[&Entry]) -> BTreeMap<String, (String, Vec<usize>)> {
    let mut tags: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut shown_as: HashMap<String, String> = HashMap::new();
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for tag in &e.tags {
            let slug = slugs.entry(tag).or_insert_with(|| crate::content::slug::slugify(tag)).clone();
            let shown = shown_as.entry(slug.clone()).or_insert_with(|| tag.clone()).clone();
            let slot = tags.entry(shown).or_insert_with(|| (slug, Vec::new()));
            // Entries come in order, so a repeat of the tag on this entry is the last one.
            if slot.1.last() != Some(&i) {
                slot.1.push(i);
            }
        }
    }
    for (_, v) in tags.values_mut() {
        v.sort_by(by_title(entries));
    }
    tags
}

/// Which entries cite each source.
fn cited_by(entries: &[&Entry]) -> HashMap<String, Vec<usize>> {
    let mut cited_by: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for key in &e.notes.cited_keys {
            cited_by.entry(key.clone()).or_default().push(i);
        }
    }
    for v in cited_by.values_mut() {
        v.sort_by(by_title(entries));
    }
    cited_by
}

/// Number of events on an entry's page, and their total: handy for summaries.
pub fn event_count(entries: &Entries) -> usize {
    entries.iter().map(|e| e.events.len()).sum()
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::model::{ModelOptions, Workspace};

    fn bundled() -> Handbook {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let mut ds = crate::diagnostic::Diagnostics::new();
        let loaded = crate::content::load::load(&content, &mut ds);
        Workspace::new(loaded, &content, ModelOptions::default()).handbook().expect("the bundled handbook")
    }

    /// `edit` applied to entry `i`: the patched result equals a fresh one.
    fn check(old: &Handbook, i: usize, what: &str, edit: impl Fn(&mut Entry, &Handbook)) {
        let before = derive(old);
        let mut entry = (*old.entries[i]).clone();
        edit(&mut entry, old);
        let mut new = old.clone();
        new.entries.set(i, Arc::new(entry));
        assert!(new.entries[i].order_key() == old.entries[i].order_key(), "{what}: the entry must not move");
        assert!(before.patched(old, &new, &[i]) == derive(&new), "{what} on {}", old.entries[i].id);
    }

    #[test]
    fn patched_equals_derived_afresh() {
        let h = bundled();
        let n = h.entries.len();
        let other = |h: &Handbook, i: usize| h.entries[(i + 7) % h.entries.len()].id.clone();
        for i in [0, 3, n / 2, n - 1] {
            check(&h, i, "title", |e, _| e.title = format!("A {} renamed", e.title));
            check(&h, i, "title to the end of the alphabet", |e, _| e.title = format!("Zz {}", e.title));
            check(&h, i, "relations dropped", |e, _| e.relations.clear());
            check(&h, i, "a relation added", |e, h| e.relations.push(("related".into(), other(h, i))));
            check(&h, i, "a typed relation added", |e, h| e.relations.push(("follows".into(), other(h, i))));
            check(&h, i, "links dropped", |e, _| e.links.clear());
            check(&h, i, "tags changed", |e, _| e.tags = vec!["naval".into(), "Новая метка".into()]);
            check(&h, i, "events reversed", |e, _| e.events.reverse());
            check(&h, i, "an event moved to another year", |e, _| {
                if let Some(ev) = e.events.first_mut() {
                    ev.date = PartialDate::parse("2011").unwrap();
                }
            });
            check(&h, i, "events dropped", |e, _| e.events.clear());
            check(&h, i, "sources dropped", |e, _| e.notes.cited_keys.clear());
        }
    }
}
