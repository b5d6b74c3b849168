//! The rows of a published table, and its CSV form.

use discreet_core::{CellIndex, CellStatus, Hierarchy, NodeId, ProtectedTable, Shown, Table};
use discreet_spec::TablePlan;

use crate::error::PublishError;

/// A table as the writers see it: its shape and its shown values. It keeps
/// no reference to the true counts, so no writer can leak them.
pub struct TableView<'a> {
    /// The table's plan (name, titles, dimension names).
    pub plan: &'a TablePlan,
    /// Dimensions, in column order.
    pub dims: &'a [Hierarchy],
    /// Shown values and statuses, by cell index.
    pub protected: &'a ProtectedTable,
    /// Cell indexes in row order.
    pub order: Vec<CellIndex>,
    strides: Vec<usize>,
}

impl<'a> TableView<'a> {
    /// A view of `table`'s shape with its protected values.
    pub fn new(plan: &'a TablePlan, table: &'a Table, protected: &'a ProtectedTable) -> Self {
        let dims = table.dims();
        let mut strides = vec![1usize; dims.len()];
        for i in (0..dims.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * dims[i + 1].len();
        }
        TableView {
            plan,
            dims,
            protected,
            order: table.publication_order(),
            strides,
        }
    }

    /// Node ids of a cell, one per dimension.
    pub fn coords(&self, mut index: CellIndex, out: &mut Vec<NodeId>) {
        out.clear();
        for &s in &self.strides {
            out.push((index / s) as NodeId);
            index %= s;
        }
    }

    /// The shown value of a cell.
    pub fn shown(&self, index: CellIndex) -> Shown {
        match self.protected.status[index] {
            CellStatus::Zero => Shown::Zero,
            CellStatus::Suppressed => Shown::Suppressed,
            CellStatus::Rounded => Shown::Value(self.protected.shown[index]),
        }
    }
}

/// Text of a shown value in CSV: `0`, `--` or the rounded count.
pub fn shown_text(s: Shown) -> String {
    s.to_string()
}

/// Column names of a table's CSV: per dimension its code, level, English
/// and French label; then `count`.
pub fn column_names(dimensions: &[String]) -> Vec<String> {
    let mut cols = Vec::new();
    for d in dimensions {
        cols.push(d.clone());
        cols.push(format!("{d}_level"));
        cols.push(format!("{d}_en"));
        cols.push(format!("{d}_fr"));
    }
    cols.push("count".into());
    cols
}

/// The table as RFC 4180 CSV (UTF-8, CRLF, quoted where needed).
pub(crate) fn table_csv(view: &TableView<'_>) -> Result<Vec<u8>, PublishError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let ierr = |e: csv::Error| PublishError::Internal(e.to_string());
    w.write_record(column_names(&view.plan.dimensions))
        .map_err(ierr)?;
    let mut coords = Vec::new();
    let mut rec: Vec<String> = Vec::new();
    for &i in &view.order {
        view.coords(i, &mut coords);
        rec.clear();
        for (d, &n) in view.dims.iter().zip(&coords) {
            let node = d.node(n);
            rec.push(node.code.clone());
            rec.push(node.level.clone());
            rec.push(node.label.en.clone());
            rec.push(node.label.fr.clone());
        }
        rec.push(shown_text(view.shown(i)));
        w.write_record(&rec).map_err(ierr)?;
    }
    w.into_inner()
        .map_err(|e| PublishError::Internal(e.to_string()))
}
