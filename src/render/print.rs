//! The print page: every entry on one page, for printing or saving as PDF,
//! made from the entry pages already rendered, as mdBook's print page is:
//! a title page, a contents list (with page numbers where the browser
//! supports CSS paged media), the entries, and one bibliography at the end.
//!
//! Above [`SPLIT_ABOVE`] entries one page is more than a browser opens
//! (10,000 entries made a 162 MB page), so the print is split per kind and
//! per initial letter of the title, and `print.html` becomes the index of
//! the parts, each a document of its own.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::{Page, Renderer};
use crate::content::Kind;
use crate::diagnostic::Diagnostics;
use crate::urls;

/// Stands for the articles while the print page's template renders.
const ARTICLES_MARKER: &str = "\u{1}handbook-articles\u{1}";

/// Above this many entries, the print is split into parts. Measured with
/// `gen-corpus` entries (about 450 words, 5 events and 4 notes each) in
/// Chromium 156 on the 2-core build machine: 500 entries make a 7.1 MB page
/// that opens in 2 s but takes 2 minutes to print, to 1,511 A4 pages; see
/// the README.
pub(super) const SPLIT_ABOVE: usize = 500;

/// One printed document: the whole handbook, or one part of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PrintPart {
    pub(super) path: String,
    /// "Exercises: J", or the handbook's title for a single document.
    pub(super) title: String,
    /// Indexes of its entries, in the handbook's order.
    pub(super) entries: Vec<usize>,
}

/// The part (`a`…`z`, or `0`) a title is printed in.
fn letter(title: &str) -> char {
    let slug = crate::content::slug::slugify(title);
    slug.chars().next().filter(char::is_ascii_lowercase).unwrap_or('0')
}

impl Renderer<'_> {
    /// The documents the print is made of: one while the handbook is small,
    /// else one per kind and initial letter.
    pub(super) fn print_parts(&self) -> Vec<PrintPart> {
        let h = self.handbook;
        if h.entries.len() <= SPLIT_ABOVE {
            return vec![PrintPart {
                path: urls::PRINT.to_string(),
                title: h.site.title.clone(),
                entries: (0..h.entries.len()).collect(),
            }];
        }
        let mut parts: Vec<PrintPart> = Vec::new();
        for (k, kind) in Kind::ALL.iter().enumerate() {
            let mut by_letter: std::collections::BTreeMap<char, Vec<usize>> = Default::default();
            for &i in &self.derived.by_kind[k] {
                by_letter.entry(letter(&h.entries[i].title)).or_default().push(i);
            }
            for (c, entries) in by_letter {
                let shown = if c == '0' { "0–9 and others".to_string() } else { c.to_ascii_uppercase().to_string() };
                // A letter with more entries than one part holds is printed in several.
                let chunks = entries.len().div_ceil(SPLIT_ABOVE);
                for (n, chunk) in entries.chunks(entries.len().div_ceil(chunks)).enumerate() {
                    let title = if chunks > 1 {
                        format!("{}: {shown} ({} of {chunks})", kind.plural_title(), n + 1)
                    } else {
                        format!("{}: {shown}", kind.plural_title())
                    };
                    parts.push(PrintPart { path: urls::print_part(*kind, c, n + 1), title, entries: chunk.to_vec() });
                }
            }
        }
        parts
    }

    /// Every print page: the whole handbook on one page, or the index of the
    /// parts and the parts, each handed to `emit` when it is made (a large
    /// handbook's parts are not all held at once). `entry_page` gives an
    /// entry page's bytes by path.
    pub fn print_pages<'p>(
        &self,
        entry_page: impl Fn(&str) -> Option<Cow<'p, [u8]>> + Sync,
        emit: &(dyn Fn(Page) + Sync),
        diagnostics: &mut Diagnostics,
    ) {
        let parts = self.print_parts();
        // Where each entry is printed, for links between parts.
        let part_of: HashMap<&str, &str> = parts
            .iter()
            .flat_map(|p| p.entries.iter().map(move |&i| (self.handbook.entries[i].id.as_str(), p.path.as_str())))
            .collect();
        if parts.len() > 1
            && let Some(index) = self.print_index(&parts, diagnostics)
        {
            emit(index);
        }
        for part in &parts {
            if let Some(page) = self.print_part(part, &part_of, &entry_page, diagnostics) {
                emit(page);
            }
        }
    }

    /// The index of the parts, at `print.html`.
    fn print_index(&self, parts: &[PrintPart], diagnostics: &mut Diagnostics) -> Option<Page> {
        let h = self.handbook;
        let mut ctx = self.context(urls::PRINT, "The whole handbook, for printing", &h.site.description, "print");
        let list: Vec<serde_json::Value> = parts
            .iter()
            .map(|p| serde_json::json!({"title": p.title, "url": p.path, "count": p.entries.len()}))
            .collect();
        ctx.insert("parts", &list);
        ctx.insert("contents", &Vec::<serde_json::Value>::new());
        ctx.insert("articles_html", "");
        ctx.insert("bibliography", &Vec::<serde_json::Value>::new());
        ctx.insert("split_above", &SPLIT_ABOVE);
        self.render("print.html", urls::PRINT, &ctx, diagnostics)
    }

    /// One printed document: title page, contents, articles, bibliography.
    fn print_part<'p>(
        &self,
        part: &PrintPart,
        part_of: &HashMap<&str, &str>,
        entry_page: &(impl Fn(&str) -> Option<Cow<'p, [u8]>> + Sync),
        diagnostics: &mut Diagnostics,
    ) -> Option<Page> {
        let h = self.handbook;
        let root = urls::root_of(&part.path);
        let here = part.path.as_str();
        let articles: Vec<String> = part
            .entries
            .par_iter()
            .filter_map(|&i| {
                let e = &h.entries[i];
                let page = entry_page(&urls::entry(e.kind, &e.id))?;
                let html = std::str::from_utf8(&page).ok()?;
                let (a, b) = (html.find("<article")?, html.rfind("</article>")?);
                let link = Links { id: &e.id, title: &e.title, root: &root, here, part_of };
                Some(print_article(&html[a..b + "</article>".len()], &link))
            })
            .collect();
        // The contents: the entries by kind, in the handbook's order.
        let contents: Vec<serde_json::Value> = Kind::ALL
            .iter()
            .filter_map(|kind| {
                let entries: Vec<serde_json::Value> = part
                    .entries
                    .iter()
                    .map(|&i| &h.entries[i])
                    .filter(|e| e.kind == *kind)
                    .map(|e| serde_json::json!({"id": e.id, "title": e.title, "date": e.date}))
                    .collect();
                (!entries.is_empty()).then(|| serde_json::json!({"title": kind.plural_title(), "entries": entries}))
            })
            .collect();
        // One bibliography: every work the printed entries cite.
        let cited: BTreeSet<&str> =
            part.entries.iter().flat_map(|&i| h.entries[i].notes.cited_keys.iter().map(String::as_str)).collect();
        let bibliography: Vec<serde_json::Value> = h
            .bibliography
            .render_all()
            .iter()
            .filter(|(key, _)| cited.contains(key.as_str()))
            .map(|(key, html)| serde_json::json!({"key": key, "html": html}))
            .collect();
        let title = if part.path == urls::PRINT { "The whole handbook".to_string() } else { part.title.clone() };
        let mut ctx = self.context(&part.path, &title, &h.site.description, "print");
        ctx.insert("parts", &Vec::<serde_json::Value>::new());
        ctx.insert("part_title", &(part.path != urls::PRINT).then_some(&part.title));
        ctx.insert("contents", &contents);
        ctx.insert("bibliography", &bibliography);
        ctx.insert("split_above", &SPLIT_ABOVE);
        // The articles are the bulk of the page (megabytes for a large
        // handbook): the template renders around a marker and the articles
        // are put in its place, rather than copied into and out of Tera.
        ctx.insert("articles_html", ARTICLES_MARKER);
        let mut page = self.render("print.html", &part.path, &ctx, diagnostics)?;
        let at = page.content.windows(ARTICLES_MARKER.len()).position(|w| w == ARTICLES_MARKER.as_bytes());
        let Some(at) = at else {
            // The template does not show `articles_html` as it is (it may filter it): render it whole.
            ctx.insert("articles_html", &articles.iter().map(|a| format!("{a}\n")).collect::<String>());
            return self.render("print.html", &part.path, &ctx, diagnostics);
        };
        let tail = page.content.split_off(at + ARTICLES_MARKER.len());
        page.content.truncate(at);
        page.content.reserve(articles.iter().map(|a| a.len() + 1).sum::<usize>() + tail.len());
        for article in &articles {
            page.content.extend_from_slice(article.as_bytes());
            page.content.push(b'\n');
        }
        page.content.extend_from_slice(&tail);
        Some(page)
    }
}

/// What rewriting one entry's links needs to know.
struct Links<'a> {
    /// The entry's id, which prefixes its ids on the print page.
    id: &'a str,
    /// The entry's title, which names its parts on the print page.
    title: &'a str,
    /// The print page's way back to the site root.
    root: &'a str,
    /// The print page's own path.
    here: &'a str,
    /// Entry id → the print page it is on.
    part_of: &'a HashMap<&'a str, &'a str>,
}

/// Rewrites one entry's article for the print page, parsing it as HTML: ids
/// (and the `aria-` attributes that name them) get the entry's id as a
/// prefix, so they stay unique; links to entries point within the print;
/// links to other pages are made relative to the print page; what belongs
/// to the screen (the contents list) and the entry's own bibliography (the
/// print has one at its end) are left out; and each section is named with
/// its entry's title, so that no two landmarks share a name.
fn print_article(article: &str, links: &Links) -> String {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let id = links.id;
    let prefixed = |value: &str| value.split(' ').map(|v| format!("{id}--{v}")).collect::<Vec<_>>().join(" ");
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("nav.toc, section.bibliography, .cite-this", |el| {
            el.remove();
            Ok(())
        }))
        .append_element_content_handler(element!("[href]", |el| {
            if let Some(href) = el.get_attribute("href") {
                el.set_attribute("href", &print_href(&href, links))?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("[id], [aria-labelledby], [aria-describedby]", |el| {
            for name in ["id", "aria-labelledby", "aria-describedby"] {
                if let Some(value) = el.get_attribute(name) {
                    el.set_attribute(name, &prefixed(&value))?;
                }
            }
            Ok(())
        }))
        .append_element_content_handler(element!("article h1", |el| {
            el.set_attribute("id", &format!("{id}--title"))?;
            Ok(())
        }))
        .append_element_content_handler(element!("[role=region][aria-label]", |el| {
            if let Some(value) = el.get_attribute("aria-label") {
                el.set_attribute("aria-label", &format!("{}: {value}", links.title))?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("section[aria-labelledby]", |el| {
            if let Some(value) = el.get_attribute("aria-labelledby") {
                el.set_attribute("aria-labelledby", &format!("{id}--title {value}"))?;
            }
            Ok(())
        }));
    // The rewriter only fails on input it cannot decode; pages are our own UTF-8.
    let out = rewrite_str(article, settings).unwrap_or_else(|_| article.to_string());
    // The article itself is the target of links to the entry.
    out.replacen("<article", &format!("<article id=\"{id}\""), 1)
}

/// A link of an entry's page as it reads on the print page.
fn print_href(href: &str, links: &Links) -> String {
    let id = links.id;
    if let Some(anchor) = href.strip_prefix('#') {
        return format!("#{id}--{anchor}");
    }
    if href.contains("://") || href.starts_with("mailto:") {
        return href.to_string();
    }
    let local = href.strip_prefix("../").unwrap_or(href);
    let (file, anchor) = local.split_once('#').unwrap_or((local, ""));
    match urls::parse(file) {
        Some(urls::PagePath::Entry(_, target)) => {
            let fragment = if anchor.is_empty() { target.to_string() } else { format!("{target}--{anchor}") };
            match links.part_of.get(target) {
                Some(&part) if part != links.here => {
                    // Parts sit side by side in print/.
                    format!("{}#{fragment}", part.rsplit('/').next().unwrap_or(part))
                }
                _ => format!("#{fragment}"),
            }
        }
        _ => format!("{}{local}", links.root),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_point_within_the_print_or_across_parts() {
        let part_of: HashMap<&str, &str> =
            [("joint-sea", "print/exercises-j.html"), ("alpha", "print/mechanisms-a.html")].into();
        let links =
            Links { id: "alpha", title: "Alpha", root: "../", here: "print/mechanisms-a.html", part_of: &part_of };
        assert_eq!(print_href("#note-1", &links), "#alpha--note-1");
        assert_eq!(print_href("../exercises/joint-sea.html#2016", &links), "exercises-j.html#joint-sea--2016");
        assert_eq!(print_href("../mechanisms/alpha.html", &links), "#alpha");
        assert_eq!(print_href("../tags/naval.html", &links), "../tags/naval.html");
        assert_eq!(print_href("https://example.org/x", &links), "https://example.org/x");
        let whole = Links { id: "alpha", title: "Alpha", root: "", here: "print.html", part_of: &HashMap::new() };
        assert_eq!(print_href("../exercises/joint-sea.html", &whole), "#joint-sea");
        assert_eq!(print_href("../tags/naval.html", &whole), "tags/naval.html");
    }

    #[test]
    fn every_landmark_of_an_article_is_named_with_its_entry() {
        let article = r#"<article class="entry"><h1>A "B"</h1><nav class="toc" aria-labelledby="toc-label"><p id="toc-label">Contents</p></nav><div class="table-scroll" role="region" aria-label="Table 1" tabindex="0"><table></table></div><section class="notes" aria-labelledby="notes-label"><h2 id="notes-label">Notes</h2></section><section class="bibliography" aria-labelledby="bibliography"></section></article>"#;
        let part_of = HashMap::new();
        let links = Links { id: "ab", title: "A \"B\"", root: "", here: "print.html", part_of: &part_of };
        let out = print_article(article, &links);
        assert!(out.starts_with(r#"<article id="ab" class="entry"><h1 id="ab--title">"#), "{out}");
        assert!(out.contains(r#"aria-labelledby="ab--title ab--notes-label""#), "{out}");
        assert!(out.contains(r#"aria-label="A &quot;B&quot;: Table 1""#), "{out}");
        assert!(!out.contains("toc") && !out.contains("bibliography"), "{out}");
    }

    #[test]
    fn titles_are_printed_by_their_initial() {
        assert_eq!(letter("Joint Sea"), 'j');
        assert_eq!(letter("“China Threat” Theory"), 'c');
        assert_eq!(letter("1993 Agreement"), '0');
        assert_eq!(letter("Мирная миссия"), 'm');
    }
}
