//! `verify` catches a tampered value, file, hash, or the wrong microdata.

mod common;

use common::*;

fn release() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let input = testdata(tmp.path(), "a.csv", 8_000, 5);
    let out = tmp.path().join("rel");
    let o = run(&pipeline("pr_age_gender_year.toml"), &input, &out);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&verify(&out, &input)), 0);
    (tmp, input, out)
}

fn edit(path: &std::path::Path, f: impl Fn(String) -> String) {
    let s = std::fs::read_to_string(path).unwrap();
    let t = f(s.clone());
    assert_ne!(s, t, "the edit changed nothing");
    std::fs::write(path, t).unwrap();
}

#[test]
fn one_tampered_value_is_named() {
    let (_t, input, out) = release();
    let csv = out.join("pr_age_gender_year.csv");
    // Change the value of the first row of the 25-34 band.
    edit(&csv, |s| {
        let mut lines: Vec<String> = s.split("\r\n").map(str::to_string).collect();
        let i = lines.iter().position(|l| l.starts_with("25-34,")).unwrap();
        let (head, value) = lines[i].rsplit_once(',').unwrap();
        let new = if value == "--" {
            "5".to_string()
        } else {
            (value.parse::<u64>().unwrap() + 5).to_string()
        };
        lines[i] = format!("{head},{new}");
        lines.join("\r\n")
    });
    let o = verify(&out, &input);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(err.contains("age_group=25-34"), "{err}");
    assert!(err.contains("the rule gives"), "{err}");
    assert!(err.contains("SHA-256"), "{err}");
}

#[test]
fn an_invalid_shown_value_is_named() {
    let (_t, input, out) = release();
    let csv = out.join("pr_age_gender_year.csv");
    edit(&csv, |s| {
        let mut lines: Vec<String> = s.split("\r\n").map(str::to_string).collect();
        let (head, _) = lines[1].rsplit_once(',').unwrap();
        lines[1] = format!("{head},13");
        lines.join("\r\n")
    });
    let o = verify(&out, &input);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("is not a shown value"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_tampered_hash_is_caught() {
    let (_t, input, out) = release();
    let m = out.join("manifest.json");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    let sha = doc["files"][0]["sha256"].as_str().unwrap().to_string();
    edit(&m, |s| s.replacen(&sha, &"0".repeat(64), 1));
    let o = verify(&out, &input);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("SHA-256 or size differs"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_tampered_metadata_file_is_caught() {
    let (_t, input, out) = release();
    edit(&out.join("structure.json"), |s| {
        s.replacen("\"additive\"", "\"distinct\"", 1)
    });
    let o = verify(&out, &input);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("structure.json"), "{err}");
}

#[test]
fn a_missing_or_extra_file_is_caught() {
    let (_t, input, out) = release();
    std::fs::remove_file(out.join("pr_age_gender_year.parquet")).unwrap();
    std::fs::write(out.join("notes.txt"), "hello").unwrap();
    let o = verify(&out, &input);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("pr_age_gender_year.parquet: listed in the manifest but missing"),
        "{err}"
    );
    assert!(
        err.contains("notes.txt: not listed in the manifest"),
        "{err}"
    );
}

#[test]
fn other_microdata_is_caught() {
    let (t, _input, out) = release();
    let other = testdata(t.path(), "b.csv", 8_000, 6);
    let o = verify(&out, &other);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("differs (SHA-256)"), "{}", stderr(&o));
}

#[test]
fn not_a_release_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = discreet(["verify".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a release folder"));
}

#[test]
fn json_report() {
    let (t, input, out) = release();
    let report = t.path().join("report.json");
    let o = discreet([
        "verify".as_ref(),
        out.as_os_str(),
        "--input".as_ref(),
        format!("admissions={}", input.display()).as_ref(),
        "--json".as_ref(),
        report.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["clean"], true);
    assert!(doc["cells_checked"].as_u64().unwrap() > 0);
}
