//! The rows' entries at undecided cells and the row operations on them.
//!
//! Rows live in two arenas by parity of their number, so that a
//! decision's row operations can be written in place by two threads, each
//! owning one arena; each arena sees its rows' operations in the same
//! order with one thread or two, so the state after a decision does not
//! depend on the thread count.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::modp::{mul, neg, sub};
use crate::store::Rows;

/// Sparse rows (see [`Rows`]), row `r` in arena `r & 1` at `r >> 1`.
pub(super) struct Halves {
    half: [Rows; 2],
}

impl Halves {
    /// Rows from one sparse vector per row: `row(r)` gives the entries of
    /// row `r` (increasing vars, non-zero coefficients).
    pub fn new<'a>(n_rows: usize, row: impl Fn(u32) -> (&'a [u32], &'a [u64])) -> Self {
        let build = |parity: u32| {
            let mut start = vec![0usize];
            let (mut vars, mut coefs) = (Vec::new(), Vec::new());
            for r in (parity..n_rows as u32).step_by(2) {
                let (v, c) = row(r);
                vars.extend_from_slice(v);
                coefs.extend_from_slice(c);
                start.push(vars.len());
            }
            Rows::new(start, vars, coefs)
        };
        Halves {
            half: [build(0), build(1)],
        }
    }

    fn at(&self, r: u32) -> (&Rows, u32) {
        (&self.half[(r & 1) as usize], r >> 1)
    }

    fn at_mut(&mut self, r: u32) -> (&mut Rows, u32) {
        (&mut self.half[(r & 1) as usize], r >> 1)
    }

    pub fn alive(&self, r: u32) -> bool {
        let (h, i) = self.at(r);
        h.alive(i)
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

    /// Entries in live rows.
    pub fn used(&self) -> usize {
        self.half[0].used() + self.half[1].used()
    }

    pub fn maybe_compact(&mut self) {
        self.half[0].maybe_compact();
        self.half[1].maybe_compact();
    }

    /// Subtracts `alpha_r` times the pivot (`pivot`: its vars, its
    /// coefficients, the cell `c` being published and the inverse of the
    /// pivot's coefficient there; `alpha_r = row_r[c] / b[c]`) from every
    /// row `r` of `ops`, in place; what each operation changed goes to
    /// `out[r & 1]` in the order of `ops`. With a `worker`, the
    /// odd rows are its job, and `meanwhile` runs on this thread while it
    /// works; otherwise `meanwhile` runs first.
    #[allow(clippy::too_many_arguments)]
    pub fn eliminate(
        &mut self,
        ops: &[u32],
        pivot: (&[u32], &[u64], u32, u64),
        out: &mut [Merged; 2],
        worker: Option<&Worker>,
        meanwhile: impl FnOnce(),
    ) {
        let odd = |r: &&u32| **r & 1 == 1;
        let even = |r: &&u32| **r & 1 == 0;
        let (pivot_vars, pivot_coefs, c, binv) = pivot;
        match worker {
            Some(worker) => {
                let mut job = worker.idle_job();
                job.rows = std::mem::replace(&mut self.half[1], Rows::empty());
                job.out = std::mem::take(&mut out[1]);
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
                run_ops(
                    &mut self.half[0],
                    ops.iter().filter(even),
                    pivot,
                    &mut out[0],
                );
                let mut job = worker.wait();
                self.half[1] = std::mem::replace(&mut job.rows, Rows::empty());
                out[1] = std::mem::take(&mut job.out);
                worker.give_back(job);
            }
            None => {
                meanwhile();
                run_ops(
                    &mut self.half[0],
                    ops.iter().filter(even),
                    pivot,
                    &mut out[0],
                );
                run_ops(
                    &mut self.half[1],
                    ops.iter().filter(odd),
                    pivot,
                    &mut out[1],
                );
            }
        }
    }
}

/// The row operations `ops` (rows of one arena `h`), recorded in `m`.
fn run_ops<'a>(
    h: &mut Rows,
    ops: impl Iterator<Item = &'a u32>,
    (pivot_vars, pivot_coefs, c, binv): (&[u32], &[u64], u32, u64),
    m: &mut Merged,
) {
    m.clear();
    for &r in ops {
        // Where the pivot's first cell would sit, then the row's
        // coefficient at c, by a scan of the vars: the merge reads those
        // after the first next, so they are not read twice from memory (a
        // binary search would miss the cache several times).
        let rv = h.vars(r >> 1);
        let first = pivot_vars.first().copied().unwrap_or(c);
        let from = rv.iter().position(|&v| v >= first).unwrap_or(rv.len());
        let at = from
            + rv[from..]
                .iter()
                .position(|&v| v >= c)
                .unwrap_or(rv.len() - from);
        if rv.get(at) != Some(&c) {
            m.ops.push((0, m.fresh.len(), m.cancelled.len(), 0));
            continue;
        }
        let alpha = mul(h.coefs(r >> 1)[at], binv);
        m.buf_vars.clear();
        m.buf_coefs.clear();
        let to = merge_row(h, r >> 1, from, pivot_vars, pivot_coefs, alpha, m);
        h.splice(r >> 1, from, to, &m.buf_vars, &m.buf_coefs);
        m.ops.push((
            h.len(r >> 1) as u32,
            m.fresh.len(),
            m.cancelled.len(),
            alpha,
        ));
    }
}

/// The row operations of the odd arena on a second thread, which lives as
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
    rows: Rows,
    ops: Vec<u32>,
    pivot_vars: Vec<u32>,
    pivot_coefs: Vec<u64>,
    c: u32,
    binv: u64,
    out: Merged,
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
            rows,
            ops,
            pivot_vars,
            pivot_coefs,
            c,
            binv,
            out,
        } = &mut job;
        run_ops(rows, ops.iter(), (pivot_vars, pivot_coefs, *c, *binv), out);
        *shared.job.lock().expect("no panic holds it") = Some(job);
        shared.state.store(DONE, Ordering::Release);
    }
}

/// What the row operations of one arena changed (see
/// [`Halves::eliminate`]).
#[derive(Default)]
pub(super) struct Merged {
    /// Scratch: the row being written.
    buf_vars: Vec<u32>,
    buf_coefs: Vec<u64>,
    /// Per row operation, in order: the row's new length, where its new
    /// entries and its cancelled entries end in `fresh` and `cancelled`,
    /// and its multiplier `alpha` (0: the row had lost `c` and was left
    /// alone).
    pub ops: Vec<(u32, usize, usize, u64)>,
    /// Cells at which a row became non-zero.
    pub fresh: Vec<u32>,
    /// Cells at which a row became zero.
    pub cancelled: Vec<u32>,
}

impl Merged {
    fn clear(&mut self) {
        self.ops.clear();
        self.fresh.clear();
        self.cancelled.clear();
    }
}

/// Row `r` of `rows` minus `alpha` times the pivot (`pivot_vars`,
/// `pivot_coefs`, its entry at the cell being published among them), from
/// the row's entry `from` (the first not before the pivot's first cell)
/// to the one after the pivot's last cell, into `out`'s buffer; returns
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
    rows: &Rows,
    r: u32,
    from: usize,
    pivot_vars: &[u32],
    pivot_coefs: &[u64],
    alpha: u64,
    out: &mut Merged,
) -> usize {
    let (rv, rc) = (rows.vars(r), rows.coefs(r));
    let (vars, coefs) = (&mut out.buf_vars, &mut out.buf_coefs);
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
                out.cancelled.push(y);
            }
            i += 1;
        } else {
            vars.push(y);
            coefs.push(neg(mul(alpha, b)));
            out.fresh.push(y);
        }
    }
    i
}
