//! Synthetic hierarchical tables with their [`TableLayout`], for tests and
//! benchmarks of the suppression methods: the tables of
//! [`discreet_audit::synthetic`] (leaves, optional groups and a total per
//! dimension, numbered in that order as releases do; every margin the sum
//! of its children along each dimension; domains under the default IRCC
//! rule), with the true counts the methods need.

use discreet_audit::synthetic::{additive_table, heavy_tail_count, ircc_domain, Dim, SplitMix};
use discreet_audit::{System, TableLayout};

use crate::problem::{Problem, Role};

/// A synthetic table: the system an outsider would build, the true counts
/// and the layout of its cells (vars `0..cells`).
#[derive(Clone, Debug)]
pub struct Table {
    /// Cells and relations; domains under the default IRCC rule.
    pub system: System,
    /// True count of every cell, by var.
    pub counts: Vec<u64>,
    /// Where the cells sit.
    pub layout: TableLayout,
}

/// Builds an additive table of the given shape; `leaf` gives the count of
/// each inner cell in turn (row-major order).
pub fn table(dims: &[Dim], leaf: impl FnMut() -> u64) -> Table {
    let t = additive_table(dims, leaf, ircc_domain);
    Table {
        system: t.system,
        counts: t.truth,
        layout: t.layout,
    }
}

/// A table with [`heavy_tail_count`] inner cells (about 40% zeros, the rest
/// log-uniform up to 5,000), the benchmark workload.
pub fn heavy_tail(dims: &[Dim], seed: u64) -> Table {
    let mut rng = SplitMix::new(seed);
    table(dims, || heavy_tail_count(&mut rng))
}

/// The IRCC problem of a table: counts `1..=max_primary` are primary, every
/// other cell a candidate, cost = count (primaries 0).
pub fn ircc_problem(t: &Table, max_primary: u64) -> Problem<'_> {
    let roles: Vec<Role> = t
        .counts
        .iter()
        .map(|&x| {
            if (1..=max_primary).contains(&x) {
                Role::Primary
            } else {
                Role::Candidate
            }
        })
        .collect();
    let cost = t
        .counts
        .iter()
        .zip(&roles)
        .map(|(&x, r)| if *r == Role::Primary { 0 } else { x })
        .collect();
    Problem {
        system: &t.system,
        counts: &t.counts,
        roles,
        cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_add_up_and_layout_matches() {
        let dims = [Dim::grouped(5, 2), Dim::flat(3)];
        let mut i = 0;
        let t = table(&dims, || {
            i += 1;
            i
        });
        assert_eq!(t.layout.cells(), t.system.n_vars());
        assert_eq!(t.counts[t.counts.len() - 1], (1..=15).sum::<u64>());
        for rel in t.system.relations() {
            let s: u64 = rel.parts.iter().map(|&p| t.counts[p as usize]).sum();
            assert_eq!(t.counts[rel.total as usize], s);
        }
        // 8 x 4 cells; relations: per cell, one per non-leaf coordinate.
        assert_eq!(t.system.n_vars(), 32);
        assert_eq!(t.system.n_relations(), 3 * 4 + 8);
    }
}
