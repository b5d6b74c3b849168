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
    /// Keys of two columns packed as two `u32` value numbers: 16-byte
    /// entries, so more of the table stays in cache.
    pub(super) pair: IntMap<u64, i64>,
    /// Keys of three or four columns packed as four `u32` value numbers.
    pub(super) packed: IntMap<u128, i64>,
    /// Keys of more columns.
    pub(super) wide: FastMap<Vec<u32>, i64>,
}

impl GroupSet {
    /// A set with the same key columns and filters, and no groups yet.
    pub(super) fn empty_like(&self) -> Self {
        GroupSet {
            slots: self.slots.clone(),
            filters: (self.filters.iter())
                .map(|(slot, allowed, _)| (*slot, allowed.clone(), Vec::new()))
                .collect(),
            single: Vec::new(),
            pair: IntMap::default(),
            packed: IntMap::default(),
            wide: FastMap::default(),
        }
    }

    /// The groups: value numbers of the key columns (in the set's order)
    /// and the measure.
    pub(super) fn into_rows(self) -> Vec<(Vec<u32>, i64)> {
        let width = self.slots.len();
        let single = self.single.into_iter().enumerate();
        single
            .filter_map(|(id, n)| Some((vec![id as u32], n?)))
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

    #[inline]
    pub(super) fn add(&mut self, row: &[u32], measure: i64) {
        let n = match self.slots[..] {
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
            _ if self.slots.len() <= 4 => {
                let key = pack_ids(self.slots.iter().map(|&slot| row[slot]));
                self.packed.entry(key, || 0)
            }
            _ => {
                let key: Vec<u32> = self.slots.iter().map(|&s| row[s]).collect();
                self.wide.entry(key).or_insert(0)
            }
        };
        *n = n.saturating_add(measure);
    }
}
