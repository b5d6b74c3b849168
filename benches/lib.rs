//! Benchmarks of discreet. The criterion benchmarks are `core.rs`,
//! `audit.rs` and `suppress.rs`, the repair report `repair.rs`
//! (`cargo bench -p discreet-benches --bench NAME`); end-to-end scripts are
//! `*.sh`; results are recorded in `RESULTS.md`. This library holds only
//! the workload the table benchmarks share.

use discreet_audit::synthetic::Dim;

/// The sizes of the synthetic-table benchmarks: label and about how many
/// published cells.
pub const SIZES: [(&str, usize); 3] = [("1e4", 10_000), ("1e5", 100_000), ("1e6", 1_000_000)];

/// Country (with regions) x province x month (with quarters): the
/// dimensions of one connected table of about `cells` published cells,
/// for each of [`SIZES`]. The audit, suppression and repair benchmarks all
/// use these shapes, so their figures compare.
pub fn table_dims(cells: usize) -> [Dim; 3] {
    match cells {
        10_000 => [Dim::grouped(20, 4), Dim::flat(12), Dim::grouped(24, 8)], // 25 x 13 x 33 = 10,725
        100_000 => [Dim::grouped(100, 10), Dim::flat(14), Dim::grouped(48, 16)], // 111 x 15 x 65 = 108,225
        1_000_000 => [Dim::grouped(200, 10), Dim::flat(30), Dim::grouped(120, 30)], // 211 x 31 x 151 = 987,691
        _ => panic!("no benchmark table of {cells} cells"),
    }
}
