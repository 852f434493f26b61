//! What a handbook that takes entries by pull request must never do: delete
//! a folder it did not write, publish script smuggled into an entry, read a
//! file outside the handbook, or write a site that `--strict` rejects.

mod common;

use std::path::Path;

use common::{Site, snapshot};

/// Runs `handbook build --out OUT` and returns (exit code, stderr).
fn build_into(site: &Site, out: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["build", "--out", out];
    args.extend_from_slice(extra);
    let output = site.run(&args);
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Every file under the site's root except the given output folder.
fn sources(site: &Site) -> Vec<(String, Vec<u8>)> {
    snapshot(site.root())
        .into_iter()
        .filter(|(p, _)| !p.starts_with("public/") && !p.starts_with(".handbook-cache/"))
        .collect()
}

/// Names in `dir` that look like a build's staging folder.
fn staging_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect()
}

#[test]
fn build_refuses_the_handbooks_own_folders_and_leaves_them_byte_for_byte() {
    let site = Site::copy_of("basic");
    site.write("templates/README.txt", "my templates\n");
    site.write("static/logo.svg", "<svg/>\n");
    let before = sources(&site);
    for (out, why) in [
        ("content", "it is or holds the handbook's own `content/` folder"),
        ("content/exercises", "it is or holds the handbook's own `content/` folder"),
        ("content/new-folder", "it is or holds the handbook's own `content/` folder"),
        ("templates", "it is or holds the handbook's own `templates/` folder"),
        ("static/site", "it is or holds the handbook's own `static/` folder"),
        (".", "it is the handbook's root folder"),
        ("..", "it contains the handbook's root folder"),
        ("/", "it contains the handbook's root folder"),
    ] {
        let (code, stderr) = build_into(&site, out, &[]);
        assert_eq!(code, Some(2), "--out {out}: {stderr}");
        assert!(stderr.contains(&format!("will not build into this folder: {why}")), "--out {out}: {stderr}");
        assert!(stderr.contains("help: choose another folder with --out"), "--out {out}: {stderr}");
        assert_eq!(sources(&site), before, "--out {out} changed the handbook");
        assert!(staging_leftovers(site.root()).is_empty(), "--out {out} left a staging folder");
        assert!(staging_leftovers(&site.root().join("content")).is_empty());
    }
}

#[test]
fn build_refuses_a_folder_with_files_it_did_not_write() {
    let site = Site::copy_of("basic");
    site.write("mydocs/thesis.tex", "\\documentclass{article}\n");
    site.write("mydocs/data/table.csv", "a,b\n");
    let before = snapshot(&site.root().join("mydocs"));
    let (code, stderr) = build_into(&site, "mydocs", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr
            .contains("will not build into this folder: it holds files handbook did not write (`data`, `thesis.tex`)"),
        "{stderr}"
    );
    assert!(stderr.contains("help: choose an empty folder, or remove this one"), "{stderr}");
    assert_eq!(snapshot(&site.root().join("mydocs")), before, "the folder's files are still there byte for byte");
    assert!(staging_leftovers(site.root()).is_empty());
}

#[test]
fn build_replaces_its_own_output_and_fills_an_empty_folder() {
    let site = Site::copy_of("basic");
    std::fs::create_dir_all(site.root().join("empty")).unwrap();
    let (code, stderr) = build_into(&site, "empty", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(site.root().join("empty/index.html").is_file());
    // The stamp it leaves lets the next build replace the folder.
    assert!(site.root().join("empty/.handbook-output").is_file());
    let (code, stderr) = build_into(&site, "empty", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    // A stamped folder is the build's own: what was added to it goes (as documented).
    site.write("empty/mine.txt", "mine\n");
    let (code, _) = build_into(&site, "empty", &[]);
    assert_eq!(code, Some(0));
    assert!(!site.root().join("empty/mine.txt").exists());
}

#[test]
fn build_refuses_a_symbolic_link_as_output() {
    let site = Site::copy_of("basic");
    std::fs::create_dir_all(site.root().join("real")).unwrap();
    std::os::unix::fs::symlink(site.root().join("real"), site.root().join("public")).unwrap();
    let (code, stderr) = build_into(&site, "public", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("it is a symbolic link"), "{stderr}");
}

#[test]
fn strict_is_decided_before_anything_is_written() {
    let site = Site::copy_of("basic");
    // An entry that cites nothing is a warning; --strict makes it an error.
    site.write(
        "content/exercises/drill.md",
        "---\ntitle: Drill Series\nsummary: A series of joint drills.\ndate: 2005\n---\nBody without a source.\n",
    );
    let out = site.run(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let (code, stderr) = build_into(&site, "public", &["--strict"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("; nothing was written"), "{stderr}");
    assert!(!site.out().exists(), "--strict wrote the site before failing");
    // check never writes, so it never says whether it wrote.
    let out = site.run(&["check", "--strict"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("problem"), "{stderr}");
    assert!(!stderr.contains("written"), "{stderr}");
}

/// Raw HTML that runs script in a browser, one vector a line: script
/// elements, event handlers, script addresses in every attribute that takes
/// one (plain, mixed case, entity-encoded, with whitespace inside), SVG and
/// MathML, frames, objects, styles with `expression()`, refreshes, bases and
/// forms.
const RAW_HTML_VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(2)>",
    "<img src=\"javascript:alert(3)\">",
    "<a href=\"javascript:alert(4)\">a</a>",
    "<a href=\"JaVaScRiPt:alert(5)\">b</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(6)\">c</a>",
    "<a href=\"java\tscript:alert(7)\">d</a>",
    "<a href=\"vbscript:msgbox(8)\">e</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==\">f</a>",
    "<svg onload=alert(10)><circle r=1></circle></svg>",
    "<svg><script>alert(11)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(12)\"><text>g</text></a></svg>",
    "<math><mtext><a href=\"javascript:alert(13)\">h</a></mtext></math>",
    "<iframe src=\"javascript:alert(14)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(15)</script>\"></iframe>",
    "<object data=\"javascript:alert(16)\"></object>",
    "<embed src=\"javascript:alert(17)\">",
    "<div style=\"width: expression(alert(18))\">i</div>",
    "<div style=\"background:url(javascript:alert(19))\">j</div>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(20)\">",
    "<base href=\"javascript:alert(21)//\">",
    "<form action=\"javascript:alert(22)\"><button>k</button></form>",
    "<button formaction=\"javascript:alert(23)\">l</button>",
    "<details open ontoggle=alert(24)>m</details>",
    "<body onload=alert(25)>",
    "<input autofocus onfocus=alert(26)>",
    "<p title=\"x\" onmouseover=\"alert(27)\">n</p>",
    "<video><source onerror=\"alert(28)\"></video>",
    "<style>@import 'javascript:alert(29)';</style>",
];

/// Markdown links, images and autolinks to script addresses.
const MARKDOWN_VECTORS: &[&str] = &[
    "[a](javascript:alert(30))",
    "[b](JAVASCRIPT:alert(31))",
    "[c](&#x6A;avascript:alert(32))",
    "[d](<java\tscript:alert(33)>)",
    "![e](javascript:alert(34))",
    "![f](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMzUpPg==)",
    "<javascript:alert(36)>",
    "[g][vb]",
];

/// The reference definition `[g][vb]` uses.
const MARKDOWN_DEFINITION: &str = "[vb]: vbscript:msgbox(37)";

fn site_with_vectors(raw_html: &str) -> Site {
    let site = Site::copy_of("basic");
    site.edit("content/site.yaml", "title:", &format!("raw_html: {raw_html}\ntitle:"));
    let body: String = RAW_HTML_VECTORS.iter().map(|v| format!("Text {v} text.\n\n")).collect();
    let note = RAW_HTML_VECTORS[..4].join(" ").replace('"', "'");
    site.write(
        "content/exercises/vectors.md",
        &format!(
            "---\ntitle: Vectors\nsummary: Raw HTML from a pull request.\ndate: 2005\nevents:\n  - date: 2005\n    title: Vector event\n    note: \"Held {note} at sea.\"\n    cite: \"@xinhua2005\"\n---\nA drill [@korolev2018, p. 35].\n\n{body}"
        ),
    );
    site
}

/// True for the script of the built-in 404 template, as it is there.
fn is_404_script(text: &str) -> bool {
    let template = include_str!("../templates/404.html");
    let own = template.split_once("\">\n").and_then(|(_, rest)| rest.split_once("</script>")).map(|(s, _)| s);
    own.is_some_and(|own| !own.trim().is_empty() && text.trim() == own.trim())
}

/// Every element or attribute in the HTML files under `dir` that a browser
/// would run script from, as `file: what`.
fn executable_html(dir: &Path) -> Vec<String> {
    // The scripts the site itself includes.
    let own_scripts = ["handbook.js"];
    let dangerous_scheme = |v: &str| handbook::content::url::forbidden_scheme(v).is_some_and(|s| s != "tel");
    let mut found = Vec::new();
    for (path, bytes) in snapshot(dir) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
        for node in html.tree.nodes() {
            let Some(el) = node.value().as_element() else { continue };
            let name = el.name();
            match name {
                // The 404 page's own script, which finds the site root it is served under.
                "script"
                    if path == "404.html"
                        && el.attr("src").is_none()
                        && is_404_script(
                            &node
                                .children()
                                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                                .collect::<String>(),
                        ) => {}
                "script" => {
                    let src = el.attr("src").unwrap_or_default();
                    if !own_scripts.iter().any(|s| src.ends_with(s)) || node.has_children() {
                        found.push(format!("{path}: <script src={src:?}>"));
                    }
                }
                "iframe" | "frame" | "object" | "embed" | "base" | "style" | "math" => {
                    found.push(format!("{path}: <{name}>"))
                }
                "meta" if el.attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh")) => {
                    found.push(format!("{path}: <meta http-equiv=refresh>"))
                }
                _ => {}
            }
            for (attr, value) in el.attrs() {
                let lower = value.to_ascii_lowercase();
                if attr.starts_with("on")
                    || attr == "srcdoc"
                    || (matches!(attr, "href" | "src" | "action" | "formaction" | "data" | "xlink:href" | "poster")
                        && dangerous_scheme(value))
                    || (attr == "style" && (lower.contains("expression") || lower.contains("javascript")))
                {
                    found.push(format!("{path}: <{name} {attr}={value:?}>"));
                }
            }
        }
    }
    found
}

#[test]
fn raw_html_and_script_links_are_errors_by_default_and_nothing_is_written() {
    let site = site_with_vectors("reject");
    let body: String = MARKDOWN_VECTORS.iter().map(|v| format!("Text {v} text.\n\n")).collect();
    let text = site.read_source("content/exercises/vectors.md");
    site.write("content/exercises/vectors.md", &format!("{text}\n{body}{MARKDOWN_DEFINITION}\n"));
    let outcome = site.build();
    assert!(outcome.stats.is_none());
    assert!(!site.out().exists(), "nothing was written");
    let raw: Vec<_> = outcome.diagnostics.iter().filter(|d| d.message.starts_with("raw HTML")).collect();
    let links: Vec<_> = outcome.diagnostics.iter().filter(|d| d.message.contains("address is not published")).collect();
    // Each vector is reported on its own line (several tags of one vector may each be).
    let text = site.read_source("content/exercises/vectors.md");
    let line_of = |v: &str| text.lines().position(|l| l.contains(v)).unwrap() + 1;
    for v in RAW_HTML_VECTORS {
        assert!(raw.iter().any(|d| d.line == line_of(&format!("Text {v}"))), "{v} not reported: {raw:#?}");
    }
    assert!(raw.iter().filter(|d| d.line == line_of("    note:")).count() >= 4, "the event note's vectors");
    assert_eq!(links.len(), MARKDOWN_VECTORS.len(), "{links:#?}");
    for d in raw.iter().chain(&links) {
        assert!(d.file.ends_with("content/exercises/vectors.md") && d.line > 0 && d.column > 0, "{d:?}");
        assert!(d.hint.is_some(), "{d:?}");
    }
}

#[test]
fn sanitized_raw_html_publishes_nothing_that_runs() {
    let site = site_with_vectors("sanitize");
    site.build_ok();
    let page = site.page("exercises/vectors.html");
    assert!(page.contains("Text") && page.contains("at sea"), "the text around the vectors is published");
    let found = executable_html(&site.out());
    assert!(found.is_empty(), "{found:#?}");
    // The search index's files hold the entries' text: each is one call
    // around JSON, so no text in them can run.
    let mut search_files = 0;
    for (path, bytes) in snapshot(&site.out()).into_iter().filter(|(p, _)| p.starts_with("search/")) {
        let text = String::from_utf8(bytes).unwrap();
        let call = text.strip_prefix("handbookSearch.").and_then(|t| t.strip_suffix(");\n"));
        let (name, args) = call.and_then(|c| c.split_once('(')).unwrap_or_else(|| panic!("{path}: {text}"));
        let json = match name {
            "index" => args,
            "shard" | "doc" => args.split_once(',').filter(|(n, _)| n.parse::<u32>().is_ok()).unwrap().1,
            _ => panic!("{path}: {name}"),
        };
        serde_json::from_str::<serde_json::Value>(json).unwrap_or_else(|e| panic!("{path}: {e}"));
        search_files += 1;
    }
    assert!(search_files > 4, "{search_files} search files");
    // The check itself finds what it looks for.
    std::fs::write(site.out().join("probe.html"), RAW_HTML_VECTORS.join("\n")).unwrap();
    assert!(executable_html(&site.out()).len() >= RAW_HTML_VECTORS.len(), "the scan misses vectors");
}

#[test]
fn symbolic_links_out_of_the_handbook_are_never_read() {
    let site = Site::copy_of("basic");
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(
        &secret,
        "---\ntitle: Secret\nsummary: Not part of the handbook.\ndate: 2005\n---\nSECRET-TEXT [@korolev2018, p. 1].\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/passwd", site.root().join("content/exercises/passwd.md")).unwrap();
    std::os::unix::fs::symlink(&secret, site.root().join("content/exercises/secret.md")).unwrap();
    std::fs::create_dir_all(site.root().join("static")).unwrap();
    std::os::unix::fs::symlink(&secret, site.root().join("static/secret.txt")).unwrap();
    let out = site.run(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "content/exercises/passwd.md: is a symbolic link to a file outside the handbook; it was not read"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/exercises/secret.md: is a symbolic link to a file outside the handbook"),
        "{stderr}"
    );
    assert!(stderr.contains("static/secret.txt: is a symbolic link to a file outside the handbook"), "{stderr}");
    assert!(
        !stderr.contains("root:") && !stderr.contains("SECRET-TEXT"),
        "a target's content is never shown: {stderr}"
    );
    assert!(!site.out().exists());
}

#[test]
fn symbolic_links_inside_the_handbook_are_followed() {
    let site = Site::copy_of("basic");
    site.write("shared/logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
    std::fs::create_dir_all(site.root().join("static")).unwrap();
    std::os::unix::fs::symlink(site.root().join("shared/logo.svg"), site.root().join("static/logo.svg")).unwrap();
    let text = site.read_source("content/exercises/drill.md");
    std::fs::remove_file(site.root().join("content/exercises/drill.md")).unwrap();
    site.write("shared/drill.md", &text);
    std::os::unix::fs::symlink("../../shared/drill.md", site.root().join("content/exercises/drill.md")).unwrap();
    site.build_ok();
    assert!(site.page("exercises/drill.html").contains("Drill Series"));
    assert!(site.page("logo.svg").contains("<svg"));
}

#[test]
fn tags_and_titles_in_any_script_get_transliterated_pages() {
    let site = Site::copy_of("basic");
    site.edit(
        "content/exercises/drill.md",
        "tags: [ministerial, land]",
        "tags: [海军, ναυτικό, Müller Straße, naval, Naval]",
    );
    site.edit("content/exercises/drill.md", "title: Drill Series", "title: 海上联合 Drill");
    site.build_ok();
    for (slug, shown) in
        [("hai-jun", "海军"), ("nautiko", "ναυτικό"), ("muller-strasse", "Müller Straße"), ("naval", "naval")]
    {
        let page = site.page(&format!("tags/{slug}.html"));
        assert!(page.contains(shown), "tags/{slug}.html shows {shown}");
    }
    assert!(site.page("exercises/drill.html").contains("<h1>海上联合 Drill</h1>"));
}
