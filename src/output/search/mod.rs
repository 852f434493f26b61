//! The search index: split into files so a query loads only what it needs,
//! and written as scripts so it loads from `file://` too (Chromium lets a
//! page run a script from a file, not `fetch` one).
//!
//! - `search/index.js`, the manifest: the number of documents, whether
//!   words are stemmed as English, and the first term of each shard.
//! - `search/s/N.js`, the shards: every term of the handbook with its
//!   postings (document numbers and weights), in order, cut into files of
//!   about [`SHARD_BYTES`]. A word is in one shard, found by its place in
//!   the order; a cut does not split the terms that share their first three
//!   characters unless they fill several shards, so the words that begin
//!   with what a reader has typed are in one or two.
//! - `search/d/N.js`, one per document: its title, kind, address and text in
//!   passages (aliases, summary, each event with its anchor, each section of
//!   the body with its heading's anchor), from which a result shows the
//!   passage that matches and links to the event or section it is in.
//!
//! A query loads the manifest, one shard per word and one file per result
//! shown; nothing is loaded before the search box is used. A weight is the
//! term's BM25 frequency part in each field (title, aliases, summary,
//! events, body), boosted by field and summed; the browser multiplies by
//! the term's rarity, which it knows from the length of its postings.
//!
//! Each file is `handbookSearch.index(…)`, `.shard(N, …)` or `.doc(N, …)`
//! around JSON; `static/handbook.js` defines `handbookSearch`.

mod postings;
pub mod text;

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::urls;
use postings::{Counts, PostingList, Postings, analyse};
use text::Analyzer;

/// About how large a shard grows before the next group starts a new one
/// (bytes of its script). A group of one very common word may be larger.
pub const SHARD_BYTES: usize = 40 * 1024;

/// What a passage of a document is, which decides the field it is indexed
/// in: `a` aliases, `s` summary, `g` tags, `f` facts (the fields of the
/// kind), `e` an event, `h` a heading, `b` a paragraph of the body.
pub type PassageKind = char;

/// A piece of a document's text shown as a result's excerpt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passage {
    pub kind: PassageKind,
    /// The anchor on the document's page (an event's or a heading's), or "".
    pub anchor: String,
    pub text: String,
}

/// One searchable page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// Shown beside the title (`exercise`).
    pub kind: String,
    /// The page, relative to the site root.
    pub url: String,
    pub passages: Vec<Passage>,
}

/// The fields, with their boosts: title, aliases, summary (with tags and
/// facts), events, body.
const BOOSTS: [f64; 5] = [5.0, 4.0, 2.0, 1.5, 1.0];

fn field_of(kind: PassageKind) -> usize {
    match kind {
        'a' => 1,
        's' | 'g' | 'f' => 2,
        'e' => 3,
        _ => 4,
    }
}

/// BM25's constants.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Every file of the index, as (output path, content), sorted by path.
/// `english`: the site is in English (see [`text`]).
pub fn files(docs: Vec<Document>, english: bool) -> Vec<(String, String)> {
    let out = std::sync::Mutex::new(Vec::new());
    write(docs.len(), |i| docs[i].clone(), english, &|path, content| {
        out.lock().unwrap_or_else(|e| e.into_inner()).push((path, content))
    });
    let mut out = out.into_inner().unwrap_or_else(|e| e.into_inner());
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Makes every file of the index for documents `0..count` (`doc(i)` makes
/// document `i`), handing each file to `emit` (output path, content) as soon
/// as it is made, in no particular order: a document is made, analysed,
/// written out and let go, so no more than a few are held at a time, nor a
/// shard while the next is written. `english`: the site is in English (see
/// [`text`]).
pub fn write(
    count: usize,
    doc: impl Fn(usize) -> Document + Sync,
    english: bool,
    emit: &(dyn Fn(String, String) + Sync),
) {
    let docs_len = count;
    // Documents are analysed in parallel runs, each folded into postings
    // as it goes; runs are joined in document order.
    let postings = (0..count)
        .into_par_iter()
        .with_min_len(64)
        .map_init(
            || Analyzer::new(english),
            |analyzer, i| {
                let doc = doc(i);
                let terms = analyse(analyzer, &doc);
                let passages: Vec<(String, &str, &str)> =
                    doc.passages.iter().map(|p| (p.kind.to_string(), p.anchor.as_str(), p.text.as_str())).collect();
                let body = serde_json::json!({"t": doc.title, "k": doc.kind, "u": doc.url, "p": passages});
                emit(urls::search_doc(i), format!("handbookSearch.doc({i},{body});\n"));
                (i as u32, terms)
            },
        )
        .fold(Postings::default, Postings::add)
        .reduce(Postings::default, Postings::join);
    let n = docs_len.max(1) as f64;
    let mut average = [0f64; 5];
    for lengths in &postings.lengths {
        for (f, len) in lengths.iter().enumerate() {
            average[f] += *len as f64 / n;
        }
    }
    let lengths = postings.lengths;
    let mut terms: Vec<(String, PostingList)> = postings.terms.into_iter().collect();
    // UTF-16 order, the order in which the browser compares strings.
    terms.par_sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));

    // Cut the sorted terms into shards of about SHARD_BYTES, where a cut
    // splits no group of terms that share their first three characters (see
    // `cut_level`), so a prefix of three or more letters is in one shard
    // unless its group is a great deal larger than a shard.
    let mut shards: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for i in 0..terms.len() {
        if i > start && size >= SHARD_BYTES && common_prefix(&terms[i - 1].0, &terms[i].0) < cut_level(size) {
            shards.push(start..i);
            start = i;
            size = 0;
        }
        size += terms[i].0.len() + 8 + terms[i].1.len as usize * 6;
    }
    if start < terms.len() || shards.is_empty() {
        shards.push(start..terms.len());
    }

    let firsts: Vec<&str> = shards.iter().map(|r| terms.get(r.start).map_or("", |t| t.0.as_str())).collect();
    emit(
        urls::SEARCH_INDEX.to_string(),
        format!(
            "handbookSearch.index({{\"docs\":{},\"stem\":{},\"shards\":{}}});\n",
            docs_len,
            json(if english { "en" } else { "" }),
            serde_json::to_string(&firsts).expect("JSON")
        ),
    );
    shards.par_iter().enumerate().for_each(|(i, range)| {
        let mut s = format!("handbookSearch.shard({i},{{");
        for (j, (term, list)) in terms[range.clone()].iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            s.push_str(&json(term));
            s.push_str(":[");
            let mut previous = 0;
            for (k, (doc, counts)) in list.iter().enumerate() {
                if k > 0 {
                    s.push(',');
                }
                let w = weight(counts, &lengths[doc as usize], &average);
                let _ = write!(s, "{},{w}", doc - previous);
                previous = doc;
            }
            s.push(']');
        }
        s.push_str("});\n");
        emit(urls::search_shard(i), s);
    });
}

/// How many characters two neighbouring terms may share and still be cut
/// apart, once a shard has `size` bytes: none of the first three (a prefix
/// query of three letters then loads one shard), unless the shard is already
/// twice, three or four times as large as it should be, when a group of
/// terms sharing three, four or five characters is split instead.
fn cut_level(size: usize) -> usize {
    3 + (size / SHARD_BYTES).saturating_sub(1).min(3)
}

/// The number of characters `a` and `b` begin with alike.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// A term's weight in a document: BM25's term-frequency part in each field
/// (saturating with repetition, lower in longer fields), times the field's
/// boost, summed; in tenths, at least 1.
fn weight(counts: Counts, lengths: &[u32; 5], average: &[f64; 5]) -> u16 {
    let mut score = 0.0;
    for f in 0..5 {
        let tf = counts.get(f) as f64;
        if tf > 0.0 {
            let norm = 1.0 - B + B * lengths[f] as f64 / average[f].max(1.0);
            score += BOOSTS[f] * tf * (K1 + 1.0) / (tf + K1 * norm);
        }
    }
    ((score * 10.0).round() as u16).max(1)
}

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("strings are JSON")
}

/// The passages of an HTML fragment (a rendered body): each heading, with
/// its id, and each paragraph, list item, table row or quotation, with the
/// id of the heading above it. Note marks are left out (their numbers
/// would run into the words), and entities become characters.
pub fn html_passages(html: &str) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut anchor = String::new();
    let mut current = String::new();
    let mut heading: Option<String> = None;
    let mut skip_until: Option<&str> = None;
    let mut rest = html;
    let flush = |current: &mut String, kind: char, anchor: &str, out: &mut Vec<Passage>| {
        let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
        current.clear();
        if !text.is_empty() {
            out.push(Passage { kind, anchor: anchor.to_string(), text });
        }
    };
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                decode_into(rest, &mut current);
            }
            break;
        };
        if skip_until.is_none() {
            decode_into(&rest[..lt], &mut current);
        }
        let Some(gt) = rest[lt..].find('>') else { break };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(end) = skip_until {
            if closing && name == end {
                skip_until = None;
            }
            continue;
        }
        match name.as_str() {
            "sup" if !closing && tag.contains("noteref") => skip_until = Some("sup"),
            "script" | "style" if !closing => skip_until = Some(if name == "script" { "script" } else { "style" }),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                if closing {
                    let id = heading.take().unwrap_or_default();
                    flush(&mut current, 'h', &id, &mut out);
                    if !id.is_empty() {
                        anchor = id;
                    }
                } else {
                    flush(&mut current, 'b', &anchor, &mut out);
                    heading = Some(attribute(tag, "id").unwrap_or_default());
                }
            }
            "p" | "li" | "tr" | "blockquote" | "pre" | "dt" | "dd" | "div" | "ul" | "ol" | "table" | "hr"
            | "figure" | "figcaption" | "section" | "details" | "summary"
                if heading.is_none() =>
            {
                flush(&mut current, 'b', &anchor, &mut out)
            }
            "td" | "th" | "br" => current.push(' '),
            _ => {}
        }
    }
    flush(&mut current, if heading.is_some() { 'h' } else { 'b' }, &anchor, &mut out);
    out
}

/// The value of attribute `name` of a tag's text (`h2 id="x"`), decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[at..].find('"')?;
    let mut out = String::new();
    decode_into(&tag[at..at + end], &mut out);
    Some(out)
}

/// Appends `s` with its character references decoded.
pub fn decode_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, passages: &[(char, &str, &str)]) -> Document {
        Document {
            title: title.into(),
            kind: "exercise".into(),
            url: format!("exercises/{}.html", title.to_lowercase().replace(' ', "-")),
            passages: passages
                .iter()
                .map(|(k, a, t)| Passage { kind: *k, anchor: a.to_string(), text: t.to_string() })
                .collect(),
        }
    }

    fn docs() -> Vec<Document> {
        vec![
            doc(
                "Joint Sea",
                &[
                    ('a', "", "Maritime Interaction · Морское взаимодействие · 海上联合"),
                    ('s', "", "A naval exercise."),
                    ('e', "2016", "12–19 September 2016 · Joint Sea 2016 · South China Sea"),
                    ('b', "", "Ships sailed; ships fired."),
                ],
            ),
            doc("Peace Mission", &[('s', "", "Counter-terrorism drills"), ('b', "", "The first joint exercise.")]),
        ]
    }

    /// The shard holding `term`, as the browser finds it, and its postings.
    fn lookup(files: &[(String, String)], term: &str) -> Option<Vec<(u32, u16)>> {
        let manifest = &files.iter().find(|(p, _)| p == urls::SEARCH_INDEX)?.1;
        let json = manifest.trim().strip_prefix("handbookSearch.index(")?.strip_suffix(");")?;
        let manifest: serde_json::Value = serde_json::from_str(json).ok()?;
        let keys: Vec<&str> = manifest["shards"].as_array()?.iter().map(|k| k.as_str().unwrap()).collect();
        let i = keys.iter().rposition(|k| k.encode_utf16().le(term.encode_utf16()))?;
        let shard = &files.iter().find(|(p, _)| *p == urls::search_shard(i))?.1;
        let json = shard.trim().strip_prefix(&format!("handbookSearch.shard({i},"))?.strip_suffix(");")?;
        let shard: serde_json::Value = serde_json::from_str(json).ok()?;
        let flat: Vec<u64> = shard.get(term)?.as_array()?.iter().map(|v| v.as_u64().unwrap()).collect();
        let mut doc = 0;
        Some(
            flat.chunks(2)
                .map(|pair| {
                    doc += pair[0] as u32;
                    (doc, pair[1] as u16)
                })
                .collect(),
        )
    }

    #[test]
    fn terms_in_every_script_are_found_in_their_shard() {
        let files = files(docs(), true);
        for term in ["joint", "exercis", "морск", "взаимодейств", "海上", "联合", "海", "2016", "naval"]
        {
            assert!(lookup(&files, term).is_some_and(|p| !p.is_empty()), "{term}");
        }
        // In both documents, in order, the title weighing more than the body.
        let joint = lookup(&files, "joint").unwrap();
        assert_eq!(joint.iter().map(|p| p.0).collect::<Vec<_>>(), [0, 1]);
        assert!(joint[0].1 > joint[1].1, "{joint:?}");
        assert!(lookup(&files, "the").is_none(), "stop words are left out");
    }

    #[test]
    fn cuts_keep_three_letter_groups_together_until_they_are_too_large() {
        assert_eq!(cut_level(SHARD_BYTES), 3);
        assert_eq!(cut_level(2 * SHARD_BYTES + 1), 4);
        assert_eq!(cut_level(100 * SHARD_BYTES), 6);
        assert_eq!(common_prefix("морск", "моряк"), 3);
        // 676 groups of ten terms, then one group of 6,000: the small groups
        // stay whole, the large one is split where four letters change.
        let mut words: Vec<String> = Vec::new();
        for a in 'a'..='z' {
            for b in 'a'..='z' {
                words.extend((0..10).map(|n| format!("q{a}{b}{n}")));
            }
        }
        words.extend((0..6000).map(|n| format!("zzz{n:04}")));
        let docs: Vec<Document> = words.chunks(4).map(|w| doc("Entry", &[('b', "", &w.join(" "))])).collect();
        let files = files(docs, false);
        let shards: Vec<Vec<String>> = (0..)
            .map_while(|i| files.iter().find(|(p, _)| *p == urls::search_shard(i)))
            .map(|(_, text)| {
                let json = text.split_once(',').unwrap().1.trim_end_matches(");\n");
                let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).unwrap();
                map.keys().cloned().collect()
            })
            .collect();
        assert!(shards.len() >= 4, "{} shards", shards.len());
        let mut split_zzz = 0;
        for pair in shards.windows(2) {
            let (last, first) = (pair[0].last().unwrap(), pair[1].first().unwrap());
            match common_prefix(last, first) {
                n if n < 3 => {}
                n => {
                    assert!(last.starts_with("zzz") && n < 6, "{last} | {first}");
                    split_zzz += 1;
                }
            }
        }
        assert!(split_zzz > 0);
    }

    #[test]
    fn many_documents_make_many_shards_and_every_term_is_found() {
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"];
        let docs: Vec<Document> = (0..3000)
            .map(|i| {
                let body =
                    format!("{} {} {} k{i:04}z {}", words[i % 9], words[(i / 9) % 9], words[(i / 81) % 9], i % 97);
                doc(&format!("Entry {i}"), &[('b', "", &body)])
            })
            .collect();
        let files = files(docs, true);
        let shards = files.iter().filter(|(p, _)| p.starts_with("search/s/")).count();
        assert!(shards >= 3, "{shards} shards");
        for i in (0..3000).step_by(37) {
            let postings = lookup(&files, &format!("k{i:04}z")).unwrap();
            assert_eq!(postings.iter().map(|p| p.0).collect::<Vec<_>>(), [i as u32]);
        }
        let with_alpha = (0..3000).filter(|i| i % 9 == 0 || (i / 9) % 9 == 0 || (i / 81) % 9 == 0).count();
        assert_eq!(lookup(&files, "alpha").unwrap().len(), with_alpha);
    }

    #[test]
    fn documents_carry_their_passages_and_the_output_is_deterministic() {
        let a = files(docs(), true);
        assert_eq!(a, files(docs(), true));
        let doc0 = &a.iter().find(|(p, _)| *p == urls::search_doc(0)).unwrap().1;
        assert!(doc0.contains(r#"["e","2016","12–19 September 2016 · Joint Sea 2016 · South China Sea"]"#), "{doc0}");
        let empty = files(Vec::new(), true);
        assert_eq!(empty.len(), 2, "{empty:?}");
    }

    #[test]
    fn body_passages_follow_headings_without_note_marks() {
        let html = "<p>Launched in 2012 &amp; held yearly<sup class=\"noteref\" id=\"r1\"><a href=\"#n1\">1</a></sup>.</p>\n<h2 id=\"phases\">Two <em>phases</em></h2>\n<ul><li>One &lt;a&gt;</li><li>Two&#39;s</li></ul><table><tr><td>a</td><td>b</td></tr></table>";
        let passages = html_passages(html);
        let got: Vec<(char, &str, &str)> =
            passages.iter().map(|p| (p.kind, p.anchor.as_str(), p.text.as_str())).collect();
        assert_eq!(
            got,
            [
                ('b', "", "Launched in 2012 & held yearly."),
                ('h', "phases", "Two phases"),
                ('b', "phases", "One <a>"),
                ('b', "phases", "Two's"),
                ('b', "phases", "a b"),
            ]
        );
        let mut s = String::new();
        decode_into("&#x41;&#66;&bogus; & &amp", &mut s);
        assert_eq!(s, "AB&bogus; & &amp");
    }
}
