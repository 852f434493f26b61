//! Problems found in the input, kept as data until the command line prints them.
//!
//! Every stage of the pipeline reports what is wrong with the handbook as a
//! [`Diagnostic`]: a severity, the file, a byte span in that file, a message and
//! a hint that says how to fix it. Stages never print and never stop at the
//! first problem; they collect into [`Diagnostics`] and carry on where they can,
//! so that one run reports everything. The CLI renders the collection in one of
//! three formats: a human one with the source line and the span underlined, GitHub
//! Actions annotations, or JSON.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a problem is. Errors stop the build; warnings do not, unless the
/// user asks for `--strict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the handbook root where possible.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column, counted in characters; 0 when the problem concerns the whole file.
    pub column: usize,
    /// Byte range of the offending text in the file (empty for whole-file problems).
    #[serde(skip)]
    pub span: Range<usize>,
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem at `span` of `source` (the full text of `file`).
    pub fn at(
        severity: Severity,
        file: impl Into<PathBuf>,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let span = clamp_span(source, span);
        let (line, column) = line_col(source, span.start);
        Diagnostic { severity, file: file.into(), line, column, span, message: message.into(), hint: None }
    }

    /// A problem with a whole file (it cannot be read, it is binary, …).
    pub fn file(severity: Severity, file: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity, file: file.into(), line: 0, column: 0, span: 0..0, message: message.into(), hint: None }
    }

    pub fn error(file: impl Into<PathBuf>, source: &str, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(Severity::Error, file, source, span, message)
    }

    pub fn warning(
        file: impl Into<PathBuf>,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::at(Severity::Warning, file, source, span, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or just `file` for whole-file problems.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// Moves a span onto character boundaries inside `source`.
fn clamp_span(source: &str, span: Range<usize>) -> Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(source.len());
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    let end = floor(span.end.max(start));
    start..end
}

/// 1-based line and column (in characters) of byte `offset` in `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Byte offset of 1-based `line` and `column` (in characters) in `source`.
pub fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, text) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + text
                    .char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(text.trim_end_matches('\n').len(), |(i, _)| i);
        }
        offset += text.len();
    }
    source.len()
}

/// A growing list of problems from one run.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Turns every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Sorts by file, then position, then message, so output does not depend on
    /// the order in which parallel stages finished; drops exact duplicates.
    pub fn sort(&mut self) {
        self.items
            .sort_by(|a, b| (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message)));
        self.items.dedup();
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Diagnostics {
        Diagnostics { items: iter.into_iter().collect() }
    }
}

/// How to print diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Source snippets with the span underlined, for people.
    #[default]
    Human,
    /// `::error file=…,line=…,col=…::…` workflow commands for GitHub Actions.
    Github,
    /// One JSON array of objects, for other tools.
    Json,
}

/// Renders diagnostics in a format. `read_source` gives the text of a file for
/// the snippets of the human format (it is called only for that format).
pub fn render(
    diagnostics: &Diagnostics,
    format: Format,
    color: bool,
    read_source: &dyn Fn(&Path) -> Option<String>,
) -> String {
    match format {
        Format::Human => render_human(diagnostics, color, read_source),
        Format::Github => render_github(diagnostics),
        Format::Json => {
            let mut out = serde_json::to_string_pretty(&diagnostics.items).unwrap_or_default();
            out.push('\n');
            out
        }
    }
}

fn render_human(diagnostics: &Diagnostics, color: bool, read_source: &dyn Fn(&Path) -> Option<String>) -> String {
    use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    let mut cache: Option<(PathBuf, Option<String>)> = None;
    for d in diagnostics.iter() {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        if cache.as_ref().is_none_or(|(p, _)| p != &d.file) {
            cache = Some((d.file.clone(), read_source(&d.file)));
        }
        let source = cache.as_ref().and_then(|(_, s)| s.as_deref());
        let path = d.file.display().to_string();
        let hint = d.hint.as_deref().map(|h| Level::HELP.message(h));
        let text = match source {
            Some(source) if d.line > 0 && d.span.end <= source.len() => {
                // Show only the lines around the span, so huge files stay cheap.
                let start = source[..d.span.start].rfind('\n').map_or(0, |i| i + 1);
                let end = source[d.span.end..].find('\n').map_or(source.len(), |i| d.span.end + i);
                let excerpt = &source[start..end];
                let span = d.span.start - start..d.span.end - start;
                let snippet = Snippet::source(excerpt)
                    .line_start(d.line)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(span));
                let mut group = level.primary_title(d.message.as_str()).element(snippet);
                if let Some(hint) = hint {
                    group = group.element(hint);
                }
                renderer.render(&[group])
            }
            _ => {
                let title = format!("{}: {}", d.location(), d.message);
                let mut group =
                    level.primary_title(title.as_str()).element(annotate_snippets::Origin::path(path.as_str()));
                if let Some(hint) = hint {
                    group = group.element(hint);
                }
                renderer.render(&[group])
            }
        };
        out.push_str(&text);
        out.push_str("\n\n");
    }
    out
}

fn render_github(diagnostics: &Diagnostics) -> String {
    let mut out = String::new();
    for d in diagnostics.iter() {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str("\nhelp: ");
            message.push_str(hint);
        }
        let file = github_escape_property(&d.file.display().to_string());
        if d.line > 0 {
            let _ = writeln!(
                out,
                "::{command} file={file},line={},col={}::{}",
                d.line,
                d.column,
                github_escape_data(&message)
            );
        } else {
            let _ = writeln!(out, "::{command} file={file}::{}", github_escape_data(&message));
        }
    }
    out
}

/// Escaping for the message part of a workflow command.
fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping for a property value of a workflow command.
fn github_escape_property(s: &str) -> String {
    github_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The "did you mean" candidate for `word` among `known`, if one is close.
pub fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 3))
        .min_by_key(|&(d, k)| (d, k))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let src = "ab\nжж x\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        let x = src.find('x').unwrap();
        assert_eq!(line_col(src, x), (2, 4));
        assert_eq!(offset_of(src, 2, 4), x);
    }

    #[test]
    fn github_format_escapes_newlines_and_properties() {
        let mut ds = Diagnostics::new();
        ds.push(Diagnostic::error("content/a,b.md", "x: 1\n", 0..1, "bad\nthing 100%").with_hint("fix it"));
        let out = render(&ds, Format::Github, false, &|_| None);
        assert_eq!(out, "::error file=content/a%2Cb.md,line=1,col=1::bad%0Athing 100%25%0Ahelp: fix it\n");
    }

    #[test]
    fn nearest_suggests_close_words_only() {
        let known = ["title", "summary", "aliases"];
        assert_eq!(nearest("titel", known), Some("title"));
        assert_eq!(nearest("summry", known), Some("summary"));
        assert_eq!(nearest("zzzzzz", known), None);
    }
}
