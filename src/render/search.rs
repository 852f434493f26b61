//! The search page: `search.html?q=…` shows a query's results at an
//! address that can be linked to and bookmarked. The page is the same for
//! every query; `static/handbook.js` reads the query and searches.

use super::{Page, Renderer};
use crate::diagnostic::Diagnostics;
use crate::urls;

impl<'a> Renderer<'a> {
    /// The search page.
    pub(super) fn search_page(&self, ds: &mut Diagnostics) -> Option<Page> {
        let path = urls::SEARCH;
        let ctx = self.context(path, "Search", "Search the handbook's entries, events and names.", "search");
        self.render("search.html", path, &ctx, ds)
    }
}
