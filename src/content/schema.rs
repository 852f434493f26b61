//! JSON Schemas of the content format, generated from the Rust types, for
//! editors and other tools (`handbook schema`).

use serde_json::Value;

use crate::content::Kind;
use crate::content::fields::{FrontMatter, kind_keys};
use crate::content::site::SiteConfig;

/// The schema of the front matter of entries of `kind`: the common fields
/// and that kind's own.
pub fn entry_schema(kind: Kind) -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(FrontMatter)).expect("schemas are JSON");
    let foreign: Vec<&str> = Kind::ALL.iter().filter(|k| **k != kind).flat_map(|k| kind_keys(*k)).copied().collect();
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for key in &foreign {
            props.remove(*key);
        }
    }
    let obj = schema.as_object_mut().expect("a schema is an object");
    obj.insert("title".into(), Value::String(format!("Front matter of a handbook {}", kind.name())));
    obj.insert("$id".into(), Value::String(format!("https://handbook.invalid/schema/{}.schema.json", kind.name())));
    schema
}

/// The schema of `content/site.yaml`.
pub fn site_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(SiteConfig)).expect("schemas are JSON");
    let obj = schema.as_object_mut().expect("a schema is an object");
    obj.insert("title".into(), Value::String("handbook site.yaml".into()));
    schema
}

/// Every schema with the file name it is shipped under.
pub fn all() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> =
        Kind::ALL.iter().map(|k| (format!("{}.schema.json", k.name()), entry_schema(*k))).collect();
    out.push(("site.schema.json".into(), site_schema()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_see_only_their_own_fields() {
        let s = entry_schema(Kind::Exercise);
        let props = s["properties"].as_object().unwrap();
        assert!(props.contains_key("domain"));
        assert!(props.contains_key("events"));
        assert!(!props.contains_key("level"));
        assert!(!props.contains_key("signatories"));
        assert_eq!(s["additionalProperties"], Value::Bool(false));
        let required: Vec<&str> = s["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert_eq!(required, ["title", "summary", "date"]);
    }
}
