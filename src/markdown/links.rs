//! Cross-links: relative links to other entries' `.md` files become links
//! to their pages, and are recorded so that anchors and backlinks can be
//! checked.

use std::collections::HashMap;
use std::ops::Range;

use super::Context;
use crate::diagnostic::{Diagnostics, nearest};

/// Where a cross-link can point: the content-relative path of each Markdown
/// file (`exercises/joint-sea.md`) and the page it becomes.
#[derive(Clone, Debug, Default)]
pub struct LinkTargets {
    by_path: HashMap<String, LinkTarget>,
}

/// The page a Markdown file becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTarget {
    /// The entry id, or `""` for the home page.
    pub id: String,
    /// The page's path in the output, e.g. `exercises/joint-sea.html`.
    pub url: String,
}

impl LinkTargets {
    pub fn insert(&mut self, content_path: String, target: LinkTarget) {
        self.by_path.insert(content_path, target);
    }

    pub(super) fn get(&self, content_path: &str) -> Option<&LinkTarget> {
        self.by_path.get(content_path)
    }

    pub(super) fn nearest(&self, content_path: &str) -> Option<&str> {
        nearest(content_path, self.by_path.keys().map(String::as_str))
    }
}

/// A link from this page to another page (or to an anchor on this one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossLink {
    /// Target entry id (`""` for the home page), or None for `#anchor` on this page.
    pub target: Option<String>,
    pub anchor: Option<String>,
    /// Span of the link destination in the file.
    pub span: Range<usize>,
}

/// The span of `dest` inside the link's source text (falls back to the whole link).
pub(super) fn destination_span(source: &str, link: Range<usize>, dest: &str) -> Range<usize> {
    let text = source.get(link.clone()).unwrap_or_default();
    match text.rfind(dest) {
        Some(i) if !dest.is_empty() => link.start + i..link.start + i + dest.len(),
        _ => link,
    }
}

/// Rewrites a link destination. Relative links to `.md` files become links to
/// pages (and are recorded); other links are left alone. Returns the new
/// destination, or None to keep it.
pub(super) fn resolve_link(
    dest: &str,
    span: Range<usize>,
    ctx: &Context,
    links: &mut Vec<CrossLink>,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    if dest.is_empty()
        || dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with("//")
    {
        return None;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    if path.is_empty() {
        links.push(CrossLink { target: None, anchor, span });
        return None;
    }
    let path =
        percent_encoding::percent_decode_str(path).decode_utf8().map_or_else(|_| path.to_string(), |p| p.into_owned());
    if !path.ends_with(".md") {
        return None; // an asset or another file: left as written
    }
    if path.starts_with('/') {
        diagnostics.push(
            ctx.error(span, format!("link `{dest}` is absolute"))
                .with_hint("link to entries with relative paths, e.g. ../exercises/joint-sea.md, so links work on GitHub and under any sub-path"),
        );
        return None;
    }
    let Some(resolved) = join_relative(ctx.content_path, &path) else {
        diagnostics.push(
            ctx.error(span, format!("link `{dest}` points outside the content folder"))
                .with_hint("link to an entry's file, e.g. ../exercises/joint-sea.md"),
        );
        return None;
    };
    let Some(target) = ctx.targets.get(&resolved) else {
        let hint = match ctx.targets.nearest(&resolved) {
            Some(near) => format!("did you mean `{}`?", relative_between(ctx.content_path, near)),
            None => "check the file name; entries live in mechanisms/, exercises/ and declarations/".to_string(),
        };
        diagnostics.push(
            ctx.error(span, format!("link to `{dest}`: there is no such entry file ({resolved})")).with_hint(hint),
        );
        return None;
    };
    links.push(CrossLink { target: Some(target.id.clone()), anchor: anchor.clone(), span });
    let mut url = format!("{}{}", ctx.root, target.url);
    if let Some(a) = anchor {
        url.push('#');
        url.push_str(&a);
    }
    Some(url)
}

/// `base` is a content-relative file path; returns `rel` resolved against its folder.
pub(super) fn join_relative(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for piece in rel.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The relative path from content file `from` to content file `to`.
pub(super) fn relative_between(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    format!("{}{to}", "../".repeat(depth))
}
