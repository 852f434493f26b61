//! Locators (`p. 35`, `sec. "…"`) in rendered notes: hayagriva renders a
//! source once per locator kind, with a slot where the locator goes, and the
//! locator is printed into the slot afterwards.

use hayagriva::citationberg::taxonomy::Locator;

use super::syntax::{LocatorLabel, MORE_LOCATOR};

/// Where a locator goes in a rendered citation template.
pub(super) const LOCATOR_SLOT: char = '\u{2}';

/// A locator as printed: a section's or chapter's title in quotation marks
/// (`sec. “The Mechanisms,” para. 4`, as Chicago quotes titles of parts),
/// a finer locator after it, and hyphens between numbers as en dashes
/// (`33-35`, `33--35` → `33–35`).
pub(super) fn format_locator(label: LocatorLabel, value: &str) -> String {
    let (head, finer) = value.split_once(MORE_LOCATOR).unwrap_or((value, ""));
    let is_title = matches!(label.0, Locator::Section | Locator::Chapter | Locator::Part)
        && head.chars().any(char::is_alphabetic)
        && !head.chars().all(|c| "IVXLCDMivxlcdm.".contains(c));
    let mut out = if is_title { format!("“{head}”") } else { dashes(head) };
    if !finer.is_empty() {
        out.push_str(", ");
        out.push_str(&dashes(finer));
    }
    out
}

fn dashes(value: &str) -> String {
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
