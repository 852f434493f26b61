//! The templates' variables: plain structs made from the model for one page,
//! serialized for Tera (documented in `templates/README.md`).

use serde::Serialize;

use crate::content::Kind;
use crate::content::date::PartialDate;
use crate::markdown::{Heading, Note};
use crate::model::Name;

#[derive(Serialize)]
pub(in crate::render) struct SiteView<'a> {
    pub(super) title: &'a str,
    pub(super) description: &'a str,
    pub(super) language: &'a str,
    pub(super) base_url: Option<String>,
    pub(super) repository: Option<&'a str>,
    pub(super) generator: &'static str,
}

#[derive(Serialize, Clone)]
pub(in crate::render) struct NavItem {
    pub(super) title: &'static str,
    pub(super) url: String,
    pub(super) count: usize,
    pub(super) key: &'static str,
}

#[derive(Serialize, Clone)]
pub(in crate::render) struct EntryRef<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) url: String,
    pub(super) kind: Kind,
    pub(super) kind_name: &'static str,
    pub(super) summary: &'a str,
    pub(super) date: PartialDate,
    pub(super) end: Option<PartialDate>,
}

#[derive(Serialize)]
pub(in crate::render) struct Fact {
    pub(super) label: &'static str,
    pub(super) value: String,
}

#[derive(Serialize)]
pub(in crate::render) struct ClaimView<'a> {
    pub(super) date: Option<PartialDate>,
    pub(super) place: Option<&'a str>,
    pub(super) note_html: &'a str,
    pub(super) cite_html: &'a str,
}

#[derive(Serialize)]
pub(in crate::render) struct EventView<'a> {
    pub(super) anchor: &'a str,
    pub(super) date: PartialDate,
    pub(super) title: &'a str,
    pub(super) place: Option<&'a str>,
    pub(super) participants: String,
    pub(super) note_html: &'a str,
    pub(super) cite_html: &'a str,
    pub(super) disputed: Vec<ClaimView<'a>>,
}

#[derive(Serialize)]
pub(in crate::render) struct GroupView<'a> {
    pub(super) label: &'a str,
    /// The relation's name in `site.yaml`.
    pub(super) relation: &'a str,
    /// Declared by this entry (`Follows`), not by the others (`Followed by`).
    pub(super) declared_here: bool,
    pub(super) entries: Vec<EntryRef<'a>>,
}

#[derive(Serialize)]
pub(in crate::render) struct BibItem<'a> {
    pub(super) key: &'a str,
    pub(super) html: &'a str,
}

#[derive(Serialize)]
pub(in crate::render) struct TagRef {
    pub(super) name: String,
    pub(super) slug: String,
    pub(super) url: String,
    pub(super) count: usize,
}

#[derive(Serialize)]
pub(in crate::render) struct EntryView<'a> {
    pub(super) id: &'a str,
    pub(super) kind: Kind,
    pub(super) kind_name: &'static str,
    pub(super) kind_title: &'static str,
    pub(super) kind_url: String,
    pub(super) title: &'a str,
    pub(super) summary: &'a str,
    pub(super) aliases: &'a [Name],
    pub(super) tags: Vec<TagRef>,
    pub(super) date: PartialDate,
    pub(super) end: Option<PartialDate>,
    pub(super) facts: Vec<Fact>,
    pub(super) body_html: String,
    pub(super) headings: &'a [Heading],
    pub(super) events: Vec<EventView<'a>>,
    pub(super) connections: Vec<GroupView<'a>>,
    /// The picture of the connections (SVG), if there are any.
    pub(super) neighbourhood_svg: Option<String>,
    pub(super) mentioned_in: Vec<EntryRef<'a>>,
    pub(super) notes: &'a [Note],
    pub(super) bibliography: Vec<BibItem<'a>>,
    pub(super) edit_url: Option<String>,
    pub(super) source_path: String,
    pub(super) last_changed: Option<&'a str>,
    pub(super) cite_chicago: String,
    pub(super) cite_bibtex: String,
}

#[derive(Serialize)]
pub(in crate::render) struct ChronoEvent<'a> {
    pub(super) year: i32,
    /// The entry's tag slugs, space-separated, for the filter.
    pub(super) tags: String,
    pub(super) date: PartialDate,
    pub(super) title: &'a str,
    pub(super) place: Option<&'a str>,
    pub(super) entry_title: &'a str,
    pub(super) entry_id: &'a str,
    pub(super) url: String,
    pub(super) kind: Kind,
    pub(super) kind_name: &'static str,
    pub(super) disputed: bool,
    pub(super) dispute_summary: String,
    pub(super) citation_html: String,
}

#[derive(Serialize)]
pub(in crate::render) struct YearView<'a> {
    pub(super) year: i32,
    pub(super) url: String,
    pub(super) count: usize,
    pub(super) mechanisms: usize,
    pub(super) exercises: usize,
    pub(super) declarations: usize,
    pub(super) topics: usize,
    pub(super) events: Vec<ChronoEvent<'a>>,
}

/// One page of a list split into pages: what a pager shows of it.
#[derive(Serialize)]
pub(in crate::render) struct PageLink {
    pub(super) number: usize,
    pub(super) url: String,
    /// The dates of the page's first and last item.
    pub(super) from: String,
    pub(super) to: String,
    pub(super) current: bool,
}

/// The pager of `items` in pages of `size`, page `current` (from 1) shown:
/// a link per page, named by the dates it spans (`date` of its first and
/// last item); empty when everything fits on one page.
pub(in crate::render) fn pager<T>(
    items: &[T],
    size: usize,
    current: usize,
    url: impl Fn(usize) -> String,
    date: impl Fn(&T) -> String,
) -> Vec<PageLink> {
    if items.len() <= size {
        return Vec::new();
    }
    items
        .chunks(size)
        .enumerate()
        .map(|(k, chunk)| PageLink {
            number: k + 1,
            url: url(k + 1),
            from: date(&chunk[0]),
            to: date(&chunk[chunk.len() - 1]),
            current: k + 1 == current,
        })
        .collect()
}
