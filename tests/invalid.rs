//! The bad-input corpus: each folder of `tests/sites_invalid/` is laid over a
//! copy of `tests/sites/basic` (a `DELETE` file lists files to remove), and
//! `handbook check` must report exactly the problems in its `expected.txt`
//! (`severity: file:line:col: message`, sorted), without panicking. Where the
//! problems are errors, `handbook build` must fail and leave the previous
//! output untouched.
//!
//! To record the expectations of a new case, run
//! `BLESS=1 cargo test --test invalid` and review the file it writes.

mod common;

use std::path::{Path, PathBuf};

use common::{Site, copy_dir, snapshot};

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites_invalid");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    cases
}

fn prepare(case: &Path) -> Site {
    let site = Site::copy_of("basic");
    let overlay = tempfile::tempdir().unwrap();
    copy_dir(case, overlay.path());
    if let Ok(list) = std::fs::read_to_string(case.join("DELETE")) {
        for rel in list.lines().filter(|l| !l.trim().is_empty()) {
            std::fs::remove_file(site.root().join(rel.trim())).unwrap();
        }
        std::fs::remove_file(overlay.path().join("DELETE")).unwrap();
    }
    let _ = std::fs::remove_file(overlay.path().join("expected.txt"));
    copy_dir(overlay.path(), site.root());
    site
}

fn describe(site: &Site, outcome: &handbook::pipeline::Outcome) -> String {
    let mut lines: Vec<String> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let file = d.file.strip_prefix(site.root()).unwrap_or(&d.file).display().to_string();
            let severity = if d.is_error() { "error" } else { "warning" };
            let root = format!("{}/", site.root().display());
            let message = d.message.replace(&root, "");
            if d.line == 0 {
                format!("{severity}: {file}: {message}")
            } else {
                format!("{severity}: {file}:{}:{}: {message}", d.line, d.column)
            }
        })
        .collect();
    lines.sort();
    lines.join("\n") + "\n"
}

#[test]
fn every_bad_input_gets_its_exact_diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 25, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let site = prepare(case);
        let outcome = std::panic::catch_unwind(|| site.check()).unwrap_or_else(|_| panic!("{name}: check panicked"));
        let got = describe(&site, &outcome);
        let expected_path = case.join("expected.txt");
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!("--- {name}\nexpected:\n{expected}got:\n{got}"));
        }
        // Every positioned diagnostic has a hint saying what to do.
        for d in outcome.diagnostics.iter() {
            assert!(d.hint.is_some() || d.message.starts_with("template error"), "{name}: no hint for {d:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_failing_build_leaves_the_previous_output_untouched() {
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        if !expected.lines().any(|l| l.starts_with("error:")) {
            continue;
        }
        // Build the good site, then lay the bad input over it and build again.
        let site = Site::copy_of("basic");
        site.build_ok();
        let before = snapshot(&site.out());
        let overlaid = prepare(&case);
        copy_dir(&site.out(), &overlaid.out());
        let outcome = overlaid.build();
        assert!(outcome.stats.is_none(), "{name}: build succeeded");
        assert_eq!(snapshot(&overlaid.out()), before, "{name}: output changed");
    }
}

#[test]
fn problems_print_as_github_annotations_and_json() {
    let site = prepare(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites_invalid/unknown-key"));
    let out = site.run(&["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().next().unwrap(),
        "::error file=content/exercises/drill.md,line=3,col=1::unknown key `summry`%0Ahelp: did you mean `summary`? exercise front-matter keys are: title, summary, aliases, tags, date, end, draft, relations, events, domain, format"
    );
    let out = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &json.as_array().unwrap()[0];
    assert_eq!(first["file"], "content/exercises/drill.md");
    assert_eq!(first["line"], 3);
    assert_eq!(first["column"], 1);
    assert_eq!(first["severity"], "error");
    // The human format shows the source line with the key underlined.
    let out = site.run(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 | summry: A series of joint drills.\n  | ^^^^^^"), "{stderr}");
}

#[test]
fn warnings_fail_only_with_strict() {
    let site = prepare(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites_invalid/entry-without-citation"));
    assert_eq!(site.run(&["check"]).status.code(), Some(0));
    assert_eq!(site.run(&["check", "--strict"]).status.code(), Some(1));
}

#[test]
fn a_missing_content_folder_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_handbook"))
        .args(["check"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("content folder not found"));
}
