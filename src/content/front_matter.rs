//! Stage 2a: split an entry into front matter and Markdown, and parse the
//! front matter into typed structs.
//!
//! The structs here are the content format: every field an author may write,
//! with its doc comment (which also becomes the description in the JSON
//! Schema that `handbook schema` prints). The YAML is first read by the
//! parser behind [`YamlIndex`]: a syntax error stops there, reported where the
//! parser found it. Only well-formed YAML is checked for keys: unknown keys,
//! missing required keys and fields of another kind are all reported in one
//! pass, each at its line, before serde (`yaml_serde`) turns the YAML into
//! values.

use std::ops::Range;
use std::path::Path;

use crate::content::Kind;
use crate::content::fields::{
    CLAIM_KEYS, CLAIM_REQUIRED, COMMON_KEYS, EVENT_KEYS, EVENT_REQUIRED, FrontMatter, PageFrontMatter, REQUIRED_KEYS,
    kind_keys,
};
use crate::content::load::SourceFile;
use crate::content::yaml_index::{ProblemKind, YamlIndex};
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};

/// An entry's file, split at its front matter.
#[derive(Clone, Debug)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// Byte offset of `yaml` in the file.
    pub yaml_offset: usize,
    /// The Markdown after the closing `---`.
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

/// Splits `source` into front matter and body.
pub fn split(source: &SourceFile) -> Result<Split<'_>, Diagnostic> {
    let text = source.text.as_str();
    // The opening fence may carry trailing spaces, as editors sometimes leave.
    let first_line = text.split('\n').next().unwrap_or_default();
    let opens = first_line.trim_end() == "---";
    let Some(after_open) = opens.then(|| text.get(first_line.len() + 1..).unwrap_or("")) else {
        let first_line = text.find('\n').unwrap_or(text.len());
        return Err(source.error(0..first_line, "entry has no front matter").with_hint(
            "start the file with a line `---`, the YAML fields (title, summary, date, …), and another `---`",
        ));
    };
    let yaml_offset = (first_line.len() + 1).min(text.len());
    // The closing fence is a line that is exactly `---` (or `...`).
    let mut pos = 0;
    for line in after_open.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            let body_offset = yaml_offset + pos + line.len();
            return Ok(Split { yaml: &after_open[..pos], yaml_offset, body: &text[body_offset..], body_offset });
        }
        pos += line.len();
    }
    Err(source
        .error(0..3, "front matter is not closed")
        .with_hint("add a line `---` after the last front-matter field"))
}

/// Parsed front matter with what is needed to point at its parts later.
#[derive(Clone, Debug)]
pub struct Parsed<T> {
    pub front_matter: T,
    pub index: YamlIndex,
    /// Byte offset of the YAML in the file: add it to the index's ranges.
    pub yaml_offset: usize,
}

impl<T> Parsed<T> {
    /// File range of the value at `path` (see [`YamlIndex`]).
    pub fn value_span(&self, path: &str) -> Range<usize> {
        let r = self.index.value(path);
        r.start + self.yaml_offset..r.end + self.yaml_offset
    }

    /// File range of the key at `path`.
    pub fn key_span(&self, path: &str) -> Range<usize> {
        let r = self.index.key(path);
        r.start + self.yaml_offset..r.end + self.yaml_offset
    }
}

/// Indexes the YAML that sits at `offset` in `source`, reporting the problems
/// of its text (see [`YamlIndex::parse`]). None after a syntax error: the
/// index would be partial, so no key or value can be checked.
pub fn index_yaml(source: &SourceFile, yaml: &str, offset: usize, diagnostics: &mut Diagnostics) -> Option<YamlIndex> {
    let (index, problems) = YamlIndex::parse(yaml);
    let mut syntax_error = false;
    for p in problems {
        syntax_error |= p.kind == ProblemKind::Syntax;
        let span = p.span.start + offset..p.span.end + offset;
        diagnostics.push(source.error(span, p.message).with_hint(p.hint));
    }
    (!syntax_error).then_some(index)
}

/// Checks the keys present at `parent` against the allowed and required ones.
#[allow(clippy::too_many_arguments)]
fn check_field_names(
    file: &Path,
    text: &str,
    index: &YamlIndex,
    offset: usize,
    parent: &str,
    allowed: &[&str],
    required: &[&str],
    what: &str,
    reported_elsewhere: &[&str],
    diagnostics: &mut Diagnostics,
) {
    let present = index.keys(parent);
    let shift = |r: Range<usize>| r.start + offset..r.end + offset;
    let mut seen = std::collections::HashSet::new();
    let mut misspelled: Vec<&str> = Vec::new();
    for key in present {
        let path = if parent.is_empty() { key.clone() } else { format!("{parent}.{key}") };
        if !seen.insert(key.as_str()) {
            diagnostics.push(
                Diagnostic::error(file, text, shift(index.key(&path)), format!("`{key}` is given twice"))
                    .with_hint("keep one of them"),
            );
            continue;
        }
        if allowed.contains(&key.as_str()) || reported_elsewhere.contains(&key.as_str()) {
            continue;
        }
        let suggestion = nearest(key, allowed.iter().copied());
        if let Some(k) = suggestion {
            misspelled.push(k);
        }
        let hint = match suggestion {
            Some(k) => format!("did you mean `{k}`? {what} keys are: {}", allowed.join(", ")),
            None => format!("{what} keys are: {}", allowed.join(", ")),
        };
        diagnostics.push(
            Diagnostic::error(file, text, shift(index.key(&path)), format!("unknown key `{key}`")).with_hint(hint),
        );
    }
    for key in required {
        // A misspelled required key is one problem, reported above with its fix.
        if !present.iter().any(|k| k == key) && !misspelled.contains(key) {
            let at = if parent.is_empty() { 0..3usize.saturating_sub(offset) } else { index.key(parent) };
            let span = if parent.is_empty() { 0..3 } else { shift(at) };
            diagnostics.push(
                Diagnostic::error(file, text, span, format!("missing required key `{key}`"))
                    .with_hint(format!("add `{key}: …` to the {what}")),
            );
        }
    }
}

/// Parses the front matter of an entry of `kind`.
pub fn parse_entry(
    source: &SourceFile,
    kind: Kind,
    split: &Split,
    diagnostics: &mut Diagnostics,
) -> Option<Parsed<FrontMatter>> {
    let before = diagnostics.error_count();
    let index = index_yaml(source, split.yaml, split.yaml_offset, diagnostics)?;
    let (file, text, off) = (source.path.as_path(), source.text.as_str(), split.yaml_offset);
    // Every kind's keys are known; those of other kinds get a clearer message.
    let own: Vec<&str> = COMMON_KEYS.iter().chain(kind_keys(kind)).copied().collect();
    let all: Vec<&str> = COMMON_KEYS.iter().chain(Kind::ALL.iter().flat_map(|k| kind_keys(*k))).copied().collect();
    for key in index.keys("") {
        if all.contains(&key.as_str()) && !own.contains(&key.as_str()) {
            let owner = Kind::ALL.into_iter().find(|k| kind_keys(*k).contains(&key.as_str())).expect("known key");
            let r = index.key(key);
            diagnostics.push(
                Diagnostic::error(
                    file,
                    text,
                    r.start + off..r.end + off,
                    format!("`{key}` is a field of {}, not of {}", owner.folder(), kind.folder()),
                )
                .with_hint(format!("{} have: {}", kind.folder(), kind_keys(kind).join(", "))),
            );
        }
    }
    let foreign: Vec<&str> = all.iter().filter(|k| !own.contains(k)).copied().collect();
    check_field_names(
        file,
        text,
        &index,
        off,
        "",
        &own,
        REQUIRED_KEYS,
        &format!("{} front-matter", kind.name()),
        &foreign,
        diagnostics,
    );
    for i in 0..index.len("events") {
        let ev = format!("events[{i}]");
        check_field_names(file, text, &index, off, &ev, EVENT_KEYS, EVENT_REQUIRED, "event", &[], diagnostics);
        for j in 0..index.len(&format!("{ev}.disputed")) {
            let claim = format!("{ev}.disputed[{j}]");
            check_field_names(
                file,
                text,
                &index,
                off,
                &claim,
                CLAIM_KEYS,
                CLAIM_REQUIRED,
                "disputed-claim",
                &[],
                diagnostics,
            );
        }
    }
    if diagnostics.error_count() > before {
        return None;
    }
    let front_matter = deserialize::<FrontMatter>(source, split, diagnostics)?;
    Some(Parsed { front_matter, index, yaml_offset: split.yaml_offset })
}

/// Parses the front matter of the home page.
pub fn parse_page(
    source: &SourceFile,
    split: &Split,
    diagnostics: &mut Diagnostics,
) -> Option<Parsed<PageFrontMatter>> {
    let before = diagnostics.error_count();
    let index = index_yaml(source, split.yaml, split.yaml_offset, diagnostics)?;
    check_field_names(
        &source.path,
        &source.text,
        &index,
        split.yaml_offset,
        "",
        &["title", "summary"],
        &["title", "summary"],
        "home-page",
        &[],
        diagnostics,
    );
    if diagnostics.error_count() > before {
        return None;
    }
    let front_matter = deserialize::<PageFrontMatter>(source, split, diagnostics)?;
    Some(Parsed { front_matter, index, yaml_offset: split.yaml_offset })
}

/// Runs serde over YAML that sits at `split.yaml_offset` in `source`,
/// turning its error into a diagnostic at the right place in the file.
pub fn deserialize<T: serde::de::DeserializeOwned>(
    source: &SourceFile,
    split: &Split,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    deserialize_at(source, split.yaml, split.yaml_offset, diagnostics)
}

/// Like [`deserialize`], for any YAML text at `offset` in `source`.
pub fn deserialize_at<T: serde::de::DeserializeOwned>(
    source: &SourceFile,
    yaml: &str,
    offset: usize,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    let yaml_for_serde = if yaml.trim().is_empty() { "{}" } else { yaml };
    match serde_yaml::from_str::<T>(yaml_for_serde) {
        Ok(v) => Some(v),
        Err(e) => {
            let at = e.location().map_or(0, |l| l.index()).min(yaml.len());
            let (message, hint) = explain_yaml_error(&e.to_string());
            let start = offset + at;
            let end = source.text[start..].find('\n').map_or(source.text.len(), |i| start + i).max(start);
            let mut d = source.error(start..end, message);
            if let Some(hint) = hint {
                d = d.with_hint(hint);
            }
            diagnostics.push(d);
            None
        }
    }
}

/// Strips serde_yaml's own "at line X column Y" (we print positions ourselves)
/// and adds advice for the common cases.
fn explain_yaml_error(raw: &str) -> (String, Option<String>) {
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.to_string(),
    };
    let message = message.trim_start_matches("front matter: ").to_string();
    let hint = if message.contains("did not match any variant") {
        "check the shape of this value against docs/content-format.md (e.g. aliases are strings or {name, lang})"
    } else if message.contains("invalid type") {
        "check the value's type: text may need quotes, lists are written `[a, b]` or as `- ` lines"
    } else if message.contains("mapping values are not allowed") {
        "a value containing `: ` must be quoted, e.g. summary: \"A: B\""
    } else if message.contains("unknown variant") {
        "use one of the values listed"
    } else if message.contains("cannot start any token") {
        "a value starting with @ or ` must be quoted, e.g. cite: \"@korolev2018, p. 35\""
    } else {
        "check the YAML syntax here: indentation, quotes and `key: value` pairs (see docs/content-format.md)"
    };
    (message, Some(hint.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::fields::Domain;
    use std::path::PathBuf;

    fn file(text: &str) -> SourceFile {
        SourceFile { path: PathBuf::from("content/exercises/x.md"), text: text.to_string() }
    }

    #[test]
    fn splits_front_matter_and_body() {
        let f = file("---\ntitle: x\n---\n# Body\n");
        let s = split(&f).unwrap();
        assert_eq!(s.yaml, "title: x\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(&f.text[s.body_offset..], "# Body\n");
        assert!(split(&file("# no front matter\n")).is_err());
        assert!(split(&file("---\ntitle: x\n")).is_err());
    }

    #[test]
    fn reports_unknown_and_missing_keys_at_once() {
        let f = file("---\ntitel: x\ndate: 2004\nlevel: top\n---\n");
        let s = split(&f).unwrap();
        let mut ds = Diagnostics::new();
        assert!(parse_entry(&f, Kind::Exercise, &s, &mut ds).is_none());
        let msgs: Vec<String> = ds.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect();
        assert_eq!(
            msgs,
            [
                "4:1 `level` is a field of mechanisms, not of exercises",
                "2:1 unknown key `titel`",
                "1:1 missing required key `summary`",
            ]
        );
        assert!(ds.iter().nth(1).unwrap().hint.as_deref().unwrap().starts_with("did you mean `title`?"));
    }

    #[test]
    fn type_errors_point_into_the_file() {
        let f = file("---\ntitle: x\nsummary: y\ndate: 2004\nformat: naval\n---\n");
        let s = split(&f).unwrap();
        let mut ds = Diagnostics::new();
        assert!(parse_entry(&f, Kind::Exercise, &s, &mut ds).is_none());
        let d = ds.iter().next().unwrap();
        assert_eq!((d.line, d.column), (5, 9), "{d:?}");
        assert!(d.message.contains("unknown variant `naval`"), "{}", d.message);
    }

    #[test]
    fn numbers_are_dates_too() {
        let f = file("---\ntitle: x\nsummary: y\ndate: 2004\ndomain: [land, air]\n---\n");
        let s = split(&f).unwrap();
        let mut ds = Diagnostics::new();
        let p = parse_entry(&f, Kind::Exercise, &s, &mut ds).unwrap();
        assert_eq!(p.front_matter.date.0, "2004");
        assert_eq!(p.front_matter.domain.as_slice(), [Domain::Land, Domain::Air]);
        assert_eq!(&f.text[p.value_span("date")], "2004");
    }
}
