//! The error every bad input turns into: file, line, column, expectation.

use std::fmt;

/// A problem with an input file, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError {
    /// The file.
    pub file: String,
    /// 1-based line in the file (the header is line 1), or for files
    /// without lines (Parquet) the 1-based row; when known.
    pub line: Option<u64>,
    /// `line` counts rows, not text lines (Parquet).
    pub by_row: bool,
    /// Column name, when known.
    pub column: Option<String>,
    /// What was expected (and, for codes and formats, what was found).
    pub expected: String,
}

impl IngestError {
    /// An error about the whole file.
    pub fn file(file: &str, expected: impl Into<String>) -> Self {
        IngestError {
            file: file.to_string(),
            line: None,
            by_row: false,
            column: None,
            expected: expected.into(),
        }
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ", {} {l}", if self.by_row { "row" } else { "line" })?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": expected {}", self.expected)
    }
}

impl std::error::Error for IngestError {}
