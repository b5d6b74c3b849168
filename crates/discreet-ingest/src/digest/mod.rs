//! One sequential read of an input file that yields its SHA-256 (recorded in
//! the manifest) and, for CSV, checks its record structure on the way: every
//! record has as many fields as the header and every quote is closed (a
//! ragged line would otherwise silently shift columns).
//!
//! The same pass also does the counting: the hashes of a key column
//! (is any value repeated?) and, for each requested set of columns, the
//! distinct combinations of values with their row counts (or weight sums),
//! rows kept by the set's filter only. Each field value is looked up once
//! in a per-column dictionary; a row is then a few small integers. Memory
//! is the dictionaries and the groups, whatever the file's size.
//!
//! A Parquet file goes through the same pass: polars decodes it in slices
//! of rows, only the columns the pass reads, and the rows are fed to the
//! counter with the same effect as a CSV's records (an empty value or a
//! null is a missing value, as an empty CSV field). Columns that are only
//! numbered come a column at a time as value numbers, looked up by their
//! typed value; group-bys that keep every row are then counted a column
//! at a time too. Only the structural checks are the CSV's own.
//!
//! A large CSV file is read by several threads at once: one hashes the whole
//! file, the others each count the records of one part, cut at line ends.
//! A cut may fall inside a quoted field that spans lines; the part after
//! it is then read again, in order, by the counter of the parts before, so
//! the result (counts, errors and their lines) is always that of one
//! sequential read.
//!
//! Modules: `csv_records` (the record state machine and its captures),
//! `dictionary` (value numbers), `groups` and `distinct` (what is counted),
//! `hash` (FNV-1a and the key column's hashes), `parallel` (reading a file,
//! in parts on several threads), `row_feed` (rows decoded by another reader).

mod csv_records;
mod dictionary;
mod distinct;
mod groups;
mod hash;
mod parallel;
#[cfg(any(feature = "parquet", test))]
mod row_feed;
#[cfg(test)]
pub(crate) mod tests;

use std::path::Path;

use crate::error::IngestError;
use crate::source::{Groups, RowFilter};

use csv_records::{Capture, RecordCounter};
use dictionary::unpack_id;
use distinct::number_pairs;
use parallel::{Reading, Stop, MAX_PARTS, PARALLEL_MIN_BYTES};
#[cfg(any(feature = "parquet", test))]
pub(crate) use row_feed::digest_rows;
#[cfg(feature = "parquet")]
pub(crate) use row_feed::{RowCounter, ValueReader};

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
    // Each value number's place among its column's values in text order
    // (the groups' order): sorting then compares integers, not strings.
    let rank: Vec<Vec<u32>> = (text.iter())
        .map(|values| {
            let mut order: Vec<usize> = (0..values.len()).collect();
            order.sort_unstable_by(|&a, &b| values[a].cmp(&values[b]));
            let mut rank = vec![0; values.len()];
            for (place, id) in order.into_iter().enumerate() {
                rank[id] = place as u32;
            }
            rank
        })
        .collect();
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
            // By the values' text, compared as ranks.
            rows.sort_unstable_by(|a, b| {
                let ranks = (a.0.iter().zip(&b.0).zip(&slots))
                    .map(|((&x, &y), &s)| rank[s][x as usize].cmp(&rank[s][y as usize]));
                ranks.fold(std::cmp::Ordering::Equal, std::cmp::Ordering::then)
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
