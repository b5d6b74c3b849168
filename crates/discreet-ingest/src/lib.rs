//! Microdata ingest for discreet.
//!
//! The one job of this crate: read a CSV or Parquet file and return, for
//! each requested set of columns, the distinct combinations of raw values
//! with their row counts (or what distinct counts of a column need), plus
//! the file's SHA-256. A CSV is read once, by a record pass of our own
//! (on every core) that hashes, checks the record structure and counts the
//! groups in the same read (memory in the groups, not the file; distinct
//! counts keep 24 bytes per row); a Parquet file is decoded by polars in
//! slices of rows and fed to the same pass. Only the (small) grouped result
//! leaves this crate, and the layers above check and map each distinct
//! value once.
//!
//! When something is wrong it finds where: the first line that holds an
//! offending value, a malformed record, invalid UTF-8. Those diagnostic
//! scans run only on the error path.
//!
//! Polars is needed for Parquet only: without the `parquet` feature
//! (default on) the crate reads CSV and refuses Parquet files with that
//! reason.
//!
//! This crate must not know about specs, codelists, hierarchies or rules,
//! and must not print anything.

mod csv_scan;
mod diagnose;
mod digest;
mod error;
mod int_map;
#[cfg_attr(not(feature = "parquet"), path = "no_parquet.rs")]
mod parquet;
mod source;

pub use digest::{DistinctPairs, DistinctRequest, FileDigest, KeyCheck, RecordPass};
pub use error::IngestError;
pub use source::{Format, Groups, LevelMap, RowFilter, Source};
