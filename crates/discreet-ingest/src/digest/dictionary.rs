//! Numbering the distinct values of a column, and packing small keys into integers.

use super::hash::FastMap;
use crate::int_map::IntMap;

/// The distinct values of one column, numbered in order of appearance.
/// Values of up to 15 bytes (nearly all: codes, dates, ages) are looked up
/// packed in a `u128`, so a lookup compares two integers, not two strings;
/// values of up to 31 bytes (longer codes) in two.
#[derive(Default)]
pub(super) struct Dictionary {
    pub(super) short: IntMap<u128, u32>,
    pub(super) medium: IntMap<[u128; 2], u32>,
    pub(super) long: FastMap<Vec<u8>, u32>,
    pub(super) values: Vec<Vec<u8>>,
}

impl Dictionary {
    /// The number of `value`, and whether it is new.
    #[inline]
    pub(super) fn intern(&mut self, value: &[u8]) -> (u32, bool) {
        let next = self.values.len() as u32;
        let id = match pack(value) {
            Some(key) => *self.short.entry(key, || next),
            None if value.len() < 32 => *self.medium.entry(pack_pair(value), || next),
            None => match self.long.get(value) {
                Some(&id) => id,
                None => {
                    self.long.insert(value.to_vec(), next);
                    next
                }
            },
        };
        let new = id == next;
        if new {
            self.values.push(value.to_vec());
        }
        (id, new)
    }
}

/// A value of at most 15 bytes as one integer: the bytes, then the length
/// in the top byte (so that "a" and "a\0" differ). Every value of every
/// row goes through here: the bytes are read as whole words (overlapping
/// reads for the ragged ends) rather than copied into a buffer, whose
/// byte-wise stores the next load would have to wait for.
#[inline]
pub(super) fn pack(value: &[u8]) -> Option<u128> {
    let n = value.len();
    let word = |at: usize| u64::from_le_bytes(value[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            value[at..at + 4].try_into().expect("4 bytes"),
        ))
    };
    let (low, high) = match n {
        16.. => return None,
        // Bytes 8.. are the top `n - 8` bytes of the last word.
        9.. => (word(0), word(n - 8) >> (8 * (16 - n))),
        8 => (word(0), 0),
        // Two halves that overlap agree on the bytes they share.
        4.. => (half(0) | half(n - 4) << (8 * (n - 4)), 0),
        _ => (value.iter().rev().fold(0, |w, &b| w << 8 | u64::from(b)), 0),
    };
    Some(u128::from(low) | u128::from(high) << 64 | (n as u128) << 120)
}

/// A value of 16 to 31 bytes as two integers: its first 16 bytes, then
/// the rest packed as [`pack`] packs (with its length), so values of
/// different lengths differ.
#[inline]
fn pack_pair(value: &[u8]) -> [u128; 2] {
    let (head, tail) = value.split_at(16);
    let head = u128::from_le_bytes(head.try_into().expect("16 bytes"));
    [head, pack(tail).expect("at most 15 bytes")]
}

/// Up to four value numbers in one integer, 32 bits each, the first
/// lowest.
#[inline]
pub(super) fn pack_ids(ids: impl Iterator<Item = u32>) -> u128 {
    ids.enumerate()
        .fold(0, |key, (i, id)| key | u128::from(id) << (32 * i))
}

/// The `i`th value number of a key made by [`pack_ids`].
#[inline]
pub(super) fn unpack_id(key: u128, i: usize) -> u32 {
    (key >> (32 * i)) as u32
}

#[cfg(test)]
mod tests {
    use super::pack;

    /// The layout `pack` promises, byte by byte.
    fn reference(value: &[u8]) -> Option<u128> {
        (value.len() <= 15).then(|| {
            let mut bytes = [0u8; 16];
            bytes[..value.len()].copy_from_slice(value);
            bytes[15] = value.len() as u8;
            u128::from_le_bytes(bytes)
        })
    }

    #[test]
    fn packs_every_length_as_the_byte_layout() {
        let bytes: Vec<u8> = (0..40u32).map(|i| (i * 37 + 11) as u8).collect();
        for start in 0..8 {
            for n in 0..=20 {
                let v = &bytes[start..start + n];
                assert_eq!(pack(v), reference(v), "{v:?}");
            }
        }
        assert_ne!(pack(b"a"), pack(b"a\0"));
    }

    /// Values of every length around the packed limits get one number
    /// each, the same on every sight.
    #[test]
    fn values_of_every_length_are_numbered_once() {
        let mut dictionary = super::Dictionary::default();
        let mut values: Vec<Vec<u8>> = Vec::new();
        for n in 0..=40 {
            for fill in [b'a', 0] {
                let mut v = vec![fill; n];
                if n > 0 {
                    v[n - 1] = b'z';
                }
                values.push(v.clone());
                // The same bytes and a trailing zero byte more differ.
                v.push(0);
                values.push(v);
            }
        }
        values.sort();
        values.dedup();
        for round in 0..2 {
            for (i, v) in values.iter().enumerate() {
                assert_eq!(dictionary.intern(v), (i as u32, round == 0), "{v:?}");
            }
        }
        assert_eq!(dictionary.values, values);
    }
}
