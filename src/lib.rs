//! `handbook` compiles a folder of Markdown entries with YAML front matter
//! into a cited, cross-linked reference handbook with chronology pages.
//!
//! The build is a pipeline; each stage is a module that owns its types and
//! uses only the stages before it:
//!
//! 1. [`content`]: walk `content/`, read each file once; front matter, site
//!    settings, dates, slugs and the schema of the format.
//! 2. [`cite`]: citation syntax, the bibliography, notes rendered by hayagriva.
//! 3. [`markdown`]: Markdown to HTML, with notes, citations and cross-links.
//! 4. [`model`]: the checked handbook (entries, events, relations) and what
//!    is derived from it (backlinks, inverse relations, the chronology).
//! 5. [`render`]: Tera templates turn the model into pages.
//! 6. [`output`]: the whole-handbook files (data downloads, search index) and
//!    writing the site to disk.
//!
//! No stage imports a later one. Below them all: [`diagnostic`] (problems as
//! data, with positions, collected through every stage and printed by the
//! CLI), [`html`] (escaping), [`urls`] (every output path), [`theme`] (the
//! built-in templates, static files and archetypes) and [`timings`]. Above
//! them: [`pipeline`] runs the stages in order for `handbook build` and
//! `check`, and makes the whole-handbook files for both `build` and `serve`;
//! [`serve`] keeps a site in memory for `handbook serve`.

pub mod cite;
pub mod content;
pub mod diagnostic;
pub mod html;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod serve;
pub mod theme;
pub mod timings;
pub mod urls;
