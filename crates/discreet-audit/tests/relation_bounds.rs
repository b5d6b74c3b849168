//! What one relation alone proves about a cell: known answers worked out
//! by hand, and soundness on random tables (every true count lies in the
//! interval each of its relations implies).

use discreet_audit::synthetic::{additive_table, ircc_domain, Dim};
use discreet_audit::{
    audit, relation_bounds, Adjacency, AuditOptions, Interval, RelationKind, SystemBuilder,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Four months shown `--` under a year shown `--`: the year is at least
/// 1 + 1 + 1 + 1 and at most 4, so it is 4, and each month is 4 - 3 = 1.
#[test]
fn the_sum_of_four_suppressed_months_pins_each_of_them() {
    let mut b = SystemBuilder::new();
    let months: Vec<_> = (0..4).map(|_| b.add_var(Interval::new(1, 4))).collect();
    let year = b.add_var(Interval::new(1, 4));
    let r = b.add_additive(year, &months).unwrap();
    let sys = b.build();
    let result = audit(&sys, &AuditOptions::default());
    let adj = Adjacency::new(&sys);
    let month = relation_bounds(&sys, &adj, &result.intervals, months[2]);
    assert_eq!(month.len(), 1);
    assert_eq!(month[0].relation, r);
    assert_eq!(month[0].implied, Interval::exact(1));
    assert!(month[0].gives_lo && month[0].gives_hi);
    let total = relation_bounds(&sys, &adj, &result.intervals, year);
    assert_eq!(total[0].implied, Interval::exact(4));
}

/// Hand-made intervals: an additive and a distinct relation over the same
/// cells, and an unbounded part.
#[test]
fn implied_intervals_by_kind() {
    let mut b = SystemBuilder::new();
    let t = b.add_var(Interval::new(10, 12));
    let p = b.add_var(Interval::new(0, 20));
    let q = b.add_var(Interval::new(3, 5));
    let u = b.add_var(Interval::at_least(0));
    let add = b.add_additive(t, &[p, q]).unwrap();
    let dis = b.add_distinct(t, &[p, q]).unwrap();
    b.add_additive(u, &[q]).unwrap();
    let sys = b.build();
    let adj = Adjacency::new(&sys);
    // Intervals given directly, not audited: the implied ones are what each
    // relation alone says from them.
    let iv = vec![
        Interval::new(10, 12),
        Interval::new(5, 9),
        Interval::new(3, 5),
        Interval::at_least(0),
    ];
    let on_p = relation_bounds(&sys, &adj, &iv, p);
    let by = |r: usize| on_p.iter().find(|x| x.relation == r).unwrap();
    // p = t - q: 10 - 5 .. 12 - 3.
    assert_eq!(by(add).implied, Interval::new(5, 9));
    assert!(by(add).gives_lo && by(add).gives_hi);
    // max(p, q) <= t <= p + q: p >= 10 - 5, p <= 12.
    assert_eq!(by(dis).implied, Interval::new(5, 12));
    assert!(by(dis).gives_lo && !by(dis).gives_hi);
    assert_eq!(sys.relation(dis).kind, RelationKind::Distinct);
    let on_t = relation_bounds(&sys, &adj, &iv, t);
    let of_t = |r: usize| on_t.iter().find(|x| x.relation == r).unwrap().implied;
    assert_eq!(of_t(add), Interval::new(8, 14));
    assert_eq!(of_t(dis), Interval::new(5, 14));
    // q = u, u unbounded: nothing from above.
    let on_q = relation_bounds(&sys, &adj, &iv, q);
    assert_eq!(on_q.len(), 3);
    assert!(on_q.iter().any(|x| x.implied == Interval::at_least(0)));
}

/// On random published tables, every relation's implied interval holds the
/// cell's true count, and the audit's interval lies within it.
#[test]
fn implied_intervals_hold_the_true_counts() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..30 {
        let dims = vec![
            Dim::grouped(rng.gen_range(2..6), rng.gen_range(0..2)),
            Dim::flat(rng.gen_range(2..5)),
        ];
        let mut leaf_rng = ChaCha8Rng::seed_from_u64(rng.gen());
        let table = additive_table(
            &dims,
            || match leaf_rng.gen_range(0..4) {
                0 => 0,
                1 | 2 => leaf_rng.gen_range(1..5),
                _ => leaf_rng.gen_range(5..40),
            },
            ircc_domain,
        );
        let result = audit(&table.system, &AuditOptions::default());
        let adj = Adjacency::new(&table.system);
        for v in 0..table.system.n_vars() as u32 {
            let mine = result.intervals[v as usize];
            for rb in relation_bounds(&table.system, &adj, &result.intervals, v) {
                let truth = table.truth[v as usize];
                assert!(rb.implied.contains(truth), "var {v}: {truth} outside");
                assert!(rb.implied.lo <= mine.lo);
                if let Some(h) = rb.implied.hi {
                    assert!(mine.hi.is_some_and(|m| m <= h));
                }
            }
        }
    }
}
