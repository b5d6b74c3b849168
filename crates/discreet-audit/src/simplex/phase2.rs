//! Phase 2 with Devex pricing and reduced costs kept up to date from the
//! pivot row.
//!
//! The objectives of a block are degenerate: most pivots move nothing,
//! and Dantzig's rule (the largest reduced cost) walks long chains of
//! them. Devex weighs each reduced cost by an estimate of the length of
//! its edge, so the chosen edges descend more steeply, in fewer pivots.
//! Its weights need the pivot row, and the pivot row also updates the
//! reduced costs, so no pivot recomputes them over the whole matrix; they
//! are recomputed afresh at every rebuild of the factors, and once more
//! before optimality is declared, so round-off in the updates can neither
//! stop the search early nor reach the certificate (which recomputes its
//! own duals).

use super::{Ratio, Simplex, Step, DUAL_TOL, REFACTOR};

/// How near the least value the bounds allow a point must come to be
/// taken as reaching it. The bound reported is that least value itself,
/// a true bound whatever the tolerance; the tolerance only decides when
/// to stop, and is far below the slack of the rounding to integers.
const FLOOR_TOL: f64 = 1e-9;

/// Work vectors of one phase 2 run.
struct Work {
    /// Reduced costs of every column.
    d: Vec<f64>,
    /// Devex reference weights.
    w: Vec<f64>,
    /// The entering column through the basis inverse, and its rows.
    a: Vec<f64>,
    nz: Vec<u32>,
    mark: Vec<bool>,
    /// The pivot row: `e_r B^-1`, then over the columns, with the columns
    /// it touches.
    rho: Vec<f64>,
    alpha: Vec<f64>,
    touched: Vec<u32>,
}

impl Simplex {
    /// Reduced costs of every column for structural costs `c`, afresh.
    fn fresh_costs(&self, c: &[f64], d: &mut [f64]) {
        let n = self.n;
        let mut cb: Vec<f64> = (self.head.iter())
            .map(|&j| if j < n { c[j] } else { 0.0 })
            .collect();
        self.reduced_costs(&mut cb, c, d);
    }

    /// The entering column by Devex: the largest squared reduced cost per
    /// weight, over the columns that can move in their improving
    /// direction.
    fn devex_entering(&self, d: &[f64], w: &[f64]) -> Option<usize> {
        let mut q = None;
        let mut best = 0.0;
        for j in 0..self.n + self.m {
            if self.pos[j] != usize::MAX || self.lo[j] == self.up[j] {
                continue;
            }
            let dj = d[j];
            let ok = (dj < -DUAL_TOL && self.x[j] < self.up[j])
                || (dj > DUAL_TOL && self.x[j] > self.lo[j]);
            if ok {
                let score = dj * dj / w[j];
                if score > best {
                    best = score;
                    q = Some(j);
                }
            }
        }
        q
    }

    /// Phase 2 from a feasible basis: minimises `c . x` until no column
    /// improves it, within the pivot `budget`.
    pub(super) fn phase2(&mut self, c: &[f64], budget: u64) -> Step {
        let (n, m) = (self.n, self.m);
        let mut k = Work {
            d: vec![0.0; n + m],
            w: vec![1.0; n + m],
            a: vec![0.0; m],
            nz: Vec::new(),
            mark: vec![false; m],
            rho: vec![0.0; m],
            alpha: vec![0.0; n + m],
            touched: Vec::new(),
        };
        self.fresh_costs(c, &mut k.d);
        let mut fresh = true;
        // The least value the bounds alone allow: a point that reaches it
        // is optimal whatever the reduced costs say, which spares the
        // degenerate pivots that would only prove it (on bounds that
        // propagation already had right, most of the search).
        let support: Vec<usize> = (0..n).filter(|&j| c[j] != 0.0).collect();
        let floor: f64 = (support.iter())
            .map(|&j| (c[j] * self.lo[j]).min(c[j] * self.up[j]))
            .sum();
        loop {
            if self.pivots >= budget {
                return Step::Budget;
            }
            if floor.is_finite() {
                let value: f64 = support.iter().map(|&j| c[j] * self.x[j]).sum();
                if value <= floor + FLOOR_TOL {
                    return Step::Floor(floor);
                }
            }
            let Some(q) = self.devex_entering(&k.d, &k.w) else {
                if fresh {
                    return Step::Done;
                }
                // The updated costs say optimal: make sure with fresh ones.
                self.fresh_costs(c, &mut k.d);
                fresh = true;
                continue;
            };
            fresh = false;
            if let Some(end) = self.devex_pivot(q, &mut k) {
                return end;
            }
            if self.since >= REFACTOR {
                self.refactor();
                if !self.feasible && !matches!(self.run_phase1(budget), Step::Done) {
                    // Round-off left the point outside and phase 1
                    // could not bring it back.
                    return Step::Budget;
                }
                self.fresh_costs(c, &mut k.d);
                fresh = true;
            }
        }
    }

    /// One pivot on entering column `q`: the ratio test, the move, and
    /// the updates of the basis, the reduced costs and the weights.
    /// `Some` ends the run (unbounded, or round-off).
    fn devex_pivot(&mut self, q: usize, k: &mut Work) -> Option<Step> {
        let dir = if k.d[q] < 0.0 { 1.0 } else { -1.0 };
        k.nz.clear();
        self.scatter(q, &mut k.a, &mut k.nz);
        for &i in &k.nz {
            k.mark[i as usize] = true;
        }
        self.ftran(&mut k.a);
        self.collect_nz(&k.a, &mut k.nz, &mut k.mark);
        let clear = |k: &mut Work| {
            for &i in &k.nz {
                k.a[i as usize] = 0.0;
                k.mark[i as usize] = false;
            }
        };
        let (t, leave) = match self.ratio(&k.a, &k.nz, q, dir, false) {
            Ratio::Flip(t) => (t, None),
            Ratio::Leave(t, r, at) => (t, Some((r, at))),
            bad => {
                clear(k);
                return Some(if matches!(bad, Ratio::Unbounded) {
                    Step::Unbounded
                } else {
                    Step::Budget
                });
            }
        };
        self.x[q] += dir * t;
        for &i in &k.nz {
            let i = i as usize;
            if k.a[i] != 0.0 {
                let j = self.head[i];
                self.x[j] -= dir * t * k.a[i];
            }
        }
        self.pivots += 1;
        if let Some((r, at)) = leave {
            let j = self.head[r];
            self.x[j] = at;
            self.update_costs(q, r, k);
            self.etas.push(&k.a, &k.nz, r);
            self.pos[j] = usize::MAX;
            self.head[r] = q;
            self.pos[q] = r;
            self.since += 1;
            self.reach(j);
        }
        // Phase 2 keeps the point feasible: the values it moved are
        // witnesses.
        self.reach(q);
        for e in 0..k.nz.len() {
            self.reach(self.head[k.nz[e] as usize]);
        }
        clear(k);
        None
    }

    /// Before the basis change `q` in at position `r`: the pivot row
    /// `e_r B^-1 A` over the nonbasic columns, and from it the new reduced
    /// costs and Devex weights.
    fn update_costs(&mut self, q: usize, r: usize, k: &mut Work) {
        let n = self.n;
        k.rho[r] = 1.0;
        self.btran(&mut k.rho);
        for i in 0..self.m {
            let y = k.rho[i];
            if y == 0.0 {
                continue;
            }
            k.rho[i] = 0.0;
            let mut add = |j: usize, v: f64| {
                if self.pos[j] == usize::MAX {
                    if k.alpha[j] == 0.0 {
                        k.touched.push(j as u32);
                    }
                    k.alpha[j] += v;
                }
            };
            add(n + i, y);
            for e in self.rs[i]..self.rs[i + 1] {
                add(self.rc[e] as usize, self.rv[e] * y);
            }
        }
        let piv = k.a[r];
        let theta = k.d[q] / piv;
        let wq = k.w[q];
        for &j in &k.touched {
            let j = j as usize;
            let al = k.alpha[j];
            k.alpha[j] = 0.0;
            if j == q {
                continue;
            }
            k.d[j] -= theta * al;
            let ratio = al / piv;
            let wj = ratio * ratio * wq;
            if wj > k.w[j] {
                k.w[j] = wj;
            }
        }
        k.touched.clear();
        let leaving = self.head[r];
        k.d[leaving] = -theta;
        k.w[leaving] = (wq / (piv * piv)).max(1.0);
        k.d[q] = 0.0;
    }
}
