//! Criterion benchmarks of the audit engine alone (`discreet-audit`):
//! synthetic three-dimension hierarchical tables of about 1e4, 1e5 and 1e6
//! published cells (heavy-tailed counts published under the IRCC rule),
//! audited with the default options (one connected block each, above the
//! LP's block limit: interval propagation); one 2,142-cell table that goes
//! through the LP and the integer step; and 1e5 cells as many small
//! tables, every block through the LP.
//! Run: `cargo bench -p discreet-benches --bench audit`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use discreet_audit::synthetic::{heavy_tail_table, Dim, Table};
use discreet_audit::{audit, AuditOptions, System, SystemBuilder};
use discreet_benches::table_dims;

/// Country (with regions) x province x month (with quarters): one
/// connected table of about `cells` published cells.
fn table(cells: usize) -> Table {
    heavy_tail_table(&table_dims(cells), 42)
}

/// `copies` independent 12 x 8 tables with their margins (117 cells each),
/// as one system: a release of many small tables.
fn small_tables(copies: u64) -> System {
    let dims = [Dim::flat(12), Dim::flat(8)];
    let mut b = SystemBuilder::new();
    for s in 0..copies {
        let t = heavy_tail_table(&dims, s);
        let base = b.n_vars() as u32;
        for d in t.system.domains() {
            b.add_var(*d);
        }
        for rel in t.system.relations() {
            let parts: Vec<u32> = rel.parts.iter().map(|&p| p + base).collect();
            b.add_additive(rel.total + base, &parts).unwrap();
        }
    }
    b.build()
}

fn bench_tables(c: &mut Criterion) {
    let options = AuditOptions::default();
    let mut g = c.benchmark_group("audit_3d_table");
    for cells in [10_000usize, 100_000, 1_000_000] {
        let t = table(cells);
        if cells >= 100_000 {
            g.sample_size(10);
        }
        g.throughput(Throughput::Elements(t.system.n_vars() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(cells), &t, |b, t| {
            b.iter(|| audit(black_box(&t.system), &options))
        });
    }
    g.finish();
}

/// One connected three-dimensional table small enough for the LP and the
/// integer step under the default options: 14 x 9 x 17 nodes (leaves 13,
/// 8 and 12 in 4 quarters), 2,142 cells, the costliest path per cell.
fn bench_lp_table(c: &mut Criterion) {
    let options = AuditOptions::default();
    let t = heavy_tail_table(&[Dim::flat(13), Dim::flat(8), Dim::grouped(12, 4)], 7);
    let mut g = c.benchmark_group("audit_3d_table_lp");
    g.sample_size(10);
    g.throughput(Throughput::Elements(t.system.n_vars() as u64));
    g.bench_with_input(
        BenchmarkId::from_parameter(t.system.n_vars()),
        &t,
        |b, t| b.iter(|| audit(black_box(&t.system), &options)),
    );
    g.finish();
}

fn bench_small_tables(c: &mut Criterion) {
    let options = AuditOptions::default();
    let mut g = c.benchmark_group("audit_small_tables");
    g.sample_size(10);
    let sys = small_tables(855); // 100,035 cells
    g.throughput(Throughput::Elements(sys.n_vars() as u64));
    g.bench_with_input(BenchmarkId::from_parameter(sys.n_vars()), &sys, |b, sys| {
        b.iter(|| audit(black_box(sys), &options))
    });
    g.finish();
}

criterion_group!(benches, bench_tables, bench_lp_table, bench_small_tables);
criterion_main!(benches);
