//! The print page: every entry on one page, for printing or saving as PDF,
//! made from the entry pages already rendered, as mdBook's print page is.

use rayon::prelude::*;

use super::{Page, Renderer};
use crate::diagnostic::Diagnostics;
use crate::urls;

/// Stands for the articles while the print page's template renders.
const ARTICLES_MARKER: &str = "\u{1}handbook-articles\u{1}";

impl Renderer<'_> {
    /// The print page: every entry on one page, as mdBook's print page, made
    /// from the entry pages already rendered (`entry_page` gives a page's
    /// bytes by path): each article with its ids prefixed by the entry id,
    /// and links between entries turned into links within the page.
    pub fn print_page<'p>(
        &self,
        entry_page: impl Fn(&str) -> Option<&'p [u8]> + Sync,
        diagnostics: &mut Diagnostics,
    ) -> Option<Page> {
        let h = self.handbook;
        let articles: Vec<String> = h
            .entries
            .par_iter()
            .filter_map(|e| {
                let html = std::str::from_utf8(entry_page(&urls::entry(e.kind, &e.id))?).ok()?;
                let (a, b) = (html.find("<article")?, html.rfind("</article>")?);
                Some(print_article(&html[a..b + "</article>".len()], &e.id))
            })
            .collect();
        // The articles are the bulk of the page (megabytes for a large
        // handbook): the template renders around a marker and the articles
        // are put in its place, rather than copied into and out of Tera.
        let mut ctx = self.context(urls::PRINT, "The whole handbook", &h.site.description, "print");
        ctx.insert("articles_html", ARTICLES_MARKER);
        let mut page = self.render("print.html", urls::PRINT, &ctx, diagnostics)?;
        let at = page.content.windows(ARTICLES_MARKER.len()).position(|w| w == ARTICLES_MARKER.as_bytes());
        let Some(at) = at else {
            // The template does not show `articles_html` as it is (it may filter it): render it whole.
            ctx.insert("articles_html", &articles.iter().map(|a| format!("{a}\n")).collect::<String>());
            return self.render("print.html", urls::PRINT, &ctx, diagnostics);
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

/// Rewrites one entry's article for the print page, parsing it as HTML: ids
/// (and the `aria-` attributes that name them) get the entry's id as a
/// prefix, so they stay unique; links to entries point within the page; and
/// links to other pages are made relative to the site root.
fn print_article(article: &str, id: &str) -> String {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let prefixed = |value: &str| value.split(' ').map(|v| format!("{id}--{v}")).collect::<Vec<_>>().join(" ");
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("[href]", |el| {
            if let Some(href) = el.get_attribute("href") {
                el.set_attribute("href", &print_href(&href, id))?;
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
        }));
    // The rewriter only fails on input it cannot decode; pages are our own UTF-8.
    let out = rewrite_str(article, settings).unwrap_or_else(|_| article.to_string());
    // The article itself is the target of links to the entry.
    out.replacen("<article", &format!("<article id=\"{id}\""), 1)
}

/// A link of entry `id`'s page as it reads on the print page.
fn print_href(href: &str, id: &str) -> String {
    if let Some(anchor) = href.strip_prefix('#') {
        return format!("#{id}--{anchor}");
    }
    if href.contains("://") || href.starts_with("mailto:") {
        return href.to_string();
    }
    let local = href.strip_prefix("../").unwrap_or(href);
    let (file, anchor) = local.split_once('#').unwrap_or((local, ""));
    match urls::parse(file) {
        Some(urls::PagePath::Entry(_, target)) if anchor.is_empty() => format!("#{target}"),
        Some(urls::PagePath::Entry(_, target)) => format!("#{target}--{anchor}"),
        _ => local.to_string(),
    }
}
