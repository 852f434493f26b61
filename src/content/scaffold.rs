//! `handbook new`: a new entry from its kind's archetype.
//!
//! Archetypes are Tera templates (`templates/archetypes/<kind>.md`, with
//! copies compiled into the binary) holding every front-matter field, most
//! commented out with an explanation, and a citation example.

use std::path::{Path, PathBuf};

use crate::content::Kind;
use crate::content::slug::slugify;

/// Why an entry could not be created.
#[derive(Debug)]
pub enum NewError {
    /// The title has no letters or digits to make a file name from.
    NoSlug,
    /// The id given with `--id` is not a slug.
    BadId(String),
    /// The title makes an id that is taken by a page of the site (`index`).
    Reserved(String),
    /// The file exists; nothing was written.
    Exists(PathBuf),
    /// The archetype does not render.
    Template(String),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for NewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewError::NoSlug => {
                write!(f, "the title has no letters or digits to make a file name from; give one with --id")
            }
            NewError::BadId(id) => write!(
                f,
                "`{id}` is not an id: use lowercase ASCII letters, digits and single hyphens, e.g. joint-sea-2016"
            ),
            NewError::Reserved(id) => {
                write!(
                    f,
                    "the title makes the id `{id}`, which is taken by the kind's list page; choose a longer title"
                )
            }
            NewError::Exists(p) => {
                write!(f, "{} already exists; nothing was written (edit it, or choose another title)", p.display())
            }
            NewError::Template(e) => write!(f, "the archetype does not render: {e}"),
            NewError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

/// Writes `content/<kind>s/<slug>.md` under `root` for an entry titled
/// `title`, dated `year`; returns its path.
pub fn new_entry(root: &Path, kind: Kind, title: &str, id: Option<&str>, year: i32) -> Result<PathBuf, NewError> {
    let slug = match id {
        Some(id) if crate::content::slug::is_slug(id) => id.to_string(),
        Some(id) => return Err(NewError::BadId(id.to_string())),
        None => slugify(title),
    };
    if slug.is_empty() {
        return Err(NewError::NoSlug);
    }
    if crate::content::slug::RESERVED_ENTRY_IDS.contains(&slug.as_str()) {
        return Err(NewError::Reserved(slug));
    }
    let folder = root.join("content").join(kind.folder());
    let path = folder.join(format!("{slug}.md"));
    let custom = root.join("templates/archetypes").join(format!("{}.md", kind.name()));
    let archetype = match std::fs::read_to_string(&custom) {
        Ok(text) => text,
        Err(_) => crate::theme::archetype(kind.name()).unwrap_or_default().to_string(),
    };
    let quoted = serde_json::to_string(title).expect("strings serialise");
    let mut ctx = tera::Context::new();
    ctx.insert("title", &quoted);
    ctx.insert("title_escaped", &quoted[1..quoted.len() - 1]);
    ctx.insert("title_plain", title);
    // In the Markdown text, characters Markdown would read as markup are escaped.
    let markdown: String =
        title.chars().flat_map(|c| if "\\`*_[]<>|~".contains(c) { vec!['\\', c] } else { vec![c] }).collect();
    ctx.insert("title_markdown", &markdown);
    ctx.insert("year", &year);
    ctx.insert("kind", kind.name());
    ctx.insert("id", &slug);
    let text = tera::Tera::one_off(&archetype, &ctx, false).map_err(|e| NewError::Template(e.to_string()))?;
    std::fs::create_dir_all(&folder).map_err(|e| NewError::Io(folder.clone(), e))?;
    // `create_new` refuses to overwrite, even if the file appears meanwhile.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            NewError::Exists(path.clone())
        } else {
            NewError::Io(path.clone(), e)
        }
    })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| NewError::Io(path.clone(), e))?;
    Ok(path)
}

/// The current year, for the archetype's date.
pub fn current_year() -> i32 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // Days since 1970 to a civil year (Howard Hinnant's algorithm, year part only).
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2)) as i32
}
