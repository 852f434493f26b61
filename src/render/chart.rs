//! The chronology chart: an SVG bar chart of events per year, stacked by kind,
//! generated at build time. Each year links to its chronology page; the SVG
//! carries a title and description for screen readers, and the pages show
//! the same numbers in a table beside it.

use std::fmt::Write as _;

use crate::content::Kind;
use crate::model::derive::Year;

const BAR: usize = 14;
const GAP: usize = 4;
const HEIGHT: usize = 160;
const LEFT: usize = 28;
const BOTTOM: usize = 22;
const TOP: usize = 8;

/// The SVG for `years`; links are relative to `root` (the page's way to the site root).
/// `id` prefixes the ids of the title and description, unique on the page.
pub fn svg(years: &[Year], root: &str, id: &str) -> String {
    let max = years.iter().map(|y| y.by_kind.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let width = LEFT + years.len() * (BAR + GAP) + GAP;
    let total: usize = years.iter().map(|y| y.by_kind.iter().sum::<usize>()).sum();
    let (first, last) = (years.first().map_or(0, |y| y.year), years.last().map_or(0, |y| y.year));
    let busiest = years.iter().max_by_key(|y| (y.by_kind.iter().sum::<usize>(), -y.year));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="group" aria-labelledby="{id}-title" aria-describedby="{id}-desc" xmlns="http://www.w3.org/2000/svg">"#,
        h = HEIGHT + BOTTOM + TOP
    );
    let _ = write!(s, r#"<title id="{id}-title">Events per year, {first}–{last}, by kind</title>"#);
    let _ = write!(
        s,
        r#"<desc id="{id}-desc">A bar chart of {total} dated events from {first} to {last}, stacked by kind (mechanisms, exercises, declarations, topics).{}</desc>"#,
        busiest.map_or(String::new(), |y| format!(
            " The busiest year is {} with {} events.",
            y.year,
            y.by_kind.iter().sum::<usize>()
        ))
    );
    // Axis and gridlines at round numbers.
    let step = nice_step(max);
    let mut v = 0;
    while v <= max {
        let y = TOP + HEIGHT - v * HEIGHT / max;
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT}" x2="{width}" y1="{y}" y2="{y}"/><text class="tick" x="{}" y="{}" text-anchor="end">{v}</text>"#,
            LEFT - 4,
            y + 4
        );
        v += step;
    }
    let label_every = if years.len() > 30 {
        10
    } else if years.len() > 12 {
        5
    } else {
        1
    };
    for (i, y) in years.iter().enumerate() {
        let x = LEFT + GAP + i * (BAR + GAP);
        let sum: usize = y.by_kind.iter().sum();
        let parts: Vec<String> = Kind::ALL
            .iter()
            .zip(y.by_kind)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{n} {}", if n == 1 { k.name().to_string() } else { k.folder().to_string() }))
            .collect();
        let tip = if sum == 0 {
            format!("{}: no events", y.year)
        } else {
            format!("{}: {sum} ({})", y.year, parts.join(", "))
        };
        if sum > 0 {
            let _ =
                write!(s, r#"<a href="{root}{}" aria-label="{tip}"><title>{tip}</title>"#, crate::urls::year(y.year));
        } else {
            let _ = write!(s, "<g><title>{tip}</title>");
        }
        let mut base = TOP + HEIGHT;
        for (k, n) in Kind::ALL.iter().zip(y.by_kind) {
            if n == 0 {
                continue;
            }
            let h = n * HEIGHT / max;
            base -= h;
            let _ = write!(s, r#"<rect class="bar {}" x="{x}" y="{base}" width="{BAR}" height="{h}"/>"#, k.name());
        }
        if sum == 0 {
            let _ = write!(s, r#"<rect class="bar empty" x="{x}" y="{}" width="{BAR}" height="1"/>"#, TOP + HEIGHT - 1);
        }
        s.push_str(if sum > 0 { "</a>" } else { "</g>" });
        if y.year % label_every == 0 || label_every == 1 {
            let _ = write!(
                s,
                r#"<text class="year" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                x + BAR / 2,
                TOP + HEIGHT + 15,
                if label_every == 1 { format!("’{:02}", y.year % 100) } else { y.year.to_string() }
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn nice_step(max: usize) -> usize {
    match max {
        0..=5 => 1,
        6..=10 => 2,
        11..=25 => 5,
        26..=50 => 10,
        _ => (max / 5).next_power_of_two(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_stacked_and_linked() {
        let years = vec![
            Year { year: 2015, items: vec![], by_kind: [1, 2, 0, 0] },
            Year { year: 2016, items: vec![], by_kind: [0, 0, 0, 0] },
        ];
        let s = svg(&years, "../", "c");
        assert!(s.contains(r#"href="../chronology/2015.html""#));
        assert!(!s.contains("chronology/2016.html"));
        assert_eq!(s.matches("class=\"bar mechanism\"").count(), 1);
        assert_eq!(s.matches("class=\"bar exercise\"").count(), 1);
        assert!(s.contains("2015: 3 (1 mechanism, 2 exercises)"));
        assert!(s.contains(r#"role="group" aria-labelledby="c-title" aria-describedby="c-desc""#));
    }
}
