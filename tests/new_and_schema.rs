//! `handbook new` writes a valid entry and refuses to overwrite; the shipped
//! JSON Schemas are current and the bundled content validates against them.

mod common;

use common::Site;
use std::path::Path;

#[test]
fn new_writes_a_valid_entry_for_each_kind_and_refuses_to_overwrite() {
    let site = Site::copy_of("basic");
    for (kind, file) in [
        ("mechanism", "content/mechanisms/border-talks.md"),
        ("exercise", "content/exercises/border-talks.md"),
        ("declaration", "content/declarations/border-talks.md"),
    ] {
        // Ids are unique across kinds, so each kind gets its own title.
        let title = format!("Border Talks {kind}");
        let file = file.replace("border-talks", &format!("border-talks-{kind}"));
        let out = site.run(&["new", kind, &title]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), file);
        let text = site.read_source(&file);
        assert!(text.contains(&format!("title: \"{title}\"")), "{text}");
        assert!(text.contains("[@korolev2018, p. 35]"), "the archetype shows how to cite");
        // Refuses to overwrite, and leaves the file as it was.
        site.write(&file, &(text.clone() + "\nedited\n"));
        let again = site.run(&["new", kind, &title]);
        assert_eq!(again.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; nothing was written"));
        assert!(site.read_source(&file).ends_with("edited\n"));
    }
    // The new entries are valid: check passes (with warnings: they cite nothing yet).
    let outcome = site.check();
    assert!(!outcome.diagnostics.has_errors(), "{:#?}", outcome.diagnostics);
    assert!(outcome.diagnostics.iter().any(|d| d.message == "entry cites no source"));
}

#[test]
fn new_quotes_titles_safely() {
    let site = Site::copy_of("basic");
    let out = site.run(&["new", "exercise", "Joint \"Sea\": #2 <b>"]);
    assert!(out.status.success());
    let outcome = site.check();
    assert!(!outcome.diagnostics.has_errors(), "{:#?}", outcome.diagnostics);
    let bad = site.run(&["new", "exercises2", "X"]);
    assert_eq!(bad.status.code(), Some(2));
    // `index` would be the kind's list page.
    let taken = site.run(&["new", "exercise", "Index"]);
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("the id `index`"));
    assert!(!site.root().join("content/exercises/index.md").exists());
}

fn front_matter_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let yaml = text.strip_prefix("---\n").unwrap().split("\n---\n").next().unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
    serde_json::to_value(value).unwrap()
}

#[test]
fn bundled_content_validates_against_the_shipped_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The shipped files are what `handbook schema --out schema` writes today.
    for (name, schema) in handbook::schema::all() {
        let shipped: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("schema").join(&name)).unwrap()).unwrap();
        assert_eq!(shipped, schema, "schema/{name} is stale: run `cargo run -- schema --out schema`");
    }
    let mut checked = 0;
    for kind in handbook::load::Kind::ALL {
        let schema = handbook::schema::entry_schema(kind);
        let validator = jsonschema::validator_for(&schema).unwrap();
        for item in std::fs::read_dir(root.join("content").join(kind.folder())).unwrap() {
            let path = item.unwrap().path();
            let fm = front_matter_json(&path);
            let errors: Vec<String> =
                validator.iter_errors(&fm).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            checked += 1;
        }
        // And it rejects what check rejects: an unknown key and a bad date shape.
        let mut bad = serde_json::json!({"title": "x", "summary": "y", "date": "2004", "titel": 1});
        assert!(!validator.is_valid(&bad));
        bad = serde_json::json!({"title": "x", "summary": "y", "date": "July 2004"});
        assert!(!validator.is_valid(&bad));
    }
    assert!(checked >= 20);
    let site: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root.join("content/site.yaml")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&handbook::schema::site_schema()).unwrap();
    assert!(validator.is_valid(&serde_json::to_value(site).unwrap()));
}
