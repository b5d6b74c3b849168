//! What IRCC's own layouts (the long CSV and the workbooks) share: which
//! dimensions are calendars, the short labels IRCC prints for periods, and
//! the names of the level columns.

use discreet_core::{Hierarchy, NodeId};
use discreet_spec::plan::LeafMapper;
use discreet_spec::Plan;

/// Whether a dimension is a calendar (year, quarter, month).
pub(crate) fn is_calendar(plan: &Plan, dim: &str) -> bool {
    matches!(plan.dimensions[dim].mapper, LeafMapper::Calendar { .. })
}

/// A node's label in one language as IRCC prints it inside a period band:
/// calendar labels lose the year they start with (`2023 Jan` under `2023`
/// reads `Jan`); other labels are kept whole.
pub(crate) fn short_label(h: &Hierarchy, id: NodeId, calendar: bool, fr: bool) -> String {
    let pick = |n: NodeId| {
        let l = &h.node(n).label;
        if fr {
            l.fr.as_str()
        } else {
            l.en.as_str()
        }
    };
    let own = pick(id);
    if !calendar {
        return own.to_string();
    }
    h.ancestors(id)
        .skip(1)
        .filter(|&a| h.depth(a) >= 1)
        .find_map(|a| own.strip_prefix(pick(a)).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or(own)
        .to_string()
}

/// The ancestor (or the node itself) at `depth`, if the node is that deep.
pub(crate) fn at_depth(h: &Hierarchy, id: NodeId, depth: u32) -> Option<NodeId> {
    h.ancestors(id).find(|&a| h.depth(a) == depth)
}

/// Deepest level of a hierarchy (1 for a flat list of codes under a total).
pub(crate) fn max_depth(h: &Hierarchy) -> u32 {
    h.publication_order()
        .iter()
        .map(|&n| h.depth(n))
        .max()
        .unwrap_or(0)
}

/// IRCC's column names of a calendar level, English then French.
pub(crate) fn calendar_level_name(level: &str) -> (&'static str, &'static str) {
    match level {
        "year" => ("YEAR", "ANNEÉ"),
        "quarter" => ("QUARTER", "TRIMESTRE"),
        _ => ("MONTH", "MOIS"),
    }
}

/// A label as an IRCC column name: capitals, with every run of characters
/// other than letters and digits turned into one `_`.
pub(crate) fn column_word(label: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in label.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.extend(c.to_uppercase());
        } else {
            gap = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_words_follow_ircc_headers() {
        assert_eq!(
            column_word("Country of citizenship"),
            "COUNTRY_OF_CITIZENSHIP"
        );
        assert_eq!(column_word("Pays de citoyenneté"), "PAYS_DE_CITOYENNETÉ");
        assert_eq!(
            column_word("Catégorie d’immigration"),
            "CATÉGORIE_D_IMMIGRATION"
        );
        assert_eq!(column_word("Province/territory"), "PROVINCE_TERRITORY");
    }
}
