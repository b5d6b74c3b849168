//! `discreet run`: compute, protect, write to a temporary folder, rename.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use discreet_core::CellStatus;
use discreet_publish::{write_release, ReleaseContent};

use crate::protect::InfoLoss;
use discreet_spec::model::AuditSpec;
use discreet_spec::Plan;

use crate::compute::compute;
use crate::error::PipelineError;
use crate::report::{stage, Reporter};
use crate::TOOL_VERSION;

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Input paths by input name, used instead of the spec's.
    pub inputs: BTreeMap<String, PathBuf>,
    /// The release folder to create.
    pub out: PathBuf,
    /// Replace an existing, non-empty release folder.
    pub replace: bool,
    /// A series folder: the release goes into `series/<release name>/`
    /// instead of `out`, protected against every release already there,
    /// and is appended to the series' ledger.
    pub series: Option<PathBuf>,
}

/// Cell counts of one published table (counts of cells, never of persons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    /// Table name.
    pub name: String,
    /// Cells published, margins included.
    pub cells: usize,
    /// Cells shown `0`.
    pub zero: usize,
    /// Cells shown `--`.
    pub suppressed: usize,
    /// Cells shown `x` (secondary suppression).
    pub secondary: usize,
    /// Cells shown rounded.
    pub rounded: usize,
    /// What protection cost (coarse figures).
    pub info_loss: InfoLoss,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The release folder.
    pub out: PathBuf,
    /// Per table.
    pub tables: Vec<TableSummary>,
    /// What secondary suppression did, when the method has it.
    pub secondary: Option<crate::SecondaryReport>,
    /// Files written, with sizes.
    pub files: Vec<(String, u64)>,
    /// Findings of the spec's audit, when it has one.
    pub audit_findings: Option<usize>,
    /// Rows each recoded column sent to its `unmatched` code.
    pub unmatched: Vec<crate::compute::UnmatchedRows>,
    /// In a series: per table, the cells also published by the release
    /// before, and how many of them show another value now.
    pub revisions: Vec<(String, usize, usize)>,
}

/// Refuses an output folder that would clobber something, before any work.
fn check_out(out: &Path, replace: bool) -> Result<(), PipelineError> {
    if out.as_os_str().is_empty() {
        return Err(PipelineError::NoOutput);
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(PipelineError::OutputNotFolder {
                dir: out.to_path_buf(),
            });
        }
        let empty = std::fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !replace {
            return Err(PipelineError::OutputExists {
                dir: out.to_path_buf(),
            });
        }
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        std::fs::create_dir_all(parent).map_err(|e| PipelineError::OutputParent {
            dir: out.to_path_buf(),
            parent: parent.to_path_buf(),
            error: e.to_string(),
        })?;
    }
    Ok(())
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "release".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Runs a release: everything or nothing lands in `opts.out` (or, in a
/// series, in the series folder, with the ledger entry after it).
pub fn run(
    plan: &Plan,
    opts: &RunOptions,
    reporter: &mut dyn Reporter,
) -> Result<RunSummary, PipelineError> {
    discreet_publish::check_release_writable(plan)?;
    let series = match &opts.series {
        Some(dir) => Some(crate::series::prepare(plan, dir)?),
        None => None,
    };
    let (out, previous) = match &series {
        Some(s) => (s.out.clone(), s.previous.clone()),
        None => (opts.out.clone(), Vec::new()),
    };
    check_out(&out, opts.replace)?;
    crate::check_spec(plan)?;
    let computed = compute(plan, &opts.inputs, reporter)?;
    let protected = crate::protect(plan, &computed, &previous, reporter)?;
    let mut content = ReleaseContent {
        plan,
        tables: computed.views(plan, &protected.tables),
        inputs: computed.inputs.clone(),
        tool_version: TOOL_VERSION,
        series: None,
    };
    if let Some(s) = &series {
        let cs = crate::audit::content_system(&content, &previous, reporter)?;
        crate::series::check_final_cells(&cs, &|t, i| computed.tables[t].counts()[i])?;
        content.series = Some(crate::series::series_release(
            s.dataset_id(),
            &previous,
            &content.tables,
            reporter,
        )?);
    }
    let revisions = revision_counts(content.series.as_ref());

    let tmp = sibling(&out, "tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp)
        .map_err(|e| PipelineError::Usage(format!("cannot create {}: {e}", tmp.display())))?;
    // Whatever fails from here, the temporary folder goes with it.
    let mut finish = || -> Result<_, PipelineError> {
        let files = stage(reporter, "writing release", || {
            write_release(&tmp, &content)
        })?;
        let audited = match (&plan.spec.audit, series.is_some()) {
            (Some(a), _) => Some(gate(a, &content, &files, &tmp, &previous, reporter)?),
            (None, true) => {
                gate(
                    &AuditSpec::default(),
                    &content,
                    &files,
                    &tmp,
                    &previous,
                    reporter,
                )?;
                None
            }
            (None, false) => None,
        };
        install(&tmp, &out)?;
        if let Some(s) = &series {
            crate::series::append(s, plan, &content.inputs)?;
        }
        Ok((files, audited))
    };
    let finished = finish();
    if finished.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let (files, audited) = finished?;

    let tables = plan
        .tables
        .iter()
        .zip(&protected.tables)
        .zip(&protected.info_loss)
        .map(|((tp, p), loss)| TableSummary {
            name: tp.name.clone(),
            cells: p.status.len(),
            zero: p.count_status(CellStatus::Zero),
            suppressed: p.count_status(CellStatus::Suppressed),
            secondary: p.count_status(CellStatus::Secondary),
            rounded: p.count_status(CellStatus::Rounded),
            info_loss: *loss,
        })
        .collect();
    Ok(RunSummary {
        out,
        tables,
        secondary: protected.secondary,
        files: files.into_iter().map(|f| (f.path, f.bytes)).collect(),
        audit_findings: audited,
        unmatched: computed.unmatched.clone(),
        revisions,
    })
}

/// Per table: cells published by both releases, and how many changed.
fn revision_counts(s: Option<&discreet_publish::SeriesRelease>) -> Vec<(String, usize, usize)> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for r in s
        .iter()
        .flat_map(|s| s.previous.iter())
        .flat_map(|p| &p.revisions)
    {
        if out.last().is_none_or(|l| l.0 != r.table) {
            out.push((r.table.clone(), 0, 0));
        }
        let last = out.last_mut().expect("pushed");
        last.1 += 1;
        last.2 += usize::from(r.previous != r.shown);
    }
    out
}

/// Audits the written (not yet installed) release, read together with the
/// earlier releases of its series (`previous`); refuses it when the gate is
/// on, or the release joins a series, and a finding is not accepted;
/// records the outcome in the manifest when the spec has an audit.
/// Returns the number of findings.
fn gate(
    spec: &AuditSpec,
    content: &ReleaseContent<'_>,
    files: &[discreet_publish::FileEntry],
    dir: &Path,
    previous: &[PathBuf],
    reporter: &mut dyn Reporter,
) -> Result<usize, PipelineError> {
    let settings = crate::audit::AuditSettings {
        protect_below: spec.protect_below,
        min_width: spec.min_width,
        lp_max_block: None,
    };
    let report = crate::audit::audit_release(dir, previous, &settings, reporter)?;
    let names: Vec<String> = report
        .findings
        .iter()
        .map(crate::audit::finding_name)
        .collect();
    let unaccepted: Vec<String> = names
        .iter()
        .filter(|n| !spec.accept.contains(n))
        .cloned()
        .collect();
    if content.series.is_some() && !unaccepted.is_empty() {
        return Err(PipelineError::SeriesGate(unaccepted));
    }
    if spec.gate && !unaccepted.is_empty() {
        return Err(PipelineError::Gate(unaccepted));
    }
    if content.plan.spec.audit.is_none() {
        return Ok(report.findings.len());
    }
    let count = |k: &str| report.findings.iter().filter(|f| f.kind == k).count();
    let record = serde_json::json!({
        "gate": spec.gate,
        "policy": {"protect_below": report.settings.protect_below, "min_width": report.settings.min_width},
        "cells": report.cells,
        "disclosed": count("disclosed"),
        "narrowed": count("narrowed"),
        "inconsistent": count("inconsistent"),
        "accepted": names.iter().filter(|n| spec.accept.contains(n)).collect::<Vec<_>>(),
    });
    discreet_publish::write_manifest(dir, content, files, Some(&record))?;
    Ok(report.findings.len())
}

/// Moves the finished release into place, replacing an old one last.
fn install(tmp: &Path, out: &Path) -> Result<(), PipelineError> {
    let fail = |e: std::io::Error| {
        PipelineError::Usage(format!(
            "cannot move the release into {}: {e}",
            out.display()
        ))
    };
    if out.exists() {
        let old = sibling(out, "old");
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(out, &old).map_err(fail)?;
        if let Err(e) = std::fs::rename(tmp, out) {
            let _ = std::fs::rename(&old, out);
            return Err(fail(e));
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(tmp, out).map_err(fail)?;
    }
    Ok(())
}
