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

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::Page;

/// Files copied verbatim from `static/`, as (path in output, source file).
pub fn static_files(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let item = item.map_err(io::Error::other)?;
        if item.file_type().is_file() {
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

fn staging_path(out: &Path, what: &str) -> PathBuf {
    let name = out.file_name().map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Writes `pages` and the static files to `out`, replacing it as a whole.
pub fn write_site(out: &Path, pages: &[Page], statics: &[(String, PathBuf)]) -> io::Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = staging_path(out, "tmp");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    let result = (|| {
        std::fs::create_dir_all(&tmp)?;
        // Create folders first (serially, once each), then write files in parallel.
        let mut dirs: Vec<PathBuf> = pages
            .iter()
            .map(|p| p.path.as_str())
            .chain(statics.iter().map(|(p, _)| p.as_str()))
            .filter_map(|p| Path::new(p).parent().map(Path::to_path_buf))
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            std::fs::create_dir_all(tmp.join(d))?;
        }
        pages.par_iter().try_for_each(|p| put(out, &tmp, &p.path, &p.content))?;
        statics.par_iter().try_for_each(|(rel, src)| put(out, &tmp, rel, &std::fs::read(src)?))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    swap_in(&tmp, out)
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
        let pages = vec![Page { path: "a/b.html".into(), content: b"new".to_vec() }];
        write_site(&out, &pages, &[]).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a/b.html")).unwrap(), "new");
        assert!(!out.join("stale").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"]);
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
}
