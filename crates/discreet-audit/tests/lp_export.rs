//! The LP text of a hand-built system, exactly.

use discreet_audit::{write_lp, Interval, SystemBuilder};

#[test]
fn tiny_system_exact_text() {
    let mut b = SystemBuilder::new();
    let months: Vec<_> = (0..3).map(|_| b.add_var(Interval::new(1, 4))).collect();
    let q = b.add_var(Interval::new(5, 7));
    let zero = b.add_var(Interval::exact(0));
    let open = b.add_var(Interval::at_least(3));
    b.add_additive(q, &months).unwrap();
    b.add_distinct(open, &[q, zero]).unwrap();
    let sys = b.build();
    let mut text = String::new();
    write_lp(&sys, &mut text, |v| {
        (v == 3).then(|| "quarter\nline".to_string())
    })
    .unwrap();
    let expected = "\
\\ discreet audit system: 6 unknowns (x<i>: published cell i), 2 relations (1 additive, 1 distinct)
\\ bounds: what each shown value allows; r<k>: relation k (additive: total = sum of parts;
\\ distinct: total <= sum of parts, and r<k>_<j>: part j <= total). Set the objective to the cell to bound.
\\ x3 quarter line
Minimize
 obj: 0 x0
Subject To
 r0: x3 - x0 - x1 - x2 = 0
 r1: x5 - x3 - x4 <= 0
 r1_0: x3 - x5 <= 0
 r1_1: x4 - x5 <= 0
Bounds
 1 <= x0 <= 4
 1 <= x1 <= 4
 1 <= x2 <= 4
 5 <= x3 <= 7
 x4 = 0
 x5 >= 3
General
 x0 x1 x2 x3 x4 x5
End
";
    assert_eq!(text, expected);
}

#[test]
fn long_rows_are_wrapped_and_many_vars_listed() {
    let mut b = SystemBuilder::new();
    let parts: Vec<_> = (0..20).map(|_| b.add_var(Interval::new(0, 9))).collect();
    let t = b.add_var(Interval::at_least(0));
    b.add_additive(t, &parts).unwrap();
    let mut text = String::new();
    write_lp(&b.build(), &mut text, |_| None).unwrap();
    assert!(
        text.lines()
            .filter(|l| !l.starts_with('\\'))
            .all(|l| l.len() < 80),
        "{text}"
    );
    assert!(text.contains(" r0: x20 - x0 - x1 - x2 - x3 - x4 - x5 - x6\n  - x7 - x8"));
    assert!(text.contains("\nGeneral\n x0 x1 x2 x3 x4 x5 x6 x7 x8 x9\n x10 "));
    assert!(text.contains(" x18 x19\n x20\nEnd\n"));
    assert!(text.contains("\n x20 >= 0\n"));
}

#[test]
fn empty_system() {
    let sys = SystemBuilder::new().build();
    let mut text = String::new();
    write_lp(&sys, &mut text, |_| None).unwrap();
    assert!(
        text.ends_with("Minimize\n obj:\nSubject To\nBounds\nEnd\n"),
        "{text}"
    );
}
