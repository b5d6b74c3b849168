//! `discreet testdata --kind permits`: the binary writes the permits data
//! set, deterministically; `--kind` defaults to admissions.

mod common;

use common::{code, discreet, stderr};

const PERMITS_HEADER: &str =
    "permit_id,person_id,effective_date,permit_type,study_level,province,country_of_citizenship";

/// Runs `discreet testdata` with `args` plus `--out dir/name`; returns the
/// file's bytes.
fn generate(dir: &std::path::Path, name: &str, args: &[&str]) -> Vec<u8> {
    let out = dir.join(name);
    let mut all = vec!["testdata"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = discreet(&all);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::read(out).unwrap()
}

#[test]
fn permits_csv_is_deterministic_with_the_permits_header() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["--kind", "permits", "--rows", "3000", "--seed", "11"];
    let a = generate(tmp.path(), "a.csv", &args);
    let b = generate(tmp.path(), "b.csv", &args);
    assert_eq!(a, b, "same seed, same bytes");
    let c = generate(
        tmp.path(),
        "c.csv",
        &["--kind", "permits", "--rows", "3000", "--seed", "12"],
    );
    assert_ne!(a, c, "different seed, different bytes");

    let text = String::from_utf8(a).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(PERMITS_HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3000);
    assert_eq!(rows[0][0], "TR0000000001");
    assert_eq!(rows[0][1], "PN0000000001");
    // Study permits have a study level, work permits none; some people hold
    // several permits.
    for r in &rows {
        assert_eq!(r.len(), 7);
        assert_eq!(r[3] == "study", !r[4].is_empty(), "{r:?}");
    }
    let persons: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[1]).collect();
    assert!(
        persons.len() < rows.len() * 9 / 10,
        "{} persons",
        persons.len()
    );

    // Parquet works too.
    let p = generate(tmp.path(), "p.parquet", &args);
    assert!(p.starts_with(b"PAR1") && p.ends_with(b"PAR1"));
}

#[test]
fn kind_defaults_to_admissions_and_is_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let default = generate(tmp.path(), "d.csv", &["--rows", "10", "--seed", "1"]);
    let explicit = generate(
        tmp.path(),
        "e.csv",
        &["--kind", "admissions", "--rows", "10", "--seed", "1"],
    );
    assert_eq!(default, explicit);
    assert!(default.starts_with(b"record_id,admission_date,"));

    let out = tmp.path().join("x.csv");
    let o = discreet([
        "testdata",
        "--kind",
        "visas",
        "--rows",
        "10",
        "--seed",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("permits"), "{}", stderr(&o));
    assert!(!out.exists());
}
