//! `discreet run --series`, `discreet series` and `discreet audit` of a
//! series folder, through the binary: four quarters of 2024 from
//! microdata where late records revise the months still preliminary, the
//! fourth adding a country × province breakdown of the first quarter (final
//! in both), refused under the plain rule and repaired under a safe one; a
//! breakdown that pins cells only with the earlier quarters, refused; a
//! quarter whose microdata change a final month; a series folder edited by
//! hand; and the bad inputs a series refuses.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The quarters: release name, last month, last final month, published.
const QUARTERS: [(&str, &str, &str, &str); 4] = [
    ("2024q1", "2024-03", "2024-02", "2024-05-15"),
    ("2024q2", "2024-06", "2024-05", "2024-08-15"),
    ("2024q3", "2024-09", "2024-08", "2024-11-15"),
    ("2024q4", "2024-12", "2024-11", "2025-02-15"),
];

/// The fourth quarter's new table: country × province for the first
/// quarter of 2024 only.
const PROVINCE_TABLE: &str = r#"
[dimensions.province]
column = "province"
label = { en = "Province", fr = "Province" }

[dimensions.first_quarter]
column = "admission_date"
label = { en = "Quarter of admission", fr = "Trimestre d’admission" }
calendar = { finest = "quarter", first = "2024-01", last = "2024-03" }

[[tables]]
name = "pr_citizenship_province"
input = "admissions"
dimensions = ["country", "province", "first_quarter"]
title = { en = "Permanent residents by country of citizenship and province, first quarter of 2024", fr = "Résidents permanents selon le pays de citoyenneté et la province, premier trimestre de 2024" }
description = { en = "Admissions by country of citizenship and province of destination.", fr = "Admissions selon le pays de citoyenneté et la province de destination." }
"#;

/// The spec of quarter `q` (0-based) under rule `kind`, written into `dir`.
fn spec(dir: &Path, q: usize, kind: &str, final_through: Option<&str>) -> PathBuf {
    let (name, last, fin, published) = QUARTERS[q];
    let fin = final_through.unwrap_or(fin);
    let mut t = std::fs::read_to_string(pipeline("pr_citizenship_month.toml")).unwrap();
    for (from, to) in [
        (
            "name = \"pr-citizenship-month\"",
            format!("name = \"{name}\""),
        ),
        (
            "first = \"2023-01\", last = \"2025-12\"",
            format!("first = \"2024-01\", last = \"{last}\""),
        ),
        (
            "published = \"2026-02-15\"\n",
            format!("published = \"{published}\"\nfinal_through = \"{fin}\"\n"),
        ),
        (
            "issue = { en = \"2025 Q4\", fr = \"T4 2025\" }",
            format!("issue = {{ en = \"{name}\", fr = \"{name}\" }}"),
        ),
        ("kind = \"ircc\"", format!("kind = \"{kind}\"")),
    ] {
        assert!(t.contains(from), "the bundled spec changed: {from}");
        t = t.replace(from, &to);
    }
    if q == 3 {
        t.push_str(PROVINCE_TABLE);
    }
    let p = dir.join(format!("{name}-{kind}.toml"));
    std::fs::write(&p, t).unwrap();
    p
}

/// How the test extracts place people: Andorra's four admissions of the
/// first quarter (two in January, two in February) by province, and how
/// many of India's thirty January admissions are in Quebec (the rest, and
/// every later month's, are in Ontario).
#[derive(Clone, Copy)]
struct Places {
    andorra: [&'static str; 4],
    india_quebec: usize,
}

/// Andorra in two provinces, India partly in Quebec: the fourth quarter's
/// breakdown narrows Andorra's Quebec count by itself (Quebec's total less
/// India's), which hiding India's Quebec cell repairs.
const TWO_PROVINCES: Places = Places {
    andorra: ["ON", "ON", "QC", "QC"],
    india_quebec: 5,
};

/// Andorra in four provinces: the fourth quarter's breakdown pins each to
/// 1 once its total is known to be at most 4, which the earlier quarters'
/// rounded totals tell (all admissions less India's).
const FOUR_PROVINCES: Places = Places {
    andorra: ["ON", "QC", "BC", "AB"],
    india_quebec: 0,
};

/// The extract of quarter `q`: Andorra's four admissions and 30 from India
/// in every month up to the quarter's end, placed as `places` says, and 3
/// late records from India for the quarter's last month, which arrive only
/// with the next quarter's extract (that month is preliminary when first
/// published). `extra_january` adds records to January, a month declared
/// final.
fn extract(dir: &Path, q: usize, extra_january: usize, places: Places) -> PathBuf {
    let days = ["2024-01-10", "2024-01-11", "2024-02-10", "2024-02-11"];
    let mut rows: Vec<String> = (days.iter().zip(places.andorra))
        .enumerate()
        .map(|(i, (d, p))| format!("A{i},{d},AND,{p},FSW,30,F"))
        .collect();
    let months = (q + 1) * 3;
    for m in 1..=months {
        let late = if m % 3 == 0 && m < months { 3 } else { 0 };
        let extra = if m == 1 { extra_january } else { 0 };
        for i in 0..30 + late + extra {
            let quebec = m == 1 && i < places.india_quebec;
            let p = if quebec { "QC" } else { "ON" };
            rows.push(format!("I{m}-{i},2024-{m:02}-15,IND,{p},FSW,30,M"));
        }
    }
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let name = format!(
        "q{}-{extra_january}-{}-{}.csv",
        q + 1,
        places.andorra.join(""),
        places.india_quebec
    );
    write_admissions(dir, &name, &refs)
}

fn run_series(spec: &Path, input: &Path, series: &Path) -> std::process::Output {
    let arg = format!("admissions={}", input.display());
    discreet([
        "run".as_ref(),
        spec.as_os_str(),
        "--input".as_ref(),
        arg.as_ref(),
        "--series".as_ref(),
        series.as_os_str(),
    ])
}

/// Runs the first `n` quarters under `kind` into `series`, each expected
/// to be written.
fn quarters(tmp: &Path, series: &Path, kind: &str, n: usize, places: Places) {
    for q in 0..n {
        let o = run_series(
            &spec(tmp, q, kind, None),
            &extract(tmp, q, 0, places),
            series,
        );
        assert_eq!(
            code(&o),
            0,
            "quarter {}: {}",
            q + 1,
            stderr(&o)
                .lines()
                .filter(|l| !l.ends_with(")"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn ledger(series: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(series.join("ledger.json")).unwrap()).unwrap()
}

/// The four-quarter series: under the plain IRCC rule the fourth quarter
/// is refused with the pinned Andorran provinces named, nothing written;
/// under `ircc-repaired` it is written, and the audit of the whole series
/// is clean. Revisions and preliminary months show in the releases.
#[test]
fn four_quarters_with_a_new_breakdown() {
    let tmp = tempfile::tempdir().unwrap();

    let plain = tmp.path().join("plain");
    quarters(tmp.path(), &plain, "ircc", 3, TWO_PROVINCES);
    let before = std::fs::read(plain.join("ledger.json")).unwrap();
    let q4 = extract(tmp.path(), 3, 0, TWO_PROVINCES);
    let o = run_series(&spec(tmp.path(), 3, "ircc", None), &q4, &plain);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(
        err.contains("read together with the earlier releases"),
        "{err}"
    );
    assert!(
        err.contains("pr_citizenship_province:country=AND,province=QC,first_quarter=2024-Q1"),
        "{err}"
    );
    assert!(!plain.join("2024q4").exists());
    assert_eq!(std::fs::read(plain.join("ledger.json")).unwrap(), before);
    assert_eq!(files(&plain), ["2024q1", "2024q2", "2024q3", "ledger.json"]);

    let safe = tmp.path().join("safe");
    quarters(tmp.path(), &safe, "ircc-repaired", 4, TWO_PROVINCES);
    let l = ledger(&safe);
    let entries = l["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[3]["release"], "2024q4");
    assert_eq!(
        entries[3]["previous_entry_sha256"],
        entries[2]["entry_sha256"]
    );
    let o = discreet(["series".as_ref(), safe.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = discreet(["audit".as_ref(), safe.as_os_str()]);
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("previous3/pr_citizenship_month"), "{err}");

    // Late March records: March was preliminary in the first quarter and
    // shows another value in the second; January, final, does not.
    let revisions = read_csv(&safe.join("2024q2/revisions.csv"));
    let row = |cell: &str| {
        revisions
            .iter()
            .find(|r| r["cell"] == cell)
            .unwrap_or_else(|| panic!("{cell} not in revisions.csv"))
            .clone()
    };
    let march = row("country=IND,period=2024-03");
    assert_eq!(
        (march["previous"].as_str(), march["shown"].as_str()),
        ("30", "35")
    );
    assert_eq!(march["revised"], "yes");
    assert_eq!(march["previous_release"], "2024q1");
    assert_eq!(row("country=IND,period=2024-01")["revised"], "no");
    assert!(!safe.join("2024q1/revisions.csv").exists());

    // One dataset: every quarter's package names the series' dataset and
    // lists the resources of every quarter so far.
    let package = |q: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(safe.join(q).join("package.json")).unwrap()).unwrap()
    };
    let (p1, p4) = (package("2024q1"), package("2024q4"));
    assert_eq!(p1["id"], p4["id"]);
    assert_eq!(p4["id"], l["dataset_id"]);
    let urls: Vec<&str> = (p4["resources"].as_array().unwrap().iter())
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    for q in ["2024q1", "2024q2", "2024q3", "2024q4"] {
        assert!(
            urls.iter()
                .any(|u| u.ends_with(&format!("/{q}/pr_citizenship_month.csv"))),
            "{q} missing from {urls:?}"
        );
    }
    assert!(urls
        .iter()
        .any(|u| u.ends_with("/2024q4/pr_citizenship_province.csv")));

    // Verify recomputes a quarter with the quarters before it.
    let input = format!("admissions={}", q4.display());
    let o = discreet([
        "verify".as_ref(),
        safe.join("2024q4").as_os_str(),
        "--input".as_ref(),
        input.as_ref(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// A breakdown that pins cells only when read with the earlier quarters:
/// under `ircc-repaired` the fourth quarter alone audits clean (its `--`
/// may hide any count), but the third quarter's rounded totals bound
/// Andorra's first quarter by 4, so its four provinces are each 1. Hiding
/// more of the fourth quarter cannot help (what pins them is published
/// already): the run into the series is refused, naming the cell, and
/// nothing is written.
#[test]
fn a_breakdown_pinned_only_with_earlier_quarters_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let series = tmp.path().join("series");
    quarters(tmp.path(), &series, "ircc-repaired", 3, FOUR_PROVINCES);
    let q4_spec = spec(tmp.path(), 3, "ircc-repaired", None);
    let q4 = extract(tmp.path(), 3, 0, FOUR_PROVINCES);

    let alone = tmp.path().join("alone");
    let o = run(&q4_spec, &q4, &alone);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = discreet(["audit".as_ref(), alone.as_os_str()]);
    assert_eq!(code(&o), 0, "alone, the quarter is clean: {}", stderr(&o));
    let json = tmp.path().join("together.json");
    let o = discreet([
        "audit".as_ref(),
        alone.as_os_str(),
        "--previous".as_ref(),
        series.join("2024q3").as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    for p in ["ON", "QC", "BC", "AB"] {
        let f = (doc["findings"].as_array().unwrap().iter())
            .find(|f| {
                f["table"] == "pr_citizenship_province"
                    && f["cell"]["country"] == "AND"
                    && f["cell"]["province"] == p
                    && f["cell"]["first_quarter"] == "2024-Q1"
            })
            .unwrap_or_else(|| panic!("AND {p} not found"));
        assert_eq!((f["lo"].as_u64(), f["hi"].as_u64()), (Some(1), Some(1)));
    }

    let before = std::fs::read(series.join("ledger.json")).unwrap();
    let o = run_series(&q4_spec, &q4, &series);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(
        err.contains("cannot be protected by hiding more of its own cells"),
        "{err}"
    );
    assert!(err.contains("country=AND"), "{err}");
    assert!(!series.join("2024q4").exists());
    assert_eq!(std::fs::read(series.join("ledger.json")).unwrap(), before);
}

/// A quarter whose microdata add records to January, which the first
/// quarter declared final: refused, the cells named with both shown
/// values, nothing written.
#[test]
fn a_changed_final_month_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let series = tmp.path().join("series");
    quarters(tmp.path(), &series, "ircc", 1, FOUR_PROVINCES);
    let o = run_series(
        &spec(tmp.path(), 1, "ircc", None),
        &extract(tmp.path(), 1, 5, FOUR_PROVINCES),
        &series,
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains(
            "pr_citizenship_month:country=IND,period=2024-01: shown 30 as final in 2024q1, 35 now"
        ),
        "{err}"
    );
    assert!(!series.join("2024q2").exists());
    assert_eq!(ledger(&series)["entries"].as_array().unwrap().len(), 1);
}

/// One byte of an earlier quarter's table and one ledger entry edited by
/// hand: `discreet series` names both and exits 1; a run into the folder
/// is refused.
#[test]
fn an_edited_series_is_detected() {
    let tmp = tempfile::tempdir().unwrap();
    let series = tmp.path().join("series");
    quarters(tmp.path(), &series, "ircc", 2, FOUR_PROVINCES);

    let table = series.join("2024q1/pr_citizenship_month.csv");
    let mut bytes = std::fs::read(&table).unwrap();
    let last = bytes.len() - 3;
    bytes[last] = if bytes[last] == b'5' { b'0' } else { b'5' };
    std::fs::write(&table, bytes).unwrap();
    let mut l = ledger(&series);
    l["entries"][1]["published"] = "2024-08-16".into();
    std::fs::write(
        series.join("ledger.json"),
        serde_json::to_vec_pretty(&l).unwrap(),
    )
    .unwrap();

    let o = discreet(["series".as_ref(), series.as_os_str()]);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("2024q1/pr_citizenship_month.csv"), "{err}");
    assert!(err.contains("entry 2 (`2024q2`): edited"), "{err}");

    let o = run_series(
        &spec(tmp.path(), 2, "ircc", None),
        &extract(tmp.path(), 2, 0, FOUR_PROVINCES),
        &series,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!series.join("2024q3").exists());
}

/// What a series refuses before any work, each with exit 2, a message
/// naming the problem and nothing written: a release already in the
/// ledger, a final month going back, a published dimension dropped, a
/// ledger entry removed.
#[test]
fn a_series_refuses_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let series = tmp.path().join("series");
    quarters(tmp.path(), &series, "ircc", 2, FOUR_PROVINCES);
    let ledger_before = std::fs::read(series.join("ledger.json")).unwrap();
    let refused = |spec: &Path, expect: &str| {
        let o = run_series(spec, &extract(tmp.path(), 2, 0, FOUR_PROVINCES), &series);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{expect}: {err}");
        assert!(err.contains(expect), "expected `{expect}`: {err}");
        assert_eq!(files(&series), ["2024q1", "2024q2", "ledger.json"]);
        assert_eq!(
            std::fs::read(series.join("ledger.json")).unwrap(),
            ledger_before
        );
    };

    refused(
        &spec(tmp.path(), 1, "ircc", None),
        "release `2024q2` is already in the ledger",
    );
    refused(
        &spec(tmp.path(), 2, "ircc", Some("2024-04")),
        "release.final_through `2024-04` goes back: release `2024q2` declared 2024-05 final",
    );
    let dropped = spec(tmp.path(), 2, "ircc", None);
    let text = std::fs::read_to_string(&dropped).unwrap().replace(
        "dimensions = [\"country\", \"period\"]",
        "dimensions = [\"period\"]",
    );
    std::fs::write(&dropped, text).unwrap();
    refused(
        &dropped,
        "table `pr_citizenship_month` no longer has dimension `country`",
    );

    let mut l = ledger(&series);
    l["entries"].as_array_mut().unwrap().remove(0);
    std::fs::write(
        series.join("ledger.json"),
        serde_json::to_vec_pretty(&l).unwrap(),
    )
    .unwrap();
    let o = run_series(
        &spec(tmp.path(), 2, "ircc", None),
        &extract(tmp.path(), 2, 0, FOUR_PROVINCES),
        &series,
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(err.contains("the chain is broken before it"), "{err}");
    assert!(
        err.contains("2024q1: a release folder the ledger does not list"),
        "{err}"
    );
    assert!(!series.join("2024q3").exists());
}
