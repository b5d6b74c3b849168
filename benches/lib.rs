//! Benchmarks of discreet. The criterion benchmarks are in `core.rs`
//! (`cargo bench -p discreet-benches`); end-to-end scripts are `*.sh`;
//! results are recorded in `RESULTS.md`. This library is empty on purpose.
