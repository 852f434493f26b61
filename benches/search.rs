//! The search index's cost at scale: the time to build it, the memory it
//! takes while it is built, and the size of its files (the manifest, the
//! shards, the documents' files), for the numbers in benches/README.md.
//!
//! ```text
//! cargo bench --bench search                          # a generated 1,000-entry handbook
//! cargo bench --bench search -- --entries 10000
//! cargo bench --bench search -- --root path/to/handbook
//! ```
//!
//! Memory is counted by the allocator (`peak_alloc`): the most heap the
//! index building held at once above what the model holds, that is its
//! working data and the files it returns. (The process's resident size does
//! not show it: the index reuses memory freed after the model was built.)

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use handbook::diagnostic::Diagnostics;
use handbook::model::{self, ModelOptions};
use peak_alloc::PeakAlloc;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

fn main() {
    let mut root: Option<PathBuf> = None;
    let mut entries = 1000;
    let mut runs = 3;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--root" => root = it.next().map(PathBuf::from),
            "--entries" => entries = it.next().and_then(|v| v.parse().ok()).expect("--entries N"),
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            _ => {} // `cargo bench` passes --bench: ignored
        }
    }
    let generated;
    let root = match root {
        Some(r) => r,
        None => {
            eprintln!("generating {entries} entries…");
            generated = common::write_corpus(entries);
            generated.root().to_path_buf()
        }
    };
    let content = root.join("content");
    let mut ds = Diagnostics::new();
    let loaded = handbook::content::load::load(&content, &mut ds);
    let handbook = model::from_loaded(&loaded, &content, &ModelOptions::default(), &mut ds).expect("model");
    drop(loaded);
    assert!(!ds.has_errors(), "the handbook has errors: run handbook check");
    println!(
        "## The search index of {} ({} entries, {} threads)\n",
        root.display(),
        handbook.entries.len(),
        rayon::current_num_threads()
    );
    let model_bytes = PEAK.current_usage();
    let mut times: Vec<Duration> = Vec::new();
    let mut peaks: Vec<usize> = Vec::new();
    let mut files = Vec::new();
    for _ in 0..runs {
        drop(std::mem::take(&mut files));
        let before = PEAK.current_usage();
        PEAK.reset_peak_usage();
        let start = Instant::now();
        files = handbook::output::data::search_files(&handbook);
        times.push(start.elapsed());
        peaks.push(PEAK.peak_usage() - before);
    }
    let output: usize = files.iter().map(|p| p.path.len() + p.content.len()).sum();
    times.sort();
    peaks.sort();
    let size = |prefix: &str| -> (usize, usize, usize) {
        let sizes: Vec<usize> = files.iter().filter(|p| p.path.starts_with(prefix)).map(|p| p.content.len()).collect();
        (sizes.len(), sizes.iter().sum(), sizes.iter().copied().max().unwrap_or(0))
    };
    let kib = |b: usize| b as f64 / 1024.0;
    let (_, manifest, _) = size("search/index.js");
    let (shards, shard_bytes, largest_shard) = size("search/s/");
    let (docs, doc_bytes, largest_doc) = size("search/d/");
    println!("| measure | value |\n|---|---:|");
    println!("| build time, median of {runs} (ms) | {:.0} |", times[times.len() / 2].as_secs_f64() * 1000.0);
    println!("| build time, fastest (ms) | {:.0} |", times[0].as_secs_f64() * 1000.0);
    let mib = |b: usize| b as f64 / 1024.0 / 1024.0;
    println!("| heap held by the model (MiB) | {:.0} |", mib(model_bytes));
    println!("| peak heap added by the index, largest of {runs} (MiB) | {:.0} |", mib(*peaks.last().unwrap()));
    println!("| of which the files it returns (MiB) | {:.0} |", mib(output));
    println!("| manifest (KiB) | {:.1} |", kib(manifest));
    println!("| shards | {shards} |");
    println!("| shards, total (MiB) | {:.1} |", kib(shard_bytes) / 1024.0);
    println!("| largest shard (KiB) | {:.1} |", kib(largest_shard));
    println!("| document files | {docs} |");
    println!("| document files, mean (KiB) | {:.2} |", kib(doc_bytes) / docs.max(1) as f64);
    println!("| largest document file (KiB) | {:.1} |", kib(largest_doc));
}
