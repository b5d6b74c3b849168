//! The elimination state behind [`super::gauss()`]: a basis of the
//! perturbations that leave every published cell unchanged, with the
//! bookkeeping that makes each decision's checks local.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::ControlFlow;

use super::rowops::{Done, Sides, Worker};
use super::watched::{Entries, Part, Watched, NO_SNAPSHOT};
use crate::modp::{add, batch_inv, inv, mul, sub, Weights, P};
use crate::outcome::SuppressError;
use crate::problem::{Problem, Role};
use crate::store::Rows;
use discreet_audit::Var;

/// Why a cell cannot be published.
pub(super) struct Reason {
    /// The primary that would be disclosed.
    pub primary: Var,
    /// The count-1 cell whose person would work it out, if that is how.
    pub singleton: Option<Var>,
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

/// Key to the first of the watched cells that have it (the others follow
/// in [`Elim::next_same_key`]): most keys have one cell, so no list is
/// allocated per key.
type KeyMap = HashMap<u64, u32, BuildHasherDefault<KeyHasher>>;

/// End of a chain of cells.
const NONE: u32 = u32::MAX;

/// The elimination state: a basis of the perturbations that leave every
/// published cell unchanged, with the bookkeeping that makes each check
/// local.
///
/// Watched cells are the primaries and, with singleton protection, the
/// count-1 cells hidden from the start (primary or forced-suppress). The
/// checks read their columns only through two random linear fingerprints
/// each, `F = sum_r weight_f[r] col[r]` and `G = sum_r weight_g[r]
/// col[r]` (the entries, at the watched cells, of two random vectors of
/// the space), updated in O(1) per watched entry of a pivot row:
/// - a column is zero (the cell is fixed by what is published) when `F =
///   G = 0`;
/// - two columns are parallel (one cell a multiple of the other plus a
///   constant, i.e. fixed once the other is known) when their ratios `F /
///   G` are equal, so a hash map from ratio to cells finds every candidate
///   pair.
///
/// A non-zero column, or a pair that is not parallel, passes for zero or
/// parallel with probability about `2^-60` per test (a non-zero polynomial
/// of degree at most 2 in the random weights vanishes modulo `P`): that
/// only hides one cell more than needed, which is still safe. The other
/// way round is impossible: a zero column has zero fingerprints and
/// parallel columns have equal ratios. The one answer a false match could
/// turn the unsafe way is "these two cells are equal" (ratio 1, which
/// exempts a count-1 cell and a primary with the same count, see
/// [`Elim::discloses`]): it needs both fingerprints of a non-zero column
/// (their difference) to vanish, probability about `2^-122`.
///
/// The rows hold the entries of undecided cells only; the watched entries
/// are kept apart ([`Watched`]) and summed when a row becomes a pivot, the
/// only time they are read.
pub(super) struct Elim<'a> {
    /// True count of every var (equal counts exempt a pair, see
    /// [`Elim::discloses`]).
    counts: &'a [u64],
    /// The basis of the perturbations, as sparse rows, with the lists of
    /// rows per cell. The rows hold entries of undecided cells only (a
    /// candidate or forced-publish cell not decided yet). A cell leaves
    /// the rows when decided (published cells are zero anyway; hidden
    /// secondaries, like the forced-suppress cells that are not watched,
    /// are never read): this projects the space onto the cells that
    /// matter. The rows (with their watched parts) then span the
    /// projection (they may stop being independent, which the checks do
    /// not need), publishing still intersects it with `n_c = 0`, and a
    /// watched column is zero, or parallel to another, in the projection
    /// exactly when it is in the space. Without this, rows keep every
    /// hidden cell they ever met and grow without end.
    rows: Sides,
    /// The rows' entries at watched cells.
    watch: Watched,
    /// Whether a var is a primary cell.
    primary: Vec<bool>,
    /// Whether a var is a count-1 cell hidden from the start (primary or
    /// forced-suppress), under singleton protection.
    count_one: Vec<bool>,
    /// Singleton protection on.
    singleton: bool,
    /// Random weights `(weight_f, weight_g)` of every row in the two
    /// fingerprints (side by side: a row operation reads both, one cache
    /// miss).
    weights: Vec<(u64, u64)>,
    /// Per var, `(F, G) = (sum_r weight_f[r] col[r], sum_r weight_g[r]
    /// col[r])` (side by side: every reader reads both).
    fingerprints: Vec<(u64, u64)>,
    /// Per var, the key of its fingerprints (`F / G`), [`NO_KEY`] for a
    /// zero or unwatched column.
    key: Vec<u64>,
    /// The watched cells by key: parallel columns share one.
    key_cells: KeyMap,
    /// Per watched var, the next cell with the same key ([`NONE`] at the
    /// end).
    next_same_key: Vec<u32>,
    /// Pairs (low, high) equal before anything is published (the same
    /// count published twice, say), or found equal since: a person knows
    /// their own cell, so these are no disclosure and are not checked.
    exempt: HashSet<(u32, u32)>,
    /// Scratch: per var, the last `var_epoch` that saw it among the pivot's
    /// watched cells.
    var_mark: Vec<u32>,
    var_epoch: u32,
    /// The live rows listed at the cell being decided (see
    /// [`Sides::gather`]).
    decided_column: Vec<u32>,
    /// What the row operations did, per side.
    done: [Done; 2],
    /// The part of the pivot's watched part that the worker sums.
    part: Part,
    /// Threads the row operations may use (1 or 2).
    pub threads: usize,
    /// The second thread, started at the first decision that uses it.
    worker: Option<Worker>,
    /// Work of a decision's row operations from which they use 2 threads.
    pub parallel_work: usize,
    /// The pivot row's entries at undecided cells other than the one
    /// being decided: vars, then coefficients.
    pivot_vars: Vec<u32>,
    pivot_coefs: Vec<u64>,
    /// The pivot row's entries at watched cells.
    pivot_watched: Entries,
    /// Scratch: fingerprints of the pivot's watched cells before the
    /// pivot's removal is tried.
    saved: Vec<(u64, u64)>,
    /// Scratch of the batch inversions.
    inv_scratch: Vec<u64>,
    /// New keys of the cells being rekeyed (see [`Elim::move_keys`]).
    next_keys: Vec<u64>,
    /// Row operations made.
    pub eliminations: u64,
    /// Entries written by them.
    pub row_entries: u64,
    /// Largest number of row entries stored at once.
    pub peak_entries: usize,
}

impl<'a> Elim<'a> {
    pub fn new(problem: &Problem<'a>, singleton: bool, basis: Rows) -> Result<Self, SuppressError> {
        let n = problem.system.n_vars();
        let primary: Vec<bool> = problem.roles.iter().map(|&r| r == Role::Primary).collect();
        let count_one: Vec<bool> = (0..n)
            .map(|v| {
                singleton
                    && problem.counts[v] == 1
                    && matches!(problem.roles[v], Role::Primary | Role::ForcedSuppress)
            })
            .collect();
        let watched: Vec<bool> = (0..n).map(|v| primary[v] || count_one[v]).collect();
        let listed: Vec<bool> = problem
            .roles
            .iter()
            .map(|r| matches!(r, Role::Candidate | Role::ForcedPublish))
            .collect();

        // Split every basis row into its undecided entries (the rows) and
        // its watched ones; the other cells are never read.
        let n_rows = basis.n_rows();
        let mut sizes = vec![0u32; n];
        let mut base: Vec<Entries> = Vec::with_capacity(n_rows);
        let (mut start, mut vars, mut coefs) = (vec![0usize], Vec::new(), Vec::new());
        for r in 0..n_rows as u32 {
            let mut w = Vec::new();
            for (&v, &x) in basis.vars(r).iter().zip(basis.coefs(r)) {
                sizes[v as usize] += 1;
                if listed[v as usize] {
                    vars.push(v);
                    coefs.push(x);
                } else if watched[v as usize] {
                    w.push((v, x));
                }
            }
            start.push(vars.len());
            base.push(w);
        }
        drop(basis);
        if let Some(v) = (0..n).find(|&v| primary[v] && sizes[v] == 0) {
            return Err(SuppressError::Unprotectable { var: v as Var });
        }
        let weights = row_weights(n_rows);
        let rows = Sides::new(n_rows, n, &weights, |r| {
            let (s, e) = (start[r as usize], start[r as usize + 1]);
            (&vars[s..e], &coefs[s..e])
        });
        drop((start, vars, coefs));

        let mut elim = Elim {
            counts: problem.counts,
            peak_entries: rows.used(),
            rows,
            watch: Watched::new(&[], Vec::new()),
            primary,
            count_one,
            singleton,
            weights,
            fingerprints: Vec::new(),
            key: Vec::new(),
            key_cells: KeyMap::default(),
            next_same_key: vec![NONE; n],
            exempt: HashSet::new(),
            var_mark: vec![0; n],
            var_epoch: 0,
            decided_column: Vec::new(),
            done: Default::default(),
            part: Part::default(),
            threads: 1,
            worker: None,
            parallel_work: PARALLEL_WORK,
            pivot_vars: Vec::new(),
            pivot_coefs: Vec::new(),
            pivot_watched: Vec::new(),
            saved: Vec::new(),
            inv_scratch: Vec::new(),
            next_keys: Vec::new(),
            eliminations: 0,
            row_entries: 0,
        };
        elim.init_fingerprints(&base, &watched);
        // Undecided cells have fingerprints too: the key of a decided
        // cell's column is then known without reading the rows.
        for r in 0..n_rows as u32 {
            let (wf, wg) = elim.weights[r as usize];
            for (&v, &x) in elim.rows.vars(r).iter().zip(elim.rows.coefs(r)) {
                let vi = v as usize;
                let (f, g) = &mut elim.fingerprints[vi];
                *f = add(*f, mul(wf, x));
                *g = add(*g, mul(wg, x));
            }
        }
        elim.watch = Watched::new(&watched, base);
        Ok(elim)
    }

    /// Fingerprints and keys of the watched columns of the initial basis
    /// (`base`: each row's watched entries), and the pairs equal from the
    /// start (checked exactly on the columns).
    fn init_fingerprints(&mut self, base: &[Entries], watched: &[bool]) {
        let n = watched.len();
        self.fingerprints = vec![(0, 0); n];
        self.key = vec![NO_KEY; n];
        for (r, entries) in base.iter().enumerate() {
            let (wf, wg) = self.weights[r];
            for &(v, c) in entries {
                let vi = v as usize;
                let (f, g) = &mut self.fingerprints[vi];
                *f = add(*f, mul(wf, c));
                *g = add(*g, mul(wg, c));
            }
        }
        let watched: Vec<u32> = (0..n as u32).filter(|&v| watched[v as usize]).collect();
        self.rekey(&watched);
        // Pairs parallel from the start, verified on the columns.
        let mut by_key: Vec<(u64, u32)> = watched
            .iter()
            .map(|&v| (self.key[v as usize], v))
            .filter(|&(k, _)| k != NO_KEY)
            .collect();
        by_key.sort_unstable();
        let mut pairs = Vec::new();
        let _ = equal_key_pairs(&by_key, |u, v| {
            if self.relevant(u, v) {
                pairs.push((u, v));
            }
            ControlFlow::<()>::Continue(())
        });
        if pairs.is_empty() {
            return;
        }
        let mut columns: HashMap<u32, Vec<(u32, u64)>> = HashMap::new();
        for &(u, v) in &pairs {
            columns.entry(u).or_default();
            columns.entry(v).or_default();
        }
        for (r, entries) in base.iter().enumerate() {
            for &(v, x) in entries {
                if let Some(col) = columns.get_mut(&v) {
                    col.push((r as u32, x));
                }
            }
        }
        for (u, v) in pairs {
            if parallel_columns(&columns[&u], &columns[&v]) {
                self.exempt.insert((u.min(v), u.max(v)));
            }
        }
    }

    /// Whether `u` and `v` being parallel would disclose: one is a primary,
    /// the other a count-1 cell, and they are not equal by structure.
    fn relevant(&self, u: u32, v: u32) -> bool {
        let (ui, vi) = (u as usize, v as usize);
        u != v
            && ((self.count_one[ui] && self.primary[vi])
                || (self.count_one[vi] && self.primary[ui]))
            && !self.exempt.contains(&(u.min(v), u.max(v)))
    }

    fn reason(&self, u: u32, v: u32) -> Reason {
        if self.primary[v as usize] && self.count_one[u as usize] {
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
        let keys = &mut self.next_keys;
        keys.clear();
        keys.extend(vars.iter().map(|&v| self.fingerprints[v as usize].1));
        batch_inv(keys, &mut self.inv_scratch);
        for (&v, k) in vars.iter().zip(keys.iter_mut()) {
            let (f, g) = self.fingerprints[v as usize];
            *k = Self::key_of(f, *k, g);
        }
        self.move_keys(vars);
    }

    /// Moves `vars` in the map to their keys in `next_keys`.
    fn move_keys(&mut self, vars: &[u32]) {
        for (i, &v) in vars.iter().enumerate() {
            let vi = v as usize;
            let new = self.next_keys[i];
            let old = self.key[vi];
            if new == old {
                continue;
            }
            if old != NO_KEY {
                self.unlink(old, v);
            }
            if new != NO_KEY {
                self.next_same_key[vi] = self.key_cells.insert(new, v).unwrap_or(NONE);
            }
            self.key[vi] = new;
        }
    }

    /// Takes `v` out of the chain of cells with key `key`.
    fn unlink(&mut self, key: u64, v: u32) {
        let head = self.key_cells[&key];
        let next = self.next_same_key[v as usize];
        if head == v {
            if next == NONE {
                self.key_cells.remove(&key);
            } else {
                self.key_cells.insert(key, next);
            }
            return;
        }
        let mut u = head;
        while self.next_same_key[u as usize] != v {
            u = self.next_same_key[u as usize];
        }
        self.next_same_key[u as usize] = next;
    }

    /// The watched cells with key `key`, into `out`.
    fn cells_with_key(&self, key: u64, out: &mut Vec<u32>) {
        out.clear();
        let mut u = self.key_cells.get(&key).copied().unwrap_or(NONE);
        while u != NONE {
            out.push(u);
            u = self.next_same_key[u as usize];
        }
    }

    /// `lambda` with `col(v) = lambda col(u)`, from the fingerprints of two
    /// parallel non-zero columns.
    fn ratio(&self, u: u32, v: u32) -> u64 {
        let (ui, vi) = (u as usize, v as usize);
        let ((fu, gu), (fv, gv)) = (self.fingerprints[ui], self.fingerprints[vi]);
        if fu != 0 {
            mul(fv, inv(fu))
        } else if gu != 0 {
            mul(gv, inv(gu))
        } else {
            0
        }
    }

    /// Whether the person of one count-1 cell of the pair `u`, `v`
    /// (parallel: equal keys) could work out the other, a primary. Not
    /// when the two are equal (`lambda = 1` and equal counts, so the
    /// constant is 0): then the primary is that same person, who learns
    /// nothing about anyone else (a subtotal whose only non-zero part is
    /// the cell, say).
    fn discloses(&mut self, u: u32, v: u32) -> bool {
        if !self.relevant(u, v) {
            return false;
        }
        if self.ratio(u, v) == 1 && self.counts[u as usize] == self.counts[v as usize] {
            // Equal now means equal after any later publication (a
            // restriction keeps it): never check this pair again.
            self.exempt.insert((u.min(v), u.max(v)));
            return false;
        }
        true
    }

    /// A primary whose column is a multiple of `c`'s, by fingerprints.
    fn primary_parallel_to(&self, c: u32) -> Option<u32> {
        let (f, g) = self.fingerprints[c as usize];
        let key = Self::key_of(f, if g != 0 { inv(g) } else { 0 }, g);
        if key == NO_KEY {
            return None;
        }
        let mut u = self.key_cells.get(&key).copied().unwrap_or(NONE);
        while u != NONE {
            if self.primary[u as usize] {
                return Some(u);
            }
            u = self.next_same_key[u as usize];
        }
        None
    }

    /// Decides one cell: publishes it (Ok) or explains why not (Err).
    pub fn decide(&mut self, c: u32) -> Result<(), Reason> {
        self.rows.maybe_compact();
        self.rows.gather(c, &mut self.decided_column);
        if self.decided_column.is_empty() {
            // Already fixed by what is published: publishing adds nothing.
            return Ok(());
        }
        // A primary becomes fixed exactly when its column is a multiple of
        // c's: found through the fingerprints before the basis is touched,
        // so that a cell to hide costs no row operation.
        if let Some(p) = self.primary_parallel_to(c) {
            // Hidden and no longer read: out of the rows.
            for i in 0..self.decided_column.len() {
                let r = self.decided_column[i];
                self.rows.remove(r, c);
                if self.rows.len(r) == 0 {
                    self.freeze(r);
                }
            }
            return Err(Reason {
                primary: p,
                singleton: None,
            });
        }

        // Pivot: the row with the fewest entries (all at undecided cells),
        // then by row number, among those still non-zero at c. Every entry
        // of the pivot is copied into the other rows and costs each of
        // them one more elimination later (when that cell is decided).
        let (b, bx) = loop {
            let rows = &self.rows;
            let Some((i, &b)) = self
                .decided_column
                .iter()
                .enumerate()
                .min_by_key(|&(_, &r)| (rows.len(r), r))
            else {
                // No row is non-zero at c: publishing adds nothing.
                return Ok(());
            };
            let bx = self.rows.coef(b, c);
            self.decided_column.swap_remove(i);
            if bx != 0 {
                break (b, bx);
            }
        };
        self.pivot_vars.clear();
        self.pivot_coefs.clear();
        self.pivot_vars.extend_from_slice(self.rows.vars(b));
        self.pivot_coefs.extend_from_slice(self.rows.coefs(b));
        // The other rows, their multipliers found by the row operations.
        let ops = std::mem::take(&mut self.decided_column);
        let (k1, k2) = self.eliminate_all(b, c, inv(bx), &ops);
        self.decided_column = ops;
        // c is decided: out of the pivot, which may stay.
        let at = self
            .pivot_vars
            .binary_search(&c)
            .expect("pivot is non-zero at c");
        self.pivot_vars.remove(at);
        self.pivot_coefs.remove(at);
        self.peak_entries = self.peak_entries.max(self.rows.used());
        // Row r lost alpha_r * b: each column of b changes by -b[v] *
        // sum_r alpha_r w[r] in its fingerprints. The watched columns
        // first (the check reads them); the undecided ones once the
        // verdict is known, in one pass with b's own removal.
        if k1 != 0 || k2 != 0 {
            for &(v, x) in &self.pivot_watched {
                let (f, g) = &mut self.fingerprints[v as usize];
                *f = sub(*f, mul(x, k1));
                *g = sub(*g, mul(x, k2));
            }
        }

        let verdict = self.check_removal(b);
        let (mut d1, mut d2) = (k1, k2);
        if verdict.is_some() && !self.pivot_vars.is_empty() {
            // b stays, without c.
            self.rows.write(b, &self.pivot_vars, &self.pivot_coefs);
            self.watch.keep_last(b);
        } else {
            // Published: b leaves the basis. Or hidden, with b left with
            // watched entries only: no row operation will touch it again,
            // and its part of the fingerprints stays.
            self.freeze(b);
            if verdict.is_none() {
                let (wf, wg) = self.weights[b as usize];
                (d1, d2) = (add(d1, wf), add(d2, wg));
                self.rows.uncount(b, &self.pivot_vars);
            }
        }
        if d1 != 0 || d2 != 0 {
            for (&v, &x) in self.pivot_vars.iter().zip(&self.pivot_coefs) {
                let (f, g) = &mut self.fingerprints[v as usize];
                *f = sub(*f, mul(x, d1));
                *g = sub(*g, mul(x, d2));
            }
        }
        let touched: Vec<u32> = self.pivot_watched.iter().map(|e| e.0).collect();
        if verdict.is_none() && self.singleton {
            // The check computed them, for the fingerprints as they are.
            self.move_keys(&touched);
        } else {
            self.rekey(&touched);
        }
        match verdict {
            None => Ok(()),
            Some(reason) => Err(reason),
        }
    }

    /// Takes row `r` out of the row operations: it left the basis, or it
    /// has no undecided entry left (a perturbation among hidden cells,
    /// which stays in the fingerprints as it is).
    fn freeze(&mut self, r: u32) {
        self.rows.kill(r);
        self.watch.clear(r);
    }

    /// Subtracts `alpha_r = row_r[c] / b[c]` times the pivot row `b`
    /// (undecided part in `pivot_vars`, `pivot_coefs`, `c` included, where
    /// every row's entry cancels; watched part in `pivot_watched`, summed
    /// here) from every row `r` of `ops` (a row that lost `c` is left
    /// alone); a row left without undecided entries leaves the row
    /// operations. Returns `sum_r alpha_r w[r]` for both fingerprints'
    /// weights.
    ///
    /// The row operations are independent: on a large decision they run on
    /// two threads, one per half of the rows with its bookkeeping (see
    /// [`Sides`]), and each thread sums part of the pivot's watched part
    /// (see [`Watched::split_off`]); each half sees its operations in the
    /// order of `ops`, so the state after them is the same, entry for
    /// entry, as with one thread.
    fn eliminate_all(&mut self, b: u32, c: u32, binv: u64, ops: &[u32]) -> (u64, u64) {
        // With two threads, this one does the even rows and the worker the
        // odd ones, and each sums part of the pivot's watched part, so that
        // both get about as much: worth it when the worker takes enough.
        let mut work = [0usize; 2];
        for &r in ops {
            work[(r & 1) as usize] += self.rows.len(r) + self.pivot_vars.len();
        }
        let sum = self.watch.pending_work(b);
        let there = ((work[0] + sum).saturating_sub(work[1]) / 2).min(sum);
        let parallel = self.threads >= 2
            && 2 * (work[0] + sum - there).min(work[1] + there) >= self.parallel_work;
        if parallel && self.worker.is_none() {
            self.worker = Some(Worker::new());
        }
        let worker = if parallel { self.worker.as_ref() } else { None };
        if parallel {
            self.watch.split_off(b, there, &mut self.part);
        }
        let mut done = std::mem::take(&mut self.done);
        let watch = &mut self.watch;
        // The head of the pivot's watched part is summed while the worker
        // runs.
        self.rows.eliminate(
            ops,
            (&self.pivot_vars, &self.pivot_coefs, c, binv),
            &mut done,
            (worker, &mut self.part),
            || watch.materialize(b),
        );
        self.watch.finish(&mut self.part, &mut self.pivot_watched);
        let snap = if ops.is_empty() {
            NO_SNAPSHOT
        } else {
            self.watch.snapshot_last()
        };
        // The rows' watched parts: in any order, each row has its own.
        let (mut k1, mut k2) = (0u64, 0u64);
        for side in &done {
            for &(r, alpha, k) in &side.ops {
                if k == 0 {
                    // No undecided entry left: out of the row operations
                    // (the side has taken it out of its rows).
                    self.watch.clear(r);
                } else {
                    self.watch.push(r, snap, alpha);
                }
            }
            self.eliminations += side.ops.len() as u64;
            self.row_entries += side.entries;
            (k1, k2) = (add(k1, side.k.0), add(k2, side.k.1));
        }
        self.done = done;
        self.watch.drop_if_unused(snap);
        (k1, k2)
    }

    /// Whether dropping pivot row `b` (publishing the cell being decided)
    /// would fix a primary cell, or make one a function of a count-1 cell.
    /// The fingerprints are left as after the removal when it is safe, as
    /// before it otherwise.
    fn check_removal(&mut self, b: u32) -> Option<Reason> {
        let (wf, wg) = self.weights[b as usize];
        self.saved.clear();
        for &(v, x) in &self.pivot_watched {
            let vi = v as usize;
            let (f, g) = self.fingerprints[vi];
            self.saved.push((f, g));
            self.fingerprints[vi] = (sub(f, mul(wf, x)), sub(g, mul(wg, x)));
        }
        let verdict = self.removal_verdict();
        if verdict.is_some() {
            for (&(v, _), &(f, g)) in self.pivot_watched.iter().zip(&self.saved) {
                self.fingerprints[v as usize] = (f, g);
            }
        }
        verdict
    }

    /// See [`Elim::check_removal`]: the fingerprints of the pivot's
    /// watched cells are those after the removal.
    fn removal_verdict(&mut self) -> Option<Reason> {
        let fp = &self.fingerprints;
        let zero = |v: u32| fp[v as usize] == (0, 0);
        if let Some(&(v, _)) = self
            .pivot_watched
            .iter()
            .find(|&&(v, _)| self.primary[v as usize] && zero(v))
        {
            return Some(Reason {
                primary: v,
                singleton: None,
            });
        }
        if !self.singleton {
            return None;
        }
        // Keys of the watched columns of b as they would be (kept for
        // [`Elim::move_keys`] if b is dropped).
        let mut cand: Vec<(u64, u32)> = Vec::new();
        self.var_epoch += 1;
        let keys = &mut self.next_keys;
        keys.clear();
        keys.extend(self.pivot_watched.iter().map(|&(v, _)| fp[v as usize].1));
        batch_inv(keys, &mut self.inv_scratch);
        for (&(v, _), k) in self.pivot_watched.iter().zip(keys.iter_mut()) {
            let vi = v as usize;
            self.var_mark[vi] = self.var_epoch;
            *k = Self::key_of(fp[vi].0, *k, fp[vi].1);
            if *k != NO_KEY {
                cand.push((*k, v));
            }
        }
        cand.sort_unstable();
        // Pairs among the changed columns.
        let found = equal_key_pairs(&cand, |u, v| {
            if self.discloses(u, v) {
                ControlFlow::Break(self.reason(u, v))
            } else {
                ControlFlow::Continue(())
            }
        });
        if let ControlFlow::Break(reason) = found {
            return Some(reason);
        }
        // Pairs with unchanged columns.
        let mut partners = Vec::new();
        for &(k, v) in &cand {
            self.cells_with_key(k, &mut partners);
            for &u in &partners {
                if self.var_mark[u as usize] == self.var_epoch {
                    continue;
                }
                if self.discloses(u, v) {
                    return Some(self.reason(u, v));
                }
            }
        }
        None
    }
}

/// Calls `f(u, v)` for every pair of cells with equal keys in `by_key`
/// (sorted by key), in order, until it breaks.
fn equal_key_pairs<B>(
    by_key: &[(u64, u32)],
    mut f: impl FnMut(u32, u32) -> ControlFlow<B>,
) -> ControlFlow<B> {
    for group in by_key.chunk_by(|a, b| a.0 == b.0) {
        for (a, &(_, u)) in group.iter().enumerate() {
            for &(_, v) in &group[a + 1..] {
                f(u, v)?;
            }
        }
    }
    ControlFlow::Continue(())
}

/// Work (entries read) of one decision from which its row operations run
/// on two threads, counted as twice the smaller of the two threads'
/// shares (the sum of the pivot's watched part and the even rows; the odd
/// rows): tens of microseconds, against a microsecond or two to hand the
/// odd rows to the worker and take them back.
pub(super) const PARALLEL_WORK: usize = 16_384;

/// Whether two sparse columns (increasing rows, non-zero values) are
/// multiples of each other.
fn parallel_columns(a: &[(u32, u64)], b: &[(u32, u64)]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let Some((&(_, a0), &(_, b0))) = a.first().zip(b.first()) else {
        return true;
    };
    let lambda = mul(b0, inv(a0));
    a.iter()
        .zip(b)
        .all(|(x, y)| x.0 == y.0 && mul(x.1, lambda) == y.1)
}

/// The rows' random weights in the two fingerprints (fixed seed).
fn row_weights(n_rows: usize) -> Vec<(u64, u64)> {
    let mut w = Weights::new(0x5EED_6A55);
    let weight_f: Vec<u64> = (0..n_rows).map(|_| w.next()).collect();
    weight_f.into_iter().map(|f| (f, w.next())).collect()
}
