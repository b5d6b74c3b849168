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
    pub(super) fn keeps(&mut self, row: &[u32], dicts: &[Dictionary]) -> bool {
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
            // Sized once, not checked row by row.
            let largest = ids.iter().max().map_or(0, |&id| id as usize + 1);
            if self.single.len() < largest {
                self.single.resize(largest, None);
            }
            for &id in &ids[..n] {
                let count = self.single[id as usize].get_or_insert(0);
                *count = count.saturating_add(1);
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

    /// Adds to the group of `row`'s values at `slots` in the maps.
    #[inline]
    fn add_sparse(&mut self, row: &[u32], slots: &[usize], measure: i64) {
        let n = match slots[..] {
            [slot] => {
                let id = row[slot] as usize;
                if self.single.len() <= id {
                    self.single.resize(id + 1, None);
                }
                self.single[id].get_or_insert(0)
            }
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

/// Most entries of a [`Dense`] store (32 MiB of measures).
pub(super) const DENSE_MAX: usize = 1 << 22;

/// Marks a combination no row has reached.
const ABSENT: i64 = i64::MIN;

/// The measures of every combination of two to four key columns' value
/// numbers, in one array: column `k`'s number is bits `shift[k]..` of the
/// index, each column given a power-of-two width that doubles as its
/// dictionary grows. Value numbers are dense from 0 and code columns have
/// few values, so this is small, and a row costs one indexed add.
#[derive(Default)]
pub(super) struct Dense {
    /// Bits per column.
    bits: Vec<u32>,
    measures: Vec<i64>,
}

impl Dense {
    fn new(columns: usize) -> Self {
        let bits = vec![4; columns];
        Dense {
            measures: vec![ABSENT; 1 << (4 * columns)],
            bits,
        }
    }

    /// Adds `measure` to the combination of `row`'s values at `slots`;
    /// `false` (and nothing added) when that would need more than
    /// [`DENSE_MAX`] entries.
    #[inline]
    fn add(&mut self, slots: &[usize], row: &[u32], measure: i64) -> bool {
        let mut index = 0usize;
        let mut shift = 0;
        for (k, &slot) in slots.iter().enumerate() {
            let id = row[slot] as usize;
            if id >> self.bits[k] != 0 {
                return self.grow(k, id) && self.add(slots, row, measure);
            }
            index |= id << shift;
            shift += self.bits[k];
        }
        let n = &mut self.measures[index];
        if *n == ABSENT {
            *n = 0;
        }
        // Only a sum reaching `i64::MIN` (negative weights) could be taken
        // for no row: it stays one above.
        *n = n.saturating_add(measure).max(ABSENT + 1);
        true
    }

    /// Widens column `k` to hold value number `id`, if the array stays
    /// within [`DENSE_MAX`].
    #[cold]
    fn grow(&mut self, k: usize, id: usize) -> bool {
        let mut bits = self.bits.clone();
        while id >> bits[k] != 0 {
            bits[k] += 1;
        }
        let total: u32 = bits.iter().sum();
        if total > DENSE_MAX.trailing_zeros() {
            return false;
        }
        let mut measures = vec![ABSENT; 1 << total];
        for (ids, n) in std::mem::take(self).into_rows() {
            measures[index_of(&bits, &ids)] = n;
        }
        *self = Dense { bits, measures };
        true
    }

    /// The combinations reached, with their measures.
    fn into_rows(self) -> impl Iterator<Item = (Vec<u32>, i64)> {
        let bits = self.bits;
        (self.measures.into_iter().enumerate())
            .filter(|&(_, n)| n != ABSENT)
            .map(move |(index, n)| {
                let mut shift = 0;
                let ids = (bits.iter())
                    .map(|&b| {
                        let id = (index >> shift) & ((1 << b) - 1);
                        shift += b;
                        id as u32
                    })
                    .collect();
                (ids, n)
            })
    }
}

/// The index of value numbers `ids` under column widths `bits`.
fn index_of(bits: &[u32], ids: &[u32]) -> usize {
    let mut shift = 0;
    (bits.iter().zip(ids)).fold(0, |index, (&b, &id)| {
        let i = index | (id as usize) << shift;
        shift += b;
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
