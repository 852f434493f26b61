//! Locators (`p. 35`, `sec. "…"`) in rendered notes: hayagriva renders a
//! source once per locator kind, with a slot where the locator goes, and the
//! locator is printed into the slot afterwards.

/// Where a locator goes in a rendered citation template.
pub(super) const LOCATOR_SLOT: char = '\u{2}';

/// A locator as printed: hyphens between numbers become en dashes (`33-35`, `33--35` → `33–35`).
pub(super) fn format_locator(value: &str) -> String {
    let value = value.replace("--", "–");
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    for (i, &c) in chars.iter().enumerate() {
        let digit_around =
            i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        out.push(if c == '-' && digit_around { '–' } else { c });
    }
    out
}
