//! The bibliography and the citation style, loaded once per build: each
//! source's notes and bibliography entry rendered by hayagriva, and kept.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use hayagriva::citationberg::{IndependentStyle, Locale, Style};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Entry, Library, LocatorPayload,
    SpecificLocator,
};

use super::cache::{CitationCache, fingerprint};
use super::html::to_html;
use super::locator::{LOCATOR_SLOT, format_locator};
use super::syntax::{CiteItem, LocatorLabel};
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::html::escape;

/// The CSL locale option `punctuation-in-quote` for `style`: from a locale
/// the style defines itself, else true for American English (the only
/// standard CSL locale that sets it), which is the default locale.
fn punctuation_in_quote(style: &IndependentStyle) -> bool {
    let lang = style.default_locale.as_ref().map(|l| l.to_string()).unwrap_or_else(|| "en-US".to_string());
    let own = style
        .locale
        .iter()
        .filter(|l| l.lang.as_ref().is_none_or(|code| lang.starts_with(&code.to_string())))
        .find_map(|l| l.style_options.as_ref().and_then(|o| o.punctuation_in_quote));
    own.unwrap_or(lang == "en-US" || lang == "en")
}

/// A rendered citation item's memo key: (source key, locator kind, position).
type NoteKey = (String, Option<LocatorLabel>, Position);

/// A source as a page's bibliography lists it: its key and its entry's
/// HTML, shared by every page that cites it.
pub type PageSource = (Arc<str>, Arc<str>);

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
    notes: Mutex<HashMap<NoteKey, String>>,
    /// The whole bibliography in the style's order (rendered once).
    all: OnceLock<Vec<(String, String)>>,
    /// Each source's bibliography entry on its own, by key, as every page
    /// that cites it shares it: (key, HTML).
    entries: Mutex<HashMap<String, PageSource>>,
    /// Keys of entries that are in the file but broken (reported there):
    /// citing them is not reported again as an unknown key.
    pub(super) broken: std::collections::HashSet<String>,
    /// Whether a period or comma after a closing quotation mark goes inside
    /// it (the CSL locale option `punctuation-in-quote`; American English).
    punctuation_in_quote: bool,
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

    pub(super) fn new(library: Library, style: IndependentStyle, keys: Vec<String>) -> Bibliography {
        let mut citation_style = style.clone();
        citation_style.bibliography = None;
        let punctuation_in_quote = punctuation_in_quote(&style);
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
            entries: Mutex::default(),
            all: OnceLock::new(),
            broken: Default::default(),
            punctuation_in_quote,
        }
    }

    /// Sets the punctuation around quoted titles of a rendered note or entry
    /// as the style's locale wants it (see [`super::punctuation`]).
    pub(super) fn typeset(&self, html: &str) -> String {
        super::punctuation::typeset(html, self.punctuation_in_quote)
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
                    .map(|b| b.items.into_iter().map(|i| (i.key, self.typeset(&to_html(&i.content)))).collect())
                    .unwrap_or_default();
                serde_json::to_string(&items).expect("strings are JSON")
            });
            serde_json::from_str(&stored).unwrap_or_default()
        })
    }

    /// One source's key and bibliography entry, rendered once per build and
    /// shared by every page that cites it.
    pub(super) fn page_source(&self, key: &str) -> PageSource {
        if let Some(found) = self.entries.lock().expect("no panic while held").get(key) {
            return found.clone();
        }
        let made = (Arc::from(key), Arc::from(self.entry_html(key)));
        self.entries.lock().expect("no panic while held").entry(key.to_string()).or_insert(made).clone()
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
                .map(|i| self.typeset(&to_html(&i.content)))
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
            Some((label, value)) if template.contains(LOCATOR_SLOT) => {
                template.replace(LOCATOR_SLOT, &escape(&format_locator(*label, value)))
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
    pub(super) fn near_note_distance(&self) -> usize {
        self.style.citation.near_note_distance as usize
    }
}

/// Reports problems with the citations of a piece of text: unknown keys. The
/// citation text sits at `at` in `file`.
pub fn check_citation_keys(
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
