//! `structure.json`: the public structure of every table (dimensions, codes,
//! which codes add into which) and the rule, so that anyone can check
//! additivity and audit the release without the microdata.

use serde_json::{json, Value};

use discreet_core::{Hierarchy, TieRule, ZeroDisplay};
use discreet_spec::plan::LeafMapper;
use discreet_spec::Plan;

use crate::cells::column_names;
use crate::ReleaseContent;

/// Version tag of the structure format.
pub const STRUCTURE_FORMAT: &str = "discreet-structure/1";

/// The rule and its parameters as JSON; `kind` is the protection method
/// (`ircc`, `ircc-repaired`, `threshold`, `hypercube`).
pub fn rule_json(plan: &Plan) -> Value {
    let rule = &plan.rule;
    json!({
        "kind": plan.protection.method.as_str(),
        "rounding_base": rule.base(),
        "suppress": [rule.suppress_lo(), rule.suppress_hi()],
        "zero": match rule.zero_display() { ZeroDisplay::Zero => "0", ZeroDisplay::Suppressed => "--" },
        "tie": match rule.tie_rule() { TieRule::Up => "up", TieRule::Down => "down", TieRule::Even => "even" },
    })
}

fn hierarchy_json(h: &Hierarchy) -> Value {
    let nodes: Vec<Value> = h
        .publication_order()
        .iter()
        .map(|&id| {
            let n = h.node(id);
            let children: Vec<&str> = h
                .children(id)
                .iter()
                .map(|&c| h.node(c).code.as_str())
                .collect();
            json!({
                "code": n.code,
                "level": n.level,
                "en": n.label.en,
                "fr": n.label.fr,
                "parent": n.parent.map(|p| h.node(p).code.clone()),
                "children": children,
            })
        })
        .collect();
    Value::Array(nodes)
}

/// The whole `structure.json` document.
pub fn structure_json(content: &ReleaseContent<'_>) -> Value {
    let plan = content.plan;
    let tables: Vec<Value> = content
        .tables
        .iter()
        .map(|view| {
            let dims: Vec<Value> = view
                .plan
                .dimensions
                .iter()
                .zip(view.dims())
                .map(|(name, h)| {
                    let d = &plan.dimensions[name];
                    let mut dim = json!({
                        "name": name,
                        "source_column": d.spec.column,
                        "en": d.spec.label.en,
                        "fr": d.spec.label.fr,
                        "nodes": hierarchy_json(h),
                    });
                    // What raw values each leaf covers, so that an auditor can
                    // tell which cells of different tables count the same rows.
                    match &d.mapper {
                        LeafMapper::Codes => dim["kind"] = json!("codes"),
                        LeafMapper::Calendar { first, last, .. } => {
                            dim["kind"] = json!("calendar");
                            dim["first"] = json!(format!("{:04}-{:02}", first.0, first.1));
                            dim["last"] = json!(format!("{:04}-{:02}", last.0, last.1));
                        }
                        LeafMapper::Bands(bands) => {
                            dim["kind"] = json!("bands");
                            dim["bands"] = json!(bands
                                .iter()
                                .map(
                                    |(min, max, code)| json!({"code": code, "min": min, "max": max})
                                )
                                .collect::<Vec<_>>());
                        }
                    }
                    dim
                })
                .collect();
            let mut t = json!({
                "name": view.plan.name,
                "csv": format!("{}.csv", view.plan.name),
                "parquet": format!("{}.parquet", view.plan.name),
                "input": view.plan.input,
                "columns": column_names(&view.plan.dimensions),
                "count_column": "count",
                "cells": view.order.len(),
                "margins": view.plan.margins().as_str(),
                "dimensions": dims,
            });
            if let Some(c) = &view.plan.count_distinct {
                t["count_distinct"] = json!(c);
            }
            if !view.plan.filter.is_empty() {
                // Rows counted: tables with different filters count
                // different rows, so an auditor must not tie their cells.
                t["filter"] = json!(view
                    .plan
                    .filter
                    .iter()
                    .cloned()
                    .collect::<std::collections::BTreeMap<_, _>>());
            }
            t
        })
        .collect();
    json!({
        "format": STRUCTURE_FORMAT,
        "release": plan.spec.release.name,
        "final_through": plan.spec.release.final_through,
        "rule": rule_json(plan),
        "relations": "Each table holds one cell per combination of codes, one code per dimension. For every dimension and every code with children, the cell with that code equals the sum of the cells with its children's codes, all other codes equal ('additive' margins); 'distinct' margins lie between the largest part and the sum of the parts. Totals were computed from unrounded counts and protected independently, so shown values need not add up. Tables with the same input count the same units: cells of different tables whose codes select the same rows of that input have the same true count. A dimension's `kind` says what its leaves select: `codes` (rows with that code), `calendar` (rows whose date falls in that month, quarter or year, within `first`..`last`; the total is the whole period) or `bands` (rows whose value lies in `min`..`max`). A source column that is not a dimension of a table is not restricted by it.",
        "shown_values": if plan.protection.method.has_secondary() {
            "'0' is a true zero (when rule.zero is \"0\"); '--' is a count in rule.suppress, or any larger count hidden by secondary suppression (rule.kind) so that no small count can be worked out, or a zero when rule.zero is \"--\"; any other value is the count rounded to a multiple of rule.rounding_base (1: the exact count)."
        } else {
            "'0' is a true zero (when rule.zero is \"0\"); '--' is a count in rule.suppress; any other value is the count rounded to a multiple of rule.rounding_base."
        },
        "tables": tables,
    })
}
