//! The built-in theme, compiled into the binary: the Tera templates, the
//! static files every site gets, and the archetypes `handbook new` starts
//! entries from. The files live in the repository's `templates/` and
//! `static/` folders; a handbook overrides any of them with a file of the
//! same name in its own `templates/`, `static/` or `templates/archetypes/`.

/// The templates every site has, compiled into the binary; a site overrides
/// any of them with a file of the same name in its `templates/` folder.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("events_table.html", include_str!("../templates/events_table.html")),
    ("notes.html", include_str!("../templates/notes.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("kind.html", include_str!("../templates/kind.html")),
    ("pager.html", include_str!("../templates/pager.html")),
    ("entry.html", include_str!("../templates/entry.html")),
    ("chronology.html", include_str!("../templates/chronology.html")),
    ("timeline_key.html", include_str!("../templates/timeline_key.html")),
    ("year.html", include_str!("../templates/year.html")),
    ("sources.html", include_str!("../templates/sources.html")),
    ("tags.html", include_str!("../templates/tags.html")),
    ("tag.html", include_str!("../templates/tag.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("print.html", include_str!("../templates/print.html")),
    ("search.html", include_str!("../templates/search.html")),
];

/// One of the text face's files, by its subset and style.
macro_rules! FONT {
    ($name:literal) => {
        (
            concat!("fonts/source-serif-4-", $name, ".woff2"),
            include_bytes!(concat!("../static/fonts/source-serif-4-", $name, ".woff2")),
        )
    };
}

/// Static files every site gets unless its `static/` has its own version.
pub const STATIC_FILES: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../static/style.css")),
    ("handbook.js", include_bytes!("../static/handbook.js")),
    // Source Serif 4 (SIL Open Font License 1.1, from the npm package
    // @fontsource-variable/source-serif-4 5.3.1): the variable weight axis,
    // upright and italic, in the Latin, Latin Extended, Cyrillic and Greek
    // subsets; a browser fetches only the subsets a page's text uses.
    ("fonts/OFL.txt", include_bytes!("../static/fonts/OFL.txt")),
    FONT!("latin-wght-normal"),
    FONT!("latin-wght-italic"),
    FONT!("latin-ext-wght-normal"),
    FONT!("latin-ext-wght-italic"),
    FONT!("cyrillic-wght-normal"),
    FONT!("cyrillic-wght-italic"),
    FONT!("greek-wght-normal"),
    FONT!("greek-wght-italic"),
];

/// The archetype of each kind of entry, by the kind's name.
pub const ARCHETYPES: &[(&str, &str)] = &[
    ("mechanism", include_str!("../templates/archetypes/mechanism.md")),
    ("exercise", include_str!("../templates/archetypes/exercise.md")),
    ("declaration", include_str!("../templates/archetypes/declaration.md")),
    ("topic", include_str!("../templates/archetypes/topic.md")),
];

/// The built-in archetype of the kind named `kind`.
pub fn archetype(kind: &str) -> Option<&'static str> {
    ARCHETYPES.iter().find(|(k, _)| *k == kind).map(|(_, text)| *text)
}
