//! Stage 4: what follows from the entries as a whole.
//!
//! Backlinks ("Mentioned in"), the inverse of every typed relation, the
//! chronology grouped by year, tags, and which entries cite each source. Each
//! is built with one pass over the entries and a map, never by searching, so
//! the cost grows linearly with the handbook.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::content::Kind;
use crate::content::date::PartialDate;
use crate::content::site::RelationLabels;
use crate::model::{Entries, Entry, Handbook};

/// A group of related entries under one label ("Followed by": [...]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationGroup {
    pub label: String,
    /// The relation's name in `site.yaml` (`follows`).
    pub relation: String,
    /// Whether the entry declares the relation (`follows`), rather than
    /// another entry declaring it towards this one (`followed by`); both for
    /// a symmetric relation.
    pub declared_here: bool,
    /// Indexes into `Handbook::entries`.
    pub entries: Vec<usize>,
}

/// One event in the chronology.
#[derive(Clone, Debug)]
pub struct ChronologyItem {
    /// Index of the entry in `Handbook::entries`.
    pub entry: usize,
    /// Index of the event in the entry's `events`.
    pub event: usize,
}

/// The events of one year.
#[derive(Clone, Debug)]
pub struct Year {
    pub year: i32,
    pub items: Vec<ChronologyItem>,
    /// Number of events per kind, in `Kind::ALL` order.
    pub by_kind: [usize; Kind::ALL.len()],
}

/// Everything derived from the entries.
#[derive(Clone, Debug, Default)]
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
    let index = &positions;
    let by_title =
        |a: &usize, b: &usize| (&entries[*a].title, &entries[*a].id).cmp(&(&entries[*b].title, &entries[*b].id));

    // Backlinks from Markdown links.
    let mut mentioned: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); entries.len()];
    for (i, e) in entries.iter().enumerate() {
        for link in &e.links {
            if let Some(&t) = link.target.as_deref().and_then(|t| index.get(t))
                && t != i
            {
                mentioned[t].insert(i);
            }
        }
    }
    // Typed relations, from both sides.
    let labels = &handbook.site.relations;
    // (entry, relation name) → (declared there, declared towards it).
    let mut sides: Vec<BTreeMap<&str, Sides>> = vec![BTreeMap::new(); entries.len()];
    for (i, e) in entries.iter().enumerate() {
        for (name, target) in &e.relations {
            let Some(&t) = index.get(target.as_str()) else { continue };
            if !labels.contains_key(name) {
                continue;
            }
            sides[i].entry(name.as_str()).or_default().0.insert(t);
            sides[t].entry(name.as_str()).or_default().1.insert(i);
        }
    }
    let connections: Vec<Vec<RelationGroup>> = sides
        .into_iter()
        .map(|by_name| {
            let mut groups: Vec<RelationGroup> = Vec::new();
            let mut add = |label: &str, relation: &str, declared_here: bool, set: BTreeSet<usize>| {
                if set.is_empty() {
                    return;
                }
                // One heading per label, even where two relations share it.
                match groups.iter_mut().find(|g| g.label == label) {
                    Some(g) => {
                        let new: Vec<usize> = set.into_iter().filter(|x| !g.entries.contains(x)).collect();
                        g.entries.extend(new);
                    }
                    None => groups.push(RelationGroup {
                        label: label.to_string(),
                        relation: relation.to_string(),
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
                g.entries.sort_by(by_title);
            }
            groups
        })
        .collect();
    let mentioned_in = mentioned
        .into_iter()
        .map(|s| {
            let mut v: Vec<usize> = s.into_iter().collect();
            v.sort_by(by_title);
            v
        })
        .collect();

    // The chronology: every event, sorted by date, then entry title, then event title.
    let mut items: Vec<(PartialDate, usize, usize)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        for (j, ev) in e.events.iter().enumerate() {
            items.push((ev.date, i, j));
        }
    }
    items.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| entries[a.1].title.cmp(&entries[b.1].title))
            .then_with(|| entries[a.1].events[a.2].title.cmp(&entries[b.1].events[b.2].title))
    });
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

    // Tags. Spellings with one slug (`Naval`, `naval`) are one tag, shown as
    // first written in the handbook's order, so no two tags share a page.
    let mut tags: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    let mut shown_as: HashMap<String, String> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for tag in &e.tags {
            let slug = crate::content::slug::slugify(tag);
            let shown = shown_as.entry(slug.clone()).or_insert_with(|| tag.clone()).clone();
            let slot = tags.entry(shown).or_insert_with(|| (slug, Vec::new()));
            // Entries come in order, so a repeat of the tag on this entry is the last one.
            if slot.1.last() != Some(&i) {
                slot.1.push(i);
            }
        }
    }
    for (_, v) in tags.values_mut() {
        v.sort_by(by_title);
    }

    // Sources.
    let mut cited_by: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for key in &e.notes.cited_keys {
            cited_by.entry(key.clone()).or_default().push(i);
        }
    }
    for v in cited_by.values_mut() {
        v.sort_by(by_title);
    }

    let mut by_kind: [Vec<usize>; Kind::ALL.len()] = Default::default();
    for (i, e) in entries.iter().enumerate() {
        by_kind[kind_index(e.kind)].push(i);
    }
    let home_links =
        handbook.home.links.iter().filter_map(|l| l.target.as_deref().and_then(|t| index.get(t)).copied()).collect();

    Derived { mentioned_in, connections, years, tags, cited_by, by_kind, home_links, positions }
}

/// Number of events on an entry's page, and their total: handy for summaries.
pub fn event_count(entries: &Entries) -> usize {
    entries.iter().map(|e| e.events.len()).sum()
}
