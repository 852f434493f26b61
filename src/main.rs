//! The `handbook` command line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use handbook::build::{self, Options, Outcome};
use handbook::diagnostic::{self, Format};

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { site, out, strict, format } => {
            let mut options = Options::new(&site.root);
            options.drafts = site.drafts;
            if let Some(out) = out {
                options.out = out;
            }
            let outcome = build::build(&options);
            finish(outcome, strict, format.into(), |stats, elapsed| {
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
        Command::Check { site, strict, format } => {
            let mut options = Options::new(&site.root);
            options.drafts = site.drafts;
            let outcome = build::check(&options);
            finish(outcome, strict, format.into(), |stats, elapsed| {
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

/// Prints the problems and the summary; picks the exit code.
fn finish(
    mut outcome: Outcome,
    strict: bool,
    format: Format,
    summary: impl Fn(&build::Stats, std::time::Duration) -> String,
) -> ExitCode {
    if strict {
        outcome.diagnostics.make_strict();
    }
    let color = format == Format::Human && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = diagnostic::render(&outcome.diagnostics, format, color, &build::read_for_snippet);
    match format {
        // Machine formats go to stdout, where CI tools read them.
        Format::Github | Format::Json => print!("{text}"),
        Format::Human => eprint!("{text}"),
    }
    let errors = outcome.diagnostics.error_count();
    let warnings = outcome.diagnostics.warning_count();
    if errors > 0 || (strict && warnings > 0) {
        eprintln!(
            "error: {errors} problem{} found{}; nothing was written",
            if errors == 1 { "" } else { "s" },
            if warnings > 0 { format!(" (and {warnings} warnings)") } else { String::new() }
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
            ExitCode::SUCCESS
        }
        None => ExitCode::from(PROBLEMS),
    }
}
