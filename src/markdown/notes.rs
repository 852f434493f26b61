//! The notes of one page: footnotes and citations numbered together, in
//! order of first use, across all the Markdown on the page (body and event
//! notes), with lettered back-links when a note is referred to more than
//! once.

use std::collections::HashMap;

use crate::cite::{Bibliography, CiteItem, LocatorLabel, NoteRun, PageSource};
use crate::content::site::CitationNotes;

/// A note at the end of a page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub number: usize,
    /// The note's element id, `note-3`.
    pub id: String,
    /// Ids of the places that refer to it, with the letter shown on a back-link
    /// when there are several (`a`, `b`, …).
    pub backrefs: Vec<Backref>,
    pub html: String,
    /// True for citations (the note is a reference), false for footnotes.
    pub is_citation: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Backref {
    pub id: String,
    pub label: String,
}

pub(super) enum NoteBody {
    Html(String),
    Citation(usize),
}

pub(super) struct PendingNote {
    number: usize,
    backrefs: Vec<String>,
    body: NoteBody,
    is_citation: bool,
}

/// The notes of one page, numbered across all the Markdown on it.
pub struct PageNotes<'b> {
    run: NoteRun<'b>,
    notes: Vec<PendingNote>,
    /// (document, footnote label) → index in `notes`.
    footnotes: HashMap<(usize, String), usize>,
    pub(super) documents: usize,
    cited_keys: Vec<String>,
    /// Citations already made notes (with shared notes): what they cite → index in `notes`.
    by_citation: HashMap<Vec<CitedAt>, usize>,
}

/// Everything about a page's notes once rendered.
#[derive(Clone, Debug, Default)]
pub struct FinishedNotes {
    pub notes: Vec<Note>,
    /// The page's bibliography: (key, HTML), shared with every page that
    /// cites the same source.
    pub bibliography: Vec<PageSource>,
    /// The keys cited on the page, each once, in order of first citation.
    pub cited_keys: Vec<String>,
}

/// Marks where a citation inside a footnote is filled in once rendered.
pub(super) const INLINE_CITE: char = '\u{1}';

impl<'b> PageNotes<'b> {
    pub fn new(bibliography: &'b Bibliography) -> PageNotes<'b> {
        PageNotes {
            run: NoteRun::new(bibliography),
            notes: Vec::new(),
            footnotes: HashMap::new(),
            documents: 0,
            cited_keys: Vec::new(),
            by_citation: HashMap::new(),
        }
    }

    pub(super) fn remember_keys(&mut self, items: &[CiteItem]) {
        for item in items {
            if !self.cited_keys.contains(&item.key) {
                self.cited_keys.push(item.key.clone());
            }
        }
    }

    /// Adds a citation as a new note; returns the HTML of its note mark.
    /// With shared notes, a citation of the same sources at the same places
    /// as an earlier one on the page is that note again: its number appears
    /// again in the text, and the note gets a lettered back-link.
    pub fn cite(&mut self, items: Vec<CiteItem>, policy: CitationNotes) -> String {
        self.remember_keys(&items);
        let same: Vec<CitedAt> =
            items.iter().map(|i| (i.prefix.clone(), i.key.clone(), i.locator.clone(), i.suffix.clone())).collect();
        if policy == CitationNotes::Shared
            && let Some(&index) = self.by_citation.get(&same)
        {
            let note = &mut self.notes[index];
            let id = format!("noteref-{}-{}", note.number, note.backrefs.len() + 1);
            note.backrefs.push(id.clone());
            return note_mark(note.number, &id);
        }
        self.by_citation.insert(same, self.notes.len());
        let number = self.notes.len() + 1;
        let index = self.run.add(number, items);
        self.notes.push(PendingNote {
            number,
            backrefs: vec![format!("noteref-{number}")],
            body: NoteBody::Citation(index),
            is_citation: true,
        });
        note_mark(number, &format!("noteref-{number}"))
    }

    /// A citation inside a footnote: rendered into the footnote's text, in its number.
    pub(super) fn cite_inline(&mut self, note: usize, items: Vec<CiteItem>) -> String {
        self.remember_keys(&items);
        let index = self.run.add(note, items);
        format!("{INLINE_CITE}{index}{INLINE_CITE}")
    }

    /// A reference to footnote `label` of `document`; numbered on first use.
    pub(super) fn footnote_ref(&mut self, document: usize, label: &str) -> String {
        let key = (document, label.to_string());
        let index = match self.footnotes.get(&key) {
            Some(&i) => i,
            None => {
                self.notes.push(PendingNote {
                    number: self.notes.len() + 1,
                    backrefs: Vec::new(),
                    body: NoteBody::Html(String::new()),
                    is_citation: false,
                });
                self.footnotes.insert(key, self.notes.len() - 1);
                self.notes.len() - 1
            }
        };
        let note = &mut self.notes[index];
        let id = if note.backrefs.is_empty() {
            format!("noteref-{}", note.number)
        } else {
            format!("noteref-{}-{}", note.number, note.backrefs.len() + 1)
        };
        note.backrefs.push(id.clone());
        note_mark(note.number, &id)
    }

    pub(super) fn footnote_number(&self, document: usize, label: &str) -> Option<usize> {
        self.footnotes.get(&(document, label.to_string())).map(|&i| self.notes[i].number)
    }

    pub(super) fn define_footnote(&mut self, document: usize, label: &str, html: String) -> bool {
        match self.footnotes.get(&(document, label.to_string())) {
            Some(&i) => {
                self.notes[i].body = NoteBody::Html(html);
                true
            }
            None => false,
        }
    }

    /// Renders all citations and returns the notes in order.
    pub fn finish(self) -> FinishedNotes {
        let rendered = self.run.finish();
        let fill = |html: &str| -> String {
            if !html.contains(INLINE_CITE) {
                return html.to_string();
            }
            let mut out = String::new();
            for (i, part) in html.split(INLINE_CITE).enumerate() {
                if i % 2 == 1 {
                    let index: usize = part.parse().unwrap_or(usize::MAX);
                    // Inside a note, a citation reads as a parenthesis (as in Pandoc).
                    if let Some(c) = rendered.citations.get(index) {
                        out.push('(');
                        out.push_str(c.strip_suffix('.').unwrap_or(c));
                        out.push(')');
                    }
                } else {
                    out.push_str(part);
                }
            }
            out
        };
        let notes = self
            .notes
            .into_iter()
            .map(|n| {
                let html = match &n.body {
                    NoteBody::Html(h) => fill(h),
                    NoteBody::Citation(i) => {
                        format!("<p>{}</p>", rendered.citations.get(*i).map_or("", String::as_str))
                    }
                };
                let many = n.backrefs.len() > 1;
                let backrefs = n
                    .backrefs
                    .into_iter()
                    .enumerate()
                    .map(|(i, id)| Backref { id, label: if many { letter(i) } else { String::new() } })
                    .collect();
                Note { number: n.number, id: format!("note-{}", n.number), backrefs, html, is_citation: n.is_citation }
            })
            .collect();
        FinishedNotes { notes, bibliography: rendered.bibliography, cited_keys: self.cited_keys }
    }
}

/// a, b, …, z, aa, ab, … (Wikipedia's back-link letters, without running out).
pub(super) fn letter(i: usize) -> String {
    let mut n = i;
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// How every note mark starts, to recognise marks side by side.
pub(super) const NOTE_MARK_START: &str = "<sup class=\"noteref\">";

/// Set between two note marks side by side (²⁰,²¹).
pub(super) const NOTE_MARK_SEPARATOR: &str = "<sup class=\"noteref-sep\" aria-hidden=\"true\">,</sup>";

/// What makes two citations the same note: each item's prefix, source,
/// locator and suffix.
type CitedAt = (String, String, Option<(LocatorLabel, String)>, String);

pub(super) fn note_mark(number: usize, id: &str) -> String {
    format!(
        "<sup class=\"noteref\"><a href=\"#note-{number}\" id=\"{id}\" role=\"doc-noteref\" aria-describedby=\"notes-label\">{number}</a></sup>"
    )
}

pub(super) fn notes_defined(notes: &PageNotes, document: usize, label: &str) -> bool {
    notes
        .footnotes
        .get(&(document, label.to_string()))
        .is_some_and(|&i| matches!(&notes.notes[i].body, NoteBody::Html(h) if !h.is_empty()))
}
