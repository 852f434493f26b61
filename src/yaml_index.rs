//! Where each value sits in a block of YAML, so that problems found after
//! parsing (a bad date, an unknown id, a missing citation key) can be reported
//! at their line and column.
//!
//! serde gives typed values but forgets positions. This index re-reads the
//! same text line by line and records, for every key and list item of block
//! style YAML, the byte range of its key and of its value under a path such as
//! `events[2].date` or `relations.part_of[0]`. Flow sequences (`[a, b]`) on one
//! line are indexed item by item. Anything the scanner does not understand
//! falls back to the nearest enclosing path, so a position is always found.

use std::collections::HashMap;
use std::ops::Range;

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
    /// Number of block-sequence items seen, per parent path.
    lengths: HashMap<String, usize>,
}

struct Frame {
    /// Column of the key (or one past the dash of a list item).
    indent: usize,
    path: String,
}

impl YamlIndex {
    pub fn new(text: &str) -> YamlIndex {
        let mut index = YamlIndex::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut block_scalar_indent: Option<usize> = None;
        let mut open_quote: Option<char> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let content = line.trim_end_matches('\n');
            let indent = content.len() - content.trim_start_matches(' ').len();
            let rest = &content[indent..];
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            if let Some(quote) = open_quote {
                // Inside a quoted value that spans lines: look for its end.
                if closes_quote(content, quote) {
                    open_quote = None;
                }
                continue;
            }
            if let Some(parent) = block_scalar_indent {
                if indent > parent {
                    continue;
                }
                block_scalar_indent = None;
            }
            let mut col = indent;
            let mut rest = rest;
            let mut is_item = false;
            // One or more `- ` prefixes: list items (possibly nested on one line).
            while rest == "-" || rest.starts_with("- ") {
                while stack.last().is_some_and(|f| f.indent > col) {
                    stack.pop();
                }
                let parent = stack.last().map(|f| f.path.clone()).unwrap_or_default();
                let n = index.lengths.entry(parent.clone()).or_insert(0);
                let path = format!("{parent}[{n}]");
                *n += 1;
                stack.push(Frame { indent: col + 1, path: path.clone() });
                let after = rest[1..].len() - rest[1..].trim_start_matches(' ').len();
                col += 1 + after;
                rest = &rest[1 + after..];
                is_item = true;
                // The item itself: the dash, and the rest of the line as its value.
                let dash = line_start + col - 1 - after;
                let at = line_start + col;
                index.places.insert(path, Place { key: dash..dash + 1, value: at..at + rest.trim_end().len() });
            }
            if rest.is_empty() {
                continue;
            }
            let abs = line_start + col;
            match split_key(rest) {
                Some((key, key_len, value_start)) => {
                    while stack.last().is_some_and(|f| f.indent >= col) {
                        stack.pop();
                    }
                    let parent = stack.last().map(|f| f.path.clone()).unwrap_or_default();
                    let path = if parent.is_empty() { key.clone() } else { format!("{parent}.{key}") };
                    let (value, value_text) = value_range(rest, value_start);
                    let value = abs + value.start..abs + value.end;
                    index.keys.entry(parent).or_default().push(key);
                    index.places.insert(path.clone(), Place { key: abs..abs + key_len, value: value.clone() });
                    if let Some(q @ ('"' | '\'')) = value_text.chars().next()
                        && !closes_quote(&value_text[1..], q)
                    {
                        open_quote = Some(q);
                    } else if value_text.starts_with('|') || value_text.starts_with('>') {
                        block_scalar_indent = Some(col);
                    } else if value_text.starts_with('[') {
                        index.index_flow_sequence(&path, value_text, value.start);
                    }
                    stack.push(Frame { indent: col, path });
                }
                None if is_item => {
                    // A scalar list item: its place is already the item path.
                    let path = stack.last().map(|f| f.path.clone()).unwrap_or_default();
                    let (value, _) = value_range(rest, 0);
                    index.places.insert(path, Place { key: abs..abs, value: abs + value.start..abs + value.end });
                }
                None => {}
            }
        }
        index
    }

    fn index_flow_sequence(&mut self, path: &str, text: &str, start: usize) {
        let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
            return;
        };
        let mut item_start = 1;
        let mut quote: Option<char> = None;
        let mut n = 0;
        let push = |from: usize, to: usize, n: &mut usize, places: &mut HashMap<String, Place>| {
            let raw = &text[from..to];
            let lead = raw.len() - raw.trim_start().len();
            let trimmed = raw.trim();
            if !trimmed.is_empty() {
                let s = start + from + lead;
                places.insert(format!("{path}[{n}]"), Place { key: s..s, value: s..s + trimmed.len() });
                *n += 1;
            }
        };
        for (i, c) in inner.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, ',') => {
                    push(item_start, i + 1, &mut n, &mut self.places);
                    item_start = i + 2;
                }
                _ => {}
            }
        }
        push(item_start, inner.len() + 1, &mut n, &mut self.places);
        self.lengths.insert(path.to_string(), n);
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

    /// The number of block-sequence items under `path`.
    pub fn len(&self, path: &str) -> usize {
        self.lengths.get(path).copied().unwrap_or(0)
    }
}

/// Splits `key: value` (or `key:`) into the unquoted key, the key's length in
/// the text, and where the value starts. None when the line is not a mapping entry.
fn split_key(s: &str) -> Option<(String, usize, usize)> {
    let (key, key_len) = if let Some(q @ ('"' | '\'')) = s.chars().next() {
        let close = s[1..].find(q)? + 1;
        (s[1..close].to_string(), close + 1)
    } else {
        let colon = s.match_indices(':').find(|(i, _)| {
            let next = s.as_bytes().get(i + 1);
            next.is_none() || next == Some(&b' ')
        })?;
        let key = &s[..colon.0];
        if key.starts_with(['[', '{', '"', '\'']) || key.contains(" #") {
            return None;
        }
        (key.trim_end().to_string(), key.trim_end().len())
    };
    let after = &s[key_len..];
    let after_trim = after.trim_start();
    if !after_trim.starts_with(':') {
        return None;
    }
    let colon_at = key_len + (after.len() - after_trim.len());
    Some((key, key_len, colon_at + 1))
}

/// Where the quote `q` that opened a value closes in `rest` (the text after it):
/// `""` and `''` escape a quote in single-quoted YAML, `\"` in double-quoted.
fn closing_quote(rest: &str, q: char) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if q == '"' && c == '\\' {
            i += 2;
            continue;
        }
        if c == q {
            if q == '\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

fn closes_quote(rest: &str, q: char) -> bool {
    closing_quote(rest, q).is_some()
}

/// Where a ` #` comment starts in a plain or flow value, outside quotes.
fn comment_start(v: &str) -> Option<usize> {
    if !v.starts_with(['[', '{']) {
        return v.find(" #"); // quotes inside a plain value are ordinary characters
    }
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in v.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'') && (prev == '[' || prev == ',' || prev == ' ') => quote = Some(c),
            None if c == '#' && prev == ' ' && i > 0 => return Some(i - 1),
            None => {}
        }
        prev = c;
    }
    None
}

/// The range of the value that starts at `from` in `s`, without surrounding
/// spaces or a trailing comment, and its text.
fn value_range(s: &str, from: usize) -> (Range<usize>, &str) {
    let raw = &s[from..];
    let lead = raw.len() - raw.trim_start().len();
    let v = &raw[lead..];
    let end = if v.starts_with(['"', '\'']) {
        let q = v.as_bytes()[0] as char;
        closing_quote(&v[1..], q).map_or(v.len(), |i| i + 2)
    } else {
        comment_start(v).unwrap_or(v.len())
    };
    let v = v[..end].trim_end();
    let start = from + lead;
    (start..start + v.len(), v)
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
        assert_eq!(text(&idx, "aliases[1]"), "Морское");
        assert_eq!(idx.keys(""), ["title", "aliases", "relations", "events", "summary"]);
        assert_eq!(idx.keys("events[1]"), ["date", "note", "title"]);
        assert_eq!(idx.len("events"), 2);
        // Unknown paths fall back to the nearest ancestor: here the list item.
        assert_eq!(text(&idx, "events[1].place"), "date: 2013");
        assert_eq!(idx.find("events[1].place").unwrap().value, idx.value("events[1]"));
    }

    #[test]
    fn indexes_indented_sequences() {
        let doc = "events:\n  - date: 1\n    title: a\n  - date: 2\n";
        let idx = YamlIndex::new(doc);
        assert_eq!(&doc[idx.value("events[1].date")], "2");
        assert_eq!(&doc[idx.value("events[0].title")], "a");
    }
}
