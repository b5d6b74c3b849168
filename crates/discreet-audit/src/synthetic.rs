//! Synthetic hierarchical tables, for tests and benchmarks of the audit.
//!
//! A table has one or more dimensions; each dimension has leaves, optional
//! groups of leaves (subtotals), and a total. Every cell whose coordinate
//! on some dimension is a group or the total is the sum of its children
//! along that dimension, and becomes one relation of the system. Leaf
//! counts come from the caller, so that tests keep control of their random
//! numbers; the IRCC rule here is the default one, for synthetic data only
//! (the project's real rule lives in discreet-core).

use crate::layout::TableLayout;
use crate::system::{Interval, RelationKind, System, SystemBuilder, Var};

/// One dimension: `leaves` categories, split into `groups` contiguous
/// subtotals when `groups > 0`, under a total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dim {
    /// Number of leaf categories (at least 1).
    pub leaves: usize,
    /// Number of intermediate groups (0 for none; at most `leaves`).
    pub groups: usize,
}

impl Dim {
    /// A dimension of `leaves` categories and a total.
    pub fn flat(leaves: usize) -> Self {
        Dim { leaves, groups: 0 }
    }

    /// A dimension of `leaves` categories in `groups` contiguous subtotals
    /// under a total.
    pub fn grouped(leaves: usize, groups: usize) -> Self {
        Dim { leaves, groups }
    }

    /// Nodes of the dimension: leaves, then groups, then the total.
    pub fn nodes(&self) -> usize {
        self.leaves + self.groups + 1
    }

    /// Whether node `i` is a leaf.
    pub fn is_leaf(&self, i: usize) -> bool {
        i < self.leaves
    }

    /// The children of every node, as a [`TableLayout`] lists them.
    pub fn children_lists(&self) -> Vec<Vec<u32>> {
        (0..self.nodes())
            .map(|i| self.children(i).into_iter().map(|c| c as u32).collect())
            .collect()
    }

    /// Children of node `i` (empty for a leaf).
    pub fn children(&self, i: usize) -> Vec<usize> {
        let (l, g) = (self.leaves, self.groups);
        if i < l {
            Vec::new()
        } else if i < l + g {
            let k = i - l;
            (k * l / g..(k + 1) * l / g).collect()
        } else if g > 0 {
            (l..l + g).collect()
        } else {
            (0..l).collect()
        }
    }
}

/// A synthetic table: its layout (vars `0..cells`, nodes numbered as
/// [`Dim::children`] says), its system and the true count of every cell.
#[derive(Clone, Debug)]
pub struct Table {
    /// Dimensions.
    pub dims: Vec<Dim>,
    /// Where the cells sit and how the margins add up.
    pub layout: TableLayout,
    /// The system an outsider would build from the published table.
    pub system: System,
    /// The true count of each cell, by var.
    pub truth: Vec<u64>,
}

impl Table {
    /// The var of the cell at `coords` (one node index per dimension).
    pub fn var(&self, coords: &[usize]) -> Var {
        let nodes: Vec<u32> = coords.iter().map(|&c| c as u32).collect();
        self.layout.var(self.layout.cell(&nodes))
    }

    /// The coordinates of a var.
    pub fn coords(&self, v: Var) -> Vec<usize> {
        let cell = (v - self.layout.offset) as usize;
        self.layout
            .coords(cell)
            .into_iter()
            .map(|c| c as usize)
            .collect()
    }
}

/// Builds an additive hierarchical table: `leaf` gives the true count of
/// each leaf cell in turn (row-major order), `domain` the interval the
/// published value of a true count allows (e.g. [`ircc_domain`]).
pub fn additive_table(
    dims: &[Dim],
    leaf: impl FnMut() -> u64,
    domain: impl Fn(u64) -> Interval,
) -> Table {
    let children = dims.iter().map(Dim::children_lists).collect();
    let layout = TableLayout::new(0, children, RelationKind::Additive);
    let (system, truth) = layout_system(&layout, leaf, domain);
    Table {
        dims: dims.to_vec(),
        layout,
        system,
        truth,
    }
}

/// The system and true counts of a table of any geometry whose cells are
/// vars `0..cells` (the layout's offset is ignored): `leaf` gives the count
/// of each cell that is a leaf on every dimension, in row-major order;
/// every other cell is the sum of its children along any dimension; the
/// relations are the layout's margins ([`SystemBuilder::add_table`]).
pub fn layout_system(
    layout: &TableLayout,
    mut leaf: impl FnMut() -> u64,
    domain: impl Fn(u64) -> Interval,
) -> (System, Vec<u64>) {
    let layout = TableLayout {
        offset: 0,
        ..layout.clone()
    };
    let n = layout.cells();
    let strides = layout.strides();
    let heights: Vec<Vec<u32>> = layout.children.iter().map(|c| heights(c)).collect();
    let mut truth = vec![0u64; n];
    let mut coords = Vec::new();
    // Height of a cell: the sum of its nodes' heights. A child along any
    // dimension is lower, so in order of height every margin's children
    // are known before it.
    let mut order: Vec<(u32, usize)> = Vec::with_capacity(n);
    for (i, t) in truth.iter_mut().enumerate() {
        layout.coords_into(i, &mut coords);
        let h: u32 = coords
            .iter()
            .zip(&heights)
            .map(|(&c, h)| h[c as usize])
            .sum();
        if h == 0 {
            *t = leaf();
        } else {
            order.push((h, i));
        }
    }
    order.sort_unstable();
    for &(_, i) in &order {
        layout.coords_into(i, &mut coords);
        let d = (0..coords.len())
            .find(|&d| heights[d][coords[d] as usize] > 0)
            .expect("a margin has a dimension with children");
        let node = coords[d] as usize;
        let base = i - node * strides[d];
        truth[i] = layout.children[d][node]
            .iter()
            .map(|&c| truth[base + c as usize * strides[d]])
            .sum();
    }
    let relations = layout.n_relations();
    let mut b = SystemBuilder::with_capacity(n, relations, relations * 8);
    for &t in &truth {
        b.add_var(domain(t));
    }
    b.add_table(&layout).expect("synthetic relation is valid");
    (b.build(), truth)
}

/// Height of every node of a dimension: 0 for a leaf, else one more than
/// its highest child.
fn heights(children: &[Vec<u32>]) -> Vec<u32> {
    fn of(n: usize, children: &[Vec<u32>], out: &mut [Option<u32>]) -> u32 {
        if let Some(h) = out[n] {
            return h;
        }
        let h = (children[n].iter())
            .map(|&c| of(c as usize, children, out) + 1)
            .max()
            .unwrap_or(0);
        out[n] = Some(h);
        h
    }
    let mut out = vec![None; children.len()];
    (0..children.len())
        .map(|n| of(n, children, &mut out))
        .collect()
}

/// What a published value under the default IRCC rule (zero shown as `0`,
/// 1..4 shown as `--`, otherwise rounded to the nearest multiple of 5)
/// tells an outsider about the true `count`.
pub fn ircc_domain(count: u64) -> Interval {
    match count {
        0 => Interval::exact(0),
        1..=4 => Interval::new(1, 4),
        5..=7 => Interval::new(5, 7),
        _ => {
            let shown = (count + 2) / 5 * 5;
            Interval::new(shown - 2, shown + 2)
        }
    }
}

/// A small deterministic generator (SplitMix64), so that benchmarks need no
/// random-number crate.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A leaf count with a realistic heavy tail, as in a country x month x
/// category table: about 40% zeros, the rest log-uniform on 1..=5,000 (so
/// half of the non-zero counts are under 70 and a few are in the
/// thousands).
pub fn heavy_tail_count(rng: &mut SplitMix) -> u64 {
    if rng.next_f64() < 0.4 {
        0
    } else {
        (5000f64.powf(rng.next_f64())).floor() as u64
    }
}

/// An additive table of the given shape with [`heavy_tail_count`] leaves
/// published under [`ircc_domain`]: the benchmark workload.
pub fn heavy_tail_table(dims: &[Dim], seed: u64) -> Table {
    let mut rng = SplitMix::new(seed);
    additive_table(dims, || heavy_tail_count(&mut rng), ircc_domain)
}
