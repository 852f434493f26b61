//! Stage 1: the handbook's sources as read from disk: the files, their
//! front matter, the site settings, dates, and the schema of the format.

pub mod date;
pub mod fields;
pub mod front_matter;
pub mod history;
pub mod kind;
pub mod load;
pub mod scaffold;
pub mod schema;
pub mod site;
pub mod slug;
pub mod url;
mod yaml_errors;
pub mod yaml_index;

pub use kind::Kind;
pub use load::{EntryFile, Loaded, SourceFile};
