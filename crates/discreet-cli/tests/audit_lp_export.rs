//! `discreet audit --lp-out FILE`: the audit's system in CPLEX LP format,
//! one unknown per published cell, named in a comment, with the bounds its
//! shown value allows and one row per sum; only published values in it.

mod common;

use common::*;

#[test]
fn lp_out_writes_the_audit_system() {
    let tmp = tempfile::tempdir().unwrap();
    // Four months shown `--` under a year shown `--` (the DESIGN example),
    // and a big country so that some cells are rounded.
    let (_, out) = design_example_release(tmp.path(), 43);
    let lp = tmp.path().join("audit.lp");
    let o = discreet([
        "audit".as_ref(),
        out.as_os_str(),
        "--lp-out".as_ref(),
        lp.as_os_str(),
    ]);
    // The leak is still reported: the export does not change the audit.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let text = std::fs::read_to_string(&lp).unwrap();

    // Sections in order.
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("no `{s}`"));
    assert!(pos("\nMinimize\n") < pos("\nSubject To\n"));
    assert!(pos("\nSubject To\n") < pos("\nBounds\n"));
    assert!(pos("\nBounds\n") < pos("\nGeneral\n"));
    assert!(text.ends_with("End\n"));

    // Every cell is named once, with its shown value; the names map to
    // var indices.
    let names: Vec<&str> = text.lines().filter(|l| l.starts_with("\\ x")).collect();
    let n = names.len();
    assert!(n > 100, "{n} named vars");
    for (i, l) in names.iter().enumerate() {
        assert!(
            l.starts_with(&format!("\\ x{i} pr_citizenship_month:country=")),
            "{l}"
        );
        assert!(l.contains(" shown "), "{l}");
    }
    let name_of = |code: &str| {
        let line = names
            .iter()
            .find(|l| l.contains(&format!("country=AND,period={code} shown")))
            .unwrap_or_else(|| panic!("AND {code} not named"));
        line[2..].split(' ').next().unwrap().to_string()
    };
    // A month shown `--` has the bounds 1..4; the quarter sums its months.
    let jan = name_of("2024-01");
    assert!(text.contains(&format!("\n 1 <= {jan} <= 4\n")), "{jan}");
    let feb = name_of("2024-02");
    let mar = name_of("2024-03");
    let q1 = name_of("2024-Q1");
    assert!(
        text.contains(&format!(": {q1} - {jan} - {feb} - {mar} = 0\n")),
        "no row for {q1}"
    );
    // A cell shown 0 is fixed; IND May (43, shown 45) lies in 43..47.
    let dec = name_of("2024-12");
    assert!(text.contains(&format!("\n {dec} = 0\n")), "{dec}");
    let ind_may = names
        .iter()
        .find(|l| l.contains("country=IND,period=2024-05 shown"))
        .unwrap();
    assert!(ind_may.ends_with("shown 45"), "{ind_may}");
    let ind_may = ind_may[2..].split(' ').next().unwrap();
    assert!(text.contains(&format!("\n 43 <= {ind_may} <= 47\n")));

    // An unwritable path is an error (exit 2), not a silent skip.
    let o = discreet([
        "audit".as_ref(),
        out.as_os_str(),
        "--lp-out".as_ref(),
        tmp.path().join("no/such/dir/a.lp").as_os_str(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}
