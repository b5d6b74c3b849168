//! The disclosure-control core of discreet: bilingual labels, dimension
//! hierarchies, tables of cells with all their margins, and the protection
//! rules applied to them.
//!
//! This crate must stay free of I/O, of polars/arrow/parquet and of any
//! heavy dependency: it is what every other crate stands on, it must build
//! and test in seconds, and it is benchmarked on its own. Reading microdata,
//! writing files and talking to users belong to the crates above it.

pub mod hierarchy;
pub mod label;
pub mod rule;
pub mod table;

pub use hierarchy::{Hierarchy, HierarchyBuilder, HierarchyError, Node, NodeId};
pub use label::Bilingual;
pub use rule::{CellStatus, IrccRule, RuleError, Shown, TieRule, ZeroDisplay};
pub use table::{CellIndex, MarginKind, ProtectedTable, Shape, Table, TableError};
