//! A hash map from packed integer keys, for the hot loop of the record
//! pass: every field of every row is one lookup here. Open addressing with
//! linear probing in one array of (key, value) pairs, at most half full,
//! so a hit is usually one multiply, one cache line and one compare, less
//! machinery than a general-purpose map's. One key value (all bits set) marks an empty slot; the record
//! pass never makes it (see [`IntKey`]).

/// An integer key of an [`IntMap`].
pub(crate) trait IntKey: Copy + Eq {
    /// The value that marks an empty slot. Keys made of value numbers or
    /// of packed short values never equal it: a value number is below
    /// `u32::MAX`, and a packed value's top byte is its length (at most 15).
    const EMPTY: Self;
    /// A well-mixed 64-bit hash.
    fn hash(self) -> u64;
}

impl IntKey for u64 {
    const EMPTY: Self = u64::MAX;
    #[inline]
    fn hash(self) -> u64 {
        mix(self)
    }
}

impl IntKey for u128 {
    const EMPTY: Self = u128::MAX;
    #[inline]
    fn hash(self) -> u64 {
        mix(mix(self as u64) ^ (self >> 64) as u64)
    }
}

impl IntKey for [u128; 2] {
    const EMPTY: Self = [u128::MAX; 2];
    #[inline]
    fn hash(self) -> u64 {
        mix(self[0].hash() ^ self[1].hash().rotate_left(29))
    }
}

/// A multiply and a shift: enough to spread codes that differ in a few
/// bits over the table.
#[inline]
fn mix(x: u64) -> u64 {
    let x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^ (x >> 29)
}

/// A map from [`IntKey`]s to small values.
pub(crate) struct IntMap<K, V> {
    slots: Vec<(K, V)>,
    len: usize,
}

impl<K: IntKey, V: Copy + Default> Default for IntMap<K, V> {
    fn default() -> Self {
        IntMap {
            slots: vec![(K::EMPTY, V::default()); 16],
            len: 0,
        }
    }
}

impl<K: IntKey, V: Copy + Default> IntMap<K, V> {
    /// The value of `key`, inserted as `new()` first if absent.
    #[inline]
    pub(crate) fn entry(&mut self, key: K, new: impl FnOnce() -> V) -> &mut V {
        debug_assert!(key != K::EMPTY);
        let mask = self.slots.len() - 1;
        let mut i = key.hash() as usize & mask;
        loop {
            let k = self.slots[i].0;
            if k == key {
                return &mut self.slots[i].1;
            }
            if k == K::EMPTY {
                break;
            }
            i = (i + 1) & mask;
        }
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
            return self.entry(key, new);
        }
        self.len += 1;
        self.slots[i] = (key, new());
        &mut self.slots[i].1
    }

    fn grow(&mut self) {
        let doubled = vec![(K::EMPTY, V::default()); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for (k, v) in old.into_iter().filter(|&(k, _)| k != K::EMPTY) {
            let mut i = k.hash() as usize & mask;
            while self.slots[i].0 != K::EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (k, v);
        }
    }

    /// How many keys the map holds.
    #[cfg_attr(not(any(feature = "parquet", test)), allow(dead_code))]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The keys and values, in no particular order.
    pub(crate) fn into_entries(self) -> impl Iterator<Item = (K, V)> {
        self.slots.into_iter().filter(|&(k, _)| k != K::EMPTY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn agrees_with_a_std_map_through_growth() {
        let mut ours: IntMap<u128, u32> = IntMap::default();
        let mut std_map = HashMap::new();
        // Keys that differ in high and low bits, each seen several times.
        for i in 0..20_000u128 {
            let key = (i % 7_001) << ((i % 3) * 40) | (i % 5);
            let next = std_map.len() as u32;
            let theirs = *std_map.entry(key).or_insert(next);
            assert_eq!(*ours.entry(key, || next), theirs, "{key}");
        }
        assert_eq!(ours.len(), std_map.len());
        let mut entries: Vec<_> = ours.into_entries().collect();
        let mut expected: Vec<_> = std_map.into_iter().collect();
        entries.sort();
        expected.sort();
        assert_eq!(entries, expected);
    }

    #[test]
    fn values_accumulate() {
        let mut m: IntMap<u64, i64> = IntMap::default();
        for k in [3u64, 1 << 40, 3, 3, 0] {
            *m.entry(k, || 0) += 2;
        }
        let mut e: Vec<_> = m.into_entries().collect();
        e.sort();
        assert_eq!(e, vec![(0, 2), (3, 6), (1 << 40, 2)]);
    }
}
