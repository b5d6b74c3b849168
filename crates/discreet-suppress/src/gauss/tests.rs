//! Tests of the elimination that need its internals.

use super::*;
use discreet_audit::{Interval, SystemBuilder};

#[test]
fn order_is_forced_then_zeros_then_ones_then_cost() {
    let mut b = SystemBuilder::new();
    for _ in 0..6 {
        b.add_var(Interval::at_least(0));
    }
    let sys = b.build();
    let counts = [0u64, 1, 50, 7, 3, 7];
    let roles = vec![
        Role::Candidate,
        Role::Candidate,
        Role::Candidate,
        Role::ForcedPublish,
        Role::Primary,
        Role::Candidate,
    ];
    let p = Problem {
        system: &sys,
        counts: &counts,
        roles,
        cost: counts.to_vec(),
    };
    assert_eq!(
        decision_order(&p, &GaussOptions::default()),
        vec![3, 0, 1, 2, 5]
    );
    let plain = GaussOptions {
        singleton: false,
        zeros_first: false,
    };
    assert_eq!(decision_order(&p, &plain), vec![3, 2, 5, 1, 0]);
}

/// Two threads give the same result as one, counters included, with
/// every decision's row operations split between them.
#[test]
fn two_threads_change_nothing() {
    use discreet_audit::synthetic::Dim;
    let dims = [Dim::grouped(12, 3), Dim::flat(6), Dim::grouped(12, 4)];
    let t = crate::synthetic::heavy_tail(&dims, 7);
    let p = crate::synthetic::ircc_problem(&t, 4);
    for options in [
        GaussOptions::default(),
        GaussOptions {
            singleton: false,
            zeros_first: true,
        },
    ] {
        let one = gauss_with(&p, &options, 1, 0).unwrap();
        let two = gauss_with(&p, &options, 2, 0).unwrap();
        assert_eq!(one, two);
        assert!(one.stats.eliminations > 1000, "{:?}", one.stats);
    }
}

/// A primary that the person of a count-1 cell could work out through
/// two relations, not one.
#[test]
fn a_primary_tied_to_a_singleton_through_a_chain() {
    // t = a + b, b = c + d: with t and d published, a = t - c - d:
    // a and c move together. a = 1 (singleton), c = 3 (primary).
    let mut sb = SystemBuilder::new();
    let v: Vec<_> = (0..5).map(|_| sb.add_var(Interval::at_least(0))).collect();
    let (t, a, bb, c, d) = (v[0], v[1], v[2], v[3], v[4]);
    sb.add_additive(t, &[a, bb]).unwrap();
    sb.add_additive(bb, &[c, d]).unwrap();
    let sys = sb.build();
    let counts = [24u64, 1, 23, 3, 20];
    let roles = vec![
        Role::Candidate,
        Role::Primary,
        Role::Candidate,
        Role::Primary,
        Role::Candidate,
    ];
    let p = Problem {
        system: &sys,
        counts: &counts,
        roles,
        cost: vec![24, 0, 23, 0, 20],
    };
    // Without singleton protection: t published, b hidden (t and b
    // would fix a), d published (a = 4 - c, both still free).
    let plain = gauss(
        &p,
        &GaussOptions {
            singleton: false,
            zeros_first: true,
        },
    )
    .unwrap();
    assert_eq!(plain.hidden, vec![false, true, true, true, false]);
    // With it: publishing d would let the person of a (1) work out c
    // (c = t - a - d): d is hidden too. Then the relation rule: t = a +
    // b has two hidden cells, one of count 1 (its person would learn
    // b), so t goes as well.
    let g = gauss(&p, &GaussOptions::default()).unwrap();
    assert_eq!(g.hidden, vec![true; 5]);
    assert_eq!(g.stats.singleton_secondaries, 1);
    assert_eq!(g.stats.singleton_rule_hidden, 1);
}
