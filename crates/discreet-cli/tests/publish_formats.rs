//! `[publish] formats`: a release written as CSV only holds no Parquet file
//! and names none, verifies and audits like any other; by default a release
//! holds all four forms; IRCC's layouts can go without Parquet; a list
//! without the tidy CSV, with a format twice or with an unknown format is
//! refused.

mod common;

use common::*;

/// The age × gender pipeline with `extra` appended (a `[publish]` table).
fn spec_with(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(pipeline("pr_age_gender_year.toml")).unwrap();
    let p = dir.join("spec.toml");
    std::fs::write(&p, format!("{text}\n{extra}\n")).unwrap();
    p
}

#[test]
fn a_csv_only_release_has_no_parquet_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "in.csv", 3_000, 7);
    let spec = spec_with(tmp.path(), "[publish]\nformats = [\"csv\"]");
    let out = tmp.path().join("release");
    let o = run(&spec, &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let written = files(&out);
    assert!(
        written.iter().all(|f| !f.ends_with(".parquet")),
        "{written:?}"
    );
    assert!(written.contains(&"pr_age_gender_year.csv".to_string()));
    for doc in [
        "structure.json",
        "datapackage.json",
        "package.json",
        "manifest.json",
    ] {
        let text = std::fs::read_to_string(out.join(doc)).unwrap();
        assert!(!text.contains(".parquet"), "{doc} names a Parquet file");
    }
    let v = verify(&out, &input);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
    let a = discreet(["audit", out.to_str().unwrap()]);
    assert!(code(&a) <= 1, "{}", stderr(&a));
}

#[test]
fn the_default_release_has_all_four_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "in.csv", 2_000, 8);
    let out = tmp.path().join("release");
    let o = run(&pipeline("pr_age_gender_year.toml"), &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let written = files(&out);
    for f in [
        "pr_age_gender_year.csv",
        "pr_age_gender_year.parquet",
        "EN_pr_age_gender_year.xlsx",
        "FR_pr_age_gender_year.xlsx",
        "pr_age_gender_year_ircc.csv",
    ] {
        assert!(written.contains(&f.to_string()), "{f} missing: {written:?}");
    }
}

#[test]
fn ircc_layouts_without_parquet_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "in.csv", 2_000, 9);
    let spec = spec_with(
        tmp.path(),
        "[publish]\nformats = [\"csv\", \"xlsx\", \"ircc_csv\"]",
    );
    let out = tmp.path().join("release");
    let o = run(&spec, &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let written = files(&out);
    assert!(
        !written.iter().any(|f| f.ends_with(".parquet")),
        "{written:?}"
    );
    assert!(written.contains(&"EN_pr_age_gender_year.xlsx".to_string()));
    assert!(written.contains(&"pr_age_gender_year_ircc.csv".to_string()));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("FR_pr_age_gender_year.xlsx"));
    let v = verify(&out, &input);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
}

#[test]
fn bad_format_lists_are_refused_with_the_key() {
    for (extra, expect) in [
        ("[publish]\nformats = [\"parquet\"]", "holds \"csv\""),
        ("[publish]\nformats = [\"csv\", \"csv\"]", "listed twice"),
        ("[publish]\nformats = [\"csv\", \"ods\"]", "ods"),
        ("[publish]\nformat = [\"csv\"]", "format"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let spec = spec_with(tmp.path(), extra);
        let o = discreet(["check", spec.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{extra}: {err}");
        assert!(err.contains("publish.format"), "{extra}: {err}");
        assert!(
            err.contains(expect),
            "{extra}: expected `{expect}` in {err}"
        );
        let input = testdata(tmp.path(), "in.csv", 100, 1);
        let out = tmp.path().join("release");
        assert_eq!(code(&run(&spec, &input, &out)), 2);
        assert!(!out.exists(), "a refused spec left a release");
    }
}
