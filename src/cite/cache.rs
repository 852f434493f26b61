//! Rendered citations kept between runs.
//!
//! hayagriva takes a millisecond or more to render one citation in a notes
//! style such as Chicago's, and a handbook needs a few hundred (each source
//! in full, short and "Ibid." form, and in the bibliography). The text of a
//! rendered citation depends only on the source's fields, the style, the
//! position and the kind of locator, so it is kept in a file
//! (`.handbook-cache/citations.json` beside `content/`) and reused while
//! those stay the same: an unchanged bibliography costs no rendering at all.
//!
//! Each item is keyed by what it was rendered from (a fingerprint of the
//! source's fields, the style, the position); the file as a whole is stamped
//! with the handbook version and the executable, so a new build of the tool
//! starts afresh. A missing, unreadable or stale file is an empty cache,
//! never an error, and a cache that cannot be written is simply not kept.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The cache file's name inside the cache folder.
const FILE: &str = "citations.json";

#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    stamp: String,
    items: BTreeMap<String, String>,
}

/// Rendered citations by key: those read from the last run, and those used in this one.
#[derive(Default)]
pub struct CitationCache {
    /// Where the cache is kept; `None` keeps nothing between runs.
    dir: Option<PathBuf>,
    stamp: String,
    saved: HashMap<String, String>,
    /// Every item this run used (found or rendered): what the next run gets.
    used: Mutex<BTreeMap<String, String>>,
    rendered: AtomicBool,
}

impl std::fmt::Debug for CitationCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CitationCache").field("dir", &self.dir).field("saved", &self.saved.len()).finish()
    }
}

impl CitationCache {
    /// A cache that keeps nothing between runs.
    pub fn none() -> CitationCache {
        CitationCache::default()
    }

    /// Opens the cache kept in `dir` for citations rendered in `style`.
    pub fn open(dir: &Path, style: &str) -> CitationCache {
        let stamp = stamp(style);
        let saved = std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|stored| stored.stamp == stamp)
            .map(|stored| stored.items.into_iter().collect())
            .unwrap_or_default();
        CitationCache { dir: Some(dir.to_path_buf()), stamp, saved, ..CitationCache::default() }
    }

    /// The item stored under `key`, rendered with `render` if the cache has none.
    pub fn get_or_render(&self, key: String, render: impl FnOnce() -> String) -> String {
        if let Some(found) = self.used.lock().expect("no panic while held").get(&key) {
            return found.clone();
        }
        let text = match self.saved.get(&key) {
            Some(saved) => saved.clone(),
            None => {
                self.rendered.store(true, Ordering::Relaxed);
                render()
            }
        };
        self.used.lock().expect("no panic while held").insert(key, text.clone());
        text
    }

    /// Writes what this run used, if it differs from what was read (so the
    /// file holds no items for sources that are gone). Returns whether it wrote.
    pub fn save(&self) -> io::Result<bool> {
        let Some(dir) = &self.dir else { return Ok(false) };
        let used = self.used.lock().expect("no panic while held");
        let unchanged = !self.rendered.load(Ordering::Relaxed) && used.len() == self.saved.len();
        if unchanged || used.is_empty() {
            return Ok(false);
        }
        std::fs::create_dir_all(dir)?;
        let stored = Stored { stamp: self.stamp.clone(), items: used.clone() };
        let tmp = dir.join(format!(".{FILE}.{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec(&stored).map_err(io::Error::other)?)?;
        std::fs::rename(&tmp, dir.join(FILE)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
        Ok(true)
    }
}

/// What the items were rendered with: this version of the tool (and this
/// very executable, so a rebuilt tool never reuses another's output) and the style.
fn stamp(style: &str) -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            format!("{}:{}", m.len(), modified.map_or(0, |d| d.as_nanos()))
        })
        .unwrap_or_default();
    format!("handbook {} ({exe}) {style}", env!("CARGO_PKG_VERSION"))
}

/// A short, stable fingerprint of some text (FNV-1a, 64 bits, as hex).
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_was_used_and_renders_only_what_is_new() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CitationCache::open(dir.path(), "chicago-notes");
        assert_eq!(cache.get_or_render("a".into(), || "A".into()), "A");
        assert_eq!(cache.get_or_render("gone".into(), || "G".into()), "G");
        assert!(cache.save().unwrap());

        let cache = CitationCache::open(dir.path(), "chicago-notes");
        assert_eq!(cache.get_or_render("a".into(), || panic!("a is cached")), "A");
        assert_eq!(cache.get_or_render("b".into(), || "B".into()), "B");
        assert!(cache.save().unwrap());

        // `gone` was not used in the last run: it is no longer kept.
        let cache = CitationCache::open(dir.path(), "chicago-notes");
        assert_eq!(cache.get_or_render("gone".into(), || "rendered again".into()), "rendered again");
        assert_eq!(cache.get_or_render("a".into(), || panic!("a is cached")), "A");
    }

    #[test]
    fn another_style_or_a_broken_file_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CitationCache::open(dir.path(), "chicago-notes");
        cache.get_or_render("a".into(), || "A".into());
        cache.save().unwrap();
        let other = CitationCache::open(dir.path(), "apa");
        assert_eq!(other.get_or_render("a".into(), || "apa".into()), "apa");

        std::fs::write(dir.path().join(FILE), "{ not json").unwrap();
        let broken = CitationCache::open(dir.path(), "chicago-notes");
        assert_eq!(broken.get_or_render("a".into(), || "again".into()), "again");
    }

    #[test]
    fn a_run_that_used_exactly_the_saved_items_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CitationCache::open(dir.path(), "s");
        cache.get_or_render("a".into(), || "A".into());
        assert!(cache.save().unwrap());
        let cache = CitationCache::open(dir.path(), "s");
        cache.get_or_render("a".into(), || unreachable!());
        assert!(!cache.save().unwrap());
        assert!(!CitationCache::none().save().unwrap());
    }
}
