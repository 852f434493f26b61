//! Helpers shared by the end-to-end tests: copy a fixture site into a
//! temporary folder, change it, build it, and read what came out.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use handbook::pipeline::{self, Options, Outcome};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites").join(name)
}

/// A copy of a fixture site in a temporary folder, safe to modify.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn copy_of(name: &str) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&fixture(name), dir.path());
        Site { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn read_source(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }

    /// Replaces `from` with `to` in a source file (which must contain it).
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read_source(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    pub fn build(&self) -> Outcome {
        pipeline::build(&Options::new(self.root()))
    }

    pub fn check(&self) -> Outcome {
        pipeline::check(&Options::new(self.root()))
    }

    /// Builds and panics with the diagnostics if the build failed.
    pub fn build_ok(&self) -> Outcome {
        let outcome = self.build();
        assert!(
            outcome.stats.is_some() && !outcome.diagnostics.has_errors(),
            "build failed: {:#?}",
            outcome.diagnostics
        );
        outcome
    }

    pub fn page(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs the handbook binary in this site's root.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_handbook"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run handbook")
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for item in walkdir::WalkDir::new(from) {
        let item = item.unwrap();
        let rel = item.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if item.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(item.path(), &dest).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The text between `start` and the next `end` after it.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let i = text.find(start).unwrap_or_else(|| panic!("{start:?} not found"));
    let rest = &text[i + start.len()..];
    let j = rest.find(end).unwrap_or(rest.len());
    &rest[..j]
}
