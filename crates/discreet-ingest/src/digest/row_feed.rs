//! The record pass fed row by row by another reader (Parquet).

use std::path::Path;

use super::csv_records::RecordCounter;
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
