//! Stage 6: the whole-handbook files (data downloads, the search index) and
//! writing the site to disk.

pub mod data;
pub mod search;
pub mod write;
