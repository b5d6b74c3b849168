//! The rows' entries at undecided cells, the row operations on them and
//! their bookkeeping.
//!
//! Rows live on two sides by parity of their number, each with its own
//! arena and its own lists of rows per cell, so that a decision's row
//! operations and their bookkeeping (which rows a cell's list holds, how
//! many are non-zero there) can be done by two threads, each owning one
//! side; each side sees its rows' operations in the same order with one
//! thread or two, so the state after a decision does not depend on the
//! thread count.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::watched::Part;
use crate::modp::{add, mul, neg, sub};
use crate::store::{Lists, Rows};

/// Lists up to this long lose a row as soon as the row loses their cell.
const SHORT_LIST: usize = 512;

/// The rows of one parity: row `r` at `r >> 1` of the arena.
#[derive(Default)]
pub(super) struct Side {
    rows: Rows,
    /// Per var, the rows of this side that may be non-zero at it (a
    /// superset: rows that lost the var or died stay until the list is
    /// cleaned up or the var decided), by row number.
    rows_of: Lists,
    /// Per var, the exact number of live rows of this side non-zero at it.
    nonzero_rows: Vec<u32>,
    /// Per var, the length of its list below which it is not cleaned up
    /// again (see [`Side::new_entry`]).
    clean_at: Vec<u32>,
    /// Per row, its random weights in the two fingerprints (see
    /// [`super::elim::Elim`]).
    weights: Vec<(u64, u64)>,
    /// Scratch: the mark of the rows seen by the current read of a list,
    /// to read each row once (see [`Rows::mark`]).
    row_epoch: u32,
    /// Scratch: the live rows of a var's list, which the list shrinks to.
    live_rows: Vec<u32>,
    /// Scratch: the row being written, and its new and cancelled cells.
    buf_vars: Vec<u32>,
    buf_coefs: Vec<u64>,
    fresh: Vec<u32>,
    cancelled: Vec<u32>,
}

/// What one side's row operations of a decision did.
#[derive(Default)]
pub(super) struct Done {
    /// Per row operation, in order: the row, its multiplier `alpha` and
    /// its new length (rows that had lost the cell are not listed).
    pub ops: Vec<(u32, u64, u32)>,
    /// `sum_r alpha_r w[r]` for both fingerprints' weights.
    pub k: (u64, u64),
    /// Entries of the rows after their operations (their new lengths,
    /// summed).
    pub entries: u64,
}

/// Both sides (see the module notes).
pub(super) struct Sides {
    side: [Side; 2],
}

impl Sides {
    /// Rows from one sparse vector per row (`row(r)`: increasing vars,
    /// non-zero coefficients, undecided cells only), with their
    /// fingerprint `weights`, over `n_vars` vars.
    pub fn new<'a>(
        n_rows: usize,
        n_vars: usize,
        weights: &[(u64, u64)],
        row: impl Fn(u32) -> (&'a [u32], &'a [u64]),
    ) -> Self {
        let build = |parity: u32| {
            let mut start = vec![0usize];
            let (mut vars, mut coefs) = (Vec::new(), Vec::new());
            let mut sizes = vec![0u32; n_vars];
            let mut w = Vec::new();
            for r in (parity..n_rows as u32).step_by(2) {
                let (v, c) = row(r);
                vars.extend_from_slice(v);
                coefs.extend_from_slice(c);
                start.push(vars.len());
                for &x in v {
                    sizes[x as usize] += 1;
                }
                w.push(weights[r as usize]);
            }
            let mut rows_of = Lists::with_sizes(&sizes);
            for r in (parity..n_rows as u32).step_by(2) {
                for &x in row(r).0 {
                    rows_of.push(x, r);
                }
            }
            Side {
                rows: Rows::new(start, vars, coefs),
                rows_of,
                nonzero_rows: sizes,
                clean_at: vec![0; n_vars],
                weights: w,
                ..Side::default()
            }
        };
        Sides {
            side: [build(0), build(1)],
        }
    }

    fn at(&self, r: u32) -> (&Rows, u32) {
        (&self.side[(r & 1) as usize].rows, r >> 1)
    }

    fn at_mut(&mut self, r: u32) -> (&mut Rows, u32) {
        (&mut self.side[(r & 1) as usize].rows, r >> 1)
    }

    pub fn len(&self, r: u32) -> usize {
        let (h, i) = self.at(r);
        h.len(i)
    }

    pub fn vars(&self, r: u32) -> &[u32] {
        let (h, i) = self.at(r);
        h.vars(i)
    }

    pub fn coefs(&self, r: u32) -> &[u64] {
        let (h, i) = self.at(r);
        h.coefs(i)
    }

    pub fn coef(&self, r: u32, v: u32) -> u64 {
        let (h, i) = self.at(r);
        h.coef(i, v)
    }

    pub fn write(&mut self, r: u32, vars: &[u32], coefs: &[u64]) {
        let (h, i) = self.at_mut(r);
        h.write(i, vars, coefs);
    }

    pub fn remove(&mut self, r: u32, v: u32) {
        let (h, i) = self.at_mut(r);
        h.remove(i, v);
    }

    pub fn kill(&mut self, r: u32) {
        let (h, i) = self.at_mut(r);
        h.kill(i);
    }

    /// Row `r`, about to leave the basis, no longer counts as non-zero at
    /// `vars` (its cells).
    pub fn uncount(&mut self, r: u32, vars: &[u32]) {
        let nonzero = &mut self.side[(r & 1) as usize].nonzero_rows;
        for &v in vars {
            nonzero[v as usize] -= 1;
        }
    }

    /// Entries in live rows.
    pub fn used(&self) -> usize {
        self.side[0].rows.used() + self.side[1].rows.used()
    }

    pub fn maybe_compact(&mut self) {
        for side in &mut self.side {
            side.rows.maybe_compact();
            side.rows_of.maybe_compact();
        }
    }

    /// The live rows listed at `v`, each once, side after side and in
    /// list order, into `out` (the rows non-zero at `v` and perhaps a few
    /// that lost it: reading each row's coefficient here would be a search
    /// in a cold row); the lists shrink to them.
    pub fn gather(&mut self, v: u32, out: &mut Vec<u32>) {
        out.clear();
        for side in &mut self.side {
            let from = out.len();
            side.row_epoch += 1;
            for &r in side.rows_of.list(v) {
                if side.rows.mark(r >> 1, side.row_epoch) {
                    out.push(r);
                }
            }
            side.rows_of.shrink_to(v, &out[from..]);
        }
    }

    /// Subtracts `alpha_r` times the pivot (`pivot`: its vars, its
    /// coefficients, the cell `c` being published and the inverse of the
    /// pivot's coefficient there; `alpha_r = row_r[c] / b[c]`) from every
    /// row `r` of `ops`, in place, with each side's bookkeeping; what
    /// each side did goes to `out[r & 1]`. With a `worker`, the odd rows
    /// and the sum of `part` are its job, and `meanwhile` runs on this
    /// thread while it works; otherwise `meanwhile` runs first (and
    /// `part`, if any, is left to its reader).
    pub fn eliminate(
        &mut self,
        ops: &[u32],
        pivot: (&[u32], &[u64], u32, u64),
        out: &mut [Done; 2],
        (worker, part): (Option<&Worker>, &mut Part),
        meanwhile: impl FnOnce(),
    ) {
        let odd = |r: &&u32| **r & 1 == 1;
        let even = |r: &&u32| **r & 1 == 0;
        let (pivot_vars, pivot_coefs, c, binv) = pivot;
        match worker {
            Some(worker) => {
                let mut job = worker.idle_job();
                job.side = std::mem::take(&mut self.side[1]);
                job.out = std::mem::take(&mut out[1]);
                job.part = std::mem::take(part);
                job.ops.clear();
                job.ops.extend(ops.iter().filter(odd));
                job.pivot_vars.clear();
                job.pivot_vars.extend_from_slice(pivot_vars);
                job.pivot_coefs.clear();
                job.pivot_coefs.extend_from_slice(pivot_coefs);
                job.c = c;
                job.binv = binv;
                worker.post(job);
                meanwhile();
                self.side[0].run(ops.iter().filter(even), pivot, &mut out[0]);
                let mut job = worker.wait();
                self.side[1] = std::mem::take(&mut job.side);
                out[1] = std::mem::take(&mut job.out);
                *part = std::mem::take(&mut job.part);
                worker.give_back(job);
            }
            None => {
                meanwhile();
                self.side[0].run(ops.iter().filter(even), pivot, &mut out[0]);
                self.side[1].run(ops.iter().filter(odd), pivot, &mut out[1]);
            }
        }
    }
}

impl Side {
    /// The row operations `ops` (rows of this side) and their
    /// bookkeeping, recorded in `out`.
    fn run<'a>(
        &mut self,
        ops: impl Iterator<Item = &'a u32>,
        (pivot_vars, pivot_coefs, c, binv): (&[u32], &[u64], u32, u64),
        out: &mut Done,
    ) {
        out.ops.clear();
        out.k = (0, 0);
        out.entries = 0;
        for &r in ops {
            let i = r >> 1;
            // Where the pivot's first cell would sit, then the row's
            // coefficient at c, by a scan of the vars: the merge reads
            // those after the first next, so they are not read twice from
            // memory (a binary search would miss the cache several times).
            let rv = self.rows.vars(i);
            let first = pivot_vars.first().copied().unwrap_or(c);
            let from = rv.iter().position(|&v| v >= first).unwrap_or(rv.len());
            let at = from
                + rv[from..]
                    .iter()
                    .position(|&v| v >= c)
                    .unwrap_or(rv.len() - from);
            if rv.get(at) != Some(&c) {
                // The row had lost c: untouched.
                continue;
            }
            let alpha = mul(self.rows.coefs(i)[at], binv);
            self.buf_vars.clear();
            self.buf_coefs.clear();
            self.fresh.clear();
            self.cancelled.clear();
            let to = merge_row(self, i, from, pivot_vars, pivot_coefs, alpha);
            self.rows
                .splice(i, from, to, &self.buf_vars, &self.buf_coefs);
            let k = self.rows.len(i) as u32;
            let (wf, wg) = self.weights[i as usize];
            out.k = (add(out.k.0, mul(alpha, wf)), add(out.k.1, mul(alpha, wg)));
            out.entries += k as u64;
            out.ops.push((r, alpha, k));
            for j in 0..self.cancelled.len() {
                let x = self.cancelled[j];
                self.nonzero_rows[x as usize] -= 1;
                // Out of x's list at once when that is a short search:
                // finding later that the row lost x means a binary search
                // in a long row, cold in cache. (c is decided: its list is
                // not read again.)
                if x != c && self.rows_of.list(x).len() <= SHORT_LIST {
                    self.rows_of.remove_item(x, r);
                }
            }
            if k == 0 {
                self.rows.kill(i);
            }
            for j in 0..self.fresh.len() {
                self.new_entry(self.fresh[j], r);
            }
        }
    }

    /// Row `r` became non-zero at `w`: count it, and list it. A list much
    /// longer than its count is rid of dead rows and repeats (no look into
    /// the rows). Rows that lost `w` by a cancellation (taken out at once
    /// from short lists, see [`SHORT_LIST`]) stay in long ones until `w`
    /// is decided: searching each row for `w` (a binary search in a long,
    /// cold row) cost more than carrying them. The next clean-up waits
    /// until the list has doubled, so each costs at most as much as the
    /// entries added since.
    fn new_entry(&mut self, w: u32, r: u32) {
        debug_assert!(self.rows.coef(r >> 1, w) != 0);
        let wi = w as usize;
        self.nonzero_rows[wi] += 1;
        self.rows_of.push(w, r);
        let len = self.rows_of.list(w).len();
        if len > 4 * self.nonzero_rows[wi] as usize + 64 && len > self.clean_at[wi] as usize {
            self.row_epoch += 1;
            self.live_rows.clear();
            for &q in self.rows_of.list(w) {
                if self.rows.mark(q >> 1, self.row_epoch) {
                    self.live_rows.push(q);
                }
            }
            self.rows_of.shrink_to(w, &self.live_rows);
            self.clean_at[wi] = 2 * self.live_rows.len() as u32;
        }
    }
}

/// The odd side's row operations on a second thread, which lives as
/// long as the elimination: starting a thread per decision would cost more
/// than most decisions' row operations. Between jobs it spins briefly
/// (decisions come fast), then sleeps.
pub(super) struct Worker {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    state: AtomicU32,
    job: Mutex<Option<Job>>,
}

const IDLE: u32 = 0;
const POSTED: u32 = 1;
const DONE: u32 = 2;
const QUIT: u32 = 3;

/// How long the worker spins for the next job before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

/// One decision's row operations for the worker (moved to it and back).
#[derive(Default)]
pub(super) struct Job {
    side: Side,
    ops: Vec<u32>,
    pivot_vars: Vec<u32>,
    pivot_coefs: Vec<u64>,
    c: u32,
    binv: u64,
    out: Done,
    part: Part,
}

impl Worker {
    pub fn new() -> Self {
        let shared = Arc::new(Shared {
            state: AtomicU32::new(IDLE),
            job: Mutex::new(Some(Job::default())),
        });
        let theirs = Arc::clone(&shared);
        let thread = std::thread::spawn(move || work(&theirs));
        Worker {
            shared,
            thread: Some(thread),
        }
    }

    fn idle_job(&self) -> Job {
        self.shared
            .job
            .lock()
            .expect("no panic holds it")
            .take()
            .expect("worker idle")
    }

    fn give_back(&self, job: Job) {
        *self.shared.job.lock().expect("no panic holds it") = Some(job);
    }

    fn post(&self, job: Job) {
        self.give_back(job);
        self.shared.state.store(POSTED, Ordering::Release);
        if let Some(t) = &self.thread {
            t.thread().unpark();
        }
    }

    fn wait(&self) -> Job {
        let mut spins = 0u32;
        while self.shared.state.load(Ordering::Acquire) != DONE {
            spins += 1;
            if spins < 1 << 10 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        self.shared.state.store(IDLE, Ordering::Relaxed);
        self.idle_job()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared.state.store(QUIT, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// The worker's loop: wait for a job (spin, then sleep), run it, repeat.
fn work(shared: &Shared) {
    loop {
        let start = Instant::now();
        let mut spins = 0u32;
        loop {
            match shared.state.load(Ordering::Acquire) {
                POSTED => break,
                QUIT => return,
                _ => {}
            }
            spins += 1;
            if spins % 64 != 0 || start.elapsed() < SPIN {
                std::hint::spin_loop();
            } else {
                std::thread::park_timeout(Duration::from_millis(10));
            }
        }
        let mut job = shared
            .job
            .lock()
            .expect("no panic holds it")
            .take()
            .expect("posted");
        let Job {
            side,
            ops,
            pivot_vars,
            pivot_coefs,
            c,
            binv,
            out,
            part,
        } = &mut job;
        part.sum();
        side.run(ops.iter(), (pivot_vars, pivot_coefs, *c, *binv), out);
        *shared.job.lock().expect("no panic holds it") = Some(job);
        shared.state.store(DONE, Ordering::Release);
    }
}

/// Row `r` of `side` minus `alpha` times the pivot (`pivot_vars`,
/// `pivot_coefs`, its entry at the cell being published among them), from
/// the row's entry `from` (the first not before the pivot's first cell)
/// to the one after the pivot's last cell, into the side's buffer; returns
/// where that part ends in the row (the entries around it do not
/// change). The entry at the cell being published cancels exactly
/// (`alpha` is the ratio of the row's and the pivot's coefficients there)
/// and goes to the cancelled cells with any other that cancels.
///
/// Rows hold undecided cells only; late in the elimination they are
/// several times longer than the pivot, so copying the runs of the row
/// between two pivot entries is most of the work: a plain merge, whose
/// short runs cost less than a call to copy each.
fn merge_row(
    side: &mut Side,
    r: u32,
    from: usize,
    pivot_vars: &[u32],
    pivot_coefs: &[u64],
    alpha: u64,
) -> usize {
    let (rv, rc) = (side.rows.vars(r), side.rows.coefs(r));
    let (vars, coefs) = (&mut side.buf_vars, &mut side.buf_coefs);
    vars.reserve(rv.len() - from + pivot_vars.len());
    coefs.reserve(rv.len() - from + pivot_vars.len());
    let mut i = from;
    for (&y, &b) in pivot_vars.iter().zip(pivot_coefs) {
        while i < rv.len() && rv[i] < y {
            vars.push(rv[i]);
            coefs.push(rc[i]);
            i += 1;
        }
        if i < rv.len() && rv[i] == y {
            let z = sub(rc[i], mul(alpha, b));
            if z != 0 {
                vars.push(y);
                coefs.push(z);
            } else {
                side.cancelled.push(y);
            }
            i += 1;
        } else {
            vars.push(y);
            coefs.push(neg(mul(alpha, b)));
            side.fresh.push(y);
        }
    }
    i
}
