//! The notes of one page: every citation rendered in its CSL position (full
//! note first, short note after), with prefixes and suffixes.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::bibliography::{Bibliography, PageSource, Position};
use super::syntax::CiteItem;
use crate::html::{escape, strip_tags};

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
    pub bibliography: Vec<PageSource>,
}

impl<'b> NoteRun<'b> {
    pub fn new(bibliography: &'b Bibliography) -> NoteRun<'b> {
        NoteRun { bibliography, requests: Vec::new() }
    }

    /// Adds a citation in note `note`; returns its index in [`RenderedNotes::citations`].
    /// All keys must exist (check them first with [`check_citation_keys`]).
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
            citations[i] = bib.typeset(&capitalize_first(&text));
        }
        // The page's bibliography, alphabetical by its text (author, then title,
        // in the bibliography styles handbooks use), without rendering the
        // whole bibliography to learn the style's order.
        let mut bibliography: Vec<PageSource> = last_note.keys().map(|k| bib.page_source(k)).collect();
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

/// The short form of a citation, for lists where full notes do not fit
/// (the chronology): each item as if cited before on the page.
pub fn short_citation(bibliography: &Bibliography, items: &[CiteItem]) -> String {
    let pieces: Vec<String> = items
        .iter()
        .map(|item| join_affixes(&item.prefix, &bibliography.render_item(item, Position::Subsequent), &item.suffix))
        .collect();
    bibliography.typeset(&capitalize_first(&pieces.join("; ").replace(".; ", "; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::{load_style, parse_citation};
    use crate::content::load::SourceFile;
    use crate::diagnostic::Diagnostics;

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
}
