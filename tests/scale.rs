//! A handbook of 2,000 generated entries (`tools/gen-corpus`): every file a
//! browser opens whole stays under 10 MB, because the print and the search
//! index are split; and what `handbook build` writes page by page (streamed
//! to its staging folder, the print read back from it) is byte for byte
//! what the pipeline makes in memory.

use std::path::Path;

use gen_corpus::{Corpus, DEFAULT_SEED};
use handbook::pipeline::{Options, build, compile};
use handbook::timings::Timings;

/// The largest file a reader's browser may have to open whole.
const LIMIT: u64 = 10 * 1024 * 1024;

/// Downloads, not pages: a researcher saves them, no page loads them.
fn is_download(path: &str) -> bool {
    ["handbook.json", "chronology.csv", "references.bib", "references.json", "feed.xml", "sitemap.xml"].contains(&path)
}

#[test]
fn at_two_thousand_entries_no_page_or_script_is_over_ten_megabytes_and_build_writes_what_compile_makes() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = Corpus::new(2000, DEFAULT_SEED);
    for file in corpus.handbook_files() {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.text).unwrap();
    }
    let options = Options::new(dir.path());
    let outcome = build(&options);
    assert!(outcome.stats.is_some(), "{:#?}", outcome.diagnostics);

    let out = dir.path().join("public");
    let mut sizes: Vec<(u64, String)> = Vec::new();
    for file in walkdir::WalkDir::new(&out) {
        let file = file.unwrap();
        if file.file_type().is_file() {
            let rel = file.path().strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/");
            sizes.push((file.metadata().unwrap().len(), rel));
        }
    }
    sizes.sort();
    let too_big: Vec<&(u64, String)> = sizes.iter().filter(|(n, p)| *n > LIMIT && !is_download(p)).collect();
    assert!(too_big.is_empty(), "files a browser opens whole, over 10 MB: {too_big:?}");
    // The limit holds because the whole-handbook files are split, not
    // because 2,000 entries are few: the print comes in parts, the search
    // index in shards.
    assert!(sizes.iter().any(|(_, p)| p.starts_with("print/")), "the print is split above 500 entries");
    assert!(sizes.iter().filter(|(_, p)| p.starts_with("search/d/")).count() > 1, "the search index is sharded");
    // Above 2,000 events the chronology leads to the year pages instead of
    // listing every event itself (it would grow with the handbook).
    let chronology = std::fs::read_to_string(out.join("chronology/index.html")).unwrap();
    assert!(!chronology.contains("event-row"), "the chronology page lists no events at this size");
    assert!(chronology.contains("each year's page lists its own"));
    let chronology_size = sizes.iter().find(|(_, p)| p == "chronology/index.html").unwrap().0;
    assert!(chronology_size < 1024 * 1024, "chronology/index.html is {chronology_size} bytes");
    let year = sizes.iter().find(|(_, p)| p.starts_with("chronology/") && p != "chronology/index.html").unwrap();
    let year_page = std::fs::read_to_string(out.join(&year.1)).unwrap();
    assert!(year_page.contains("event-row"), "{} lists its events", year.1);
    // A kind's list comes in pages of 500 entries, in date order.
    for kind in ["mechanisms", "exercises", "declarations"] {
        let first = std::fs::read_to_string(out.join(kind).join("index.html")).unwrap();
        assert!(first.contains(&format!(r#"href="../{kind}/page/2.html""#)), "{kind}/index.html links its second page");
        let second = std::fs::read_to_string(out.join(kind).join("page/2.html")).unwrap();
        assert!(second.contains(r#"href="../../index.html""#), "{kind}/page/2.html finds the site root");
        assert!(
            second.contains(&format!(r#"<a rel="prev" href="../../{kind}/index.html">"#)),
            "{kind}/page/2.html leads back"
        );
    }
    let print = std::fs::read_to_string(out.join("print.html")).unwrap();
    assert!(print.contains(r#"href="print/"#), "print.html lists its parts");

    // The streamed output is the in-memory output.
    let compiled = compile(&options, &mut Default::default(), &mut Timings::default()).unwrap();
    let mut written = 0;
    for page in &compiled.pages {
        let on_disk = std::fs::read(out.join(&page.path)).unwrap_or_else(|e| panic!("{}: {e}", page.path));
        assert!(on_disk == page.content, "{} differs between build and compile", page.path);
        written += 1;
    }
    assert_eq!(written + 1, sizes.len(), "every file but the output's stamp comes from a page");
    assert_eq!(outcome.stats.unwrap().pages, compiled.pages.len());
    assert!(Path::new(&out.join(".handbook-output")).is_file());
}
