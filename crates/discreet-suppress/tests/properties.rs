//! Property tests on hundreds of random small hierarchical tables (fixed
//! seeds): every pattern is checked by code independent of the crate (a
//! dense floating-point elimination on the relations, and the audit's LP).

mod common;

use common::{
    check_roles, fixed_primaries, linked_pair, lonely_hidden, lp_pinned_primaries, problem,
    singleton_disclosures,
};
use discreet_audit::synthetic::Dim;
use discreet_suppress::synthetic::table;
use discreet_suppress::{gauss, hypercube, GaussOptions, HypercubeOptions, Role, Suppression};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_dim(rng: &mut ChaCha8Rng, max_leaves: usize) -> Dim {
    let leaves = rng.gen_range(2..=max_leaves);
    let groups = if leaves >= 4 && rng.gen_bool(0.5) {
        2
    } else {
        0
    };
    Dim { leaves, groups }
}

/// A count with many zeros and small counts: 30% zero, 30% 1..4, the rest
/// 5..40.
fn count(rng: &mut ChaCha8Rng) -> u64 {
    match rng.gen_range(0..10) {
        0..=2 => 0,
        3..=5 => rng.gen_range(1..=4),
        _ => rng.gen_range(5..=40),
    }
}

/// IRCC roles, plus a few forced cells: some cells with a positive count
/// forced suppressed, sometimes the grand total (the last var) forced
/// published.
fn roles(rng: &mut ChaCha8Rng, counts: &[u64]) -> Vec<Role> {
    let mut roles = common::ircc_roles(counts);
    for (v, r) in roles.iter_mut().enumerate() {
        if *r == Role::Candidate && counts[v] > 0 && rng.gen_bool(0.02) {
            *r = Role::ForcedSuppress;
        }
    }
    let total = roles.len() - 1;
    if roles[total] == Role::Candidate && rng.gen_bool(0.5) {
        roles[total] = Role::ForcedPublish;
    }
    roles
}

/// Totals over the runs, for the gauss-versus-hypercube comparison.
#[derive(Default, Debug)]
struct Tally {
    tables: usize,
    cells: usize,
    primaries: usize,
    gauss_hidden: usize,
    gauss_plain_hidden: usize,
    hypercube_hidden: usize,
}

fn check_gauss(p: &discreet_suppress::Problem, g: &Suppression, lp: bool) {
    check_roles(p, g);
    assert_eq!(fixed_primaries(p, g), Vec::<u32>::new(), "fixed primaries");
    assert_eq!(singleton_disclosures(p, g), vec![], "singleton disclosures");
    // Every hidden count positive: a perturbation moving a primary exists
    // with all cells non-negative, so the LP cannot pin it.
    if lp && (0..g.hidden.len()).all(|v| !g.hidden[v] || p.counts[v] > 0) {
        assert_eq!(lp_pinned_primaries(p, g), Vec::<u32>::new(), "LP pins");
    }
}

fn check_hypercube(p: &discreet_suppress::Problem, h: &Suppression, lp: bool) {
    check_roles(p, h);
    assert!(
        lonely_hidden(p, h).is_empty(),
        "a relation with one hidden cell"
    );
    assert_eq!(fixed_primaries(p, h), Vec::<u32>::new(), "fixed primaries");
    if lp && h.stats.unmovable_cubes == 0 {
        assert_eq!(lp_pinned_primaries(p, h), Vec::<u32>::new(), "LP pins");
    }
}

fn run_tables(
    seed: u64,
    n: usize,
    dims_of: impl Fn(&mut ChaCha8Rng) -> Vec<Dim>,
    lp_every: usize,
) -> Tally {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tally = Tally::default();
    for i in 0..n {
        let dims = dims_of(&mut rng);
        let t = table(&dims, || count(&mut rng));
        let p = problem(&t.system, &t.counts, roles(&mut rng, &t.counts));
        let lp = i % lp_every == 0;
        let ctx = format!("seed {seed} table {i} dims {dims:?}");

        let g = gauss(&p, &GaussOptions::default()).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        check_gauss(&p, &g, lp);
        let plain = gauss(
            &p,
            &GaussOptions {
                singleton: false,
                zeros_first: true,
            },
        )
        .unwrap();
        check_roles(&p, &plain);
        assert!(fixed_primaries(&p, &plain).is_empty(), "{ctx}");
        let h = hypercube(
            &p,
            std::slice::from_ref(&t.layout),
            &HypercubeOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
        check_hypercube(&p, &h, lp);

        // Same input, same output.
        assert_eq!(gauss(&p, &GaussOptions::default()).unwrap(), g, "{ctx}");

        tally.tables += 1;
        tally.cells += t.counts.len();
        tally.primaries += p.roles.iter().filter(|r| **r == Role::Primary).count();
        tally.gauss_hidden += g.n_hidden();
        tally.gauss_plain_hidden += plain.n_hidden();
        tally.hypercube_hidden += h.n_hidden();
    }
    tally
}

#[test]
fn two_dimensional_tables() {
    let tally = run_tables(
        1,
        300,
        |rng| vec![random_dim(rng, 7), random_dim(rng, 6)],
        1,
    );
    eprintln!("2-D {tally:?}");
    // The hypercube's known over-suppression, against the elimination
    // without singleton protection (the hypercube has none).
    assert!(tally.hypercube_hidden >= tally.gauss_plain_hidden);
}

#[test]
fn three_dimensional_tables() {
    let tally = run_tables(
        2,
        150,
        |rng| vec![random_dim(rng, 4), random_dim(rng, 3), random_dim(rng, 4)],
        1,
    );
    eprintln!("3-D {tally:?}");
    assert!(tally.hypercube_hidden >= tally.gauss_plain_hidden);
}

#[test]
fn four_and_five_dimensional_tables() {
    let tally = run_tables(5, 40, |rng| (0..4).map(|_| random_dim(rng, 3)).collect(), 2);
    eprintln!("4-D {tally:?}");
    let tally = run_tables(6, 20, |_| vec![Dim::flat(2); 5], 2);
    eprintln!("5-D {tally:?}");
}

/// Linked tables (two tables cut from the same data, tied by equalities):
/// the elimination protects every primary of the combined system; the
/// hypercube hides tied cells together and leaves no relation with one
/// hidden cell (its cube guarantee is per table, so only reported here).
#[test]
fn linked_tables() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut hypercube_fixed = 0;
    for i in 0..120 {
        let (d0, d1, d2) = (
            random_dim(&mut rng, 4),
            random_dim(&mut rng, 3),
            random_dim(&mut rng, 3),
        );
        let mut leaf = || count(&mut rng);
        let (sys, counts, layouts) = linked_pair(d0, d1, d2, &mut leaf);
        let roles = roles(&mut rng, &counts);
        let p = problem(&sys, &counts, roles);
        let ctx = format!("linked table {i}");
        let g = gauss(&p, &GaussOptions::default()).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        check_gauss(&p, &g, i % 4 == 0);
        let h = hypercube(&p, &layouts, &HypercubeOptions::default())
            .unwrap_or_else(|e| panic!("{ctx}: {e}"));
        check_roles(&p, &h);
        assert!(lonely_hidden(&p, &h).is_empty(), "{ctx}");
        hypercube_fixed += fixed_primaries(&p, &h).len();
    }
    eprintln!("linked: primaries left fixed by the hypercube: {hypercube_fixed}");
}

/// A forced-publish error is genuine: publishing the named cell with the
/// forced-publish cells decided before it (everything else hidden) fixes
/// the named primary.
#[test]
fn forced_publish_errors_are_genuine() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut errors = 0;
    for _ in 0..200 {
        let dims = vec![random_dim(&mut rng, 4), random_dim(&mut rng, 3)];
        let t = table(&dims, || count(&mut rng));
        let mut roles = common::ircc_roles(&t.counts);
        // Force-publish a third of the candidates.
        for r in roles.iter_mut() {
            if *r == Role::Candidate && rng.gen_bool(0.33) {
                *r = Role::ForcedPublish;
            }
        }
        let p = problem(&t.system, &t.counts, roles);
        match gauss(&p, &GaussOptions::default()) {
            Ok(g) => check_gauss(&p, &g, false),
            Err(discreet_suppress::SuppressError::ForcedPublishDiscloses {
                var,
                primary,
                singleton,
            }) => {
                errors += 1;
                // Forced cells decided up to `var` (by cost, then var).
                let mut forced: Vec<u32> = (0..p.roles.len() as u32)
                    .filter(|&v| p.roles[v as usize] == Role::ForcedPublish)
                    .collect();
                forced.sort_by_key(|&v| (std::cmp::Reverse(p.cost[v as usize]), v));
                let upto = forced.iter().position(|&v| v == var).unwrap();
                let mut hidden = vec![true; p.roles.len()];
                for &v in &forced[..=upto] {
                    hidden[v as usize] = false;
                }
                let prof = common::Profiles::new(&t.system, &hidden, &[]);
                match singleton {
                    None => assert!(prof.fixed(primary)),
                    Some(s) => assert!(prof.parallel(s, primary)),
                }
                // And one step earlier it was not.
                hidden[var as usize] = true;
                let prof = common::Profiles::new(&t.system, &hidden, &[]);
                assert!(!prof.fixed(primary));
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(errors > 10, "the test should exercise the error: {errors}");
}

/// The elimination computes exactly the greedy it is defined by, whatever
/// its pivot rule or basis: without singleton protection, deciding the
/// cells in order and publishing each unless that fixes a primary, with
/// every check recomputed from scratch by the dense elimination of
/// `common`, gives the same hidden set on random small tables (2-D and
/// 3-D, some forced cells).
#[test]
fn gauss_is_the_greedy_of_its_definition() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let (mut compared, mut secondaries) = (0, 0);
    for i in 0..120 {
        let dims = if i % 2 == 0 {
            vec![random_dim(&mut rng, 6), random_dim(&mut rng, 5)]
        } else {
            vec![
                random_dim(&mut rng, 4),
                random_dim(&mut rng, 3),
                random_dim(&mut rng, 3),
            ]
        };
        let t = table(&dims, || count(&mut rng));
        let p = problem(&t.system, &t.counts, roles(&mut rng, &t.counts));
        let options = GaussOptions {
            singleton: false,
            zeros_first: true,
        };
        let Ok(g) = gauss(&p, &options) else {
            continue;
        };
        // The decision order of the module notes.
        let mut order: Vec<(u8, std::cmp::Reverse<u64>, u32)> = (0..p.roles.len())
            .filter_map(|v| {
                let group = match p.roles[v] {
                    Role::Primary | Role::ForcedSuppress => return None,
                    Role::ForcedPublish => 0,
                    Role::Candidate if p.counts[v] == 0 => 1,
                    Role::Candidate => 3,
                };
                Some((group, std::cmp::Reverse(p.cost[v]), v as u32))
            })
            .collect();
        order.sort_unstable();
        let primaries: Vec<u32> = (0..p.roles.len() as u32)
            .filter(|&v| p.roles[v as usize] == Role::Primary)
            .collect();
        let mut hidden = vec![true; p.roles.len()];
        for &(_, _, c) in &order {
            hidden[c as usize] = false;
            let prof = common::Profiles::new(&t.system, &hidden, &[]);
            if primaries.iter().any(|&q| prof.fixed(q)) {
                hidden[c as usize] = true;
            }
        }
        assert_eq!(g.hidden, hidden, "table {i} dims {dims:?}");
        compared += 1;
        secondaries += g.secondary.len();
    }
    assert!(compared > 100, "tables compared: {compared}");
    assert!(secondaries > 500, "secondaries: {secondaries}");
}

/// The repair of `ircc-repaired` on random tables under the IRCC rule: a
/// repair that succeeds leaves a release the full audit finds clean, with
/// only candidates hidden (zeros are forced published); on half the tables
/// every block counts as too large for one LP, so the rounds go through
/// the neighbourhood LP and the focused audits between full ones.
#[test]
fn repairs_end_clean_under_the_full_audit() {
    use discreet_audit::{audit, AuditOptions, Interval};
    use discreet_suppress::repair::{repair, RepairError, RepairOptions};
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let (mut repaired, mut stuck, mut many_rounds) = (0, 0, 0);
    for i in 0..80 {
        let dims: Vec<Dim> = (0..rng.gen_range(2..=3))
            .map(|_| random_dim(&mut rng, 4))
            .collect();
        let t = table(&dims, || count(&mut rng));
        let mut roles = common::ircc_roles(&t.counts);
        for (v, r) in roles.iter_mut().enumerate() {
            if t.counts[v] == 0 {
                *r = Role::ForcedPublish;
            }
        }
        let p = problem(&t.system, &t.counts, roles);
        let mut options = RepairOptions::default();
        if i % 2 == 1 {
            options.audit = AuditOptions {
                lp_max_block_vars: 1,
                local_lp_vars: 12,
                ..AuditOptions::default()
            };
        }
        let ctx = format!("table {i} dims {dims:?}");
        let r = match repair(&p, Interval::at_least(1), &options) {
            Ok(r) => r,
            Err(RepairError::Stuck { .. }) => {
                stuck += 1;
                continue;
            }
            Err(e) => panic!("{ctx}: {e}"),
        };
        repaired += 1;
        many_rounds += usize::from(r.rounds > 3);
        let mut fixed = t.system.clone();
        for &v in &r.hidden {
            assert_eq!(p.roles[v as usize], Role::Candidate, "{ctx}: var {v}");
            fixed.set_domain(v, Interval::at_least(1));
        }
        let result = audit(&fixed, &options.audit);
        assert!(result.is_clean(), "{ctx}: {:?}", result.findings);
    }
    eprintln!("repaired {repaired}, stuck {stuck}, more than 3 rounds {many_rounds}");
    assert!(
        repaired >= 50 && many_rounds >= 10,
        "{repaired} {many_rounds}"
    );
}
