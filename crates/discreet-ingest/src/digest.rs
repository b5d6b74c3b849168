//! One sequential read of an input file that yields its SHA-256 (recorded in
//! the manifest) and, for CSV, checks its record structure on the way: every
//! record has as many fields as the header and every quote is closed.
//! Polars tolerates ragged lines, which would silently shift columns.

use std::io::Read;
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::error::IngestError;

/// SHA-256 and size of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// For a CSV read with a key column, what the record pass saw of it;
    /// `None` when the key was not checked here.
    pub key: Option<KeyCheck>,
}

/// What one pass over a CSV tells of a key column.
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
struct KeyHashes {
    name: Vec<u8>,
    index: Option<u64>,
    in_header: bool,
    header_field: Vec<u8>,
    hash: u64,
    len: u64,
    hashes: Vec<u64>,
    has_empty: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Counts the fields of RFC 4180 records, byte by byte.
struct RecordCounter {
    delimiter: u8,
    state: State,
    fields: u64,
    has_content: bool,
    line: u64,
    record_line: u64,
    expected: Option<u64>,
    key: Option<KeyHashes>,
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
            key: None,
        }
    }

    /// A byte of the current field's value (quotes removed).
    #[inline]
    fn content(&mut self, b: u8) {
        if let Some(k) = self.key.as_mut() {
            if k.in_header {
                k.header_field.push(b);
            } else if k.index == Some(self.fields) {
                k.hash = (k.hash ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                k.len += 1;
            }
        }
    }

    /// The current field ends.
    fn field_end(&mut self) {
        if let Some(k) = self.key.as_mut() {
            if k.in_header {
                if k.header_field == k.name {
                    k.index = Some(self.fields);
                }
                k.header_field.clear();
            } else if k.index == Some(self.fields) {
                // Empty values are the null check's business, not repeats.
                if k.len > 0 {
                    k.hashes.push(k.hash);
                } else {
                    k.has_empty = true;
                }
            }
            k.hash = FNV_OFFSET;
            k.len = 0;
        }
    }

    fn end_record(&mut self) -> Result<(), (u64, String)> {
        if self.has_content {
            self.field_end();
            if let Some(k) = self.key.as_mut() {
                k.in_header = false;
            }
            let n = self.fields + 1;
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
        }
        self.fields = 0;
        self.has_content = false;
        self.state = State::FieldStart;
        self.record_line = self.line;
        Ok(())
    }

    fn feed(&mut self, buf: &[u8]) -> Result<(), (u64, String)> {
        for &b in buf {
            if b == b'\n' {
                self.line += 1;
                if self.state != State::Quoted {
                    self.end_record()?;
                } else {
                    self.content(b);
                }
                continue;
            }
            if b == b'\r' && self.state != State::Quoted {
                continue;
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
        }
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

/// Hashes a file; for CSV (`delimiter` given) also checks record structure
/// and, with `key`, whether that column's values may repeat.
pub(crate) fn digest(
    path: &Path,
    file: &str,
    delimiter: Option<u8>,
    key: Option<&str>,
) -> Result<FileDigest, IngestError> {
    let read_err = |e: std::io::Error| IngestError::file(file, format!("a readable file ({e})"));
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let mut h = Sha256::new();
    let mut counter = delimiter.map(|d| {
        let mut c = RecordCounter::new(d);
        c.key = key.map(|k| KeyHashes {
            name: k.as_bytes().to_vec(),
            index: None,
            in_header: true,
            header_field: Vec::new(),
            hash: FNV_OFFSET,
            len: 0,
            hashes: Vec::new(),
            has_empty: false,
        });
        c
    });
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    let located = |(line, expected): (u64, String)| IngestError {
        line: Some(line),
        ..IngestError::file(file, expected)
    };
    loop {
        let n = f.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        h.update(&buf[..n]);
        if let Some(c) = counter.as_mut() {
            c.feed(&buf[..n]).map_err(located)?;
        }
    }
    if let Some(c) = counter.as_mut() {
        c.finish().map_err(located)?;
    }
    let key = counter
        .and_then(|c| c.key)
        .filter(|k| k.index.is_some())
        .map(|mut k| {
            k.hashes.sort_unstable();
            KeyCheck {
                may_repeat: k.hashes.windows(2).any(|w| w[0] == w[1]),
                has_empty: k.has_empty,
            }
        });
    Ok(FileDigest {
        sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        bytes,
        key,
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
        let d = digest(&dir, "t.csv", Some(b','), Some(key)).unwrap();
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

    #[test]
    fn chunk_boundaries_do_not_matter() {
        let text = "a,b,c\n\"x\"\"y\",2,3\r\n4,5,6\n";
        for split in 0..text.len() {
            let mut c = RecordCounter::new(b',');
            c.feed(&text.as_bytes()[..split]).unwrap();
            c.feed(&text.as_bytes()[split..]).unwrap();
            c.finish().unwrap();
        }
    }
}
