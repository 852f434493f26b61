//! YAML syntax errors in plain words ("a quoted value is never closed",
//! "YAML does not allow tabs for indentation"), placed where they are best
//! fixed rather than where the parser gave up.

use std::ops::Range;

use granit_parser::{ErrorKind, ScanError};

/// What is wrong with the YAML text itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The parser stopped here: nothing after it was indexed.
    Syntax,
    /// A character that HTML and XML cannot carry (U+0000–U+0008, U+000B,
    /// U+000C, U+000E–U+001F, U+FFFE, U+FFFF), written as an escape in a
    /// double-quoted value (one typed into the file is refused when it is read).
    ControlCharacter,
}

/// A problem of the YAML text, with its range in the indexed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlProblem {
    pub kind: ProblemKind,
    pub span: Range<usize>,
    pub message: String,
    pub hint: String,
}

/// `range`, inside `text` and on character boundaries.
pub(super) fn clamp(text: &str, range: Range<usize>) -> Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (start, end) = (fix(range.start), fix(range.end));
    start..end.max(start)
}

/// A syntax error in plain words, at the place where it is best fixed.
/// `open_flow` is where the innermost `[` or `{` still open when the parser
/// stopped begins, if one is.
pub(super) fn explain_syntax_error(e: &ScanError, text: &str, open_flow: Option<usize>, read_to: usize) -> YamlProblem {
    let at = clamp(text, e.marker().byte_offset().unwrap_or(0)..0).start;
    let one_char = |at: usize| at..text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let problem = |span: Range<usize>, message: String, hint: &str| YamlProblem {
        kind: ProblemKind::Syntax,
        span,
        message,
        hint: hint.to_string(),
    };
    let line_of = |i: usize| text[..i].matches('\n').count() + 1;
    let tabs = |tab: usize| {
        problem(
            one_char(tab),
            "YAML does not allow tabs for indentation".into(),
            "indent with spaces instead of tabs (two spaces per level, as in the lines above)",
        )
    };
    const LINE_UP: &str = "keys of one mapping start in the same column, and a list's `- ` too: indent this line \
                           like its neighbours, with spaces";
    match e.kind() {
        ErrorKind::UnclosedQuotedScalar => problem(
            one_char(at),
            "a quoted value is never closed".into(),
            "add the closing quote at the end of the value; a value that contains \" itself can be written \
             in single quotes, e.g. title: 'The \"Peace Mission\" series'",
        ),
        ErrorKind::TabInIndentation
        | ErrorKind::TabInBlockIndentation
        | ErrorKind::TabAtBlockScalarStart
        | ErrorKind::TabInPlainScalar => tabs(indentation_tab(text, at).unwrap_or(at)),
        ErrorKind::UnclosedFlowCollection { open } => unclosed(text, at, *open, false),
        ErrorKind::MismatchedFlowCollectionEnd { open, close } => problem(
            one_char(at),
            format!("a `{open}` is closed by `{close}`"),
            if *open == '[' {
                "close a list written `[a, b]` with `]`"
            } else {
                "close a mapping written `{name: …, lang: …}` with `}`"
            },
        ),
        // The parser stopped on a later line than an open `[` or `{`: the
        // bracket was never closed, and the fix belongs where it opens.
        _ if open_flow.is_some_and(|start| line_of(start) < line_of(at)) => {
            let start = open_flow.expect("checked");
            let open = text[start..].chars().next().unwrap_or('[');
            unclosed(text, start, open, true)
        }
        // Whatever the parser made of it, a tab in the indentation of the
        // line where it stopped is the first thing to fix.
        _ if tab_in_indentation(text, at).is_some() => tabs(tab_in_indentation(text, at).unwrap_or(at)),
        ErrorKind::MappingValueNotAllowed => problem(
            one_char(at),
            "mapping values are not allowed in this context".into(),
            "a value containing `: ` must be quoted, e.g. summary: \"A: B\"; or check the indentation of this line",
        ),
        ErrorKind::UnexpectedCharacter { character: c @ ('@' | '`') } => problem(
            one_char(at),
            format!("a value cannot start with `{c}` unless it is quoted"),
            "put the value in quotes, e.g. cite: \"@korolev2018, p. 35\"",
        ),
        // The quote that "closed" the value is on a later line than the one
        // that opened it, just before text: most likely the opening quote was
        // never closed on its own line, and the next value's quote ended it.
        kind @ (ErrorKind::InvalidTrailingDoubleQuotedScalar | ErrorKind::InvalidTrailingSingleQuotedScalar)
            if opening_quote(text, read_to, kind).is_some_and(|q| line_of(q) < line_of(at)) =>
        {
            let q = opening_quote(text, read_to, kind).unwrap_or(at);
            problem(
                one_char(q),
                "a quoted value is never closed".into(),
                "add the closing quote at the end of this line's value: YAML read on to a quote on a later \
                 line and took it as the end",
            )
        }
        ErrorKind::InvalidTrailingDoubleQuotedScalar | ErrorKind::InvalidTrailingSingleQuotedScalar => problem(
            one_char(at),
            "there is text after the closing quote of a value".into(),
            "quote the whole value; a value that contains \" itself can be written in single quotes, \
             e.g. title: 'The \"Peace Mission\" series', and one that contains ' in double quotes",
        ),
        ErrorKind::UnknownQuotedScalarEscape | ErrorKind::InvalidQuotedScalarHexEscape => problem(
            one_char(at),
            "a double-quoted value has an unknown escape (`\\` followed by a letter YAML does not know)".into(),
            "write `\\\\` for a backslash, or use single quotes, in which `\\` is an ordinary character",
        ),
        ErrorKind::RecursionLimitExceeded => problem(
            one_char(at),
            "lists and mappings are nested too deeply here".into(),
            "front matter needs a few levels at most; check for brackets that are opened and not closed",
        ),
        ErrorKind::SimpleKeyExpected => problem(
            one_char(at),
            "this line is neither `key: value` nor a list item `- …`".into(),
            "add `: ` after the key; or, if the line continues the value above, quote that value \
             or indent this line further",
        ),
        ErrorKind::ExpectedBlockMappingKey => problem(
            one_char(at),
            "YAML expected a `key:` here".into(),
            "text after a closing `]`, `}` or quote belongs inside it (quote the whole value); a `- ` item \
             needs a `key:` line above it; otherwise line this up with the keys around it",
        ),
        ErrorKind::ExpectedBlockSequenceEntry | ErrorKind::InvalidIndentation | ErrorKind::ExpectedDocumentStart => {
            problem(one_char(at), "this line does not line up with the lines above it".into(), LINE_UP)
        }
        ErrorKind::UnknownAnchor => problem(
            one_char(at),
            "a value starting with `*` is read as a reference to an anchor (`&name`) that is not defined".into(),
            "put the value in quotes, e.g. title: \"*Joint Sea\"",
        ),
        ErrorKind::CommentInterceptedScalar => problem(
            one_char(at),
            "a comment ends this value, but the next line continues it".into(),
            "move the comment after the value's last line, or remove it; a ` #` inside a value needs the value \
             quoted",
        ),
        ErrorKind::ExpectedFlowSequenceSeparator | ErrorKind::ExpectedFlowMappingSeparator => problem(
            one_char(at),
            "YAML expected `,` or the closing bracket here".into(),
            "separate the items with commas, and quote an item that contains `:`, `,`, `[`, `]`, `{` or `}`",
        ),
        kind => problem(
            one_char(at),
            kind.to_string(),
            "check the YAML syntax here: indentation, quotes and `key: value` pairs (see docs/content-format.md)",
        ),
    }
}

/// A `[` or `{` at `at` that is never closed; `read_on` when the parser went
/// on to later lines looking for its end.
fn unclosed(text: &str, at: usize, open: char, read_on: bool) -> YamlProblem {
    let (close, what) = if open == '{' { ('}', "mapping") } else { (']', "list") };
    let mut hint = format!("close the {what} with `{close}` after its last item");
    if read_on {
        hint.push_str(&format!("; without it, YAML reads the lines that follow as more of the {what}"));
    }
    YamlProblem {
        kind: ProblemKind::Syntax,
        span: at..at + open.len_utf8().min(text.len() - at),
        message: format!("a `{open}` is never closed"),
        hint,
    }
}

/// The quote that opens the quoted value the parser was reading when it
/// failed with `kind`: the first such quote after what it had read.
fn opening_quote(text: &str, read_to: usize, kind: &ErrorKind) -> Option<usize> {
    let quote = if matches!(kind, ErrorKind::InvalidTrailingSingleQuotedScalar) { '\'' } else { '"' };
    text.get(read_to..)?.find(quote).map(|i| read_to + i)
}

/// The first tab in the indentation of the line of `at`.
fn tab_in_indentation(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    line[..indent].find('\t').map(|i| line_start + i)
}

/// The first tab in the indentation of the line of `at` or of a later line.
fn indentation_tab(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut offset = line_start;
    for line in text[line_start..].split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(i) = line[..indent].find('\t') {
            return Some(offset + i);
        }
        offset += line.len();
    }
    None
}
