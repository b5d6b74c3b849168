//! The repair of the `ircc-repaired` method (the IRCC rule, then audit and
//! hide until the audit is clean) on the synthetic three-dimension tables
//! of the suppression benchmark (about 1e4, 1e5 and 1e6 published cells,
//! heavy-tailed counts): cells hidden, audit rounds, seconds.
//!
//! Run: `cargo bench -p discreet-benches --bench repair` (all sizes) or
//! `-- 1e5` (one size; run one size under `/usr/bin/time -v` for its peak
//! memory). Each size is timed once: a repair is a sequence of whole-table
//! audits, seconds to minutes, not a microbenchmark.

use std::time::Instant;

use discreet_benches::{table_dims, SIZES};
use discreet_suppress::repair::{repair, RepairOptions};
use discreet_suppress::synthetic::heavy_tail;
use discreet_suppress::{Interval, Problem, Role};

fn main() {
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!(
        "{:>5} {:>9} {:>8} {:>9} {:>9} {:>7} {:>9}",
        "size", "cells", "primary", "findings", "hidden", "rounds", "seconds"
    );
    for (label, cells) in SIZES {
        if only.as_deref().is_some_and(|o| o != label) {
            continue;
        }
        let t = heavy_tail(&table_dims(cells), 42);
        // As `discreet run` builds it: zeros are shown and never hidden,
        // 1..4 are the rule's `--`, and under a repaired release a `--`
        // stands for any count from 1 up (it may hide a large one).
        let mut system = t.system.clone();
        let roles: Vec<Role> = t
            .counts
            .iter()
            .enumerate()
            .map(|(v, &c)| match c {
                0 => Role::ForcedPublish,
                1..=4 => {
                    system.set_domain(v as u32, Interval::at_least(1));
                    Role::Primary
                }
                _ => Role::Candidate,
            })
            .collect();
        let primary = roles.iter().filter(|&&r| r == Role::Primary).count();
        let problem = Problem {
            system: &system,
            counts: &t.counts,
            roles,
            cost: t.counts.clone(),
        };
        let start = Instant::now();
        let out = repair(&problem, Interval::at_least(1), &RepairOptions::default());
        let secs = start.elapsed().as_secs_f64();
        match out {
            Ok(r) => println!(
                "{:>5} {:>9} {:>8} {:>9} {:>9} {:>7} {:>9.2}",
                label,
                t.counts.len(),
                primary,
                r.initial_findings.0 + r.initial_findings.1,
                r.hidden.len(),
                r.rounds,
                secs
            ),
            Err(e) => println!(
                "{label:>5} {:>9} {primary:>8} failed after {secs:.2} s: {e}",
                t.counts.len()
            ),
        }
    }
}
