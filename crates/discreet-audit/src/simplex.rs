//! A bounded primal simplex that keeps its basis between objectives, for
//! the exact LP bounds of large blocks.
//!
//! The LP bounds of a block ask for many objectives over one fixed
//! polytope: minimise or maximise one var after another. A cold solve per
//! objective (what the general solver offers) repeats the whole search
//! each time; here the optimal basis of one objective is primal feasible
//! for the next, so each new objective needs only phase 2 from where the
//! last one stopped, usually a few pivots.
//!
//! The model is `A x + r = b` with one logical `r_i` per row (fixed at 0
//! on equality rows, `>= 0` on `<=` rows) and `l <= x <= u`. Phase 1 starts
//! from the all-logical basis with every structural at its lower bound and
//! minimises the sum of infeasibilities. The basis is kept as sparse LU
//! factors (see the lu module) followed by one eta column per pivot since
//! they were computed; every [`REFACTOR`] pivots the factors are rebuilt
//! from scratch and the basic values recomputed from the nonbasic ones,
//! so that round-off cannot build up. Phase 2 prices by Devex and keeps
//! its reduced costs up to date from the pivot row (see the phase2
//! module); every point it passes is feasible, so the values it visits
//! are kept as witnesses for the caller ([`Simplex::reached`]).
//!
//! Nothing here is trusted blindly: every optimum comes with a dual bound
//! computed from the final duals against the bounds of the model (weak
//! duality), and the caller uses that bound, which no round-off of the
//! path can make tighter than the true optimum by more than the error of
//! one dot product; an objective whose point reaches the least value
//! its bounds alone allow needs no duals at all. When the certificate does not close the gap, or a
//! pivot budget runs out, the objective is reported as failed and the
//! caller solves it with the general solver instead.

// Loops here walk several arrays indexed alike (values, bounds, basis
// positions); index loops say that more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

/// Pivots between two rebuilds of the basis inverse.
const REFACTOR: usize = 100;
/// Smallest pivot element accepted.
const PIV_TOL: f64 = 1e-9;
/// Reduced cost below which a column is not worth entering.
const DUAL_TOL: f64 = 1e-9;
/// Bound violation treated as none.
const PRIMAL_TOL: f64 = 1e-7;

/// How an objective ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Status {
    /// Optimal: the objective's value at the point, and a certified lower
    /// bound on the minimum.
    Optimal { value: f64, bound: f64 },
    /// No point meets the rows and bounds.
    Infeasible,
    /// The objective decreases without limit.
    Unbounded,
    /// Round-off, a failed certificate or the pivot budget: ask the
    /// general solver.
    Failed,
}

/// Eta file: the basis inverse as a product of elementary columns.
#[derive(Clone, Default)]
struct Etas {
    row: Vec<u32>,
    piv: Vec<f64>,
    start: Vec<usize>,
    idx: Vec<u32>,
    val: Vec<f64>,
}

impl Etas {
    fn clear(&mut self) {
        self.row.clear();
        self.piv.clear();
        self.start.clear();
        self.start.push(0);
        self.idx.clear();
        self.val.clear();
    }

    /// Appends the eta of pivoting the (already transformed) column `a`
    /// on row `p`.
    fn push(&mut self, a: &[f64], nz: &[u32], p: usize) {
        self.row.push(p as u32);
        self.piv.push(a[p]);
        for &i in nz {
            let i = i as usize;
            if i != p && a[i] != 0.0 {
                self.idx.push(i as u32);
                self.val.push(a[i]);
            }
        }
        self.start.push(self.idx.len());
    }

    /// Appends an eta on row `p` with pivot `piv` and the given entries.
    fn push_sparse(&mut self, p: usize, piv: f64, entries: impl Iterator<Item = (u32, f64)>) {
        self.row.push(p as u32);
        self.piv.push(piv);
        for (i, v) in entries {
            self.idx.push(i);
            self.val.push(v);
        }
        self.start.push(self.idx.len());
    }

    /// `x := B^-1 x`.
    fn ftran(&self, x: &mut [f64]) {
        for k in 0..self.row.len() {
            let p = self.row[k] as usize;
            let xp = x[p];
            if xp == 0.0 {
                continue;
            }
            let t = xp / self.piv[k];
            x[p] = t;
            for e in self.start[k]..self.start[k + 1] {
                x[self.idx[e] as usize] -= self.val[e] * t;
            }
        }
    }

    /// `y := y B^-1` (y as a row).
    fn btran(&self, y: &mut [f64]) {
        for k in (0..self.row.len()).rev() {
            let p = self.row[k] as usize;
            let mut s = y[p];
            for e in self.start[k]..self.start[k + 1] {
                s -= self.val[e] * y[self.idx[e] as usize];
            }
            y[p] = s / self.piv[k];
        }
    }
}

/// The LP and its current basis.
#[derive(Clone)]
pub(crate) struct Simplex {
    m: usize,
    n: usize,
    /// Structural columns, compressed: rows and coefficients.
    cs: Vec<usize>,
    cr: Vec<u32>,
    cv: Vec<f64>,
    /// The same by rows, for pricing.
    rs: Vec<usize>,
    rc: Vec<u32>,
    rv: Vec<f64>,
    b: Vec<f64>,
    /// Bounds of all `n + m` columns (logicals last); `up` may be infinite.
    lo: Vec<f64>,
    up: Vec<f64>,
    /// Values of all columns.
    x: Vec<f64>,
    /// The column basic at each row position.
    head: Vec<usize>,
    /// Basis position of each column, `usize::MAX` when nonbasic.
    pos: Vec<usize>,
    /// Factors of the basis at the last rebuild (see the lu module).
    l: Etas,
    u: Etas,
    /// Etas of the pivots since.
    etas: Etas,
    /// Pivots since the last rebuild.
    since: usize,
    feasible: bool,
    /// The smallest and largest value each structural took at the points
    /// phase 2 passed through (all feasible), over all objectives.
    reach_lo: Vec<f64>,
    reach_hi: Vec<f64>,
    /// Pivots made, over all objectives.
    pub(crate) pivots: u64,
}

/// A row of the model: `sum coef * x (== or <=) rhs`.
pub(crate) struct Row {
    pub terms: Vec<(usize, f64)>,
    pub le: bool,
    pub rhs: f64,
}

impl Simplex {
    /// The LP over `n` structural columns with bounds `lo..=up` and the
    /// given rows.
    pub(crate) fn new(n: usize, lo: &[f64], up: &[f64], rows: &[Row]) -> Self {
        let m = rows.len();
        let mut rs = vec![0];
        let (mut rc, mut rv) = (Vec::new(), Vec::new());
        let mut count = vec![0usize; n + 1];
        for row in rows {
            for &(j, c) in &row.terms {
                rc.push(j as u32);
                rv.push(c);
                count[j + 1] += 1;
            }
            rs.push(rc.len());
        }
        for j in 0..n {
            count[j + 1] += count[j];
        }
        let cs = count.clone();
        let mut fill = count;
        let mut cr = vec![0u32; rc.len()];
        let mut cv = vec![0f64; rc.len()];
        for i in 0..m {
            for e in rs[i]..rs[i + 1] {
                let j = rc[e] as usize;
                cr[fill[j]] = i as u32;
                cv[fill[j]] = rv[e];
                fill[j] += 1;
            }
        }
        let mut lo_all = lo.to_vec();
        let mut up_all = up.to_vec();
        for row in rows {
            lo_all.push(0.0);
            up_all.push(if row.le { f64::INFINITY } else { 0.0 });
        }
        let x: Vec<f64> = lo_all.clone();
        let mut s = Simplex {
            m,
            n,
            cs,
            cr,
            cv,
            rs,
            rc,
            rv,
            b: rows.iter().map(|r| r.rhs).collect(),
            lo: lo_all,
            up: up_all,
            x,
            head: (n..n + m).collect(),
            pos: (0..n).map(|_| usize::MAX).chain(0..m).collect(),
            l: Etas::default(),
            u: Etas::default(),
            etas: Etas::default(),
            since: 0,
            feasible: false,
            reach_lo: vec![f64::INFINITY; n],
            reach_hi: vec![f64::NEG_INFINITY; n],
            pivots: 0,
        };
        s.refactor();
        s
    }

    /// Number of structural columns.
    pub(crate) fn n(&self) -> usize {
        self.n
    }

    /// The current values of the structural columns.
    pub(crate) fn point(&self) -> &[f64] {
        &self.x[..self.n]
    }

    /// The smallest and the largest value of each structural column over
    /// the feasible points visited so far: every vertex phase 2 passes on
    /// its way to an optimum is a point of the LP, so each is a witness
    /// of the values it holds, for free.
    pub(crate) fn reached(&self) -> (&[f64], &[f64]) {
        (&self.reach_lo, &self.reach_hi)
    }

    /// Records the value of column `j` at a feasible point.
    fn reach(&mut self, j: usize) {
        if j < self.n {
            let v = self.x[j];
            self.reach_lo[j] = self.reach_lo[j].min(v);
            self.reach_hi[j] = self.reach_hi[j].max(v);
        }
    }

    /// Column `j` into the dense vector `a` (zeroed by the caller), its
    /// rows appended to `nz`.
    fn scatter(&self, j: usize, a: &mut [f64], nz: &mut Vec<u32>) {
        if j >= self.n {
            a[j - self.n] = 1.0;
            nz.push((j - self.n) as u32);
        } else {
            for e in self.cs[j]..self.cs[j + 1] {
                a[self.cr[e] as usize] = self.cv[e];
                nz.push(self.cr[e]);
            }
        }
    }

    /// Factorises the current basis afresh and recomputes the basic
    /// values. A column left without a usable pivot (the basis was
    /// singular or nearly) is dropped and its row's logical comes back (the
    /// basis stays nonsingular; the column becomes nonbasic at its nearest
    /// bound and phase 1 repairs the rest).
    fn refactor(&mut self) {
        let n = self.n;
        let cols: Vec<usize> = self.head.iter().copied().filter(|&j| j < n).collect();
        // Rows free for structurals: those whose logical is nonbasic.
        let free: Vec<bool> = (0..self.m).map(|i| self.pos[n + i] == usize::MAX).collect();
        self.refactor_with(cols, free);
    }

    /// Starts from a point of the LP found elsewhere (a crossover): the
    /// structurals strictly between their bounds, and the logicals of rows
    /// with room left, make the basis, as far as they are independent;
    /// the others sit at the bound they are at. From the optimum of any
    /// objective (a vertex) this is that vertex's basis, so phase 1 has
    /// nothing or little left to do.
    pub(crate) fn start_from(&mut self, point: &[f64]) {
        let (n, m) = (self.n, self.m);
        let mut cols = Vec::new();
        for (j, &v) in point.iter().enumerate().take(n) {
            let v = v.clamp(self.lo[j], self.up[j]);
            self.x[j] = if v <= self.lo[j] + PRIMAL_TOL {
                self.lo[j]
            } else if v >= self.up[j] - PRIMAL_TOL {
                self.up[j]
            } else {
                cols.push(j);
                v
            };
        }
        let mut free = vec![true; m];
        for i in 0..m {
            let mut r = self.b[i];
            for e in self.rs[i]..self.rs[i + 1] {
                r -= self.rv[e] * self.x[self.rc[e] as usize];
            }
            if self.up[n + i] > 0.0 && r > PRIMAL_TOL {
                free[i] = false;
            } else {
                self.x[n + i] = 0.0;
            }
        }
        self.refactor_with(cols, free);
    }

    /// [`Simplex::refactor`] for the given basic structurals and free rows:
    /// the basis is those columns and the logicals of the other rows,
    /// factorised afresh (see the lu module).
    fn refactor_with(&mut self, cols: Vec<usize>, free: Vec<bool>) {
        self.etas.clear();
        self.since = 0;
        let (n, m) = (self.n, self.m);
        let mut basis: Vec<usize> = (0..m).filter(|&i| !free[i]).map(|i| n + i).collect();
        basis.extend(&cols);
        let entries: Vec<Vec<(u32, f64)>> = basis
            .iter()
            .map(|&j| {
                if j >= n {
                    vec![((j - n) as u32, 1.0)]
                } else {
                    (self.cs[j]..self.cs[j + 1])
                        .map(|e| (self.cr[e], self.cv[e]))
                        .collect()
                }
            })
            .collect();
        let piv = lu::factor(m, &entries, &mut self.l, &mut self.u);
        for j in 0..n + m {
            self.pos[j] = usize::MAX;
        }
        let mut taken = vec![false; m];
        for (k, &j) in basis.iter().enumerate() {
            match piv.row_of[k] {
                Some(r) => {
                    let r = r as usize;
                    taken[r] = true;
                    self.head[r] = j;
                    self.pos[j] = r;
                }
                None if j < n => {
                    // Left out: nonbasic at its nearest bound; phase 1
                    // repairs the rest.
                    let x = self.x[j];
                    self.x[j] = if self.up[j].is_finite() && (self.up[j] - x) < (x - self.lo[j]) {
                        self.up[j]
                    } else {
                        self.lo[j]
                    };
                }
                None => {}
            }
        }
        for r in 0..m {
            if !taken[r] {
                self.head[r] = n + r;
                self.pos[n + r] = r;
            }
        }
        self.recompute();
    }

    /// `x := B^-1 x`: the factors, then the etas of the pivots since.
    fn ftran(&self, x: &mut [f64]) {
        self.l.ftran(x);
        self.u.btran(x);
        self.etas.ftran(x);
    }

    /// `y := y B^-1`, the transposed steps in reverse.
    fn btran(&self, y: &mut [f64]) {
        self.etas.btran(y);
        self.u.ftran(y);
        self.l.btran(y);
    }

    /// Adds to `nz` the rows where `a` is nonzero that are not marked.
    /// The etas touch few rows, but which ones is known only by looking,
    /// so this scans `a` only where an eta wrote: the eta rows.
    fn collect_nz(&self, a: &[f64], nz: &mut Vec<u32>, mark: &mut [bool]) {
        // A full scan is simplest and, with the dense work of the FTRAN
        // itself already O(m), costs no more in order.
        for (i, &v) in a.iter().enumerate() {
            if v != 0.0 && !mark[i] {
                mark[i] = true;
                nz.push(i as u32);
            }
        }
    }

    /// `x_B := B^-1 (b - N x_N)`, and whether the point is feasible.
    fn recompute(&mut self) {
        let (n, m) = (self.n, self.m);
        let mut r = self.b.clone();
        for j in 0..n {
            if self.pos[j] == usize::MAX && self.x[j] != 0.0 {
                for e in self.cs[j]..self.cs[j + 1] {
                    r[self.cr[e] as usize] -= self.cv[e] * self.x[j];
                }
            }
        }
        for i in 0..m {
            if self.pos[n + i] == usize::MAX {
                r[i] -= self.x[n + i];
            }
        }
        self.ftran(&mut r);
        for (p, &v) in r.iter().enumerate() {
            self.x[self.head[p]] = v;
        }
        self.feasible = self.infeasibility() == 0.0;
    }

    /// Sum of the bound violations of the basic columns (beyond the
    /// tolerance).
    fn infeasibility(&self) -> f64 {
        self.head
            .iter()
            .map(|&j| {
                let v = self.x[j];
                if v < self.lo[j] - PRIMAL_TOL {
                    self.lo[j] - v
                } else if v > self.up[j] + PRIMAL_TOL {
                    v - self.up[j]
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// Reduced costs of every column for the basic costs `cb` (by basis
    /// position) and structural costs `c`: `d = c - A^T y`.
    fn reduced_costs(&self, cb: &mut [f64], c: &[f64], d: &mut [f64]) {
        self.btran(cb);
        let n = self.n;
        d[..n].copy_from_slice(c);
        for (i, &y) in cb.iter().enumerate() {
            d[n + i] = -y;
            if y != 0.0 {
                for e in self.rs[i]..self.rs[i + 1] {
                    d[self.rc[e] as usize] -= self.rv[e] * y;
                }
            }
        }
    }

    /// Minimises `c . x` (structural costs) from the current basis, within
    /// `max_pivots` pivots in all.
    pub(crate) fn minimise(&mut self, c: &[f64], max_pivots: u64) -> Status {
        let budget = self.pivots + max_pivots;
        if !self.feasible {
            match self.run_phase1(budget) {
                Step::Done | Step::Floor(_) => {}
                Step::Stuck => return Status::Infeasible,
                Step::Unbounded | Step::Budget => return Status::Failed,
            }
        }
        match self.phase2(c, budget) {
            Step::Done => self.certify(c),
            Step::Floor(bound) => Status::Optimal {
                value: (0..self.n).map(|j| c[j] * self.x[j]).sum(),
                bound,
            },
            Step::Unbounded => Status::Unbounded,
            Step::Stuck | Step::Budget => Status::Failed,
        }
    }

    /// The value of `c . x` and the weak-duality bound, if both are
    /// trustworthy.
    fn certify(&mut self, c: &[f64]) -> Status {
        self.refactor();
        if !self.feasible {
            return Status::Failed;
        }
        let (n, m) = (self.n, self.m);
        // The point meets the rows within round-off.
        let mut worst = 0.0f64;
        for i in 0..m {
            let mut s = self.x[n + i];
            for e in self.rs[i]..self.rs[i + 1] {
                s += self.rv[e] * self.x[self.rc[e] as usize];
            }
            worst = worst.max((s - self.b[i]).abs());
        }
        if worst > 1e-6 {
            return Status::Failed;
        }
        let mut cb: Vec<f64> = (0..m)
            .map(|p| {
                let j = self.head[p];
                if j < n {
                    c[j]
                } else {
                    0.0
                }
            })
            .collect();
        let mut d = vec![0.0; n + m];
        self.reduced_costs(&mut cb, c, &mut d);
        // c.x = y.b + d.x for every point of the rows; over the box,
        // d.x is at least the sum of min(d l, d u).
        let mut bound: f64 = cb.iter().zip(&self.b).map(|(y, b)| y * b).sum();
        for j in 0..n + m {
            let dj = d[j];
            if dj > 0.0 {
                bound += dj * self.lo[j];
            } else if dj < 0.0 {
                if self.up[j].is_finite() {
                    bound += dj * self.up[j];
                } else if dj < -DUAL_TOL {
                    return Status::Failed;
                }
            }
        }
        let value: f64 = (0..n).map(|j| c[j] * self.x[j]).sum();
        if !bound.is_finite() || bound < value - 1e-6 * (1.0 + value.abs()) {
            return Status::Failed;
        }
        Status::Optimal {
            value,
            bound: bound.min(value),
        }
    }

    /// Phase 1: minimises the sum of the bound violations of the basics
    /// (Dantzig's rule, reduced costs afresh at each pivot: it runs rarely
    /// and briefly, from a crossover or after round-off) until there are
    /// none.
    fn run_phase1(&mut self, budget: u64) -> Step {
        let (n, m) = (self.n, self.m);
        let mut cb = vec![0.0; m];
        let mut d = vec![0.0; n + m];
        let zero = vec![0.0; n];
        let mut a = vec![0.0; m];
        let mut nz: Vec<u32> = Vec::new();
        let mut mark = vec![false; m];
        loop {
            if self.pivots >= budget {
                return Step::Budget;
            }
            // Basic costs: the gradient of the infeasibility.
            let mut any = false;
            for p in 0..m {
                let j = self.head[p];
                let v = self.x[j];
                cb[p] = if v < self.lo[j] - PRIMAL_TOL {
                    any = true;
                    -1.0
                } else if v > self.up[j] + PRIMAL_TOL {
                    any = true;
                    1.0
                } else {
                    0.0
                };
            }
            if !any {
                self.feasible = true;
                return Step::Done;
            }
            self.reduced_costs(&mut cb, &zero, &mut d);
            // Entering column: Dantzig's rule over the columns that can
            // move in their improving direction.
            let mut q = usize::MAX;
            let mut best = DUAL_TOL;
            for j in 0..n + m {
                if self.pos[j] != usize::MAX || self.lo[j] == self.up[j] {
                    continue;
                }
                let dj = d[j];
                let score = if dj < 0.0 && self.x[j] < self.up[j] {
                    -dj
                } else if dj > 0.0 && self.x[j] > self.lo[j] {
                    dj
                } else {
                    0.0
                };
                if score > best {
                    best = score;
                    q = j;
                }
            }
            if q == usize::MAX {
                return Step::Stuck;
            }
            let dir = if d[q] < 0.0 { 1.0 } else { -1.0 };
            nz.clear();
            self.scatter(q, &mut a, &mut nz);
            for &i in &nz {
                mark[i as usize] = true;
            }
            self.ftran(&mut a);
            self.collect_nz(&a, &mut nz, &mut mark);
            let (t, leave) = match self.ratio(&a, &nz, q, dir, true) {
                Ratio::Flip(t) => (t, None),
                Ratio::Leave(t, r, at) => (t, Some((r, at))),
                bad => {
                    for &i in &nz {
                        a[i as usize] = 0.0;
                        mark[i as usize] = false;
                    }
                    return if matches!(bad, Ratio::Unbounded) {
                        Step::Unbounded
                    } else {
                        Step::Budget
                    };
                }
            };
            // Move.
            self.x[q] += dir * t;
            for &i in &nz {
                let i = i as usize;
                if a[i] != 0.0 {
                    let j = self.head[i];
                    self.x[j] -= dir * t * a[i];
                }
            }
            self.pivots += 1;
            if let Some((r, at)) = leave {
                let j = self.head[r];
                self.x[j] = at;
                self.etas.push(&a, &nz, r);
                self.pos[j] = usize::MAX;
                self.head[r] = q;
                self.pos[q] = r;
                self.since += 1;
            }
            for &i in &nz {
                a[i as usize] = 0.0;
                mark[i as usize] = false;
            }
            if self.since >= REFACTOR {
                self.refactor();
            }
        }
    }

    /// Ratio test (Harris' two passes) for column `q` moving in `dir`
    /// along `-dir * a` in the basics.
    fn ratio(&self, a: &[f64], nz: &[u32], q: usize, dir: f64, phase1: bool) -> Ratio {
        // Limits of a basic column: its bounds, or in phase 1 for an
        // infeasible one, the bound it violates (it may move away freely).
        let limits = |j: usize| -> (f64, f64) {
            let v = self.x[j];
            if phase1 && v < self.lo[j] - PRIMAL_TOL {
                (f64::NEG_INFINITY, self.lo[j])
            } else if phase1 && v > self.up[j] + PRIMAL_TOL {
                (self.up[j], f64::INFINITY)
            } else {
                (self.lo[j], self.up[j])
            }
        };
        let range = if dir > 0.0 {
            self.up[q] - self.x[q]
        } else {
            self.x[q] - self.lo[q]
        };
        // The basics the step moves (pivots too small are round-off):
        // position, column, limits and rate of change.
        let moved = || {
            (nz.iter().map(|&i| i as usize))
                .filter(|&i| a[i].abs() >= PIV_TOL)
                .map(|i| {
                    let j = self.head[i];
                    let (l, u) = limits(j);
                    (i, j, l, u, -dir * a[i])
                })
        };
        let mut tmax = range;
        // Pass 1: the largest step with every basic within its limits
        // widened by the tolerance.
        for (_, j, l, u, rate) in moved() {
            let lim = if rate < 0.0 {
                (self.x[j] - l + PRIMAL_TOL) / -rate
            } else {
                (u - self.x[j] + PRIMAL_TOL) / rate
            };
            if lim < tmax {
                tmax = lim;
            }
        }
        if tmax.is_infinite() {
            return Ratio::Unbounded;
        }
        if tmax >= range {
            return Ratio::Flip(range);
        }
        // Pass 2: among the basics that block within that step, the one
        // with the largest pivot.
        let mut best: Option<(usize, f64, f64)> = None;
        let mut big = 0.0;
        for (i, j, l, u, rate) in moved() {
            let (ratio, at) = if rate < 0.0 {
                ((self.x[j] - l) / -rate, l)
            } else if u.is_finite() {
                ((u - self.x[j]) / rate, u)
            } else {
                continue;
            };
            if ratio <= tmax && a[i].abs() > big {
                big = a[i].abs();
                best = Some((i, ratio.max(0.0), at));
            }
        }
        match best {
            Some((r, t, at)) => Ratio::Leave(t, r, at),
            None => Ratio::Fail,
        }
    }
}

/// What the ratio test found.
enum Ratio {
    /// The entering column reaches its other bound first.
    Flip(f64),
    /// Step, leaving position and the value the leaving column takes.
    Leave(f64, usize, f64),
    Unbounded,
    /// No pivot large enough: round-off.
    Fail,
}

enum Step {
    Done,
    /// Phase 2 reached the least value the bounds alone allow (given):
    /// optimal, with no duals needed to prove it.
    Floor(f64),
    /// Phase 1 found no improving column with the point still infeasible.
    Stuck,
    Unbounded,
    Budget,
}

mod lu;
mod phase2;
#[cfg(test)]
mod tests;
