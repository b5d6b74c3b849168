//! Errors while writing a release.

use std::fmt;

/// A release that could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// A file could not be written.
    Io {
        /// The file.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// The spec's portal metadata would be rejected by open.canada.ca.
    Portal(Vec<String>),
    /// A release with Parquet files was asked of a build without the
    /// `parquet` feature, which cannot write them.
    NoParquet,
    /// A table's workbook would need more rows or columns than a
    /// worksheet holds.
    TooLargeForSheet {
        /// The table.
        table: String,
        /// Rows the sheet would need.
        rows: u64,
        /// Columns the sheet would need.
        cols: u64,
    },
    /// A bug: a writer failed on data this crate produced.
    Internal(String),
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::Io { path, reason } => write!(f, "cannot write {path}: {reason}"),
            PublishError::Portal(errs) => {
                write!(
                    f,
                    "the portal metadata would be rejected by open.canada.ca:"
                )?;
                for e in errs {
                    write!(f, "\n  package.json {e}")?;
                }
                Ok(())
            }
            PublishError::NoParquet => write!(
                f,
                "this build of discreet has no Parquet support (built without the `parquet` feature), and the spec asks for Parquet files (`[publish] formats` holds `parquet` unless set): list the formats without `parquet` under `[publish]` (`formats = [\"csv\"]`, or `[\"csv\", \"xlsx\", \"ircc_csv\"]` with IRCC's workbooks and long CSV), or use a build with the `parquet` feature"
            ),
            PublishError::TooLargeForSheet { table, rows, cols } => write!(
                f,
                "table `{table}` would need {rows} rows and {cols} columns in its workbook, more than a worksheet holds (1048576 rows, 16384 columns): leave \"xlsx\" out of `[publish] formats`"
            ),
            PublishError::Internal(m) => write!(f, "internal error while writing the release: {m}"),
        }
    }
}

impl std::error::Error for PublishError {}
