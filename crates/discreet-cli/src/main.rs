//! The `discreet` command line. It parses arguments, calls the pipeline and
//! testdata crates, prints what they report, and maps outcomes to exit
//! codes (0 clean, 1 violations or findings, 2 usage or input error). It
//! holds no logic of its own.

mod log;

use std::collections::BTreeMap;
#[cfg(feature = "testdata")]
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use discreet_pipeline::{PipelineError, RunOptions};
use discreet_spec::Plan;

use crate::log::{LogFormat, StderrReporter};

#[derive(Parser)]
#[command(
    name = "discreet",
    version,
    about = "Count tables from immigration microdata, protected by the IRCC rule, ready for open.canada.ca"
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
    Run {
        /// The pipeline spec (TOML).
        spec: PathBuf,
        /// Use PATH for the spec's input NAME (repeatable).
        #[arg(long = "input", value_name = "NAME=PATH", value_parser = parse_input)]
        inputs: Vec<(String, PathBuf)>,
        /// The release folder to create.
        #[arg(long)]
        out: PathBuf,
        /// Replace the release already in --out.
        #[arg(long)]
        replace: bool,
    },
    /// Check a pipeline spec without reading any microdata.
    Check {
        /// The pipeline spec (TOML).
        spec: PathBuf,
    },
    /// Recompute a release from its microdata and check every published value.
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
    Audit {
        /// The release folder.
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
    #[cfg(feature = "testdata")]
    /// Write synthetic microdata: permanent-resident admissions or study and
    /// work permits.
    Testdata {
        /// Which data set: one row per admission, or one row per permit.
        #[arg(long, value_enum, default_value_t = TestdataKind::Admissions)]
        kind: TestdataKind,
        /// Number of rows.
        #[arg(long)]
        rows: u64,
        /// Random seed: the same seed gives the same bytes.
        #[arg(long)]
        seed: u64,
        /// Output file, `.csv` or `.parquet`.
        #[arg(long)]
        out: PathBuf,
    },
}

#[cfg(feature = "testdata")]
#[derive(Clone, Copy, ValueEnum)]
enum TestdataKind {
    /// Permanent-resident admissions (`record_id`, `admission_date`...).
    Admissions,
    /// Study and work permits (`permit_id`, `person_id`, `effective_date`...).
    Permits,
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
    let code =
        match cli.command {
            Command::Run {
                spec,
                inputs,
                out,
                replace,
            } => {
                let opts = RunOptions {
                    inputs: inputs.into_iter().collect(),
                    out,
                    replace,
                };
                run(&spec, &opts, &mut reporter)
            }
            Command::Check { spec } => match Plan::load(&spec)
                .map_err(PipelineError::from)
                .and_then(|p| {
                    discreet_pipeline::check_spec(&p)?;
                    Ok(p)
                }) {
                Ok(p) => {
                    reporter.summary(&format!(
                        "{}: valid spec, {} table(s)",
                        spec.display(),
                        p.tables.len()
                    ));
                    0
                }
                Err(e) => reporter.error(&e.to_string()),
            },
            Command::Verify { dir, inputs, json } => {
                verify(&dir, inputs.into_iter().collect(), json, &mut reporter)
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
                let settings = discreet_pipeline::AuditSettings {
                    protect_below,
                    min_width,
                    lp_max_block,
                };
                audit(
                    &dir,
                    &previous,
                    json,
                    lp_out.as_deref(),
                    &settings,
                    &mut reporter,
                )
            }
            #[cfg(feature = "testdata")]
            Command::Testdata {
                kind,
                rows,
                seed,
                out,
            } => testdata(kind, rows, seed, &out, &mut reporter),
        };
    ExitCode::from(code)
}

fn run(spec: &std::path::Path, opts: &RunOptions, reporter: &mut StderrReporter) -> u8 {
    let result = Plan::load(spec)
        .map_err(PipelineError::from)
        .and_then(|plan| discreet_pipeline::run(&plan, opts, reporter));
    match result {
        Ok(summary) => {
            reporter.run_summary(&summary);
            0
        }
        Err(e @ PipelineError::Gate(_)) => {
            reporter.error(&e.to_string());
            1
        }
        Err(e) => reporter.error(&e.to_string()),
    }
}

fn verify(
    dir: &std::path::Path,
    inputs: BTreeMap<String, PathBuf>,
    json: Option<PathBuf>,
    reporter: &mut StderrReporter,
) -> u8 {
    match discreet_pipeline::verify(dir, &inputs, reporter) {
        Ok(report) => {
            if let Some(path) = json {
                let doc = serde_json::json!({
                    "release": dir.display().to_string(),
                    "clean": report.violations.is_empty(),
                    "files_checked": report.files_checked,
                    "cells_checked": report.cells_checked,
                    "violations": report.violations.iter().map(|v| serde_json::json!({"file": v.file, "cell": v.cell, "message": v.message})).collect::<Vec<_>>(),
                });
                if let Err(code) = write_json(&path, &doc, reporter) {
                    return code;
                }
            }
            reporter.verify_summary(dir, &report);
            u8::from(!report.violations.is_empty())
        }
        Err(e) => reporter.error(&e.to_string()),
    }
}

#[cfg(feature = "testdata")]
fn testdata(
    kind: TestdataKind,
    rows: u64,
    seed: u64,
    out: &std::path::Path,
    reporter: &mut StderrReporter,
) -> u8 {
    let tty = std::io::stderr().is_terminal();
    let mut progress = |done: u64| {
        if tty {
            eprint!("\rdiscreet: {done} of {rows} rows written");
        }
    };
    let (result, what) = match kind {
        TestdataKind::Admissions => (
            discreet_testdata::write_admissions(
                &discreet_testdata::AdmissionsOptions { rows, seed },
                out,
                &mut progress,
            ),
            "admissions",
        ),
        TestdataKind::Permits => (
            discreet_testdata::write_permits(
                &discreet_testdata::PermitsOptions { rows, seed },
                out,
                &mut progress,
            ),
            "permits",
        ),
    };
    if tty {
        eprintln!();
    }
    match result {
        Ok(()) => {
            reporter.summary(&format!(
                "wrote {rows} synthetic {what} (seed {seed}) to {}",
                out.display()
            ));
            0
        }
        Err(e) => reporter.error(&e.to_string()),
    }
}

fn audit(
    dir: &std::path::Path,
    previous: &[PathBuf],
    json: Option<PathBuf>,
    lp_out: Option<&std::path::Path>,
    settings: &discreet_pipeline::AuditSettings,
    reporter: &mut StderrReporter,
) -> u8 {
    match settings.audit_release_with_lp(dir, previous, lp_out, reporter) {
        Ok(report) => {
            if let Some(path) = json {
                let doc = serde_json::json!({
                    "release": dir.display().to_string(),
                    "clean": report.findings.is_empty(),
                    "policy": {"protect_below": report.settings.protect_below, "min_width": report.settings.min_width, "lp_max_block": report.settings.lp_max_block},
                    "cells": report.cells,
                    "relations": report.relations,
                    "tables": report.tables.iter().map(|t| serde_json::json!({"name": t.name, "cells": t.cells, "disclosed": t.disclosed, "narrowed": t.narrowed, "inconsistent": t.inconsistent})).collect::<Vec<_>>(),
                    "findings": report.findings.iter().map(|f| serde_json::json!({
                        "table": f.table,
                        "cell": f.cell.iter().map(|(d, c)| (d.clone(), serde_json::Value::String(c.clone()))).collect::<serde_json::Map<_, _>>(),
                        "shown": f.shown, "lo": f.lo, "hi": f.hi, "kind": f.kind,
                    })).collect::<Vec<_>>(),
                });
                if let Err(code) = write_json(&path, &doc, reporter) {
                    return code;
                }
            }
            reporter.audit_summary(dir, &report);
            u8::from(!report.findings.is_empty())
        }
        Err(e) => reporter.error(&e.to_string()),
    }
}

/// Writes a report as pretty JSON; on failure reports it and gives exit code 2.
fn write_json(
    path: &std::path::Path,
    doc: &serde_json::Value,
    reporter: &mut StderrReporter,
) -> Result<(), u8> {
    let text = serde_json::to_string_pretty(doc).expect("reports hold only plain values") + "\n";
    std::fs::write(path, text)
        .map_err(|e| reporter.error(&format!("cannot write {}: {e}", path.display())))
}
