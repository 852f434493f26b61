//! Pandoc's citation syntax: `see @a, pp. 33–35; @b` as items, each with
//! its prefix, key, locator and suffix.

use std::ops::Range;

use hayagriva::citationberg::taxonomy::Locator;

/// One cited source inside a citation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CiteItem {
    /// Text before the key, e.g. "see".
    pub prefix: String,
    pub key: String,
    /// Byte range of `@key` within the citation text.
    pub key_span: Range<usize>,
    pub locator: Option<(LocatorLabel, String)>,
    /// Text after the locator, e.g. "emphasis added".
    pub suffix: String,
}

/// A locator label, as written (`p.`, `pp.`, `sec.` …), mapped to CSL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocatorLabel(pub Locator);

const LOCATOR_LABELS: &[(&str, Locator)] = &[
    ("p.", Locator::Page),
    ("pp.", Locator::Page),
    ("page", Locator::Page),
    ("pages", Locator::Page),
    ("sec.", Locator::Section),
    ("secs.", Locator::Section),
    ("section", Locator::Section),
    ("§", Locator::Section),
    ("chap.", Locator::Chapter),
    ("ch.", Locator::Chapter),
    ("chapter", Locator::Chapter),
    ("para.", Locator::Paragraph),
    ("paras.", Locator::Paragraph),
    ("fig.", Locator::Figure),
    ("n.", Locator::Note),
    ("nn.", Locator::Note),
    ("vol.", Locator::Volume),
    ("l.", Locator::Line),
    ("ll.", Locator::Line),
    ("art.", Locator::ArticleLocator),
    ("pt.", Locator::Part),
    ("tbl.", Locator::Table),
];

/// A citation that is not well formed, with the span of the bad part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiteSyntaxError {
    pub message: String,
    pub span: Range<usize>,
    pub hint: &'static str,
}

const CITE_HINT: &str = "write citations like @key, @key, p. 35, or see @a, pp. 33–35; @b";

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || "_-:.#$%&+?<>~/".contains(c)
}

/// Parses the inside of a citation, `see @a, pp. 33–35; @b`.
pub fn parse_citation(text: &str) -> Result<Vec<CiteItem>, CiteSyntaxError> {
    let mut items = Vec::new();
    let mut start = 0;
    for part in split_outside_quotes(text, ';') {
        let part_start = start;
        start += part.len() + 1;
        let Some(at) = part.find('@') else {
            if part.trim().is_empty() {
                return Err(CiteSyntaxError {
                    message: "empty item in a citation".into(),
                    span: part_start..part_start + part.len(),
                    hint: "remove the extra `;`, or name a source after it (@key)",
                });
            }
            let lead = part.len() - part.trim_start().len();
            return Err(CiteSyntaxError {
                message: format!("`{}` names no source (no @key)", part.trim()),
                span: part_start + lead..part_start + part.trim_end().len(),
                hint: CITE_HINT,
            });
        };
        let mut prefix = part[..at].trim();
        if let Some(p) = prefix.strip_suffix('-') {
            prefix = p.trim(); // `-@key` (suppress author) is accepted and read as @key
        }
        let after = &part[at + 1..];
        let key_len: usize = after.chars().take_while(|&c| is_key_char(c)).map(char::len_utf8).sum();
        // Trailing punctuation belongs to the sentence, not the key (Pandoc does the same).
        let key = after[..key_len].trim_end_matches(['.', ':', '?', '#', '$', '%', '&', '+', '<', '>', '~', '/']);
        if key.is_empty() {
            return Err(CiteSyntaxError {
                message: "`@` is not followed by a citation key".into(),
                span: part_start + at..part_start + at + 1,
                hint: CITE_HINT,
            });
        }
        let rest = after[key.len()..].trim();
        let (locator, suffix) = parse_locator(rest.strip_prefix(',').unwrap_or(rest).trim());
        items.push(CiteItem {
            prefix: prefix.to_string(),
            key: key.to_string(),
            key_span: part_start + at..part_start + at + 1 + key.len(),
            locator,
            suffix,
        });
    }
    Ok(items)
}

/// Splits off a leading locator (`p. 35`, `sec. "Conclusion"`); the rest is the suffix.
fn parse_locator(s: &str) -> (Option<(LocatorLabel, String)>, String) {
    // A bare number is a page, as in Pandoc: `@key, 35` or `@key, 33-35`.
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        let end = s.find(", ").unwrap_or(s.len());
        return (
            Some((LocatorLabel(Locator::Page), s[..end].trim().to_string())),
            s[end..].trim_start_matches(',').trim().to_string(),
        );
    }
    for (label, locator) in LOCATOR_LABELS {
        let Some(rest) = s.strip_prefix(label) else { continue };
        if label.ends_with(|c: char| c.is_alphabetic()) && rest.starts_with(|c: char| c.is_alphabetic()) {
            continue; // `pages` must not match `page` + `s`
        }
        let rest = rest.trim_start();
        let (value, suffix) = if let Some(q) = rest.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (&q[..end], q[end + 1..].trim()),
                None => (q, ""),
            }
        } else {
            // A value runs to the next comma (pp. 33–35, 40 is one value only if no comma follows a space+word).
            match rest.find(", ") {
                Some(i) if rest[i + 2..].starts_with(|c: char| !c.is_ascii_digit()) => {
                    (&rest[..i], rest[i + 1..].trim())
                }
                _ => (rest, ""),
            }
        };
        if value.is_empty() {
            continue;
        }
        let suffix = suffix.trim_start_matches(',').trim();
        let mut value = value.trim().to_string();
        // A finer locator after the first belongs to it, not to the suffix:
        // `sec. "Title", para. 4` is printed where the locator goes (before a
        // URL), the parts apart by [`MORE_LOCATOR`].
        if let (Some(_), more) = parse_locator(suffix)
            && starts_with_label(suffix)
        {
            let end = suffix.len() - more.len();
            let finer = suffix[..end].trim().trim_end_matches(',').trim();
            value.push(MORE_LOCATOR);
            value.push_str(finer);
            return (Some((LocatorLabel(*locator), value)), more.trim_start_matches(',').trim().to_string());
        }
        return (Some((LocatorLabel(*locator), value)), suffix.to_string());
    }
    (None, s.to_string())
}

/// Stands between a locator and a finer one inside a locator's value
/// (`The Mechanisms` and `para. 4` in `sec. "The Mechanisms", para. 4`).
pub const MORE_LOCATOR: char = '\u{1F}';

/// Does `s` start with a locator label (`p. 3`, `para. 4`)?
fn starts_with_label(s: &str) -> bool {
    LOCATOR_LABELS.iter().any(|(label, _)| {
        s.strip_prefix(label).is_some_and(|rest| {
            !(label.ends_with(|c: char| c.is_alphabetic()) && rest.starts_with(|c: char| c.is_alphabetic()))
        })
    })
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if c == sep && !in_quotes {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pandoc_citations() {
        let items = parse_citation("see @a, pp. 33–35; @b").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].prefix, "see");
        assert_eq!(items[0].key, "a");
        assert_eq!(items[0].key_span, 4..6);
        assert_eq!(items[0].locator, Some((LocatorLabel(Locator::Page), "33–35".to_string())));
        assert_eq!(items[1].key, "b");
        assert_eq!(items[1].key_span.start, "see @a, pp. 33–35; @b".find("@b").unwrap());
        let items = parse_citation("@korolev2018, sec. \"The Mechanisms; of\"").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].locator, Some((LocatorLabel(Locator::Section), "The Mechanisms; of".to_string())));
        let items = parse_citation("@k, 35").unwrap();
        assert_eq!(items[0].locator, Some((LocatorLabel(Locator::Page), "35".to_string())));
        let items = parse_citation("@k, p. 3, emphasis added").unwrap();
        assert_eq!(items[0].suffix, "emphasis added");
        assert!(parse_citation("see above").is_err());
        assert!(parse_citation("@").is_err());
        assert_eq!(parse_citation("@key.").unwrap()[0].key, "key");
    }
}
