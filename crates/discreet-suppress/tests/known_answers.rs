//! Hand-computed answers for small tables.

mod common;

use common::{check_roles, fixed_primaries, problem, singleton_disclosures};
use discreet_audit::synthetic::Dim;
use discreet_audit::{Interval, RelationKind, SystemBuilder, Var};
use discreet_suppress::synthetic::table;
use discreet_suppress::{
    gauss, hypercube, GaussOptions, HypercubeOptions, Role, SuppressError, TableLayout,
};

fn hidden_vars(h: &[bool]) -> Vec<Var> {
    (0..h.len() as Var).filter(|&v| h[v as usize]).collect()
}

/// A 2 x 2 table with margins (vars: node of dim 0 * 3 + node of dim 1,
/// node 2 the total): interior 4 20 / 30 40. The 4 is primary.
#[test]
fn two_by_two_primary_hides_the_rectangle() {
    let mut leaves = [4u64, 20, 30, 40].into_iter();
    let t = table(&[Dim::flat(2), Dim::flat(2)], || leaves.next().unwrap());
    assert_eq!(t.counts, vec![4, 20, 24, 30, 40, 70, 34, 60, 94]);
    let roles = common::ircc_roles(&t.counts);
    let p = problem(&t.system, &t.counts, roles);
    let interior = vec![0, 1, 3, 4];

    let g = gauss(&p, &GaussOptions::default()).unwrap();
    check_roles(&p, &g);
    assert_eq!(hidden_vars(&g.hidden), interior);
    assert_eq!(g.secondary, vec![1, 3, 4]);
    assert!(fixed_primaries(&p, &g).is_empty());

    let h = hypercube(
        &p,
        std::slice::from_ref(&t.layout),
        &HypercubeOptions::default(),
    )
    .unwrap();
    check_roles(&p, &h);
    assert_eq!(hidden_vars(&h.hidden), interior);
    assert_eq!(h.stats.cubes, 1);
}

/// Total 19 = 2 + 10 + 7, the 2 primary: exactly one more part, the
/// cheapest (7), is hidden.
#[test]
fn one_relation_hides_the_cheapest_other_part() {
    let mut leaves = [2u64, 10, 7].into_iter();
    let t = table(&[Dim::flat(3)], || leaves.next().unwrap());
    assert_eq!(t.counts, vec![2, 10, 7, 19]);
    let p = problem(&t.system, &t.counts, common::ircc_roles(&t.counts));
    for opts in [
        GaussOptions::default(),
        GaussOptions {
            singleton: false,
            zeros_first: false,
        },
    ] {
        let g = gauss(&p, &opts).unwrap();
        assert_eq!(hidden_vars(&g.hidden), vec![0, 2]);
        assert_eq!(g.secondary, vec![2]);
    }
    let h = hypercube(
        &p,
        std::slice::from_ref(&t.layout),
        &HypercubeOptions::default(),
    )
    .unwrap();
    assert_eq!(hidden_vars(&h.hidden), vec![0, 2]);
}

/// Total 12 = 3 + 9 with both the total and the 9 forced published: the 3
/// cannot be protected, and the error names the forced cell decided last
/// (by cost: the total first, then the 9).
#[test]
fn forced_publish_of_the_only_complement_is_an_error() {
    let mut leaves = [3u64, 9].into_iter();
    let t = table(&[Dim::flat(2)], || leaves.next().unwrap());
    // Vars: the 3, the 9, the total.
    let roles = vec![Role::Primary, Role::ForcedPublish, Role::ForcedPublish];
    let p = problem(&t.system, &t.counts, roles);
    assert_eq!(
        gauss(&p, &GaussOptions::default()),
        Err(SuppressError::ForcedPublishDiscloses {
            var: 1,
            primary: 0,
            singleton: None
        })
    );
    assert_eq!(
        hypercube(
            &p,
            std::slice::from_ref(&t.layout),
            &HypercubeOptions::default()
        ),
        Err(SuppressError::NoProtection { var: 0 })
    );
    // With only the total forced, the 9 is the complement.
    let roles = vec![Role::Primary, Role::Candidate, Role::ForcedPublish];
    let p = problem(&t.system, &t.counts, roles);
    assert_eq!(
        hidden_vars(&gauss(&p, &GaussOptions::default()).unwrap().hidden),
        vec![0, 1]
    );
}

/// Total 114 = 1 + 3 + 50 + 60 with 1 and 3 primary. Without singleton
/// protection hiding the two primaries is enough (their sum is known, not
/// each); with it, the person counted in the 1 would learn the 3, so the
/// cheapest candidate (50) is hidden too.
#[test]
fn singleton_gets_one_more_cell() {
    let mut leaves = [1u64, 3, 50, 60].into_iter();
    let t = table(&[Dim::flat(4)], || leaves.next().unwrap());
    let p = problem(&t.system, &t.counts, common::ircc_roles(&t.counts));
    let plain = gauss(
        &p,
        &GaussOptions {
            singleton: false,
            zeros_first: true,
        },
    )
    .unwrap();
    assert_eq!(hidden_vars(&plain.hidden), vec![0, 1]);
    assert_eq!(singleton_disclosures(&p, &plain), vec![(0, 1)]);

    let g = gauss(&p, &GaussOptions::default()).unwrap();
    assert_eq!(hidden_vars(&g.hidden), vec![0, 1, 2]);
    assert_eq!(g.stats.singleton_secondaries, 1);
    assert!(singleton_disclosures(&p, &g).is_empty());
}

/// Total 120 = 1 + 2 + 3 + 50 + 64, three primaries: the elimination needs
/// nothing more (each primary still moves once the 1 is known), but the
/// person of the 1 learns the sum of the other two, so the relation rule
/// hides the cheapest candidate (50).
#[test]
fn singleton_relation_rule() {
    let mut leaves = [1u64, 2, 3, 50, 64].into_iter();
    let t = table(&[Dim::flat(5)], || leaves.next().unwrap());
    let p = problem(&t.system, &t.counts, common::ircc_roles(&t.counts));
    let g = gauss(&p, &GaussOptions::default()).unwrap();
    assert_eq!(hidden_vars(&g.hidden), vec![0, 1, 2, 3]);
    assert_eq!(g.stats.singleton_secondaries, 0);
    assert_eq!(g.stats.singleton_rule_hidden, 1);
}

/// A subtotal whose only non-zero part is a count-1 cell is that same
/// person: no singleton disclosure, and the zero beside it stays published.
#[test]
fn singleton_equal_to_its_subtotal_is_no_disclosure() {
    // Dim 0: a, b, c, d, groups g1 = {a, b}, g2 = {c, d}, total; one
    // column.
    // a = 1, b = 0, c = 40, d = 50: g1 = 1 is primary too and equals a.
    let mut leaves = [1u64, 0, 40, 50].into_iter();
    let t = table(&[Dim::grouped(4, 2)], || leaves.next().unwrap());
    assert_eq!(t.counts, vec![1, 0, 40, 50, 1, 90, 91]);
    let p = problem(&t.system, &t.counts, common::ircc_roles(&t.counts));
    let g = gauss(&p, &GaussOptions::default()).unwrap();
    check_roles(&p, &g);
    assert!(fixed_primaries(&p, &g).is_empty());
    assert!(singleton_disclosures(&p, &g).is_empty());
    assert_eq!(g.stats.singleton_secondaries, 0);
    // The elimination hides g2 and c (the cheaper of c, d) to protect g1
    // and a, and publishes the zero b. Then the relation rule: in
    // T = g1 + g2 the two hidden cells are g1 (count 1) and g2, and the
    // person of g1 would learn g2, so T, the only candidate left, goes too.
    // In g1 = a + b the two hidden cells are the same person: no rule.
    assert_eq!(hidden_vars(&g.hidden), vec![0, 2, 4, 5, 6]);
    assert_eq!(g.stats.singleton_rule_hidden, 1);
}

/// Linked tables: A = a1 + a2 and B = b1 + b2 + b3 count the same rows (a
/// = b). a1 = 3 is primary and a2 = 40 forced published, so a must be
/// hidden; then b too (else a = b is published), and one part of b (the
/// cheapest of the equal 10s, decided last).
#[test]
fn linked_tables_hide_tied_cells_together() {
    // Vars: a, a1, a2 (layout 0), b, b1, b2, b3 (layout 1).
    let counts = vec![43u64, 3, 40, 43, 10, 23, 10];
    let mut sb = SystemBuilder::new();
    for &c in &counts {
        sb.add_var(Interval::exact(c));
    }
    sb.add_additive(0, &[1, 2]).unwrap();
    sb.add_additive(3, &[4, 5, 6]).unwrap();
    sb.add_equal(0, 3).unwrap();
    let sys = sb.build();
    let mut roles = common::ircc_roles(&counts);
    roles[2] = Role::ForcedPublish;
    let p = problem(&sys, &counts, roles);
    let g = gauss(&p, &GaussOptions::default()).unwrap();
    check_roles(&p, &g);
    assert_eq!(hidden_vars(&g.hidden), vec![0, 1, 3, 6]);
    assert!(fixed_primaries(&p, &g).is_empty());

    let layouts = [
        TableLayout::new(
            0,
            vec![vec![vec![1, 2], vec![], vec![]]],
            RelationKind::Additive,
        ),
        TableLayout::new(
            3,
            vec![vec![vec![1, 2, 3], vec![], vec![], vec![]]],
            RelationKind::Additive,
        ),
    ];
    let h = hypercube(&p, &layouts, &HypercubeOptions::default()).unwrap();
    check_roles(&p, &h);
    // a1's cube is {a1, a}; b joins a through the equality; b's own cube
    // takes its cheapest part (b1, the first of the 10s).
    assert_eq!(hidden_vars(&h.hidden), vec![0, 1, 3, 4]);
    assert!(common::lonely_hidden(&p, &h).is_empty());
    assert_eq!(h.stats.fixpoint_hidden, 1);
}

/// A three-dimensional 2 x 2 x 2 table with all margins and one primary
/// inner cell: the elimination and the hypercube both hide the 2^3 cube of
/// inner cells when the margins are large.
#[test]
fn three_dimensions_hide_a_cube() {
    let mut leaves = [3u64, 20, 21, 22, 23, 24, 25, 26].into_iter();
    let t = table(&[Dim::flat(2), Dim::flat(2), Dim::flat(2)], || {
        leaves.next().unwrap()
    });
    let p = problem(&t.system, &t.counts, common::ircc_roles(&t.counts));
    // Inner cells: nodes 0..=1 in each dimension, var = 9 n0 + 3 n1 + n2.
    let inner: Vec<Var> = (0..=1)
        .flat_map(|a| (0..=1).flat_map(move |b| (0..=1).map(move |c| 9 * a + 3 * b + c)))
        .collect();
    let g = gauss(&p, &GaussOptions::default()).unwrap();
    assert_eq!(hidden_vars(&g.hidden), inner);
    let h = hypercube(
        &p,
        std::slice::from_ref(&t.layout),
        &HypercubeOptions::default(),
    )
    .unwrap();
    assert_eq!(hidden_vars(&h.hidden), inner);
}

/// The hypercube does not pick a cube along which the primary cannot move
/// because of zeros.
#[test]
fn hypercube_avoids_zeros_that_pin() {
    // Inner 3 x 3 with the primary 2 at (0,0) and zeros at (0,1), (1,0),
    // (1,1): the cheapest rectangle, those four cells, can move the 2 up
    // only by lowering a zero of sign -1, and down only by lowering the
    // zero at (1,1): the audit pins the 2.
    let mut leaves = [2u64, 0, 30, 0, 0, 40, 50, 60, 70].into_iter();
    let t = table(&[Dim::flat(3), Dim::flat(3)], || leaves.next().unwrap());
    let p = problem(&t.system, &t.counts, common::ircc_roles(&t.counts));
    let h = hypercube(
        &p,
        std::slice::from_ref(&t.layout),
        &HypercubeOptions::default(),
    )
    .unwrap();
    assert!(common::lp_pinned_primaries(&p, &h).is_empty());
    assert_eq!(h.stats.unmovable_cubes, 0);
    let naive = hypercube(
        &p,
        std::slice::from_ref(&t.layout),
        &HypercubeOptions {
            nonnegative: false,
            ..HypercubeOptions::default()
        },
    )
    .unwrap();
    // Without the check the cheapest cube is the rectangle of zeros.
    assert_eq!(common::lp_pinned_primaries(&p, &naive), vec![0]);
}

/// Bad layouts are refused.
#[test]
fn bad_layouts_are_errors() {
    let t = table(&[Dim::flat(2)], || 5);
    let p = problem(&t.system, &t.counts, vec![Role::Candidate; 3]);
    let bad = |children: Vec<Vec<Vec<u32>>>, offset: Var| {
        matches!(
            hypercube(
                &p,
                &[TableLayout::new(offset, children, RelationKind::Additive)],
                &HypercubeOptions::default()
            ),
            Err(SuppressError::Layout { table: 0, .. })
        )
    };
    assert!(bad(vec![vec![vec![1, 2], vec![], vec![]]], 1)); // past the vars
    assert!(bad(vec![vec![vec![1, 2], vec![2], vec![]]], 0)); // two parents
    assert!(bad(vec![vec![vec![1], vec![], vec![]]], 0)); // node 2 orphan
    assert!(bad(vec![vec![vec![1, 5], vec![], vec![]]], 0)); // no node 5
}
