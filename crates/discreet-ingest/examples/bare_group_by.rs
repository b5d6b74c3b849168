//! The least any pipeline must do with a microdata file: one streaming
//! polars group-by to the distinct combinations of some columns, with a row
//! count, and nothing else (no hashing, no checks, no rule, no writing).
//! `benches/run_vs_groupby.sh` times it against `discreet run` on the same
//! file. Prints only the number of groups.
//!
//! Usage: `bare_group_by FILE COLUMN...` (CSV, or Parquet by extension).

use polars::prelude::*;

fn main() -> PolarsResult<()> {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: bare_group_by FILE COLUMN...");
        std::process::exit(2);
    };
    let columns: Vec<Expr> = args.map(|c| col(c.as_str())).collect();
    let path = PlRefPath::new(file.as_str());
    let scan = if file.ends_with(".parquet") {
        LazyFrame::scan_parquet(path, ScanArgsParquet::default())?
    } else {
        // Text columns, as `discreet run` reads them.
        LazyCsvReader::new(path)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()?
    };
    let groups = scan
        .group_by(columns)
        .agg([len().alias("count")])
        .collect_with_engine(Engine::Streaming)?
        .unwrap_single();
    println!("{} groups", groups.height());
    Ok(())
}
