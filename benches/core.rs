//! Criterion benchmarks of the core alone: the IRCC rule over columns of
//! cells, and building every margin of hierarchical tables.
//! Run: `cargo bench -p discreet-benches --bench core`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use discreet_core::{Bilingual, CellStatus, Hierarchy, HierarchyBuilder, IrccRule, NodeId, Table};
use rand::{Rng, SeedableRng};

/// Counts with a realistic share of small cells (heavy tail).
fn counts(n: usize) -> Vec<u64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    (0..n)
        .map(|_| {
            if rng.gen_bool(0.6) {
                rng.gen_range(0..10)
            } else {
                rng.gen_range(0..5000)
            }
        })
        .collect()
}

fn bench_rule(c: &mut Criterion) {
    let rule = IrccRule::default();
    let mut g = c.benchmark_group("ircc_rule");
    for n in [1_000_000usize, 10_000_000] {
        let input = counts(n);
        let mut shown = vec![0u64; n];
        let mut status = vec![CellStatus::Zero; n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &input, |b, input| {
            b.iter(|| rule.protect_column(black_box(input), &mut shown, &mut status))
        });
    }
    g.finish();
}

/// A hierarchy with `groups` groups of `per_group` leaves under the total.
fn hierarchy(name: &str, groups: usize, per_group: usize) -> Hierarchy {
    let l = |s: &str| Bilingual::new(s, s);
    let mut b = HierarchyBuilder::new(name, "TOTAL", l("Total"));
    for g in 0..groups {
        let gc = format!("G{g}");
        b.add("TOTAL", gc.clone(), l(&gc), "group").unwrap();
        for i in 0..per_group {
            let c = format!("G{g}L{i}");
            b.add(&gc, c.clone(), l(&c), "leaf").unwrap();
        }
    }
    b.build().unwrap()
}

fn bench_margins(c: &mut Criterion) {
    let mut g = c.benchmark_group("margins");
    g.sample_size(10);
    let cases: Vec<(&str, Vec<Hierarchy>)> = vec![
        (
            "3d_200x14x36",
            vec![
                hierarchy("country", 10, 20),
                hierarchy("province", 1, 14),
                hierarchy("month", 3, 12),
            ],
        ),
        (
            "4d_200x14x20x36",
            vec![
                hierarchy("country", 10, 20),
                hierarchy("province", 1, 14),
                hierarchy("category", 4, 5),
                hierarchy("month", 3, 12),
            ],
        ),
    ];
    for (name, dims) in cases {
        let leaves: Vec<Vec<NodeId>> = dims.iter().map(|d| d.leaves().to_vec()).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let finest: usize = leaves.iter().map(|l| l.len()).product();
        let cells: Vec<(Vec<NodeId>, u64)> = (0..finest)
            .map(|_| {
                (
                    leaves
                        .iter()
                        .map(|l| l[rng.gen_range(0..l.len())])
                        .collect(),
                    rng.gen_range(1..50),
                )
            })
            .collect();
        g.throughput(Throughput::Elements(cells.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                Table::from_leaf_counts("t", dims.clone(), cells.iter().map(|(k, v)| (&k[..], *v)))
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_rule, bench_margins);
criterion_main!(benches);
