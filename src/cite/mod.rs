//! Citations: Pandoc's citation syntax, the bibliography, and notes rendered
//! by hayagriva in a CSL style.
//!
//! A citation such as `see @korolev2018, p. 35; @other` is parsed into items
//! (prefix, key, locator, suffix). A [`NoteRun`] collects every citation of one
//! page with the note number it falls in, then renders them all at once, so a
//! source's first citation on the page gets the full note and later ones the
//! short note. hayagriva does not escape HTML: [`to_html`] walks its output and
//! escapes every piece of text itself.

pub mod cache;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{
    FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, Style, TextDecoration, VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild, ElemChildren, Entry, Library,
    LocatorPayload, SpecificLocator,
};

use crate::cite::cache::{CitationCache, fingerprint};
use crate::content::load::SourceFile;
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};

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
        return (
            Some((LocatorLabel(*locator), value.trim().to_string())),
            suffix.trim_start_matches(',').trim().to_string(),
        );
    }
    (None, s.to_string())
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

/// The bibliography and the citation style, loaded once per build.
pub struct Bibliography {
    library: Library,
    style: IndependentStyle,
    /// The style without its bibliography section: citations render alone,
    /// without hayagriva also sorting and rendering a bibliography each time.
    citation_style: IndependentStyle,
    /// hayagriva's CSL locales, read only when something is rendered (a
    /// run whose citations all come from the cache never needs them).
    locales: OnceLock<Vec<Locale>>,
    /// Rendered citations kept between runs.
    cache: CitationCache,
    /// Each source's fingerprint (its key and fields), naming what the
    /// cache holds for it.
    fingerprints: HashMap<String, String>,
    /// Keys in file order, for the Sources page.
    keys: Vec<String>,
    /// Rendered citation items by (key, locator, position): a source cited
    /// the same way in the same position renders the same on every page.
    /// (The first lookup for every citation: cheaper than forming the
    /// citation cache's key, which it falls back to.)
    notes: Mutex<HashMap<(String, Option<LocatorLabel>, Position), String>>,
    /// The whole bibliography in the style's order (rendered once).
    all: OnceLock<Vec<(String, String)>>,
    /// Keys of entries that are in the file but broken (reported there):
    /// citing them is not reported again as an unknown key.
    broken: std::collections::HashSet<String>,
}

/// Where a citation stands relative to earlier citations of the same source
/// on the page: the CSL positions that decide between a full note, a short
/// note and "Ibid.".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Position {
    /// The source's first citation on the page.
    First,
    /// The same source and locator as the citation just before.
    Ibid,
    /// The same source as the citation just before, another locator.
    IbidWithLocator,
    /// Cited within the style's near-note distance, not just before.
    NearNote,
    /// Cited before, further back.
    Subsequent,
}

impl std::fmt::Debug for Bibliography {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bibliography").field("keys", &self.keys).finish()
    }
}

/// Loads a CSL style bundled with hayagriva by name (`chicago-notes`).
pub fn load_style(name: &str) -> Result<IndependentStyle, String> {
    let archived = hayagriva::archive::ArchivedStyle::by_name(name).ok_or_else(|| {
        let names: Vec<&str> =
            hayagriva::archive::ArchivedStyle::all().iter().flat_map(|s| s.names().iter().copied()).collect();
        match nearest(name, names.iter().copied()) {
            Some(n) => format!("did you mean `{n}`?"),
            None => "use the name of a CSL style bundled with hayagriva, e.g. chicago-notes, chicago-author-date, apa"
                .to_string(),
        }
    })?;
    match archived.get() {
        Style::Independent(style) => Ok(style),
        Style::Dependent(_) => Err("this style depends on another; name the parent style".to_string()),
    }
}

impl Bibliography {
    /// Parses `references.bib`, reporting syntax errors, malformed fields and
    /// duplicate keys at their positions.
    pub fn load(source: Option<&SourceFile>, style: IndependentStyle, diagnostics: &mut Diagnostics) -> Bibliography {
        let Some(source) = source else { return Bibliography::new(Library::new(), style, Vec::new()) };
        let text = source.text.as_str();
        let file = source.path.as_path();
        // Parse the whole file (so @string abbreviations work); if that fails,
        // parse entry by entry to report every broken entry and keep the rest.
        // Problems the BibTeX parser cannot survive are found first, reported,
        // and neutralised in a copy of the text (same length, same positions).
        let sanitized = guard_bibtex(text, file, diagnostics);
        let parse = |t: &str| std::panic::catch_unwind(|| biblatex::Bibliography::parse(t));
        let chunks: Vec<(usize, &str)> = match parse(&sanitized) {
            Ok(Ok(_)) => vec![(0, sanitized.as_str())],
            _ => split_entries(&sanitized),
        };
        let mut library = Library::new();
        let mut keys: Vec<String> = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        let mut broken = std::collections::HashSet::new();
        for (offset, chunk) in chunks {
            if let Some(open) = unclosed_brace(chunk) {
                // The parser would report this at the next entry or the end of the file.
                if let Some(key) = entry_key(chunk) {
                    broken.insert(key);
                }
                diagnostics.push(
                    Diagnostic::error(file, text, offset + open..offset + open + 1, "this `{` is never closed")
                        .with_hint("add the missing `}`; until then the entry runs into the next one"),
                );
                continue;
            }
            let parsed = match parse(chunk) {
                Ok(Ok(p)) => p,
                Err(_) => {
                    if let Some(key) = entry_key(chunk) {
                        broken.insert(key);
                    }
                    diagnostics.push(
                        Diagnostic::error(
                            file,
                            text,
                            offset..offset + chunk.find('\n').unwrap_or(chunk.len()),
                            "the BibTeX parser could not read this entry",
                        )
                        .with_hint("check this entry's fields; simplify it until `handbook check` accepts it"),
                    );
                    continue;
                }
                Ok(Err(e)) => {
                    if let Some(key) = entry_key(chunk) {
                        broken.insert(key);
                    }
                    let span = offset + e.span.start..offset + e.span.end;
                    let message = format!("BibTeX syntax error: {}", e.kind);
                    diagnostics
                        .push(Diagnostic::error(file, text, span, message).with_hint(bib_hint(&e.kind.to_string())));
                    continue;
                }
            };
            for entry in parsed.iter() {
                // The key follows the entry's opening brace (it may also occur in `@article`).
                let key_at = offset
                    + chunk
                        .match_indices('{')
                        .map(|(i, _)| i + 1)
                        .find(|&i| chunk[i..].trim_start().starts_with(entry.key.as_str()))
                        .map_or(0, |i| i + (chunk[i..].len() - chunk[i..].trim_start().len()));
                if let Some(&first) = first_seen.get(&entry.key) {
                    let (line, _) = crate::diagnostic::line_col(text, first);
                    diagnostics.push(
                        Diagnostic::error(
                            file,
                            text,
                            key_at..key_at + entry.key.len(),
                            format!("duplicate BibTeX key `{}`", entry.key),
                        )
                        .with_hint(format!(
                            "the key is first used on line {line}; merge the two entries or rename one"
                        )),
                    );
                    continue;
                }
                let converted = match std::panic::catch_unwind(|| Entry::try_from(entry)) {
                    Ok(result) => result,
                    Err(_) => {
                        broken.insert(entry.key.clone());
                        diagnostics.push(
                            Diagnostic::error(
                                file,
                                text,
                                key_at..key_at + entry.key.len(),
                                format!("the fields of `{}` could not be read", entry.key),
                            )
                            .with_hint("check its dates and numbers (year, month, pages, volume)"),
                        );
                        continue;
                    }
                };
                if let Some(url) = entry.get("url")
                    && let Some(scheme) =
                        crate::content::url::forbidden_scheme(&biblatex::ChunksExt::format_verbatim(url))
                {
                    broken.insert(entry.key.clone());
                    let span = match (url.first(), url.last()) {
                        (Some(a), Some(b)) => offset + a.span.start..offset + b.span.end,
                        _ => key_at..key_at + entry.key.len(),
                    };
                    diagnostics.push(
                        Diagnostic::error(file, text, span, format!("a `{scheme}:` address is not published"))
                            .with_hint("a source's url must be an http or https address"),
                    );
                    continue;
                }
                match converted {
                    Ok(e) => {
                        first_seen.insert(entry.key.clone(), key_at);
                        keys.push(entry.key.clone());
                        library.push(&e);
                    }
                    Err(err) => {
                        broken.insert(entry.key.clone());
                        diagnostics.push(
                            Diagnostic::error(
                                file,
                                text,
                                offset + err.span.start..offset + err.span.end,
                                format!("in `{}`: {}", entry.key, err.kind),
                            )
                            .with_hint("fix the field's value (dates are YYYY-MM-DD, page ranges 33--42)"),
                        );
                    }
                }
            }
        }
        let mut bibliography = Bibliography::new(library, style, keys);
        bibliography.broken = broken;
        bibliography
    }

    /// Keeps rendered citations in `cache` (and takes those it already has).
    pub fn with_cache(mut self, cache: CitationCache) -> Bibliography {
        self.cache = cache;
        self
    }

    /// Writes the citation cache if this run changed it (see [`CitationCache::save`]).
    pub fn save_cache(&self) -> std::io::Result<bool> {
        self.cache.save()
    }

    fn locales(&self) -> &[Locale] {
        self.locales.get_or_init(hayagriva::archive::locales)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.library.get(key).is_some()
    }

    /// Every entry as hayagriva's own JSON shape, in file order (for CSL-JSON export).
    pub fn entries_json(&self) -> Vec<(String, serde_json::Value)> {
        self.keys
            .iter()
            .filter_map(|k| self.library.get(k).map(|e| (k.clone(), serde_json::to_value(e).unwrap_or_default())))
            .collect()
    }

    /// True when `key` names an entry that is in the file but could not be read.
    pub fn is_broken(&self, key: &str) -> bool {
        self.broken.contains(key)
    }

    /// The closest known key, for "did you mean".
    pub fn nearest_key(&self, key: &str) -> Option<&str> {
        nearest(key, self.keys.iter().map(String::as_str))
    }

    /// Every key, in file order.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    fn new(library: Library, style: IndependentStyle, keys: Vec<String>) -> Bibliography {
        let mut citation_style = style.clone();
        citation_style.bibliography = None;
        let fingerprints = keys
            .iter()
            .filter_map(|k| Some((k.clone(), fingerprint(&format!("{k}\n{:?}", library.get(k)?)))))
            .collect();
        Bibliography {
            library,
            style,
            citation_style,
            locales: OnceLock::new(),
            cache: CitationCache::none(),
            fingerprints,
            keys,
            notes: Mutex::default(),
            all: OnceLock::new(),
            broken: Default::default(),
        }
    }

    /// The bibliography entry of every source, in the style's order, as HTML
    /// (rendered once per build).
    pub fn render_all(&self) -> &[(String, String)] {
        self.all.get_or_init(|| {
            let all: Vec<&str> = self.keys.iter().map(|k| self.fingerprints[k].as_str()).collect();
            let cache_key = format!("bibliography|{}", fingerprint(&all.join(" ")));
            let stored = self.cache.get_or_render(cache_key, || {
                let mut driver = BibliographyDriver::new();
                for key in &self.keys {
                    let entry = self.library.get(key).expect("key from the library");
                    let mut item = CitationItem::with_entry(entry);
                    item.hidden = true;
                    driver.citation(CitationRequest::new(vec![item], &self.style, None, self.locales(), Some(1)));
                }
                let rendered = driver.finish(BibliographyRequest::new(&self.style, None, self.locales()));
                let items: Vec<(String, String)> = rendered
                    .bibliography
                    .map(|b| b.items.into_iter().map(|i| (i.key, to_html(&i.content))).collect())
                    .unwrap_or_default();
                serde_json::to_string(&items).expect("strings are JSON")
            });
            serde_json::from_str(&stored).unwrap_or_default()
        })
    }

    /// One source's bibliography entry, rendered on its own (so it never
    /// borrows a neighbour's author as "———").
    fn entry_html(&self, key: &str) -> String {
        let (Some(entry), Some(print)) = (self.library.get(key), self.fingerprints.get(key)) else {
            return String::new();
        };
        self.cache.get_or_render(format!("entry|{print}"), || {
            let mut driver = BibliographyDriver::new();
            let mut item = CitationItem::with_entry(entry);
            item.hidden = true;
            driver.citation(CitationRequest::new(vec![item], &self.style, None, self.locales(), Some(1)));
            driver
                .finish(BibliographyRequest::new(&self.style, None, self.locales()))
                .bibliography
                .and_then(|b| b.items.into_iter().next())
                .map(|i| to_html(&i.content))
                .unwrap_or_default()
        })
    }

    /// The citation of one item (without prefix and suffix) in a position.
    ///
    /// hayagriva decides the form from the citations before it; we replay a
    /// minimal history that puts the item in `position` and keep the last
    /// citation. The locator is rendered as a placeholder that is filled in
    /// afterwards, so the result depends only on (key, locator kind,
    /// position): a build renders each source at most a few times, however
    /// many pages cite it.
    pub fn render_item(&self, item: &CiteItem, position: Position) -> String {
        let label = item.locator.as_ref().map(|(label, _)| *label);
        let cache_key = (item.key.clone(), label, position);
        let cached = self.notes.lock().expect("no panic while held").get(&cache_key).cloned();
        let template = match cached {
            Some(t) => t,
            None => {
                let t = self.render_template(&item.key, label, position);
                self.notes.lock().expect("no panic while held").insert(cache_key, t.clone());
                t
            }
        };
        match &item.locator {
            Some((_, value)) if template.contains(LOCATOR_SLOT) => {
                template.replace(LOCATOR_SLOT, &escape(&format_locator(value)))
            }
            _ => template.replace(LOCATOR_SLOT, ""),
        }
    }

    fn render_template(&self, key: &str, label: Option<LocatorLabel>, position: Position) -> String {
        let (Some(entry), Some(print)) = (self.library.get(key), self.fingerprints.get(key)) else {
            return String::new();
        };
        // Another source, to separate citations of this one.
        let other_key = self.keys.iter().find(|k| *k != key);
        let other = other_key.and_then(|k| self.library.get(k));
        let other_print = match position {
            Position::NearNote | Position::Subsequent => other_key.and_then(|k| self.fingerprints.get(k)),
            _ => None,
        };
        let cache_key = format!(
            "note|{position:?}|{}|{print}|{}",
            label.map_or_else(|| "-".to_string(), |l| format!("{:?}", l.0)),
            other_print.map_or("-", String::as_str)
        );
        self.cache.get_or_render(cache_key, || self.render_note(entry, other, label, position))
    }

    fn render_note(
        &self,
        entry: &Entry,
        other: Option<&Entry>,
        label: Option<LocatorLabel>,
        position: Position,
    ) -> String {
        let locator = || {
            label.map(|l| SpecificLocator(l.0, LocatorPayload::Transparent(hayagriva::TransparentLocator::new(0u8))))
        };
        let plain = || CitationItem::with_entry(entry);
        let mut history: Vec<(CitationItem<Entry>, usize)> = match position {
            Position::First => vec![],
            Position::Ibid => vec![(CitationItem::new(entry, locator(), None, false, None), 1)],
            Position::IbidWithLocator => vec![(plain(), 1)],
            Position::NearNote | Position::Subsequent => match other {
                Some(o) => vec![(plain(), 1), (CitationItem::with_entry(o), 2)],
                None => vec![(plain(), 1)],
            },
        };
        let note = match position {
            Position::First => 1,
            Position::Ibid | Position::IbidWithLocator => 2,
            Position::NearNote => 3,
            Position::Subsequent => 100,
        };
        history.push((CitationItem::new(entry, locator(), None, false, None), note));
        let style = &self.citation_style;
        let mut driver = BibliographyDriver::new();
        for (citation, number) in history {
            driver.citation(CitationRequest::new(vec![citation], style, None, self.locales(), Some(number)));
        }
        let rendered = driver.finish(BibliographyRequest::new(style, None, self.locales()));
        rendered.citations.last().map(|c| to_html(&c.citation)).unwrap_or_default()
    }

    /// The style's near-note distance (CSL default 5).
    fn near_note_distance(&self) -> usize {
        self.style.citation.near_note_distance as usize
    }
}

/// Finds what would crash the BibTeX parser (a crossref or xdata cycle, which
/// overflows its stack; a month outside 1–12, which underflows in its date
/// code), reports it, and returns a copy of `text` with those fields renamed
/// so they are ignored. Positions are unchanged.
fn guard_bibtex(text: &str, file: &Path, diagnostics: &mut Diagnostics) -> String {
    let mut out = text.to_string();
    let lower = text.to_ascii_lowercase();
    // (field name, value start, value) for month, crossref and xdata fields.
    let fields = |name: &str| -> Vec<(usize, usize, String)> {
        let mut found = Vec::new();
        for (at, _) in lower.match_indices(name) {
            let before_ok = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
            let rest = &text[at + name.len()..];
            let trimmed = rest.trim_start();
            if !before_ok || !trimmed.starts_with('=') {
                continue;
            }
            let value_part = trimmed[1..].trim_start();
            let value_at = text.len() - value_part.len();
            let value: String = value_part
                .trim_start_matches(['{', '"'])
                .chars()
                .take_while(|c| !matches!(c, '}' | '"' | ',' | '\n'))
                .collect();
            found.push((at, value_at, value.trim().to_string()));
        }
        found
    };
    let mut rename = |at: usize, from: &str, to: &str| {
        out.replace_range(at..at + from.len(), to);
    };
    for (at, value_at, value) in fields("month") {
        if let Ok(n) = value.parse::<i64>()
            && !(1..=12).contains(&n)
        {
            diagnostics.push(
                Diagnostic::error(
                    file,
                    text,
                    value_at..value_at + value.len().max(1) + 1,
                    format!("there is no month {n}"),
                )
                .with_hint("write the month as 1–12 (or jan … dec), or put the full date in `date = {YYYY-MM-DD}`"),
            );
            rename(at, "month", "monty");
        }
    }
    // The crossref/xdata graph, by the entry each field sits in.
    let starts: Vec<(usize, String)> =
        split_entries(text).into_iter().filter_map(|(o, c)| entry_key(c).map(|k| (o, k))).collect();
    let owner = |at: usize| starts.iter().rev().find(|(o, _)| *o <= at).map(|(_, k)| k.clone());
    let mut edges: HashMap<String, Vec<(String, usize, &'static str)>> = HashMap::new();
    for name in ["crossref", "xdata"] {
        for (at, _, value) in fields(name) {
            if let Some(from) = owner(at) {
                for target in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    edges.entry(from.clone()).or_default().push((target.to_string(), at, name));
                }
            }
        }
    }
    let mut reported = std::collections::HashSet::new();
    let mut keys: Vec<&String> = edges.keys().collect();
    keys.sort();
    for start in keys {
        // Follow references from `start`; a path back to it is a cycle.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = std::collections::HashSet::new();
        while let Some((node, path)) = stack.pop() {
            for (target, at, name) in edges.get(&node).map(Vec::as_slice).unwrap_or_default() {
                if target == start {
                    if reported.insert((*at, *name)) {
                        let cycle = format!("{} → {target}", path.join(" → "));
                        diagnostics.push(
                            Diagnostic::error(file, text, *at..*at + name.len(), format!("{name} cycle: {cycle}"))
                                .with_hint(format!(
                                    "an entry cannot inherit from itself; remove one `{name}` of the cycle"
                                )),
                        );
                        rename(*at, name, if *name == "crossref" { "crossrex" } else { "xdatx" });
                    }
                } else if seen.insert(target.clone()) {
                    let mut p = path.clone();
                    p.push(target.clone());
                    stack.push((target.clone(), p));
                }
            }
        }
    }
    out
}

/// Where `chunk` (one entry's text) has a `{` that is never closed: the
/// brace of the field value that is still open when a line starting the
/// next field (`name =`) begins, or else the entry's own brace. `\{` is not
/// a brace.
fn unclosed_brace(chunk: &str) -> Option<usize> {
    let mut open = Vec::new();
    let mut escaped = false;
    let mut field_left_open = None;
    for (i, b) in chunk.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'{' => open.push(i),
            b'}' => {
                open.pop();
            }
            b'\n' if open.len() >= 2 && field_left_open.is_none() && starts_field(&chunk[i + 1..]) => {
                field_left_open = Some(open[1]);
            }
            _ => {}
        }
    }
    let entry_brace = *open.first()?;
    Some(field_left_open.unwrap_or(entry_brace))
}

/// Does `line` start a BibTeX field, `name =`?
fn starts_field(line: &str) -> bool {
    let line = line.trim_start_matches([' ', '\t']);
    let name_len = line.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')).count();
    name_len > 0 && line[name_len..].trim_start_matches([' ', '\t']).starts_with('=')
}

/// The key of the entry a chunk of BibTeX starts (`@type{key,`), if readable.
fn entry_key(chunk: &str) -> Option<String> {
    let open = chunk.find('{')?;
    let key = chunk[open + 1..].split([',', '\n', '}']).next()?.trim();
    (!key.is_empty()).then(|| key.to_string())
}

/// Splits BibTeX text at each line that starts an entry (`@type{`), with offsets.
fn split_entries(text: &str) -> Vec<(usize, &str)> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('@') && trimmed[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            starts.push(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts.iter().enumerate().map(|(i, &s)| (s, &text[s..starts.get(i + 1).copied().unwrap_or(text.len())])).collect()
}

fn bib_hint(kind: &str) -> String {
    if kind.contains("duplicate") {
        "each entry needs its own key; merge the two entries or rename one".to_string()
    } else {
        "check the braces and commas of this entry: @type{key, field = {value}, …}".to_string()
    }
}

/// Reports problems with the citations of a piece of text: unknown keys. The
/// citation text sits at `at` in `file`.
pub fn check_keys(
    items: &[CiteItem],
    bibliography: &Bibliography,
    file: &Path,
    source: &str,
    at: usize,
    diagnostics: &mut Diagnostics,
) -> bool {
    let mut ok = true;
    for item in items {
        if bibliography.contains(&item.key) {
            continue;
        }
        if bibliography.is_broken(&item.key) {
            ok = false; // its entry's problem is reported in references.bib
            continue;
        }
        ok = false;
        let span = at + item.key_span.start..at + item.key_span.end;
        let hint = match bibliography.nearest_key(&item.key) {
            Some(k) => format!("did you mean `@{k}`? Otherwise add an entry `{}` to content/references.bib", item.key),
            None => format!("add an entry with the key `{}` to content/references.bib", item.key),
        };
        diagnostics.push(
            Diagnostic::error(file, source, span, format!("unknown citation key `{}`", item.key)).with_hint(hint),
        );
    }
    ok
}

/// The citations of one page, rendered together so that first and later
/// citations of a source get full and short notes.
pub struct NoteRun<'b> {
    bibliography: &'b Bibliography,
    /// (note number, items) in the order they were added.
    requests: Vec<(usize, Vec<CiteItem>)>,
}

/// The rendered citations of a page.
#[derive(Clone, Debug, Default)]
pub struct RenderedNotes {
    /// The HTML of each citation, in the order they were added.
    pub citations: Vec<String>,
    /// The bibliography of the page: (key, HTML), in the style's order.
    pub bibliography: Vec<(String, String)>,
}

impl<'b> NoteRun<'b> {
    pub fn new(bibliography: &'b Bibliography) -> NoteRun<'b> {
        NoteRun { bibliography, requests: Vec::new() }
    }

    /// Adds a citation in note `note`; returns its index in [`RenderedNotes::citations`].
    /// All keys must exist (check them first with [`check_keys`]).
    pub fn add(&mut self, note: usize, items: Vec<CiteItem>) -> usize {
        self.requests.push((note, items));
        self.requests.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Renders every citation, in note order.
    pub fn finish(self) -> RenderedNotes {
        let bib = self.bibliography;
        let mut order: Vec<usize> = (0..self.requests.len()).collect();
        order.sort_by_key(|&i| self.requests[i].0);
        let mut citations = vec![String::new(); self.requests.len()];
        // Where each source was last cited (note number), and the citation just before.
        let mut last_note: HashMap<&str, usize> = HashMap::new();
        let mut previous: Option<(usize, &[CiteItem])> = None;
        let near = bib.near_note_distance();
        for &i in &order {
            let (note, items) = &self.requests[i];
            let pieces: Vec<String> = items
                .iter()
                .map(|item| {
                    let position = match (last_note.get(item.key.as_str()), previous) {
                        (None, _) => Position::First,
                        (Some(_), Some((_, [prev]))) if prev.key == item.key && prev.locator == item.locator => {
                            Position::Ibid
                        }
                        (Some(_), Some((_, [prev]))) if prev.key == item.key && item.locator.is_some() => {
                            Position::IbidWithLocator
                        }
                        (Some(&n), _) if note.saturating_sub(n) <= near => Position::NearNote,
                        (Some(_), _) => Position::Subsequent,
                    };
                    let body = bib.render_item(item, position);
                    join_affixes(&item.prefix, &body, &item.suffix)
                })
                .collect();
            for item in items {
                last_note.insert(item.key.as_str(), *note);
            }
            previous = Some((*note, items.as_slice()));
            let mut text = pieces.join("; ");
            if items.len() > 1 {
                // Separate items end in their own periods; keep one at the very end.
                text = text.replace(".; ", "; ");
            }
            citations[i] = capitalize_first(&text);
        }
        // The page's bibliography, alphabetical by its text (author, then title,
        // in the bibliography styles handbooks use), without rendering the
        // whole bibliography to learn the style's order.
        let mut bibliography: Vec<(String, String)> =
            last_note.keys().map(|k| (k.to_string(), bib.entry_html(k))).collect();
        bibliography.sort_by_cached_key(|(k, html)| (strip_tags(html).to_lowercase(), k.clone()));
        RenderedNotes { citations, bibliography }
    }
}

fn join_affixes(prefix: &str, body: &str, suffix: &str) -> String {
    let mut s = String::new();
    if !prefix.is_empty() {
        s.push_str(&escape(prefix));
        s.push(' ');
    }
    if suffix.is_empty() {
        s.push_str(body);
    } else {
        let (main, end) = match body.strip_suffix('.') {
            Some(m) => (m, "."),
            None => (body, ""),
        };
        let _ = write!(s, "{main}, {}{end}", escape(suffix));
    }
    s
}

/// Upper-cases the first letter outside of tags ("see" → "See").
fn capitalize_first(html: &str) -> String {
    let mut in_tag = false;
    for (i, c) in html.char_indices() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag && c.is_alphabetic() => {
                let mut out = String::with_capacity(html.len());
                out.push_str(&html[..i]);
                out.extend(c.to_uppercase());
                out.push_str(&html[i + c.len_utf8()..]);
                return out;
            }
            _ if !in_tag && !c.is_whitespace() => return html.to_string(),
            _ => {}
        }
    }
    html.to_string()
}

/// Where a locator goes in a rendered citation template.
const LOCATOR_SLOT: char = '\u{2}';

/// A locator as printed: hyphens between numbers become en dashes (`33-35`, `33--35` → `33–35`).
fn format_locator(value: &str) -> String {
    let value = value.replace("--", "–");
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    for (i, &c) in chars.iter().enumerate() {
        let digit_around =
            i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        out.push(if c == '-' && digit_around { '–' } else { c });
    }
    out
}

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

/// Writes hayagriva's output as HTML, escaping all text and URLs, with
/// semantic tags instead of inline styles.
pub fn to_html(children: &ElemChildren) -> String {
    let mut out = String::new();
    write_children(&mut out, children);
    out
}

fn write_children(out: &mut String, children: &ElemChildren) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => write_formatted(out, &t.text, &t.formatting),
            ElemChild::Elem(e) => write_children(out, &e.children),
            ElemChild::Markup(m) => out.push_str(&escape(m)),
            ElemChild::Link { text, url } => {
                let safe = url.starts_with("https://") || url.starts_with("http://");
                if safe {
                    let _ = write!(out, "<a href=\"{}\">", escape(url));
                    write_formatted(out, &text.text, &text.formatting);
                    out.push_str("</a>");
                } else {
                    write_formatted(out, &text.text, &text.formatting);
                }
            }
            ElemChild::Transparent { .. } => out.push(LOCATOR_SLOT),
        }
    }
}

fn write_formatted(out: &mut String, text: &str, f: &hayagriva::Formatting) {
    let mut tags: Vec<(&str, &str)> = Vec::new();
    if f.font_style == FontStyle::Italic {
        tags.push(("<i>", "</i>"));
    }
    if f.font_weight == FontWeight::Bold {
        tags.push(("<b>", "</b>"));
    }
    if f.font_variant == FontVariant::SmallCaps {
        tags.push(("<span class=\"small-caps\">", "</span>"));
    }
    if f.text_decoration == TextDecoration::Underline {
        tags.push(("<u>", "</u>"));
    }
    match f.vertical_align {
        VerticalAlign::Sup => tags.push(("<sup>", "</sup>")),
        VerticalAlign::Sub => tags.push(("<sub>", "</sub>")),
        _ => {}
    }
    for (open, _) in &tags {
        out.push_str(open);
    }
    out.push_str(&escape(text));
    for (_, close) in tags.iter().rev() {
        out.push_str(close);
    }
}

/// The short form of a citation, for lists where full notes do not fit
/// (the chronology): each item as if cited before on the page.
pub fn short_citation(bibliography: &Bibliography, items: &[CiteItem]) -> String {
    let pieces: Vec<String> = items
        .iter()
        .map(|item| join_affixes(&item.prefix, &bibliography.render_item(item, Position::Subsequent), &item.suffix))
        .collect();
    capitalize_first(&pieces.join("; ").replace(".; ", "; "))
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

    const BIB: &str = r#"@article{korolev2018,
  author = {Korolev, Alexander},
  title = {Beyond the Nominal and the Ad Hoc: The Substance and Drivers of China-Russia Military Cooperation},
  journaltitle = {Insight Turkey},
  volume = {20},
  number = {1},
  date = {2018},
  pages = {25--42},
}
@online{evil,
  author = {{<script>alert(1)</script>}},
  title = {Tom & Jerry <b>},
  date = {2020},
}
"#;

    fn bib() -> Bibliography {
        let file = SourceFile { path: "references.bib".into(), text: BIB.into() };
        let mut ds = Diagnostics::new();
        let b = Bibliography::load(Some(&file), load_style("chicago-notes").unwrap(), &mut ds);
        assert!(ds.is_empty(), "{ds:?}");
        b
    }

    #[test]
    fn full_then_short_notes() {
        let b = bib();
        let mut run = NoteRun::new(&b);
        run.add(1, parse_citation("@korolev2018, p. 35").unwrap());
        run.add(2, parse_citation("see @korolev2018, p. 36").unwrap());
        let notes = run.finish();
        assert!(notes.citations[0].starts_with("Alexander Korolev, “Beyond the Nominal"), "{}", notes.citations[0]);
        assert!(notes.citations[0].contains("<i>Insight Turkey</i>"), "{}", notes.citations[0]);
        assert!(notes.citations[0].contains("35"), "{}", notes.citations[0]);
        assert!(notes.citations[1].starts_with("See Korolev, “Beyond the Nominal"), "{}", notes.citations[1]);
        assert!(notes.citations[1].len() < notes.citations[0].len());
        assert_eq!(notes.bibliography.len(), 1);
        assert!(notes.bibliography[0].1.starts_with("Korolev, Alexander."), "{}", notes.bibliography[0].1);
    }

    #[test]
    fn output_is_escaped() {
        let b = bib();
        let mut run = NoteRun::new(&b);
        run.add(1, parse_citation("@evil").unwrap());
        let notes = run.finish();
        assert!(!notes.citations[0].contains("<script>"), "{}", notes.citations[0]);
        assert!(notes.citations[0].contains("&lt;script&gt;"), "{}", notes.citations[0]);
        assert!(notes.citations[0].contains("Tom &amp; Jerry"), "{}", notes.citations[0]);
    }

    #[test]
    fn reports_bad_bibtex_with_position() {
        let file = SourceFile {
            path: "references.bib".into(),
            text: "@article{a,\n  title = {x},\n}\n@article{a,\n  title = {y},\n}\n".into(),
        };
        let mut ds = Diagnostics::new();
        Bibliography::load(Some(&file), load_style("chicago-notes").unwrap(), &mut ds);
        let d = ds.iter().next().expect("a duplicate-key error");
        assert!(d.message.to_lowercase().contains("duplicate"), "{}", d.message);
        assert_eq!(d.line, 4, "{d:?}");
    }
}
