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
//!    Found through column fingerprints (below) and verified exactly, so a
//!    cell to hide costs no row operation.
//! 3. Otherwise publish: intersect the space with `n_c = 0` by subtracting
//!    multiples of a row `b` non-zero at `c` (the pivot: fewest entries at
//!    undecided cells, then shortest, which limits the fill-in) from the
//!    other rows non-zero at `c`, and drop `b`. With singleton
//!    protection, check first that dropping `b` makes no primary a multiple
//!    of a count-1 cell; if it would, hide `c` (the subtraction only changed
//!    the basis, not the space).
//!
//! Hiding never changes the space. Entries of decided cells (published
//! cells are zero anyway, hidden secondaries are never read again) are
//! dropped from the rows (a published cell's by the subtraction, a hidden
//! one's at once from the gathered rows): the rows then span the
//! projection of the space on the cells still read, which answers every
//! check the same way, and stay short.
//!
//! Cost: one row operation per row non-zero at each published cell. Early
//! on rows are short; late, when most cells are published, the
//! perturbations left are long cycles through many hidden cells and so are
//! the rows: the cost grows faster than the table (measured in
//! `benches/RESULTS.md`). Rebuilding a sparse basis of the space late in
//! the elimination (the `nullspace` construction on the relations without
//! the published cells) was measured not to help: on the 1e5 benchmark
//! table its rows are as long as the elimination's, or longer. The row
//! operations of one decision are independent; on a large decision they
//! run on two threads and are applied in a fixed order, so the result
//! (and every counter) is the same with one thread or two.
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
//!   rationals, with the caveat above), nor, with singleton protection, of
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

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use discreet_audit::{Adjacency, Var};

use crate::modp::{add, batch_inv, inv, mul, neg, sub, Weights, P};
use crate::nullspace::null_basis;
use crate::outcome::{check_lengths, secondaries, Stats, SuppressError, Suppression};
use crate::problem::{Problem, Role};
use crate::store::{Lists, Rows};

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

/// Why a cell cannot be published.
struct Reason {
    primary: Var,
    singleton: Option<Var>,
}

/// Key of a zero column in the fingerprint map (never a residue, never
/// stored).
const NO_KEY: u64 = u64::MAX;
/// Key of a column whose second fingerprint is zero but the first is not.
const INF_KEY: u64 = P;

/// The fingerprint keys are uniform residues already, so hashing them
/// again would only cost time.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyMap = HashMap<u64, Vec<u32>, BuildHasherDefault<KeyHasher>>;

/// The elimination state: a basis of the perturbations that leave every
/// published cell unchanged, with the bookkeeping that makes each check
/// local.
///
/// Watched cells are the primaries and, with singleton protection, the
/// count-1 cells hidden from the start (primary or forced-suppress). For
/// every cell still read, the number of rows non-zero at it is kept exact
/// (zero means "fixed"). Each watched column also has two random linear
/// fingerprints `F = sum_r w1[r] col[r]` and `G = sum_r w2[r] col[r]`,
/// updated in O(1) per watched entry of a pivot row: parallel columns (one
/// cell a multiple of the other plus a constant, i.e. fixed once the other
/// is known) have equal ratios `F / G`, so a hash map from ratio to cells
/// finds every candidate pair; each is then verified exactly. A false match
/// costs one verification (probability about 2^-61 per pair); a missed
/// pair is impossible.
struct Elim<'a> {
    counts: &'a [u64],
    /// Whether a var's list of rows is still read: undecided and watched
    /// cells. Lists of decided cells are not extended (they would only take
    /// memory).
    listed: Vec<bool>,
    /// Whether a var's entries are still needed in the rows: undecided and
    /// watched cells; the rows hold entries of these cells only (a cell
    /// leaves them when decided). The checks read only those columns, and
    /// dropping the others (published cells are zero anyway; hidden
    /// secondaries are never read again) projects the space onto the cells
    /// that matter: the rows then span the projection (they may stop being
    /// independent, which the checks do not need), publishing still
    /// intersects it with `n_c = 0`, and a watched column is zero, or
    /// parallel to another, in the projection exactly when it is in the
    /// space. Without this, rows keep every hidden cell they ever met and
    /// grow without end.
    keep: Vec<bool>,
    rows: Rows,
    /// Per row, its entries at unwatched (hence undecided) cells: the
    /// pivot choice's measure.
    ulen: Vec<u32>,
    cols: Lists,
    primary: Vec<bool>,
    single: Vec<bool>,
    watched: Vec<bool>,
    cnt: Vec<u32>,
    singleton: bool,
    w1: Vec<u64>,
    w2: Vec<u64>,
    f: Vec<u64>,
    g: Vec<u64>,
    key: Vec<u64>,
    map: KeyMap,
    /// Pairs (low, high) parallel before anything is published (the same
    /// count published twice, say): a person knows their own cell, so these
    /// are no disclosure and are not checked.
    exempt: HashSet<(u32, u32)>,
    // Scratch.
    mark: Vec<u32>,
    epoch: u32,
    stamp: Vec<u32>,
    stamp_now: u32,
    gathered: Vec<(u32, u64)>,
    ids: Vec<u32>,
    touched: Vec<u32>,
    ops: Vec<(u32, u64)>,
    merged: [Merged; 2],
    /// Threads the row operations may use (1 or 2).
    threads: usize,
    /// Work of a decision's row operations from which they use 2 threads.
    parallel_work: usize,
    partners: Vec<u32>,
    bv: Vec<u32>,
    bc: Vec<u64>,
    inv_scratch: Vec<u64>,
    eliminations: u64,
    row_entries: u64,
    peak_entries: usize,
}

impl<'a> Elim<'a> {
    fn new(problem: &Problem<'a>, singleton: bool, rows: Rows) -> Result<Self, SuppressError> {
        let n = problem.system.n_vars();
        let primary: Vec<bool> = problem.roles.iter().map(|&r| r == Role::Primary).collect();
        let single: Vec<bool> = (0..n)
            .map(|v| {
                singleton
                    && problem.counts[v] == 1
                    && matches!(problem.roles[v], Role::Primary | Role::ForcedSuppress)
            })
            .collect();
        let watched: Vec<bool> = (0..n).map(|v| primary[v] || single[v]).collect();
        let listed: Vec<bool> = (0..n)
            .map(|v| match problem.roles[v] {
                Role::Candidate | Role::ForcedPublish => true,
                _ => watched[v],
            })
            .collect();

        let mut sizes = vec![0u32; n];
        let n_rows = rows.n_rows();
        for r in 0..n_rows as u32 {
            for &v in rows.vars(r) {
                sizes[v as usize] += 1;
            }
        }
        let mut cols = Lists::with_sizes(&sizes);
        for r in 0..n_rows as u32 {
            for &v in rows.vars(r) {
                cols.push(v, r);
            }
        }
        let cnt = sizes;
        if let Some(v) = (0..n).find(|&v| primary[v] && cnt[v] == 0) {
            return Err(SuppressError::Unprotectable { var: v as Var });
        }

        let mut elim = Elim {
            counts: problem.counts,
            listed,
            keep: vec![true; n],
            peak_entries: rows.used(),
            ulen: (0..n_rows as u32)
                .map(|r| {
                    rows.vars(r)
                        .iter()
                        .filter(|&&v| !watched[v as usize])
                        .count() as u32
                })
                .collect(),
            rows,
            cols,
            primary,
            single,
            watched,
            cnt,
            singleton,
            w1: Vec::new(),
            w2: Vec::new(),
            f: Vec::new(),
            g: Vec::new(),
            key: Vec::new(),
            map: KeyMap::default(),
            exempt: HashSet::new(),
            mark: vec![0; n_rows],
            epoch: 0,
            stamp: vec![0; n],
            stamp_now: 0,
            gathered: Vec::new(),
            ids: Vec::new(),
            touched: Vec::new(),
            ops: Vec::new(),
            merged: Default::default(),
            threads: 1,
            parallel_work: PARALLEL_WORK,
            partners: Vec::new(),
            bv: Vec::new(),
            bc: Vec::new(),
            inv_scratch: Vec::new(),
            eliminations: 0,
            row_entries: 0,
        };
        elim.init_fingerprints();
        Ok(elim)
    }

    fn init_fingerprints(&mut self) {
        let n = self.watched.len();
        let n_rows = self.rows.n_rows();
        let mut w = Weights::new(0x5EED_6A55);
        self.w1 = (0..n_rows).map(|_| w.next()).collect();
        self.w2 = (0..n_rows).map(|_| w.next()).collect();
        self.f = vec![0; n];
        self.g = vec![0; n];
        self.key = vec![NO_KEY; n];
        for r in 0..n_rows as u32 {
            let (w1, w2) = (self.w1[r as usize], self.w2[r as usize]);
            for (&v, &c) in self.rows.vars(r).iter().zip(self.rows.coefs(r)) {
                if self.watched[v as usize] {
                    self.f[v as usize] = add(self.f[v as usize], mul(w1, c));
                    self.g[v as usize] = add(self.g[v as usize], mul(w2, c));
                }
            }
        }
        let watched: Vec<u32> = (0..n as u32)
            .filter(|&v| self.watched[v as usize])
            .collect();
        self.rekey(&watched);
        // Pairs parallel from the start.
        let mut by_key: Vec<(u64, u32)> = watched
            .iter()
            .map(|&v| (self.key[v as usize], v))
            .filter(|&(k, _)| k != NO_KEY)
            .collect();
        by_key.sort_unstable();
        let mut i = 0;
        while i < by_key.len() {
            let mut j = i + 1;
            while j < by_key.len() && by_key[j].0 == by_key[i].0 {
                j += 1;
            }
            for a in i..j {
                for b in a + 1..j {
                    let (u, v) = (by_key[a].1, by_key[b].1);
                    if self.relevant(u, v) && self.parallel(u, v, u32::MAX) {
                        self.exempt.insert((u.min(v), u.max(v)));
                    }
                }
            }
            i = j;
        }
    }

    /// Whether `u` and `v` being parallel would disclose: one is a primary,
    /// the other a count-1 cell, and they are not parallel by structure.
    fn relevant(&self, u: u32, v: u32) -> bool {
        let (ui, vi) = (u as usize, v as usize);
        u != v
            && ((self.single[ui] && self.primary[vi]) || (self.single[vi] && self.primary[ui]))
            && !self.exempt.contains(&(u.min(v), u.max(v)))
    }

    fn reason(&self, u: u32, v: u32) -> Reason {
        if self.primary[v as usize] && self.single[u as usize] {
            Reason {
                primary: v,
                singleton: Some(u),
            }
        } else {
            Reason {
                primary: u,
                singleton: Some(v),
            }
        }
    }

    /// Fingerprint key from `(F, G)`.
    fn key_of(f: u64, g_inv: u64, g: u64) -> u64 {
        if g != 0 {
            mul(f, g_inv)
        } else if f != 0 {
            INF_KEY
        } else {
            NO_KEY
        }
    }

    /// Recomputes the keys of `vars` from their current fingerprints and
    /// moves them in the map.
    fn rekey(&mut self, vars: &[u32]) {
        let mut ginv: Vec<u64> = vars.iter().map(|&v| self.g[v as usize]).collect();
        batch_inv(&mut ginv, &mut self.inv_scratch);
        for (i, &v) in vars.iter().enumerate() {
            let vi = v as usize;
            let new = if self.cnt[vi] == 0 {
                NO_KEY
            } else {
                Self::key_of(self.f[vi], ginv[i], self.g[vi])
            };
            let old = self.key[vi];
            if new == old {
                continue;
            }
            if old != NO_KEY {
                if let Some(list) = self.map.get_mut(&old) {
                    if let Some(k) = list.iter().position(|&x| x == v) {
                        list.swap_remove(k);
                    }
                    if list.is_empty() {
                        self.map.remove(&old);
                    }
                }
            }
            if new != NO_KEY {
                self.map.entry(new).or_default().push(v);
            }
            self.key[vi] = new;
        }
    }

    /// The live rows non-zero at `v` with their coefficients, increasing
    /// rows, without row `excl`; also drops stale entries from the list.
    /// (Not during an elimination: it uses the scratch marks.)
    fn column(&mut self, v: u32, excl: u32) -> Vec<(u32, u64)> {
        self.epoch += 1;
        let mut out = Vec::new();
        self.ids.clear();
        for &r in self.cols.list(v) {
            if self.rows.alive(r) && self.mark[r as usize] != self.epoch {
                self.mark[r as usize] = self.epoch;
                let x = self.rows.coef(r, v);
                if x != 0 {
                    self.ids.push(r);
                    if r != excl {
                        out.push((r, x));
                    }
                }
            }
        }
        self.cols.shrink_to(v, &self.ids);
        out.sort_unstable_by_key(|&(r, _)| r);
        out
    }

    /// `Some(lambda)` when the column of `v` is `lambda` times that of `u`
    /// (both without row `excl`), i.e. `v = lambda * u + constant` in every
    /// table consistent with what is published.
    fn ratio(&mut self, u: u32, v: u32, excl: u32) -> Option<u64> {
        let cu = self.column(u, excl);
        let cv = self.column(v, excl);
        if cu.len() != cv.len() {
            return None;
        }
        if cu.is_empty() {
            return Some(0);
        }
        let lambda = mul(cv[0].1, inv(cu[0].1));
        cu.iter()
            .zip(&cv)
            .all(|(a, b)| a.0 == b.0 && mul(a.1, lambda) == b.1)
            .then_some(lambda)
    }

    /// Whether `u` and `v` are parallel.
    fn parallel(&mut self, u: u32, v: u32, excl: u32) -> bool {
        self.ratio(u, v, excl).is_some()
    }

    /// Whether, without row `excl`, the person of one count-1 cell of the
    /// pair could work out the other, a primary. Not when the two are
    /// equal (`lambda = 1` and equal counts, so the constant is 0): then
    /// the primary is that same person, who learns nothing about anyone
    /// else (a subtotal whose only non-zero part is the cell, say).
    fn discloses(&mut self, u: u32, v: u32, excl: u32) -> bool {
        if !self.relevant(u, v) {
            return false;
        }
        match self.ratio(u, v, excl) {
            None => false,
            Some(1) if self.counts[u as usize] == self.counts[v as usize] => {
                // Parallel now means parallel after any later publication
                // (a restriction keeps it): never verify this pair again.
                self.exempt.insert((u.min(v), u.max(v)));
                false
            }
            Some(_) => true,
        }
    }

    /// A primary whose column is a multiple of the gathered column (the
    /// rows non-zero at the cell being decided), if any.
    fn primary_parallel_to_gathered(&mut self) -> Option<u32> {
        let (mut f, mut g) = (0u64, 0u64);
        for &(r, x) in &self.gathered {
            f = add(f, mul(self.w1[r as usize], x));
            g = add(g, mul(self.w2[r as usize], x));
        }
        let key = Self::key_of(f, if g != 0 { inv(g) } else { 0 }, g);
        let list = self.map.get(&key)?;
        self.partners.clear();
        self.partners
            .extend(list.iter().copied().filter(|&p| self.primary[p as usize]));
        if self.partners.is_empty() {
            return None;
        }
        self.gathered.sort_unstable_by_key(|&(r, _)| r);
        for i in 0..self.partners.len() {
            let p = self.partners[i];
            let col = self.column(p, u32::MAX);
            if col.len() == self.gathered.len() {
                let lambda = mul(col[0].1, inv(self.gathered[0].1));
                if col
                    .iter()
                    .zip(&self.gathered)
                    .all(|(a, b)| a.0 == b.0 && a.1 == mul(lambda, b.1))
                {
                    return Some(p);
                }
            }
        }
        None
    }

    /// Decides one cell: publishes it (Ok) or explains why not (Err).
    fn decide(&mut self, c: u32) -> Result<(), Reason> {
        self.listed[c as usize] = false;
        self.keep[c as usize] = self.watched[c as usize];
        self.rows.maybe_compact();
        self.cols.maybe_compact();
        self.epoch += 1;
        self.gathered.clear();
        self.ids.clear();
        for &r in self.cols.list(c) {
            if self.rows.alive(r) && self.mark[r as usize] != self.epoch {
                self.mark[r as usize] = self.epoch;
                let x = self.rows.coef(r, c);
                if x != 0 {
                    self.gathered.push((r, x));
                    self.ids.push(r);
                }
            }
        }
        self.cols.shrink_to(c, &self.ids);
        if self.gathered.is_empty() {
            // Already fixed by what is published: publishing adds nothing.
            return Ok(());
        }
        // A primary becomes fixed exactly when its column is a multiple of
        // c's: found through the fingerprints before the basis is touched,
        // so that a cell to hide costs no row operation.
        if let Some(p) = self.primary_parallel_to_gathered() {
            // Hidden and no longer kept: out of the rows (which hold kept
            // cells only).
            for &(r, _) in &self.gathered {
                self.rows.remove(r, c);
                self.ulen[r as usize] -= 1;
            }
            return Err(Reason {
                primary: p,
                singleton: None,
            });
        }

        // Pivot: the row with the fewest entries at undecided cells, then
        // the shortest, then by row number. Every undecided entry of the
        // pivot is copied into the other rows and costs each of them one
        // more elimination later (when that cell is decided), while an
        // entry at a watched cell only lengthens them: measured on the 1e5
        // benchmark table, 23% fewer entries written than with the
        // shortest row, and thirty times more when choosing the pivot
        // with the fewest watched entries.
        let rows = &self.rows;
        let &(b, bx) = self
            .gathered
            .iter()
            .min_by_key(|&&(r, _)| (self.ulen[r as usize], rows.len(r), r))
            .expect("non-empty");
        self.bv.clear();
        self.bc.clear();
        for (&v, &x) in self.rows.vars(b).iter().zip(self.rows.coefs(b)) {
            if self.keep[v as usize] {
                self.bv.push(v);
                self.bc.push(x);
            }
        }
        let binv = inv(bx);
        let (mut k1, mut k2) = (0u64, 0u64);
        let mut ops = std::mem::take(&mut self.ops);
        ops.clear();
        for &(r, x) in &self.gathered {
            if r == b {
                continue;
            }
            let alpha = mul(x, binv);
            k1 = add(k1, mul(alpha, self.w1[r as usize]));
            k2 = add(k2, mul(alpha, self.w2[r as usize]));
            ops.push((r, alpha));
        }
        self.eliminate_all(c, &ops);
        self.ops = ops;
        self.peak_entries = self.peak_entries.max(self.rows.used());
        if k1 != 0 || k2 != 0 {
            // Row r lost alpha_r * b: each watched column of b changes by
            // -b[v] * sum_r alpha_r w[r] in its fingerprints.
            for (&v, &x) in self.bv.iter().zip(&self.bc) {
                let vi = v as usize;
                if self.watched[vi] {
                    self.f[vi] = sub(self.f[vi], mul(x, k1));
                    self.g[vi] = sub(self.g[vi], mul(x, k2));
                }
            }
        }

        let verdict = self.check_removal(b);
        self.touched.clear();
        for &v in &self.bv {
            if self.watched[v as usize] {
                self.touched.push(v);
            }
        }
        if verdict.is_some() {
            // b stays, without the cells no longer needed (c among them).
            self.rows.write(b, &self.bv, &self.bc);
            self.ulen[b as usize] = self
                .bv
                .iter()
                .filter(|&&v| !self.watched[v as usize])
                .count() as u32;
        } else {
            self.rows.kill(b);
            let (w1, w2) = (self.w1[b as usize], self.w2[b as usize]);
            for (&v, &x) in self.bv.iter().zip(&self.bc) {
                let vi = v as usize;
                self.cnt[vi] -= 1;
                if self.watched[vi] {
                    self.f[vi] = sub(self.f[vi], mul(w1, x));
                    self.g[vi] = sub(self.g[vi], mul(w2, x));
                }
            }
        }
        let touched = std::mem::take(&mut self.touched);
        self.rekey(&touched);
        self.touched = touched;
        match verdict {
            None => Ok(()),
            Some(reason) => Err(reason),
        }
    }

    /// Subtracts `alpha_r` times the pivot row (in `bv`, `bc`) from every
    /// row `r` of `ops`, without the entries of decided cells (see
    /// [`Elim::keep`]); a row left empty leaves the basis.
    ///
    /// The row operations are independent: on a large decision they are
    /// computed on two threads (each into its own [`Merged`]), then
    /// applied to the state in the order of `ops`, so the state after
    /// them is the same, entry for entry, as with one thread.
    fn eliminate_all(&mut self, c: u32, ops: &[(u32, u64)]) {
        self.eliminations += ops.len() as u64;
        let work: usize =
            ops.iter().map(|&(r, _)| self.rows.len(r)).sum::<usize>() + ops.len() * self.bv.len();
        if self.threads < 2 || ops.len() < 2 || work < self.parallel_work {
            for &(r, alpha) in ops {
                self.merged[0].clear();
                merge_row(
                    &self.rows,
                    r,
                    &self.bv,
                    &self.bc,
                    alpha,
                    c,
                    &mut self.merged[0],
                );
                self.apply(0);
            }
            return;
        }
        // Split where the work is halved.
        let (mut acc, mut split) = (0usize, ops.len());
        for (i, &(r, _)) in ops.iter().enumerate() {
            if acc >= work / 2 {
                split = i;
                break;
            }
            acc += self.rows.len(r) + self.bv.len();
        }
        let split = split.clamp(1, ops.len() - 1);
        let (rows, bv, bc) = (&self.rows, &self.bv, &self.bc);
        let (m0, m1) = self.merged.split_at_mut(1);
        let (m0, m1) = (&mut m0[0], &mut m1[0]);
        m0.clear();
        m1.clear();
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                for &(r, alpha) in &ops[split..] {
                    merge_row(rows, r, bv, bc, alpha, c, m1);
                }
            });
            for &(r, alpha) in &ops[..split] {
                merge_row(rows, r, bv, bc, alpha, c, m0);
            }
            worker.join().expect("row operations do not panic");
        });
        self.apply(0);
        self.apply(1);
    }

    /// Writes the row operations computed in `merged[which]` into the
    /// state: rows, counts, lists.
    fn apply(&mut self, which: usize) {
        let m = std::mem::take(&mut self.merged[which]);
        let (mut v0, mut f0, mut c0) = (0usize, 0usize, 0usize);
        for &(r, v1, f1, c1) in &m.ops {
            for &x in &m.cancelled[c0..c1] {
                self.cnt[x as usize] -= 1;
            }
            let (vars, coefs) = (&m.vars[v0..v1], &m.coefs[v0..v1]);
            let k = vars.len();
            self.row_entries += k as u64;
            // c (unwatched) went, fresh entries came, cancelled ones went.
            let watched = &self.watched;
            let unwatched = |xs: &[u32]| xs.iter().filter(|&&v| !watched[v as usize]).count();
            self.ulen[r as usize] = (self.ulen[r as usize] as usize + unwatched(&m.fresh[f0..f1])
                - 1
                - unwatched(&m.cancelled[c0..c1])) as u32;
            debug_assert_eq!(
                self.ulen[r as usize] as usize,
                vars.iter().filter(|&&v| !self.watched[v as usize]).count()
            );
            self.rows.write(r, vars, coefs);
            if k == 0 {
                self.rows.kill(r);
            }
            for &w in &m.fresh[f0..f1] {
                self.new_entry(w, r);
            }
            (v0, f0, c0) = (v1, f1, c1);
        }
        self.merged[which] = m;
    }

    /// Row `r` became non-zero at `w`: count it, and list it if `w`'s list
    /// is still read. A list more than twice as long as its count (stale
    /// entries of rows that lost `w`, or repeats) is compacted, which keeps
    /// the lists within twice the live entries.
    fn new_entry(&mut self, w: u32, r: u32) {
        debug_assert!(self.rows.coef(r, w) != 0);
        let wi = w as usize;
        self.cnt[wi] += 1;
        if self.listed[wi] {
            self.cols.push(w, r);
            if self.cols.list(w).len() > 4 * self.cnt[wi] as usize + 64 {
                // Dead rows and repeats first: no look into the rows. Only
                // when that is not enough (rows that lost `w` by a
                // cancellation, which is rare) is each row searched for
                // `w`: a binary search in a long row, which at 1e6 cells
                // took a quarter of the time when done at every compaction.
                for exact in [false, true] {
                    self.epoch += 1;
                    self.ids.clear();
                    for &q in self.cols.list(w) {
                        if self.rows.alive(q)
                            && self.mark[q as usize] != self.epoch
                            && (!exact || self.rows.coef(q, w) != 0)
                        {
                            self.mark[q as usize] = self.epoch;
                            self.ids.push(q);
                        }
                    }
                    self.cols.shrink_to(w, &self.ids);
                    if self.ids.len() <= 2 * self.cnt[wi] as usize + 32 {
                        break;
                    }
                }
            }
        }
    }

    /// Whether dropping pivot row `b` (publishing the cell being decided)
    /// would fix a primary cell, or make one a function of a count-1 cell.
    fn check_removal(&mut self, b: u32) -> Option<Reason> {
        for &v in &self.bv {
            let vi = v as usize;
            if self.primary[vi] && self.cnt[vi] == 1 {
                return Some(Reason {
                    primary: v,
                    singleton: None,
                });
            }
        }
        if !self.singleton {
            return None;
        }
        // Fingerprints of the watched columns of b as they would be.
        let (w1, w2) = (self.w1[b as usize], self.w2[b as usize]);
        let mut cand: Vec<(u64, u32)> = Vec::new();
        let mut gs: Vec<u64> = Vec::new();
        let mut fs: Vec<u64> = Vec::new();
        self.stamp_now += 1;
        for (&v, &x) in self.bv.iter().zip(&self.bc) {
            let vi = v as usize;
            if !self.watched[vi] {
                continue;
            }
            self.stamp[vi] = self.stamp_now;
            if self.cnt[vi] > 1 {
                fs.push(sub(self.f[vi], mul(w1, x)));
                gs.push(sub(self.g[vi], mul(w2, x)));
                cand.push((0, v));
            }
        }
        let raw_g = gs.clone();
        batch_inv(&mut gs, &mut self.inv_scratch);
        for (i, c) in cand.iter_mut().enumerate() {
            c.0 = Self::key_of(fs[i], gs[i], raw_g[i]);
        }
        cand.retain(|c| c.0 != NO_KEY);
        cand.sort_unstable();
        // Pairs among the changed columns.
        let mut i = 0;
        while i < cand.len() {
            let mut j = i + 1;
            while j < cand.len() && cand[j].0 == cand[i].0 {
                j += 1;
            }
            for a in i..j {
                for bb in a + 1..j {
                    let (u, v) = (cand[a].1, cand[bb].1);
                    if self.discloses(u, v, b) {
                        return Some(self.reason(u, v));
                    }
                }
            }
            i = j;
        }
        // Pairs with unchanged columns.
        for &(k, v) in &cand {
            let partners: Vec<u32> = match self.map.get(&k) {
                Some(list) => list.clone(),
                None => continue,
            };
            for u in partners {
                if self.stamp[u as usize] == self.stamp_now {
                    continue;
                }
                if self.discloses(u, v, b) {
                    return Some(self.reason(u, v));
                }
            }
        }
        None
    }
}

/// Work (entries read) of one decision's row operations above which they
/// run on two threads: about a millisecond, against tens of microseconds
/// to start a thread.
const PARALLEL_WORK: usize = 200_000;

/// Row operations computed apart from the elimination state (see
/// [`Elim::eliminate_all`]).
#[derive(Default)]
struct Merged {
    vars: Vec<u32>,
    coefs: Vec<u64>,
    /// Per row operation: the row, and where its entries, its new entries
    /// and its cancelled entries end in `vars`/`coefs`, `fresh` and
    /// `cancelled`.
    ops: Vec<(u32, usize, usize, usize)>,
    /// Cells at which the row became non-zero.
    fresh: Vec<u32>,
    /// Cells at which the row became zero.
    cancelled: Vec<u32>,
}

impl Merged {
    fn clear(&mut self) {
        self.vars.clear();
        self.coefs.clear();
        self.ops.clear();
        self.fresh.clear();
        self.cancelled.clear();
    }
}

/// Row `r` minus `alpha` times the pivot (`bv`, `bc`), appended to `out`,
/// without its entry at `c` (the cell being published, which the
/// subtraction zeroes and the pivot's copy leaves out).
///
/// Rows hold kept cells only (see [`Elim::keep`]), so the runs of the row
/// between two pivot entries are copied whole: late in the elimination the
/// rows are several times longer than the pivot, and the copy is most of
/// the work. New entries are never zero: `alpha` and the pivot's
/// coefficients are non-zero.
fn merge_row(rows: &Rows, r: u32, bv: &[u32], bc: &[u64], alpha: u64, c: u32, out: &mut Merged) {
    let (rv, rc) = (rows.vars(r), rows.coefs(r));
    let (vars, coefs) = (&mut out.vars, &mut out.coefs);
    vars.reserve(rv.len() + bv.len());
    coefs.reserve(rv.len() + bv.len());
    // Copies rv[from..to] without c (at `pc`, found once).
    let pc = rv.binary_search(&c).unwrap_or(usize::MAX);
    let copy = |from: usize, to: usize, vars: &mut Vec<u32>, coefs: &mut Vec<u64>| {
        if (from..to).contains(&pc) {
            vars.extend_from_slice(&rv[from..pc]);
            vars.extend_from_slice(&rv[pc + 1..to]);
            coefs.extend_from_slice(&rc[from..pc]);
            coefs.extend_from_slice(&rc[pc + 1..to]);
        } else {
            vars.extend_from_slice(&rv[from..to]);
            coefs.extend_from_slice(&rc[from..to]);
        }
    };
    let mut i = 0;
    for (&y, &b) in bv.iter().zip(bc) {
        let mut e = i;
        while e < rv.len() && rv[e] < y {
            e += 1;
        }
        if e > i {
            copy(i, e, vars, coefs);
        }
        i = e;
        if i < rv.len() && rv[i] == y {
            let z = sub(rc[i], mul(alpha, b));
            if z != 0 {
                vars.push(y);
                coefs.push(z);
            } else {
                out.cancelled.push(y);
            }
            i += 1;
        } else {
            vars.push(y);
            coefs.push(neg(mul(alpha, b)));
            out.fresh.push(y);
        }
    }
    if i < rv.len() {
        copy(i, rv.len(), vars, coefs);
    }
    out.ops
        .push((r, vars.len(), out.fresh.len(), out.cancelled.len()));
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
mod tests {
    use super::*;
    use discreet_audit::{Interval, SystemBuilder};

    #[test]
    fn order_is_forced_then_zeros_then_ones_then_cost() {
        let mut b = SystemBuilder::new();
        for _ in 0..6 {
            b.add_var(Interval::at_least(0));
        }
        let sys = b.build();
        let counts = [0u64, 1, 50, 7, 3, 7];
        let roles = vec![
            Role::Candidate,
            Role::Candidate,
            Role::Candidate,
            Role::ForcedPublish,
            Role::Primary,
            Role::Candidate,
        ];
        let p = Problem {
            system: &sys,
            counts: &counts,
            roles,
            cost: counts.to_vec(),
        };
        assert_eq!(
            decision_order(&p, &GaussOptions::default()),
            vec![3, 0, 1, 2, 5]
        );
        let plain = GaussOptions {
            singleton: false,
            zeros_first: false,
        };
        assert_eq!(decision_order(&p, &plain), vec![3, 2, 5, 1, 0]);
    }

    /// Two threads give the same result as one, counters included, with
    /// every decision's row operations split between them.
    #[test]
    fn two_threads_change_nothing() {
        use discreet_audit::synthetic::Dim;
        let dims = [Dim::grouped(12, 3), Dim::flat(6), Dim::grouped(12, 4)];
        let t = crate::synthetic::heavy_tail(&dims, 7);
        let p = crate::synthetic::ircc_problem(&t, 4);
        for options in [
            GaussOptions::default(),
            GaussOptions {
                singleton: false,
                zeros_first: true,
            },
        ] {
            let one = gauss_with(&p, &options, 1, 0).unwrap();
            let two = gauss_with(&p, &options, 2, 0).unwrap();
            assert_eq!(one, two);
            assert!(one.stats.eliminations > 1000, "{:?}", one.stats);
        }
    }

    /// A primary that the person of a count-1 cell could work out through
    /// two relations, not one.
    #[test]
    fn a_primary_tied_to_a_singleton_through_a_chain() {
        // t = a + b, b = c + d: with t and d published, a = t - c - d:
        // a and c move together. a = 1 (singleton), c = 3 (primary).
        let mut sb = SystemBuilder::new();
        let v: Vec<_> = (0..5).map(|_| sb.add_var(Interval::at_least(0))).collect();
        let (t, a, bb, c, d) = (v[0], v[1], v[2], v[3], v[4]);
        sb.add_additive(t, &[a, bb]).unwrap();
        sb.add_additive(bb, &[c, d]).unwrap();
        let sys = sb.build();
        let counts = [24u64, 1, 23, 3, 20];
        let roles = vec![
            Role::Candidate,
            Role::Primary,
            Role::Candidate,
            Role::Primary,
            Role::Candidate,
        ];
        let p = Problem {
            system: &sys,
            counts: &counts,
            roles,
            cost: vec![24, 0, 23, 0, 20],
        };
        // Without singleton protection: t published, b hidden (t and b
        // would fix a), d published (a = 4 - c, both still free).
        let plain = gauss(
            &p,
            &GaussOptions {
                singleton: false,
                zeros_first: true,
            },
        )
        .unwrap();
        assert_eq!(plain.hidden, vec![false, true, true, true, false]);
        // With it: publishing d would let the person of a (1) work out c
        // (c = t - a - d): d is hidden too. Then the relation rule: t = a +
        // b has two hidden cells, one of count 1 (its person would learn
        // b), so t goes as well.
        let g = gauss(&p, &GaussOptions::default()).unwrap();
        assert_eq!(g.hidden, vec![true; 5]);
        assert_eq!(g.stats.singleton_secondaries, 1);
        assert_eq!(g.stats.singleton_rule_hidden, 1);
    }
}
