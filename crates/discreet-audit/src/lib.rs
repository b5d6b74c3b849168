//! The disclosure audit engine of discreet: what an outsider can infer about
//! every published cell of a release.
//!
//! The input is a [`System`]: one integer unknown ([`Var`]) per published
//! cell, the [`Interval`] its shown value allows (under the IRCC rule a
//! shown `--` allows 1..4, a shown 5 allows 5..7, a shown r >= 10 allows
//! r-2..r+2), and the relations between cells: additive (a total is the sum
//! of its parts) or distinct (a count of people lies between its largest
//! part and the sum of its parts). [`audit`] returns, for every cell, the
//! interval of true values consistent with everything published, and the
//! [`Finding`]s a [`Policy`] makes of them.
//!
//! How: the relation graph is split into independent blocks; interval
//! propagation runs to a fixpoint over all of them (sound and near-linear,
//! so it scales to millions of cells); then each block small enough gets
//! exact LP bounds (min and max of each cell over the LP relaxation,
//! rounded inward), which also catches what chains of relations imply
//! together.
//!
//! ```
//! use discreet_audit::{audit, AuditOptions, FindingKind, Interval, SystemBuilder};
//!
//! // Four months shown `--` whose year total is shown `--` too.
//! let mut b = SystemBuilder::new();
//! let months: Vec<_> = (0..4).map(|_| b.add_var(Interval::new(1, 4))).collect();
//! let year = b.add_var(Interval::new(1, 4));
//! b.add_additive(year, &months).unwrap();
//! let result = audit(&b.build(), &AuditOptions::default());
//! // The year is at least 4, so each month is exactly 1.
//! assert_eq!(result.intervals[months[0] as usize], Interval::exact(1));
//! assert_eq!(result.count(FindingKind::Disclosed), 5);
//! ```
//!
//! This crate must stay pure: no file or network I/O, no polars, no
//! printing, no global state. Reading release folders and building the
//! [`System`] belong to the layers above; keeping this one pure is what lets
//! it build, test and be benchmarked in seconds.

#![warn(missing_docs)]

mod findings;
mod lp;
mod propagate;
pub mod synthetic;
mod system;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use findings::{Finding, FindingKind, Policy};
pub use system::{
    BuildError, Interval, Relation, RelationKind, RelationRef, System, SystemBuilder, Var,
};

use propagate::{Adjacency, Bounds, Conflict};
use system::INF;

/// How to audit.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// What counts as a finding.
    pub policy: Policy,
    /// Blocks with more vars than this get propagation bounds only. Default
    /// 2,000. Each LP bound is one cold solve (see the LP notes) and the
    /// cost grows faster than the block: measured with 2 threads, a
    /// 3,400-cell two-dimensional table (country x month hierarchy) takes
    /// 0.7 s, a 2,100-cell three-dimensional one 10 s, a 4,600-cell
    /// three-dimensional one 65 s. Raise it for a thorough audit of one
    /// table, lower it for a quick one. 0 turns the LP off.
    pub lp_max_block_vars: usize,
    /// At most this many LP solves per block; a block that reaches it keeps
    /// what it has (sound, possibly loose) and is counted in
    /// [`AuditResult::lp_incomplete_blocks`]. A count rather than a time so
    /// that an audit gives the same answer on every machine. Default 50,000.
    pub lp_max_solves_per_block: usize,
    /// Propagation stops after this many relation visits per relation
    /// (bounds can creep around cycles). Default 200, far above what real
    /// tables need (a few).
    pub propagation_visits_per_relation: usize,
    /// Threads for the LP: small blocks are shared out whole, a large block
    /// shares its solves. Default 2 (the project's machines have 2 cores).
    /// The answer does not depend on it.
    pub threads: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            policy: Policy::default(),
            lp_max_block_vars: 2_000,
            lp_max_solves_per_block: 50_000,
            propagation_visits_per_relation: 200,
            threads: 2,
        }
    }
}

/// What the audit found.
#[derive(Clone, Debug)]
pub struct AuditResult {
    /// For every var, the values an outsider can infer. A var in an
    /// inconsistent block keeps its domain, since nothing can be inferred
    /// from a contradiction.
    pub intervals: Vec<Interval>,
    /// Findings, ordered by var then kind.
    pub findings: Vec<Finding>,
    /// Independent blocks (connected components of the relation graph, a
    /// cell in no relation being a block of its own).
    pub blocks: usize,
    /// Blocks that got LP bounds.
    pub lp_blocks: usize,
    /// Blocks with relations left to propagation alone because they exceed
    /// [`AuditOptions::lp_max_block_vars`].
    pub blocks_too_large_for_lp: usize,
    /// Vars in those blocks, whose intervals may be looser than the LP's.
    pub vars_without_lp: usize,
    /// LP solves made.
    pub lp_solves: usize,
    /// LP solves that failed numerically (the bound kept is propagation's).
    pub lp_errors: usize,
    /// Blocks that hit [`AuditOptions::lp_max_solves_per_block`].
    pub lp_incomplete_blocks: usize,
    /// Relation visits made by propagation (a measure of its work).
    pub propagation_visits: usize,
    /// Whether propagation reached its fixpoint within its budget. When
    /// `false` the intervals are still sound but may be looser.
    pub propagation_converged: bool,
    /// Blocks found contradictory.
    pub inconsistent_blocks: usize,
}

impl AuditResult {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Number of findings of one kind.
    pub fn count(&self, kind: FindingKind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }
}

/// Connected components of the relation graph, by union-find.
struct Blocks {
    /// Block of each var, numbered 0.. in order of first var.
    of: Vec<u32>,
    /// Vars of block b: `vars[start[b]..start[b + 1]]`, increasing.
    start: Vec<usize>,
    vars: Vec<Var>,
    /// Relations of block b, likewise.
    rel_start: Vec<usize>,
    rels: Vec<u32>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        // Path halving keeps the trees flat without recursion.
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = parent[x as usize];
    }
    x
}

impl Blocks {
    fn new(sys: &System) -> Self {
        let n = sys.n_vars();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        for r in 0..sys.n_relations() {
            let vars = sys.rel(r);
            let a = find(&mut parent, vars[0]);
            for &p in &vars[1..] {
                let b = find(&mut parent, p);
                let a = find(&mut parent, a);
                if a != b {
                    // Lower root wins, so numbering is deterministic.
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    parent[hi as usize] = lo;
                }
            }
        }
        let mut id = vec![u32::MAX; n];
        let mut of = vec![0u32; n];
        let mut nb = 0u32;
        for v in 0..n as u32 {
            let root = find(&mut parent, v) as usize;
            if id[root] == u32::MAX {
                id[root] = nb;
                nb += 1;
            }
            of[v as usize] = id[root];
        }
        let nb = nb as usize;
        let (start, vars) = bucket(nb, (0..n as u32).map(|v| (of[v as usize], v)));
        let (rel_start, rels) = bucket(
            nb,
            (0..sys.n_relations() as u32).map(|r| (of[sys.rel(r as usize)[0] as usize], r)),
        );
        Blocks {
            of,
            start,
            vars,
            rel_start,
            rels,
        }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn vars(&self, b: usize) -> &[Var] {
        &self.vars[self.start[b]..self.start[b + 1]]
    }

    fn rels(&self, b: usize) -> &[u32] {
        &self.rels[self.rel_start[b]..self.rel_start[b + 1]]
    }
}

/// Counting sort of `(bucket, item)` pairs into compressed rows, keeping
/// the items' order within a bucket.
fn bucket(nb: usize, items: impl Iterator<Item = (u32, u32)> + Clone) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; nb + 1];
    for (b, _) in items.clone() {
        start[b as usize + 1] += 1;
    }
    for i in 0..nb {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut out = vec![0u32; start[nb]];
    for (b, x) in items {
        out[fill[b as usize]] = x;
        fill[b as usize] += 1;
    }
    (start, out)
}

/// Audits a release: the interval each published cell is known to lie in,
/// and the findings the policy makes of them. Deterministic for given
/// inputs whatever the number of threads.
pub fn audit(system: &System, options: &AuditOptions) -> AuditResult {
    let n = system.n_vars();
    let blocks = Blocks::new(system);
    let adj = Adjacency::new(system);
    let mut lo: Vec<u64> = system.domains.iter().map(|d| d.lo).collect();
    let mut hi: Vec<u64> = system.domains.iter().map(|d| d.hi_raw()).collect();
    let mut dead = vec![false; blocks.len()];
    let mut findings = Vec::new();

    // A domain that is empty on its own is a contradiction before any
    // relation is read.
    for (v, d) in system.domains.iter().enumerate() {
        if d.is_empty() {
            dead[blocks.of[v] as usize] = true;
            findings.push(inconsistent(system, v as Var, d.lo, d.hi, None));
        }
    }

    let budget = options
        .propagation_visits_per_relation
        .saturating_mul(system.n_relations())
        .max(1);
    let mut conflicts: Vec<Conflict> = Vec::new();
    let run = {
        let mut b = Bounds {
            lo: &mut lo,
            hi: &mut hi,
            block_of: &blocks.of,
            dead: &mut dead,
        };
        propagate::propagate(
            system,
            &adj,
            &mut b,
            0..system.n_relations(),
            budget,
            &mut conflicts,
        )
    };
    let mut converged = run.converged;
    let mut visits = run.visits;

    // LP per block, largest first so the threads finish together.
    let mut lp_blocks: Vec<usize> = Vec::new();
    let mut too_large = 0usize;
    let mut vars_without_lp = 0usize;
    for (b, &is_dead) in dead.iter().enumerate() {
        let vars = blocks.vars(b);
        if is_dead || blocks.rels(b).is_empty() {
            continue;
        }
        if vars.len() > options.lp_max_block_vars {
            too_large += 1;
            vars_without_lp += vars.len();
            continue;
        }
        if vars.iter().any(|&v| lo[v as usize] < hi[v as usize]) {
            lp_blocks.push(b);
        }
    }
    lp_blocks.sort_by_key(|&b| std::cmp::Reverse(blocks.vars(b).len()));
    let outcomes = solve_blocks(system, &blocks, &lp_blocks, &lo, &hi, options);

    let mut lp_solves = 0;
    let mut lp_errors = 0;
    let mut lp_incomplete = 0;
    let mut touched: Vec<usize> = Vec::new();
    for (b, out) in outcomes {
        lp_solves += out.solves;
        lp_errors += out.errors;
        lp_incomplete += out.incomplete as usize;
        if out.infeasible {
            dead[b] = true;
            let v = blocks.vars(b)[0];
            let d = system.domains[v as usize];
            findings.push(inconsistent(system, v, d.lo, d.hi, None));
            continue;
        }
        for (v, l, h) in out.updates {
            lo[v as usize] = lo[v as usize].max(l);
            hi[v as usize] = hi[v as usize].min(h);
            touched.extend(adj.of(v).iter().map(|&r| r as usize));
        }
    }
    // LP bounds rounded to integers can let single relations tighten more.
    if !touched.is_empty() {
        let mut b = Bounds {
            lo: &mut lo,
            hi: &mut hi,
            block_of: &blocks.of,
            dead: &mut dead,
        };
        let run = propagate::propagate(system, &adj, &mut b, touched, budget, &mut conflicts);
        converged &= run.converged;
        visits += run.visits;
    }

    for c in &conflicts {
        findings.push(inconsistent(
            system,
            c.var,
            c.lo,
            Some(c.hi),
            Some(c.relation),
        ));
    }

    let mut intervals = Vec::with_capacity(n);
    for v in 0..n {
        let d = system.domains[v];
        if dead[blocks.of[v] as usize] {
            intervals.push(d);
            continue;
        }
        let iv = Interval::from_raw(lo[v], hi[v]);
        if let Some(kind) = options.policy.classify(d, iv) {
            findings.push(Finding {
                var: v as Var,
                kind,
                lo: iv.lo,
                hi: iv.hi,
                domain: d,
                relation: None,
            });
        }
        intervals.push(iv);
    }
    findings.sort_by_key(|f| (f.var, f.kind));

    AuditResult {
        intervals,
        findings,
        blocks: blocks.len(),
        lp_blocks: lp_blocks.len(),
        blocks_too_large_for_lp: too_large,
        vars_without_lp,
        lp_solves,
        lp_errors,
        lp_incomplete_blocks: lp_incomplete,
        propagation_visits: visits,
        propagation_converged: converged,
        inconsistent_blocks: dead.iter().filter(|&&d| d).count(),
    }
}

fn inconsistent(
    system: &System,
    var: Var,
    lo: u64,
    hi: Option<u64>,
    relation: Option<usize>,
) -> Finding {
    let hi = hi.filter(|&h| h != INF);
    Finding {
        var,
        kind: FindingKind::Inconsistent,
        lo,
        hi,
        domain: system.domains[var as usize],
        relation,
    }
}

/// Blocks with at least this many vars are solved one at a time with all
/// threads on their single solves; smaller ones are shared out whole, since
/// their solves take about a millisecond and threads would only contend.
const SHARED_BLOCK_VARS: usize = 256;

/// Solves the given blocks (largest first) on up to `options.threads`
/// threads. The results are returned in block order and do not depend on
/// timing (see the LP module's notes).
fn solve_blocks(
    system: &System,
    blocks: &Blocks,
    todo: &[usize],
    lo: &[u64],
    hi: &[u64],
    options: &AuditOptions,
) -> Vec<(usize, lp::BlockOutcome)> {
    let threads = options.threads.max(1);
    let max = options.lp_max_solves_per_block;
    let solve = |b: usize, t: usize| {
        lp::solve_block(system, blocks.vars(b), blocks.rels(b), lo, hi, max, t)
    };
    let split = todo.partition_point(|&b| blocks.vars(b).len() >= SHARED_BLOCK_VARS);
    let mut results: Vec<(usize, lp::BlockOutcome)> = todo[..split]
        .iter()
        .map(|&b| (b, solve(b, threads)))
        .collect();

    let small = &todo[split..];
    let next = AtomicUsize::new(0);
    let shared = Mutex::new(Vec::with_capacity(small.len()));
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(&b) = small.get(i) else { break };
        let out = solve(b, 1);
        shared
            .lock()
            .expect("a solver thread panicked")
            .push((b, out));
    };
    run_workers(threads.min(small.len()), &work);
    results.extend(shared.into_inner().expect("a solver thread panicked"));
    results.sort_by_key(|&(b, _)| b);
    results
}

/// Runs `work` on `threads` scoped threads (inline when one is enough);
/// each worker pulls its own jobs from a shared queue.
pub(crate) fn run_workers(threads: usize, work: &(dyn Fn() + Sync)) {
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(work);
            }
        });
    }
}
