//! Stage 3: the handbook as checked data.
//!
//! Turns loaded files into [`Entry`] values: ids, partial dates, events with
//! their anchors, typed relations, citations and rendered Markdown, all
//! checked. Problems are reported with their positions; an entry with errors
//! is still kept where possible so later checks (links to it, for instance)
//! do not cascade into noise.

mod anchors;
mod check;
pub mod derive;
pub mod entry;
mod relations;
mod update;
pub mod workspace;

pub use entry::{Citation, Claim, Details, Entries, Entry, Event, Handbook, Home, Name};
pub use workspace::{ModelOptions, Updated, Workspace, from_loaded};
