//! LP bounds on blocks too large for one LP: each candidate var is solved
//! over a neighbourhood of the block instead.
//!
//! A neighbourhood is the candidate's own relations, then the relations
//! around them breadth first while the set keeps within a size limit (see
//! `integer::neighbourhood`); its vars at the edge, whose other relations
//! are left out, keep the bounds they have. Leaving relations out relaxes
//! the problem, so the LP min and max of a var over any neighbourhood that
//! holds it are sound bounds for the whole block: never tighter than the
//! block's own LP bounds, and equal to them when the structure that makes
//! them tight lies within the neighbourhood (on tables, a cell's lines and
//! the lines crossing them).
//!
//! Candidates share neighbourhoods: one built from a seed also serves the
//! other candidates it holds whose own relations all lie inside it, within
//! `serve_depth` relation steps of the seed, so that a var is never solved
//! right at the edge. Groups are formed in var order before any solve, and
//! every solve reads the same bounds (those after propagation), so the
//! answer does not depend on the number of threads or on timing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::integer::{neighbourhood, Scratch};
use crate::lp;
use crate::propagate::Adjacency;
use crate::system::{System, Var};

/// What the neighbourhood LPs of one block found.
#[derive(Debug, Default)]
pub(crate) struct LocalOutcome {
    /// Tightened bounds `(var, lo, hi)`, merged over the groups.
    pub updates: Vec<(Var, u64, u64)>,
    pub solves: usize,
    pub errors: usize,
    /// Some neighbourhood has no LP point: neither has the block.
    pub infeasible: bool,
    /// Neighbourhoods solved.
    pub groups: usize,
    /// Groups that hit the solve budget.
    pub incomplete: usize,
    /// Candidates solved over another candidate's neighbourhood, in
    /// increasing order.
    pub served: Vec<Var>,
}

/// Limits of the neighbourhood LPs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocalBudget {
    /// Vars per neighbourhood.
    pub max_vars: usize,
    /// A neighbourhood serves the candidates within this many relation
    /// steps of its seed.
    pub serve_depth: usize,
    /// LP solves per neighbourhood.
    pub max_solves: usize,
}

/// Neighbourhood LP bounds for the candidate vars of one block (`cands`,
/// increasing global vars); `lo`/`hi` the current bounds, read only.
#[allow(clippy::too_many_arguments)]
pub(crate) fn tighten_block(
    sys: &System,
    adj: &Adjacency,
    cands: &[Var],
    lo: &[u64],
    hi: &[u64],
    budget: LocalBudget,
    threads: usize,
) -> LocalOutcome {
    // Groups, in var order: (vars, rels, members as local indices).
    let mut scratch = Scratch::new(sys);
    let mut assigned = vec![false; cands.len()];
    let cand_index = |v: Var| cands.binary_search(&v).ok();
    let mut groups: Vec<(Vec<Var>, Vec<u32>, Vec<usize>)> = Vec::new();
    let mut served: Vec<Var> = Vec::new();
    for (ci, &c) in cands.iter().enumerate() {
        if assigned[ci] {
            continue;
        }
        let hood = neighbourhood(sys, adj, c, budget.max_vars, &mut scratch);
        let inside = |v: Var| adj.of(v).iter().all(|r| hood.rels.binary_search(r).is_ok());
        let mut members = Vec::new();
        for (j, &v) in hood.vars.iter().enumerate() {
            let Some(k) = cand_index(v) else { continue };
            let serve = v == c
                || (hood.depth[j] as usize <= budget.serve_depth && !assigned[k] && inside(v));
            if serve {
                assigned[k] = true;
                members.push(j);
                if v != c {
                    served.push(v);
                }
            }
        }
        groups.push((hood.vars, hood.rels, members));
    }

    served.sort_unstable();
    let mut out = LocalOutcome {
        groups: groups.len(),
        served,
        ..Default::default()
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, lp::BlockOutcome)>> = Mutex::new(Vec::new());
    let work = || loop {
        let g = next.fetch_add(1, Ordering::Relaxed);
        let Some((vars, rels, members)) = groups.get(g) else {
            break;
        };
        let want = |j: usize| members.binary_search(&j).is_ok();
        let r = lp::solve_block(sys, vars, rels, lo, hi, &want, budget.max_solves, 1);
        results
            .lock()
            .expect("a local LP thread panicked")
            .push((g, r));
    };
    crate::run_workers(threads.max(1).min(groups.len()), &work);
    let mut results = results.into_inner().expect("a local LP thread panicked");
    results.sort_by_key(|&(g, _)| g);

    let mut merged: HashMap<Var, (u64, u64)> = HashMap::new();
    for (_, r) in results {
        out.solves += r.solves;
        out.errors += r.errors;
        out.incomplete += r.incomplete as usize;
        if r.infeasible {
            out.infeasible = true;
            continue;
        }
        for (v, l, h) in r.updates {
            let e = merged.entry(v).or_insert((lo[v as usize], hi[v as usize]));
            e.0 = e.0.max(l);
            e.1 = e.1.min(h);
        }
    }
    // Two sound bounds that cross leave no integer value: no point.
    if merged.values().any(|&(l, h)| l > h) {
        out.infeasible = true;
    }
    if out.infeasible {
        out.updates.clear();
        return out;
    }
    let mut updates: Vec<(Var, u64, u64)> =
        merged.into_iter().map(|(v, (l, h))| (v, l, h)).collect();
    updates.sort_unstable();
    out.updates = updates;
    out
}
