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
//! - [`gauss()`]: Gaussian elimination (after Langsrud's GaussSuppression):
//!   decides the cells most worth publishing first and publishes each unless
//!   a primary cell would become a linear function of the published ones;
//!   exact (integer arithmetic modulo a prime), works on any system of
//!   additive relations and equalities (linked tables included), with
//!   optional singleton protection. The reference method: fewest hidden
//!   cells for a given cost order.
//! - [`hypercube()`]: the hypercube method (after tau-Argus's GHMITER and
//!   HiTaS): a cube of hidden cells around every primary cell of each
//!   table, then a fixpoint until no relation has exactly one hidden cell.
//!   Needs the tables' geometry ([`TableLayout`]); fast and simple, but hides
//!   more cells than [`gauss()`].
//! - [`repair`]: audit, hide a cheap neighbour of every finding, repeat until
//!   the audit is clean (the IRCC rule made safe; also interval protection
//!   after the other methods).
//!
//! [`synthetic`] builds hierarchical test tables with their layouts.
//!
//! Both pattern methods return a [`Suppression`] (the hidden mask, the
//! secondary cells and work counters) or a [`SuppressError`]. What each
//! guarantees is stated in its module; in short, they work on linear
//! (in)dependence and on non-negativity, while a-priori bounds of shown
//! values, distinct-count bounds and protection widths are the audit's
//! business, which is why the pipeline runs an audit-and-repair pass after
//! them.
//!
//! Like the audit engine, this crate must stay pure: no I/O, no polars, no
//! printing. True counts pass through it, so nothing it returns may carry
//! them beyond the suppression pattern.

#![warn(missing_docs)]

pub mod gauss;
pub mod hypercube;
mod modp;
mod nullspace;
mod outcome;
mod problem;
pub mod repair;
mod store;
pub mod synthetic;

pub use discreet_audit::{Interval, System, TableLayout, Var};
pub use gauss::{gauss, GaussOptions};
pub use hypercube::{hypercube, HypercubeOptions};
pub use outcome::{Stats, SuppressError, Suppression};
pub use problem::{Problem, Role};
