//! Scale: a 3-dimension hierarchical table of about a million published
//! cells (100 x 50 x 200 leaves plus all their totals). Ignored by default
//! because it takes seconds; run with
//! `cargo test --release -p discreet-audit --test scale -- --ignored --nocapture`.

use std::time::Instant;

use discreet_audit::synthetic::{heavy_tail_table, Dim};
use discreet_audit::{audit, AuditOptions, FindingKind};

#[test]
#[ignore]
fn million_cells_within_a_minute() {
    let t0 = Instant::now();
    let t = heavy_tail_table(&[Dim::flat(100), Dim::flat(50), Dim::flat(200)], 42);
    let built = t0.elapsed();
    let t1 = Instant::now();
    let r = audit(&t.system, &AuditOptions::default());
    let audited = t1.elapsed();
    eprintln!(
        "cells {} relations {} build {:.2?} audit {:.2?} blocks {} lp_solves {} visits {} disclosed {} narrowed {}",
        t.system.n_vars(),
        t.system.n_relations(),
        built,
        audited,
        r.blocks,
        r.lp_solves,
        r.propagation_visits,
        r.count(FindingKind::Disclosed),
        r.count(FindingKind::Narrowed),
    );
    for (v, &x) in t.truth.iter().enumerate() {
        assert!(r.intervals[v].contains(x));
    }
    assert!(r.propagation_converged);
}

/// About a million cells as 8,547 independent small tables of 117 cells (a
/// release with one country x month table per province and category, say):
/// every block goes through the LP.
#[test]
#[ignore]
fn million_cells_in_small_tables_through_the_lp() {
    let dims = [Dim::flat(12), Dim::flat(8)];
    let t0 = Instant::now();
    let tables: Vec<_> = (0..8_547).map(|s| heavy_tail_table(&dims, s)).collect();
    let mut b = discreet_audit::SystemBuilder::new();
    let mut truth = Vec::new();
    for t in &tables {
        let base = b.n_vars() as u32;
        for (v, d) in t.system.domains().iter().enumerate() {
            b.add_var(*d);
            truth.push(t.truth[v]);
        }
        b.add_table(&discreet_audit::TableLayout {
            offset: base,
            ..t.layout.clone()
        })
        .unwrap();
    }
    let sys = b.build();
    let built = t0.elapsed();
    let t1 = Instant::now();
    let r = audit(&sys, &AuditOptions::default());
    let audited = t1.elapsed();
    eprintln!(
        "cells {} build {:.2?} blocks {} lp_blocks {} lp_solves {} integer_solves {} audit {:.2?} disclosed {} narrowed {}",
        sys.n_vars(),
        built,
        r.blocks,
        r.lp_blocks,
        r.lp_solves,
        r.integer_solves,
        audited,
        r.count(FindingKind::Disclosed),
        r.count(FindingKind::Narrowed),
    );
    for (v, &x) in truth.iter().enumerate() {
        assert!(r.intervals[v].contains(x));
    }
    assert_eq!(r.lp_errors, 0);
}

/// LP cost by block size (one connected table each), to choose
/// `lp_max_block_vars`.
#[test]
#[ignore]
fn lp_cost_by_block_size() {
    let shapes: Vec<Vec<Dim>> = vec![
        vec![Dim::flat(20), Dim::flat(12)],
        vec![Dim::flat(40), Dim::flat(16)],
        vec![Dim::flat(200), Dim::grouped(12, 4)],
        vec![Dim::flat(13), Dim::flat(8), Dim::grouped(12, 4)],
        vec![Dim::flat(26), Dim::flat(9), Dim::grouped(12, 4)],
    ];
    for dims in shapes {
        let t = heavy_tail_table(&dims, 7);
        let options = AuditOptions {
            lp_max_block_vars: usize::MAX,
            ..AuditOptions::default()
        };
        let p = audit(
            &t.system,
            &AuditOptions {
                lp_max_block_vars: 0,
                ..AuditOptions::default()
            },
        );
        let t1 = Instant::now();
        let r = audit(&t.system, &options);
        let el = t1.elapsed();
        let better = p
            .intervals
            .iter()
            .zip(&r.intervals)
            .filter(|(a, b)| a != b)
            .count();
        let open = p.intervals.iter().filter(|i| !i.is_pinned()).count();
        eprintln!(
            "dims {:?} cells {} open {} lp_solves {} skipped {} integer_solves {} audit {:.2?} tighter {} findings prop {} lp {}",
            dims.iter().map(|d| d.nodes()).collect::<Vec<_>>(),
            t.system.n_vars(),
            open,
            r.lp_solves,
            r.lp_vars_skipped,
            r.integer_solves,
            el,
            better,
            p.findings.len(),
            r.findings.len()
        );
    }
}

/// Neighbourhood LP bounds on connected three-dimensional tables too large
/// for one LP (the bundled province x category x month release is one
/// such block of 19,500 cells): time and findings against propagation
/// alone, and with whole-block LP where it still finishes.
#[test]
#[ignore]
fn neighbourhood_lp_on_large_blocks() {
    let shapes: Vec<Vec<Dim>> = vec![
        // 4,590 cells: small enough for the exact LP as well.
        vec![Dim::flat(26), Dim::flat(9), Dim::grouped(12, 4)],
        // 13,720 and 27,440 cells.
        vec![Dim::flat(13), Dim::grouped(15, 4), Dim::grouped(36, 12)],
        vec![Dim::flat(27), Dim::grouped(15, 4), Dim::grouped(36, 12)],
    ];
    for dims in shapes {
        let t = heavy_tail_table(&dims, 7);
        let n = t.system.n_vars();
        let p = audit(
            &t.system,
            &AuditOptions {
                lp_max_block_vars: 0,
                ..AuditOptions::default()
            },
        );
        let local = AuditOptions {
            lp_max_block_vars: 1_000,
            ..AuditOptions::default()
        };
        let t1 = Instant::now();
        let r = audit(&t.system, &local);
        let el = t1.elapsed();
        for (v, &x) in t.truth.iter().enumerate() {
            assert!(r.intervals[v].contains(x));
        }
        let exact = if n <= 5_000 {
            let t2 = Instant::now();
            let e = audit(
                &t.system,
                &AuditOptions {
                    lp_max_block_vars: usize::MAX,
                    ..AuditOptions::default()
                },
            );
            format!(
                "exact LP {:.2?} disclosed {} narrowed {}",
                t2.elapsed(),
                e.count(FindingKind::Disclosed),
                e.count(FindingKind::Narrowed)
            )
        } else {
            String::new()
        };
        eprintln!(
            "dims {:?} cells {n} local groups {} solves {} audit {:.2?} disclosed/narrowed prop {}/{} local {}/{} {exact}",
            dims.iter().map(|d| d.nodes()).collect::<Vec<_>>(),
            r.local_lp_groups,
            r.local_lp_solves,
            el,
            p.count(FindingKind::Disclosed),
            p.count(FindingKind::Narrowed),
            r.count(FindingKind::Disclosed),
            r.count(FindingKind::Narrowed),
        );
    }
}
