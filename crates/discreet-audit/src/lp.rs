//! Exact LP bounds for one block: minimise and maximise each wanted var
//! subject to the block's relations and its propagated bounds (the LP
//! relaxation of the attacker's integer problem), rounded inward to
//! integers.
//!
//! microlp cannot change the objective of a model it has solved, so every
//! objective builds a fresh `Problem` from the block's rows. Building costs
//! O(entries of the block), far less than the simplex; the real cost is one
//! cold solve per objective. Warm re-solves of one model (fixing slack vars
//! to select the objective) cost as much as cold solves, so solves stay
//! cold.
//!
//! Blocks of [`WARM_BLOCK_VARS`] vars or more, where cold solves grow
//! costly (tenths of a second each at 2,000 vars, far more beyond), go to
//! a simplex of this crate that keeps its basis from one objective to the
//! next (see the simplex module): it starts from the general solver's
//! first point, then each objective costs only the pivots from the last
//! optimum. Every bound it gives comes with a weak-duality certificate,
//! and any objective it cannot certify, or calls infeasible or unbounded,
//! is solved cold by the general solver, so answers are the same.
//!
//! To need few objectives, only the vars the caller wants (those the
//! policy could flag) get solves of their own, and every optimum is also
//! read as a witness: a var found at its lower (upper) bound in any
//! feasible point cannot be pushed further, so its min (max) is settled
//! without a solve of its own. The warm simplex adds every vertex it
//! passes on the way to an optimum (each one a feasible point) to those
//! witnesses. "Bulk" objectives (minimise, then maximise,
//! the sum of all open vars) settle most vars at once, so a block of
//! thousands of cells needs a few dozen solves rather than thousands.
//! An optimum that is integral, checked exactly, is also an integer
//! solution of the block, kept for the integer step (see the integer
//! module): on two-dimensional tables every vertex is integral, so the
//! integer step has nothing left to solve there.
//!
//! The model's bounds never change during a block, so every bound is the
//! plain LP optimum whatever order the solves run in: the result does not
//! depend on the number of threads.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use microlp::{
    ComparisonOp, Error as LpError, OptimizationDirection, Problem, SolutionStatus, SolveOptions,
    SolveOutcome, Variable,
};

use crate::simplex::{Row, Simplex, Status};
use crate::system::{RelationKind, System, Var, INF};

/// Blocks with at least this many vars are solved by the warm-started
/// simplex (see the simplex module), the general solver standing in for
/// any objective it cannot certify; smaller ones, where a cold solve takes
/// about a millisecond, by the general solver alone.
const WARM_BLOCK_VARS: usize = 1_000;

/// What solving one block found.
#[derive(Debug, Default)]
pub(crate) struct BlockOutcome {
    /// Tightened bounds `(var, lo, hi)`, only for vars that changed.
    pub updates: Vec<(Var, u64, u64)>,
    pub solves: usize,
    pub errors: usize,
    /// The LP has no solution: the release is contradictory.
    pub infeasible: bool,
    /// Stopped at the solve budget before every bound was settled.
    pub incomplete: bool,
    /// What the integral points among the solves' optima showed (see
    /// [`Witness`]), for the integer step.
    pub witness: Witness,
}

/// For each local var of a block, the smallest and largest value it takes
/// in the integer solutions seen so far (`u64::MAX` and 0 when none): an
/// integer solution proves that its values cannot be cut off, so a bound
/// that equals one needs no integer solve.
#[derive(Debug, Default, Clone)]
pub(crate) struct Witness {
    pub min: Vec<u64>,
    pub max: Vec<u64>,
    /// Whether any integer solution was seen.
    pub any: bool,
}

impl Witness {
    pub(crate) fn new(n: usize) -> Self {
        Witness {
            min: vec![u64::MAX; n],
            max: vec![0; n],
            any: false,
        }
    }

    pub(crate) fn add(&mut self, point: &[u64]) {
        self.any = true;
        for (j, &v) in point.iter().enumerate() {
            self.min[j] = self.min[j].min(v);
            self.max[j] = self.max[j].max(v);
        }
    }
}

/// [`Witness`] shared by the threads of a block.
struct SharedWitness {
    min: Vec<AtomicU64>,
    max: Vec<AtomicU64>,
    any: AtomicBool,
}

impl SharedWitness {
    fn new(n: usize) -> Self {
        SharedWitness {
            min: (0..n).map(|_| AtomicU64::new(u64::MAX)).collect(),
            max: (0..n).map(|_| AtomicU64::new(0)).collect(),
            any: AtomicBool::new(false),
        }
    }

    fn add(&self, point: &[u64]) {
        self.any.store(true, Ordering::Relaxed);
        for (j, &v) in point.iter().enumerate() {
            self.min[j].fetch_min(v, Ordering::Relaxed);
            self.max[j].fetch_max(v, Ordering::Relaxed);
        }
    }

    fn into_witness(self) -> Witness {
        Witness {
            min: self.min.into_iter().map(AtomicU64::into_inner).collect(),
            max: self.max.into_iter().map(AtomicU64::into_inner).collect(),
            any: self.any.into_inner(),
        }
    }
}

/// Slack for reading an LP optimum as an integer bound. The constraint
/// matrix is 0/+-1 and the data integers, so genuine fractional optima have
/// small denominators and sit far from an integer; 1e-3 only absorbs the
/// solver's round-off, so it never rounds a true optimum the wrong way.
fn slack(v: f64) -> f64 {
    1e-3 + v.abs() * 1e-9
}

/// The LP of a block: rows over local var indices, and fixed bounds.
pub(crate) struct Model {
    /// Each row says `sum c * x <= 0` or `= 0`; coefficients are +-1.
    rows: Vec<(Vec<(usize, f64)>, ComparisonOp)>,
    pub(crate) lo: Vec<u64>,
    pub(crate) hi: Vec<u64>,
}

/// How an integer solve ended.
pub(crate) enum Mip {
    /// Proven optimum, and the optimal point.
    Optimal(f64, Vec<f64>),
    /// A budget ran out with an integer point found but not proven optimal.
    Feasible(Vec<f64>),
    /// A budget ran out before any integer point was found.
    Unresolved,
    /// No integer point at all.
    Infeasible,
    /// The solver failed.
    Failed,
}

impl Model {
    pub(crate) fn new(sys: &System, vars: &[Var], rels: &[u32], lo: &[u64], hi: &[u64]) -> Self {
        let local = |v: Var| {
            vars.binary_search(&v)
                .expect("relation var outside its block")
        };
        let mut rows = Vec::new();
        for &r in rels {
            let r = r as usize;
            let rv = sys.rel(r);
            let t = local(rv[0]);
            let mut row = vec![(t, 1.0)];
            row.extend(rv[1..].iter().map(|&p| (local(p), -1.0)));
            match sys.rel_kind[r] {
                RelationKind::Additive => rows.push((row, ComparisonOp::Eq)),
                RelationKind::Distinct => {
                    rows.push((row, ComparisonOp::Le));
                    for &p in &rv[1..] {
                        rows.push((vec![(local(p), 1.0), (t, -1.0)], ComparisonOp::Le));
                    }
                }
            }
        }
        Model {
            rows,
            lo: vars.iter().map(|&v| lo[v as usize]).collect(),
            hi: vars.iter().map(|&v| hi[v as usize]).collect(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.lo.len()
    }

    /// The integer point `x` rounds to, if every value lies within 1e-6 of
    /// an integer and the rounded point meets every row and bound exactly
    /// (checked in integer arithmetic, so a point the solver only
    /// approximately reached is refused): a true solution of the block.
    pub(crate) fn integral_point(&self, x: &[f64]) -> Option<Vec<u64>> {
        let mut p = Vec::with_capacity(x.len());
        for (j, &xj) in x.iter().enumerate() {
            let r = xj.round();
            if !((xj - r).abs() <= 1e-6 && (0.0..9.0e15).contains(&r)) {
                return None;
            }
            let v = r as u64;
            if v < self.lo[j] || v > self.hi[j] {
                return None;
            }
            p.push(v);
        }
        for (row, op) in &self.rows {
            let s: i128 = row.iter().map(|&(j, c)| c as i128 * p[j] as i128).sum();
            let holds = match op {
                ComparisonOp::Eq => s == 0,
                _ => s <= 0,
            };
            if !holds {
                return None;
            }
        }
        Some(p)
    }

    /// The solver's problem for optimising `direction` of `sum c * x`; with
    /// `integer`, every var with a bounded range that fits an `i32` is an
    /// integer var (the others stay real, a relaxation: sound for bounds).
    /// `Err` when a row of pinned vars alone fails.
    fn problem(
        &self,
        direction: OptimizationDirection,
        objective: &[(usize, f64)],
        integer: bool,
    ) -> Result<(Problem, Vec<Option<Variable>>), LpError> {
        let n = self.len();
        let mut obj = vec![0.0; n];
        for &(j, c) in objective {
            obj[j] = c;
        }
        let mut pb = Problem::new(direction);
        // Pinned vars enter as constants: fewer columns, no degenerate
        // pivots on vars that cannot move.
        let xs: Vec<Option<Variable>> = (0..n)
            .map(|j| {
                if self.lo[j] == self.hi[j] {
                    return None;
                }
                if integer && self.hi[j] <= i32::MAX as u64 {
                    return Some(
                        pb.add_integer_var(obj[j], (self.lo[j] as i32, self.hi[j] as i32)),
                    );
                }
                let hi = if self.hi[j] == INF {
                    f64::INFINITY
                } else {
                    self.hi[j] as f64
                };
                Some(pb.add_var(obj[j], (self.lo[j] as f64, hi)))
            })
            .collect();
        let mut terms = Vec::new();
        for (row, op) in &self.rows {
            terms.clear();
            let mut rhs = 0.0;
            for &(j, c) in row {
                match xs[j] {
                    Some(x) => terms.push((x, c)),
                    None => rhs -= c * self.lo[j] as f64,
                }
            }
            if terms.is_empty() {
                // Propagation has checked such rows already; kept for safety.
                let holds = match op {
                    ComparisonOp::Eq => rhs == 0.0,
                    ComparisonOp::Le => rhs >= 0.0,
                    ComparisonOp::Ge => rhs <= 0.0,
                };
                if !holds {
                    return Err(LpError::Infeasible);
                }
                continue;
            }
            pb.add_constraint(&terms[..], *op, rhs);
        }
        Ok((pb, xs))
    }

    /// The block as a [`Simplex`] over its unpinned vars (pinned ones
    /// enter the rows as constants, as in [`Model::problem`]), with the
    /// column of each local var; `None` when a row of pinned vars alone
    /// fails.
    fn simplex(&self) -> Option<(Simplex, Vec<Option<usize>>)> {
        let n = self.len();
        let mut col = vec![None; n];
        let (mut lo, mut up) = (Vec::new(), Vec::new());
        for (j, cj) in col.iter_mut().enumerate() {
            if self.lo[j] < self.hi[j] {
                *cj = Some(lo.len());
                lo.push(self.lo[j] as f64);
                up.push(if self.hi[j] == INF {
                    f64::INFINITY
                } else {
                    self.hi[j] as f64
                });
            }
        }
        let mut rows = Vec::with_capacity(self.rows.len());
        for (row, op) in &self.rows {
            let mut r = Row {
                terms: Vec::with_capacity(row.len()),
                le: matches!(op, ComparisonOp::Le),
                rhs: 0.0,
            };
            for &(j, c) in row {
                match col[j] {
                    Some(k) => r.terms.push((k, c)),
                    None => r.rhs -= c * self.lo[j] as f64,
                }
            }
            if r.terms.is_empty() {
                if !(r.rhs == 0.0 || r.le && r.rhs > 0.0) {
                    return None;
                }
                continue;
            }
            rows.push(r);
        }
        Some((Simplex::new(lo.len(), &lo, &up, &rows), col))
    }

    /// The values of all local vars at a solution.
    fn values(&self, xs: &[Option<Variable>], sol: &microlp::Solution) -> Vec<f64> {
        (0..self.len())
            .map(|j| xs[j].map_or(self.lo[j] as f64, |x| sol.var_value(x)))
            .collect()
    }

    /// The objective's constant part, from pinned vars.
    fn constant(&self, xs: &[Option<Variable>], objective: &[(usize, f64)]) -> f64 {
        objective
            .iter()
            .filter(|&&(j, _)| xs[j].is_none())
            .map(|&(j, c)| c * self.lo[j] as f64)
            .sum()
    }

    /// Optimises `direction` of `sum c * x` over the block; returns the
    /// optimum and the values of all local vars, or the solver's refusal.
    fn solve(
        &self,
        direction: OptimizationDirection,
        objective: &[(usize, f64)],
    ) -> Result<(f64, Vec<f64>), LpError> {
        let (pb, xs) = self.problem(direction, objective, false)?;
        // The solver panics, by design, where it cannot go on; one bad block
        // must not take the audit down, so that becomes an error too.
        let solved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pb.solve()))
            .map_err(|_| LpError::InternalError("the LP solver panicked".into()))?;
        let sol = solved?
            .into_solution()
            .map_err(|_| LpError::InternalError("interrupted without a limit".into()))?;
        Ok((
            sol.objective() + self.constant(&xs, objective),
            self.values(&xs, &sol),
        ))
    }

    /// Optimises `direction` of local var `j` over the integer points of
    /// the block, by the solver's branch and bound with at most `nodes`
    /// nodes (a count, so the answer is the same on every machine).
    pub(crate) fn solve_integer(
        &self,
        direction: OptimizationDirection,
        j: usize,
        nodes: u64,
    ) -> Mip {
        let objective = [(j, 1.0)];
        let (pb, xs) = match self.problem(direction, &objective, true) {
            Ok(p) => p,
            Err(LpError::Infeasible) => return Mip::Infeasible,
            Err(_) => return Mip::Failed,
        };
        let mut options = SolveOptions::default();
        options.node_limit = Some(nodes);
        let solved =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pb.solve_with(options)));
        match solved {
            Ok(Ok(SolveOutcome::Solution(sol))) => {
                let values = self.values(&xs, &sol);
                if sol.status() == SolutionStatus::Optimal {
                    Mip::Optimal(sol.objective() + self.constant(&xs, &objective), values)
                } else {
                    Mip::Feasible(values)
                }
            }
            Ok(Ok(SolveOutcome::Interrupted(_))) => Mip::Unresolved,
            Ok(Err(LpError::Infeasible)) => Mip::Infeasible,
            _ => Mip::Failed,
        }
    }
}

/// One thread's way to optimise objectives over a block: a cold solve
/// by the general solver each time, or the warm-started simplex with the
/// general solver standing in for what it cannot settle.
enum Solver<'a> {
    Cold(&'a Model),
    Warm {
        m: &'a Model,
        lp: Box<Simplex>,
        /// Column of each local var, `None` when pinned.
        col: &'a [Option<usize>],
        /// Objectives the simplex failed; past a few, this thread stops
        /// asking it.
        failures: usize,
    },
}

/// Failed objectives after which a thread gives up the warm simplex.
const MAX_WARM_FAILURES: usize = 3;

impl Solver<'_> {
    /// Optimises `sum c * x` (minimum when `is_min`); returns a value of
    /// the optimum for rounding (never inside the true optimum: for a
    /// minimum at most it, for a maximum at least it, up to the solver's
    /// round-off) and the optimal point over all local vars.
    fn solve(
        &mut self,
        is_min: bool,
        objective: &[(usize, f64)],
    ) -> Result<(f64, Vec<f64>), LpError> {
        let Solver::Warm {
            m,
            lp,
            col,
            failures,
        } = self
        else {
            let Solver::Cold(m) = self else {
                unreachable!()
            };
            return m.solve(direction(is_min), objective);
        };
        if *failures >= MAX_WARM_FAILURES {
            return m.solve(direction(is_min), objective);
        }
        let sign = if is_min { 1.0 } else { -1.0 };
        let mut c = vec![0.0; lp.n()];
        let mut constant = 0.0;
        for &(j, cj) in objective {
            match col[j] {
                Some(k) => c[k] += sign * cj,
                None => constant += cj * m.lo[j] as f64,
            }
        }
        let budget = 20_000 + 4 * (lp.n() as u64 + m.rows.len() as u64);
        let res = lp.minimise(&c, budget);
        match res {
            Status::Optimal { bound, .. } => {
                let x = lp.point();
                let values = (0..m.len())
                    .map(|j| col[j].map_or(m.lo[j] as f64, |k| x[k]))
                    .collect();
                Ok((sign * bound + constant, values))
            }
            // Rare, and the verdict changes the answer: the general
            // solver has the last word.
            Status::Infeasible | Status::Unbounded => m.solve(direction(is_min), objective),
            Status::Failed => {
                *failures += 1;
                m.solve(direction(is_min), objective)
            }
        }
    }
}

/// The solvers for `count` threads of block `m`: warm simplexes on large
/// blocks (phase 1 run once, then copied), cold solves otherwise.
fn solvers<'a>(
    m: &'a Model,
    warm: Option<&'a (Simplex, Vec<Option<usize>>)>,
    count: usize,
) -> Vec<Solver<'a>> {
    match warm {
        None => (0..count).map(|_| Solver::Cold(m)).collect(),
        Some((lp, col)) => {
            let mut first = lp.clone();
            // The general solver finds a first point far faster than a
            // phase 1 from the all-logical basis on a degenerate table;
            // the simplex starts from its basis.
            if let Ok((_, x)) = m.solve(OptimizationDirection::Minimize, &[]) {
                let point: Vec<f64> = (0..m.len())
                    .filter(|&j| col[j].is_some())
                    .map(|j| x[j])
                    .collect();
                first.start_from(&point);
            }
            let zero = vec![0.0; first.n()];
            let budget = 20_000 + 20 * (first.n() as u64 + m.rows.len() as u64);
            // An infeasible or failed start shows again at the first
            // objective, which the general solver then decides.
            let _ = first.minimise(&zero, budget);
            (0..count)
                .map(|_| Solver::Warm {
                    m,
                    lp: Box::new(first.clone()),
                    col,
                    failures: 0,
                })
                .collect()
        }
    }
}

/// What one chain of bulk solves did.
#[derive(Default)]
struct Bulk {
    solves: usize,
    errors: usize,
    infeasible: bool,
}

/// Bounds still to settle, shared by the threads of one block.
struct Open {
    min: Vec<AtomicBool>,
    max: Vec<AtomicBool>,
}

impl Open {
    fn is_open(&self, j: usize, is_min: bool) -> bool {
        if is_min { &self.min[j] } else { &self.max[j] }.load(Ordering::Relaxed)
    }

    /// Closes every bound that the warm simplex of `solver` reached at
    /// any point it passed through (see [`Simplex::reached`]).
    fn witness_path(&self, m: &Model, solver: &Solver) {
        let Solver::Warm { lp, col, .. } = solver else {
            return;
        };
        let (lo, hi) = lp.reached();
        for (j, cj) in col.iter().enumerate() {
            // Columns never moved hold infinite extremes: no witness.
            let Some(k) = cj.filter(|&k| lo[k].is_finite()) else {
                continue;
            };
            if lo[k] <= m.lo[j] as f64 + slack(lo[k]) {
                self.min[j].store(false, Ordering::Relaxed);
            }
            if m.hi[j] != INF && hi[k] >= m.hi[j] as f64 - slack(hi[k]) {
                self.max[j].store(false, Ordering::Relaxed);
            }
        }
    }

    /// Closes every bound that the point `x` reaches.
    fn witness(&self, m: &Model, x: &[f64]) {
        for (j, &xj) in x.iter().enumerate() {
            if xj <= m.lo[j] as f64 + slack(xj) {
                self.min[j].store(false, Ordering::Relaxed);
            }
            if m.hi[j] != INF && xj >= m.hi[j] as f64 - slack(xj) {
                self.max[j].store(false, Ordering::Relaxed);
            }
        }
    }
}

/// The direction that finds a minimum (`is_min`) or a maximum.
pub(crate) fn direction(is_min: bool) -> OptimizationDirection {
    if is_min {
        OptimizationDirection::Minimize
    } else {
        OptimizationDirection::Maximize
    }
}

/// Minimises (or maximises) the sum of the vars whose bound is still open,
/// again while each solve settles at least two of them: a bulk solve costs
/// about what a single one does, and its optimum closes every bound it
/// reaches. Stops at half of `max_solves`, leaving the rest for single
/// bounds.
fn bulk_chain(
    m: &Model,
    solver: &mut Solver,
    open: &Open,
    read: &(dyn Fn(&[f64]) + Sync),
    is_min: bool,
    max_solves: usize,
) -> Bulk {
    let mut r = Bulk::default();
    loop {
        // Unbounded vars would make the bulk maximum unbounded.
        let objective: Vec<(usize, f64)> = (0..m.len())
            .filter(|&j| open.is_open(j, is_min) && (is_min || m.hi[j] != INF))
            .map(|j| (j, 1.0))
            .collect();
        if objective.len() < 2 || r.solves >= max_solves / 2 {
            return r;
        }
        r.solves += 1;
        let solved = solver.solve(is_min, &objective);
        open.witness_path(m, solver);
        match solved {
            Ok((_, x)) => read(&x),
            Err(LpError::Infeasible) => {
                r.infeasible = true;
                return r;
            }
            Err(_) => {
                r.errors += 1;
                return r;
            }
        }
        let settled = objective
            .iter()
            .filter(|&&(j, _)| !open.is_open(j, is_min))
            .count();
        if settled < 2 {
            return r;
        }
    }
}

/// Settles the LP bounds of the wanted vars of a block, on up to `threads`
/// threads.
///
/// `vars` are the block's vars in increasing order, `rels` its relations;
/// `lo`/`hi` the bounds after propagation (read only); `wanted(j)` (by
/// local var) says whether the bounds of `vars[j]` are to be solved for.
/// The others stay in the model, so every bound solved is the same LP
/// optimum whatever is wanted; they only keep their propagated bounds.
///
/// The same function serves neighbourhoods (see the local module): `vars`
/// and `rels` are then part of a block, the relations left out relaxing
/// the problem, so every bound is still sound.
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve_block(
    sys: &System,
    vars: &[Var],
    rels: &[u32],
    lo: &[u64],
    hi: &[u64],
    wanted: &(dyn Fn(usize) -> bool + Sync),
    max_solves: usize,
    threads: usize,
) -> BlockOutcome {
    let m = Model::new(sys, vars, rels, lo, hi);
    solve_model(&m, vars, wanted, max_solves, threads, WARM_BLOCK_VARS)
}

/// [`solve_block`] on a built model; blocks of at least `warm_vars` vars
/// go to the warm simplex.
fn solve_model(
    m: &Model,
    vars: &[Var],
    wanted: &(dyn Fn(usize) -> bool + Sync),
    max_solves: usize,
    threads: usize,
    warm_vars: usize,
) -> BlockOutcome {
    let n = m.len();
    // A pinned var has nothing left to learn.
    let wants = |j: usize| m.lo[j] < m.hi[j] && wanted(j);
    let open = Open {
        min: (0..n).map(|j| AtomicBool::new(wants(j))).collect(),
        max: (0..n).map(|j| AtomicBool::new(wants(j))).collect(),
    };
    let seen = SharedWitness::new(n);
    // Every optimum is read twice: as a witness that closes the bounds it
    // reaches, and, when it is integral, as an integer solution.
    let read = |x: &[f64]| {
        open.witness(m, x);
        if let Some(p) = m.integral_point(x) {
            seen.add(&p);
        }
    };
    let mut out = BlockOutcome::default();
    let warm = if n >= warm_vars { m.simplex() } else { None };
    let mut pool = solvers(m, warm.as_ref(), threads.max(1));

    // Bulk objectives first (see `bulk_chain`); the minimising and the
    // maximising chains are independent, so they run side by side.
    let bulk =
        |solver: &mut Solver, is_min: bool| bulk_chain(m, solver, &open, &read, is_min, max_solves);
    let (a, b) = if let [s0, s1, ..] = &mut pool[..] {
        std::thread::scope(|s| {
            let h = s.spawn(|| bulk(s1, false));
            let a = bulk(s0, true);
            (a, h.join().expect("bulk solver thread panicked"))
        })
    } else {
        (bulk(&mut pool[0], true), bulk(&mut pool[0], false))
    };
    out.solves = a.solves + b.solves;
    out.errors = a.errors + b.errors;
    if a.infeasible || b.infeasible {
        out.infeasible = true;
        return out;
    }

    // One solve per bound still open, shared among the threads.
    let todo: Vec<(usize, bool)> = (0..n)
        .flat_map(|j| [(j, true), (j, false)])
        .filter(|&(j, is_min)| open.is_open(j, is_min))
        .collect();
    let new_lo: Vec<AtomicU64> = m.lo.iter().map(|&v| AtomicU64::new(v)).collect();
    let new_hi: Vec<AtomicU64> = m.hi.iter().map(|&v| AtomicU64::new(v)).collect();
    let next = AtomicUsize::new(0);
    let solves = AtomicUsize::new(out.solves);
    let errors = AtomicUsize::new(out.errors);
    let infeasible = AtomicBool::new(false);
    let incomplete = AtomicBool::new(false);
    let pool = std::sync::Mutex::new(pool);
    let take = || {
        pool.lock()
            .expect("a solver thread panicked")
            .pop()
            .expect("one solver per thread")
    };
    let work = || {
        let mut solver = take();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(j, is_min)) = todo.get(i) else {
                break;
            };
            if infeasible.load(Ordering::Relaxed) {
                break;
            }
            if !open.is_open(j, is_min) {
                continue;
            }
            if solves.fetch_add(1, Ordering::Relaxed) >= max_solves {
                incomplete.store(true, Ordering::Relaxed);
                break;
            }
            let solved = solver.solve(is_min, &[(j, 1.0)]);
            open.witness_path(m, &solver);
            match solved {
                Ok((v, x)) => {
                    if is_min {
                        let b = (v - slack(v)).ceil().max(0.0) as u64;
                        new_lo[j].fetch_max(b.min(m.hi[j]), Ordering::Relaxed);
                    } else {
                        let b = (v + slack(v)).floor().max(0.0);
                        // Below 2^53 the f64 is the integer itself.
                        if b < 9.0e15 {
                            new_hi[j].fetch_min((b as u64).max(m.lo[j]), Ordering::Relaxed);
                        }
                    }
                    read(&x);
                }
                Err(LpError::Infeasible) => infeasible.store(true, Ordering::Relaxed),
                // Unbounded: the var has no upper bound, as it had.
                Err(LpError::Unbounded) => {}
                Err(_) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        pool.lock().expect("a solver thread panicked").push(solver);
    };
    crate::run_workers(threads.max(1).min(todo.len()), &work);
    out.solves = solves.load(Ordering::Relaxed).min(max_solves);
    out.errors = errors.load(Ordering::Relaxed);
    out.incomplete = incomplete.load(Ordering::Relaxed);
    if out.solves == 0 && max_solves > 0 {
        // Nothing was wanted (or one var alone, settled by a witness): one
        // solve still checks that the block has a point at all, which
        // propagation alone cannot tell.
        out.solves = 1;
        match take().solve(true, &[]) {
            Ok((_, x)) => read(&x),
            Err(LpError::Infeasible) => infeasible.store(true, Ordering::Relaxed),
            Err(_) => out.errors += 1,
        }
    }
    out.witness = seen.into_witness();
    if infeasible.load(Ordering::Relaxed) {
        out.infeasible = true;
        return out;
    }
    for j in 0..n {
        let (l, h) = (
            new_lo[j].load(Ordering::Relaxed),
            new_hi[j].load(Ordering::Relaxed),
        );
        if l > h {
            // The LP's only points give this var a fractional value: no
            // integer table fits what was published.
            out.infeasible = true;
            out.updates.clear();
            return out;
        }
        if l != m.lo[j] || h != m.hi[j] {
            out.updates.push((vars[j], l, h));
        }
    }
    out
}

#[cfg(test)]
mod tests;
