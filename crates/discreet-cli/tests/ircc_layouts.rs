//! IRCC's own layouts beside the tidy files: the long CSV `NAME_ircc.csv`
//! (tab-separated, paired English/French label columns, the shown value
//! last under `TOTAL`) holds exactly the tidy CSV's shown values, and is
//! listed, hashed and verified like every other file.

mod common;

use common::*;

/// IRCC's long files, as `ODP-PR-Citz.csv` is written: the period first,
/// English then French per level (with IRCC's spelling `FR_ANNEÉ`), then
/// the country, then `TOTAL`.
const CITIZENSHIP_HEADER: &str = "EN_YEAR\tEN_QUARTER\tEN_MONTH\tFR_ANNEÉ\tFR_TRIMESTRE\tFR_MOIS\tEN_COUNTRY_OF_CITIZENSHIP\tFR_PAYS_DE_CITOYENNETÉ\tTOTAL";

/// Runs a bundled pipeline on its bundled input (with `extra` appended to
/// the spec) and returns the release folder.
fn release(tmp: &std::path::Path, name: &str, extra: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(pipeline(&format!("{name}.toml"))).unwrap();
    let text = text.replace(
        "path = \"testdata/",
        &format!("path = \"{}/testdata/", root().display()),
    );
    let spec = tmp.join(format!("{name}.toml"));
    std::fs::write(&spec, format!("{text}\n{extra}\n")).unwrap();
    let out = tmp.join(name);
    let o = discreet([
        "run".as_ref(),
        spec.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    out
}

/// Tab-separated rows of a file, CRLF line ends required.
fn tsv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(!text.starts_with('\u{feff}'), "no byte-order mark");
    assert!(text.ends_with("\r\n"));
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            assert!(!l.contains('\n') && !l.contains('"'), "no quoting: {l}");
            l.split('\t').map(str::to_string).collect()
        })
        .collect()
}

#[test]
fn the_ircc_csv_holds_the_tidy_values_in_ircc_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let out = release(tmp.path(), "pr_citizenship_month", "");
    let bytes = std::fs::read(out.join("pr_citizenship_month_ircc.csv")).unwrap();
    let rows = tsv_rows(&bytes);
    assert_eq!(rows[0].join("\t"), CITIZENSHIP_HEADER);
    let sample = root().join("../shared/reference/ircc-samples/ODP-PR-Citz.first1000rows.csv");
    if let Ok(s) = std::fs::read(&sample) {
        let first = s.split(|&b| b == b'\r').next().unwrap();
        assert_eq!(first, CITIZENSHIP_HEADER.as_bytes(), "IRCC's own header");
    }
    // The tidy rows, zeros left out as IRCC does, in the same order.
    let tidy: Vec<_> = read_csv(&out.join("pr_citizenship_month.csv"))
        .into_iter()
        .filter(|r| r["count"] != "0")
        .collect();
    assert_eq!(rows.len() - 1, tidy.len());
    for (r, t) in rows[1..].iter().zip(&tidy) {
        assert_eq!(r[8], t["count"]);
        assert_eq!((&r[6], &r[7]), (&t["country_en"], &t["country_fr"]));
        let (en, fr) = match t["period_level"].as_str() {
            "total" => ("Total\t\t".to_string(), "Total\t\t".to_string()),
            "year" => (
                format!("{}\t\t", t["period_en"]),
                format!("{}\t\t", t["period_fr"]),
            ),
            "quarter" => {
                let (y, q) = t["period_en"].split_once(' ').unwrap();
                let (_, qf) = t["period_fr"].split_once(' ').unwrap();
                (format!("{y}\t{q}\t"), format!("{y}\t{qf}\t"))
            }
            _ => {
                let (y, m) = t["period_en"].split_once(' ').unwrap();
                let (_, mf) = t["period_fr"].split_once(' ').unwrap();
                let q = (t["period"][5..7].parse::<u32>().unwrap() - 1) / 3 + 1;
                (format!("{y}\tQ{q}\t{m}"), format!("{y}\tT{q}\t{mf}"))
            }
        };
        assert_eq!(r[0..3].join("\t"), en, "{t:?}");
        assert_eq!(r[3..6].join("\t"), fr, "{t:?}");
    }
    for doc in ["datapackage.json", "package.json", "manifest.json"] {
        let text = std::fs::read_to_string(out.join(doc)).unwrap();
        assert!(text.contains("pr_citizenship_month_ircc.csv"), "{doc}");
    }
    let dp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("datapackage.json")).unwrap())
            .unwrap();
    let res = dp["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "pr_citizenship_month_ircc.csv")
        .unwrap();
    assert_eq!(res["mediatype"], "text/tab-separated-values");
    assert_eq!(res["dialect"]["delimiter"], "\t");
    let v = discreet(["verify", out.to_str().unwrap()]);
    assert_eq!(code(&v), 0, "{}", stderr(&v));
}

#[test]
fn zero_rows_are_kept_when_the_spec_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = release(
        tmp.path(),
        "pr_age_gender_year",
        "[publish]\nircc_zero_rows = true",
    );
    let rows = tsv_rows(&std::fs::read(out.join("pr_age_gender_year_ircc.csv")).unwrap());
    let tidy = read_csv(&out.join("pr_age_gender_year.csv"));
    assert_eq!(rows.len() - 1, tidy.len());
    assert_eq!(rows[0][0], "EN_YEAR");
    assert_eq!(rows[0].last().unwrap(), "TOTAL");
}

#[test]
fn a_release_without_the_ircc_csv_names_none() {
    let tmp = tempfile::tempdir().unwrap();
    let out = release(
        tmp.path(),
        "pr_age_gender_year",
        "[publish]\nformats = [\"csv\", \"parquet\"]",
    );
    assert!(!files(&out)
        .iter()
        .any(|f| f.ends_with("_ircc.csv") || f.ends_with(".xlsx")));
    for doc in ["datapackage.json", "package.json", "manifest.json"] {
        let text = std::fs::read_to_string(out.join(doc)).unwrap();
        assert!(
            !text.contains("_ircc.csv") && !text.contains(".xlsx"),
            "{doc}"
        );
    }
}
