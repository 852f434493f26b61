//! Stage 1: the handbook's sources as read from disk: the files, their
//! front matter, the site settings, dates, and the schema of the format.

pub mod date;
pub mod front_matter;
pub mod history;
pub mod load;
pub mod scaffold;
pub mod schema;
pub mod site;
pub mod url;
pub mod yaml_index;
