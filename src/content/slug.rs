//! Ids and slugs: an entry's id is its file name, a lowercase ASCII slug;
//! titles and tags in any script are transliterated to make one.

/// Is `s` a lowercase ASCII slug (`joint-sea`, `sco-2017`)?
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Ids an entry cannot have: `index` would be written over its kind's list
/// (`exercises/index.html`).
pub const RESERVED_ENTRY_IDS: &[&str] = &["index"];

/// The slug for a title or tag in any script: transliterated to ASCII
/// (`Müller Straße` → `muller-strasse`, `海军` → `hai-jun`, `ναυτικό` →
/// `nautiko`), lowercase words joined by hyphens. Empty when nothing in it
/// is a letter or digit.
pub fn slugify(s: &str) -> String {
    let ascii = deunicode::deunicode(s);
    let mut out = String::new();
    let mut pending_dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("joint-sea-2016"));
        assert!(!is_slug("Joint-Sea"));
        assert!(!is_slug("joint_sea"));
        assert!(!is_slug("-a"));
        assert_eq!(slugify("Joint Sea (2016)"), "joint-sea-2016");
        assert_eq!(slugify("Мирная миссия"), "mirnaia-missiia");
        assert_eq!(slugify("Müller Straße Çağlar"), "muller-strasse-caglar");
        assert_eq!(slugify("海军"), "hai-jun");
        assert_eq!(slugify("ναυτικό"), "nautiko");
        assert_eq!(slugify("«—»"), "");
        assert_eq!(slugify("  Beijing Declaration!  "), "beijing-declaration");
    }
}
