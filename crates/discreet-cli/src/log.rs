//! What the command writes to stderr: progress, notices, errors and the
//! final summary, for people or as JSON lines for schedulers.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use discreet_pipeline::{AuditReport, Reporter, RunSummary, SeriesCheck, VerifyReport};
use serde_json::json;

/// Output style.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Plain lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// Writes reports to stderr.
pub struct StderrReporter {
    format: LogFormat,
    tty: bool,
    /// On a terminal, the thread that ticks the elapsed seconds of the
    /// running stage, and the flag that stops it.
    ticker: Option<(Arc<AtomicBool>, std::thread::JoinHandle<()>)>,
}

/// How many violations or findings are listed in the human summary.
const SHOWN_VIOLATIONS: usize = 50;

impl StderrReporter {
    /// A reporter in the given format.
    pub fn new(format: LogFormat) -> Self {
        StderrReporter {
            format,
            tty: std::io::stderr().is_terminal(),
            ticker: None,
        }
    }

    fn json(&self, v: serde_json::Value) {
        let _ = writeln!(std::io::stderr(), "{v}");
    }

    /// Reports the error that ends the command with exit code `exit`.
    pub fn error(&mut self, message: &str, exit: u8) {
        match self.format {
            LogFormat::Human => eprintln!("discreet: error: {message}"),
            LogFormat::Json => {
                self.json(json!({"event": "error", "message": message, "exit": exit}))
            }
        }
    }

    /// One line of result.
    pub fn summary(&mut self, message: &str) {
        match self.format {
            LogFormat::Human => eprintln!("discreet: {message}"),
            LogFormat::Json => self.json(json!({"event": "summary", "message": message})),
        }
    }

    /// The end-of-run summary: tables, cells, how they were protected.
    pub fn run_summary(&mut self, s: &RunSummary) {
        match self.format {
            LogFormat::Human => {
                eprintln!("discreet: release written to {}", s.out.display());
                eprintln!(
                    "  {:<34} {:>9} {:>9} {:>11} {:>10} {:>9} {:>13} {:>13}",
                    "table",
                    "cells",
                    "zero",
                    "suppressed",
                    "secondary",
                    "rounded",
                    "hidden share",
                    "mean |change|"
                );
                for t in &s.tables {
                    let l = t.info_loss.to_json();
                    eprintln!(
                        "  {:<34} {:>9} {:>9} {:>11} {:>10} {:>9} {:>12}% {:>13}",
                        t.name,
                        t.cells,
                        t.zero,
                        t.suppressed,
                        t.secondary,
                        t.rounded,
                        l["hidden_share_of_total_percent"].as_str().unwrap_or(""),
                        l["mean_absolute_rounding_change"].as_str().unwrap_or("")
                    );
                }
                if let Some(r) = &s.secondary {
                    eprintln!(
                        "  secondary suppression: {} cells by the method, {} more by {} audit-and-repair round(s) (the audit found {} disclosed and {} narrowed before repair)",
                        r.by_method, r.by_repair, r.repair_rounds, r.findings_before_repair.0, r.findings_before_repair.1
                    );
                }
                let bytes: u64 = s.files.iter().map(|f| f.1).sum();
                eprintln!("  {} files, {} bytes", s.files.len(), bytes);
                if let Some(n) = s.audit_findings {
                    eprintln!(
                        "  audit: {n} findings (see manifest.json; `discreet audit` lists them)"
                    );
                }
                for u in &s.unmatched {
                    eprintln!(
                        "  input `{}`, column `{}`: {} rows held no code and went to `{}`",
                        u.input, u.column, u.rows, u.code
                    );
                }
                for (table, both, revised) in &s.revisions {
                    eprintln!(
                        "  revisions: {table}: {revised} of the {both} cells also in the previous release show another value (revisions.csv lists them)"
                    );
                }
            }
            LogFormat::Json => self.json(release_written(s)),
        }
    }

    /// The outcome of `verify`.
    pub fn verify_summary(&mut self, dir: &Path, r: &VerifyReport) {
        match self.format {
            LogFormat::Human => {
                for v in r.violations.iter().take(SHOWN_VIOLATIONS) {
                    eprintln!("violation: {v}");
                }
                let verdict = tail(r.violations.len(), "violations", "VIOLATIONS FOUND");
                eprintln!(
                    "discreet: verify {}: {verdict}: {} files and {} cells checked, {} violations",
                    dir.display(),
                    r.files_checked,
                    r.cells_checked,
                    r.violations.len()
                );
            }
            LogFormat::Json => {
                for v in &r.violations {
                    self.json(json!({"event": "violation", "file": v.file, "cell": v.cell, "message": v.message}));
                }
                self.json(json!({"event": "verify_done", "release": dir.display().to_string(), "clean": r.violations.is_empty(), "files_checked": r.files_checked, "cells_checked": r.cells_checked, "violations": r.violations.len()}));
            }
        }
    }

    /// The outcome of `audit`: counts per table and the worst examples.
    pub fn audit_summary(&mut self, dir: &Path, r: &AuditReport) {
        match self.format {
            LogFormat::Human => {
                eprintln!(
                    "  {:<34} {:>9} {:>10} {:>9} {:>13}",
                    "table", "cells", "disclosed", "narrowed", "inconsistent"
                );
                for t in &r.tables {
                    eprintln!(
                        "  {:<34} {:>9} {:>10} {:>9} {:>13}",
                        t.name, t.cells, t.disclosed, t.narrowed, t.inconsistent
                    );
                }
                for f in r.findings.iter().take(SHOWN_VIOLATIONS) {
                    let cell: Vec<String> =
                        f.cell.iter().map(|(d, c)| format!("{d}={c}")).collect();
                    let hi = f.hi.map_or("inf".to_string(), |h| h.to_string());
                    eprintln!(
                        "{}: {}: {}: shown `{}`, true value in [{}, {hi}]",
                        f.kind,
                        f.table,
                        cell.join(", "),
                        f.shown,
                        f.lo
                    );
                }
                let verdict = tail(r.findings.len(), "findings", "FINDINGS");
                eprintln!(
                    "discreet: audit {}: {verdict}: {} cells, {} relations, {} blocks, {} LP solves, {} findings",
                    dir.display(),
                    r.cells,
                    r.relations,
                    r.blocks,
                    r.lp_solves,
                    r.findings.len()
                );
            }
            LogFormat::Json => {
                for f in &r.findings {
                    self.json(json!({"event": "finding", "kind": f.kind, "table": f.table, "cell": f.cell, "shown": f.shown, "lo": f.lo, "hi": f.hi}));
                }
                self.json(json!({"event": "audit_done", "release": dir.display().to_string(), "clean": r.findings.is_empty(), "cells": r.cells, "findings": r.findings.len()}));
            }
        }
    }
}

impl StderrReporter {
    /// The outcome of `discreet series`: the releases, then every problem.
    pub fn series_summary(&mut self, dir: &Path, c: &SeriesCheck) {
        let entries = c.ledger.as_ref().map_or(&[][..], |l| &l.entries[..]);
        match self.format {
            LogFormat::Human => {
                if let Some(l) = &c.ledger {
                    eprintln!("  dataset {}", l.dataset_id);
                }
                eprintln!(
                    "  {:<24} {:<12} {:<14} {:<16}",
                    "release", "published", "final through", "manifest"
                );
                for e in entries {
                    eprintln!(
                        "  {:<24} {:<12} {:<14} {:<16}",
                        e.release,
                        e.published,
                        e.final_through.as_deref().unwrap_or("-"),
                        &e.manifest_sha256[..e.manifest_sha256.len().min(16)]
                    );
                }
                for p in c.problems.iter().take(SHOWN_VIOLATIONS) {
                    eprintln!("problem: {p}");
                }
                let verdict = tail(c.problems.len(), "problems", "PROBLEMS FOUND");
                eprintln!(
                    "discreet: series {}: {verdict}: {} releases, {} problems",
                    dir.display(),
                    entries.len(),
                    c.problems.len()
                );
            }
            LogFormat::Json => {
                for p in &c.problems {
                    self.json(json!({"event": "problem", "message": p}));
                }
                self.json(json!({"event": "series_checked", "series": dir.display().to_string(), "clean": c.problems.is_empty(), "releases": entries.len(), "problems": c.problems.len()}));
            }
        }
    }
}

/// Says how many of `total` items were left out of the human summary, and
/// returns its verdict: `clean`, or `found` when there is any.
fn tail(total: usize, items: &str, found: &'static str) -> &'static str {
    if total > SHOWN_VIOLATIONS {
        eprintln!(
            "... and {} more {items} (use --json FILE for all)",
            total - SHOWN_VIOLATIONS
        );
    }
    if total == 0 {
        "clean"
    } else {
        found
    }
}

impl Reporter for StderrReporter {
    fn stage_start(&mut self, stage: &str) {
        match self.format {
            LogFormat::Human if self.tty => {
                eprint!("discreet: {stage} ...");
                // Long stages (reading large inputs) show they are alive.
                let stop = Arc::new(AtomicBool::new(false));
                let flag = Arc::clone(&stop);
                let label = stage.to_string();
                let handle = std::thread::spawn(move || {
                    let start = Instant::now();
                    let mut shown = 0;
                    while !flag.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(200));
                        let secs = start.elapsed().as_secs();
                        if secs > shown && !flag.load(Ordering::Relaxed) {
                            shown = secs;
                            eprint!("\r\x1b[2Kdiscreet: {label} ... {secs} s");
                        }
                    }
                });
                self.ticker = Some((stop, handle));
            }
            LogFormat::Human => {}
            LogFormat::Json => self.json(json!({"event": "stage_start", "stage": stage})),
        }
    }

    fn stage_end(&mut self, stage: &str, seconds: f64) {
        if let Some((stop, handle)) = self.ticker.take() {
            stop.store(true, Ordering::Relaxed);
            let _ = handle.join();
        }
        match self.format {
            LogFormat::Human if self.tty => eprintln!("\r\x1b[2Kdiscreet: {stage}: done ({seconds:.2} s)"),
            LogFormat::Human => eprintln!("discreet: {stage}: done ({seconds:.2} s)"),
            LogFormat::Json => self.json(json!({"event": "stage_end", "stage": stage, "seconds": (seconds * 1000.0).round() / 1000.0})),
        }
    }

    fn warn(&mut self, message: &str) {
        match self.format {
            LogFormat::Human => eprintln!("discreet: warning: {message}"),
            LogFormat::Json => self.json(json!({"event": "warning", "message": message})),
        }
    }
}

/// The JSON event of a written release; `unmatched` only when a recode sent
/// rows to its `unmatched` code.
fn release_written(s: &RunSummary) -> serde_json::Value {
    let mut v = json!({
        "event": "release_written",
        "out": s.out.display().to_string(),
        "tables": s.tables.iter().map(|t| json!({"name": t.name, "cells": t.cells, "zero": t.zero, "suppressed": t.suppressed, "secondary": t.secondary, "rounded": t.rounded, "information_loss": t.info_loss.to_json()})).collect::<Vec<_>>(),
        "secondary_suppression": s.secondary.as_ref().map(|r| json!({"by_method": r.by_method, "by_repair": r.by_repair, "repair_rounds": r.repair_rounds, "disclosed_before_repair": r.findings_before_repair.0, "narrowed_before_repair": r.findings_before_repair.1})),
        "files": s.files.iter().map(|f| json!({"path": f.0, "bytes": f.1})).collect::<Vec<_>>(),
        "audit_findings": s.audit_findings,
    });
    if !s.revisions.is_empty() {
        v["revisions"] = s
            .revisions
            .iter()
            .map(
                |(t, both, revised)| json!({"table": t, "cells_in_both": both, "revised": revised}),
            )
            .collect();
    }
    if !s.unmatched.is_empty() {
        v["unmatched"] = s
            .unmatched
            .iter()
            .map(|u| json!({"input": u.input, "column": u.column, "code": u.code, "rows": u.rows}))
            .collect();
    }
    v
}
