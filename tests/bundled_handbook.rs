//! The bundled handbook in `content/` builds cleanly, and every entry is
//! summarised, dated, cited and linked.

use std::path::Path;

use handbook::diagnostic::Diagnostics;
use handbook::pipeline::{self, Options};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn bundled_handbook_checks_without_any_warning() {
    let outcome = pipeline::check(&Options::new(root()));
    let problems: Vec<String> =
        outcome.diagnostics.iter().map(|d| format!("{}: {}", d.location(), d.message)).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let stats = outcome.stats.expect("the handbook compiles");
    assert!(stats.entries >= 20, "{stats:?}");
}

#[test]
fn every_entry_has_a_summary_date_citation_and_link() {
    let content = root().join("content");
    let mut diagnostics = Diagnostics::new();
    let loaded = handbook::content::load::load(&content, &mut diagnostics);
    let model = handbook::model::from_loaded(&loaded, &content, &Default::default(), &mut diagnostics).expect("model");
    assert!(!diagnostics.has_errors(), "{diagnostics:#?}");
    assert_eq!(model.entries.len(), loaded.entries.len(), "every file became an entry");
    for kind in handbook::content::Kind::ALL {
        assert!(model.entries.iter().any(|e| e.kind == kind), "no {kind:?} entry");
    }
    for e in &model.entries {
        assert!(!e.summary.trim().is_empty(), "{}: no summary", e.id);
        assert!(e.date.year() > 1900, "{}: implausible date", e.id);
        assert!(!e.notes.cited_keys.is_empty(), "{}: cites nothing", e.id);
        for ev in &e.events {
            assert!(!ev.cites.is_empty(), "{}#{}: the event cites nothing", e.id, ev.anchor);
            for claim in &ev.disputed {
                assert!(!claim.cites.is_empty(), "{}#{}: a disputed claim cites nothing", e.id, ev.anchor);
                assert!(
                    claim.date.is_some() || !claim.note_html.is_empty(),
                    "{}#{}: a disputed claim says neither a date nor what it claims",
                    e.id,
                    ev.anchor
                );
            }
        }
        let links_out =
            e.links.iter().filter(|l| l.target.as_deref().is_some_and(|t| !t.is_empty() && t != e.id)).count();
        assert!(links_out > 0, "{}: links to no other entry", e.id);
    }
    // The article is cited throughout.
    assert!(
        model.entries.iter().filter(|e| e.notes.cited_keys.iter().any(|k| k == "korolev2018")).count()
            >= model.entries.len() - 2
    );
}

#[test]
fn no_two_entries_give_different_dates_for_the_same_event() {
    let content = root().join("content");
    let mut diagnostics = Diagnostics::new();
    let loaded = handbook::content::load::load(&content, &mut diagnostics);
    let model = handbook::model::from_loaded(&loaded, &content, &Default::default(), &mut diagnostics).expect("model");
    // An event told in two entries carries the same title there; its date must agree.
    let mut seen: std::collections::HashMap<String, (String, String)> = std::collections::HashMap::new();
    let mut clashes = Vec::new();
    for e in &model.entries {
        for ev in &e.events {
            let name = ev.title.to_lowercase();
            let date = ev.date.to_string();
            match seen.get(&name) {
                Some((first, d)) if *d != date => {
                    clashes.push(format!("{:?}: {} in {first}, {} in {}", ev.title, d, date, e.id))
                }
                Some(_) => {}
                None => {
                    seen.insert(name, (e.id.clone(), date));
                }
            }
        }
    }
    assert!(clashes.is_empty(), "{clashes:#?}");
}

#[test]
fn no_page_has_two_notes_that_say_the_same() {
    let out = tempfile::tempdir().unwrap();
    let mut options = Options::new(root());
    options.out = out.path().join("site");
    let outcome = pipeline::build(&options);
    assert!(outcome.stats.is_some(), "{:#?}", outcome.diagnostics);
    let li = scraper::Selector::parse(".notes li").unwrap();
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&options.out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") || entry.path().ends_with("print.html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let doc = scraper::Html::parse_document(&html);
        // Each note's own text, without its back-links.
        let mut notes: Vec<String> = doc
            .select(&li)
            .map(|n| {
                let mut text = String::new();
                for child in n.children() {
                    match scraper::ElementRef::wrap(child) {
                        Some(e) if e.value().classes().any(|k| k == "backref") => {}
                        Some(e) => text.extend(e.text()),
                        None => text.push_str(child.value().as_text().map_or("", |t| &**t)),
                    }
                }
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect();
        if !notes.is_empty() {
            pages += 1;
        }
        let count = notes.len();
        notes.sort();
        notes.dedup();
        assert_eq!(notes.len(), count, "{}: two notes say the same", entry.path().display());
    }
    assert!(pages > 20, "{pages} pages with notes");
}
