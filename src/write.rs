//! Stage 6: put the pages on disk without ever leaving a half-written site.
//!
//! Everything is written into a fresh folder beside the output
//! (`public.tmp-<pid>`); only when all of it is written does that folder
//! replace the output, by two renames. If anything fails before then, the
//! temporary folder is removed and the previous output is untouched.

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
        pages.par_iter().try_for_each(|p| std::fs::write(tmp.join(&p.path), &p.content))?;
        statics.par_iter().try_for_each(|(rel, src)| std::fs::copy(src, tmp.join(rel)).map(|_| ()))?;
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
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
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
}
