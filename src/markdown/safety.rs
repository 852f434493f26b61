//! What an entry may not publish: raw HTML (an error, or sanitized when
//! `site.yaml` trusts its authors), script addresses, control characters,
//! and `TODO` placeholders.

use std::ops::Range;

use super::Context;
use crate::content::url::{ALLOWED_SCHEMES, forbidden_scheme};
use crate::diagnostic::Diagnostics;

pub(super) const RAW_HTML_HINT: &str = "write it in Markdown instead (emphasis, links, lists, tables and footnotes cover what an entry needs); \
     to show `<` as text, write `\\<` or put it in `code`; a handbook whose authors are all trusted can set \
     `raw_html: sanitize` in site.yaml";

/// Reports a link or image whose URL has a forbidden scheme; true if it has one.
pub(super) fn refuse_scheme(
    url: &str,
    what: &str,
    span: Range<usize>,
    ctx: &Context,
    diagnostics: &mut Diagnostics,
) -> bool {
    let Some(scheme) = forbidden_scheme(url) else { return false };
    diagnostics.push(ctx.error(span, format!("{what} with a `{scheme}:` address is not published")).with_hint(
        "entries may link only to http, https and mailto addresses, or to other entries with relative links",
    ));
    true
}

/// The byte offset in the file of `at` within `text`, an event's text that
/// comes from the source `span` (entities and container prefixes can make
/// the two differ; then the start of the span is the best there is).
pub(super) fn source_offset(source: &str, span: Range<usize>, text: &str, at: usize) -> usize {
    let Some(slice) = source.get(span.clone()) else { return 0 };
    let needle = &text[at..];
    let needle = &needle[..needle.char_indices().nth(12).map_or(needle.len(), |(i, _)| i)];
    slice.find(needle).unwrap_or(0)
}

/// Where `raw` (a piece of raw HTML) has something other than whitespace
/// and comments, if anywhere; `in_comment` carries an open `<!--` over to
/// the next piece.
pub(super) fn html_outside_comments(raw: &str, in_comment: &mut bool) -> Option<usize> {
    let mut i = 0;
    while i < raw.len() {
        if *in_comment {
            match raw[i..].find("-->") {
                Some(end) => {
                    i += end + 3;
                    *in_comment = false;
                }
                None => return None,
            }
        } else {
            let rest = &raw[i..];
            let trimmed = rest.trim_start();
            i += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                return None;
            }
            if trimmed.starts_with("<!--") {
                *in_comment = true;
                i += 4;
            } else {
                return Some(i);
            }
        }
    }
    None
}

/// Where `text` says `TODO` as a word: text that is not written yet. The
/// placeholders `handbook new` writes start with it, so an entry cannot be
/// published before they are replaced.
pub fn todo_at(text: &str) -> Option<usize> {
    text.match_indices("TODO").map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + 4..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The start of a raw HTML tag, for a message: `<script>`, `<img …>`.
pub(super) fn html_preview(raw: &str) -> String {
    let end = raw.find(['>', '\n']).map_or(raw.len(), |i| i + 1);
    let tag = &raw[..end];
    if tag.chars().count() <= 40 {
        return tag.to_string();
    }
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    format!("{} …>", &tag[..name_end])
}

/// Cleans rendered Markdown that may hold raw HTML (`raw_html: sanitize`):
/// an allow-list of elements and attributes (ammonia's, plus the ids,
/// classes and roles this module writes), links and images only to http,
/// https, mailto and relative addresses.
pub(super) fn sanitize(html: &str) -> String {
    use std::sync::OnceLock;
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id", "class", "role", "aria-describedby", "aria-label", "lang", "title"])
            .add_tags(["section", "sup", "sub", "abbr", "mark", "figure", "figcaption", "span"])
            .url_schemes(ALLOWED_SCHEMES.iter().copied().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(None)
            .add_tag_attribute_values("div", "tabindex", ["0"])
            .add_tag_attribute_values("th", "style", ["text-align: left", "text-align: center", "text-align: right"])
            .add_tag_attribute_values("td", "style", ["text-align: left", "text-align: center", "text-align: right"]);
        b
    });
    cleaner.clean(html).to_string()
}
