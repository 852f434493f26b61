//! A synthetic handbook for benchmarks, as a pure function of the number of
//! entries and a seed.
//!
//! Every entry is shaped like a real one: front matter with aliases, tags,
//! the fields of its kind, 3 typed relations and 5 events (each citing a
//! source, two of them in the same year so that the second gets the anchor
//! `YEAR-2`), and a body of about 450 words of Markdown with two headings,
//! 4 footnotes, 2 Pandoc citations, 3 cross-links to other entries' `.md`
//! files (two of them to event anchors) and a table. `references.bib` has 50
//! entries, `site.yaml` the relations of the bundled handbook.
//!
//! The same entries are also written as a Hugo site with equivalent templates
//! (baseof, single, section list, home, 404). What Hugo cannot express is
//! simplified: citations become plain text ("(Korolev 2018, p. 35)"), links
//! to `.md` files become links to the `.html` pages (the Hugo site uses ugly
//! URLs, so paths match the handbook's), event anchors are precomputed, and
//! inverse relations, backlinks and the per-event chronology are left out
//! (Hugo has no cheap way to compute them); a `years` taxonomy stands in for
//! the chronology's year pages.
//!
//! This file has no dependencies beyond `std`, so `benches/` of the handbook
//! crate can include it with `#[path]`.

#![allow(dead_code)]

use std::collections::HashSet;
use std::fmt::Write as _;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 0x4842_2026;

/// SplitMix64: small, fast, and the same on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one `stream` (an entry index, a purpose) of `seed`.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The three kinds: (folder, singular name, title word).
pub const KINDS: [(&str, &str, &str); 3] = [
    ("mechanisms", "mechanism", "Consultations"),
    ("exercises", "exercise", "Exercise"),
    ("declarations", "declaration", "Declaration"),
];

/// The `relations:` block of the bundled handbook's `content/site.yaml`.
pub const RELATIONS_YAML: &str = r#"relations:
  part_of:        { label: "Part of", inverse: "Includes" }
  established_by: { label: "Established by", inverse: "Established" }
  follows:        { label: "Follows", inverse: "Followed by" }
  adopted_at:     { label: "Adopted at", inverse: "Declarations adopted here" }
  planned_by:     { label: "Planned through", inverse: "Exercises planned here" }
  framed_by:      { label: "Framed by", inverse: "Frames" }
  related:        { label: "Related", inverse: "Related", symmetric: true }
"#;

const ADJECTIVES: &[&str] = &[
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Peaceful",
    "Joint",
    "Steppe",
    "Coastal",
    "Allied",
    "Frontier",
    "Pacific",
    "Central",
    "Strategic",
    "Maritime",
    "Mountain",
    "Desert",
    "Arctic",
    "Border",
    "Friendly",
    "Vigilant",
    "Silent",
    "Golden",
    "Iron",
    "Shared",
    "Eternal",
    "Rapid",
    "United",
    "Open",
    "Distant",
    "Vostok",
];

const NOUNS: &[&str] = &[
    "Shield",
    "Mission",
    "Sea",
    "Sky",
    "Guard",
    "Bridge",
    "Accord",
    "Partnership",
    "Dialogue",
    "Watch",
    "Harbour",
    "Compass",
    "Anchor",
    "Horizon",
    "Concord",
    "Pact",
    "Council",
    "Forum",
    "Channel",
    "Passage",
    "Gate",
    "Star",
    "Arrow",
    "Falcon",
    "Tiger",
    "Crane",
    "River",
    "Valley",
    "Summit",
    "Charter",
];

const WORDS: &[&str] = &[
    "the",
    "two",
    "armed",
    "forces",
    "held",
    "regular",
    "consultations",
    "on",
    "security",
    "in",
    "the",
    "region",
    "and",
    "agreed",
    "to",
    "expand",
    "cooperation",
    "between",
    "their",
    "general",
    "staffs",
    "officials",
    "described",
    "meeting",
    "as",
    "a",
    "step",
    "towards",
    "closer",
    "coordination",
    "of",
    "defence",
    "policy",
    "exercise",
    "involved",
    "naval",
    "air",
    "land",
    "units",
    "from",
    "both",
    "sides",
    "with",
    "observers",
    "several",
    "neighbouring",
    "states",
    "planning",
    "began",
    "months",
    "earlier",
    "at",
    "level",
    "deputy",
    "ministers",
    "statement",
    "stressed",
    "mutual",
    "trust",
    "strategic",
    "partnership",
    "border",
    "joint",
    "declaration",
    "signed",
    "after",
    "talks",
    "leaders",
    "which",
    "confirmed",
    "commitment",
    "non-alignment",
    "later",
    "reports",
    "gave",
    "different",
    "figures",
    "for",
    "number",
    "troops",
    "taking",
    "part",
    "while",
    "article",
    "notes",
    "that",
    "was",
    "first",
    "its",
    "kind",
    "since",
    "early",
    "nineteen-nineties",
    "scope",
    "grew",
    "each",
    "year",
    "new",
    "elements",
    "such",
    "command",
    "staff",
    "drills",
    "logistics",
    "communications",
    "were",
    "added",
    "practice",
    "continued",
    "despite",
    "changes",
    "international",
    "environment",
    "analysts",
    "disagree",
    "about",
    "significance",
    "but",
    "most",
    "accept",
    "it",
    "marked",
    "turning",
    "point",
    "relations",
    "military",
    "technical",
    "commission",
    "reviewed",
    "contracts",
    "arms",
    "transfers",
    "training",
    "programmes",
    "academies",
    "exchanged",
    "cadets",
    "instructors",
    "ships",
    "visited",
    "ports",
    "other",
    "side",
    "aircraft",
    "flew",
    "patrols",
    "over",
    "waters",
    "within",
    "framework",
    "organisation",
    "members",
    "sent",
    "contingents",
    "ministry",
    "said",
    "would",
    "become",
    "annual",
    "event",
    "rotating",
    "hosts",
    "venues",
    "observers",
    "noted",
    "improved",
    "interoperability",
    "shared",
    "procedures",
    "secure",
    "links",
    "headquarters",
    "exchange",
    "liaison",
    "officers",
    "became",
    "routine",
];

const PLACES: &[&str] = &[
    "Vladivostok",
    "Qingdao",
    "Beijing",
    "Moscow",
    "Shanghai",
    "Chelyabinsk",
    "Bishkek",
    "Dushanbe",
    "Astana",
    "Zhanjiang",
    "Novorossiysk",
    "Khabarovsk",
    "Urumqi",
    "Orenburg",
    "the Sea of Japan",
    "the Yellow Sea",
    "the East China Sea",
    "the Mediterranean",
];

const PARTICIPANTS: &[&str] = &[
    "PLA Navy",
    "Russian Pacific Fleet",
    "PLA Ground Force",
    "Russian Ground Forces",
    "PLA Air Force",
    "Russian Aerospace Forces",
    "People's Armed Police",
    "Russian National Guard",
    "Ministry of Defence",
    "General Staff",
];

const LEVELS: &[&str] =
    &["defence ministers", "chiefs of the general staff", "deputy chiefs of the general staff", "heads of state"];
const FREQUENCIES: &[&str] = &["annual", "twice a year", "irregular", "every two years"];
const DOMAINS: &[&str] = &["land", "sea", "air", "missile-defence", "internal-security"];
const FORMATS: &[&str] = &["bilateral", "sco"];
const SIGNATORIES: &[&str] =
    &["Vladimir Putin", "Jiang Zemin", "Hu Jintao", "Xi Jinping", "Boris Yeltsin", "Dmitry Medvedev", "Li Peng"];
const TAGS: &[&str] = &[
    "naval",
    "annual",
    "sco",
    "border",
    "counter-terrorism",
    "air-defence",
    "logistics",
    "summit",
    "treaty",
    "staff-talks",
    "arms-trade",
    "training",
    "education",
    "pacific",
    "central-asia",
    "arctic",
    "missile-defence",
    "cyber",
    "space",
    "peacekeeping",
    "bilateral",
    "multilateral",
    "strategic",
    "maritime",
    "land-forces",
    "command-post",
    "observers",
    "disputed",
    "early",
    "recent",
];
const RUSSIAN: &[&str] = &["Мирная миссия", "Морское взаимодействие", "Восток", "Центр", "Запад", "Кавказ"];
const CHINESE: &[&str] = &["和平使命", "海上联合", "联合", "边防", "战略"];

const SURNAMES: &[&str] = &[
    "Korolev",
    "Lukin",
    "Kashin",
    "Gabuev",
    "Wishnick",
    "Lo",
    "Trenin",
    "Kofman",
    "Weitz",
    "Zhao",
    "Yu",
    "Wu",
    "Feng",
    "Li",
    "Xing",
    "Bolt",
    "Kuo",
    "Blank",
    "Lanteigne",
    "Kuhrt",
    "Rozman",
    "Ferdinand",
    "Bellacqua",
];
const GIVEN: &[&str] = &[
    "Alexander",
    "Alexander",
    "Vasily",
    "Alexander",
    "Elizabeth",
    "Bobo",
    "Dmitri",
    "Michael",
    "Richard",
    "Huasheng",
    "Bin",
    "Xinbo",
    "Shaohui",
    "Lifan",
    "Guangcheng",
    "Paul",
    "Yu-Shan",
    "Stephen",
    "Marc",
    "Natasha",
    "Gilbert",
    "Alexander",
    "James",
];
const JOURNALS: &[&str] = &[
    "Insight Turkey",
    "International Affairs",
    "Survival",
    "Asian Survey",
    "The China Quarterly",
    "Europe-Asia Studies",
    "Journal of Strategic Studies",
    "Contemporary Security Policy",
];
const PUBLISHERS: &[(&str, &str)] = &[
    ("Routledge", "London"),
    ("Brookings Institution Press", "Washington, DC"),
    ("Oxford University Press", "Oxford"),
    ("Palgrave Macmillan", "Basingstoke"),
    ("Lynne Rienner", "Boulder, CO"),
];
const ORGANISATIONS: &[&str] = &[
    "Ministry of National Defense of the People's Republic of China",
    "President of Russia",
    "Xinhua",
    "TASS",
    "China Daily",
    "Ministry of Defence of the Russian Federation",
];

/// One source of `references.bib`.
#[derive(Clone, Debug)]
pub struct Source {
    pub key: String,
    /// How the source reads in plain text ("Korolev 2018").
    pub plain: String,
    pub bibtex: String,
}

/// One Markdown file of a generated site, by its path relative to the site root.
#[derive(Clone, Debug)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// Which site a body is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flavor {
    Handbook,
    Hugo,
}

/// The corpus of `n` entries for `seed`.
#[derive(Clone, Debug)]
pub struct Corpus {
    pub n: usize,
    pub seed: u64,
    sources: Vec<Source>,
}

/// How many sources `references.bib` has.
pub const SOURCES: usize = 50;

impl Corpus {
    pub fn new(n: usize, seed: u64) -> Corpus {
        assert!(n >= 4, "a corpus needs at least 4 entries (relations and links point to 3 others)");
        Corpus { n, seed, sources: make_sources(seed) }
    }

    fn rng(&self, i: usize, purpose: u64) -> Rng {
        Rng::new(self.seed, (i as u64) << 8 | purpose)
    }

    /// The kind of entry `i` (an index into [`KINDS`]): 30% mechanisms,
    /// 40% exercises, 30% declarations.
    pub fn kind(&self, i: usize) -> usize {
        match i % 10 {
            0 | 3 | 6 => 0,
            1 | 4 | 7 | 9 => 1,
            _ => 2,
        }
    }

    fn words(&self, i: usize) -> (&'static str, &'static str) {
        let mut r = self.rng(i, 1);
        (*r.pick(ADJECTIVES), *r.pick(NOUNS))
    }

    pub fn title(&self, i: usize) -> String {
        let (a, b) = self.words(i);
        format!("{a} {b} {} {i}", KINDS[self.kind(i)].2)
    }

    /// The entry's id: its file stem, a slug, unique thanks to the index.
    pub fn id(&self, i: usize) -> String {
        let (a, b) = self.words(i);
        format!("{}-{}-{i}", a.to_ascii_lowercase(), b.to_ascii_lowercase())
    }

    /// Content-relative path of the entry's file, e.g. `exercises/joint-sea-4.md`.
    pub fn path(&self, i: usize) -> String {
        format!("{}/{}.md", KINDS[self.kind(i)].0, self.id(i))
    }

    pub fn first_year(&self, i: usize) -> i32 {
        1992 + self.rng(i, 2).below(24) as i32
    }

    /// The years of the 5 events: the second and third share a year.
    pub fn event_years(&self, i: usize) -> [i32; 5] {
        let y = self.first_year(i);
        [y, y + 1, y + 1, y + 3, y + 5]
    }

    /// The anchors of the 5 events: the year, `YEAR-2` for the second event in a year.
    pub fn event_anchors(&self, i: usize) -> Vec<String> {
        let [a, b, _, d, e] = self.event_years(i);
        vec![a.to_string(), b.to_string(), format!("{b}-2"), d.to_string(), e.to_string()]
    }

    /// Another entry than `i`, chosen by `r`.
    fn other(&self, i: usize, r: &mut Rng) -> usize {
        (i + 1 + r.below(self.n - 1)) % self.n
    }

    /// The relative link from entry `from`'s file to entry `to`'s file (or page).
    fn relative(&self, from: usize, to: usize, ext: &str) -> String {
        let (ff, tf) = (KINDS[self.kind(from)].0, KINDS[self.kind(to)].0);
        if ff == tf { format!("{}.{ext}", self.id(to)) } else { format!("../{tf}/{}.{ext}", self.id(to)) }
    }

    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// A citation of source `s` with locator `locator`, as each flavour writes it.
    fn cite(&self, s: usize, prefix: &str, locator: &str, flavor: Flavor) -> String {
        let src = &self.sources[s];
        let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix} ") };
        match flavor {
            Flavor::Handbook => format!("[{prefix}@{}, {locator}]", src.key),
            Flavor::Hugo => format!("({prefix}{}, {locator})", src.plain),
        }
    }

    /// The text of `site.yaml`.
    pub fn site_yaml(&self) -> String {
        format!(
            "title: \"Synthetic Handbook ({} entries)\"\n\
             description: >-\n  A generated handbook for benchmarks: {} entries with events, relations,\n  footnotes, citations and cross-links.\n\
             base_url: https://example.org/bench/\n\
             language: en\n\
             citation_style: chicago-notes\n\
             repository: https://github.com/handbook-project/bench\n\
             branch: main\n{RELATIONS_YAML}",
            self.n, self.n
        )
    }

    pub fn references_bib(&self) -> String {
        let mut s = String::from("% Generated by tools/gen-corpus: 50 sources for the benchmark corpus.\n\n");
        for src in &self.sources {
            s.push_str(&src.bibtex);
            s.push('\n');
        }
        s
    }

    fn home(&self, flavor: Flavor) -> String {
        let ext = if flavor == Flavor::Hugo { "html" } else { "md" };
        let links: Vec<String> = [0, self.n / 3, self.n / 2]
            .iter()
            .map(|&j| format!("[{}]({}/{}.{ext})", self.title(j), KINDS[self.kind(j)].0, self.id(j)))
            .collect();
        let cite = self.cite(0, "", "p. 1", flavor);
        format!(
            "---\ntitle: Synthetic Handbook\nsummary: A generated handbook of {n} entries for benchmarks.\n---\n\n\
             This handbook has {n} generated entries; each has five events, three relations, four footnotes, \
             two citations and three cross-links, much like a real entry {cite}. Start with {}, {} or {}.\n",
            links[0],
            links[1],
            links[2],
            n = self.n,
        )
    }

    /// The date of an event in `year`, as written in front matter (EDTF).
    fn event_date(r: &mut Rng, year: i32) -> (String, String) {
        let month = r.range(1, 12);
        let day = r.range(1, 20);
        let text = match r.below(3) {
            0 => format!("{year}-{month:02}"),
            1 => format!("{year}-{month:02}-{day:02}"),
            _ => format!("{year}-{month:02}-{day:02}/{year}-{month:02}-{:02}", day + r.range(1, 7)),
        };
        (text, format!("{year}-{month:02}-{day:02}"))
    }

    fn sentence(r: &mut Rng, words: usize) -> String {
        let mut s = String::new();
        for k in 0..words {
            let w = *r.pick(WORDS);
            if k == 0 {
                let mut c = w.chars();
                let first = c.next().expect("non-empty word");
                s.extend(first.to_uppercase());
                s.push_str(c.as_str());
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s
    }

    /// A paragraph of about `words` words; `marks[k]` is appended to sentence k (before its period).
    fn paragraph(r: &mut Rng, words: usize, marks: &[(usize, String)]) -> String {
        let mut out = String::new();
        let mut written = 0;
        let mut k = 0;
        while written < words || marks.iter().any(|(at, _)| *at >= k) {
            let len = r.range(9, 22);
            let mut s = Self::sentence(r, len);
            for (at, mark) in marks {
                if *at == k {
                    s.push_str(mark);
                }
            }
            s.push('.');
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&s);
            written += len;
            k += 1;
        }
        out
    }

    /// The Markdown body of entry `i`.
    fn body(&self, i: usize, flavor: Flavor) -> String {
        let mut r = self.rng(i, 3);
        let ext = if flavor == Flavor::Hugo { "html" } else { "md" };
        let targets = [self.other(i, &mut r), self.other(i, &mut r), self.other(i, &mut r)];
        let link = |to: usize, anchor: Option<&str>, text: &str| {
            let hash = anchor.map(|a| format!("#{a}")).unwrap_or_default();
            format!("[{text}]({}{hash})", self.relative(i, to, ext))
        };
        let a1 = self.event_anchors(targets[1]);
        let a2 = self.event_anchors(targets[2]);
        // The second link goes to an event's year anchor, the third to a `YEAR-2` anchor.
        let (anchor1, anchor2) = (a1[r.below(5)].clone(), a2[2].clone());
        let (s1, s2) = (r.below(SOURCES), r.below(SOURCES));
        let (p1, p2) = (r.range(1, 300), r.range(1, 300));
        let cite1 = format!(" {}", self.cite(s1, "", &format!("p. {p1}"), flavor));
        let cite2 = format!(" {}", self.cite(s2, "see", &format!("pp. {p2}–{}", p2 + 3), flavor));
        let link1 = format!(", as in the {}", link(targets[0], None, &self.title(targets[0])));
        let link2 = format!(
            ", which followed {}",
            link(targets[1], Some(&anchor1), &format!("the {} iteration of {}", anchor1, self.title(targets[1])))
        );
        let link3 = format!(" (compare {})", link(targets[2], Some(&anchor2), &format!("its {anchor2} event")));

        let mut s = String::with_capacity(4096);
        s.push_str(&Self::paragraph(&mut r, 80, &[(1, cite1), (2, "[^a]".into()), (3, link1)]));
        s.push_str("\n\n## Background\n\n");
        s.push_str(&Self::paragraph(&mut r, 70, &[(1, "[^b]".into()), (2, link2)]));
        s.push_str("\n\n| Year | Place | Participants | Notes |\n|---|---|---|---|\n");
        for y in self.event_years(i).iter().take(4) {
            let _ = writeln!(
                s,
                "| {y} | {} | {}; {} | {} |",
                r.pick(PLACES),
                r.pick(PARTICIPANTS),
                r.pick(PARTICIPANTS),
                Self::sentence(&mut r, 4)
            );
        }
        s.push_str("\n## Assessment\n\n");
        s.push_str(&Self::paragraph(&mut r, 85, &[(0, cite2), (2, "[^c]".into()), (3, link3)]));
        s.push_str("\n\n");
        s.push_str(&Self::paragraph(&mut r, 35, &[(1, "[^d]".into())]));
        s.push_str("\n\n");
        for label in ["a", "b", "c", "d"] {
            let len = r.range(9, 16);
            let _ = writeln!(s, "[^{label}]: {}.", Self::sentence(&mut r, len));
        }
        s
    }

    fn quote(s: &str) -> String {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }

    /// Entry `i` as a handbook Markdown file.
    pub fn handbook_entry(&self, i: usize) -> String {
        let mut r = self.rng(i, 4);
        let kind = self.kind(i);
        let y = self.first_year(i);
        let mut s = String::with_capacity(8192);
        s.push_str("---\n");
        let _ = writeln!(s, "title: {}", self.title(i));
        let _ = writeln!(s, "summary: {}.", Self::sentence(&mut r, 14));
        let _ = writeln!(
            s,
            "aliases:\n  - {} {}\n  - {{name: \"{}\", lang: ru}}",
            r.pick(ADJECTIVES),
            r.pick(NOUNS),
            r.pick(RUSSIAN)
        );
        if i.is_multiple_of(4) {
            let _ = writeln!(s, "  - {{name: \"{}\", lang: zh}}", r.pick(CHINESE));
        }
        let (t1, t2) = (r.below(TAGS.len()), r.below(TAGS.len() - 1));
        let t2 = if t2 >= t1 { t2 + 1 } else { t2 };
        let _ = writeln!(s, "tags: [{}, {}]", TAGS[t1], TAGS[t2]);
        let _ = writeln!(s, "date: \"{y}-{:02}\"", r.range(1, 12));
        if i.is_multiple_of(5) {
            let _ = writeln!(s, "end: \"{}\"", y + 10);
        }
        match kind {
            0 => {
                let _ = writeln!(s, "level: {}", r.pick(LEVELS));
                let _ = writeln!(s, "frequency: {}", r.pick(FREQUENCIES));
                let _ = writeln!(s, "participants: [{}, {}]", r.pick(PARTICIPANTS), r.pick(PARTICIPANTS));
            }
            1 => {
                let _ = writeln!(s, "domain: {}", r.pick(DOMAINS));
                let _ = writeln!(s, "format: {}", r.pick(FORMATS));
            }
            _ => {
                let _ = writeln!(s, "signatories: [{}, {}]", r.pick(SIGNATORIES), r.pick(SIGNATORIES));
                let _ = writeln!(s, "place: {}", r.pick(PLACES));
            }
        }
        s.push_str("relations:\n");
        for (name, target) in self.relations(i) {
            if name == "related" {
                let _ = writeln!(s, "  related: [{}]", self.id(target));
            } else {
                let _ = writeln!(s, "  {name}: {}", self.id(target));
            }
        }
        s.push_str("events:\n");
        for ev in self.events(i) {
            let _ = writeln!(s, "  - date: \"{}\"", ev.date);
            let _ = writeln!(s, "    title: {}", ev.title);
            let _ = writeln!(s, "    place: {}", ev.place);
            let _ = writeln!(s, "    participants: [{}]", ev.participants.join(", "));
            if let Some(note) = &ev.note {
                let _ = writeln!(s, "    note: {note}");
            }
            let _ = writeln!(s, "    cite: \"@{}, p. {}\"", self.sources[ev.source].key, ev.page);
            if let Some((year, source)) = ev.disputed {
                let _ = writeln!(
                    s,
                    "    disputed:\n      - date: \"{year}\"\n        cite: \"@{}\"\n        note: Another source gives only the year.",
                    self.sources[source].key
                );
            }
        }
        s.push_str("---\n\n");
        s.push_str(&self.body(i, Flavor::Handbook));
        s
    }

    /// The relations of entry `i`: (name, target); three for every entry but
    /// the first. `follows` and the typed relation point to an earlier entry,
    /// so no relation but the symmetric `related` can go round in a circle
    /// (which `handbook check` rejects).
    pub fn relations(&self, i: usize) -> Vec<(&'static str, usize)> {
        let mut r = self.rng(i, 5);
        let name = ["part_of", "planned_by", "adopted_at"][self.kind(i)];
        let mut relations = Vec::with_capacity(3);
        if i > 0 {
            relations.push(("follows", i - 1));
            relations.push((name, r.below(i)));
        }
        relations.push(("related", self.other(i, &mut r)));
        relations
    }

    fn events(&self, i: usize) -> Vec<GenEvent> {
        let mut r = self.rng(i, 6);
        let title = self.title(i);
        self.event_years(i)
            .iter()
            .zip(self.event_anchors(i))
            .enumerate()
            .map(|(k, (&year, anchor))| {
                let (date, iso) = Self::event_date(&mut r, year);
                let n = r.range(2, 3);
                let participants = (0..n).map(|_| r.pick(PARTICIPANTS).to_string()).collect();
                let place = r.pick(PLACES).to_string();
                let note = (k % 3 == 0).then(|| {
                    let len = r.range(10, 18);
                    format!("{} *{}*.", Self::sentence(&mut r, len), r.pick(NOUNS).to_lowercase())
                });
                let source = r.below(SOURCES);
                let page = r.range(1, 300);
                let disputed = (k == 1 && i.is_multiple_of(7)).then(|| (year, r.below(SOURCES)));
                GenEvent {
                    anchor,
                    date,
                    iso,
                    title: if k == 2 { format!("{title} {year} (II)") } else { format!("{title} {year}") },
                    place,
                    participants,
                    note,
                    source,
                    page,
                    disputed,
                }
            })
            .collect()
    }

    /// Entry `i` as a Hugo content file.
    pub fn hugo_entry(&self, i: usize) -> String {
        let mut r = self.rng(i, 4);
        let kind = self.kind(i);
        let y = self.first_year(i);
        let mut s = String::with_capacity(8192);
        s.push_str("---\n");
        let _ = writeln!(s, "title: {}", self.title(i));
        let _ = writeln!(s, "summary: {}.", Self::sentence(&mut r, 14));
        // `aliases` means redirects to Hugo: the other names go under another key.
        let _ = writeln!(
            s,
            "other_names:\n  - {{name: \"{} {}\"}}\n  - {{name: \"{}\", lang: ru}}",
            r.pick(ADJECTIVES),
            r.pick(NOUNS),
            r.pick(RUSSIAN)
        );
        if i.is_multiple_of(4) {
            let _ = writeln!(s, "  - {{name: \"{}\", lang: zh}}", r.pick(CHINESE));
        }
        let (t1, t2) = (r.below(TAGS.len()), r.below(TAGS.len() - 1));
        let t2 = if t2 >= t1 { t2 + 1 } else { t2 };
        let _ = writeln!(s, "tags: [{}, {}]", TAGS[t1], TAGS[t2]);
        let month = r.range(1, 12);
        let _ = writeln!(s, "date: {y}-{month:02}-01");
        let _ = writeln!(s, "date_text: \"{y}-{month:02}\"");
        if i.is_multiple_of(5) {
            let _ = writeln!(s, "end_text: \"{}\"", y + 10);
        }
        let _ = writeln!(s, "kind: {}", KINDS[kind].1);
        s.push_str("facts:\n");
        let mut fact = |label: &str, value: String| {
            let _ = writeln!(s, "  - {{label: {label}, value: {}}}", Self::quote(&value));
        };
        match kind {
            0 => {
                fact("Level", r.pick(LEVELS).to_string());
                fact("Frequency", r.pick(FREQUENCIES).to_string());
                fact("Participants", format!("{}; {}", r.pick(PARTICIPANTS), r.pick(PARTICIPANTS)));
            }
            1 => {
                fact("Domain", r.pick(DOMAINS).replace('-', " "));
                fact("Format", r.pick(FORMATS).to_string());
            }
            _ => {
                fact("Signatories", format!("{}; {}", r.pick(SIGNATORIES), r.pick(SIGNATORIES)));
                fact("Place", r.pick(PLACES).to_string());
            }
        }
        let events = self.events(i);
        let mut years: Vec<i32> = events.iter().map(|e| e.iso[..4].parse().expect("year")).collect();
        years.dedup();
        let years: Vec<String> = years.iter().map(|y| format!("\"{y}\"")).collect();
        let _ = writeln!(s, "years: [{}]", years.join(", "));
        s.push_str("relations:\n");
        for (name, target) in self.relations(i) {
            let _ = writeln!(s, "  {name}: [\"/{}/{}\"]", KINDS[self.kind(target)].0, self.id(target));
        }
        s.push_str("events:\n");
        for ev in events {
            let _ = writeln!(s, "  - anchor: \"{}\"", ev.anchor);
            let _ = writeln!(s, "    date: \"{}\"", ev.date);
            let _ = writeln!(s, "    title: {}", ev.title);
            let _ = writeln!(s, "    place: {}", ev.place);
            let _ = writeln!(s, "    participants: {}", Self::quote(&ev.participants.join("; ")));
            if let Some(note) = &ev.note {
                let _ = writeln!(s, "    note: {note}");
            }
            let _ = writeln!(s, "    cite: \"{}, p. {}\"", self.sources[ev.source].plain, ev.page);
            if let Some((year, source)) = ev.disputed {
                let _ = writeln!(
                    s,
                    "    disputed: \"date given as {year}; Another source gives only the year ({})\"",
                    self.sources[source].plain
                );
            }
        }
        s.push_str("---\n\n");
        s.push_str(&self.body(i, Flavor::Hugo));
        s
    }

    /// Every file of the handbook site (paths relative to its root).
    pub fn handbook_files(&self) -> impl Iterator<Item = File> + '_ {
        let fixed = [
            File { path: "content/site.yaml".into(), text: self.site_yaml() },
            File { path: "content/references.bib".into(), text: self.references_bib() },
            File { path: "content/index.md".into(), text: self.home(Flavor::Handbook) },
        ];
        fixed.into_iter().chain(
            (0..self.n).map(|i| File { path: format!("content/{}", self.path(i)), text: self.handbook_entry(i) }),
        )
    }

    /// Every file of the Hugo site (paths relative to its root).
    pub fn hugo_files(&self) -> impl Iterator<Item = File> + '_ {
        let mut fixed = vec![
            File { path: "config.toml".into(), text: hugo_config(self.n) },
            File { path: "content/_index.md".into(), text: self.home(Flavor::Hugo) },
            // The relations' labels as site parameters, not `data/`: Hugo 0.156 deprecated
            // `site.Data`, and its replacement `hugo.Data` is not in Hugo 0.111.
            File { path: "config/_default/params.yaml".into(), text: RELATIONS_YAML.into() },
            // Titles for the taxonomies' list pages, which Hugo 0.111 and 0.168 would otherwise
            // capitalise differently.
            File { path: "content/tags/_index.md".into(), text: "---\ntitle: Tags\n---\n".into() },
            File { path: "content/years/_index.md".into(), text: "---\ntitle: Years\n---\n".into() },
        ];
        for (folder, _, _) in KINDS {
            let title = format!("{}{}", folder[..1].to_uppercase(), &folder[1..]);
            fixed.push(File {
                path: format!("content/{folder}/_index.md"),
                text: format!("---\ntitle: {title}\n---\n"),
            });
        }
        for (name, text) in HUGO_LAYOUTS {
            fixed.push(File { path: name.to_string(), text: text.to_string() });
        }
        fixed
            .into_iter()
            .chain((0..self.n).map(|i| File { path: format!("content/{}", self.path(i)), text: self.hugo_entry(i) }))
    }
}

struct GenEvent {
    anchor: String,
    date: String,
    iso: String,
    title: String,
    place: String,
    participants: Vec<String>,
    note: Option<String>,
    source: usize,
    page: usize,
    disputed: Option<(i32, usize)>,
}

fn make_sources(seed: u64) -> Vec<Source> {
    let mut r = Rng::new(seed, u64::MAX);
    let mut keys = HashSet::new();
    (0..SOURCES)
        .map(|i| {
            let year = 1995 + r.below(30);
            let topic = r.pick(NOUNS).to_ascii_lowercase();
            let title = format!(
                "{} {}: {} {} in {}",
                r.pick(ADJECTIVES),
                r.pick(NOUNS),
                Corpus::sentence(&mut r, 3),
                r.pick(NOUNS).to_lowercase(),
                r.pick(PLACES)
            );
            let kind = i % 4;
            let (author_field, plain_name, key_name) = if kind == 2 {
                let org = *r.pick(ORGANISATIONS);
                let short: String = org.split_whitespace().next().unwrap_or("org").to_ascii_lowercase();
                (format!("{{{org}}}"), org.to_string(), short)
            } else {
                let k = r.below(SURNAMES.len());
                (format!("{}, {}", SURNAMES[k], GIVEN[k]), SURNAMES[k].to_string(), SURNAMES[k].to_ascii_lowercase())
            };
            let mut key: String =
                format!("{key_name}{year}{topic}").chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            while !keys.insert(key.clone()) {
                key.push('x');
            }
            let month = r.range(1, 12);
            let day = r.range(1, 28);
            let bibtex = match kind {
                0 => format!(
                    "@article{{{key},\n  author       = {{{author_field}}},\n  title        = {{{title}}},\n  journaltitle = {{{}}},\n  volume       = {{{}}},\n  number       = {{{}}},\n  date         = {{{year}}},\n  pages        = {{{}--{}}},\n}}\n",
                    r.pick(JOURNALS),
                    r.range(1, 60),
                    r.range(1, 4),
                    r.range(1, 100),
                    r.range(101, 140)
                ),
                1 => {
                    let (publisher, location) = *r.pick(PUBLISHERS);
                    format!(
                        "@book{{{key},\n  author       = {{{author_field}}},\n  title        = {{{title}}},\n  publisher    = {{{publisher}}},\n  location     = {{{location}}},\n  date         = {{{year}}},\n}}\n"
                    )
                }
                2 => format!(
                    "@online{{{key},\n  author       = {{{author_field}}},\n  title        = {{{title}}},\n  date         = {{{year}-{month:02}-{day:02}}},\n  url          = {{https://example.org/news/{key}.html}},\n  urldate      = {{2026-11-29}},\n}}\n"
                ),
                _ => format!(
                    "@report{{{key},\n  author       = {{{author_field}}},\n  title        = {{{title}}},\n  institution  = {{{}}},\n  type         = {{Research Report}},\n  date         = {{{year}-{month:02}}},\n}}\n",
                    r.pick(PUBLISHERS).0
                ),
            };
            Source { key, plain: format!("{plain_name} {year}"), bibtex }
        })
        .collect()
}

fn hugo_config(n: usize) -> String {
    format!(
        r#"baseURL = "https://example.org/"
# No languageCode (deprecated in Hugo 0.158 for locale, which Hugo 0.111 does not
# know): the templates use the language's key, "en" by default.
title = "Synthetic Handbook ({n} entries)"
# Pages at section/id.html, as the handbook writes them, so Markdown links match.
uglyURLs = true
relativeURLs = true
# Terms' titles as written, as Hugo 0.111 leaves them (Hugo 0.168 capitalises them).
capitalizeListTitles = false
# The handbook writes no feed, sitemap or robots.txt.
disableKinds = ["RSS", "sitemap", "robotsTXT"]
enableRobotsTXT = false
enableGitInfo = false

[taxonomies]
  tag = "tags"
  year = "years"

[markup.goldmark.extensions]
  footnote = true
  table = true
  strikethrough = true
  typographer = true
"#
    )
}

/// The Hugo layouts, equivalent to the handbook's base, entry, kind and home templates.
pub const HUGO_LAYOUTS: &[(&str, &str)] = &[
    (
        "layouts/_default/baseof.html",
        r##"<!DOCTYPE html>
<html lang="{{ site.Language.Lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
{{ with .Params.summary }}<meta name="description" content="{{ . }}">
{{ end }}<link rel="canonical" href="{{ .Permalink }}">
<meta name="generator" content="Hugo {{ hugo.Version }}">
<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
</head>
<body class="page-{{ .Section }}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<a class="site-title" href="{{ "index.html" | relURL }}">{{ site.Title }}</a>
<nav aria-label="Sections">
<ul>
{{ $current := .Section }}{{ range site.Sections }}<li><a href="{{ .RelPermalink }}"{{ if eq .Section $current }} class="current"{{ end }}>{{ .Title }}</a> ({{ len .Pages }})</li>
{{ end }}{{ with site.GetPage "/years" }}<li><a href="{{ .RelPermalink }}">Chronology</a></li>{{ end }}
</ul>
</nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
<p>{{ site.Title }}. Built with Hugo.{{ with site.GetPage "/tags" }} <a href="{{ .RelPermalink }}">Tags</a>{{ end }}</p>
</footer>
</body>
</html>
"##,
    ),
    (
        "layouts/_default/single.html",
        r##"{{ define "main" }}
<article class="entry kind-{{ .Params.kind }}">
<header class="entry-header">
<p class="breadcrumb"><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></p>
<h1>{{ .Title }}</h1>
{{ with .Params.other_names }}<p class="aliases">Also known as {{ range $i, $a := . }}{{ if $i }}, {{ end }}<span class="alias"{{ with $a.lang }} lang="{{ . }}"{{ end }}>{{ $a.name }}</span>{{ end }}</p>
{{ end }}<p class="summary">{{ .Params.summary }}</p>
<dl class="facts">
<dt>Date</dt>
<dd><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Params.date_text }}</time></dd>
{{ with .Params.end_text }}<dt>Ended</dt>
<dd>{{ . }}</dd>
{{ end }}{{ range .Params.facts }}<dt>{{ .label }}</dt>
<dd>{{ .value }}</dd>
{{ end }}{{ with .GetTerms "tags" }}<dt>Tags</dt>
<dd>{{ range $i, $t := . }}{{ if $i }}, {{ end }}<a class="tag" href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ end }}</dd>
{{ end }}</dl>
</header>
<div class="entry-body">
{{ .Content }}
</div>
{{ with .Params.events }}<section class="events" aria-labelledby="events">
<h2 id="events">Events</h2>
<ol class="event-list">
{{ range . }}<li id="{{ .anchor }}" class="event{{ if .disputed }} is-disputed{{ end }}">
<p class="event-head"><time>{{ .date }}</time> <span class="event-title">{{ .title }}</span> <span class="cite">({{ .cite }})</span>{{ if .disputed }} <span class="disputed-mark">disputed</span>{{ end }}</p>
{{ with .place }}<p class="event-place">{{ . }}</p>
{{ end }}{{ with .participants }}<p class="event-participants">{{ . }}</p>
{{ end }}{{ with .note }}<p class="event-note">{{ . | markdownify }}</p>
{{ end }}{{ with .disputed }}<div class="dispute"><p>Sources disagree: {{ . }}</p></div>
{{ end }}</li>
{{ end }}</ol>
</section>
{{ end }}{{ with .Params.relations }}<section class="relations" aria-labelledby="relations">
<h2 id="relations">Connections</h2>
<dl class="relation-list">
{{ range $name, $targets := . }}<dt>{{ (index site.Params.relations $name).label }}</dt>
<dd><ul>{{ range $targets }}{{ with site.GetPage . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="kind-badge kind-{{ .Params.kind }}">{{ .Params.kind }}</span></li>{{ end }}{{ end }}</ul></dd>
{{ end }}</dl>
</section>
{{ end }}<footer class="entry-footer">
<p>Source: content/{{ .File.Path }}</p>
</footer>
</article>
{{ end }}
"##,
    ),
    (
        "layouts/_default/list.html",
        r##"{{ define "main" }}
<h1>{{ .Title }}</h1>
<table class="index-table sortable">
<caption>{{ len .Pages }} {{ .Title | lower }}, by date</caption>
<thead><tr><th scope="col">Title</th><th scope="col" aria-sort="ascending">Date</th><th scope="col">Summary</th><th scope="col">Events</th></tr></thead>
<tbody>
{{ range .Pages.ByDate }}<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Params.date_text }}</time></td><td>{{ .Params.summary }}</td><td>{{ with .Params.events }}{{ len . }}{{ end }}</td></tr>
{{ end }}</tbody>
</table>
{{ end }}
"##,
    ),
    (
        "layouts/index.html",
        r##"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>
{{ end }}<ul class="counts">
{{ range site.Sections }}<li><a href="{{ .RelPermalink }}"><span class="count">{{ len .Pages }}</span> {{ .Title | lower }}</a></li>
{{ end }}</ul>
<div class="home-body">
{{ .Content }}
</div>
<section aria-labelledby="activity">
<h2 id="activity">Activity by year</h2>
<ul class="years">
{{ range site.Taxonomies.years.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>
{{ end }}</ul>
</section>
{{ end }}
"##,
    ),
    (
        "layouts/404.html",
        r##"{{ define "main" }}
<h1>Page not found</h1>
<p>Try the <a href="{{ "index.html" | relURL }}">home page</a>.</p>
{{ end }}
"##,
    ),
    ("static/style.css", "body { font-family: Georgia, serif; max-width: 48rem; margin: 0 auto; padding: 1rem; }\n"),
];
