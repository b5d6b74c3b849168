//! `discreet report` through the binary: the README's planted leak is
//! listed with its interval and the relations that prove it; no number in
//! the page is a true count; the page is the same bytes twice; writing it
//! leaves `discreet verify` clean; bad input writes nothing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use discreet_audit::{relation_bounds, Adjacency};
use discreet_pipeline::{audit_release_detail, AuditSettings, NullReporter};

/// Runs `discreet report DIR [--out FILE]`; returns the exit code, the page
/// (empty when none was written) and stderr.
fn report(dir: &Path, out: Option<&Path>) -> (i32, String, String) {
    let mut args: Vec<&std::ffi::OsStr> = vec!["report".as_ref(), dir.as_os_str()];
    if let Some(o) = out {
        args.push("--out".as_ref());
        args.push(o.as_os_str());
    }
    let o = discreet(args);
    let path = out.map_or_else(|| dir.join("report.html"), Path::to_path_buf);
    let page = std::fs::read_to_string(path).unwrap_or_default();
    (code(&o), page, stderr(&o))
}

/// The page's text: style sheet and tags removed (SVG geometry lives in
/// attributes), entities decoded.
fn page_text(html: &str) -> String {
    let mut s = html.to_string();
    while let (Some(a), Some(b)) = (s.find("<style>"), s.find("</style>")) {
        s.replace_range(a..b + "</style>".len(), " ");
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Every number of `text`: runs of letters, digits, dots and hyphens
/// with a digit and no letter (so a date `2026-02-15` or a band `0-14` is
/// one number, while codes such as `2024-Q1`, `SHA-256` or hashes are
/// words), a sentence's final dot dropped.
fn numbers(text: &str) -> BTreeSet<String> {
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    text.split(|c: char| !word(c))
        .map(|w| w.trim_matches(|c| c == '.' || c == '-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| {
            w.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        })
        .map(str::to_string)
        .collect()
}

/// A table row of the findings list whose cell is `codes`.
fn finding_row<'a>(page: &'a str, codes: &str) -> &'a str {
    let start = page
        .find(&format!("<tr><td>{codes}</td>"))
        .unwrap_or_else(|| panic!("no finding row for {codes}"));
    let end = page[start..].find("</tr>").unwrap() + start;
    &page[start..end]
}

/// The README's example: one admission from Andorra in each of January
/// to April 2024, every month, the quarter and the year shown `--`. Each
/// month is listed as disclosed, `[1, 1]`, with the relation that pins it:
/// its quarter (or year) is the sum of its months.
#[test]
fn the_planted_leak_is_listed_with_its_interval_and_relations() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, rel) = design_example_release(tmp.path(), 40);
    let (c, page, err) = report(&rel, None);
    assert_eq!(c, 0, "{err}");
    for month in ["2024-01", "2024-02", "2024-03"] {
        let row = finding_row(&page, &format!("AND · {month}"));
        assert!(
            row.contains("<td class=\"n\">--</td><td>[1, 1]</td>"),
            "{row}"
        );
        assert!(row.contains("disclosed"), "{row}");
        // The first quarter, shown `--`, is pinned to 3 by its three
        // months: 3 - 1 - 1 leaves exactly 1 for each.
        assert!(
            row.contains("<b>2024-Q1</b> (-- [3, 3]) = <b><span class=\"en\">this cell</span>"),
            "{row}"
        );
        assert!(row.contains("gives both bounds"), "{row}");
        assert!(row.contains(": [1, 1]</i>"), "{row}");
    }
    // April is Andorra's only admission of the second quarter: the
    // quarter, pinned to 1 (the year, 4, less the first quarter, 3), is
    // April and two months shown 0.
    let april = finding_row(&page, "AND · 2024-04");
    assert!(april.contains("<td>[1, 1]</td>"), "{april}");
    assert!(
        april.contains("<b>2024-Q2</b> (-- [1, 1]) = <b><span class=\"en\">this cell</span><span class=\"fr\">cette cellule</span></b> (-- [1, 1]) + <b>2024-05</b> (0 [0, 0]) + <b>2024-06</b> (0 [0, 0])"),
        "{april}"
    );
    // A relation over all countries lists twelve of them and counts the rest.
    assert!(april.contains("188 more parts"), "{april}");
    // The heat map marks the cell and says what an outsider proves.
    assert!(page.contains("class=\"h fd\"><title>AND · 2024-01: -- → [1, 1]</title>"));
    // The summary's verdict.
    assert!(page.contains("<span class=\"bad\"><span class=\"en\">"));
}

/// Every number in the page's text is a shown value, a bound worked out
/// from shown values (by the audit, or by one relation from the audit's
/// intervals), a count of cells, a date, a figure the release's manifest
/// states, or a number inside a code or label of the release's structure:
/// never a true count the release does not give away.
#[test]
fn no_number_in_the_page_is_a_true_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, design) = design_example_release(tmp.path(), 43);
    let input = testdata(tmp.path(), "a.csv", 3_000, 11);
    let age = tmp.path().join("age");
    assert_eq!(
        code(&run(&pipeline("pr_age_gender_year.toml"), &input, &age)),
        0
    );
    for rel in [design, age] {
        let (c, page, err) = report(&rel, None);
        assert_eq!(c, 0, "{err}");
        let allowed = allowed_numbers(&rel);
        let found = numbers(&page_text(&page));
        let stray: Vec<&String> = found.difference(&allowed).collect();
        assert!(
            stray.is_empty(),
            "{}: numbers from nowhere: {stray:?}",
            rel.display()
        );
        // The check has teeth: the page does hold numbers, and a number
        // that is none of those above is caught.
        assert!(found.len() > 20);
        assert!(!allowed.contains("987654321"));
    }
}

/// What the page may say, worked out from the release folder alone.
fn allowed_numbers(rel: &Path) -> BTreeSet<String> {
    let mut ok = BTreeSet::new();
    let mut add = |n: u64| {
        ok.insert(n.to_string());
    };
    let audit =
        audit_release_detail(rel, &[], &AuditSettings::default(), None, &mut NullReporter).unwrap();
    let adjacency = Adjacency::new(&audit.system);
    for v in 0..audit.system.n_vars() as u32 {
        for i in [
            audit.system.domains()[v as usize],
            audit.intervals[v as usize],
        ]
        .into_iter()
        .chain(
            relation_bounds(&audit.system, &adjacency, &audit.intervals, v)
                .into_iter()
                .map(|b| b.implied),
        ) {
            add(i.lo);
            i.hi.map(&mut add);
        }
    }
    // Counts of cells, relations, files and findings.
    let r = &audit.report;
    for n in [r.cells, r.relations, r.findings.len()] {
        add(n as u64);
    }
    for t in &r.tables {
        for n in [t.cells, t.disclosed, t.narrowed, t.inconsistent] {
            add(n as u64);
        }
    }
    for t in &audit.tables {
        for s in &t.shown {
            if let Ok(n) = s.parse() {
                add(n);
            }
        }
        let mut by_status = [0u64; 3];
        for s in &t.shown {
            by_status[match s.as_str() {
                "0" => 0,
                "--" => 1,
                _ => 2,
            }] += 1;
        }
        by_status.into_iter().for_each(&mut add);
        // "k more parts": a relation's parts beyond those listed.
        for dim in &t.layout.children {
            for kids in dim {
                for k in 0..=discreet_report::PARTS_LISTED {
                    add(kids.len().saturating_sub(k) as u64);
                }
            }
        }
    }
    let settings = r.settings;
    add(settings.protect_below.unwrap());
    add(settings.min_width.unwrap());
    // Numbers the manifest and the structure state (dates, information
    // loss, the tool version, codes and labels such as `2024-Q1`).
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(rel.join("manifest.json")).unwrap()).unwrap();
    add(manifest["files"].as_array().unwrap().len() as u64);
    let mut texts = Vec::new();
    texts.push(manifest["published"].to_string());
    texts.push(manifest["tool"]["version"].to_string());
    for t in manifest["tables"].as_array().unwrap() {
        texts.push(t["information_loss"].to_string());
    }
    texts.push(std::fs::read_to_string(rel.join("structure.json")).unwrap());
    for t in texts {
        ok.extend(numbers(&t));
    }
    ok
}

/// The same release gives the same bytes; the page, in the release folder
/// by default, leaves `discreet verify` clean, and `--out` writes elsewhere.
#[test]
fn same_release_same_page_and_verify_stays_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, rel) = design_example_release(tmp.path(), 40);
    let (c, first, err) = report(&rel, None);
    assert_eq!(c, 0, "{err}");
    let other: PathBuf = tmp.path().join("elsewhere.html");
    let (c, second, err) = report(&rel, Some(&other));
    assert_eq!(c, 0, "{err}");
    assert_eq!(first, second);
    assert!(first.starts_with("<!DOCTYPE html>"));
    // Self-contained: nothing is fetched.
    for external in ["http://", "https://", "<script", "<link", "@import", "url("] {
        let outside_svg_namespace = first.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!outside_svg_namespace.contains(external), "{external}");
    }
    assert!(files(&rel).contains(&"report.html".to_string()));
    let o = verify(&rel, &input);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Any other stray file is still caught.
    std::fs::write(rel.join("notes.html"), "x").unwrap();
    let o = verify(&rel, &input);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.html: not listed in the manifest"));
}

/// A folder that is not a release: exit 2, the folder named, no page.
#[test]
fn a_non_release_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r.html");
    let (c, page, err) = report(tmp.path(), Some(&out));
    assert_eq!(c, 2);
    assert!(err.contains("not a release folder"), "{err}");
    assert!(page.is_empty() && !out.exists());
    assert!(!tmp.path().join("report.html").exists());
}

/// `--previous` adds the earlier release: its name, its manifest check and
/// its tables, labelled as in `discreet audit`.
#[test]
fn an_earlier_release_is_reported_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, rel) = design_example_release(tmp.path(), 40);
    let earlier = tmp.path().join("earlier");
    let input = testdata(tmp.path(), "a.csv", 1_000, 3);
    assert_eq!(
        code(&run(&pipeline("pr_age_gender_year.toml"), &input, &earlier)),
        0
    );
    let out = tmp.path().join("r.html");
    let o = discreet([
        "report".as_ref(),
        rel.as_os_str(),
        "--previous".as_ref(),
        earlier.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("Earlier release audited with it</span>"));
    assert!(page.contains("<code>pr-age-gender-year</code>"));
    assert!(page.contains("id=\"t-previous1/pr_age_gender_year\""));
    assert!(!rel.join("report.html").exists());
}
