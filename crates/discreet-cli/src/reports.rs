//! The documents `--json FILE` writes. Every struct declares its fields in
//! alphabetical order: that is the key order of the reports as first
//! published, which scripts may diff.

use std::collections::BTreeMap;
use std::path::Path;

use discreet_pipeline::{AuditReport, LedgerEntry, SeriesCheck, VerifyReport};
use serde::Serialize;

/// The `discreet verify --json` document.
#[derive(Serialize)]
pub struct VerifyDoc<'a> {
    cells_checked: usize,
    clean: bool,
    files_checked: usize,
    release: String,
    violations: Vec<ViolationDoc<'a>>,
}

#[derive(Serialize)]
struct ViolationDoc<'a> {
    cell: Option<&'a str>,
    file: &'a str,
    message: &'a str,
}

impl<'a> VerifyDoc<'a> {
    /// The document for the verification of `dir`.
    pub fn new(dir: &Path, r: &'a VerifyReport) -> Self {
        VerifyDoc {
            cells_checked: r.cells_checked,
            clean: r.violations.is_empty(),
            files_checked: r.files_checked,
            release: dir.display().to_string(),
            violations: r
                .violations
                .iter()
                .map(|v| ViolationDoc {
                    cell: v.cell.as_deref(),
                    file: &v.file,
                    message: &v.message,
                })
                .collect(),
        }
    }
}

/// The `discreet audit --json` document.
#[derive(Serialize)]
pub struct AuditDoc<'a> {
    cells: usize,
    clean: bool,
    findings: Vec<FindingDoc<'a>>,
    policy: PolicyDoc,
    relations: usize,
    release: String,
    tables: Vec<TableDoc<'a>>,
}

/// The settings the audit ran with.
#[derive(Serialize)]
struct PolicyDoc {
    lp_max_block: Option<usize>,
    min_width: Option<u64>,
    protect_below: Option<u64>,
}

#[derive(Serialize)]
struct TableDoc<'a> {
    cells: usize,
    disclosed: usize,
    inconsistent: usize,
    name: &'a str,
    narrowed: usize,
}

#[derive(Serialize)]
struct FindingDoc<'a> {
    /// Code by dimension name.
    cell: BTreeMap<&'a str, &'a str>,
    hi: Option<u64>,
    kind: &'a str,
    lo: u64,
    shown: &'a str,
    table: &'a str,
}

impl<'a> AuditDoc<'a> {
    /// The document for the audit of `dir`.
    pub fn new(dir: &Path, r: &'a AuditReport) -> Self {
        AuditDoc {
            cells: r.cells,
            clean: r.findings.is_empty(),
            findings: r
                .findings
                .iter()
                .map(|f| FindingDoc {
                    cell: f
                        .cell
                        .iter()
                        .map(|(d, c)| (d.as_str(), c.as_str()))
                        .collect(),
                    hi: f.hi,
                    kind: f.kind,
                    lo: f.lo,
                    shown: &f.shown,
                    table: &f.table,
                })
                .collect(),
            policy: PolicyDoc {
                lp_max_block: r.settings.lp_max_block,
                min_width: r.settings.min_width,
                protect_below: r.settings.protect_below,
            },
            relations: r.relations,
            release: dir.display().to_string(),
            tables: r
                .tables
                .iter()
                .map(|t| TableDoc {
                    cells: t.cells,
                    disclosed: t.disclosed,
                    inconsistent: t.inconsistent,
                    name: &t.name,
                    narrowed: t.narrowed,
                })
                .collect(),
        }
    }
}

/// Writes a report as pretty JSON with a final newline.
pub fn write(path: &Path, doc: &impl Serialize) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(doc).expect("reports hold only plain values") + "\n";
    std::fs::write(path, text)
}

/// The `discreet series --json` document.
#[derive(Serialize)]
pub struct SeriesDoc<'a> {
    clean: bool,
    dataset_id: Option<&'a str>,
    problems: &'a [String],
    releases: &'a [LedgerEntry],
    series: String,
}

impl<'a> SeriesDoc<'a> {
    /// The document for the check of the series folder `dir`.
    pub fn new(dir: &Path, c: &'a SeriesCheck) -> Self {
        SeriesDoc {
            clean: c.problems.is_empty(),
            dataset_id: c.ledger.as_ref().map(|l| l.dataset_id.as_str()),
            problems: &c.problems,
            releases: c.ledger.as_ref().map_or(&[][..], |l| &l.entries[..]),
            series: dir.display().to_string(),
        }
    }
}
