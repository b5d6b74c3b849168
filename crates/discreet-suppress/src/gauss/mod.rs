//! Secondary suppression by Gaussian elimination, in the spirit of
//! Langsrud's GaussSuppression (Statistics Norway, SSBtools): decide the
//! cells one at a time, those most worth publishing first, and publish each
//! unless that would let an outsider work out a primary cell from the
//! published ones.
//!
//! # The model
//! A primary cell `p` can be worked out from the published cells exactly
//! when every table consistent with the additive relations and with the
//! published values has the same `p`. Perturbations of the true table that
//! keep the relations and leave every published cell unchanged form a
//! vector space `N` (the null space of the relation matrix, restricted to
//! vectors that are zero on published cells); `p` is protected iff some
//! vector of `N` is non-zero at `p`. In the X formulation of
//! GaussSuppression (published cells as sums of inner cells) this is "the
//! column of `p` is not in the span of the published columns"; the two are
//! the same statement.
//!
//! # The algorithm
//! Start with a basis of all table perturbations (one per free cell; see
//! the `nullspace` module for which basis, a choice that changes the cost
//! tenfold but never the answer), stored as sparse rows. To decide a cell
//! `c`:
//! 1. Gather the rows non-zero at `c`. None: `c` is already fixed by what
//!    is published, publishing it tells nothing new.
//! 2. A primary becomes fixed by publishing `c` exactly when its column
//!    (its entries over the rows) is a multiple of `c`'s: then hide `c`.
//!    Found through column fingerprints (see "Fingerprints" below), so a
//!    cell to hide costs no row operation.
//! 3. Otherwise publish: intersect the space with `n_c = 0` by subtracting
//!    multiples of a row `b` non-zero at `c` (the pivot: fewest entries at
//!    undecided cells, then shortest, which limits the fill-in) from the
//!    other rows non-zero at `c`, and drop `b`, unless that leaves a
//!    primary's column zero. With singleton protection, check also that
//!    dropping `b` makes no primary a multiple of a count-1 cell; if either
//!    check fails, hide `c` (the subtraction only changed the basis, not
//!    the space).
//!
//! Hiding never changes the space. Entries of decided cells (published
//! cells are zero anyway, hidden secondaries are never read again) are
//! dropped from the rows (a published cell's by the subtraction, a hidden
//! one's at once from the gathered rows): the rows then span the
//! projection of the space on the cells still read, which answers every
//! check the same way, and stay short.
//!
//! # Fingerprints
//! The checks read the columns of the watched cells (primaries and, with
//! singleton protection, count-1 cells) only through two fingerprints per
//! cell: its entries in two random vectors of the space (fixed seed), kept
//! up to date from each pivot's entries at watched cells. A zero column
//! has zero fingerprints, and parallel columns have proportional ones, so
//! no disclosure is ever missed; the converse fails with probability about
//! `2^-60` per test, and then only hides one cell more than needed (still
//! safe). The single answer a false match could turn the unsafe way is
//! "these two cells are equal" (a count-1 cell and a primary of the same
//! count, exempt), which needs two independent fingerprints of a non-zero
//! vector to vanish: probability about `2^-122`. Pairs equal before
//! anything is published are checked exactly.
//!
//! # Cost
//! One row operation per row non-zero at each published cell. Early on
//! rows are short; late, when most cells are published, the perturbations
//! left are long cycles through many hidden cells and so are the rows: the
//! cost grows faster than the table (`benches/RESULTS.md`). Rebuilding a
//! sparse basis late in the elimination does not help: its rows are as
//! long as the elimination's, or longer. What keeps it down:
//! - the rows hold entries of undecided cells only. Watched cells are
//!   never pivoted on and half the late rows' entries are theirs, so their
//!   entries are kept apart: a row's watched part is its value at some
//!   point plus the list of row operations applied since, summed only when
//!   the row becomes a pivot (the only time the fingerprints need it);
//! - the row operations of one decision are independent; on a large
//!   decision they run on two threads, one per half of the rows (by
//!   parity), each half with its own lists of rows per cell, so that each
//!   thread also does its half's bookkeeping; each half sees its
//!   operations in a fixed order, so the result (and every counter) is
//!   the same with one thread or two;
//! - a row operation copies only the part of the row between the pivot's
//!   first and last cells; the rest stays in place or moves in one block.
//!
//! Order: forced-publish cells first (an error names the first that
//! discloses), then, optionally, candidates with count 0 and count 1 (see
//! [`GaussOptions`]), then the other candidates by decreasing
//! [`Problem::cost`] (ties by var): the greedy publishes the most valuable
//! cells and hides the cheap ones it needs.
//!
//! # Exactness
//! All arithmetic is modulo the prime `2^61 - 1` (see the `modp` module):
//! integer, exact, a `u64` per coefficient. It agrees with rational
//! arithmetic unless the prime divides a minor of the relation matrix, which
//! needs a minor of at least `2^61 - 1` (two-dimensional tables have minors
//! 0 and ±1 only). Decisions never involve floating point.
//!
//! # Distinct relations
//! A distinct relation (`max(parts) <= total <= sum of parts`) is a pair of
//! inequalities, not an equation, so it cannot make a cell a linear function
//! of others: the elimination ignores it. What it adds (bounds) is for the
//! audit-and-repair pass that follows.
//!
//! # What is guaranteed
//! - No primary cell is a linear function of the published cells (over the
//!   rationals, with the caveats above), nor, with singleton protection, of
//!   the published cells and the value of one count-1 primary or
//!   forced-suppress cell (the exemptions are in
//!   [`GaussOptions::singleton`]); the relation rule then holds for every
//!   relation (or is counted in [`Stats::singleton_rule_unresolved`]).
//! - With [`GaussOptions::zeros_first`] and no zero left hidden
//!   ([`Stats::hidden_zeros`] is 0): every hidden cell has a positive true
//!   count, so a perturbation that moves a primary also exists with every
//!   cell non-negative. Hence an attacker who knows the published values
//!   and that counts are non-negative (the LP of the audit with hidden cells
//!   in `[0, inf)`) cannot pin a primary cell with a positive count.
//!
//! Not guaranteed: protection intervals of a given width, protection against
//! the a-priori bounds of shown values (a `--` shown as 1..4), against
//! distinct-count bounds, or against coalitions of several persons. Those
//! are the audit's findings and the repair pass's job.

mod elim;
mod rowops;
mod watched;

use discreet_audit::{Adjacency, Var};

use crate::nullspace::null_basis;
use crate::outcome::{check_lengths, secondaries, Stats, SuppressError, Suppression};
use crate::problem::{Problem, Role};
use elim::{Elim, PARALLEL_WORK};

/// Options of [`gauss()`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GaussOptions {
    /// Singleton protection (default on). The one person of a hidden cell
    /// whose count is 1 knows that cell's value; with this option:
    /// - the elimination also refuses to publish a candidate when, after
    ///   it, some primary cell would be a linear function of the published
    ///   cells and of one count-1 hidden cell (primary or forced-suppress)
    ///   other than itself. This is exact, not a heuristic: it covers
    ///   differences through any chain of relations, not only within one
    ///   relation. Exempt: a primary equal to the count-1 cell given what is
    ///   published (a subtotal whose other parts are published zeros), which
    ///   is the same person, and pairs already tied before anything is
    ///   published (the same count in two linked tables);
    /// - candidates with count 1 are decided before the others (after the
    ///   zeros), because a hidden count-1 secondary cannot protect anything
    ///   against its own person: it is published unless that alone
    ///   discloses;
    /// - after the elimination, the relation rule: in every relation whose
    ///   hidden cells are all primary and one has count 1, or which has
    ///   exactly two hidden cells one of which has count 1, the cheapest
    ///   published candidate of the relation is hidden too (the person of
    ///   the count-1 cell would otherwise learn the total of the other
    ///   hidden cells), until no relation qualifies; not when the two hidden
    ///   cells are the total and a part with equal counts (the same
    ///   person). Hiding more never
    ///   makes a cell computable, so the elimination's guarantees still hold
    ///   and it need not run again.
    pub singleton: bool,
    /// Decide candidates with count 0 first (default on): they are
    /// published whenever that discloses nothing. A hidden zero protects
    /// nothing against an attacker who knows counts are non-negative (it
    /// cannot go down), yet it is the cheapest cell to hide, so a plain cost
    /// order would choose zeros first. See [`Stats::hidden_zeros`].
    pub zeros_first: bool,
}

impl Default for GaussOptions {
    fn default() -> Self {
        GaussOptions {
            singleton: true,
            zeros_first: true,
        }
    }
}

/// Secondary suppression by Gaussian elimination (see the module notes):
/// hides every primary and forced-suppress cell, publishes every
/// forced-publish cell, and hides the candidates needed so that no primary
/// cell can be worked out from the published cells. Deterministic.
///
/// Errors: [`SuppressError::LengthMismatch`],
/// [`SuppressError::Unprotectable`] (the relations alone fix a primary) and
/// [`SuppressError::ForcedPublishDiscloses`].
pub fn gauss(problem: &Problem, options: &GaussOptions) -> Result<Suppression, SuppressError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    gauss_with(problem, options, threads, PARALLEL_WORK)
}

/// [`gauss()`] with the threads it may use (1 or 2) and the work above
/// which a decision's row operations use both: tests vary them, the
/// result must not change.
fn gauss_with(
    problem: &Problem,
    options: &GaussOptions,
    threads: usize,
    parallel_work: usize,
) -> Result<Suppression, SuppressError> {
    let n = check_lengths(problem)?;
    let basis = null_basis(problem.system);
    let mut stats = Stats {
        basis_rows: basis.n_rows(),
        ..Stats::default()
    };
    let mut elim = Elim::new(problem, options.singleton, basis)?;
    elim.threads = threads;
    elim.parallel_work = parallel_work;
    let order = decision_order(problem, options);
    let mut hidden: Vec<bool> = problem
        .roles
        .iter()
        .map(|r| matches!(r, Role::Primary | Role::ForcedSuppress))
        .collect();
    for &c in &order {
        stats.decisions += 1;
        if let Err(reason) = elim.decide(c) {
            if problem.roles[c as usize] == Role::ForcedPublish {
                return Err(SuppressError::ForcedPublishDiscloses {
                    var: c,
                    primary: reason.primary,
                    singleton: reason.singleton,
                });
            }
            hidden[c as usize] = true;
            if reason.singleton.is_some() {
                stats.singleton_secondaries += 1;
            }
            if problem.counts[c as usize] == 0 {
                stats.hidden_zeros += 1;
            }
        }
    }
    stats.eliminations = elim.eliminations;
    stats.row_entries = elim.row_entries;
    stats.peak_entries = elim.peak_entries;
    drop(elim);
    if options.singleton {
        singleton_rule(problem, &mut hidden, &mut stats);
    }
    debug_assert_eq!(hidden.len(), n);
    Ok(Suppression {
        secondary: secondaries(problem, &hidden),
        hidden,
        stats,
    })
}

/// The cells to decide, in order (see the module notes).
fn decision_order(problem: &Problem, options: &GaussOptions) -> Vec<Var> {
    let mut order: Vec<(u8, std::cmp::Reverse<u64>, Var)> = Vec::new();
    for (v, role) in problem.roles.iter().enumerate() {
        let count = problem.counts[v];
        let group = match role {
            Role::Primary | Role::ForcedSuppress => continue,
            Role::ForcedPublish => 0,
            Role::Candidate if options.zeros_first && count == 0 => 1,
            Role::Candidate if options.singleton && count == 1 => 2,
            Role::Candidate => 3,
        };
        order.push((group, std::cmp::Reverse(problem.cost[v]), v as Var));
    }
    order.sort_unstable();
    order.into_iter().map(|(_, _, v)| v).collect()
}

/// The relation-level singleton rule (see [`GaussOptions::singleton`]):
/// hides the cheapest published candidate of every relation whose hidden
/// cells are all primary with one of count 1, or that has exactly two
/// hidden cells one of which has count 1; repeats until none is left.
fn singleton_rule(problem: &Problem, hidden: &mut [bool], stats: &mut Stats) {
    let sys = problem.system;
    let m = sys.n_relations();
    let adjacency = Adjacency::new(sys);
    let mut queue: std::collections::VecDeque<u32> = (0..m as u32).collect();
    let mut queued = vec![true; m];
    let mut unresolved = vec![false; m];
    while let Some(r) = queue.pop_front() {
        queued[r as usize] = false;
        let rel = sys.relation(r as usize);
        let cells = || rel.cells();
        let (mut n_hidden, mut all_primary, mut any_one) = (0usize, true, false);
        for v in cells().filter(|&v| hidden[v as usize]) {
            n_hidden += 1;
            all_primary &= problem.roles[v as usize] == Role::Primary;
            any_one |= problem.counts[v as usize] == 1;
        }
        if !(any_one && (all_primary || n_hidden == 2)) {
            continue;
        }
        // The total and one part, equal: the other parts are (published)
        // zeros and both cells are the same person, who learns nothing.
        if n_hidden == 2
            && hidden[rel.total as usize]
            && cells()
                .filter(|&v| hidden[v as usize])
                .all(|v| problem.counts[v as usize] == problem.counts[rel.total as usize])
        {
            continue;
        }
        let best = cells()
            .filter(|&v| !hidden[v as usize] && problem.roles[v as usize] == Role::Candidate)
            .min_by_key(|&v| (problem.cost[v as usize], v));
        match best {
            None => {
                if !unresolved[r as usize] {
                    unresolved[r as usize] = true;
                    stats.singleton_rule_unresolved += 1;
                }
            }
            Some(v) => {
                hidden[v as usize] = true;
                stats.singleton_rule_hidden += 1;
                for &q in adjacency.of(v) {
                    if !queued[q as usize] {
                        queued[q as usize] = true;
                        queue.push_back(q);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
