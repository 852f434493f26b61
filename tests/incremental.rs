//! Incremental rebuilds (`handbook serve`) give byte-identical output to a
//! full build of the same files, after edits, additions, renames, deletions,
//! a broken edit and its fix, template and static-file changes.

mod common;

use std::collections::BTreeMap;

use common::Site;
use handbook::pipeline::Options;
use handbook::serve::session::{Session, full_build_pages};

fn assert_same_as_full_build(site: &Site, session: &Session, step: &str) {
    let full =
        full_build_pages(&Options::new(site.root())).unwrap_or_else(|d| panic!("{step}: full build failed: {d:#?}"));
    let incremental: BTreeMap<String, Vec<u8>> = session.pages().into_iter().map(|(k, v)| (k, v.to_vec())).collect();
    let full_paths: Vec<&String> = full.keys().collect();
    let inc_paths: Vec<&String> = incremental.keys().collect();
    assert_eq!(inc_paths, full_paths, "{step}: different sets of files");
    for (path, bytes) in &full {
        assert!(incremental[path] == *bytes, "{step}: {path} differs from a full build");
    }
}

/// The paths written that are not the search index's, and whether any of
/// the search index's was (which of its files change depends on the words).
fn pages_and_search(written: &[String]) -> (Vec<&str>, bool) {
    let pages = written.iter().map(String::as_str).filter(|p| !p.starts_with("search/")).collect();
    (pages, written.iter().any(|p| p.starts_with("search/d/")))
}

#[test]
fn incremental_rebuilds_match_full_builds() {
    let site = Site::copy_of("basic");
    let root = site.root();
    let (mut session, report) = Session::start(Options::new(root));
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "start");

    // A prose edit re-renders the entry's page and nothing else.
    site.edit("content/mechanisms/alpha.md", "They meet every year.", "They meet every year, usually in autumn.");
    let report = session.apply(&[root.join("content/mechanisms/alpha.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    // (The print page and the search index hold the body text, so they change too.)
    assert_eq!(pages_and_search(&report.written), (vec!["mechanisms/alpha.html", "print.html"], true));
    assert_same_as_full_build(&site, &session, "prose edit");

    // A title change shows everywhere the entry is listed.
    site.edit("content/exercises/drill.md", "title: Drill Series", "title: Drill Series Renamed");
    let report = session.apply(&[root.join("content/exercises/drill.md")]);
    assert!(report.written.len() > 3, "{:?}", report.written);
    assert_same_as_full_build(&site, &session, "title edit");

    // An event's date moves it to another year.
    site.edit("content/mechanisms/alpha.md", "  - date: 1993-10\n", "  - date: 1995-10\n");
    let report = session.apply(&[root.join("content/mechanisms/alpha.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "event moved");
    // Moving the event another entry links to breaks that link: reported, old pages kept.
    site.edit("content/mechanisms/alpha.md", "date: 2014-11-18", "date: 2013-11-18");
    let report = session.apply(&[root.join("content/mechanisms/alpha.md")]);
    assert_eq!(report.diagnostics.iter().next().unwrap().message, "`#2014` is not an anchor of `alpha`");
    // Fixing the link instead (in the file that has it) clears the problem…
    site.edit("content/declarations/decl.md", "alpha.md#2014", "alpha.md#2013");
    let report = session.apply(&[root.join("content/declarations/decl.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "link follows the event");
    // …and moving the event back breaks it again, until both are back.
    site.edit("content/mechanisms/alpha.md", "date: 2013-11-18", "date: 2014-11-18");
    let report = session.apply(&[root.join("content/mechanisms/alpha.md")]);
    assert_eq!(report.diagnostics.iter().next().unwrap().message, "`#2013` is not an anchor of `alpha`");
    site.edit("content/declarations/decl.md", "alpha.md#2013", "alpha.md#2014");
    let report = session.apply(&[root.join("content/declarations/decl.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    site.edit("content/mechanisms/alpha.md", "date: 2014-11-18", "date: 2014-11-18");
    let report = session.apply(&[root.join("content/mechanisms/alpha.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "event moved back");

    // A new entry that links to others and cites.
    site.write(
        "content/exercises/new-drill.md",
        "---\ntitle: New Drill\nsummary: A new drill.\ndate: 2005\ntags: [ministerial]\nrelations:\n  part_of: alpha\n---\nSee [Alpha](../mechanisms/alpha.md) [@korolev2018, p. 3].\n",
    );
    let report = session.apply(&[root.join("content/exercises/new-drill.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert!(report.written.contains(&"exercises/new-drill.html".to_string()));
    assert_same_as_full_build(&site, &session, "addition");

    // A rename: one path removed, another added.
    let text = site.read_source("content/exercises/new-drill.md");
    std::fs::remove_file(root.join("content/exercises/new-drill.md")).unwrap();
    site.write("content/exercises/newer-drill.md", &text);
    let report =
        session.apply(&[root.join("content/exercises/new-drill.md"), root.join("content/exercises/newer-drill.md")]);
    assert!(report.removed.contains(&"exercises/new-drill.html".to_string()), "{:?}", report.removed);
    assert_same_as_full_build(&site, &session, "rename");

    // A deletion.
    std::fs::remove_file(root.join("content/exercises/newer-drill.md")).unwrap();
    session.apply(&[root.join("content/exercises/newer-drill.md")]);
    assert_same_as_full_build(&site, &session, "deletion");

    // A broken edit keeps the last good pages; fixing it catches up.
    let good = session.pages();
    site.edit("content/declarations/decl.md", "date: 2000-07-18\nsignatories", "date: 2000-13-18\nsignatories");
    let report = session.apply(&[root.join("content/declarations/decl.md")]);
    assert!(report.failed());
    assert_eq!(report.diagnostics.iter().next().unwrap().message, "invalid date `2000-13-18`: there is no month 13");
    assert_eq!(session.pages(), good);
    site.edit("content/declarations/decl.md", "date: 2000-13-18\nsignatories", "date: 2001-07-16\nsignatories");
    let report = session.apply(&[root.join("content/declarations/decl.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "fixed");

    // The home page's text.
    site.edit("content/index.md", "This handbook covers", "This small handbook covers");
    let report = session.apply(&[root.join("content/index.md")]);
    assert_eq!(report.written, ["index.html"]);
    assert_same_as_full_build(&site, &session, "home");

    // A template change re-renders without re-parsing.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost</h1>{% endblock content %}",
    );
    session.apply(&[root.join("templates/404.html")]);
    assert_same_as_full_build(&site, &session, "template");

    // A stylesheet change is a CSS-only update.
    site.write("static/extra.css", "body { color: red; }");
    let report = session.apply(&[root.join("static/extra.css")]);
    assert!(report.css_only);
    assert_eq!(report.written, ["extra.css"]);
    assert_same_as_full_build(&site, &session, "static");

    // site.yaml: everything.
    site.edit("content/site.yaml", "title: Test Handbook", "title: Test Handbook Two");
    session.apply(&[root.join("content/site.yaml")]);
    assert_same_as_full_build(&site, &session, "site.yaml");
}

#[test]
fn deferred_extras_catch_up_to_a_full_build() {
    let site = Site::copy_of("basic");
    let (mut session, _) = Session::start(Options::new(site.root()));
    session.defer_extras = true;
    site.edit("content/mechanisms/alpha.md", "They meet every year.", "They meet every other year.");
    let report = session.apply(&[site.root().join("content/mechanisms/alpha.md")]);
    // The page first; the print page and the search index after.
    assert_eq!(report.written, ["mechanisms/alpha.html"]);
    assert_eq!(pages_and_search(&session.finish_extras()), (vec!["print.html"], true));
    assert_same_as_full_build(&site, &session, "deferred");
}

#[test]
fn deferred_work_for_a_superseded_state_is_dropped_and_redone() {
    let site = Site::copy_of("basic");
    let alpha = site.root().join("content/mechanisms/alpha.md");
    let (mut session, _) = Session::start(Options::new(site.root()));
    session.defer_extras = true;
    site.edit("content/mechanisms/alpha.md", "They meet every year.", "They meet every other year.");
    session.apply(std::slice::from_ref(&alpha));
    // The server takes the job and runs it without the session; meanwhile a
    // broken save comes in, which defers nothing of its own.
    let job = session.extras_job().expect("work was deferred");
    site.edit("content/mechanisms/alpha.md", "title: Alpha", "title: [broken");
    assert!(session.apply(std::slice::from_ref(&alpha)).failed());
    assert_eq!(session.install_extras(job.generation(), job.run()), Vec::<String>::new(), "superseded");
    // The work is due again, for the last good state.
    assert_eq!(pages_and_search(&session.finish_extras()), (vec!["print.html"], true));
    site.edit("content/mechanisms/alpha.md", "title: [broken", "title: Alpha");
    assert!(!session.apply(std::slice::from_ref(&alpha)).failed());
    session.finish_extras();
    assert_same_as_full_build(&site, &session, "after the fix");
}

#[test]
fn incremental_rebuilds_of_the_bundled_handbook_match() {
    let site = Site { dir: tempfile::tempdir().unwrap() };
    common::copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &site.root().join("content"));
    let (mut session, report) = Session::start(Options::new(site.root()));
    assert!(!report.failed());
    let file = "content/exercises/joint-sea.md";
    let text = site.read_source(file);
    // Change a title and the first event's place.
    let edited = text.replacen("title: Joint Sea", "title: Joint Sea (Morskoe Vzaimodeistvie)", 1);
    assert_ne!(edited, text);
    site.write(file, &edited);
    let report = session.apply(&[site.root().join(file)]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "bundled title edit");
}

#[test]
fn in_the_live_server_pages_nobody_is_looking_at_follow_the_reload() {
    let site = Site::copy_of("basic");
    let root = site.root();
    let (mut session, _) = Session::start(Options::new(root));
    session.defer_extras = true;
    session.watched = ["exercises/drill.html".to_string(), "chronology/index.html".to_string()].into();
    site.edit("content/exercises/drill.md", "title: Drill Series", "title: Drill Series Renamed");
    let report = session.apply(&[root.join("content/exercises/drill.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    // Rendered before the reload: the entry's page and the pages open in a browser.
    assert!(report.written.contains(&"exercises/drill.html".to_string()), "{:?}", report.written);
    assert!(report.written.contains(&"chronology/index.html".to_string()), "{:?}", report.written);
    // Left for later: its kind's list and the page of the entry it is part of.
    for path in ["exercises/index.html", "mechanisms/alpha.html"] {
        assert!(!report.written.contains(&path.to_string()), "{path} in {:?}", report.written);
        assert!(session.is_stale(path), "{path}");
    }
    // Asked for, a page left for later is rendered on the spot.
    session.render_now("exercises/index.html");
    assert!(!session.is_stale("exercises/index.html"));
    assert!(String::from_utf8_lossy(&session.page("exercises/index.html").unwrap()).contains("Drill Series Renamed"));
    // The deferred work brings the rest up to date: then it is a full build again.
    session.finish_extras();
    assert!(!session.is_stale("mechanisms/alpha.html"));
    assert_same_as_full_build(&site, &session, "after the deferred pages");
}

#[test]
fn a_kind_list_in_pages_follows_edits_page_by_page() {
    // 1,600 generated entries: each kind's list is more than 500, two pages.
    let site = Site { dir: tempfile::tempdir().unwrap() };
    let corpus = gen_corpus::Corpus::new(1600, gen_corpus::DEFAULT_SEED);
    for file in corpus.handbook_files() {
        site.write(&file.path, &file.text);
    }
    let (mut session, report) = Session::start(Options::new(site.root()));
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    let pages = session.pages();
    let second = String::from_utf8(pages["exercises/page/2.html"].to_vec()).unwrap();
    // An exercise listed on the second page.
    let id =
        second.split(r#"<td><a href="../../exercises/"#).nth(1).unwrap().split(".html").next().unwrap().to_string();
    let file = format!("content/exercises/{id}.md");
    let text = site.read_source(&file);
    let title = text.lines().find(|l| l.starts_with("title: ")).unwrap().to_string();

    // A new title: its row changes, on its page only.
    site.write(&file, &text.replacen(&title, &format!("{title} Renamed"), 1));
    let report = session.apply(&[site.root().join(&file)]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert!(report.written.contains(&"exercises/page/2.html".to_string()), "{:?}", report.written);
    assert!(!report.written.contains(&"exercises/index.html".to_string()), "{:?}", report.written);
    assert_same_as_full_build(&site, &session, "title of an entry on page 2");

    // An earlier date: it moves to the first page, and rows move between pages.
    let text = site.read_source(&file);
    let date = text.lines().find(|l| l.starts_with("date: ")).unwrap().to_string();
    site.write(&file, &text.replacen(&date, "date: \"1950-01\"", 1));
    let report = session.apply(&[site.root().join(&file)]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "an entry moved to page 1");
    let first = String::from_utf8(session.pages()["exercises/index.html"].to_vec()).unwrap();
    assert!(first.contains(&format!(r#"href="../exercises/{id}.html""#)), "now on the first page");

    // One more exercise, the earliest: every row after it moves down.
    let copy = format!("content/exercises/{id}-copy.md");
    site.write(&copy, &site.read_source(&file).replacen("date: \"1950-01\"", "date: \"1949-01\"", 1));
    let report = session.apply(&[site.root().join(&copy)]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "an entry added to a list in pages");
}

#[test]
fn a_year_of_more_than_two_thousand_events_is_listed_in_pages_and_follows_edits() {
    let site = Site::copy_of("basic");
    // 2,001 events in 2016: the year takes two pages of at most 2,000.
    let mut text = String::from(
        "---\ntitle: Many Drills\nsummary: A drill held every few hours.\ndate: 2016\ndomain: [land]\nformat: bilateral\nevents:\n",
    );
    for k in 0..2001 {
        let (month, day) = (1 + k / 168, 1 + (k / 6) % 28);
        text.push_str(&format!(
            "  - date: 2016-{month:02}-{day:02}\n    title: Drill {k}\n    cite: \"@xinhua2005\"\n"
        ));
    }
    text.push_str("---\nMany drills [@xinhua2005].\n");
    site.write("content/exercises/many.md", &text);
    let (mut session, report) = Session::start(Options::new(site.root()));
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    let pages = session.pages();
    let first = String::from_utf8(pages["chronology/2016.html"].to_vec()).unwrap();
    let second = String::from_utf8(pages["chronology/2016-2.html"].to_vec()).unwrap();
    assert_eq!(first.matches(r#"<tr class="event-row"#).count(), 2000);
    assert_eq!(second.matches(r#"<tr class="event-row"#).count(), 1);
    assert!(first.contains(r#"href="../chronology/2016-2.html""#), "page 1 links page 2");
    assert!(!pages.contains_key("chronology/2016-3.html"));

    // One event fewer: the second page goes; one more event moves rows.
    let fewer = text.replacen("  - date: 2016-01-01\n    title: Drill 0\n    cite: \"@xinhua2005\"\n", "", 1);
    assert_ne!(fewer, text);
    site.write("content/exercises/many.md", &fewer);
    let report = session.apply(&[site.root().join("content/exercises/many.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert!(report.removed.contains(&"chronology/2016-2.html".to_string()), "{:?}", report.removed);
    assert_same_as_full_build(&site, &session, "a year back to one page");
    site.write("content/exercises/many.md", &text);
    let report = session.apply(&[site.root().join("content/exercises/many.md")]);
    assert!(!report.failed(), "{:#?}", report.diagnostics);
    assert_same_as_full_build(&site, &session, "a year in two pages again");
}
