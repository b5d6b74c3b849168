//! One requested group-by being counted.

use super::dictionary::{pack_ids, unpack_id, Dictionary};
use super::hash::FastMap;
use crate::int_map::IntMap;

/// One requested group-by: which captured columns make the key, which
/// rows it keeps, and the groups so far.
pub(super) struct GroupSet {
    /// Capture slots of the key columns, in the set's order.
    pub(super) slots: Vec<usize>,
    /// Filters: a slot and the values kept, with each value number's
    /// verdict once known (0 unknown, 1 kept, 2 dropped).
    pub(super) filters: Vec<(usize, Vec<Vec<u8>>, Vec<u8>)>,
    /// Keys of one column: the measure by value number (`None`: no row).
    pub(super) single: Vec<Option<i64>>,
    /// Keys of two to four columns while their value numbers are small:
    /// one measure per combination, addressed without hashing. Given up
    /// for the maps below when it would grow past [`DENSE_MAX`].
    pub(super) dense: Option<Dense>,
    /// Keys of two columns packed as two `u32` value numbers: 16-byte
    /// entries, so more of the table stays in cache.
    pub(super) pair: IntMap<u64, i64>,
    /// Keys of three or four columns packed as four `u32` value numbers.
    pub(super) packed: IntMap<u128, i64>,
    /// Keys of more columns.
    pub(super) wide: FastMap<Vec<u32>, i64>,
}

impl GroupSet {
    /// A set keyed on the values of `slots`, keeping the rows `filters`
    /// let through (a slot and the values kept), with no groups yet.
    pub(super) fn new(slots: Vec<usize>, filters: Vec<(usize, Vec<Vec<u8>>)>) -> Self {
        GroupSet {
            dense: (2..=4)
                .contains(&slots.len())
                .then(|| Dense::new(slots.len())),
            slots,
            filters: (filters.into_iter())
                .map(|(slot, allowed)| (slot, allowed, Vec::new()))
                .collect(),
            single: Vec::new(),
            pair: IntMap::default(),
            packed: IntMap::default(),
            wide: FastMap::default(),
        }
    }

    /// A set with the same key columns and filters, and no groups yet.
    pub(super) fn empty_like(&self) -> Self {
        let filters = (self.filters.iter())
            .map(|(slot, allowed, _)| (*slot, allowed.clone()))
            .collect();
        GroupSet::new(self.slots.clone(), filters)
    }

    /// The groups: value numbers of the key columns (in the set's order)
    /// and the measure.
    pub(super) fn into_rows(self) -> Vec<(Vec<u32>, i64)> {
        let width = self.slots.len();
        let single = self.single.into_iter().enumerate();
        single
            .filter_map(|(id, n)| Some((vec![id as u32], n?)))
            .chain(self.dense.into_iter().flat_map(Dense::into_rows))
            .chain(
                self.pair
                    .into_entries()
                    .map(|(k, n)| (vec![k as u32, (k >> 32) as u32], n)),
            )
            .chain(
                self.packed
                    .into_entries()
                    .map(|(k, n)| ((0..width).map(|i| unpack_id(k, i)).collect(), n)),
            )
            .chain(self.wide)
            .collect()
    }

    /// Whether the row whose value numbers are `row` passes the filters.
    #[inline]
    pub(super) fn keeps(&mut self, row: &[u32], dicts: &[Dictionary]) -> bool {
        self.filters.is_empty() || self.passes_filters(row, dicts)
    }

    /// [`GroupSet::keeps`] for a set with filters.
    fn passes_filters(&mut self, row: &[u32], dicts: &[Dictionary]) -> bool {
        for (slot, allowed, verdicts) in &mut self.filters {
            let id = row[*slot] as usize;
            if verdicts.len() <= id {
                verdicts.resize(dicts[*slot].values.len(), 0);
            }
            if verdicts[id] == 0 {
                let v = &dicts[*slot].values[id];
                verdicts[id] = if allowed.iter().any(|a| a == v) { 1 } else { 2 };
            }
            if verdicts[id] == 2 {
                return false;
            }
        }
        true
    }

    /// Adds one to the group of each of `n` rows (every row kept), given
    /// the value numbers of the key columns a column at a time
    /// (`columns[k]` for the set's `k`th key column).
    #[cfg(any(feature = "parquet", test))]
    pub(super) fn count_columns(&mut self, columns: &[&[u32]], n: usize) {
        if let [ids] = columns {
            for &id in &ids[..n] {
                self.add_single(id as usize, 1);
            }
            return;
        }
        // Value numbers at the key's own positions: slots 0, 1, ...
        let in_order: Vec<usize> = (0..columns.len()).collect();
        let slots = std::mem::replace(&mut self.slots, in_order);
        let mut row = vec![0u32; columns.len()];
        for r in 0..n {
            for (value, ids) in row.iter_mut().zip(columns) {
                *value = ids[r];
            }
            self.add(&row, 1);
        }
        self.slots = slots;
    }

    #[inline]
    pub(super) fn add(&mut self, row: &[u32], measure: i64) {
        // One key column (most sets that check a column): straight to the
        // measure by value number.
        if let [slot] = self.slots[..] {
            self.add_single(row[slot] as usize, measure);
            return;
        }
        if let Some(dense) = &mut self.dense {
            if dense.add(&self.slots, row, measure) {
                return;
            }
            let dense = self.dense.take().expect("dense");
            // The dense store's rows hold the key's values in order.
            let in_order: Vec<usize> = (0..self.slots.len()).collect();
            for (ids, n) in dense.into_rows() {
                self.add_sparse(&ids, &in_order, n);
            }
        }
        let slots = std::mem::take(&mut self.slots);
        self.add_sparse(row, &slots, measure);
        self.slots = slots;
    }

    /// Adds to the group of value number `id` of a one-column key.
    #[inline]
    fn add_single(&mut self, id: usize, measure: i64) {
        if self.single.len() <= id {
            self.single.resize(id + 1, None);
        }
        let n = self.single[id].get_or_insert(0);
        *n = n.saturating_add(measure);
    }

    /// Adds to the group of `row`'s values at `slots` in the maps.
    #[inline]
    fn add_sparse(&mut self, row: &[u32], slots: &[usize], measure: i64) {
        let n = match slots[..] {
            [slot] => return self.add_single(row[slot] as usize, measure),
            [a, b] => {
                let key = u64::from(row[a]) | u64::from(row[b]) << 32;
                self.pair.entry(key, || 0)
            }
            _ if slots.len() <= 4 => {
                let key = pack_ids(slots.iter().map(|&slot| row[slot]));
                self.packed.entry(key, || 0)
            }
            _ => {
                let key: Vec<u32> = slots.iter().map(|&s| row[s]).collect();
                self.wide.entry(key).or_insert(0)
            }
        };
        *n = n.saturating_add(measure);
    }
}

/// Most entries of a [`Dense`] store (16 MiB of counts).
pub(super) const DENSE_MAX: usize = 1 << 22;

/// The rows of every combination of two to four key columns' value
/// numbers, in one array indexed by the numbers (column `k`'s times the
/// product of the earlier columns' capacities). Each capacity grows by a
/// quarter as its dictionary does, so the array stays close to the
/// product of the columns' value counts; 4-byte entries (the count plus
/// one, 0 for a combination no row has reached). Value numbers are dense
/// from 0 and code columns have few values, so this is small, mostly in
/// cache, and a row costs one indexed add.
#[derive(Default)]
pub(super) struct Dense {
    /// Value numbers each column can hold.
    caps: Vec<usize>,
    /// Rows plus one by combination (0: none).
    counts: Vec<u32>,
}

impl Dense {
    fn new(columns: usize) -> Self {
        let caps = vec![16; columns];
        Dense {
            counts: vec![0; 16usize.pow(columns as u32)],
            caps,
        }
    }

    /// Adds `measure` to the combination of `row`'s values at `slots`;
    /// `false` (and nothing added) when that would need more than
    /// [`DENSE_MAX`] entries, or the measure does not fit a count (a
    /// negative weight, a sum past `u32`): the caller then moves to maps.
    #[inline]
    fn add(&mut self, slots: &[usize], row: &[u32], measure: i64) -> bool {
        let mut index = 0usize;
        let mut stride = 1;
        for (k, &slot) in slots.iter().enumerate() {
            let id = row[slot] as usize;
            if id >= self.caps[k] {
                return self.grow(k, id) && self.add(slots, row, measure);
            }
            index += id * stride;
            stride *= self.caps[k];
        }
        let n = &mut self.counts[index];
        match u32::try_from(measure)
            .ok()
            .and_then(|m| (*n).max(1).checked_add(m))
        {
            Some(sum) => {
                *n = sum;
                true
            }
            None => false,
        }
    }

    /// Widens column `k` to hold value number `id`, if the array stays
    /// within [`DENSE_MAX`].
    #[cold]
    fn grow(&mut self, k: usize, id: usize) -> bool {
        let mut caps = self.caps.clone();
        caps[k] = (id + 1).max(caps[k] + caps[k] / 4);
        let total = caps.iter().try_fold(1usize, |t, &c| t.checked_mul(c));
        let Some(total) = total.filter(|&t| t <= DENSE_MAX) else {
            return false;
        };
        let mut counts = vec![0; total];
        let old = std::mem::take(self);
        for (index, &n) in old.counts.iter().enumerate().filter(|(_, &n)| n != 0) {
            counts[index_of(&caps, &ids_of(&old.caps, index))] = n;
        }
        *self = Dense { caps, counts };
        true
    }

    /// The combinations reached, with their measures.
    fn into_rows(self) -> impl Iterator<Item = (Vec<u32>, i64)> {
        let caps = self.caps;
        (self.counts.into_iter().enumerate())
            .filter(|&(_, n)| n != 0)
            .map(move |(index, n)| (ids_of(&caps, index), i64::from(n - 1)))
    }
}

/// The value numbers at `index` under column capacities `caps`.
fn ids_of(caps: &[usize], index: usize) -> Vec<u32> {
    let mut rest = index;
    (caps.iter())
        .map(|&cap| {
            let id = rest % cap;
            rest /= cap;
            id as u32
        })
        .collect()
}

/// The index of value numbers `ids` under column capacities `caps`.
fn index_of(caps: &[usize], ids: &[u32]) -> usize {
    let mut stride = 1;
    (caps.iter().zip(ids)).fold(0, |index, (&cap, &id)| {
        let i = index + id as usize * stride;
        stride *= cap;
        i
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::GroupSet;

    /// Sums per key of random rows whose value numbers stay small, grow
    /// past the dense store's limit, or mix both, against a plain map.
    #[test]
    fn groups_agree_with_a_map_through_growth_and_spill() {
        for (columns, largest) in [(2, 40u32), (3, 300), (2, 5_000), (4, 70), (3, 20_000)] {
            let mut rng = ChaCha8Rng::seed_from_u64(u64::from(largest));
            let mut set = GroupSet::new((0..columns).rev().collect(), Vec::new());
            let mut expected: HashMap<Vec<u32>, i64> = HashMap::new();
            for i in 0..20_000u32 {
                // Value numbers appear roughly in order, as a dictionary
                // hands them out.
                let reach = 1 + largest * (i + 1) / 20_000;
                let row: Vec<u32> = (0..columns).map(|_| rng.gen_range(0..reach)).collect();
                let measure = rng.gen_range(0..3);
                set.add(&row, measure);
                let key: Vec<u32> = row.iter().rev().copied().collect();
                *expected.entry(key).or_insert(0) += measure;
            }
            let mut found = set.into_rows();
            found.sort();
            let mut expected: Vec<_> = expected.into_iter().collect();
            expected.sort();
            assert_eq!(found, expected, "{columns} columns up to {largest}");
        }
    }

    /// Measures a count cannot hold (a negative weight, sums past
    /// `u32`) move the groups to maps, sums intact.
    #[test]
    fn measures_past_a_count_keep_their_sums() {
        for odd in [-3i64, 1 << 33, i64::from(u32::MAX)] {
            let mut set = GroupSet::new(vec![0, 1], Vec::new());
            set.add(&[1, 2], 5);
            set.add(&[0, 0], 0);
            set.add(&[1, 2], odd);
            set.add(&[3, 1], 1);
            let mut found = set.into_rows();
            found.sort();
            let expected = vec![(vec![0, 0], 0), (vec![1, 2], 5 + odd), (vec![3, 1], 1)];
            assert_eq!(found, expected, "{odd}");
        }
    }

    /// Rows counted a column at a time, in runs, group as the same rows
    /// added one by one, through growth and spill, for one to four key
    /// columns.
    #[test]
    fn counting_by_columns_groups_as_row_by_row() {
        for (columns, largest) in [(1, 300u32), (2, 40), (2, 5_000), (3, 20_000), (4, 70)] {
            let mut rng = ChaCha8Rng::seed_from_u64(u64::from(largest) + 1);
            // Key columns at slots in reverse order, as a set may have them.
            let slots: Vec<usize> = (0..columns).rev().collect();
            let mut by_row = GroupSet::new(slots.clone(), Vec::new());
            let mut by_column = GroupSet::new(slots.clone(), Vec::new());
            let mut done = 0u32;
            while done < 20_000 {
                let n = rng.gen_range(1..500);
                let rows: Vec<Vec<u32>> = (0..n)
                    .map(|i| {
                        let reach = 1 + largest * (done + i + 1).min(20_000) / 20_000;
                        (0..columns).map(|_| rng.gen_range(0..reach)).collect()
                    })
                    .collect();
                for row in &rows {
                    by_row.add(row, 1);
                }
                let key_columns: Vec<Vec<u32>> = (slots.iter())
                    .map(|&slot| rows.iter().map(|row| row[slot]).collect())
                    .collect();
                let key_columns: Vec<&[u32]> = key_columns.iter().map(|c| &c[..]).collect();
                by_column.count_columns(&key_columns, rows.len());
                done += n;
            }
            let (mut a, mut b) = (by_row.into_rows(), by_column.into_rows());
            a.sort();
            b.sort();
            assert_eq!(a, b, "{columns} columns up to {largest}");
        }
    }
}
