//! A sparse basis of the table perturbations: the vectors `n` (one entry per
//! var) with `total = sum of parts` for every additive relation, i.e. the
//! null space of the relation matrix, modulo `P`. Distinct relations are
//! inequalities and take no part.
//!
//! Which basis matters a great deal for the elimination that follows: it
//! publishes the margins first (they have the largest counts), and
//! publishing a cell costs one row operation per basis row non-zero at it.
//! The obvious basis (one vector per inner cell, 1 at the cell and at every
//! margin containing it) is non-zero at the grand total in every row and at
//! a margin in every row under it: publishing the margins alone costs about
//! (inner cells x margins per inner cell) row operations, and leaves rows
//! sharing "hub" cells.
//!
//! The basis used instead takes each relation's *last part* as the cell it
//! defines (`last = total - other parts`) and leaves the totals free. For a
//! hierarchical table that is a Haar-like basis: the vector of a free cell
//! runs down one chain of last children from each of its coordinates, and
//! the vector of a total is non-zero at few margins. On a million-cell
//! table it costs about a tenth of the row operations of the obvious basis
//! (`benches/RESULTS.md`). The answer of the elimination does not depend on
//! the basis, only its cost.
//!
//! How: Gaussian elimination of the relations into echelon form with the
//! columns ordered by how many relations a var is the last part of (most
//! first), then deepest first (reverse topological order of the graph
//! total -> part), so that a relation's leading var is its last part. A
//! relation whose leading var has no definition yet becomes that var's
//! definition unchanged; the others (a cell that is the last part of
//! several relations, relations that repeat what the others say) are
//! reduced afterwards, when nearly every definition exists, and mostly
//! vanish. Vars left without a definition are free; the vector of a free var
//! is found by back-substitution through the definitions, pushing values
//! only from vars that end up non-zero.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use discreet_audit::{RelationKind, System};

use crate::modp::{inv, mul, neg, sub};
use crate::store::Rows;

const NONE: u32 = u32::MAX;

/// Rows in compressed form: row `r` is `vars[start[r]..start[r + 1]]`
/// (increasing) with `coefs` alongside, all non-zero.
struct Basis {
    start: Vec<usize>,
    vars: Vec<u32>,
    coefs: Vec<u64>,
}

/// Compressed lists of u32 (CSR), built by counting.
struct Csr {
    start: Vec<usize>,
    items: Vec<u32>,
}

impl Csr {
    fn of(&self, i: usize) -> &[u32] {
        &self.items[self.start[i]..self.start[i + 1]]
    }
}

fn csr(n: usize, pairs: &[(u32, u32)]) -> Csr {
    let mut start = vec![0usize; n + 1];
    for &(a, _) in pairs {
        start[a as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut items = vec![0u32; pairs.len()];
    for &(a, b) in pairs {
        items[fill[a as usize]] = b;
        fill[a as usize] += 1;
    }
    Csr { start, items }
}

/// Positions of the vars in a topological order of the graph total -> part
/// (Kahn's algorithm, first in first out, ties by var), so that a total
/// comes before its parts: a measure of depth. A cycle (possible only
/// through unusual equality chains) is broken at its smallest var: the
/// order then only costs sparsity, never correctness.
fn topological_positions(sys: &System, additive: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let n = sys.n_vars();
    let mut indeg = vec![0u32; n];
    let mut edges: Vec<(u32, u32)> = Vec::new();
    for &r in additive {
        let rel = sys.relation(r as usize);
        for &p in rel.parts {
            indeg[p as usize] += 1;
            edges.push((rel.total, p));
        }
    }
    let down = csr(n, &edges);
    drop(edges);
    let mut pos = vec![NONE; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut queue: VecDeque<u32> = (0..n as u32).filter(|&v| indeg[v as usize] == 0).collect();
    let mut next_unplaced = 0usize;
    while order.len() < n {
        let v = match queue.pop_front() {
            Some(v) => v,
            None => {
                while pos[next_unplaced] != NONE {
                    next_unplaced += 1;
                }
                next_unplaced as u32
            }
        };
        if pos[v as usize] != NONE {
            continue;
        }
        pos[v as usize] = order.len() as u32;
        order.push(v);
        for &p in down.of(v as usize) {
            let d = &mut indeg[p as usize];
            if *d > 0 {
                *d -= 1;
                if *d == 0 && pos[p as usize] == NONE {
                    queue.push_back(p);
                }
            }
        }
    }
    (pos, order)
}

/// The null space basis of the additive relations of `sys`, one row per
/// free var.
pub(crate) fn null_basis(sys: &System) -> Rows {
    let n = sys.n_vars();
    let additive: Vec<u32> = (0..sys.n_relations() as u32)
        .filter(|&r| sys.relation(r as usize).kind == RelationKind::Additive)
        .collect();
    let (order, pos) = column_order(sys, &additive);

    // Relations by leading var.
    let mut rels = additive;
    rels.sort_by_key(|&r| {
        let rel = sys.relation(r as usize);
        let lead = std::iter::once(&rel.total)
            .chain(rel.parts)
            .map(|&v| pos[v as usize])
            .min()
            .expect("a relation has cells");
        (lead, r)
    });

    let mut defs = Defs::new(n);
    let conflicts = defs.first_pass(sys, &rels, &pos);
    let mut row = RowScratch {
        val: vec![0u64; n],
        touched: Vec::new(),
        heap: BinaryHeap::new(),
    };
    for &r in &conflicts {
        defs.reduce(sys, r, &order, &pos, &mut row);
    }
    let (def_of, users) = defs.into_users(n);
    back_substitute(&def_of, &users, &pos, row.val)
}

/// The order of the columns: vars that are the last part of more relations
/// first, then deepest first, so that a relation's leading var is its last
/// part. Returns the order and each var's position in it.
fn column_order(sys: &System, additive: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let n = sys.n_vars();
    let (level, _) = topological_positions(sys, additive);
    let mut last_of = vec![0u32; n];
    for &r in additive {
        let rel = sys.relation(r as usize);
        if let Some(&last) = rel.parts.last() {
            last_of[last as usize] += 1;
        }
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&v| (Reverse(last_of[v as usize]), Reverse(level[v as usize]), v));
    let mut pos = vec![0u32; n];
    for (i, &v) in order.iter().enumerate() {
        pos[v as usize] = i as u32;
    }
    (order, pos)
}

/// Definitions in echelon form: `vars[start[i]]` is the pivot of definition
/// `i` (coefficient 1), the other entries come after it in the column
/// order; `of[v]` is the definition whose pivot is `v`, if any.
struct Defs {
    of: Vec<u32>,
    start: Vec<usize>,
    vars: Vec<u32>,
    coefs: Vec<u64>,
}

impl Defs {
    fn new(n: usize) -> Self {
        Defs {
            of: vec![NONE; n],
            start: vec![0],
            vars: Vec::new(),
            coefs: Vec::new(),
        }
    }

    /// Opens the definition of pivot `v`.
    fn begin(&mut self, v: u32) {
        self.of[v as usize] = (self.start.len() - 1) as u32;
        self.vars.push(v);
        self.coefs.push(1);
    }

    fn push(&mut self, v: u32, c: u64) {
        self.vars.push(v);
        self.coefs.push(c);
    }

    fn end(&mut self) {
        self.start.push(self.vars.len());
    }

    /// A relation whose leading var has no definition yet is that var's
    /// definition as it stands (short: one relation). Only the others are
    /// returned, to be reduced when nearly every definition exists:
    /// reducing them in the same pass would turn some into long definitions
    /// of vars whose own relation comes later, and multiply the work of the
    /// back-substitution.
    fn first_pass(&mut self, sys: &System, rels: &[u32], pos: &[u32]) -> Vec<u32> {
        let mut conflicts: Vec<u32> = Vec::new();
        for &r in rels {
            let rel = sys.relation(r as usize);
            let lead = std::iter::once(&rel.total)
                .chain(rel.parts)
                .copied()
                .min_by_key(|&v| pos[v as usize])
                .expect("a relation has cells");
            if self.of[lead as usize] != NONE {
                conflicts.push(r);
                continue;
            }
            // Scaled so that the leading var has coefficient 1.
            let (t, p) = if lead == rel.total {
                (1, neg(1))
            } else {
                (neg(1), 1)
            };
            self.begin(lead);
            for v in rel.cells() {
                if v != lead {
                    self.push(v, if v == rel.total { t } else { p });
                }
            }
            self.end();
        }
        conflicts
    }

    /// Eliminates relation `r` by the definitions until it is zero
    /// (redundant) or leads with a var that has no definition yet (a new
    /// pivot).
    fn reduce(&mut self, sys: &System, r: u32, order: &[u32], pos: &[u32], row: &mut RowScratch) {
        let rel = sys.relation(r as usize);
        let RowScratch { val, touched, heap } = row;
        touched.clear();
        heap.clear();
        val[rel.total as usize] = 1;
        touched.push(rel.total);
        heap.push(Reverse(pos[rel.total as usize]));
        for &p in rel.parts {
            val[p as usize] = neg(1);
            touched.push(p);
            heap.push(Reverse(pos[p as usize]));
        }
        while let Some(Reverse(q)) = heap.pop() {
            let v = order[q as usize];
            let c = val[v as usize];
            if c == 0 {
                continue;
            }
            let d = self.of[v as usize];
            if d == NONE {
                let cinv = inv(c);
                self.begin(v);
                for &u in touched.iter() {
                    let x = val[u as usize];
                    if u != v && x != 0 {
                        debug_assert!(pos[u as usize] > q);
                        self.push(u, mul(x, cinv));
                        // Mark as copied so a var touched twice is not
                        // pushed twice; cleared below anyway.
                        val[u as usize] = 0;
                    }
                }
                self.end();
                break;
            }
            val[v as usize] = 0;
            let (s, e) = (self.start[d as usize], self.start[d as usize + 1]);
            for i in s + 1..e {
                let u = self.vars[i];
                let old = val[u as usize];
                let new = sub(old, mul(c, self.coefs[i]));
                val[u as usize] = new;
                if old == 0 && new != 0 {
                    touched.push(u);
                    heap.push(Reverse(pos[u as usize]));
                }
            }
        }
        for &u in touched.iter() {
            val[u as usize] = 0;
        }
    }

    /// Which definitions use each var, with the coefficient: the dependents
    /// of a free var are found by pushing values along these.
    /// Returns the pivots' definitions (`of`) with the users; the
    /// definitions themselves are dropped.
    fn into_users(self, n: usize) -> (Vec<u32>, Users) {
        let mut start = vec![0usize; n + 1];
        for d in 0..self.start.len() - 1 {
            for &u in &self.vars[self.start[d] + 1..self.start[d + 1]] {
                start[u as usize + 1] += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut users = vec![(0u32, 0u64); start[n]];
        for d in 0..self.start.len() - 1 {
            let (s, e) = (self.start[d], self.start[d + 1]);
            let pivot = self.vars[s];
            for k in s + 1..e {
                let u = self.vars[k] as usize;
                users[fill[u]] = (pivot, self.coefs[k]);
                fill[u] += 1;
            }
        }
        (self.of, Users { start, users })
    }
}

/// Scratch of [`Defs::reduce`]: the row's value per var (zero outside a
/// reduction), the vars it touched and its vars by column position.
struct RowScratch {
    val: Vec<u64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<u32>>,
}

/// Per var, the (pivot, coefficient) of every definition that uses it.
struct Users {
    start: Vec<usize>,
    users: Vec<(u32, u64)>,
}

/// The basis by back-substitution from each free var (one with no
/// definition): a definition `d + sum c_u u` only refers to vars after its
/// pivot, so taking the pending dependents last in the order first, each is
/// final when taken. Values are pushed from non-zero vars only, so
/// cancellations keep the work near the size of the vector. `acc` is zero
/// scratch, one entry per var.
fn back_substitute(def_of: &[u32], users: &Users, pos: &[u32], mut acc: Vec<u64>) -> Rows {
    let n = def_of.len();
    let Users { start, users } = users;
    let mut basis = Basis {
        start: vec![0],
        vars: Vec::new(),
        coefs: Vec::new(),
    };
    let mut mark = vec![NONE; n];
    let mut heap: BinaryHeap<(u32, u32)> = BinaryHeap::new();
    let mut row: Vec<(u32, u64)> = Vec::new();
    let mut pending: Vec<u32> = Vec::new();
    for f in 0..n as u32 {
        if def_of[f as usize] != NONE {
            continue;
        }
        row.clear();
        pending.clear();
        let mut push = |u: u32, x: u64, acc: &mut [u64], heap: &mut BinaryHeap<(u32, u32)>| {
            for &(d, c) in &users[start[u as usize]..start[u as usize + 1]] {
                let di = d as usize;
                acc[di] = sub(acc[di], mul(c, x));
                if mark[di] != f {
                    mark[di] = f;
                    heap.push((pos[di], d));
                    pending.push(d);
                }
            }
        };
        row.push((f, 1));
        push(f, 1, &mut acc, &mut heap);
        while let Some((_, d)) = heap.pop() {
            let x = acc[d as usize];
            if x != 0 {
                row.push((d, x));
                push(d, x, &mut acc, &mut heap);
            }
        }
        for &d in &pending {
            acc[d as usize] = 0;
        }
        row.sort_unstable_by_key(|&(v, _)| v);
        for &(v, c) in &row {
            basis.vars.push(v);
            basis.coefs.push(c);
        }
        basis.start.push(basis.vars.len());
    }
    Rows::new(basis.start, basis.vars, basis.coefs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modp::{add, P};
    use discreet_audit::{Interval, SystemBuilder};

    /// Every basis vector satisfies every additive relation, and the
    /// vectors are independent (a dense rank check).
    fn check_null(sys: &System, b: &Rows) {
        let n = sys.n_vars();
        let mut dense: Vec<Vec<u64>> = Vec::new();
        for r in 0..b.n_rows() as u32 {
            let mut val = vec![0u64; n];
            for (&v, &c) in b.vars(r).iter().zip(b.coefs(r)) {
                assert!(c != 0 && c < P);
                val[v as usize] = c;
            }
            for rel in sys.relations() {
                if rel.kind != RelationKind::Additive {
                    continue;
                }
                let s = rel.parts.iter().fold(0, |a, &p| add(a, val[p as usize]));
                assert_eq!(val[rel.total as usize], s);
            }
            dense.push(val);
        }
        // Rank by elimination modulo P.
        let mut rank = 0;
        for col in 0..n {
            let Some(p) = (rank..dense.len()).find(|&i| dense[i][col] != 0) else {
                continue;
            };
            dense.swap(rank, p);
            let pinv = inv(dense[rank][col]);
            let pivot = dense[rank].clone();
            for (i, row) in dense.iter_mut().enumerate() {
                if i != rank && row[col] != 0 {
                    let f = mul(row[col], pinv);
                    for (x, y) in row.iter_mut().zip(&pivot) {
                        *x = sub(*x, mul(f, *y));
                    }
                }
            }
            rank += 1;
        }
        assert_eq!(rank, b.n_rows(), "independent");
    }

    #[test]
    fn two_by_two_with_margins() {
        // 3x3 cells: (i, j), i, j in {0, 1, T=2}.
        let t = discreet_audit::synthetic::additive_table(
            &[
                discreet_audit::synthetic::Dim::flat(2),
                discreet_audit::synthetic::Dim::flat(2),
            ],
            || 1,
            Interval::exact,
        );
        let b = null_basis(&t.system);
        assert_eq!(b.n_rows(), 4);
        check_null(&t.system, &b);
    }

    #[test]
    fn linked_tables_lose_a_dimension_per_independent_tie() {
        // Table A: a = a1 + a2; table B: b = b1 + b2 + b3; tie a = b.
        let mut sb = SystemBuilder::new();
        let v: Vec<_> = (0..7).map(|_| sb.add_var(Interval::at_least(0))).collect();
        sb.add_additive(v[0], &[v[1], v[2]]).unwrap();
        sb.add_additive(v[3], &[v[4], v[5], v[6]]).unwrap();
        sb.add_equal(v[0], v[3]).unwrap();
        let sys = sb.build();
        let b = null_basis(&sys);
        // 7 vars, 3 independent relations.
        assert_eq!(b.n_rows(), 4);
        check_null(&sys, &b);
    }

    #[test]
    fn hierarchical_three_dimensions() {
        use discreet_audit::synthetic::{additive_table, Dim};
        let dims = [Dim::grouped(4, 2), Dim::flat(3), Dim::grouped(5, 2)];
        let t = additive_table(&dims, || 1, Interval::exact);
        let b = null_basis(&t.system);
        assert_eq!(b.n_rows(), 4 * 3 * 5);
        check_null(&t.system, &b);
        // Sparser than one vector per inner cell (3 * 2 * 3 = 18 entries).
        assert!(b.used() < 18 * b.n_rows());
    }

    #[test]
    fn a_var_in_no_relation_is_free() {
        let mut sb = SystemBuilder::new();
        let v: Vec<_> = (0..4).map(|_| sb.add_var(Interval::at_least(0))).collect();
        sb.add_additive(v[0], &[v[1], v[2]]).unwrap();
        sb.add_distinct(v[3], &[v[1], v[2]]).unwrap();
        let sys = sb.build();
        let b = null_basis(&sys);
        // v3 is only in a distinct relation: a free var of its own.
        assert_eq!(b.n_rows(), 3);
        check_null(&sys, &b);
        assert!((0..b.n_rows() as u32).any(|r| b.vars(r) == [3]));
    }
}
