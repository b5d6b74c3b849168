//! The page from a hand-made report: every cell and finding is there,
//! codes are escaped, both languages are present, and the same report
//! gives the same bytes.

use std::collections::BTreeMap;

use discreet_audit::Interval;
use discreet_core::{TieRule, ZeroDisplay};
use discreet_report::{
    render, AuditTotals, CellRef, FindingReport, RelationReport, RelationWord, ReleaseInfo, Report,
    TableReport,
};
use discreet_spec::Method;
use discreet_structure::{DimensionDoc, DimensionKind, NodeDoc, RuleDoc};

/// A dimension whose last code is the total of the others.
fn dim(name: &str, codes: &[&str]) -> DimensionDoc {
    let total = codes[codes.len() - 1];
    DimensionDoc {
        name: name.into(),
        source_column: name.into(),
        en: format!("{name} (en)"),
        fr: format!("{name} (fr)"),
        kind: DimensionKind::Codes,
        nodes: codes
            .iter()
            .map(|&c| NodeDoc {
                children: if c == total {
                    codes[..codes.len() - 1]
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                } else {
                    vec![]
                },
                code: c.to_string(),
                en: format!("{c} en"),
                fr: format!("{c} fr"),
                level: "l".into(),
                parent: (c != total).then(|| total.to_string()),
            })
            .collect(),
    }
}

fn cell(codes: [&str; 2], shown: &str, domain: Interval, interval: Interval) -> CellRef {
    CellRef {
        table: "t".into(),
        cell: vec![("a".into(), codes[0].into()), ("b".into(), codes[1].into())],
        shown: shown.into(),
        domain,
        interval,
    }
}

/// A 3 x 3 table (two codes and a total on each side) in which the cell
/// (x<y, p), shown `--`, is pinned to 1 by its row: the row's total is
/// pinned to 1 and its other part is shown 0.
fn report() -> Report {
    let shown: Vec<String> = ["--", "0", "--", "5", "10", "15", "5", "10", "15"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let dash = Interval::new(1, 4);
    let finding = FindingReport {
        cell_index: 0,
        cell: cell(["x<y", "p"], "--", dash, Interval::exact(1)),
        kind: "disclosed",
        relations: vec![RelationReport {
            kind: RelationWord::Sum,
            total: cell(["x<y", "T"], "--", dash, Interval::exact(1)),
            parts: vec![
                cell(["x<y", "p"], "--", dash, Interval::exact(1)),
                cell(["x<y", "q"], "0", Interval::exact(0), Interval::exact(0)),
            ],
            more_parts: 0,
            implied: Interval::exact(1),
            gives: (true, true),
        }],
        from_several: false,
    };
    Report {
        releases: vec![ReleaseInfo {
            name: "rel".into(),
            published: Some("2026-02-15".into()),
            tool_version: Some("0.1.0".into()),
            rule: RuleDoc {
                kind: Method::Ircc,
                rounding_base: 5,
                suppress: [1, 4],
                tie: TieRule::Up,
                zero: ZeroDisplay::Zero,
            },
            final_through: None,
            files: vec![],
            other_problems: vec!["extra.txt: not listed in the manifest".into()],
        }],
        audit: AuditTotals {
            cells: 9,
            relations: 6,
            disclosed: 1,
            ..Default::default()
        },
        tables: vec![TableReport {
            label: "t".into(),
            release: 0,
            dims: vec![dim("a", &["x<y", "z", "T"]), dim("b", &["p", "q", "T"])],
            sizes: vec![3, 3],
            shown,
            finding_of: BTreeMap::from([(0, 0)]),
            by_status: [1, 2, 6],
            loss: None,
            findings: vec![finding],
        }],
    }
}

#[test]
fn the_page_holds_every_cell_and_finding() {
    let page = render(&report());
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Nine cells, one outlined as disclosed, with its interval.
    assert_eq!(page.matches("<rect ").count(), 9);
    assert_eq!(page.matches("class=\"h fd\"").count(), 1);
    assert!(page.contains("<title>x&lt;y · p: -- → [1, 1]</title>"));
    // Codes are escaped everywhere.
    assert!(!page.contains("x<y"));
    assert!(page.contains("<tr><td>x&lt;y · p</td><td class=\"n\">--</td><td>[1, 1]</td>"));
    // The relation: the row total, this cell and its sibling.
    assert!(page.contains("<b>T</b> (-- [1, 1]) = <b><span class=\"en\">this cell</span>"));
    assert!(page.contains("+ <b>q</b> (0 [0, 0])"));
    // Both languages, the verdict and the manifest's problem.
    assert!(page.contains("<span class=\"en\">disclosed</span><span class=\"fr\">divulguée</span>"));
    assert!(page.contains("1 disclosed, 0 narrowed, 0 inconsistent"));
    assert!(page.contains("extra.txt: not listed in the manifest"));
    assert!(page.contains("1 problems with the manifest"));
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    assert_eq!(render(&report()), render(&report()));
}
