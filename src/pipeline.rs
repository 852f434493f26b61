//! The whole pipeline, from a handbook folder to a site: load → model →
//! derive → render → write. `handbook build` and `handbook check` both run it;
//! `check` stops before writing.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::timings::Timings;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::render::{Collected, Output, Page, Renderer};

/// What to build and where.
#[derive(Clone, Debug)]
pub struct Options {
    /// The handbook's root folder: holds `content/`, and optionally `templates/` and `static/`.
    pub root: PathBuf,
    /// The output folder (default `ROOT/public`).
    pub out: PathBuf,
    /// Include draft entries.
    pub drafts: bool,
    /// Where rendered citations are kept between runs (the CLI uses
    /// `ROOT/.handbook-cache`); `None` keeps nothing.
    pub cache_dir: Option<PathBuf>,
    /// Treat warnings as errors (decided before anything is written).
    pub strict: bool,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Options {
        let mut root = root.into();
        if root == Path::new(".") {
            // Messages then say `content/x.md`, not `./content/x.md`.
            root = PathBuf::new();
        }
        Options { out: root.join("public"), root, drafts: false, cache_dir: None, strict: false }
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }
}

/// Counts for the summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub entries: usize,
    pub events: usize,
    pub sources: usize,
    pub pages: usize,
    pub static_files: usize,
}

/// The result of a run: what was found wrong, and what was built.
#[derive(Debug)]
pub struct Outcome {
    pub diagnostics: Diagnostics,
    /// None when errors stopped the build (nothing was written).
    pub stats: Option<Stats>,
    pub elapsed: Duration,
    /// True when the handbook could not be read at all (no content folder)
    /// or the site could not be written: an environment problem, not a
    /// problem in the handbook (exit code 2).
    pub io_failure: bool,
    /// How long each stage took.
    pub timings: Timings,
}

/// A site made in memory, ready to be written.
#[derive(Debug)]
pub struct Compiled {
    /// Every page and generated file, sorted by path.
    pub pages: Vec<Page>,
    /// The files of `static/`, as (path in the output, source file).
    pub statics: Vec<(String, PathBuf)>,
    pub stats: Stats,
}

/// Runs the pipeline up to writing: the whole site in memory (`check`,
/// `serve` and the tests; `build` writes each page as it is made instead).
pub fn compile(options: &Options, diagnostics: &mut Diagnostics, timings: &mut Timings) -> Option<Compiled> {
    let made = Collected::new();
    let read_back = |path: &str| made.get(path).map(Cow::Owned);
    let (stats, statics) = compile_each(options, &made, read_back, diagnostics, timings)?;
    Some(Compiled { pages: made.into_pages(), statics, stats })
}

/// Runs the pipeline up to writing, handing every page and generated file
/// to `out` as it is made; `read_back` gives a page already made (the print
/// page is made of the entry pages). Returns None, having handed over
/// nothing or only part of the site, when errors stop the build.
fn compile_each<'r>(
    options: &Options,
    out: &dyn Output,
    read_back: impl Fn(&str) -> Option<Cow<'r, [u8]>> + Sync + Send,
    diagnostics: &mut Diagnostics,
    timings: &mut Timings,
) -> Option<(Stats, Vec<(String, PathBuf)>)> {
    let content = options.content_dir();
    let loaded = crate::content::load::load(&content, diagnostics);
    let statics = match crate::output::write::static_files(&options.root.join("static")) {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(Diagnostic::file(
                Severity::Error,
                options.root.join("static"),
                format!("cannot read static files: {e}"),
            ));
            Vec::new()
        }
    };
    timings.lap("load");
    // Parsed, compiled and let go file by file: nothing is updated later.
    let model_options =
        crate::model::ModelOptions { drafts: options.drafts, cache_dir: options.cache_dir.clone(), incremental: false };
    let workspace = crate::model::Workspace::new(loaded, &content, model_options);
    diagnostics.extend(workspace.diagnostics());
    let handbook = workspace.handbook()?;
    // What the rest needs of the sources is in the handbook now (and the
    // bibliography for download): the files' text is let go before the
    // pages take their room.
    let references = workspace.loaded().references.clone();
    drop(workspace);
    timings.lap("model");
    let templates = crate::render::load_templates(&options.root.join("templates"), diagnostics);
    if diagnostics.has_errors() {
        return None;
    }
    let (tera, sources) = templates?;
    let derived = crate::model::derive::derive(&handbook);
    let history = crate::content::history::last_changed(&content);
    timings.lap("derive");
    let out = Counted { out, files: AtomicUsize::new(0) };
    let renderer = Renderer::new(&tera, &sources, &handbook, &derived, &history);
    renderer.render_each(&|page| out.put(page), diagnostics);
    timings.lap("render");
    if diagnostics.has_errors() {
        return None;
    }
    emit_whole_handbook_files(&renderer, Some(read_back), &out, diagnostics);
    timings.lap("whole-handbook files");
    for page in extra_pages(references.as_ref(), &statics) {
        out.put(page);
    }
    // A cache that cannot be written is not kept; the build does not depend on it.
    let _ = handbook.bibliography.save_cache();
    timings.lap("collect");
    let stats = Stats {
        entries: handbook.entries.len(),
        events: crate::model::derive::event_count(&handbook.entries),
        sources: handbook.bibliography.keys().len(),
        pages: out.files.into_inner(),
        static_files: statics.len(),
    };
    Some((stats, statics))
}

/// The files that hold the whole handbook, made after the pages: the print
/// page (from the entry pages, which `entry_page` gives by path; None when
/// it need not be made again), the search index and the data downloads,
/// sorted by path. `handbook serve` makes them here.
pub fn whole_handbook_files<'p>(
    renderer: &Renderer,
    entry_page: Option<impl Fn(&str) -> Option<&'p [u8]> + Sync + Send>,
    diagnostics: &mut Diagnostics,
) -> Vec<Page> {
    let made = Collected::new();
    let entry_page = entry_page.map(|get| move |path: &str| get(path).map(Cow::Borrowed));
    emit_whole_handbook_files(renderer, entry_page, &made, diagnostics);
    made.into_pages()
}

/// Makes the whole-handbook files, handing each to `out`.
fn emit_whole_handbook_files<'p>(
    renderer: &Renderer,
    entry_page: Option<impl Fn(&str) -> Option<Cow<'p, [u8]>> + Sync + Send>,
    out: &dyn Output,
    diagnostics: &mut Diagnostics,
) {
    let (handbook, derived, history) = renderer.model();
    let ((), print_ds) = rayon::join(
        || crate::output::data::emit_pages(handbook, derived, history, out),
        || {
            let mut ds = Diagnostics::new();
            if let Some(pages) = entry_page {
                renderer.print_pages(pages, &|page| out.put(page), &mut ds);
            }
            ds
        },
    );
    diagnostics.extend(print_ds);
}

/// Output files that come from no template: the default stylesheet and
/// script (unless `static/` has its own), the bibliography download, and the
/// highlighting stylesheet.
pub fn extra_pages(references: Option<&crate::content::load::SourceFile>, statics: &[(String, PathBuf)]) -> Vec<Page> {
    let mut pages = Vec::new();
    for (name, bytes) in crate::theme::STATIC_FILES {
        if !statics.iter().any(|(p, _)| p == name) {
            pages.push(Page { path: name.to_string(), content: bytes.to_vec() });
        }
    }
    if let Some(bib) = references {
        // Offered for download on the Sources page, exactly as the authors keep it.
        pages.push(Page { path: "references.bib".into(), content: bib.text.as_bytes().to_vec() });
    }
    pages.push(Page {
        path: "syntax.css".into(),
        content: crate::markdown::highlight::stylesheet().as_bytes().to_vec(),
    });
    pages
}

/// Counts the files handed to an output, for the summary line.
struct Counted<'a> {
    out: &'a dyn Output,
    files: AtomicUsize,
}

impl Output for Counted<'_> {
    fn put(&self, page: Page) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.out.put(page);
    }

    fn begin(&self, path: &str, bytes: &[u8]) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.out.begin(path, bytes);
    }

    fn append(&self, path: &str, bytes: &[u8]) {
        self.out.append(path, bytes);
    }
}

/// `handbook build`: compile, then replace the output folder as a whole.
pub fn build(options: &Options) -> Outcome {
    let start = Instant::now();
    let mut diagnostics = Diagnostics::new();
    let mut timings = Timings::new();
    let mut io_failure = !options.content_dir().is_dir();
    if let Err(refusal) = crate::output::write::check_output(&options.out, &options.root) {
        diagnostics.push(
            Diagnostic::file(
                Severity::Error,
                &refusal.folder,
                format!("will not build into this folder: it {}", refusal.reason),
            )
            .with_hint(refusal.hint),
        );
        return Outcome { diagnostics, stats: None, elapsed: start.elapsed(), io_failure: true, timings };
    }
    // Pages go to a staging folder as they are made; it replaces the
    // output only when the whole site is written, and is removed otherwise.
    let staging = match crate::output::write::Staging::open(&options.out) {
        Ok(staging) => staging,
        Err(e) => {
            diagnostics.push(Diagnostic::file(Severity::Error, &options.out, format!("cannot write the site: {e}")));
            return Outcome { diagnostics, stats: None, elapsed: start.elapsed(), io_failure: true, timings };
        }
    };
    let read_back = |path: &str| staging.read(path).map(Cow::Owned);
    let compiled = compile_each(options, &staging, read_back, &mut diagnostics, &mut timings);
    if options.strict {
        diagnostics.make_strict();
    }
    let compiled = compiled.filter(|_| !diagnostics.has_errors());
    let stats = match compiled {
        None => None,
        Some((stats, statics)) => {
            let written = staging.finish(&statics);
            timings.lap("write");
            match written {
                Ok(()) => Some(stats),
                Err(e) => {
                    io_failure = true;
                    diagnostics.push(Diagnostic::file(
                        Severity::Error,
                        &options.out,
                        format!("cannot write the site: {e}"),
                    ));
                    None
                }
            }
        }
    };
    diagnostics.sort();
    Outcome { diagnostics, stats, elapsed: start.elapsed(), io_failure, timings }
}

/// `handbook check`: everything `build` checks, without writing.
pub fn check(options: &Options) -> Outcome {
    let start = Instant::now();
    let mut diagnostics = Diagnostics::new();
    let mut timings = Timings::new();
    let stats = compile(options, &mut diagnostics, &mut timings).map(|c| c.stats);
    if options.strict {
        diagnostics.make_strict();
    }
    diagnostics.sort();
    let io_failure = !options.content_dir().is_dir();
    Outcome { diagnostics, stats, elapsed: start.elapsed(), io_failure, timings }
}

/// Reads a file as the pipeline saw it (BOM dropped, CRLF as LF), for snippets.
pub fn read_for_snippet(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let mut ds = Diagnostics::new();
    // Control characters are shown as `?` (one byte, so spans stay put): a
    // snippet must not send a terminal escape sequence to a CI log.
    crate::content::load::decode(path, bytes, &mut ds)
        .map(|f| f.text.chars().map(|c| if c < ' ' && !matches!(c, '\t' | '\n') { '?' } else { c }).collect())
}
