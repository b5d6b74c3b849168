//! An input file, and the questions the layers above ask of it. A CSV file
//! is read by this crate's own record pass and record-by-record scans; a
//! Parquet file is decoded by polars (the `parquet` feature).

use std::path::PathBuf;

use crate::csv_scan;
use crate::diagnose;
use crate::digest::{digest, FileDigest, RecordPass};
use crate::error::IngestError;
use crate::parquet;

/// File format of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text with a header line.
    Csv {
        /// Field delimiter.
        delimiter: u8,
    },
    /// Apache Parquet (read only in a build with the `parquet` feature).
    Parquet,
}

/// A microdata file to read, and the columns it must have.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path on disk.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Columns that must be present (others are ignored).
    pub columns: Vec<String>,
}

/// Distinct combinations of raw values of some columns, with row counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    /// Column names, in the order requested.
    pub columns: Vec<String>,
    /// `keys[c][g]`: value of column `c` in group `g` (`None` = empty).
    pub keys: Vec<Vec<Option<String>>>,
    /// Rows in each group.
    pub counts: Vec<u64>,
}

impl Groups {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.counts.len()
    }
    /// True when the input had no rows.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// Rows kept: for every `(column, values)`, the column holds one of the values.
pub type RowFilter = Vec<(String, Vec<String>)>;

/// How one dimension's raw values map to its nodes at every level, for
/// [`Source::distinct_counts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelMap {
    /// The input column.
    pub column: String,
    /// Every raw value that falls in the table.
    pub raw: Vec<String>,
    /// Per level (0 = the total), the node of each raw value at that level.
    pub levels: Vec<Vec<u32>>,
}

impl LevelMap {
    /// Name of the column of this dimension's nodes at level `k` in the
    /// results of [`Source::distinct_counts`].
    pub(crate) fn level_column(&self, k: usize) -> String {
        format!("{}\u{1f}level{k}", self.column)
    }
}

impl Source {
    pub(crate) fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// Checks that the file exists, is not empty and has every expected
    /// column with a usable type.
    pub fn check(&self) -> Result<(), IngestError> {
        let file = self.name();
        let meta = std::fs::metadata(&self.path)
            .map_err(|e| IngestError::file(&file, format!("an existing, readable file ({e})")))?;
        if !meta.is_file() {
            return Err(IngestError::file(
                &file,
                "a file, found a directory or special file",
            ));
        }
        if meta.len() == 0 {
            return Err(IngestError::file(&file, "data; the file is empty"));
        }
        match self.format {
            Format::Csv { delimiter } => {
                let names = diagnose::csv_header(&self.path, &file, delimiter)?;
                self.require_columns(&file, &names)
            }
            Format::Parquet => parquet::check_columns(self),
        }
    }

    /// SHA-256 and size of the file, and the record pass `pass` asks for:
    /// the key column's hashes ([`FileDigest::key`]), the group counts of
    /// its sets ([`FileDigest::groups`]), empty values, distinct pairs. A
    /// CSV file is read by the pass itself, which also checks that every
    /// record has as many fields as the header; a Parquet file is decoded
    /// by polars in slices of rows (only the columns the pass reads) and
    /// fed to the same pass, so both formats are counted by the same code
    /// in memory that does not grow with the file, beyond what the pass
    /// keeps per row (8 bytes for the key's hash, 24 for each distinct
    /// count).
    pub fn digest(&self, pass: &RecordPass<'_>) -> Result<FileDigest, IngestError> {
        match self.format {
            Format::Csv { delimiter } => digest(&self.path, &self.name(), delimiter, pass),
            Format::Parquet => parquet::digest(self, pass),
        }
    }

    /// Checks that `names` (the file's columns) hold every expected column.
    pub(crate) fn require_columns(&self, file: &str, names: &[String]) -> Result<(), IngestError> {
        for c in &self.columns {
            if !names.iter().any(|n| n == c) {
                return Err(IngestError {
                    line: matches!(self.format, Format::Csv { .. }).then_some(1),
                    column: Some(c.clone()),
                    ..IngestError::file(
                        file,
                        format!("a column named `{c}` (found: {})", names.join(", ")),
                    )
                });
            }
        }
        Ok(())
    }

    /// Distinct counts at every level: for each combination in `combos`
    /// (one level index per dimension of `dims`), the number of distinct
    /// values of `distinct` among the rows of each cell (rows whose value
    /// a dimension's map does not list, such as dates outside the period,
    /// drop out). Each group's keys are node numbers, as text. For tables
    /// the record pass's distinct pairs do not cover (more than four
    /// dimensions).
    pub fn distinct_counts(
        &self,
        dims: &[LevelMap],
        distinct: &str,
        combos: &[Vec<usize>],
        filter: &RowFilter,
    ) -> Result<Vec<Groups>, IngestError> {
        match self.format {
            Format::Csv { delimiter } => {
                csv_scan::Scan::new(self, delimiter).distinct_counts(dims, distinct, combos, filter)
            }
            Format::Parquet => parquet::distinct_counts(self, dims, distinct, combos, filter),
        }
    }

    /// The 1-based line (CSV: where the record starts) or row (Parquet) of
    /// the `nth` (0-based) row whose `column` holds `value` (`None`: an
    /// empty value).
    pub fn locate(
        &self,
        column: &str,
        value: Option<&str>,
        nth: u32,
    ) -> Result<Option<u64>, IngestError> {
        match self.format {
            Format::Csv { delimiter } => {
                csv_scan::Scan::new(self, delimiter).locate(column, value, nth)
            }
            Format::Parquet => parquet::locate(self, column, value, nth),
        }
    }

    /// In one pass: whether `column` holds an empty value, and whether some
    /// value appears on more than one row (checked only when `unique`).
    pub fn text_faults(&self, column: &str, unique: bool) -> Result<(bool, bool), IngestError> {
        match self.format {
            Format::Csv { delimiter } => {
                csv_scan::Scan::new(self, delimiter).text_faults(column, unique)
            }
            Format::Parquet => parquet::text_faults(self, column, unique),
        }
    }

    /// A value of `column` held by more than one row, if any.
    pub fn first_duplicate(&self, column: &str) -> Result<Option<String>, IngestError> {
        match self.format {
            Format::Csv { delimiter } => {
                csv_scan::Scan::new(self, delimiter).first_duplicate(column)
            }
            Format::Parquet => parquet::first_duplicate(self, column),
        }
    }

    /// An error at a position returned by [`Source::locate`]: a line of a
    /// CSV file, a row of a Parquet file.
    pub fn error_at(
        &self,
        line: Option<u64>,
        column: &str,
        expected: impl Into<String>,
    ) -> IngestError {
        IngestError {
            line,
            by_row: self.format == Format::Parquet,
            column: Some(column.to_string()),
            ..IngestError::file(&self.name(), expected)
        }
    }
}
