//! The rows of a published table, and its CSV form.

use discreet_core::{CellIndex, Hierarchy, ProtectedTable, Shape, Table};
use discreet_spec::TablePlan;

use crate::error::PublishError;

/// A table as the writers see it: its shape and its shown values. It keeps
/// no reference to the true counts, so no writer can leak them.
pub struct TableView<'a> {
    /// The table's plan (name, titles, dimension names).
    pub plan: &'a TablePlan,
    /// Dimensions and cell addressing.
    pub shape: &'a Shape,
    /// Shown values and statuses, by cell index.
    pub protected: &'a ProtectedTable,
    /// Cell indexes in row order.
    pub order: Vec<CellIndex>,
}

impl<'a> TableView<'a> {
    /// A view of `table`'s shape with its protected values.
    pub fn new(plan: &'a TablePlan, table: &'a Table, protected: &'a ProtectedTable) -> Self {
        TableView {
            plan,
            shape: table.shape(),
            protected,
            order: table.publication_order(),
        }
    }

    /// Dimensions, in column order.
    pub fn dims(&self) -> &'a [Hierarchy] {
        self.shape.dims()
    }
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
        view.shape.coords(i, &mut coords);
        rec.clear();
        for (d, &n) in view.dims().iter().zip(&coords) {
            let node = d.node(n);
            rec.push(node.code.clone());
            rec.push(node.level.clone());
            rec.push(node.label.en.clone());
            rec.push(node.label.fr.clone());
        }
        rec.push(view.protected.shown_at(i).to_string());
        w.write_record(&rec).map_err(ierr)?;
    }
    w.into_inner()
        .map_err(|e| PublishError::Internal(e.to_string()))
}

/// Per row (in `view.order`), whether the cell counts a month after the
/// release's `final_through`, so its count may still be revised; `None`
/// when the release declares no final month.
#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
pub(crate) fn preliminary(view: &TableView<'_>, plan: &discreet_spec::Plan) -> Option<Vec<bool>> {
    let final_through = plan.spec.release.final_through.as_deref()?;
    let last_final = *discreet_structure::period_months(final_through)?.last()?;
    // Per dimension, per node: whether it reaches past the final month.
    let late: Vec<Option<Vec<bool>>> = (view.plan.dimensions.iter())
        .zip(view.dims())
        .map(|(name, h)| {
            crate::layout::is_calendar(plan, name).then(|| {
                (0..h.len())
                    .map(|n| {
                        h.leaves_under(n as discreet_core::NodeId).iter().any(|&l| {
                            discreet_structure::period_months(&h.node(l).code)
                                .is_some_and(|m| m.iter().any(|&m| m > last_final))
                        })
                    })
                    .collect()
            })
        })
        .collect();
    let mut coords = Vec::new();
    Some(
        view.order
            .iter()
            .map(|&i| {
                view.shape.coords(i, &mut coords);
                late.iter()
                    .zip(&coords)
                    .any(|(l, &n)| l.as_ref().is_some_and(|l| l[n as usize]))
            })
            .collect(),
    )
}
