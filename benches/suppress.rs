//! Criterion benchmarks of secondary suppression (`discreet-suppress`):
//! Gaussian elimination and the hypercube method on synthetic
//! three-dimension hierarchical tables of about 1e4, 1e5 and 1e6 published
//! cells (country with regions x province x month with quarters, the shapes
//! of the audit benchmark), heavy-tailed counts (about 40% zeros, the rest
//! log-uniform up to 5,000), primary cells the counts 1..4 (IRCC's `--`),
//! cost = count.
//!
//! Run: `cargo bench -p discreet-benches --bench suppress`. Criterion
//! measures gauss at 1e4 and 1e5 and the hypercube at every size (10
//! samples each); gauss at 1e6 takes tens of seconds, so it is timed once
//! by the `report` part, which also prints the hidden-cell counts of both
//! methods at every size (the hypercube's over-suppression).
//! The filter picks benchmarks by name, alternatives separated by `|`:
//! `-- report` runs only the report, `-- report/1e6` only its 1e6 line,
//! `-- 'gauss|hypercube'` only criterion. One size per run measures that
//! size's peak memory under `/usr/bin/time -v`.

use std::time::Instant;

use criterion::{black_box, criterion_group, BenchmarkId, Criterion};
use discreet_benches::{table_dims, SIZES};
use discreet_suppress::synthetic::{heavy_tail, ircc_problem, Table};
use discreet_suppress::{gauss, hypercube, GaussOptions, HypercubeOptions, Role};

/// One connected table of about `cells` published cells.
fn table(cells: usize) -> Table {
    heavy_tail(&table_dims(cells), 42)
}

/// The name filter given on the command line, if any.
fn filter() -> Option<String> {
    std::env::args().skip(1).find(|a| !a.starts_with('-'))
}

/// Whether a benchmark id passes the filter: criterion reads it as a
/// regular expression; alternatives (`a|b`) of plain names are enough here.
/// Used to skip building tables nobody measures.
fn wanted(id: &str) -> bool {
    filter().is_none_or(|f| f.split('|').any(|alt| id.contains(alt)))
}

fn bench_gauss(c: &mut Criterion) {
    let mut g = c.benchmark_group("gauss");
    g.sample_size(10);
    for (label, cells) in &SIZES[..2] {
        if !wanted(&format!("gauss/{label}")) {
            continue;
        }
        let t = table(*cells);
        let p = ircc_problem(&t, 4);
        g.bench_with_input(BenchmarkId::from_parameter(label), &p, |b, p| {
            b.iter(|| gauss(black_box(p), &GaussOptions::default()).unwrap())
        });
    }
    g.finish();
}

fn bench_hypercube(c: &mut Criterion) {
    let mut g = c.benchmark_group("hypercube");
    g.sample_size(10);
    for (label, cells) in &SIZES {
        if !wanted(&format!("hypercube/{label}")) {
            continue;
        }
        let t = table(*cells);
        let p = ircc_problem(&t, 4);
        let layouts = [t.layout.clone()];
        g.bench_with_input(BenchmarkId::from_parameter(label), &p, |b, p| {
            b.iter(|| hypercube(black_box(p), &layouts, &HypercubeOptions::default()).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench_gauss, bench_hypercube);

/// One timed run of each method per size, with the hidden-cell counts.
fn report() {
    let sizes: Vec<(&str, usize)> = SIZES
        .iter()
        .copied()
        .filter(|(label, _)| wanted(&format!("report/{label}")))
        .collect();
    if sizes.is_empty() {
        return;
    }
    // Hidden cells and seconds: gauss with its defaults, gauss without
    // singleton protection (`-ns`, what the hypercube is compared with: it
    // has none), the hypercube, and its excess over gauss-ns.
    println!(
        "{:>5} {:>9} {:>9} | {:>9} {:>8} | {:>9} {:>8} | {:>9} {:>8} {:>6}",
        "size", "cells", "primary", "gauss", "s", "gauss-ns", "s", "hypercube", "s", "excess"
    );
    for (label, cells) in sizes {
        let t = table(cells);
        let p = ircc_problem(&t, 4);
        let primaries = p.roles.iter().filter(|r| **r == Role::Primary).count();
        let t0 = Instant::now();
        let cpu0 = thread_cpu();
        let g = gauss(&p, &GaussOptions::default()).unwrap();
        let tg = t0.elapsed().as_secs_f64();
        let cpu_g = thread_cpu().zip(cpu0).map(|(b, a)| b - a);
        let t0 = Instant::now();
        let plain = gauss(
            &p,
            &GaussOptions {
                singleton: false,
                ..GaussOptions::default()
            },
        )
        .unwrap();
        let tp = t0.elapsed().as_secs_f64();
        let t0 = Instant::now();
        let h = hypercube(
            &p,
            std::slice::from_ref(&t.layout),
            &HypercubeOptions::default(),
        )
        .unwrap();
        let th = t0.elapsed().as_secs_f64();
        println!(
            "{label:>5} {:>9} {primaries:>9} | {:>9} {tg:>8.2} | {:>9} {tp:>8.2} | {:>9} {th:>8.2} {:>5.0}%",
            t.counts.len(),
            g.n_hidden(),
            plain.n_hidden(),
            h.n_hidden(),
            100.0 * (h.n_hidden() as f64 / plain.n_hidden() as f64 - 1.0),
        );
        println!(
            "      gauss: {} row operations, peak {} basis entries, {} singleton secondaries, {} by the relation rule",
            g.stats.eliminations,
            g.stats.peak_entries,
            g.stats.singleton_secondaries,
            g.stats.singleton_rule_hidden
        );
        println!(
            "      gauss: main thread CPU {}, hidden cells digest {:016x} (gauss-ns {:016x})",
            cpu_g.map_or("n/a".to_string(), |s| format!("{s:.2} s")),
            digest(&g.hidden),
            digest(&plain.hidden)
        );
    }
}

/// CPU time of the calling thread so far, in seconds (Linux: from
/// `/proc/thread-self/stat`, in clock ticks of 10 ms). On a shared machine
/// this is what the elimination's critical path costs, without the time
/// other jobs held the core.
fn thread_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses): state is
    // the first, user and system time the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A digest of which cells are hidden (FNV-1a over their numbers), to
/// check that a change leaves every decision as it was.
fn digest(hidden: &[bool]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, _) in hidden.iter().enumerate().filter(|c| *c.1) {
        h = (h ^ i as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
