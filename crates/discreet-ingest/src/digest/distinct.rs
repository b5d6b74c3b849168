//! Distinct counts being prepared: (identifier, group) pairs.

use super::dictionary::{pack_ids, Dictionary};
use super::groups::GroupSet;
use crate::int_map::IntMap;

/// A [`DistinctRequest`] being counted.
pub(super) struct DistinctSet {
    /// Slots of the dimension columns, and the filters (its measures are
    /// not used).
    pub(super) rows: GroupSet,
    /// Where the identifier is read.
    pub(super) identifier: IdentifierAt,
    /// Group number of each combination of dimension value numbers
    /// (packed as in [`GroupSet`]).
    pub(super) group_of: IntMap<u128, u32>,
    /// Each group's packed value numbers and rows.
    pub(super) groups: Vec<(u128, u64)>,
    /// Per row kept: its identifier and group.
    pub(super) pairs: Vec<Pair>,
}

/// Where a distinct count's identifier is read: the value number of a
/// captured column (one some group also reads), or an [`Identifier`].
#[derive(Clone, Copy)]
pub(super) enum IdentifierAt {
    Slot(usize),
    Ident(usize),
}

/// A row's identifier (an [`Identifier`] value, or a value number) and
/// group number.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Pair {
    pub(super) person: [u64; 2],
    pub(super) group: u32,
}

impl Pair {
    pub(super) fn new(person: u128, group: u32) -> Self {
        Pair {
            person: [(person >> 64) as u64, person as u64],
            group,
        }
    }

    pub(super) fn person(&self) -> u128 {
        u128::from(self.person[0]) << 64 | u128::from(self.person[1])
    }
}

/// Marks an [`Identifier`] value that is a long value's number, not a
/// packed value (whose top byte is its length, at most 15).
pub(super) const LONG: u128 = 0xff << 120;

/// An identifier column read for distinct counts. Its values are not
/// numbered in a dictionary (there may be as many as rows): a value of up
/// to 15 bytes stands for itself, packed; only longer ones are numbered.
#[derive(Default)]
pub(super) struct Identifier {
    pub(super) name: Vec<u8>,
    /// Whether it is also the key column (hashed like it).
    pub(super) is_key: bool,
    /// The current row's value.
    pub(super) value: u128,
    /// Numbers of the long values.
    pub(super) long: Dictionary,
    pub(super) has_empty: bool,
}

impl Identifier {
    pub(super) fn empty_like(&self) -> Self {
        Identifier {
            name: self.name.clone(),
            is_key: self.is_key,
            ..Identifier::default()
        }
    }
}

impl DistinctSet {
    pub(super) fn empty_like(&self) -> Self {
        DistinctSet {
            rows: self.rows.empty_like(),
            identifier: self.identifier,
            group_of: IntMap::default(),
            groups: Vec::new(),
            pairs: Vec::new(),
        }
    }

    /// The number of the group whose packed key is `key`.
    #[inline]
    pub(super) fn group(&mut self, key: u128) -> u32 {
        let next = self.groups.len() as u32;
        let g = *self.group_of.entry(key, || next);
        if g == next {
            self.groups.push((key, 0));
        }
        g
    }

    /// A row kept: `row` holds its value numbers by slot, `idents` its
    /// identifiers.
    #[inline]
    pub(super) fn add(&mut self, row: &[u32], idents: &[Identifier]) {
        let g = self.group(pack_ids(self.rows.slots.iter().map(|&slot| row[slot])));
        self.groups[g as usize].1 += 1;
        let person = match self.identifier {
            IdentifierAt::Slot(s) => u128::from(row[s]),
            IdentifierAt::Ident(i) => idents[i].value,
        };
        self.pairs.push(Pair::new(person, g));
    }
}

/// The distinct pairs, sorted, with identifiers numbered in order (equal
/// ones are adjacent once sorted). Frees `pairs`.
pub(super) fn number_pairs(pairs: &mut Vec<Pair>) -> Vec<(u32, u32)> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut numbered = Vec::with_capacity(pairs.len());
    let mut number = 0u32;
    for (i, p) in pairs.iter().enumerate() {
        if i > 0 && p.person != pairs[i - 1].person {
            number += 1;
        }
        numbered.push((number, p.group));
    }
    *pairs = Vec::new();
    numbered
}
