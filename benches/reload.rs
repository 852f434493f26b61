//! Save-to-reload latency of `handbook serve`: the time from writing one
//! entry's file to the `reload` event on the page's event stream, through the
//! real watcher (debounce included), incremental rebuild and event stream.
//!
//! cargo run --release -p gen-corpus -- --entries 1000,10000 --out /tmp/corpus
//! cargo bench --bench reload -- /tmp/corpus/1000/handbook /tmp/corpus/10000/handbook
//!
//! The corpus is edited in place and restored: a body edit (a sentence added
//! to one entry), saved after a pause long enough for the files that hold the
//! whole handbook (search index, print page) to be rebuilt and again one
//! second apart, while they are still being rebuilt; and a title edit (which
//! changes every page that lists the entry: its kind's list, the chronology,
//! its year, tag and related entries' pages), after pauses. The event stream
//! is the edited entry's page's, as a browser showing it would open it: the
//! server renders that page before the reload event, and the other pages an
//! edit touches after it. `HANDBOOK_TIMINGS=1` prints each update's stages.

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
    println!("| entries | edit | saves | save → reload event: min | median | max (ms, {RUNS} saves) |");
    println!("|---:|---|---|---:|---:|---:|");
    for root in roots {
        let (entries, rounds) = measure(&root);
        for (edit, saves, mut times) in rounds {
            times.sort();
            println!(
                "| {entries} | {edit} | {saves} | {:.1} | {:.1} | {:.1} |",
                ms(times[0]),
                ms(times[times.len() / 2]),
                ms(times[times.len() - 1])
            );
        }
    }
}

/// What a save changes.
#[derive(Clone, Copy)]
enum Edit {
    /// A sentence added at the end of the body.
    Body,
    /// The title changed.
    Title,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A round of saves: the edit, how the saves were spaced, and their times.
type Round = (&'static str, &'static str, Vec<Duration>);

/// One server; its rounds of saves.
fn measure(root: &Path) -> (usize, Vec<Round>) {
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
    let page = format!("/exercises/{}.html", file.file_stem().unwrap().to_string_lossy());
    let mut stream = TcpStream::connect(running.addr).unwrap();
    write!(stream, "GET /__handbook/events?page={page} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    std::thread::sleep(Duration::from_millis(500));
    // A pause lets the deferred work (other pages, search index, print page) finish before the next save.
    let pause = Duration::from_millis(if entries > 50_000 {
        60_000
    } else if entries > 5000 {
        12_000
    } else {
        1500
    });
    let mut rounds = Vec::new();
    let mut run = 0;
    for (edit, name, spacing, label) in [
        (Edit::Body, "body", pause, "after a pause"),
        (Edit::Body, "body", Duration::from_secs(1), "1 s apart"),
        (Edit::Title, "title", pause, "after a pause"),
    ] {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            run += 1;
            let edited = match edit {
                Edit::Body => format!("{original}\nA sentence added for run {run} of the benchmark.\n"),
                Edit::Title => original.replacen("\ntitle: ", &format!("\ntitle: Run {run} of "), 1),
            };
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
            times.push(t.elapsed());
            std::thread::sleep(spacing);
        }
        rounds.push((name, label, times));
    }
    std::fs::write(&file, original).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    (entries, rounds)
}
