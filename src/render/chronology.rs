//! The chronology: every dated event, on one page and by year, with the
//! timeline drawn over it.

use super::timeline::{self, Axis, Lane, Mark, SummaryRow};
use super::views::{ChronoEvent, EntryRef, TagRef, YearView, pager};
use super::{Page, Renderer};
use crate::content::Kind;
use crate::diagnostic::Diagnostics;
use crate::model::Entry;
use crate::model::derive::{Derived, Year};
use crate::urls;

/// How many tags the summary timeline draws a lane for.
const SUMMARY_TAGS: usize = 12;

/// The most events the chronology page lists itself; above it, each year's
/// page lists its own (measured: 2,000 generated entries, 10,000 events,
/// make a 5.5 MB list; a page a phone opens should stay well under that).
pub(super) const LIST_LIMIT: usize = 2_000;

/// How many pages the chronology of year `y` takes: a year of more than
/// [`LIST_LIMIT`] events is listed in pages of that many (100,000
/// generated entries made years of 20,000 events, pages of 23 MB).
pub(super) fn year_page_count(y: &Year) -> usize {
    y.items.len().div_ceil(LIST_LIMIT).max(1)
}

/// The paths of every page of the chronology of `year`, if it has events.
pub fn year_page_paths(d: &Derived, year: i32) -> Vec<String> {
    d.years
        .iter()
        .find(|y| y.year == year && !y.items.is_empty())
        .map(|y| (1..=year_page_count(y)).map(|n| urls::year_page(year, n)).collect())
        .unwrap_or_default()
}

impl<'a> Renderer<'a> {
    pub(super) fn chrono_event(&self, entry: usize, event: usize, root: &str) -> ChronoEvent<'a> {
        let e: &'a Entry = &self.handbook.entries[entry];
        let ev = &e.events[event];
        let bib = &self.handbook.bibliography;
        let citation_html =
            ev.cites.iter().map(|c| crate::cite::short_citation(bib, &c.items)).collect::<Vec<_>>().join(" ");
        let dispute_summary = ev
            .disputed
            .iter()
            .map(|c| {
                // What the other version claims: its date and place, and its note in words.
                let mut claim = Vec::new();
                if let Some(d) = c.date {
                    claim.push(d.to_string());
                }
                if let Some(p) = &c.place {
                    claim.push(p.clone());
                }
                let note = plain_text(&c.note_html);
                let mut text = claim.join(", ");
                if !note.is_empty() {
                    if !text.is_empty() {
                        text.push_str(": ");
                    }
                    text.push_str(&note);
                }
                let items: Vec<_> = c.cites.iter().flat_map(|x| x.items.iter().cloned()).collect();
                let who = crate::html::text_of(&crate::cite::short_citation(bib, &items));
                format!("{} ({})", text.trim_end_matches('.'), who.trim_end_matches('.'))
            })
            .collect::<Vec<_>>()
            .join("; ");
        ChronoEvent {
            year: ev.date.year(),
            tags: self.tag_slugs(e).join(" "),
            date: ev.date,
            title: &ev.title,
            place: ev.place.as_deref(),
            entry_title: &e.title,
            entry_id: &e.id,
            url: format!("{root}{}#{}", urls::entry(e.kind, &e.id), ev.anchor),
            kind: e.kind,
            kind_name: e.kind.name(),
            disputed: !ev.disputed.is_empty(),
            dispute_summary,
            citation_html,
        }
    }

    /// A year for the chronology's list; without its events when
    /// `with_events` is false (the page then only leads to the year's page).
    pub(super) fn year_view(&self, y: &Year, root: &str, with_events: bool) -> YearView<'a> {
        YearView {
            year: y.year,
            url: format!("{root}{}", urls::year(y.year)),
            count: y.items.len(),
            mechanisms: y.by_kind[0],
            exercises: y.by_kind[1],
            declarations: y.by_kind[2],
            topics: y.by_kind[3],
            events: if with_events {
                y.items.iter().map(|it| self.chrono_event(it.entry, it.event, root)).collect()
            } else {
                Vec::new()
            },
        }
    }

    pub(super) fn year_summary(&self, y: &Year, root: &str) -> serde_json::Value {
        serde_json::json!({
            "year": y.year,
            "url": format!("{root}{}", urls::year(y.year)),
            "count": y.items.len(),
            "mechanisms": y.by_kind[0],
            "exercises": y.by_kind[1],
            "declarations": y.by_kind[2],
            "topics": y.by_kind[3],
        })
    }

    /// The slugs of an entry's tags, for the chronology filter.
    fn tag_slugs(&self, e: &Entry) -> Vec<String> {
        let mut slugs: Vec<String> = e.tags.iter().map(|t| crate::content::slug::slugify(t)).collect();
        slugs.sort();
        slugs.dedup();
        slugs
    }

    /// Entry `i` as a timeline lane: its events (only those of `year`, when
    /// given) as marks, or its own date when it has none.
    pub(super) fn lane(&self, i: usize, root: &str, year: Option<i32>) -> Lane {
        let e: &Entry = &self.handbook.entries[i];
        let page = format!("{root}{}", urls::entry(e.kind, &e.id));
        let mut marks: Vec<Mark> = e
            .events
            .iter()
            .filter(|ev| year.is_none_or(|y| ev.date.year() == y))
            .map(|ev| {
                let disputed: Vec<_> = ev.disputed.iter().filter_map(|c| c.date).collect();
                Mark {
                    date: ev.date,
                    label: timeline::mark_label(&e.title, &ev.title, &ev.date, &disputed),
                    disputed,
                    url: format!("{page}#{}", ev.anchor),
                }
            })
            .collect();
        if e.events.is_empty() {
            marks.push(Mark {
                date: e.date,
                disputed: Vec::new(),
                url: page.clone(),
                label: format!("{}, {}", e.title, e.date),
            });
        }
        Lane {
            id: e.id.clone(),
            title: e.title.clone(),
            url: page,
            kind: e.kind,
            tags: self.tag_slugs(e),
            date: e.date,
            end: e.end,
            marks,
        }
    }

    /// The timeline of the entries `list` (indexes), on an axis from the
    /// first to the last year any of them covers.
    pub(super) fn lanes_timeline(&self, list: &[usize], root: &str, id: &str, title: &str) -> String {
        let lanes: Vec<Lane> = list.iter().map(|&i| self.lane(i, root, None)).collect();
        let refs: Vec<&Lane> = lanes.iter().collect();
        let years = lanes.iter().flat_map(|l| {
            let own = [Some(l.date), l.end].into_iter().flatten();
            own.chain(l.marks.iter().flat_map(|m| std::iter::once(m.date).chain(m.disputed.iter().copied())))
                .flat_map(|d| [d.year(), d.latest().0])
        });
        let (first, last) = years.fold((i32::MAX, i32::MIN), |(a, b), y| (a.min(y), b.max(y)));
        if first > last {
            return String::new();
        }
        timeline::lanes_svg(&refs, Axis::years(first, last), id, title)
    }

    /// The summary timeline: a lane per kind, and per tag when `tags`.
    pub(super) fn summary_timeline(&self, root: &str, tags: bool, id: &str) -> String {
        let (h, d) = (self.handbook, self.derived);
        let Some(first) = d.years.first().map(|y| y.year) else { return String::new() };
        let kinds: Vec<SummaryRow> = Kind::ALL
            .iter()
            .enumerate()
            .map(|(k, kind)| SummaryRow {
                label: kind.plural_title().to_string(),
                url: format!("{root}{}", urls::kind_index(*kind)),
                kind: Some(*kind),
                tag: None,
                counts: d.years.iter().map(|y| y.by_kind[k]).collect(),
            })
            .collect();
        let mut tag_rows: Vec<SummaryRow> = Vec::new();
        if tags {
            for (name, (slug, list)) in &d.tags {
                let mut counts = vec![0; d.years.len()];
                for &i in list {
                    for ev in &h.entries[i].events {
                        counts[(ev.date.year() - first) as usize] += 1;
                    }
                }
                tag_rows.push(SummaryRow {
                    label: name.clone(),
                    url: format!("{root}{}", urls::tag(slug)),
                    kind: None,
                    tag: Some(slug.clone()),
                    counts,
                });
            }
            // The most used tags, most used first.
            tag_rows.sort_by_key(|r| std::cmp::Reverse(r.counts.iter().sum::<usize>()));
            tag_rows.retain(|r| r.counts.iter().sum::<usize>() > 0);
            tag_rows.truncate(SUMMARY_TAGS);
        }
        timeline::summary_svg(
            &kinds,
            &tag_rows,
            first,
            |y| format!("{root}{}", urls::year(y)),
            id,
            "Events per year, by kind",
        )
    }

    /// The full chronology.
    pub(super) fn chronology_page(&self, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let d = self.derived;
        let path = urls::CHRONOLOGY;
        let root = urls::root_of(path);
        let mut ctx = self.context(path, "Chronology", "Every dated event in the handbook, by year.", "chronology");
        // Above LIST_LIMIT events the list would make the page too large to
        // open (27 MB at 10,000 generated entries): the year pages list them.
        let event_count: usize = d.years.iter().map(|y| y.items.len()).sum();
        let list_on_year_pages = event_count > LIST_LIMIT;
        let years: Vec<YearView> = d
            .years
            .iter()
            .filter(|y| !y.items.is_empty())
            .map(|y| self.year_view(y, &root, !list_on_year_pages))
            .collect();
        ctx.insert("years", &years);
        ctx.insert("event_count", &event_count);
        ctx.insert("list_on_year_pages", &list_on_year_pages);
        ctx.insert("list_limit", &LIST_LIMIT);
        ctx.insert("all_years", &d.years.iter().map(|y| self.year_summary(y, &root)).collect::<Vec<_>>());
        let with_events: Vec<usize> = (0..h.entries.len()).filter(|&i| !h.entries[i].events.is_empty()).collect();
        let summary = with_events.len() > timeline::MAX_LANES;
        let svg = if summary {
            self.summary_timeline(&root, true, "timeline")
        } else {
            self.lanes_timeline(&with_events, &root, "timeline", "Timeline of every entry with dated events")
        };
        ctx.insert("timeline_svg", &svg);
        ctx.insert("timeline_summary", &summary);
        ctx.insert("lane_limit", &timeline::MAX_LANES);
        let filter_entries: Vec<EntryRef> = with_events.iter().map(|&i| self.entry_ref(i, &root)).collect();
        ctx.insert("entries", &filter_entries);
        let tags: Vec<TagRef> = d
            .tags
            .iter()
            .filter(|(_, (_, list))| list.iter().any(|&i| !h.entries[i].events.is_empty()))
            .map(|(t, _)| self.tag_ref(t, &root))
            .collect();
        ctx.insert("tags", &tags);
        self.render("chronology.html", path, &ctx, ds)
    }

    /// The chronology of one year (`i` in `Derived::years`).
    pub(super) fn year_page(&self, i: usize, n: usize, ds: &mut Diagnostics) -> Option<Page> {
        let d = self.derived;
        let y = &d.years[i];
        let path = urls::year_page(y.year, n);
        let root = urls::root_of(&path);
        let pages = year_page_count(y);
        let title = if pages > 1 { format!("{}, page {n} of {pages}", y.year) } else { format!("{}", y.year) };
        let mut ctx =
            self.context(&path, &title, &format!("Events of {} in the handbook's chronology.", y.year), "chronology");
        let mut view = self.year_view(y, &root, false);
        // A long year is listed in pages of LIST_LIMIT events, in date order.
        let items = y.items.chunks(LIST_LIMIT).nth(n - 1).unwrap_or_default();
        view.events = items.iter().map(|it| self.chrono_event(it.entry, it.event, &root)).collect();
        let h = self.handbook;
        let pager = pager(
            &y.items,
            LIST_LIMIT,
            n,
            |k| format!("{root}{}", urls::year_page(y.year, k)),
            |it| h.entries[it.entry].events[it.event].date.to_string(),
        );
        ctx.insert("pages", &pager);
        ctx.insert("page_number", &n);
        ctx.insert("pager_label", &format!("Pages of {}", y.year));
        // The lanes of the entries whose events this page lists, by month.
        let mut list: Vec<usize> = items.iter().map(|it| it.entry).collect();
        list.sort_unstable();
        list.dedup();
        let lanes: Vec<Lane> = list.iter().map(|&i| self.lane(i, &root, Some(y.year))).collect();
        let refs: Vec<&Lane> = lanes.iter().collect();
        let title = format!("Timeline of {}, by month", y.year);
        ctx.insert("timeline_svg", &timeline::lanes_svg(&refs, Axis::years(y.year, y.year), "timeline", &title));
        ctx.insert("years", &[&view]);
        ctx.insert("year", &view);
        let with_events = |j: &usize| !d.years[*j].items.is_empty();
        let prev = (0..i).rev().find(with_events).map(|j| self.year_summary(&d.years[j], &root));
        let next = (i + 1..d.years.len()).find(with_events).map(|j| self.year_summary(&d.years[j], &root));
        ctx.insert("prev", &prev);
        ctx.insert("next", &next);
        self.render("year.html", &path, &ctx, ds)
    }
}

/// The words of a rendered note, without its note marks or tags.
fn plain_text(html: &str) -> String {
    let mut rest = html;
    let mut out = String::with_capacity(html.len());
    while let Some(at) = rest.find("<sup class=\"noteref") {
        out.push_str(&rest[..at]);
        rest = rest[at..].find("</sup>").map_or("", |end| &rest[at + end + "</sup>".len()..]);
    }
    out.push_str(rest);
    crate::html::text_of(&out).trim().to_string()
}
