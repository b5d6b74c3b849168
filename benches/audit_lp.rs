//! One-shot report: exact LP bounds on one large connected block. A
//! three-dimensional hierarchical table (country with regions x province x
//! month with quarters) of about N published cells, heavy-tailed counts
//! published under the IRCC rule (0 shown, 1..4 hidden as `--`, others
//! rounded to base 5) with the hypercube's secondary suppressions hidden
//! too (shown as nothing: any count from 0 up), audited with
//! `lp_max_block_vars` above the block size, so every candidate cell gets
//! its exact LP bounds. Prints the seconds, solves and findings of the
//! audit, and those of propagation alone for comparison.
//!
//! Run: `cargo bench -p discreet-benches --bench audit_lp -- 5000 10000`
//! (sizes in cells; default 5000 10000 20000 100000); `-- default` times
//! instead the 2,142-cell table of `audit_3d_table_lp` with the default
//! options; `-- lp-only 5000` turns the integer step off, to time the LP
//! alone. One size per run
//! measures that size's peak memory under `/usr/bin/time -v`.

use std::time::Instant;

use discreet_audit::synthetic::{heavy_tail_table, Dim};
use discreet_audit::{audit, AuditOptions, FindingKind, Interval, System};
use discreet_suppress::synthetic::{heavy_tail, ircc_problem};
use discreet_suppress::{hypercube, HypercubeOptions};

/// Region-grouped countries x 15 provinces x 33 months (24 in 8 quarters):
/// about `cells` cells, the first dimension sized to fit.
fn dims(cells: usize) -> [Dim; 3] {
    let n1 = (cells / (15 * 33)).max(4);
    let groups = (n1 / 20).max(1);
    [
        Dim::grouped(n1 - groups - 1, groups),
        Dim::flat(14),
        Dim::grouped(24, 8),
    ]
}

/// The published table: IRCC domains, and the cells the hypercube hides
/// as secondaries open from 0 up.
fn published(cells: usize) -> System {
    let d = dims(cells);
    let t = heavy_tail(&d, 42);
    let p = ircc_problem(&t, 4);
    let s = hypercube(&p, &[t.layout.clone()], &HypercubeOptions::default())
        .expect("hypercube protects the synthetic table");
    let mut sys = heavy_tail_table(&d, 42).system;
    for &v in &s.secondary {
        sys.set_domain(v, Interval::at_least(0));
    }
    sys
}

/// The 2,142-cell table of the criterion benchmark (`audit_3d_table_lp`),
/// audited once with the default options: the largest block the LP takes
/// by default.
fn default_lp_table() {
    let t = heavy_tail_table(&[Dim::flat(13), Dim::flat(8), Dim::grouped(12, 4)], 7);
    let t0 = Instant::now();
    let r = audit(&t.system, &AuditOptions::default());
    println!(
        "default options, {}-cell table: {:.2} s, lp_solves {}, integer_solves {}, findings {}",
        t.system.n_vars(),
        t0.elapsed().as_secs_f64(),
        r.lp_solves,
        r.integer_solves,
        r.findings.len()
    );
}

fn main() {
    if std::env::args().any(|a| a == "default") {
        default_lp_table();
        return;
    }
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![5_000, 10_000, 20_000, 100_000]
    } else {
        sizes
    };
    // `lp-only`: the integer step off, to time the LP alone.
    let lp_only = std::env::args().any(|a| a == "lp-only");
    for cells in sizes {
        let sys = published(cells);
        let prop = AuditOptions {
            lp_max_block_vars: 0,
            ..AuditOptions::default()
        };
        let t0 = Instant::now();
        let p = audit(&sys, &prop);
        let tp = t0.elapsed().as_secs_f64();
        let exact = AuditOptions {
            lp_max_block_vars: usize::MAX,
            lp_max_solves_per_block: usize::MAX,
            integer_max_width: if lp_only { 0 } else { 5 },
            ..AuditOptions::default()
        };
        let t1 = Instant::now();
        let r = audit(&sys, &exact);
        let tl = t1.elapsed().as_secs_f64();
        let tighter = (p.intervals.iter().zip(&r.intervals))
            .filter(|(a, b)| a != b)
            .count();
        let hidden = (sys.domains().iter())
            .filter(|d| d.hi.is_none() || d.width() == Some(4))
            .count();
        println!(
            "cells {} hidden {} blocks {} | propagation {:.3} s, findings {} | exact LP {:.2} s, \
             lp_solves {}, errors {}, incomplete {}, skipped {}, integer_solves {}, \
             findings {} (disclosed {}), intervals tighter than propagation {}",
            sys.n_vars(),
            hidden,
            r.blocks,
            tp,
            p.findings.len(),
            tl,
            r.lp_solves,
            r.lp_errors,
            r.lp_incomplete_blocks,
            r.lp_vars_skipped,
            r.integer_solves,
            r.findings.len(),
            r.count(FindingKind::Disclosed),
            tighter,
        );
    }
}
