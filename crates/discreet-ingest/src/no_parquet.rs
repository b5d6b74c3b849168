//! Stand-in for the Parquet reader in a build without the `parquet`
//! feature (no polars): every Parquet input is refused with the reason.

use crate::digest::{FileDigest, RecordPass};
use crate::error::IngestError;
use crate::source::{Groups, LevelMap, RowFilter, Source};

/// Why this build reads no Parquet file.
fn refused(source: &Source) -> IngestError {
    IngestError::file(
        &source.name(),
        "a CSV file: this build of discreet has no Parquet support (built without the `parquet` feature)",
    )
}

pub(crate) fn check_columns(source: &Source) -> Result<(), IngestError> {
    Err(refused(source))
}

pub(crate) fn digest(source: &Source, _: &RecordPass<'_>) -> Result<FileDigest, IngestError> {
    Err(refused(source))
}

pub(crate) fn distinct_counts(
    source: &Source,
    _: &[LevelMap],
    _: &str,
    _: &[Vec<usize>],
    _: &RowFilter,
) -> Result<Vec<Groups>, IngestError> {
    Err(refused(source))
}

pub(crate) fn locate(
    source: &Source,
    _: &str,
    _: Option<&str>,
    _: u32,
) -> Result<Option<u64>, IngestError> {
    Err(refused(source))
}

pub(crate) fn text_faults(source: &Source, _: &str, _: bool) -> Result<(bool, bool), IngestError> {
    Err(refused(source))
}

pub(crate) fn first_duplicate(source: &Source, _: &str) -> Result<Option<String>, IngestError> {
    Err(refused(source))
}
