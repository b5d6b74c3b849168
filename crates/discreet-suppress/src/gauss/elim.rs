//! The elimination state behind [`super::gauss()`]: a basis of the
//! perturbations that leave every published cell unchanged, with the
//! bookkeeping that makes each decision's checks local.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::ControlFlow;

use crate::modp::{add, batch_inv, inv, mul, neg, sub, Weights, P};
use crate::outcome::SuppressError;
use crate::problem::{Problem, Role};
use crate::store::{Lists, Rows};
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

type KeyMap = HashMap<u64, Vec<u32>, BuildHasherDefault<KeyHasher>>;

/// The elimination state: a basis of the perturbations that leave every
/// published cell unchanged, with the bookkeeping that makes each check
/// local.
///
/// Watched cells are the primaries and, with singleton protection, the
/// count-1 cells hidden from the start (primary or forced-suppress). For
/// every cell still read, the number of rows non-zero at it is kept exact
/// (zero means "fixed"). Each watched column also has two random linear
/// fingerprints `F = sum_r weight_f[r] col[r]` and `G = sum_r weight_g[r] col[r]`,
/// updated in O(1) per watched entry of a pivot row: parallel columns (one
/// cell a multiple of the other plus a constant, i.e. fixed once the other
/// is known) have equal ratios `F / G`, so a hash map from ratio to cells
/// finds every candidate pair; each is then verified exactly. A false match
/// costs one verification (probability about 2^-61 per pair); a missed
/// pair is impossible.
pub(super) struct Elim<'a> {
    /// True count of every var (equal counts exempt a pair, see
    /// [`Elim::discloses`]).
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
    /// The basis of the perturbations, as sparse rows.
    rows: Rows,
    /// Per row, its entries at unwatched (hence undecided) cells: the
    /// pivot choice's measure.
    undecided_len: Vec<u32>,
    /// Per var, the rows that may be non-zero at it (a superset: rows that
    /// lost the var or died stay until the list is compacted).
    rows_of: Lists,
    /// Whether a var is a primary cell.
    primary: Vec<bool>,
    /// Whether a var is a count-1 cell hidden from the start (primary or
    /// forced-suppress), under singleton protection.
    count_one: Vec<bool>,
    /// Primaries and count-one cells: the columns the checks read.
    watched: Vec<bool>,
    /// Per var, the exact number of live rows non-zero at it (0: the cell
    /// is fixed by what is published).
    nonzero_rows: Vec<u32>,
    /// Singleton protection on.
    singleton: bool,
    /// Random weight of every row in the first fingerprint.
    weight_f: Vec<u64>,
    /// Random weight of every row in the second fingerprint.
    weight_g: Vec<u64>,
    /// Per watched var, `F = sum_r weight_f[r] col[r]`.
    fingerprint_f: Vec<u64>,
    /// Per watched var, `G = sum_r weight_g[r] col[r]`.
    fingerprint_g: Vec<u64>,
    /// Per var, the key of its fingerprints (`F / G`), [`NO_KEY`] for a
    /// zero or unwatched column.
    key: Vec<u64>,
    /// The watched cells by key: parallel columns share one.
    key_cells: KeyMap,
    /// Pairs (low, high) parallel before anything is published (the same
    /// count published twice, say): a person knows their own cell, so these
    /// are no disclosure and are not checked.
    exempt: HashSet<(u32, u32)>,
    /// Scratch: per row, the last `row_epoch` that saw it, to read each
    /// row of a var's list once.
    row_mark: Vec<u32>,
    row_epoch: u32,
    /// Scratch: per var, the last `var_epoch` that saw it among the pivot's
    /// watched cells.
    var_mark: Vec<u32>,
    var_epoch: u32,
    /// The live rows non-zero at the cell being decided, with its
    /// coefficient there.
    decided_column: Vec<(u32, u64)>,
    /// Scratch: the live rows of a var's list, which the list shrinks to.
    live_rows: Vec<u32>,
    /// Scratch: the watched cells of the pivot, whose keys change.
    rekeyed: Vec<u32>,
    /// Scratch: the row operations of a decision, `(row, alpha)`.
    row_ops: Vec<(u32, u64)>,
    /// The row operations computed per thread.
    merged: [Merged; 2],
    /// Threads the row operations may use (1 or 2).
    pub threads: usize,
    /// Work of a decision's row operations from which they use 2 threads.
    pub parallel_work: usize,
    /// Scratch: the primaries that share the key of the decided column.
    partners: Vec<u32>,
    /// The pivot row's entries at kept cells: vars, then coefficients.
    pivot_vars: Vec<u32>,
    pivot_coefs: Vec<u64>,
    /// Scratch of the batch inversions.
    inv_scratch: Vec<u64>,
    /// Row operations made.
    pub eliminations: u64,
    /// Entries written by them.
    pub row_entries: u64,
    /// Largest number of row entries stored at once.
    pub peak_entries: usize,
}

impl<'a> Elim<'a> {
    pub fn new(problem: &Problem<'a>, singleton: bool, rows: Rows) -> Result<Self, SuppressError> {
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
        let mut rows_of = Lists::with_sizes(&sizes);
        for r in 0..n_rows as u32 {
            for &v in rows.vars(r) {
                rows_of.push(v, r);
            }
        }
        let nonzero_rows = sizes;
        if let Some(v) = (0..n).find(|&v| primary[v] && nonzero_rows[v] == 0) {
            return Err(SuppressError::Unprotectable { var: v as Var });
        }

        let mut elim = Elim {
            counts: problem.counts,
            listed,
            keep: vec![true; n],
            peak_entries: rows.used(),
            undecided_len: (0..n_rows as u32)
                .map(|r| {
                    rows.vars(r)
                        .iter()
                        .filter(|&&v| !watched[v as usize])
                        .count() as u32
                })
                .collect(),
            rows,
            rows_of,
            primary,
            count_one,
            watched,
            nonzero_rows,
            singleton,
            weight_f: Vec::new(),
            weight_g: Vec::new(),
            fingerprint_f: Vec::new(),
            fingerprint_g: Vec::new(),
            key: Vec::new(),
            key_cells: KeyMap::default(),
            exempt: HashSet::new(),
            row_mark: vec![0; n_rows],
            row_epoch: 0,
            var_mark: vec![0; n],
            var_epoch: 0,
            decided_column: Vec::new(),
            live_rows: Vec::new(),
            rekeyed: Vec::new(),
            row_ops: Vec::new(),
            merged: Default::default(),
            threads: 1,
            parallel_work: PARALLEL_WORK,
            partners: Vec::new(),
            pivot_vars: Vec::new(),
            pivot_coefs: Vec::new(),
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
        self.weight_f = (0..n_rows).map(|_| w.next()).collect();
        self.weight_g = (0..n_rows).map(|_| w.next()).collect();
        self.fingerprint_f = vec![0; n];
        self.fingerprint_g = vec![0; n];
        self.key = vec![NO_KEY; n];
        for r in 0..n_rows as u32 {
            let (wf, wg) = (self.weight_f[r as usize], self.weight_g[r as usize]);
            for (&v, &c) in self.rows.vars(r).iter().zip(self.rows.coefs(r)) {
                if self.watched[v as usize] {
                    self.fingerprint_f[v as usize] =
                        add(self.fingerprint_f[v as usize], mul(wf, c));
                    self.fingerprint_g[v as usize] =
                        add(self.fingerprint_g[v as usize], mul(wg, c));
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
        let _ = equal_key_pairs(&by_key, |u, v| {
            if self.relevant(u, v) && self.parallel(u, v, u32::MAX) {
                self.exempt.insert((u.min(v), u.max(v)));
            }
            ControlFlow::<()>::Continue(())
        });
    }

    /// Whether `u` and `v` being parallel would disclose: one is a primary,
    /// the other a count-1 cell, and they are not parallel by structure.
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
        let mut ginv: Vec<u64> = vars
            .iter()
            .map(|&v| self.fingerprint_g[v as usize])
            .collect();
        batch_inv(&mut ginv, &mut self.inv_scratch);
        for (i, &v) in vars.iter().enumerate() {
            let vi = v as usize;
            let new = if self.nonzero_rows[vi] == 0 {
                NO_KEY
            } else {
                Self::key_of(self.fingerprint_f[vi], ginv[i], self.fingerprint_g[vi])
            };
            let old = self.key[vi];
            if new == old {
                continue;
            }
            if old != NO_KEY {
                if let Some(list) = self.key_cells.get_mut(&old) {
                    if let Some(k) = list.iter().position(|&x| x == v) {
                        list.swap_remove(k);
                    }
                    if list.is_empty() {
                        self.key_cells.remove(&old);
                    }
                }
            }
            if new != NO_KEY {
                self.key_cells.entry(new).or_default().push(v);
            }
            self.key[vi] = new;
        }
    }

    /// The live rows non-zero at `v` with their coefficients, in list
    /// order, into `out`; also drops stale entries from `v`'s list. (Not
    /// during an elimination: it uses the scratch marks.)
    fn gather(&mut self, v: u32, out: &mut Vec<(u32, u64)>) {
        self.row_epoch += 1;
        out.clear();
        self.live_rows.clear();
        for &r in self.rows_of.list(v) {
            if self.rows.alive(r) && self.row_mark[r as usize] != self.row_epoch {
                self.row_mark[r as usize] = self.row_epoch;
                let x = self.rows.coef(r, v);
                if x != 0 {
                    out.push((r, x));
                    self.live_rows.push(r);
                }
            }
        }
        self.rows_of.shrink_to(v, &self.live_rows);
    }

    /// The live rows non-zero at `v` with their coefficients, increasing
    /// rows, without row `excl` (see [`Elim::gather`]).
    fn column(&mut self, v: u32, excl: u32) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        self.gather(v, &mut out);
        out.retain(|&(r, _)| r != excl);
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

    /// A primary whose column is a multiple of the decided column (the
    /// rows non-zero at the cell being decided), if any.
    fn primary_parallel_to_decided(&mut self) -> Option<u32> {
        let (mut f, mut g) = (0u64, 0u64);
        for &(r, x) in &self.decided_column {
            f = add(f, mul(self.weight_f[r as usize], x));
            g = add(g, mul(self.weight_g[r as usize], x));
        }
        let key = Self::key_of(f, if g != 0 { inv(g) } else { 0 }, g);
        let list = self.key_cells.get(&key)?;
        self.partners.clear();
        self.partners
            .extend(list.iter().copied().filter(|&p| self.primary[p as usize]));
        if self.partners.is_empty() {
            return None;
        }
        self.decided_column.sort_unstable_by_key(|&(r, _)| r);
        for i in 0..self.partners.len() {
            let p = self.partners[i];
            let col = self.column(p, u32::MAX);
            if col.len() == self.decided_column.len() {
                let lambda = mul(col[0].1, inv(self.decided_column[0].1));
                if col
                    .iter()
                    .zip(&self.decided_column)
                    .all(|(a, b)| a.0 == b.0 && a.1 == mul(lambda, b.1))
                {
                    return Some(p);
                }
            }
        }
        None
    }

    /// Decides one cell: publishes it (Ok) or explains why not (Err).
    pub fn decide(&mut self, c: u32) -> Result<(), Reason> {
        self.listed[c as usize] = false;
        self.keep[c as usize] = self.watched[c as usize];
        self.rows.maybe_compact();
        self.rows_of.maybe_compact();
        let mut column = std::mem::take(&mut self.decided_column);
        self.gather(c, &mut column);
        self.decided_column = column;
        if self.decided_column.is_empty() {
            // Already fixed by what is published: publishing adds nothing.
            return Ok(());
        }
        // A primary becomes fixed exactly when its column is a multiple of
        // c's: found through the fingerprints before the basis is touched,
        // so that a cell to hide costs no row operation.
        if let Some(p) = self.primary_parallel_to_decided() {
            // Hidden and no longer kept: out of the rows (which hold kept
            // cells only).
            for &(r, _) in &self.decided_column {
                self.rows.remove(r, c);
                self.undecided_len[r as usize] -= 1;
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
        // entry at a watched cell only lengthens them. This writes fewer
        // entries than taking the shortest row, and far fewer than the row
        // with the fewest watched entries.
        let rows = &self.rows;
        let &(b, bx) = self
            .decided_column
            .iter()
            .min_by_key(|&&(r, _)| (self.undecided_len[r as usize], rows.len(r), r))
            .expect("non-empty");
        self.pivot_vars.clear();
        self.pivot_coefs.clear();
        for (&v, &x) in self.rows.vars(b).iter().zip(self.rows.coefs(b)) {
            if self.keep[v as usize] {
                self.pivot_vars.push(v);
                self.pivot_coefs.push(x);
            }
        }
        let binv = inv(bx);
        let (mut k1, mut k2) = (0u64, 0u64);
        let mut ops = std::mem::take(&mut self.row_ops);
        ops.clear();
        for &(r, x) in &self.decided_column {
            if r == b {
                continue;
            }
            let alpha = mul(x, binv);
            k1 = add(k1, mul(alpha, self.weight_f[r as usize]));
            k2 = add(k2, mul(alpha, self.weight_g[r as usize]));
            ops.push((r, alpha));
        }
        self.eliminate_all(c, &ops);
        self.row_ops = ops;
        self.peak_entries = self.peak_entries.max(self.rows.used());
        if k1 != 0 || k2 != 0 {
            // Row r lost alpha_r * b: each watched column of b changes by
            // -b[v] * sum_r alpha_r w[r] in its fingerprints.
            for (&v, &x) in self.pivot_vars.iter().zip(&self.pivot_coefs) {
                let vi = v as usize;
                if self.watched[vi] {
                    self.fingerprint_f[vi] = sub(self.fingerprint_f[vi], mul(x, k1));
                    self.fingerprint_g[vi] = sub(self.fingerprint_g[vi], mul(x, k2));
                }
            }
        }

        let verdict = self.check_removal(b);
        self.rekeyed.clear();
        for &v in &self.pivot_vars {
            if self.watched[v as usize] {
                self.rekeyed.push(v);
            }
        }
        if verdict.is_some() {
            // b stays, without the cells no longer needed (c among them).
            self.rows.write(b, &self.pivot_vars, &self.pivot_coefs);
            self.undecided_len[b as usize] = self
                .pivot_vars
                .iter()
                .filter(|&&v| !self.watched[v as usize])
                .count() as u32;
        } else {
            self.rows.kill(b);
            let (wf, wg) = (self.weight_f[b as usize], self.weight_g[b as usize]);
            for (&v, &x) in self.pivot_vars.iter().zip(&self.pivot_coefs) {
                let vi = v as usize;
                self.nonzero_rows[vi] -= 1;
                if self.watched[vi] {
                    self.fingerprint_f[vi] = sub(self.fingerprint_f[vi], mul(wf, x));
                    self.fingerprint_g[vi] = sub(self.fingerprint_g[vi], mul(wg, x));
                }
            }
        }
        let touched = std::mem::take(&mut self.rekeyed);
        self.rekey(&touched);
        self.rekeyed = touched;
        match verdict {
            None => Ok(()),
            Some(reason) => Err(reason),
        }
    }

    /// Subtracts `alpha_r` times the pivot row (in `pivot_vars`, `pivot_coefs`) from every
    /// row `r` of `ops`, without the entries of decided cells (see
    /// [`Elim::keep`]); a row left empty leaves the basis.
    ///
    /// The row operations are independent: on a large decision they are
    /// computed on two threads (each into its own [`Merged`]), then
    /// applied to the state in the order of `ops`, so the state after
    /// them is the same, entry for entry, as with one thread.
    fn eliminate_all(&mut self, c: u32, ops: &[(u32, u64)]) {
        self.eliminations += ops.len() as u64;
        let work: usize = ops.iter().map(|&(r, _)| self.rows.len(r)).sum::<usize>()
            + ops.len() * self.pivot_vars.len();
        if self.threads < 2 || ops.len() < 2 || work < self.parallel_work {
            for &(r, alpha) in ops {
                self.merged[0].clear();
                merge_row(
                    &self.rows,
                    r,
                    &self.pivot_vars,
                    &self.pivot_coefs,
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
            acc += self.rows.len(r) + self.pivot_vars.len();
        }
        let split = split.clamp(1, ops.len() - 1);
        let (rows, pv, pc) = (&self.rows, &self.pivot_vars, &self.pivot_coefs);
        let (m0, m1) = self.merged.split_at_mut(1);
        let (m0, m1) = (&mut m0[0], &mut m1[0]);
        m0.clear();
        m1.clear();
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                for &(r, alpha) in &ops[split..] {
                    merge_row(rows, r, pv, pc, alpha, c, m1);
                }
            });
            for &(r, alpha) in &ops[..split] {
                merge_row(rows, r, pv, pc, alpha, c, m0);
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
                self.nonzero_rows[x as usize] -= 1;
            }
            let (vars, coefs) = (&m.vars[v0..v1], &m.coefs[v0..v1]);
            let k = vars.len();
            self.row_entries += k as u64;
            // c (unwatched) went, fresh entries came, cancelled ones went.
            let watched = &self.watched;
            let unwatched = |xs: &[u32]| xs.iter().filter(|&&v| !watched[v as usize]).count();
            self.undecided_len[r as usize] =
                (self.undecided_len[r as usize] as usize + unwatched(&m.fresh[f0..f1])
                    - 1
                    - unwatched(&m.cancelled[c0..c1])) as u32;
            debug_assert_eq!(
                self.undecided_len[r as usize] as usize,
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
        self.nonzero_rows[wi] += 1;
        if self.listed[wi] {
            self.rows_of.push(w, r);
            if self.rows_of.list(w).len() > 4 * self.nonzero_rows[wi] as usize + 64 {
                // Dead rows and repeats first: no look into the rows. Only
                // when that is not enough (rows that lost `w` by a
                // cancellation, which is rare) is each row searched for
                // `w`: a binary search in a long row, too costly on large
                // tables to do at every compaction.
                for exact in [false, true] {
                    self.row_epoch += 1;
                    self.live_rows.clear();
                    for &q in self.rows_of.list(w) {
                        if self.rows.alive(q)
                            && self.row_mark[q as usize] != self.row_epoch
                            && (!exact || self.rows.coef(q, w) != 0)
                        {
                            self.row_mark[q as usize] = self.row_epoch;
                            self.live_rows.push(q);
                        }
                    }
                    self.rows_of.shrink_to(w, &self.live_rows);
                    if self.live_rows.len() <= 2 * self.nonzero_rows[wi] as usize + 32 {
                        break;
                    }
                }
            }
        }
    }

    /// Whether dropping pivot row `b` (publishing the cell being decided)
    /// would fix a primary cell, or make one a function of a count-1 cell.
    fn check_removal(&mut self, b: u32) -> Option<Reason> {
        for &v in &self.pivot_vars {
            let vi = v as usize;
            if self.primary[vi] && self.nonzero_rows[vi] == 1 {
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
        let (wf, wg) = (self.weight_f[b as usize], self.weight_g[b as usize]);
        let mut cand: Vec<(u64, u32)> = Vec::new();
        let mut gs: Vec<u64> = Vec::new();
        let mut fs: Vec<u64> = Vec::new();
        self.var_epoch += 1;
        for (&v, &x) in self.pivot_vars.iter().zip(&self.pivot_coefs) {
            let vi = v as usize;
            if !self.watched[vi] {
                continue;
            }
            self.var_mark[vi] = self.var_epoch;
            if self.nonzero_rows[vi] > 1 {
                fs.push(sub(self.fingerprint_f[vi], mul(wf, x)));
                gs.push(sub(self.fingerprint_g[vi], mul(wg, x)));
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
        let found = equal_key_pairs(&cand, |u, v| {
            if self.discloses(u, v, b) {
                ControlFlow::Break(self.reason(u, v))
            } else {
                ControlFlow::Continue(())
            }
        });
        if let ControlFlow::Break(reason) = found {
            return Some(reason);
        }
        // Pairs with unchanged columns.
        for &(k, v) in &cand {
            let partners: Vec<u32> = match self.key_cells.get(&k) {
                Some(list) => list.clone(),
                None => continue,
            };
            for u in partners {
                if self.var_mark[u as usize] == self.var_epoch {
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

/// Work (entries read) of one decision's row operations above which they
/// run on two threads: about a millisecond, against tens of microseconds
/// to start a thread.
pub(super) const PARALLEL_WORK: usize = 200_000;

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

/// Row `r` minus `alpha` times the pivot (`pivot_vars`, `pivot_coefs`), appended to `out`,
/// without its entry at `c` (the cell being published, which the
/// subtraction zeroes and the pivot's copy leaves out).
///
/// Rows hold kept cells only (see [`Elim::keep`]), so the runs of the row
/// between two pivot entries are copied whole: late in the elimination the
/// rows are several times longer than the pivot, and the copy is most of
/// the work. New entries are never zero: `alpha` and the pivot's
/// coefficients are non-zero.
fn merge_row(
    rows: &Rows,
    r: u32,
    pivot_vars: &[u32],
    pivot_coefs: &[u64],
    alpha: u64,
    c: u32,
    out: &mut Merged,
) {
    let (rv, rc) = (rows.vars(r), rows.coefs(r));
    let (vars, coefs) = (&mut out.vars, &mut out.coefs);
    vars.reserve(rv.len() + pivot_vars.len());
    coefs.reserve(rv.len() + pivot_vars.len());
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
    for (&y, &b) in pivot_vars.iter().zip(pivot_coefs) {
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
