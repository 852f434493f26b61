//! Stage 6: put the pages on disk without ever leaving a half-written site.
//!
//! Everything is written into a fresh folder beside the output
//! (`public.tmp-<pid>`); only when all of it is written does that folder
//! replace the output, by two renames. If anything fails before then, the
//! temporary folder is removed and the previous output is untouched.
//!
//! A file whose bytes are the same as in the previous output is not written
//! again: the new folder gets a hard link to the old file. Unchanged files
//! keep their modification time (so `rsync` and caches see what changed),
//! and a rebuild creates inodes only for what changed.
//!
//! Replacing a folder deletes what was in it, so [`check_output`] decides
//! first whether the output folder may be replaced at all: only a missing or
//! empty folder, or one that holds the [`STAMP`] file every build leaves in
//! its output (a folder this program wrote), and never the handbook's own
//! folders.

use std::collections::HashSet;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::render::{Output, Page};

/// Files copied verbatim from `static/`, as (path in output, source file).
/// A symbolic link is followed only to a file inside the handbook.
pub fn static_files(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let root = dir.parent().unwrap_or(Path::new(""));
    let inside = crate::content::load::Inside::handbook_of(&root.join("content"));
    for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let item = item.map_err(io::Error::other)?;
        let is_file = if item.path_is_symlink() {
            inside
                .check_link(item.path())
                .map_err(|d| io::Error::other(format!("{}: {}", d.file.display(), d.message)))?
        } else {
            item.file_type().is_file()
        };
        if is_file {
            let rel = item.path().strip_prefix(dir).unwrap_or(item.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel.split('/').any(|p| p.starts_with('.')) {
                continue;
            }
            files.push((rel, item.path().to_path_buf()));
        }
    }
    Ok(files)
}

/// The file every build leaves in its output folder, so that a later build
/// knows the folder is its own to replace.
pub const STAMP: &str = ".handbook-output";

const STAMP_TEXT: &str = "This folder was written by `handbook build`, which replaces it as a whole on every build:\n\
                          do not keep other files here. A folder without this file is never replaced.\n";

/// Why an output folder may not be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The folder, as the user named it.
    pub folder: PathBuf,
    pub reason: String,
    pub hint: String,
}

/// Decides whether `out` may be replaced by the site of the handbook in
/// `root`. Refused: the root itself or a folder that contains it; the
/// root's `content/`, `templates/` or `static/` or anything inside them; a
/// symbolic link; a file; and a folder that is not empty and holds no
/// [`STAMP`] (files this program did not write).
pub fn check_output(out: &Path, root: &Path) -> Result<(), Refusal> {
    let refuse = |reason: String, hint: &str| Refusal { folder: out.to_path_buf(), reason, hint: hint.to_string() };
    let choose = "choose another folder with --out, e.g. --out public";
    let out_abs = absolute(out).map_err(|e| refuse(format!("cannot resolve the path: {e}"), choose))?;
    let root_abs = absolute(if root.as_os_str().is_empty() { Path::new(".") } else { root })
        .map_err(|e| refuse(format!("cannot resolve the handbook's root: {e}"), choose))?;
    if root_abs.starts_with(&out_abs) {
        let what =
            if root_abs == out_abs { "is the handbook's root folder" } else { "contains the handbook's root folder" };
        return Err(refuse(format!("{what}; building there would delete the handbook"), choose));
    }
    for name in ["content", "templates", "static"] {
        let own = absolute(&root_abs.join(name)).unwrap_or_else(|_| root_abs.join(name));
        if out_abs.starts_with(&own) || own.starts_with(&out_abs) {
            return Err(refuse(
                format!("is or holds the handbook's own `{name}/` folder; building there would delete its files"),
                choose,
            ));
        }
    }
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(refuse(format!("cannot read it: {e}"), choose)),
        Ok(meta) if meta.file_type().is_symlink() => Err(refuse(
            "is a symbolic link".into(),
            "give the folder the link points to, or another folder, with --out",
        )),
        Ok(meta) if !meta.is_dir() => Err(refuse("is a file, not a folder".into(), choose)),
        Ok(_) => owned_or_empty(out).map_err(|reason| {
            refuse(reason, "choose an empty folder, or remove this one if you no longer need what is in it")
        }),
    }
}

/// Ok when the folder `dir` is empty or holds the [`STAMP`]; otherwise why not.
fn owned_or_empty(dir: &Path) -> Result<(), String> {
    if std::fs::symlink_metadata(dir.join(STAMP)).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(items) => items.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    let more = if names.len() > 3 { format!(" and {} more", names.len() - 3) } else { String::new() };
    Err(format!("holds files handbook did not write ({}{more}), which a build would delete", shown.join(", ")))
}

/// `path` made absolute with symbolic links resolved, for a path that may
/// not exist yet: its nearest existing ancestor is resolved and the rest
/// appended (with `.` and `..` taken away).
fn absolute(path: &Path) -> io::Result<PathBuf> {
    let joined = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) };
    let mut existing = joined.as_path();
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(mut resolved) => {
                for part in rest.iter().rev() {
                    match part {
                        std::path::Component::ParentDir => {
                            resolved.pop();
                        }
                        std::path::Component::Normal(p) => resolved.push(p),
                        _ => {}
                    }
                }
                return Ok(resolved);
            }
            Err(e) => {
                let (Some(parent), Some(last)) = (existing.parent(), existing.components().next_back()) else {
                    return Err(e);
                };
                rest.push(last);
                existing = parent;
            }
        }
    }
}

fn staging_path(out: &Path, what: &str) -> PathBuf {
    let name = out.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Writes `pages` and the static files to `out`, replacing it as a whole.
/// The caller has asked [`check_output`]; the folder is checked again just
/// before it is replaced, in case files were put in it during the build.
pub fn write_site(out: &Path, pages: &[Page], statics: &[(String, PathBuf)]) -> io::Result<()> {
    let staging = Staging::open(out)?;
    pages.par_iter().for_each(|p| staging.put(&p.path, &p.content));
    staging.finish(statics)
}

/// A site being written: each file goes to a staging folder beside the
/// output as soon as it is made, so a build holds no more than the pages in
/// hand. [`Staging::finish`] swaps the folder in for the output; dropped
/// unfinished (an error in the handbook, a failed write, a panic), it is
/// removed and the output is untouched.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    /// Folders already made in `tmp`.
    dirs: Mutex<HashSet<PathBuf>>,
    /// The first write that failed; [`Staging::finish`] reports it.
    failed: Mutex<Option<io::Error>>,
    finished: bool,
}

impl Staging {
    /// Makes the staging folder for `out` (removing those of killed builds).
    pub fn open(out: &Path) -> io::Result<Staging> {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        remove_stale_staging(out);
        let tmp = staging_path(out, "tmp");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        let staging = Staging {
            out: out.to_path_buf(),
            tmp,
            dirs: Mutex::new(HashSet::new()),
            failed: Mutex::new(None),
            finished: false,
        };
        // The stamp first: a staging folder left by a killed build is then
        // recognisably ours, and removed by the next build.
        std::fs::write(staging.tmp.join(STAMP), STAMP_TEXT)?;
        Ok(staging)
    }

    /// Writes `content` at `rel` (or links the output's file there if it
    /// holds the same bytes). A failure is kept for [`Staging::finish`].
    pub fn put(&self, rel: &str, content: &[u8]) {
        let result = self.make_folder(rel).and_then(|()| put(&self.out, &self.tmp, rel, content));
        self.keep_failure(rel, result);
    }

    /// Makes the file at `rel` anew with `bytes`, to be added to by
    /// [`Staging::append`]: never a link to the output's copy, which the
    /// additions would change. A failure is kept for [`Staging::finish`].
    pub fn begin(&self, rel: &str, bytes: &[u8]) {
        let result =
            self.make_folder(rel).and_then(|()| std::fs::File::create_new(self.tmp.join(rel))?.write_all(bytes));
        self.keep_failure(rel, result);
    }

    /// Adds `bytes` to the end of the file [`Staging::begin`] made at `rel`.
    pub fn append(&self, rel: &str, bytes: &[u8]) {
        let result =
            std::fs::OpenOptions::new().append(true).open(self.tmp.join(rel)).and_then(|mut f| f.write_all(bytes));
        self.keep_failure(rel, result);
    }

    fn keep_failure(&self, rel: &str, result: io::Result<()>) {
        if let Err(e) = result {
            let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
            failed.get_or_insert(io::Error::new(e.kind(), format!("{rel}: {e}")));
        }
    }

    /// Makes the folder `rel` is in, unless it was made before.
    fn make_folder(&self, rel: &str) -> io::Result<()> {
        if let Some(dir) = Path::new(rel).parent().filter(|d| !d.as_os_str().is_empty()) {
            let made = self.dirs.lock().unwrap_or_else(|e| e.into_inner()).contains(dir);
            if !made {
                std::fs::create_dir_all(self.tmp.join(dir))?;
                self.dirs.lock().unwrap_or_else(|e| e.into_inner()).insert(dir.to_path_buf());
            }
        }
        Ok(())
    }

    /// The bytes written at `rel`, read back (the print page is made of the
    /// entry pages already written).
    pub fn read(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.tmp.join(rel)).ok()
    }

    /// Copies the static files, then replaces the output with the staging
    /// folder, unless a write failed or the output now holds files this
    /// program did not write.
    pub fn finish(mut self, statics: &[(String, PathBuf)]) -> io::Result<()> {
        statics.par_iter().for_each(|(rel, src)| match std::fs::read(src) {
            Ok(bytes) => self.put(rel, &bytes),
            Err(e) => {
                let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
                failed.get_or_insert(io::Error::new(e.kind(), format!("{}: {e}", src.display())));
            }
        });
        if let Some(e) = self.failed.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(e);
        }
        if self.out.exists() {
            owned_or_empty(&self.out).map_err(|why| io::Error::other(format!("{}: {why}", self.out.display())))?;
        }
        // From here on swap_in cleans up after itself.
        self.finished = true;
        swap_in(&self.tmp, &self.out)
    }
}

impl Output for Staging {
    fn put(&self, page: Page) {
        Staging::put(self, &page.path, &page.content);
    }

    fn begin(&self, path: &str, bytes: &[u8]) {
        Staging::begin(self, path, bytes);
    }

    fn append(&self, path: &str, bytes: &[u8]) {
        Staging::append(self, path, bytes);
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Removes staging folders beside `out` that earlier builds left when they
/// were killed (`.public.tmp-PID`, `.public.old-PID` holding a [`STAMP`]).
fn remove_stale_staging(out: &Path) {
    let Some(name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else { return };
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(items) = std::fs::read_dir(parent) else { return };
    for item in items.filter_map(Result::ok) {
        let file_name = item.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&format!(".{name}.")) else { continue };
        let is_staging = ["tmp-", "old-"].iter().any(|p| {
            rest.strip_prefix(p).is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        let path = item.path();
        if is_staging && path.join(STAMP).is_file() && !process_alive(&rest[4..]) {
            let _ = remove_tree(&path);
        }
    }
}

/// Whether the process `pid` is running (Linux and other systems with /proc;
/// elsewhere assumed running, so nothing is removed).
fn process_alive(pid: &str) -> bool {
    if pid == std::process::id().to_string() {
        return false;
    }
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid).exists()
}

/// Replaces `out` with `tmp`: rename the old output away, rename the new one
/// in, then delete the old one.
fn swap_in(tmp: &Path, out: &Path) -> io::Result<()> {
    let old = staging_path(out, "old");
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old)?;
    }
    if let Err(e) = std::fs::rename(tmp, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(tmp);
        return Err(e);
    }
    if had_old {
        remove_tree(&old)?;
    }
    Ok(())
}

/// Writes `content` as `tmp/rel`, or links `out/rel` there if it holds the same bytes.
fn put(out: &Path, tmp: &Path, rel: &str, content: &[u8]) -> io::Result<()> {
    let dest = tmp.join(rel);
    let old = out.join(rel);
    if same_bytes(&old, content) && std::fs::hard_link(&old, &dest).is_ok() {
        return Ok(());
    }
    std::fs::write(dest, content)
}

/// True when `path` is a regular file holding exactly `content`.
fn same_bytes(path: &Path, content: &[u8]) -> bool {
    use std::io::Read;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    if !meta.is_file() || meta.len() != content.len() as u64 {
        return false;
    }
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    let mut buf = vec![0; 64 * 1024];
    let mut rest = content;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && buf[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Deletes a folder tree, its files in parallel (10,000 unlinks one after
/// another are a second of a large build).
fn remove_tree(dir: &Path) -> io::Result<()> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.par_iter().try_for_each(|f| match std::fs::remove_file(f) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    })?;
    std::fs::remove_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_output_as_a_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("stale")).unwrap();
        std::fs::write(out.join("stale/old.html"), "old").unwrap();
        std::fs::write(out.join(STAMP), STAMP_TEXT).unwrap();
        let pages = vec![Page { path: "a/b.html".into(), content: b"new".to_vec() }];
        write_site(&out, &pages, &[]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/b.html")).unwrap(), "new");
        assert!(!out.join("stale").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"]);
    }

    #[test]
    fn appended_files_are_written_anew_never_through_the_outputs_copy() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let page = |path: &str, text: &str| Page { path: path.into(), content: text.as_bytes().to_vec() };
        write_site(&out, &[page("data/all.json", "[1")], &[]).unwrap();
        let staging = Staging::open(&out).unwrap();
        // The first piece equals the output's file: a link to it would let
        // the next piece change the output before the build is done.
        staging.begin("data/all.json", b"[1");
        staging.append("data/all.json", b",2]");
        assert_eq!(std::fs::read_to_string(out.join("data/all.json")).unwrap(), "[1");
        staging.finish(&[]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("data/all.json")).unwrap(), "[1,2]");
    }

    #[test]
    fn unchanged_files_are_kept_changed_ones_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let page = |path: &str, text: &str| Page { path: path.into(), content: text.as_bytes().to_vec() };
        write_site(&out, &[page("same.html", "same"), page("changed.html", "before"), page("long.html", "ab")], &[])
            .unwrap();
        let inode = |name: &str| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(out.join(name)).unwrap().ino()
        };
        let (same, changed, long) = (inode("same.html"), inode("changed.html"), inode("long.html"));
        write_site(&out, &[page("same.html", "same"), page("changed.html", "after!"), page("long.html", "ac")], &[])
            .unwrap();
        assert_eq!(inode("same.html"), same, "an unchanged file is the same file");
        assert_ne!(inode("changed.html"), changed);
        assert_ne!(inode("long.html"), long, "same length, other bytes");
        assert_eq!(std::fs::read_to_string(out.join("changed.html")).unwrap(), "after!");
        assert_eq!(std::fs::read_to_string(out.join("long.html")).unwrap(), "ac");
        assert_eq!(std::fs::read_to_string(out.join("same.html")).unwrap(), "same");
    }

    #[test]
    fn refuses_folders_it_did_not_write_and_the_handbooks_own() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("hb");
        for d in ["content/exercises", "templates", "static", "mine"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("mine/notes.txt"), "keep").unwrap();
        let reason = |out: &Path| check_output(out, &root).unwrap_err().reason;
        assert!(reason(&root).starts_with("is the handbook's root folder"));
        assert!(reason(dir.path()).starts_with("contains the handbook's root folder"));
        assert!(reason(&root.join("hb/..")).starts_with("is the handbook's root folder"));
        assert!(reason(&root.join("content")).contains("`content/`"));
        assert!(reason(&root.join("content/exercises/new")).contains("`content/`"));
        assert!(reason(&root.join("static")).contains("`static/`"));
        assert!(reason(&root.join("templates/out")).contains("`templates/`"));
        assert_eq!(
            reason(&root.join("mine")),
            "holds files handbook did not write (`notes.txt`), which a build would delete"
        );
        std::fs::write(root.join("file"), "x").unwrap();
        assert_eq!(reason(&root.join("file")), "is a file, not a folder");
        std::os::unix::fs::symlink(root.join("mine"), root.join("link")).unwrap();
        assert_eq!(reason(&root.join("link")), "is a symbolic link");
        // Missing, empty, and stamped folders may be written.
        assert_eq!(check_output(&root.join("public"), &root), Ok(()));
        std::fs::create_dir_all(root.join("empty")).unwrap();
        assert_eq!(check_output(&root.join("empty"), &root), Ok(()));
        write_site(&root.join("public"), &[], &[]).unwrap();
        assert_eq!(check_output(&root.join("public"), &root), Ok(()));
    }

    #[test]
    fn a_folder_filled_during_the_build_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "mine").unwrap();
        let pages = vec![Page { path: "a.html".into(), content: b"new".to_vec() }];
        assert!(write_site(&out, &pages, &[]).is_err());
        assert_eq!(std::fs::read_to_string(out.join("thesis.tex")).unwrap(), "mine");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"], "no staging folder is left behind");
    }

    #[test]
    fn staging_folders_of_killed_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let stale = dir.path().join(".public.tmp-999999999");
        std::fs::create_dir_all(&stale).unwrap();
        std::fs::write(stale.join(STAMP), STAMP_TEXT).unwrap();
        let foreign = dir.path().join(".public.tmp-999999998");
        std::fs::create_dir_all(&foreign).unwrap();
        write_site(&out, &[], &[]).unwrap();
        assert!(!stale.exists());
        assert!(foreign.exists(), "a folder without the stamp is not ours");
    }
}
