//! `discreet audit`: attack a release from the outside. Reads only what is
//! published (`structure.json` and the table CSVs), turns every shown value
//! into the interval it allows, ties cells by the sums the structure
//! declares, across tables that count the same rows, and across earlier
//! releases for periods they declared final, and asks the audit engine what
//! an outsider can infer about each cell.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use discreet_audit::{
    audit, AuditOptions, FindingKind, Interval, RelationKind, SystemBuilder, TableLayout, Var,
};
use discreet_core::{IrccRule, MarginKind, Shown};
use discreet_structure::{period_months, DimensionDoc, DimensionKind, Structure};

use crate::error::PipelineError;
use crate::report::{stage, Reporter};

/// One cell the audit found something about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFinding {
    /// Table name.
    pub table: String,
    /// `(dimension, code)` per dimension.
    pub cell: Vec<(String, String)>,
    /// The shown value.
    pub shown: String,
    /// Smallest value an outsider can infer.
    pub lo: u64,
    /// Largest value an outsider can infer (`None`: unbounded).
    pub hi: Option<u64>,
    /// `disclosed`, `narrowed` or `inconsistent`.
    pub kind: &'static str,
}

/// What an audit protects, as asked for; what is left out takes the
/// default for the audited release's rule ([`default_protect_below`], a
/// width of 3, LP on blocks of up to 5,000 cells).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditSettings {
    /// Counts `1..protect_below` are protected.
    pub protect_below: Option<u64>,
    /// A protected cell known to lie in fewer values than this is narrowed.
    pub min_width: Option<u64>,
    /// Blocks of linked cells up to this size get LP bounds.
    pub lp_max_block: Option<usize>,
}

impl AuditSettings {
    /// The engine's options for a release published under `rule`.
    pub fn options(&self, rule: &IrccRule) -> AuditOptions {
        let mut options = AuditOptions::default();
        options.policy.protect_nonzero_below = self
            .protect_below
            .unwrap_or_else(|| default_protect_below(rule));
        if let Some(w) = self.min_width {
            options.policy.min_width = w;
        }
        if let Some(b) = self.lp_max_block {
            options.lp_max_block_vars = b;
        }
        options
    }
}

/// Which counts an audit protects by default: under a rounding rule every
/// count below 10 (the rule hides 1..4 and its first shown values stand
/// for counts down to 5 and 8, see the audit engine's `Policy`); under an
/// exact-count rule (base 1), which publishes counts above its suppression
/// range as they are, the suppression range itself.
pub fn default_protect_below(rule: &IrccRule) -> u64 {
    if rule.base() == 1 {
        rule.suppress_hi() + 1
    } else {
        10
    }
}

/// The name of a finding in `[audit].accept`: `table:dim=code,dim=code`.
pub fn finding_name(f: &AuditFinding) -> String {
    let cell: Vec<String> = f.cell.iter().map(|(d, c)| format!("{d}={c}")).collect();
    format!("{}:{}", f.table, cell.join(","))
}

/// Per table counts of findings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableAudit {
    /// Table name.
    pub name: String,
    /// Cells audited.
    pub cells: usize,
    /// Cells pinned to one protected value.
    pub disclosed: usize,
    /// Cells narrowed below the protection width.
    pub narrowed: usize,
    /// Cells whose constraints admit no value.
    pub inconsistent: usize,
}

/// The outcome of an audit.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    /// Cells audited in all tables.
    pub cells: usize,
    /// Relations used (sums and cross-table equalities).
    pub relations: usize,
    /// Independent blocks the system split into.
    pub blocks: usize,
    /// LP solves run (whole blocks and neighbourhoods).
    pub lp_solves: usize,
    /// The policy and LP limit the audit ran with.
    pub settings: AuditSettings,
    /// Per table.
    pub tables: Vec<TableAudit>,
    /// Every finding, disclosed first, then narrowed (narrowest first).
    pub findings: Vec<AuditFinding>,
}

fn bad(dir: &Path, file: &str, what: impl std::fmt::Display) -> PipelineError {
    PipelineError::Usage(format!("{}: {file}: {what}", dir.display()))
}

/// The interval of a preimage (`u64::MAX`: no upper bound).
pub(crate) fn domain(lo: u64, hi: u64) -> Interval {
    if hi == u64::MAX {
        Interval::at_least(lo)
    } else {
        Interval::new(lo, hi)
    }
}

/// One dimension as published.
struct Dim {
    name: String,
    column: String,
    codes: Vec<String>,
    index: HashMap<String, usize>,
    /// Canonical description of the rows each node selects.
    selection: Vec<String>,
    /// For calendar dimensions: the last month (as year * 12 + month - 1)
    /// each node selects, to tell final periods from revisable ones.
    last_month: Vec<Option<i64>>,
}

fn ranges(mut v: Vec<i64>) -> String {
    v.sort_unstable();
    v.dedup();
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        out.push(format!("{}..{}", v[i], v[j]));
        i = j + 1;
    }
    out.join(",")
}

/// One dimension as published, and the child nodes of each of its nodes.
fn parse_dim(dir: &Path, v: &DimensionDoc) -> Result<(Dim, Vec<Vec<u32>>), PipelineError> {
    let name = &v.name;
    let err = |m: String| bad(dir, "structure.json", format!("dimension `{name}`: {m}"));
    let codes: Vec<String> = v.nodes.iter().map(|n| n.code.clone()).collect();
    let index: HashMap<String, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i))
        .collect();
    if index.len() != codes.len() {
        return Err(err("repeats a code".into()));
    }
    let children =
        v.nodes
            .iter()
            .map(|n| {
                n.children
                    .iter()
                    .map(|c| {
                        index.get(c).copied().ok_or_else(|| {
                            err(format!("node `{}` has an unknown child `{c}`", n.code))
                        })
                    })
                    .collect::<Result<Vec<usize>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
    // Leaves under each node, for the rows it selects.
    let leaves_under = |i: usize| -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            if children[n].is_empty() {
                out.push(n);
            } else {
                stack.extend(&children[n]);
            }
        }
        out
    };
    let root = v
        .nodes
        .iter()
        .position(|n| n.parent.is_none())
        .ok_or_else(|| err("has no total".into()))?;
    let months = |i: usize| -> Vec<i64> {
        leaves_under(i)
            .iter()
            .flat_map(|&l| period_months(&codes[l]).unwrap_or_default())
            .collect()
    };
    let selection = (0..codes.len())
        .map(|i| match &v.kind {
            // Every row holds a valid code and lies in some band, so the
            // total selects all rows; a period restricts rows even at its total.
            DimensionKind::Codes | DimensionKind::Bands { .. } if i == root => "*".to_string(),
            DimensionKind::Calendar { .. } => ranges(months(i)),
            DimensionKind::Bands { bands } => {
                let mut parts: Vec<String> = leaves_under(i)
                    .iter()
                    .map(|&l| match bands.iter().find(|b| b.code == codes[l]) {
                        Some(b) => match b.max {
                            Some(max) => format!("{}..{max}", b.min),
                            None => format!("{}..", b.min),
                        },
                        None => codes[l].clone(),
                    })
                    .collect();
                parts.sort();
                parts.join(",")
            }
            DimensionKind::Codes => {
                let mut c: Vec<&str> = leaves_under(i).iter().map(|&l| codes[l].as_str()).collect();
                c.sort_unstable();
                c.join(",")
            }
        })
        .collect();
    let calendar = matches!(v.kind, DimensionKind::Calendar { .. });
    let last_month = (0..codes.len())
        .map(|i| calendar.then(|| months(i).into_iter().max()).flatten())
        .collect();
    Ok((
        Dim {
            name: name.clone(),
            column: v.source_column.clone(),
            codes,
            index,
            selection,
            last_month,
        },
        children
            .into_iter()
            .map(|kids| kids.into_iter().map(|c| c as u32).collect())
            .collect(),
    ))
}

/// `v` as compact JSON: part of the key that says which rows a table counts.
fn json_text(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("plain values serialise")
}

/// A published table loaded into the audit system.
struct LoadedTable {
    /// 0 for the release audited, 1.. for the earlier releases audited with it.
    release: usize,
    /// Name in reports (prefixed for previous releases).
    label: String,
    input: String,
    dims: Vec<Dim>,
    /// Its cells' vars and its margins.
    layout: TableLayout,
    shown: Vec<String>,
    /// Last final month of its release (year * 12 + month - 1).
    final_through: Option<i64>,
}

/// Reads and parses the `structure.json` of the release folder `dir`.
pub(crate) fn read_structure(dir: &Path) -> Result<Structure, PipelineError> {
    let text = std::fs::read(dir.join("structure.json")).map_err(|_| {
        PipelineError::Usage(format!(
            "{}: not a release folder (no structure.json)",
            dir.display()
        ))
    })?;
    serde_json::from_slice(&text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => e.to_string(),
            _ => format!("not valid JSON ({e})"),
        };
        bad(dir, "structure.json", what)
    })
}

/// Reads one release folder's tables, adds their cells and sums to `b`.
fn load_release(
    dir: &Path,
    release: usize,
    b: &mut SystemBuilder,
    reporter: &mut dyn Reporter,
) -> Result<(IrccRule, Vec<LoadedTable>), PipelineError> {
    let st = read_structure(dir)?;
    load_structure(dir, &st, release, b, &mut |file, dims, layout| {
        stage(reporter, &format!("reading {file}"), || {
            read_shown(dir, file, dims, layout)
        })
    })
}

/// Reads a table's shown values, in cell order: `(file, dims, layout)`.
type ShownSource<'a> =
    dyn FnMut(&str, &[Dim], &TableLayout) -> Result<Vec<String>, PipelineError> + 'a;

/// Adds the tables a `structure.json` document describes to `b`, with the
/// shown values `shown_of` gives; `dir` names the release in errors.
fn load_structure(
    dir: &Path,
    st: &Structure,
    release: usize,
    b: &mut SystemBuilder,
    shown_of: &mut ShownSource<'_>,
) -> Result<(IrccRule, Vec<LoadedTable>), PipelineError> {
    let rule = st
        .rule
        .rule()
        .map_err(|e| bad(dir, "structure.json", format!("rule: {e}")))?;
    // Under secondary suppression a `--` may hide any count, not only small ones.
    let secondary = st.rule.kind.has_secondary();
    let final_through = match &st.final_through {
        Some(f) => Some(
            period_months(f)
                .and_then(|m| m.first().copied())
                .ok_or_else(|| bad(dir, "structure.json", "final_through: expected YYYY-MM"))?,
        ),
        None => None,
    };
    let mut tables = Vec::new();
    for tj in &st.tables {
        let name = tj.name.clone();
        let (dims, children): (Vec<Dim>, Vec<Vec<Vec<u32>>>) = tj
            .dimensions
            .iter()
            .map(|d| parse_dim(dir, d))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip();
        let kind = match tj.margins {
            MarginKind::Additive => RelationKind::Additive,
            MarginKind::Distinct => RelationKind::Distinct,
        };
        let offset = Var::try_from(b.n_vars())
            .map_err(|_| bad(dir, "structure.json", "more cells than an audit can number"))?;
        let layout = TableLayout::new(offset, children, kind);
        let file = tj.csv.clone();
        let shown = shown_of(&file, &dims, &layout)?;
        for (i, s) in shown.iter().enumerate() {
            let parsed = Shown::parse(s).and_then(|v| rule.preimage_in(v, secondary));
            let Some((lo, hi)) = parsed else {
                return Err(bad(
                    dir,
                    &file,
                    format!("cell {i}: `{s}` is not a value the declared rule shows"),
                ));
            };
            b.add_var(domain(lo, hi));
        }
        let label = if release == 0 {
            name
        } else {
            format!("previous{release}/{name}")
        };
        tables.push(LoadedTable {
            release,
            label,
            // Tables tie only when they count the same rows the same way.
            input: format!(
                "{}|{}|{}",
                tj.input,
                json_text(&tj.filter),
                json_text(&tj.count_distinct)
            ),
            dims,
            layout,
            shown,
            final_through,
        });
    }

    // Sums along every dimension of every table, once all cells are vars.
    for t in &tables {
        b.add_table(&t.layout)
            .map_err(|e| bad(dir, "structure.json", format!("table `{}`: {e}", t.label)))?;
    }
    Ok((rule, tables))
}

/// Ties cells that count the same rows: across the tables of one release,
/// and across releases for cells whose periods are final in both. Returns
/// the ties between releases, `(var loaded first, var of a later release
/// folder)`.
fn link_tables(
    tables: &[LoadedTable],
    b: &mut SystemBuilder,
) -> Result<Vec<(Var, Var)>, PipelineError> {
    let mut across = Vec::new();
    let mut by_input: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, t) in tables.iter().enumerate() {
        by_input.entry(t.input.as_str()).or_default().push(i);
    }
    for group in by_input.values().filter(|g| g.len() > 1) {
        let mut columns: Vec<&str> = group
            .iter()
            .flat_map(|&i| tables[i].dims.iter().map(|d| d.column.as_str()))
            .collect();
        columns.sort_unstable();
        columns.dedup();
        let mut first: HashMap<String, (Var, usize)> = HashMap::new();
        let mut coords = Vec::new();
        for &ti in group {
            let t = &tables[ti];
            for idx in 0..t.shown.len() {
                t.layout.coords_into(idx, &mut coords);
                let mut key = String::new();
                // A cell is final when it selects only months up to its
                // release's final month; a table without a calendar
                // dimension counts every period, so it is never final.
                let mut fin = t.final_through.is_some()
                    && t.dims
                        .iter()
                        .any(|d| d.last_month.iter().any(Option::is_some));
                for c in &columns {
                    key.push_str(c);
                    key.push('=');
                    match t.dims.iter().position(|d| d.column == *c) {
                        Some(d) => {
                            let node = coords[d] as usize;
                            key.push_str(&t.dims[d].selection[node]);
                            if let Some(last) = t.dims[d].last_month[node] {
                                fin &= t.final_through.is_some_and(|f| last <= f);
                            }
                        }
                        None => key.push('*'),
                    }
                    key.push(';');
                }
                let scope = if fin {
                    "final".to_string()
                } else {
                    format!("release{}", t.release)
                };
                let key = format!("{scope}|{key}");
                let var = t.layout.var(idx);
                match first.get(&key) {
                    Some(&(other, release)) if other != var => {
                        b.add_equal(other, var)
                            .map_err(|e| PipelineError::Usage(format!("linking tables: {e}")))?;
                        if release != t.release {
                            across.push((other, var));
                        }
                    }
                    Some(_) => {}
                    None => {
                        first.insert(key, (var, t.release));
                    }
                }
            }
        }
    }
    Ok(across)
}

/// Audits the release in `dir` from what it publishes, together with the
/// earlier releases in `previous` (whose final periods it may not revise).
pub fn audit_release(
    dir: &Path,
    previous: &[PathBuf],
    settings: &AuditSettings,
    reporter: &mut dyn Reporter,
) -> Result<AuditReport, PipelineError> {
    audit_release_with_lp(dir, previous, settings, None, reporter)
}

impl AuditSettings {
    /// [`audit_release_with_lp`] with these settings: audits a release and,
    /// when `lp_out` is given, first writes the audit's linear system there.
    pub fn audit_release_with_lp(
        &self,
        dir: &Path,
        previous: &[PathBuf],
        lp_out: Option<&Path>,
        reporter: &mut dyn Reporter,
    ) -> Result<AuditReport, PipelineError> {
        audit_release_with_lp(dir, previous, self, lp_out, reporter)
    }
}

/// [`audit_release`], writing first, when `lp_out` is given, the system the
/// audit solves in CPLEX LP format (see `discreet_audit::write_lp`) so that
/// reviewers can check the audit with their own solver. Var `x<i>` is the
/// i-th cell read; a comment line per var names it
/// (`\ x<i> table:dim=code,dim=code shown <value>`). Only published
/// values enter the file.
pub fn audit_release_with_lp(
    dir: &Path,
    previous: &[PathBuf],
    settings: &AuditSettings,
    lp_out: Option<&Path>,
    reporter: &mut dyn Reporter,
) -> Result<AuditReport, PipelineError> {
    audit_release_detail(dir, previous, settings, lp_out, reporter).map(|d| d.report)
}

/// A published table as the audit read it.
#[derive(Debug, Clone)]
pub struct AuditedTable {
    /// Name in reports (`previous<i>/` before the tables of earlier releases).
    pub label: String,
    /// 0 for the release audited, `i` for the i-th earlier one.
    pub release: usize,
    /// Dimension names, in publication order.
    pub dims: Vec<String>,
    /// Per dimension, its codes in publication order (node numbers of the layout).
    pub codes: Vec<Vec<String>>,
    /// Its cells' vars and its margins.
    pub layout: TableLayout,
    /// The shown value of every cell, in cell order.
    pub shown: Vec<String>,
}

/// An audit with everything behind its findings: the tables as read, the
/// system solved and every cell's inferred interval, so that a reviewer's
/// report can show why each finding holds. Built from the release alone.
#[derive(Debug, Clone)]
pub struct ReleaseAudit {
    /// The findings and counts `discreet audit` reports.
    pub report: AuditReport,
    /// Every table read, the release's first.
    pub tables: Vec<AuditedTable>,
    /// The cells, what their shown values allow, and their relations.
    pub system: discreet_audit::System,
    /// For every var, the values an outsider can infer.
    pub intervals: Vec<Interval>,
    /// The var of each of `report.findings`, in the same order.
    pub finding_vars: Vec<Var>,
}

impl ReleaseAudit {
    /// The table (index in `tables`) and cell index of var `v`.
    pub fn cell_of(&self, v: Var) -> (usize, usize) {
        let ti = (self.tables.iter())
            .rposition(|t| t.layout.offset <= v)
            .expect("every var belongs to a table");
        (ti, (v - self.tables[ti].layout.offset) as usize)
    }
}

/// [`audit_release_with_lp`], returning with the report the tables, the
/// system and the inferred intervals it came from.
pub fn audit_release_detail(
    dir: &Path,
    previous: &[PathBuf],
    settings: &AuditSettings,
    lp_out: Option<&Path>,
    reporter: &mut dyn Reporter,
) -> Result<ReleaseAudit, PipelineError> {
    let mut b = SystemBuilder::new();
    let (rule, mut tables) = load_release(dir, 0, &mut b, reporter)?;
    for (i, p) in previous.iter().enumerate() {
        tables.extend(load_release(p, i + 1, &mut b, reporter)?.1);
    }
    link_tables(&tables, &mut b)?;
    let system = b.build();
    if let Some(path) = lp_out {
        let text = stage(reporter, "writing the LP", || {
            let mut text = String::new();
            discreet_audit::write_lp(&system, &mut text, |v| {
                let (t, idx) = cell_of(&tables, v);
                Some(format!(
                    "{} shown {}",
                    cell_name(&tables[t], idx),
                    tables[t].shown[idx]
                ))
            })
            .expect("writing to a String cannot fail");
            text
        });
        std::fs::write(path, text)
            .map_err(|e| PipelineError::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    let options = settings.options(&rule);
    let result = stage(reporter, "auditing", || audit(&system, &options));
    let mut report = AuditReport {
        cells: system.n_vars(),
        relations: system.n_relations(),
        blocks: result.blocks,
        lp_solves: result.lp_solves + result.local_lp_solves,
        settings: AuditSettings {
            protect_below: Some(options.policy.protect_nonzero_below),
            min_width: Some(options.policy.min_width),
            lp_max_block: Some(options.lp_max_block_vars),
        },
        ..Default::default()
    };
    for t in &tables {
        report.tables.push(TableAudit {
            name: t.label.clone(),
            cells: t.shown.len(),
            ..Default::default()
        });
    }
    let mut findings = result.findings.clone();
    findings.sort_by_key(|f| (f.kind, f.hi.map_or(u64::MAX, |h| h - f.lo), f.var));
    let finding_vars = findings.iter().map(|f| f.var).collect();
    for f in findings {
        let (ti, idx) = cell_of(&tables, f.var);
        let t = &tables[ti];
        let cell = cell_coords(t, idx);
        let kind = match f.kind {
            FindingKind::Disclosed => {
                report.tables[ti].disclosed += 1;
                "disclosed"
            }
            FindingKind::Narrowed => {
                report.tables[ti].narrowed += 1;
                "narrowed"
            }
            FindingKind::Inconsistent => {
                report.tables[ti].inconsistent += 1;
                "inconsistent"
            }
        };
        report.findings.push(AuditFinding {
            table: t.label.clone(),
            cell,
            shown: t.shown[idx].clone(),
            lo: f.lo,
            hi: f.hi,
            kind,
        });
    }
    let tables = tables
        .into_iter()
        .map(|t| AuditedTable {
            label: t.label,
            release: t.release,
            dims: t.dims.iter().map(|d| d.name.clone()).collect(),
            codes: t.dims.into_iter().map(|d| d.codes).collect(),
            layout: t.layout,
            shown: t.shown,
        })
        .collect();
    Ok(ReleaseAudit {
        report,
        tables,
        system,
        intervals: result.intervals,
        finding_vars,
    })
}

/// Every cell the release in `dir` publishes, by table and cell
/// (`dim=code,...`), with its shown value.
pub(crate) fn published_cells(
    dir: &Path,
    reporter: &mut dyn Reporter,
) -> Result<crate::series::PublishedCells, PipelineError> {
    let (_, tables) = load_release(dir, 0, &mut SystemBuilder::new(), reporter)?;
    Ok(tables
        .iter()
        .map(|t| {
            let cells = (0..t.shown.len())
                .map(|i| {
                    let name: Vec<String> = cell_coords(t, i)
                        .iter()
                        .map(|(d, c)| format!("{d}={c}"))
                        .collect();
                    (name.join(","), t.shown[i].clone())
                })
                .collect();
            (t.label.clone(), cells)
        })
        .collect())
}

/// The table (index in `tables`) and cell index of var `v`.
fn cell_of(tables: &[LoadedTable], v: Var) -> (usize, usize) {
    let v = v as usize;
    let ti = tables
        .iter()
        .rposition(|t| t.layout.offset as usize <= v)
        .expect("every var belongs to a table");
    (ti, v - tables[ti].layout.offset as usize)
}

/// `(dimension, code)` per dimension of cell `idx` of `t`.
fn cell_coords(t: &LoadedTable, idx: usize) -> Vec<(String, String)> {
    (t.dims.iter())
        .zip(t.layout.coords(idx))
        .map(|(dim, node)| (dim.name.clone(), dim.codes[node as usize].clone()))
        .collect()
}

/// A cell's name as in `[audit].accept`: `table:dim=code,dim=code`.
fn cell_name(t: &LoadedTable, idx: usize) -> String {
    let cell: Vec<String> = cell_coords(t, idx)
        .iter()
        .map(|(d, c)| format!("{d}={c}"))
        .collect();
    format!("{}:{}", t.label, cell.join(","))
}

/// Reads a table's shown values into cell order, checking every cell is there once.
fn read_shown(
    dir: &Path,
    file: &str,
    dims: &[Dim],
    layout: &TableLayout,
) -> Result<Vec<String>, PipelineError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(dir.join(file))
        .map_err(|e| bad(dir, file, format!("cannot read ({e})")))?;
    let headers = rdr.headers().map_err(|e| bad(dir, file, e))?.clone();
    let pos: Vec<usize> = dims
        .iter()
        .map(|d| {
            headers
                .iter()
                .position(|h| h == d.name)
                .ok_or_else(|| bad(dir, file, format!("line 1: no column `{}`", d.name)))
        })
        .collect::<Result<_, _>>()?;
    let count = headers
        .iter()
        .position(|h| h == "count")
        .ok_or_else(|| bad(dir, file, "line 1: no column `count`"))?;
    let strides = layout.strides();
    let mut shown: Vec<Option<String>> = vec![None; layout.cells()];
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| bad(dir, file, format!("line {line}: {e}")))?;
        let mut idx = 0;
        for (d, dim) in dims.iter().enumerate() {
            let code = rec.get(pos[d]).unwrap_or("");
            let n = dim.index.get(code).ok_or_else(|| {
                bad(
                    dir,
                    file,
                    format!("line {line}: unknown `{}` code `{code}`", dim.name),
                )
            })?;
            idx += n * strides[d];
        }
        if shown[idx]
            .replace(rec.get(count).unwrap_or("").to_string())
            .is_some()
        {
            return Err(bad(
                dir,
                file,
                format!("line {line}: the same cell appears twice"),
            ));
        }
    }
    if let Some(missing) = shown.iter().position(|s| s.is_none()) {
        return Err(bad(
            dir,
            file,
            format!(
                "{} cells have no row (cell {missing} first)",
                shown.iter().filter(|s| s.is_none()).count()
            ),
        ));
    }
    Ok(shown.into_iter().map(|s| s.expect("checked")).collect())
}

/// The audit system of a release not yet written, built from its content
/// exactly as an outsider would read it once published, with the earlier
/// releases it is read together with.
pub(crate) struct ContentSystem {
    /// Cells, domains and relations: the release's cells first, then the
    /// earlier releases' cells.
    pub system: discreet_audit::System,
    /// For every var of the release, its table (index in the release) and
    /// cell index; vars from here on are earlier releases' cells.
    pub cell_of: Vec<(usize, discreet_core::CellIndex)>,
    /// Per table of the release: its cells' vars and, per dimension in
    /// publication order, the children of each node.
    pub layouts: Vec<TableLayout>,
    /// Every table read, the release's and then the earlier releases'.
    tables: Vec<LoadedTable>,
    /// Cells tied between the release and an earlier one (final in both):
    /// `(var of the release, var of the earlier release)`.
    pub ties: Vec<(Var, Var)>,
    /// The release's name, then the earlier release folders' names.
    releases: Vec<String>,
}

impl ContentSystem {
    /// A cell's name (`table:dim=code,...`, earlier releases' tables
    /// prefixed) and what it shows.
    pub fn describe(&self, v: Var) -> (String, &str) {
        let (t, idx) = cell_of(&self.tables, v);
        (cell_name(&self.tables[t], idx), &self.tables[t].shown[idx])
    }

    /// The name of the release (or earlier release folder) var `v` is in.
    pub fn release_of(&self, v: Var) -> &str {
        let (t, _) = cell_of(&self.tables, v);
        &self.releases[self.tables[t].release]
    }
}

/// Builds the [`ContentSystem`] of `content`: the same structure and shown
/// values the release folder will hold, so that a run's audit and a later
/// `discreet audit` of the folder see the same system; with the release
/// folders in `previous` read as `discreet audit --previous` reads them.
pub(crate) fn content_system(
    content: &discreet_publish::ReleaseContent<'_>,
    previous: &[PathBuf],
    reporter: &mut dyn Reporter,
) -> Result<ContentSystem, PipelineError> {
    let st = discreet_publish::structure_doc(content);
    let mut b = SystemBuilder::new();
    let mut cell_of = Vec::new();
    let mut next = 0usize;
    let label = PathBuf::from(&content.plan.spec.release.name);
    let (_, mut tables) =
        load_structure(&label, &st, 0, &mut b, &mut |_, _, layout: &TableLayout| {
            let t = next;
            next += 1;
            let view = &content.tables[t];
            let order: Vec<&[discreet_core::NodeId]> =
                view.dims().iter().map(|h| h.publication_order()).collect();
            let mut nodes = Vec::new();
            let mut coords = vec![0; order.len()];
            let mut shown = Vec::with_capacity(layout.cells());
            for i in 0..layout.cells() {
                layout.coords_into(i, &mut nodes);
                for (d, &n) in nodes.iter().enumerate() {
                    coords[d] = order[d][n as usize];
                }
                let idx = view.shape.index(&coords);
                cell_of.push((t, idx));
                shown.push(view.protected.shown_at(idx).to_string());
            }
            Ok(shown)
        })?;
    let layouts = tables.iter().map(|t| t.layout.clone()).collect();
    for (i, p) in previous.iter().enumerate() {
        tables.extend(load_release(p, i + 1, &mut b, reporter)?.1);
    }
    let ties = link_tables(&tables, &mut b)?;
    let releases = std::iter::once(content.plan.spec.release.name.clone())
        .chain(previous.iter().map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        }))
        .collect();
    Ok(ContentSystem {
        system: b.build(),
        cell_of,
        layouts,
        tables,
        ties,
        releases,
    })
}
