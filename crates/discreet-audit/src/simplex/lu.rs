//! Sparse LU factors of a basis, by Markowitz elimination.
//!
//! Each column is eliminated on a row chosen to keep the factors sparse:
//! singleton columns and rows first (no fill at all; on table-shaped
//! bases they are most of it), then, in what remains (the bump), the
//! column with the fewest entries on the entry of that column, large
//! enough for stability, whose row has the fewest. The product form of
//! the same basis transforms every bump column through all the etas
//! before it, which on three-dimensional tables fills them to hundreds of
//! entries; eliminating by rows keeps the fill local.
//!
//! The factors are kept as two eta files so that the solves reuse the
//! eta code: `L` as column etas with unit pivots (its forward solve is an
//! eta FTRAN, its transpose an eta BTRAN), and `U` as one eta per pivot
//! row, whose back substitution is exactly an eta BTRAN and whose
//! transposed solve an eta FTRAN. A column's basis position is the row it
//! was eliminated on, so both solves work in one index space.

use super::Etas;

/// Smallest pivot accepted, in absolute value.
const ABS_TOL: f64 = 1e-7;
/// A pivot must be at least this share of the largest entry of its
/// column (threshold pivoting).
const REL_TOL: f64 = 0.1;
/// Columns of least count compared by Markowitz cost at each bump step.
const SEARCH: usize = 4;

/// Where each column of a factorised basis went.
pub(super) struct Pivots {
    /// The row each column was eliminated on, `None` for a column left
    /// out (no usable pivot: the basis was singular or nearly).
    pub row_of: Vec<Option<u32>>,
}

/// The active part of the matrix during elimination.
struct Active {
    /// Entries by row: column and value.
    rows: Vec<Vec<(u32, f64)>>,
    /// Rows of each column, including rows already eliminated (skipped).
    cols: Vec<Vec<u32>>,
    col_count: Vec<u32>,
    row_done: Vec<bool>,
    col_done: Vec<bool>,
    /// Scratch: 1 + index in the row being updated, 0 when absent.
    slot: Vec<u32>,
}

impl Active {
    /// The value of entry `(i, c)`, if present.
    fn get(&self, i: usize, c: u32) -> Option<f64> {
        self.rows[i].iter().find(|e| e.0 == c).map(|e| e.1)
    }

    /// The largest entry of column `c` in absolute value.
    fn col_max(&self, c: usize) -> f64 {
        let mut big = 0.0f64;
        for &i in &self.cols[c] {
            if !self.row_done[i as usize] {
                if let Some(v) = self.get(i as usize, c as u32) {
                    big = big.max(v.abs());
                }
            }
        }
        big
    }

    /// Takes column `c` out without a pivot.
    fn drop_col(&mut self, c: usize) {
        self.col_done[c] = true;
        for k in 0..self.cols[c].len() {
            let i = self.cols[c][k] as usize;
            if !self.row_done[i] {
                self.rows[i].retain(|e| e.0 != c as u32);
            }
        }
    }

    /// The best pivot of column `c` by Markowitz cost, with its cost.
    fn best_in_col(&self, c: usize) -> Option<(usize, u64)> {
        let big = self.col_max(c);
        if big < ABS_TOL {
            return None;
        }
        let cc = self.col_count[c] as u64;
        let mut best: Option<(usize, u64)> = None;
        for &i in &self.cols[c] {
            let i = i as usize;
            if self.row_done[i] {
                continue;
            }
            let Some(v) = self.get(i, c as u32) else {
                continue;
            };
            if v.abs() < (REL_TOL * big).max(ABS_TOL) {
                continue;
            }
            let cost = (self.rows[i].len() as u64 - 1) * (cc - 1);
            if best.is_none_or(|b| cost < b.1) {
                best = Some((i, cost));
            }
        }
        best
    }
}

/// Factorises the `m`-row basis whose columns are `cols` (rows and
/// values), appending `L` to `l` and `U` to `u` (both cleared first).
/// Rows left without a column take their logical (a unit column: nothing
/// to store).
pub(super) fn factor(m: usize, cols: &[Vec<(u32, f64)>], l: &mut Etas, u: &mut Etas) -> Pivots {
    l.clear();
    u.clear();
    let k = cols.len();
    let mut a = Active {
        rows: vec![Vec::new(); m],
        cols: vec![Vec::new(); k],
        col_count: vec![0; k],
        row_done: vec![false; m],
        col_done: vec![false; k],
        slot: vec![0; k],
    };
    for (c, col) in cols.iter().enumerate() {
        for &(i, v) in col {
            a.rows[i as usize].push((c as u32, v));
            a.cols[c].push(i);
        }
        a.col_count[c] = col.len() as u32;
    }
    let mut row_of: Vec<Option<u32>> = vec![None; k];
    // Eliminated pivots in order: row, column, pivot value, U entries by
    // column (mapped to rows once every column has its row).
    let mut order: Vec<(u32, u32, f64)> = Vec::with_capacity(k);
    let mut u_start = vec![0usize];
    let mut u_ent: Vec<(u32, f64)> = Vec::new();
    let mut col_stack: Vec<u32> = (0..k as u32)
        .rev()
        .filter(|&c| a.col_count[c as usize] == 1)
        .collect();
    let mut row_stack: Vec<u32> = (0..m as u32)
        .rev()
        .filter(|&i| a.rows[i as usize].len() == 1)
        .collect();
    let mut left = k;
    while left > 0 {
        let pick = next_pivot(&mut a, &mut col_stack, &mut row_stack, &mut left);
        let Some((r, c)) = pick else {
            continue;
        };
        left -= 1;
        let piv = a.get(r, c as u32).expect("the pivot is an entry");
        row_of[c] = Some(r as u32);
        order.push((r as u32, c as u32, piv));
        eliminate(&mut a, r, c, piv, l, &mut col_stack, &mut row_stack);
        for &(q, v) in &a.rows[r] {
            if q as usize != c {
                u_ent.push((q, v));
            }
        }
        u_start.push(u_ent.len());
    }
    for (n, &(r, _, piv)) in order.iter().enumerate() {
        let ent = u_ent[u_start[n]..u_start[n + 1]]
            .iter()
            .filter_map(|&(q, v)| row_of[q as usize].map(|p| (p, v)));
        u.push_sparse(r as usize, piv, ent);
    }
    Pivots { row_of }
}

/// The next pivot `(row, column)`: a singleton column or row if any is
/// usable, else the best of the least-count columns. Columns found
/// without a usable pivot are dropped on the way (and `left` counts them
/// off); `None` when that was all this call did.
fn next_pivot(
    a: &mut Active,
    col_stack: &mut Vec<u32>,
    row_stack: &mut Vec<u32>,
    left: &mut usize,
) -> Option<(usize, usize)> {
    while let Some(c) = col_stack.pop() {
        let c = c as usize;
        if a.col_done[c] || a.col_count[c] != 1 {
            continue;
        }
        if let Some((r, _)) = a.best_in_col(c) {
            return Some((r, c));
        }
        a.drop_col(c);
        *left -= 1;
        return None;
    }
    while let Some(r) = row_stack.pop() {
        let r = r as usize;
        if a.row_done[r] || a.rows[r].len() != 1 {
            continue;
        }
        let (c, v) = a.rows[r][0];
        let c = c as usize;
        if v.abs() >= (REL_TOL * a.col_max(c)).max(ABS_TOL) {
            return Some((r, c));
        }
    }
    // The bump: the least-count columns, compared by Markowitz cost.
    let mut least = u32::MAX;
    let mut cands: Vec<usize> = Vec::with_capacity(SEARCH);
    for c in 0..a.col_done.len() {
        if a.col_done[c] {
            continue;
        }
        let n = a.col_count[c];
        if n == 0 {
            a.drop_col(c);
            *left -= 1;
            return None;
        }
        if n < least {
            least = n;
            cands.clear();
        }
        if n == least && cands.len() < SEARCH {
            cands.push(c);
        }
    }
    let mut best: Option<(usize, usize, u64)> = None;
    for &c in &cands {
        match a.best_in_col(c) {
            Some((r, cost)) => {
                if best.is_none_or(|b| cost < b.2) {
                    best = Some((r, c, cost));
                }
            }
            None => {
                a.drop_col(c);
                *left -= 1;
                return None;
            }
        }
    }
    if cands.is_empty() {
        // Nothing active is left (the counts say otherwise only if they
        // went wrong): stop rather than loop.
        *left = 0;
    }
    best.map(|(r, c, _)| (r, c))
}

/// Eliminates column `c` on row `r`: the multipliers go to `L`, the other
/// rows of the column take their share of row `r` (new entries are the
/// fill), and both leave the active part.
fn eliminate(
    a: &mut Active,
    r: usize,
    c: usize,
    piv: f64,
    l: &mut Etas,
    col_stack: &mut Vec<u32>,
    row_stack: &mut Vec<u32>,
) {
    let pivot_row = std::mem::take(&mut a.rows[r]);
    let mut mult: Vec<(u32, f64)> = Vec::new();
    for k in 0..a.cols[c].len() {
        let i = a.cols[c][k] as usize;
        if i == r || a.row_done[i] {
            continue;
        }
        let row = &mut a.rows[i];
        let at = row
            .iter()
            .position(|e| e.0 == c as u32)
            .expect("a column's rows hold its entries");
        let v = row.swap_remove(at).1;
        if v != 0.0 {
            let f = v / piv;
            mult.push((i as u32, f));
            for (s, e) in row.iter().enumerate() {
                a.slot[e.0 as usize] = s as u32 + 1;
            }
            for &(q, w) in &pivot_row {
                if q as usize == c {
                    continue;
                }
                let s = a.slot[q as usize];
                if s > 0 {
                    row[s as usize - 1].1 -= f * w;
                } else {
                    row.push((q, -f * w));
                    a.cols[q as usize].push(i as u32);
                    a.col_count[q as usize] += 1;
                }
            }
            for e in row.iter() {
                a.slot[e.0 as usize] = 0;
            }
        }
        if a.rows[i].len() == 1 {
            row_stack.push(i as u32);
        }
    }
    l.push_sparse(r, 1.0, mult.into_iter());
    a.row_done[r] = true;
    a.col_done[c] = true;
    for &(q, _) in &pivot_row {
        let q = q as usize;
        if q != c {
            a.col_count[q] -= 1;
            if a.col_count[q] == 1 {
                col_stack.push(q as u32);
            }
        }
    }
    a.rows[r] = pivot_row;
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{factor, Etas};

    /// Random sparse square matrices of +-1 entries (some singular): the
    /// factors solve `B x = a` and `y B = c` for the columns they keep,
    /// with the logicals standing in for the columns left out.
    #[test]
    fn factors_solve_random_sparse_bases() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut kept = 0;
        for _ in 0..300 {
            let m = rng.gen_range(1..40);
            let mut cols: Vec<Vec<(u32, f64)>> = (0..m)
                .map(|_| {
                    let mut rows: Vec<u32> = (0..rng.gen_range(1..4))
                        .map(|_| rng.gen_range(0..m as u32))
                        .collect();
                    rows.sort_unstable();
                    rows.dedup();
                    let sign = |b: bool| if b { 1.0 } else { -1.0 };
                    rows.into_iter()
                        .map(|i| (i, sign(rng.gen_bool(0.7))))
                        .collect()
                })
                .collect();
            // Sometimes a unit column, as a logical is.
            if rng.gen_bool(0.5) {
                cols[0] = vec![(rng.gen_range(0..m as u32), 1.0)];
            }
            let (mut l, mut u) = (Etas::default(), Etas::default());
            let piv = factor(m, &cols, &mut l, &mut u);
            // The basis the factors stand for, by position (= row).
            let mut basis: Vec<Vec<(u32, f64)>> = (0..m).map(|i| vec![(i as u32, 1.0)]).collect();
            for (c, r) in piv.row_of.iter().enumerate() {
                if let Some(r) = r {
                    basis[*r as usize] = cols[c].clone();
                    kept += 1;
                }
            }
            let a: Vec<f64> = (0..m).map(|_| rng.gen_range(-5..6) as f64).collect();
            let mut x = a.clone();
            l.ftran(&mut x);
            u.btran(&mut x);
            let mut bx = vec![0.0; m];
            for (p, col) in basis.iter().enumerate() {
                for &(i, v) in col {
                    bx[i as usize] += v * x[p];
                }
            }
            for i in 0..m {
                assert!((bx[i] - a[i]).abs() < 1e-9, "B x = a fails at row {i}");
            }
            let mut y = a.clone();
            u.ftran(&mut y);
            l.btran(&mut y);
            for (p, col) in basis.iter().enumerate() {
                let s: f64 = col.iter().map(|&(i, v)| v * y[i as usize]).sum();
                assert!((s - a[p]).abs() < 1e-9, "y B = c fails at position {p}");
            }
        }
        assert!(kept > 3000, "too few columns kept: {kept}");
    }
}
