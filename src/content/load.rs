//! Stage 1: find and read the handbook's files.
//!
//! Walks the content folder once, reads every file once, and checks what can
//! be checked about a file as a file: that it is UTF-8 text (not binary), not
//! too large, has a slug for a name and sits in a known folder. A byte-order
//! mark is dropped (with a warning) and CRLF line ends become LF, which keeps
//! every line and column as the author sees them.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::Kind;
use super::slug::{RESERVED_ENTRY_IDS, is_slug, slugify};

use crate::diagnostic::{Diagnostic, Diagnostics, Severity, nearest};

/// Larger entry files are refused: they are almost certainly a mistake (a
/// pasted PDF, a generated dump) and would slow every build.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A text file of the handbook, read and normalised.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path as shown in messages: relative to the current directory when the
    /// root was given relatively, e.g. `content/exercises/joint-sea.md`.
    pub path: PathBuf,
    /// The text, with any byte-order mark removed and CRLF turned into LF.
    pub text: String,
}

impl SourceFile {
    /// An error at `span` (a byte range of the text) of this file.
    pub fn error(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.path, &self.text, span, message)
    }

    /// A warning at `span` (a byte range of the text) of this file.
    pub fn warning(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(&self.path, &self.text, span, message)
    }
}

/// An entry file: a source file and the kind its folder gives it.
#[derive(Clone, Debug)]
pub struct EntryFile {
    pub kind: Kind,
    /// The file stem: the entry's id.
    pub id: String,
    pub source: SourceFile,
}

/// Everything read from a handbook's content folder.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub site: Option<SourceFile>,
    pub references: Option<SourceFile>,
    pub home: Option<SourceFile>,
    pub entries: Vec<EntryFile>,
    /// Entry files that exist but could not be read (binary, not UTF-8, too
    /// large): (kind, id). Links to them are not reported as broken, since
    /// the problem is the file itself, which is reported once.
    pub unreadable: Vec<(Kind, String)>,
}

/// Reads one file as handbook text, reporting why it cannot be used.
pub fn read_text(path: &Path, diagnostics: &mut Diagnostics) -> Option<SourceFile> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            diagnostics.push(
                Diagnostic::file(
                    Severity::Error,
                    path,
                    format!(
                        "file is too large ({} KiB; the limit is {} KiB)",
                        meta.len() / 1024,
                        MAX_FILE_BYTES / 1024
                    ),
                )
                .with_hint("split the entry into several entries, or move bulk data out of content/"),
            );
            return None;
        }
        Ok(_) => {}
        Err(e) => {
            diagnostics.push(Diagnostic::file(Severity::Error, path, format!("cannot read file: {e}")));
            return None;
        }
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diagnostics.push(Diagnostic::file(Severity::Error, path, format!("cannot read file: {e}")));
            return None;
        }
    };
    let file = decode(path, bytes, diagnostics)?;
    let text = &file.text;
    if let Some((at, c)) = forbidden_char(text) {
        diagnostics.push(
            Diagnostic::error(
                path,
                text,
                at..at + c.len_utf8(),
                format!("the file holds the control character U+{:04X}, which HTML and XML forbid", c as u32),
            )
            .with_hint("delete it (such characters are often pasted invisibly from PDFs or word processors)"),
        );
        return None;
    }
    Some(file)
}

/// Turns the bytes of a file into handbook text (see the module docs).
pub fn decode(path: &Path, mut bytes: Vec<u8>, diagnostics: &mut Diagnostics) -> Option<SourceFile> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        diagnostics.push(
            Diagnostic::file(
                Severity::Error,
                path,
                format!("file is binary, not text (it has a NUL byte at offset {nul})"),
            )
            .with_hint("entries must be UTF-8 Markdown; remove the file or save it as text"),
        );
        return None;
    }
    let had_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if had_bom {
        bytes.drain(..3);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let lossy = String::from_utf8_lossy(bytes);
            diagnostics.push(
                Diagnostic::error(path, &lossy, at..at + 1, "file is not valid UTF-8")
                    .with_hint("save the file as UTF-8 (most editors have an \"encoding\" menu); Windows-1251 or GBK text must be converted")
                    .with_position_from(valid),
            );
            return None;
        }
    };
    let text = if text.contains('\r') { text.replace("\r\n", "\n") } else { text };
    if had_bom {
        diagnostics.push(
            Diagnostic::warning(path, &text, 0..0, "file starts with a byte-order mark")
                .with_hint("save the file as UTF-8 without BOM; the mark was ignored"),
        );
    }
    Some(SourceFile { path: path.to_path_buf(), text })
}

impl Diagnostic {
    /// Places the diagnostic at the end of `prefix` (the text before the problem),
    /// for problems found where the file cannot be decoded.
    fn with_position_from(mut self, prefix: &str) -> Diagnostic {
        let (line, column) = crate::diagnostic::line_col(prefix, prefix.len());
        self.line = line;
        self.column = column;
        self
    }
}

/// The folders a symbolic link under the handbook may point into: the
/// handbook's root and its content folder (which may itself be a link).
/// Anything else is outside the handbook and is never read, so that an entry
/// from a pull request cannot publish, or show in an error, a file of the
/// machine that builds it.
pub struct Inside {
    allowed: Vec<PathBuf>,
}

impl Inside {
    /// For the handbook whose content folder is `content`.
    pub fn handbook_of(content: &Path) -> Inside {
        let root = content.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Inside { allowed: [root, content].iter().filter_map(|p| p.canonicalize().ok()).collect() }
    }

    /// For a symbolic link at `link`: Ok(true) if it points to a file inside
    /// the handbook, Ok(false) to a folder inside it, and otherwise the
    /// problem (the target's content is never read or shown).
    pub fn check_link(&self, link: &Path) -> Result<bool, Diagnostic> {
        let outside = || {
            Diagnostic::file(
                Severity::Error,
                link,
                "is a symbolic link to a file outside the handbook; it was not read",
            )
            .with_hint("copy the file into the handbook instead of linking to it")
        };
        match link.canonicalize() {
            Ok(target) if self.allowed.iter().any(|a| target.starts_with(a)) => Ok(!target.is_dir()),
            Ok(_) => Err(outside()),
            Err(_) => Err(Diagnostic::file(Severity::Error, link, "is a symbolic link to nothing")
                .with_hint("remove the link, or point it at a file inside the handbook")),
        }
    }
}

/// The first character of `text` that XML 1.0 forbids (the C0 controls but
/// tab and line feed, and U+FFFE/U+FFFF), with its byte offset. A lone
/// carriage return is allowed here: it only ever ends a line.
pub fn forbidden_char(text: &str) -> Option<(usize, char)> {
    text.char_indices()
        .find(|&(_, c)| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// Walks `content` and reads every file the handbook is made of.
pub fn load(content: &Path, diagnostics: &mut Diagnostics) -> Loaded {
    let mut loaded = Loaded::default();
    if !content.is_dir() {
        diagnostics.push(
            Diagnostic::file(Severity::Error, content, "content folder not found")
                .with_hint("run handbook in the handbook's root folder, or pass --root DIR"),
        );
        return loaded;
    }
    let folders: Vec<&str> = Kind::ALL.iter().map(|k| k.folder()).collect();
    let inside = Inside::handbook_of(content);
    let mut paths = Vec::new();
    for item in WalkDir::new(content).sort_by_file_name() {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                let path = e.path().unwrap_or(content).to_path_buf();
                diagnostics.push(Diagnostic::file(Severity::Error, path, format!("cannot read: {e}")));
                continue;
            }
        };
        if item.file_type().is_dir() {
            continue;
        }
        if item.path_is_symlink() {
            match inside.check_link(item.path()) {
                Ok(true) => {}
                Ok(false) => continue, // a link to a folder inside the handbook: its files are read where they are
                Err(d) => {
                    diagnostics.push(d);
                    continue;
                }
            }
        }
        let path = item.path().to_path_buf();
        let rel = path.strip_prefix(content).unwrap_or(&path);
        let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with('.') || name.ends_with('~') {
            continue; // editor swap files and dotfiles
        }
        let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
        match parts.as_slice() {
            ["site.yaml"] | ["references.bib"] | ["index.md"] => paths.push((None, path)),
            [folder, file] if folders.contains(folder) => {
                let kind = Kind::from_folder(folder);
                if !file.ends_with(".md") {
                    diagnostics.push(
                        Diagnostic::file(Severity::Warning, &path, "not a Markdown entry; ignored")
                            .with_hint("entries are .md files; move other files out of content/"),
                    );
                    continue;
                }
                let stem = &file[..file.len() - 3];
                if !is_slug(stem) {
                    diagnostics.push(
                        Diagnostic::file(
                            Severity::Error,
                            &path,
                            format!("file name `{file}` is not a slug, so it cannot be an entry id"),
                        )
                        .with_hint(format!(
                            "rename it to `{}.md` (lowercase ASCII letters, digits and single hyphens)",
                            slugify(stem)
                        )),
                    );
                    continue;
                }
                if RESERVED_ENTRY_IDS.contains(&stem) {
                    diagnostics.push(
                        Diagnostic::file(
                            Severity::Error,
                            &path,
                            format!("`{stem}` cannot be an entry id: {folder}/{stem}.html is the list of the entries in {folder}/"),
                        )
                        .with_hint("rename the file after the entry's title, as `handbook new KIND \"TITLE\"` would"),
                    );
                    continue;
                }
                paths.push((kind, path));
            }
            [file] if file.ends_with(".md") => {
                diagnostics.push(Diagnostic::file(Severity::Error, &path, "entry is not in a kind's folder").with_hint(
                    "move it into content/mechanisms/, content/exercises/, content/declarations/ or content/topics/",
                ))
            }
            [folder, ..] => {
                let hint = match nearest(folder, folders.iter().copied()) {
                    Some(k) if parts.len() == 2 => format!("did you mean content/{k}/?"),
                    _ => "entries live directly in content/mechanisms/, content/exercises/, content/declarations/ or content/topics/"
                        .to_string(),
                };
                diagnostics.push(
                    Diagnostic::file(Severity::Error, &path, "file is in a folder handbook does not know")
                        .with_hint(hint),
                );
            }
            [] => {}
        }
    }
    // Read in parallel: this is the only time any input is read.
    use rayon::prelude::*;
    let read: Vec<(Option<Kind>, PathBuf, Diagnostics, Option<SourceFile>)> = paths
        .into_par_iter()
        .map(|(kind, path)| {
            let mut ds = Diagnostics::new();
            let file = read_text(&path, &mut ds);
            (kind, path, ds, file)
        })
        .collect();
    for (kind, path, ds, file) in read {
        diagnostics.extend(ds);
        let Some(file) = file else {
            if let Some(kind) = kind {
                let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
                loaded.unreadable.push((kind, id));
            }
            continue;
        };
        match kind {
            Some(kind) => {
                let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
                loaded.entries.push(EntryFile { kind, id, source: file });
            }
            None => match path.file_name().and_then(|n| n.to_str()) {
                Some("site.yaml") => loaded.site = Some(file),
                Some("references.bib") => loaded.references = Some(file),
                _ => loaded.home = Some(file),
            },
        }
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_crlf() {
        let mut ds = Diagnostics::new();
        let f = decode(Path::new("a.md"), b"\xEF\xBB\xBF---\r\ntitle: x\r\n".to_vec(), &mut ds).unwrap();
        assert_eq!(f.text, "---\ntitle: x\n");
        assert_eq!(ds.warning_count(), 1);
    }

    #[test]
    fn decode_reports_invalid_utf8_position() {
        let mut ds = Diagnostics::new();
        assert!(decode(Path::new("a.md"), b"ok\nab\xFFc".to_vec(), &mut ds).is_none());
        let d = ds.iter().next().unwrap();
        assert_eq!((d.line, d.column), (2, 3));
    }
}
