//! Microdata ingest for discreet, on polars.
//!
//! The one job of this crate: read a CSV or Parquet file lazily and return,
//! for each requested set of columns, the distinct combinations of raw
//! values with their row counts. The microdata never crosses into Rust row
//! by row; only the (small) grouped result does, and the layers above check
//! and map each distinct value once.
//!
//! When something is wrong it finds where: the first line that holds an
//! offending value, a malformed record, invalid UTF-8. Those diagnostic
//! passes run only on the error path.
//!
//! This crate must not know about specs, codelists, hierarchies or rules,
//! and must not print anything.

mod diagnose;
mod digest;
mod error;
mod source;

pub use digest::{FileDigest, KeyCheck, RecordPass};
pub use error::IngestError;
pub use source::{Format, Groups, LevelMap, RowFilter, Source};
