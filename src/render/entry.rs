//! An entry's page: its facts, text, events, connections, notes,
//! bibliography and "Cite this entry".

use super::views::{BibItem, ClaimView, EntryView, EventView, Fact};
use super::{Page, Renderer, neighbourhood};
use crate::content::Kind;
use crate::diagnostic::Diagnostics;
use crate::model::Entry;
use crate::urls;

impl<'a> Renderer<'a> {
    pub(super) fn edit_url(&self, content_path: &str) -> Option<String> {
        let s = &self.handbook.site;
        s.repository.as_ref().map(|r| format!("{}/edit/{}/content/{content_path}", r.trim_end_matches('/'), s.branch))
    }

    pub(super) fn entry_page(&self, i: usize, diagnostics: &mut Diagnostics) -> Option<Page> {
        let e = &self.handbook.entries[i];
        let path = urls::entry(e.kind, &e.id);
        let root = urls::root_of(&path);
        let d = &e.details;
        let connections = self.groups(&self.derived.connections[i], &root);
        let mut facts = Vec::new();
        let mut fact = |label: &'static str, value: String| {
            if !value.is_empty() {
                facts.push(Fact { label, value });
            }
        };
        fact("Level", d.level.clone().unwrap_or_default());
        fact("Frequency", d.frequency.clone().unwrap_or_default());
        fact("Participants", d.participants.join("; "));
        fact("Domain", d.domain.iter().map(|x| x.label()).collect::<Vec<_>>().join(", "));
        fact("Format", d.format.map(|f| f.label().to_string()).unwrap_or_default());
        fact("Signatories", d.signatories.join("; "));
        fact("Place", d.place.clone().unwrap_or_default());
        let view = EntryView {
            id: &e.id,
            kind: e.kind,
            kind_name: e.kind.name(),
            kind_title: e.kind.plural_title(),
            kind_url: format!("{root}{}", urls::kind_index(e.kind)),
            title: &e.title,
            summary: &e.summary,
            aliases: &e.aliases,
            tags: e.tags.iter().map(|t| self.tag_ref(t, &root)).collect(),
            date: e.date,
            end: e.end,
            facts,
            body_html: e.body_html.unpack(),
            headings: &e.headings,
            events: e
                .events
                .iter()
                .map(|ev| EventView {
                    anchor: &ev.anchor,
                    date: ev.date,
                    title: &ev.title,
                    place: ev.place.as_deref(),
                    participants: ev.participants.join("; "),
                    note_html: &ev.note_html,
                    cite_html: &ev.cite_html,
                    disputed: ev
                        .disputed
                        .iter()
                        .map(|c| ClaimView {
                            date: c.date,
                            place: c.place.as_deref(),
                            note_html: &c.note_html,
                            cite_html: &c.cite_html,
                        })
                        .collect(),
                })
                .collect(),
            neighbourhood_svg: neighbourhood::svg(&e.title, e.kind.name(), &connections),
            connections,
            // "Mentioned in" lists what the connections do not already show.
            mentioned_in: self.derived.mentioned_in[i]
                .iter()
                .filter(|j| !self.derived.connections[i].iter().any(|g| g.entries.contains(j)))
                .map(|&j| self.entry_ref(j, &root))
                .collect(),
            notes: &e.notes.notes,
            bibliography: e.notes.bibliography.iter().map(|(k, h)| BibItem { key: k, html: h }).collect(),
            edit_url: self.edit_url(&e.content_path),
            source_path: format!("content/{}", e.content_path),
            last_changed: self.history.get(&e.content_path).map(String::as_str),
            cite_chicago: self.cite_chicago(e),
            cite_bibtex: self.cite_bibtex(e),
        };
        let mut ctx = self.context(&path, &e.title, &e.summary, e.kind.folder());
        ctx.insert("entry", &view);
        // The entries before and after it in its kind's list (by date).
        let list = &self.derived.by_kind[Kind::ALL.iter().position(|k| *k == e.kind).expect("every kind is in ALL")];
        let at = list.iter().position(|&j| j == i);
        let prev = at.and_then(|p| p.checked_sub(1)).map(|p| self.entry_ref(list[p], &root));
        let next = at.and_then(|p| list.get(p + 1)).map(|&j| self.entry_ref(j, &root));
        ctx.insert("toc", &contents(e, &view));
        ctx.insert("prev", &prev);
        ctx.insert("next", &next);
        self.render("entry.html", &path, &ctx, diagnostics)
    }

    /// The entry's address: absolute when the site's base URL is known.
    pub(super) fn absolute_url(&self, e: &Entry) -> String {
        format!("{}{}", self.handbook.site.base().unwrap_or_default(), urls::entry(e.kind, &e.id))
    }

    /// "Cite this entry" in Chicago style (a page in a reference work).
    pub(super) fn cite_chicago(&self, e: &Entry) -> String {
        use crate::html::escape;
        let site = &self.handbook.site;
        let mut s = format!("“{}.” In <i>{}</i>", escape(&e.title), escape(&site.title));
        if let Some(editor) = &site.editor {
            s.push_str(&format!(", edited by {}", escape(editor)));
        }
        s.push('.');
        if let Some(date) =
            self.history.get(&e.content_path).and_then(|d| d.parse::<crate::content::date::PartialDate>().ok())
        {
            let (y, m, d) = date.earliest();
            s.push_str(&format!(" Last modified {} {d}, {y}.", crate::content::date::MONTHS[m as usize - 1]));
        }
        let url = self.absolute_url(e);
        s.push_str(&format!(" <a href=\"{0}\">{0}</a>.", escape(&url)));
        s
    }

    /// "Cite this entry" as a BibLaTeX `@online` entry.
    pub(super) fn cite_bibtex(&self, e: &Entry) -> String {
        let site = &self.handbook.site;
        let brace = |s: &str| s.replace(['{', '}'], "");
        let mut s = format!(
            "@online{{handbook-{},\n  title = {{{}}},\n  organization = {{{}}},\n",
            e.id,
            brace(&e.title),
            brace(&site.title)
        );
        if let Some(editor) = &site.editor {
            s.push_str(&format!("  editor = {{{}}},\n", brace(editor)));
        }
        if let Some(date) = self.history.get(&e.content_path) {
            s.push_str(&format!("  date = {{{date}}},\n"));
        }
        s.push_str(&format!("  url = {{{}}},\n}}", self.absolute_url(e)));
        s
    }
}

/// The entry's contents list: its headings (to the third level) and the
/// page's own sections; empty for a short entry, which needs none.
fn contents(e: &Entry, view: &EntryView) -> Vec<serde_json::Value> {
    let item = |id: &str, text: &str, level: u8| serde_json::json!({"id": id, "text": text, "level": level});
    let mut toc: Vec<serde_json::Value> =
        e.headings.iter().filter(|h| h.level <= 3).map(|h| item(&h.id, &h.text, h.level.max(2))).collect();
    let sections = e.headings.iter().filter(|h| h.level == 2).count();
    if !e.events.is_empty() {
        toc.push(item("events", "Events", 2));
    }
    if !view.connections.is_empty() || !view.mentioned_in.is_empty() {
        toc.push(item("relations", "Connections", 2));
    }
    if !e.notes.notes.is_empty() {
        toc.push(item("notes", "Notes", 2));
    }
    if !e.notes.bibliography.is_empty() {
        toc.push(item("bibliography", "Bibliography", 2));
    }
    toc.push(item("cite-this", "Cite this entry", 2));
    if sections < 2 && toc.len() < 5 {
        toc.clear();
    }
    toc
}
