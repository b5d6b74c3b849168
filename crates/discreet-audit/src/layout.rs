//! Where one table's cells sit among the vars of a [`System`], and the
//! relations its margins make.
//!
//! Every producer of a system from tables (the outside audit of a release
//! folder, the pipeline's own audit, the synthetic test tables) and every
//! method that works on a table's geometry (the hypercube) shares this one
//! description, so that cell numbering and relation order cannot drift
//! apart between them.
//!
//! [`System`]: crate::System

use crate::system::{BuildError, RelationKind, SystemBuilder, Var};

/// One table's geometry: its cells are numbered row-major (last dimension
/// fastest) over the nodes of each dimension, from var [`TableLayout::offset`].
///
/// `children[d][n]` lists the child nodes of node `n` of dimension `d`
/// (empty for a leaf). The total of a dimension is the node that is nobody's
/// child; releases list parts before their totals, so it is usually the last
/// node. Cell `(n_0, .., n_k)` is var `offset + sum(n_d * stride_d)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableLayout {
    /// Var of the table's first cell.
    pub offset: Var,
    /// Per dimension, the children of each node.
    pub children: Vec<Vec<Vec<u32>>>,
    /// How each margin relates to its children: a sum, or a distinct count.
    pub kind: RelationKind,
}

impl TableLayout {
    /// A table of the given dimensions whose first cell is var `offset`.
    pub fn new(offset: Var, children: Vec<Vec<Vec<u32>>>, kind: RelationKind) -> Self {
        TableLayout {
            offset,
            children,
            kind,
        }
    }

    /// Nodes per dimension.
    pub fn sizes(&self) -> Vec<usize> {
        self.children.iter().map(Vec::len).collect()
    }

    /// Number of cells.
    pub fn cells(&self) -> usize {
        self.children.iter().map(Vec::len).product()
    }

    /// Per dimension, how far apart in cell numbers two cells are whose
    /// node differs by one on that dimension (the last dimension's is 1).
    pub fn strides(&self) -> Vec<usize> {
        let mut strides = vec![1usize; self.children.len()];
        for d in (0..self.children.len().saturating_sub(1)).rev() {
            strides[d] = strides[d + 1] * self.children[d + 1].len();
        }
        strides
    }

    /// The node per dimension of cell `cell` (counted from the table's
    /// first cell).
    pub fn coords(&self, cell: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.children.len());
        self.coords_into(cell, &mut out);
        out
    }

    /// [`TableLayout::coords`] into a reused buffer.
    pub fn coords_into(&self, cell: usize, out: &mut Vec<u32>) {
        out.clear();
        out.resize(self.children.len(), 0);
        let mut i = cell;
        for (d, kids) in self.children.iter().enumerate().rev() {
            out[d] = (i % kids.len()) as u32;
            i /= kids.len();
        }
    }

    /// The cell (counted from the table's first cell) at `coords`, one node
    /// per dimension.
    pub fn cell(&self, coords: &[u32]) -> usize {
        (self.children.iter())
            .zip(coords)
            .fold(0, |i, (kids, &c)| i * kids.len() + c as usize)
    }

    /// The var of cell `cell`.
    pub fn var(&self, cell: usize) -> Var {
        self.offset + cell as Var
    }

    /// Number of margin relations: one per cell and per dimension on which
    /// the cell's node has children.
    pub fn n_relations(&self) -> usize {
        let mut per_cell = vec![1usize];
        // Cells with j non-leaf coordinates, dimension by dimension.
        for kids in &self.children {
            let inner = kids.iter().filter(|c| !c.is_empty()).count();
            let leaves = kids.len() - inner;
            let mut next = vec![0usize; per_cell.len() + 1];
            for (j, &n) in per_cell.iter().enumerate() {
                next[j] += n * leaves;
                next[j + 1] += n * inner;
            }
            per_cell = next;
        }
        per_cell.iter().enumerate().map(|(j, &n)| j * n).sum()
    }

    /// Calls `f(total, parts)` for every margin of the table: for every cell
    /// in order, then every dimension on which its node has children, the
    /// cell is the total of the cells with those children's nodes there.
    pub fn for_each_margin<E>(
        &self,
        mut f: impl FnMut(Var, &[Var]) -> Result<(), E>,
    ) -> Result<(), E> {
        let strides = self.strides();
        let mut coords = Vec::with_capacity(self.children.len());
        let mut parts: Vec<Var> = Vec::new();
        for cell in 0..self.cells() {
            self.coords_into(cell, &mut coords);
            for (d, kids) in self.children.iter().enumerate() {
                let node = coords[d] as usize;
                if kids[node].is_empty() {
                    continue;
                }
                let base = cell - node * strides[d];
                parts.clear();
                parts.extend(
                    kids[node]
                        .iter()
                        .map(|&c| self.var(base + c as usize * strides[d])),
                );
                f(self.var(cell), &parts)?;
            }
        }
        Ok(())
    }
}

impl SystemBuilder {
    /// Adds every margin relation of a table whose cells are already vars
    /// (see [`TableLayout::for_each_margin`] for the order), each of the
    /// table's kind.
    pub fn add_table(&mut self, layout: &TableLayout) -> Result<(), BuildError> {
        layout.for_each_margin(|total, parts| {
            match layout.kind {
                RelationKind::Additive => self.add_additive(total, parts),
                RelationKind::Distinct => self.add_distinct(total, parts),
            }
            .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Interval;

    fn two_by_three() -> TableLayout {
        // Dimension 0: leaves 0, 1 under total 2; dimension 1: leaves 0..3
        // under groups 3 = {0, 1} and 4 = {2}, under total 5.
        TableLayout::new(
            4,
            vec![
                vec![vec![], vec![], vec![0, 1]],
                vec![vec![], vec![], vec![], vec![0, 1], vec![2], vec![3, 4]],
            ],
            RelationKind::Additive,
        )
    }

    #[test]
    fn numbering_is_row_major() {
        let l = two_by_three();
        assert_eq!(l.sizes(), vec![3, 6]);
        assert_eq!(l.cells(), 18);
        assert_eq!(l.strides(), vec![6, 1]);
        for cell in 0..l.cells() {
            assert_eq!(l.cell(&l.coords(cell)), cell);
        }
        assert_eq!(l.coords(13), vec![2, 1]);
        assert_eq!(l.var(13), 17);
    }

    #[test]
    fn margins_in_cell_then_dimension_order() {
        let l = two_by_three();
        let mut seen = Vec::new();
        l.for_each_margin(|t, p| {
            seen.push((t, p.to_vec()));
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(seen.len(), l.n_relations());
        // Cell (0, 3) = var 7: the group {0, 1} along dimension 1.
        assert_eq!(seen[0], (7, vec![4, 5]));
        // Cell (2, 3) = var 19: first along dimension 0, then 1.
        let at: Vec<_> = seen.iter().filter(|(t, _)| *t == 19).collect();
        assert_eq!(at, [&(19, vec![7, 13]), &(19, vec![16, 17])]);

        let mut b = SystemBuilder::new();
        for _ in 0..4 + l.cells() {
            b.add_var(Interval::at_least(0));
        }
        b.add_table(&l).unwrap();
        let s = b.build();
        assert_eq!(s.n_relations(), seen.len());
        for (r, (t, p)) in s.relations().zip(&seen) {
            assert_eq!((r.total, r.parts), (*t, &p[..]));
            assert_eq!(r.kind, RelationKind::Additive);
        }
    }
}
