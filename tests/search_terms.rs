//! The search index and the browser must analyse words alike: the index's
//! terms are made by `src/output/search/text.rs`, a query's by
//! `static/handbook.js`. `tests/search/terms.tsv` pins what the Rust side
//! makes of every word of the bundled handbook and of the Russian forms in
//! `tests/search/words-ru.txt` (`word<TAB>term`, an empty term for a stop
//! word); `browser-tests/tests/search.test.mjs` checks the JavaScript makes
//! the same of each, and finds the same words in the same files. Record a
//! change with `BLESS=1 cargo test --test search_terms` and read the diff.

use std::collections::BTreeSet;
use std::path::Path;

use handbook::output::search::text::{Analyzer, Token, tokens};

fn words_of(text: &str, out: &mut BTreeSet<String>) {
    for t in tokens(text) {
        if let Token::Word(w) = t {
            out.insert(w);
        }
    }
}

#[test]
fn terms_of_every_word_are_pinned() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut words = BTreeSet::new();
    for entry in walkdir::WalkDir::new(repo.join("content")).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            words_of(&std::fs::read_to_string(entry.path()).unwrap(), &mut words);
        }
    }
    let russian = std::fs::read_to_string(repo.join("tests/search/words-ru.txt")).unwrap();
    let russian: String = russian.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
    words_of(&russian, &mut words);
    let analyzer = Analyzer::new(true);
    let mut table = String::new();
    for w in &words {
        table.push_str(w);
        table.push('\t');
        table.push_str(&analyzer.word(w).unwrap_or_default());
        table.push('\n');
    }
    let pinned = repo.join("tests/search/terms.tsv");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&pinned, &table).unwrap();
    }
    let expected = std::fs::read_to_string(&pinned).unwrap_or_default();
    assert!(expected == table, "tests/search/terms.tsv is out of date: run BLESS=1 cargo test --test search_terms");
    assert!(words.len() > 3000, "{} words", words.len());
}
