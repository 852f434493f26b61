//! What every renderer produces: one output file, by its path.

/// One output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    pub content: Vec<u8>,
}
