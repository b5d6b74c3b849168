//! Growable sparse rows and lists in one flat arena each, for the
//! elimination: a million-cell table has about a million basis rows and a
//! million column lists, and one heap allocation per row or list would cost
//! more than the arithmetic. A row or list that outgrows its slot moves to
//! the end of the arena; the arena is compacted when more than half of it is
//! abandoned slots.

/// Sparse rows: row `r` holds `len[r]` (var, coefficient) pairs, increasing
/// vars, non-zero coefficients.
#[derive(Default)]
pub(crate) struct Rows {
    /// Per row, where it sits: side by side, so that reading a row costs
    /// one cache miss for its place, not one per field.
    meta: Vec<Slot>,
    vars: Vec<u32>,
    coefs: Vec<u64>,
    /// Entries in live rows.
    used: usize,
}

impl Rows {
    /// Rows from compressed storage (`start` has one entry more than rows).
    pub(crate) fn new(start: Vec<usize>, vars: Vec<u32>, coefs: Vec<u64>) -> Self {
        let n = start.len() - 1;
        let meta = (0..n)
            .map(|r| {
                let len = (start[r + 1] - start[r]) as u32;
                Slot {
                    start: start[r],
                    len,
                    cap: len,
                    alive: true,
                    mark: 0,
                }
            })
            .collect();
        Rows {
            meta,
            used: vars.len(),
            vars,
            coefs,
        }
    }

    pub(crate) fn n_rows(&self) -> usize {
        self.meta.len()
    }

    /// Whether row `r` is alive and not marked with `epoch` yet; marks it.
    /// Readers of lists of rows see each live row once this way, at no
    /// more cost than reading its place.
    pub(crate) fn mark(&mut self, r: u32, epoch: u32) -> bool {
        let m = &mut self.meta[r as usize];
        if m.alive && m.mark != epoch {
            m.mark = epoch;
            true
        } else {
            false
        }
    }

    pub(crate) fn len(&self, r: u32) -> usize {
        self.meta[r as usize].len as usize
    }

    /// Entries in live rows.
    pub(crate) fn used(&self) -> usize {
        self.used
    }

    pub(crate) fn vars(&self, r: u32) -> &[u32] {
        let m = &self.meta[r as usize];
        &self.vars[m.start..m.start + m.len as usize]
    }

    pub(crate) fn coefs(&self, r: u32) -> &[u64] {
        let m = &self.meta[r as usize];
        &self.coefs[m.start..m.start + m.len as usize]
    }

    /// Coefficient of `v` in row `r` (0 when absent).
    pub(crate) fn coef(&self, r: u32, v: u32) -> u64 {
        match self.vars(r).binary_search(&v) {
            Ok(i) => self.coefs(r)[i],
            Err(_) => 0,
        }
    }

    /// Replaces the entries of row `r`.
    pub(crate) fn write(&mut self, r: u32, vars: &[u32], coefs: &[u64]) {
        let ri = r as usize;
        let n = vars.len();
        self.used = self.used + n - self.meta[ri].len as usize;
        if n > self.meta[ri].cap as usize {
            // Room to grow again without moving at once.
            let cap = n + n / 2 + 4;
            self.meta[ri].start = self.vars.len();
            self.meta[ri].cap = cap as u32;
            self.vars.extend_from_slice(vars);
            self.coefs.extend_from_slice(coefs);
            self.vars.resize(self.meta[ri].start + cap, 0);
            self.coefs.resize(self.meta[ri].start + cap, 0);
        } else {
            let s = self.meta[ri].start;
            self.vars[s..s + n].copy_from_slice(vars);
            self.coefs[s..s + n].copy_from_slice(coefs);
        }
        self.meta[ri].len = n as u32;
    }

    /// Replaces the entries `from..to` of row `r` by `vars`, `coefs`
    /// (the row stays sorted: the caller merges only the part that
    /// changes). The entries before `from` stay where they are and those
    /// after `to` move in one block, so a row operation copies only the
    /// part of the row that its pivot spans.
    pub(crate) fn splice(&mut self, r: u32, from: usize, to: usize, vars: &[u32], coefs: &[u64]) {
        let ri = r as usize;
        let (s, n) = (self.meta[ri].start, self.meta[ri].len as usize);
        debug_assert!(from <= to && to <= n);
        let new_len = n - (to - from) + vars.len();
        self.used = self.used + new_len - n;
        let tail = to..n;
        let at = from + vars.len();
        if new_len > self.meta[ri].cap as usize {
            // Room to grow again without moving at once.
            let cap = new_len + new_len / 2 + 4;
            let ns = self.vars.len();
            self.vars.extend_from_within(s..s + from);
            self.coefs.extend_from_within(s..s + from);
            self.vars.extend_from_slice(vars);
            self.coefs.extend_from_slice(coefs);
            self.vars.extend_from_within(s + tail.start..s + tail.end);
            self.coefs.extend_from_within(s + tail.start..s + tail.end);
            self.vars.resize(ns + cap, 0);
            self.coefs.resize(ns + cap, 0);
            self.meta[ri].start = ns;
            self.meta[ri].cap = cap as u32;
        } else {
            if at != to {
                self.vars.copy_within(s + tail.start..s + tail.end, s + at);
                self.coefs.copy_within(s + tail.start..s + tail.end, s + at);
            }
            self.vars[s + from..s + at].copy_from_slice(vars);
            self.coefs[s + from..s + at].copy_from_slice(coefs);
        }
        self.meta[ri].len = new_len as u32;
    }

    /// Removes the entry of `v` from row `r`, if it has one.
    pub(crate) fn remove(&mut self, r: u32, v: u32) {
        let Ok(i) = self.vars(r).binary_search(&v) else {
            return;
        };
        let ri = r as usize;
        let (s, n) = (self.meta[ri].start, self.meta[ri].len as usize);
        self.vars.copy_within(s + i + 1..s + n, s + i);
        self.coefs.copy_within(s + i + 1..s + n, s + i);
        self.meta[ri].len -= 1;
        self.used -= 1;
    }

    /// Removes row `r` from the basis.
    pub(crate) fn kill(&mut self, r: u32) {
        self.meta[r as usize].alive = false;
        self.used -= self.meta[r as usize].len as usize;
    }

    /// Compacts the arena when most of it is abandoned: in place, rows
    /// moved down in the order they sit, so that the arena keeps its
    /// memory (a fresh allocation at every compaction costs a page fault
    /// per 4 KiB touched again, a large share of the time on big tables).
    pub(crate) fn maybe_compact(&mut self) {
        if self.vars.len() < 1 << 16 || self.vars.len() < 2 * self.used {
            return;
        }
        let mut live: Vec<u32> = Vec::with_capacity(self.n_rows());
        for r in 0..self.n_rows() {
            if self.meta[r].alive {
                live.push(r as u32);
            } else {
                self.meta[r].len = 0;
                self.meta[r].cap = 0;
                self.meta[r].start = 0;
            }
        }
        live.sort_unstable_by_key(|&r| self.meta[r as usize].start);
        let mut at = 0usize;
        for &r in &live {
            let ri = r as usize;
            let (s, n) = (self.meta[ri].start, self.meta[ri].len as usize);
            debug_assert!(at <= s);
            self.vars.copy_within(s..s + n, at);
            self.coefs.copy_within(s..s + n, at);
            self.meta[ri].start = at;
            self.meta[ri].cap = n as u32;
            at += n;
        }
        self.vars.truncate(at);
        self.coefs.truncate(at);
    }
}

/// Where a row sits in the arena.
#[derive(Clone, Copy, Default)]
struct Slot {
    start: usize,
    len: u32,
    cap: u32,
    alive: bool,
    /// See [`Rows::mark`] (in the slot's padding).
    mark: u32,
}

/// Lists of row numbers, one per var (the rows that may be non-zero at the
/// var; entries can be stale, readers check them).
#[derive(Default)]
pub(crate) struct Lists {
    /// Per list, where it sits (side by side, as for the rows).
    meta: Vec<ListSlot>,
    items: Vec<u32>,
    used: usize,
}

impl Lists {
    /// Empty lists for `n` vars, with room for `sizes[v]` items each.
    pub(crate) fn with_sizes(sizes: &[u32]) -> Self {
        let mut meta = Vec::with_capacity(sizes.len());
        let mut total = 0usize;
        for &s in sizes {
            meta.push(ListSlot {
                start: total,
                len: 0,
                cap: s,
            });
            total += s as usize;
        }
        Lists {
            meta,
            items: vec![0; total],
            used: 0,
        }
    }

    pub(crate) fn list(&self, v: u32) -> &[u32] {
        let s = self.meta[v as usize].start;
        &self.items[s..s + self.meta[v as usize].len as usize]
    }

    pub(crate) fn push(&mut self, v: u32, r: u32) {
        let vi = v as usize;
        let n = self.meta[vi].len as usize;
        if n == self.meta[vi].cap as usize {
            let cap = 2 * n + 4;
            let s = self.meta[vi].start;
            let new = self.items.len();
            self.items.extend_from_within(s..s + n);
            self.items.resize(new + cap, 0);
            self.meta[vi].start = new;
            self.meta[vi].cap = cap as u32;
        }
        self.items[self.meta[vi].start + n] = r;
        self.meta[vi].len += 1;
        self.used += 1;
    }

    /// Removes one occurrence of `r` from list `v`, searched from the end,
    /// if there is one (the order of the list is not kept).
    pub(crate) fn remove_item(&mut self, v: u32, r: u32) -> bool {
        let vi = v as usize;
        let (s, n) = (self.meta[vi].start, self.meta[vi].len as usize);
        let items = &mut self.items[s..s + n];
        match items.iter().rposition(|&x| x == r) {
            Some(i) => {
                items[i] = items[n - 1];
                self.meta[vi].len -= 1;
                self.used -= 1;
                true
            }
            None => false,
        }
    }

    /// Replaces list `v` by `rows`, which must not be longer than it.
    pub(crate) fn shrink_to(&mut self, v: u32, rows: &[u32]) {
        let vi = v as usize;
        debug_assert!(rows.len() <= self.meta[vi].len as usize);
        let s = self.meta[vi].start;
        self.items[s..s + rows.len()].copy_from_slice(rows);
        self.used -= self.meta[vi].len as usize - rows.len();
        self.meta[vi].len = rows.len() as u32;
    }

    /// Compacts the arena when most of it is abandoned, in place (see
    /// [`Rows::maybe_compact`]); every list keeps half its length again as
    /// room.
    pub(crate) fn maybe_compact(&mut self) {
        if self.items.len() < 1 << 16 || self.items.len() < 3 * self.used {
            return;
        }
        let mut order: Vec<u32> = (0..self.meta.len() as u32).collect();
        order.sort_unstable_by_key(|&v| self.meta[v as usize].start);
        // Lists move down; a list's new room may overlap where later lists
        // sit now, so the room is placed only after every list has moved
        // (the lists are packed first, then spread out from the end).
        let mut at = 0usize;
        for &v in &order {
            let vi = v as usize;
            let (s, n) = (self.meta[vi].start, self.meta[vi].len as usize);
            self.items.copy_within(s..s + n, at);
            self.meta[vi].start = at;
            at += n;
        }
        let total: usize = order
            .iter()
            .map(|&v| {
                let n = self.meta[v as usize].len as usize;
                n + n / 2
            })
            .sum();
        if self.items.len() < total {
            self.items.resize(total, 0);
        }
        let mut end = total;
        for &v in order.iter().rev() {
            let vi = v as usize;
            let n = self.meta[vi].len as usize;
            let cap = n + n / 2;
            end -= cap;
            let s = self.meta[vi].start;
            debug_assert!(end >= s);
            self.items.copy_within(s..s + n, end);
            self.meta[vi].start = end;
            self.meta[vi].cap = cap as u32;
        }
        self.items.truncate(total);
    }
}

/// Where a list sits in the arena.
struct ListSlot {
    start: usize,
    len: u32,
    cap: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_grow_move_and_compact() {
        let mut rows = Rows::new(vec![0, 2, 3], vec![1, 5, 2], vec![10, 50, 20]);
        assert_eq!(rows.coef(0, 5), 50);
        assert_eq!(rows.coef(0, 4), 0);
        rows.write(1, &[0, 2, 7], &[1, 2, 3]);
        assert_eq!(rows.vars(1), &[0, 2, 7]);
        assert_eq!(rows.vars(0), &[1, 5]);
        rows.write(0, &[1], &[11]);
        assert_eq!(rows.coefs(0), &[11]);
        rows.kill(0);
        assert_eq!(rows.used(), 3);
        let mut lists = Lists::with_sizes(&[1, 0]);
        for r in 0..10 {
            lists.push(1, r);
        }
        lists.push(0, 3);
        lists.push(0, 4);
        assert_eq!(lists.list(1).len(), 10);
        assert_eq!(lists.list(0), &[3, 4]);
        lists.shrink_to(1, &[9]);
        assert_eq!(lists.list(1), &[9]);
        lists.push(1, 4);
        lists.push(1, 5);
        assert!(lists.remove_item(1, 9));
        assert!(!lists.remove_item(1, 9));
        assert_eq!(lists.list(1), &[5, 4]);
    }

    /// Compaction moves rows and lists down in place (the arenas keep their
    /// memory) and loses no entry: checked against plain vectors through
    /// growth, kills, shrinking and compactions.
    #[test]
    fn compaction_in_place_keeps_every_row_and_list() {
        let n = 300usize;
        let mut model: Vec<Vec<(u32, u64)>> = (0..n)
            .map(|r| (0..(r % 7) as u32).map(|v| (v, 1 + r as u64)).collect())
            .collect();
        let mut start = vec![0usize];
        let (mut vars, mut coefs) = (Vec::new(), Vec::new());
        for row in &model {
            vars.extend(row.iter().map(|e| e.0));
            coefs.extend(row.iter().map(|e| e.1));
            start.push(vars.len());
        }
        let mut rows = Rows::new(start, vars, coefs);
        let mut alive = vec![true; n];
        let mut lists = Lists::with_sizes(&vec![2; n]);
        let mut lmodel: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut compactions = 0;
        for round in 0..60usize {
            for r in 0..n {
                if !alive[r] {
                    continue;
                }
                // Rows grow and shrink, some die.
                let len = (r * 31 + round * 17) % 500;
                let row: Vec<(u32, u64)> = (0..len as u32)
                    .map(|v| (2 * v, (r + round) as u64))
                    .collect();
                let (vs, cs): (Vec<u32>, Vec<u64>) = row.iter().copied().unzip();
                rows.write(r as u32, &vs, &cs);
                model[r] = row;
                if (r + round) % 97 == 0 {
                    rows.kill(r as u32);
                    alive[r] = false;
                }
                // Lists grow, sometimes shrink.
                for k in 0..(r + round) % 9 {
                    lists.push(r as u32, (round * 10 + k) as u32);
                    lmodel[r].push((round * 10 + k) as u32);
                }
                if (r + round) % 5 == 0 {
                    let keep: Vec<u32> = lmodel[r].iter().copied().step_by(2).collect();
                    lists.shrink_to(r as u32, &keep);
                    lmodel[r] = keep;
                }
            }
            let before = (rows.vars.len(), lists.items.len());
            rows.maybe_compact();
            lists.maybe_compact();
            if (rows.vars.len(), lists.items.len()) != before {
                compactions += 1;
            }
            for r in 0..n {
                if alive[r] {
                    let got: Vec<(u32, u64)> = rows
                        .vars(r as u32)
                        .iter()
                        .copied()
                        .zip(rows.coefs(r as u32).iter().copied())
                        .collect();
                    assert_eq!(got, model[r], "row {r} round {round}");
                }
                assert_eq!(lists.list(r as u32), &lmodel[r][..], "list {r}");
            }
            let live: usize = (0..n).filter(|&r| alive[r]).map(|r| model[r].len()).sum();
            assert_eq!(rows.used(), live);
        }
        assert!(compactions > 3, "the test should compact: {compactions}");
    }
}
