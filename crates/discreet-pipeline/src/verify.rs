//! `discreet verify`: recompute the true counts from the microdata and
//! check a release folder against them, against the rule, and against its
//! own manifest. Violations name the table, the cell and the rule broken,
//! and never a true count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use discreet_core::{ProtectedTable, Shape, Shown};
use discreet_publish::{column_names, rewrite_release, ReleaseContent, MANIFEST_FILE, SPEC_FILE};
use discreet_spec::{sha256_hex, FileBase, Plan};
use serde_json::Value;

use crate::compute::compute;
use crate::error::PipelineError;
use crate::report::{stage, Reporter};
use crate::TOOL_VERSION;

/// One thing wrong with a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The file concerned.
    pub file: String,
    /// The cell (`dim=code, ...`) or line, when the violation is about one.
    pub cell: Option<String>,
    /// What rule was broken.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cell {
            Some(c) => write!(f, "{}: {c}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    /// Files whose hash was checked.
    pub files_checked: usize,
    /// Published cells checked against the rule.
    pub cells_checked: usize,
    /// Everything found wrong; empty means clean.
    pub violations: Vec<Violation>,
}

impl VerifyReport {
    fn add(&mut self, file: &str, cell: Option<String>, message: impl Into<String>) {
        self.violations.push(Violation {
            file: file.to_string(),
            cell,
            message: message.into(),
        });
    }
}

/// The reviewer's report `discreet report` writes into a release folder by
/// default. It is about the release, not part of it: no manifest lists it,
/// and verification neither requires nor checks it.
pub const REPORT_FILE: &str = "report.html";

/// A file the manifest lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    /// File name in the release folder.
    pub path: String,
    /// SHA-256 the manifest records (lowercase hex).
    pub sha256: String,
}

/// Checks every file of the release in `dir` against its manifest alone
/// (hash and size; files missing or not listed), without the microdata.
/// Returns the files the manifest lists and what is wrong.
pub fn check_manifest(dir: &Path) -> Result<(Vec<ListedFile>, VerifyReport), PipelineError> {
    let mut report = VerifyReport::default();
    let manifest = read_manifest(dir, &mut report)?;
    let mut listed = Vec::new();
    if let Some(m) = &manifest {
        check_manifest_files(dir, m, &mut report);
        for f in m["files"].as_array().into_iter().flatten() {
            if let (Some(path), Some(sha)) = (f["path"].as_str(), f["sha256"].as_str()) {
                listed.push(ListedFile {
                    path: path.to_string(),
                    sha256: sha.to_string(),
                });
            }
        }
    }
    Ok((listed, report))
}

/// Verifies the release in `dir` against the microdata (`overrides`, else
/// the paths in the release's spec).
pub fn verify(
    dir: &Path,
    overrides: &BTreeMap<String, PathBuf>,
    reporter: &mut dyn Reporter,
) -> Result<VerifyReport, PipelineError> {
    let mut report = VerifyReport::default();
    let manifest = read_manifest(dir, &mut report)?;
    if let Some(m) = &manifest {
        check_manifest_files(dir, m, &mut report);
    }

    let spec_text = match std::fs::read(dir.join(SPEC_FILE)).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        _ => {
            report.add(
                SPEC_FILE,
                None,
                "missing or not UTF-8: the release cannot be recomputed",
            );
            return Ok(report);
        }
    };
    // The codelist and recode files are the release's own copies, which
    // the manifest hashes: the release is recomputed with exactly its codes.
    let plan = match Plan::parse_with(SPEC_FILE, &spec_text, FileBase::Release(dir)) {
        Ok(p) => p,
        Err(e) => {
            report.add(
                SPEC_FILE,
                None,
                format!("not a valid spec ({e}): the release cannot be recomputed"),
            );
            return Ok(report);
        }
    };
    if let Some(m) = &manifest {
        if m["spec"]["sha256"].as_str() != Some(plan.spec_sha256.as_str()) {
            report.add(
                SPEC_FILE,
                None,
                "SHA-256 differs from the one in the manifest",
            );
        }
    }

    let computed = compute(&plan, overrides, reporter)?;
    if let Some(m) = &manifest {
        for i in &computed.inputs {
            let recorded = m["inputs"]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["name"] == i.name.as_str()));
            match recorded {
                Some(r) if r["sha256"].as_str() == Some(i.sha256.as_str()) => {}
                Some(_) => report.add(
                    MANIFEST_FILE,
                    None,
                    format!("input `{}`: the microdata given differs (SHA-256) from the one the release was made from", i.name),
                ),
                None => report.add(MANIFEST_FILE, None, format!("input `{}` is not recorded", i.name)),
            }
        }
    }

    // A quarter of a series was protected against the releases before it,
    // which `series.json` names and which sit beside it.
    let series = crate::series::release_series(dir);
    let earlier = series.as_ref().map_or(&[][..], |s| &s.1[..]);
    for p in series.iter().flat_map(|s| &s.2) {
        report.add(discreet_publish::SERIES_FILE, None, p);
    }
    let protected = crate::protect(&plan, &computed, earlier, reporter)?;
    // The cell checks see shapes and shown values only, never true counts.
    stage(reporter, "checking published cells", || {
        for ((tp, table), p) in plan
            .tables
            .iter()
            .zip(&computed.tables)
            .zip(&protected.tables)
        {
            check_table_csv(
                dir,
                &plan,
                &tp.name,
                &tp.dimensions,
                table.shape(),
                p,
                &mut report,
            );
        }
    });

    // Every other file must be exactly what the spec and inputs produce.
    let views = computed.views(&plan, &protected.tables);
    let version = manifest
        .as_ref()
        .and_then(|m| m["tool"]["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| TOOL_VERSION.to_string());
    let series = match &series {
        Some((id, earlier, _)) => Some(crate::series::series_release(
            id, earlier, &views, reporter,
        )?),
        None => None,
    };
    let content = ReleaseContent {
        plan: &plan,
        tables: views,
        inputs: computed.inputs.clone(),
        tool_version: &version,
        series,
    };
    let scratch = std::env::temp_dir().join(format!("discreet-verify-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .map_err(|e| PipelineError::Usage(format!("cannot create {}: {e}", scratch.display())))?;
    if let Err(discreet_publish::PublishError::NoParquet) =
        discreet_publish::check_release_writable(&plan)
    {
        reporter.warn("this build has no Parquet support: the release's Parquet files are checked against its manifest only, not regenerated");
    }
    let regenerated = stage(reporter, "regenerating release", || {
        rewrite_release(&scratch, &content, dir)
    });
    let result = regenerated.map(|files| {
        for f in files {
            let theirs = std::fs::read(dir.join(&f.path)).ok();
            let ours = std::fs::read(scratch.join(&f.path)).ok();
            match theirs {
                None => {} // reported by the manifest check
                Some(t) if Some(&t) == ours.as_ref() => {}
                Some(_) if f.path == MANIFEST_FILE => {} // already checked entry by entry
                Some(_) => report.add(
                    &f.path,
                    None,
                    "differs from what the spec and the microdata produce",
                ),
            }
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result?;
    Ok(report)
}

/// Reads `dir`'s manifest: an error when `dir` is not a release folder, a
/// violation (and `None`) when the manifest is not JSON.
fn read_manifest(dir: &Path, report: &mut VerifyReport) -> Result<Option<Value>, PipelineError> {
    if !dir.is_dir() {
        return Err(PipelineError::Usage(format!(
            "{}: not a folder",
            dir.display()
        )));
    }
    let manifest_bytes = std::fs::read(dir.join(MANIFEST_FILE)).map_err(|_| {
        PipelineError::Usage(format!(
            "{}: not a release folder (no {MANIFEST_FILE})",
            dir.display()
        ))
    })?;
    Ok(match serde_json::from_slice(&manifest_bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            report.add(MANIFEST_FILE, None, format!("not valid JSON ({e})"));
            None
        }
    })
}

fn check_manifest_files(dir: &Path, m: &Value, report: &mut VerifyReport) {
    let Some(files) = m["files"].as_array() else {
        report.add(MANIFEST_FILE, None, "has no `files` list");
        return;
    };
    let mut listed = BTreeSet::new();
    for f in files {
        let (Some(path), Some(sha), Some(bytes)) = (
            f["path"].as_str(),
            f["sha256"].as_str(),
            f["bytes"].as_u64(),
        ) else {
            report.add(
                MANIFEST_FILE,
                None,
                "a `files` entry lacks path, sha256 or bytes",
            );
            continue;
        };
        listed.insert(path.to_string());
        if path == MANIFEST_FILE {
            continue;
        }
        if path.contains('/') || path.contains('\\') || path.starts_with('.') {
            report.add(
                MANIFEST_FILE,
                None,
                format!("lists `{path}`, which is not a file of the release folder"),
            );
            continue;
        }
        report.files_checked += 1;
        match std::fs::read(dir.join(path)) {
            Err(_) => report.add(path, None, "listed in the manifest but missing"),
            Ok(b) => {
                if b.len() as u64 != bytes || sha256_hex(&b) != sha {
                    report.add(path, None, "SHA-256 or size differs from the manifest");
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut extra: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != MANIFEST_FILE && n != REPORT_FILE && !listed.contains(n))
            .collect();
        extra.sort();
        for n in extra {
            report.add(&n, None, "not listed in the manifest");
        }
    }
}

/// Checks every row of a table's CSV against the rule applied to the true counts.
fn check_table_csv(
    dir: &Path,
    plan: &Plan,
    name: &str,
    dims: &[String],
    shape: &Shape,
    protected: &ProtectedTable,
    report: &mut VerifyReport,
) {
    let file = format!("{name}.csv");
    let mut rdr = match csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(dir.join(&file))
    {
        Ok(r) => r,
        Err(_) => {
            report.add(&file, None, "missing or unreadable");
            return;
        }
    };
    let expected_header = column_names(dims);
    match rdr.headers() {
        Ok(h) if h.iter().eq(expected_header.iter().map(String::as_str)) => {}
        _ => {
            report.add(
                &file,
                Some("line 1".into()),
                format!(
                    "header differs from the expected columns {}",
                    expected_header.join(",")
                ),
            );
            return;
        }
    }
    let hierarchies = shape.dims();
    let mut seen = vec![false; protected.status.len()];
    let mut coords = Vec::with_capacity(dims.len());
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let Ok(rec) = rec else {
            report.add(&file, Some(format!("line {line}")), "malformed CSV record");
            continue;
        };
        if rec.len() != expected_header.len() {
            report.add(
                &file,
                Some(format!("line {line}")),
                "wrong number of fields",
            );
            continue;
        }
        coords.clear();
        let mut cell_desc = Vec::new();
        let mut ok = true;
        for (d, h) in hierarchies.iter().enumerate() {
            let code = &rec[4 * d];
            cell_desc.push(format!("{}={code}", dims[d]));
            match h.find(code) {
                Some(n) => {
                    let node = h.node(n);
                    if node.level != rec[4 * d + 1]
                        || node.label.en != rec[4 * d + 2]
                        || node.label.fr != rec[4 * d + 3]
                    {
                        report.add(
                            &file,
                            Some(format!("line {line}")),
                            format!(
                                "level or labels of `{}` code `{code}` differ from the structure",
                                dims[d]
                            ),
                        );
                    }
                    coords.push(n);
                }
                None => {
                    report.add(
                        &file,
                        Some(format!("line {line}")),
                        format!("unknown `{}` code `{code}`", dims[d]),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        let cell = cell_desc.join(", ");
        let idx = shape.index(&coords);
        if std::mem::replace(&mut seen[idx], true) {
            report.add(&file, Some(cell), "row appears twice");
            continue;
        }
        report.cells_checked += 1;
        let text = &rec[rec.len() - 1];
        let rule_gives = protected.shown_at(idx);
        match Shown::parse(text).filter(|s| plan.rule.preimage(*s).is_some()) {
            None => report.add(
                &file,
                Some(cell),
                format!(
                    "`{text}` is not a shown value: expected `0`, `--` or a multiple of {}",
                    plan.rule.base()
                ),
            ),
            Some(s) if s != rule_gives => report.add(
                &file,
                Some(cell),
                format!("shown `{text}`, but the rule gives `{rule_gives}`"),
            ),
            Some(_) => {}
        }
    }
    let missing = seen.iter().filter(|s| !**s).count();
    if missing > 0 {
        let first = seen.iter().position(|s| !*s).expect("some cell is missing");
        let mut c = Vec::new();
        shape.coords(first, &mut c);
        let desc: Vec<String> = dims
            .iter()
            .zip(hierarchies)
            .zip(&c)
            .map(|((d, h), &n)| format!("{d}={}", h.node(n).code))
            .collect();
        report.add(
            &file,
            None,
            format!("{missing} cells have no row (first: {})", desc.join(", ")),
        );
    }
}
