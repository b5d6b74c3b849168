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
//! [`Finding`]s a [`Policy`] makes of them. A table's cells are numbered
//! as its [`TableLayout`] says, and [`SystemBuilder::add_table`] adds the
//! relations of all its margins.
//!
//! How: the relation graph is split into independent blocks; interval
//! propagation runs to a fixpoint over all of them (sound and near-linear,
//! so it scales to millions of cells); then each block small enough
//! ([`AuditOptions::lp_max_block_vars`]) gets exact LP bounds (min and max
//! of each cell over the LP relaxation, rounded inward), which also
//! catches what chains of relations imply together; each larger block gets
//! LP bounds over neighbourhoods instead ([`AuditOptions::local_lp_vars`]):
//! every candidate cell is minimised and maximised over its own relations
//! and those around them, breadth first up to a few hundred cells, the
//! cells at the edge held within their propagated bounds. Then the cells
//! whose LP interval is narrow and could still become a finding get
//! integer bounds (branch and bound over the integer points), since a cell
//! can have one integer value left while the LP still allows fractional
//! others. LP and integer solves are spent only on cells the [`Policy`]
//! could flag; the others keep sound propagation bounds.
//!
//! What is guaranteed: every interval holds every value the cell takes in
//! any integer table that fits what is published (sound), and every
//! finding is real; the answer does not depend on the number of threads.
//! On blocks up to `lp_max_block_vars` the intervals are at least as tight
//! as the exact LP relaxation's. On larger blocks, dropping relations
//! relaxes the LP, so neighbourhood bounds lie between propagation's and
//! the exact LP's: equal to the exact LP where what makes a bound lies
//! within the neighbourhood (on tables, a cell's lines and the lines that
//! cross them), which is the usual case but not a guarantee (the
//! comparison with an exact LP solver on the bundled releases is in
//! `benches/RESULTS.md`). Reviewers who want the exact LP on a large block
//! can export the system ([`write_lp`], `discreet audit --lp-out`) and
//! solve it themselves.
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

mod export;
mod findings;
mod integer;
mod layout;
mod local;
mod lp;
mod propagate;
mod simplex;
pub mod synthetic;
mod system;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use export::write_lp;
pub use findings::{relation_bounds, Finding, FindingKind, Policy, RelationBound};
pub use layout::TableLayout;
pub use propagate::Adjacency;
pub use system::{
    BuildError, Interval, Relation, RelationKind, RelationRef, System, SystemBuilder, Var,
};

use propagate::{Bounds, Conflict};
use system::INF;

/// How to audit.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// What counts as a finding.
    pub policy: Policy,
    /// Blocks up to this many vars get exact LP bounds (one LP over the
    /// whole block); larger ones get neighbourhood LP bounds
    /// ([`AuditOptions::local_lp_vars`]), or propagation bounds only when
    /// that is 0. Default 5,000. 0 turns every LP off (propagation only).
    /// Each whole-block bound is one LP solve (warm-started from the last
    /// on blocks of a thousand vars or more) whose cost still grows faster
    /// than the block (and faster for three-dimensional tables than for
    /// two-dimensional ones); a connected block of tens of thousands of
    /// cells is too degenerate to solve as one LP in useful time, which is
    /// why larger blocks go to neighbourhoods (timings in
    /// `benches/RESULTS.md`). Raise it for an exact LP on one mid-sized
    /// table.
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
    /// Solve LP bounds only for the cells the policy could flag: those whose
    /// shown domain meets the protected range (or every cell, with
    /// [`Policy::pinned_is_finding_for_all`]). Default `true`. The other
    /// cells stay in every LP, so the bounds solved are exactly those of a
    /// full run; they only keep their own propagated interval, which is
    /// sound and which no finding can come from. The one thing they no
    /// longer lend is their LP bound rounded to an integer, which the last
    /// propagation pass feeds to their neighbours; the integer step (below)
    /// recovers that and more for the cells it examines. On real tables,
    /// where most cells are large, this saves most of the LP solves.
    /// `false` solves every cell.
    pub lp_sensitive_only: bool,
    /// Integer bounds for narrow intervals: after the LP, a cell the policy
    /// could flag, not yet pinned, whose interval holds at most this many
    /// values, gets its minimum and maximum over the integer points of its
    /// block (branch and bound), since the LP can leave values at the ends
    /// that no integer table reaches. Default 5: the widest interval the
    /// IRCC rule itself publishes (a shown r >= 10 means r-2..r+2), so every
    /// cell whose shown value meets the protected range qualifies, while a
    /// cell with a wide a-priori range (a secondary suppression) does not.
    /// Only blocks that went through the LP are examined. 0 turns it off.
    pub integer_max_width: u64,
    /// Branch-and-bound nodes per integer solve; a solve that reaches it
    /// keeps the LP bound (sound, possibly loose), counted in
    /// [`AuditResult::integer_unresolved`]. A count, not a time, so the
    /// answer is the same on every machine. Default 200.
    pub integer_max_nodes: u64,
    /// At most this many bounds per block (two per cell, lower and upper,
    /// in var order) get integer solves; the bounds past it keep the LP's
    /// and are counted in [`AuditResult::integer_unresolved`] unless an
    /// integer solution already shows them exact. Default 10,000, two for
    /// every cell of the largest block the LP takes by default: a bound
    /// for safety, not for everyday use.
    pub integer_max_bounds_per_block: usize,
    /// Integer solves on a block larger than this work on the cell's
    /// neighbourhood instead: its own relations, then the relations around
    /// them breadth first while they keep within this many cells, the
    /// cells at the edge held within their LP bounds. Dropping relations
    /// relaxes the problem, so the bounds stay sound; they are exact when
    /// the neighbourhood is the whole block. Default 250, so that small
    /// tables are solved whole, while on large blocks each solve stays a
    /// few milliseconds instead of seconds: the structures that leave the
    /// LP fractional (cells linked in odd cycles) are local.
    pub integer_neighbourhood_vars: usize,
    /// Run the integer step on blocks too large for the LP as well, on
    /// each candidate's neighbourhood with the propagated bounds at its
    /// edge: sound, and a cheap stand-in for the LP there. Default `false`:
    /// on large heavy-tailed tables it costs thousands of integer solves
    /// and has found nothing propagation had not.
    pub integer_on_large_blocks: bool,
    /// Blocks larger than [`AuditOptions::lp_max_block_vars`] get LP bounds
    /// over neighbourhoods of this many vars: each candidate var (one the
    /// policy could flag, not pinned) is minimised and maximised over its
    /// own relations and the relations around them, breadth first while
    /// they keep within this many cells, the cells at the edge held within
    /// their propagated bounds. Leaving relations out relaxes the LP, so
    /// the bounds are sound, never looser than propagation's and never
    /// tighter than the exact LP's (see the crate notes for when they equal
    /// it). Default 300: smaller neighbourhoods miss findings, larger ones
    /// cost much more time for none (figures in `benches/RESULTS.md`). 0
    /// turns it off: large blocks then get propagation bounds only.
    pub local_lp_vars: usize,
    /// A neighbourhood built from one candidate also serves the other
    /// candidates within this many relation steps of it whose relations
    /// all lie inside it. 0: one neighbourhood per candidate.
    pub local_lp_serve_depth: usize,
    /// Blocks larger than this get no neighbourhood LP, propagation bounds
    /// only (they are among [`AuditResult::blocks_too_large_for_lp`]
    /// either way, with no [`AuditResult::local_lp_groups`]): the cost grows
    /// with the number of candidates. Default 50,000, so that a
    /// million-cell table stays with propagation alone, in seconds.
    pub local_lp_max_block_vars: usize,
    /// After the first pass over a large block, solve again, each on its
    /// own neighbourhood and with the bounds the first pass left, the
    /// candidates that were solved over another candidate's neighbourhood
    /// and whose interval now holds at most [`Policy::min_width`] values
    /// (a finding that could become a disclosure, or one value away from
    /// a finding). Default `true`: shared neighbourhoods can miss a few
    /// findings the exact LP makes, and this pass finds them for about
    /// twice the cost of the first.
    pub local_lp_second_pass: bool,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            policy: Policy::default(),
            lp_max_block_vars: 5_000,
            lp_max_solves_per_block: 50_000,
            propagation_visits_per_relation: 200,
            threads: 2,
            lp_sensitive_only: true,
            integer_max_width: 5,
            integer_max_nodes: 200,
            integer_max_bounds_per_block: 10_000,
            integer_neighbourhood_vars: 250,
            integer_on_large_blocks: false,
            local_lp_vars: 300,
            local_lp_serve_depth: 1,
            local_lp_max_block_vars: 50_000,
            local_lp_second_pass: true,
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
    /// Blocks with relations that exceed [`AuditOptions::lp_max_block_vars`]:
    /// no LP over the whole block, neighbourhood LP bounds instead (see
    /// [`AuditOptions::local_lp_vars`]) or, past
    /// [`AuditOptions::local_lp_max_block_vars`], propagation alone.
    pub blocks_too_large_for_lp: usize,
    /// Those of them small enough for neighbourhood LPs (at most
    /// [`AuditOptions::local_lp_max_block_vars`] vars): the blocks where an
    /// audit with [`AuditOptions::local_lp_vars`] above 0 differs from one
    /// without.
    pub neighbourhood_lp_blocks: usize,
    /// Vars in those blocks, whose intervals may be looser than the exact
    /// LP's.
    pub vars_without_lp: usize,
    /// LP solves made.
    pub lp_solves: usize,
    /// LP and integer solves that failed numerically (the bound kept is
    /// the one the solve started from).
    pub lp_errors: usize,
    /// Blocks that hit [`AuditOptions::lp_max_solves_per_block`].
    pub lp_incomplete_blocks: usize,
    /// Vars of LP blocks whose own bounds were not solved for because the
    /// policy cannot flag them ([`AuditOptions::lp_sensitive_only`]).
    pub lp_vars_skipped: usize,
    /// Integer (branch-and-bound) solves made.
    pub integer_solves: usize,
    /// Vars whose interval the integer step narrowed beyond the LP's.
    pub integer_tightened: usize,
    /// Integer bounds left at the LP's because a solve reached
    /// [`AuditOptions::integer_max_nodes`] or failed, or the bound was past
    /// [`AuditOptions::integer_max_bounds_per_block`]. Like
    /// [`AuditResult::lp_solves`] and [`AuditResult::integer_solves`], it
    /// can vary with the threads' timing (an integer point the LP happened
    /// to return settles a bound without a solve); the intervals and
    /// findings do not.
    pub integer_unresolved: usize,
    /// Neighbourhood LPs solved on blocks too large for one LP (see
    /// [`AuditOptions::local_lp_vars`]).
    pub local_lp_groups: usize,
    /// LP solves made over those neighbourhoods (not counted in
    /// [`AuditResult::lp_solves`]).
    pub local_lp_solves: usize,
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
    audit_with_focus(system, options, None)
}

/// [`audit`] with the LP, neighbourhood LP and integer solves spent only on
/// the vars marked in `focus` (one flag per var); every other var keeps its
/// propagated interval, which is sound, so the intervals are never tighter
/// than [`audit`]'s and every finding is still real, but a finding on an
/// unfocused var that only the LP would make is missed. Blocks without a
/// focused var get no LP at all. For loops that change a few cells and
/// audit again (the repair): the cells near the change are re-examined
/// cheaply, and a full [`audit`] has the last word.
///
/// # Panics
/// When `focus` does not have one flag per var.
pub fn audit_focused(system: &System, options: &AuditOptions, focus: &[bool]) -> AuditResult {
    assert_eq!(focus.len(), system.n_vars(), "one focus flag per var");
    audit_with_focus(system, options, Some(focus))
}

fn audit_with_focus(
    system: &System,
    options: &AuditOptions,
    focus: Option<&[bool]>,
) -> AuditResult {
    let mut a = Audit::new(system, options, focus);
    a.propagate(0..system.n_relations());
    let plan = a.plan_lp();
    let mut witnesses = a.whole_block_lp(&plan.lp_blocks);
    if options.local_lp_vars > 0 && options.lp_max_block_vars > 0 {
        a.neighbourhood_lp(&plan.large_blocks);
    }
    if options.integer_on_large_blocks {
        witnesses.extend(
            plan.large_blocks
                .iter()
                .map(|&b| (b, lp::Witness::default())),
        );
        witnesses.sort_by_key(|&(b, _)| b);
    }
    a.integer_step(witnesses);
    a.finish()
}

/// Work counters of an audit, gathered phase by phase and reported in
/// [`AuditResult`] (see its fields).
#[derive(Default)]
struct Counters {
    lp_blocks: usize,
    blocks_too_large_for_lp: usize,
    neighbourhood_lp_blocks: usize,
    vars_without_lp: usize,
    lp_solves: usize,
    lp_errors: usize,
    lp_incomplete_blocks: usize,
    lp_vars_skipped: usize,
    integer_solves: usize,
    integer_tightened: usize,
    integer_unresolved: usize,
    local_lp_groups: usize,
    local_lp_solves: usize,
    propagation_visits: usize,
    propagation_converged: bool,
}

/// Which blocks get which LP.
struct LpPlan {
    /// Blocks small enough for one LP, with an open focused var; largest
    /// first so that the threads finish together.
    lp_blocks: Vec<usize>,
    /// Blocks too large for one LP, in block order.
    large_blocks: Vec<usize>,
}

/// The state of one audit as its phases narrow the bounds: propagation, LP
/// over whole blocks, LP over neighbourhoods, integer bounds, findings.
struct Audit<'s> {
    system: &'s System,
    options: &'s AuditOptions,
    focus: Option<&'s [bool]>,
    blocks: Blocks,
    adj: Adjacency,
    /// Current bounds of every var (`INF` for no upper bound).
    lo: Vec<u64>,
    hi: Vec<u64>,
    /// Blocks found contradictory: their vars keep their domains.
    dead: Vec<bool>,
    findings: Vec<Finding>,
    conflicts: Vec<Conflict>,
    /// Relation visits allowed per propagation run.
    visit_budget: usize,
    /// Vars whose bounds the LP solves for: focused, and ones the policy
    /// could flag unless [`AuditOptions::lp_sensitive_only`] is off.
    wanted: Vec<bool>,
    counters: Counters,
}

impl<'s> Audit<'s> {
    fn new(system: &'s System, options: &'s AuditOptions, focus: Option<&'s [bool]>) -> Self {
        let blocks = Blocks::new(system);
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
        let policy = &options.policy;
        let wanted = (system.domains.iter().enumerate())
            .map(|(v, &d)| {
                focus.is_none_or(|f| f[v]) && (!options.lp_sensitive_only || policy.may_flag(d))
            })
            .collect();
        Audit {
            system,
            options,
            focus,
            adj: Adjacency::new(system),
            lo: system.domains.iter().map(|d| d.lo).collect(),
            hi: system.domains.iter().map(|d| d.hi_raw()).collect(),
            blocks,
            dead,
            findings,
            conflicts: Vec::new(),
            visit_budget: options
                .propagation_visits_per_relation
                .saturating_mul(system.n_relations())
                .max(1),
            wanted,
            counters: Counters {
                propagation_converged: true,
                ..Counters::default()
            },
        }
    }

    fn focused(&self, v: usize) -> bool {
        self.focus.is_none_or(|f| f[v])
    }

    /// Propagation from the given relations to its fixpoint (or budget).
    fn propagate(&mut self, start: impl IntoIterator<Item = usize>) {
        let mut b = Bounds {
            lo: &mut self.lo,
            hi: &mut self.hi,
            block_of: &self.blocks.of,
            dead: &mut self.dead,
        };
        let run = propagate::propagate(
            self.system,
            &self.adj,
            &mut b,
            start,
            self.visit_budget,
            &mut self.conflicts,
        );
        self.counters.propagation_converged &= run.converged;
        self.counters.propagation_visits += run.visits;
    }

    /// After solved bounds: rounded to integers, they can let single
    /// relations tighten more.
    fn repropagate(&mut self, touched: Vec<usize>) {
        if !touched.is_empty() {
            self.propagate(touched);
        }
    }

    /// Sorts the live blocks with relations into those for one LP and
    /// those too large for it.
    fn plan_lp(&mut self) -> LpPlan {
        let (options, blocks, c) = (self.options, &self.blocks, &mut self.counters);
        let (lo, hi, focus) = (&self.lo, &self.hi, self.focus);
        let open = |v: Var| lo[v as usize] < hi[v as usize];
        let mut plan = LpPlan {
            lp_blocks: Vec::new(),
            large_blocks: Vec::new(),
        };
        for (b, &is_dead) in self.dead.iter().enumerate() {
            let vars = blocks.vars(b);
            if is_dead || blocks.rels(b).is_empty() {
                continue;
            }
            if vars.len() > options.lp_max_block_vars {
                c.blocks_too_large_for_lp += 1;
                c.neighbourhood_lp_blocks +=
                    usize::from(vars.len() <= options.local_lp_max_block_vars);
                c.vars_without_lp += vars.len();
                plan.large_blocks.push(b);
                continue;
            }
            if vars.iter().any(|&v| open(v))
                && focus.is_none_or(|f| vars.iter().any(|&v| f[v as usize]))
            {
                plan.lp_blocks.push(b);
                c.lp_vars_skipped += (vars.iter())
                    .filter(|&&v| open(v) && !self.wanted[v as usize])
                    .count();
            }
        }
        plan.lp_blocks
            .sort_by_key(|&b| std::cmp::Reverse(blocks.vars(b).len()));
        c.lp_blocks = plan.lp_blocks.len();
        plan
    }

    /// One LP per block; returns each live block's witness points for the
    /// integer step.
    fn whole_block_lp(&mut self, lp_blocks: &[usize]) -> Vec<(usize, lp::Witness)> {
        let max = self.options.lp_max_solves_per_block;
        let outcomes = {
            let (system, blocks, wanted) = (self.system, &self.blocks, &self.wanted);
            let (lo, hi) = (&self.lo, &self.hi);
            for_blocks(blocks, lp_blocks, self.options.threads, |b, t| {
                let (vars, rels) = (blocks.vars(b), blocks.rels(b));
                let want = |j: usize| wanted[vars[j] as usize];
                lp::solve_block(system, vars, rels, lo, hi, &want, max, t)
            })
        };
        let mut touched: Vec<usize> = Vec::new();
        let mut witnesses = Vec::new();
        for (b, out) in outcomes {
            self.counters.lp_solves += out.solves;
            self.counters.lp_errors += out.errors;
            self.counters.lp_incomplete_blocks += out.incomplete as usize;
            if self.take_bounds(b, out.infeasible, &out.updates, &mut touched) {
                witnesses.push((b, out.witness));
            }
        }
        self.repropagate(touched);
        witnesses
    }

    /// Neighbourhood LPs on the blocks too large for one LP, in two passes
    /// per block: every candidate, sharing neighbourhoods; then, on their
    /// own neighbourhoods and with the bounds the first pass left, the
    /// candidates it solved over another's whose interval is at most the
    /// policy's width (a finding, or close).
    fn neighbourhood_lp(&mut self, large_blocks: &[usize]) {
        let options = self.options;
        let min_width = options.policy.min_width;
        let mut second: Vec<(usize, Vec<Var>)> = Vec::new();
        let passes = if options.local_lp_second_pass { 2 } else { 1 };
        for pass in 0..passes {
            let todo: Vec<(usize, Vec<Var>)> = if pass == 0 {
                (large_blocks.iter())
                    .filter(|&&b| self.blocks.vars(b).len() <= options.local_lp_max_block_vars)
                    .map(|&b| {
                        let cands = (self.blocks.vars(b).iter().copied())
                            .filter(|&v| {
                                self.wanted[v as usize] && self.lo[v as usize] < self.hi[v as usize]
                            })
                            .collect();
                        (b, cands)
                    })
                    .collect()
            } else {
                (std::mem::take(&mut second).into_iter())
                    .map(|(b, served)| {
                        let cands = (served.into_iter())
                            .filter(|&v| {
                                let (l, h) = (self.lo[v as usize], self.hi[v as usize]);
                                l < h && h - l < min_width
                            })
                            .collect();
                        (b, cands)
                    })
                    .collect()
            };
            let budget = local::LocalBudget {
                max_vars: options.local_lp_vars,
                serve_depth: if pass == 0 {
                    options.local_lp_serve_depth
                } else {
                    0
                },
                max_solves: options.lp_max_solves_per_block,
            };
            let mut touched: Vec<usize> = Vec::new();
            for (b, cands) in todo {
                if self.dead[b] || cands.is_empty() {
                    continue;
                }
                let out = local::tighten_block(
                    self.system,
                    &self.adj,
                    &cands,
                    &self.lo,
                    &self.hi,
                    budget,
                    options.threads,
                );
                self.counters.local_lp_groups += out.groups;
                self.counters.local_lp_solves += out.solves;
                self.counters.lp_errors += out.errors;
                self.counters.lp_incomplete_blocks += usize::from(out.incomplete > 0);
                let alive = self.take_bounds(b, out.infeasible, &out.updates, &mut touched);
                if alive && pass == 0 {
                    second.push((b, out.served));
                }
            }
            self.repropagate(touched);
        }
    }

    /// The vars of block `b` (as indices into it) that get integer bounds:
    /// narrow, focused and ones the policy could flag.
    fn integer_candidates(&self, b: usize) -> Vec<usize> {
        let width = self.options.integer_max_width;
        (self.blocks.vars(b).iter().enumerate())
            .filter(|&(_, &v)| {
                let (l, h) = (self.lo[v as usize], self.hi[v as usize]);
                l < h
                    && h - l < width
                    && self.focused(v as usize)
                    && self
                        .options
                        .policy
                        .may_flag(self.system.domains[v as usize])
            })
            .map(|(j, _)| j)
            .collect()
    }

    /// Integer bounds where the interval is narrow and a finding could
    /// change (see the integer module), on the blocks whose witnesses are
    /// given.
    fn integer_step(&mut self, witnesses: Vec<(usize, lp::Witness)>) {
        let int_todo: Vec<(usize, Vec<usize>, lp::Witness)> = if self.options.integer_max_width == 0
        {
            Vec::new()
        } else {
            (witnesses.into_iter())
                .filter(|&(b, _)| !self.dead[b])
                .map(|(b, w)| (b, self.integer_candidates(b), w))
                .filter(|(_, c, _)| !c.is_empty())
                .collect()
        };
        let int_blocks: Vec<usize> = int_todo.iter().map(|&(b, _, _)| b).collect();
        // Each block's candidates and witness, taken by the thread that
        // solves it.
        type Job = Mutex<Option<(Vec<usize>, lp::Witness)>>;
        let jobs: Vec<Job> = (int_todo.into_iter())
            .map(|(_, c, w)| Mutex::new(Some((c, w))))
            .collect();
        let budget = integer::Budget {
            nodes_per_solve: self.options.integer_max_nodes,
            bounds_per_block: self.options.integer_max_bounds_per_block,
            neighbourhood_vars: self.options.integer_neighbourhood_vars,
        };
        let outcomes = {
            let (system, blocks, adj) = (self.system, &self.blocks, &self.adj);
            let (lo, hi) = (&self.lo, &self.hi);
            let index = |b: usize| int_blocks.binary_search(&b).expect("integer block");
            let mut order = int_blocks.clone();
            order.sort_by_key(|&b| std::cmp::Reverse(blocks.vars(b).len()));
            for_blocks(blocks, &order, self.options.threads, |b, t| {
                let (cands, w) = jobs[index(b)]
                    .lock()
                    .expect("an integer solver thread panicked")
                    .take()
                    .expect("each integer block is solved once");
                let (vars, rels) = (blocks.vars(b), blocks.rels(b));
                integer::tighten_block(system, adj, vars, rels, lo, hi, &cands, w, budget, t)
            })
        };
        let mut touched: Vec<usize> = Vec::new();
        for (b, out) in outcomes {
            self.counters.integer_solves += out.solves;
            self.counters.integer_unresolved += out.unresolved;
            self.counters.lp_errors += out.errors;
            if self.take_bounds(b, out.infeasible, &out.updates, &mut touched) {
                self.counters.integer_tightened += out.updates.len();
            }
        }
        self.repropagate(touched);
    }

    /// Takes the bounds a solve of block `b` found: marks the block
    /// contradictory when the solve found no point, else narrows its vars
    /// and notes their relations in `touched`. Returns whether the block
    /// is still consistent.
    fn take_bounds(
        &mut self,
        b: usize,
        infeasible: bool,
        updates: &[(Var, u64, u64)],
        touched: &mut Vec<usize>,
    ) -> bool {
        if infeasible {
            self.kill_block(b);
            return false;
        }
        for &(v, l, h) in updates {
            self.lo[v as usize] = self.lo[v as usize].max(l);
            self.hi[v as usize] = self.hi[v as usize].min(h);
            touched.extend(self.adj.of(v).iter().map(|&r| r as usize));
        }
        true
    }

    /// Marks block `b` contradictory (an LP or integer solve found no
    /// point) and reports it once, on its first var.
    fn kill_block(&mut self, b: usize) {
        self.dead[b] = true;
        let v = self.blocks.vars(b)[0];
        let d = self.system.domains[v as usize];
        (self.findings).push(inconsistent(self.system, v, d.lo, d.hi, None));
    }

    /// The intervals, with the findings the policy makes of them.
    fn finish(mut self) -> AuditResult {
        let system = self.system;
        for c in &self.conflicts {
            (self.findings).push(inconsistent(
                system,
                c.var,
                c.lo,
                Some(c.hi),
                Some(c.relation),
            ));
        }
        let n = system.n_vars();
        let mut intervals = Vec::with_capacity(n);
        for v in 0..n {
            let d = system.domains[v];
            if self.dead[self.blocks.of[v] as usize] {
                intervals.push(d);
                continue;
            }
            let iv = Interval::from_raw(self.lo[v], self.hi[v]);
            if let Some(kind) = self.options.policy.classify(d, iv) {
                self.findings.push(Finding {
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
        self.findings.sort_by_key(|f| (f.var, f.kind));
        let c = self.counters;
        AuditResult {
            intervals,
            findings: self.findings,
            blocks: self.blocks.len(),
            lp_blocks: c.lp_blocks,
            blocks_too_large_for_lp: c.blocks_too_large_for_lp,
            neighbourhood_lp_blocks: c.neighbourhood_lp_blocks,
            vars_without_lp: c.vars_without_lp,
            lp_solves: c.lp_solves,
            lp_errors: c.lp_errors,
            lp_incomplete_blocks: c.lp_incomplete_blocks,
            lp_vars_skipped: c.lp_vars_skipped,
            integer_solves: c.integer_solves,
            integer_tightened: c.integer_tightened,
            integer_unresolved: c.integer_unresolved,
            local_lp_groups: c.local_lp_groups,
            local_lp_solves: c.local_lp_solves,
            propagation_visits: c.propagation_visits,
            propagation_converged: c.propagation_converged,
            inconsistent_blocks: self.dead.iter().filter(|&&d| d).count(),
        }
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

/// Runs `solve(block, threads)` on the given blocks (largest first) on up
/// to `threads` threads and returns the results in block order. A block of
/// at least [`SHARED_BLOCK_VARS`] vars gets all the threads for its own
/// solves; smaller ones are shared out whole. The results do not depend on
/// timing (see the LP and integer modules' notes).
fn for_blocks<T: Send>(
    blocks: &Blocks,
    todo: &[usize],
    threads: usize,
    solve: impl Fn(usize, usize) -> T + Sync,
) -> Vec<(usize, T)> {
    let threads = threads.max(1);
    let split = todo.partition_point(|&b| blocks.vars(b).len() >= SHARED_BLOCK_VARS);
    let mut results: Vec<(usize, T)> = todo[..split]
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
