//! The report's content, built from a release folder (and earlier
//! releases audited with it) before any HTML is written: what a reviewer
//! reads, as plain data that tests can check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use discreet_audit::{relation_bounds, Adjacency, Interval, RelationKind, Var};
use discreet_pipeline::{
    check_manifest, AuditSettings, AuditedTable, NullReporter, PipelineError, ReleaseAudit,
    Reporter,
};
use discreet_structure::{DimensionDoc, RuleDoc, Structure};
use serde_json::Value;

/// At most this many parts of a relation are listed; the others are
/// counted. A margin over 200 countries would otherwise fill pages.
pub const PARTS_LISTED: usize = 12;

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Report {
    /// The releases read: the one reported on first, then each `--previous`.
    pub releases: Vec<ReleaseInfo>,
    /// The audit's totals over all of them.
    pub audit: AuditTotals,
    /// Every table audited, the reported release's first.
    pub tables: Vec<TableReport>,
}

/// One release folder: its name, rule and manifest check.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    /// The release's name (`structure.json`).
    pub name: String,
    /// Publication date (`manifest.json`), when recorded.
    pub published: Option<String>,
    /// The tool version that wrote it.
    pub tool_version: Option<String>,
    /// Rule and method.
    pub rule: RuleDoc,
    /// Last month declared final.
    pub final_through: Option<String>,
    /// Every file the manifest lists, with its check.
    pub files: Vec<FileCheck>,
    /// What is wrong beyond the listed files (unlisted files, a manifest
    /// that is not JSON...), as `file: message`.
    pub other_problems: Vec<String>,
}

/// A listed file and whether it matches the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// File name.
    pub path: String,
    /// SHA-256 in the manifest.
    pub sha256: String,
    /// `None`: the file matches; else what is wrong.
    pub problem: Option<String>,
}

/// The audit's figures over all the tables read.
#[derive(Debug, Clone, Default)]
pub struct AuditTotals {
    /// Cells audited.
    pub cells: usize,
    /// Relations between them.
    pub relations: usize,
    /// Findings by kind.
    pub disclosed: usize,
    /// Cells narrowed below the protection width.
    pub narrowed: usize,
    /// Cells no value fits.
    pub inconsistent: usize,
    /// Counts `1..protect_below` were protected.
    pub protect_below: u64,
    /// Narrower than this many values is a finding.
    pub min_width: u64,
}

/// How a cell is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellStatus {
    /// A true zero, shown `0`.
    Zero,
    /// Shown `--`: by the rule, or by secondary suppression where the
    /// method has it (the release does not tell them apart).
    Hidden,
    /// A count shown (rounded, or exact under an exact-count method).
    Shown,
}

impl CellStatus {
    /// The status of a shown value.
    pub fn of(shown: &str) -> CellStatus {
        match shown {
            "0" => CellStatus::Zero,
            "--" => CellStatus::Hidden,
            _ => CellStatus::Shown,
        }
    }
}

/// A table's information loss, as the release's manifest states it (bounds
/// worked out from the shown values alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoLoss {
    /// Cells shown `--`.
    pub cells_hidden: u64,
    /// The hidden share of the table's total count, in percent, as written.
    pub share_at_least: String,
    /// Its upper bound.
    pub share_at_most: String,
    /// The most a rounded cell can have moved.
    pub rounding_at_most: u64,
}

/// One table: its dimensions, its cells and its findings.
#[derive(Debug, Clone)]
pub struct TableReport {
    /// Name (prefixed `previous<i>/` for earlier releases).
    pub label: String,
    /// 0 for the release reported on, `i` for the i-th earlier one.
    pub release: usize,
    /// Dimensions, in publication order, with their labels.
    pub dims: Vec<DimensionDoc>,
    /// Cells per dimension (the layout's sizes).
    pub sizes: Vec<usize>,
    /// The shown value of every cell, in cell order (row-major over `dims`).
    pub shown: Vec<String>,
    /// For every cell, the index of its finding in `findings`.
    pub finding_of: BTreeMap<usize, usize>,
    /// Cells by status: zero, hidden, shown.
    pub by_status: [usize; 3],
    /// From the manifest, when it states it.
    pub loss: Option<InfoLoss>,
    /// The audit's findings in this table, most serious first.
    pub findings: Vec<FindingReport>,
}

/// A cell named for a reader: its table, its codes, what it shows and
/// what the audit infers about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellRef {
    /// Table label.
    pub table: String,
    /// `(dimension, code)` per dimension.
    pub cell: Vec<(String, String)>,
    /// The shown value.
    pub shown: String,
    /// What the shown value alone allows.
    pub domain: Interval,
    /// What the audit infers.
    pub interval: Interval,
}

/// One finding, with the relations that prove it.
#[derive(Debug, Clone)]
pub struct FindingReport {
    /// Cell index in its table.
    pub cell_index: usize,
    /// The cell.
    pub cell: CellRef,
    /// `disclosed`, `narrowed` or `inconsistent`.
    pub kind: &'static str,
    /// The relations that, alone, give the inferred bounds; when none does
    /// (the bounds come from several at once), every relation of the cell.
    pub relations: Vec<RelationReport>,
    /// Whether no single relation gives a bound the shown value did not.
    pub from_several: bool,
}

/// A relation between the finding's cell and others.
#[derive(Debug, Clone)]
pub struct RelationReport {
    /// Additive (`total = sum of parts`), distinct (`largest part <=
    /// total <= sum`), or an equality between cells that count the same rows.
    pub kind: RelationWord,
    /// The total (for an equality: the other cell).
    pub total: CellRef,
    /// Listed parts: the finding's cell first, then the parts the audit
    /// knows least about; at most [`PARTS_LISTED`].
    pub parts: Vec<CellRef>,
    /// Parts not listed.
    pub more_parts: usize,
    /// What this relation alone allows the finding's cell.
    pub implied: Interval,
    /// Whether it gives the cell's lower, upper bound.
    pub gives: (bool, bool),
}

/// What kind of relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationWord {
    /// `total = sum of parts`.
    Sum,
    /// `largest part <= total <= sum of parts`.
    Distinct,
    /// Two cells counting the same rows.
    Same,
}

/// Reads the release in `dir` (and `previous` ones), audits it as
/// `discreet audit` does with default settings, and builds the report.
/// Reads only the release folders.
pub fn build(
    dir: &Path,
    previous: &[PathBuf],
    reporter: &mut dyn Reporter,
) -> Result<Report, PipelineError> {
    let audit = discreet_pipeline::audit_release_detail(
        dir,
        previous,
        &AuditSettings::default(),
        None,
        reporter,
    )?;
    let mut releases = Vec::new();
    let mut structures = Vec::new();
    let mut manifests = Vec::new();
    for d in std::iter::once(dir).chain(previous.iter().map(PathBuf::as_path)) {
        let (info, st, manifest) = read_release(d)?;
        releases.push(info);
        structures.push(st);
        manifests.push(manifest);
    }
    let r = &audit.report;
    let totals = AuditTotals {
        cells: r.cells,
        relations: r.relations,
        disclosed: r.tables.iter().map(|t| t.disclosed).sum(),
        narrowed: r.tables.iter().map(|t| t.narrowed).sum(),
        inconsistent: r.tables.iter().map(|t| t.inconsistent).sum(),
        protect_below: r.settings.protect_below.unwrap_or(0),
        min_width: r.settings.min_width.unwrap_or(0),
    };
    let namer = Namer { audit: &audit };
    let mut tables: Vec<TableReport> = audit
        .tables
        .iter()
        .map(|t| {
            let st = &structures[t.release];
            let name = t.label.rsplit('/').next().unwrap_or(&t.label);
            let doc = st.tables.iter().find(|d| d.name == name);
            table_report(t, doc.map(|d| d.dimensions.clone()), &manifests[t.release])
        })
        .collect();
    let adjacency = Adjacency::new(&audit.system);
    for (i, f) in audit.report.findings.iter().enumerate() {
        let var = audit.finding_vars[i];
        let (ti, idx) = namer.cell_of(var);
        let finding = finding_report(&namer, &adjacency, var, f.kind);
        let t = &mut tables[ti];
        t.finding_of.insert(idx, t.findings.len());
        t.findings.push(finding);
    }
    Ok(Report {
        releases,
        audit: totals,
        tables,
    })
}

/// [`build`] with nothing reported along the way.
pub fn build_quiet(dir: &Path, previous: &[PathBuf]) -> Result<Report, PipelineError> {
    build(dir, previous, &mut NullReporter)
}

fn read_release(dir: &Path) -> Result<(ReleaseInfo, Structure, Value), PipelineError> {
    let bad = |what: String| PipelineError::Usage(format!("{}: {what}", dir.display()));
    let st: Structure = std::fs::read(dir.join("structure.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| bad("structure.json: missing or not a structure".into()))?;
    let (listed, check) = check_manifest(dir)?;
    let manifest: Value = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let files = listed
        .into_iter()
        .map(|f| {
            let problem = check
                .violations
                .iter()
                .find(|v| v.file == f.path)
                .map(|v| v.message.clone());
            FileCheck {
                path: f.path,
                sha256: f.sha256,
                problem,
            }
        })
        .collect::<Vec<_>>();
    let other_problems = check
        .violations
        .iter()
        .filter(|v| !files.iter().any(|f| f.path == v.file))
        .map(|v| v.to_string())
        .collect();
    let text = |v: &Value| v.as_str().map(str::to_string);
    let info = ReleaseInfo {
        name: st.release.clone(),
        published: text(&manifest["published"]),
        tool_version: text(&manifest["tool"]["version"]),
        rule: st.rule,
        final_through: st.final_through.clone(),
        files,
        other_problems,
    };
    Ok((info, st, manifest))
}

fn table_report(
    t: &AuditedTable,
    dims: Option<Vec<DimensionDoc>>,
    manifest: &Value,
) -> TableReport {
    let name = t.label.rsplit('/').next().unwrap_or(&t.label);
    let mut by_status = [0; 3];
    for s in &t.shown {
        by_status[CellStatus::of(s) as usize] += 1;
    }
    let entry = manifest["tables"]
        .as_array()
        .and_then(|ts| ts.iter().find(|x| x["name"] == name));
    let loss = entry.and_then(|e| {
        let l = &e["information_loss"];
        let share = &l["hidden_share_of_total_percent"];
        Some(InfoLoss {
            cells_hidden: l["cells_hidden"].as_u64()?,
            share_at_least: share["at_least"].as_str()?.to_string(),
            share_at_most: share["at_most"].as_str()?.to_string(),
            rounding_at_most: l["rounding_change_per_cell_at_most"].as_u64()?,
        })
    });
    TableReport {
        label: t.label.clone(),
        release: t.release,
        dims: dims.unwrap_or_default(),
        sizes: t.layout.sizes(),
        shown: t.shown.clone(),
        finding_of: BTreeMap::new(),
        by_status,
        loss,
        findings: Vec::new(),
    }
}

/// Names vars as cells of the audited tables.
struct Namer<'a> {
    audit: &'a ReleaseAudit,
}

impl Namer<'_> {
    /// The table (index) and cell index of `v`.
    fn cell_of(&self, v: Var) -> (usize, usize) {
        self.audit.cell_of(v)
    }

    fn cell(&self, v: Var) -> CellRef {
        let (ti, idx) = self.cell_of(v);
        let t = &self.audit.tables[ti];
        let cell = (t.dims.iter().zip(&t.codes))
            .zip(t.layout.coords(idx))
            .map(|((d, codes), n)| (d.clone(), codes[n as usize].clone()))
            .collect();
        CellRef {
            table: t.label.clone(),
            cell,
            shown: t.shown[idx].clone(),
            domain: self.audit.system.domains()[v as usize],
            interval: self.audit.intervals[v as usize],
        }
    }
}

fn finding_report(
    namer: &Namer<'_>,
    adjacency: &Adjacency,
    var: Var,
    kind: &'static str,
) -> FindingReport {
    let audit = namer.audit;
    let (_, cell_index) = namer.cell_of(var);
    let cell = namer.cell(var);
    let bounds = relation_bounds(&audit.system, adjacency, &audit.intervals, var);
    // A relation explains a bound when it alone gives it and the shown
    // value alone did not.
    let teaches = |b: &discreet_audit::RelationBound| {
        (b.gives_lo && cell.interval.lo > cell.domain.lo)
            || (b.gives_hi && cell.interval.hi != cell.domain.hi)
    };
    let from_several = !bounds.iter().any(teaches);
    let relations = bounds
        .iter()
        .filter(|b| from_several || teaches(b))
        .map(|b| {
            let rel = audit.system.relation(b.relation);
            let same = rel.kind == RelationKind::Additive
                && rel.parts.len() == 1
                && namer.cell_of(rel.total).0 != namer.cell_of(rel.parts[0]).0;
            let kind = match rel.kind {
                _ if same => RelationWord::Same,
                RelationKind::Additive => RelationWord::Sum,
                RelationKind::Distinct => RelationWord::Distinct,
            };
            let (total, parts) = if same && rel.total == var {
                (rel.parts[0], vec![var])
            } else {
                (rel.total, rel.parts.to_vec())
            };
            // The finding's cell first, then the least known parts.
            let mut order: Vec<Var> = parts.clone();
            order.sort_by_key(|&p| {
                let w = audit.intervals[p as usize].width().unwrap_or(u64::MAX);
                (p != var, std::cmp::Reverse(w), p)
            });
            let listed: Vec<CellRef> = order
                .iter()
                .take(PARTS_LISTED)
                .map(|&p| namer.cell(p))
                .collect();
            RelationReport {
                kind,
                total: namer.cell(total),
                more_parts: parts.len() - listed.len(),
                parts: listed,
                implied: b.implied,
                gives: (b.gives_lo, b.gives_hi),
            }
        })
        .collect();
    FindingReport {
        cell_index,
        cell,
        kind,
        relations,
        from_several,
    }
}
