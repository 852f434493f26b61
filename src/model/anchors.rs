//! Links to `#anchors` across files, checked again only where a change can
//! affect them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::entry::Entry;
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::markdown::{self, CrossLink};

/// Links to anchors in other entries, checked again only where a change
/// can affect them.
#[derive(Debug, Default)]
pub(super) struct AnchorChecks {
    /// For each id, the files (entry index, or [`HOME`]) with a link to one of its anchors.
    pub(super) linked_from: HashMap<String, HashSet<usize>>,
    /// The broken anchor links of each file that has some.
    pub(super) problems: BTreeMap<usize, Diagnostics>,
}

/// The home page, where [`AnchorChecks`] names a file by entry index.
pub(super) const HOME: usize = usize::MAX;

/// The links among `links` that name an anchor to check, with the anchor
/// and the id of the page it is on (`own_id` for the page's own anchors;
/// `#top` always exists, and the home page's anchors are its headings).
pub(super) fn anchor_links<'a>(
    links: &'a [CrossLink],
    own_id: &'a str,
) -> impl Iterator<Item = (&'a CrossLink, &'a str, &'a str)> {
    links.iter().filter_map(move |l| {
        let anchor = l.anchor.as_deref().filter(|a| !a.is_empty() && *a != "top")?;
        let target = l.target.as_deref().unwrap_or(own_id);
        (!target.is_empty()).then_some((l, anchor, target))
    })
}

/// The ids whose anchors `links` point to.
pub(super) fn anchor_targets<'a>(links: &'a [CrossLink], own_id: &'a str) -> impl Iterator<Item = &'a str> {
    anchor_links(links, own_id).map(|(_, _, target)| target)
}

/// Checks the `#anchor` of each of one file's cross-links against the ids of its target page.
pub(super) fn check_anchors<'e>(
    own_id: &str,
    file: &Path,
    links: &[CrossLink],
    target_of: &impl Fn(&str) -> Option<&'e Entry>,
    text_of: &dyn Fn(&Path) -> String,
    ambiguous: &HashSet<&str>,
    diagnostics: &mut Diagnostics,
) {
    let has_anchor = |e: &Entry, anchor: &str| {
        markdown::TEMPLATE_IDS.contains(&anchor)
            || e.events.iter().any(|ev| ev.anchor == anchor)
            || e.headings.iter().any(|h| h.id == anchor)
            || e.notes.notes.iter().any(|n| n.id == anchor)
    };
    for (link, anchor, target) in anchor_links(links, own_id) {
        if ambiguous.contains(target) {
            continue; // reported already
        }
        let Some(target_entry) = target_of(target) else { continue };
        if !has_anchor(target_entry, anchor) {
            // The source text, for the snippet, is looked up only for a broken link.
            let text = text_of(file);
            let mut known: Vec<&str> = target_entry
                .events
                .iter()
                .map(|ev| ev.anchor.as_str())
                .chain(target_entry.headings.iter().map(|h| h.id.as_str()))
                .filter(|a| !markdown::TEMPLATE_IDS.contains(a) && !a.starts_with("note-"))
                .collect();
            known.sort();
            known.dedup();
            let hint = match nearest(anchor, known.iter().copied()) {
                Some(n) => format!("did you mean `#{n}`? The page has: {}", known.join(", ")),
                None => format!("the page's anchors are: {}", known.join(", ")),
            };
            diagnostics.push(
                Diagnostic::error(
                    file,
                    &text,
                    link.span.clone(),
                    format!("`#{anchor}` is not an anchor of `{target}`"),
                )
                .with_hint(hint),
            );
        }
    }
}
