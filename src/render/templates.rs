//! The Tera templates: the built-in theme's, overridden by the handbook's own
//! `templates/*.html`; a template error as a diagnostic at its line and column.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};

/// Each template's file and text, by template name, to point at an error.
pub type TemplateSources = HashMap<String, (PathBuf, String)>;

/// Loads the templates: the defaults, overridden by `dir/*.html` if present.
pub fn load_templates(dir: &Path, diagnostics: &mut Diagnostics) -> Option<(Tera, TemplateSources)> {
    let mut sources: BTreeMap<String, (PathBuf, String)> = crate::theme::TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), (PathBuf::from("templates").join(name), text.to_string())))
        .collect();
    if dir.is_dir() {
        let mut ds = Diagnostics::new();
        for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let Ok(item) = item else { continue };
            let path = item.path();
            if !item.file_type().is_file() || path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let name = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
            if let Some(file) = crate::content::load::read_text(path, &mut ds) {
                sources.insert(name, (path.to_path_buf(), file.text));
            }
        }
        if ds.has_errors() {
            diagnostics.extend(ds);
            return None;
        }
    }
    let mut tera = Tera::new();
    let files: Vec<(String, String)> = sources.iter().map(|(n, (_, t))| (n.clone(), t.clone())).collect();
    if let Err(e) = tera.add_raw_templates(files) {
        diagnostics.push(template_error(&e, &sources.clone().into_iter().collect()));
        return None;
    }
    Some((tera, sources.into_iter().collect()))
}

/// A Tera error as a diagnostic at the template's line and column.
pub(super) fn template_error(e: &tera::Error, sources: &TemplateSources) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    match report.and_then(|r| sources.get(r.filename()).map(|s| (r, s))) {
        Some((r, (path, text))) => {
            Diagnostic::error(path, text, r.span().range.clone(), format!("template error: {}", r.message()))
                .with_hint("fix the template; variables available to each template are listed in templates/README.md")
        }
        None => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            Diagnostic::file(Severity::Error, "templates", format!("template error: {message}"))
        }
    }
}
