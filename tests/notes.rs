//! Notes and connections as a well-edited reference work sets them, over the
//! fixture site `tests/sites/notes`: Chicago punctuation around quoted
//! titles, one note per source and place on a page, citations side by side
//! in one note, and each connection listed once.

mod common;

use common::{Site, between, snapshot};

/// Every page's notes and bibliography entries, as text, by page.
fn notes_and_references(site: &Site) -> Vec<(String, Vec<String>)> {
    let mut pages = Vec::new();
    for (path, bytes) in snapshot(&site.out()) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let doc = scraper::Html::parse_document(&html);
        let select =
            scraper::Selector::parse(".notes li, .references li, .chronology-list .source, td.source").unwrap();
        let texts: Vec<String> = doc
            .select(&select)
            .map(|li| {
                let text: String = li.text().collect();
                text.replace('↩', "").split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect();
        pages.push((path, texts));
    }
    pages
}

fn built() -> Site {
    let site = Site::copy_of("notes");
    site.build_ok();
    site
}

#[test]
fn no_doubled_punctuation_and_periods_inside_quotes() {
    let site = built();
    let mut bad = Vec::new();
    let mut seen = 0;
    for (path, texts) in notes_and_references(&site) {
        for t in texts {
            seen += 1;
            // After a title's ? or !, no comma or period; none outside a closing quote; no doubled period.
            let doubled = ["?”.", "?”,", "!”.", "!”,", "?.", "?,", "..", "”.", "”,", "’.", "’,"];
            if let Some(d) = doubled.iter().find(|d| t.contains(**d)) {
                bad.push(format!("{path}: {d:?} in {t}"));
            }
        }
    }
    assert!(seen > 15, "{seen} notes and references");
    assert!(bad.is_empty(), "{bad:#?}");
    let alpha = site.page("mechanisms/alpha.html");
    // The question in the section title ends the locator's title, with no comma after it.
    assert!(alpha.contains("sec. “Is the United States a Threat?” para. 2"), "{}", between(&alpha, "<ol>", "</ol>"));
}

#[test]
fn quotes_inside_quoted_titles_alternate() {
    let site = built();
    let alpha = site.page("mechanisms/alpha.html");
    assert!(alpha.contains("“‘Shanghai Five’ Nations Sign Joint Statement,”"), "{alpha}");
    assert!(alpha.contains("“China ‘Concerned’ About the Situation"), "TeX quotes become curly ones");
    assert!(!alpha.contains("““") && !alpha.contains("``"));
}

#[test]
fn full_and_short_notes_set_punctuation_alike() {
    let site = built();
    let alpha = site.page("mechanisms/alpha.html");
    let notes = between(&alpha, "<section class=\"notes", "</section>");
    // The full note puts the comma inside the quotes, the short note its period.
    assert!(notes.contains("Cooperation,” <i>Insight Turkey</i>"), "{notes}");
    assert!(notes.contains("Korolev, “Beyond the Nominal and the Ad Hoc,” 36."), "{notes}");
    let drill = site.page("exercises/drill.html");
    assert!(drill.contains("“Peace Mission 2005 Opens,” August 18, 2005"), "{drill}");
}

#[test]
fn a_source_cited_three_times_at_one_place_is_one_note_with_back_links_a_b_c() {
    let site = built();
    let alpha = site.page("mechanisms/alpha.html");
    let doc = scraper::Html::parse_document(&alpha);
    let note1 = doc.select(&scraper::Selector::parse("#note-1").unwrap()).next().expect("note 1");
    let letters: Vec<String> =
        note1.select(&scraper::Selector::parse("a.backref sup").unwrap()).map(|s| s.text().collect()).collect();
    // Three times in the text at p. 35 (the event cites p. 35 together with another source: a note of its own).
    assert_eq!(letters, ["a", "b", "c"], "{}", note1.html());
    let marks = doc.select(&scraper::Selector::parse(".entry-body sup.noteref a[href='#note-1']").unwrap()).count();
    assert_eq!(marks, 3, "the note's number appears where each citation stands");
}

#[test]
fn citations_together_or_side_by_side_are_one_note() {
    let site = built();
    let alpha = site.page("mechanisms/alpha.html");
    let doc = scraper::Html::parse_document(&alpha);
    let li = scraper::Selector::parse(".notes li").unwrap();
    let notes: Vec<String> = doc.select(&li).map(|n| n.text().collect::<String>()).collect();
    // `[@fivenations; @xinhua2005]` is one note with both sources.
    assert!(notes.iter().any(|n| n.contains("Shanghai Five") && n.contains("Peace Mission 2005")), "{notes:#?}");
    // `[@texquotes] [@threat]` too.
    assert!(notes.iter().any(|n| n.contains("Concerned") && n.contains("Is the United States Viewed")), "{notes:#?}");
    // No two notes say the same thing.
    let mut unique = notes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), notes.len(), "{notes:#?}");
    // A citation and a footnote side by side stay two notes: both marks after
    // the full stop, set apart by a comma (never ⁶.⁷).
    assert!(alpha.contains(r##"elsewhere.<sup class="noteref"><a href="#note-6""##), "{alpha}");
    assert!(
        alpha.contains(
            r##"</sup><sup class="noteref-sep" aria-hidden="true">,</sup><sup class="noteref"><a href="#note-7""##
        ),
        "{alpha}"
    );
}

#[test]
fn each_connection_is_listed_once_with_a_relation_beside_its_inverse() {
    let site = built();
    // alpha and beta each declare `related` towards the other: one Related heading, beta once.
    let alpha = site.page("mechanisms/alpha.html");
    let connections = between(&alpha, "<h2 id=\"relations\">Connections</h2>", "</section>");
    // Beta follows alpha: listed under Followed by, not again under Related.
    assert_eq!(connections.matches(">Related</dt>").count(), 1, "{connections}");
    assert_eq!(connections.matches(">Followed by</dt>").count(), 1, "{connections}");
    assert_eq!(connections.matches("Beta Talks</a>").count(), 1, "{connections}");
    // The drill links to alpha in its text and relates to it: listed once, under Related.
    assert_eq!(connections.matches("Drill Series</a>").count(), 1, "{connections}");
    assert!(!connections.contains("Mentioned in"), "{connections}");
    assert!(connections.contains("<svg class=\"neighbourhood\""), "the picture of the neighbourhood");
    // Beta links to the drill in its text without relating to it: "Mentioned in" on the drill's page.
    let drill = site.page("exercises/drill.html");
    let mentioned = between(&drill, "<dt id=\"mentioned-in\">", "</dd>");
    assert!(mentioned.starts_with("Also mentioned in</dt>") && mentioned.contains("Beta Talks"), "{mentioned}");
    let beta = site.page("mechanisms/beta.html");
    let connections = between(&beta, "<h2 id=\"relations\">Connections</h2>", "</section>");
    assert_eq!(connections.matches(">Follows</dt>").count(), 1, "{connections}");
    assert_eq!(connections.matches("Alpha Meetings</a>").count(), 1, "{connections}");
}

#[test]
fn a_disputed_event_says_what_the_other_version_claims() {
    let site = built();
    let chronology = site.page("chronology/index.html");
    assert!(chronology.contains("2004: The article dates the first drill to 2004 (Korolev"), "{chronology}");
    assert!(chronology.contains("Another report gives no year (Carnegie Moscow Center"), "{chronology}");
    let drill = site.page("exercises/drill.html");
    assert!(drill.contains("The article dates the first drill to 2004."), "{drill}");
}
