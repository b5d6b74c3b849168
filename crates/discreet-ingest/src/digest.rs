//! One sequential read of an input file that yields its SHA-256 (recorded in
//! the manifest) and, for CSV, checks its record structure on the way: every
//! record has as many fields as the header and every quote is closed.
//! Polars tolerates ragged lines, which would silently shift columns.
//!
//! The same pass also does the counting: the hashes of a key column
//! (is any value repeated?) and, for each requested set of columns, the
//! distinct combinations of values with their row counts (or weight sums),
//! rows kept by the set's filter only. Each field value is looked up once
//! in a per-column dictionary; a row is then a few small integers. Memory
//! is the dictionaries and the groups, whatever the file's size, where a
//! polars group-by of a CSV file held gigabytes at 1e8 rows.
//!
//! A Parquet file goes through the same pass: polars decodes it in slices
//! of rows, only the columns the pass reads, and each row's values are fed
//! to the counter as a CSV record's fields would be (an empty value or a
//! null is a missing value, as an empty CSV field). Only the structural
//! checks are the CSV's own.
//!
//! A large CSV file is read by several threads at once: one hashes the whole
//! file, the others each count the records of one part, cut at line ends.
//! A cut may fall inside a quoted field that spans lines; the part after
//! it is then read again, in order, by the counter of the parts before, so
//! the result (counts, errors and their lines) is always that of one
//! sequential read.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::error::IngestError;
use crate::int_map::IntMap;
use crate::source::{Groups, RowFilter};

/// What the record pass reads besides the file's hash and structure.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordPass<'a> {
    /// A column whose values should all differ: hashed, 8 bytes a row.
    pub key: Option<&'a str>,
    /// Sets of columns to group by, each with the rows it keeps.
    pub sets: &'a [(Vec<String>, RowFilter)],
    /// An integer column summed per group instead of counting rows.
    pub weight: Option<&'a str>,
    /// Columns checked for empty values only.
    pub non_empty: &'a [&'a str],
    /// Distinct counts to prepare.
    pub distinct: &'a [DistinctRequest],
}

/// A distinct count the record pass prepares: the distinct values of an
/// identifier among the rows a filter keeps, by the values of at most
/// four dimension columns. See [`DistinctPairs`].
#[derive(Debug, Clone)]
pub struct DistinctRequest {
    /// The dimension columns (at most four).
    pub columns: Vec<String>,
    /// The identifier column whose distinct values are counted.
    pub identifier: String,
    /// The rows counted.
    pub filter: RowFilter,
}

/// What the record pass found for a [`DistinctRequest`]: which identifier
/// goes with which combination of dimension values. Enough to count the
/// distinct identifiers of any set of combinations (any cell, at any
/// level), with numbers standing for the identifiers' values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistinctPairs {
    /// The combinations of the dimension columns' values among the rows
    /// kept, with their rows, in no particular order.
    pub groups: Groups,
    /// Each (identifier, group) pair of the rows kept, once, sorted: a
    /// number standing for the identifier's value (the same number for the
    /// same value), and the group's index in `groups`.
    pub pairs: Vec<(u32, u32)>,
}

/// SHA-256 and size of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// With a key column, what the record pass saw of it.
    pub key: Option<KeyCheck>,
    /// One [`Groups`] per requested set, in the order asked (sorted by
    /// values).
    pub groups: Vec<Groups>,
    /// Each column of [`RecordPass::non_empty`] found in the file, and
    /// whether some row leaves it empty.
    pub empty: Vec<(String, bool)>,
    /// One [`DistinctPairs`] per [`RecordPass::distinct`] request, in
    /// order.
    pub distinct: Vec<DistinctPairs>,
}

/// What the record pass tells of a key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyCheck {
    /// Whether two non-empty values may be equal (their 64-bit hashes
    /// are). `false` proves the values unique; `true` asks for an exact
    /// search, since hashes can collide.
    pub may_repeat: bool,
    /// Whether some row leaves the column empty.
    pub has_empty: bool,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Hashes of the values of one column, collected during the record pass:
/// 8 bytes a row, where a hash set of the values themselves took over 90
/// (9.2 GB at 1e8 rows).
#[derive(Default)]
struct KeyHashes {
    hashes: Vec<u64>,
    /// Sorted hashes of parts read by other threads, taken over whole.
    sorted_runs: Vec<Vec<u64>>,
    has_empty: bool,
}

impl KeyHashes {
    /// One row's value (`None`: missing, which is the null check's
    /// business, not a repeat).
    #[inline]
    fn add(&mut self, value: Option<&[u8]>) {
        match value {
            None => self.has_empty = true,
            Some(value) => self.hashes.push((value.iter()).fold(FNV_OFFSET, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
            })),
        }
    }

    /// What the values seen tell.
    fn check(self) -> KeyCheck {
        KeyCheck {
            has_empty: self.has_empty,
            may_repeat: self.any_repeat(),
        }
    }

    /// Whether two of all the hashes seen are equal.
    fn any_repeat(mut self) -> bool {
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

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// The distinct values of one column, numbered in order of appearance.
/// Values of up to 15 bytes (nearly all: codes, dates, ages) are looked up
/// packed in a `u128`, so a lookup compares two integers, not two strings.
#[derive(Default)]
struct Dictionary {
    short: IntMap<u128, u32>,
    long: FastMap<Vec<u8>, u32>,
    values: Vec<Vec<u8>>,
}

impl Dictionary {
    /// The number of `value`, and whether it is new.
    #[inline]
    fn intern(&mut self, value: &[u8]) -> (u32, bool) {
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
fn pack(value: &[u8]) -> Option<u128> {
    if value.len() > 15 {
        return None;
    }
    let mut bytes = [0u8; 16];
    bytes[..value.len()].copy_from_slice(value);
    bytes[15] = value.len() as u8;
    Some(u128::from_le_bytes(bytes))
}

/// FNV-1a: short keys, no adversary (the analyst's own file), and several
/// times cheaper per lookup than the default SipHash on this pass.
struct Fnv(u64);

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

/// One requested group-by: which captured columns make the key, which
/// rows it keeps, and the groups so far.
struct GroupSet {
    /// Capture slots of the key columns, in the set's order.
    slots: Vec<usize>,
    /// Filters: a slot and the values kept, with each value number's
    /// verdict once known (0 unknown, 1 kept, 2 dropped).
    filters: Vec<(usize, Vec<Vec<u8>>, Vec<u8>)>,
    /// Keys of one column: the measure by value number (`None`: no row).
    single: Vec<Option<i64>>,
    /// Keys of two columns packed as two `u32` value numbers: 16-byte
    /// entries, so more of the table stays in cache.
    pair: IntMap<u64, i64>,
    /// Keys of three or four columns packed as four `u32` value numbers.
    packed: IntMap<u128, i64>,
    /// Keys of more columns.
    wide: FastMap<Vec<u32>, i64>,
}

impl GroupSet {
    /// A set with the same key columns and filters, and no groups yet.
    fn empty_like(&self) -> Self {
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
    fn into_rows(self) -> Vec<(Vec<u32>, i64)> {
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
    fn keeps(&mut self, row: &[u32], dicts: &[Dictionary]) -> bool {
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
    fn add(&mut self, row: &[u32], measure: i64) {
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

/// A [`DistinctRequest`] being counted.
struct DistinctSet {
    /// Slots of the dimension columns, and the filters (its measures are
    /// not used).
    rows: GroupSet,
    /// Where the identifier is read.
    identifier: IdentifierAt,
    /// Group number of each combination of dimension value numbers
    /// (packed as in [`GroupSet`]).
    group_of: IntMap<u128, u32>,
    /// Each group's packed value numbers and rows.
    groups: Vec<(u128, u64)>,
    /// Per row kept: its identifier and group.
    pairs: Vec<Pair>,
}

/// Where a distinct count's identifier is read: the value number of a
/// captured column (one some group also reads), or an [`Identifier`].
#[derive(Clone, Copy)]
enum IdentifierAt {
    Slot(usize),
    Ident(usize),
}

/// A row's identifier (an [`Identifier`] value, or a value number) and
/// group number.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Pair {
    person: [u64; 2],
    group: u32,
}

impl Pair {
    fn new(person: u128, group: u32) -> Self {
        Pair {
            person: [(person >> 64) as u64, person as u64],
            group,
        }
    }

    fn person(&self) -> u128 {
        u128::from(self.person[0]) << 64 | u128::from(self.person[1])
    }
}

/// Marks an [`Identifier`] value that is a long value's number, not a
/// packed value (whose top byte is its length, at most 15).
const LONG: u128 = 0xff << 120;

/// An identifier column read for distinct counts. Its values are not
/// numbered in a dictionary (there may be as many as rows): a value of up
/// to 15 bytes stands for itself, packed; only longer ones are numbered.
#[derive(Default)]
struct Identifier {
    name: Vec<u8>,
    /// Whether it is also the key column (hashed like it).
    is_key: bool,
    /// The current row's value.
    value: u128,
    /// Numbers of the long values.
    long: Dictionary,
    has_empty: bool,
}

impl Identifier {
    fn empty_like(&self) -> Self {
        Identifier {
            name: self.name.clone(),
            is_key: self.is_key,
            ..Identifier::default()
        }
    }
}

impl DistinctSet {
    fn empty_like(&self) -> Self {
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
    fn group(&mut self, key: u128) -> u32 {
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
    fn add(&mut self, row: &[u32], idents: &[Identifier]) {
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
fn number_pairs(pairs: &mut Vec<Pair>) -> Vec<(u32, u32)> {
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

/// Up to four value numbers in one integer, 32 bits each, the first
/// lowest.
#[inline]
fn pack_ids(ids: impl Iterator<Item = u32>) -> u128 {
    ids.enumerate()
        .fold(0, |key, (i, id)| key | u128::from(id) << (32 * i))
}

/// The `i`th value number of a key made by [`pack_ids`].
#[inline]
fn unpack_id(key: u128, i: usize) -> u32 {
    (key >> (32 * i)) as u32
}

/// What the pass does with a field, by its position in the record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    Skip,
    Key,
    /// The value is numbered in this slot's dictionary.
    Slot(usize),
    /// Only whether the value is empty matters (this empty check's index).
    Empty(usize),
    /// An identifier counted distinct (its index).
    Ident(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Counts the fields of RFC 4180 records, byte by byte, and captures the
/// fields of the columns asked for.
struct RecordCounter {
    delimiter: u8,
    state: State,
    fields: u64,
    has_content: bool,
    line: u64,
    record_line: u64,
    expected: Option<u64>,
    /// Names wanted: the key column, then the captured columns by slot.
    key_name: Option<Vec<u8>>,
    slot_names: Vec<Vec<u8>>,
    in_header: bool,
    header: Vec<Vec<u8>>,
    /// Per field position, set when the header ends.
    capture: Vec<Capture>,
    /// The current field's bytes, when it is captured.
    field: Vec<u8>,
    key: KeyHashes,
    key_index: Option<usize>,
    /// Per slot: its dictionary, and the current row's value number.
    dicts: Vec<Dictionary>,
    row: Vec<u32>,
    /// Whether the header holds every captured column (the caller checks
    /// that first; without them nothing is counted).
    complete: bool,
    /// Slot of the weight column, and the current row's weight.
    weight_slot: Option<usize>,
    weight: i64,
    sets: Vec<GroupSet>,
    /// Line of the first value that is not UTF-8, and its slot.
    not_utf8: Option<(u64, Vec<u8>)>,
    /// Columns checked for empty values, and whether one was seen.
    empty_names: Vec<Vec<u8>>,
    empty: Vec<bool>,
    distinct: Vec<DistinctSet>,
    idents: Vec<Identifier>,
}

impl RecordCounter {
    fn new(delimiter: u8) -> Self {
        RecordCounter {
            delimiter,
            state: State::FieldStart,
            fields: 0,
            has_content: false,
            line: 1,
            record_line: 1,
            expected: None,
            key_name: None,
            slot_names: Vec::new(),
            in_header: true,
            header: Vec::new(),
            capture: Vec::new(),
            field: Vec::new(),
            key: KeyHashes::default(),
            key_index: None,
            dicts: Vec::new(),
            row: Vec::new(),
            complete: false,
            weight_slot: None,
            weight: 0,
            sets: Vec::new(),
            not_utf8: None,
            empty_names: Vec::new(),
            empty: Vec::new(),
            distinct: Vec::new(),
            idents: Vec::new(),
        }
    }

    /// Sets up the captures `pass` asks for.
    fn with(mut self, pass: &RecordPass<'_>) -> Self {
        self.key_name = pass.key.map(|k| k.as_bytes().to_vec());
        let slot = |name: &str, names: &mut Vec<Vec<u8>>| -> usize {
            match names.iter().position(|n| n == name.as_bytes()) {
                Some(i) => i,
                None => {
                    names.push(name.as_bytes().to_vec());
                    names.len() - 1
                }
            }
        };
        let mut names = Vec::new();
        let group_set = |cols: &[String], filter: &RowFilter, names: &mut Vec<Vec<u8>>| {
            let slots = cols.iter().map(|c| slot(c, names)).collect();
            let filters = filter
                .iter()
                .map(|(c, vals)| {
                    let allowed = vals.iter().map(|v| v.as_bytes().to_vec()).collect();
                    (slot(c, names), allowed, Vec::new())
                })
                .collect();
            GroupSet {
                slots,
                filters,
                single: Vec::new(),
                pair: IntMap::default(),
                packed: IntMap::default(),
                wide: FastMap::default(),
            }
        };
        for (cols, filter) in pass.sets {
            let set = group_set(cols, filter, &mut names);
            self.sets.push(set);
        }
        for d in pass.distinct {
            assert!(
                d.columns.len() <= 4,
                "a distinct count by at most 4 columns"
            );
            let rows = group_set(&d.columns, &d.filter, &mut names);
            self.distinct.push(DistinctSet {
                rows,
                identifier: IdentifierAt::Ident(0),
                group_of: IntMap::default(),
                groups: Vec::new(),
                pairs: Vec::new(),
            });
        }
        self.weight_slot = pass.weight.map(|w| slot(w, &mut names));
        // An identifier that some group reads anyway is numbered in its
        // dictionary; any other is an identifier of its own.
        for (set, d) in self.distinct.iter_mut().zip(pass.distinct) {
            let name = d.identifier.as_bytes();
            set.identifier = match names.iter().position(|n| n == name) {
                Some(s) => IdentifierAt::Slot(s),
                None => {
                    IdentifierAt::Ident(match self.idents.iter().position(|i| i.name == name) {
                        Some(i) => i,
                        None => {
                            self.idents.push(Identifier {
                                name: name.to_vec(),
                                is_key: pass.key == Some(d.identifier.as_str()),
                                ..Identifier::default()
                            });
                            self.idents.len() - 1
                        }
                    })
                }
            };
        }
        self.empty_names = pass
            .non_empty
            .iter()
            .map(|c| c.as_bytes().to_vec())
            .collect();
        self.empty = vec![false; pass.non_empty.len()];
        self.dicts = names.iter().map(|_| Dictionary::default()).collect();
        self.row = vec![0; names.len()];
        self.slot_names = names;
        self
    }

    /// A counter for a part of the data read by another thread: what the
    /// header told this one, and nothing counted yet. Its lines are
    /// numbered from 1 at the part's start.
    fn part(&self) -> Self {
        RecordCounter {
            delimiter: self.delimiter,
            state: State::FieldStart,
            fields: 0,
            has_content: false,
            line: 1,
            record_line: 1,
            expected: self.expected,
            key_name: self.key_name.clone(),
            slot_names: self.slot_names.clone(),
            in_header: self.in_header,
            header: self.header.clone(),
            capture: self.capture.clone(),
            field: Vec::new(),
            key: KeyHashes::default(),
            key_index: self.key_index,
            dicts: self.dicts.iter().map(|_| Dictionary::default()).collect(),
            row: vec![0; self.row.len()],
            complete: self.complete,
            weight_slot: self.weight_slot,
            weight: 0,
            sets: self.sets.iter().map(GroupSet::empty_like).collect(),
            not_utf8: None,
            empty_names: self.empty_names.clone(),
            empty: vec![false; self.empty.len()],
            distinct: self.distinct.iter().map(DistinctSet::empty_like).collect(),
            idents: self.idents.iter().map(Identifier::empty_like).collect(),
        }
    }

    /// Whether the bytes fed so far end with a whole record (not inside a
    /// quoted field), so that the next byte starts a record.
    fn at_record_start(&self) -> bool {
        self.state == State::FieldStart && self.fields == 0 && !self.has_content
    }

    /// Takes over what `part` counted of the bytes right after those fed
    /// to this counter, which end with a whole record: as if this counter
    /// had read them.
    fn absorb(&mut self, part: RecordCounter) {
        let lines_before = self.line - 1;
        // The part numbered values in its own dictionaries.
        let renumber: Vec<Vec<u32>> = (part.dicts.iter().zip(&mut self.dicts))
            .map(|(theirs, ours)| theirs.values.iter().map(|v| ours.intern(v).0).collect())
            .collect();
        let number = |slot: usize, id: u32| renumber[slot].get(id as usize).copied().unwrap_or(0);
        let long: Vec<Vec<u32>> = (part.idents.iter().zip(&mut self.idents))
            .map(|(theirs, ours)| {
                theirs
                    .long
                    .values
                    .iter()
                    .map(|v| ours.long.intern(v).0)
                    .collect()
            })
            .collect();
        let person = |at: IdentifierAt, person: u128| match at {
            IdentifierAt::Slot(s) => u128::from(number(s, person as u32)),
            IdentifierAt::Ident(i) if person >> 120 == LONG >> 120 => {
                LONG | u128::from(long[i][person as u32 as usize])
            }
            IdentifierAt::Ident(_) => person,
        };
        let mut row = vec![0u32; renumber.len()];
        for (set, theirs) in self.sets.iter_mut().zip(part.sets) {
            let slots = theirs.slots.clone();
            for (ids, n) in theirs.into_rows() {
                for (&slot, id) in slots.iter().zip(ids) {
                    row[slot] = number(slot, id);
                }
                set.add(&row, n);
            }
        }
        for (ours, theirs) in self.distinct.iter_mut().zip(part.distinct) {
            let slots = ours.rows.slots.clone();
            let groups: Vec<u32> = (theirs.groups.iter())
                .map(|&(key, rows)| {
                    let key = pack_ids(
                        (slots.iter().enumerate())
                            .map(|(i, &slot)| number(slot, unpack_id(key, i))),
                    );
                    let g = ours.group(key);
                    ours.groups[g as usize].1 += rows;
                    g
                })
                .collect();
            let identifier = ours.identifier;
            ours.pairs.extend(
                (theirs.pairs.iter())
                    .map(|p| Pair::new(person(identifier, p.person()), groups[p.group as usize])),
            );
        }
        for (i, (ours, theirs)) in self.idents.iter_mut().zip(&part.idents).enumerate() {
            ours.has_empty |= theirs.has_empty;
            ours.value = person(IdentifierAt::Ident(i), theirs.value);
        }
        if self.not_utf8.is_none() {
            self.not_utf8 = part
                .not_utf8
                .map(|(line, column)| (lines_before + line, column));
        }
        let mut key = part.key;
        key.hashes.sort_unstable();
        self.key.sorted_runs.push(key.hashes);
        self.key.sorted_runs.append(&mut key.sorted_runs);
        self.key.has_empty |= key.has_empty;
        for (ours, theirs) in self.empty.iter_mut().zip(part.empty) {
            *ours |= theirs;
        }
        // Where the part stopped, which may be inside a record when it is
        // the file's last (no final line end) or ends in a quoted field.
        self.state = part.state;
        self.fields = part.fields;
        self.has_content = part.has_content;
        self.field = part.field;
        for (slot, &id) in part.row.iter().enumerate() {
            self.row[slot] = number(slot, id);
        }
        self.weight = part.weight;
        self.line = lines_before + part.line;
        self.record_line = lines_before + part.record_line;
    }

    /// A byte of the current field's value (quotes removed).
    #[inline]
    fn content(&mut self, b: u8) {
        self.field.push(b);
    }

    /// Bytes of the current field's value (quotes removed).
    #[inline]
    fn contents(&mut self, bytes: &[u8]) {
        // Kept whatever the column: this path takes only quoted fields and
        // lines split between reads, and every value is checked (UTF-8).
        self.field.extend_from_slice(bytes);
    }

    /// The current field ends.
    fn field_end(&mut self) {
        if self.in_header {
            self.header.push(std::mem::take(&mut self.field));
            return;
        }
        let field = std::mem::take(&mut self.field);
        self.value(self.fields as usize, &field);
        self.field = field;
        self.field.clear();
    }

    /// Notes the first value that is not UTF-8, in the column at
    /// `position` of the record.
    #[inline]
    fn check_utf8(&mut self, position: usize, value: &[u8]) {
        if !value.is_ascii() && self.not_utf8.is_none() && std::str::from_utf8(value).is_err() {
            let column = self.header.get(position).cloned().unwrap_or_default();
            self.not_utf8 = Some((self.record_line, column));
        }
    }

    /// The value of a field captured in `slot`.
    #[inline]
    fn slot_value(&mut self, slot: usize, value: &[u8]) {
        let (id, new) = self.dicts[slot].intern(value);
        self.row[slot] = id;
        if new && self.not_utf8.is_none() && std::str::from_utf8(value).is_err() {
            self.not_utf8 = Some((self.record_line, self.slot_names[slot].clone()));
        }
        if self.weight_slot == Some(slot) {
            self.weight = parse_weight(value);
        }
    }

    /// A value of the key column.
    #[inline]
    fn key_value(&mut self, value: &[u8]) {
        // An empty CSV field is a missing value.
        self.key.add((!value.is_empty()).then_some(value));
        if let Some(position) = self.key_index {
            self.check_utf8(position, value);
        }
    }

    /// The value of identifier `i`, at `position` of the record.
    #[inline]
    fn ident_value(&mut self, i: usize, position: usize, value: &[u8]) {
        let ident = &mut self.idents[i];
        ident.has_empty |= value.is_empty();
        ident.value = match pack(value) {
            Some(packed) => packed,
            None => LONG | u128::from(ident.long.intern(value).0),
        };
        if ident.is_key {
            // Checks the value as UTF-8 too.
            self.key_value(value);
        } else {
            self.check_utf8(position, value);
        }
    }

    /// A whole data record on one line without quotes or carriage
    /// returns, at a record start: its fields are taken straight from the
    /// line, the common case, much cheaper than byte by byte.
    fn plain_line(&mut self, line: &[u8]) -> Result<(), (u64, String)> {
        self.line += 1;
        if line.is_empty() {
            self.record_line = self.line;
            return Ok(());
        }
        let mut n = 0;
        let delimiter = self.delimiter;
        for value in line.split(|&b| b == delimiter) {
            self.value(n, value);
            n += 1;
        }
        let done = self.record_done(n as u64);
        self.record_line = self.line;
        done
    }

    /// The value of the field at `position` of the current record.
    #[inline]
    fn value(&mut self, position: usize, value: &[u8]) {
        match self.capture.get(position).copied().unwrap_or(Capture::Skip) {
            Capture::Skip => self.check_utf8(position, value),
            Capture::Key => self.key_value(value),
            Capture::Slot(i) => self.slot_value(i, value),
            Capture::Ident(i) => self.ident_value(i, position, value),
            Capture::Empty(i) => {
                self.empty[i] |= value.is_empty();
                self.check_utf8(position, value);
            }
        }
    }

    /// The header has been read: where each wanted column is.
    fn header_end(&mut self) {
        self.in_header = false;
        self.capture = vec![Capture::Skip; self.header.len()];
        for (i, name) in self.header.iter().enumerate() {
            if let Some(e) = (self.idents.iter()).position(|d| d.name == *name && d.is_key) {
                // The key is hashed as the identifier is read.
                self.capture[i] = Capture::Ident(e);
                self.key_index = Some(i);
            } else if self.key_name.as_deref() == Some(name.as_slice()) {
                self.capture[i] = Capture::Key;
                self.key_index = Some(i);
            } else if let Some(s) = self.slot_names.iter().position(|n| n == name) {
                self.capture[i] = Capture::Slot(s);
            } else if let Some(e) = self.idents.iter().position(|d| d.name == *name) {
                self.capture[i] = Capture::Ident(e);
            } else if let Some(e) = self.empty_names.iter().position(|n| n == name) {
                self.capture[i] = Capture::Empty(e);
            }
        }
        self.complete = (0..self.slot_names.len())
            .all(|s| self.capture.contains(&Capture::Slot(s)))
            && (0..self.idents.len()).all(|i| self.capture.contains(&Capture::Ident(i)));
    }

    /// A data record is complete: add it to every group set that keeps it.
    fn count_row(&mut self) {
        if !self.complete {
            return;
        }
        let measure = if self.weight_slot.is_some() {
            self.weight
        } else {
            1
        };
        for set in &mut self.sets {
            if set.keeps(&self.row, &self.dicts) {
                set.add(&self.row, measure);
            }
        }
        for d in &mut self.distinct {
            if d.rows.keeps(&self.row, &self.dicts) {
                d.add(&self.row, &self.idents);
            }
        }
    }

    /// A record of `n` fields, all ended, is complete.
    fn record_done(&mut self, n: u64) -> Result<(), (u64, String)> {
        if self.in_header {
            self.header_end();
        } else if Some(n) == self.expected {
            self.count_row();
        }
        match self.expected {
            None => self.expected = Some(n),
            Some(e) if e != n => {
                return Err((
                    self.record_line,
                    format!("{e} fields like the header, found {n}"),
                ))
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn end_record(&mut self) -> Result<(), (u64, String)> {
        if self.has_content {
            self.field_end();
            self.record_done(self.fields + 1)?;
        }
        self.fields = 0;
        self.has_content = false;
        self.state = State::FieldStart;
        self.record_line = self.line;
        Ok(())
    }

    fn feed(&mut self, buf: &[u8]) -> Result<(), (u64, String)> {
        let mut i = 0;
        while i < buf.len() {
            if !self.in_header && self.at_record_start() {
                if let Some(end) = memchr::memchr(b'\n', &buf[i..]) {
                    let line = &buf[i..i + end];
                    let plain = match memchr::memchr2(b'"', b'\r', line) {
                        None => Some(line),
                        Some(cr) if cr + 1 == line.len() && line[cr] == b'\r' => Some(&line[..cr]),
                        Some(_) => None,
                    };
                    if let Some(line) = plain {
                        self.plain_line(line)?;
                        i += end + 1;
                        continue;
                    }
                }
            }
            // Runs of plain bytes are taken whole (found with SIMD): inside
            // quotes everything but a quote or a newline, outside them
            // everything but a delimiter or a line end, except a quote that
            // opens a field.
            let run = match self.state {
                State::Quoted => memchr::memchr2(b'"', b'\n', &buf[i..]),
                State::Unquoted => memchr::memchr3(self.delimiter, b'\n', b'\r', &buf[i..]),
                State::FieldStart if buf[i] != b'"' => {
                    memchr::memchr3(self.delimiter, b'\n', b'\r', &buf[i..])
                }
                _ => Some(0),
            }
            .unwrap_or(buf.len() - i);
            if run > 0 {
                self.has_content = true;
                if self.state == State::FieldStart {
                    self.state = State::Unquoted;
                }
                self.contents(&buf[i..i + run]);
                i += run;
                continue;
            }
            self.byte(buf[i])?;
            i += 1;
        }
        Ok(())
    }

    /// One byte that may change the state: a quote, a delimiter, a line end.
    fn byte(&mut self, b: u8) -> Result<(), (u64, String)> {
        if b == b'\n' {
            self.line += 1;
            if self.state != State::Quoted {
                self.end_record()?;
            } else {
                self.content(b);
            }
            return Ok(());
        }
        if b == b'\r' && self.state != State::Quoted {
            return Ok(());
        }
        self.has_content = true;
        self.state = match (self.state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => {
                self.content(b);
                State::Quoted
            }
            (State::QuoteInQuoted, b'"') => {
                self.content(b);
                State::Quoted
            }
            (State::FieldStart, b'"') => State::Quoted,
            (_, d) if d == self.delimiter => {
                self.field_end();
                self.fields += 1;
                State::FieldStart
            }
            _ => {
                self.content(b);
                State::Unquoted
            }
        };
        Ok(())
    }

    fn finish(&mut self) -> Result<(), (u64, String)> {
        if self.state == State::Quoted {
            return Err((
                self.record_line,
                "a closing quote for the quoted field that starts on this line".into(),
            ));
        }
        self.end_record()
    }
}

/// A weight field as an integer; anything else weighs nothing here (the
/// caller checks every value of the column and refuses it).
fn parse_weight(field: &[u8]) -> i64 {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    let n = digits
        .iter()
        .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    if negative {
        -n
    } else {
        n
    }
}

/// Below this size a CSV file is counted by one thread: more would cost
/// more than they save.
const PARALLEL_MIN_BYTES: u64 = 16 << 20;

/// At most this many threads count one file.
const MAX_PARTS: usize = 8;

/// Why a read stopped early.
enum Stop {
    Read(std::io::Error),
    /// What the read looked for is found.
    Found,
    /// A record is malformed: its line, and what was expected.
    Record(u64, String),
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Read(e)
    }
}

impl From<(u64, String)> for Stop {
    fn from((line, expected): (u64, String)) -> Self {
        Stop::Record(line, expected)
    }
}

/// How one file is read: its path, how many parts are counted at once,
/// and the size of the pieces read.
struct Reading<'a> {
    path: &'a Path,
    parts: usize,
    piece: usize,
}

impl Reading<'_> {
    /// Gives the bytes from offset `start` up to `end` (or the end of the
    /// file) to `each`, a piece at a time.
    fn range(
        &self,
        start: u64,
        end: u64,
        mut each: impl FnMut(&[u8]) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        let mut f = File::open(self.path)?;
        f.seek(SeekFrom::Start(start))?;
        let mut f = f.take(end.saturating_sub(start));
        let mut buf = vec![0u8; self.piece];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            each(&buf[..n])?;
        }
    }

    /// Lowercase hex SHA-256 and size of the whole file.
    fn hash(&self) -> Result<(String, u64), Stop> {
        let mut h = Sha256::new();
        let mut bytes = 0u64;
        self.range(0, u64::MAX, |piece| {
            h.update(piece);
            bytes += piece.len() as u64;
            Ok(())
        })?;
        let sha256 = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok((sha256, bytes))
    }

    /// [`Reading::hash`] on a thread of its own while `work` runs (the
    /// counting, with its own reads).
    fn hash_while<R>(&self, work: impl FnOnce() -> R) -> (Result<(String, u64), Stop>, R) {
        std::thread::scope(|s| {
            let hashing = s.spawn(|| self.hash());
            let done = work();
            (hashing.join().expect("the hashing thread panicked"), done)
        })
    }

    /// Feeds `counter` the file's first lines, up to the end of the header
    /// (if it ends within the first MiB); returns the offset reached.
    fn header(&self, counter: &mut RecordCounter) -> Result<u64, Stop> {
        let mut head = Vec::new();
        File::open(self.path)?
            .take(1 << 20)
            .read_to_end(&mut head)?;
        let mut fed = 0;
        for end in memchr::memchr_iter(b'\n', &head) {
            counter.feed(&head[fed..=end])?;
            fed = end + 1;
            if !counter.in_header {
                break;
            }
        }
        Ok(fed as u64)
    }

    /// The start of the first line that begins after `offset` (the byte
    /// after the next line end), or `None` when no line end follows.
    fn next_line_start(&self, offset: u64) -> Result<Option<u64>, Stop> {
        let mut at = offset;
        let mut found = None;
        // Stops the read at the first line end.
        let seek = self.range(offset, u64::MAX, |piece| {
            match memchr::memchr(b'\n', piece) {
                Some(i) => {
                    found = Some(at + i as u64 + 1);
                    Err(Stop::Found)
                }
                None => {
                    at += piece.len() as u64;
                    Ok(())
                }
            }
        });
        match seek {
            Ok(()) | Err(Stop::Found) => Ok(found),
            Err(e) => Err(e),
        }
    }

    /// Feeds `counter` (which has read the header, up to `start`) the rest
    /// of the file, cut at line starts into parts counted at once, each by
    /// a fresh counter on its own thread, then taken over in order. A part
    /// that does not start a record (the cut fell in a quoted field) is
    /// read again by `counter`, which then ends where that part ends.
    fn count_parts(&self, counter: &mut RecordCounter, start: u64) -> Result<(), Stop> {
        let size = std::fs::metadata(self.path)?.len();
        let mut cuts = vec![start];
        for i in 1..self.parts as u64 {
            let nominal = start + (size - start) * i / self.parts as u64;
            match self.next_line_start(nominal)? {
                Some(cut) if cut > cuts[cuts.len() - 1] && cut < size => cuts.push(cut),
                _ => {}
            }
        }
        cuts.push(u64::MAX);
        let fresh: Vec<RecordCounter> = cuts.windows(2).map(|_| counter.part()).collect();
        std::thread::scope(|s| {
            let counting: Vec<_> = (cuts.windows(2).zip(fresh))
                .map(|(range, mut part)| {
                    let (from, to) = (range[0], range[1]);
                    s.spawn(move || {
                        let read = self.range(from, to, |piece| Ok(part.feed(piece)?));
                        // Sorted here, on this part's thread.
                        part.key.hashes.sort_unstable();
                        (part, read)
                    })
                })
                .collect();
            for (range, thread) in cuts.windows(2).zip(counting) {
                let (part, read) = thread.join().expect("a counting thread panicked");
                if counter.at_record_start() {
                    let lines_before = counter.line - 1;
                    read.map_err(|stop| match stop {
                        Stop::Record(line, expected) => Stop::Record(lines_before + line, expected),
                        read_error => read_error,
                    })?;
                    counter.absorb(part);
                } else {
                    self.range(range[0], range[1], |piece| Ok(counter.feed(piece)?))?;
                }
            }
            Ok(())
        })
    }

    /// The record pass over a CSV file: `counter` after every record (and
    /// the end of the file) has been fed.
    fn count_records(&self, mut counter: RecordCounter) -> Result<RecordCounter, Stop> {
        let start = if self.parts > 1 {
            self.header(&mut counter)?
        } else {
            0
        };
        if self.parts > 1 && !counter.in_header {
            self.count_parts(&mut counter, start)?;
        } else {
            self.range(start, u64::MAX, |piece| Ok(counter.feed(piece)?))?;
        }
        counter.finish()?;
        Ok(counter)
    }
}

/// Hashes a CSV file, checks its record structure and does what `pass`
/// asks (see [`RecordPass`]). A large file is counted on as many threads
/// as there are cores (at most [`MAX_PARTS`]).
pub(crate) fn digest(
    path: &Path,
    file: &str,
    delimiter: u8,
    pass: &RecordPass<'_>,
) -> Result<FileDigest, IngestError> {
    let large = std::fs::metadata(path).is_ok_and(|m| m.len() >= PARALLEL_MIN_BYTES);
    let parts = if large {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_PARTS))
    } else {
        1
    };
    let reading = Reading {
        path,
        parts,
        piece: 1 << 20,
    };
    digest_by(&reading, file, delimiter, pass)
}

/// The record pass over rows that another reader decodes (Parquet, through
/// polars): the same captures, counts and checks as for a CSV file, fed a
/// row at a time with only the columns the pass reads. Rows can be fed to
/// two counters at once (on two threads); the second is taken over at the
/// end, as a CSV part is.
pub(crate) struct RowFeed {
    counters: [RowCounter; 2],
}

/// One of a [`RowFeed`]'s counters.
pub(crate) struct RowCounter(RecordCounter);

impl RowCounter {
    /// One row: the value of each of [`RowFeed::columns`] in order (empty
    /// for a missing value, as in a CSV).
    #[inline]
    pub(crate) fn row<'v>(&mut self, values: impl Iterator<Item = &'v [u8]>) {
        let c = &mut self.0;
        c.line += 1;
        c.record_line = c.line;
        for (position, value) in values.enumerate() {
            c.value(position, value);
        }
        c.count_row();
    }
}

impl RowFeed {
    fn new(pass: &RecordPass<'_>) -> Self {
        let mut counter = RecordCounter::new(b',').with(pass);
        let mut columns: Vec<Vec<u8>> = Vec::new();
        let wanted = (counter.key_name.iter())
            .chain(&counter.slot_names)
            .chain(counter.idents.iter().map(|i| &i.name))
            .chain(&counter.empty_names);
        for name in wanted {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
        counter.header = columns;
        counter.header_end();
        let second = counter.part();
        RowFeed {
            counters: [RowCounter(counter), RowCounter(second)],
        }
    }

    /// The columns to feed, in order.
    pub(crate) fn columns(&self) -> Vec<String> {
        (self.counters[0].0.header.iter())
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect()
    }

    /// The two counters, for two threads: whichever rows each is fed, the
    /// result is that of one counter fed them all.
    pub(crate) fn counters(&mut self) -> (&mut RowCounter, &mut RowCounter) {
        let [a, b] = &mut self.counters;
        (a, b)
    }

    /// Everything counted, in the first counter.
    fn finish(self) -> RecordCounter {
        let [RowCounter(mut first), RowCounter(second)] = self.counters;
        first.absorb(second);
        first
    }
}

/// Hashes a file (on a thread of its own) while `read` feeds its rows to
/// the record pass `pass` asks for: for files the record pass cannot read
/// itself (Parquet).
pub(crate) fn digest_rows(
    path: &Path,
    file: &str,
    pass: &RecordPass<'_>,
    read: impl FnOnce(&mut RowFeed) -> Result<(), IngestError>,
) -> Result<FileDigest, IngestError> {
    let reading = Reading {
        path,
        parts: 1,
        piece: 1 << 20,
    };
    let mut feed = RowFeed::new(pass);
    let (hashed, fed) = reading.hash_while(|| read(&mut feed));
    fed?;
    let (sha256, bytes) = hashed.map_err(|stop| stopped(file, stop))?;
    results(feed.finish(), file, pass, sha256, bytes)
}

/// The error a read stopped with.
fn stopped(file: &str, stop: Stop) -> IngestError {
    match stop {
        Stop::Read(e) => IngestError::file(file, format!("a readable file ({e})")),
        Stop::Found => unreachable!("only a search stops when found"),
        Stop::Record(line, expected) => IngestError {
            line: Some(line),
            ..IngestError::file(file, expected)
        },
    }
}

/// [`digest`], reading as `reading` says.
fn digest_by(
    reading: &Reading<'_>,
    file: &str,
    delimiter: u8,
    pass: &RecordPass<'_>,
) -> Result<FileDigest, IngestError> {
    let (hashed, counted) =
        reading.hash_while(|| reading.count_records(RecordCounter::new(delimiter).with(pass)));
    let c = counted.map_err(|stop| stopped(file, stop))?;
    let (sha256, bytes) = hashed.map_err(|stop| stopped(file, stop))?;
    results(c, file, pass, sha256, bytes)
}

/// What the record pass found (`c`, every record fed), as a digest.
fn results(
    c: RecordCounter,
    file: &str,
    pass: &RecordPass<'_>,
    sha256: String,
    bytes: u64,
) -> Result<FileDigest, IngestError> {
    if let Some((line, column)) = c.not_utf8 {
        return Err(IngestError {
            line: Some(line),
            column: Some(String::from_utf8_lossy(&column).into_owned()),
            ..IngestError::file(file, "UTF-8 text; found bytes that are not UTF-8")
        });
    }
    let has_empty = c.key.has_empty;
    let empty = (pass.non_empty.iter().enumerate())
        .filter_map(|(e, name)| {
            let at = c.header.iter().position(|h| h == name.as_bytes())?;
            let seen = match c.capture[at] {
                Capture::Key => has_empty,
                Capture::Slot(s) => c.dicts[s].values.iter().any(Vec::is_empty),
                Capture::Empty(_) => c.empty[e],
                Capture::Ident(i) => c.idents[i].has_empty,
                Capture::Skip => return None,
            };
            Some((name.to_string(), seen))
        })
        .collect();
    let key = c.key_index.map(|_| c.key.check());
    // Every value was checked as UTF-8 when first seen; empty is `None`.
    let text: Vec<Vec<Option<String>>> = (c.dicts.iter())
        .map(|d| {
            (d.values.iter())
                .map(|v| {
                    (!v.is_empty()).then(|| String::from_utf8(v.clone()).expect("checked above"))
                })
                .collect()
        })
        .collect();
    let value = |slot: usize, id: u32| &text[slot][id as usize];
    let distinct = (pass.distinct.iter().zip(c.distinct))
        .map(|(request, mut d)| {
            let numbered = number_pairs(&mut d.pairs);
            let slots = &d.rows.slots;
            let keys = (0..slots.len())
                .map(|i| {
                    (d.groups.iter())
                        .map(|&(key, _)| value(slots[i], unpack_id(key, i)).clone())
                        .collect()
                })
                .collect();
            DistinctPairs {
                groups: Groups {
                    columns: request.columns.clone(),
                    keys,
                    counts: d.groups.iter().map(|&(_, rows)| rows).collect(),
                },
                pairs: numbered,
            }
        })
        .collect();
    let groups = pass
        .sets
        .iter()
        .zip(c.sets)
        .map(|((columns, _), set)| {
            let width = set.slots.len();
            let slots = set.slots.clone();
            let mut rows = set.into_rows();
            rows.sort_unstable_by(|a, b| {
                let ka = slots.iter().zip(&a.0).map(|(&s, &id)| value(s, id));
                let kb = slots.iter().zip(&b.0).map(|(&s, &id)| value(s, id));
                ka.cmp(kb)
            });
            let mut g = Groups {
                columns: columns.clone(),
                keys: vec![Vec::with_capacity(rows.len()); width],
                counts: Vec::with_capacity(rows.len()),
            };
            for (ids, n) in rows {
                for (c, (&slot, &id)) in slots.iter().zip(&ids).enumerate() {
                    g.keys[c].push(value(slot, id).clone());
                }
                // A negative sum only comes from values the caller refuses.
                g.counts.push(u64::try_from(n).unwrap_or(0));
            }
            g
        })
        .collect();
    Ok(FileDigest {
        sha256,
        bytes,
        key,
        groups,
        empty,
        distinct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), (u64, String)> {
        let mut c = RecordCounter::new(b',');
        c.feed(text.as_bytes())?;
        c.finish()
    }

    #[test]
    fn well_formed_records() {
        assert!(check("a,b,c\n1,2,3\n").is_ok());
        assert!(check("a,b,c\r\n1,2,3\r\n4,5,6").is_ok());
        assert!(check("a,b,c\n\"x,y\",\"he said \"\"hi\"\"\",3\n").is_ok());
        assert!(check("a,b,c\n\"multi\nline\",2,3\n4,5,6\n").is_ok());
        assert!(
            check("a,b,c\n1,2,3\n\n").is_ok(),
            "blank lines are not records"
        );
        assert!(check("a,b,c\n,,\n").is_ok(), "empty fields still count");
    }

    #[test]
    fn ragged_and_unclosed_records_are_located() {
        assert_eq!(check("a,b,c\n1,2,3\n1,2,3,4\n").unwrap_err().0, 3);
        assert_eq!(
            check("a,b,c\n1,2\n").unwrap_err(),
            (2, "3 fields like the header, found 2".into())
        );
        assert_eq!(check("a,b,c\n\"multi\nline\",2,3\n4,5\n").unwrap_err().0, 4);
        assert_eq!(check("a,b,c\n1,\"2,3\n4,5,6\n").unwrap_err().0, 2);
    }

    fn key_check(text: &str, key: &str) -> Option<KeyCheck> {
        let dir = tempfile_path(text);
        let pass = RecordPass {
            key: Some(key),
            ..RecordPass::default()
        };
        let d = digest(&dir, "t.csv", b',', &pass).unwrap();
        let _ = std::fs::remove_file(&dir);
        d.key
    }

    fn repeats(text: &str, key: &str) -> Option<bool> {
        key_check(text, key).map(|k| k.may_repeat)
    }

    fn tempfile_path(text: &str) -> std::path::PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "discreet-digest-{}-{}.csv",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn key_repeats_are_seen_through_quotes_and_empty_values_are_not_repeats() {
        assert_eq!(repeats("id,x\na,1\nb,2\n", "id"), Some(false));
        assert_eq!(repeats("x,id\r\n1,a\r\n2,a\r\n", "id"), Some(true));
        // Quoting does not change the value.
        assert_eq!(repeats("id,x\n\"a\",1\na,2\n", "id"), Some(true));
        assert_eq!(repeats("id,x\n\"a\"\"b\",1\n\"a\",2\n", "id"), Some(false));
        assert_eq!(repeats("id,x\n\"a,b\",1\na,2\n", "id"), Some(false));
        assert_eq!(repeats("id,x\n,1\n,2\nz,3\n", "id"), Some(false));
        assert_eq!(
            key_check("id,x\n,1\nz,3\n", "id").map(|k| k.has_empty),
            Some(true)
        );
        assert_eq!(
            key_check("id,x\ny,1\nz,3\n", "id").map(|k| k.has_empty),
            Some(false)
        );
        // The last field of a file without a final newline counts too.
        assert_eq!(repeats("x,id\n1,q\n2,q", "id"), Some(true));
        assert_eq!(repeats("x,y\n1,q\n", "id"), None);
    }

    fn groups(
        text: &[u8],
        sets: &[(Vec<String>, RowFilter)],
        weight: Option<&str>,
    ) -> Result<Vec<Groups>, IngestError> {
        let path = tempfile_path("");
        std::fs::write(&path, text).unwrap();
        let pass = RecordPass {
            key: Some("id"),
            sets,
            weight,
            ..RecordPass::default()
        };
        let d = digest(&path, "t.csv", b',', &pass);
        let _ = std::fs::remove_file(&path);
        d.map(|d| d.groups)
    }

    fn set(cols: &[&str]) -> (Vec<String>, RowFilter) {
        (cols.iter().map(|c| c.to_string()).collect(), Vec::new())
    }

    /// Groups as (values joined with `|`, `~` for empty, count), in order.
    fn flat(g: &Groups) -> Vec<(String, u64)> {
        (0..g.len())
            .map(|i| {
                let key: Vec<&str> = g
                    .keys
                    .iter()
                    .map(|k| k[i].as_deref().unwrap_or("~"))
                    .collect();
                (key.join("|"), g.counts[i])
            })
            .collect()
    }

    #[test]
    fn groups_count_rows_per_combination_of_values() {
        let text = b"id,prov,age,kind\r\n1,ON,30,a\r\n2,\"QC\",,b\r\n3,ON,\"3\"\"0\",a\n4,,30,a\n5,PROVINCE-CODE-OF-20,30,b\n6,ON,30,b\n";
        let s = |a: &str, n: u64| (a.to_string(), n);
        let filtered = (
            vec!["prov".to_string()],
            vec![("kind".to_string(), vec!["a".to_string()])],
        );
        let g = groups(
            text,
            &[
                set(&["age"]),
                set(&["prov", "age"]),
                filtered,
                set(&["a", "b", "c", "d", "e"].map(|_| "kind")),
            ],
            None,
        )
        .unwrap();
        assert_eq!(g[0].columns, vec!["age"]);
        assert_eq!(
            flat(&g[0]),
            vec![s("~", 1), s("3\"0", 1), s("30", 4)],
            "quotes removed, empty fields are None, sorted"
        );
        assert_eq!(
            flat(&g[1]),
            vec![
                s("~|30", 1),
                s("ON|3\"0", 1),
                s("ON|30", 2),
                s("PROVINCE-CODE-OF-20|30", 1),
                s("QC|~", 1)
            ]
        );
        // Only rows of kind a.
        assert_eq!(flat(&g[2]), vec![s("~", 1), s("ON", 2)]);
        // A key of more than four columns.
        assert_eq!(flat(&g[3]), vec![s("a|a|a|a|a", 3), s("b|b|b|b|b", 3)]);
    }

    #[test]
    fn weights_are_summed_and_bad_bytes_located() {
        let text = b"id,prov,n\n1,ON,3\n2,ON,4\n3,QC,x\n4,QC,-2\n5,NB,7\n";
        let g = groups(text, &[set(&["prov"]), set(&["n"])], Some("n")).unwrap();
        let s = |a: &str, n: u64| (a.to_string(), n);
        // A value that is not an integer weighs nothing; a negative sum is
        // 0 (the caller refuses both values anyway).
        assert_eq!(flat(&g[0]), vec![s("NB", 7), s("ON", 7), s("QC", 0)]);
        assert_eq!(g[1].keys[0].len(), 5);
        // Values are bytes until the end: a non-UTF-8 one is located.
        let e = groups(b"id,prov\n1,ON\n2,Q\xe9\n", &[set(&["prov"])], None).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (Some(3), Some("prov")));
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn empty_values_are_seen_quoted_or_not_whatever_else_reads_the_column() {
        let text = "id,a,b,c,d\n1,x,,y,k\n2,\"\",z,\"\",\"m\"\r\n3,q,z,,n\n";
        let sets = [set(&["b"])];
        let pass = RecordPass {
            key: Some("id"),
            sets: &sets,
            non_empty: &["a", "b", "c", "d", "id", "absent"],
            ..RecordPass::default()
        };
        let path = tempfile_path(text);
        let d = digest(&path, "t.csv", b',', &pass).unwrap();
        let _ = std::fs::remove_file(&path);
        let e = |n: &str, seen: bool| (n.to_string(), seen);
        assert_eq!(
            d.empty,
            vec![
                e("a", true),
                e("b", true),
                e("c", true),
                e("d", false),
                e("id", false)
            ]
        );
    }

    #[test]
    fn distinct_pairs_give_each_identifier_once_per_group() {
        let text = "id,p,a,k\n1,P1,x,s\n2,P1,x,s\n3,P1,y,s\n4,P2,x,s\n5,\"P2\",x,t\n\
                    6,LONG-IDENTIFIER-OF-20,y,s\n7,\"LONG-IDENTIFIER-OF-20\",y,s\n";
        let request = DistinctRequest {
            columns: vec!["a".to_string()],
            identifier: "p".to_string(),
            filter: vec![("k".to_string(), vec!["s".to_string()])],
        };
        let pass = RecordPass {
            distinct: std::slice::from_ref(&request),
            non_empty: &["p"],
            ..RecordPass::default()
        };
        let path = tempfile_path(text);
        let d = digest(&path, "t.csv", b',', &pass).unwrap();
        let _ = std::fs::remove_file(&path);
        let found = &d.distinct[0];
        // Row 5 is filtered out; groups in order of appearance.
        let s = |a: &str, n: u64| (a.to_string(), n);
        assert_eq!(flat(&found.groups), vec![s("x", 3), s("y", 3)]);
        // P1 in x and y, P2 in x, the long identifier in y (twice).
        assert_eq!(found.pairs, vec![(0, 0), (0, 1), (1, 0), (2, 1)]);
        assert_eq!(d.empty, vec![("p".to_string(), false)]);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_located_in_any_column() {
        let sets = [set(&["a"])];
        let pass = RecordPass {
            key: Some("id"),
            sets: &sets,
            ..RecordPass::default()
        };
        let bad: [(&[u8], u64, &str); 4] = [
            (b"id,a,z\n1,x,ok\n2\xe9,x,ok\n", 3, "id"),
            (b"id,a,z\n1,x,ok\n\"2\xe9\",x,ok\n", 3, "id"),
            (b"id,a,z\n1,x,ok\n2,x,o\xe9k\n", 3, "z"),
            (b"id,a,z\n1,x,\"o\n\xc3\"\n2,x,ok\n", 2, "z"),
        ];
        for (text, line, column) in bad {
            // Whole lines and byte by byte.
            let e = parts_agree(text, &pass).unwrap_err();
            assert_eq!((e.line, e.column.as_deref()), (Some(line), Some(column)));
            assert!(e.to_string().contains("UTF-8"), "{e}");
        }
        let good = "id,a,z\n1,x,\"\u{e9}t\u{e9}\"\n\u{e9}2,x,\u{2014}\n";
        assert!(parts_agree(good.as_bytes(), &pass).is_ok());
    }

    #[test]
    fn chunk_boundaries_do_not_matter() {
        let text = "id,a,b\n7,\"x\"\"y\",2\r\n8,4,\"5,6\"\n9,,\"multi\nline\"\n";
        let sets = [set(&["a"]), set(&["a", "b"])];
        let pass = RecordPass {
            key: Some("id"),
            sets: &sets,
            ..RecordPass::default()
        };
        let seen = |split: usize| {
            let mut c = RecordCounter::new(b',').with(&pass);
            c.feed(&text.as_bytes()[..split]).unwrap();
            c.feed(&text.as_bytes()[split..]).unwrap();
            c.finish().unwrap();
            let mut sets: Vec<Vec<(Vec<u32>, i64)>> =
                c.sets.into_iter().map(GroupSet::into_rows).collect();
            sets.iter_mut().for_each(|s| s.sort());
            let mut hashes = c.key.hashes.clone();
            hashes.sort();
            (
                sets,
                c.dicts.iter().map(|d| d.values.clone()).collect::<Vec<_>>(),
                hashes,
                c.line,
            )
        };
        let whole = seen(text.len());
        assert_eq!(
            whole.1,
            vec![
                vec![b"x\"y".to_vec(), b"4".to_vec(), b"".to_vec()],
                vec![b"2".to_vec(), b"5,6".to_vec(), b"multi\nline".to_vec()]
            ]
        );
        assert_eq!(whole.0[1].len(), 3);
        assert_eq!(whole.2.len(), 3);
        for split in 0..text.len() {
            assert_eq!(seen(split), whole, "split at {split}");
        }
    }

    /// Everything a read gives, comparable: hash, size, key check and
    /// groups, or the error.
    type Outcome = Result<
        (
            String,
            u64,
            Option<KeyCheck>,
            Vec<Vec<(String, u64)>>,
            Vec<(String, bool)>,
            Vec<(Vec<(String, u64)>, Vec<(u32, u32)>)>,
        ),
        IngestError,
    >;

    fn read_in_parts(path: &Path, pass: &RecordPass<'_>, parts: usize, piece: usize) -> Outcome {
        let reading = Reading { path, parts, piece };
        digest_by(&reading, "t.csv", b',', pass).map(|d| {
            (
                d.sha256,
                d.bytes,
                d.key,
                d.groups.iter().map(flat).collect(),
                d.empty,
                (d.distinct.iter())
                    .map(|p| (flat(&p.groups), p.pairs.clone()))
                    .collect(),
            )
        })
    }

    fn parts_agree(text: &[u8], pass: &RecordPass<'_>) -> Outcome {
        let path = tempfile_path("");
        std::fs::write(&path, text).unwrap();
        // One byte at a time, no line is ever whole in a piece: every byte
        // goes through the state machine, none through the plain-line path.
        let bytewise = read_in_parts(&path, pass, 1, 1);
        for parts in 1..=9 {
            let split = read_in_parts(&path, pass, parts, 1 << 20);
            let text = String::from_utf8_lossy(text);
            assert_eq!(split, bytewise, "{parts} parts of {text:?}");
        }
        let _ = std::fs::remove_file(&path);
        bytewise
    }

    #[test]
    fn a_cut_inside_a_quoted_field_is_read_again_in_order() {
        // Most of the file is one quoted field of many lines, so most cuts
        // fall inside it, where a part read alone finds ragged records.
        let mut text = b"id,a,b\n1,\"".to_vec();
        for i in 0..60 {
            text.extend_from_slice(format!("line {i}, still quoted\n").as_bytes());
        }
        text.extend_from_slice(b"\",x\n2,y,z\n3,y,z\n");
        let sets = [set(&["a"]), set(&["b"])];
        let pass = RecordPass {
            key: Some("id"),
            sets: &sets,
            ..RecordPass::default()
        };
        let (_, _, key, groups, _, _) = parts_agree(&text, &pass).unwrap();
        assert_eq!(key.map(|k| k.may_repeat), Some(false));
        assert_eq!(groups[1], vec![("x".to_string(), 1), ("z".to_string(), 2)]);
        // A fault after the long field is located on its own line.
        text.extend_from_slice(b"4,y\n");
        let e = parts_agree(&text, &pass).unwrap_err();
        assert_eq!(e.line, Some(65));
    }

    #[test]
    fn counting_in_parts_and_by_whole_lines_gives_what_a_byte_by_byte_read_gives() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let sets = [
            set(&["a"]),
            set(&["a", "b"]),
            (
                vec!["b".to_string()],
                vec![("a".to_string(), vec!["p".to_string(), "q,r".to_string()])],
            ),
        ];
        // Identifiers read as the key, as a captured column, and (`n`,
        // every other case) as an identifier only, long ones included.
        let request = |by: &str, identifier: &str, filter: &RowFilter| DistinctRequest {
            columns: vec![by.to_string()],
            identifier: identifier.to_string(),
            filter: filter.clone(),
        };
        let distinct = [
            request("a", "id", &sets[2].1),
            request("a", "b", &sets[2].1),
            request("b", "n", &Vec::new()),
        ];
        let mut outcomes = [0usize; 2];
        for case in 0..300 {
            let fault = |rng: &mut rand_chacha::ChaCha8Rng| rng.gen_bool(0.01);
            let mut text = b"id,a,b,n\n".to_vec();
            for row in 0..rng.gen_range(0..60) {
                let mut fields = vec![format!("{}", rng.gen_range(0..row + 200))];
                for _ in 0..2 {
                    fields.push(match rng.gen_range(0..8) {
                        0 => String::new(),
                        1 => "\"q,r\"".into(),
                        2 => "\"two\nlines\"".into(),
                        3 => "\"say \"\"hi\"\"\"".into(),
                        4 => "p".into(),
                        _ => format!("v{}", rng.gen_range(0..5)),
                    });
                }
                fields.push(match rng.gen_range(0..50) {
                    0 => String::new(),
                    1 => "\"\"".into(),
                    2..=6 => format!("identifier-longer-than-15-{}", rng.gen_range(0..3)),
                    n => format!("{}", n % 9),
                });
                if fault(&mut rng) {
                    fields.pop();
                }
                if fault(&mut rng) {
                    fields[1] = "\"unclosed".into();
                }
                text.extend_from_slice(fields.join(",").as_bytes());
                if fault(&mut rng) {
                    text.push(0xe9);
                }
                if rng.gen_bool(0.05) {
                    text.extend_from_slice(b"\n");
                }
                text.extend_from_slice(if rng.gen_bool(0.3) { b"\r\n" } else { b"\n" });
            }
            if rng.gen_bool(0.2) {
                text.pop();
            }
            // `n` is the weight (a captured value) or an identifier only;
            // `a` is captured, `id` is the key.
            let pass = RecordPass {
                key: Some("id"),
                sets: &sets,
                weight: (case % 2 == 0).then_some("n"),
                non_empty: &["n", "a", "id", "absent"],
                distinct: &distinct,
            };
            outcomes[usize::from(parts_agree(&text, &pass).is_ok())] += 1;
        }
        // Both kinds of outcome were compared.
        assert!(outcomes[0] > 20 && outcomes[1] > 20, "{outcomes:?}");
    }

    /// Rows fed by another reader (Parquet's path), in any split between
    /// the two counters, count exactly as the same rows read from a CSV.
    /// A digest with its distinct counts in a form that does not depend
    /// on the order rows were counted in: groups sorted, and for each
    /// identifier the sorted keys of its groups.
    fn canonical(d: FileDigest) -> (FileDigest, Vec<(Vec<(String, u64)>, Vec<Vec<String>>)>) {
        let distinct = (d.distinct.iter())
            .map(|p| {
                let keys = flat(&p.groups);
                let mut by_person: std::collections::BTreeMap<u32, Vec<String>> =
                    Default::default();
                for &(person, g) in &p.pairs {
                    by_person
                        .entry(person)
                        .or_default()
                        .push(keys[g as usize].0.clone());
                }
                let mut persons: Vec<Vec<String>> = (by_person.into_values())
                    .map(|mut groups| {
                        groups.sort();
                        groups
                    })
                    .collect();
                persons.sort();
                let mut keys = keys;
                keys.sort();
                (keys, persons)
            })
            .collect();
        (
            FileDigest {
                distinct: Vec::new(),
                ..d
            },
            distinct,
        )
    }

    #[test]
    fn rows_fed_to_either_counter_count_as_the_csv_read_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let sets = [
            set(&["a"]),
            set(&["a", "b"]),
            (
                vec!["b".to_string()],
                vec![("a".to_string(), vec!["p".to_string()])],
            ),
        ];
        let distinct = [
            DistinctRequest {
                columns: vec!["a".to_string()],
                identifier: "n".to_string(),
                filter: sets[2].1.clone(),
            },
            DistinctRequest {
                columns: vec!["b".to_string(), "a".to_string()],
                identifier: "id".to_string(),
                filter: Vec::new(),
            },
        ];
        let header = ["id", "skip", "a", "b", "n"];
        for case in 0..100 {
            let rows: Vec<Vec<String>> = (0..rng.gen_range(1..80))
                .map(|_| {
                    let mut value = |rng: &mut rand_chacha::ChaCha8Rng| match rng.gen_range(0..9) {
                        0 => String::new(),
                        1 => "p".to_string(),
                        2 => format!("a-value-longer-than-15-bytes-{}", rng.gen_range(0..3)),
                        n => format!("v{}", n % 4),
                    };
                    vec![
                        format!("{}", rng.gen_range(0..100)),
                        value(&mut rng),
                        value(&mut rng),
                        value(&mut rng),
                        format!("{}", rng.gen_range(0..12)),
                    ]
                })
                .collect();
            let mut text = header.join(",") + "\n";
            for row in &rows {
                text.push_str(&row.join(","));
                text.push('\n');
            }
            let pass = RecordPass {
                key: Some("id"),
                sets: &sets,
                weight: (case % 2 == 0).then_some("n"),
                non_empty: &["n", "a", "skip"],
                distinct: &distinct,
            };
            let path = tempfile_path(&text);
            let csv = digest(&path, "t.csv", b',', &pass).map(canonical);
            let fed = digest_rows(&path, "t.csv", &pass, |feed| {
                let at: Vec<usize> = (feed.columns().iter())
                    .map(|c| header.iter().position(|h| h == c).unwrap())
                    .collect();
                let (first, second) = feed.counters();
                for row in &rows {
                    let counter = if rng.gen_bool(0.5) {
                        &mut *first
                    } else {
                        &mut *second
                    };
                    counter.row(at.iter().map(|&i| row[i].as_bytes()));
                }
                Ok(())
            })
            .map(canonical);
            let _ = std::fs::remove_file(&path);
            assert!(csv.is_ok(), "case {case}");
            assert_eq!(fed, csv, "case {case}");
        }
    }
}
