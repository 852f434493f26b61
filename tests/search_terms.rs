//! The search index and the browser must analyse words alike: the index's
//! terms are made by `src/output/search/text.rs`, a query's by
//! `static/handbook.js`. `tests/search/terms.tsv` pins what the Rust side
//! makes of every word of the bundled handbook and of the Russian forms in
//! `tests/search/words-ru.txt`, as sampled when last blessed (`word<TAB>term`, an empty term for a stop
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

/// Every word of the bundled handbook's content and of the Russian list.
fn sample_words(repo: &Path) -> BTreeSet<String> {
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
    words
}

/// The words are sampled from the content when blessed, then fixed: an entry
/// added by a pull request does not make this test fail, a change to the
/// analyser does.
#[test]
fn terms_of_every_word_are_pinned() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pinned = repo.join("tests/search/terms.tsv");
    let analyzer = Analyzer::new(true);
    if std::env::var_os("BLESS").is_some() {
        let mut table = String::new();
        for w in &sample_words(repo) {
            table.push_str(w);
            table.push('\t');
            table.push_str(&analyzer.word(w).unwrap_or_default());
            table.push('\n');
        }
        std::fs::write(&pinned, &table).unwrap();
    }
    let expected = std::fs::read_to_string(&pinned).unwrap();
    let mut wrong = Vec::new();
    let mut count = 0;
    for line in expected.lines() {
        let (word, term) = line.split_once('\t').expect("word<TAB>term");
        count += 1;
        let made = analyzer.word(word).unwrap_or_default();
        if made != term {
            wrong.push(format!("{word}: pinned {term:?}, made {made:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "the analyser changed what it makes of {} words (if meant, run BLESS=1 cargo test --test search_terms and update static/handbook.js alike):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(count > 3000, "{count} words");
}
