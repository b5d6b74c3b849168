//! Synthetic microdata for testing and benchmarking discreet.
//!
//! **Everything this crate writes is invented.** The files look like the
//! two kinds of immigration microdata the bundled pipelines read
//! (admissions and permits), so that ingestion, tabulation and disclosure
//! control can be exercised at realistic sizes and shapes, but no figure in
//! them describes anybody. They must never be used for anything published,
//! nor as a stand-in for real statistics.
//!
//! - [`write_admissions`] writes permanent-resident admissions, one row per
//!   admission, drawn from fixed tables (countries with a heavy tail,
//!   provinces, immigration classes and categories, ages, genders, dates with
//!   mild seasonality).
//! - [`write_permits`] writes study and work permits, one row per permit,
//!   with people holding one or several permits (renewals, a second study
//!   level, a post-graduation work permit, another province), so that counts
//!   of distinct holders differ from counts of permits.
//!
//! Both write CSV or Parquet (Parquet with the `parquet` feature, default
//! on), in chunks (memory does not grow with the row count). The output
//! depends only on the row count and the seed: the same options give
//! byte-identical files on any machine.

#![warn(missing_docs)]

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use rand_chacha::ChaCha8Rng;

mod model;
mod permits;
// The tests read the Parquet files back, through polars.
#[cfg(all(test, feature = "parquet"))]
mod tests;
mod write;

use model::Model;
pub use permits::{write_permits, PermitsOptions, PERMITS_COLUMNS};
use write::{write_dataset, ColumnType, Dataset, RecordId, RowSink};

/// Column names of the admissions microdata, in file order.
pub const COLUMNS: [&str; 7] = [
    "record_id",
    "admission_date",
    "country_of_citizenship",
    "province",
    "immigration_category",
    "age",
    "gender",
];

/// Largest row count [`write_admissions`] and [`write_permits`] accept:
/// record and permit ids are two letters followed by ten digits.
pub const MAX_ROWS: u64 = 9_999_999_999;

/// Rows generated, written and dropped at a time; also the Parquet row-group
/// size. Memory use does not grow with the row count.
const CHUNK_ROWS: u64 = 1_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionsOptions {
    /// Number of admissions (data rows) to write, at most [`MAX_ROWS`].
    pub rows: u64,
    /// Seed of the random stream; the same seed and row count always give
    /// the same file.
    pub seed: u64,
}

/// File formats [`write_admissions`] and [`write_permits`] can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Comma-separated values with a header line, UTF-8, `\n` line ends,
    /// no quoting (no value needs it).
    Csv,
    /// Apache Parquet, zstd-compressed, one row group per million rows; all
    /// columns strings except the admissions' `age` (32-bit integer); the
    /// permits' `study_level` is null where the CSV field is empty.
    Parquet,
}

impl OutputFormat {
    /// The format named by the path's extension (`.csv` or `.parquet`, in
    /// any case), or `None` for any other or no extension.
    pub fn from_path(path: &Path) -> Option<OutputFormat> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("csv") {
            Some(OutputFormat::Csv)
        } else if ext.eq_ignore_ascii_case("parquet") {
            Some(OutputFormat::Parquet)
        } else {
            None
        }
    }
}

/// Why synthetic data could not be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum TestdataError {
    /// The output path's extension names no known format.
    UnknownFormat {
        /// The requested output path.
        path: PathBuf,
    },
    /// More rows were requested than record ids can number.
    TooManyRows {
        /// Rows requested.
        rows: u64,
    },
    /// Reading or writing a file failed.
    Io {
        /// The requested output path.
        path: PathBuf,
        /// What was being done, e.g. "cannot create the temporary file `…`".
        action: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The Parquet encoder failed.
    Parquet {
        /// The requested output path.
        path: PathBuf,
        /// The encoder's message.
        message: String,
    },
    /// Parquet output was asked of a build without the `parquet` feature.
    NoParquet {
        /// The requested output path.
        path: PathBuf,
    },
    /// The built-in codelists do not fit the generator (a build defect, e.g.
    /// a code added to a list without a synthetic share).
    Model(String),
}

impl fmt::Display for TestdataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestdataError::UnknownFormat { path } => write!(
                f,
                "cannot tell the output format of `{}`: expected a file name ending in .csv or .parquet",
                path.display()
            ),
            TestdataError::TooManyRows { rows } => {
                write!(f, "cannot generate {rows} rows: at most {MAX_ROWS} are supported")
            }
            TestdataError::Io { path, action, source } => {
                write!(f, "writing `{}`: {action}: {source}", path.display())
            }
            TestdataError::Parquet { path, message } => {
                write!(f, "writing `{}`: Parquet encoding failed: {message}", path.display())
            }
            TestdataError::NoParquet { path } => write!(
                f,
                "cannot write `{}`: this build of discreet has no Parquet support (built without the `parquet` feature)",
                path.display()
            ),
            TestdataError::Model(message) => write!(f, "synthetic data model: {message}"),
        }
    }
}

impl std::error::Error for TestdataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TestdataError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Writes `opts.rows` synthetic admissions to `path`, as CSV or Parquet
/// according to its extension (see [`OutputFormat::from_path`]).
///
/// Data goes to a temporary file `.<name>.tmp-<pid>` in the same directory,
/// renamed to `path` only once complete, so a failed or interrupted run never
/// leaves a partial file under `path` (an existing file there is replaced
/// only on success). `progress` is called with the number of rows written so
/// far after each chunk of at most a million rows.
pub fn write_admissions(
    opts: &AdmissionsOptions,
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    write_admissions_chunked(opts, path, CHUNK_ROWS, false, progress)
}

/// [`write_admissions`] with IRCC's English country names in the country
/// column instead of ISO 3166 codes, as IRCC's own extracts hold them: an
/// extract for specs that recode names to codes.
pub fn write_admissions_with_country_names(
    opts: &AdmissionsOptions,
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    write_admissions_chunked(opts, path, CHUNK_ROWS, true, progress)
}

/// [`write_admissions`] with a chosen chunk size (tests use small ones; the
/// output bytes do not depend on it for CSV).
fn write_admissions_chunked(
    opts: &AdmissionsOptions,
    path: &Path,
    chunk_rows: u64,
    country_names: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    write_dataset(
        || {
            let mut model = Model::new()?;
            if country_names {
                model.name_countries()?;
            }
            Ok(Admissions {
                model,
                id: RecordId::new(*b"PR"),
            })
        },
        opts.rows,
        opts.seed,
        path,
        chunk_rows,
        progress,
    )
}

/// The admissions data set: one [`Model`] draw per row.
struct Admissions {
    model: Model,
    id: RecordId,
}

impl Dataset for Admissions {
    const COLUMNS: &'static [(&'static str, ColumnType)] = &[
        (COLUMNS[0], ColumnType::Text),
        (COLUMNS[1], ColumnType::Date),
        (COLUMNS[2], ColumnType::Text),
        (COLUMNS[3], ColumnType::Text),
        (COLUMNS[4], ColumnType::Text),
        (COLUMNS[5], ColumnType::Int32),
        (COLUMNS[6], ColumnType::Text),
    ];

    #[inline]
    fn next_row<S: RowSink>(&mut self, rng: &mut ChaCha8Rng, sink: &mut S) {
        let m = &self.model;
        let r = m.sample(rng);
        sink.text(self.id.advance());
        sink.date(m.date(r.day));
        sink.text(&m.countries[usize::from(r.country)]);
        sink.text(&m.provinces[usize::from(r.province)]);
        sink.text(&m.categories[usize::from(r.category)]);
        sink.int(i32::from(r.age));
        sink.text(&m.genders[usize::from(r.gender)]);
    }
}
