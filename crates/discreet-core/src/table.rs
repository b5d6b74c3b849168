//! A table: the cross product of its dimensions' hierarchies, one cell per
//! combination of nodes (every margin included), stored as dense columns.
//!
//! Cells are addressed by a mixed-radix [`CellIndex`] over node ids, so a
//! table is a `Vec<u64>` of true counts and nothing per cell on the heap.

use std::fmt;

use crate::hierarchy::{Hierarchy, NodeId};
use crate::rule::{CellStatus, IrccRule, Shown};

/// Position of a cell in a table's dense columns.
pub type CellIndex = usize;

/// How a margin relates to its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarginKind {
    /// A total is the sum of its parts (events, admissions).
    Additive,
    /// A total counts distinct units (permit holders): it lies between its
    /// largest part and the sum of its parts.
    Distinct,
}

impl MarginKind {
    /// The word used in `structure.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            MarginKind::Additive => "additive",
            MarginKind::Distinct => "distinct",
        }
    }
}

/// A table that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// The cross product of the dimensions is larger than the limit.
    TooLarge {
        /// The table.
        table: String,
        /// Its number of cells, margins included.
        cells: u128,
        /// The most a table may have ([`MAX_CELLS`]).
        limit: usize,
    },
    /// A leaf cell names a node that is not a leaf of its dimension.
    NotALeaf {
        /// The table.
        table: String,
        /// The dimension.
        dimension: String,
        /// The code that is not a leaf.
        code: String,
    },
    /// The coordinates do not have one node per dimension.
    WrongArity {
        /// The table.
        table: String,
        /// Its number of dimensions.
        expected: usize,
        /// The number of nodes given.
        found: usize,
    },
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableError::TooLarge { table, cells, limit } => write!(
                f,
                "table `{table}` would have {cells} cells with all its margins; the limit is {limit}"
            ),
            TableError::NotALeaf { table, dimension, code } => write!(
                f,
                "table `{table}`: code `{code}` of dimension `{dimension}` is a total or subtotal; microdata must carry finest codes"
            ),
            TableError::WrongArity { table, expected, found } => {
                write!(f, "table `{table}`: expected {expected} coordinates per cell, found {found}")
            }
        }
    }
}

impl std::error::Error for TableError {}

/// Largest number of cells (margins included) one table may have.
pub const MAX_CELLS: usize = 1 << 31;

/// The shape of a table: its dimensions and how a cell index maps to one
/// node per dimension. It holds no count, so writers can be handed a shape
/// without the true values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    dims: Vec<Hierarchy>,
    strides: Vec<usize>,
}

impl Shape {
    /// The cross product of `dims`, first dimension outermost.
    pub fn new(dims: Vec<Hierarchy>) -> Self {
        let mut strides = vec![1usize; dims.len()];
        for i in (0..dims.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * dims[i + 1].len();
        }
        Shape { dims, strides }
    }
    /// Its dimensions, in column order.
    pub fn dims(&self) -> &[Hierarchy] {
        &self.dims
    }
    /// Number of cells, margins included.
    pub fn cells(&self) -> u128 {
        self.dims.iter().map(|d| d.len() as u128).product()
    }
    /// The cell index of one node per dimension.
    pub fn index(&self, coords: &[NodeId]) -> CellIndex {
        coords
            .iter()
            .zip(&self.strides)
            .map(|(&c, &s)| c as usize * s)
            .sum()
    }
    /// The node per dimension of a cell index.
    pub fn coords(&self, mut index: CellIndex, out: &mut Vec<NodeId>) {
        out.clear();
        for &s in &self.strides {
            out.push((index / s) as NodeId);
            index %= s;
        }
    }
    /// Cell indexes in publication order: first dimension outermost, each
    /// dimension in its hierarchy's publication order (parts before totals).
    pub fn publication_order(&self) -> Vec<CellIndex> {
        let mut out = vec![0usize];
        for (dim, &stride) in self.dims.iter().zip(&self.strides) {
            let order = dim.publication_order();
            let mut next = Vec::with_capacity(out.len() * order.len());
            for &base in &out {
                next.extend(order.iter().map(|&n| base + n as usize * stride));
            }
            out = next;
        }
        out
    }
}

/// True counts for every cell of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    name: String,
    shape: Shape,
    counts: Vec<u64>,
    kind: MarginKind,
}

impl Table {
    /// An all-zero table over `dims`.
    pub fn zeros(
        name: impl Into<String>,
        dims: Vec<Hierarchy>,
        kind: MarginKind,
    ) -> Result<Self, TableError> {
        let name = name.into();
        let shape = Shape::new(dims);
        let cells = shape.cells();
        if cells > MAX_CELLS as u128 {
            return Err(TableError::TooLarge {
                table: name,
                cells,
                limit: MAX_CELLS,
            });
        }
        Ok(Table {
            name,
            shape,
            counts: vec![0; cells as usize],
            kind,
        })
    }

    /// Builds an additive table from the counts of its finest cells: every
    /// margin is the exact (unrounded) sum of the leaf cells below it.
    /// `leaf_cells` yields one node id per dimension (each a leaf) and a
    /// count; a combination may repeat, its counts add up.
    pub fn from_leaf_counts<'a, I>(
        name: impl Into<String>,
        dims: Vec<Hierarchy>,
        leaf_cells: I,
    ) -> Result<Self, TableError>
    where
        I: IntoIterator<Item = (&'a [NodeId], u64)>,
    {
        let mut t = Table::zeros(name, dims, MarginKind::Additive)?;
        let nd = t.dims().len();
        // Leaf counts first, at their own cells.
        for (coords, count) in leaf_cells {
            if coords.len() != nd {
                return Err(TableError::WrongArity {
                    table: t.name.clone(),
                    expected: nd,
                    found: coords.len(),
                });
            }
            for (dim, &c) in t.dims().iter().zip(coords) {
                if !dim.is_leaf(c) {
                    return Err(TableError::NotALeaf {
                        table: t.name.clone(),
                        dimension: dim.name().to_string(),
                        code: dim.node(c).code.clone(),
                    });
                }
            }
            let idx = t.index(coords);
            t.counts[idx] += count;
        }
        // Then margins one dimension at a time: after dimension d, every
        // cell whose codes in dimensions 0..=d are inner nodes holds the sum
        // of its leaves. Post-order puts each part before its total, and the
        // inner loop runs over contiguous memory, so this is linear in the
        // size of the table.
        let Table { shape, counts, .. } = &mut t;
        for (dim, &stride) in shape.dims.iter().zip(&shape.strides) {
            let block = dim.len() * stride;
            for outer in (0..counts.len()).step_by(block) {
                for &p in dim.publication_order() {
                    let base_p = outer + p as usize * stride;
                    for &c in dim.children(p) {
                        let base_c = outer + c as usize * stride;
                        for i in 0..stride {
                            counts[base_p + i] += counts[base_c + i];
                        }
                    }
                }
            }
        }
        Ok(t)
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its dimensions and cell addressing, without the counts.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }
    /// Its dimensions, in column order.
    pub fn dims(&self) -> &[Hierarchy] {
        self.shape.dims()
    }
    /// How its margins relate to their parts.
    pub fn kind(&self) -> MarginKind {
        self.kind
    }
    /// Number of cells, margins included.
    pub fn len(&self) -> usize {
        self.counts.len()
    }
    /// True when the table has no cell (never: the grand total is a cell).
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
    /// True counts, by cell index.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    /// Sets a cell's true count, for measures whose margins are not sums of
    /// leaf cells (distinct counts are counted cell by cell).
    pub fn set(&mut self, coords: &[NodeId], count: u64) {
        let i = self.index(coords);
        self.counts[i] = count;
    }
    /// The cell index of one node per dimension.
    pub fn index(&self, coords: &[NodeId]) -> CellIndex {
        self.shape.index(coords)
    }
    /// The node per dimension of a cell index.
    pub fn coords(&self, index: CellIndex, out: &mut Vec<NodeId>) {
        self.shape.coords(index, out)
    }
    /// Cell indexes in publication order (see [`Shape::publication_order`]).
    pub fn publication_order(&self) -> Vec<CellIndex> {
        self.shape.publication_order()
    }

    /// For each dimension and each inner node, whether the cell equals the
    /// sum of its parts (additive) or lies between their maximum and sum
    /// (distinct). Returns the number of relations that fail.
    pub fn count_broken_relations(&self) -> usize {
        let mut broken = 0;
        let mut coords = Vec::new();
        for idx in 0..self.counts.len() {
            self.coords(idx, &mut coords);
            for (d, (dim, &stride)) in self.shape.dims.iter().zip(&self.shape.strides).enumerate() {
                let ch = dim.children(coords[d]);
                if ch.is_empty() {
                    continue;
                }
                let base = idx - coords[d] as usize * stride;
                let parts = ch.iter().map(|&c| self.counts[base + c as usize * stride]);
                let total = self.counts[idx];
                let ok = match self.kind {
                    MarginKind::Additive => parts.sum::<u64>() == total,
                    MarginKind::Distinct => {
                        let (mx, sum) = parts.fold((0, 0), |(m, s), v| (m.max(v), s + v));
                        mx <= total && total <= sum
                    }
                };
                if !ok {
                    broken += 1;
                }
            }
        }
        broken
    }

    /// Applies the IRCC rule to every cell independently (totals included,
    /// from their unrounded counts, as IRCC does).
    pub fn protect(&self, rule: &IrccRule) -> ProtectedTable {
        let mut shown = vec![0; self.counts.len()];
        let mut status = vec![CellStatus::Zero; self.counts.len()];
        rule.protect_column(&self.counts, &mut shown, &mut status);
        ProtectedTable { shown, status }
    }
}

/// What a table publishes: per cell, a shown value and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedTable {
    /// The published number (0 when the status is not `Rounded`).
    pub shown: Vec<u64>,
    /// How each cell was protected.
    pub status: Vec<CellStatus>,
}

impl ProtectedTable {
    /// The shown value of a cell.
    pub fn shown_at(&self, index: CellIndex) -> Shown {
        match self.status[index] {
            CellStatus::Zero => Shown::Zero,
            CellStatus::Suppressed => Shown::Suppressed,
            CellStatus::Rounded => Shown::Value(self.shown[index]),
            CellStatus::Secondary => Shown::Suppressed,
        }
    }

    /// Hides a cell the rule showed (secondary suppression). A cell already
    /// hidden stays as it is: secondary suppression never unhides anything.
    pub fn hide(&mut self, index: CellIndex) {
        if self.status[index] == CellStatus::Rounded {
            self.status[index] = CellStatus::Secondary;
            self.shown[index] = 0;
        }
    }

    /// Number of cells with the given status.
    pub fn count_status(&self, status: CellStatus) -> usize {
        self.status.iter().filter(|&&s| s == status).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::HierarchyBuilder;
    use crate::label::Bilingual;
    use rand::{Rng, SeedableRng};

    fn l(s: &str) -> Bilingual {
        Bilingual::new(s, s)
    }

    fn flat(name: &str, codes: &[&str]) -> Hierarchy {
        let mut b = HierarchyBuilder::new(name, "TOTAL", l("Total"));
        for c in codes {
            b.add("TOTAL", *c, l(c), "leaf").unwrap();
        }
        b.build().unwrap()
    }

    fn period() -> Hierarchy {
        let mut b = HierarchyBuilder::new("period", "TOTAL", l("Total"));
        b.add("TOTAL", "2024", l("2024"), "year").unwrap();
        b.add("2024", "2024-Q1", l("Q1"), "quarter").unwrap();
        for m in ["2024-01", "2024-02", "2024-03"] {
            b.add("2024-Q1", m, l(m), "month").unwrap();
        }
        b.build().unwrap()
    }

    /// The cell of a table named by one code per dimension.
    fn cell(t: &Table, codes: &[&str]) -> usize {
        let ids: Vec<NodeId> = codes
            .iter()
            .zip(t.dims())
            .map(|(c, d)| d.find(c).unwrap())
            .collect();
        t.index(&ids)
    }

    fn at(t: &Table, codes: &[&str]) -> u64 {
        t.counts()[cell(t, codes)]
    }

    /// A table named `t` from leaf cells given as (node per dimension, count).
    fn table<K: AsRef<[NodeId]>>(dims: Vec<Hierarchy>, leaf: &[(K, u64)]) -> Table {
        Table::from_leaf_counts("t", dims, leaf.iter().map(|(k, v)| (k.as_ref(), *v))).unwrap()
    }

    /// The SDC Handbook rounding example, with IRCC's `--` for small cells:
    /// rows (a, b, total) = (1, 0, 1), (3, 3, 6), (12, 20, 32).
    #[test]
    fn handbook_table_known_answer() {
        let rows = flat("row", &["r1", "r2", "r3"]);
        let cols = flat("col", &["a", "b"]);
        let r = |c| rows.find(c).unwrap();
        let c = |c| cols.find(c).unwrap();
        let leaf = [
            ([r("r1"), c("a")], 1),
            ([r("r1"), c("b")], 0),
            ([r("r2"), c("a")], 3),
            ([r("r2"), c("b")], 3),
            ([r("r3"), c("a")], 12),
            ([r("r3"), c("b")], 20),
        ];
        let t = table(vec![rows.clone(), cols.clone()], &leaf);
        assert_eq!(at(&t, &["r2", "TOTAL"]), 6);
        assert_eq!(at(&t, &["TOTAL", "a"]), 16);
        assert_eq!(at(&t, &["TOTAL", "b"]), 23);
        assert_eq!(at(&t, &["TOTAL", "TOTAL"]), 39);
        assert_eq!(t.count_broken_relations(), 0);
        let p = t.protect(&IrccRule::default());
        let shown = |codes: &[&str]| p.shown_at(cell(&t, codes)).to_string();
        assert_eq!(shown(&["r1", "a"]), "--");
        assert_eq!(shown(&["r1", "b"]), "0");
        assert_eq!(shown(&["r1", "TOTAL"]), "--");
        assert_eq!(shown(&["r2", "a"]), "--");
        assert_eq!(shown(&["r2", "TOTAL"]), "5");
        assert_eq!(shown(&["r3", "a"]), "10");
        assert_eq!(shown(&["r3", "b"]), "20");
        assert_eq!(shown(&["r3", "TOTAL"]), "30");
        assert_eq!(shown(&["TOTAL", "a"]), "15");
        assert_eq!(shown(&["TOTAL", "b"]), "25");
        assert_eq!(shown(&["TOTAL", "TOTAL"]), "40");
    }

    #[test]
    fn calendar_margins() {
        let p = period();
        let g = flat("gender", &["F", "M"]);
        let id = |h: &Hierarchy, c: &str| h.find(c).unwrap();
        let leaf = vec![
            (vec![id(&p, "2024-01"), id(&g, "F")], 2),
            (vec![id(&p, "2024-02"), id(&g, "F")], 5),
            (vec![id(&p, "2024-03"), id(&g, "M")], 7),
            (vec![id(&p, "2024-03"), id(&g, "M")], 1),
        ];
        let t = table(vec![p.clone(), g.clone()], &leaf);
        assert_eq!(at(&t, &["2024-Q1", "F"]), 7);
        assert_eq!(at(&t, &["2024", "M"]), 8);
        assert_eq!(at(&t, &["TOTAL", "TOTAL"]), 15);
        assert_eq!(at(&t, &["2024-03", "TOTAL"]), 8);
        assert_eq!(t.len(), 6 * 3);
        // Publication order: months, quarter, year, total; gender innermost.
        let order = t.publication_order();
        assert_eq!(order.len(), t.len());
        let mut coords = Vec::new();
        t.coords(order[0], &mut coords);
        assert_eq!(t.dims()[0].node(coords[0]).code, "2024-01");
        assert_eq!(t.dims()[1].node(coords[1]).code, "F");
        t.coords(*order.last().unwrap(), &mut coords);
        assert_eq!(coords, vec![0, 0]);
    }

    #[test]
    fn margins_must_come_from_leaves() {
        let p = period();
        let q1 = p.find("2024-Q1").unwrap();
        let err = Table::from_leaf_counts("t", vec![p], [(&[q1][..], 1)]).unwrap_err();
        assert!(matches!(err, TableError::NotALeaf { .. }));
    }

    #[test]
    fn too_large_is_refused() {
        let codes: Vec<String> = (0..2000).map(|i| format!("c{i}")).collect();
        let refs: Vec<&str> = codes.iter().map(|s| s.as_str()).collect();
        let h = flat("big", &refs);
        let err =
            Table::zeros("t", vec![h.clone(), h.clone(), h], MarginKind::Additive).unwrap_err();
        assert!(matches!(err, TableError::TooLarge { .. }));
    }

    /// Random tables: every margin equals the sum of its parts, and every
    /// protected value obeys the rule.
    #[test]
    fn property_random_tables_add_up_and_obey_the_rule() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let rule = IrccRule::default();
        for _ in 0..200 {
            let p = period();
            let nc = rng.gen_range(1..6);
            let codes: Vec<String> = (0..nc).map(|i| format!("c{i}")).collect();
            let refs: Vec<&str> = codes.iter().map(|s| s.as_str()).collect();
            let c = flat("c", &refs);
            let mut leaf = Vec::new();
            for _ in 0..rng.gen_range(0..30) {
                let m = p.leaves()[rng.gen_range(0..p.leaves().len())];
                let k = c.leaves()[rng.gen_range(0..c.leaves().len())];
                leaf.push((vec![m, k], rng.gen_range(0..15u64)));
            }
            let total: u64 = leaf.iter().map(|x| x.1).sum();
            let t = table(vec![p, c], &leaf);
            assert_eq!(t.count_broken_relations(), 0);
            assert_eq!(t.counts()[0], total);
            let pt = t.protect(&rule);
            for i in 0..t.len() {
                let n = t.counts()[i];
                match pt.status[i] {
                    CellStatus::Zero => assert_eq!(n, 0),
                    CellStatus::Suppressed => assert!((1..=4).contains(&n)),
                    CellStatus::Rounded => {
                        assert_eq!(pt.shown[i] % 5, 0);
                        assert!(pt.shown[i].abs_diff(n) <= 2 && n >= 5);
                    }
                    CellStatus::Secondary => panic!("the rule alone never hides a shown cell"),
                }
            }
        }
    }
}
