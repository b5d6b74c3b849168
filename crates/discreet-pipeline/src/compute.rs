//! From microdata to true tables: count distinct value combinations (the
//! record pass, over CSV or Parquet), check each distinct value once,
//! map values to hierarchy leaves, and build every table with all its
//! margins (distinct counts from each identifier's cells).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use discreet_core::{CellIndex, IrccRule, MarginKind, NodeId, ProtectedTable, Table};
use discreet_ingest::{
    DistinctPairs, DistinctRequest, Format, Groups, IngestError, KeyCheck, LevelMap, RecordPass,
    RowFilter, Source,
};
use discreet_publish::{InputDigest, TableView};
use discreet_spec::model::{ColumnType, InputFormat};
use discreet_spec::recode::Recoded;
use discreet_spec::value::check_value;
use discreet_spec::{Mapped, Plan};

use crate::error::PipelineError;
use crate::report::{stage, Reporter};

/// The true tables of a release and the digests of what they came from.
/// Holds true counts: it must never be written or printed as is.
pub struct Computed {
    /// One table per table of the plan, in order.
    pub tables: Vec<Table>,
    /// The inputs read, in name order.
    pub inputs: Vec<InputDigest>,
    /// Per recoded column with an `unmatched` code: the rows sent there.
    pub unmatched: Vec<UnmatchedRows>,
}

/// Rows of a column whose value was no code and went to its `unmatched`
/// code (a count for the run summary, never written in a release).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedRows {
    /// Input name.
    pub input: String,
    /// Column name.
    pub column: String,
    /// The code they went to.
    pub code: String,
    /// How many rows (units, for pre-aggregated inputs).
    pub rows: u64,
}

impl Computed {
    /// Protects every table independently with `rule`.
    pub fn protect(&self, rule: &IrccRule) -> Vec<ProtectedTable> {
        self.tables.iter().map(|t| t.protect(rule)).collect()
    }

    /// The writers' views of the tables: shapes and shown values only.
    pub fn views<'a>(
        &'a self,
        plan: &'a Plan,
        protected: &'a [ProtectedTable],
    ) -> Vec<TableView<'a>> {
        plan.tables
            .iter()
            .zip(&self.tables)
            .zip(protected)
            .map(|((tp, t), p)| TableView::new(tp, t, p))
            .collect()
    }
}

/// Resolves the path of every input: `--input NAME=PATH` first, else the spec.
fn input_paths(
    plan: &Plan,
    overrides: &BTreeMap<String, PathBuf>,
) -> Result<BTreeMap<String, PathBuf>, PipelineError> {
    for name in overrides.keys() {
        if !plan.spec.inputs.contains_key(name) {
            return Err(PipelineError::UnknownInput {
                name: name.clone(),
                expected: plan.spec.inputs.keys().cloned().collect(),
            });
        }
    }
    Ok(plan
        .spec
        .inputs
        .iter()
        .map(|(n, i)| {
            (
                n.clone(),
                overrides
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| PathBuf::from(&i.path)),
            )
        })
        .collect())
}

/// Reads every input and builds every table of the plan.
pub fn compute(
    plan: &Plan,
    overrides: &BTreeMap<String, PathBuf>,
    reporter: &mut dyn Reporter,
) -> Result<Computed, PipelineError> {
    let paths = input_paths(plan, overrides)?;
    let mut tables: Vec<Option<Table>> = vec![None; plan.tables.len()];
    let mut digests = Vec::new();
    let mut unmatched = Vec::new();
    for (name, path) in &paths {
        let table_ids: Vec<usize> = (0..plan.tables.len())
            .filter(|&i| plan.tables[i].input == *name)
            .collect();
        if table_ids.is_empty() {
            continue;
        }
        digests.push(read_input(
            plan,
            name,
            path,
            &table_ids,
            &mut tables,
            &mut unmatched,
            reporter,
        )?);
    }
    Ok(Computed {
        tables: tables
            .into_iter()
            .map(|t| t.expect("every table has an input"))
            .collect(),
        inputs: digests,
        unmatched,
    })
}

/// The input `name` at `path` as a source, its format from the spec or the
/// file name, its columns checked.
fn open_source(plan: &Plan, name: &str, path: &Path) -> Result<Source, PipelineError> {
    let input = &plan.spec.inputs[name];
    let format = match plan.input_format(name, path) {
        Some(InputFormat::Csv) => Format::Csv {
            delimiter: input.delimiter.as_deref().map_or(b',', |d| d.as_bytes()[0]),
        },
        Some(InputFormat::Parquet) => Format::Parquet,
        None => {
            return Err(PipelineError::Input(IngestError::file(
                &path.display().to_string(),
                format!("a .csv or .parquet file name, or `format` declared in inputs.{name}"),
            )))
        }
    };
    let source = Source {
        path: path.to_path_buf(),
        format,
        columns: input.columns.keys().cloned().collect(),
    };
    source.check()?;
    Ok(source)
}

/// What the record pass over one input groups and counts for its tables.
struct Grouping {
    /// One group-by per distinct set of dimension columns and row filter,
    /// then one per other typed column to check.
    sets: Vec<(Vec<String>, RowFilter)>,
    /// Per table of the input (in order), its group-by.
    set_of_table: Vec<usize>,
    /// Distinct counts taken from the record pass's (identifier, group)
    /// pairs.
    requests: Vec<DistinctRequest>,
    /// Per table of the input, its request, if any.
    request_of_table: Vec<Option<usize>>,
}

impl Grouping {
    fn new(plan: &Plan, name: &str, table_ids: &[usize]) -> Self {
        let input = &plan.spec.inputs[name];
        let mut sets: Vec<(Vec<String>, RowFilter)> = Vec::new();
        let mut set_of_table = Vec::new();
        for &t in table_ids {
            let cols: Vec<String> = plan.tables[t]
                .dimensions
                .iter()
                .map(|d| plan.dimensions[d].spec.column.clone())
                .collect();
            let set = (cols, plan.tables[t].filter.clone());
            let pos = sets.iter().position(|s| *s == set).unwrap_or_else(|| {
                sets.push(set);
                sets.len() - 1
            });
            set_of_table.push(pos);
        }
        // Every other typed column is checked too, through a group-by of
        // its own.
        for (cname, c) in &input.columns {
            if c.kind != ColumnType::String
                && !c.unique
                && !sets.iter().any(|(s, f)| f.is_empty() && s.contains(cname))
            {
                sets.push((vec![cname.clone()], Vec::new()));
            }
        }
        // Distinct counts (tables of at most four dimensions) come from the
        // record pass's (identifier, group) pairs.
        let mut requests = Vec::new();
        let mut request_of_table = vec![None; table_ids.len()];
        for (k, &t) in table_ids.iter().enumerate() {
            let tp = &plan.tables[t];
            match &tp.count_distinct {
                Some(column) if tp.dimensions.len() <= 4 => {
                    request_of_table[k] = Some(requests.len());
                    requests.push(DistinctRequest {
                        columns: sets[set_of_table[k]].0.clone(),
                        identifier: column.clone(),
                        filter: tp.filter.clone(),
                    });
                }
                _ => {}
            }
        }
        Grouping {
            sets,
            set_of_table,
            requests,
            request_of_table,
        }
    }
}

/// Reads input `name` in one record pass, checks it, and builds its
/// tables (`table_ids`) into `tables`; returns its digest.
fn read_input(
    plan: &Plan,
    name: &str,
    path: &Path,
    table_ids: &[usize],
    tables: &mut [Option<Table>],
    unmatched: &mut Vec<UnmatchedRows>,
    reporter: &mut dyn Reporter,
) -> Result<InputDigest, PipelineError> {
    let input = &plan.spec.inputs[name];
    let source = open_source(plan, name, path)?;
    // The record pass also hashes one unique column's values, so that
    // its uniqueness needs no hash set of the values themselves.
    let key = input
        .columns
        .iter()
        .find(|(_, c)| c.kind == ColumnType::String && c.unique)
        .map(|(n, _)| n.as_str());
    let grouping = Grouping::new(plan, name, table_ids);
    // Other free-text columns that may not be empty are checked for
    // that on the way.
    let non_empty: Vec<&str> = (input.columns.iter())
        .filter(|(_, c)| c.kind == ColumnType::String && !c.unique && !c.nullable)
        .map(|(n, _)| n.as_str())
        .collect();
    let pass = RecordPass {
        key,
        sets: &grouping.sets,
        weight: input.count_column.as_deref(),
        non_empty: &non_empty,
        distinct: &grouping.requests,
    };
    let mut digest = stage(
        reporter,
        &format!("reading input `{name}` (hashing, checking records, counting)"),
        || source.digest(&pass),
    )?;
    let groups = std::mem::take(&mut digest.groups);
    let distinct = std::mem::take(&mut digest.distinct);
    if groups.iter().all(|g| g.is_empty()) {
        return Err(PipelineError::Input(IngestError::file(
            &path.display().to_string(),
            "at least one data row; the file has only a header",
        )));
    }
    stage(reporter, &format!("checking input `{name}`"), || {
        check_groups(plan, name, &source, &groups)
    })?;
    unmatched.extend(unmatched_rows(plan, name, &grouping, &groups));
    for (cname, c) in &input.columns {
        if c.kind == ColumnType::String && (c.unique || !c.nullable) {
            stage(
                reporter,
                &format!("checking column `{cname}` of input `{name}`"),
                || {
                    let seen = digest.key.filter(|_| Some(cname.as_str()) == key);
                    let empty = (digest.empty.iter())
                        .find(|(n, _)| n == cname)
                        .map(|&(_, e)| e);
                    check_text_column(&source, cname, c.unique, c.nullable, seen, empty)
                },
            )?;
        }
    }

    for (k, &t) in table_ids.iter().enumerate() {
        let tp = &plan.tables[t];
        let g = &groups[grouping.set_of_table[k]];
        let table = match &tp.count_distinct {
            None => stage(reporter, &format!("building table `{}`", tp.name), || {
                build_table(plan, t, &source, g)
            })?,
            Some(column) => stage(
                reporter,
                &format!("counting distinct `{column}` for table `{}`", tp.name),
                || match grouping.request_of_table[k] {
                    Some(r) => build_distinct_from_pairs(plan, t, &source, &distinct[r]),
                    None => build_distinct_table(plan, t, &source, g, column),
                },
            )?,
        };
        if table.counts()[0] == 0 {
            reporter.warn(&format!(
                "table `{}`: no row of input `{name}` falls inside the table's period",
                tp.name
            ));
        }
        tables[t] = Some(table);
    }
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(InputDigest {
        name: name.to_string(),
        file_name,
        sha256: digest.sha256,
    })
}

/// Checks every distinct value of every grouped column against its type.
fn check_groups(
    plan: &Plan,
    input: &str,
    source: &Source,
    groups: &[Groups],
) -> Result<(), PipelineError> {
    let spec = &plan.spec.inputs[input];
    let mut checked: HashMap<&str, std::collections::HashSet<Option<&str>>> = HashMap::new();
    for g in groups {
        for (c, cname) in g.columns.iter().enumerate() {
            let col = &spec.columns[cname];
            let list = plan.column_codelist(input, cname);
            let seen = checked.entry(cname.as_str()).or_default();
            for v in &g.keys[c] {
                let v = v.as_deref();
                if !seen.insert(v) {
                    continue;
                }
                let code = v.map(|raw| plan.code(input, cname, raw));
                let checked = match &code {
                    Some(Recoded::Unmatched(_)) => Ok(()),
                    Some(Recoded::Code(c)) => check_value(col, list, Some(c)),
                    None => check_value(col, list, None),
                };
                if let Err(expected) = checked {
                    return Err(locate(source, cname, v, expected));
                }
                if spec.count_column.as_deref() == Some(cname.as_str())
                    && v.is_some_and(|v| v.starts_with('-'))
                {
                    return Err(locate(
                        source,
                        cname,
                        v,
                        "a count of 0 or more, found a negative count".into(),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The rows each recoded column sent to its `unmatched` code, counted
/// from a group-by without row filter that holds the column.
fn unmatched_rows(
    plan: &Plan,
    input: &str,
    grouping: &Grouping,
    groups: &[Groups],
) -> Vec<UnmatchedRows> {
    let mut out = Vec::new();
    for (cname, _) in &plan.spec.inputs[input].columns {
        let Some(code) = plan.recode(input, cname).and_then(|r| r.unmatched.clone()) else {
            continue;
        };
        let found = (grouping.sets.iter().zip(groups)).find_map(|((cols, filter), g)| {
            let c = cols.iter().position(|x| x == cname)?;
            filter.is_empty().then_some((c, g))
        });
        let Some((c, g)) = found else { continue };
        let rows = (g.keys[c].iter().zip(&g.counts))
            .filter(|(v, _)| {
                v.as_deref().is_some_and(|raw| {
                    matches!(plan.code(input, cname, raw), Recoded::Unmatched(_))
                })
            })
            .map(|(_, &n)| n)
            .sum();
        out.push(UnmatchedRows {
            input: input.to_string(),
            column: cname.clone(),
            code,
            rows,
        });
    }
    out
}

/// Uniqueness and emptiness of free-text columns: one aggregate pass; the
/// rows at fault are searched for only when there is a fault.
/// `seen` is what the record pass saw of this column, when it hashed
/// it: then no scan is needed unless two hashes met (hashes can collide,
/// so the exact search decides). `empty` is whether the record pass saw
/// the column empty, when it looked.
fn check_text_column(
    source: &Source,
    column: &str,
    unique: bool,
    nullable: bool,
    seen: Option<KeyCheck>,
    empty: Option<bool>,
) -> Result<(), PipelineError> {
    let (has_null, duplicated) = match (seen, empty) {
        (Some(k), _) => (k.has_empty, unique && k.may_repeat),
        (None, Some(empty)) if !unique => (empty, false),
        (None, _) if nullable && !unique => (false, false),
        (None, _) => source.text_faults(column, unique)?,
    };
    if has_null && !nullable {
        return Err(locate(
            source,
            column,
            None,
            "a non-empty value, found an empty value".into(),
        ));
    }
    if duplicated {
        if let Some(dup) = source.first_duplicate(column)? {
            let line = source.locate(column, Some(&dup), 1)?;
            return Err(PipelineError::Input(source.error_at(
                line,
                column,
                "a value found in no other row; this one repeats an earlier row's",
            )));
        }
    }
    Ok(())
}

/// An input error at the first row holding `value` in `column`.
fn locate(source: &Source, column: &str, value: Option<&str>, expected: String) -> PipelineError {
    let line = source.locate(column, value, 0).ok().flatten();
    PipelineError::Input(source.error_at(line, column, expected))
}

/// Builds a table of distinct counts: every cell, margins included, counted
/// from the microdata by one `n_unique` group-by per combination of levels
/// (never by adding children, which would count a person twice). `g` holds
/// the table's dimension values, already checked.
fn build_distinct_table(
    plan: &Plan,
    t: usize,
    source: &Source,
    g: &Groups,
    column: &str,
) -> Result<Table, PipelineError> {
    let tp = &plan.tables[t];
    let dims: Vec<&discreet_spec::Dimension> =
        tp.dimensions.iter().map(|d| &plan.dimensions[d]).collect();
    let mut maps = Vec::with_capacity(dims.len());
    for (d, dim) in dims.iter().enumerate() {
        let h = &dim.hierarchy;
        let depth = h.leaves().iter().map(|&l| h.depth(l)).max().unwrap_or(0) as usize;
        let mut raw: Vec<&str> = g.keys[d].iter().filter_map(|v| v.as_deref()).collect();
        raw.sort_unstable();
        raw.dedup();
        let mut map = LevelMap {
            column: dim.spec.column.clone(),
            raw: Vec::new(),
            levels: vec![Vec::new(); depth + 1],
        };
        for r in raw {
            let leaf = match dim
                .map(&code_of(plan, &tp.input, &dim.spec.column, r))
                .map_err(|expected| locate(source, &dim.spec.column, Some(r), expected))?
            {
                Mapped::Leaf(id) => id,
                Mapped::OutsidePeriod => continue,
            };
            // The node at each depth on the way from the total to the leaf;
            // below a shallow leaf, the leaf itself.
            let mut path: Vec<NodeId> = h.ancestors(leaf).collect();
            path.reverse();
            if path.last() != Some(&leaf) {
                path.push(leaf);
            }
            map.raw.push(r.to_string());
            for (k, level) in map.levels.iter_mut().enumerate() {
                level.push(path[k.min(path.len() - 1)]);
            }
        }
        maps.push(map);
    }
    let mut combos: Vec<Vec<usize>> = vec![Vec::new()];
    for m in &maps {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                (0..m.levels.len()).map(move |k| {
                    let mut c = c.clone();
                    c.push(k);
                    c
                })
            })
            .collect();
    }
    let hierarchies: Vec<_> = dims.iter().map(|d| d.hierarchy.clone()).collect();
    let mut table = Table::zeros(tp.name.clone(), hierarchies, MarginKind::Distinct)
        .map_err(|e| PipelineError::Usage(format!("spec {}: {e}", plan.source_name)))?;
    if maps.iter().any(|m| m.raw.is_empty()) {
        return Ok(table);
    }
    let groups = source.distinct_counts(&maps, column, &combos, &tp.filter)?;
    let mut coords: Vec<NodeId> = vec![0; dims.len()];
    for grp in &groups {
        for i in 0..grp.len() {
            for (d, c) in coords.iter_mut().enumerate() {
                *c = grp.keys[d][i]
                    .as_deref()
                    .and_then(|v| v.parse().ok())
                    .expect("node ids come back as they were sent");
            }
            table.set(&coords, grp.counts[i]);
        }
    }
    Ok(table)
}

/// The code a raw value of a dimension's column stands for (after its
/// recode, which the input check has already accepted).
fn code_of<'a>(
    plan: &'a Plan,
    input: &str,
    column: &str,
    raw: &'a str,
) -> std::borrow::Cow<'a, str> {
    match plan.code(input, column, raw) {
        Recoded::Code(c) => c,
        Recoded::Unmatched(u) => std::borrow::Cow::Borrowed(u),
    }
}

/// Maps each group to its leaf cell and builds the table with all margins.
fn build_table(plan: &Plan, t: usize, source: &Source, g: &Groups) -> Result<Table, PipelineError> {
    let leaves = leaf_cells(plan, t, source, g)?;
    let leaf_cells =
        (leaves.iter().zip(&g.counts)).filter_map(|(coords, &n)| Some((&coords.as_ref()?[..], n)));
    Table::from_leaf_counts(
        plan.tables[t].name.clone(),
        hierarchies(plan, t),
        leaf_cells,
    )
    .map_err(|e| PipelineError::Usage(format!("spec {}: {e}", plan.source_name)))
}

/// The hierarchies of table `t`'s dimensions.
fn hierarchies(plan: &Plan, t: usize) -> Vec<discreet_core::Hierarchy> {
    (plan.tables[t].dimensions.iter())
        .map(|d| plan.dimensions[d].hierarchy.clone())
        .collect()
}

/// Each group's leaf cell in table `t` (a leaf per dimension), or `None`
/// when it falls outside the table's period.
fn leaf_cells(
    plan: &Plan,
    t: usize,
    source: &Source,
    g: &Groups,
) -> Result<Vec<Option<Vec<NodeId>>>, PipelineError> {
    let dims: Vec<&discreet_spec::Dimension> = (plan.tables[t].dimensions.iter())
        .map(|d| &plan.dimensions[d])
        .collect();
    let mut caches: Vec<HashMap<&str, Mapped>> = vec![HashMap::new(); dims.len()];
    let mut leaves = Vec::with_capacity(g.len());
    'groups: for i in 0..g.len() {
        let mut coords = Vec::with_capacity(dims.len());
        for (d, dim) in dims.iter().enumerate() {
            let raw = g.keys[d][i].as_deref().unwrap_or("");
            let mapped = match caches[d].get(raw) {
                Some(m) => *m,
                None => {
                    let code = code_of(plan, &plan.tables[t].input, &dim.spec.column, raw);
                    let m = dim.map(&code).map_err(|expected| {
                        locate(source, &dim.spec.column, g.keys[d][i].as_deref(), expected)
                    })?;
                    caches[d].insert(raw, m);
                    m
                }
            };
            match mapped {
                Mapped::Leaf(id) => coords.push(id),
                Mapped::OutsidePeriod => {
                    leaves.push(None);
                    continue 'groups;
                }
            }
        }
        leaves.push(Some(coords));
    }
    Ok(leaves)
}

/// Builds a table of distinct counts from the (identifier, group) pairs of
/// the record pass: each identifier counts once in every cell that holds
/// one of its groups' leaf cells, margins included (never by adding
/// children, which would count it twice).
fn build_distinct_from_pairs(
    plan: &Plan,
    t: usize,
    source: &Source,
    found: &DistinctPairs,
) -> Result<Table, PipelineError> {
    let mut table = Table::zeros(
        plan.tables[t].name.clone(),
        hierarchies(plan, t),
        MarginKind::Distinct,
    )
    .map_err(|e| PipelineError::Usage(format!("spec {}: {e}", plan.source_name)))?;
    // Every cell above each group's leaf cell: all combinations of the
    // leaves' ancestors (themselves included).
    let cells_above: Vec<Vec<CellIndex>> = leaf_cells(plan, t, source, &found.groups)?
        .into_iter()
        .map(|leaf| {
            let Some(leaf) = leaf else {
                return Vec::new();
            };
            let mut cells: Vec<Vec<NodeId>> = vec![Vec::new()];
            for (&node, h) in leaf.iter().zip(table.dims()) {
                // The node itself first, then up to the total.
                let up: Vec<NodeId> = h.ancestors(node).collect();
                cells = (cells.into_iter())
                    .flat_map(|c| {
                        up.iter().map(move |&a| {
                            let mut c = c.clone();
                            c.push(a);
                            c
                        })
                    })
                    .collect();
            }
            cells.iter().map(|c| table.index(c)).collect()
        })
        .collect();
    let mut counts = vec![0u64; table.len()];
    let mut cells: Vec<CellIndex> = Vec::new();
    for pairs in found.pairs.chunk_by(|a, b| a.0 == b.0) {
        // One identifier: the cells above any of its groups, each once.
        cells.clear();
        for &(_, g) in pairs {
            cells.extend_from_slice(&cells_above[g as usize]);
        }
        if pairs.len() > 1 {
            cells.sort_unstable();
            cells.dedup();
        }
        for &c in &cells {
            counts[c] += 1;
        }
    }
    let mut coords = Vec::new();
    for (i, &n) in counts.iter().enumerate().filter(|&(_, &n)| n > 0) {
        table.coords(i, &mut coords);
        table.set(&coords, n);
    }
    Ok(table)
}
