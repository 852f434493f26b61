//! Unit tests of Markdown rendering: notes, citations, cross-links, heading
//! ids, raw HTML and unsafe addresses.

use super::notes::letter;
use super::*;
use crate::cite::load_style;
use crate::content::load::SourceFile;
use crate::content::site::CitationNotes;

fn bib() -> Bibliography {
    let file = SourceFile {
        path: "references.bib".into(),
        text: "@article{k, author = {Korolev, Alexander}, title = {Beyond the Nominal}, journaltitle = {Insight Turkey}, date = {2018}}\n@online{x, author = {{Xinhua News Agency}}, title = {Joint Sea Opens}, date = {2012-04-22}}\n".into(),
    };
    let mut ds = Diagnostics::new();
    Bibliography::load(Some(&file), load_style("chicago-notes").unwrap(), &mut ds)
}

fn targets() -> LinkTargets {
    let mut t = LinkTargets::default();
    t.insert(
        "exercises/joint-sea.md".into(),
        LinkTarget { id: "joint-sea".into(), url: "exercises/joint-sea.html".into() },
    );
    t
}

fn run(src: &str) -> (Rendered, FinishedNotes, Diagnostics) {
    run_with(src, RawHtml::Reject)
}

fn run_with(src: &str, raw_html: RawHtml) -> (Rendered, FinishedNotes, Diagnostics) {
    run_full(src, raw_html, CitationNotes::Shared)
}

fn run_full(src: &str, raw_html: RawHtml, citation_notes: CitationNotes) -> (Rendered, FinishedNotes, Diagnostics) {
    let bib = bib();
    let targets = targets();
    let ctx = Context {
        file: Path::new("content/mechanisms/m.md"),
        source: src,
        content_path: "mechanisms/m.md",
        root: "../",
        targets: &targets,
        bibliography: &bib,
        raw_html,
        citation_notes,
    };
    let mut notes = PageNotes::new(&bib);
    let mut anchors = Anchors::new(["2016"]);
    let mut ds = Diagnostics::new();
    let r = render(src, 0, &ctx, &mut notes, &mut anchors, &mut ds);
    (r, notes.finish(), ds)
}

#[test]
fn footnotes_and_citations_share_numbering() {
    let (r, notes, ds) = run("A[^x] B [@k, p. 3] C[^x] D [@k, p. 4].\n\n[^x]: Aside, citing [@k, p. 9].\n");
    assert!(ds.is_empty(), "{ds:?}");
    assert!(r.html.contains(r##"<a href="#note-1" id="noteref-1" role="doc-noteref""##), "{}", r.html);
    assert!(r.html.contains(r##"<a href="#note-2" id="noteref-2""##), "{}", r.html);
    assert!(r.html.contains(r##"<a href="#note-1" id="noteref-1-2""##), "{}", r.html);
    assert!(r.html.contains(r##"<a href="#note-3" id="noteref-3""##), "{}", r.html);
    assert_eq!(notes.notes.len(), 3);
    let labels: Vec<&str> = notes.notes[0].backrefs.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["a", "b"]);
    assert!(notes.notes[0].html.contains("Aside, citing"));
    // The citation inside the footnote is the first citation of the source: full form.
    assert!(notes.notes[0].html.contains("Alexander Korolev"), "{}", notes.notes[0].html);
    assert!(notes.notes[1].html.contains("Korolev, “Beyond"), "{}", notes.notes[1].html);
    assert_eq!(notes.cited_keys, ["k"]);
}

#[test]
fn reports_undefined_and_unused_footnotes() {
    let (_, _, ds) = run("Text[^missing].\n\n[^unused]: Never used.\n");
    let msgs: Vec<String> = ds.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect();
    assert!(msgs.contains(&"1:5 footnote `[^missing]` is used but never defined".to_string()), "{msgs:?}");
    assert!(msgs.contains(&"3:1 footnote `[^unused]` is defined but never used".to_string()), "{msgs:?}");
}

#[test]
fn rewrites_cross_links_and_rejects_broken_ones() {
    let (r, _, ds) = run("See [JS](../exercises/joint-sea.md#2016) and\n[bad](../exercises/joint-sae.md).\n");
    assert!(r.html.contains(r#"href="../exercises/joint-sea.html#2016""#), "{}", r.html);
    assert_eq!(r.links[0].target.as_deref(), Some("joint-sea"));
    assert_eq!(r.links[0].anchor.as_deref(), Some("2016"));
    let d = ds.iter().next().unwrap();
    assert_eq!((d.line, d.column), (2, 7));
    assert!(d.message.contains("no such entry file"), "{}", d.message);
    assert_eq!(d.hint.as_deref(), Some("did you mean `../exercises/joint-sea.md`?"));
}

#[test]
fn unknown_citation_keys_are_errors_at_the_key() {
    let (_, _, ds) = run("Text [see @kk, p. 3].\n");
    let d = ds.iter().next().unwrap();
    assert_eq!((d.line, d.column, d.message.as_str()), (1, 11, "unknown citation key `kk`"));
    assert_eq!(d.hint.as_deref(), Some("did you mean `@k`? Otherwise add an entry `kk` to content/references.bib"));
}

#[test]
fn heading_ids_avoid_reserved_and_event_ids() {
    let (r, _, _) = run("## 2016\n\n## Notes\n\n## Note 1\n\n## Notes\n");
    let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["2016-1", "notes-1", "h-note-1", "notes-2"]);
}

#[test]
fn citation_marks_follow_punctuation_without_space() {
    let (r, _, _) = run("A claim [@k, p. 3]. Another [@k], and more.\n");
    assert!(r.html.starts_with("<p>A claim.<sup"), "{}", r.html);
    assert!(r.html.contains("Another,<sup"), "{}", r.html);
}

#[test]
fn letters_do_not_run_out() {
    assert_eq!(letter(0), "a");
    assert_eq!(letter(25), "z");
    assert_eq!(letter(26), "aa");
    assert_eq!(letter(27), "ab");
}

fn messages(ds: &Diagnostics) -> Vec<String> {
    ds.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect()
}

#[test]
fn raw_html_is_an_error_at_its_position_and_comments_are_dropped() {
    let (r, _, ds) = run(
        "<!--\nA note to editors.\n-->\n\nText <!-- aside --> here.\n\n<div>\n<script>alert(1)</script>\n</div>\n\nA <img src=x onerror=alert(1)> b.\n",
    );
    assert_eq!(
        messages(&ds),
        ["7:1 raw HTML `<div>` is not published", "11:3 raw HTML `<img src=x onerror=alert(1)>` is not published"],
        "one problem per HTML block, none for closing tags"
    );
    assert!(!r.html.contains("<!--") && !r.html.contains("<div") && !r.html.contains("<img"), "{}", r.html);
    let (_, _, ds) = run("<!-- fine --><script>x</script>\n");
    assert_eq!(messages(&ds), ["1:14 raw HTML `<script>` is not published"]);
}

#[test]
fn links_and_images_with_unsafe_schemes_are_errors() {
    for (src, scheme) in [
        ("[x](javascript:alert(1))", "javascript"),
        ("[x](JaVaScRiPt:alert(1))", "javascript"),
        ("[x](&#106;avascript:alert(1))", "javascript"),
        ("[x](java&#x09;script:alert(1))", "javascript"),
        ("[x](<java\tscript:alert(1)>)", "javascript"),
        ("<javascript:alert(1)>", "javascript"),
        ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "data"),
        ("[x](file:///etc/passwd)", "file"),
        ("[x](vbscript:msgbox)", "vbscript"),
        ("[x][r]\n\n[r]: javascript:alert(1)", "javascript"),
    ] {
        let (r, _, ds) = run(src);
        let m = messages(&ds);
        assert_eq!(m.len(), 1, "{src}: {m:?}");
        assert!(m[0].contains(&format!("a `{scheme}:` address is not published")), "{src}: {m:?}");
        let html = r.html.to_lowercase();
        assert!(!html.contains(&format!("href=\"{scheme}")) && !html.contains("src=\"{scheme}"), "{src}: {}", r.html);
    }
    let (_, _, ds) =
        run("[a](https://example.org) [b](mailto:x@example.org) [c](http://x.org/a:b) [d](page.html#a:b)\n");
    assert!(ds.is_empty(), "{:?}", messages(&ds));
}

#[test]
fn control_characters_from_entities_are_errors() {
    let (_, _, ds) = run("Joint&#1;Sea\n");
    assert_eq!(messages(&ds), ["1:6 the text holds the control character U+0001, which HTML and XML forbid"]);
}

#[test]
fn sanitize_keeps_harmless_html_and_removes_script() {
    let src = "A <abbr title=\"People's Liberation Army\">PLA</abbr> b <img src=x onerror=alert(1)>.[^n] [@k]\n\n<script>alert(1)</script>\n<a href=\"javascript:alert(1)\">x</a> <svg onload=alert(1)></svg>\n\n| a |\n|:-:|\n| b |\n\n[^n]: Note <b onclick=\"x()\">bold</b> [@k, p. 2].\n";
    let (r, notes, ds) = run_with(src, RawHtml::Sanitize);
    assert!(ds.is_empty(), "{:?}", messages(&ds));
    for bad in ["script", "onerror", "onload", "javascript", "onclick", "<svg"] {
        assert!(!r.html.contains(bad), "{bad}: {}", r.html);
        assert!(!notes.notes[0].html.contains(bad), "{bad}: {}", notes.notes[0].html);
    }
    assert!(r.html.contains("<abbr title=\"People's Liberation Army\">PLA</abbr>"), "{}", r.html);
    assert!(r.html.contains("role=\"doc-noteref\""), "{}", r.html);
    assert!(r.html.contains("style=\"text-align: center\""), "{}", r.html);
    assert!(
        notes.notes[0].html.contains("<b>bold</b>") && notes.notes[0].html.contains("Korolev"),
        "{}",
        notes.notes[0].html
    );
}

#[test]
fn a_source_cited_again_at_the_same_place_reuses_its_note() {
    let (r, notes, ds) = run("One [@k, p. 3]. Two [@x]. Three [@k, p. 3]. Four [@k, p. 4]. Five [@k, p. 3].\n");
    assert!(ds.is_empty(), "{ds:?}");
    assert_eq!(notes.notes.len(), 3, "p. 3, Xinhua and p. 4: {:#?}", notes.notes);
    let labels: Vec<&str> = notes.notes[0].backrefs.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["a", "b", "c"]);
    let ids: Vec<&str> = notes.notes[0].backrefs.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["noteref-1", "noteref-1-2", "noteref-1-3"]);
    for id in ids {
        assert!(r.html.contains(&format!(r##"<a href="#note-1" id="{id}""##)), "{id} in {}", r.html);
    }
    assert!(r.html.contains(r##"<a href="#note-3" id="noteref-3""##), "p. 4 is a note of its own: {}", r.html);
}

#[test]
fn citations_side_by_side_make_one_note() {
    for src in ["A claim [@k, p. 3] [@x].\n", "A claim [@k, p. 3][@x].\n", "A claim [@k, p. 3; @x].\n"] {
        let (r, notes, ds) = run(src);
        assert!(ds.is_empty(), "{ds:?}");
        assert_eq!(notes.notes.len(), 1, "{src}: {:#?}", notes.notes);
        assert!(notes.notes[0].html.contains("Korolev") && notes.notes[0].html.contains("Xinhua"), "{src}");
        assert!(r.html.starts_with("<p>A claim.<sup"), "{src}: {}", r.html);
    }
}

#[test]
fn with_separate_notes_every_citation_is_a_note() {
    let (_, notes, _) = run_full("A [@k, p. 3] [@x]. B [@k, p. 3].\n", RawHtml::Reject, CitationNotes::Separate);
    assert_eq!(notes.notes.len(), 3);
}

#[test]
fn marks_side_by_side_are_set_apart_and_follow_punctuation() {
    let (r, _, ds) = run("In 2012[^a] [@x] and Shoigu[^b]. [@k] More.\n\n[^a]: Aside.\n[^b]: Other.\n");
    assert!(ds.is_empty(), "{ds:?}");
    let sep = r#"<sup class="noteref-sep" aria-hidden="true">,</sup>"#;
    assert!(r.html.contains(r#"In 2012<sup class="noteref">"#), "{}", r.html);
    assert_eq!(r.html.matches(sep).count(), 2, "{}", r.html);
    assert!(r.html.contains(r#"Shoigu.<sup class="noteref">"#), "the mark after the full stop: {}", r.html);
}

#[test]
fn tables_scroll_in_a_named_focusable_box() {
    let src = "| a | b |\n|---|---|\n| 1 | 2 |\n\nText.\n\n| c |\n|---|\n| 3 |\n";
    for mode in [RawHtml::Reject, RawHtml::Sanitize] {
        let (r, _, ds) = run_with(src, mode);
        assert!(ds.is_empty(), "{:?}", messages(&ds));
        for n in [1, 2] {
            let open = format!("<div class=\"table-scroll\" role=\"region\" aria-label=\"Table {n}\" tabindex=\"0\">");
            assert!(r.html.contains(&open), "{}", r.html);
        }
        assert_eq!(r.html.matches("</table>\n</div>").count(), 2, "{}", r.html);
    }
}
