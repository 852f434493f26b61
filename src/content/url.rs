//! Which addresses the handbook publishes. Entries come from pull requests,
//! so a link, an image or a bibliography URL may only point to the web
//! (http, https), to an e-mail address (mailto) or, relatively, to another
//! page of the site: never to `javascript:`, `data:`, `file:` or any other
//! scheme a browser would act on.

/// The schemes a link or image in an entry may use; relative links have none.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// The scheme of `url` as a browser reads it (tabs and line breaks inside
/// ignored, leading spaces and control characters trimmed, any case), when
/// it is one handbook does not publish: `javascript:`, `data:`, `file:`,
/// `vbscript:` and every other scheme but http, https and mailto.
/// (pulldown-cmark has already decoded entities such as `&#106;`.)
pub fn forbidden_scheme(url: &str) -> Option<String> {
    let cleaned: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let cleaned = cleaned.trim_start_matches(|c: char| c <= ' ');
    let end = cleaned.find([':', '/', '?', '#'])?;
    let scheme = &cleaned[..end];
    let is_scheme = cleaned[end..].starts_with(':')
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let scheme = scheme.to_ascii_lowercase();
    (is_scheme && !ALLOWED_SCHEMES.contains(&scheme.as_str())).then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_as_a_browser_reads_them() {
        assert_eq!(forbidden_scheme("javascript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(forbidden_scheme(" \u{1}JavaScript:x").as_deref(), Some("javascript"));
        assert_eq!(forbidden_scheme("java\tscr\nipt:x").as_deref(), Some("javascript"));
        assert_eq!(forbidden_scheme("data:text/html,x").as_deref(), Some("data"));
        assert_eq!(forbidden_scheme("tel:+1").as_deref(), Some("tel"));
        for ok in
            ["https://x.org", "HTTP://x.org", "mailto:a@b", "page.html", "../a.md#x:y", "/a:b", "?q=a:b", "#a:b", ""]
        {
            assert_eq!(forbidden_scheme(ok), None, "{ok}");
        }
    }
}
