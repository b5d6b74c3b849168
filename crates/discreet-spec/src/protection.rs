//! Which protection method a spec asks for, beyond the rule applied to each
//! cell: secondary suppression and its settings, resolved and checked.

use std::collections::BTreeMap;

use discreet_core::NodeId;

use crate::model::RuleSpec;
use crate::plan::{Dimension, TablePlan};

/// How a release is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The IRCC rule alone: every cell rounded or `--` on its own.
    Ircc,
    /// The IRCC rule, then audited and repaired: cells are hidden (`x`)
    /// until an audit of the whole release finds nothing.
    IrccRepaired,
    /// Exact counts, `--` for counts in the suppression range, and secondary
    /// suppression by Gaussian elimination over all tables at once.
    Threshold,
    /// Exact counts, `--` for counts in the suppression range, and secondary
    /// suppression by the hypercube method.
    Hypercube,
}

impl Method {
    /// The name used in specs and in `structure.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Ircc => "ircc",
            Method::IrccRepaired => "ircc-repaired",
            Method::Threshold => "threshold",
            Method::Hypercube => "hypercube",
        }
    }

    /// Whether the method hides cells beyond the rule (secondary suppression).
    pub fn has_secondary(self) -> bool {
        self != Method::Ircc
    }

    /// Whether the method publishes exact counts (rounding base 1).
    pub fn is_exact(self) -> bool {
        matches!(self, Method::Threshold | Method::Hypercube)
    }

    /// Every method, in the order error messages list them.
    pub const ALL: [Method; 4] = [
        Method::Ircc,
        Method::IrccRepaired,
        Method::Threshold,
        Method::Hypercube,
    ];
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A method name that is not one of [`Method::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMethod(pub String);

impl std::fmt::Display for UnknownMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown rule `{}`; expected ", self.0)?;
        let last = Method::ALL.len() - 1;
        for (i, m) in Method::ALL.iter().enumerate() {
            let sep = match i {
                0 => "",
                _ if i == last => " or ",
                _ => ", ",
            };
            write!(f, "{sep}`{m}`")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownMethod {}

impl std::str::FromStr for Method {
    type Err = UnknownMethod;

    fn from_str(name: &str) -> Result<Method, UnknownMethod> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == name)
            .ok_or_else(|| UnknownMethod(name.to_string()))
    }
}

/// Which cells secondary suppression hides first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// Smallest counts first: the least information lost.
    Count,
    /// Every cell costs the same: the fewest cells hidden.
    Cells,
}

/// One cell named in a spec: its table and one node per dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    /// Index of the table in the plan.
    pub table: usize,
    /// Node of each dimension, in the table's dimension order.
    pub coords: Vec<NodeId>,
}

/// The protection method and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// The method.
    pub method: Method,
    /// Secondary suppression order.
    pub cost: Cost,
    /// Singleton protection (a count of 1 hidden next to another hidden cell).
    pub singleton: bool,
    /// Cells that must be published.
    pub forced_publish: Vec<CellRef>,
    /// Cells that must be hidden.
    pub forced_suppress: Vec<CellRef>,
}

/// The method named by `rule.kind`, or the error to report on that key.
pub(crate) fn method_of(rule: &RuleSpec) -> Result<Method, (String, String)> {
    rule.kind
        .parse()
        .map_err(|e: UnknownMethod| ("rule.kind".into(), e.to_string()))
}

/// Resolves the secondary-suppression settings of `rule`; `tables` and
/// `dimensions` name the cells the forced lists refer to.
pub(crate) fn build_protection(
    rule: &RuleSpec,
    tables: &[TablePlan],
    dimensions: &std::collections::BTreeMap<String, Dimension>,
) -> Result<Protection, (String, String)> {
    let method = method_of(rule)?;
    if !method.has_secondary() {
        for (key, set) in [
            ("cost", rule.cost.is_some()),
            ("singleton", rule.singleton.is_some()),
            ("forced_publish", !rule.forced_publish.is_empty()),
            ("forced_suppress", !rule.forced_suppress.is_empty()),
        ] {
            if set {
                return Err((
                    format!("rule.{key}"),
                    "only rules with secondary suppression (`ircc-repaired`, `threshold`, `hypercube`) use this key".into(),
                ));
            }
        }
    } else if rule.suppress[0] != 1 {
        // A hidden `x` must stand for an interval of counts; with counts
        // below the range shown too it would stand for two.
        return Err((
            "rule.suppress".into(),
            "rules with secondary suppression need the range to start at 1 (zero is set by `rule.zero`)".into(),
        ));
    }
    let cost = match rule.cost.as_deref() {
        None | Some("count") => Cost::Count,
        Some("cells") => Cost::Cells,
        Some(other) => {
            return Err((
                "rule.cost".into(),
                format!("expected `count` or `cells`, found `{other}`"),
            ))
        }
    };
    let cells = |key: &str, names: &[String]| -> Result<Vec<CellRef>, (String, String)> {
        names
            .iter()
            .map(|n| parse_cell(n, tables, dimensions).map_err(|m| (format!("rule.{key}"), m)))
            .collect()
    };
    let forced_publish = cells("forced_publish", &rule.forced_publish)?;
    let forced_suppress = cells("forced_suppress", &rule.forced_suppress)?;
    if let Some(c) = forced_publish.iter().find(|c| forced_suppress.contains(c)) {
        return Err((
            "rule.forced_publish".into(),
            format!(
                "a cell of table `{}` is both forced published and forced hidden",
                tables[c.table].name
            ),
        ));
    }
    Ok(Protection {
        method,
        cost,
        singleton: rule.singleton.unwrap_or(true),
        forced_publish,
        forced_suppress,
    })
}

impl CellRef {
    /// The cell's name as a spec writes it, `table:dim=code,dim=code`
    /// (what [`Protection`]'s cell lists accept).
    pub fn name(&self, tables: &[TablePlan], dimensions: &BTreeMap<String, Dimension>) -> String {
        let table = &tables[self.table];
        let coords: Vec<String> = (table.dimensions.iter().zip(&self.coords))
            .map(|(d, &node)| format!("{d}={}", dimensions[d].hierarchy.node(node).code))
            .collect();
        format!("{}:{}", table.name, coords.join(","))
    }
}

/// Parses `table:dim=code,dim=code` (every dimension of the table once).
fn parse_cell(
    name: &str,
    tables: &[TablePlan],
    dimensions: &BTreeMap<String, Dimension>,
) -> Result<CellRef, String> {
    let expected = "expected `table:dimension=code,...` naming every dimension of the table";
    let (tname, rest) = name
        .split_once(':')
        .ok_or_else(|| format!("`{name}`: {expected}"))?;
    let table = tables
        .iter()
        .position(|t| t.name == tname)
        .ok_or_else(|| format!("`{name}`: no table `{tname}`"))?;
    let tp = &tables[table];
    let mut coords: Vec<Option<NodeId>> = vec![None; tp.dimensions.len()];
    for part in rest.split(',') {
        let (dname, code) = part
            .split_once('=')
            .ok_or_else(|| format!("`{name}`: {expected}"))?;
        let d = tp
            .dimensions
            .iter()
            .position(|x| x == dname)
            .ok_or_else(|| format!("`{name}`: table `{tname}` has no dimension `{dname}`"))?;
        let node = dimensions[dname]
            .hierarchy
            .find(code)
            .ok_or_else(|| format!("`{name}`: dimension `{dname}` has no code `{code}`"))?;
        if coords[d].replace(node).is_some() {
            return Err(format!("`{name}`: dimension `{dname}` is named twice"));
        }
    }
    let coords = coords
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| format!("`{name}`: {expected}"))?;
    Ok(CellRef { table, coords })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_round_trip() {
        for m in Method::ALL {
            assert_eq!(m.as_str().parse::<Method>(), Ok(m));
        }
        assert_eq!(
            "gauss".parse::<Method>().unwrap_err().to_string(),
            "unknown rule `gauss`; expected `ircc`, `ircc-repaired`, `threshold` or `hypercube`"
        );
    }
}
