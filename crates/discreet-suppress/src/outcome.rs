//! What the pattern methods ([`crate::gauss()`], [`crate::hypercube()`])
//! return, and why they can refuse.

use std::fmt;

use discreet_audit::Var;

use crate::problem::{Problem, Role};

/// A suppression pattern: which cells to hide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// Per var: hidden (primary, forced-suppress or secondary) or published.
    pub hidden: Vec<bool>,
    /// The secondary cells: hidden candidates, in increasing var order.
    pub secondary: Vec<Var>,
    /// What the method did, for logs and benchmarks (counts of cells and
    /// operations only, never a true count).
    pub stats: Stats,
}

impl Suppression {
    /// Number of hidden cells.
    pub fn n_hidden(&self) -> usize {
        self.hidden.iter().filter(|&&h| h).count()
    }
}

/// Work counters of a suppression method. Fields that a method does not use
/// stay 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Gauss: dimension of the perturbation space at the start (the number of
    /// free cells, e.g. the inner cells of a hierarchical table).
    pub basis_rows: usize,
    /// Gauss: cells decided (forced-publish cells and candidates).
    pub decisions: usize,
    /// Gauss: row eliminations (one basis row reduced by a pivot row).
    pub eliminations: u64,
    /// Gauss: entries written by those row operations (their cost): the
    /// rows' entries at undecided cells (those at primaries and count-1
    /// cells are kept apart, see the `gauss` module notes).
    pub row_entries: u64,
    /// Gauss: largest number of stored basis entries at any time (a measure
    /// of fill-in and memory).
    pub peak_entries: usize,
    /// Gauss: candidates hidden because publishing them would have let one
    /// person of a count-1 cell work out a primary cell.
    pub singleton_secondaries: usize,
    /// Cells hidden by the relation-level singleton rule after the
    /// elimination.
    pub singleton_rule_hidden: usize,
    /// Relations where the singleton rule found no candidate left to hide.
    pub singleton_rule_unresolved: usize,
    /// Gauss: candidates with count 0 that had to be hidden (a hidden zero
    /// protects nothing against an attacker who uses non-negativity).
    pub hidden_zeros: usize,
    /// Hypercube: patterns placed (one per primary cell and per hidden cell
    /// that needed one).
    pub cubes: usize,
    /// Hypercube: cubes accepted although the primary cannot move along
    /// them with every cell non-negative (no such cube among those tried,
    /// e.g. a primary surrounded by zeros); see
    /// [`crate::HypercubeOptions::nonnegative`].
    pub unmovable_cubes: usize,
    /// Hypercube: cells hidden one at a time by the relation fixpoint (cells
    /// tied by equalities, relations outside the layouts).
    pub fixpoint_hidden: usize,
}

/// Why a pattern method gave no pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuppressError {
    /// `counts`, `roles` or `cost` do not have one entry per var.
    LengthMismatch {
        /// Which field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// Number of vars of the system.
        vars: usize,
    },
    /// Publishing this forced-publish cell (with the forced-publish cells
    /// before it, everything else hidden) lets an outsider work out a
    /// primary cell, or lets the one person of a count-1 cell do so.
    ForcedPublishDiscloses {
        /// The forced-publish cell.
        var: Var,
        /// The primary cell it discloses.
        primary: Var,
        /// The count-1 cell whose person does it, when it takes one.
        singleton: Option<Var>,
    },
    /// The relations alone fix this primary cell's value: nothing can
    /// protect it (a cell equal to a combination of other cells that is
    /// itself fixed).
    Unprotectable {
        /// The primary cell.
        var: Var,
    },
    /// A hypercube layout does not describe a table of the system.
    Layout {
        /// Index of the layout.
        table: usize,
        /// What is wrong.
        reason: String,
    },
    /// No pattern can protect this hidden cell without hiding a
    /// forced-publish cell.
    NoProtection {
        /// The cell.
        var: Var,
    },
}

impl SuppressError {
    /// The message, with each cell named by `name` (the caller knows the
    /// tables; [`fmt::Display`] names cells `var N`).
    pub fn describe(&self, name: &dyn Fn(Var) -> String) -> String {
        match self {
            SuppressError::LengthMismatch { field, len, vars } => {
                format!("problem.{field} has {len} entries for {vars} vars")
            }
            SuppressError::ForcedPublishDiscloses {
                var,
                primary,
                singleton: None,
            } => format!(
                "publishing forced-publish cell {} discloses hidden cell {}",
                name(*var),
                name(*primary)
            ),
            SuppressError::ForcedPublishDiscloses {
                var,
                primary,
                singleton: Some(s),
            } => format!(
                "publishing forced-publish cell {} lets the one person of cell {} work out hidden cell {}",
                name(*var),
                name(*s),
                name(*primary)
            ),
            SuppressError::Unprotectable { var } => {
                format!("hidden cell {} is fixed by the relations alone", name(*var))
            }
            SuppressError::Layout { table, reason } => format!("layout {table}: {reason}"),
            SuppressError::NoProtection { var } => format!(
                "hidden cell {} cannot be protected without hiding a forced-publish cell",
                name(*var)
            ),
        }
    }
}

impl fmt::Display for SuppressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(&|v| format!("var {v}")))
    }
}

impl std::error::Error for SuppressError {}

/// Checks that the problem has one count, role and cost per var; returns
/// the number of vars.
pub(crate) fn check_lengths(problem: &Problem) -> Result<usize, SuppressError> {
    let vars = problem.system.n_vars();
    for (field, len) in [
        ("counts", problem.counts.len()),
        ("roles", problem.roles.len()),
        ("cost", problem.cost.len()),
    ] {
        if len != vars {
            return Err(SuppressError::LengthMismatch { field, len, vars });
        }
    }
    Ok(vars)
}

/// The secondary cells of a hidden mask: hidden candidates, increasing.
pub(crate) fn secondaries(problem: &Problem, hidden: &[bool]) -> Vec<Var> {
    (0..hidden.len() as Var)
        .filter(|&v| hidden[v as usize] && problem.roles[v as usize] == Role::Candidate)
        .collect()
}
