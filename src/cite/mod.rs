//! Citations: Pandoc's citation syntax, the bibliography, and notes rendered
//! by hayagriva in a CSL style.
//!
//! A citation such as `see @korolev2018, p. 35; @other` is parsed into items
//! (prefix, key, locator, suffix) by [`syntax`]. The [`Bibliography`] loads
//! `references.bib` ([`bibtex`] guards the BibTeX parser and reports problems
//! at their positions) and renders each source in the style, at most a few
//! times per build ([`cache`] keeps them between runs). A [`NoteRun`]
//! collects every citation of one page with the note number it falls in,
//! then renders them all at once, so a source's first citation on the page
//! gets the full note and later ones the short note. hayagriva does not
//! escape HTML: [`html`] walks its output and escapes every piece of text.

pub mod bibliography;
mod bibtex;
pub mod cache;
mod html;
mod locator;
pub mod notes;
mod punctuation;
pub mod syntax;

pub use bibliography::{Bibliography, PageSource, Position, check_citation_keys, load_style};
pub use notes::{NoteRun, RenderedNotes, short_citation};
pub use syntax::{CiteItem, CiteSyntaxError, LocatorLabel, parse_citation};
