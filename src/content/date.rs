//! Partial dates: the level-1 subset of EDTF (ISO 8601-2) that reference works need.
//!
//! A date may be known to the year (`2004`), the month (`2000-07`) or the day
//! (`2000-07-18`); it may be uncertain (`2004?`), approximate (`2004~`) or both
//! (`2004%`); and it may be a range of two such dates (`2005-08-18/2005-08-25`).
//! A date is displayed at its own precision ("July 2000", "18–25 August 2005",
//! "c. 2004") and sorted by its earliest possible day.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// English month names, for dates shown at month or day precision.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// One point in time known to a year, a month or a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Point {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
    /// `?`: the source is unsure of it.
    pub uncertain: bool,
    /// `~`: the source gives it roughly.
    pub approximate: bool,
}

/// A partial date or a range of two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    pub start: Point,
    pub end: Option<Point>,
}

/// Why a string is not a partial date, with the byte range of the bad part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    pub message: String,
    pub span: Range<usize>,
}

const HINT: &str =
    "write YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ? (uncertain) or ~ (approximate), or a range A/B";

impl DateError {
    fn new(message: impl Into<String>, span: Range<usize>) -> DateError {
        DateError { message: message.into(), span }
    }

    /// The standard advice on how to write a date.
    pub fn hint() -> &'static str {
        HINT
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Point {
    /// Parses one point; `base` is its byte offset in the whole date string, for spans.
    fn parse(s: &str, base: usize) -> Result<Point, DateError> {
        let whole = base..base + s.len();
        if s.is_empty() {
            return Err(DateError::new("empty date", whole));
        }
        let (body, uncertain, approximate) = match s.as_bytes()[s.len() - 1] {
            b'?' => (&s[..s.len() - 1], true, false),
            b'~' => (&s[..s.len() - 1], false, true),
            b'%' => (&s[..s.len() - 1], true, true),
            _ => (s, false, false),
        };
        let mut parts = body.split('-');
        let mut offset = base;
        let mut next_number = |name: &str, digits: usize| -> Result<Option<(u32, Range<usize>)>, DateError> {
            let Some(part) = parts.next() else {
                return Ok(None);
            };
            let span = offset..offset + part.len();
            offset += part.len() + 1;
            if part.len() != digits || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::new(format!("`{part}` is not a {digits}-digit {name}"), span));
            }
            Ok(Some((part.parse().expect("checked digits"), span)))
        };
        let (year, _) = next_number("year", 4)?.ok_or_else(|| DateError::new("missing year", whole.clone()))?;
        let month = next_number("month", 2)?;
        let day = next_number("day", 2)?;
        if parts.next().is_some() {
            return Err(DateError::new("too many parts in date", whole));
        }
        if let Some((m, span)) = &month
            && !(1..=12).contains(m)
        {
            return Err(DateError::new(format!("there is no month {m}"), span.clone()));
        }
        let month = month.map(|(m, _)| m as u8);
        if let (Some(m), Some((d, span))) = (month, &day) {
            let max = days_in_month(year as i32, m);
            if *d == 0 || *d > u32::from(max) {
                return Err(DateError::new(
                    format!("{} {year} has no day {d} (it has {max} days)", MONTHS[m as usize - 1]),
                    span.clone(),
                ));
            }
        }
        Ok(Point { year: year as i32, month, day: day.map(|(d, _)| d as u8), uncertain, approximate })
    }

    /// The earliest day this point can mean, as (year, month, day).
    pub fn earliest(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The latest day this point can mean, as (year, month, day).
    pub fn latest(&self) -> (i32, u8, u8) {
        let month = self.month.unwrap_or(12);
        (self.year, month, self.day.unwrap_or_else(|| days_in_month(self.year, month)))
    }

    /// The ISO 8601 form at this point's precision, for `<time datetime>`.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// The EDTF form, as written in front matter.
    pub fn edtf(&self) -> String {
        let mut s = self.iso();
        match (self.uncertain, self.approximate) {
            (true, true) => s.push('%'),
            (true, false) => s.push('?'),
            (false, true) => s.push('~'),
            _ => {}
        }
        s
    }

    fn qualify(&self, text: String) -> String {
        let text = if self.approximate { format!("c. {text}") } else { text };
        if self.uncertain { format!("{text}?") } else { text }
    }

    fn unqualified(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            _ => self.year.to_string(),
        }
    }

    fn is_plain(&self) -> bool {
        !self.uncertain && !self.approximate
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.qualify(self.unqualified()))
    }
}

impl PartialDate {
    /// Parses an EDTF level-1 date or range. Errors carry the span of the bad
    /// part within `s`.
    pub fn parse(s: &str) -> Result<PartialDate, DateError> {
        if s.trim() != s {
            return Err(DateError::new("date has spaces around it", 0..s.len()));
        }
        match s.split_once('/') {
            None => Ok(PartialDate { start: Point::parse(s, 0)?, end: None }),
            Some((a, b)) => {
                let start = Point::parse(a, 0)?;
                let end = Point::parse(b, a.len() + 1)?;
                if end.latest() < start.earliest() {
                    return Err(DateError::new(format!("the range ends ({b}) before it starts ({a})"), 0..s.len()));
                }
                Ok(PartialDate { start, end: Some(end) })
            }
        }
    }

    /// The earliest possible day, the sort key.
    pub fn earliest(&self) -> (i32, u8, u8) {
        self.start.earliest()
    }

    /// The latest possible day.
    pub fn latest(&self) -> (i32, u8, u8) {
        self.end.unwrap_or(self.start).latest()
    }

    /// The year the date starts in, which decides its chronology page.
    pub fn year(&self) -> i32 {
        self.start.year
    }

    /// ISO form of the start, for `<time datetime>`.
    pub fn iso(&self) -> String {
        self.start.iso()
    }

    /// The EDTF form, as written in front matter.
    pub fn edtf(&self) -> String {
        match &self.end {
            None => self.start.edtf(),
            Some(end) => format!("{}/{}", self.start.edtf(), end.edtf()),
        }
    }

    /// True when the source flags any part as uncertain or approximate.
    pub fn is_qualified(&self) -> bool {
        !self.start.is_plain() || self.end.is_some_and(|e| !e.is_plain())
    }
}

impl fmt::Display for PartialDate {
    /// "2004", "July 2000", "18 July 2000", "18–25 August 2005",
    /// "July–August 2005", "30 June – 2 July 2005", "c. 2004", "2004–2005".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(end) = self.end else {
            return write!(f, "{}", self.start);
        };
        let (a, b) = (self.start, end);
        if a.iso() == b.iso() && a.uncertain == b.uncertain && a.approximate == b.approximate {
            return write!(f, "{a}");
        }
        // Share the common trailing parts when both ends are plain and of equal precision.
        let same_shape = a.is_plain()
            && b.is_plain()
            && a.month.is_some() == b.month.is_some()
            && a.day.is_some() == b.day.is_some();
        if same_shape && a.year == b.year {
            match (a.month, a.day, b.month, b.day) {
                (Some(am), Some(ad), Some(bm), Some(bd)) if am == bm => {
                    return write!(f, "{ad}–{bd} {} {}", MONTHS[am as usize - 1], a.year);
                }
                (Some(am), Some(ad), Some(bm), Some(bd)) => {
                    return write!(f, "{ad} {} – {bd} {} {}", MONTHS[am as usize - 1], MONTHS[bm as usize - 1], a.year);
                }
                (Some(am), None, Some(bm), None) => {
                    return write!(f, "{}–{} {}", MONTHS[am as usize - 1], MONTHS[bm as usize - 1], a.year);
                }
                _ => {}
            }
        }
        if same_shape && a.month.is_none() {
            return write!(f, "{}–{}", a.year, b.year);
        }
        write!(f, "{a} – {b}")
    }
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<PartialDate, DateError> {
        PartialDate::parse(s)
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &PartialDate) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartialDate {
    /// Earliest possible day first; among equals, the more precise (shorter) one first.
    fn cmp(&self, other: &PartialDate) -> Ordering {
        self.earliest()
            .cmp(&other.earliest())
            .then_with(|| self.latest().cmp(&other.latest()))
            .then_with(|| self.edtf().cmp(&other.edtf()))
    }
}

impl serde::Serialize for PartialDate {
    /// Templates and data downloads get every form at once.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("PartialDate", 5)?;
        st.serialize_field("text", &self.to_string())?;
        st.serialize_field("edtf", &self.edtf())?;
        st.serialize_field("iso", &self.iso())?;
        st.serialize_field("year", &self.year())?;
        let (y, m, d) = self.earliest();
        st.serialize_field("sort", &format!("{y:04}-{m:02}-{d:02}"))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        PartialDate::parse(s).unwrap().to_string()
    }

    #[test]
    fn displays_at_own_precision() {
        assert_eq!(show("2004"), "2004");
        assert_eq!(show("2000-07"), "July 2000");
        assert_eq!(show("2000-07-18"), "18 July 2000");
        assert_eq!(show("2004~"), "c. 2004");
        assert_eq!(show("2004?"), "2004?");
        assert_eq!(show("2004%"), "c. 2004?");
        assert_eq!(show("2005-08-18/2005-08-25"), "18–25 August 2005");
        assert_eq!(show("2005-06-30/2005-07-02"), "30 June – 2 July 2005");
        assert_eq!(show("2005-07/2005-08"), "July–August 2005");
        assert_eq!(show("2004/2005"), "2004–2005");
        assert_eq!(show("2004~/2005-03"), "c. 2004 – March 2005");
    }

    #[test]
    fn sorts_by_earliest_day() {
        let mut dates: Vec<PartialDate> =
            ["2005-08-18", "2005", "2004~", "2005-08", "2005-01-01"].iter().map(|s| s.parse().unwrap()).collect();
        dates.sort();
        let order: Vec<String> = dates.iter().map(|d| d.edtf()).collect();
        assert_eq!(order, ["2004~", "2005-01-01", "2005", "2005-08", "2005-08-18"]);
    }

    #[test]
    fn rejects_impossible_dates_with_span() {
        let e = PartialDate::parse("2014-13-45").unwrap_err();
        assert_eq!(e.message, "there is no month 13");
        assert_eq!(e.span, 5..7);
        let e = PartialDate::parse("2015-02-29").unwrap_err();
        assert_eq!(e.span, 8..10);
        assert!(PartialDate::parse("2016-02-29").is_ok());
        let e = PartialDate::parse("2016/2015").unwrap_err();
        assert!(e.message.contains("ends"), "{}", e.message);
        assert!(PartialDate::parse("16").is_err());
        assert!(PartialDate::parse("2016-1").is_err());
        assert!(PartialDate::parse("").is_err());
        assert!(PartialDate::parse("2016-01-01-01").is_err());
    }

    #[test]
    fn round_trips_edtf() {
        for s in ["2004", "2004?", "2004~", "2004%", "2000-07-18/2000-07-19", "2004-02"] {
            assert_eq!(PartialDate::parse(s).unwrap().edtf(), s);
        }
    }
}
