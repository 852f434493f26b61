//! hayagriva's output as HTML: every piece of text and every URL escaped,
//! semantic tags instead of inline styles.

use std::fmt::Write as _;

use hayagriva::ElemChild;
use hayagriva::ElemChildren;
use hayagriva::citationberg::{FontStyle, FontVariant, FontWeight, TextDecoration, VerticalAlign};

use super::locator::LOCATOR_SLOT;
use crate::html::escape;

/// Writes hayagriva's output as HTML, escaping all text and URLs, with
/// semantic tags instead of inline styles.
pub(super) fn to_html(children: &ElemChildren) -> String {
    let mut out = String::new();
    write_children(&mut out, children);
    out
}

fn write_children(out: &mut String, children: &ElemChildren) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => write_formatted(out, &t.text, &t.formatting),
            ElemChild::Elem(e) => write_children(out, &e.children),
            ElemChild::Markup(m) => out.push_str(&escape(m)),
            ElemChild::Link { text, url } => {
                let safe = url.starts_with("https://") || url.starts_with("http://");
                if safe {
                    let _ = write!(out, "<a href=\"{}\">", escape(url));
                    write_formatted(out, &text.text, &text.formatting);
                    out.push_str("</a>");
                } else {
                    write_formatted(out, &text.text, &text.formatting);
                }
            }
            ElemChild::Transparent { .. } => out.push(LOCATOR_SLOT),
        }
    }
}

fn write_formatted(out: &mut String, text: &str, f: &hayagriva::Formatting) {
    let mut tags: Vec<(&str, &str)> = Vec::new();
    if f.font_style == FontStyle::Italic {
        tags.push(("<i>", "</i>"));
    }
    if f.font_weight == FontWeight::Bold {
        tags.push(("<b>", "</b>"));
    }
    if f.font_variant == FontVariant::SmallCaps {
        tags.push(("<span class=\"small-caps\">", "</span>"));
    }
    if f.text_decoration == TextDecoration::Underline {
        tags.push(("<u>", "</u>"));
    }
    match f.vertical_align {
        VerticalAlign::Sup => tags.push(("<sup>", "</sup>")),
        VerticalAlign::Sub => tags.push(("<sub>", "</sub>")),
        _ => {}
    }
    for (open, _) in &tags {
        out.push_str(open);
    }
    out.push_str(&escape(text));
    for (_, close) in tags.iter().rev() {
        out.push_str(close);
    }
}
