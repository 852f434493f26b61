//! Micro-benchmarks of the pipeline's stages on synthetic entries shaped like
//! real ones (tools/gen-corpus): front matter, Markdown with notes and
//! citations, templates, and the chronology.
//!
//! ```text
//! cargo bench --bench pipeline                  # all
//! cargo bench --bench pipeline -- markdown      # those whose name contains "markdown"
//! HANDBOOK_BENCH_ENTRIES=10000 cargo bench --bench pipeline -- derive
//! ```

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use handbook::cite::{Bibliography, load_style};
use handbook::diagnostic::Diagnostics;
use handbook::markdown::{self, Anchors, Context, LinkTarget, LinkTargets, PageNotes};
use handbook::model::{self, Handbook, ModelOptions};

use common::{Corpus, DEFAULT_SEED, KINDS};

/// Entries rendered in the per-entry benchmarks (one of each kind).
const SAMPLE: [usize; 3] = [0, 1, 2];

fn bibliography(corpus: &Corpus) -> Bibliography {
    let mut ds = Diagnostics::new();
    let bib = Bibliography::load(
        Some(&common::bib_source(corpus)),
        load_style("chicago-notes").expect("bundled style"),
        &mut ds,
    );
    assert!(ds.is_empty(), "{ds:?}");
    bib
}

fn link_targets(corpus: &Corpus) -> LinkTargets {
    let mut targets = LinkTargets::default();
    for i in 0..corpus.n {
        let url = format!("{}/{}.html", KINDS[corpus.kind(i)].0, corpus.id(i));
        targets.insert(corpus.path(i), LinkTarget { id: corpus.id(i), url });
    }
    targets.insert("index.md".into(), LinkTarget { id: String::new(), url: "index.html".into() });
    targets
}

fn front_matter(c: &mut Criterion) {
    let corpus = Corpus::new(100, DEFAULT_SEED);
    let sources: Vec<_> =
        SAMPLE.iter().map(|&i| (common::entry_source(&corpus, i), common::kind(&corpus, i))).collect();
    let bytes: usize = sources.iter().map(|(s, _)| s.text.find("\n---\n").unwrap_or(0)).sum();
    let mut group = c.benchmark_group("front_matter");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("split+parse_entry (3 entries)", |b| {
        b.iter(|| {
            for (source, kind) in &sources {
                let split = handbook::content::front_matter::split(source).expect("front matter");
                let mut ds = Diagnostics::new();
                let parsed = handbook::content::front_matter::parse_entry(source, *kind, &split, &mut ds);
                black_box(parsed.expect("valid front matter"));
            }
        })
    });
    group.finish();
}

/// Renders the bodies of the sample entries with `bib`, as `model` does.
fn render_bodies(corpus: &Corpus, targets: &LinkTargets, bib: &Bibliography, finish: bool) -> usize {
    let mut total = 0;
    for &i in &SAMPLE {
        let source = common::entry_source(corpus, i);
        let split = handbook::content::front_matter::split(&source).expect("front matter");
        let content_path = corpus.path(i);
        let ctx = Context {
            file: Path::new("content/x.md"),
            source: &source.text,
            content_path: &content_path,
            root: "../",
            targets,
            bibliography: bib,
            raw_html: handbook::content::site::RawHtml::Reject,
            citation_notes: Default::default(),
        };
        let anchors_taken = corpus.event_anchors(i);
        let mut notes = PageNotes::new(bib);
        let mut anchors = Anchors::new(anchors_taken.iter().map(String::as_str));
        let mut ds = Diagnostics::new();
        let r = markdown::render(split.body, split.body_offset, &ctx, &mut notes, &mut anchors, &mut ds);
        total += r.html.len();
        if finish {
            total += black_box(notes.finish()).notes.len();
        }
    }
    total
}

fn markdown(c: &mut Criterion) {
    let corpus = Corpus::new(1000, DEFAULT_SEED);
    let targets = link_targets(&corpus);
    let bib = bibliography(&corpus);
    let bytes: usize = SAMPLE
        .iter()
        .map(|&i| {
            let t = corpus.handbook_entry(i);
            t.len() - t.find("\n---\n").unwrap_or(0)
        })
        .sum();
    let mut group = c.benchmark_group("markdown");
    group.throughput(Throughput::Bytes(bytes as u64));
    // pulldown-cmark and the link/note rewriting only: the notes are never rendered.
    group.bench_function("render without finish (3 bodies)", |b| {
        b.iter(|| black_box(render_bodies(&corpus, &targets, &bib, false)))
    });
    // The whole of it, citations rendered by hayagriva in PageNotes::finish. The
    // bibliography lives across iterations, so any cache in it is warm.
    group.bench_function("render+finish (3 bodies, warm bibliography)", |b| {
        b.iter(|| black_box(render_bodies(&corpus, &targets, &bib, true)))
    });
    // The same with a new bibliography each time (created outside the timing):
    // what the first pages of a build pay.
    group.bench_function("render+finish (3 bodies, fresh bibliography)", |b| {
        b.iter_batched(
            || bibliography(&corpus),
            |fresh| black_box(render_bodies(&corpus, &targets, &fresh, true)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// What every build pays once before the first entry: the CSL style, the
/// locales and the bibliography, and the templates.
fn startup(c: &mut Criterion) {
    let corpus = Corpus::new(100, DEFAULT_SEED);
    let bib = common::bib_source(&corpus);
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    group.bench_function("cite::load_style(chicago-notes)", |b| {
        b.iter(|| black_box(load_style("chicago-notes").expect("style")))
    });
    group.bench_function("hayagriva::archive::locales()", |b| b.iter(|| black_box(hayagriva::archive::locales())));
    let style = load_style("chicago-notes").expect("style");
    group.bench_function("Bibliography::load (50 sources)", |b| {
        b.iter(|| {
            let mut ds = Diagnostics::new();
            black_box(Bibliography::load(Some(&bib), style.clone(), &mut ds))
        })
    });
    group.bench_function("render::load_templates (defaults)", |b| {
        b.iter(|| {
            let mut ds = Diagnostics::new();
            black_box(
                handbook::render::load_templates(Path::new("/nonexistent-templates"), &mut ds).expect("templates"),
            )
        })
    });
    group.finish();
}

/// Loads and models a generated corpus of `n` entries.
fn model_of(n: usize) -> (common::OnDisk, Handbook) {
    let disk = common::write_corpus(n);
    let mut ds = Diagnostics::new();
    let loaded = handbook::content::load::load(&disk.content(), &mut ds);
    let handbook = model::from_loaded(&loaded, &disk.content(), &ModelOptions::default(), &mut ds).expect("model");
    assert!(!ds.has_errors(), "{ds:?}");
    (disk, handbook)
}

fn model_stage(c: &mut Criterion) {
    let n = 200;
    let disk = common::write_corpus(n);
    let mut ds = Diagnostics::new();
    let loaded = handbook::content::load::load(&disk.content(), &mut ds);
    let mut group = c.benchmark_group("model");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("load::load ({n} entries)"), |b| {
        b.iter(|| {
            let mut ds = Diagnostics::new();
            black_box(handbook::content::load::load(&disk.content(), &mut ds))
        })
    });
    group.bench_function(format!("model::from_loaded ({n} entries)"), |b| {
        b.iter(|| {
            let mut ds = Diagnostics::new();
            black_box(model::from_loaded(&loaded, &disk.content(), &ModelOptions::default(), &mut ds).expect("model"))
        })
    });
    group.finish();
}

fn templates(c: &mut Criterion) {
    let n = 200;
    let (disk, handbook) = model_of(n);
    let mut ds = Diagnostics::new();
    let (tera, sources) =
        handbook::render::load_templates(&disk.root().join("templates"), &mut ds).expect("default templates");
    let derived = model::derive::derive(&handbook);
    let history: HashMap<String, String> = HashMap::new();
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("Renderer::render_all ({n} entries)"), |b| {
        b.iter(|| {
            // A new renderer each time: its short-citation cache starts empty, as in a build.
            let renderer = handbook::render::Renderer::new(&tera, &sources, &handbook, &derived, &history);
            let mut ds = Diagnostics::new();
            let pages = renderer.render_all(&mut ds);
            assert!(!ds.has_errors());
            black_box(pages)
        })
    });
    group.bench_function(format!("pipeline::compile ({n} entries, no writing)"), |b| {
        let options = handbook::pipeline::Options::new(disk.root());
        b.iter(|| {
            let mut ds = Diagnostics::new();
            black_box(
                handbook::pipeline::compile(&options, &mut ds, &mut handbook::timings::Timings::default())
                    .expect("compiles"),
            )
        })
    });
    group.finish();
}

fn chronology(c: &mut Criterion) {
    let n = common::entries_from_env(1000);
    let (_disk, handbook) = model_of(n);
    let mut group = c.benchmark_group("derive");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("derive::derive ({n} entries, {} events)", n * 5), |b| {
        b.iter(|| black_box(model::derive::derive(&handbook)))
    });
    group.finish();
}

criterion_group!(benches, front_matter, markdown, startup, model_stage, templates, chronology);
criterion_main!(benches);
