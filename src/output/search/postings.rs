//! The search index's postings while it is built: each document's terms
//! with their counts in the five fields, folded into one compact list per
//! term as the documents are analysed (see [`super::write`]).

use std::collections::HashMap;

use super::text::Analyzer;
use super::{Document, field_of};

/// A term's counts in one document's five fields, packed in 32 bits: 10
/// for the body (the lowest), 8 for the events, 6 for the summary, 4 for
/// the aliases and 4 for the title, each count saturating at its field's
/// largest. BM25 has all but saturated long before (a body that repeats a
/// word a thousand times weighs it as one that repeats it 1,023 times).
/// The body's count, the usual one, is the lowest: as a varint in a
/// [`PostingList`] it is one byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts(u32);

/// Each field's place in [`Counts`] (its lowest bit) and width, title first.
const COUNT_SHIFT: [u32; 5] = [28, 24, 18, 10, 0];
const COUNT_BITS: [u32; 5] = [4, 4, 6, 8, 10];

impl Counts {
    pub(super) fn get(self, field: usize) -> u32 {
        (self.0 >> COUNT_SHIFT[field]) & ((1 << COUNT_BITS[field]) - 1)
    }

    pub(super) fn add_one(&mut self, field: usize) {
        if self.get(field) < (1 << COUNT_BITS[field]) - 1 {
            self.0 += 1 << COUNT_SHIFT[field];
        }
    }
}

/// One term's postings, in document order, as varints: the document's
/// distance from the one before (the first's from 0), then its [`Counts`].
/// Most postings take two or three bytes; at 100,000 documents there are
/// tens of millions.
#[derive(Default)]
pub(super) struct PostingList {
    bytes: Vec<u8>,
    last: u32,
    pub(super) len: u32,
}

impl PostingList {
    pub(super) fn push(&mut self, doc: u32, counts: Counts) {
        put_varint(&mut self.bytes, doc - self.last);
        put_varint(&mut self.bytes, counts.0);
        self.last = doc;
        self.len += 1;
    }

    /// Adds the postings of `next`, whose documents all come after these.
    pub(super) fn append(&mut self, next: PostingList) {
        let Some((first, rest)) = take_varint(&next.bytes) else { return };
        put_varint(&mut self.bytes, first - self.last);
        self.bytes.extend_from_slice(rest);
        self.last = next.last;
        self.len += next.len;
    }

    /// (document, counts), in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, Counts)> + '_ {
        let mut rest = self.bytes.as_slice();
        let mut doc = 0;
        std::iter::from_fn(move || {
            let (delta, after) = take_varint(rest)?;
            let (counts, after) = take_varint(after)?;
            rest = after;
            doc += delta;
            Some((doc, Counts(counts)))
        })
    }
}

fn put_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn take_varint(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let mut n = 0u32;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        n |= u32::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Some((n, &bytes[i + 1..]));
        }
    }
    None
}

/// The postings of a run of documents, term by term, and the length of each
/// field of each document: what the analysis of many documents folds into,
/// without keeping any one document's terms.
#[derive(Default)]
pub(super) struct Postings {
    pub(super) terms: HashMap<String, PostingList>,
    pub(super) lengths: Vec<[u32; 5]>,
    first: u32,
}

/// One document's distinct terms with their counts, and the length of each
/// of its fields in terms.
pub(super) struct DocTerms {
    terms: HashMap<String, Counts>,
    lengths: [u32; 5],
}

pub(super) fn analyse(analyzer: &Analyzer, doc: &Document) -> DocTerms {
    let mut per_field: [Vec<String>; 5] = Default::default();
    analyzer.terms(&doc.title, &mut per_field[0]);
    for p in &doc.passages {
        analyzer.terms(&p.text, &mut per_field[field_of(p.kind)]);
    }
    let lengths = per_field.each_ref().map(|f| f.len() as u32);
    let mut terms: HashMap<String, Counts> = HashMap::new();
    for (f, field) in per_field.into_iter().enumerate() {
        for t in field {
            terms.entry(t).or_default().add_one(f);
        }
    }
    DocTerms { terms, lengths }
}

impl Postings {
    /// Adds document `d`, the next after those already in.
    pub(super) fn add(mut self, (d, doc): (u32, DocTerms)) -> Postings {
        if self.lengths.is_empty() {
            self.first = d;
        }
        debug_assert_eq!(d, self.first + self.lengths.len() as u32, "documents come in order");
        for (term, c) in doc.terms {
            self.terms.entry(term).or_default().push(d, c);
        }
        self.lengths.push(doc.lengths);
        self
    }

    /// Joins the postings of the documents that follow these.
    pub(super) fn join(mut self, mut next: Postings) -> Postings {
        if self.lengths.is_empty() {
            return next;
        }
        if next.lengths.is_empty() {
            return self;
        }
        debug_assert_eq!(next.first, self.first + self.lengths.len() as u32, "runs are joined in order");
        if next.terms.len() > self.terms.len() {
            // Merge the smaller map into the larger, keeping document order.
            for (term, mut list) in self.terms.drain() {
                let later = next.terms.entry(term).or_default();
                list.append(std::mem::take(later));
                *later = list;
            }
            self.terms = next.terms;
        } else {
            for (term, list) in next.terms.drain() {
                self.terms.entry(term).or_default().append(list);
            }
        }
        self.lengths.append(&mut next.lengths);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posting_lists_keep_documents_and_counts_through_appends() {
        let mut counts = Counts::default();
        for _ in 0..2000 {
            counts.add_one(4);
        }
        counts.add_one(0);
        counts.add_one(3);
        counts.add_one(3);
        assert_eq!((0..5).map(|f| counts.get(f)).collect::<Vec<_>>(), [1, 0, 0, 2, 1023], "the body saturates alone");
        let postings =
            [(0, Counts(1)), (7, counts), (200, Counts(u32::MAX)), (70_000, Counts(3)), (4_000_000, Counts(0))];
        let mut first = PostingList::default();
        let mut second = PostingList::default();
        for &(d, c) in &postings[..2] {
            first.push(d, c);
        }
        for &(d, c) in &postings[2..] {
            second.push(d, c);
        }
        first.append(second);
        first.append(PostingList::default());
        assert_eq!(first.len, 5);
        assert_eq!(first.iter().collect::<Vec<_>>(), postings);
    }
}
