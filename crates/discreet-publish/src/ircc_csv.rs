//! `NAME_ircc.csv`: a table in IRCC's long layout, as IRCC posts its large
//! tables: tab-separated although named `.csv` (IRCC's own files are),
//! UTF-8 without a byte-order mark, CRLF line ends, paired English and
//! French label columns, the shown value last under `TOTAL`.

use discreet_core::{NodeId, Shown};
use discreet_spec::Plan;

use crate::cells::TableView;
use crate::error::PublishError;
use crate::layout::{
    at_depth, calendar_level_name, column_word, is_calendar, max_depth, short_label,
};

/// Name of a table's file in IRCC's long layout.
pub(crate) fn file_name(table: &str) -> String {
    format!("{table}_ircc.csv")
}

/// The label columns of one dimension: how many, and their names.
struct DimColumns {
    /// Position of the dimension in the table.
    index: usize,
    /// Calendar dimensions get one column per level, others one.
    calendar: bool,
    /// Levels below the total (1 for a dimension that is not a calendar).
    depth: u32,
}

/// Dimensions in IRCC's column order: calendars first (IRCC puts the
/// period first), the others in table order.
fn dim_columns(view: &TableView<'_>, plan: &Plan) -> Vec<DimColumns> {
    let mut cols: Vec<DimColumns> = view
        .plan
        .dimensions
        .iter()
        .enumerate()
        .map(|(index, d)| {
            let calendar = is_calendar(plan, d);
            let depth = if calendar {
                max_depth(&view.dims()[index])
            } else {
                1
            };
            DimColumns {
                index,
                calendar,
                depth,
            }
        })
        .collect();
    cols.sort_by_key(|c| !c.calendar);
    cols
}

/// A label column of the long file: its name and what it holds, in
/// English and French.
pub(crate) struct LabelColumn {
    pub name: String,
    pub en: String,
    pub fr: String,
}

/// The label columns: per dimension its English columns, then its French
/// ones.
pub(crate) fn label_columns(view: &TableView<'_>, plan: &Plan) -> Vec<LabelColumn> {
    let mut out = Vec::new();
    for c in dim_columns(view, plan) {
        let h = &view.dims()[c.index];
        let label = &plan.dimensions[&view.plan.dimensions[c.index]].spec.label;
        let column = |name: String, detail_en: String, detail_fr: String, fr: bool| LabelColumn {
            name,
            en: format!(
                "{}: {} label{detail_en}",
                label.en,
                if fr { "French" } else { "English" }
            ),
            fr: format!(
                "{} : libellé {}{detail_fr}",
                label.fr,
                if fr { "français" } else { "anglais" }
            ),
        };
        if c.calendar {
            let levels: Vec<&str> = (1..=c.depth)
                .map(|k| {
                    let n = h
                        .publication_order()
                        .iter()
                        .find(|&&n| h.depth(n) == k)
                        .copied()
                        .unwrap_or(h.root());
                    h.node(n).level.as_str()
                })
                .collect();
            for fr in [false, true] {
                for l in &levels {
                    let (en_name, fr_name) = calendar_level_name(l);
                    let name = format!(
                        "{}_{}",
                        if fr { "FR" } else { "EN" },
                        if fr { fr_name } else { en_name }
                    );
                    out.push(column(
                        name,
                        format!(" at level {l} (empty when totalled over it)"),
                        format!(" au niveau {l} (vide pour un total sur ce niveau)"),
                        fr,
                    ));
                }
            }
        } else {
            out.push(column(
                format!("EN_{}", column_word(&label.en)),
                String::new(),
                String::new(),
                false,
            ));
            out.push(column(
                format!("FR_{}", column_word(&label.fr)),
                String::new(),
                String::new(),
                true,
            ));
        }
    }
    out
}

/// The header: the label columns, then `TOTAL`.
pub(crate) fn header(view: &TableView<'_>, plan: &Plan) -> Vec<String> {
    let mut out: Vec<String> = label_columns(view, plan)
        .into_iter()
        .map(|c| c.name)
        .collect();
    out.push("TOTAL".into());
    out
}

/// The label cells of one dimension for node `n`, English then French.
fn label_cells(view: &TableView<'_>, c: &DimColumns, n: NodeId, rec: &mut Vec<String>) {
    let h = &view.dims()[c.index];
    if !c.calendar {
        rec.push(short_label(h, n, false, false));
        rec.push(short_label(h, n, false, true));
        return;
    }
    for fr in [false, true] {
        for k in 1..=c.depth {
            rec.push(match at_depth(h, n, k) {
                Some(a) => short_label(h, a, true, fr),
                None if k == 1 && n == h.root() => short_label(h, n, false, fr),
                None => String::new(),
            });
        }
    }
}

/// The table in IRCC's long layout; cells shown `0` are left out unless
/// the spec keeps them.
pub(crate) fn ircc_csv(view: &TableView<'_>, plan: &Plan) -> Result<Vec<u8>, PublishError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let ierr = |e: csv::Error| PublishError::Internal(e.to_string());
    w.write_record(header(view, plan)).map_err(ierr)?;
    let cols = dim_columns(view, plan);
    let keep_zeros = plan.spec.publish.ircc_zero_rows;
    let mut coords = Vec::new();
    let mut rec: Vec<String> = Vec::new();
    for &i in &view.order {
        let shown = view.protected.shown_at(i);
        if shown == Shown::Zero && !keep_zeros {
            continue;
        }
        view.shape.coords(i, &mut coords);
        rec.clear();
        for c in &cols {
            label_cells(view, c, coords[c.index], &mut rec);
        }
        rec.push(shown.to_string());
        w.write_record(&rec).map_err(ierr)?;
    }
    w.into_inner()
        .map_err(|e| PublishError::Internal(e.to_string()))
}
