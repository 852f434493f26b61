//! Where every page and file of the site is, relative to the site root:
//! the one place that knows the output paths.
//!
//! It sits below the stages rather than in `render` because Markdown needs
//! it too: a cross-link to `../exercises/joint-sea.md` is rewritten to the
//! entry's page while the text is rendered, before any template runs.
//! Links in pages are made relative to the page (`root` is `""` or `../`),
//! so the site works from `file://` and under any sub-path.

use crate::content::Kind;

/// The home page.
pub const HOME: &str = "index.html";
/// The full chronology.
pub const CHRONOLOGY: &str = "chronology/index.html";
/// Every source, with the entries that cite it.
pub const SOURCES: &str = "sources.html";
/// The list of tags.
pub const TAGS: &str = "tags/index.html";
/// The page a server shows for a missing address.
pub const NOT_FOUND: &str = "404.html";
/// Every entry on one page, for printing; for a large handbook, the index
/// of the parts it is printed in ([`print_part`]).
pub const PRINT: &str = "print.html";

/// The whole handbook as data (entries, events, relations, citations).
pub const HANDBOOK_JSON: &str = "handbook.json";
/// The chronology as a table.
pub const CHRONOLOGY_CSV: &str = "chronology.csv";
/// The bibliography as CSL-JSON.
pub const REFERENCES_JSON: &str = "references.json";
/// The bibliography as its authors keep it.
pub const REFERENCES_BIB: &str = "references.bib";
/// The Atom feed of entries.
pub const FEED: &str = "feed.xml";
/// Every page, for search engines.
pub const SITEMAP: &str = "sitemap.xml";
/// The search page, which shows the results of `search.html?q=…`.
pub const SEARCH: &str = "search.html";
/// The folder of the search index's files.
pub const SEARCH_DIR: &str = "search/";
/// The search index's manifest, loaded when the search box is first used.
pub const SEARCH_INDEX: &str = "search/index.js";
/// The stylesheet of highlighted code.
pub const SYNTAX_CSS: &str = "syntax.css";

/// The page of entry `id` of `kind`: `exercises/joint-sea.html`.
pub fn entry(kind: Kind, id: &str) -> String {
    format!("{}/{id}.html", kind.folder())
}

/// The list of the entries of `kind`: `exercises/index.html`.
pub fn kind_index(kind: Kind) -> String {
    format!("{}/index.html", kind.folder())
}

/// Page `n` (from 1) of the list of the entries of `kind`: the first is
/// [`kind_index`], the others `exercises/page/2.html` (in a folder, so no
/// entry's id can take the address).
pub fn kind_page(kind: Kind, n: usize) -> String {
    if n <= 1 { kind_index(kind) } else { format!("{}/page/{n}.html", kind.folder()) }
}

/// The chronology of one year: `chronology/2016.html`.
pub fn year(year: i32) -> String {
    format!("chronology/{year}.html")
}

/// Page `n` (from 1) of the chronology of one year: the first is [`year`],
/// the others `chronology/2016-2.html`.
pub fn year_page(year: i32, n: usize) -> String {
    if n <= 1 { self::year(year) } else { format!("chronology/{year}-{n}.html") }
}

/// Shard `i` of the search index: `search/s/3.js`.
pub fn search_shard(i: usize) -> String {
    format!("{SEARCH_DIR}s/{i}.js")
}

/// The search index's text of document `i`: `search/d/12.js`.
pub fn search_doc(i: usize) -> String {
    format!("{SEARCH_DIR}d/{i}.js")
}

/// The page of the tag whose slug is `slug`: `tags/naval.html`.
pub fn tag(slug: &str) -> String {
    format!("tags/{slug}.html")
}

/// One part of a large handbook's print: the entries of `kind` whose
/// titles start with `letter` (`a`…`z`, or `0` for anything else):
/// `print/exercises-j.html`; when they are too many for one part, the
/// `n`th of them from 2 on: `print/exercises-s-2.html`.
pub fn print_part(kind: Kind, letter: char, n: usize) -> String {
    if n > 1 {
        format!("print/{}-{letter}-{n}.html", kind.folder())
    } else {
        format!("print/{}-{letter}.html", kind.folder())
    }
}

/// For the page at `path`, the prefix that leads back to the site root
/// (`""` for `index.html`, `../` for `exercises/joint-sea.html`).
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// What a path in the output is, when it is a page of the site's own
/// making; the inverse of the functions above.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PagePath<'a> {
    Home,
    Chronology,
    Sources,
    Tags,
    NotFound,
    Print,
    Search,
    PrintPart(&'a str),
    KindIndex(Kind),
    /// Page 2 or later of a kind's list.
    KindPage(Kind, usize),
    Entry(Kind, &'a str),
    Year(&'a str),
    Tag(&'a str),
}

/// Reads a page path back: `exercises/joint-sea.html` is the entry
/// `joint-sea` of kind exercise. None for any other file.
pub fn parse(path: &str) -> Option<PagePath<'_>> {
    Some(match path {
        HOME => PagePath::Home,
        CHRONOLOGY => PagePath::Chronology,
        SOURCES => PagePath::Sources,
        TAGS => PagePath::Tags,
        NOT_FOUND => PagePath::NotFound,
        PRINT => PagePath::Print,
        SEARCH => PagePath::Search,
        _ => {
            let (folder, name) = path.split_once('/')?;
            if let (Some(kind), Some(n)) =
                (Kind::from_folder(folder), name.strip_prefix("page/").and_then(|n| n.strip_suffix(".html")))
            {
                // One spelling per page: `page/2.html`, not `page/02.html`.
                let n: usize = n.parse().ok().filter(|&k: &usize| k >= 2 && !n.starts_with('0'))?;
                return Some(PagePath::KindPage(kind, n));
            }
            let stem = name.strip_suffix(".html").filter(|s| !s.contains('/'))?;
            match (folder, Kind::from_folder(folder)) {
                (_, Some(kind)) if stem == "index" => PagePath::KindIndex(kind),
                (_, Some(kind)) => PagePath::Entry(kind, stem),
                ("chronology", None) => PagePath::Year(stem),
                ("tags", None) => PagePath::Tag(stem),
                ("print", None) => PagePath::PrintPart(stem),
                _ => return None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_back() {
        for kind in Kind::ALL {
            assert_eq!(parse(&entry(kind, "x")), Some(PagePath::Entry(kind, "x")));
            assert_eq!(parse(&kind_index(kind)), Some(PagePath::KindIndex(kind)));
            assert_eq!(parse(&kind_page(kind, 1)), Some(PagePath::KindIndex(kind)));
            assert_eq!(parse(&kind_page(kind, 12)), Some(PagePath::KindPage(kind, 12)));
        }
        assert_eq!(parse(&year(2016)), Some(PagePath::Year("2016")));
        assert_eq!(parse(&year_page(2016, 1)), Some(PagePath::Year("2016")));
        assert_eq!(parse(&year_page(2016, 3)), Some(PagePath::Year("2016-3")));
        assert_eq!(parse(&tag("naval")), Some(PagePath::Tag("naval")));
        assert_eq!(parse(&print_part(Kind::Exercise, 'j', 1)), Some(PagePath::PrintPart("exercises-j")));
        assert_eq!(parse(&print_part(Kind::Exercise, 's', 2)), Some(PagePath::PrintPart("exercises-s-2")));
        for page in [HOME, CHRONOLOGY, SOURCES, TAGS, NOT_FOUND, PRINT, SEARCH] {
            assert!(parse(page).is_some(), "{page}");
        }
        assert_eq!(parse("a/b/c.html"), None);
        assert_eq!(parse("exercises/page/02.html"), None);
        assert_eq!(parse("exercises/page/1.html"), None);
        assert_eq!(parse("style.css"), None);
        assert_eq!(root_of("exercises/joint-sea.html"), "../");
        assert_eq!(root_of(HOME), "");
    }
}
