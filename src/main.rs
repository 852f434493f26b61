//! The `handbook` command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use handbook::diagnostic::{self, Format};
use handbook::pipeline::{self, Options, Outcome};

// A build allocates and frees millions of small strings from several threads:
// with glibc's allocator that was a quarter of its time, and freed memory
// stayed with the process (see benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A static-site generator for cited, cross-linked, chronological reference handbooks.
#[derive(Parser)]
#[command(name = "handbook", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (replaced only if the build succeeds).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder [default: ROOT/public].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Print how long each stage took (load, model, derive, render, …).
        #[arg(long)]
        timings: bool,
    },
    /// Serve the site with live reload, rebuilding only what changed on every save.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Port to listen on.
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on (loopback by default; use 0.0.0.0 to share on a network).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Print how long each stage of each rebuild took.
        #[arg(long)]
        timings: bool,
    },
    /// Write a new entry from its kind's archetype and print its path.
    New {
        /// mechanism, exercise, declaration or topic.
        kind: String,
        /// The entry's title; its file name is made from it unless --id is given.
        title: String,
        /// The entry's id (its file name without .md), e.g. military-education.
        #[arg(long)]
        id: Option<String>,
        /// The handbook's root folder.
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
    },
    /// Print the JSON Schema of an entry kind's front matter (or of site.yaml), or write them all to a folder.
    Schema {
        /// mechanism, exercise, declaration, topic or site; all of them when --out is given.
        what: Option<String>,
        /// Write every schema into this folder (mechanism.schema.json, …, site.schema.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the handbook (front matter, dates, links, citations, templates) without writing anything.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = FormatArg::Human)]
        format: FormatArg,
        /// Print how long each stage took (load, model, derive, render).
        #[arg(long)]
        timings: bool,
    },
}

#[derive(clap::Args)]
struct SiteArgs {
    /// The handbook's root folder (holds content/, templates/, static/).
    #[arg(long, short, default_value = ".")]
    root: PathBuf,
    /// Include entries marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Render every citation afresh, and keep none in ROOT/.handbook-cache.
    #[arg(long)]
    no_cache: bool,
}

impl SiteArgs {
    fn options(&self) -> Options {
        let mut options = Options::new(&self.root);
        options.drafts = self.drafts;
        if !self.no_cache {
            options.cache_dir = Some(options.root.join(".handbook-cache"));
        }
        options
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    /// Source snippets with the problem underlined.
    Human,
    /// GitHub Actions annotations (::error file=…,line=…,col=…::…).
    Github,
    /// A JSON array of problems.
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Github => Format::Github,
            FormatArg::Json => Format::Json,
        }
    }
}

/// Exit codes: 0 all good, 1 problems found in the handbook, 2 usage or I/O error.
const PROBLEMS: u8 = 1;
const USAGE_OR_IO: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { site, out, strict, format, timings } => {
            let mut options = site.options();
            options.strict = strict;
            if let Some(out) = out {
                options.out = out;
            }
            let outcome = pipeline::build(&options);
            if timings {
                eprintln!("timings: {}", outcome.timings);
            }
            finish(outcome, Run::Build, format.into(), |stats, elapsed| {
                format!(
                    "Built {} entries ({} events, {} sources) into {}: {} files in {} ms",
                    stats.entries,
                    stats.events,
                    stats.sources,
                    options.out.display(),
                    stats.pages + stats.static_files,
                    elapsed.as_millis()
                )
            })
        }
        Command::New { kind, title, id, root } => {
            let Some(kind) = handbook::content::Kind::from_name(&kind) else {
                eprintln!("error: unknown kind `{kind}`\nhelp: use mechanism, exercise, declaration or topic");
                return ExitCode::from(USAGE_OR_IO);
            };
            let root = if root == std::path::Path::new(".") { PathBuf::new() } else { root };
            match handbook::content::scaffold::new_entry(
                &root,
                kind,
                &title,
                id.as_deref(),
                handbook::content::scaffold::current_year(),
            ) {
                Ok(path) => {
                    println!("{}", path.display());
                    eprintln!(
                        "Created {}: fill in its summary, date, events and sources, then run `handbook check`.",
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(USAGE_OR_IO)
                }
            }
        }
        Command::Schema { what, out } => schema(what.as_deref(), out.as_deref()),
        Command::Serve { site, port, bind, timings } => {
            let options = site.options();
            if !options.content_dir().is_dir() {
                eprintln!(
                    "error: {}: content folder not found\nhelp: run handbook in the handbook's root folder, or pass --root DIR",
                    options.content_dir().display()
                );
                return ExitCode::from(USAGE_OR_IO);
            }
            let serve = handbook::serve::ServeOptions { bind, port, verbose: true, timings };
            match handbook::serve::run(options, serve) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(USAGE_OR_IO)
                }
            }
        }
        Command::Check { site, strict, format, timings } => {
            let mut options = site.options();
            options.strict = strict;
            let outcome = pipeline::check(&options);
            if timings {
                eprintln!("timings: {}", outcome.timings);
            }
            finish(outcome, Run::Check, format.into(), |stats, elapsed| {
                format!(
                    "Checked {} entries ({} events, {} sources) in {} ms",
                    stats.entries,
                    stats.events,
                    stats.sources,
                    elapsed.as_millis()
                )
            })
        }
    }
}

fn schema(what: Option<&str>, out: Option<&std::path::Path>) -> ExitCode {
    if let Some(dir) = out {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::from(USAGE_OR_IO);
        }
        for (name, schema) in handbook::content::schema::all() {
            let path = dir.join(&name);
            let text = serde_json::to_string_pretty(&schema).expect("schemas are JSON") + "\n";
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(USAGE_OR_IO);
            }
            eprintln!("wrote {}", path.display());
        }
        return ExitCode::SUCCESS;
    }
    let schema = match what {
        Some("site") => handbook::content::schema::site_schema(),
        Some(kind) => match handbook::content::Kind::from_name(kind) {
            Some(k) => handbook::content::schema::entry_schema(k),
            None => {
                eprintln!("error: unknown schema `{kind}`\nhelp: use mechanism, exercise, declaration, topic or site");
                return ExitCode::from(USAGE_OR_IO);
            }
        },
        None => {
            let all: serde_json::Map<String, serde_json::Value> = handbook::content::schema::all()
                .into_iter()
                .map(|(n, s)| (n.trim_end_matches(".schema.json").to_string(), s))
                .collect();
            serde_json::Value::Object(all)
        }
    };
    println!("{}", serde_json::to_string_pretty(&schema).expect("schemas are JSON"));
    ExitCode::SUCCESS
}

/// Which command is finishing: `check` never writes, so it never says
/// whether anything was written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    Build,
    Check,
}

/// Prints the problems and the summary; picks the exit code.
fn finish(
    outcome: Outcome,
    run: Run,
    format: Format,
    summary: impl Fn(&pipeline::Stats, std::time::Duration) -> String,
) -> ExitCode {
    let color = format == Format::Human && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = diagnostic::render(&outcome.diagnostics, format, color, &pipeline::read_for_snippet);
    match format {
        // Machine formats go to stdout, where CI tools read them.
        Format::Github | Format::Json => print!("{text}"),
        Format::Human => eprint!("{text}"),
    }
    let errors = outcome.diagnostics.error_count();
    let warnings = outcome.diagnostics.warning_count();
    if outcome.io_failure {
        eprintln!(
            "error: {}",
            match run {
                Run::Build => "the handbook could not be read or the site could not be written; nothing was written",
                Run::Check => "the handbook could not be read",
            }
        );
        return ExitCode::from(USAGE_OR_IO);
    }
    if errors > 0 {
        eprintln!(
            "error: {errors} problem{} found{}{}",
            if errors == 1 { "" } else { "s" },
            if warnings > 0 { format!(" (and {warnings} warnings)") } else { String::new() },
            if run == Run::Build { "; nothing was written" } else { "" }
        );
        return ExitCode::from(PROBLEMS);
    }
    match &outcome.stats {
        Some(stats) => {
            let mut line = summary(stats, outcome.elapsed);
            if warnings > 0 {
                line.push_str(&format!(", {warnings} warning{}", if warnings == 1 { "" } else { "s" }));
            }
            eprintln!("{line}");
            // Freeing a large model takes measurable time; the process is done.
            let _ = std::io::Write::flush(&mut std::io::stdout());
            std::process::exit(0)
        }
        None => ExitCode::from(PROBLEMS),
    }
}
