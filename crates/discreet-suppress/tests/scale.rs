//! Scale: gauss and hypercube on synthetic 3-dimension tables. Ignored by
//! default; run with
//! `cargo test --release -p discreet-suppress --test scale -- --ignored --nocapture`.

use std::time::Instant;

use discreet_audit::synthetic::Dim;
use discreet_suppress::synthetic::{heavy_tail, ircc_problem};
use discreet_suppress::{gauss, hypercube, GaussOptions, HypercubeOptions};

fn run(dims: &[Dim]) {
    let t0 = Instant::now();
    let t = heavy_tail(dims, 7);
    let p = ircc_problem(&t, 4);
    let primaries = p
        .roles
        .iter()
        .filter(|r| **r == discreet_suppress::Role::Primary)
        .count();
    eprintln!(
        "cells {} primaries {} build {:.2?}",
        t.counts.len(),
        primaries,
        t0.elapsed()
    );
    let t1 = Instant::now();
    let h = hypercube(
        &p,
        std::slice::from_ref(&t.layout),
        &HypercubeOptions::default(),
    )
    .unwrap();
    eprintln!(
        "hypercube {:.2?} hidden {} {:?}",
        t1.elapsed(),
        h.n_hidden(),
        h.stats
    );
    for (singleton, zeros_first) in [(true, true), (false, true)] {
        let t1 = Instant::now();
        let g = gauss(
            &p,
            &GaussOptions {
                singleton,
                zeros_first,
            },
        )
        .unwrap();
        eprintln!(
            "visited {:?} searched {:?} merged {:?}",
            discreet_suppress::gauss::VISITED,
            discreet_suppress::gauss::SEARCHED,
            discreet_suppress::gauss::MERGED
        );
        eprintln!(
            "gauss s={singleton} z={zeros_first} {:.2?} hidden {} {:?}",
            t1.elapsed(),
            g.n_hidden(),
            g.stats
        );
    }
}

#[test]
#[ignore]
fn scale_1e4() {
    run(&[
        Dim {
            leaves: 20,
            groups: 4,
        },
        Dim {
            leaves: 12,
            groups: 4,
        },
        Dim {
            leaves: 20,
            groups: 3,
        },
    ]);
}

#[test]
#[ignore]
fn scale_1e5() {
    run(&[
        Dim {
            leaves: 100,
            groups: 10,
        },
        Dim::flat(14),
        Dim {
            leaves: 48,
            groups: 11,
        },
    ]);
}

#[test]
#[ignore]
fn scale_1e6() {
    run(&[
        Dim {
            leaves: 200,
            groups: 10,
        },
        Dim {
            leaves: 24,
            groups: 4,
        },
        Dim {
            leaves: 150,
            groups: 12,
        },
    ]);
}

#[test]
#[ignore]
fn hyper_only() {
    for dims in [
        vec![
            Dim {
                leaves: 30,
                groups: 3,
            },
            Dim::flat(14),
            Dim {
                leaves: 20,
                groups: 5,
            },
        ],
        vec![
            Dim {
                leaves: 60,
                groups: 6,
            },
            Dim::flat(14),
            Dim {
                leaves: 30,
                groups: 7,
            },
        ],
    ] {
        let t = heavy_tail(&dims, 7);
        let p = ircc_problem(&t, 4);
        let t1 = Instant::now();
        let h = hypercube(
            &p,
            std::slice::from_ref(&t.layout),
            &HypercubeOptions::default(),
        )
        .unwrap();
        eprintln!(
            "cells {} hypercube {:.2?} hidden {} {:?}",
            t.counts.len(),
            t1.elapsed(),
            h.n_hidden(),
            h.stats.cubes
        );
    }
}
