//! The `discreet` command line. It parses arguments, calls the pipeline and
//! testdata crates, prints what they report, and maps outcomes to exit
//! codes (0 clean, 1 violations or findings, 2 usage or input error). It
//! holds no logic of its own.

mod codelists;
mod log;
mod outcome;
mod report;
mod reports;
#[cfg(feature = "testdata")]
mod testdata;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use discreet_pipeline::{AuditSettings, RunOptions};
use discreet_spec::Plan;
use serde::Serialize;

use crate::log::{LogFormat, StderrReporter};
use crate::outcome::{exit_code, message, CliError, Outcome};

#[derive(Parser)]
#[command(
    name = "discreet",
    version,
    about = "Count tables from immigration microdata, protected by the IRCC rule, ready for open.canada.ca",
    after_help = "Examples:
  discreet check pipelines/pr_age_gender_year.toml
  discreet run pipelines/pr_age_gender_year.toml --out out/pr_age_gender_year
  discreet audit out/pr_age_gender_year

Each command's --help shows more examples."
)]
struct Cli {
    /// How progress and notices are written to stderr.
    #[arg(long, value_enum, default_value_t = LogArg::Human, global = true)]
    log: LogArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogArg {
    /// Lines for people.
    Human,
    /// One JSON object per line, for schedulers.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline spec and write one release folder.
    #[command(after_help = "Examples:
  discreet run pipelines/pr_age_gender_year.toml --out out/pr_age_gender_year
  discreet run pipelines/pr_citizenship_month.toml \\
      --input admissions=testdata/pr_admissions.csv --out out/pr_citizenship_month --replace
  discreet run quarterly/2026Q1.toml --series releases/pr_citizenship_month")]
    Run {
        /// The pipeline spec (TOML).
        spec: PathBuf,
        /// Use PATH for the spec's input NAME (repeatable).
        #[arg(long = "input", value_name = "NAME=PATH", value_parser = parse_input)]
        inputs: Vec<(String, PathBuf)>,
        /// The release folder to create.
        #[arg(long, required_unless_present = "series", conflicts_with = "series")]
        out: Option<PathBuf>,
        /// Publish the release as the next quarter of the series in DIR
        /// (created if absent): written to DIR/<release name>/, protected
        /// against every release already in DIR (refused, exit 1, when the
        /// combined audit finds anything a safe method cannot repair), and
        /// appended to DIR/ledger.json.
        #[arg(long, value_name = "DIR")]
        series: Option<PathBuf>,
        /// Replace the release already in --out.
        #[arg(long)]
        replace: bool,
    },
    /// Check a pipeline spec without reading any microdata.
    #[command(after_help = "Example:
  discreet check pipelines/pr_age_gender_year.toml")]
    Check {
        /// The pipeline spec (TOML).
        spec: PathBuf,
    },
    /// Recompute a release from its microdata and check every published value.
    #[command(after_help = "Examples:
  discreet verify out/pr_age_gender_year
  discreet verify out/pr_age_gender_year \\
      --input admissions=testdata/pr_admissions.csv --json verify.json")]
    Verify {
        /// The release folder.
        dir: PathBuf,
        /// Use PATH for the input NAME (repeatable); else the spec's paths.
        #[arg(long = "input", value_name = "NAME=PATH", value_parser = parse_input)]
        inputs: Vec<(String, PathBuf)>,
        /// Write the report as JSON to FILE too.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Attack a release from the outside (only what it publishes) and report
    /// every cell an outsider can pin down or narrow.
    #[command(after_help = "Examples:
  discreet audit out/pr_citizenship_month --json audit.json
  discreet audit out/pr_citizenship_month --previous out/pr_citizenship_month_2024
  discreet audit out/pr_citizenship_month --lp-out audit.lp")]
    Audit {
        /// The release folder, or a series folder (its last release is
        /// audited together with every release before it).
        dir: PathBuf,
        /// An earlier release of the same series (repeatable): its cells of
        /// periods it declared final are tied to this release's.
        #[arg(long, value_name = "DIR")]
        previous: Vec<PathBuf>,
        /// Write the findings as JSON to FILE too.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Counts 1..N-1 are protected: a cell pinned in that range is
        /// disclosed. Default: 10 for a rounded release; for an exact-count
        /// release (rounding base 1), its suppression range.
        #[arg(long, value_name = "N")]
        protect_below: Option<u64>,
        /// A protected cell known to lie in fewer than W values is narrowed [default: 3].
        #[arg(long, value_name = "W")]
        min_width: Option<u64>,
        /// Blocks of linked cells up to this size get exact LP bounds; larger
        /// ones LP bounds over each cell's neighbourhood (sound, usually as
        /// tight; LP cost grows fast with size); 0: propagation only [default: 5000].
        #[arg(long, value_name = "CELLS")]
        lp_max_block: Option<usize>,
        /// Write the system the audit solves to FILE in CPLEX LP format
        /// (one integer unknown x<i> per published cell, named in a comment
        /// line; its bounds are what the shown value allows; one row per
        /// sum), to check the audit with any LP/MIP solver.
        #[arg(long, value_name = "FILE")]
        lp_out: Option<PathBuf>,
    },
    /// Write a reviewer's report of a release: one self-contained HTML page
    /// (English and French) with the manifest check, the audit's verdict,
    /// each table's cells by status and every finding with the relations
    /// that prove it. Reads only the release folders.
    #[command(after_help = "Examples:
  discreet report out/pr_citizenship_month
  discreet report out/pr_citizenship_month --out review/citizenship.html
  discreet report out/pr_citizenship_month --previous out/pr_citizenship_month_2024")]
    Report(report::ReportArgs),
    /// Write synthetic microdata: permanent-resident admissions or study and
    /// work permits.
    /// List the releases of a series folder and check it: the ledger's hash
    /// chain, every release's manifest and files. Exit 1 names each problem.
    #[command(after_help = "Examples:
  discreet series releases/pr_citizenship_month
  discreet series releases/pr_citizenship_month --json series.json")]
    Series {
        /// The series folder.
        dir: PathBuf,
        /// Write the listing and the problems as JSON to FILE too.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    #[cfg(feature = "testdata")]
    Testdata(testdata::TestdataArgs),
    /// List the codelists a spec may name, or print one to start a list
    /// of one's own from.
    #[command(after_help = "Examples:
  discreet codelists
  discreet codelists immigration_categories
  discreet codelists countries --csv > lists/countries_by_region.csv
  discreet codelists --spec pipelines/pr_region_category_quarter.toml")]
    Codelists(codelists::CodelistsArgs),
    /// Print a shell completion script to stdout.
    #[command(after_help = "Examples:
  discreet completions bash > ~/.local/share/bash-completion/completions/discreet
  discreet completions zsh > ~/.zfunc/_discreet")]
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

fn parse_input(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((n, p)) if !n.is_empty() && !p.is_empty() => Ok((n.to_string(), PathBuf::from(p))),
        _ => Err(format!("expected NAME=PATH, found `{s}`")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match cli.log {
        LogArg::Human => LogFormat::Human,
        LogArg::Json => LogFormat::Json,
    };
    let mut reporter = StderrReporter::new(format);
    let result = dispatch(cli.command, &mut reporter);
    let code = exit_code(&result);
    if let Err(e) = &result {
        reporter.error(&message(e), code);
    }
    ExitCode::from(code)
}

fn dispatch(command: Command, reporter: &mut StderrReporter) -> Result<Outcome, CliError> {
    match command {
        Command::Run {
            spec,
            inputs,
            out,
            series,
            replace,
        } => {
            let opts = RunOptions {
                inputs: inputs.into_iter().collect(),
                out: out.unwrap_or_default(),
                replace,
                series,
            };
            let plan = Plan::load(&spec)?;
            let summary = discreet_pipeline::run(&plan, &opts, reporter)?;
            reporter.run_summary(&summary);
            Ok(Outcome::Clean)
        }
        Command::Check { spec } => {
            let plan = Plan::load(&spec)?;
            discreet_pipeline::check_spec(&plan)?;
            reporter.summary(&format!(
                "{}: valid spec, {} table(s)",
                spec.display(),
                plan.tables.len()
            ));
            Ok(Outcome::Clean)
        }
        Command::Verify { dir, inputs, json } => {
            let inputs: BTreeMap<String, PathBuf> = inputs.into_iter().collect();
            let report = discreet_pipeline::verify(&dir, &inputs, reporter)?;
            write_report(json, || reports::VerifyDoc::new(&dir, &report))?;
            reporter.verify_summary(&dir, &report);
            Ok(found(!report.violations.is_empty()))
        }
        Command::Audit {
            dir,
            previous,
            json,
            protect_below,
            min_width,
            lp_max_block,
            lp_out,
        } => {
            let settings = AuditSettings {
                protect_below,
                min_width,
                lp_max_block,
            };
            // A series folder: its last release, read with all before it.
            let (dir, previous) = if dir.join(discreet_pipeline::LEDGER_FILE).is_file() {
                let mut releases = discreet_pipeline::series_releases(&dir)?;
                let last = releases.remove(0);
                releases.extend(previous);
                (last, releases)
            } else {
                (dir, previous)
            };
            let report =
                settings.audit_release_with_lp(&dir, &previous, lp_out.as_deref(), reporter)?;
            write_report(json, || reports::AuditDoc::new(&dir, &report))?;
            reporter.audit_summary(&dir, &report);
            Ok(found(!report.findings.is_empty()))
        }
        Command::Report(args) => report::report(args, reporter),
        Command::Series { dir, json } => {
            let check = discreet_pipeline::check_series(&dir)?;
            write_report(json, || reports::SeriesDoc::new(&dir, &check))?;
            reporter.series_summary(&dir, &check);
            Ok(found(!check.problems.is_empty()))
        }
        #[cfg(feature = "testdata")]
        Command::Testdata(args) => testdata::testdata(args, reporter),
        Command::Codelists(args) => codelists::codelists(args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "discreet",
                &mut std::io::stdout(),
            );
            Ok(Outcome::Clean)
        }
    }
}

/// [`Outcome::Found`] when a command found something.
fn found(any: bool) -> Outcome {
    if any {
        Outcome::Found
    } else {
        Outcome::Clean
    }
}

/// Writes the report `doc` builds to the `--json` file, when one was asked for.
fn write_report<D: Serialize>(
    path: Option<PathBuf>,
    doc: impl FnOnce() -> D,
) -> Result<(), CliError> {
    match path {
        Some(path) => {
            reports::write(&path, &doc()).map_err(|error| CliError::WriteReport { path, error })
        }
        None => Ok(()),
    }
}
