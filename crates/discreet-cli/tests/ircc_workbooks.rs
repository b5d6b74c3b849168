//! IRCC's workbooks `EN_NAME.xlsx` and `FR_NAME.xlsx`, read back by a
//! reader of their own: every value cell holds exactly the tidy CSV's shown
//! value for the same codes (numbers as numbers, `--` as text), under
//! headers, labels, title and notes in the workbook's language; no formula,
//! external link or hidden sheet; the same bytes every run; IRCC's own
//! band order and note wording.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::ooxml::{self, Cell};
use common::*;

/// Runs a bundled pipeline in place on its bundled input.
fn bundled_release(tmp: &Path, spec: &Path) -> PathBuf {
    let out = tmp.join(spec.file_stem().unwrap());
    let o = discreet([
        "run".as_ref(),
        spec.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}: {}", spec.display(), stderr(&o));
    out
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The rows of the value block of a workbook: the cells holding a number or
/// `--`, which must fill a rectangle; returns its top-left corner and the
/// cells by (row, column) offset inside it.
fn value_block(cells: &BTreeMap<(u32, u32), Cell>) -> ((u32, u32), BTreeMap<(u32, u32), Cell>) {
    let shown: Vec<_> = cells
        .iter()
        .filter(|(_, c)| matches!(c, Cell::Number(_)) || c.text() == "--")
        .collect();
    let r0 = shown.iter().map(|((r, _), _)| *r).min().unwrap();
    let c0 = shown.iter().map(|((_, c), _)| *c).min().unwrap();
    let block = shown
        .into_iter()
        .map(|(&(r, c), v)| ((r - r0, c - c0), v.clone()))
        .collect();
    ((r0, c0), block)
}

/// What a table's structure entry says the test needs: dimension names,
/// which is the calendar, and each one's label in both languages.
struct TableInfo {
    dims: Vec<String>,
    calendar: Option<usize>,
    labels: Vec<(String, String)>,
    count: String,
    distinct: bool,
}

fn table_info(t: &serde_json::Value) -> TableInfo {
    let dims = t["dimensions"].as_array().unwrap();
    TableInfo {
        dims: dims
            .iter()
            .map(|d| d["name"].as_str().unwrap().into())
            .collect(),
        calendar: dims.iter().position(|d| d["kind"] == "calendar"),
        labels: dims
            .iter()
            .map(|d| {
                (
                    d["en"].as_str().unwrap().into(),
                    d["fr"].as_str().unwrap().into(),
                )
            })
            .collect(),
        count: t["count_column"].as_str().unwrap().into(),
        distinct: t["margins"] != "additive",
    }
}

/// Checks one workbook against the tidy rows of its table.
fn check_workbook(
    path: &Path,
    tidy: &[BTreeMap<String, String>],
    info: &TableInfo,
    title: &str,
    fr: bool,
) {
    let cells = ooxml::read_cells(path);
    let lang = if fr { "fr" } else { "en" };
    let across = info.calendar.unwrap_or(info.dims.len() - 1);
    let down: Vec<usize> = (0..info.dims.len()).filter(|&d| d != across).collect();
    // Each dimension's codes in the tidy CSV's order (publication order).
    let orders: Vec<Vec<&str>> = info
        .dims
        .iter()
        .map(|d| {
            let mut seen = BTreeSet::new();
            tidy.iter()
                .map(|r| r[d].as_str())
                .filter(|c| seen.insert(*c))
                .collect()
        })
        .collect();
    let pos = |d: usize, code: &str| orders[d].iter().position(|c| *c == code).unwrap() as u32;
    let ((r0, c0), block) = value_block(&cells);
    let name = path.display();
    assert_eq!(
        block.len(),
        tidy.len(),
        "{name}: one value cell per tidy row"
    );
    for row in tidy {
        let r = down.iter().fold(0u32, |acc, &d| {
            acc * orders[d].len() as u32 + pos(d, &row[&info.dims[d]])
        });
        let c = pos(across, &row[&info.dims[across]]);
        let shown = &row[&info.count];
        let expect = if shown == "--" {
            Cell::Text("--".into())
        } else {
            Cell::Number(shown.parse().unwrap())
        };
        assert_eq!(block.get(&(r, c)), Some(&expect), "{name}: {row:?}");
        // The column's lowest header text names the period (or says Total).
        let head = (3..r0)
            .rev()
            .find_map(|hr| cells.get(&(hr, c0 + c)).map(|h| h.text().to_string()))
            .unwrap_or_default();
        let label = &row[&format!("{}_{lang}", info.dims[across])];
        assert!(
            label.ends_with(&head) || head.contains("Total"),
            "{name}: column header {head:?} for {label:?}"
        );
        // The row's label cells name the innermost code that is not a total.
        let labels: Vec<&str> = (1..=c0)
            .filter_map(|lc| cells.get(&(r0 + r, lc - 1)).map(Cell::text))
            .collect();
        let inner = down
            .iter()
            .rev()
            .find(|&&d| row[&format!("{}_level", info.dims[d])] != "total");
        let want = match inner {
            Some(&d) => row[&format!("{}_{lang}", info.dims[d])].clone(),
            None => "Total".to_string(),
        };
        assert!(
            labels.iter().any(|l| l.contains(want.as_str())),
            "{name}: row labels {labels:?} lack {want:?}"
        );
    }
    // Title, the dimension heading, the notes, in the workbook's language.
    assert_eq!(cells[&(1, 0)].text(), title, "{name}");
    let heading = cells[&(3, 0)].text();
    for &d in &down {
        let (en, frl) = &info.labels[d];
        assert!(
            heading.contains(if fr { frl } else { en }),
            "{name}: {heading}"
        );
    }
    let after: Vec<&str> = cells
        .range((r0 + block.keys().map(|k| k.0).max().unwrap() + 1, 0)..)
        .map(|(_, c)| c.text())
        .collect();
    let (notes, rule, source, distinct) = if fr {
        (
            "Remarques :",
            "— Veuillez noter que toutes les valeurs entre",
            "Source : IRCC, 15 février 2026",
            "Le nombre total de titulaires uniques",
        )
    } else {
        (
            "Notes:",
            "— Please note that all values between",
            "Source: IRCC, February 15, 2026",
            "Total unique counts may not equal",
        )
    };
    assert_eq!(after.first(), Some(&notes), "{name}: {after:?}");
    assert!(after[1].starts_with(rule), "{name}: {after:?}");
    assert_eq!(after.last(), Some(&source), "{name}: {after:?}");
    assert_eq!(
        after.iter().any(|l| l.contains(distinct)),
        info.distinct,
        "{name}: the distinct-count note"
    );
}

/// The portal resource of a file of the release.
fn resource<'a>(package: &'a serde_json::Value, file: &str) -> &'a serde_json::Value {
    (package["resources"].as_array().unwrap().iter())
        .find(|r| r["url"].as_str().unwrap().ends_with(&format!("/{file}")))
        .unwrap()
}

#[test]
fn every_bundled_workbook_shows_the_tidy_values() {
    let tmp = tempfile::tempdir().unwrap();
    for spec in pipelines() {
        let out = bundled_release(tmp.path(), &spec);
        let structure = json(&out.join("structure.json"));
        let package = json(&out.join("package.json"));
        for t in structure["tables"].as_array().unwrap() {
            let info = table_info(t);
            let table = t["name"].as_str().unwrap();
            let csv = format!("{table}.csv");
            let tidy = read_csv(&out.join(&csv));
            let res = resource(&package, &csv);
            for (lang, fr) in [("en", false), ("fr", true)] {
                let title = res["name_translated"][lang].as_str().unwrap();
                let title = title.strip_suffix(" (CSV)").unwrap();
                let file = format!("{}_{table}.xlsx", lang.to_uppercase());
                check_workbook(&out.join(&file), &tidy, &info, title, fr);
                let pres = resource(&package, &file);
                assert_eq!(pres["format"], "XLSX");
                assert_eq!(pres["language"], serde_json::json!([lang]));
            }
        }
        let v = discreet(["verify", out.to_str().unwrap()]);
        assert_eq!(code(&v), 0, "{}", stderr(&v));
    }
}

/// No formula, no external link or relationship, no hidden sheet, and
/// every zip entry dated 1980-01-01 00:00.
#[test]
fn workbooks_hold_no_formula_link_or_hidden_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bundled_release(tmp.path(), &pipeline("pr_province_category_month.toml"));
    let books: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.ends_with(".xlsx"))
        .collect();
    assert_eq!(books.len(), 2, "{books:?}");
    for book in books {
        let entries = ooxml::unzip(&std::fs::read(out.join(&book)).unwrap());
        assert!(ooxml::part(&entries, "xl/workbook.xml").is_some());
        for e in &entries {
            assert_eq!((e.dos_date, e.dos_time), (0x21, 0), "{book}: {}", e.name);
            assert!(!e.name.contains("externalLink"), "{book}: {}", e.name);
            let text = std::str::from_utf8(&e.data).unwrap();
            assert!(
                !text.contains("<f>") && !text.contains("<f "),
                "{book}: formula in {}",
                e.name
            );
            assert!(
                !text.contains("TargetMode=\"External\""),
                "{book}: {}",
                e.name
            );
            assert!(
                !text.contains("state=\"hidden\"") && !text.contains("veryHidden"),
                "{book}: {}",
                e.name
            );
        }
        let cells = ooxml::sheet_cells(&entries);
        assert!(cells.values().any(|(c, _)| matches!(c, Cell::Number(_))));
    }
}

#[test]
fn workbooks_are_the_same_bytes_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = pipeline("pr_citizenship_month.toml");
    let a = bundled_release(&tmp.path().join("a"), &spec);
    let b = bundled_release(&tmp.path().join("b"), &spec);
    for f in [
        "EN_pr_citizenship_month.xlsx",
        "FR_pr_citizenship_month.xlsx",
    ] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs");
    }
}

/// The bands of one year in a header: the texts of the quarter and month
/// rows from the year's first column up to its total, each reduced to its
/// kind.
fn year_pattern(cells: &BTreeMap<(u32, u32), Cell>, year_row: u32, year: &str) -> Vec<String> {
    let start = cells
        .iter()
        .find(|((r, _), c)| *r == year_row && c.text() == year)
        .map(|((_, c), _)| *c)
        .unwrap();
    let kind = |t: &str| -> String {
        if t.ends_with("Total") {
            if t.starts_with('Q') {
                "quarter total"
            } else {
                "year total"
            }
            .into()
        } else if t.starts_with('Q') {
            "quarter".into()
        } else if t.is_empty() {
            String::new()
        } else {
            "month".into()
        }
    };
    let mut out = Vec::new();
    for col in start.. {
        let q = cells.get(&(year_row + 1, col)).map_or("", Cell::text);
        let m = cells.get(&(year_row + 2, col)).map_or("", Cell::text);
        out.push(format!("{}|{}", kind(q), kind(m)));
        if q.ends_with("Total") && q.starts_with(year) {
            break;
        }
    }
    out
}

/// The English citizenship workbook against IRCC's study permit workbook,
/// which has the same period bands: title first, the dimension heading
/// beside the year band, then quarter and month bands with each quarter's
/// total after its months and the year's total after its quarters; the
/// notes block opens with `Notes:` and IRCC's suppression sentence, and the
/// source line closes it.
#[test]
fn the_citizenship_workbook_follows_ircc_bands_and_notes() {
    let sample =
        root().join("../shared/reference/ircc-samples/EN_ODP-TR-Study-IS_PT_study_level_sign.xlsx");
    let Ok(bytes) = std::fs::read(&sample) else {
        eprintln!("IRCC sample not found at {}: skipped", sample.display());
        return;
    };
    let theirs = ooxml::sheet_cells(&ooxml::unzip(&bytes));
    let theirs: BTreeMap<_, _> = theirs.into_iter().map(|(k, (c, _))| (k, c)).collect();
    let tmp = tempfile::tempdir().unwrap();
    let out = bundled_release(tmp.path(), &pipeline("pr_citizenship_month.toml"));
    let ours = ooxml::read_cells(&out.join("EN_pr_citizenship_month.xlsx"));

    // Row 1 is the title; row 3 holds the dimension heading and the years.
    for cells in [&theirs, &ours] {
        assert!(!cells[&(1, 0)].text().is_empty());
        assert!(!cells[&(3, 0)].text().is_empty());
    }
    assert_eq!(
        year_pattern(&ours, 3, "2024"),
        year_pattern(&theirs, 3, "2016"),
        "quarter and month bands of one year"
    );
    // The first month column of a year opens both bands: Q1 over Jan.
    let first = |cells: &BTreeMap<(u32, u32), Cell>| {
        let col = (cells.iter())
            .find(|((r, _), c)| *r == 5 && c.text() == "Jan")
            .map(|((_, c), _)| *c)
            .unwrap();
        cells[&(4, col)].text().to_string()
    };
    assert_eq!(first(&ours), first(&theirs));
    // The notes: `Notes:` then the suppression sentence, the source last.
    let note_lines = |cells: &BTreeMap<(u32, u32), Cell>| -> Vec<String> {
        (cells.iter())
            .filter(|((_, c), _)| *c == 0)
            .map(|(_, v)| v.text().to_string())
            .skip_while(|t| !t.starts_with("Notes:"))
            .flat_map(|t| {
                t.split("\r\n")
                    .map(|l| l.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|l| !l.is_empty())
            .collect()
    };
    let (n_ours, n_theirs) = (note_lines(&ours), note_lines(&theirs));
    assert_eq!(n_ours[0], n_theirs[0].trim_end());
    let opening = "— Please note that all values between 0 and 5 are shown as ";
    assert!(n_ours[1].starts_with(opening) && n_theirs[1].starts_with(opening));
    let source = |l: &String| l.starts_with("Source: IRCC, ");
    assert!(source(n_ours.last().unwrap()) && source(n_theirs.last().unwrap()));
    // The table ends with the grand total's row, just above the notes.
    let last_label = |cells: &BTreeMap<(u32, u32), Cell>| {
        (cells.iter())
            .filter(|((_, c), v)| *c == 0 && !v.text().trim().is_empty())
            .map(|(_, v)| v.text().to_string())
            .take_while(|t| !t.starts_with("Notes:"))
            .last()
            .unwrap()
    };
    assert!(last_label(&theirs).starts_with("Total"));
    assert!(last_label(&ours).starts_with("Total"));
}

/// `verify` rewrites the workbooks and IRCC's long CSV and compares them
/// byte for byte: one changed bit in either is named.
#[test]
fn verify_names_a_changed_workbook_or_ircc_csv() {
    for file in ["FR_pr_age_gender_year.xlsx", "pr_age_gender_year_ircc.csv"] {
        let tmp = tempfile::tempdir().unwrap();
        let input = testdata(tmp.path(), "in.csv", 2_000, 3);
        let out = tmp.path().join("release");
        let o = run(&pipeline("pr_age_gender_year.toml"), &input, &out);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let path = out.join(file);
        let mut bytes = std::fs::read(&path).unwrap();
        // One bit of one byte in the middle of the file.
        let at = bytes.len() / 2;
        bytes[at] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        let v = verify(&out, &input);
        assert_eq!(code(&v), 1, "{file}: {}", stderr(&v));
        assert!(stderr(&v).contains(file), "{file}: {}", stderr(&v));
    }
}

/// A table longer than a worksheet (country x province x category x
/// gender x age group: more than 1,048,576 rows) is refused before any
/// microdata is read, with the way out in the message.
#[test]
fn a_table_longer_than_a_sheet_is_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(pipeline("pr_citizenship_month.toml")).unwrap();
    let long = text.replace(
        "dimensions = [\"country\", \"period\"]",
        "dimensions = [\"country\", \"province\", \"category\", \"gender\", \"age_group\", \"period\"]",
    );
    assert_ne!(long, text);
    let extra = r#"
[dimensions.province]
column = "province"
label = { en = "Province", fr = "Province" }

[dimensions.category]
column = "immigration_category"
label = { en = "Category", fr = "Catégorie" }
subtotals = true

[dimensions.gender]
column = "gender"
label = { en = "Gender", fr = "Genre" }

[dimensions.age_group]
column = "age"
label = { en = "Age group", fr = "Groupe d’âge" }
bands = [
  { code = "0-29", min = 0, max = 29, en = "0 to 29 years", fr = "0 à 29 ans" },
  { code = "30-59", min = 30, max = 59, en = "30 to 59 years", fr = "30 à 59 ans" },
  { code = "60-130", min = 60, max = 130, en = "60 years or more", fr = "60 ans ou plus" },
]
"#;
    let spec = tmp.path().join("long.toml");
    let (head, tables) = long.split_once("[[tables]]").unwrap();
    std::fs::write(&spec, format!("{head}{extra}\n[[tables]]{tables}")).unwrap();
    let out = tmp.path().join("rel");
    let missing = tmp.path().join("no-such-input.csv");
    let o = run(&spec, &missing, &out);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("table `pr_citizenship_month` would need"),
        "{err}"
    );
    assert!(err.contains("1048576 rows"), "{err}");
    assert!(err.contains("leave \"xlsx\" out"), "{err}");
    assert!(!out.exists());
}
