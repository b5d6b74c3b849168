//! The warm simplex path of a block against the general solver's path:
//! the same bounds, exactly, on random small tables.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{solve_model, BlockOutcome, Model};
use crate::synthetic::{additive_table, ircc_domain, Dim};
use crate::system::{Interval, System, Var, INF};

/// A random table of two or three dimensions published under the IRCC
/// rule, with a few cells hidden outright (open from 0 up) as secondary
/// suppression does, and sometimes a shown value moved so that no table
/// fits.
fn random_system(rng: &mut ChaCha8Rng) -> System {
    let dim = |rng: &mut ChaCha8Rng| {
        let leaves = rng.gen_range(2..5);
        Dim::grouped(leaves, rng.gen_range(0..leaves.min(3)))
    };
    let dims: Vec<Dim> = if rng.gen_bool(0.5) {
        vec![dim(rng), dim(rng)]
    } else {
        vec![dim(rng), dim(rng), dim(rng)]
    };
    let zeros = rng.gen_range(0.0..0.5);
    let mut leaf_rng = ChaCha8Rng::seed_from_u64(rng.gen());
    let mut t = additive_table(
        &dims,
        || {
            if leaf_rng.gen_bool(zeros) {
                0
            } else {
                leaf_rng.gen_range(1..40)
            }
        },
        ircc_domain,
    );
    let n = t.system.n_vars();
    for _ in 0..rng.gen_range(0..n / 8 + 1) {
        let v = rng.gen_range(0..n) as Var;
        t.system.set_domain(v, Interval::at_least(0));
    }
    if rng.gen_bool(0.1) {
        let v = (n - 1) as Var;
        let d = t.system.domains()[v as usize];
        t.system
            .set_domain(v, Interval::new(d.lo + 7, d.hi.unwrap_or(d.lo) + 7));
    }
    t.system
}

fn solve(sys: &System, warm_vars: usize, threads: usize) -> BlockOutcome {
    let vars: Vec<Var> = (0..sys.n_vars() as Var).collect();
    let rels: Vec<u32> = (0..sys.n_relations() as u32).collect();
    let lo: Vec<u64> = sys.domains().iter().map(|d| d.lo).collect();
    let hi: Vec<u64> = sys.domains().iter().map(|d| d.hi.unwrap_or(INF)).collect();
    let m = Model::new(sys, &vars, &rels, &lo, &hi);
    solve_model(&m, &vars, &|_| true, usize::MAX, threads, warm_vars)
}

#[test]
fn warm_bounds_equal_cold_bounds_on_random_tables() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut tightened, mut infeasible) = (0, 0);
    for case in 0..60 {
        let sys = random_system(&mut rng);
        let cold = solve(&sys, usize::MAX, 1);
        for threads in [1, 2] {
            let warm = solve(&sys, 0, threads);
            assert_eq!(warm.infeasible, cold.infeasible, "case {case}");
            assert_eq!(warm.updates, cold.updates, "case {case}, {threads} threads");
            assert_eq!(warm.errors, 0, "case {case}");
        }
        tightened += cold.updates.len();
        infeasible += cold.infeasible as usize;
    }
    // The cases are not all trivial.
    assert!(tightened > 40, "only {tightened} bounds tightened");
    assert!(infeasible > 0);
}
