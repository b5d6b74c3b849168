//! Synthetic microdata for testing and benchmarking discreet.
//!
//! **Everything this crate writes is invented.** The files look like
//! permanent-resident admissions microdata (one row per admission, the
//! "canonical microdata" of `DESIGN.md`) so that ingestion, tabulation and
//! disclosure control can be exercised at realistic sizes and shapes, but no
//! figure in them describes anybody. They must never be used for anything
//! published, nor as a stand-in for real statistics.
//!
//! [`write_admissions`] writes `rows` admissions drawn from fixed tables
//! (countries with a heavy tail, provinces, immigration classes and
//! categories, ages, genders, dates with mild seasonality) to a CSV or
//! Parquet file. The output depends only on the row count and the seed: the
//! same options give byte-identical files on any machine.

#![warn(missing_docs)]

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use polars::prelude::{
    DataFrame, DataType, Field, Int32Chunked, IntoColumn, ParquetCompression, ParquetWriter,
    Schema, StringChunkedBuilder,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod model;
#[cfg(test)]
mod tests;

use model::{Model, Row};

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

/// Largest row count [`write_admissions`] accepts: record ids are `PR`
/// followed by ten digits.
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

/// File formats [`write_admissions`] can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Comma-separated values with a header line, UTF-8, `\n` line ends,
    /// no quoting (no value needs it).
    Csv,
    /// Apache Parquet, zstd-compressed, one row group per million rows; all
    /// columns strings except `age` (32-bit integer).
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
    write_admissions_chunked(opts, path, CHUNK_ROWS, progress)
}

/// [`write_admissions`] with a chosen chunk size (tests use small ones; the
/// output bytes do not depend on it for CSV).
fn write_admissions_chunked(
    opts: &AdmissionsOptions,
    path: &Path,
    chunk_rows: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    let format = OutputFormat::from_path(path)
        .ok_or_else(|| TestdataError::UnknownFormat { path: path.into() })?;
    if opts.rows > MAX_ROWS {
        return Err(TestdataError::TooManyRows { rows: opts.rows });
    }
    let model = Model::new()?;
    let io_err = |action: String, source: io::Error| TestdataError::Io {
        path: path.into(),
        action,
        source,
    };

    let name = path
        .file_name()
        .expect("a path with an extension has a file name");
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = TempFile {
        path: dir.join(tmp_name),
    };

    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp.path)
        .map_err(|e| {
            io_err(
                format!("cannot create the temporary file `{}`", tmp.path.display()),
                e,
            )
        })?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let gen = Generator {
        model: &model,
        rows: opts.rows,
        chunk_rows: chunk_rows.max(1),
    };

    match format {
        OutputFormat::Csv => gen.write_csv(&mut rng, &mut out, progress).map_err(|e| {
            io_err(
                format!("cannot write the temporary file `{}`", tmp.path.display()),
                e,
            )
        })?,
        OutputFormat::Parquet => gen
            .write_parquet(&mut rng, &mut out, progress)
            .map_err(|e| match e {
                ParquetFailure::Io(e) => io_err(
                    format!("cannot write the temporary file `{}`", tmp.path.display()),
                    e,
                ),
                ParquetFailure::Polars(message) => TestdataError::Parquet {
                    path: path.into(),
                    message,
                },
            })?,
    }
    let file = out.into_inner().map_err(|e| {
        io_err(
            format!("cannot write the temporary file `{}`", tmp.path.display()),
            e.into_error(),
        )
    })?;
    file.sync_all().map_err(|e| {
        io_err(
            format!(
                "cannot flush the temporary file `{}` to disk",
                tmp.path.display()
            ),
            e,
        )
    })?;
    drop(file);
    fs::rename(&tmp.path, path).map_err(|e| {
        io_err(
            format!(
                "cannot rename the temporary file `{}` to it",
                tmp.path.display()
            ),
            e,
        )
    })?;
    tmp.keep();
    Ok(())
}

/// A temporary file removed when dropped, unless kept.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Forgets the file (it has been renamed).
    fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

enum ParquetFailure {
    Io(io::Error),
    Polars(String),
}

impl From<polars::error::PolarsError> for ParquetFailure {
    fn from(e: polars::error::PolarsError) -> Self {
        match e {
            polars::error::PolarsError::IO { error, .. } => match std::sync::Arc::try_unwrap(error)
            {
                Ok(e) => ParquetFailure::Io(e),
                Err(e) => ParquetFailure::Io(io::Error::new(e.kind(), e.to_string())),
            },
            other => ParquetFailure::Polars(other.to_string()),
        }
    }
}

/// Draws rows chunk by chunk and hands them to a format writer.
struct Generator<'a> {
    model: &'a Model,
    rows: u64,
    chunk_rows: u64,
}

/// Record id `PR0000000001`, incremented in place.
struct RecordId([u8; 12]);

impl RecordId {
    fn new() -> RecordId {
        RecordId(*b"PR0000000000")
    }

    /// Moves to the next id (the row count is capped by [`MAX_ROWS`], so the
    /// ten digits never overflow).
    #[inline]
    fn advance(&mut self) -> &[u8; 12] {
        for b in self.0[2..].iter_mut().rev() {
            if *b == b'9' {
                *b = b'0';
            } else {
                *b += 1;
                break;
            }
        }
        &self.0
    }
}

impl<'a> Generator<'a> {
    /// Sizes of the successive chunks.
    fn chunks(&self) -> impl Iterator<Item = u64> {
        let (rows, chunk) = (self.rows, self.chunk_rows);
        (0..rows.div_ceil(chunk)).map(move |i| chunk.min(rows - i * chunk))
    }

    fn write_csv(
        &self,
        rng: &mut ChaCha8Rng,
        out: &mut impl Write,
        progress: &mut dyn FnMut(u64),
    ) -> io::Result<()> {
        let m = self.model;
        out.write_all(COLUMNS.join(",").as_bytes())?;
        out.write_all(b"\n")?;
        let mut id = RecordId::new();
        let mut line = Vec::with_capacity(256);
        let mut written = 0u64;
        for n in self.chunks() {
            for _ in 0..n {
                let r = m.sample(rng);
                line.clear();
                line.extend_from_slice(id.advance());
                line.push(b',');
                line.extend_from_slice(&m.dates[usize::from(r.day)]);
                line.push(b',');
                line.extend_from_slice(m.countries[usize::from(r.country)].as_bytes());
                line.push(b',');
                line.extend_from_slice(m.provinces[usize::from(r.province)].as_bytes());
                line.push(b',');
                line.extend_from_slice(m.categories[usize::from(r.category)].as_bytes());
                line.push(b',');
                line.extend_from_slice(m.ages[usize::from(r.age)].as_bytes());
                line.push(b',');
                line.extend_from_slice(m.genders[usize::from(r.gender)].as_bytes());
                line.push(b'\n');
                out.write_all(&line)?;
            }
            written += n;
            progress(written);
        }
        Ok(())
    }

    fn write_parquet<W: Write>(
        &self,
        rng: &mut ChaCha8Rng,
        out: &mut W,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), ParquetFailure> {
        let m: &'a Model = self.model;
        let schema = Schema::from_iter(COLUMNS.iter().map(|&c| {
            let dtype = if c == "age" {
                DataType::Int32
            } else {
                DataType::String
            };
            Field::new(c.into(), dtype)
        }));
        // Compression is set explicitly so a change of polars' default does
        // not silently change the files.
        let mut writer = ParquetWriter::new(&mut *out)
            .with_compression(ParquetCompression::Zstd(None))
            .batched(&schema)?;
        let mut id = RecordId::new();
        let mut rows: Vec<Row> = Vec::new();
        let mut written = 0u64;
        for n in self.chunks() {
            let n_us = usize::try_from(n).expect("chunk fits in memory");
            rows.clear();
            rows.extend((0..n).map(|_| m.sample(rng)));

            let mut record_id = StringChunkedBuilder::new(COLUMNS[0].into(), n_us);
            for _ in 0..n {
                record_id.append_value(std::str::from_utf8(id.advance()).expect("ASCII id"));
            }
            let string_col = |name: &str, value: &dyn Fn(&Row) -> &'a str| {
                let mut b = StringChunkedBuilder::new(name.into(), n_us);
                for r in &rows {
                    b.append_value(value(r));
                }
                b.finish().into_column()
            };
            let columns = vec![
                record_id.finish().into_column(),
                string_col(COLUMNS[1], &|r| {
                    std::str::from_utf8(&m.dates[usize::from(r.day)]).expect("ASCII date")
                }),
                string_col(COLUMNS[2], &|r| &m.countries[usize::from(r.country)]),
                string_col(COLUMNS[3], &|r| &m.provinces[usize::from(r.province)]),
                string_col(COLUMNS[4], &|r| &m.categories[usize::from(r.category)]),
                Int32Chunked::from_vec(
                    COLUMNS[5].into(),
                    rows.iter().map(|r| i32::from(r.age)).collect(),
                )
                .into_column(),
                string_col(COLUMNS[6], &|r| &m.genders[usize::from(r.gender)]),
            ];
            let df = DataFrame::new(n_us, columns)?;
            writer.write_batch(&df)?;
            drop(df);
            written += n;
            progress(written);
        }
        writer.finish()?;
        Ok(())
    }
}
