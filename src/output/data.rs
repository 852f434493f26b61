//! Downloads for researchers and machines: the whole handbook as JSON, the
//! chronology as CSV, the sources as CSL-JSON, an Atom feed of changed
//! entries, a sitemap, and the in-browser search index.

use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::html::text_of;
use crate::model::derive::Derived;
use crate::model::{Entry, Handbook};
use crate::render::{Collected, Output, Page};
use crate::urls;

/// The files this module writes (their output paths), besides the search
/// index's (under [`urls::SEARCH_DIR`]).
pub const FILES: &[&str] = &["handbook.json", "chronology.csv", "references.json", "feed.xml", "sitemap.xml"];

/// Every data file, sorted by path.
pub fn pages(h: &Handbook, d: &Derived, history: &HashMap<String, String>) -> Vec<Page> {
    let made = Collected::new();
    emit_pages(h, d, history, &made);
    made.into_pages()
}

/// Makes every data file, handing each to `out` as soon as it is made
/// (files are not held until the others are done: at 100,000 entries the
/// search index and `handbook.json` are each hundreds of megabytes, and
/// `handbook.json` is handed over a thousand entries at a time).
pub fn emit_pages(h: &Handbook, d: &Derived, history: &HashMap<String, String>, out: &dyn Output) {
    type Builder<'a> = Box<dyn Fn() + Send + Sync + 'a>;
    let one = |path: &str, content: String| out.put(Page { path: path.to_string(), content: content.into_bytes() });
    // Largest first, so the long ones start while the pool is free. The
    // two largest, each hundreds of megabytes at 100,000 entries and each
    // parallel within, are made one after the other, so their peaks do not add up.
    let builders: Vec<Builder> = vec![
        Box::new(|| {
            emit_search_files(h, &|page| out.put(page));
            handbook_json(h, d, out);
        }),
        Box::new(|| one("chronology.csv", chronology_csv(h, d))),
        Box::new(|| one("sitemap.xml", sitemap(h, d, history))),
        Box::new(|| one("feed.xml", atom_feed(h, history))),
        Box::new(|| one("references.json", csl_json(h))),
    ];
    builders.par_iter().for_each(|build| build());
}

fn citations(e: &Entry) -> Vec<Value> {
    e.events.iter().flat_map(|ev| ev.cites.iter().map(|c| Value::String(c.text.clone()))).collect()
}

/// All entries with their events, relations and citations (bodies excluded).
/// Written to `out` in pieces.
fn handbook_json(h: &Handbook, d: &Derived, out: &dyn Output) {
    const PATH: &str = "handbook.json";
    // Each entry is built and printed on its own, in parallel, and the
    // document is put together around them: the same text as printing one
    // value tree of the whole handbook, without holding that tree (hundreds
    // of megabytes at 10,000 entries). Entries are printed a thousand at a
    // time and handed on, so the document is never held whole.
    let field = |value: &str| serde_json::to_string(value).expect("JSON");
    let mut begun = false;
    let mut hand_over = |piece: &mut String| {
        if begun {
            out.append(PATH, piece.as_bytes());
        } else {
            out.begin(PATH, piece.as_bytes());
            begun = true;
        }
        piece.clear();
    };
    let mut text = String::new();
    // Keys in order, as a JSON object's are printed.
    text.push_str("{\n  \"description\": ");
    text.push_str(&field(&h.site.description));
    text.push_str(",\n  \"entries\": [");
    let print_entry = |i: usize| {
        let e = &h.entries[i];
        let entry = json!({
            "id": e.id,
            "kind": e.kind,
            "title": e.title,
            "summary": e.summary,
            "aliases": e.aliases,
            "tags": e.tags,
            "date": e.date,
            "end": e.end,
            "details": e.details,
            "url": urls::entry(e.kind, &e.id),
            "relations": e.relations.iter().map(|(r, t)| json!({"relation": r, "target": t})).collect::<Vec<_>>(),
            "mentioned_in": d.mentioned_in[i].iter().map(|&j| &h.entries[j].id).collect::<Vec<_>>(),
            "cited_keys": e.notes.cited_keys,
            "events": e.events.iter().map(|ev| json!({
                "anchor": ev.anchor,
                "date": ev.date,
                "title": ev.title,
                "place": ev.place,
                "participants": ev.participants,
                "note": text_of(&ev.note_html),
                "cite": ev.cites.iter().map(|c| &c.text).collect::<Vec<_>>(),
                "disputed": ev.disputed.iter().map(|c| json!({
                    "date": c.date,
                    "place": c.place,
                    "note": text_of(&c.note_html),
                    "cite": c.cites.iter().map(|x| &x.text).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "event_citations": citations(e),
        });
        // Two levels in (the document, then its `entries` list). JSON
        // strings hold no raw line breaks, so every line is indented.
        let printed = serde_json::to_string_pretty(&entry).expect("JSON");
        let mut indented = String::with_capacity(printed.len() + printed.len() / 8);
        for (n, line) in printed.lines().enumerate() {
            if n > 0 {
                indented.push('\n');
            }
            indented.push_str("    ");
            indented.push_str(line);
        }
        indented
    };
    let count = h.entries.len();
    for start in (0..count).step_by(1000) {
        let printed: Vec<String> = (start..count.min(start + 1000)).into_par_iter().map(print_entry).collect();
        for (n, entry) in printed.iter().enumerate() {
            text.push_str(if start + n == 0 { "\n" } else { ",\n" });
            text.push_str(entry);
        }
        hand_over(&mut text);
    }
    text.push_str(if count == 0 { "]" } else { "\n  ]" });
    text.push_str(",\n  \"generator\": ");
    text.push_str(&field(concat!("handbook ", env!("CARGO_PKG_VERSION"))));
    text.push_str(",\n  \"title\": ");
    text.push_str(&field(&h.site.title));
    text.push_str("\n}\n");
    hand_over(&mut text);
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// One row per event, in chronological order.
fn chronology_csv(h: &Handbook, d: &Derived) -> String {
    let mut out =
        String::from("date,date_text,earliest,year,event,entry_id,entry_title,kind,place,disputed,citations,url\n");
    for y in &d.years {
        for item in &y.items {
            let e = &h.entries[item.entry];
            let ev = &e.events[item.event];
            let (yy, m, dd) = ev.date.earliest();
            let fields = [
                ev.date.edtf(),
                ev.date.to_string(),
                format!("{yy:04}-{m:02}-{dd:02}"),
                ev.date.year().to_string(),
                ev.title.clone(),
                e.id.clone(),
                e.title.clone(),
                e.kind.name().to_string(),
                ev.place.clone().unwrap_or_default(),
                (!ev.disputed.is_empty()).to_string(),
                ev.cites.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("; "),
                format!("{}#{}", urls::entry(e.kind, &e.id), ev.anchor),
            ];
            let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// A name as CSL-JSON: `Family, Given` or a literal (organisations).
fn csl_name(name: &str) -> Value {
    match name.split_once(", ") {
        Some((family, given)) => json!({"family": family, "given": given}),
        None => json!({"literal": name}),
    }
}

fn csl_date(v: &Value) -> Option<Value> {
    let s = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let parts: Vec<Value> = s.split('-').filter_map(|p| p.parse::<i64>().ok()).map(Value::from).collect();
    (!parts.is_empty()).then(|| json!({"date-parts": [parts]}))
}

/// The bibliography as CSL-JSON, for Zotero and other reference managers.
fn csl_json(h: &Handbook) -> String {
    let items: Vec<Value> = h
        .bibliography
        .entries_json()
        .into_iter()
        .map(|(key, e)| {
            let parent = e.get("parent").cloned().unwrap_or(Value::Null);
            let parent_type = parent.get("type").and_then(Value::as_str).unwrap_or_default();
            let kind = match (e.get("type").and_then(Value::as_str).unwrap_or_default(), parent_type) {
                ("article", "periodical") => "article-journal",
                ("article", "newspaper") => "article-newspaper",
                ("article", _) => "article",
                ("web", _) => "webpage",
                ("book", _) => "book",
                ("chapter", _) => "chapter",
                ("report", _) => "report",
                ("thesis", _) => "thesis",
                ("legislation", _) => "legislation",
                _ => "document",
            };
            let mut item = json!({"id": key, "type": kind});
            let obj = item.as_object_mut().expect("object");
            let text = |v: &Value| {
                v.as_str().map(str::to_string).or_else(|| v.get("value").and_then(Value::as_str).map(str::to_string))
            };
            if let Some(t) = e.get("title").and_then(text) {
                obj.insert("title".into(), t.into());
            }
            if let Some(a) = e.get("author") {
                let names: Vec<Value> = match a {
                    Value::Array(list) => list.iter().filter_map(|n| n.as_str()).map(csl_name).collect(),
                    Value::String(n) => vec![csl_name(n)],
                    _ => vec![],
                };
                obj.insert("author".into(), names.into());
            }
            if let Some(date) = e.get("date").and_then(csl_date) {
                obj.insert("issued".into(), date);
            }
            if let Some(p) = e.get("page-range").and_then(Value::as_str) {
                obj.insert("page".into(), p.into());
            }
            if let Some(url) = e.get("url") {
                if let Some(u) = text(url) {
                    obj.insert("URL".into(), u.into());
                }
                if let Some(date) = url.get("date").and_then(csl_date) {
                    obj.insert("accessed".into(), date);
                }
            }
            if let Some(p) = e.get("publisher").and_then(text) {
                obj.insert("publisher".into(), p.into());
            }
            if let Some(t) = parent.get("title").and_then(text) {
                obj.insert("container-title".into(), t.into());
            }
            for (from, to) in [("volume", "volume"), ("issue", "issue")] {
                if let Some(v) = parent.get(from).or_else(|| e.get(from)) {
                    obj.insert(to.into(), Value::String(v.as_str().map_or_else(|| v.to_string(), str::to_string)));
                }
            }
            item
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("JSON") + "\n"
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An Atom feed of the entries, newest change first (dates from git).
fn atom_feed(h: &Handbook, history: &HashMap<String, String>) -> String {
    let base = h.site.base().unwrap_or_default();
    let mut entries: Vec<(&str, &Entry)> =
        h.entries.iter().map(|e| (history.get(&e.content_path).map_or("", String::as_str), &**e)).collect();
    entries.sort_by(|a, b| b.0.cmp(a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let updated = entries.first().map(|(d, _)| *d).filter(|d| !d.is_empty()).unwrap_or("1970-01-01");
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<subtitle>{}</subtitle>\n<id>{}</id>\n<link href=\"{}\"/>\n<link rel=\"self\" href=\"{}feed.xml\"/>\n<updated>{}T00:00:00Z</updated>\n<generator>handbook</generator>\n",
        xml(&h.site.language),
        xml(&h.site.title),
        xml(&h.site.description),
        xml(if base.is_empty() { "urn:handbook" } else { &base }),
        xml(&base),
        xml(&base),
        updated
    );
    for (date, e) in entries.iter().take(50) {
        let date = if date.is_empty() { updated } else { date };
        let _ = write!(
            out,
            "<entry>\n<title>{}</title>\n<id>{}{}</id>\n<link href=\"{}{}\"/>\n<updated>{date}T00:00:00Z</updated>\n<summary>{}</summary>\n<author><name>{}</name></author>\n</entry>\n",
            xml(&e.title),
            xml(&base),
            xml(&urls::entry(e.kind, &e.id)),
            xml(&base),
            xml(&urls::entry(e.kind, &e.id)),
            xml(&e.summary),
            xml(h.site.editor.as_deref().unwrap_or(&h.site.title)),
        );
    }
    out.push_str("</feed>\n");
    out
}

/// Every page, for search engines (absolute URLs need `base_url`).
fn sitemap(h: &Handbook, d: &Derived, history: &HashMap<String, String>) -> String {
    let base = h.site.base().unwrap_or_default();
    let mut urls: Vec<(String, Option<&str>)> = vec![("".into(), None)];
    for e in &h.entries {
        urls.push((urls::entry(e.kind, &e.id), history.get(&e.content_path).map(String::as_str)));
    }
    for k in crate::content::Kind::ALL {
        urls.extend(crate::render::kind_page_paths(d, k).into_iter().map(|p| (p, None)));
    }
    urls.push((urls::CHRONOLOGY.into(), None));
    for y in d.years.iter().filter(|y| !y.items.is_empty()) {
        urls.extend(crate::render::year_page_paths(d, y.year).into_iter().map(|p| (p, None)));
    }
    urls.push((urls::SOURCES.into(), None));
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (u, last) in urls {
        let _ = write!(out, "<url><loc>{}{}</loc>", xml(&base), xml(&u));
        if let Some(l) = last {
            let _ = write!(out, "<lastmod>{l}</lastmod>");
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// The search index (see `crate::output::search`): every entry as a
/// document of passages, split into files a query loads as it needs them.
pub fn search_files(h: &Handbook) -> Vec<Page> {
    let made = Collected::new();
    emit_search_files(h, &|page| made.put(page));
    made.into_pages()
}

/// Makes the search index's files (see [`crate::output::search`]), handing
/// each to `emit` as it is made.
fn emit_search_files(h: &Handbook, emit: &(dyn Fn(Page) + Sync)) {
    use crate::output::search::{Document, Passage, html_passages};
    let passage = |kind: char, anchor: &str, text: String| Passage { kind, anchor: anchor.to_string(), text };
    let document = |i: usize| {
        let e = &h.entries[i];
        let mut passages = Vec::new();
        if !e.aliases.is_empty() {
            let names: Vec<&str> = e.aliases.iter().map(|a| a.name.as_str()).collect();
            passages.push(passage('a', "", names.join(" · ")));
        }
        passages.push(passage('s', "", e.summary.clone()));
        if !e.tags.is_empty() {
            passages.push(passage('g', "", e.tags.join(" · ")));
        }
        let facts = facts(e);
        if !facts.is_empty() {
            passages.push(passage('f', "", facts));
        }
        for ev in &e.events {
            let mut parts = vec![ev.date.to_string(), ev.title.clone()];
            parts.extend(ev.place.clone());
            if !ev.participants.is_empty() {
                parts.push(ev.participants.join(", "));
            }
            let mut text = parts.join(" · ");
            for note in std::iter::once(&ev.note_html).chain(ev.disputed.iter().map(|c| &c.note_html)) {
                let note = html_passages(note).into_iter().map(|p| p.text).collect::<Vec<_>>().join(" ");
                if !note.is_empty() {
                    text.push_str(" — ");
                    text.push_str(&note);
                }
            }
            passages.push(passage('e', &ev.anchor, text));
        }
        passages.extend(html_passages(&e.body_html.unpack()));
        Document { title: e.title.clone(), kind: e.kind.name().to_string(), url: urls::entry(e.kind, &e.id), passages }
    };
    let english = h.site.language.split(['-', '_']).next().is_some_and(|l| l.eq_ignore_ascii_case("en"));
    crate::output::search::write(h.entries.len(), document, english, &|path, content| {
        emit(Page { path, content: content.into_bytes() })
    });
}

/// The fields of an entry's kind, as text to search.
fn facts(e: &Entry) -> String {
    let d = &e.details;
    let mut parts: Vec<String> = Vec::new();
    parts.extend(d.level.clone());
    parts.extend(d.frequency.clone());
    parts.extend(d.participants.iter().cloned());
    parts.extend(d.domain.iter().map(|x| x.label().to_string()));
    parts.extend(d.format.map(|f| f.label().to_string()));
    parts.extend(d.signatories.iter().cloned());
    parts.extend(d.place.clone());
    parts.join(" · ")
}
