//! Interval (bounds) propagation over the integers.
//!
//! Each relation, taken alone, is made bounds-consistent: every bound it
//! implies on its total and parts is applied. Only relations that touch a
//! var whose bounds changed are revisited (a worklist), so a release costs
//! about one pass over its relation entries plus the work the tightening
//! itself causes. Every step only removes values that no solution of the
//! relation can take, so the result is sound.

use std::collections::VecDeque;

use crate::system::{RelationKind, System, Var, INF};

/// For each var, the relations it appears in (as total or part), by
/// relation index: compressed rows, one allocation for the whole system.
#[derive(Clone, Debug)]
pub struct Adjacency {
    start: Vec<usize>,
    rels: Vec<u32>,
}

impl Adjacency {
    /// The relations of every var of `sys`.
    pub fn new(sys: &System) -> Self {
        let n = sys.n_vars();
        let mut start = vec![0usize; n + 1];
        for &v in &sys.rel_vars {
            start[v as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut rels = vec![0u32; sys.rel_vars.len()];
        for r in 0..sys.n_relations() {
            for &v in sys.rel(r) {
                rels[fill[v as usize]] = r as u32;
                fill[v as usize] += 1;
            }
        }
        Adjacency { start, rels }
    }

    /// The relations `v` appears in, in increasing order.
    pub fn of(&self, v: Var) -> &[u32] {
        &self.rels[self.start[v as usize]..self.start[v as usize + 1]]
    }
}

/// Bounds that crossed: the relation proves the release contradictory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Conflict {
    pub var: Var,
    pub lo: u64,
    pub hi: u64,
    pub relation: usize,
}

/// The mutable state of a propagation: bounds by var (`INF` for no upper
/// bound) and which blocks have been found contradictory.
pub(crate) struct Bounds<'a> {
    pub lo: &'a mut [u64],
    pub hi: &'a mut [u64],
    pub block_of: &'a [u32],
    pub dead: &'a mut [bool],
}

/// How a propagation run ended.
pub(crate) struct RunStats {
    pub visits: usize,
    pub converged: bool,
}

/// Runs the worklist from the given relations until nothing changes or
/// `budget` relation visits are spent. The budget exists because bounds can
/// creep by one unit per round around a cycle (and without end when the
/// cycle is contradictory and unbounded); stopping early is still sound.
pub(crate) fn propagate(
    sys: &System,
    adj: &Adjacency,
    b: &mut Bounds<'_>,
    start: impl IntoIterator<Item = usize>,
    budget: usize,
    conflicts: &mut Vec<Conflict>,
) -> RunStats {
    let mut queued = vec![false; sys.n_relations()];
    let mut queue = VecDeque::new();
    for r in start {
        if !queued[r] {
            queued[r] = true;
            queue.push_back(r as u32);
        }
    }
    let mut changed: Vec<Var> = Vec::new();
    let mut visits = 0usize;
    while let Some(r) = queue.pop_front() {
        let r = r as usize;
        queued[r] = false;
        let vars = sys.rel(r);
        if b.dead[b.block_of[vars[0] as usize] as usize] {
            continue;
        }
        if visits >= budget {
            return RunStats {
                visits,
                converged: false,
            };
        }
        visits += 1;
        changed.clear();
        let ok = match sys.rel_kind[r] {
            RelationKind::Additive => revise_additive(vars, b, &mut changed),
            RelationKind::Distinct => revise_distinct(vars, b, &mut changed),
        };
        if let Err((var, lo, hi)) = ok {
            conflicts.push(Conflict {
                var,
                lo,
                hi,
                relation: r,
            });
            b.dead[b.block_of[var as usize] as usize] = true;
            continue;
        }
        // One revision leaves its own relation consistent (both revisions
        // compute the parts from the total's final bounds), so only the
        // other relations of the changed vars need another look.
        for &v in &changed {
            for &q in adj.of(v) {
                let q = q as usize;
                if q != r && !queued[q] {
                    queued[q] = true;
                    queue.push_back(q as u32);
                }
            }
        }
    }
    RunStats {
        visits,
        converged: true,
    }
}

type Revise = Result<(), (Var, u64, u64)>;

/// Narrows var `v` to `lo..=hi` intersected with what it had.
#[inline]
fn tighten(v: Var, lo: u128, hi: u128, b: &mut Bounds<'_>, changed: &mut Vec<Var>) -> Revise {
    let i = v as usize;
    // Bounds past u64 only arise from sums of huge values; clamping keeps
    // them representable and still sound (a weaker bound).
    let lo = lo.min((INF - 1) as u128) as u64;
    let hi = hi.min(INF as u128) as u64;
    let new_lo = b.lo[i].max(lo);
    let new_hi = b.hi[i].min(hi);
    if new_lo > new_hi {
        return Err((v, new_lo, new_hi));
    }
    if new_lo != b.lo[i] || new_hi != b.hi[i] {
        b.lo[i] = new_lo;
        b.hi[i] = new_hi;
        changed.push(v);
    }
    Ok(())
}

/// Sums of the parts' bounds, with infinite upper bounds counted apart so
/// "the sum of the others" can be taken by subtraction.
struct PartSums {
    lo: u128,
    hi_finite: u128,
    n_inf: usize,
}

fn part_sums(parts: &[Var], b: &Bounds<'_>) -> PartSums {
    let mut s = PartSums {
        lo: 0,
        hi_finite: 0,
        n_inf: 0,
    };
    for &p in parts {
        s.lo += b.lo[p as usize] as u128;
        let h = b.hi[p as usize];
        if h == INF {
            s.n_inf += 1;
        } else {
            s.hi_finite += h as u128;
        }
    }
    s
}

impl PartSums {
    /// Sum of the upper bounds of the parts other than one whose upper bound
    /// is `h`, or `None` when some other part is unbounded.
    fn hi_without(&self, h: u64) -> Option<u128> {
        if h == INF {
            (self.n_inf == 1).then_some(self.hi_finite)
        } else {
            (self.n_inf == 0).then(|| self.hi_finite - h as u128)
        }
    }

    fn hi(&self) -> u128 {
        if self.n_inf > 0 {
            INF as u128
        } else {
            self.hi_finite
        }
    }
}

/// `t = sum p_i`: t in [sum lo, sum hi]; p_i in
/// [lo_t - sum_{j!=i} hi_j, hi_t - sum_{j!=i} lo_j].
fn revise_additive(vars: &[Var], b: &mut Bounds<'_>, changed: &mut Vec<Var>) -> Revise {
    let (t, parts) = (vars[0], &vars[1..]);
    let s = part_sums(parts, b);
    tighten(t, s.lo, s.hi(), b, changed)?;
    let (lo_t, hi_t) = (b.lo[t as usize] as u128, b.hi[t as usize]);
    for &p in parts {
        let (lo_p, hi_p) = (b.lo[p as usize], b.hi[p as usize]);
        let new_lo = match s.hi_without(hi_p) {
            Some(others) => lo_t.saturating_sub(others),
            None => 0,
        };
        let new_hi = if hi_t == INF {
            INF as u128
        } else {
            let others = s.lo - lo_p as u128;
            let hi_t = hi_t as u128;
            if hi_t < others {
                // The other parts alone already exceed the total (unreachable
                // after the total's own update, kept as a guard).
                return Err((t, others.min((INF - 1) as u128) as u64, hi_t as u64));
            }
            hi_t - others
        };
        tighten(p, new_lo, new_hi, b, changed)?;
    }
    Ok(())
}

/// `max p_i <= t <= sum p_i`: t in [max lo_i, sum hi]; p_i <= hi_t; and
/// p_i >= lo_t - sum_{j!=i} hi_j (the others cannot cover the total alone).
fn revise_distinct(vars: &[Var], b: &mut Bounds<'_>, changed: &mut Vec<Var>) -> Revise {
    let (t, parts) = (vars[0], &vars[1..]);
    let max_lo = parts.iter().map(|&p| b.lo[p as usize]).max().unwrap_or(0);
    let s = part_sums(parts, b);
    tighten(t, max_lo as u128, s.hi(), b, changed)?;
    let hi_t = b.hi[t as usize];
    // Upper bounds first: the lower bounds below read them.
    for &p in parts {
        tighten(p, 0, hi_t as u128, b, changed)?;
    }
    let s = part_sums(parts, b);
    let lo_t = b.lo[t as usize] as u128;
    for &p in parts {
        if let Some(others) = s.hi_without(b.hi[p as usize]) {
            tighten(p, lo_t.saturating_sub(others), INF as u128, b, changed)?;
        }
    }
    Ok(())
}
