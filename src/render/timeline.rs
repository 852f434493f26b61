//! The timeline: one SVG, generated at build time, in which each entry is a
//! lane on a common axis, grouped by kind. A mechanism is a bar from its
//! establishment through its meetings, an exercise series a mark for each
//! iteration, a declaration a point, a topic a thin line with its events;
//! every mark links to its event's anchor, and a date other sources give
//! differently is drawn as a dashed range behind a dashed mark.
//!
//! When there are too many lanes to read ([`MAX_LANES`]), the chronology
//! shows a summary instead: one lane per kind and per tag, a bar per year
//! linking to the year's page, where the full lanes are.
//!
//! The SVG reads without JavaScript (every mark is a link with a `<title>`,
//! the whole has a title and a description); `handbook.js` narrows and
//! re-lays it out for the chronology filter from the `data-` attributes:
//! `data-from`/`data-to` (fractional years) on every shape, `data-kind`,
//! `data-entry` and `data-tags` on lanes, and the plot's geometry on the
//! `<svg>`. The layout rules here and in the script must agree.

use std::fmt::Write as _;

use crate::content::Kind;
use crate::content::date::{MONTHS, PartialDate};
use crate::html::escape;

/// The chronology page draws every lane up to this many; above, a summary.
pub(super) const MAX_LANES: usize = 80;

/// Width of the drawing, in SVG units (pixels at natural size).
const WIDTH: f64 = 960.0;
/// Where the plot starts: lane labels are right-aligned before it.
const PLOT_X: f64 = 270.0;
const PLOT_W: f64 = WIDTH - PLOT_X - 20.0;
/// Room above the first lane for the axis labels.
const TOP: f64 = 26.0;
const LANE_H: f64 = 22.0;
const HEAD_H: f64 = 30.0;
const SUMMARY_H: f64 = 36.0;
/// Label font size and the widest label, in characters of average width.
const LABEL_CHARS: f64 = 31.0;

/// One event (or an entry's own date) drawn in a lane.
#[derive(Clone, Debug)]
pub(super) struct Mark {
    pub(super) date: PartialDate,
    /// The dates other sources give for it, if any.
    pub(super) disputed: Vec<PartialDate>,
    /// Where the mark links: the event's anchor on its entry's page.
    pub(super) url: String,
    /// What the mark says to a reader: "Joint Sea 2016, 12–19 September 2016".
    pub(super) label: String,
}

/// One entry's row.
#[derive(Clone, Debug)]
pub(super) struct Lane {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) url: String,
    pub(super) kind: Kind,
    /// Tag slugs, for the filter.
    pub(super) tags: Vec<String>,
    /// The entry's own date and end (a mechanism's establishment, a topic's period).
    pub(super) date: PartialDate,
    pub(super) end: Option<PartialDate>,
    pub(super) marks: Vec<Mark>,
}

/// The stretch of time a drawing covers: whole years, or one year by month.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Axis {
    pub(super) from: f64,
    pub(super) to: f64,
}

impl Axis {
    /// From the first year to the end of the last.
    pub(super) fn years(first: i32, last: i32) -> Axis {
        Axis { from: f64::from(first), to: f64::from(last.max(first)) + 1.0 }
    }

    fn x(&self, t: f64) -> f64 {
        PLOT_X + (t.clamp(self.from, self.to) - self.from) / (self.to - self.from) * PLOT_W
    }

    fn one_year(&self) -> bool {
        self.to - self.from <= 1.0
    }
}

/// A point in time as a fractional year: 2016-07-01 is about 2016.5.
fn frac((y, m, d): (i32, u8, u8), end_of_day: bool) -> f64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let lengths = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let before: u32 = lengths[..usize::from(m.clamp(1, 12)) - 1].iter().sum();
    let day = f64::from(before + u32::from(d)) - if end_of_day { 0.0 } else { 1.0 };
    f64::from(y) + day / if leap { 366.0 } else { 365.0 }
}

/// The earliest and latest moments a date can mean, as fractional years.
pub(super) fn span(date: &PartialDate) -> (f64, f64) {
    (frac(date.earliest(), false), frac(date.latest(), true))
}

/// Numbers in the SVG are written with two decimals at most.
fn n(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// Shortens a label to the room before the plot, with an ellipsis.
fn fit(title: &str) -> String {
    let mut width = 0.0;
    let mut out = String::new();
    for c in title.chars() {
        // CJK and other wide letters take about twice an average letter.
        width += if c as u32 >= 0x2E80 { 1.9 } else { 1.0 };
        if width > LABEL_CHARS {
            return format!("{}…", out.trim_end());
        }
        out.push(c);
    }
    out
}

fn open_svg(s: &mut String, class: &str, height: f64, axis: Axis, id: &str, title: &str, desc: &str) {
    let _ = write!(
        s,
        r#"<svg class="timeline {class}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="group" aria-labelledby="{id}-title" aria-describedby="{id}-desc" data-from="{from}" data-to="{to}" data-plot-x="{px}" data-plot-w="{pw}" data-top="{TOP}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
        w = n(WIDTH),
        h = n(height),
        from = n(axis.from),
        to = n(axis.to),
        px = n(PLOT_X),
        pw = n(PLOT_W),
        title = escape(title),
        desc = escape(desc),
    );
}

/// Gridlines and labels: every year (or every 2, 5, 10… when the years are
/// many), or every month when the axis is one year. `handbook.js` draws the
/// same when the filter narrows the years.
fn axis_svg(s: &mut String, axis: Axis, height: f64) {
    s.push_str(r#"<g class="axis" aria-hidden="true">"#);
    let bottom = height - 4.0;
    let line = |s: &mut String, x: f64, major: bool| {
        let _ = write!(
            s,
            r#"<line class="{}" x1="{x}" x2="{x}" y1="{}" y2="{}"/>"#,
            if major { "grid major" } else { "grid" },
            n(TOP - 8.0),
            n(bottom - 14.0),
            x = n(x),
        );
    };
    if axis.one_year() {
        let year = axis.from.floor() as i32;
        for m in 1..=12u8 {
            let x = axis.x(frac((year, m, 1), false));
            line(s, x, m == 1);
            let label = &MONTHS[usize::from(m) - 1][..3];
            let _ = write!(s, r#"<text class="tick" x="{}" y="14">{label}</text>"#, n(x + 3.0));
        }
        line(s, axis.x(axis.to), true);
    } else {
        let (first, last) = (axis.from.floor() as i32, axis.to.ceil() as i32);
        let per_year = PLOT_W / (axis.to - axis.from);
        let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
            .into_iter()
            .find(|st| f64::from(*st) * per_year >= 40.0)
            .unwrap_or(1000);
        let labels_at_bottom = height > 320.0;
        for y in first..=last {
            let major = y.rem_euclid(step) == 0;
            if !major && per_year < 6.0 {
                continue;
            }
            let x = axis.x(f64::from(y));
            line(s, x, major);
            if major && y < last {
                let _ = write!(s, r#"<text class="tick" x="{}" y="14">{y}</text>"#, n(x + 3.0));
                if labels_at_bottom {
                    let _ = write!(s, r#"<text class="tick" x="{}" y="{}">{y}</text>"#, n(x + 3.0), n(bottom));
                }
            }
        }
    }
    s.push_str("</g>");
}

fn kind_head(s: &mut String, kind: Kind, count: usize, y: f64) {
    let _ = write!(
        s,
        r#"<g class="kind-head" data-kind="{k}" data-h="{HEAD_H}" transform="translate(0,{y})"><rect class="key {k}" x="0" y="12" width="10" height="10" rx="2"/><text class="kind-title" x="16" y="21">{t}</text><text class="kind-count" x="{x}" y="21" text-anchor="end">{count}</text></g>"#,
        k = kind.name(),
        t = kind.plural_title(),
        x = n(PLOT_X - 10.0),
        y = n(y),
    );
}

/// The shape of one mark, by the lane's kind.
fn mark_shape(s: &mut String, kind: Kind, axis: Axis, from: f64, to: f64, disputed: bool) {
    let mut class = format!("mark {}", kind.name());
    if disputed {
        class.push_str(" disputed");
    }
    // A date known only to the year, on a month axis: drawn faint over its whole stretch.
    let imprecise = axis.one_year() && to - from > 0.12;
    if imprecise {
        class.push_str(" imprecise");
    }
    let (x0, x1) = (axis.x(from), axis.x(to));
    let data = format!(r#"data-from="{}" data-to="{}""#, n(from), n(to));
    match kind {
        _ if imprecise => {
            let _ = write!(
                s,
                r#"<rect class="{class}" {data} x="{}" y="6" width="{}" height="10" rx="3"/>"#,
                n(x0),
                n((x1 - x0).max(6.0))
            );
        }
        Kind::Exercise => {
            let w = (x1 - x0).max(6.0);
            let _ = write!(
                s,
                r#"<rect class="{class}" {data} x="{}" y="4" width="{}" height="14" rx="2"/>"#,
                n((x0 + x1 - w) / 2.0),
                n(w)
            );
        }
        _ => {
            let r = match kind {
                Kind::Declaration => 6.0,
                Kind::Topic => 4.5,
                _ => 5.0,
            };
            let _ = write!(s, r#"<circle class="{class}" {data} cx="{}" cy="11" r="{r}"/>"#, n((x0 + x1) / 2.0));
        }
    }
}

/// Every lane, grouped by kind, on one axis. `id` prefixes the ids of the
/// title and description (unique on the page).
pub(super) fn lanes_svg(lanes: &[&Lane], axis: Axis, id: &str, title: &str) -> String {
    let kinds = Kind::ALL.iter().filter(|k| lanes.iter().any(|l| l.kind == **k)).count();
    let height = TOP + kinds as f64 * HEAD_H + lanes.len() as f64 * LANE_H + 28.0;
    let marks: usize = lanes.iter().map(|l| l.marks.len()).sum();
    let disputed = lanes.iter().flat_map(|l| &l.marks).filter(|m| !m.disputed.is_empty()).count();
    let desc = format!(
        "{} lane{}, one per entry, grouped by kind, with {marks} dated event{}{}: a mechanism is a bar from its \
         establishment through its meetings, an exercise series a mark for each iteration, a declaration a point, \
         a topic a thin line with its events.{} Each mark links to its event; the list below gives the same \
         events as text.",
        lanes.len(),
        if lanes.len() == 1 { "" } else { "s" },
        if marks == 1 { "" } else { "s" },
        if axis.one_year() { String::new() } else { format!(" from {} to {}", axis.from, axis.to - 1.0) },
        if disputed > 0 {
            format!(
                " {disputed} event{} whose date sources give differently {} drawn with a dashed range.",
                if disputed == 1 { "" } else { "s" },
                if disputed == 1 { "is" } else { "are" }
            )
        } else {
            String::new()
        },
    );
    let mut s = String::with_capacity(lanes.len() * 600 + 2000);
    open_svg(&mut s, "lanes", height, axis, id, title, &desc);
    axis_svg(&mut s, axis, height);
    let mut y = TOP;
    for kind in Kind::ALL {
        let of_kind: Vec<&&Lane> = lanes.iter().filter(|l| l.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        kind_head(&mut s, kind, of_kind.len(), y);
        y += HEAD_H;
        for lane in of_kind {
            lane_svg(&mut s, lane, axis, y);
            y += LANE_H;
        }
    }
    s.push_str("</svg>");
    s
}

fn lane_svg(s: &mut String, lane: &Lane, axis: Axis, y: f64) {
    let k = lane.kind.name();
    let _ = write!(
        s,
        r#"<g class="lane {k}" data-kind="{k}" data-entry="{}" data-tags="{}" data-h="{LANE_H}" transform="translate(0,{})">"#,
        escape(&lane.id),
        escape(&lane.tags.join(" ")),
        n(y)
    );
    let label = fit(&lane.title);
    let _ = write!(
        s,
        r#"<a class="lane-label" href="{}"><title>{}</title><text x="{}" y="15" text-anchor="end">{}</text></a>"#,
        escape(&lane.url),
        escape(&lane.title),
        n(PLOT_X - 10.0),
        escape(&label),
    );
    // The lane's own stretch: a mechanism from its establishment through
    // its last meeting (or its end), a topic over its period.
    let (start, _) = span(&lane.date);
    let last_event = lane.marks.iter().map(|m| span(&m.date).1).fold(f64::MIN, f64::max);
    let end = lane.end.map(|e| span(&e).1);
    let stretch = match lane.kind {
        Kind::Mechanism => Some((start, end.unwrap_or(last_event).max(last_event))),
        Kind::Topic => end.or((last_event > start).then_some(last_event)).map(|e| (start, e)),
        _ => None,
    };
    if let Some((a, b)) = stretch.filter(|(a, b)| b > a && *b > axis.from && *a < axis.to) {
        let (x0, x1) = (axis.x(a), axis.x(b));
        let _ = write!(
            s,
            r#"<rect class="stretch {k}" data-from="{}" data-to="{}" x="{}" y="{}" width="{}" height="{}" rx="{}"/>"#,
            n(a),
            n(b),
            n(x0),
            if lane.kind == Kind::Topic { 10 } else { 8 },
            n((x1 - x0).max(1.0)),
            if lane.kind == Kind::Topic { 2 } else { 6 },
            if lane.kind == Kind::Topic { 1 } else { 3 },
        );
    }
    for m in &lane.marks {
        let (a, b) = span(&m.date);
        if b <= axis.from || a >= axis.to {
            continue;
        }
        let _ = write!(s, r#"<a class="event-mark" href="{}"><title>{}</title>"#, escape(&m.url), escape(&m.label));
        if !m.disputed.is_empty() {
            let (lo, hi) = m.disputed.iter().map(span).fold((a, b), |(lo, hi), (x, y)| (lo.min(x), hi.max(y)));
            let _ = write!(
                s,
                r#"<line class="dispute-range" data-from="{}" data-to="{}" x1="{}" x2="{}" y1="11" y2="11"/>"#,
                n(lo),
                n(hi),
                n(axis.x(lo)),
                n(axis.x(hi))
            );
        }
        mark_shape(s, lane.kind, axis, a, b, !m.disputed.is_empty());
        s.push_str("</a>");
    }
    s.push_str("</g>");
}

/// One row of the summary: the events of a kind or of a tag, per year.
#[derive(Clone, Debug)]
pub(super) struct SummaryRow {
    pub(super) label: String,
    /// Where the row's label links (the kind's list, the tag's page).
    pub(super) url: String,
    pub(super) kind: Option<Kind>,
    pub(super) tag: Option<String>,
    /// Events per year, from the axis's first year.
    pub(super) counts: Vec<usize>,
}

/// The summary: a lane per kind (and per tag, when given), with a bar per
/// year as tall as that year's events, each linking to the year's page
/// (`year_url(year)`).
pub(super) fn summary_svg(
    kinds: &[SummaryRow],
    tags: &[SummaryRow],
    first: i32,
    year_url: impl Fn(i32) -> String,
    id: &str,
    title: &str,
) -> String {
    let years = kinds.first().map_or(0, |r| r.counts.len()).max(1);
    let axis = Axis::years(first, first + years as i32 - 1);
    let heads = usize::from(!tags.is_empty()) * 2;
    let height = TOP + heads as f64 * HEAD_H + (kinds.len() + tags.len()) as f64 * SUMMARY_H + 28.0;
    let total: usize = kinds.iter().flat_map(|r| &r.counts).sum();
    let busiest = (0..years).max_by_key(|&i| (kinds.iter().map(|r| r.counts[i]).sum::<usize>(), std::cmp::Reverse(i)));
    let desc = format!(
        "A summary of {total} dated events from {first} to {}: one lane per kind{}, with a bar for each year as tall \
         as its number of events.{} Each bar links to its year's page, which draws every entry's lane; the list \
         below gives every event as text.",
        first + years as i32 - 1,
        if tags.is_empty() { String::new() } else { format!(" and for the {} most used tags", tags.len()) },
        busiest.map_or(String::new(), |i| format!(
            " The busiest year is {} with {} events.",
            first + i as i32,
            kinds.iter().map(|r| r.counts[i]).sum::<usize>()
        )),
    );
    let mut s = String::new();
    open_svg(&mut s, "summary", height, axis, id, title, &desc);
    axis_svg(&mut s, axis, height);
    let mut y = TOP;
    let group = |s: &mut String, rows: &[SummaryRow], head: Option<&str>, y: &mut f64| {
        if let Some(head) = head {
            let _ = write!(
                s,
                r#"<g class="kind-head group-head" data-h="{HEAD_H}" transform="translate(0,{})"><text class="kind-title" x="0" y="21">{head}</text></g>"#,
                n(*y)
            );
            *y += HEAD_H;
        }
        let max = rows.iter().flat_map(|r| &r.counts).copied().max().unwrap_or(0).max(1) as f64;
        for row in rows {
            let class = row.kind.map_or("tag", |k| k.name());
            let mut data = String::new();
            if let Some(k) = row.kind {
                let _ = write!(data, r#" data-kind="{}""#, k.name());
            }
            if let Some(t) = &row.tag {
                let _ = write!(data, r#" data-tags="{}""#, escape(t));
            }
            let _ = write!(
                s,
                r#"<g class="lane summary {class}"{data} data-h="{SUMMARY_H}" transform="translate(0,{})"><a class="lane-label" href="{}"><title>{}</title><text x="{}" y="24" text-anchor="end">{}</text></a><line class="baseline" x1="{px}" x2="{pe}" y1="30" y2="30"/>"#,
                n(*y),
                escape(&row.url),
                escape(&row.label),
                n(PLOT_X - 10.0),
                escape(&fit(&row.label)),
                px = n(PLOT_X),
                pe = n(PLOT_X + PLOT_W),
            );
            for (i, &count) in row.counts.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let year = first + i as i32;
                let h = (count as f64 / max * 26.0).max(2.0);
                let (x0, x1) = (axis.x(f64::from(year)), axis.x(f64::from(year + 1)));
                let w = ((x1 - x0) * 0.8).max(1.0);
                let _ = write!(
                    s,
                    r#"<a class="year-bar" href="{}"><title>{year}: {count} event{} ({})</title><rect class="bar {class}" data-from="{year}" data-to="{}" x="{}" y="{}" width="{}" height="{}"/></a>"#,
                    escape(&year_url(year)),
                    if count == 1 { "" } else { "s" },
                    escape(&row.label),
                    year + 1,
                    n(x0 + (x1 - x0 - w) / 2.0),
                    n(30.0 - h),
                    n(w),
                    n(h),
                );
            }
            s.push_str("</g>");
            *y += SUMMARY_H;
        }
    };
    group(&mut s, kinds, tags.first().map(|_| "By kind"), &mut y);
    if !tags.is_empty() {
        group(&mut s, tags, Some("By tag (most used)"), &mut y);
    }
    s.push_str("</svg>");
    s
}

/// The label of an event's mark: its title and date, and whether the date is disputed.
pub(super) fn mark_label(entry: &str, title: &str, date: &PartialDate, disputed: &[PartialDate]) -> String {
    let mut s = format!("{title}, {date}");
    if !disputed.is_empty() {
        let others: Vec<String> = disputed.iter().map(|d| d.to_string()).collect();
        let _ = write!(s, " (disputed: also given as {})", others.join(", "));
    }
    if !title.contains(entry) {
        let _ = write!(s, " — {entry}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    fn lane(kind: Kind, id: &str, dates: &[&str]) -> Lane {
        Lane {
            id: id.into(),
            title: format!("Entry {id}"),
            url: format!("../x/{id}.html"),
            kind,
            tags: vec!["naval".into()],
            date: date(dates[0]),
            end: None,
            marks: dates
                .iter()
                .map(|d| Mark {
                    date: date(d),
                    disputed: vec![],
                    url: format!("../x/{id}.html#{d}"),
                    label: format!("{id} {d}"),
                })
                .collect(),
        }
    }

    #[test]
    fn fractional_years() {
        assert_eq!(frac((2016, 1, 1), false), 2016.0);
        assert!((frac((2015, 12, 31), true) - 2016.0).abs() < 1e-9);
        let (a, b) = span(&date("2005-08-18/2005-08-25"));
        assert!(a > 2005.6 && b > a && b - a < 0.03, "{a} {b}");
        assert_eq!(span(&date("2004")), (2004.0, 2005.0));
    }

    #[test]
    fn lanes_are_grouped_by_kind_and_every_mark_links_to_its_event() {
        let mut m = lane(Kind::Mechanism, "m", &["1993", "2012-11-21", "2014-11-18"]);
        m.marks[2].disputed = vec![date("2013")];
        let e = lane(Kind::Exercise, "e", &["2005-08-18/2005-08-25", "2007"]);
        let d = lane(Kind::Declaration, "d", &["2000-07-18"]);
        let s = lanes_svg(&[&d, &e, &m], Axis::years(1993, 2014), "t", "Timeline");
        // Kinds in their order, whatever the order of the lanes.
        let (pm, pe, pd) = (s.find(r#"data-entry="m""#), s.find(r#"data-entry="e""#), s.find(r#"data-entry="d""#));
        assert!(pm < pe && pe < pd);
        assert_eq!(s.matches("<g class=\"kind-head\"").count(), 3);
        for l in [&m, &e, &d] {
            for mk in &l.marks {
                assert!(s.contains(&format!(r#"<a class="event-mark" href="{}">"#, mk.url)), "{}", mk.url);
            }
        }
        // The mechanism is a bar from 1993 through its last meeting.
        assert!(s.contains(r#"<rect class="stretch mechanism" data-from="1993" data-to="2014.88""#), "{s}");
        // An exercise is a mark per iteration, a declaration a point.
        assert_eq!(s.matches("<rect class=\"mark exercise\"").count(), 2);
        assert_eq!(s.matches("<circle class=\"mark declaration\"").count(), 1);
        // The disputed meeting is drawn as a range back to 2013 and marked.
        assert!(s.contains(r#"<line class="dispute-range" data-from="2013""#), "{s}");
        assert_eq!(s.matches("disputed\"").count(), 1);
        assert!(s.contains(r#"role="group" aria-labelledby="t-title" aria-describedby="t-desc""#));
        // A year axis labels years.
        assert!(s.contains(">2000</text>"));
    }

    #[test]
    fn one_year_is_drawn_by_month_and_other_years_are_left_out() {
        let e = lane(Kind::Exercise, "e", &["2005-08-18/2005-08-25", "2007"]);
        let s = lanes_svg(&[&e], Axis::years(2005, 2005), "t", "2005");
        assert!(s.contains(">Aug</text>") && s.contains(">Dec</text>"));
        assert_eq!(s.matches("class=\"event-mark\"").count(), 1);
        // The week-long exercise is wider than a one-day mark would be.
        let w: f64 = s.split(r#"class="mark exercise""#).nth(1).unwrap().split("width=\"").nth(1).unwrap()[..4]
            .trim_end_matches('"')
            .parse()
            .unwrap();
        assert!(w > 6.0, "{w}");
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(fit("Short"), "Short");
        let long = fit("Regular Meetings of the Defence Ministers of the Two Countries");
        assert!(long.ends_with('…') && long.chars().count() <= 35, "{long}");
    }

    #[test]
    fn the_summary_links_each_year_with_events() {
        let kinds = vec![SummaryRow {
            label: "Exercises".into(),
            url: "../exercises/index.html".into(),
            kind: Some(Kind::Exercise),
            tag: None,
            counts: vec![3, 0, 1],
        }];
        let s = summary_svg(&kinds, &[], 2015, |y| format!("{y}.html"), "s", "Summary");
        assert!(s.contains(r#"href="2015.html""#) && s.contains(r#"href="2017.html""#));
        assert!(!s.contains(r#"href="2016.html""#));
        assert!(s.contains("2015: 3 events (Exercises)"));
        assert!(s.contains("The busiest year is 2015 with 3 events."));
    }
}
