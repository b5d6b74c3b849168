//! testdata -> run every bundled pipeline -> verify -> rule holds -> same
//! bytes on a second run; plus a hand-computed release.

mod common;

use std::path::{Path, PathBuf};

use common::*;

#[test]
fn bundled_pipelines_run_verify_and_reproduce() {
    let tmp = tempfile::tempdir().unwrap();
    let admissions = testdata(tmp.path(), "admissions.csv", 30_000, 11);
    let permits = tmp.path().join("permits.csv");
    let o = discreet([
        "testdata",
        "--kind",
        "permits",
        "--rows",
        "30000",
        "--seed",
        "11",
        "--out",
        permits.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let specs = pipelines();
    assert!(specs.len() >= 5);
    for spec in &specs {
        let stem = spec.file_stem().unwrap().to_string_lossy().into_owned();
        // Permanent-resident pipelines read admissions, permit-holder ones permits.
        let (name, input) = if stem.starts_with("tr_") {
            ("permits", &permits)
        } else {
            ("admissions", &admissions)
        };
        let a = tmp.path().join(format!("{stem}-a"));
        let b = tmp.path().join(format!("{stem}-b"));
        let o = run_named(spec, name, input, &a);
        assert_eq!(code(&o), 0, "{stem}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("suppressed"),
            "summary names suppressed cells"
        );

        let v = verify_named(&a, name, input);
        assert_eq!(code(&v), 0, "{stem}: {}", stderr(&v));
        assert!(stderr(&v).contains("clean"));

        // Every published count is 0, -- or a multiple of 5.
        let names = files(&a);
        for f in names.iter().filter(|f| {
            f.ends_with(".csv")
                && !f.ends_with("-dictionary.csv")
                && !f.ends_with("_ircc.csv")
                && !f.starts_with("codes-")
        }) {
            let rows = read_csv(&a.join(f));
            assert!(!rows.is_empty());
            let mut suppressed = 0;
            for r in &rows {
                let c = &r["count"];
                if c == "--" {
                    suppressed += 1;
                } else {
                    let n: u64 = c.parse().unwrap_or_else(|_| panic!("{f}: count `{c}`"));
                    assert_eq!(n % 5, 0, "{f}: count {n}");
                }
            }
            assert!(suppressed > 0, "{f}: a realistic table has small cells");
        }
        for required in [
            "datapackage.json",
            "manifest.json",
            "package.json",
            "structure.json",
            "spec.toml",
        ] {
            assert!(names.contains(&required.to_string()), "{stem}: {required}");
        }

        let o = run_named(spec, name, input, &b);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(names, files(&b));
        for f in &names {
            assert!(
                std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
                "{stem}: {f} differs between runs"
            );
        }
    }
}

/// A hand-computed release: counts chosen to hit every branch of the rule.
#[test]
fn known_answer_release() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    let mut id = 0;
    let mut add = |n: usize, date: &str, country: &str, rows: &mut Vec<String>| {
        for _ in 0..n {
            id += 1;
            rows.push(format!("R{id},{date},{country},ON,FSW,30,F"));
        }
    };
    // AFG: Jan 2024 = 3 (--), Feb 2024 = 7 (5), Mar 2024 = 13 (15): Q1 = 23 (25).
    add(3, "2024-01-15", "AFG", &mut rows);
    add(7, "2024-02-01", "AFG", &mut rows);
    add(13, "2024-03-31", "AFG", &mut rows);
    // IND: Jan 2024 = 12 (10), outside the period (2026) = 4, not counted.
    add(12, "2024-01-02", "IND", &mut rows);
    add(4, "2026-01-02", "IND", &mut rows);
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let input = write_admissions(tmp.path(), "hand.csv", &refs);
    let out = tmp.path().join("rel");
    let o = run(&pipeline("pr_citizenship_month.toml"), &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let table = read_csv(&out.join("pr_citizenship_month.csv"));
    let cell = |country: &str, period: &str| -> String {
        table
            .iter()
            .find(|r| r["country"] == country && r["period"] == period)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(cell("AFG", "2024-01"), "--");
    assert_eq!(cell("AFG", "2024-02"), "5");
    assert_eq!(cell("AFG", "2024-03"), "15");
    assert_eq!(cell("AFG", "2024-Q1"), "25");
    assert_eq!(cell("AFG", "2024"), "25");
    assert_eq!(cell("AFG", "2023-01"), "0");
    assert_eq!(cell("IND", "2024-01"), "10");
    assert_eq!(cell("IND", "TOTAL"), "10");
    // Jan 2024, all countries: 3 + 12 = 15.
    assert_eq!(cell("TOTAL", "2024-01"), "15");
    // Grand total 35 (the 2026 rows are outside the period).
    assert_eq!(cell("TOTAL", "TOTAL"), "35");
    let jan = table
        .iter()
        .find(|r| r["country"] == "AFG" && r["period"] == "2024-01")
        .unwrap();
    assert_eq!(jan["period_level"], "month");
    assert_eq!(jan["period_fr"], "2024 janv.");
    assert_eq!(jan["country_en"], "Afghanistan");
    // Every country x every period is published, margins included.
    let countries = 1 + discreet_spec_country_count();
    assert_eq!(table.len(), countries * (36 + 12 + 3 + 1));

    // The CSV is RFC 4180 with CRLF line ends; the summary has no true counts.
    let raw = std::fs::read_to_string(out.join("pr_citizenship_month.csv")).unwrap();
    assert!(raw.starts_with("country,country_level,country_en,country_fr,period,period_level,period_en,period_fr,count\r\n"));
    assert_eq!(code(&verify(&out, &input)), 0);
}

fn discreet_spec_country_count() -> usize {
    std::fs::read_to_string(root().join("schemas/codelists/countries.csv"))
        .unwrap()
        .lines()
        .count()
        - 1
}

#[test]
fn metadata_files_are_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "a.csv", 5_000, 3);
    let out = tmp.path().join("rel");
    let o = run(&pipeline("pr_province_category_month.toml"), &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out.join(f)).unwrap()).unwrap()
    };

    let manifest = read("manifest.json");
    let listed: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let mut on_disk = files(&out);
    on_disk.retain(|f| f != "manifest.json");
    let mut l = listed.clone();
    l.sort();
    assert_eq!(l, on_disk);
    assert_eq!(manifest["rule"]["rounding_base"], 5);
    assert_eq!(manifest["inputs"][0]["file"], "a.csv");
    assert_eq!(manifest["inputs"][0]["sha256"].as_str().unwrap().len(), 64);

    let pkg = read("package.json");
    assert_eq!(pkg["license_id"], "ca-ogl-lgo");
    assert_eq!(pkg["owner_org"], "cic");
    assert_eq!(pkg["imso_approval"], "false");
    assert!(pkg.get("portal_release_date").is_none());
    assert!(pkg["notes_translated"]["en"]
        .as_str()
        .unwrap()
        .contains("all values between 0 and 5 are shown as \"--\""));
    assert!(pkg["notes_translated"]["fr"]
        .as_str()
        .unwrap()
        .contains("« -- »"));
    assert_eq!(pkg["time_period_coverage_start"], "2023-01-01");
    assert_eq!(pkg["time_period_coverage_end"], "2025-12-31");
    for r in pkg["resources"].as_array().unwrap() {
        let url = r["url"].as_str().unwrap();
        let file = url.rsplit('/').next().unwrap();
        let bytes = std::fs::metadata(out.join(file)).unwrap().len();
        assert_eq!(r["size"].as_u64().unwrap(), bytes, "{file}");
        assert!(r["hash"].as_str().unwrap().starts_with("sha256:"));
        let expected_format = if file.ends_with(".parquet") {
            "other"
        } else if file.ends_with(".xlsx") {
            "XLSX"
        } else if file.ends_with(".csv") {
            "CSV"
        } else {
            "JSON"
        };
        assert_eq!(r["format"], expected_format, "{file}");
    }

    let dp = read("datapackage.json");
    let res = &dp["resources"][0];
    assert_eq!(res["schema"]["missingValues"][0], "--");
    assert_eq!(res["path"], "pr_province_category_month.csv");

    let st = read("structure.json");
    let dims = st["tables"][0]["dimensions"].as_array().unwrap();
    assert_eq!(dims.len(), 3);
    let cat = dims.iter().find(|d| d["name"] == "category").unwrap();
    let eco = cat["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == "ECO")
        .unwrap();
    assert_eq!(eco["parent"], "TOTAL");
    assert!(eco["children"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "FSW"));
    // 14 provinces + total, 20 categories + 4 classes + total, 52 periods.
    assert_eq!(st["tables"][0]["cells"], 15 * 25 * 52);
}

/// The same microdata as CSV or Parquet (dates as Parquet dates, ages as
/// integers) gives the same tables in every bundled admissions pipeline,
/// and the published Parquet files declare their text as plain `string`.
#[test]
fn parquet_input_gives_the_same_tables() {
    use polars::prelude::ArrowDataType;
    let tmp = tempfile::tempdir().unwrap();
    let csv = testdata(tmp.path(), "a.csv", 4_000, 9);
    let parquet = testdata(tmp.path(), "a.parquet", 4_000, 9);
    for name in [
        "pr_age_gender_year",
        "pr_citizenship_month",
        "pr_province_category_month",
    ] {
        let spec = pipeline(&format!("{name}.toml"));
        let a = tmp.path().join(format!("{name}-from-csv"));
        let b = tmp.path().join(format!("{name}-from-parquet"));
        let o = run(&spec, &csv, &a);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let o = run(&spec, &parquet, &b);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_same_tables(&a, &b, name, "CSV and Parquet input:");
        assert_eq!(code(&verify(&b, &parquet)), 0);
        let mut file = std::fs::File::open(b.join(format!("{name}.parquet"))).unwrap();
        let declared = discreet_parquet::declared_arrow_schema(&mut file)
            .unwrap()
            .unwrap();
        for field in declared.iter_values() {
            assert!(
                !matches!(
                    field.dtype,
                    ArrowDataType::Utf8View | ArrowDataType::LargeUtf8
                ),
                "{name}: column `{}` declared {:?}",
                field.name,
                field.dtype
            );
        }
        assert_eq!(declared.get("status").unwrap().dtype, ArrowDataType::Utf8);
    }
}

/// Non-default rule parameters go through run, verify and audit: base 10
/// with a declared tie rule, zero shown as `--`, suppression 1..9.
#[test]
fn other_rule_parameters_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "a.csv", 6_000, 21);
    let text = std::fs::read_to_string(pipeline("pr_age_gender_year.toml")).unwrap();
    let text = text
        .replace("rounding_base = 5", "rounding_base = 10\ntie = \"even\"")
        .replace("suppress = [1, 4]", "suppress = [1, 9]")
        .replace("zero = \"0\"", "zero = \"--\"");
    let spec = tmp.path().join("base10.toml");
    std::fs::write(&spec, text).unwrap();
    let out = tmp.path().join("rel");
    let o = run(&spec, &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = read_csv(&out.join("pr_age_gender_year.csv"));
    assert!(rows
        .iter()
        .all(|r| r["count"] == "--" || r["count"].parse::<u64>().unwrap() % 10 == 0));
    assert!(
        rows.iter().all(|r| r["count"] != "0"),
        "zero is shown as --"
    );
    assert_eq!(code(&verify(&out, &input)), 0);
    let st: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("structure.json")).unwrap()).unwrap();
    assert_eq!(st["rule"]["tie"], "even");
    let pkg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("package.json")).unwrap()).unwrap();
    assert!(pkg["notes_translated"]["en"]
        .as_str()
        .unwrap()
        .contains("between 0 and 10"));
    let a = discreet(["audit".as_ref(), out.as_os_str()]);
    assert!(code(&a) == 0 || code(&a) == 1, "{}", stderr(&a));
}

/// A spec for pre-aggregated admissions: one row per combination with a
/// `count` column.
fn aggregated_spec(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(pipeline("pr_age_gender_year.toml")).unwrap();
    let text = text
        .replace(
            "record_id = { type = \"string\", unique = true }\n",
            "count = { type = \"integer\" }\n",
        )
        .replace(
            "format = \"csv\"\n",
            "format = \"csv\"\ncount_column = \"count\"\n",
        );
    let spec = dir.join("aggregated.toml");
    std::fs::write(&spec, text).unwrap();
    spec
}

fn write_aggregated(dir: &Path, rows: &[&str]) -> PathBuf {
    let p = dir.join("agg.csv");
    let mut s = String::from(
        "count,admission_date,country_of_citizenship,province,immigration_category,age,gender\n",
    );
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    std::fs::write(&p, s).unwrap();
    p
}

/// Pre-aggregated rows give exactly the tables of the same microdata one
/// row per admission.
#[test]
fn pre_aggregated_input_gives_the_same_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let agg = write_aggregated(
        tmp.path(),
        &[
            "7,2024-01-15,AFG,ON,FSW,30,F",
            "3,2024-06-15,AFG,ON,FSW,30,F",
            "0,2025-01-15,IND,QC,CEC,70,M",
            "12,2025-02-15,IND,QC,CEC,70,M",
        ],
    );
    let mut expanded = Vec::new();
    for (n, rest) in [
        (7, "2024-01-15,AFG,ON,FSW,30,F"),
        (3, "2024-06-15,AFG,ON,FSW,30,F"),
        (12, "2025-02-15,IND,QC,CEC,70,M"),
    ] {
        for i in 0..n {
            expanded.push(format!("R{n}-{i},{rest}"));
        }
    }
    let refs: Vec<&str> = expanded.iter().map(String::as_str).collect();
    let rows = write_admissions(tmp.path(), "rows.csv", &refs);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let o = run(&aggregated_spec(tmp.path()), &agg, &a);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&pipeline("pr_age_gender_year.toml"), &rows, &b);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let table = |d: &Path| std::fs::read(d.join("pr_age_gender_year.csv")).unwrap();
    assert!(table(&a) == table(&b));
    let t = read_csv(&a.join("pr_age_gender_year.csv"));
    let cell = |age: &str, g: &str, y: &str| {
        t.iter()
            .find(|r| r["age_group"] == age && r["gender"] == g && r["year"] == y)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(cell("25-34", "F", "2024"), "10");
    assert_eq!(cell("65+", "M", "2025"), "10");
    assert_eq!(cell("TOTAL", "TOTAL", "TOTAL"), "20");
    assert_eq!(code(&verify(&a, &agg)), 0);
}

#[test]
fn negative_count_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let agg = write_aggregated(
        tmp.path(),
        &[
            "7,2024-01-15,AFG,ON,FSW,30,F",
            "-2,2024-06-15,AFG,ON,FSW,30,F",
        ],
    );
    let out = tmp.path().join("rel");
    let o = run(&aggregated_spec(tmp.path()), &agg, &out);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    for m in ["agg.csv", "line 3", "column `count`", "negative count"] {
        assert!(err.contains(m), "expected `{m}` in {err}");
    }
    assert!(!out.exists());
}

/// Tenths of a percent from a `"12.3"` figure.
fn tenths(v: &serde_json::Value) -> u64 {
    let (a, b) = v.as_str().unwrap().split_once('.').unwrap();
    a.parse::<u64>().unwrap() * 10 + b.parse::<u64>().unwrap()
}

/// `manifest.json` bounds each table's information loss from the shown
/// values alone, and the exact figures of the run summary (from true
/// counts) lie within those bounds, with and without secondary suppression.
#[test]
fn manifest_information_loss_bounds_hold_the_exact_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "a.csv", 20_000, 12);
    let text = std::fs::read_to_string(pipeline("pr_citizenship_month.toml")).unwrap();
    for kind in ["ircc", "threshold"] {
        let spec = tmp.path().join(format!("{kind}.toml"));
        let mut t = text.replace("kind = \"ircc\"", &format!("kind = \"{kind}\""));
        if kind == "threshold" {
            t = t.replace("rounding_base = 5\n", "");
        }
        std::fs::write(&spec, t).unwrap();
        let out = tmp.path().join(kind);
        let o = discreet([
            "run".as_ref(),
            spec.as_os_str(),
            "--input".as_ref(),
            format!("admissions={}", input.display()).as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--log".as_ref(),
            "json".as_ref(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let summary: serde_json::Value = stderr(&o)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|v| v["event"] == "release_written")
            .expect("a release_written event");
        let exact = &summary["tables"][0]["information_loss"];
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let public = &manifest["tables"][0]["information_loss"];

        assert_eq!(public["cells_hidden"], exact["cells_hidden"], "{kind}");
        assert!(exact["cells_hidden"].as_u64().unwrap() > 0, "{kind}");
        let share = tenths(&exact["hidden_share_of_total_percent"]);
        let (lo, hi) = (
            tenths(&public["hidden_share_of_total_percent"]["at_least"]),
            tenths(&public["hidden_share_of_total_percent"]["at_most"]),
        );
        assert!(
            lo <= share && share <= hi,
            "{kind}: {share} outside {lo}..{hi}"
        );
        assert!(lo < hi, "{kind}: a hidden share pinned by the manifest");
        let change = &exact["mean_absolute_rounding_change"];
        let (whole, _) = change.as_str().unwrap().split_once('.').unwrap();
        let bound = public["rounding_change_per_cell_at_most"].as_u64().unwrap();
        assert!(
            whole.parse::<u64>().unwrap() <= bound,
            "{kind}: {change} > {bound}"
        );
        assert_eq!(bound, if kind == "ircc" { 2 } else { 0 });
    }
}
