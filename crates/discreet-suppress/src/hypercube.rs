//! Secondary suppression by the hypercube method, in the spirit of
//! tau-Argus's GHMITER (Repsilber) and its hierarchical use in HiTaS: every
//! primary cell of a k-dimensional table is made one corner of a
//! k-dimensional "cube" of hidden cells; cells tied across tables are hidden
//! together; and the process repeats until no relation has exactly one
//! hidden cell.
//!
//! # The pattern of one cell
//! In each dimension the cell's node `x` is paired with another node of the
//! same relation: a sibling (same parent) or the parent itself. In a flat
//! dimension that is all; in a hierarchical one a subtotal node cannot
//! change alone (it is the sum of its children), so the pattern continues
//! down to a leaf through one child at each level, and pairing with the
//! parent continues up to the total. This is how HiTaS's top-down
//! sub-tables (a hidden subtotal becomes a primary of the sub-table below
//! it) collapse into one pattern. Per dimension the pattern is a signed
//! path `δ_d` (`+1` on the cell's branch, `-1` on the sibling's branch, or
//! `+1` all the way up to the total), which satisfies every relation of the
//! dimension; the cube is the product of the paths (the corners, plus the
//! chains below hidden subtotals), and the product `δ_0 ⊗ ... ⊗ δ_k`
//! satisfies every relation of the table. With no chains needed (flat
//! dimensions, leaf cells paired with leaf siblings) it is the classical
//! `2^k`-corner cube.
//!
//! # Choosing
//! Per dimension the candidate paths are ranked by the cost of their cells
//! on the cell's own axis; the best few per dimension (see
//! [`HypercubeOptions::max_paths_per_dim`]) are combined and every
//! combination is priced in full: a cell already hidden costs nothing (cubes
//! share corners, which is what keeps the method's over-suppression down),
//! another primary costs [`HypercubeOptions::primary_corner_cost`], any
//! other cell `cost + 1` (so that even a free cell counts as one more hidden
//! cell), a forced-publish cell rules the cube out. With
//! [`HypercubeOptions::nonnegative`] a cube is also ruled out unless the
//! primary can move by one along it with every cell staying non-negative
//! (all cells on one side of the signs have a positive count). Below a
//! subtotal the path first follows the cheapest child at each level; when
//! no cube of those is acceptable (the cheapest children of two dimensions
//! can meet at a shown zero), every child of the first level is tried, and
//! the combinations are widened before giving up. Primaries
//! are protected top-down (cells with the most totals among their
//! coordinates first), ties by var.
//!
//! # The fixpoint
//! Then every relation with exactly one hidden cell (an equality to a cell
//! hidden in another table, a relation outside the layouts) is repaired: a
//! cell of a table gets a cube of its own, any other cell a partner (the
//! cheapest published cell of the relation). A cell hidden because it is
//! equal to a primary is protected like a primary. Repeats until stable.
//!
//! # What is guaranteed
//! - Every primary and forced-suppress cell is hidden, no forced-publish
//!   cell is, and every relation with a hidden cell other than a
//!   forced-suppress cell (which needs no protection) has at least two
//!   hidden cells.
//! - For a table whose layout matches its relations and whose cells are in
//!   no other relation: every primary cell is in a hidden cube that is a
//!   perturbation of the table keeping every relation and every published
//!   cell, so it is not a function of the published cells; with
//!   `nonnegative`, moving along the cube by one keeps every cell a
//!   non-negative integer, so not even an attacker who uses non-negativity
//!   and integrality can pin it.
//!
//! - The cube is ruled out only by forced-publish cells (and cells equal to
//!   one); when no cube lets a primary move with all cells non-negative it
//!   is protected by the cheapest cube anyway and counted in
//!   [`Stats::unmovable_cubes`].
//!
//! Not guaranteed: the same for linked tables (each table's cubes are
//! perturbations of that table, but cells tied to other tables need not
//! move together, and random linked pairs occasionally leave a primary
//! computable), singleton protection (the cube moves all its corners
//! together, so the person of a count-1 corner can work out the others:
//! use [`crate::gauss()`] or the repair pass), protection intervals of a
//! given width, and minimality: the method hides more cells than
//! [`crate::gauss()`], increasingly with the size of the table (figures in
//! `benches/RESULTS.md`). It is meant for speed on very large tables.

use std::collections::VecDeque;

use discreet_audit::{Adjacency, RelationKind, TableLayout, Var};

use crate::outcome::{check_lengths, secondaries, Stats, SuppressError, Suppression};
use crate::problem::{Problem, Role};

const NONE: u32 = u32::MAX;

/// Options of [`hypercube()`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HypercubeOptions {
    /// Candidate paths kept per dimension before the combinations are
    /// priced; 0 (the default) picks by the number of dimensions k: 16, 8,
    /// 5, 4, then 3 for k >= 5, so that at most a few hundred cubes are
    /// priced per cell.
    pub max_paths_per_dim: usize,
    /// Price of using another primary cell as a corner (default 1, the
    /// price of hiding one free cell): primaries are hidden anyway, but a
    /// small primary limits how far the cube can move.
    pub primary_corner_cost: u64,
    /// Only accept cubes along which the primary can move by one with every
    /// cell non-negative (default on).
    pub nonnegative: bool,
}

impl Default for HypercubeOptions {
    fn default() -> Self {
        HypercubeOptions {
            max_paths_per_dim: 0,
            primary_corner_cost: 1,
            nonnegative: true,
        }
    }
}

/// One table's geometry, checked, with what the method derives from it.
struct Geometry<'a> {
    layout: &'a TableLayout,
    offset: usize,
    strides: Vec<usize>,
    sizes: Vec<usize>,
    /// Per dimension, the parent of each node (`NONE` for the total).
    parent: Vec<Vec<u32>>,
    /// Per dimension, each node's number of levels below the total.
    depth: Vec<Vec<u32>>,
}

impl<'a> Geometry<'a> {
    fn new(t: usize, layout: &'a TableLayout, n_vars: usize) -> Result<Self, SuppressError> {
        let bad = |reason: String| SuppressError::Layout { table: t, reason };
        let sizes = layout.sizes();
        if sizes.is_empty() || sizes.contains(&0) {
            return Err(bad("every dimension needs at least its total".into()));
        }
        let cells = sizes
            .iter()
            .try_fold(1usize, |a, &s| a.checked_mul(s))
            .ok_or_else(|| bad("too many cells".into()))?;
        let offset = layout.offset as usize;
        if offset.checked_add(cells).is_none_or(|end| end > n_vars) {
            return Err(bad(format!(
                "cells {offset}..{} are not all vars of the system ({n_vars})",
                offset.saturating_add(cells)
            )));
        }
        let mut parent = Vec::with_capacity(sizes.len());
        let mut depth = Vec::with_capacity(sizes.len());
        for (d, kids) in layout.children.iter().enumerate() {
            let (par, dep) = tree(kids).map_err(|e| bad(format!("dimension {d}: {e}")))?;
            parent.push(par);
            depth.push(dep);
        }
        Ok(Geometry {
            layout,
            offset,
            strides: layout.strides(),
            sizes,
            parent,
            depth,
        })
    }

    fn children(&self, d: usize, node: u32) -> &[u32] {
        &self.layout.children[d][node as usize]
    }

    fn coords(&self, v: usize, out: &mut Vec<u32>) {
        self.layout.coords_into(v - self.offset, out);
    }
}

/// The parent and depth of every node of a dimension, checking that its
/// children lists make one tree.
fn tree(kids: &[Vec<u32>]) -> Result<(Vec<u32>, Vec<u32>), String> {
    let size = kids.len();
    let mut par = vec![NONE; size];
    for (p, ch) in kids.iter().enumerate() {
        for &c in ch {
            if c as usize >= size {
                return Err(format!("child {c} of node {p} is not a node"));
            }
            if par[c as usize] != NONE {
                return Err(format!("node {c} has more than one parent"));
            }
            par[c as usize] = p as u32;
        }
    }
    // The total is the one node that is nobody's child; a node not reached
    // from it is not under it (a cycle or a second root).
    let mut roots = (0..size).filter(|&i| par[i] == NONE);
    let root = match (roots.next(), roots.next()) {
        (Some(r), None) => r,
        _ => return Err("expected exactly one total (a node that is nobody's child)".into()),
    };
    let mut dep = vec![NONE; size];
    dep[root] = 0;
    let mut stack = vec![root as u32];
    while let Some(p) = stack.pop() {
        for &c in &kids[p as usize] {
            dep[c as usize] = dep[p as usize] + 1;
            stack.push(c);
        }
    }
    if let Some(x) = dep.iter().position(|&x| x == NONE) {
        return Err(format!("node {x} is not under the total"));
    }
    Ok((par, dep))
}

/// The mutable state of the method.
struct State<'p, 'a> {
    problem: &'p Problem<'a>,
    options: &'p HypercubeOptions,
    hidden: Vec<bool>,
    /// Hidden cells per relation.
    rel_hidden: Vec<u32>,
    /// Relations of each var.
    adjacency: Adjacency,
    singles: VecDeque<u32>,
    /// Forced-publish cells and the cells equal to one (hiding them would
    /// hide the forced cell).
    must_publish: Vec<bool>,
    stats: Stats,
}

impl State<'_, '_> {
    fn hide(&mut self, v: usize) {
        if self.hidden[v] {
            return;
        }
        self.hidden[v] = true;
        for &r in self.adjacency.of(v as Var) {
            let r = r as usize;
            self.rel_hidden[r] += 1;
            if self.rel_hidden[r] == 1 {
                self.singles.push_back(r as u32);
            }
        }
    }

    /// Price of `v` as a cube cell for `center`; `None` when it may not be
    /// hidden.
    fn price(&self, v: usize, center: usize) -> Option<u64> {
        if v == center {
            return Some(0);
        }
        if self.must_publish[v] {
            return None;
        }
        match self.problem.roles[v] {
            Role::Primary => Some(self.options.primary_corner_cost),
            _ if self.hidden[v] => Some(0),
            _ => Some(self.problem.cost[v].saturating_add(1)),
        }
    }
}

/// Candidate paths of one dimension, flat: path `i` is
/// `nodes[range[i].0..range[i].1]`, first node the cell's own.
#[derive(Default)]
struct Paths {
    nodes: Vec<(u32, i8)>,
    range: Vec<(usize, usize, u64)>,
}

/// Secondary suppression by the hypercube method (see the module notes).
/// `tables` gives the geometry of the tables whose cells get cubes; cells in
/// no layout are protected by the relation fixpoint only. Deterministic.
///
/// Errors: [`SuppressError::LengthMismatch`], [`SuppressError::Layout`]
/// (a layout outside the system, a dimension whose nodes are not one tree
/// under a total, a cell in two layouts) and [`SuppressError::NoProtection`] (no cube
/// or partner avoids the forced-publish cells).
pub fn hypercube(
    problem: &Problem,
    tables: &[TableLayout],
    options: &HypercubeOptions,
) -> Result<Suppression, SuppressError> {
    let n = check_lengths(problem)?;
    let sys = problem.system;
    let geos: Vec<Geometry> = tables
        .iter()
        .enumerate()
        .map(|(t, l)| Geometry::new(t, l, n))
        .collect::<Result<_, _>>()?;
    let mut table_of = vec![NONE; n];
    for (t, g) in geos.iter().enumerate() {
        let cells: usize = g.sizes.iter().product();
        for (i, slot) in table_of[g.offset..g.offset + cells].iter_mut().enumerate() {
            if *slot != NONE {
                return Err(SuppressError::Layout {
                    table: t,
                    reason: format!("var {} is also in layout {slot}", g.offset + i),
                });
            }
            *slot = t as u32;
        }
    }

    let m = sys.n_relations();
    let must_publish = published_with_forced(problem);
    let mut st = State {
        problem,
        options,
        hidden: vec![false; n],
        rel_hidden: vec![0; m],
        adjacency: Adjacency::new(sys),
        singles: VecDeque::new(),
        must_publish,
        stats: Stats::default(),
    };
    // Cells that need a cube that lets them move (primaries and cells equal
    // to one), and cells that have had their cube.
    let mut protect = vec![false; n];
    let mut cubed = vec![false; n];
    for (v, role) in problem.roles.iter().enumerate() {
        match role {
            Role::Primary => {
                protect[v] = true;
                st.hide(v);
            }
            Role::ForcedSuppress => st.hide(v),
            _ => {}
        }
    }

    // Top-down: fewest levels below the totals first.
    let mut coords = Vec::new();
    let mut todo: Vec<(u32, u32)> = Vec::new();
    for v in 0..n {
        if protect[v] && table_of[v] != NONE {
            let g = &geos[table_of[v] as usize];
            g.coords(v, &mut coords);
            let level: u32 = coords
                .iter()
                .enumerate()
                .map(|(d, &x)| g.depth[d][x as usize])
                .sum();
            todo.push((level, v as u32));
        }
    }
    todo.sort_unstable();
    let mut cubes: VecDeque<u32> = todo.into_iter().map(|(_, v)| v).collect();

    let mut cube = CubeSearch::default();
    loop {
        if let Some(v) = cubes.pop_front() {
            let vi = v as usize;
            if cubed[vi] {
                continue;
            }
            cubed[vi] = true;
            let g = &geos[table_of[vi] as usize];
            cube.place(&mut st, g, vi, protect[vi])?;
            continue;
        }
        let Some(r) = st.singles.pop_front() else {
            break;
        };
        let r = r as usize;
        if st.rel_hidden[r] != 1 {
            continue;
        }
        let rel = sys.relation(r);
        let cells = || rel.cells();
        let x = cells()
            .find(|&v| st.hidden[v as usize])
            .expect("one hidden cell") as usize;
        if problem.roles[x] == Role::ForcedSuppress && !protect[x] {
            // Needs no protection of its own.
            continue;
        }
        let t = table_of[x];
        if t != NONE && !cubed[x] && is_line(&geos[t as usize], &table_of, t, sys, r) {
            cubes.push_back(x as u32);
            continue;
        }
        let partner = cells()
            .filter(|&v| !st.hidden[v as usize] && !st.must_publish[v as usize])
            .min_by_key(|&v| (problem.cost[v as usize], v));
        let Some(y) = partner else {
            return Err(SuppressError::NoProtection { var: x as Var });
        };
        let y = y as usize;
        st.hide(y);
        st.stats.fixpoint_hidden += 1;
        // A cell equal to a protected cell is that cell published again.
        if rel.parts.len() == 1 && protect[x] {
            protect[y] = true;
        }
        if table_of[y] != NONE && protect[y] {
            cubes.push_back(y as u32);
        }
    }

    let hidden = st.hidden;
    Ok(Suppression {
        secondary: secondaries(problem, &hidden),
        hidden,
        stats: st.stats,
    })
}

/// The forced-publish cells and every cell tied to one by a chain of
/// equalities (additive relations with one part), by union-find.
fn published_with_forced(problem: &Problem) -> Vec<bool> {
    let n = problem.roles.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let p = parent[x as usize];
            parent[x as usize] = parent[p as usize];
            x = parent[x as usize];
        }
        x
    }
    for rel in problem.system.relations() {
        if rel.kind == RelationKind::Additive && rel.parts.len() == 1 {
            let (a, b) = (
                find(&mut parent, rel.total),
                find(&mut parent, rel.parts[0]),
            );
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    let mut forced_root = vec![false; n];
    for v in 0..n as u32 {
        if problem.roles[v as usize] == Role::ForcedPublish {
            let r = find(&mut parent, v);
            forced_root[r as usize] = true;
        }
    }
    (0..n as u32)
        .map(|v| forced_root[find(&mut parent, v) as usize])
        .collect()
}

/// Whether relation `r` is a line of table `t`: a node and its children
/// along one dimension, the other coordinates fixed.
fn is_line(g: &Geometry, table_of: &[u32], t: u32, sys: &discreet_audit::System, r: usize) -> bool {
    let rel = sys.relation(r);
    if rel.cells().any(|v| table_of[v as usize] != t) {
        return false;
    }
    let (mut tc, mut pc) = (Vec::new(), Vec::new());
    g.coords(rel.total as usize, &mut tc);
    g.coords(rel.parts[0] as usize, &mut pc);
    let diff: Vec<usize> = (0..tc.len()).filter(|&d| tc[d] != pc[d]).collect();
    let [d] = diff[..] else {
        return false;
    };
    let node = tc[d];
    if rel.parts.len() != g.children(d, node).len() {
        return false;
    }
    rel.parts.iter().all(|&p| {
        g.coords(p as usize, &mut pc);
        (0..tc.len()).all(|e| {
            if e == d {
                g.parent[d][pc[e] as usize] == node
            } else {
                pc[e] == tc[e]
            }
        })
    })
}

/// Scratch for choosing cubes, reused across cells.
#[derive(Default)]
struct CubeSearch {
    coords: Vec<u32>,
    paths: Vec<Paths>,
    /// Active dimensions (more than one node).
    active: Vec<usize>,
    /// Paths per active dimension, best first (indices into `paths`).
    ranked: Vec<Vec<usize>>,
    /// Kept paths per active dimension, as (offset delta, sign) lists.
    kept: Vec<Vec<Vec<(isize, i8)>>>,
    cells: Vec<(isize, i8)>,
    best: Vec<usize>,
    pick: Vec<usize>,
}

impl CubeSearch {
    /// Chooses and hides the cube of cell `v` of table `g`.
    fn place(
        &mut self,
        st: &mut State,
        g: &Geometry,
        v: usize,
        protect: bool,
    ) -> Result<(), SuppressError> {
        g.coords(v, &mut self.coords);
        let k = g.sizes.len();
        self.active.clear();
        self.active.extend((0..k).filter(|&d| g.sizes[d] > 1));
        let ka = self.active.len();
        if ka == 0 {
            // A one-cell table: nothing to pair with; the fixpoint handles
            // any relation outside it.
            return Ok(());
        }
        let keep = match st.options.max_paths_per_dim {
            0 => match ka {
                1 => 16,
                2 => 8,
                3 => 5,
                4 => 4,
                _ => 3,
            },
            m => m,
        };
        // A cube that lets the primary move, from the cheapest chains below
        // subtotals; then from every first step down (the cheapest chains,
        // picked one dimension at a time, may meet at an empty cell that
        // must stay published); as a last resort a cube it cannot move
        // along.
        let need_move = protect && st.options.nonnegative;
        self.enumerate(st, g, v, false)?;
        let mut found = self.search_widening(st, g, v, need_move, keep);
        if !found && self.enumerate(st, g, v, true)? {
            found = self.search_widening(st, g, v, need_move, keep);
        }
        if !found {
            if !(need_move && self.search_widening(st, g, v, false, keep)) {
                return Err(SuppressError::NoProtection { var: v as Var });
            }
            st.stats.unmovable_cubes += 1;
        }
        let mut cells = std::mem::take(&mut self.cells);
        self.product(&self.best.clone(), &mut cells);
        for &(off, _) in &cells {
            st.hide((v as isize + off) as usize);
        }
        self.cells = cells;
        st.stats.cubes += 1;
        Ok(())
    }

    /// Enumerates and ranks the candidate paths of every active dimension
    /// (see [`enumerate_paths`]). Returns whether any dimension has more
    /// paths with `every_first_step` than without.
    fn enumerate(
        &mut self,
        st: &State,
        g: &Geometry,
        v: usize,
        every_first_step: bool,
    ) -> Result<bool, SuppressError> {
        let ka = self.active.len();
        self.paths.resize_with(ka, Paths::default);
        self.kept.resize_with(ka, Vec::new);
        self.ranked.resize_with(ka, Vec::new);
        let mut more = false;
        for (ai, &d) in self.active.iter().enumerate() {
            let paths = &mut self.paths[ai];
            let before = paths.range.len();
            enumerate_paths(st, g, v, &self.coords, d, every_first_step, paths);
            more |= paths.range.len() > before;
            let ranked = &mut self.ranked[ai];
            ranked.clear();
            ranked.extend(0..paths.range.len());
            ranked.sort_by_key(|&i| (paths.range[i].2, i));
            if ranked.is_empty() {
                return Err(SuppressError::NoProtection { var: v as Var });
            }
        }
        Ok(more)
    }

    /// Prices the combinations of the best few paths per dimension (`keep`
    /// each); when none is acceptable, widens (doubling) while the number
    /// of combinations stays reasonable. Returns whether `best` holds one.
    fn search_widening(
        &mut self,
        st: &State,
        g: &Geometry,
        v: usize,
        need_move: bool,
        keep: usize,
    ) -> bool {
        let ka = self.active.len();
        let mut width = keep;
        loop {
            self.keep_best(g, width);
            if self.search(st, v, need_move) {
                return true;
            }
            let full = (0..ka).all(|ai| self.kept[ai].len() == self.ranked[ai].len());
            let next: f64 = (0..ka)
                .map(|ai| (2 * width).min(self.ranked[ai].len()) as f64)
                .product();
            if full || next > MAX_COMBINATIONS {
                return false;
            }
            width *= 2;
        }
    }

    /// Keeps the `width` best-ranked paths of each active dimension, as
    /// (var offset, sign) lists.
    fn keep_best(&mut self, g: &Geometry, width: usize) {
        for (ai, &d) in self.active.iter().enumerate() {
            let paths = &self.paths[ai];
            let kept = &mut self.kept[ai];
            kept.clear();
            let x = self.coords[d] as isize;
            for &i in self.ranked[ai].iter().take(width) {
                let (s, e, _) = paths.range[i];
                kept.push(
                    paths.nodes[s..e]
                        .iter()
                        .map(|&(node, sign)| ((node as isize - x) * g.strides[d] as isize, sign))
                        .collect(),
                );
            }
        }
    }

    /// The cells of the cube made of kept paths `pick` (offsets from the
    /// cell, signs), the cell itself first.
    fn product(&self, pick: &[usize], cells: &mut Vec<(isize, i8)>) {
        cells.clear();
        cells.push((0, 1));
        for (ai, &p) in pick.iter().enumerate() {
            let path = &self.kept[ai][p];
            let before = cells.len();
            for i in 0..before {
                let (off, sign) = cells[i];
                for &(delta, s) in &path[1..] {
                    cells.push((off + delta, sign * s));
                }
            }
        }
    }

    /// Prices every combination of kept paths; the cheapest acceptable one
    /// goes to `best`. Returns whether there is one.
    fn search(&mut self, st: &State, v: usize, need_move: bool) -> bool {
        let ka = self.kept.len().min(self.active.len());
        let mut best_cost = u64::MAX;
        self.best.clear();
        self.pick.clear();
        self.pick.resize(ka, 0);
        let mut cells = std::mem::take(&mut self.cells);
        loop {
            self.product(&self.pick, &mut cells);
            let mut cost = 0u64;
            let (mut up_ok, mut down_ok) = (true, true);
            let mut feasible = true;
            for &(off, sign) in &cells {
                let c = (v as isize + off) as usize;
                match st.price(c, v) {
                    None => {
                        feasible = false;
                        break;
                    }
                    Some(p) => cost = cost.saturating_add(p),
                }
                if cost >= best_cost {
                    feasible = false;
                    break;
                }
                if need_move && st.problem.counts[c] == 0 {
                    // Moving the primary up lowers the cells of sign -1,
                    // moving it down those of sign +1.
                    if sign < 0 {
                        up_ok = false;
                    } else {
                        down_ok = false;
                    }
                    if !up_ok && !down_ok {
                        feasible = false;
                        break;
                    }
                }
            }
            if feasible {
                best_cost = cost;
                self.best.clone_from(&self.pick);
            }
            // Next combination (odometer, last dimension fastest).
            let mut ai = ka;
            let done = loop {
                if ai == 0 {
                    break true;
                }
                ai -= 1;
                self.pick[ai] += 1;
                if self.pick[ai] < self.kept[ai].len() {
                    break false;
                }
                self.pick[ai] = 0;
            };
            if done {
                break;
            }
        }
        self.cells = cells;
        !self.best.is_empty()
    }
}

/// Widening stops before the combinations to price exceed this.
const MAX_COMBINATIONS: f64 = 250_000.0;

/// The candidate paths of dimension `d` through the node of cell `v` (see
/// the module notes), each priced by its cells on `v`'s axis; paths through
/// a forced-publish cell are left out. Below a subtotal node the path goes
/// down its cheapest chain, or with `every_first_step` down each child in
/// turn (then the cheapest chain below it).
fn enumerate_paths(
    st: &State,
    g: &Geometry,
    v: usize,
    coords: &[u32],
    d: usize,
    every_first_step: bool,
    out: &mut Paths,
) {
    out.nodes.clear();
    out.range.clear();
    let x = coords[d];
    let stride = g.strides[d] as isize;
    let cell = |node: u32| (v as isize + (node as isize - x as isize) * stride) as usize;
    let price = |node: u32| st.price(cell(node), v);
    // Cheapest child at each level down to a leaf.
    let chain = |from: u32, sign: i8, nodes: &mut Vec<(u32, i8)>| -> Option<u64> {
        let mut total = 0u64;
        let mut at = from;
        loop {
            let kids = g.children(d, at);
            if kids.is_empty() {
                return Some(total);
            }
            let (c, p) = kids
                .iter()
                .map(|&c| (c, price(c)))
                .filter_map(|(c, p)| p.map(|p| (c, p)))
                .min_by_key(|&(c, p)| (p, c))?;
            nodes.push((c, sign));
            total = total.saturating_add(p);
            at = c;
        }
    };
    let par = g.parent[d][x as usize];
    if par == NONE {
        // The total: down through each child in turn.
        for &c in g.children(d, x) {
            let Some(pc) = price(c) else { continue };
            let s = out.nodes.len();
            out.nodes.push((x, 1));
            out.nodes.push((c, 1));
            match chain(c, 1, &mut out.nodes) {
                Some(rest) => out
                    .range
                    .push((s, out.nodes.len(), pc.saturating_add(rest))),
                None => out.nodes.truncate(s),
            }
        }
        return;
    }
    // The cell's own branch down to a leaf: the cheapest, or one per child.
    let mut bases: Vec<(Vec<(u32, i8)>, u64)> = Vec::new();
    let kids = g.children(d, x);
    if every_first_step && kids.len() > 1 {
        for &c in kids {
            let mut base = vec![(x, 1), (c, 1)];
            if let (Some(pc), Some(rest)) = (price(c), chain(c, 1, &mut base)) {
                bases.push((base, pc.saturating_add(rest)));
            }
        }
    } else {
        let mut base = vec![(x, 1)];
        if let Some(cost) = chain(x, 1, &mut base) {
            bases.push((base, cost));
        }
    }
    for (base, base_cost) in &bases {
        // Up to the total.
        let s = out.nodes.len();
        out.nodes.extend_from_slice(base);
        let mut cost = Some(*base_cost);
        let mut at = par;
        while at != NONE {
            cost = cost.and_then(|c| price(at).map(|p| c.saturating_add(p)));
            out.nodes.push((at, 1));
            at = g.parent[d][at as usize];
        }
        match cost {
            Some(c) => out.range.push((s, out.nodes.len(), c)),
            None => out.nodes.truncate(s),
        }
        // Across to a sibling and down.
        for &sib in g.children(d, par) {
            if sib == x {
                continue;
            }
            let s = out.nodes.len();
            out.nodes.extend_from_slice(base);
            let Some(ps) = price(sib) else {
                out.nodes.truncate(s);
                continue;
            };
            out.nodes.push((sib, -1));
            match chain(sib, -1, &mut out.nodes) {
                Some(rest) => out.range.push((
                    s,
                    out.nodes.len(),
                    base_cost.saturating_add(ps).saturating_add(rest),
                )),
                None => out.nodes.truncate(s),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::table;
    use discreet_audit::synthetic::Dim;

    /// The candidate paths of a subtotal node: down its cheapest chain, then
    /// up to the total or across to a sibling and down its cheapest chain.
    #[test]
    fn paths_of_a_subtotal() {
        // One dimension: leaves 0..=3, groups 4 = {0, 1} and 5 = {2, 3},
        // total 6.
        let mut leaves = [10u64, 20, 30, 5].into_iter();
        let t = table(&[Dim::grouped(4, 2)], || leaves.next().unwrap());
        let p = Problem {
            system: &t.system,
            counts: &t.counts,
            roles: vec![Role::Candidate; 7],
            cost: t.counts.clone(),
        };
        let g = Geometry::new(0, &t.layout, 7).unwrap();
        let opts = HypercubeOptions::default();
        let st = State {
            problem: &p,
            options: &opts,
            hidden: vec![false; 7],
            rel_hidden: Vec::new(),
            adjacency: Adjacency::new(&t.system),
            singles: VecDeque::new(),
            must_publish: vec![false; 7],
            stats: Stats::default(),
        };
        let mut out = Paths::default();
        enumerate_paths(&st, &g, 4, &[4], 0, false, &mut out);
        let paths: Vec<(Vec<(u32, i8)>, u64)> = out
            .range
            .iter()
            .map(|&(s, e, c)| (out.nodes[s..e].to_vec(), c))
            .collect();
        assert_eq!(
            paths,
            vec![
                // Group 4 down to its cheaper leaf (node 0, count 10), up to
                // the total (65).
                (vec![(4, 1), (0, 1), (6, 1)], 11 + 66),
                // Across to group 5 (35) and down to its cheaper leaf (5).
                (vec![(4, 1), (0, 1), (5, -1), (3, -1)], 11 + 36 + 6),
            ]
        );
    }

    /// A subtotal primary whose cheapest chains (one per dimension) meet at
    /// an empty leaf: every cube through that pair of chains would hide a
    /// shown zero, so the method must try the other first steps down.
    #[test]
    fn chains_that_meet_at_a_zero_are_replaced() {
        // Two dimensions of 6 leaves in 2 groups of 3 (nodes 0..=5 leaves,
        // 6 and 7 groups, 8 the total). The block under (group 6, group 6):
        // row sums 20, 40, 40 and column sums 20, 40, 40, so the cheapest
        // chains are row 0 and column 0, whose cell is 0.
        let block = [[0u64, 10, 10], [10, 0, 30], [10, 30, 0]];
        let (mut r, mut c) = (0, 0);
        let t = table(&[Dim::grouped(6, 2), Dim::grouped(6, 2)], || {
            let n = if r < 3 && c < 3 { block[r][c] } else { 100 };
            c += 1;
            if c == 6 {
                (r, c) = (r + 1, 0);
            }
            n
        });
        let primary = t.layout.cell(&[6, 6]);
        assert_eq!(t.counts[primary], 100);
        let roles: Vec<Role> = (0..t.counts.len())
            .map(|v| match t.counts[v] {
                _ if v == primary => Role::Primary,
                0 => Role::ForcedPublish,
                _ => Role::Candidate,
            })
            .collect();
        let p = Problem {
            system: &t.system,
            counts: &t.counts,
            cost: t.counts.clone(),
            roles,
        };
        let s = hypercube(
            &p,
            std::slice::from_ref(&t.layout),
            &HypercubeOptions::default(),
        )
        .expect("a cube through other first steps exists");
        assert!(s.hidden[primary]);
        for v in 0..t.counts.len() {
            assert!(
                !(s.hidden[v] && t.counts[v] == 0),
                "a shown zero was hidden"
            );
        }
        for rel in t.system.relations() {
            let hidden = rel.cells().filter(|&v| s.hidden[v as usize]).count();
            assert!(hidden != 1, "a relation with one hidden cell");
        }
    }

    #[test]
    fn relations_are_recognised_as_lines() {
        let t = table(&[Dim::flat(2), Dim::flat(3)], || 1);
        let g = Geometry::new(0, &t.layout, t.counts.len()).unwrap();
        let table_of = vec![0u32; t.counts.len()];
        for r in 0..t.system.n_relations() {
            assert!(is_line(&g, &table_of, 0, &t.system, r));
        }
        // Not a line of another table.
        assert!(!is_line(&g, &table_of, 1, &t.system, 0));
    }
}
