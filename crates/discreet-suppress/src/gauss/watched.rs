//! The rows' entries at watched cells (primaries and count-1 cells), kept
//! out of the row operations.
//!
//! A watched cell is never pivoted on and its entries never cancel in
//! practice, yet late in the elimination more than half of every row's
//! entries are at such cells: copying them through every row operation was
//! most of the cost. The checks need them only through the fingerprints
//! (see [`super::elim`]), which change by the pivot's watched entries
//! alone. So a row's watched part is stored as its value at some point
//! (`base`) plus the row operations applied since (`pending`: the row lost
//! `alpha` times a pivot's watched part, kept once per pivot as a
//! snapshot), and summed only when the row becomes a pivot (on a large
//! decision, partly on the worker). A snapshot is freed when no pending
//! operation refers to it any more.

use std::sync::Arc;

use crate::modp::{add, mul, neg};

/// Sparse vector: (var, non-zero coefficient).
pub(super) type Entries = Vec<(u32, u64)>;

/// A pivot's watched part: dense numbers, then coefficients (shared with
/// the worker while it sums a [`Part`]).
type Snapshot = Arc<(Box<[u32]>, Box<[u64]>)>;

/// Value of `None` as a snapshot id: the pivot had no watched entry.
pub(super) const NO_SNAPSHOT: u32 = u32::MAX;

/// The watched parts of the rows (see the module notes). Watched cells are
/// numbered densely here, so that the accumulator of a materialization
/// (one word per watched cell) stays in cache.
pub(super) struct Watched {
    /// Per dense number, the var.
    var_of: Vec<u32>,
    /// Per row, its watched part (dense numbers) as of its last
    /// materialization (the initial basis at first).
    base: Vec<Entries>,
    /// Per row, the row operations applied since: (snapshot, alpha).
    pending: Vec<Vec<(u32, u64)>>,
    /// Pivots' watched parts by id (dense numbers, then coefficients: a
    /// sum reads 12 bytes an entry), while some pending operation refers
    /// to them (`None` afterwards).
    snapshots: Vec<Option<Snapshot>>,
    /// Per snapshot, the pending operations that refer to it.
    refs: Vec<u32>,
    /// Dense accumulator of a materialization, zero between them.
    acc: Vec<u64>,
    /// Dense numbers touched by the current materialization, in the order
    /// first touched: a number goes in whenever its sum is zero before
    /// the term, so one whose sum cancels and comes back is listed twice
    /// (the output takes the first and zeroes the sum). This spares a
    /// second dense array read at every term.
    touched: Vec<u32>,
    /// The last materialization's result, by dense number.
    last: Entries,
}

impl Watched {
    /// Rows' watched parts from `base` (one per row, by var) for the
    /// watched cells `watched`.
    pub fn new(watched: &[bool], base: Vec<Entries>) -> Self {
        let mut id_of = vec![u32::MAX; watched.len()];
        let mut var_of = Vec::new();
        for (v, _) in watched.iter().enumerate().filter(|w| *w.1) {
            id_of[v] = var_of.len() as u32;
            var_of.push(v as u32);
        }
        let base = base
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(v, x)| (id_of[v as usize], x))
                    .collect()
            })
            .collect::<Vec<Entries>>();
        let m = var_of.len();
        Watched {
            pending: vec![Vec::new(); base.len()],
            base,
            var_of,
            snapshots: Vec::new(),
            refs: Vec::new(),
            acc: vec![0; m],
            touched: Vec::new(),
            last: Vec::new(),
        }
    }

    /// Sums the watched part of row `r` now (but for the pending
    /// operations moved to a [`Part`] by [`Watched::split_off`]), to be
    /// read by [`Watched::finish`]. Consumes the row's pending operations:
    /// the row must then be [`Watched::keep_last`] or
    /// [`Watched::clear`]ed.
    pub fn materialize(&mut self, r: u32) {
        self.touched.clear();
        let base = std::mem::take(&mut self.base[r as usize]);
        for &(p, x) in &base {
            self.acc[p as usize] = x;
            self.touched.push(p);
        }
        let pending = std::mem::take(&mut self.pending[r as usize]);
        for &(s, alpha) in &pending {
            let (ids, coefs) = &**self.snapshots[s as usize].as_ref().expect("referred to");
            add_terms(&mut self.acc, &mut self.touched, ids, coefs, neg(alpha));
            self.release(s);
        }
        // Keep the allocations for the row's next life.
        self.base[r as usize] = reuse(base);
        self.pending[r as usize] = reuse(pending);
    }

    /// Moves the last pending operations of row `r`, about `want` entries
    /// of them (fewer if the row has fewer), to `part`, to be summed
    /// elsewhere while [`Watched::materialize`] sums the rest. Summing
    /// the head here and the tail there, then adding the tail's sums in
    /// the order the tail first touched its cells, gives the same entries
    /// in the same order as one sum of all.
    pub fn split_off(&mut self, r: u32, want: usize, part: &mut Part) {
        part.terms.clear();
        part.acc.resize(self.acc.len(), 0);
        let pending = &mut self.pending[r as usize];
        let (mut moved, mut keep) = (0usize, pending.len());
        while keep > 0 && moved < want {
            keep -= 1;
            let (s, _) = pending[keep];
            moved += self.snapshots[s as usize]
                .as_ref()
                .expect("referred to")
                .0
                .len();
        }
        let tail: Vec<(u32, u64)> = pending.drain(keep..).collect();
        for (s, alpha) in tail {
            let snap = self.snapshots[s as usize].clone().expect("referred to");
            part.terms.push((snap, neg(alpha)));
            self.release(s);
        }
    }

    /// The watched part summed by [`Watched::materialize`] plus `part`'s
    /// (summed by [`Part::sum`]), into `out` (by var, non-zero).
    pub fn finish(&mut self, part: &mut Part, out: &mut Entries) {
        if !part.terms.is_empty() {
            part.sum();
        }
        for &p in &part.touched {
            let x = std::mem::take(&mut part.acc[p as usize]);
            if x != 0 {
                let a = &mut self.acc[p as usize];
                if *a == 0 {
                    self.touched.push(p);
                }
                *a = add(*a, x);
            }
        }
        part.touched.clear();
        out.clear();
        self.last.clear();
        for &p in &self.touched {
            let a = std::mem::take(&mut self.acc[p as usize]);
            if a != 0 {
                self.last.push((p, a));
                out.push((self.var_of[p as usize], a));
            }
        }
    }

    /// Entries that [`Watched::materialize`] would read for row `r`.
    pub fn pending_work(&self, r: u32) -> usize {
        let pending = &self.pending[r as usize];
        self.base[r as usize].len()
            + pending
                .iter()
                .map(|&(s, _)| self.snapshots[s as usize].as_ref().map_or(0, |x| x.0.len()))
                .sum::<usize>()
    }

    /// Sets the watched part of row `r` to the last materialization's.
    pub fn keep_last(&mut self, r: u32) {
        let b = &mut self.base[r as usize];
        b.clear();
        b.extend_from_slice(&self.last);
    }

    /// Forgets row `r` (it left the basis, or no row operation will touch
    /// it again): its pending operations release their snapshots.
    pub fn clear(&mut self, r: u32) {
        let pending = std::mem::take(&mut self.pending[r as usize]);
        for &(s, _) in &pending {
            self.release(s);
        }
        self.base[r as usize] = Vec::new();
    }

    /// Stores the last materialization as a pivot's watched part;
    /// [`NO_SNAPSHOT`] when it is empty (nothing to subtract).
    pub fn snapshot_last(&mut self) -> u32 {
        if self.last.is_empty() {
            return NO_SNAPSHOT;
        }
        let ids = self.last.iter().map(|e| e.0).collect();
        let coefs = self.last.iter().map(|e| e.1).collect();
        self.snapshots.push(Some(Arc::new((ids, coefs))));
        self.refs.push(0);
        (self.snapshots.len() - 1) as u32
    }

    /// Row `r` lost `alpha` times snapshot `s`.
    pub fn push(&mut self, r: u32, s: u32, alpha: u64) {
        if s != NO_SNAPSHOT {
            self.refs[s as usize] += 1;
            self.pending[r as usize].push((s, alpha));
        }
    }

    /// Frees snapshot `s` if no row refers to it (all the rows it was
    /// subtracted from left the row operations).
    pub fn drop_if_unused(&mut self, s: u32) {
        if s != NO_SNAPSHOT && self.refs[s as usize] == 0 {
            self.snapshots[s as usize] = None;
        }
    }

    fn release(&mut self, s: u32) {
        let k = &mut self.refs[s as usize];
        *k -= 1;
        if *k == 0 {
            self.snapshots[s as usize] = None;
        }
    }
}

/// An emptied vector, its allocation kept unless it is large (a row's
/// next pending list is usually short; a large idle buffer per row would
/// add up).
fn reuse<T>(mut v: Vec<T>) -> Vec<T> {
    v.clear();
    if v.capacity() > 64 {
        v = Vec::new();
    }
    v
}

/// Part of a materialization, summed on the worker (see
/// [`Watched::split_off`]).
#[derive(Default)]
pub(super) struct Part {
    /// Pivots' watched parts and minus the multipliers they were
    /// subtracted with.
    terms: Vec<(Snapshot, u64)>,
    /// Dense accumulator, zero between sums.
    acc: Vec<u64>,
    /// Dense numbers touched, as in [`Watched`].
    touched: Vec<u32>,
}

impl Part {
    /// Sums the terms (and lets go of them).
    pub fn sum(&mut self) {
        for (snap, na) in self.terms.drain(..) {
            let (ids, coefs) = &*snap;
            add_terms(&mut self.acc, &mut self.touched, ids, coefs, na);
        }
    }
}

/// Adds `factor` times the sparse vector (`ids`, `coefs`) to the dense
/// `acc`, listing in `touched` each number whose sum was zero before.
fn add_terms(acc: &mut [u64], touched: &mut Vec<u32>, ids: &[u32], coefs: &[u64], factor: u64) {
    for (&p, &x) in ids.iter().zip(coefs.iter()) {
        let a = &mut acc[p as usize];
        if *a == 0 {
            touched.push(p);
        }
        *a = add(*a, mul(factor, x));
    }
}
