//! The kinds of entry: each has its own folder, name and fields.

/// The kinds of entry, each with its own folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Mechanism,
    Exercise,
    Declaration,
    /// A theme or context that frames the others (threat perceptions, interoperability, the strategic background).
    Topic,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Mechanism, Kind::Exercise, Kind::Declaration, Kind::Topic];

    /// The folder under `content/` (and under the output) that holds this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Mechanism => "mechanisms",
            Kind::Exercise => "exercises",
            Kind::Declaration => "declarations",
            Kind::Topic => "topics",
        }
    }

    /// The singular name, as written on the command line (`handbook new exercise`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Mechanism => "mechanism",
            Kind::Exercise => "exercise",
            Kind::Declaration => "declaration",
            Kind::Topic => "topic",
        }
    }

    /// The plural, capitalised, for headings.
    pub fn plural_title(self) -> &'static str {
        match self {
            Kind::Mechanism => "Mechanisms",
            Kind::Exercise => "Exercises",
            Kind::Declaration => "Declarations",
            Kind::Topic => "Topics",
        }
    }

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name || k.folder() == name)
    }
}
