//! `discreet report`: the reviewer's report of a release, one
//! self-contained bilingual HTML page (see the discreet-report crate).

use std::path::PathBuf;

use clap::Args;

use crate::log::StderrReporter;
use crate::outcome::{CliError, Outcome};

/// Arguments of `discreet report`.
#[derive(Args)]
pub struct ReportArgs {
    /// The release folder.
    dir: PathBuf,
    /// An earlier release of the same series (repeatable), audited with it
    /// as `discreet audit --previous` does.
    #[arg(long, value_name = "DIR")]
    previous: Vec<PathBuf>,
    /// The HTML file to write [default: DIR/report.html, which no manifest
    /// lists and `discreet verify` leaves aside].
    #[arg(long, value_name = "FILE.html")]
    out: Option<PathBuf>,
}

/// Builds the report from the release folders alone and writes it.
pub fn report(args: ReportArgs, reporter: &mut StderrReporter) -> Result<Outcome, CliError> {
    let report = discreet_report::build(&args.dir, &args.previous, reporter)?;
    let html = discreet_report::render(&report);
    let path = args
        .out
        .unwrap_or_else(|| args.dir.join(discreet_report::REPORT_FILE));
    std::fs::write(&path, html).map_err(|error| CliError::WriteReport {
        path: path.clone(),
        error,
    })?;
    let findings: usize = report.tables.iter().map(|t| t.findings.len()).sum();
    reporter.summary(&format!(
        "{}: report written ({} table(s), {findings} finding(s))",
        path.display(),
        report.tables.len()
    ));
    Ok(Outcome::Clean)
}
