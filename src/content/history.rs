//! When each entry last changed, from the git history.
//!
//! One `git log` over the content folder gives every file's latest commit
//! date, so the cost does not grow with one process per file. Outside a git
//! repository (or without git) there is no history and pages simply omit
//! the date; output stays deterministic either way.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// Maps content-relative paths (`exercises/joint-sea.md`) to the date
/// (`YYYY-MM-DD`) of the last commit that touched them.
pub fn last_changed(content_dir: &Path) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let Ok(out) = Command::new("git")
        .arg("-C")
        .arg(content_dir)
        .args(["log", "--format=%x00%cs", "--name-only", "--relative", "--no-renames", "--", "."])
        .output()
    else {
        return map;
    };
    if !out.status.success() {
        return map;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut date = "";
    for line in text.lines() {
        if let Some(d) = line.strip_prefix('\0') {
            date = d;
        } else if !line.is_empty() && !date.is_empty() {
            map.entry(line.to_string()).or_insert_with(|| date.to_string());
        }
    }
    map
}
