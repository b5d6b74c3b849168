//! `discreet testdata`: synthetic microdata for trying the pipelines. Kept
//! in one module so that builds without the generator leave it out whole.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::log::StderrReporter;
use crate::outcome::{CliError, Outcome};

/// The arguments of `discreet testdata`.
#[derive(Args)]
#[command(after_help = "Examples:
  discreet testdata --rows 100000 --seed 1 --out admissions.csv
  discreet testdata --kind permits --rows 1000000 --seed 7 --out permits.parquet
  discreet testdata --rows 100000 --seed 1 --country-names --out extract.csv")]
pub struct TestdataArgs {
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
    /// Admissions only: IRCC's English country names in the country column
    /// instead of ISO codes, as in IRCC's extracts (for specs with a recode).
    #[arg(long)]
    country_names: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum TestdataKind {
    /// Permanent-resident admissions (`record_id`, `admission_date`...).
    Admissions,
    /// Study and work permits (`permit_id`, `person_id`, `effective_date`...).
    Permits,
}

/// Writes the synthetic data set `args` asks for.
pub fn testdata(args: TestdataArgs, reporter: &mut StderrReporter) -> Result<Outcome, CliError> {
    let TestdataArgs {
        kind,
        rows,
        seed,
        out,
        country_names,
    } = args;
    let tty = std::io::stderr().is_terminal();
    let mut progress = |done: u64| {
        if tty {
            eprint!("\rdiscreet: {done} of {rows} rows written");
        }
    };
    let (result, what) = match kind {
        TestdataKind::Admissions => {
            let write = if country_names {
                discreet_testdata::write_admissions_with_country_names
            } else {
                discreet_testdata::write_admissions
            };
            let opts = discreet_testdata::AdmissionsOptions { rows, seed };
            (write(&opts, &out, &mut progress), "admissions")
        }
        TestdataKind::Permits if country_names => {
            return Err(CliError::Other(
                "--country-names applies to admissions only".into(),
            ))
        }
        TestdataKind::Permits => (
            discreet_testdata::write_permits(
                &discreet_testdata::PermitsOptions { rows, seed },
                &out,
                &mut progress,
            ),
            "permits",
        ),
    };
    if tty {
        eprintln!();
    }
    result.map_err(|e| CliError::Other(Box::new(e)))?;
    reporter.summary(&format!(
        "wrote {rows} synthetic {what} (seed {seed}) to {}",
        out.display()
    ));
    Ok(Outcome::Clean)
}
