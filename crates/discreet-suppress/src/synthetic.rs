//! Synthetic hierarchical tables with their [`TableLayout`], for tests and
//! benchmarks of the suppression methods.
//!
//! The same tables as [`discreet_audit::synthetic`] builds (leaves,
//! optional groups and a total per dimension; every margin the sum of its
//! children along each dimension; domains under the default IRCC rule),
//! with the nodes numbered total first ([`dim_children`]), the numbering the
//! hand-computed answers of this crate's tests are written in.

use discreet_audit::synthetic::{heavy_tail_count, ircc_domain, layout_system, Dim, SplitMix};
use discreet_audit::{RelationKind, System, TableLayout};

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

/// The children lists of a dimension numbered total first: node 0 the
/// total, nodes `1..=groups` the groups, then the leaves.
pub fn dim_children(dim: &Dim) -> Vec<Vec<u32>> {
    let (l, g) = (dim.leaves, dim.groups);
    let leaf = |i: usize| (1 + g + i) as u32;
    let mut ch: Vec<Vec<u32>> = vec![Vec::new(); 1 + g + l];
    if g == 0 {
        ch[0] = (0..l).map(leaf).collect();
    } else {
        ch[0] = (1..=g as u32).collect();
        for k in 0..g {
            ch[1 + k] = (k * l / g..(k + 1) * l / g).map(leaf).collect();
        }
    }
    ch
}

/// Builds an additive table of the given shape; `leaf` gives the count of
/// each inner cell in turn (row-major order).
pub fn table(dims: &[Dim], leaf: impl FnMut() -> u64) -> Table {
    let children = dims.iter().map(dim_children).collect();
    let layout = TableLayout::new(0, children, RelationKind::Additive);
    let (system, counts) = layout_system(&layout, leaf, ircc_domain);
    Table {
        system,
        counts,
        layout,
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
        assert_eq!(t.counts[0], (1..=15).sum::<u64>());
        for rel in t.system.relations() {
            let s: u64 = rel.parts.iter().map(|&p| t.counts[p as usize]).sum();
            assert_eq!(t.counts[rel.total as usize], s);
        }
        // 8 x 4 cells; relations: per cell, one per non-leaf coordinate.
        assert_eq!(t.system.n_vars(), 32);
        assert_eq!(t.system.n_relations(), 3 * 4 + 8);
    }
}
