//! How text becomes search terms: the same steps, in the same order, as
//! `static/handbook.js` applies to a query (`fold`, `tokens`, `terms` there),
//! so a word in any form finds the entries that hold any other form of it.
//!
//! 1. Each character is folded: lowercased; Latin (and any other script but
//!    Cyrillic and CJK) loses its diacritics (`Müller` → `muller`, `ß` →
//!    `ss`); Cyrillic keeps its letters but `ё` becomes `е`.
//! 2. Words are runs of letters and digits; CJK characters (Han, kana,
//!    Hangul) form runs of their own, since those scripts do not separate
//!    words with spaces.
//! 3. A word in Cyrillic is reduced to its stem by the Snowball Russian
//!    stemmer (`морского`, `морское` → `морск`); a word in ASCII, when the
//!    site is in English, loses the English stop words and is reduced by the
//!    Porter stemmer elasticlunr uses (`exercises` → `exercis`); other words
//!    are kept as they are.
//! 4. A CJK run becomes its single characters and every pair of neighbours
//!    (`海上联合` → 海, 上, 联, 合, 海上, 上联, 联合), so any run of characters
//!    within a name finds it: a query of two or more characters looks up its
//!    pairs, all of which must be present.

use elasticlunr::Language;
use elasticlunr::lang::English;
use elasticlunr::pipeline::Pipeline;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Words longer than this (in characters) are not indexed: they are
/// addresses, hashes or runs of symbols, not words anyone types.
pub const MAX_WORD: usize = 40;

/// Han ideographs, kana and Hangul: scripts written without spaces between
/// words. The same ranges as `isCJK` in `static/handbook.js`.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3400..=0x4DBF      // CJK Extension A
        | 0x4E00..=0x9FFF      // CJK Unified Ideographs
        | 0xAC00..=0xD7AF      // Hangul syllables
        | 0xF900..=0xFAFF      // CJK Compatibility Ideographs
        | 0x20000..=0x3FFFF) // CJK Extensions B and later
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x04FF)
}

/// Letters that lose nothing to canonical decomposition but are written
/// without their mark by anyone who cannot type it.
fn special(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        _ => return None,
    })
}

/// Appends the folded form of `c` to `out` (nothing for a combining mark).
pub fn fold_char(c: char, out: &mut String) {
    if is_cjk(c) {
        out.push(c);
        return;
    }
    for lower in c.to_lowercase() {
        if is_cyrillic(lower) {
            out.push(if lower == 'ё' { 'е' } else { lower });
        } else if let Some(s) = special(lower) {
            out.push_str(s);
        } else {
            decompose_canonical(lower, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            });
        }
    }
}

/// A piece of text between separators.
#[derive(Debug, PartialEq, Eq)]
pub enum Token {
    /// A word, folded.
    Word(String),
    /// A run of CJK characters.
    Cjk(Vec<char>),
}

/// The words and CJK runs of `text`, in order.
pub fn tokens(text: &str) -> Vec<Token> {
    #[derive(PartialEq)]
    enum Class {
        None,
        Word,
        Cjk,
    }
    let mut out = Vec::new();
    let mut current = Class::None;
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    let mut piece = String::new();
    let flush = |current: &mut Class, word: &mut String, run: &mut Vec<char>, out: &mut Vec<Token>| {
        match current {
            Class::Word => out.push(Token::Word(std::mem::take(word))),
            Class::Cjk => out.push(Token::Cjk(std::mem::take(run))),
            Class::None => {}
        }
        *current = Class::None;
    };
    for c in text.chars() {
        // The common case first: ASCII folds to itself, lowercased.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                if current != Class::Word {
                    flush(&mut current, &mut word, &mut run, &mut out);
                    current = Class::Word;
                }
                word.push(c.to_ascii_lowercase());
            } else {
                flush(&mut current, &mut word, &mut run, &mut out);
            }
            continue;
        }
        if is_cjk(c) {
            if current != Class::Cjk {
                flush(&mut current, &mut word, &mut run, &mut out);
                current = Class::Cjk;
            }
            run.push(c);
            continue;
        }
        piece.clear();
        fold_char(c, &mut piece);
        if piece.is_empty() {
            // A combining mark on its own: part of whatever it follows.
            continue;
        }
        if piece.chars().all(char::is_alphanumeric) {
            if current != Class::Word {
                flush(&mut current, &mut word, &mut run, &mut out);
                current = Class::Word;
            }
            word.push_str(&piece);
        } else {
            flush(&mut current, &mut word, &mut run, &mut out);
        }
    }
    flush(&mut current, &mut word, &mut run, &mut out);
    out
}

/// Turns tokens into index terms: one language's stemmers, made once per
/// thread (the Porter stemmer comes with elasticlunr's stop words).
pub struct Analyzer {
    english: Option<Pipeline>,
    russian: rust_stemmers::Stemmer,
    /// Words already seen, with their terms: a handbook repeats its
    /// vocabulary, and stemming costs more than a lookup.
    seen: std::cell::RefCell<std::collections::HashMap<String, Option<String>>>,
}

impl Analyzer {
    /// `english`: stem ASCII words as English and drop English stop words.
    pub fn new(english: bool) -> Analyzer {
        Analyzer {
            english: english.then(|| English::new().make_pipeline()),
            russian: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::Russian),
            seen: Default::default(),
        }
    }

    /// The term a word is indexed under, or None for a stop word or a word
    /// too long to be one.
    pub fn word(&self, word: &str) -> Option<String> {
        if let Some(term) = self.seen.borrow().get(word) {
            return term.clone();
        }
        let term = self.stem(word);
        let mut seen = self.seen.borrow_mut();
        if seen.len() > 200_000 {
            seen.clear();
        }
        seen.insert(word.to_string(), term.clone());
        term
    }

    fn stem(&self, word: &str) -> Option<String> {
        if word.chars().count() > MAX_WORD {
            return None;
        }
        if word.chars().any(is_cyrillic) {
            return Some(self.russian.stem(word).into_owned());
        }
        match &self.english {
            Some(pipeline) if word.is_ascii() => pipeline.run(vec![word.to_string()]).pop(),
            _ => Some(word.to_string()),
        }
    }

    /// Appends the terms of `text` to `out`, in order, repeated as often as
    /// they occur.
    pub fn terms(&self, text: &str, out: &mut Vec<String>) {
        for token in tokens(text) {
            match token {
                Token::Word(w) => out.extend(self.word(&w)),
                Token::Cjk(run) => {
                    for (i, c) in run.iter().enumerate() {
                        out.push(c.to_string());
                        if let Some(next) = run.get(i + 1) {
                            out.push([*c, *next].iter().collect());
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        Analyzer::new(true).terms(text, &mut out);
        out
    }

    #[test]
    fn folds_latin_diacritics_but_not_cyrillic_letters() {
        assert_eq!(terms("Müller MULLER Straße Øresund Łódź"), ["muller", "muller", "strass", "oresund", "lodz"]);
        // й keeps its breve (the stemmer needs it); ё is written е.
        assert_eq!(
            tokens("Йошкар-Ола ёлка"),
            [Token::Word("йошкар".into()), Token::Word("ола".into()), Token::Word("елка".into())]
        );
        // A decomposed diacritic is dropped the same as a composed one.
        assert_eq!(terms("Mu\u{308}ller"), ["muller"]);
    }

    #[test]
    fn russian_words_by_their_stem() {
        let stems = terms("Морское морского морскому взаимодействие взаимодействия");
        assert_eq!(stems, ["морск", "морск", "морск", "взаимодейств", "взаимодейств"]);
    }

    #[test]
    fn english_stems_and_stop_words() {
        assert_eq!(terms("The exercises of the navies"), ["exercis", "navi"]);
        // Without English, words are kept whole.
        let mut out = Vec::new();
        Analyzer::new(false).terms("The exercises", &mut out);
        assert_eq!(out, ["the", "exercises"]);
    }

    #[test]
    fn cjk_runs_become_characters_and_pairs() {
        assert_eq!(terms("海上联合-2012"), ["海", "海上", "上", "上联", "联", "联合", "合", "2012"]);
        // A CJK run ends a Latin word and the reverse.
        assert_eq!(terms("G20峰会"), ["g20", "峰", "峰会", "会"]);
    }
}
