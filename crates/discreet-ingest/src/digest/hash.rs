//! Cheap hashing for the record pass: FNV-1a, and the key column's hashes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::KeyCheck;

pub(super) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
pub(super) const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Hashes of the values of one column, collected during the record pass:
/// 8 bytes a row, a fraction of what a hash set of the values themselves
/// would hold.
#[derive(Default)]
pub(super) struct KeyHashes {
    pub(super) hashes: Vec<u64>,
    /// Sorted hashes of parts read by other threads, taken over whole.
    pub(super) sorted_runs: Vec<Vec<u64>>,
    pub(super) has_empty: bool,
}

impl KeyHashes {
    /// One row's value (`None`: missing, which is the null check's
    /// business, not a repeat).
    #[inline]
    pub(super) fn add(&mut self, value: Option<&[u8]>) {
        match value {
            None => self.has_empty = true,
            Some(value) => self.hashes.push((value.iter()).fold(FNV_OFFSET, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
            })),
        }
    }

    /// What the values seen tell.
    pub(super) fn check(self) -> KeyCheck {
        KeyCheck {
            has_empty: self.has_empty,
            may_repeat: self.any_repeat(),
        }
    }

    /// Whether two of all the hashes seen are equal.
    pub(super) fn any_repeat(mut self) -> bool {
        self.hashes.sort_unstable();
        self.sorted_runs.push(self.hashes);
        let runs = self.sorted_runs;
        // A merge of the sorted runs, comparing each hash with the last.
        let mut next = vec![0usize; runs.len()];
        let mut last = None;
        loop {
            let least = (0..runs.len())
                .filter_map(|r| runs[r].get(next[r]).map(|&h| (h, r)))
                .min();
            let Some((h, r)) = least else {
                return false;
            };
            if last == Some(h) {
                return true;
            }
            last = Some(h);
            next[r] += 1;
        }
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// FNV-1a: the keys are short and there is no adversary (the analyst's own
/// file), so a cheaper hash than the default SipHash is safe here.
pub(super) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(FNV_OFFSET)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
}
