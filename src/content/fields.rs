//! The fields of the front matter, as typed values: what `docs/content-format.md`
//! documents, what `handbook schema` prints, what the model is made from.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::Kind;

/// A date as written: `2004`, `2000-07-18`, `2005-08-18/2005-08-25`, `2004~`.
/// YAML reads `2004` as a number, so numbers are accepted too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DateText(pub String);

impl JsonSchema for DateText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PartialDate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A partial date (EDTF level 1): YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ? (uncertain), ~ (approximate) or % (both); or a range A/B.",
            "type": ["string", "integer"],
            "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~%]?)?$",
            "examples": ["2004", "2000-07", "2000-07-18", "2005-08-18/2005-08-25", "2004~"]
        })
    }
}

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DateText, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DateText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date such as 2004, 2000-07 or 2000-07-18")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// One value or a list of them (`cite: "@a"` or `cite: ["@a", "@b"]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(t) => std::slice::from_ref(t),
            OneOrMany::Many(v) => v,
        }
    }

    /// True when the value was written as a list (its items have paths `key[i]`).
    pub fn is_list(&self) -> bool {
        matches!(self, OneOrMany::Many(_))
    }
}

/// Another name of the entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Alias {
    /// A name in the handbook's language.
    Plain(String),
    /// A name with its language, e.g. `{name: "Мирная миссия", lang: ru}`.
    Tagged {
        name: String,
        /// BCP 47 language tag (`ru`, `zh`, `zh-Hans`).
        #[serde(default)]
        lang: Option<String>,
    },
}

impl Alias {
    pub fn name(&self) -> &str {
        match self {
            Alias::Plain(n) | Alias::Tagged { name: n, .. } => n,
        }
    }

    pub fn lang(&self) -> Option<&str> {
        match self {
            Alias::Plain(_) => None,
            Alias::Tagged { lang, .. } => lang.as_deref(),
        }
    }
}

/// What an exercise trains for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    Land,
    Sea,
    Air,
    MissileDefence,
    InternalSecurity,
}

impl Domain {
    pub fn label(self) -> &'static str {
        match self {
            Domain::Land => "land",
            Domain::Sea => "sea",
            Domain::Air => "air",
            Domain::MissileDefence => "missile defence",
            Domain::InternalSecurity => "internal security",
        }
    }
}

/// The framework an exercise is held in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExerciseFormat {
    /// China and Russia only.
    Bilateral,
    /// Under the Shanghai Cooperation Organisation.
    Sco,
}

impl ExerciseFormat {
    pub fn label(self) -> &'static str {
        match self {
            ExerciseFormat::Bilateral => "bilateral",
            ExerciseFormat::Sco => "SCO",
        }
    }
}

/// Another source's version of an event: a different date, place or account.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputedClaim {
    /// The date this source gives.
    #[serde(default)]
    pub date: Option<DateText>,
    /// The place this source gives.
    #[serde(default)]
    pub place: Option<String>,
    /// What this source says, in Markdown.
    #[serde(default)]
    pub note: Option<String>,
    /// The source of the claim: `"@key, p. 35"`, or a list of such citations.
    pub cite: OneOrMany<String>,
}

/// A dated occurrence: a meeting, an iteration of an exercise, a signing.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventFrontMatter {
    /// When it happened.
    pub date: DateText,
    /// What happened, e.g. "Joint Sea 2016".
    pub title: String,
    /// The anchor of the event on its entry's page; by default its year
    /// (a second event in the same year gets `YEAR-2`, and so on).
    #[serde(default)]
    pub id: Option<String>,
    /// Where it happened.
    #[serde(default)]
    pub place: Option<String>,
    /// Who took part.
    #[serde(default)]
    pub participants: Vec<String>,
    /// More about the event, in Markdown; may cite.
    #[serde(default)]
    pub note: Option<String>,
    /// The source: `"@key, p. 35"`, or a list of such citations.
    #[serde(default)]
    pub cite: OneOrMany<String>,
    /// Other sources' conflicting claims about this event, each with its citation.
    #[serde(default)]
    pub disputed: Vec<DisputedClaim>,
}

/// The front matter of an entry of any kind. Fields marked for one kind are
/// refused on the others.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The entry's name.
    pub title: String,
    /// One sentence: shown in lists, search results and the page description.
    pub summary: String,
    /// Other names, e.g. Russian and Chinese names.
    #[serde(default)]
    pub aliases: Vec<Alias>,
    /// Free tags; each tag gets a page.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When it was established, first held, or signed.
    pub date: DateText,
    /// When it ended, if it did.
    #[serde(default)]
    pub end: Option<DateText>,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Typed links to other entries: relation name (defined in site.yaml) to one id or a list of ids.
    #[serde(default)]
    pub relations: BTreeMap<String, OneOrMany<String>>,
    /// The dated occurrences that feed the chronology.
    #[serde(default)]
    pub events: Vec<EventFrontMatter>,
    /// Mechanisms: who meets, e.g. "defence ministers".
    #[serde(default)]
    pub level: Option<String>,
    /// Mechanisms: how often it meets, e.g. "annual".
    #[serde(default)]
    pub frequency: Option<String>,
    /// Mechanisms: the offices or bodies taking part.
    #[serde(default)]
    pub participants: Vec<String>,
    /// Exercises: what it trains for.
    #[serde(default)]
    pub domain: OneOrMany<Domain>,
    /// Exercises: bilateral, or under the SCO.
    #[serde(default)]
    pub format: Option<ExerciseFormat>,
    /// Declarations: who signed.
    #[serde(default)]
    pub signatories: Vec<String>,
    /// Declarations: where it was signed.
    #[serde(default)]
    pub place: Option<String>,
}

/// Keys every entry may use.
pub const COMMON_KEYS: &[&str] =
    &["title", "summary", "aliases", "tags", "date", "end", "draft", "relations", "events"];
/// Keys every entry must have.
pub const REQUIRED_KEYS: &[&str] = &["title", "summary", "date"];
pub(super) const EVENT_KEYS: &[&str] = &["date", "title", "id", "place", "participants", "note", "cite", "disputed"];
pub(super) const EVENT_REQUIRED: &[&str] = &["date", "title"];
pub(super) const CLAIM_KEYS: &[&str] = &["date", "place", "note", "cite"];
pub(super) const CLAIM_REQUIRED: &[&str] = &["cite"];

/// The keys that only entries of `kind` may use.
pub fn kind_keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Mechanism => &["level", "frequency", "participants"],
        Kind::Exercise => &["domain", "format"],
        Kind::Declaration => &["signatories", "place"],
        Kind::Topic => &[],
    }
}

/// The front matter of the home page, `content/index.md`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    pub title: String,
    pub summary: String,
}
