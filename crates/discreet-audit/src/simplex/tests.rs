//! The warm simplex against the general solver, objective by objective,
//! on small random block-shaped LPs.

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Row, Simplex, Status};

/// A random LP shaped like a block: totals equal to sums of parts (or at
/// most them), narrow integer boxes around a consistent point, a few
/// open-ended ones.
fn random_lp(rng: &mut ChaCha8Rng) -> (Vec<f64>, Vec<f64>, Vec<Row>) {
    let n = rng.gen_range(3..40);
    let truth: Vec<i64> = (0..n).map(|_| rng.gen_range(0..30)).collect();
    let mut lo = Vec::new();
    let mut up = Vec::new();
    for &t in &truth {
        let w: i64 = rng.gen_range(0..5);
        lo.push((t - w).max(0) as f64);
        up.push(if rng.gen_bool(0.1) {
            f64::INFINITY
        } else {
            (t + rng.gen_range(0..5)) as f64
        });
    }
    let mut rows = Vec::new();
    for _ in 0..rng.gen_range(1..n) {
        let k = rng.gen_range(1..4.min(n));
        let mut parts: Vec<usize> = (0..n).collect();
        for i in 0..k + 1 {
            let r = rng.gen_range(i..n);
            parts.swap(i, r);
        }
        let parts = &parts[..k + 1];
        let le = rng.gen_bool(0.2);
        let sum: i64 = parts[1..].iter().map(|&p| truth[p]).sum();
        // Make the total consistent with its parts at the true point
        // through the right-hand side.
        let rhs =
            (truth[parts[0]] - sum) as f64 + if le { rng.gen_range(0..3) as f64 } else { 0.0 };
        let mut terms = vec![(parts[0], 1.0)];
        terms.extend(parts[1..].iter().map(|&p| (p, -1.0)));
        rows.push(Row { terms, le, rhs });
    }
    (lo, up, rows)
}

fn reference(lo: &[f64], up: &[f64], rows: &[Row], j: usize, min: bool) -> Option<f64> {
    let dir = if min {
        OptimizationDirection::Minimize
    } else {
        OptimizationDirection::Maximize
    };
    let mut pb = Problem::new(dir);
    let xs: Vec<_> = (0..lo.len())
        .map(|k| pb.add_var(if k == j { 1.0 } else { 0.0 }, (lo[k], up[k])))
        .collect();
    for r in rows {
        let terms: Vec<_> = r.terms.iter().map(|&(k, c)| (xs[k], c)).collect();
        let op = if r.le {
            ComparisonOp::Le
        } else {
            ComparisonOp::Eq
        };
        pb.add_constraint(&terms[..], op, r.rhs);
    }
    pb.solve().ok()?.into_solution().ok().map(|s| s.objective())
}

#[test]
fn bounds_equal_the_general_solver() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut optimal = 0;
    for _ in 0..300 {
        let (lo, up, rows) = random_lp(&mut rng);
        let mut lp = Simplex::new(lo.len(), &lo, &up, &rows);
        // Every objective in turn on one basis, as a block is solved.
        for j in 0..lo.len() {
            for min in [true, false] {
                let mut c = vec![0.0; lo.len()];
                c[j] = if min { 1.0 } else { -1.0 };
                let want = reference(&lo, &up, &rows, j, min);
                match lp.minimise(&c, 100_000) {
                    Status::Optimal { value, bound } => {
                        let got = if min { bound } else { -bound };
                        let w = want.expect("the reference finds an optimum too");
                        assert!((got - w).abs() < 1e-7, "var {j} min {min}: {got} vs {w}");
                        assert!((value - bound).abs() < 1e-6);
                        optimal += 1;
                    }
                    Status::Unbounded => assert!(want.is_none() && !min),
                    Status::Infeasible => assert!(want.is_none()),
                    Status::Failed => panic!("the simplex failed on a small LP"),
                }
            }
        }
    }
    assert!(optimal > 1000, "too few feasible cases: {optimal}");
}
