//! Shared by the benchmarks: the synthetic corpus of tools/gen-corpus,
//! written to a temporary folder or used in memory.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

#[allow(unused_imports)]
pub use gen_corpus::{Corpus, DEFAULT_SEED, KINDS};

use handbook::content::Kind;
use handbook::content::load::SourceFile;

/// A generated handbook on disk; removed when dropped.
pub struct OnDisk {
    pub dir: tempfile::TempDir,
    pub corpus: Corpus,
}

impl OnDisk {
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }
}

/// Writes a corpus of `n` entries into a new temporary folder.
pub fn write_corpus(n: usize) -> OnDisk {
    let corpus = Corpus::new(n, DEFAULT_SEED);
    let dir = tempfile::tempdir().expect("temp dir");
    write_files(dir.path(), &corpus);
    OnDisk { dir, corpus }
}

/// Writes the handbook files of `corpus` under `root`.
pub fn write_files(root: &Path, corpus: &Corpus) {
    for file in corpus.handbook_files() {
        let path = root.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("has a folder")).expect("create folder");
        std::fs::write(&path, &file.text).expect("write file");
    }
}

/// The handbook kind of entry `i`.
pub fn kind(corpus: &Corpus, i: usize) -> Kind {
    Kind::ALL[corpus.kind(i)]
}

/// Entry `i` as the pipeline would read it.
pub fn entry_source(corpus: &Corpus, i: usize) -> SourceFile {
    SourceFile { path: PathBuf::from("content").join(corpus.path(i)), text: corpus.handbook_entry(i) }
}

/// `references.bib` as the pipeline would read it.
pub fn bib_source(corpus: &Corpus) -> SourceFile {
    SourceFile { path: PathBuf::from("content/references.bib"), text: corpus.references_bib() }
}

/// The number of entries for the larger benchmarks: `HANDBOOK_BENCH_ENTRIES`, or `default`.
pub fn entries_from_env(default: usize) -> usize {
    std::env::var("HANDBOOK_BENCH_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
