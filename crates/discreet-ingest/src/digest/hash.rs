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

    /// Whether two of all the hashes seen are equal: within one sorted
    /// run (neighbours), or shared by two runs (one walk of both).
    pub(super) fn any_repeat(mut self) -> bool {
        self.hashes.sort_unstable();
        self.sorted_runs.push(self.hashes);
        let runs = &self.sorted_runs;
        runs.iter().any(|run| run.windows(2).any(|w| w[0] == w[1]))
            || (0..runs.len())
                .any(|i| (i + 1..runs.len()).any(|j| share_a_value(&runs[i], &runs[j])))
    }
}

/// Whether two sorted runs have a value in common.
fn share_a_value(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
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

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::KeyHashes;

    /// Repeats within a run, across runs, or none, against a set of
    /// every hash seen.
    #[test]
    fn repeats_are_found_wherever_they_fall() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for case in 0..300 {
            let runs = rng.gen_range(0..4);
            let range = rng.gen_range(1..2_000u64);
            let mut key = KeyHashes::default();
            let mut all: Vec<u64> = Vec::new();
            for _ in 0..runs {
                let mut run: Vec<u64> = (0..rng.gen_range(0..40))
                    .map(|_| rng.gen_range(0..range))
                    .collect();
                all.extend(&run);
                run.sort_unstable();
                key.sorted_runs.push(run);
            }
            key.hashes = (0..rng.gen_range(0..40))
                .map(|_| rng.gen_range(0..range))
                .collect();
            all.extend(&key.hashes);
            let mut seen = std::collections::HashSet::new();
            let expected = !all.iter().all(|h| seen.insert(*h));
            assert_eq!(key.any_repeat(), expected, "case {case}");
        }
    }
}
