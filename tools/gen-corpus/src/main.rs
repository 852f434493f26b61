//! `gen-corpus`: writes synthetic handbooks (and the same entries as Hugo
//! sites) for the benchmark in `benches/run.sh`.
//!
//! ```text
//! gen-corpus [--entries 1000,10000] [--seed N] [--out DIR] [--force] [--only handbook|hugo]
//! ```
//!
//! For each N it writes `DIR/N/handbook/content/…` (a handbook root: build it
//! with `handbook build --root DIR/N/handbook`) and `DIR/N/hugo/…` (a Hugo
//! site: `hugo --source DIR/N/hugo`). Output is a pure function of N and the
//! seed: the same arguments always write the same bytes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gen_corpus::{Corpus, DEFAULT_SEED};

struct Args {
    entries: Vec<usize>,
    seed: u64,
    out: PathBuf,
    force: bool,
    handbook: bool,
    hugo: bool,
}

const USAGE: &str = "usage: gen-corpus [--entries 1000,10000] [--seed N] [--out DIR] [--force] [--only handbook|hugo]

Writes DIR/N/handbook (a handbook root holding content/) and DIR/N/hugo (a Hugo
site) for each N. Defaults: --entries 1000,10000 --out corpus --seed 0x48422026.
--force replaces existing DIR/N/handbook and DIR/N/hugo folders.";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        entries: vec![1000, 10000],
        seed: DEFAULT_SEED,
        out: PathBuf::from("corpus"),
        force: false,
        handbook: true,
        hugo: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--entries" | "-n" => {
                args.entries = value("--entries")?
                    .split(',')
                    .map(|s| s.trim().replace('_', "").parse::<usize>().map_err(|e| format!("--entries: {e}")))
                    .collect::<Result<_, _>>()?;
                if let Some(bad) = args.entries.iter().find(|&&n| n < 4) {
                    return Err(format!("--entries: {bad} is too small (at least 4)"));
                }
            }
            "--seed" => {
                let v = value("--seed")?;
                args.seed = match v.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => v.parse(),
                }
                .map_err(|e| format!("--seed: {e}"))?;
            }
            "--out" | "-o" => args.out = PathBuf::from(value("--out")?),
            "--force" => args.force = true,
            "--only" => match value("--only")?.as_str() {
                "handbook" => args.hugo = false,
                "hugo" => args.handbook = false,
                other => return Err(format!("--only: expected handbook or hugo, not {other}")),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn prepare(dir: &Path, force: bool) -> Result<(), String> {
    if dir.exists() {
        if !force {
            return Err(format!("{} exists; pass --force to replace it", dir.display()));
        }
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

fn write_all(dir: &Path, files: impl Iterator<Item = gen_corpus::File>) -> Result<(usize, u64), String> {
    let (mut count, mut bytes) = (0, 0u64);
    let mut made = std::collections::HashSet::new();
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent()
            && made.insert(parent.to_path_buf())
        {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &file.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        count += 1;
        bytes += file.text.len() as u64;
    }
    Ok((count, bytes))
}

fn run(args: &Args) -> Result<(), String> {
    for &n in &args.entries {
        let corpus = Corpus::new(n, args.seed);
        let base = args.out.join(n.to_string());
        if args.handbook {
            let dir = base.join("handbook");
            prepare(&dir, args.force)?;
            let (files, bytes) = write_all(&dir, corpus.handbook_files())?;
            eprintln!("wrote {} ({files} files, {} KiB)", dir.display(), bytes / 1024);
        }
        if args.hugo {
            let dir = base.join("hugo");
            prepare(&dir, args.force)?;
            let (files, bytes) = write_all(&dir, corpus.hugo_files())?;
            eprintln!("wrote {} ({files} files, {} KiB)", dir.display(), bytes / 1024);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gen-corpus: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-corpus: {e}");
            ExitCode::from(1)
        }
    }
}
