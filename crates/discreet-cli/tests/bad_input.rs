//! Every kind of bad input gets exit code 2, a message naming the file,
//! line, column and what was expected, and no release folder.

mod common;

use common::*;

const GOOD: &str = "R1,2024-01-15,AFG,ON,FSW,30,F";

/// Runs the citizenship pipeline on `input` and checks the failure.
fn fails(input: &std::path::Path, must_contain: &[&str]) {
    let out = input.parent().unwrap().join("release");
    let o = run(&pipeline("pr_citizenship_month.toml"), input, &out);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    for m in must_contain {
        assert!(err.contains(m), "expected `{m}` in: {err}");
    }
    assert!(!out.exists(), "a failed run left a release");
    let leftovers: Vec<String> = files(input.parent().unwrap())
        .into_iter()
        .filter(|f| f.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn with_rows(rows: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let p = write_admissions(tmp.path(), "in.csv", rows);
    (tmp, p)
}

#[test]
fn unknown_code() {
    let (_t, p) = with_rows(&[GOOD, "R2,2024-01-15,ZZZ,ON,FSW,30,F"]);
    fails(
        &p,
        &[
            "in.csv",
            "line 3",
            "column `country_of_citizenship`",
            "codelist `countries`",
            "ZZZ",
        ],
    );
}

#[test]
fn unknown_code_in_a_column_no_table_uses() {
    let (_t, p) = with_rows(&[GOOD, GOOD.replace("R1", "R2").replace(",F", ",Q").as_str()]);
    fails(&p, &["line 3", "column `gender`", "codelist `genders`"]);
}

#[test]
fn wrong_type() {
    let (_t, p) = with_rows(&[GOOD, "R2,2024-01-15,AFG,ON,FSW,thirty,F"]);
    fails(&p, &["line 3", "column `age`", "integer"]);
}

#[test]
fn negative_value_out_of_range() {
    let (_t, p) = with_rows(&[GOOD, "R2,2024-01-15,AFG,ON,FSW,-3,F"]);
    fails(&p, &["line 3", "column `age`", "from 0 to 130"]);
}

#[test]
fn bad_date() {
    let (_t, p) = with_rows(&["R0,2024-02-30,AFG,ON,FSW,30,F", GOOD]);
    fails(&p, &["line 2", "column `admission_date`", "YYYY-MM-DD"]);
}

#[test]
fn null_value() {
    let (_t, p) = with_rows(&[GOOD, "R2,2024-01-15,,ON,FSW,30,F"]);
    fails(&p, &["line 3", "column `country_of_citizenship`", "empty"]);
}

#[test]
fn null_identifier() {
    let (_t, p) = with_rows(&[GOOD, ",2024-01-15,AFG,ON,FSW,30,F"]);
    fails(&p, &["line 3", "column `record_id`", "empty"]);
}

#[test]
fn duplicate_identifier() {
    let (_t, p) = with_rows(&[GOOD, "R7,2024-01-15,AFG,ON,FSW,30,F", GOOD]);
    fails(&p, &["line 4", "column `record_id`", "repeats"]);
}

/// The same faults in a Parquet file (text columns, an empty value a
/// null): located by row, counted from 1 without a header.
#[test]
fn faults_in_a_parquet_file_are_located_by_row() {
    let cases: [(&[&str], &[&str]); 7] = [
        (
            &[GOOD, "R2,2024-01-15,ZZZ,ON,FSW,30,F"],
            &["row 2", "column `country_of_citizenship`", "ZZZ"],
        ),
        (
            &[GOOD, "R2,2024-01-15,AFG,ON,FSW,30,Q"],
            &["row 2", "column `gender`", "codelist `genders`"],
        ),
        (
            &[GOOD, "R2,2024-01-15,AFG,ON,FSW,thirty,F"],
            &["row 2", "column `age`", "integer"],
        ),
        (
            &["R0,2024-02-30,AFG,ON,FSW,30,F", GOOD],
            &["row 1", "column `admission_date`", "YYYY-MM-DD"],
        ),
        (
            &[GOOD, "R2,2024-01-15,,ON,FSW,30,F"],
            &["row 2", "column `country_of_citizenship`", "empty"],
        ),
        (
            &[GOOD, ",2024-01-15,AFG,ON,FSW,30,F"],
            &["row 2", "column `record_id`", "empty"],
        ),
        (
            &[GOOD, "R7,2024-01-15,AFG,ON,FSW,30,F", GOOD],
            &["row 3", "column `record_id`", "repeats"],
        ),
    ];
    for (rows, must_contain) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let p = write_admissions_parquet(tmp.path(), "in.parquet", rows);
        let mut must = vec!["in.parquet"];
        must.extend_from_slice(must_contain);
        fails(&p, &must);
    }
    // No rows at all.
    let tmp = tempfile::tempdir().unwrap();
    let p = write_admissions_parquet(tmp.path(), "in.parquet", &[]);
    fails(&p, &["in.parquet", "at least one data row"]);
}

/// A Parquet file with typed columns (dates as dates, ages as integers):
/// a null date or an age out of range is located by row and column, and a
/// clean typed file gives the same table as its CSV.
#[test]
fn typed_parquet_columns_are_read_and_checked() {
    use polars::prelude::DataType;
    let typed = [("admission_date", DataType::Date), ("age", DataType::Int32)];
    let cases: [(&[&str], &[&str]); 3] = [
        (
            &[GOOD, "R2,,AFG,ON,FSW,30,F"],
            &["row 2", "column `admission_date`", "empty"],
        ),
        (
            &[GOOD, "R2,2024-01-15,AFG,ON,FSW,131,F"],
            &["row 2", "column `age`"],
        ),
        (
            &[GOOD, "R2,2024-01-15,AFG,ON,FSW,-1,F"],
            &["row 2", "column `age`"],
        ),
    ];
    for (rows, must_contain) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let p = write_parquet(tmp.path(), "in.parquet", rows, &typed);
        let mut must = vec!["in.parquet"];
        must.extend_from_slice(must_contain);
        fails(&p, &must);
    }
    let rows = [
        GOOD,
        "R2,2023-12-31,IND,BC,CEC,0,M",
        "R3,2024-02-29,IND,BC,CEC,64,F",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let parquet = write_parquet(tmp.path(), "in.parquet", &rows, &typed);
    let csv = write_admissions(tmp.path(), "in.csv", &rows);
    let spec = pipeline("pr_age_gender_year.toml");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (input, out) in [(&csv, &a), (&parquet, &b)] {
        let o = run(&spec, input, out);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let table = "pr_age_gender_year.csv";
    assert_eq!(
        std::fs::read(a.join(table)).unwrap(),
        std::fs::read(b.join(table)).unwrap()
    );
}

#[test]
fn malformed_csv_wrong_field_count() {
    let (_t, p) = with_rows(&[GOOD, "R2,2024-01-15,AFG,ON,FSW,30,F,extra"]);
    fails(&p, &["in.csv", "line 3", "fields"]);
}

#[test]
fn malformed_csv_unterminated_quote() {
    let (_t, p) = with_rows(&[GOOD, "R2,\"2024-01-15,AFG,ON,FSW,30,F"]);
    let out = p.parent().unwrap().join("release");
    let o = run(&pipeline("pr_citizenship_month.toml"), &p, &out);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("in.csv"));
    assert!(!out.exists());
}

#[test]
fn empty_file() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("in.csv");
    std::fs::write(&p, "").unwrap();
    fails(&p, &["in.csv", "empty"]);
}

#[test]
fn header_only() {
    let (_t, p) = with_rows(&[]);
    fails(&p, &["in.csv", "at least one data row"]);
}

#[test]
fn missing_column() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("in.csv");
    std::fs::write(&p, "record_id,admission_date,country_of_citizenship,province,age,gender\nR1,2024-01-15,AFG,ON,30,F\n").unwrap();
    fails(&p, &["in.csv", "line 1", "column `immigration_category`"]);
}

#[test]
fn non_utf8() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("in.csv");
    let mut bytes = b"record_id,admission_date,country_of_citizenship,province,immigration_category,age,gender\nR1,2024-01-15,AFG,ON,FSW,30,F\nR2,2024-01-15,AFG,ON,FSW,30,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
    std::fs::write(&p, bytes).unwrap();
    fails(&p, &["in.csv", "line 3", "UTF-8"]);
}

/// The identifier column is only hashed, never grouped: its bytes are
/// still checked.
#[test]
fn non_utf8_identifier() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("in.csv");
    let mut bytes = b"record_id,admission_date,country_of_citizenship,province,immigration_category,age,gender\nR1,2024-01-15,AFG,ON,FSW,30,F\nR".to_vec();
    bytes.extend_from_slice(&[0xe9, b'2']);
    bytes.extend_from_slice(b",2024-01-15,AFG,ON,FSW,30,F\n");
    std::fs::write(&p, bytes).unwrap();
    fails(&p, &["in.csv", "line 3", "column `record_id`", "UTF-8"]);
}

#[test]
fn missing_file() {
    let tmp = tempfile::tempdir().unwrap();
    fails(&tmp.path().join("nope.csv"), &["nope.csv", "existing"]);
}

#[test]
fn unknown_input_name() {
    let tmp = tempfile::tempdir().unwrap();
    let o = discreet([
        "run".as_ref(),
        pipeline("pr_citizenship_month.toml").as_os_str(),
        "--input".as_ref(),
        "visitors=x.csv".as_ref(),
        "--out".as_ref(),
        tmp.path().join("r").as_os_str(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        // The library's message, worded by the CLI with the flag it came from.
        stderr(&o).contains("--input visitors=...: the spec has no input named `visitors`"),
        "{}",
        stderr(&o)
    );
}

fn spec_fails(edit: impl Fn(&str) -> String, must_contain: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(pipeline("pr_citizenship_month.toml")).unwrap();
    let spec = tmp.path().join("bad.toml");
    std::fs::write(&spec, edit(&text)).unwrap();
    let input = write_admissions(tmp.path(), "in.csv", &[GOOD]);
    let out = tmp.path().join("release");
    let o = run(&spec, &input, &out);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("bad.toml"), "{err}");
    for m in must_contain {
        assert!(err.contains(m), "expected `{m}` in: {err}");
    }
    assert!(!out.exists());
    // `check` reports the same without reading microdata.
    let c = discreet(["check".as_ref(), spec.as_os_str()]);
    assert_eq!(code(&c), 2);
}

#[test]
fn unknown_spec_key() {
    spec_fails(
        |t| t.replace("[rule]\n", "[rule]\nrounding = 5\n"),
        &["key `rule.rounding`", "unknown key"],
    );
}

#[test]
fn wrong_spec_type() {
    spec_fails(
        |t| t.replace("rounding_base = 5", "rounding_base = \"5\""),
        &["rounding_base"],
    );
}

#[test]
fn portal_metadata_rejected_names_the_field() {
    spec_fails(
        |t| t.replace("frequency = \"P3M\"", "frequency = \"quarterly\""),
        &["frequency"],
    );
    spec_fails(
        |t| {
            t.replace(
                "subject = [\"persons\", \"society_and_culture\"]",
                "subject = [\"people\"]",
            )
        },
        &["subject"],
    );
}

#[test]
fn existing_release_is_not_clobbered() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_admissions(tmp.path(), "in.csv", &[GOOD]);
    let out = tmp.path().join("release");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "x").unwrap();
    let o = run(&pipeline("pr_citizenship_month.toml"), &input, &out);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--replace"));
    assert_eq!(files(&out), ["keep.txt"]);
}
