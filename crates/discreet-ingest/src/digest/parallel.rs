//! Reading a CSV file: hashing it on a thread of its own, and counting a
//! large one in parts on several threads.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::csv_records::RecordCounter;

/// Below this size a CSV file is counted by one thread: more would cost
/// more than they save.
pub(super) const PARALLEL_MIN_BYTES: u64 = 16 << 20;

/// At most this many threads count one file.
pub(super) const MAX_PARTS: usize = 8;

/// Why a read stopped early.
pub(super) enum Stop {
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
pub(super) struct Reading<'a> {
    pub(super) path: &'a Path,
    pub(super) parts: usize,
    pub(super) piece: usize,
}

impl Reading<'_> {
    /// Gives the bytes from offset `start` up to `end` (or the end of the
    /// file) to `each`, a piece at a time.
    pub(super) fn range(
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
    pub(super) fn hash(&self) -> Result<(String, u64), Stop> {
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
    pub(super) fn hash_while<R>(
        &self,
        work: impl FnOnce() -> R,
    ) -> (Result<(String, u64), Stop>, R) {
        std::thread::scope(|s| {
            let hashing = s.spawn(|| self.hash());
            let done = work();
            (hashing.join().expect("the hashing thread panicked"), done)
        })
    }

    /// Feeds `counter` the file's first lines, up to the end of the header
    /// (if it ends within the first MiB); returns the offset reached.
    pub(super) fn header(&self, counter: &mut RecordCounter) -> Result<u64, Stop> {
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
    pub(super) fn next_line_start(&self, offset: u64) -> Result<Option<u64>, Stop> {
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
    pub(super) fn count_parts(&self, counter: &mut RecordCounter, start: u64) -> Result<(), Stop> {
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
    pub(super) fn count_records(&self, mut counter: RecordCounter) -> Result<RecordCounter, Stop> {
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
