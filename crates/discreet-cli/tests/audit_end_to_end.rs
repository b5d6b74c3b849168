//! `discreet audit` through the binary: a planted leak is found with the
//! right interval, every reported interval holds the true count, exit codes.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

fn audit_json(dir: &Path) -> (i32, serde_json::Value, String) {
    let json = dir.with_extension("audit.json");
    let o = discreet([
        "audit".as_ref(),
        dir.as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
    ]);
    let doc = std::fs::read(&json)
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap_or(serde_json::Value::Null);
    (code(&o), doc, stderr(&o))
}

/// The DESIGN example: four months shown `--` and their year shown `--`
/// pin every month to exactly 1.
#[test]
fn four_suppressed_months_under_a_suppressed_year_are_disclosed() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, out) = design_example_release(tmp.path(), 40);
    let (c, doc, err) = audit_json(&out);
    assert_eq!(c, 1, "{err}");
    let findings = doc["findings"].as_array().unwrap();
    for month in ["2024-01", "2024-02", "2024-03", "2024-04"] {
        let f = findings
            .iter()
            .find(|f| f["cell"]["country"] == "AND" && f["cell"]["period"] == month)
            .unwrap_or_else(|| panic!("AND {month} not reported: {err}"));
        assert_eq!(f["kind"], "disclosed");
        assert_eq!((f["lo"].as_u64(), f["hi"].as_u64()), (Some(1), Some(1)));
        assert_eq!(f["shown"], "--");
    }
    assert!(
        err.contains("disclosed: pr_citizenship_month: country=AND"),
        "{err}"
    );
}

/// True counts of the citizenship table computed here, independently.
fn true_counts(input: &Path) -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    let rows = read_csv(input);
    for r in rows {
        let date = &r["admission_date"];
        let (y, m) = (&date[0..4], date[5..7].parse::<u32>().unwrap());
        if !("2023"..="2025").contains(&y) {
            continue;
        }
        let periods = [
            format!("{y}-{m:02}"),
            format!("{y}-Q{}", (m - 1) / 3 + 1),
            y.to_string(),
            "TOTAL".to_string(),
        ];
        for c in [r["country_of_citizenship"].clone(), "TOTAL".to_string()] {
            for p in &periods {
                *out.entry((c.clone(), p.clone())).or_insert(0) += 1;
            }
        }
    }
    out
}

/// Soundness through the binary: every interval the audit reports holds
/// the true count, on realistic synthetic data where the rule leaks.
#[test]
fn reported_intervals_hold_the_true_counts() {
    let tmp = tempfile::tempdir().unwrap();
    for seed in [1, 2, 3] {
        let input = testdata(tmp.path(), &format!("a{seed}.csv"), 6_000, seed);
        let out = tmp.path().join(format!("rel{seed}"));
        assert_eq!(
            code(&run(&pipeline("pr_citizenship_month.toml"), &input, &out)),
            0
        );
        let (c, doc, err) = audit_json(&out);
        let truth = true_counts(&input);
        let findings = doc["findings"].as_array().unwrap();
        assert_eq!(c, if findings.is_empty() { 0 } else { 1 }, "{err}");
        assert!(
            !findings.is_empty(),
            "the IRCC rule alone leaks on heavy-tailed data"
        );
        for f in findings {
            let key = (
                f["cell"]["country"].as_str().unwrap().to_string(),
                f["cell"]["period"].as_str().unwrap().to_string(),
            );
            let t = truth.get(&key).copied().unwrap_or(0);
            let lo = f["lo"].as_u64().unwrap();
            let hi = f["hi"].as_u64().unwrap_or(u64::MAX);
            assert!(
                lo <= t && t <= hi,
                "{key:?}: true value outside [{lo}, {hi}]"
            );
            assert_ne!(f["kind"], "inconsistent");
        }
    }
}

#[test]
fn audit_of_a_non_release_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = discreet(["audit".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a release folder"));
}

/// A `structure.json` with a field missing or of the wrong kind is refused
/// with the file and the field named, never read as empty.
#[test]
fn a_broken_structure_names_the_file_and_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "a.csv", 2_000, 4);
    let out = tmp.path().join("rel");
    assert_eq!(
        code(&run(&pipeline("pr_age_gender_year.toml"), &input, &out)),
        0
    );
    let path = out.join("structure.json");
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    type Edit<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(Edit, &str); 4] = [
        (
            &|v| {
                v["tables"][0].as_object_mut().unwrap().remove("csv");
            },
            "missing field `csv`",
        ),
        (
            &|v| v["rule"]["rounding_base"] = "five".into(),
            "invalid type: string \"five\"",
        ),
        (
            &|v| v["rule"]["kind"] = "gauss".into(),
            "unknown rule `gauss`",
        ),
        (
            &|v| {
                let nodes = v["tables"][0]["dimensions"][0]["nodes"]
                    .as_array_mut()
                    .unwrap();
                let total = nodes.iter_mut().find(|n| n["parent"].is_null()).unwrap();
                total["children"][0] = "NOPE".into();
            },
            "has an unknown child `NOPE`",
        ),
    ];
    for (edit, expected) in cases {
        let mut v = original.clone();
        edit(&mut v);
        std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
        let o = discreet(["audit".as_ref(), out.as_os_str()]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains("structure.json: "), "{}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{expected}: {}", stderr(&o));
    }
}

#[test]
fn a_release_contradicting_its_rule_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "a.csv", 2_000, 4);
    let out = tmp.path().join("rel");
    assert_eq!(
        code(&run(&pipeline("pr_age_gender_year.toml"), &input, &out)),
        0
    );
    let csv = out.join("pr_age_gender_year.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    let (head, _) = lines[1].rsplit_once(',').unwrap();
    lines[1] = format!("{head},13");
    std::fs::write(&csv, lines.join("\r\n")).unwrap();
    let o = discreet(["audit".as_ref(), out.as_os_str()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`13` is not a value the declared rule shows"),
        "{}",
        stderr(&o)
    );
}

/// `[audit] gate = true` refuses a leaking release (exit 1, nothing
/// written) unless the findings are accepted by name, which the manifest
/// then records.
#[test]
fn audit_gate_refuses_or_records_accepted_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = [
        "R1,2024-01-10,AND,ON,FSW,30,F",
        "R2,2024-02-10,AND,ON,FSW,30,F",
        "R3,2024-03-10,AND,ON,FSW,30,F",
        "R4,2024-04-10,AND,ON,FSW,30,F",
    ];
    let input = write_admissions(tmp.path(), "in.csv", &rows);
    let text = std::fs::read_to_string(pipeline("pr_citizenship_month.toml")).unwrap();
    let gated = tmp.path().join("gated.toml");
    std::fs::write(&gated, format!("{text}\n[audit]\ngate = true\n")).unwrap();
    let out = tmp.path().join("rel");
    let o = run(&gated, &input, &out);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("audit gate refused"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pr_citizenship_month:country=AND,period=2024-01"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // Accept every finding the gate named: the release is written and the
    // manifest lists what was accepted.
    let names: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.starts_with("  pr_citizenship_month:"))
        .map(|l| l.trim().to_string())
        .collect();
    assert!(!names.is_empty() && names.len() <= 20);
    let list = names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let accepted = tmp.path().join("accepted.toml");
    std::fs::write(
        &accepted,
        format!("{text}\n[audit]\ngate = true\naccept = [{list}]\n"),
    )
    .unwrap();
    let o = run(&accepted, &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        m["audit"]["accepted"].as_array().unwrap().len(),
        names.len()
    );
    assert_eq!(m["audit"]["gate"], true);
    assert_eq!(
        code(&verify(&out, &input)),
        0,
        "verify accepts a release whose manifest records its audit"
    );
}

/// A quarterly pair: Jan 2024 is 12 admissions in the Q1 release (shown 10)
/// and revised to 13 in the Q2 release (shown 15). If both releases declare
/// Q1 final, `--previous` ties the two cells and the audit reports the
/// contradiction; if the period may be revised, the cells are separate
/// unknowns and nothing is tied.
#[test]
fn previous_release_ties_final_periods_only() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(pipeline("pr_citizenship_month.toml")).unwrap();
    let spec = |name: &str, last: &str, final_through: Option<&str>| {
        let mut t = text.replace(
            "first = \"2023-01\", last = \"2025-12\"",
            &format!("first = \"2024-01\", last = \"{last}\""),
        );
        if let Some(f) = final_through {
            t = t.replace(
                "published = \"2026-02-15\"\n",
                &format!("published = \"2026-02-15\"\nfinal_through = \"{f}\"\n"),
            );
        }
        let p = tmp.path().join(name);
        std::fs::write(&p, t).unwrap();
        p
    };
    let rows = |jan: usize| -> Vec<String> {
        let mut v: Vec<String> = (0..jan)
            .map(|i| format!("J{i},2024-01-10,AND,ON,FSW,30,F"))
            .collect();
        v.extend((0..30).map(|i| format!("M{i},2024-05-10,IND,ON,FSW,30,F")));
        v
    };
    let write = |name: &str, jan: usize| {
        let r = rows(jan);
        let refs: Vec<&str> = r.iter().map(String::as_str).collect();
        write_admissions(tmp.path(), name, &refs)
    };
    let (q1_data, q2_data) = (write("q1.csv", 12), write("q2.csv", 13));

    for (final_through, expect_inconsistent) in [(Some("2024-03"), true), (None, false)] {
        let tag = if expect_inconsistent { "final" } else { "open" };
        let q1 = tmp.path().join(format!("q1-{tag}"));
        let q2 = tmp.path().join(format!("q2-{tag}"));
        assert_eq!(
            code(&run(
                &spec(&format!("q1-{tag}.toml"), "2024-03", final_through),
                &q1_data,
                &q1
            )),
            0
        );
        assert_eq!(
            code(&run(
                &spec(&format!("q2-{tag}.toml"), "2024-06", final_through),
                &q2_data,
                &q2
            )),
            0
        );
        let jan = |dir: &Path| {
            read_csv(&dir.join("pr_citizenship_month.csv"))
                .into_iter()
                .find(|r| r["country"] == "AND" && r["period"] == "2024-01")
                .unwrap()["count"]
                .clone()
        };
        assert_eq!((jan(&q1), jan(&q2)), ("10".to_string(), "15".to_string()));

        let json = tmp.path().join(format!("{tag}.json"));
        let o = discreet([
            "audit".as_ref(),
            q2.as_os_str(),
            "--previous".as_ref(),
            q1.as_os_str(),
            "--json".as_ref(),
            json.as_os_str(),
        ]);
        let err = stderr(&o);
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        let inconsistent = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "inconsistent");
        assert_eq!(inconsistent, expect_inconsistent, "{tag}: {err}");
        assert!(doc["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "previous1/pr_citizenship_month"));
        if !expect_inconsistent {
            assert_eq!(code(&o), 0, "{err}");
        } else {
            assert_eq!(code(&o), 1, "{err}");
        }
    }
}
