//! Helpers shared by the end-to-end tests: run the real binary, make
//! microdata, read releases.

#![allow(dead_code)]

pub mod ooxml;

use std::path::{Path, PathBuf};
use std::process::Output;

/// Asserts that releases `a` and `b` hold the same bytes for table
/// `name`: its CSV, its Parquet file and `structure.json` (`context`
/// names the case in a failure).
pub fn assert_same_tables(a: &Path, b: &Path, name: &str, context: &str) {
    for f in [
        format!("{name}.csv"),
        format!("{name}.parquet"),
        "structure.json".to_string(),
    ] {
        assert!(
            std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(),
            "{context} {f}"
        );
    }
}

/// The repository root (two levels above this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A bundled pipeline spec.
pub fn pipeline(name: &str) -> PathBuf {
    root().join("pipelines").join(name)
}

/// All bundled pipeline specs, sorted.
pub fn pipelines() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("pipelines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

/// Runs `discreet` with arguments, in the repository root.
pub fn discreet<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    std::process::Command::new(env!("CARGO_BIN_EXE_discreet"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Generates synthetic admissions into `dir/name`.
pub fn testdata(dir: &Path, name: &str, rows: u64, seed: u64) -> PathBuf {
    testdata_kind(dir, name, "admissions", rows, seed)
}

/// Generates a synthetic data set (`admissions` or `permits`) into
/// `dir/name` (CSV or Parquet by extension).
pub fn testdata_kind(dir: &Path, name: &str, kind: &str, rows: u64, seed: u64) -> PathBuf {
    let out = dir.join(name);
    let o = discreet([
        "testdata",
        "--kind",
        kind,
        "--rows",
        &rows.to_string(),
        "--seed",
        &seed.to_string(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    out
}

/// Runs a spec on an admissions file into `out`.
pub fn run(spec: &Path, input: &Path, out: &Path) -> Output {
    run_named(spec, "admissions", input, out)
}

/// Runs a spec with its input `name` read from `input`, into `out`.
pub fn run_named(spec: &Path, name: &str, input: &Path, out: &Path) -> Output {
    discreet([
        "run".as_ref(),
        spec.as_os_str(),
        "--input".as_ref(),
        format!("{name}={}", input.display()).as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

/// Verifies a release against an admissions file.
pub fn verify(dir: &Path, input: &Path) -> Output {
    verify_named(dir, "admissions", input)
}

/// Verifies a release with its input `name` read from `input`.
pub fn verify_named(dir: &Path, name: &str, input: &Path) -> Output {
    discreet([
        "verify".as_ref(),
        dir.as_os_str(),
        "--input".as_ref(),
        format!("{name}={}", input.display()).as_ref(),
    ])
}

/// Rows of a release CSV as maps column -> value.
pub fn read_csv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Sorted file names of a folder.
pub fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A small hand-written admissions file: header plus `rows`.
pub fn write_admissions(dir: &Path, name: &str, rows: &[&str]) -> PathBuf {
    let p = dir.join(name);
    let mut s = discreet_testdata::COLUMNS.join(",") + "\n";
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    std::fs::write(&p, s).unwrap();
    p
}

/// The same hand-written admissions as a Parquet file of text columns, an
/// empty value written as a null.
pub fn write_admissions_parquet(dir: &Path, name: &str, rows: &[&str]) -> PathBuf {
    write_parquet(dir, name, rows, &[])
}

/// The same hand-written admissions as a Parquet file whose columns
/// `typed` are cast from text (`admission_date` to a date, `age` to an
/// integer, as an analyst's extract types them); an empty value is a null.
pub fn write_parquet(
    dir: &Path,
    name: &str,
    rows: &[&str],
    typed: &[(&str, polars::prelude::DataType)],
) -> PathBuf {
    use polars::prelude::*;
    let names = discreet_testdata::COLUMNS;
    let fields: Vec<Vec<&str>> = rows.iter().map(|r| r.split(',').collect()).collect();
    let columns: Vec<Column> = (names.iter().enumerate())
        .map(|(c, name)| {
            let values: Vec<Option<&str>> = (fields.iter())
                .map(|f| Some(f[c]).filter(|v| !v.is_empty()))
                .collect();
            let column = Column::new((*name).into(), values);
            match typed.iter().find(|(n, _)| n == name) {
                Some((_, dtype)) => column.strict_cast(dtype).unwrap(),
                None => column,
            }
        })
        .collect();
    let mut df = DataFrame::new(rows.len(), columns).unwrap();
    let p = dir.join(name);
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    p
}

/// The four-`--` example of the README ("The IRCC rule alone discloses
/// cells") released under the bundled citizenship pipeline
/// into `dir/rel`: one admission from Andorra in each of four months (every
/// month and the year shown `--`), and `others` from India in May so that
/// some cells are rounded. Returns the input and the release folder.
pub fn design_example_release(dir: &Path, others: usize) -> (PathBuf, PathBuf) {
    let mut rows: Vec<String> = (1..=4)
        .map(|m| format!("R{m},2024-0{m}-10,AND,ON,FSW,30,F"))
        .collect();
    for i in 0..others {
        rows.push(format!("S{i},2024-05-10,IND,ON,FSW,30,F"));
    }
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let input = write_admissions(dir, "in.csv", &refs);
    let out = dir.join("rel");
    let o = run(&pipeline("pr_citizenship_month.toml"), &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (input, out)
}
