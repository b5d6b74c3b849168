//! Pipeline specs and codelists.
//!
//! A spec (a TOML file in `pipelines/`) says what a release contains: its
//! inputs and their columns, its dimensions and their hierarchies, its
//! tables, its protection rule and its bilingual metadata. This crate parses
//! and checks specs (with the codelist and recode files they bring) and
//! turns their dimensions into core hierarchies.
//!
//! It must not read microdata, write releases or depend on polars: the
//! ingest and publish crates do that, on what this crate has checked.

pub mod codelist;
mod dimension;
mod files;

pub use codelist::{builtin, CodeEntry, Codelist, CodelistError};
pub mod model;
pub mod plan;
pub mod protection;
pub mod recode;
pub mod schema;
pub mod value;

pub use model::{ColumnSpec, ColumnType, InputFormat, Spec, TableFormat};
pub use plan::{sha256_hex, Dimension, FileBase, Mapped, Plan, SpecError, SpecFile, TablePlan};
pub use protection::{CellRef, Cost, Method, Protection, UnknownMethod};
