//! `handbook` compiles a folder of Markdown entries with YAML front matter
//! into a cited, cross-linked reference handbook with chronology pages.
//!
//! The build is a pipeline, one module per stage:
//!
//! 1. [`load`]: walk `content/`, read each file once.
//! 2. [`front_matter`], [`markdown`]: parse front matter into typed structs; render Markdown with notes, citations and cross-links.
//! 3. [`model`]: entries, ids, dates, relations and citations, checked.
//! 4. [`derive`]: backlinks, inverse relations, the chronology, tags, sources.
//! 5. [`render`]: Tera templates turn the model into pages.
//! 6. [`write`]: pages go to a temporary folder that replaces the output only when all is well.
//!
//! Problems are [`diagnostic::Diagnostic`]s, collected through every stage and
//! printed by the CLI.

pub mod build;
pub mod chart;
pub mod citation_cache;
pub mod cite;
pub mod data;
pub mod date;
pub mod derive;
pub mod diagnostic;
pub mod front_matter;
pub mod highlight;
pub mod history;
pub mod load;
pub mod markdown;
pub mod model;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod session;
pub mod site;
pub mod url;
pub mod watch;
pub mod write;
pub mod yaml_index;
