//! What every renderer produces: one output file, by its path; and where
//! the files go as they are made.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// One output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    pub content: Vec<u8>,
}

/// Where a run's files go as they are made: a build's staging folder, or
/// memory ([`Collected`]).
pub trait Output: Sync {
    /// A whole file.
    fn put(&self, page: Page);

    /// Makes the file at `path` anew with `bytes`, the first piece of a
    /// file too large to hold whole (`handbook.json` is hundreds of
    /// megabytes at 100,000 entries); [`Output::append`] adds the rest.
    fn begin(&self, path: &str, bytes: &[u8]);

    /// Adds `bytes` to the end of the file [`Output::begin`] made at `path`.
    fn append(&self, path: &str, bytes: &[u8]);
}

/// Files kept in memory, by path (`handbook check`, `serve`, the tests).
#[derive(Debug, Default)]
pub struct Collected(Mutex<BTreeMap<String, Vec<u8>>>);

impl Collected {
    pub fn new() -> Collected {
        Collected::default()
    }

    /// The bytes put or appended at `path` so far.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(path).cloned()
    }

    /// Every file, sorted by path.
    pub fn into_pages(self) -> Vec<Page> {
        let files = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        files.into_iter().map(|(path, content)| Page { path, content }).collect()
    }
}

impl Output for Collected {
    fn put(&self, page: Page) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(page.path, page.content);
    }

    fn begin(&self, path: &str, bytes: &[u8]) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), bytes.to_vec());
    }

    fn append(&self, path: &str, bytes: &[u8]) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).entry(path.to_string()).or_default().extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_bytes_follow_each_other_and_files_come_sorted() {
        let out = Collected::new();
        out.begin("b.json", b"[1,");
        out.put(Page { path: "a.html".into(), content: b"<p>".to_vec() });
        out.append("b.json", b"2]");
        let pages = out.into_pages();
        assert_eq!(pages.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["a.html", "b.json"]);
        assert_eq!(pages[1].content, b"[1,2]");
    }
}
