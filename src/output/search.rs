//! The search index, in the format elasticlunr.js loads, built in parallel.
//!
//! elasticlunr-rs builds the same index one document at a time, with a
//! sorted map of document references at every node of a character trie; at
//! 10,000 entries that took seconds on one core while the other idled. Here
//! the words of every document go through elasticlunr-rs's own English
//! pipeline (tokenizer, trimmer, stop words, stemmer) in parallel, the
//! postings are gathered per field, and the trie is written straight from
//! the sorted words. The output is the JSON `elasticlunr::Index::to_json`
//! gives for the same documents (a test compares the two), without a saved
//! copy of the documents (results show the site's own excerpts).

use std::collections::HashMap;
use std::fmt::Write as _;

use elasticlunr::Language;
use elasticlunr::lang::English;
use rayon::prelude::*;

/// One document's text, a value per field, in the order of the index's fields.
pub type Document = Vec<String>;

/// Builds the index of `docs` over `fields`; document `i` gets the reference
/// `i` (its number as text) and `ref_field` names the reference.
pub fn build(fields: &[&str], ref_field: &str, docs: &[Document]) -> String {
    // Each document's words, per field (see `Words`).
    let analysed: Vec<Vec<Words>> = docs
        .par_iter()
        .map_init(
            || {
                let english = English::new();
                let pipeline = english.make_pipeline();
                (english, pipeline)
            },
            |(english, pipeline), doc| {
                fields
                    .iter()
                    .enumerate()
                    .map(|(f, _)| {
                        let text = doc.get(f).map(String::as_str).unwrap_or_default();
                        let tokens = pipeline.run(english.tokenize(text));
                        let length = tokens.len();
                        let mut counts: HashMap<String, u32> = HashMap::new();
                        for token in tokens {
                            *counts.entry(token).or_default() += 1;
                        }
                        let mut words = Words { text: String::new(), counts: Vec::with_capacity(counts.len()), length };
                        for (word, count) in counts {
                            words.text.push_str(&word);
                            words.text.push('\n');
                            words.counts.push(count);
                        }
                        words
                    })
                    .collect()
            },
        )
        .collect();
    let refs: Vec<String> = (0..docs.len()).map(|i| i.to_string()).collect();
    // Documents in the order elasticlunr-rs keeps them: by reference as text.
    let mut by_ref: Vec<usize> = (0..docs.len()).collect();
    by_ref.sort_by(|&a, &b| refs[a].cmp(&refs[b]));
    let rank: Vec<usize> = {
        let mut rank = vec![0; docs.len()];
        for (r, &doc) in by_ref.iter().enumerate() {
            rank[doc] = r;
        }
        rank
    };

    // Fields in name order, as a sorted map would serialize them.
    let mut field_order: Vec<usize> = (0..fields.len()).collect();
    field_order.sort_by_key(|&f| fields[f]);
    let tries: Vec<String> = field_order
        .par_iter()
        .map(|&f| {
            let mut postings: HashMap<&str, Vec<(usize, u32)>> = HashMap::new();
            for (doc, per_field) in analysed.iter().enumerate() {
                for (word, count) in per_field[f].iter() {
                    postings.entry(word).or_default().push((rank[doc], count));
                }
            }
            let mut words: Vec<(&str, Vec<(usize, u32)>)> = postings.into_iter().collect();
            words.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (_, list) in &mut words {
                list.sort_unstable();
            }
            let mut out = String::new();
            write_trie(&mut out, &words, 0, &refs, &by_ref);
            out
        })
        .collect();

    let english = English::new();
    let mut out = String::with_capacity(tries.iter().map(String::len).sum::<usize>() + docs.len() * 64);
    out.push_str("{\"fields\":");
    out.push_str(&serde_json::to_string(fields).expect("JSON"));
    out.push_str(",\"pipeline\":");
    out.push_str(&serde_json::to_string(&english.make_pipeline()).expect("JSON"));
    let _ = write!(out, ",\"ref\":{},\"version\":\"0.9.5\",\"index\":{{", json_str(ref_field));
    for (i, (&f, trie)) in field_order.iter().zip(&tries).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{{\"root\":{trie}}}", json_str(fields[f]));
    }
    out.push_str("},\"documentStore\":{\"save\":false,\"docs\":{");
    for (i, &doc) in by_ref.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{{}}", json_str(&refs[doc]));
    }
    out.push_str("},\"docInfo\":{");
    for (i, &doc) in by_ref.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{{", json_str(&refs[doc]));
        for (j, &f) in field_order.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "{}:{}", json_str(fields[f]), analysed[doc][f].length);
        }
        out.push('}');
    }
    let _ = write!(out, "}},\"length\":{}}},\"lang\":{}}}", docs.len(), json_str(&english.name()));
    out
}

/// The distinct words of one field of one document, with how often each
/// occurs and how many words the field has. The words are kept in one
/// string, a line each: 10,000 documents have millions of them, and a
/// `String` apiece cost more memory than the text.
struct Words {
    text: String,
    counts: Vec<u32>,
    length: usize,
}

impl Words {
    fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.text.lines().zip(self.counts.iter().copied())
    }
}

/// Writes the trie node for the words in `words` (sorted, all sharing their
/// first `depth` bytes): the documents of the word that ends here, its
/// document frequency, then one child per next character.
fn write_trie(out: &mut String, words: &[(&str, Vec<(usize, u32)>)], depth: usize, refs: &[String], by_ref: &[usize]) {
    let (ends_here, rest) = match words.first() {
        Some((word, _)) if word.len() == depth => (Some(&words[0].1), &words[1..]),
        _ => (None, words),
    };
    out.push_str("{\"docs\":{");
    if let Some(list) = ends_here {
        for (i, (rank, count)) in list.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let tf = serde_json::to_string(&(*count as f64).sqrt()).expect("finite");
            let _ = write!(out, "{}:{{\"tf\":{tf}}}", json_str(&refs[by_ref[*rank]]));
        }
    }
    let _ = write!(out, "}},\"df\":{}", ends_here.map_or(0, Vec::len));
    // Group the remaining words by their next character.
    let mut start = 0;
    while start < rest.len() {
        let next = rest[start].0[depth..].chars().next().expect("longer than depth");
        let end = start + rest[start..].iter().take_while(|(w, _)| w[depth..].starts_with(next)).count();
        let mut key = [0u8; 4];
        let _ = write!(out, ",{}:", json_str(next.encode_utf8(&mut key)));
        write_trie(out, &rest[start..end], depth + next.len_utf8(), refs, by_ref);
        start = end;
    }
    out.push('}');
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings are JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Document> {
        let texts = [
            [
                "Joint Sea 2012",
                "Морское взаимодействие",
                "A naval exercise in the Yellow Sea.",
                "Ships sailed; ships fired.",
            ],
            [
                "Peace Mission",
                "",
                "Counter-terrorism drills",
                "The \"first\" joint exercise, in 2005. Ibid. co-operation",
            ],
            ["", "", "", ""],
            [
                "Strategic consultations",
                "战略磋商",
                "Annual talks between general staffs",
                "talks talks talks: 1997 … 2014",
            ],
        ];
        let mut docs: Vec<Document> = texts.iter().map(|d| d.iter().map(|s| s.to_string()).collect()).collect();
        // Enough documents that references sort differently as text ("10" < "2").
        for i in 0..9 {
            docs.push(vec![format!("Entry {i}"), String::new(), format!("summary {i} sea"), "exercise drills".into()]);
        }
        docs
    }

    /// The same JSON elasticlunr-rs writes for the same documents.
    #[test]
    fn matches_elasticlunr_rs() {
        let fields = ["title", "aliases", "summary", "body"];
        let docs = docs();
        let mut index = elasticlunr::IndexBuilder::new().save_docs(false).add_fields(&fields).build();
        for (i, doc) in docs.iter().enumerate() {
            index.add_doc(&i.to_string(), doc);
        }
        let expected: serde_json::Value = serde_json::from_str(&index.to_json()).unwrap();
        let ours: serde_json::Value = serde_json::from_str(&build(&fields, "id", &docs)).unwrap();
        assert_eq!(ours, expected);
    }

    #[test]
    fn empty_index_is_valid() {
        let json: serde_json::Value = serde_json::from_str(&build(&["title"], "id", &[])).unwrap();
        assert_eq!(json["documentStore"]["length"], 0);
        assert_eq!(json["index"]["title"]["root"]["df"], 0);
    }
}
