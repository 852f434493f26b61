//! What a handbook that takes entries by pull request must never do: delete
//! a folder it did not write, publish script smuggled into an entry, read a
//! file outside the handbook, or write a site that `--strict` rejects.

mod common;

use std::path::Path;

use common::{Site, snapshot};

/// Runs `handbook build --out OUT` and returns (exit code, stderr).
fn build_into(site: &Site, out: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["build", "--out", out];
    args.extend_from_slice(extra);
    let output = site.run(&args);
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Every file under the site's root except the given output folder.
fn sources(site: &Site) -> Vec<(String, Vec<u8>)> {
    snapshot(site.root())
        .into_iter()
        .filter(|(p, _)| !p.starts_with("public/") && !p.starts_with(".handbook-cache/"))
        .collect()
}

/// Names in `dir` that look like a build's staging folder.
fn staging_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect()
}

#[test]
fn build_refuses_the_handbooks_own_folders_and_leaves_them_byte_for_byte() {
    let site = Site::copy_of("basic");
    site.write("templates/README.txt", "my templates\n");
    site.write("static/logo.svg", "<svg/>\n");
    let before = sources(&site);
    for (out, why) in [
        ("content", "it is or holds the handbook's own `content/` folder"),
        ("content/exercises", "it is or holds the handbook's own `content/` folder"),
        ("content/new-folder", "it is or holds the handbook's own `content/` folder"),
        ("templates", "it is or holds the handbook's own `templates/` folder"),
        ("static/site", "it is or holds the handbook's own `static/` folder"),
        (".", "it is the handbook's root folder"),
        ("..", "it contains the handbook's root folder"),
        ("/", "it contains the handbook's root folder"),
    ] {
        let (code, stderr) = build_into(&site, out, &[]);
        assert_eq!(code, Some(2), "--out {out}: {stderr}");
        assert!(stderr.contains(&format!("will not build into this folder: {why}")), "--out {out}: {stderr}");
        assert!(stderr.contains("help: choose another folder with --out"), "--out {out}: {stderr}");
        assert_eq!(sources(&site), before, "--out {out} changed the handbook");
        assert!(staging_leftovers(site.root()).is_empty(), "--out {out} left a staging folder");
        assert!(staging_leftovers(&site.root().join("content")).is_empty());
    }
}

#[test]
fn build_refuses_a_folder_with_files_it_did_not_write() {
    let site = Site::copy_of("basic");
    site.write("mydocs/thesis.tex", "\\documentclass{article}\n");
    site.write("mydocs/data/table.csv", "a,b\n");
    let before = snapshot(&site.root().join("mydocs"));
    let (code, stderr) = build_into(&site, "mydocs", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr
            .contains("will not build into this folder: it holds files handbook did not write (`data`, `thesis.tex`)"),
        "{stderr}"
    );
    assert!(stderr.contains("help: choose an empty folder, or remove this one"), "{stderr}");
    assert_eq!(snapshot(&site.root().join("mydocs")), before, "the folder's files are still there byte for byte");
    assert!(staging_leftovers(site.root()).is_empty());
}

#[test]
fn build_replaces_its_own_output_and_fills_an_empty_folder() {
    let site = Site::copy_of("basic");
    std::fs::create_dir_all(site.root().join("empty")).unwrap();
    let (code, stderr) = build_into(&site, "empty", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(site.root().join("empty/index.html").is_file());
    // The stamp it leaves lets the next build replace the folder.
    assert!(site.root().join("empty/.handbook-output").is_file());
    let (code, stderr) = build_into(&site, "empty", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    // A stamped folder is the build's own: what was added to it goes (as documented).
    site.write("empty/mine.txt", "mine\n");
    let (code, _) = build_into(&site, "empty", &[]);
    assert_eq!(code, Some(0));
    assert!(!site.root().join("empty/mine.txt").exists());
}

#[test]
fn build_refuses_a_symbolic_link_as_output() {
    let site = Site::copy_of("basic");
    std::fs::create_dir_all(site.root().join("real")).unwrap();
    std::os::unix::fs::symlink(site.root().join("real"), site.root().join("public")).unwrap();
    let (code, stderr) = build_into(&site, "public", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("it is a symbolic link"), "{stderr}");
}

#[test]
fn strict_is_decided_before_anything_is_written() {
    let site = Site::copy_of("basic");
    // An entry that cites nothing is a warning; --strict makes it an error.
    site.write(
        "content/exercises/drill.md",
        "---\ntitle: Drill Series\nsummary: A series of joint drills.\ndate: 2005\n---\nBody without a source.\n",
    );
    let out = site.run(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let (code, stderr) = build_into(&site, "public", &["--strict"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("; nothing was written"), "{stderr}");
    assert!(!site.out().exists(), "--strict wrote the site before failing");
    // check never writes, so it never says whether it wrote.
    let out = site.run(&["check", "--strict"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("problem"), "{stderr}");
    assert!(!stderr.contains("written"), "{stderr}");
}
