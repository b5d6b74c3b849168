//! Information loss as the release itself can state it: bounds an outsider
//! could work out from the shown values, never figures from true counts.
//!
//! The exact share of the total hidden and the exact mean rounding change
//! come from true counts; on a small table the share gives away the hidden
//! sum, so they stay in the analyst's run summary. What `manifest.json`
//! carries instead are their published bounds: the hidden finest cells' sum
//! lies between the sums of their shown domains' ends, the total within its
//! own domain, and no rounded cell moved by more than half the base.

use discreet_core::{CellStatus, IrccRule};
use serde_json::{json, Value};

use crate::TableView;

/// The `information_loss` object of a table in `manifest.json`: cells
/// hidden, bounds on the hidden finest cells' share of the table's total
/// (percent, one decimal, the lower bound rounded down and the upper up),
/// and the most a rounded cell can differ from its true count.
pub(crate) fn public_information_loss(
    view: &TableView<'_>,
    rule: &IrccRule,
    secondary: bool,
) -> Value {
    let p = view.protected;
    let dims = view.dims();
    let domain = |i: usize| {
        rule.preimage_in(p.shown_at(i), secondary)
            .expect("a protected value is in its rule's image")
    };
    let (mut hidden_lo, mut hidden_hi) = (0u128, 0u128);
    let mut hidden_cells = 0usize;
    let mut coords = Vec::with_capacity(dims.len());
    for i in 0..p.status.len() {
        if !matches!(p.status[i], CellStatus::Suppressed | CellStatus::Secondary) {
            continue;
        }
        hidden_cells += 1;
        view.shape.coords(i, &mut coords);
        if coords.iter().zip(dims).all(|(&c, h)| h.is_leaf(c)) {
            let (lo, hi) = domain(i);
            hidden_lo += lo as u128;
            hidden_hi = hidden_hi.saturating_add(hi as u128);
        }
    }
    let root: Vec<_> = dims.iter().map(|h| h.root()).collect();
    let (total_lo, total_hi) = domain(view.shape.index(&root));

    // Thousandths of the total, rounded outward; a distinct table can count
    // one person in several finest cells, hence the caps at 100%.
    let at_least = if hidden_lo == 0 || total_hi == u64::MAX {
        0
    } else {
        (hidden_lo * 1000 / total_hi as u128).min(1000)
    };
    let at_most = if hidden_cells == 0 {
        0
    } else if total_lo == 0 || hidden_hi >= u64::MAX as u128 {
        1000
    } else {
        hidden_hi
            .saturating_mul(1000)
            .div_ceil(total_lo as u128)
            .min(1000)
    };
    let pct = |t: u128| format!("{}.{}", t / 10, t % 10);
    json!({
        "cells_hidden": hidden_cells,
        "hidden_share_of_total_percent": {"at_least": pct(at_least), "at_most": pct(at_most)},
        "rounding_change_per_cell_at_most": rule.base() / 2,
        "exact_figures": "in the run summary only: they come from true counts",
    })
}
