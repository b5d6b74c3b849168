//! One sequential read of an input file that yields its SHA-256 (recorded in
//! the manifest) and, for CSV, checks its record structure on the way: every
//! record has as many fields as the header and every quote is closed.
//! Polars tolerates ragged lines, which would silently shift columns.
//!
//! The same pass can look at some columns' values, which saves polars a
//! scan of the file for each: the hashes of a key column (is any value
//! repeated?) and the distinct values of columns that are only checked,
//! never grouped by a table.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
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
    /// For a CSV, the distinct values of each column asked for, in the
    /// order asked; empty for Parquet (polars reads those columns instead).
    pub values: Vec<ColumnValues>,
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

/// The distinct values of one CSV column and how many rows hold each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnValues {
    /// Column name.
    pub column: String,
    /// Distinct values, sorted (`None`, an empty field, first), with their
    /// row counts.
    pub values: Vec<(Option<String>, u64)>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Hashes of the values of one column, collected during the record pass:
/// 8 bytes a row, where a hash set of the values themselves took over 90
/// (9.2 GB at 1e8 rows).
#[derive(Default)]
struct KeyHashes {
    hash: u64,
    len: u64,
    hashes: Vec<u64>,
    has_empty: bool,
}

/// The distinct values of a checked column (few: codes, dates, ages).
/// Values of up to 15 bytes (nearly all) are kept packed in a `u128`, so a
/// lookup compares two integers instead of two byte strings.
#[derive(Default)]
struct ValueSet {
    short: HashMap<u128, u64, BuildHasherDefault<Fnv>>,
    long: HashMap<Vec<u8>, u64, BuildHasherDefault<Fnv>>,
    empty: u64,
}

impl ValueSet {
    /// Counts one row holding `value` (non-empty); returns whether the
    /// value is new.
    #[inline]
    fn add(&mut self, value: &[u8]) -> bool {
        if let Some(key) = pack(value) {
            let n = self.short.entry(key).or_insert(0);
            *n += 1;
            return *n == 1;
        }
        if let Some(n) = self.long.get_mut(value) {
            *n += 1;
            return false;
        }
        self.long.insert(value.to_vec(), 1);
        true
    }

    /// Every distinct value with its row count, in no particular order.
    fn into_values(self) -> impl Iterator<Item = (Vec<u8>, u64)> {
        self.short
            .into_iter()
            .map(|(k, n)| (unpack(k), n))
            .chain(self.long)
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

fn unpack(key: u128) -> Vec<u8> {
    let bytes = key.to_le_bytes();
    bytes[..bytes[15] as usize].to_vec()
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
    /// A packed value: two multiply-xorshift rounds instead of 16 bytes
    /// one at a time.
    fn write_u128(&mut self, v: u128) {
        let m = |x: u64| {
            let x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            x ^ (x >> 29)
        };
        self.0 = m(m(self.0 ^ v as u64) ^ (v >> 64) as u64);
    }
}

/// What the pass does with a field, by its position in the record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    Skip,
    Key,
    Values(usize),
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
    /// Names wanted: the key column, then the checked columns.
    key_name: Option<Vec<u8>>,
    value_names: Vec<Vec<u8>>,
    in_header: bool,
    header: Vec<Vec<u8>>,
    /// Per field position, set when the header ends.
    capture: Vec<Capture>,
    /// The current field's bytes, when it is captured.
    field: Vec<u8>,
    key: KeyHashes,
    key_index: Option<usize>,
    sets: Vec<ValueSet>,
    /// Line of the first value that is not UTF-8, and its column.
    not_utf8: Option<(u64, usize)>,
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
            value_names: Vec::new(),
            in_header: true,
            header: Vec::new(),
            capture: Vec::new(),
            field: Vec::new(),
            key: KeyHashes {
                hash: FNV_OFFSET,
                ..KeyHashes::default()
            },
            key_index: None,
            sets: Vec::new(),
            not_utf8: None,
        }
    }

    fn capture(&self) -> Capture {
        self.capture
            .get(self.fields as usize)
            .copied()
            .unwrap_or(Capture::Skip)
    }

    /// A byte of the current field's value (quotes removed).
    #[inline]
    fn content(&mut self, b: u8) {
        self.contents(std::slice::from_ref(&b));
    }

    /// Bytes of the current field's value (quotes removed).
    #[inline]
    fn contents(&mut self, bytes: &[u8]) {
        if self.in_header {
            self.field.extend_from_slice(bytes);
            return;
        }
        match self.capture() {
            Capture::Skip => {}
            Capture::Key => {
                let k = &mut self.key;
                for &b in bytes {
                    k.hash = (k.hash ^ u64::from(b)).wrapping_mul(FNV_PRIME);
                }
                k.len += bytes.len() as u64;
            }
            Capture::Values(_) => self.field.extend_from_slice(bytes),
        }
    }

    /// The current field ends.
    fn field_end(&mut self) {
        if self.in_header {
            self.header.push(std::mem::take(&mut self.field));
            return;
        }
        match self.capture() {
            Capture::Skip => {}
            Capture::Key => {
                let k = &mut self.key;
                // Empty values are the null check's business, not repeats.
                if k.len > 0 {
                    k.hashes.push(k.hash);
                } else {
                    k.has_empty = true;
                }
                k.hash = FNV_OFFSET;
                k.len = 0;
            }
            Capture::Values(i) => {
                let set = &mut self.sets[i];
                if self.field.is_empty() {
                    set.empty += 1;
                } else if set.add(&self.field)
                    && self.not_utf8.is_none()
                    && std::str::from_utf8(&self.field).is_err()
                {
                    self.not_utf8 = Some((self.record_line, i));
                }
                self.field.clear();
            }
        }
    }

    /// The header has been read: where each wanted column is.
    fn header_end(&mut self) {
        self.in_header = false;
        self.capture = vec![Capture::Skip; self.header.len()];
        for (i, name) in self.header.iter().enumerate() {
            if self.key_name.as_deref() == Some(name.as_slice()) {
                self.capture[i] = Capture::Key;
                self.key_index = Some(i);
            } else if let Some(v) = self.value_names.iter().position(|n| n == name) {
                self.capture[i] = Capture::Values(v);
            }
        }
    }

    fn end_record(&mut self) -> Result<(), (u64, String)> {
        if self.has_content {
            self.field_end();
            if self.in_header {
                self.header_end();
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
        let mut i = 0;
        while i < buf.len() {
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

/// Hashes a file; for CSV (`delimiter` given) also checks record structure,
/// with `key` whether that column's values may repeat, and collects the
/// distinct values of the `columns` named.
pub(crate) fn digest(
    path: &Path,
    file: &str,
    delimiter: Option<u8>,
    key: Option<&str>,
    columns: &[String],
) -> Result<FileDigest, IngestError> {
    let read_err = |e: std::io::Error| IngestError::file(file, format!("a readable file ({e})"));
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let mut h = Sha256::new();
    let mut counter = delimiter.map(|d| {
        let mut c = RecordCounter::new(d);
        c.key_name = key.map(|k| k.as_bytes().to_vec());
        c.value_names = columns.iter().map(|n| n.as_bytes().to_vec()).collect();
        c.sets = columns.iter().map(|_| ValueSet::default()).collect();
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
    let sha256 = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let Some(c) = counter else {
        return Ok(FileDigest {
            sha256,
            bytes,
            key: None,
            values: Vec::new(),
        });
    };
    if let Some((line, i)) = c.not_utf8 {
        return Err(IngestError {
            line: Some(line),
            column: Some(columns[i].clone()),
            ..IngestError::file(file, "UTF-8 text; found bytes that are not UTF-8")
        });
    }
    let key = c.key_index.map(|_| {
        let mut hashes = c.key.hashes;
        hashes.sort_unstable();
        KeyCheck {
            may_repeat: hashes.windows(2).any(|w| w[0] == w[1]),
            has_empty: c.key.has_empty,
        }
    });
    let values = columns
        .iter()
        .zip(c.sets)
        .map(|(name, set)| {
            let empty = set.empty;
            let mut values: Vec<(Option<String>, u64)> = set
                .into_values()
                .map(|(v, n)| (Some(String::from_utf8(v).expect("checked above")), n))
                .collect();
            if empty > 0 {
                values.push((None, empty));
            }
            values.sort_unstable();
            ColumnValues {
                column: name.clone(),
                values,
            }
        })
        .collect();
    Ok(FileDigest {
        sha256,
        bytes,
        key,
        values,
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
        let d = digest(&dir, "t.csv", Some(b','), Some(key), &[]).unwrap();
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

    fn values(text: &[u8], columns: &[&str]) -> Result<Vec<ColumnValues>, IngestError> {
        let path = tempfile_path("");
        std::fs::write(&path, text).unwrap();
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let d = digest(&path, "t.csv", Some(b','), Some("id"), &columns);
        let _ = std::fs::remove_file(&path);
        d.map(|d| d.values)
    }

    #[test]
    fn checked_columns_yield_their_distinct_values_with_row_counts() {
        let text = b"id,prov,age\r\n1,ON,30\r\n2,\"QC\",\r\n3,ON,\"3\"\"0\"\n4,,30\n5,PROVINCE-CODE-OF-20,30\n";
        let v = values(text, &["age", "prov", "missing"]).unwrap();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(v[0].column, "age");
        assert_eq!(
            v[0].values,
            vec![(None, 1), (s("3\"0"), 1), (s("30"), 3)],
            "quotes removed, empty fields are None"
        );
        assert_eq!(
            v[1].values,
            vec![
                (None, 1),
                (s("ON"), 2),
                (s("PROVINCE-CODE-OF-20"), 1),
                (s("QC"), 1)
            ],
            "short and long values alike"
        );
        assert_eq!(v[2].values, vec![], "a column not in the header");
        // Values are bytes until the end: a non-UTF-8 one is located.
        let e = values(b"id,prov\n1,ON\n2,Q\xe9\n", &["prov"]).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (Some(3), Some("prov")));
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn chunk_boundaries_do_not_matter() {
        let text = "id,a,b\n7,\"x\"\"y\",2\r\n8,4,\"5,6\"\n9,,\"multi\nline\"\n";
        let seen = |split: usize| {
            let mut c = RecordCounter::new(b',');
            c.key_name = Some(b"id".to_vec());
            c.value_names = vec![b"a".to_vec(), b"b".to_vec()];
            c.sets = vec![ValueSet::default(), ValueSet::default()];
            c.feed(&text.as_bytes()[..split]).unwrap();
            c.feed(&text.as_bytes()[split..]).unwrap();
            c.finish().unwrap();
            let empty = c.sets[0].empty;
            let mut sets: Vec<Vec<(Vec<u8>, u64)>> = std::mem::take(&mut c.sets)
                .into_iter()
                .map(|s| s.into_values().collect())
                .collect();
            sets.iter_mut().for_each(|s| s.sort());
            let mut hashes = c.key.hashes.clone();
            hashes.sort();
            (sets, empty, hashes, c.line)
        };
        let whole = seen(text.len());
        assert_eq!(whole.0[0], vec![(b"4".to_vec(), 1), (b"x\"y".to_vec(), 1)]);
        assert_eq!(
            whole.0[1],
            vec![
                (b"2".to_vec(), 1),
                (b"5,6".to_vec(), 1),
                (b"multi\nline".to_vec(), 1)
            ]
        );
        assert_eq!(whole.1, 1);
        assert_eq!(whole.2.len(), 3);
        for split in 0..text.len() {
            assert_eq!(seen(split), whole, "split at {split}");
        }
    }
}
