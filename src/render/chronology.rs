//! The chronology: every dated event, on one page and by year.

use super::views::{ChronoEvent, EntryRef, YearView};
use super::{Page, Renderer};
use crate::diagnostic::Diagnostics;
use crate::model::Entry;
use crate::model::derive::Year;
use crate::urls;

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

    pub(super) fn year_view(&self, y: &Year, root: &str) -> YearView<'a> {
        YearView {
            year: y.year,
            url: format!("{root}{}", urls::year(y.year)),
            count: y.items.len(),
            mechanisms: y.by_kind[0],
            exercises: y.by_kind[1],
            declarations: y.by_kind[2],
            topics: y.by_kind[3],
            events: y.items.iter().map(|it| self.chrono_event(it.entry, it.event, root)).collect(),
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

    /// The full chronology.
    pub(super) fn chronology_page(&self, ds: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let d = self.derived;
        let path = urls::CHRONOLOGY;
        let root = urls::root_of(path);
        let mut ctx = self.context(path, "Chronology", "Every dated event in the handbook, by year.", "chronology");
        let years: Vec<YearView> =
            d.years.iter().filter(|y| !y.items.is_empty()).map(|y| self.year_view(y, &root)).collect();
        ctx.insert("years", &years);
        ctx.insert("all_years", &d.years.iter().map(|y| self.year_summary(y, &root)).collect::<Vec<_>>());
        ctx.insert("chart_svg", &crate::render::chart::svg(&d.years, &root, "chronology-chart"));
        let filter_entries: Vec<EntryRef> = (0..h.entries.len())
            .filter(|&i| !h.entries[i].events.is_empty())
            .map(|i| self.entry_ref(i, &root))
            .collect();
        ctx.insert("entries", &filter_entries);
        self.render("chronology.html", path, &ctx, ds)
    }

    /// The chronology of one year (`i` in `Derived::years`).
    pub(super) fn year_page(&self, i: usize, ds: &mut Diagnostics) -> Option<Page> {
        let _h = self.handbook;
        let d = self.derived;
        let y = &d.years[i];
        let path = urls::year(y.year);
        let root = urls::root_of(&path);
        let title = format!("{}", y.year);
        let mut ctx =
            self.context(&path, &title, &format!("Events of {} in the handbook's chronology.", y.year), "chronology");
        ctx.insert("year", &self.year_view(y, &root));
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
