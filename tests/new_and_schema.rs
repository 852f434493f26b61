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
        ("topic", "content/topics/border-talks.md"),
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
    // Until its placeholders are replaced, a new entry fails check: its summary and its text say TODO.
    let outcome = site.check();
    let errors: Vec<String> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}:{} {}", d.file.file_name().unwrap().to_string_lossy(), d.line, d.message))
        .collect();
    assert_eq!(errors.len(), 8, "{errors:#?}");
    assert!(errors.iter().all(|e| e.contains("is not written yet (it says TODO)")), "{errors:#?}");
    // Written, they pass (the declaration's event still cites nothing: a warning).
    for kind in ["mechanism", "exercise", "declaration", "topic"] {
        let file = format!("content/{kind}s/border-talks-{kind}.md");
        let text = site.read_source(&file);
        let summary_start = text.find("summary: \"TODO").unwrap();
        let summary_end = summary_start + text[summary_start..].find('\n').unwrap();
        let body_start = text.find("\nTODO: describe").unwrap();
        let written = format!(
            "{}summary: Talks on the border.{}\nThe talks began in 1994 [@korolev2018, p. 35].\n",
            &text[..summary_start],
            &text[summary_end..body_start]
        );
        site.write(&file, &written);
    }
    let outcome = site.check();
    assert!(!outcome.diagnostics.has_errors(), "{:#?}", outcome.diagnostics);
}

#[test]
fn new_makes_ids_from_titles_in_any_script_or_takes_one() {
    let site = Site::copy_of("basic");
    for (title, file) in [
        ("海上联合 2016", "content/exercises/hai-shang-lian-he-2016.md"),
        ("Морское взаимодействие", "content/exercises/morskoe-vzaimodeistvie.md"),
        ("Müller Straße Çağlar", "content/exercises/muller-strasse-caglar.md"),
    ] {
        let out = site.run(&["new", "exercise", title]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), file);
        assert!(site.read_source(file).contains(&format!("title: \"{title}\"")), "the title keeps its script");
    }
    let out =
        site.run(&["new", "mechanism", "Military education and personnel exchanges", "--id", "military-education"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "content/mechanisms/military-education.md");
    let bad = site.run(&["new", "mechanism", "X", "--id", "Not A Slug"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`Not A Slug` is not an id"));
}

#[test]
fn new_quotes_titles_safely() {
    let site = Site::copy_of("basic");
    let out = site.run(&["new", "exercise", "Joint \"Sea\": #2 <b>"]);
    assert!(out.status.success());
    let outcome = site.check();
    // The title is read back as written; the only errors are the placeholders still to replace.
    assert!(
        outcome.diagnostics.iter().filter(|d| d.is_error()).all(|d| d.message.contains("it says TODO")),
        "{:#?}",
        outcome.diagnostics
    );
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
    for (name, schema) in handbook::content::schema::all() {
        let shipped: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("schema").join(&name)).unwrap()).unwrap();
        assert_eq!(shipped, schema, "schema/{name} is stale: run `cargo run -- schema --out schema`");
    }
    let mut checked = 0;
    for kind in handbook::content::Kind::ALL {
        let schema = handbook::content::schema::entry_schema(kind);
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
    let validator = jsonschema::validator_for(&handbook::content::schema::site_schema()).unwrap();
    assert!(validator.is_valid(&serde_json::to_value(site).unwrap()));
}
