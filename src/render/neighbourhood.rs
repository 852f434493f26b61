//! A small picture of an entry's neighbourhood, at the top of its
//! Connections: the entry in the middle, the entries it relates to on its
//! right, those that relate to it on its left, each group under its
//! relation's label, every box a link. It is drawn at build time (no
//! script); the list of connections below it says the same in words, so the
//! picture is hidden from assistive technology and its links from the tab
//! order. On a phone, where boxes this size would not fit, the stylesheet
//! leaves it out and the list alone remains.

use std::fmt::Write as _;

use super::views::GroupView;
use crate::html::escape;

const WIDTH: usize = 720;
const BOX_WIDTH: usize = 232;
const CENTRE_WIDTH: usize = 196;
const ROW: usize = 44;
const BOX_HEIGHT: usize = 38;
const LINE: usize = 15;
const LABEL: usize = 20;
const PAD: usize = 8;
/// Characters of a title that fit on a line of a box, and of the middle box
/// (set bold); a title takes two lines at most, the rest ends in an
/// ellipsis, and the whole title is the box's tooltip.
const FIT: usize = 31;
const FIT_CENTRE: usize = 24;

/// One side of the picture, laid out: (y of each group's label, label), and
/// (y, url, title, kind) of each box.
struct Side<'g> {
    labels: Vec<(usize, &'g str)>,
    boxes: Vec<(usize, &'g str, &'g str, &'g str)>,
    height: usize,
}

fn layout<'g>(groups: &[&'g GroupView<'g>]) -> Side<'g> {
    let mut y = PAD;
    let mut side = Side { labels: Vec::new(), boxes: Vec::new(), height: 0 };
    for g in groups {
        side.labels.push((y + LABEL - 6, g.label));
        y += LABEL;
        for e in &g.entries {
            side.boxes.push((y, e.url.as_str(), e.title, e.kind_name));
            y += ROW;
        }
        y += PAD / 2;
    }
    side.height = y + PAD;
    side
}

/// `title` in at most two lines of `width` characters, broken between words.
fn lines(title: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in title.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if line.is_empty() || line.chars().count() + 1 + word.chars().count() <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else {
            lines.push(word.to_string());
        }
    }
    if lines.len() > 2 || lines.iter().any(|l| l.chars().count() > width) {
        lines.truncate(2);
        let last = lines.last_mut().expect("two lines");
        let cut: String = last.chars().take(width - 1).collect();
        *last = format!("{}…", cut.trim_end());
    }
    lines
}

/// The `<text>` of a box: the title's lines, centred on `y`.
fn text(x: usize, y: usize, anchor: &str, title: &str, width: usize) -> String {
    let lines = lines(title, width);
    let first = y + 4 - (lines.len() - 1) * LINE / 2;
    let mut s = format!(r#"<text x="{x}" y="{first}" text-anchor="{anchor}"><title>{}</title>"#, escape(title));
    for (i, line) in lines.iter().enumerate() {
        let dy = if i == 0 { 0 } else { LINE };
        let _ = write!(s, r#"<tspan x="{x}" dy="{dy}">{}</tspan>"#, escape(line));
    }
    s.push_str("</text>");
    s
}

/// The SVG for the entry titled `title` (of kind `kind`) with these groups
/// of connections; None when it has none.
pub(super) fn svg(title: &str, kind: &str, groups: &[GroupView]) -> Option<String> {
    if groups.is_empty() {
        return None;
    }
    let right: Vec<&GroupView> = groups.iter().filter(|g| g.declared_here).collect();
    let left: Vec<&GroupView> = groups.iter().filter(|g| !g.declared_here).collect();
    let (left, right) = (layout(&left), layout(&right));
    let height = left.height.max(right.height).max(BOX_HEIGHT + 2 * PAD + LABEL);
    // The entry in the middle, or nearer the empty side when one side is empty.
    let centre_x = match (left.boxes.is_empty(), right.boxes.is_empty()) {
        (true, false) => PAD + BOX_WIDTH / 3,
        (false, true) => WIDTH - CENTRE_WIDTH - PAD - BOX_WIDTH / 3,
        _ => (WIDTH - CENTRE_WIDTH) / 2,
    };
    let centre_y = height / 2 - BOX_HEIGHT / 2;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="neighbourhood" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" aria-hidden="true">"#
    );
    // The lines first, under the boxes.
    for (side, x_edge) in [(&left, BOX_WIDTH + PAD), (&right, WIDTH - BOX_WIDTH - PAD)] {
        let from_x = if x_edge < centre_x { centre_x } else { centre_x + CENTRE_WIDTH };
        for (y, ..) in &side.boxes {
            let _ = write!(
                s,
                r#"<line x1="{from_x}" y1="{}" x2="{x_edge}" y2="{}"/>"#,
                centre_y + BOX_HEIGHT / 2,
                y + BOX_HEIGHT / 2
            );
        }
    }
    let _ = write!(
        s,
        r#"<g class="node centre kind-{kind}"><rect x="{centre_x}" y="{centre_y}" width="{CENTRE_WIDTH}" height="{BOX_HEIGHT}" rx="4"/>{}</g>"#,
        text(centre_x + CENTRE_WIDTH / 2, centre_y + BOX_HEIGHT / 2, "middle", title, FIT_CENTRE)
    );
    for (side, x, anchor) in [(&left, PAD, "start"), (&right, WIDTH - BOX_WIDTH - PAD, "start")] {
        for (y, label) in &side.labels {
            let _ =
                write!(s, r#"<text class="relation" x="{x}" y="{y}" text-anchor="{anchor}">{}</text>"#, escape(label));
        }
        for (y, url, title, kind) in &side.boxes {
            let _ = write!(
                s,
                r#"<a href="{}" tabindex="-1" class="node kind-{kind}"><rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="4"/>{}</a>"#,
                escape(url),
                text(x + 8, y + BOX_HEIGHT / 2, "start", title, FIT)
            );
        }
    }
    s.push_str("</svg>");
    Some(s)
}
