//! The two things every stage that writes HTML needs: escaping text, and
//! the text of a fragment without its tags.

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The text of an HTML fragment without its tags (entities are kept).
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The text of an HTML fragment: its tags dropped and the entities this
/// program writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`) turned back
/// into characters, for places that take plain text (a search index, a
/// tooltip, a template that escapes what it is given).
pub fn text_of(html: &str) -> String {
    strip_tags(html)
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
