//! Snapshots of the fixture site's pages (`tests/sites/basic`): a change to
//! a template, to the Markdown renderer or to the notes shows as a diff to
//! review. After an intended change, record the new pages with
//! `INSTA_UPDATE=always cargo test --test snapshots` (or `cargo insta review`)
//! and read the diff before committing it.

mod common;

use common::{Site, snapshot};

#[test]
fn fixture_pages() {
    let site = Site::copy_of("basic");
    site.build_ok();
    let pages: Vec<(String, Vec<u8>)> = snapshot(&site.out())
        .into_iter()
        .filter(|(path, _)| {
            path.ends_with(".html") || path.ends_with(".xml") || path == "handbook.json" || path.starts_with("search/")
        })
        .collect();
    assert!(pages.len() > 20, "{} pages", pages.len());
    for (path, bytes) in pages {
        let name = path.replace('/', "__");
        insta::assert_snapshot!(name, String::from_utf8(bytes).expect("pages are UTF-8"));
    }
}
