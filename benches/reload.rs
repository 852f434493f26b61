//! Save-to-reload latency of `handbook serve`: the time from writing one
//! entry's file to the `reload` event on the page's event stream, through the
//! real watcher (debounce included), incremental rebuild and event stream.
//!
//! cargo run --release -p gen-corpus -- --entries 1000,10000 --out /tmp/corpus
//! cargo bench --bench reload -- /tmp/corpus/1000/handbook /tmp/corpus/10000/handbook
//!
//! The corpus is edited in place (one sentence of one entry) and restored.
//! Two rounds of saves: after a pause long enough for the files that hold
//! the whole handbook (search index, print page) to be rebuilt, and one
//! second apart, while they are still being rebuilt at 10,000 entries.
//! `HANDBOOK_TIMINGS=1` prints each update's stages.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use handbook::pipeline::Options;
use handbook::serve::{ServeOptions, start};

const RUNS: usize = 9;

fn main() {
    let roots: Vec<PathBuf> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: cargo bench --bench reload -- CORPUS_ROOT [CORPUS_ROOT …]");
        return;
    }
    println!("| entries | saves | save → reload event: min | median | max (ms, {RUNS} saves) |");
    println!("|---:|---|---:|---:|---:|");
    for root in roots {
        let (entries, rounds) = measure(&root);
        for (quick, mut times) in [false, true].into_iter().zip(rounds) {
            times.sort();
            println!(
                "| {entries} | {} | {:.1} | {:.1} | {:.1} |",
                if quick { "1 s apart" } else { "after a pause" },
                ms(times[0]),
                ms(times[times.len() / 2]),
                ms(times[times.len() - 1])
            );
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One server; a round of saves after pauses, then a round one second apart.
fn measure(root: &Path) -> (usize, [Vec<Duration>; 2]) {
    let running = start(
        Options::new(root),
        ServeOptions {
            bind: "127.0.0.1".parse().unwrap(),
            port: 0,
            verbose: false,
            timings: std::env::var_os("HANDBOOK_TIMINGS").is_some(),
        },
    )
    .expect("serve starts");
    let entries = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md") && e.depth() == 2)
        .count();
    let file = walkdir::WalkDir::new(root.join("content/exercises"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md"))
        .expect("an exercise")
        .into_path();
    let original = std::fs::read_to_string(&file).unwrap();
    let mut stream = TcpStream::connect(running.addr).unwrap();
    write!(stream, "GET /__handbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    std::thread::sleep(Duration::from_millis(500));
    let mut rounds: [Vec<Duration>; 2] = Default::default();
    for (run, quick) in (0..RUNS).map(|r| (r, false)).chain((0..RUNS).map(|r| (RUNS + r, true))) {
        // A prose edit: the body's last line gains a sentence.
        let edited = format!("{original}\nA sentence added for run {run} of the benchmark.\n");
        let t = Instant::now();
        std::fs::write(&file, edited).unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.starts_with("event: reload") {
                break;
            }
        }
        rounds[usize::from(quick)].push(t.elapsed());
        // A pause lets the deferred files (search index, print page) finish before the next save.
        let pause = if entries > 5000 { 12000 } else { 1500 };
        std::thread::sleep(Duration::from_millis(if quick { 1000 } else { pause }));
    }
    std::fs::write(&file, original).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    (entries, rounds)
}
