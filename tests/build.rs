//! End-to-end tests of `handbook build` over the fixture site `tests/sites/basic`.

mod common;

use common::{Site, between, snapshot};
use handbook::pipeline::Options;

#[test]
fn footnotes_are_numbered_with_lettered_backlinks() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let page = site.page("mechanisms/alpha.html");
    // Note 2 is the footnote [^plan], used twice: two references, lettered back-links.
    assert!(
        page.contains(r##"<a href="#note-2" id="noteref-2" role="doc-noteref" aria-describedby="notes-label">2</a>"##)
    );
    assert!(
        page.contains(
            r##"<a href="#note-2" id="noteref-2-2" role="doc-noteref" aria-describedby="notes-label">2</a>"##
        )
    );
    let note = between(&page, r#"<li id="note-2""#, "</li>");
    assert!(note.contains("Planning is done in advance (Xinhua News Agency"), "{note}");
    assert!(
        note.contains(
            r##"href="#noteref-2" role="doc-backlink" aria-label="Back to reference a to note 2">↩<sup>a</sup>"##
        ),
        "{note}"
    );
    assert!(
        note.contains(
            r##"href="#noteref-2-2" role="doc-backlink" aria-label="Back to reference b to note 2">↩<sup>b</sup>"##
        ),
        "{note}"
    );
    // The notes section is labelled and its ids cannot clash with headings.
    assert!(page.contains(r#"<section class="notes" id="notes" role="doc-endnotes" aria-labelledby="notes-label">"#));
    assert!(page.contains(r#"<h2 id="meetings">Meetings</h2>"#));
}

#[test]
fn citations_get_full_then_short_notes_and_a_bibliography() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let page = site.page("mechanisms/alpha.html");
    let first = between(&page, r#"<li id="note-1""#, "</li>");
    assert!(
        first.contains("Alexander Korolev, “Beyond the Nominal and the Ad Hoc: The Substance and Drivers of China-Russia Military Cooperation,” <i>Insight Turkey</i> 20, no. 1 (2018): 35."),
        "{first}"
    );
    let later = between(&page, r#"<li id="note-3""#, "</li>");
    assert!(later.contains("<p>See Korolev, “Beyond the Nominal and the Ad Hoc: The Substance and Drivers of China-Russia Military Cooperation,” 36.</p>"), "{later}");
    // Pandoc's placement: no space before the mark, after the full stop.
    assert!(page.contains("first met in 1993.<sup class=\"noteref\"><a href=\"#note-1\""));
    let bib = between(&page, r#"<ul class="references">"#, "</ul>");
    assert!(bib.contains(r#"<li id="ref-korolev2018">Korolev, Alexander. “Beyond the Nominal"#), "{bib}");
    assert!(bib.contains(r#"<li id="ref-xinhua2005">Xinhua News Agency."#), "{bib}");
    // The site-wide Sources page lists every reference with the entries citing it.
    let sources = site.page("sources.html");
    let korolev = between(&sources, r#"<li id="ref-korolev2018">"#, "</li>");
    assert!(korolev.contains(r#"<a href="mechanisms/alpha.html">Alpha Meetings</a>"#), "{korolev}");
    assert!(korolev.contains(r#"<a href="exercises/drill.html">Drill Series</a>"#), "{korolev}");
}

#[test]
fn cross_links_are_rewritten_and_checked() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let page = site.page("mechanisms/alpha.html");
    assert!(page.contains(r#"<a href="../exercises/drill.html">the drill</a>"#));
    let decl = site.page("declarations/decl.html");
    assert!(decl.contains(r#"<a href="../mechanisms/alpha.html#2014">Alpha meetings</a>"#));
    assert!(page.contains(r#"<a href="../declarations/decl.html">the declaration</a>"#));
    let home = site.page("index.html");
    assert!(home.contains(r#"<a href="mechanisms/alpha.html">the meetings</a>"#));

    site.edit("content/mechanisms/alpha.md", "../exercises/drill.md", "../exercises/dril.md");
    let outcome = site.build();
    let d = outcome.diagnostics.iter().find(|d| d.message.contains("no such entry file")).expect("a broken-link error");
    assert_eq!(d.file, site.root().join("content/mechanisms/alpha.md"));
    assert_eq!((d.line, d.column), (21, 78));
    assert_eq!(d.message, "link to `../exercises/dril.md`: there is no such entry file (exercises/dril.md)");
    assert_eq!(d.hint.as_deref(), Some("did you mean `../exercises/drill.md`?"));
}

#[test]
fn broken_anchors_are_rejected() {
    let site = Site::copy_of("basic");
    site.edit("content/declarations/decl.md", "alpha.md#2014", "alpha.md#2015");
    let outcome = site.build();
    let d = outcome.diagnostics.iter().find(|d| d.message.contains("anchor")).expect("an anchor error");
    assert_eq!(d.message, "`#2015` is not an anchor of `alpha`");
    assert_eq!((d.line, d.column), (16, 83));
    assert!(d.hint.as_deref().unwrap().starts_with("did you mean `#2014`?"), "{:?}", d.hint);
}

#[test]
fn backlinks_and_relations_with_inverse_labels() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let alpha = site.page("mechanisms/alpha.html");
    let connections = between(&alpha, r#"<h2 id="relations">Connections</h2>"#, "</section>");
    // Inverse labels from site.yaml, on the target's page.
    assert!(
        connections.contains(
            "<dt class=\"relation-part_of inverse\">Includes</dt>\n<dd><ul><li><a href=\"../exercises/drill.html\">Drill Series</a>"
        ),
        "{connections}"
    );
    assert!(connections.contains("inverse\">Declarations adopted here</dt>"), "{connections}");
    // The drill and the declaration link to alpha in their text, but are
    // among its connections already: no "Mentioned in" repeats them.
    assert!(!connections.contains("mentioned-in"), "{connections}");
    let drill = site.page("exercises/drill.html");
    assert!(drill.contains(
        "<dt class=\"relation-part_of\">Part of</dt>\n<dd><ul><li><a href=\"../mechanisms/alpha.html\">Alpha Meetings</a>"
    ));
    // A symmetric relation shows under its own label on both pages.
    assert!(drill.contains("<dt class=\"relation-related\">Related</dt>"));
    let decl = site.page("declarations/decl.html");
    assert!(
        decl.contains("<dt class=\"relation-related\">Related</dt>\n<dd><ul><li><a href=\"../exercises/drill.html\">")
    );
}

#[test]
fn partial_dates_are_displayed_at_their_precision_and_sorted() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let drill = site.page("exercises/drill.html");
    assert!(drill.contains(r#"<time datetime="2005-08-18">18–25 August 2005</time>"#));
    assert!(drill.contains(r#"<time datetime="2007">c. 2007</time>"#));
    let alpha = site.page("mechanisms/alpha.html");
    assert!(alpha.contains(r#"<time datetime="1993-10">October 1993</time>"#));
    // The year 2005 lists "2005" (earliest day 1 January) before 18 August 2005.
    let year = site.page("chronology/2005.html");
    let planning = year.find("Drill planning 2005").unwrap();
    let drill_2005 = year.find(">Drill 2005<").unwrap();
    assert!(planning < drill_2005);
}

#[test]
fn chronology_is_grouped_by_year_in_order() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let page = site.page("chronology/index.html");
    // One list, with a divider per year, in order.
    assert_eq!(page.matches("<table class=\"chronology-list\"").count(), 1);
    let years: Vec<&str> =
        page.match_indices("<tbody class=\"year\" id=\"y").map(|(i, _)| &page[i + 25..i + 29]).collect();
    assert_eq!(years, ["1993", "2000", "2005", "2007", "2014"]);
    let y2005 = between(&page, r#"<tbody class="year" id="y2005""#, "</tbody>");
    assert_eq!(y2005.matches("<tr class=\"event-row").count(), 2);
    // Every row has the same five cells.
    assert_eq!(y2005.matches("<td").count(), 10);
    // The disputed event is marked, with the other source's claim.
    assert!(
        y2005.contains(
            r#"<span class="disputed-mark">disputed</span><span class="dispute-summary">Other version: 2004: The article dates the series to 2004 (Korolev"#
        ),
        "{y2005}"
    );
    // Each event links to its anchor on its entry's page.
    assert!(y2005.contains(r#"<a href="../exercises/drill.html#2005">Drill 2005</a>"#), "{y2005}");
    // Every year with events has its own page.
    for y in &years {
        assert!(site.out().join(format!("chronology/{y}.html")).exists());
    }
    // Quiet years appear in the table of counts with zero events and no link.
    assert!(page.contains(r#"<tr><th scope="row">1994</th><td>0</td>"#));
}

#[test]
fn the_timeline_draws_a_lane_per_entry_and_links_every_mark_to_its_event() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let page = site.page("chronology/index.html");
    let svg = between(&page, "<svg class=\"timeline lanes\"", "</svg>");
    for entry in ["alpha", "drill", "decl"] {
        assert_eq!(svg.matches(&format!("data-entry=\"{entry}\"")).count(), 1, "{entry}");
    }
    // Every event of the list is a mark in the timeline, linking to the same anchor.
    let list = between(&page, "<table class=\"chronology-list\"", "</table>");
    let events: Vec<&str> = list
        .match_indices("</time></td>\n<td><a href=\"")
        .map(|(i, _)| {
            let rest = &list[i + 26..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(events.len(), 6);
    for href in &events {
        assert!(svg.contains(&format!("<a class=\"event-mark\" href=\"{href}\">")), "{href} has no mark");
    }
    // The disputed event is drawn with the range of dates sources give.
    assert_eq!(svg.matches("class=\"dispute-range\"").count(), 1);
    // The year and kind pages draw their own lanes; the home page the summary.
    assert!(site.page("chronology/2005.html").contains(">Aug</text>"));
    assert!(site.page("exercises/index.html").contains("data-entry=\"drill\""));
    assert!(site.page("index.html").contains("<svg class=\"timeline summary\""));
}

#[test]
fn builds_are_deterministic() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let first = snapshot(&site.out());
    site.build_ok();
    let second = snapshot(&site.out());
    assert_eq!(first.len(), second.len());
    for ((p1, b1), (p2, b2)) in first.iter().zip(&second) {
        assert_eq!(p1, p2);
        assert!(b1 == b2, "{p1} differs between two builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let before = snapshot(&site.out());
    site.edit("content/exercises/drill.md", "title: Drill Series", "title: Drill Series\ndate: 2014-13-45");
    let outcome = site.build();
    assert!(outcome.stats.is_none());
    assert!(outcome.diagnostics.has_errors());
    assert_eq!(snapshot(&site.out()), before);
    // No staging folder is left behind.
    let names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-") && !n.contains(".old-")), "{names:?}");
}

#[test]
fn titles_are_html_escaped() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let decl = site.page("declarations/decl.html");
    assert!(!decl.contains("<script>alert(1)</script>"));
    assert!(
        decl.contains("<h1>Joint &lt;script&gt;alert(1)&lt;&#x2f;script&gt; Declaration</h1>")
            || decl.contains("<h1>Joint &lt;script&gt;alert(1)&lt;/script&gt; Declaration</h1>"),
        "{}",
        between(&decl, "<h1>", "</h1>")
    );
    for page in ["mechanisms/alpha.html", "declarations/index.html", "chronology/2000.html"] {
        assert!(!site.page(page).contains("<script>alert"), "{page}");
    }
}

#[test]
fn all_errors_are_reported_in_one_run() {
    let site = Site::copy_of("basic");
    site.edit("content/exercises/drill.md", "date: \"2007~\"", "date: 2007-02-30");
    site.edit("content/declarations/decl.md", "adopted_at: alpha", "adopted_at: alpah");
    site.edit("content/mechanisms/alpha.md", "[see @korolev2018, p. 36]", "[see @korolevv2018, p. 36]");
    let outcome = site.build();
    let messages: Vec<String> =
        outcome.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect();
    assert_eq!(
        messages,
        [
            "no entry has the id `alpah`",
            "invalid date `2007-02-30`: February 2007 has no day 30 (it has 28 days)",
            "unknown citation key `korolevv2018`",
        ]
    );
}

#[test]
fn the_cli_prints_a_summary_and_exits_by_outcome() {
    let site = Site::copy_of("basic");
    let ok = site.run(&["build"]);
    assert!(ok.status.success());
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert!(stderr.starts_with("Built 3 entries (6 events, 2 sources) into public: "), "{stderr}");
    site.edit("content/declarations/decl.md", "adopted_at: alpha", "adopted_at: alpah");
    let bad = site.run(&["build"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("error: no entry has the id `alpah`"), "{stderr}");
    assert!(stderr.contains("content/declarations/decl.md:8:15"), "{stderr}");
    assert!(stderr.contains("help: did you mean `alpha`?"), "{stderr}");
    let usage = site.run(&["build", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn every_page_links_relatively_and_folders_by_index_html() {
    let site = Site::copy_of("basic");
    site.build_ok();
    for (path, bytes) in snapshot(&site.out()) {
        // 404.html is served for misses at any depth, so it links from the site root.
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for (i, _) in html.match_indices("href=\"") {
            let href = &html[i + 6..i + 6 + html[i + 6..].find('"').unwrap()];
            if href.starts_with("https://") || href.starts_with('#') {
                continue;
            }
            assert!(!href.starts_with('/'), "{path}: absolute link {href}");
            assert!(!href.ends_with('/'), "{path}: link to a folder {href} does not open from file://");
            let target = href.split('#').next().unwrap();
            let resolved = std::path::Path::new(&path).parent().unwrap().join(target);
            assert!(site.out().join(&resolved).exists(), "{path}: link to missing {href}");
        }
    }
}

#[test]
fn the_print_page_joins_every_entry_with_unique_ids_and_internal_links() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let page = site.page("print.html");
    let ids: Vec<&str> =
        page.match_indices(" id=\"").map(|(i, _)| &page[i + 5..i + 5 + page[i + 5..].find('"').unwrap()]).collect();
    let unique: std::collections::HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids on the print page");
    for id in ["alpha", "drill", "decl", "alpha--note-1", "alpha--2014", "print-bibliography"] {
        assert!(ids.contains(&id), "{id} missing");
    }
    // A contents list leads to each entry; one bibliography ends the page.
    let contents = between(&page, "<nav class=\"print-contents\"", "</nav>");
    for id in ["alpha", "drill", "decl"] {
        assert!(contents.contains(&format!("<a href=\"#{id}\">")), "{id} not in the contents");
    }
    assert_eq!(page.matches("<section class=\"bibliography").count(), 1);
    assert!(!page.contains("class=\"toc\""));
    // Links between entries stay on the page and land on an id.
    assert!(page.contains(r##"href="#alpha--2014""##));
    for (i, _) in page.match_indices("href=\"#") {
        let target = &page[i + 7..i + 7 + page[i + 7..].find('"').unwrap()];
        assert!(ids.contains(&target) || target == "main", "#{target} has no target");
    }
}

#[test]
fn the_citation_cache_changes_nothing_but_time_and_follows_edits_to_sources() {
    let site = Site::copy_of("basic");
    let with_cache = |site: &Site| {
        let mut options = Options::new(site.root());
        options.cache_dir = Some(site.root().join(".handbook-cache"));
        let outcome = handbook::pipeline::build(&options);
        assert!(outcome.stats.is_some(), "{:#?}", outcome.diagnostics);
    };
    site.build_ok();
    let uncached = snapshot(&site.out());
    with_cache(&site);
    assert!(site.root().join(".handbook-cache/citations.json").is_file());
    assert_eq!(snapshot(&site.out()), uncached, "first build with an empty cache");
    with_cache(&site);
    assert_eq!(snapshot(&site.out()), uncached, "build from the cache");

    // A source's fields change: its notes and bibliography entry follow.
    site.edit("content/references.bib", "Korolev", "Korolyov");
    with_cache(&site);
    let cached = snapshot(&site.out());
    site.build_ok();
    assert_eq!(snapshot(&site.out()), cached, "after the edit, cached and uncached builds agree");
    assert!(site.page("sources.html").contains("Korolyov"));
    assert!(!site.page("sources.html").contains("Korolev,"));
}

#[test]
fn handbook_json_is_the_whole_handbook_as_pretty_printed_json() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let text = site.page("handbook.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    // Put together entry by entry, it is exactly what printing the whole value gives.
    assert_eq!(serde_json::to_string_pretty(&doc).unwrap() + "\n", text);
    let entries = doc["entries"].as_array().unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"alpha") && ids.contains(&"drill"), "{ids:?}");
    let alpha = entries.iter().find(|e| e["id"] == "alpha").unwrap();
    assert_eq!(alpha["url"], "mechanisms/alpha.html");
    assert!(!alpha["events"].as_array().unwrap().is_empty());
    assert!(alpha["mentioned_in"].as_array().unwrap().iter().any(|m| m == "decl"));
    assert!(doc["generator"].as_str().unwrap().starts_with("handbook "));
}

#[test]
fn links_and_relations_to_a_draft_left_out_are_errors_at_their_place() {
    // A build parses and compiles each file once, before it knows which are
    // drafts: what points to a draft must still be reported.
    let site = Site::copy_of("basic");
    site.edit("content/mechanisms/alpha.md", "title:", "draft: true\ntitle:");
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (place, message) in [
        ("content/declarations/decl.md:8:15", "no entry has the id `alpha`"),
        ("content/exercises/drill.md:9:12", "no entry has the id `alpha`"),
        ("content/exercises/drill.md:26:42", "link to `../mechanisms/alpha.md`: there is no such entry file"),
        ("content/declarations/decl.md:16:83", "link to `../mechanisms/alpha.md#2014`"),
        ("content/index.md:5:37", "link to `mechanisms/alpha.md`"),
    ] {
        let at = stderr.find(place).unwrap_or_else(|| panic!("no message at {place}:\n{stderr}"));
        let before = &stderr[..at];
        assert!(before[before.rfind("error:").unwrap()..].contains(message), "{place}: {message}\n{stderr}");
    }
    let with_drafts = site.run(&["check", "--drafts"]);
    assert!(with_drafts.status.success(), "{}", String::from_utf8_lossy(&with_drafts.stderr));
}
