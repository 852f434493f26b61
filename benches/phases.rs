//! Phase timings of one build, for finding where the time goes.
//!
//! ```text
//! cargo bench --bench phases                          # a generated 1,000-entry handbook
//! cargo bench --bench phases -- --entries 10000
//! cargo bench --bench phases -- --root path/to/handbook
//! ```
//!
//! Part 1 runs the stages of `pipeline::build` one by one through the public
//! API (wall time, with the pipeline's own parallelism). Part 2 re-runs the
//! work inside `model::from_loaded` on one thread, step by step, to show its CPU
//! cost per step: front matter, Markdown, citations (`PageNotes::finish`).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use handbook::cite::{Bibliography, load_style};
use handbook::diagnostic::Diagnostics;
use handbook::markdown::{self, Anchors, Context, LinkTarget, LinkTargets, PageNotes};
use handbook::model::{self, ModelOptions};

struct Args {
    root: Option<PathBuf>,
    entries: usize,
}

fn args() -> Args {
    let mut a = Args { root: None, entries: 1000 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--root" => a.root = it.next().map(PathBuf::from),
            "--entries" => a.entries = it.next().and_then(|v| v.parse().ok()).expect("--entries N"),
            _ => {} // `cargo bench` passes --bench, and filters: ignored
        }
    }
    a
}

fn ms(d: Duration) -> String {
    format!("{:>9.1} ms", d.as_secs_f64() * 1000.0)
}

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    let elapsed = start.elapsed();
    println!("  {label:<48}{}", ms(elapsed));
    (value, elapsed)
}

fn main() {
    let args = args();
    let generated;
    let root: PathBuf = match &args.root {
        Some(r) => r.clone(),
        None => {
            eprintln!("generating {} entries…", args.entries);
            generated = common::write_corpus(args.entries);
            generated.root().to_path_buf()
        }
    };
    let content = root.join("content");
    let out = tempfile::tempdir().expect("temp dir");
    let threads = rayon::current_num_threads();
    println!("## Phases of one build of {} ({threads} threads)\n", root.display());

    let total = Instant::now();
    let mut ds = Diagnostics::new();
    let (loaded, _) = timed("load::load (walk and read)", || handbook::content::load::load(&content, &mut ds));
    let (handbook, _) = timed("model::from_loaded (front matter, Markdown, notes)", || {
        model::from_loaded(&loaded, &content, &ModelOptions::default(), &mut ds).expect("model")
    });
    let ((tera, sources), _) = timed("render::load_templates", || {
        handbook::render::load_templates(&root.join("templates"), &mut ds).expect("templates")
    });
    assert!(!ds.has_errors(), "the handbook has errors: run handbook check");
    let (derived, _) = timed("derive::derive (backlinks, chronology, tags)", || model::derive::derive(&handbook));
    let (history, _) = timed("history::last_changed (git log)", || handbook::content::history::last_changed(&content));
    let renderer = handbook::render::Renderer::new(&tera, &sources, &handbook, &derived, &history);
    let (pages, _) = timed("Renderer::render_all (templates)", || renderer.render_all(&mut ds));
    // Again with a new renderer: the bibliography's caches are warm now, so
    // the difference is citation rendering (short notes, the Sources page).
    let again = handbook::render::Renderer::new(&tera, &sources, &handbook, &derived, &history);
    timed("  again, citation caches warm", || again.render_all(&mut Diagnostics::new()));
    let (data, _) = timed("data::pages (JSON, CSV, feed, sitemap, search)", || {
        handbook::output::data::pages(&handbook, &derived, &history)
    });
    let mut pages = pages;
    pages.extend(data);
    let (statics, _) = timed("write::static_files", || {
        handbook::output::write::static_files(&root.join("static")).expect("static files")
    });
    timed("write::write_site", || handbook::output::write::write_site(&out.path().join("public"), &pages, &statics))
        .0
        .expect("written");
    println!("  {:<48}{}", "total", ms(total.elapsed()));
    println!("  ({} entries, {} pages)\n", handbook.entries.len(), pages.len());

    // Part 2: the steps of model::from_loaded, serially.
    println!("## Inside model::from_loaded, on one thread\n");
    let style = timed("cite::load_style", || load_style(&handbook.site.citation_style).expect("style")).0;
    let bib = timed("Bibliography::load (incl. CSL locales)", || {
        Bibliography::load(loaded.references.as_ref(), style, &mut Diagnostics::new())
    })
    .0;
    let mut targets = LinkTargets::default();
    for e in &loaded.entries {
        let url = format!("{}/{}.html", e.kind.folder(), e.id);
        targets.insert(format!("{}/{}.md", e.kind.folder(), e.id), LinkTarget { id: e.id.clone(), url });
    }
    targets.insert("index.md".into(), LinkTarget { id: String::new(), url: "index.html".into() });
    let mut parse = Duration::ZERO;
    let mut render = Duration::ZERO;
    let mut finish = Duration::ZERO;
    let mut notes_count = 0;
    for file in &loaded.entries {
        let t = Instant::now();
        let split = handbook::content::front_matter::split(&file.source).expect("front matter");
        let parsed =
            handbook::content::front_matter::parse_entry(&file.source, file.kind, &split, &mut Diagnostics::new())
                .expect("valid front matter");
        parse += t.elapsed();
        let content_path = format!("{}/{}.md", file.kind.folder(), file.id);
        let ctx = Context {
            file: Path::new(&file.source.path),
            source: &file.source.text,
            content_path: &content_path,
            root: "../",
            targets: &targets,
            bibliography: &bib,
            raw_html: handbook::content::site::RawHtml::Reject,
            citation_notes: Default::default(),
        };
        let t = Instant::now();
        let mut notes = PageNotes::new(&bib);
        let mut anchors = Anchors::new([]);
        let mut ds = Diagnostics::new();
        let body = markdown::render(split.body, split.body_offset, &ctx, &mut notes, &mut anchors, &mut ds);
        // Event citations go to the same notes, as in model::from_loaded.
        for ev in &parsed.front_matter.events {
            for cite in ev.cite.as_slice() {
                if let Ok(items) = handbook::cite::parse_citation(cite.trim_start_matches('[').trim_end_matches(']')) {
                    notes.cite(items, Default::default());
                }
            }
        }
        render += t.elapsed();
        let t = Instant::now();
        let finished = notes.finish();
        finish += t.elapsed();
        notes_count += finished.notes.len();
        std::hint::black_box((body, finished));
    }
    // The same notes again: the bibliography's caches (if any) are warm now.
    let mut warm_events = Duration::ZERO;
    for file in &loaded.entries {
        let split = handbook::content::front_matter::split(&file.source).expect("front matter");
        let parsed =
            handbook::content::front_matter::parse_entry(&file.source, file.kind, &split, &mut Diagnostics::new())
                .expect("valid front matter");
        let t = Instant::now();
        let mut notes = PageNotes::new(&bib);
        for ev in &parsed.front_matter.events {
            for cite in ev.cite.as_slice() {
                if let Ok(items) = handbook::cite::parse_citation(cite.trim_start_matches('[').trim_end_matches(']')) {
                    notes.cite(items, Default::default());
                }
            }
        }
        std::hint::black_box(notes.finish());
        warm_events += t.elapsed();
    }
    let n = loaded.entries.len().max(1) as u32;
    println!("  {:<48}{}  ({:.0} µs/entry)", "front_matter::split + parse_entry", ms(parse), us(parse / n));
    println!("  {:<48}{}  ({:.0} µs/entry)", "markdown::render (+ event cites queued)", ms(render), us(render / n));
    println!(
        "  {:<48}{}  ({:.0} µs/entry, {notes_count} notes)",
        "PageNotes::finish (hayagriva)",
        ms(finish),
        us(finish / n)
    );
    println!(
        "  {:<48}{}  ({:.0} µs/entry)",
        "again, event citations only, caches warm",
        ms(warm_events),
        us(warm_events / n)
    );
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
