//! The bundled handbook in `content/` builds cleanly, and every entry is
//! summarised, dated, cited and linked.

use std::path::Path;

use handbook::build::{self, Options};
use handbook::diagnostic::Diagnostics;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn bundled_handbook_checks_without_any_warning() {
    let outcome = build::check(&Options::new(root()));
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
    let loaded = handbook::load::load(&content, &mut diagnostics);
    let model = handbook::model::build(&loaded, &content, &Default::default(), &mut diagnostics).expect("model");
    assert!(!diagnostics.has_errors(), "{diagnostics:#?}");
    assert_eq!(model.entries.len(), loaded.entries.len(), "every file became an entry");
    for kind in handbook::load::Kind::ALL {
        assert!(model.entries.iter().any(|e| e.kind == kind), "no {kind:?} entry");
    }
    for e in &model.entries {
        assert!(!e.summary.trim().is_empty(), "{}: no summary", e.id);
        assert!(e.date.year() > 1900, "{}: implausible date", e.id);
        assert!(!e.notes.cited_keys.is_empty(), "{}: cites nothing", e.id);
        assert!(e.events.iter().all(|ev| !ev.cites.is_empty()), "{}: an event cites nothing", e.id);
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
