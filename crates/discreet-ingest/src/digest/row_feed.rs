//! The record pass fed row by row by another reader (Parquet).

use std::path::Path;

use super::csv_records::{Capture, RecordCounter};
use super::parallel::Reading;
use super::{results, stopped, FileDigest, RecordPass};
use crate::error::IngestError;

/// The record pass over rows that another reader decodes (Parquet, through
/// polars): the same captures, counts and checks as for a CSV file, fed a
/// row at a time with only the columns the pass reads. Rows can be fed to
/// two counters at once (on two threads); the second is taken over at the
/// end, as a CSV part is.
pub(crate) struct RowFeed {
    counters: [RowCounter; 2],
}

/// Reads one column's values in order, one a call.
pub(crate) trait ValueReader {
    /// The next row's value (empty for a missing value, as in a CSV).
    fn next_value(&mut self) -> &[u8];
}

/// One of a [`RowFeed`]'s counters.
pub(crate) struct RowCounter(RecordCounter);

impl RowCounter {
    /// The dictionary slot of the column at `position` of
    /// [`RowFeed::columns`] when its values are only numbered (not
    /// hashed, checked for emptiness or summed): the reader may then hand
    /// over value numbers (see [`RowCounter::number`]) instead of bytes.
    pub(crate) fn numbered_slot(&self, position: usize) -> Option<usize> {
        let c = &self.0;
        match c.capture.get(position) {
            Some(&Capture::Slot(slot)) if c.weight_slot != Some(slot) => Some(slot),
            _ => None,
        }
    }

    /// The number of `value` in the dictionary of `slot`: what the counter
    /// would have made of it in a row (kept, and checked as UTF-8, when
    /// first seen). The check names the row being read, so the reader
    /// numbers a value when it first meets it, row by row: `row` is the
    /// value's row in the run about to be fed to [`RowCounter::rows`],
    /// from 0.
    pub(crate) fn number(&mut self, slot: usize, row: usize, value: &[u8]) -> u32 {
        let c = &mut self.0;
        let (id, new) = c.dicts[slot].intern(value);
        if new && c.not_utf8.is_none() && std::str::from_utf8(value).is_err() {
            c.not_utf8 = Some((c.line + row as u64 + 1, c.slot_names[slot].clone()));
        }
        id
    }

    /// `n` rows, given a column at a time: for each numbered column (see
    /// [`RowCounter::numbered_slot`]) its slot and the rows' value
    /// numbers, and for each other column its position and a reader of
    /// the rows' values (empty for a missing value).
    pub(crate) fn rows(
        &mut self,
        n: usize,
        numbered: &[(usize, &[u32])],
        others: &mut [(usize, impl ValueReader)],
    ) {
        let c = &mut self.0;
        let ids_of = |slot: usize| {
            numbered
                .iter()
                .find(|(s, _)| *s == slot)
                .map(|(_, ids)| *ids)
        };
        // A group-by that counts every row (no filter, no weight) by
        // numbered columns only is counted a column at a time: one tight
        // loop over its own store, which then stays in cache.
        let by_column: Vec<bool> = (c.sets.iter())
            .map(|set| {
                c.complete
                    && c.weight_slot.is_none()
                    && set.filters.is_empty()
                    && set.slots.iter().all(|&slot| ids_of(slot).is_some())
            })
            .collect();
        for (set, _) in c.sets.iter_mut().zip(&by_column).filter(|(_, &b)| b) {
            let columns: Vec<&[u32]> = (set.slots.iter())
                .map(|&slot| ids_of(slot).expect("numbered"))
                .collect();
            set.count_columns(&columns, n);
        }
        let by_row = by_column.contains(&false) || !c.distinct.is_empty();
        for r in 0..n {
            c.line += 1;
            c.record_line = c.line;
            if by_row {
                for (slot, ids) in numbered {
                    c.row[*slot] = ids[r];
                }
            }
            for (position, reader) in others.iter_mut() {
                c.value(*position, reader.next_value());
            }
            if by_row {
                c.count_row_but(&by_column);
            }
        }
        // The last row's values, as a row-by-row feed leaves them.
        for (slot, ids) in numbered {
            if let Some(&id) = ids.last() {
                c.row[*slot] = id;
            }
        }
    }
}

impl RowFeed {
    pub(super) fn new(pass: &RecordPass<'_>) -> Self {
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
    pub(super) fn finish(self) -> RecordCounter {
        let [RowCounter(mut first), RowCounter(mut second)] = self.counters;
        // The key's hashes are merged sorted: each counter's sorted on a
        // thread of its own (sorting them again below is then one pass).
        std::thread::scope(|s| {
            s.spawn(|| second.key.hashes.sort_unstable());
            first.key.hashes.sort_unstable();
        });
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
