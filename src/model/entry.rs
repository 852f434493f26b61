//! The checked handbook: entries with their events, claims, relations and
//! rendered text, and the home page. What later stages read.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::cite::{Bibliography, CiteItem};
use crate::content::Kind;
use crate::content::date::PartialDate;
use crate::content::fields::{Domain, ExerciseFormat};
use crate::content::site::SiteConfig;
use crate::markdown::{CrossLink, FinishedNotes, Heading};

/// A name with an optional language.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Name {
    pub name: String,
    pub lang: Option<String>,
}

/// A claim of another source about an event.
#[derive(Clone, Debug, Serialize)]
pub struct Claim {
    pub date: Option<PartialDate>,
    pub place: Option<String>,
    pub note_html: String,
    /// Note marks of its citations.
    pub cite_html: String,
    /// Citations as written, for short forms in lists.
    pub cites: Vec<Citation>,
}

/// A citation as written in front matter, parsed.
#[derive(Clone, Debug, Serialize)]
pub struct Citation {
    pub text: String,
    #[serde(skip)]
    pub items: Vec<CiteItem>,
}

/// A dated occurrence of an entry.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// Anchor on the entry's page.
    pub anchor: String,
    pub date: PartialDate,
    pub title: String,
    pub place: Option<String>,
    pub participants: Vec<String>,
    pub note_html: String,
    /// Note marks of its citations, to place after the event.
    pub cite_html: String,
    pub cites: Vec<Citation>,
    pub disputed: Vec<Claim>,
}

/// Fields that only some kinds have.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Details {
    pub level: Option<String>,
    pub frequency: Option<String>,
    pub participants: Vec<String>,
    pub domain: Vec<Domain>,
    pub format: Option<ExerciseFormat>,
    pub signatories: Vec<String>,
    pub place: Option<String>,
}

/// One mechanism, exercise or declaration, checked and rendered.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    /// The source file as given to messages.
    pub file: PathBuf,
    /// Path relative to the content folder, e.g. `exercises/joint-sea.md`.
    pub content_path: String,
    pub title: String,
    pub summary: String,
    pub aliases: Vec<Name>,
    pub tags: Vec<String>,
    pub date: PartialDate,
    pub end: Option<PartialDate>,
    pub draft: bool,
    pub details: Details,
    /// (relation name, target id), in the order written.
    pub relations: Vec<(String, String)>,
    pub events: Vec<Event>,
    pub body_html: PackedHtml,
    pub headings: Vec<Heading>,
    pub notes: FinishedNotes,
    pub links: Vec<CrossLink>,
}

/// HTML kept compressed (LZ4) until a page is made from it. An entry's body
/// is the largest part of the entry, a build holds every entry while it
/// renders, and the body is read only by the entry's page, the search index
/// and the data download, once each.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PackedHtml(Box<[u8]>);

impl PackedHtml {
    pub fn new(html: &str) -> PackedHtml {
        PackedHtml(lz4_flex::compress_prepend_size(html.as_bytes()).into_boxed_slice())
    }

    /// The HTML, decompressed.
    pub fn unpack(&self) -> String {
        let bytes = lz4_flex::decompress_size_prepended(&self.0).expect("packed by PackedHtml::new");
        String::from_utf8(bytes).expect("packed from a str")
    }
}

impl std::fmt::Debug for PackedHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackedHtml({:?})", self.unpack())
    }
}

impl Entry {
    /// What orders the handbook's entries: kind, then date, then id.
    pub fn order_key(&self) -> (Kind, PartialDate, &str) {
        (self.kind, self.date, &self.id)
    }
}

/// The home page's own text.
#[derive(Clone, Debug, Default)]
pub struct Home {
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub notes: FinishedNotes,
    pub links: Vec<CrossLink>,
}

/// The whole handbook, checked.
#[derive(Clone)]
pub struct Handbook {
    pub site: SiteConfig,
    pub bibliography: Arc<Bibliography>,
    pub home: Arc<Home>,
    /// Entries sorted by kind, then date, then id ([`Entry::order_key`]).
    pub entries: Entries,
}

/// The handbook's entries in order: a persistent vector, so that a copy of
/// the handbook costs nothing and changing one entry copies only the path to
/// it. (`handbook serve` keeps the last good handbook beside the one being
/// updated; copying 10,000 entry references on every save touched memory
/// all over the heap, and was most of a save's time once that memory had
/// gone cold.)
pub type Entries = imbl::Vector<Arc<Entry>>;

impl Handbook {
    /// Where `entry` (or the entry with its id, kind and dates) is in
    /// [`Handbook::entries`], found by binary search.
    pub fn position(&self, entry: &Entry) -> Option<usize> {
        let key = entry.order_key();
        self.entries.binary_search_by(|e| e.order_key().cmp(&key)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::PackedHtml;

    #[test]
    fn packed_html_unpacks_to_what_was_packed() {
        let body = "<p>Совместные учения «Морское взаимодействие» 海上联合 — joint naval drills.</p>\n".repeat(40);
        for html in ["", "<p>x</p>", body.as_str()] {
            let packed = PackedHtml::new(html);
            assert_eq!(packed.unpack(), html);
            assert_eq!(packed, PackedHtml::new(html), "packing is deterministic");
        }
        assert!(PackedHtml::new(&body).0.len() < body.len() / 4, "a repetitive body packs small");
    }
}
