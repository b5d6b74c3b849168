//! A spec's dimensions built into hierarchies: codes (with optional
//! subtotal groups), calendars (month, quarter, year) and integer bands,
//! with the mapping of a raw column value to its leaf.

use std::collections::{BTreeMap, HashMap, HashSet};

use discreet_core::{Bilingual, Hierarchy, HierarchyBuilder, NodeId};

use crate::codelist::{self, CodeEntry, Codelist};
use crate::model::{BandSpec, CalendarSpec, ColumnType, DimensionSpec, Spec};
use crate::plan::{bi, KeyError};
use crate::value::{parse_date, parse_integer, parse_year_month};

/// How raw values of a dimension's column map to the leaves of its hierarchy.
#[derive(Debug, Clone)]
pub enum LeafMapper {
    /// Codes map to the leaf with the same code, or, when the dimension
    /// leaves the codes' level out, to the group in this map.
    Codes(HashMap<String, String>),
    /// Dates map to their month, quarter or year, inside the published period.
    Calendar {
        /// `month`, `quarter` or `year`.
        finest: Finest,
        /// First published month (year, month).
        first: (i32, u32),
        /// Last published month (year, month).
        last: (i32, u32),
    },
    /// Integers map to the band that holds them.
    Bands(Vec<(i64, Option<i64>, String)>),
}

/// Finest level of a calendar dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finest {
    /// Months.
    Month,
    /// Quarters.
    Quarter,
    /// Years.
    Year,
}

/// Where a raw value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// Into this leaf.
    Leaf(NodeId),
    /// Outside the published period: not counted in this table.
    OutsidePeriod,
}

/// A dimension with its built hierarchy.
#[derive(Debug, Clone)]
pub struct Dimension {
    /// Dimension name (column prefix in releases).
    pub name: String,
    /// The spec it came from.
    pub spec: DimensionSpec,
    /// Its tree of codes.
    pub hierarchy: Hierarchy,
    /// How raw values map to leaves.
    pub mapper: LeafMapper,
}

impl Dimension {
    /// Maps one raw value (already checked against the column type) to a
    /// leaf; `Err` says what was expected when it maps nowhere.
    pub fn map(&self, raw: &str) -> Result<Mapped, String> {
        match &self.mapper {
            LeafMapper::Codes(up) => {
                match self.hierarchy.find(up.get(raw).map_or(raw, String::as_str)) {
                    Some(id) if self.hierarchy.is_leaf(id) => Ok(Mapped::Leaf(id)),
                    _ => Err(format!("a code of dimension `{}`", self.name)),
                }
            }
            LeafMapper::Calendar {
                finest,
                first,
                last,
            } => {
                let d = parse_date(raw).ok_or("a date YYYY-MM-DD")?;
                if (d.year, d.month) < *first || (d.year, d.month) > *last {
                    return Ok(Mapped::OutsidePeriod);
                }
                let code = match finest {
                    Finest::Month => month_code(d.year, d.month),
                    Finest::Quarter => quarter_code(d.year, d.month),
                    Finest::Year => d.year.to_string(),
                };
                Ok(Mapped::Leaf(
                    self.hierarchy.find(&code).expect("calendar leaf exists"),
                ))
            }
            LeafMapper::Bands(bands) => {
                let n = parse_integer(raw).ok_or("an integer")?;
                for (min, max, code) in bands {
                    if n >= *min && max.is_none_or(|m| n <= m) {
                        return Ok(Mapped::Leaf(
                            self.hierarchy.find(code).expect("band leaf exists"),
                        ));
                    }
                }
                Err(format!(
                    "a value inside one of the bands of dimension `{}`",
                    self.name
                ))
            }
        }
    }
}

fn month_code(y: i32, m: u32) -> String {
    format!("{y:04}-{m:02}")
}
fn quarter_code(y: i32, m: u32) -> String {
    format!("{y:04}-Q{}", (m - 1) / 3 + 1)
}

/// Builds one dimension's hierarchy from its spec and the kind of its
/// column; errors carry a key suffix (`.calendar.first`) under the
/// dimension's key.
pub(crate) fn build_dimension(
    name: &str,
    d: &DimensionSpec,
    kind: ColumnType,
    spec: &Spec,
    codelists: &BTreeMap<String, Codelist>,
) -> Result<Dimension, KeyError> {
    let total = d
        .total
        .as_ref()
        .map(bi)
        .unwrap_or_else(|| Bilingual::new("Total", "Total"));
    let mut b = HierarchyBuilder::new(name, "TOTAL", total);
    let mapper = match kind {
        ColumnType::Code => {
            if d.calendar.is_some() || d.bands.is_some() {
                return Err((
                    String::new(),
                    "a code column takes neither `calendar` nor `bands`".into(),
                ));
            }
            build_codes(&mut b, name, d, spec, codelists)?
        }
        ColumnType::Date => {
            let others = d.bands.is_some() || d.subtotals;
            let cal = sole_shape(
                d.calendar.as_ref(),
                others,
                "a date",
                "calendar",
                "a `calendar` table",
            )?;
            build_calendar(&mut b, cal).map_err(|(k, m)| (format!(".calendar{k}"), m))?
        }
        ColumnType::Integer => {
            let others = d.calendar.is_some() || d.subtotals;
            let bands = sole_shape(d.bands.as_ref(), others, "an integer", "bands", "`bands`")?;
            build_bands(&mut b, name, bands).map_err(|(k, m)| (format!(".bands{k}"), m))?
        }
        ColumnType::String => {
            return Err((
                ".column".into(),
                format!(
                    "column `{}` is free text; a dimension needs a code, date or integer column",
                    d.column
                ),
            ))
        }
    };
    Ok(Dimension {
        name: name.to_string(),
        spec: d.clone(),
        hierarchy: b.build().map_err(hierarchy_error)?,
        mapper,
    })
}

fn hierarchy_error(e: discreet_core::HierarchyError) -> KeyError {
    (String::new(), e.to_string())
}

/// A date or integer dimension takes exactly one shape key (`calendar` or
/// `bands`): the others are refused and this one is required.
fn sole_shape<'a, T>(
    value: Option<&'a T>,
    others: bool,
    column: &str,
    key: &str,
    needs: &str,
) -> Result<&'a T, KeyError> {
    if others {
        return Err((String::new(), format!("{column} column takes only `{key}`")));
    }
    value.ok_or_else(|| (format!(".{key}"), format!("{column} column needs {needs}")))
}

/// The codes of the column's codelist under the total, or under their
/// groups when the dimension asks for subtotals: the parent list's codes
/// for built-in grouped lists, every level of a nested list otherwise,
/// or only the `levels` the dimension publishes.
fn build_codes(
    b: &mut HierarchyBuilder,
    name: &str,
    d: &DimensionSpec,
    spec: &Spec,
    codelists: &BTreeMap<String, Codelist>,
) -> Result<LeafMapper, KeyError> {
    let list_name = spec
        .inputs
        .values()
        .find_map(|i| i.columns.get(&d.column).and_then(|c| c.codelist.clone()))
        .expect("code columns have a codelist");
    let list = &codelists[&list_name];
    if d.subtotals && list.parent_list.is_none() && !list.is_nested() {
        return Err((
            ".subtotals".to_string(),
            format!("codelist `{list_name}` has no groups to subtotal"),
        ));
    }
    // Every node with its parent and level, groups before their codes.
    let mut nodes: Vec<(&CodeEntry, Option<&str>, String)> = Vec::new();
    if let (true, Some(parent_name)) = (d.subtotals, &list.parent_list) {
        for p in &codelists[parent_name].entries {
            nodes.push((p, None, parent_name.clone()));
        }
    }
    for e in list.tree_order() {
        let leaf = list.contains(&e.code);
        if !leaf && !d.subtotals {
            continue;
        }
        let level = if leaf {
            name.to_string()
        } else {
            format!("{list_name}_{}", list.ancestors(&e.code).count())
        };
        nodes.push((e, e.parent.as_deref().filter(|_| d.subtotals), level));
    }
    let keep = kept_levels(d, &nodes)?;
    // A node whose level is left out hands its place to its nearest kept
    // ancestor: its children hang there, and its codes count there.
    let mut up: HashMap<String, String> = HashMap::new();
    let place = |code: &str, parent: Option<&str>, kept: bool, up: &mut HashMap<String, String>| {
        let above = parent.map(|p| up.get(p).cloned().unwrap_or_else(|| p.to_string()));
        if !kept {
            up.insert(
                code.to_string(),
                above.clone().unwrap_or_else(|| "TOTAL".into()),
            );
        }
        above.unwrap_or_else(|| "TOTAL".into())
    };
    for (e, parent, level) in &nodes {
        let kept = keep.contains(level);
        let at = place(&e.code, *parent, kept, &mut up);
        if kept {
            b.add(&at, e.code.clone(), e.label.clone(), level.clone())
                .map_err(hierarchy_error)?;
        }
    }
    up.retain(|code, _| list.contains(code));
    Ok(LeafMapper::Codes(up))
}

/// The levels a code dimension publishes: all, or its `levels`, each of
/// which must be one of its levels (and need subtotals).
fn kept_levels(
    d: &DimensionSpec,
    nodes: &[(&CodeEntry, Option<&str>, String)],
) -> Result<HashSet<String>, KeyError> {
    let all: Vec<&String> = nodes.iter().fold(Vec::new(), |mut v, (_, _, l)| {
        if !v.contains(&l) {
            v.push(l);
        }
        v
    });
    let Some(levels) = &d.levels else {
        return Ok(all.into_iter().cloned().collect());
    };
    if !d.subtotals {
        return Err((
            ".levels".into(),
            "`levels` chooses among the levels of a grouped codelist: set `subtotals = true`"
                .into(),
        ));
    }
    for l in levels {
        if !all.contains(&l) {
            let names: Vec<String> = all.iter().map(|l| format!("`{l}`")).collect();
            return Err((
                ".levels".into(),
                format!("unknown level `{l}`; expected some of {}", names.join(", ")),
            ));
        }
    }
    Ok(levels.iter().cloned().collect())
}

fn build_calendar(b: &mut HierarchyBuilder, cal: &CalendarSpec) -> Result<LeafMapper, KeyError> {
    let finest = match cal.finest.as_str() {
        "month" => Finest::Month,
        "quarter" => Finest::Quarter,
        "year" => Finest::Year,
        other => {
            return Err((
                ".finest".into(),
                format!("expected `month`, `quarter` or `year`, found `{other}`"),
            ))
        }
    };
    let first = parse_year_month(&cal.first)
        .ok_or((".first".to_string(), "expected YYYY-MM".to_string()))?;
    let last =
        parse_year_month(&cal.last).ok_or((".last".to_string(), "expected YYYY-MM".to_string()))?;
    if first > last {
        return Err((".last".into(), "expected a month not before `first`".into()));
    }
    if (last.0 - first.0) > 200 {
        return Err((
            ".first".into(),
            "expected a period of at most 200 years".into(),
        ));
    }
    let months = codelist::builtin("months").expect("built in");
    let (mut y, mut m) = first;
    let mut last_year = None;
    let mut last_quarter = None;
    loop {
        let ys = y.to_string();
        if last_year != Some(y) {
            b.add(
                "TOTAL",
                ys.clone(),
                Bilingual::new(ys.clone(), ys.clone()),
                "year",
            )
            .map_err(hierarchy_error)?;
            last_year = Some(y);
        }
        let q = (m - 1) / 3 + 1;
        let qc = quarter_code(y, m);
        if finest != Finest::Year && last_quarter != Some((y, q)) {
            b.add(
                &ys,
                qc.clone(),
                Bilingual::new(format!("{y} Q{q}"), format!("{y} T{q}")),
                "quarter",
            )
            .map_err(hierarchy_error)?;
            last_quarter = Some((y, q));
        }
        if finest == Finest::Month {
            let l = &months.get(&format!("{m:02}")).expect("12 months").label;
            b.add(
                &qc,
                month_code(y, m),
                Bilingual::new(format!("{y} {}", l.en), format!("{y} {}", l.fr)),
                "month",
            )
            .map_err(hierarchy_error)?;
        }
        if (y, m) == last {
            break;
        }
        m += 1;
        if m == 13 {
            m = 1;
            y += 1;
        }
    }
    Ok(LeafMapper::Calendar {
        finest,
        first,
        last,
    })
}

fn build_bands(
    b: &mut HierarchyBuilder,
    name: &str,
    bands: &[BandSpec],
) -> Result<LeafMapper, KeyError> {
    if bands.is_empty() {
        return Err((String::new(), "expected at least one band".into()));
    }
    let mut out = Vec::new();
    for (i, band) in bands.iter().enumerate() {
        let k = format!("[{i}]");
        if let Some(max) = band.max {
            if max < band.min {
                return Err((k, format!("`max` {max} is below `min` {}", band.min)));
            }
        } else if i + 1 != bands.len() {
            return Err((k, "only the last band may omit `max`".into()));
        }
        if i > 0 {
            let prev_max = bands[i - 1].max.expect("checked above");
            if band.min <= prev_max {
                return Err((
                    k,
                    "bands must be in increasing order without overlap".into(),
                ));
            }
        }
        b.add(
            "TOTAL",
            band.code.clone(),
            Bilingual::new(band.en.clone(), band.fr.clone()),
            name,
        )
        .map_err(|e| (k.clone(), e.to_string()))?;
        out.push((band.min, band.max, band.code.clone()));
    }
    Ok(LeafMapper::Bands(out))
}
