//! Integer bounds for the cells where they can change a finding.
//!
//! The LP relaxation lets a cell take fractional values, so its LP interval
//! rounded inward can still hold values no integer table reaches: three
//! cells `a`, `b`, `c` whose pairwise sums are published and whose total
//! `2(a + b + c)` is shown `5` (5..7) must in fact total 6, yet the LP
//! allows 5 and 7 through `a + b + c = 2.5` or `3.5`. For each candidate
//! cell (one the policy could flag, with a narrow interval: the caller
//! chooses) this step minimises and maximises the cell over the integer
//! points of its block, with the solver's branch and bound; in a block
//! larger than the neighbourhood limit, over the integer points of the
//! cell's neighbourhood (the relations around it, breadth first), the
//! cells at its edge kept within their bounds: a relaxation, so still a
//! sound bound, and the odd cycles that make the LP fractional are local.
//!
//! Sound by construction: the model's box is the propagated and LP bounds,
//! which hold every integer solution, and a bound only moves to a proven
//! integer optimum of the block or of a relaxation of it. A solve that runs out of nodes keeps the bound it had.
//! Every integer point met on the way (from the LP step too) is checked
//! exactly and then settles, without a solve, every bound it reaches: an
//! endpoint that an integer solution takes is the integer optimum.
//!
//! Determinism: the model never changes during a block, so each solve's
//! answer is fixed, and a bound is either that answer (when proven) or the
//! bound it had. A witness only skips solves whose answer is the bound the
//! var already has, so which points the LP happened to return (which can
//! depend on the threads' timing) changes the number of solves, never the
//! answer. The budget counts bounds in a fixed order for the same reason.
//! Solves run in rounds of [`ROUND`] (a constant, not the number of
//! threads), their results read in order.

use std::ops::ControlFlow;
use std::sync::Mutex;

use crate::lp::{direction, Mip, Model, Witness};
use crate::propagate::Adjacency;
use crate::system::{System, Var};

/// Solves in flight together; fixed so the answer does not depend on the
/// number of threads.
const ROUND: usize = 2;

/// What the integer step did on one block.
#[derive(Debug, Default)]
pub(crate) struct IntOutcome {
    /// Tightened bounds `(var, lo, hi)`, only for vars that changed.
    pub updates: Vec<(Var, u64, u64)>,
    /// Integer solves made.
    pub solves: usize,
    /// Bounds left unproven: a solve ran out of nodes or failed, or the
    /// bound was past the block's budget.
    pub unresolved: usize,
    /// Solves the solver failed (counted in `unresolved` too).
    pub errors: usize,
    /// The block has no integer point at all: the release is contradictory.
    pub infeasible: bool,
}

/// Budgets of the integer step, counts only.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    pub nodes_per_solve: u64,
    pub bounds_per_block: usize,
    pub neighbourhood_vars: usize,
}

/// Marks for building neighbourhoods without hashing: `var[v] == gen`
/// when var `v` is in the current one, `rel[r] == gen` when relation `r`
/// is. Sized to the whole system once; a new neighbourhood only bumps
/// `gen`.
pub(crate) struct Scratch {
    var: Vec<u32>,
    rel: Vec<u32>,
    gen: u32,
}

impl Scratch {
    pub(crate) fn new(sys: &System) -> Self {
        Scratch {
            var: vec![0; sys.n_vars()],
            rel: vec![0; sys.n_relations()],
            gen: 0,
        }
    }

    fn next(&mut self) -> u32 {
        if self.gen == u32::MAX {
            self.var.fill(0);
            self.rel.fill(0);
            self.gen = 0;
        }
        self.gen += 1;
        self.gen
    }
}

/// A neighbourhood: its vars and relations (both sorted) and, for each
/// var (same order), its distance in relation steps from the var it was
/// built around.
pub(crate) struct Hood {
    pub vars: Vec<Var>,
    pub rels: Vec<u32>,
    pub depth: Vec<u32>,
}

/// The relations around `v` and their vars: breadth first from `v`, all of
/// `v`'s own relations, then every further relation that keeps the set
/// within `max_vars` vars (relations among vars already in the set always
/// fit). Leaving relations out relaxes the problem, so bounds over the
/// neighbourhood (the others' vars kept within their bounds) are sound
/// bounds for the whole block.
pub(crate) fn neighbourhood(
    sys: &System,
    adj: &Adjacency,
    v: Var,
    max_vars: usize,
    scratch: &mut Scratch,
) -> Hood {
    let gen = scratch.next();
    scratch.var[v as usize] = gen;
    let mut members: Vec<(Var, u32)> = vec![(v, 0)];
    let mut rels = Vec::new();
    let mut head = 0;
    while head < members.len() {
        let (u, du) = members[head];
        head += 1;
        for &r in adj.of(u) {
            if scratch.rel[r as usize] == gen {
                continue;
            }
            let rv = sys.rel(r as usize);
            if u != v {
                let new = rv
                    .iter()
                    .filter(|&&w| scratch.var[w as usize] != gen)
                    .count();
                if members.len() + new > max_vars {
                    continue;
                }
            }
            scratch.rel[r as usize] = gen;
            rels.push(r);
            for &w in rv {
                if scratch.var[w as usize] != gen {
                    scratch.var[w as usize] = gen;
                    members.push((w, du + 1));
                }
            }
        }
    }
    members.sort_unstable();
    rels.sort_unstable();
    Hood {
        vars: members.iter().map(|&(w, _)| w).collect(),
        rels,
        depth: members.iter().map(|&(_, d)| d).collect(),
    }
}

/// Integer bounds of the local vars `candidates` (increasing) of a block.
///
/// `lo`/`hi` are the current bounds (after LP and propagation), `witness`
/// what the LP step saw of integer points, by local var.
#[allow(clippy::too_many_arguments)]
pub(crate) fn tighten_block(
    sys: &System,
    adj: &Adjacency,
    vars: &[Var],
    rels: &[u32],
    lo: &[u64],
    hi: &[u64],
    candidates: &[usize],
    mut witness: Witness,
    budget: Budget,
    threads: usize,
) -> IntOutcome {
    let m = Model::new(sys, vars, rels, lo, hi);
    let n = m.len();
    if witness.min.len() != n {
        witness = Witness::new(n);
    }
    let mut out = IntOutcome::default();
    let mut found = Found {
        lo: m.lo.clone(),
        hi: m.hi.clone(),
        witness,
    };
    // (local var, minimise?) in a fixed order.
    let tasks: Vec<(usize, bool)> = candidates
        .iter()
        .flat_map(|&j| [(j, true), (j, false)])
        .collect();
    let settled = |w: &Witness, j: usize, is_min: bool| {
        if is_min {
            w.min[j] == m.lo[j]
        } else {
            w.max[j] == m.hi[j]
        }
    };

    // One scratch per solve in flight, only where neighbourhoods are used.
    let scratches: Vec<Mutex<Scratch>> = if n > budget.neighbourhood_vars {
        (0..ROUND).map(|_| Mutex::new(Scratch::new(sys))).collect()
    } else {
        Vec::new()
    };
    let mut next = 0;
    while next < tasks.len() {
        let mut round = Vec::with_capacity(ROUND);
        while next < tasks.len() && round.len() < ROUND {
            let (j, is_min) = tasks[next];
            next += 1;
            if settled(&found.witness, j, is_min) {
                continue;
            }
            // The budget counts bounds in their fixed order, whether a
            // witness settled them or not, so the bounds it leaves out do
            // not depend on which points the LP happened to return.
            if next > budget.bounds_per_block {
                out.unresolved += 1;
                continue;
            }
            out.solves += 1;
            round.push((j, is_min));
        }
        // Returns the solve's answer and whether it was over the whole
        // block (only then is its point a solution of the block).
        let solve = |&(j, is_min): &(usize, bool), slot: usize| -> (Mip, bool) {
            let direction = direction(is_min);
            let nodes = budget.nodes_per_solve;
            if n <= budget.neighbourhood_vars {
                return (m.solve_integer(direction, j, nodes), true);
            }
            let hood = {
                let mut scratch = scratches[slot]
                    .lock()
                    .expect("an integer solver thread panicked");
                neighbourhood(sys, adj, vars[j], budget.neighbourhood_vars, &mut scratch)
            };
            let (sv, sr) = (hood.vars, hood.rels);
            if sv.len() == n {
                return (m.solve_integer(direction, j, nodes), true);
            }
            let sub = Model::new(sys, &sv, &sr, lo, hi);
            let k = sv
                .binary_search(&vars[j])
                .expect("a var is in its neighbourhood");
            (sub.solve_integer(direction, k, nodes), false)
        };
        let results: Vec<(Mip, bool)> = if threads >= 2 && round.len() == 2 {
            std::thread::scope(|s| {
                let h = s.spawn(|| solve(&round[1], 1));
                let a = solve(&round[0], 0);
                vec![a, h.join().expect("integer solver thread panicked")]
            })
        } else {
            round.iter().map(|t| solve(t, 0)).collect()
        };

        for (&(j, is_min), (result, whole)) in round.iter().zip(results) {
            let bound = Bound { j, is_min, whole };
            if take_result(&m, bound, result, &mut found, &mut out).is_break() {
                out.infeasible = true;
                out.updates.clear();
                return out;
            }
        }
    }
    found.updates(&m, vars, &mut out);
    out
}

/// What a block's integer solves have shown so far: bounds proven by
/// optima, and the integer points seen.
struct Found {
    lo: Vec<u64>,
    hi: Vec<u64>,
    witness: Witness,
}

impl Found {
    /// The narrowed bounds, as `(var, lo, hi)` for the vars that changed.
    fn updates(&self, m: &Model, vars: &[Var], out: &mut IntOutcome) {
        for (j, &v) in vars.iter().enumerate().take(m.len()) {
            // Sentinels (no point seen) leave the bounds alone.
            let l = self.lo[j].min(self.witness.min[j]);
            let h = self.hi[j].max(self.witness.max[j]);
            if l > h {
                // Both ends proven by solves whose points did not check out
                // exactly, and they cross: the solver's error, not the
                // release's. Keep what the LP had.
                out.errors += 1;
                continue;
            }
            if l != m.lo[j] || h != m.hi[j] {
                out.updates.push((v, l, h));
            }
        }
    }
}

/// One bound solved: local var `j`, its minimum or maximum, over the whole
/// block or a neighbourhood.
#[derive(Clone, Copy)]
struct Bound {
    j: usize,
    is_min: bool,
    whole: bool,
}

/// Takes the result of one solve into `found`; breaks when the block has
/// no integer point at all.
fn take_result(
    m: &Model,
    Bound { j, is_min, whole }: Bound,
    result: Mip,
    found: &mut Found,
    out: &mut IntOutcome,
) -> ControlFlow<()> {
    let point = match result {
        Mip::Optimal(v, x) => {
            let v = v.round();
            // Only a whole-number optimum inside the box is taken: anything
            // else is the solver's error, and the bound stays as it was.
            if (0.0..9.0e15).contains(&v) {
                let v = v as u64;
                if is_min && v >= m.lo[j] && v <= m.hi[j] {
                    found.lo[j] = found.lo[j].max(v);
                } else if !is_min && v >= m.lo[j] && v <= m.hi[j] {
                    found.hi[j] = found.hi[j].min(v);
                }
            }
            x
        }
        Mip::Feasible(x) => {
            out.unresolved += 1;
            x
        }
        Mip::Unresolved => {
            out.unresolved += 1;
            return ControlFlow::Continue(());
        }
        Mip::Failed => {
            out.unresolved += 1;
            out.errors += 1;
            return ControlFlow::Continue(());
        }
        Mip::Infeasible => {
            if found.witness.any {
                // An integer solution has been seen: the solver is wrong,
                // not the release.
                out.unresolved += 1;
                out.errors += 1;
                return ControlFlow::Continue(());
            }
            return ControlFlow::Break(());
        }
    };
    if whole {
        if let Some(p) = m.integral_point(&point) {
            found.witness.add(&p);
        }
    }
    ControlFlow::Continue(())
}
