//! Worked examples with published answers: the IRCC rule as IRCC states
//! it, the audit example of the tau-Argus manual and the SDC Handbook, and
//! the leaks described in docs/design.md.

use discreet_audit::{
    audit, AuditOptions, BuildError, FindingKind, Interval, Policy, Relation, RelationKind,
    SystemBuilder,
};

fn no_lp() -> AuditOptions {
    AuditOptions {
        lp_max_block_vars: 0,
        ..AuditOptions::default()
    }
}

fn kinds_of(result: &discreet_audit::AuditResult, var: u32) -> Vec<FindingKind> {
    result
        .findings
        .iter()
        .filter(|f| f.var == var)
        .map(|f| f.kind)
        .collect()
}

/// tau-Argus manual, audit section: interior cells X11, X12 (row total 7),
/// X21, X22 (row total 3), a third row 3, 3 (total 6), column totals 9 and
/// 7, grand total 16; the four interior cells of rows 1-2 suppressed.
/// Published answer: X11 lies in [3, 6].
#[test]
fn tau_argus_suppressed_interior() {
    for options in [AuditOptions::default(), no_lp()] {
        let mut b = SystemBuilder::new();
        let free = Interval::at_least(0);
        let x11 = b.add_var(free);
        let x12 = b.add_var(free);
        let r1 = b.add_var(Interval::exact(7));
        let x21 = b.add_var(free);
        let x22 = b.add_var(free);
        let r2 = b.add_var(Interval::exact(3));
        let x31 = b.add_var(Interval::exact(3));
        let x32 = b.add_var(Interval::exact(3));
        let r3 = b.add_var(Interval::exact(6));
        let c1 = b.add_var(Interval::exact(9));
        let c2 = b.add_var(Interval::exact(7));
        let g = b.add_var(Interval::exact(16));
        b.add_additive(r1, &[x11, x12]).unwrap();
        b.add_additive(r2, &[x21, x22]).unwrap();
        b.add_additive(r3, &[x31, x32]).unwrap();
        b.add_additive(c1, &[x11, x21, x31]).unwrap();
        b.add_additive(c2, &[x12, x22, x32]).unwrap();
        b.add_additive(g, &[r1, r2, r3]).unwrap();
        b.add_additive(g, &[c1, c2]).unwrap();
        let r = audit(&b.build(), &options);
        assert_eq!(r.intervals[x11 as usize], Interval::new(3, 6));
        assert_eq!(r.intervals[x12 as usize], Interval::new(1, 4));
        assert_eq!(r.intervals[x21 as usize], Interval::new(0, 3));
        assert_eq!(r.intervals[x22 as usize], Interval::new(0, 3));
        assert_eq!(r.blocks, 1);
        assert!(r.propagation_converged);
        // Exactly published cells are not findings unless small: none here
        // is under 10 except the third row's 3s, which were published as
        // such.
        assert_eq!(kinds_of(&r, x31), vec![FindingKind::Disclosed]);
        assert!(kinds_of(&r, x11).is_empty());
    }
}

/// Every part exact but one `--`, and the total exact: subtraction pins it.
#[test]
fn subtraction_pins_the_suppressed_part() {
    let mut b = SystemBuilder::new();
    let a = b.add_var(Interval::exact(12));
    let c = b.add_var(Interval::exact(20));
    let s = b.add_var(Interval::new(1, 4));
    let t = b.add_var(Interval::exact(35));
    b.add_additive(t, &[a, c, s]).unwrap();
    let r = audit(&b.build(), &no_lp());
    assert_eq!(r.intervals[s as usize], Interval::exact(3));
    assert_eq!(kinds_of(&r, s), vec![FindingKind::Disclosed]);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
}

#[test]
fn a_shown_five_alone_is_five_to_seven() {
    let mut b = SystemBuilder::new();
    let v = b.add_var(Interval::new(5, 7));
    let r = audit(&b.build(), &AuditOptions::default());
    assert_eq!(r.intervals[v as usize], Interval::new(5, 7));
    assert!(r.is_clean());
    assert_eq!(r.blocks, 1);
    assert_eq!(r.lp_solves, 0);
}

/// Asylum claimants, Inland, Newfoundland and Labrador, 2016: four months
/// shown `--` and their year total shown `--`.
#[test]
fn ircc_asylum_months_pinned_to_one() {
    for options in [AuditOptions::default(), no_lp()] {
        let mut b = SystemBuilder::new();
        let months: Vec<u32> = (0..4).map(|_| b.add_var(Interval::new(1, 4))).collect();
        let year = b.add_var(Interval::new(1, 4));
        b.add_additive(year, &months).unwrap();
        let r = audit(&b.build(), &options);
        for &m in &months {
            assert_eq!(r.intervals[m as usize], Interval::exact(1));
            assert_eq!(kinds_of(&r, m), vec![FindingKind::Disclosed]);
        }
        assert_eq!(r.intervals[year as usize], Interval::exact(4));
        assert_eq!(r.count(FindingKind::Disclosed), 5);
    }
}

/// Study permits, New Brunswick, Other Studies, 2024 Q1: 10, `--`, 5 with a
/// distinct quarter total shown 25.
#[test]
fn ircc_study_permit_distinct_pins_all_four() {
    for options in [AuditOptions::default(), no_lp()] {
        let mut b = SystemBuilder::new();
        let p1 = b.add_var(Interval::new(8, 12));
        let p2 = b.add_var(Interval::new(1, 4));
        let p3 = b.add_var(Interval::new(5, 7));
        let q = b.add_var(Interval::new(23, 27));
        b.add_distinct(q, &[p1, p2, p3]).unwrap();
        let r = audit(&b.build(), &options);
        let got: Vec<Interval> = [p1, p2, p3, q]
            .iter()
            .map(|&v| r.intervals[v as usize])
            .collect();
        assert_eq!(
            got,
            vec![
                Interval::exact(12),
                Interval::exact(4),
                Interval::exact(7),
                Interval::exact(23)
            ]
        );
        // 12, 4 and 7 had domains reaching under 10; 23 did not.
        assert_eq!(r.count(FindingKind::Disclosed), 3);
        assert!(kinds_of(&r, q).is_empty());
        let strict = AuditOptions {
            policy: Policy {
                pinned_is_finding_for_all: true,
                ..Policy::default()
            },
            ..options
        };
        let r = audit(&b_clone_study(), &strict);
        assert_eq!(r.count(FindingKind::Disclosed), 4);
    }
}

fn b_clone_study() -> discreet_audit::System {
    let mut b = SystemBuilder::new();
    let v: Vec<u32> = [
        Interval::new(8, 12),
        Interval::new(1, 4),
        Interval::new(5, 7),
        Interval::new(23, 27),
    ]
    .into_iter()
    .map(|d| b.add_var(d))
    .collect();
    b.add_relation(&Relation {
        total: v[3],
        parts: v[..3].to_vec(),
        kind: RelationKind::Distinct,
    })
    .unwrap();
    b.build()
}

/// The same numbers read as additive are not a leak: 10 + `--` + 5 can
/// reach 23..27 in many ways. Guards against treating every relation alike.
#[test]
fn study_permit_numbers_as_additive_pin_nothing() {
    let mut b = SystemBuilder::new();
    let p1 = b.add_var(Interval::new(8, 12));
    let p2 = b.add_var(Interval::new(1, 4));
    let p3 = b.add_var(Interval::new(5, 7));
    let q = b.add_var(Interval::new(14, 27));
    b.add_additive(q, &[p1, p2, p3]).unwrap();
    let r = audit(&b.build(), &AuditOptions::default());
    assert_eq!(r.intervals[q as usize], Interval::new(14, 23));
    assert!(r.is_clean(), "{:?}", r.findings);
}

#[test]
fn contradictory_total_is_inconsistent() {
    let mut b = SystemBuilder::new();
    let t = b.add_var(Interval::exact(0));
    let p = b.add_var(Interval::new(1, 4));
    let z = b.add_var(Interval::exact(0));
    let other = b.add_var(Interval::new(1, 4));
    b.add_additive(t, &[p, z]).unwrap();
    let sys = b.build();
    let r = audit(&sys, &AuditOptions::default());
    let inc: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Inconsistent)
        .collect();
    assert_eq!(inc.len(), 1, "{:?}", r.findings);
    assert!(inc[0].var == t || inc[0].var == p);
    assert_eq!(inc[0].relation, Some(0));
    assert!(
        matches!(inc[0].hi, Some(h) if h < inc[0].lo),
        "crossed bounds: {:?}",
        inc[0]
    );
    assert_eq!(r.inconsistent_blocks, 1);
    // The contradictory block keeps its domains; the lone cell is untouched.
    assert_eq!(r.intervals[p as usize], Interval::new(1, 4));
    assert_eq!(r.intervals[other as usize], Interval::new(1, 4));
    assert_eq!(r.blocks, 2);
}

#[test]
fn empty_domain_is_inconsistent() {
    let mut b = SystemBuilder::new();
    let v = b.add_var(Interval::new(5, 3));
    let r = audit(&b.build(), &AuditOptions::default());
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].var, v);
    assert_eq!(r.findings[0].kind, FindingKind::Inconsistent);
}

/// a = b + c and b = a + d with c, d >= 1 has no solution, but interval
/// propagation only creeps upward one step per round. The budget stops it
/// and the LP proves the contradiction.
#[test]
fn creeping_cycle_stops_and_lp_finds_the_contradiction() {
    let mut b = SystemBuilder::new();
    let a = b.add_var(Interval::at_least(0));
    let bb = b.add_var(Interval::at_least(0));
    let c = b.add_var(Interval::at_least(1));
    let d = b.add_var(Interval::at_least(1));
    b.add_additive(a, &[bb, c]).unwrap();
    b.add_additive(bb, &[a, d]).unwrap();
    let sys = b.build();
    let r = audit(&sys, &no_lp());
    assert!(!r.propagation_converged);
    assert!(r
        .findings
        .iter()
        .all(|f| f.kind != FindingKind::Inconsistent));
    let r = audit(&sys, &AuditOptions::default());
    assert_eq!(r.count(FindingKind::Inconsistent), 1, "{:?}", r.findings);
    assert_eq!(r.inconsistent_blocks, 1);
}

/// Linked tables: the same cell shown `--` in one table and exactly in
/// another (say an unprotected internal table leaked) is pinned in both.
#[test]
fn linked_tables_equality() {
    let mut b = SystemBuilder::new();
    let a = b.add_var(Interval::new(1, 4));
    let a2 = b.add_var(Interval::exact(2));
    let other = b.add_var(Interval::new(8, 12));
    let total = b.add_var(Interval::new(8, 12));
    b.add_equal(a, a2).unwrap();
    b.add_additive(total, &[a, other]).unwrap();
    let r = audit(&b.build(), &AuditOptions::default());
    assert_eq!(r.intervals[a as usize], Interval::exact(2));
    assert_eq!(r.intervals[other as usize], Interval::new(8, 10));
    assert_eq!(r.intervals[total as usize], Interval::new(10, 12));
    assert!(kinds_of(&r, a).contains(&FindingKind::Disclosed));
}

/// A chain of relations the LP reads together: two rows and two columns
/// whose margins, each consistent alone, force a corner cell. Propagation
/// gives a looser interval than the LP on this 2x2 of unknowns with a
/// diagonal relation added (a non-network structure).
#[test]
fn lp_is_tighter_than_propagation_on_a_cycle() {
    // x + y = 4, y + z = 4, z + x = 4 with all in [0, 4]: the LP (and the
    // integers) give x = y = z = 2; propagation stops at [0, 4].
    let mut b = SystemBuilder::new();
    let x = b.add_var(Interval::new(0, 4));
    let y = b.add_var(Interval::new(0, 4));
    let z = b.add_var(Interval::new(0, 4));
    let s1 = b.add_var(Interval::exact(4));
    let s2 = b.add_var(Interval::exact(4));
    let s3 = b.add_var(Interval::exact(4));
    b.add_additive(s1, &[x, y]).unwrap();
    b.add_additive(s2, &[y, z]).unwrap();
    b.add_additive(s3, &[z, x]).unwrap();
    let sys = b.build();
    let p = audit(&sys, &no_lp());
    assert_eq!(p.intervals[x as usize], Interval::new(0, 4));
    let r = audit(&sys, &AuditOptions::default());
    for v in [x, y, z] {
        assert_eq!(r.intervals[v as usize], Interval::exact(2));
        assert_eq!(kinds_of(&r, v), vec![FindingKind::Disclosed]);
    }
    assert!(r.lp_solves > 0);
}

#[test]
fn builder_rejects_bad_relations() {
    let mut b = SystemBuilder::new();
    let a = b.add_var(Interval::exact(1));
    let c = b.add_var(Interval::exact(1));
    assert_eq!(
        b.add_additive(a, &[c, 7]),
        Err(BuildError::UnknownVar {
            relation: 0,
            var: 7
        })
    );
    assert_eq!(
        b.add_additive(a, &[]),
        Err(BuildError::NoParts { relation: 0 })
    );
    assert_eq!(
        b.add_additive(a, &[c, c]),
        Err(BuildError::DuplicatePart {
            relation: 0,
            var: c
        })
    );
    assert_eq!(
        b.add_distinct(a, &[c, a]),
        Err(BuildError::TotalAmongParts {
            relation: 0,
            var: a
        })
    );
    // Refused relations leave no trace: the next one is checked afresh.
    assert_eq!(b.add_additive(a, &[c]), Ok(0));
    assert_eq!(b.add_additive(c, &[a]), Ok(1));
    let sys = b.build();
    assert_eq!(sys.n_relations(), 2);
    assert_eq!(sys.relation(0).parts, &[c]);
}

#[test]
fn policy_classification() {
    let p = Policy::default();
    let pinned = Interval::exact;
    // Shown 10 pinned to 12: the attacker learnt it was not 8 or 9.
    assert_eq!(
        p.classify(Interval::new(8, 12), pinned(12)),
        Some(FindingKind::Disclosed)
    );
    // Shown 25 pinned to 23: exact but large.
    assert_eq!(p.classify(Interval::new(23, 27), pinned(23)), None);
    // Published exactly as 3: a small count out in the open.
    assert_eq!(
        p.classify(pinned(3), pinned(3)),
        Some(FindingKind::Disclosed)
    );
    // Published exactly as 0 or 12: nothing hidden, nothing small.
    assert_eq!(p.classify(pinned(0), pinned(0)), None);
    let all = Policy {
        pinned_is_finding_for_all: true,
        ..p
    };
    assert_eq!(all.classify(pinned(12), pinned(12)), None);
    assert_eq!(
        all.classify(Interval::new(23, 27), pinned(23)),
        Some(FindingKind::Disclosed)
    );
    // A hidden zero (rule showing 0 as `--`) pinned to 0.
    assert_eq!(
        p.classify(Interval::new(0, 4), pinned(0)),
        Some(FindingKind::Disclosed)
    );
    // Narrowing.
    assert_eq!(
        p.classify(Interval::new(1, 4), Interval::new(1, 2)),
        Some(FindingKind::Narrowed)
    );
    assert_eq!(
        p.classify(Interval::new(8, 12), Interval::new(9, 10)),
        Some(FindingKind::Narrowed)
    );
    assert_eq!(
        p.classify(Interval::new(8, 12), Interval::new(10, 11)),
        None
    );
    assert_eq!(p.classify(Interval::new(1, 4), Interval::new(2, 4)), None);
    assert_eq!(p.classify(Interval::new(5, 7), Interval::new(5, 7)), None);
    let off = Policy {
        protect_nonzero_below: 0,
        ..p
    };
    assert_eq!(off.classify(Interval::new(1, 4), pinned(1)), None);
    assert_eq!(off.classify(Interval::new(1, 4), Interval::new(1, 2)), None);
}

/// Integer bounds beyond the LP's: three cells `a`, `b`, `c` that are not
/// published (any count), their pairwise sums `a + b`, `b + c`, `c + a`
/// each shown `--`, and the total of those three sums shown `5` (5..7). The
/// total is `2(a + b + c)`, an even number, so it is 6: disclosed. The LP
/// relaxation reaches 5 and 7 with `a + b + c` = 2.5 or 3.5 (all three
/// sums fractional too), so the LP interval is the whole of 5..7, three
/// values: no finding at all without the integer step.
#[test]
fn parity_pins_what_the_lp_leaves_at_three_values() {
    let mut b = SystemBuilder::new();
    let [a, bb, c] = [(); 3].map(|_| b.add_var(Interval::at_least(0)));
    let ab = b.add_var(Interval::new(1, 4));
    let bc = b.add_var(Interval::new(1, 4));
    let ca = b.add_var(Interval::new(1, 4));
    let s = b.add_var(Interval::new(5, 7));
    b.add_additive(ab, &[a, bb]).unwrap();
    b.add_additive(bc, &[bb, c]).unwrap();
    b.add_additive(ca, &[c, a]).unwrap();
    b.add_additive(s, &[ab, bc, ca]).unwrap();
    let sys = b.build();

    let lp_only = AuditOptions {
        integer_max_width: 0,
        ..AuditOptions::default()
    };
    let r = audit(&sys, &lp_only);
    assert!(r.lp_solves > 0);
    assert_eq!(r.integer_solves, 0);
    assert_eq!(r.intervals[s as usize], Interval::new(5, 7));
    assert!(kinds_of(&r, s).is_empty(), "{:?}", r.findings);

    let r = audit(&sys, &AuditOptions::default());
    assert_eq!(r.intervals[s as usize], Interval::exact(6));
    assert_eq!(kinds_of(&r, s), vec![FindingKind::Disclosed]);
    assert!(r.integer_solves > 0 && r.integer_tightened > 0);
    assert_eq!(r.integer_unresolved, 0);
    // Each sum is 3 minus the third cell, which is 0..2: the sums keep
    // their whole integer range 1..3, and the cells theirs.
    for v in [ab, bc, ca] {
        assert_eq!(r.intervals[v as usize], Interval::new(1, 3));
    }
    for v in [a, bb, c] {
        assert_eq!(r.intervals[v as usize], Interval::new(0, 2));
    }
}

/// The integer step is turned off by a zero width, and never runs on a
/// cell the policy cannot flag: with no protected counts, the parity above
/// stays at the LP's 5..7.
#[test]
fn integer_step_only_where_a_finding_could_change() {
    let mut b = SystemBuilder::new();
    let [a, bb, c] = [(); 3].map(|_| b.add_var(Interval::at_least(0)));
    let ab = b.add_var(Interval::new(1, 4));
    let bc = b.add_var(Interval::new(1, 4));
    let ca = b.add_var(Interval::new(1, 4));
    let s = b.add_var(Interval::new(5, 7));
    b.add_additive(ab, &[a, bb]).unwrap();
    b.add_additive(bc, &[bb, c]).unwrap();
    b.add_additive(ca, &[c, a]).unwrap();
    b.add_additive(s, &[ab, bc, ca]).unwrap();
    let sys = b.build();
    let none_protected = AuditOptions {
        policy: Policy {
            protect_nonzero_below: 0,
            ..Policy::default()
        },
        ..AuditOptions::default()
    };
    let r = audit(&sys, &none_protected);
    assert_eq!(r.integer_solves, 0);
    assert!(r.is_clean());
    // Nothing is wanted from the LP either, but one solve still checks
    // that the block is consistent.
    assert_eq!(r.lp_solves, 1);
    assert_eq!(r.intervals[s as usize], Interval::new(5, 7));
}
