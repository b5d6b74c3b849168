//! Secondary (complementary) cell suppression: given the cells a rule hides
//! on its own (primary cells), choose more cells to hide so that no hidden
//! cell can be worked out from the published ones and the sums that tie
//! them.
//!
//! Cells and sums are an audit [`System`] (one var per published cell, across
//! all the linked tables of a release); this crate adds the true counts and
//! a role per cell ([`Problem`]) and returns which cells to hide.
//!
//! Methods:
//! - [`repair`]: audit, hide a cheap neighbour of every finding, repeat until
//!   the audit is clean (the IRCC rule made safe; also interval protection
//!   after the other methods).
//!
//! Like the audit engine, this crate must stay pure: no I/O, no polars, no
//! printing. True counts pass through it, so nothing it returns may carry
//! them beyond the suppression pattern.

#![warn(missing_docs)]

mod problem;
pub mod repair;

pub use discreet_audit::{Interval, System, Var};
pub use problem::{Layout, Problem, Role};
