//! Writing a synthetic data set: the part every data set shares.
//!
//! A [`Dataset`] draws one row at a time and hands its values, in column
//! order, to a [`RowSink`]; [`write_dataset`] drives it chunk by chunk into a
//! CSV or Parquet file written atomically (temporary file, then rename).
//! Rows are drawn in the same order from the same random stream whatever the
//! format and the chunk size, so the data never depend on either.

use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::{OutputFormat, TestdataError, MAX_ROWS};

#[cfg(feature = "parquet")]
mod parquet;

/// Type of a column, in Parquet; in CSV every value is text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    /// UTF-8 text, never null.
    Text,
    /// UTF-8 text or null (an empty field in CSV).
    NullableText,
    /// 32-bit signed integer, never null.
    Int32,
    /// A calendar date, never null: `YYYY-MM-DD` in CSV, Parquet's `DATE`.
    Date,
}

/// A synthetic data set: a stream of rows drawn from a seeded random stream.
pub(crate) trait Dataset {
    /// Column names and types, in file order.
    const COLUMNS: &'static [(&'static str, ColumnType)];

    /// Draws the next row and passes its values to `sink`, one call per
    /// column in [`Dataset::COLUMNS`] order. The draws made are part of the
    /// output format: changing them changes every file.
    fn next_row<S: RowSink>(&mut self, rng: &mut ChaCha8Rng, sink: &mut S);
}

/// Receives the values of a row, in column order.
pub(crate) trait RowSink {
    /// A text value (quoted in CSV when it holds a comma, quote or line
    /// break, as some country names do).
    fn text(&mut self, value: &str);
    /// A null value (of a [`ColumnType::NullableText`] column).
    fn null(&mut self);
    /// An integer value (of a [`ColumnType::Int32`] column).
    fn int(&mut self, value: i32);
    /// A date, as `YYYY-MM-DD` (of a [`ColumnType::Date`] column).
    fn date(&mut self, iso: &str);
}

/// Writes `rows` rows of the data set made by `make` to `path`, as CSV or
/// Parquet according to its extension, `chunk_rows` rows at a time.
///
/// Data goes to a temporary file `.<name>.tmp-<pid>` in the same directory,
/// renamed to `path` only once complete, so a failed or interrupted run
/// never leaves a partial file under `path`. `progress` is called with the
/// number of rows written so far after each chunk.
pub(crate) fn write_dataset<D: Dataset>(
    make: impl FnOnce() -> Result<D, TestdataError>,
    rows: u64,
    seed: u64,
    path: &Path,
    chunk_rows: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), TestdataError> {
    let format = OutputFormat::from_path(path)
        .ok_or_else(|| TestdataError::UnknownFormat { path: path.into() })?;
    if rows > MAX_ROWS {
        return Err(TestdataError::TooManyRows { rows });
    }
    #[cfg(not(feature = "parquet"))]
    if format == OutputFormat::Parquet {
        return Err(TestdataError::NoParquet { path: path.into() });
    }
    let mut dataset = make()?;
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
    let write_failed = |e| {
        io_err(
            format!("cannot write the temporary file `{}`", tmp.path.display()),
            e,
        )
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
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let chunks = Chunks {
        rows,
        chunk_rows: chunk_rows.max(1),
    };

    match format {
        OutputFormat::Csv => {
            write_csv(&mut dataset, &mut rng, chunks, &mut out, progress).map_err(write_failed)?
        }
        #[cfg(feature = "parquet")]
        OutputFormat::Parquet => {
            use parquet::{write_parquet, ParquetFailure};
            write_parquet(&mut dataset, &mut rng, chunks, &mut out, progress).map_err(
                |e| match e {
                    ParquetFailure::Io(e) => write_failed(e),
                    ParquetFailure::Polars(message) => TestdataError::Parquet {
                        path: path.into(),
                        message,
                    },
                },
            )?
        }
        #[cfg(not(feature = "parquet"))]
        OutputFormat::Parquet => unreachable!("refused before the temporary file is made"),
    }
    let file = out.into_inner().map_err(|e| write_failed(e.into_error()))?;
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

/// Sizes of the successive chunks of a run.
#[derive(Clone, Copy)]
struct Chunks {
    rows: u64,
    chunk_rows: u64,
}

impl Chunks {
    fn sizes(self) -> impl Iterator<Item = u64> {
        let Chunks { rows, chunk_rows } = self;
        (0..rows.div_ceil(chunk_rows)).map(move |i| chunk_rows.min(rows - i * chunk_rows))
    }
}

/// CSV: one line per row, fields joined by commas, no quoting.
struct CsvSink {
    line: Vec<u8>,
    /// Whether the line holds a field already.
    started: bool,
}

impl CsvSink {
    #[inline]
    fn separate(&mut self) {
        if self.started {
            self.line.push(b',');
        }
        self.started = true;
    }
}

impl RowSink for CsvSink {
    #[inline]
    fn text(&mut self, value: &str) {
        self.separate();
        if value
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        {
            self.line.push(b'"');
            self.line
                .extend_from_slice(value.replace('"', "\"\"").as_bytes());
            self.line.push(b'"');
        } else {
            self.line.extend_from_slice(value.as_bytes());
        }
    }

    #[inline]
    fn null(&mut self) {
        // An empty field.
        self.separate();
    }

    #[inline]
    fn int(&mut self, value: i32) {
        self.separate();
        let mut digits = [0u8; 11];
        let mut i = digits.len();
        let mut v = value.unsigned_abs();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if value < 0 {
            self.line.push(b'-');
        }
        self.line.extend_from_slice(&digits[i..]);
    }

    #[inline]
    fn date(&mut self, iso: &str) {
        self.text(iso);
    }
}

fn write_csv<D: Dataset>(
    dataset: &mut D,
    rng: &mut ChaCha8Rng,
    chunks: Chunks,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    let header: Vec<&str> = D::COLUMNS.iter().map(|c| c.0).collect();
    out.write_all(header.join(",").as_bytes())?;
    out.write_all(b"\n")?;
    let mut sink = CsvSink {
        line: Vec::with_capacity(256),
        started: false,
    };
    let mut written = 0u64;
    for n in chunks.sizes() {
        for _ in 0..n {
            sink.line.clear();
            sink.started = false;
            dataset.next_row(rng, &mut sink);
            sink.line.push(b'\n');
            out.write_all(&sink.line)?;
        }
        written += n;
        progress(written);
    }
    Ok(())
}

/// Identifier made of a two-letter prefix and ten digits (`PR0000000001`),
/// incremented in place.
pub(crate) struct RecordId(pub(crate) [u8; 12]);

impl RecordId {
    /// The identifier before the first: `advance` gives `<prefix>0000000001`.
    pub(crate) fn new(prefix: [u8; 2]) -> RecordId {
        let mut id = *b"__0000000000";
        id[..2].copy_from_slice(&prefix);
        RecordId(id)
    }

    /// Moves to the next id (row counts are capped by [`MAX_ROWS`], so the
    /// ten digits never overflow).
    #[inline]
    pub(crate) fn advance(&mut self) -> &str {
        for b in self.0[2..].iter_mut().rev() {
            if *b == b'9' {
                *b = b'0';
            } else {
                *b += 1;
                break;
            }
        }
        self.as_str()
    }

    /// The current id.
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII id")
    }
}
