//! Site settings: `content/site.yaml`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::content::front_matter::{deserialize_at, index_yaml};
use crate::content::load::SourceFile;
use crate::content::yaml_index::YamlIndex;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};

/// The labels of one typed relation.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RelationLabels {
    /// Shown on the page of the entry that declares the relation ("Part of").
    pub label: String,
    /// Shown on the target's page ("Includes", "Declarations adopted here").
    pub inverse: String,
    /// A symmetric relation is listed under `label` on both pages.
    #[serde(default)]
    pub symmetric: bool,
}

/// Everything `site.yaml` may hold.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The handbook's title.
    pub title: String,
    /// One or two sentences about the handbook, for the home page and search engines.
    #[serde(default)]
    pub description: String,
    /// Where the site is published, e.g. `https://example.org/handbook/`. Pages
    /// link relatively and do not need it; the feed, the sitemap and canonical
    /// links do.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The language of the text (BCP 47), e.g. `en`.
    #[serde(default = "default_language")]
    pub language: String,
    /// A CSL style bundled with hayagriva, e.g. `chicago-notes`.
    #[serde(default = "default_style")]
    pub citation_style: String,
    /// The repository, for "Edit this page" links, e.g. `https://github.com/owner/repo`.
    #[serde(default)]
    pub repository: Option<String>,
    /// The branch that "Edit this page" links open.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// Who edits the handbook, for the feed and "Cite this entry".
    #[serde(default)]
    pub editor: Option<String>,
    /// The typed relations entries may declare, by name.
    #[serde(default = "default_relations")]
    pub relations: BTreeMap<String, RelationLabels>,
    /// What becomes of HTML written into an entry's Markdown: `reject` (the
    /// default: it is an error, so nothing a pull request smuggles in is
    /// published) or `sanitize` (for a handbook whose authors are all
    /// trusted: kept, but cleaned by an allow-list sanitizer, so script,
    /// event handlers, styles and unsafe links are still removed).
    #[serde(default)]
    pub raw_html: RawHtml,
    /// How citations become notes: `shared` (the default: a citation of the
    /// same sources at the same places as an earlier one on the page reuses
    /// its note, and citations side by side make one note, as a well-edited
    /// reference work has it) or `separate` (every citation a note of its own).
    #[serde(default)]
    pub citation_notes: CitationNotes,
}

/// The note policy for citations (`citation_notes` in `site.yaml`).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CitationNotes {
    /// One note per source and place on a page; side-by-side citations in one note.
    #[default]
    Shared,
    /// Every citation a note of its own.
    Separate,
}

/// The policy for raw HTML in Markdown (`raw_html` in `site.yaml`).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Raw HTML is an error at its position (comments are dropped).
    #[default]
    Reject,
    /// Raw HTML is kept and the page's Markdown output is sanitized.
    Sanitize,
}

fn default_language() -> String {
    "en".into()
}
fn default_style() -> String {
    "chicago-notes".into()
}
fn default_branch() -> String {
    "main".into()
}

/// The relations a handbook has when `site.yaml` names none.
pub fn default_relations() -> BTreeMap<String, RelationLabels> {
    let r = |label: &str, inverse: &str, symmetric: bool| RelationLabels {
        label: label.into(),
        inverse: inverse.into(),
        symmetric,
    };
    BTreeMap::from([
        ("part_of".into(), r("Part of", "Includes", false)),
        ("established_by".into(), r("Established by", "Established", false)),
        ("follows".into(), r("Follows", "Followed by", false)),
        ("adopted_at".into(), r("Adopted at", "Declarations adopted here", false)),
        ("planned_by".into(), r("Planned through", "Exercises planned here", false)),
        ("framed_by".into(), r("Framed by", "Frames", false)),
        ("related".into(), r("Related", "Related", true)),
    ])
}

impl SiteConfig {
    /// Reads `site.yaml`; None (with diagnostics) when it is missing or invalid.
    pub fn load(
        source: Option<&SourceFile>,
        content_dir: &std::path::Path,
        diagnostics: &mut Diagnostics,
    ) -> Option<(SiteConfig, YamlIndex)> {
        let Some(source) = source else {
            diagnostics.push(
                Diagnostic::file(Severity::Error, content_dir.join("site.yaml"), "site.yaml is missing")
                    .with_hint("create content/site.yaml with at least `title: …` (see docs/content-format.md)"),
            );
            return None;
        };
        let errors = diagnostics.error_count();
        let index = index_yaml(source, &source.text, 0, diagnostics)?;
        let config: Option<SiteConfig> = deserialize_at(source, &source.text, 0, diagnostics);
        // A control character is reported by the index, but the YAML parses.
        let config = config.filter(|_| diagnostics.error_count() == errors)?;
        let mut ok = true;
        if let Some(url) = &config.base_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            ok = false;
            diagnostics.push(
                source
                    .error(index.value("base_url"), "base_url must be an absolute http(s) URL")
                    .with_hint("e.g. base_url: https://example.org/handbook/"),
            );
        }
        if let Some(url) = &config.repository
            && !url.starts_with("https://")
        {
            ok = false;
            diagnostics.push(
                source
                    .error(index.value("repository"), "repository must be an https URL")
                    .with_hint("e.g. repository: https://github.com/owner/repo"),
            );
        }
        for name in config.relations.keys() {
            if !crate::content::slug::is_slug(&name.replace('_', "-")) {
                ok = false;
                diagnostics.push(
                    source
                        .error(
                            index.key(&format!("relations.{name}")),
                            format!("relation name `{name}` is not a lowercase identifier"),
                        )
                        .with_hint("use lowercase letters, digits and underscores, e.g. part_of"),
                );
            }
        }
        ok.then_some((config, index))
    }

    /// `base_url` with exactly one trailing slash, if set.
    pub fn base(&self) -> Option<String> {
        self.base_url.as_ref().map(|u| format!("{}/", u.trim_end_matches('/')))
    }
}
