//! Stage 1: find and read the handbook's files.
//!
//! Walks the content folder once, reads every file once, and checks what can
//! be checked about a file as a file: that it is UTF-8 text (not binary), not
//! too large, has a slug for a name and sits in a known folder. A byte-order
//! mark is dropped (with a warning) and CRLF line ends become LF, which keeps
//! every line and column as the author sees them.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity, nearest};

/// Larger entry files are refused: they are almost certainly a mistake (a
/// pasted PDF, a generated dump) and would slow every build.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The kinds of entry, each with its own folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Mechanism,
    Exercise,
    Declaration,
    /// A theme or context that frames the others (threat perceptions, interoperability, the strategic background).
    Topic,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Mechanism, Kind::Exercise, Kind::Declaration, Kind::Topic];

    /// The folder under `content/` (and under the output) that holds this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Mechanism => "mechanisms",
            Kind::Exercise => "exercises",
            Kind::Declaration => "declarations",
            Kind::Topic => "topics",
        }
    }

    /// The singular name, as written on the command line (`handbook new exercise`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Mechanism => "mechanism",
            Kind::Exercise => "exercise",
            Kind::Declaration => "declaration",
            Kind::Topic => "topic",
        }
    }

    /// The plural, capitalised, for headings.
    pub fn plural_title(self) -> &'static str {
        match self {
            Kind::Mechanism => "Mechanisms",
            Kind::Exercise => "Exercises",
            Kind::Declaration => "Declarations",
            Kind::Topic => "Topics",
        }
    }

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name || k.folder() == name)
    }
}

/// A text file of the handbook, read and normalised.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path as shown in messages: relative to the current directory when the
    /// root was given relatively, e.g. `content/exercises/joint-sea.md`.
    pub path: PathBuf,
    /// The text, with any byte-order mark removed and CRLF turned into LF.
    pub text: String,
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
    decode(path, bytes, diagnostics)
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

/// Is `s` a lowercase ASCII slug (`joint-sea`, `sco-2017`)?
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Ids an entry cannot have: `index` would be written over its kind's list
/// (`exercises/index.html`).
pub const RESERVED_IDS: &[&str] = &["index"];

/// The slug for a title: lowercase ASCII words joined by hyphens.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in s.chars() {
        let c = match c {
            'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' => {
                // Cyrillic titles still get a readable slug.
                out.push_str(if pending_dash && !out.is_empty() { "-" } else { "" });
                pending_dash = false;
                out.push_str(translit(c.to_lowercase().next().unwrap_or(c)));
                continue;
            }
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => {
                pending_dash = true;
                continue;
            }
        };
        if pending_dash && !out.is_empty() {
            out.push('-');
        }
        pending_dash = false;
        out.push(c);
    }
    out
}

fn translit(c: char) -> &'static str {
    const TABLE: [&str; 33] = [
        "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f", "kh",
        "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "e",
    ];
    match c {
        'ё' => "e",
        'а'..='я' => TABLE[(c as u32 - 'а' as u32) as usize],
        _ => "",
    }
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
                if RESERVED_IDS.contains(&stem) {
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
    fn slugs() {
        assert!(is_slug("joint-sea-2016"));
        assert!(!is_slug("Joint-Sea"));
        assert!(!is_slug("joint_sea"));
        assert!(!is_slug("-a"));
        assert_eq!(slugify("Joint Sea (2016)"), "joint-sea-2016");
        assert_eq!(slugify("Мирная миссия"), "mirnaya-missiya");
        assert_eq!(slugify("  Beijing Declaration!  "), "beijing-declaration");
    }

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
