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
        }
    }

    fn end_record(&mut self) -> Result<(), (u64, String)> {
        if self.has_content {
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
                }
                continue;
            }
            if b == b'\r' && self.state != State::Quoted {
                continue;
            }
            self.has_content = true;
            self.state = match (self.state, b) {
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => State::Quoted,
                (State::QuoteInQuoted, b'"') => State::Quoted,
                (State::FieldStart, b'"') => State::Quoted,
                (_, d) if d == self.delimiter => {
                    self.fields += 1;
                    State::FieldStart
                }
                _ => State::Unquoted,
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

/// Hashes a file; for CSV (`delimiter` given) also checks record structure.
pub(crate) fn digest(
    path: &Path,
    file: &str,
    delimiter: Option<u8>,
) -> Result<FileDigest, IngestError> {
    let read_err = |e: std::io::Error| IngestError::file(file, format!("a readable file ({e})"));
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let mut h = Sha256::new();
    let mut counter = delimiter.map(RecordCounter::new);
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
    Ok(FileDigest {
        sha256: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        bytes,
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
