//! `structure.json`: the public structure of every table (dimensions, codes,
//! which codes add into which) and the rule, so that anyone can check
//! additivity and audit the release without the microdata.

use serde_json::Value;

use discreet_core::Hierarchy;
use discreet_spec::plan::LeafMapper;
use discreet_spec::{Plan, TableFormat};
use discreet_structure::{
    BandDoc, DimensionDoc, DimensionKind, NodeDoc, RuleDoc, Structure, TableDoc, STRUCTURE_FORMAT,
};

use crate::cells::column_names;
use crate::{ReleaseContent, TableView};

/// The rule and its parameters.
pub fn rule_doc(plan: &Plan) -> RuleDoc {
    RuleDoc::new(plan.protection.method, &plan.rule)
}

/// The rule and its parameters as JSON; `kind` is the protection method
/// (`ircc`, `ircc-repaired`, `threshold`, `hypercube`).
pub fn rule_json(plan: &Plan) -> Value {
    serde_json::to_value(rule_doc(plan)).expect("a rule holds only plain values")
}

fn nodes(h: &Hierarchy) -> Vec<NodeDoc> {
    h.publication_order()
        .iter()
        .map(|&id| {
            let n = h.node(id);
            NodeDoc {
                children: h
                    .children(id)
                    .iter()
                    .map(|&c| h.node(c).code.clone())
                    .collect(),
                code: n.code.clone(),
                en: n.label.en.clone(),
                fr: n.label.fr.clone(),
                level: n.level.clone(),
                parent: n.parent.map(|p| h.node(p).code.clone()),
            }
        })
        .collect()
}

/// What raw values each leaf covers, so that an auditor can tell which
/// cells of different tables count the same rows.
fn kind(mapper: &LeafMapper) -> DimensionKind {
    let month = |(y, m): (i32, u32)| format!("{y:04}-{m:02}");
    match mapper {
        LeafMapper::Codes(_) => DimensionKind::Codes,
        LeafMapper::Calendar { first, last, .. } => DimensionKind::Calendar {
            first: month(*first),
            last: month(*last),
        },
        LeafMapper::Bands(bands) => DimensionKind::Bands {
            bands: bands
                .iter()
                .map(|(min, max, code)| BandDoc {
                    code: code.clone(),
                    max: *max,
                    min: *min,
                })
                .collect(),
        },
    }
}

fn table(plan: &Plan, view: &TableView<'_>) -> TableDoc {
    let tp = view.plan;
    let dimensions = tp
        .dimensions
        .iter()
        .zip(view.dims())
        .map(|(name, h)| {
            let d = &plan.dimensions[name];
            DimensionDoc {
                name: name.clone(),
                source_column: d.spec.column.clone(),
                en: d.spec.label.en.clone(),
                fr: d.spec.label.fr.clone(),
                kind: kind(&d.mapper),
                nodes: nodes(h),
            }
        })
        .collect();
    TableDoc {
        cells: view.order.len(),
        columns: column_names(&tp.dimensions),
        count_column: "count".into(),
        count_distinct: tp.count_distinct.clone(),
        csv: format!("{}.csv", tp.name),
        dimensions,
        // Rows counted: tables with different filters count different rows,
        // so an auditor must not tie their cells.
        filter: (!tp.filter.is_empty()).then(|| tp.filter.iter().cloned().collect()),
        input: tp.input.clone(),
        margins: tp.margins(),
        name: tp.name.clone(),
        parquet: plan
            .writes(TableFormat::Parquet)
            .then(|| format!("{}.parquet", tp.name)),
    }
}

/// The whole `structure.json` document.
pub fn structure_doc(content: &ReleaseContent<'_>) -> Structure {
    let plan = content.plan;
    Structure {
        final_through: plan.spec.release.final_through.clone(),
        format: STRUCTURE_FORMAT.into(),
        relations: RELATIONS.into(),
        release: plan.spec.release.name.clone(),
        rule: rule_doc(plan),
        shown_values: if plan.protection.method.has_secondary() {
            SHOWN_WITH_SECONDARY
        } else {
            SHOWN
        }
        .into(),
        tables: content.tables.iter().map(|v| table(plan, v)).collect(),
    }
}

/// Prose in the document: which cells add into which.
const RELATIONS: &str = "Each table holds one cell per combination of codes, one code per dimension. For every dimension and every code with children, the cell with that code equals the sum of the cells with its children's codes, all other codes equal ('additive' margins); 'distinct' margins lie between the largest part and the sum of the parts. Totals were computed from unrounded counts and protected independently, so shown values need not add up. Tables with the same input count the same units: cells of different tables whose codes select the same rows of that input have the same true count. A dimension's `kind` says what its leaves select: `codes` (rows with that code), `calendar` (rows whose date falls in that month, quarter or year, within `first`..`last`; the total is the whole period) or `bands` (rows whose value lies in `min`..`max`). A source column that is not a dimension of a table is not restricted by it.";

/// Prose in the document: what a shown value stands for, without secondary
/// suppression.
const SHOWN: &str = "'0' is a true zero (when rule.zero is \"0\"); '--' is a count in rule.suppress; any other value is the count rounded to a multiple of rule.rounding_base.";

/// Prose in the document: what a shown value stands for, with secondary
/// suppression.
const SHOWN_WITH_SECONDARY: &str = "'0' is a true zero (when rule.zero is \"0\"); '--' is a count in rule.suppress, or any larger count hidden by secondary suppression (rule.kind) so that no small count can be worked out, or a zero when rule.zero is \"--\"; any other value is the count rounded to a multiple of rule.rounding_base (1: the exact count).";
