//! Scale: both methods on the benchmark's synthetic three-dimension tables
//! (see `benches/suppress.rs`), with the checks too slow for the property
//! tests' sizes left to those. Ignored by default because they take from
//! seconds to minutes; run one size with
//! `cargo test --release -p discreet-suppress --test scale -- --ignored --nocapture 1e5`.

use std::time::Instant;

use discreet_audit::synthetic::Dim;
use discreet_suppress::synthetic::{heavy_tail, ircc_problem};
use discreet_suppress::{gauss, hypercube, GaussOptions, HypercubeOptions, Role};

fn run(dims: &[Dim]) {
    let t = heavy_tail(dims, 42);
    let p = ircc_problem(&t, 4);
    let primaries = p.roles.iter().filter(|r| **r == Role::Primary).count();
    eprintln!("cells {} primaries {primaries}", t.counts.len());
    let t0 = Instant::now();
    let h = hypercube(
        &p,
        std::slice::from_ref(&t.layout),
        &HypercubeOptions::default(),
    )
    .unwrap();
    eprintln!(
        "hypercube {:.2?} hidden {} {:?}",
        t0.elapsed(),
        h.n_hidden(),
        h.stats
    );
    let t0 = Instant::now();
    let g = gauss(&p, &GaussOptions::default()).unwrap();
    eprintln!(
        "gauss {:.2?} hidden {} {:?}",
        t0.elapsed(),
        g.n_hidden(),
        g.stats
    );
    for (v, r) in p.roles.iter().enumerate() {
        if *r == Role::Primary {
            assert!(g.hidden[v] && h.hidden[v]);
        }
    }
}

#[test]
#[ignore]
fn scale_1e4() {
    run(&[Dim::grouped(20, 4), Dim::flat(12), Dim::grouped(24, 8)]);
}

#[test]
#[ignore]
fn scale_1e5() {
    run(&[Dim::grouped(100, 10), Dim::flat(14), Dim::grouped(48, 16)]);
}

#[test]
#[ignore]
fn scale_1e6() {
    run(&[Dim::grouped(200, 10), Dim::flat(30), Dim::grouped(120, 30)]);
}

/// A flatter million-cell table (fewer, larger groups), on which the
/// elimination is several times faster: see `benches/RESULTS.md`.
#[test]
#[ignore]
fn scale_1e6_flatter() {
    run(&[
        Dim::grouped(200, 10),
        Dim::grouped(24, 4),
        Dim::grouped(150, 12),
    ]);
}
