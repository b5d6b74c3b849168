//! Numbering the distinct values of a column, and packing small keys into integers.

use super::hash::FastMap;
use crate::int_map::IntMap;

/// The distinct values of one column, numbered in order of appearance.
/// Values of up to 15 bytes (nearly all: codes, dates, ages) are looked up
/// packed in a `u128`, so a lookup compares two integers, not two strings.
#[derive(Default)]
pub(super) struct Dictionary {
    pub(super) short: IntMap<u128, u32>,
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
/// in the top byte (so that "a" and "a\0" differ).
#[inline]
pub(super) fn pack(value: &[u8]) -> Option<u128> {
    if value.len() > 15 {
        return None;
    }
    let mut bytes = [0u8; 16];
    bytes[..value.len()].copy_from_slice(value);
    bytes[15] = value.len() as u8;
    Some(u128::from_le_bytes(bytes))
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
