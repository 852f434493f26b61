//! Where each value sits in a block of YAML, so that problems found after
//! parsing (a bad date, an unknown id, a missing citation key) can be reported
//! at their line and column; and the problems of the YAML text itself (a
//! syntax error, a control character) in plain words, at their position.
//!
//! serde gives typed values but forgets positions. The index walks the events
//! of a YAML parser, `granit-parser`, whose every event carries the byte range
//! it was read from, and records for every key, list item and value the range
//! of its key and of its value under a path such as `events[2].date` or
//! `relations.part_of[0]`. A list item's "key" is its `- ` dash (an item of a
//! flow list `[a, b]` has none: an empty range at its start). Block and flow
//! style, quoted values over several lines, comments and block scalars are the
//! parser's business, not this module's. A path that was not written falls
//! back to its nearest written ancestor, so a position is always found.
//!
//! Why this parser: serde-saphyr (serde on granit-parser) has `Spanned<T>`,
//! which gives a scalar's range but only the opening `[` of a list, and a
//! `Spanned` inside an untagged enum (`OneOrMany`, `Alias`) makes the value
//! fail to deserialize ("data did not match any variant"); it would also put
//! wrappers on every field the model reads, and it refuses a repeated key
//! before the key checks can say which. Its type errors say less than serde's
//! ("expected sequence start" for `tags: naval`), and it was about 1.7 times
//! slower than `yaml_serde` on the corpus's front matter. marked-yaml records only where a scalar starts, in
//! characters rather than bytes, refuses anchors, and its yaml-rust2 scanner
//! calls an unclosed quote "invalid indentation in quoted scalar". granit-parser
//! gives byte ranges for every event and a typed error kind
//! (`UnclosedQuotedScalar`, `TabInBlockIndentation`, `UnclosedFlowCollection`),
//! so the messages below are chosen by kind rather than by matching English
//! text. Typed values still come from `yaml_serde` (see `front_matter.rs`),
//! whose messages name what was found ("invalid type: string \"naval\",
//! expected a sequence"); it runs only on YAML this module found well formed.
//! The price is a second parse: on the corpus's 10,000 front matters this
//! index takes about 45 ms per thousand (the line scanner it replaced, 19),
//! beside yaml_serde's 32.

use std::collections::HashMap;
use std::ops::Range;

use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};

pub use super::yaml_errors::{ProblemKind, YamlProblem};
use super::yaml_errors::{clamp, explain_syntax_error};

use crate::content::load::forbidden_char;

/// Byte ranges of a key and its value (both relative to the indexed text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub key: Range<usize>,
    pub value: Range<usize>,
}

/// Positions of the keys and values of a YAML document, by path.
#[derive(Clone, Debug, Default)]
pub struct YamlIndex {
    places: HashMap<String, Place>,
    /// Keys in document order, per parent path (`""` for the top level).
    keys: HashMap<String, Vec<String>>,
    /// Number of items, per sequence path.
    lengths: HashMap<String, usize>,
}

/// A collection being read: a mapping or a sequence.
pub(super) struct Frame {
    /// Its path (`""` for the top level).
    pub(super) path: String,
    pub(super) map: bool,
    pub(super) flow: bool,
    /// Where its opening bracket is (flow collections).
    pub(super) start: usize,
    /// The end of the last node read in it.
    pub(super) end: usize,
    /// Mappings: the key read, waiting for its value.
    pub(super) key: Option<(String, Range<usize>)>,
    /// Sequences: the number of items read.
    pub(super) items: usize,
    /// A collection written as a mapping key: its contents are not indexed.
    pub(super) is_key: bool,
}

impl YamlIndex {
    /// The index of `text`, as far as it is well formed (problems are dropped).
    pub fn new(text: &str) -> YamlIndex {
        YamlIndex::parse(text).0
    }

    /// The index of `text` and the problems of the text: at most one syntax
    /// error (the index then holds what came before it), and every value that
    /// carries an escaped control character.
    pub fn parse(text: &str) -> (YamlIndex, Vec<YamlProblem>) {
        let mut index = YamlIndex::default();
        let mut problems = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        // Where the last event read ends: a token the parser fails on starts after it.
        let mut read_to = 0;
        for next in Parser::new_from_str(text) {
            let (event, span) = match next {
                Ok(e) => e,
                Err(e) => {
                    let open_flow = stack.iter().rev().find(|f| f.flow && !f.is_key).map(|f| f.start);
                    problems.push(explain_syntax_error(&e, text, open_flow, read_to));
                    break;
                }
            };
            let Some(range) = span.byte_range() else { continue };
            let range = clamp(text, range);
            read_to = read_to.max(range.end);
            match event {
                Event::Scalar(value, style, ..) => {
                    let range = match style {
                        // A block scalar's range runs to the next line's indentation.
                        ScalarStyle::Literal | ScalarStyle::Folded => {
                            range.start..range.start + text[range.clone()].trim_end().len()
                        }
                        _ => range,
                    };
                    // Written control characters are refused when the file is
                    // read: only an escape in a double-quoted value can make one.
                    if style == ScalarStyle::DoubleQuoted
                        && let Some((_, c)) = forbidden_char(&value)
                    {
                        problems.push(control_in_value(text, range.clone(), c));
                    }
                    index.node(text, &mut stack, range, Some(&value));
                }
                Event::Alias(_) => {
                    index.node(text, &mut stack, range, None);
                }
                Event::SequenceStart(style, ..) | Event::MappingStart(style, ..) => {
                    let map = matches!(event, Event::MappingStart(..));
                    let is_key = stack.last().is_some_and(|f| f.is_key || (f.map && f.key.is_none()));
                    let path = if is_key { String::new() } else { index.node(text, &mut stack, range.clone(), None) };
                    let flow = style == StructureStyle::Flow;
                    stack.push(Frame {
                        path,
                        map,
                        flow,
                        start: range.start,
                        end: range.end,
                        key: None,
                        items: 0,
                        is_key,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = stack.pop() else { continue };
                    // A flow collection ends at its bracket; a block one with its last node.
                    let end = if frame.flow { range.end } else { frame.end.max(frame.start) };
                    if frame.is_key {
                        // A collection as a key (`? [a, b]`): its text is the key.
                        if let Some(parent) = stack.last_mut()
                            && !parent.is_key
                        {
                            let r = frame.start..end;
                            parent.key = Some((text[r.clone()].to_string(), r));
                        }
                        continue;
                    }
                    if !frame.map {
                        index.lengths.insert(frame.path.clone(), frame.items);
                    }
                    if let Some(place) = index.places.get_mut(&frame.path) {
                        place.value.end = end.max(place.value.start);
                    }
                    if let Some(parent) = stack.last_mut() {
                        parent.end = parent.end.max(end);
                    }
                }
                _ => {}
            }
        }
        (index, problems)
    }

    /// Records a node (a scalar, an alias, or the start of a collection) at
    /// `range` where the innermost open collection expects one, and returns its path.
    fn node(&mut self, text: &str, stack: &mut [Frame], range: Range<usize>, scalar: Option<&str>) -> String {
        let Some(frame) = stack.last_mut() else { return String::new() };
        frame.end = frame.end.max(range.end);
        if frame.is_key {
            return String::new();
        }
        let parent = frame.path.as_str();
        if frame.map {
            match frame.key.take() {
                None => {
                    // A key: its value comes next.
                    let key = scalar.map_or_else(|| text[range.clone()].to_string(), str::to_string);
                    frame.key = Some((key, range));
                    String::new()
                }
                Some((key, key_range)) => {
                    let path = if parent.is_empty() { key.clone() } else { format!("{parent}.{key}") };
                    match self.keys.get_mut(parent) {
                        Some(keys) => keys.push(key),
                        None => {
                            self.keys.insert(parent.to_string(), vec![key]);
                        }
                    }
                    self.record(path, Place { key: key_range, value: range }, scalar.is_none())
                }
            }
        } else {
            let path = format!("{parent}[{}]", frame.items);
            frame.items += 1;
            let key = if frame.flow { range.start..range.start } else { dash_before(text, range.start) };
            self.record(path, Place { key, value: range }, scalar.is_none())
        }
    }

    /// Records `place` under `path`; returns the path if `wanted` (a
    /// collection's, whose end is set when it closes), else an empty string.
    fn record(&mut self, path: String, place: Place, wanted: bool) -> String {
        if wanted {
            self.places.insert(path.clone(), place);
            path
        } else {
            self.places.insert(path, place);
            String::new()
        }
    }

    /// The place of `path`, or of its nearest indexed ancestor.
    pub fn find(&self, path: &str) -> Option<&Place> {
        let mut path = path;
        loop {
            if let Some(p) = self.places.get(path) {
                return Some(p);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }

    /// The value range of `path` (or of its nearest ancestor), or `0..0`.
    pub fn value(&self, path: &str) -> Range<usize> {
        self.find(path).map_or(0..0, |p| p.value.clone())
    }

    /// The key range of `path` (or of its nearest ancestor), or `0..0`.
    pub fn key(&self, path: &str) -> Range<usize> {
        self.find(path).map_or(0..0, |p| p.key.clone())
    }

    /// The keys written directly under `parent` (`""` for the top level), in order.
    pub fn keys(&self, parent: &str) -> &[String] {
        self.keys.get(parent).map_or(&[], Vec::as_slice)
    }

    /// The number of items of the sequence at `path`.
    pub fn len(&self, path: &str) -> usize {
        self.lengths.get(path).copied().unwrap_or(0)
    }
}

/// The `-` of the block-sequence item whose node starts at `at`, or an empty
/// range at `at` when there is none before it on its line.
fn dash_before(text: &str, at: usize) -> Range<usize> {
    let before = text[..at].trim_end_matches([' ', '\t']);
    if before.ends_with('-') { before.len() - 1..before.len() } else { at..at }
}

/// A double-quoted value that holds a forbidden character: at the escape
/// that wrote it (at the whole value if none is found).
fn control_in_value(text: &str, range: Range<usize>, c: char) -> YamlProblem {
    let (span, hint) = match find_escape(&text[range.clone()]) {
        Some(r) => {
            let written = &text[range.start + r.start..range.start + r.end];
            (
                range.start + r.start..range.start + r.end,
                format!("remove the escape `{written}`: web pages and the feed cannot carry such characters"),
            )
        }
        None => (range, "remove the character from the value".to_string()),
    };
    YamlProblem {
        kind: ProblemKind::ControlCharacter,
        span,
        message: format!("the value holds the control character U+{:04X}, which HTML and XML forbid", c as u32),
        hint,
    }
}

/// The range, in a double-quoted scalar as written, of the first escape that
/// stands for a forbidden character.
fn find_escape(raw: &str) -> Option<Range<usize>> {
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        let hex_digits = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            '0' | 'a' | 'b' | 'v' | 'f' | 'e' => return Some(i..i + 2),
            _ => continue,
        };
        let digits: String = raw[i + 2..].chars().take(hex_digits).collect();
        let end = i + 2 + digits.len();
        if let Some(ch) = u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)
            && forbidden_char(ch.encode_utf8(&mut [0; 4])).is_some()
        {
            return Some(i..end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "title: Joint Sea\naliases: [\"Maritime Interaction\", Морское]\nrelations:\n  part_of: x   # comment\n  related:\n    - a\n    - b\nevents:\n- date: 2012-04\n  title: First\n  cite:\n    - \"@k, p. 1\"\n- date: 2013\n  note: |\n    date: not a key\n  title: Second\nsummary: >\n  folded\n";

    fn text<'a>(idx: &YamlIndex, path: &str) -> &'a str {
        &DOC[idx.value(path)]
    }

    #[test]
    fn indexes_block_yaml() {
        let idx = YamlIndex::new(DOC);
        assert_eq!(text(&idx, "title"), "Joint Sea");
        assert_eq!(text(&idx, "relations.part_of"), "x");
        assert_eq!(text(&idx, "relations.related[1]"), "b");
        assert_eq!(text(&idx, "events[0].date"), "2012-04");
        assert_eq!(text(&idx, "events[0].cite[0]"), "\"@k, p. 1\"");
        assert_eq!(text(&idx, "events[1].date"), "2013");
        assert_eq!(text(&idx, "events[1].title"), "Second");
        assert_eq!(text(&idx, "events[1].note"), "date: not a key");
        assert_eq!(text(&idx, "summary"), "folded");
        assert_eq!(text(&idx, "aliases"), "[\"Maritime Interaction\", Морское]");
        assert_eq!(text(&idx, "aliases[1]"), "Морское");
        assert_eq!(idx.keys(""), ["title", "aliases", "relations", "events", "summary"]);
        assert_eq!(idx.keys("events[1]"), ["date", "note", "title"]);
        assert_eq!(idx.len("events"), 2);
        assert_eq!(idx.len("aliases"), 2);
        // A list item's key is its dash.
        assert_eq!(&DOC[idx.key("events[1]")], "-");
        assert_eq!(&DOC[idx.key("relations.part_of")], "part_of");
        // Unknown paths fall back to the nearest ancestor: here the list item.
        assert_eq!(idx.find("events[1].place").unwrap().value, idx.value("events[1]"));
        assert!(text(&idx, "events[1].place").starts_with("date: 2013\n"));
        assert!(text(&idx, "events[1].place").ends_with("title: Second"));
    }

    #[test]
    fn indexes_indented_sequences_and_flow_maps() {
        let doc = "events:\n  - date: 1\n    title: a\n  - {date: 2, title: b}\n  -\n  - - x\n";
        let idx = YamlIndex::new(doc);
        assert_eq!(&doc[idx.value("events[1].date")], "2");
        assert_eq!(&doc[idx.value("events[0].title")], "a");
        assert_eq!(&doc[idx.value("events[1]")], "{date: 2, title: b}");
        assert_eq!(idx.keys("events[1]"), ["date", "title"]);
        assert_eq!(idx.len("events"), 4);
        assert_eq!(idx.key("events[2]").len(), 1, "the dash of an empty item");
        assert_eq!(&doc[idx.value("events[3][0]")], "x");
        assert_eq!(&doc[idx.key("events[3][0]")], "-");
    }

    #[test]
    fn quoted_values_span_their_lines_and_keys_repeat() {
        let doc = "title: \"a\n  b: c\"\ntitle: 'd'\n";
        let (idx, problems) = YamlIndex::parse(doc);
        assert!(problems.is_empty());
        assert_eq!(&doc[idx.value("title")], "'d'");
        assert_eq!(idx.keys(""), ["title", "title"]);
    }

    fn problem(doc: &str) -> (String, String) {
        let (_, problems) = YamlIndex::parse(doc);
        let p = &problems[0];
        let (line, col) = crate::diagnostic::line_col(doc, p.span.start);
        (format!("{line}:{col}"), p.message.clone())
    }

    #[test]
    fn syntax_errors_in_plain_words_where_they_are_fixed() {
        let (at, m) = problem("title: \"Drill\nsummary: x\ndate: 2005\n");
        assert_eq!((at.as_str(), m.as_str()), ("1:8", "a quoted value is never closed"));
        let (at, m) = problem("title: x\ntags: [a, b\nformat: sco\n");
        assert_eq!((at.as_str(), m.as_str()), ("2:7", "a `[` is never closed"));
        let (at, m) = problem("title: x\ntags: [a, b\n");
        assert_eq!((at.as_str(), m.as_str()), ("2:7", "a `[` is never closed"));
        let (at, m) = problem("relations:\n\tplanned_by: x\n");
        assert_eq!((at.as_str(), m.as_str()), ("2:1", "YAML does not allow tabs for indentation"));
        let (at, m) = problem("events:\n  - date: 2005\n\t title: x\n");
        assert_eq!((at.as_str(), m.as_str()), ("3:1", "YAML does not allow tabs for indentation"));
        let (at, m) = problem("summary: A: B\n");
        assert_eq!((at.as_str(), m.as_str()), ("1:11", "mapping values are not allowed in this context"));
        let cases = [
            ("title: x\nsummary\ndate: 1\n", "2:1", "this line is neither `key: value` nor a list item `- …`"),
            ("title: [a, b] c\n", "1:15", "YAML expected a `key:` here"),
            (
                "title: x\nevents:\n  - date: 1\n   title: y\n",
                "4:4",
                "this line does not line up with the lines above it",
            ),
            (
                "title: *Joint\n",
                "1:8",
                "a value starting with `*` is read as a reference to an anchor (`&name`) that is not defined",
            ),
            ("title: |\n  text\n\tmore\n", "3:1", "YAML does not allow tabs for indentation"),
            ("title: {a: b\n", "1:8", "a `{` is never closed"),
            ("tags: [a, b c: d: e]\n", "1:17", "YAML expected `,` or the closing bracket here"),
            ("title: \"Drill\nsummary: \"A series\"\n", "1:8", "a quoted value is never closed"),
            ("title: 'Drill\nsummary: A 'series'\n", "1:8", "a quoted value is never closed"),
            ("title: \"Drill\" Series\n", "1:16", "there is text after the closing quote of a value"),
        ];
        for (doc, at, message) in cases {
            assert_eq!(problem(doc), (at.to_string(), message.to_string()), "{doc:?}");
        }
    }

    #[test]
    fn control_characters_are_found_at_their_escape() {
        let doc =
            "title: \"Joint\\0Sea\"\nevents:\n  - note: \"a \\u0001 b\"\n    place: \"\\x1f\\t\"\nok: \"tab\\there\"\n";
        let (_, problems) = YamlIndex::parse(doc);
        let found: Vec<&str> = problems.iter().map(|p| &doc[p.span.clone()]).collect();
        assert_eq!(found, ["\\0", "\\u0001", "\\x1f"]);
        assert!(problems[0].message.contains("U+0000"));
        assert!(problems.iter().all(|p| p.kind == ProblemKind::ControlCharacter));
        assert_eq!(problem("title: \"\\uFFFE\"\n").0, "1:9");
        assert!(YamlIndex::parse(concat!(r#"title: "tab\there\u00e9\ufffd""#, "\r\n")).1.is_empty());
    }
}
