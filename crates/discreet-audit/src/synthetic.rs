//! Synthetic hierarchical tables, for tests and benchmarks of the audit.
//!
//! A table has one or more dimensions; each dimension has leaves, optional
//! groups of leaves (subtotals), and a total. Every cell whose coordinate
//! on some dimension is a group or the total is the sum of its children
//! along that dimension, and becomes one relation of the system. Leaf
//! counts come from the caller, so that tests keep control of their random
//! numbers; the IRCC rule here is the default one, for synthetic data only
//! (the project's real rule lives in discreet-core).

use crate::system::{Interval, System, SystemBuilder, Var};

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

/// A synthetic table: its system, the true count of every cell, and its
/// shape (cells are numbered in row-major order over the dimensions' nodes).
#[derive(Clone, Debug)]
pub struct Table {
    /// Dimensions.
    pub dims: Vec<Dim>,
    /// The system an outsider would build from the published table.
    pub system: System,
    /// The true count of each cell, by var.
    pub truth: Vec<u64>,
}

impl Table {
    /// The var of the cell at `coords` (one node index per dimension).
    pub fn var(&self, coords: &[usize]) -> Var {
        let mut i = 0usize;
        for (d, &c) in self.dims.iter().zip(coords) {
            i = i * d.nodes() + c;
        }
        i as Var
    }

    /// The coordinates of a var.
    pub fn coords(&self, v: Var) -> Vec<usize> {
        let mut i = v as usize;
        let mut out = vec![0; self.dims.len()];
        for (k, d) in self.dims.iter().enumerate().rev() {
            out[k] = i % d.nodes();
            i /= d.nodes();
        }
        out
    }
}

/// Builds an additive hierarchical table: `leaf` gives the true count of
/// each leaf cell in turn (row-major order), `domain` the interval the
/// published value of a true count allows (e.g. [`ircc_domain`]).
pub fn additive_table(
    dims: &[Dim],
    mut leaf: impl FnMut() -> u64,
    domain: impl Fn(u64) -> Interval,
) -> Table {
    let sizes: Vec<usize> = dims.iter().map(Dim::nodes).collect();
    let n: usize = sizes.iter().product();
    let strides: Vec<usize> = (0..dims.len())
        .map(|k| sizes[k + 1..].iter().product())
        .collect();
    let children: Vec<Vec<Vec<usize>>> = dims
        .iter()
        .map(|d| (0..d.nodes()).map(|i| d.children(i)).collect())
        .collect();

    // Children of a cell along any dimension have a smaller node index
    // there, hence a smaller row-major index: one increasing pass computes
    // every margin from cells already known.
    let mut truth = vec![0u64; n];
    let mut coords = vec![0usize; dims.len()];
    for (i, t) in truth.iter_mut().enumerate() {
        decode(i, &sizes, &mut coords);
        if coords.iter().zip(dims).all(|(&c, d)| d.is_leaf(c)) {
            *t = leaf();
        }
    }
    for i in 0..n {
        decode(i, &sizes, &mut coords);
        if let Some(k) = (0..dims.len()).find(|&k| !dims[k].is_leaf(coords[k])) {
            let base = i - coords[k] * strides[k];
            truth[i] = children[k][coords[k]]
                .iter()
                .map(|&c| truth[base + c * strides[k]])
                .sum();
        }
    }

    let relations: usize = (0..n)
        .map(|i| {
            decode(i, &sizes, &mut coords);
            coords
                .iter()
                .zip(dims)
                .filter(|(&c, d)| !d.is_leaf(c))
                .count()
        })
        .sum();
    let mut b = SystemBuilder::with_capacity(n, relations, relations * 8);
    for &t in &truth {
        b.add_var(domain(t));
    }
    let mut parts = Vec::new();
    for i in 0..n {
        decode(i, &sizes, &mut coords);
        for k in 0..dims.len() {
            if dims[k].is_leaf(coords[k]) {
                continue;
            }
            let base = i - coords[k] * strides[k];
            parts.clear();
            parts.extend(
                children[k][coords[k]]
                    .iter()
                    .map(|&c| (base + c * strides[k]) as Var),
            );
            b.add_additive(i as Var, &parts)
                .expect("synthetic relation is valid");
        }
    }
    Table {
        dims: dims.to_vec(),
        system: b.build(),
        truth,
    }
}

fn decode(mut i: usize, sizes: &[usize], out: &mut [usize]) {
    for k in (0..sizes.len()).rev() {
        out[k] = i % sizes[k];
        i /= sizes[k];
    }
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
