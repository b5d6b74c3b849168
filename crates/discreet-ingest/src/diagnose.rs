//! The header check of a CSV file, and the error-path scan that finds a
//! file's first malformed place. That scan reads record by record, which
//! is fine: it runs only after a reader has refused the file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::IngestError;

/// Reads and checks the header line of a CSV file and returns its column names.
pub(crate) fn csv_header(
    path: &Path,
    file: &str,
    delimiter: u8,
) -> Result<Vec<String>, IngestError> {
    let f =
        File::open(path).map_err(|e| IngestError::file(file, format!("a readable file ({e})")))?;
    let mut first = Vec::new();
    BufReader::new(f)
        .take(1 << 20)
        .read_until(b'\n', &mut first)
        .map_err(|e| IngestError::file(file, format!("a readable file ({e})")))?;
    if first.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError {
            line: Some(1),
            ..IngestError::file(file, "a header line naming the columns; the file is empty")
        });
    }
    let text = std::str::from_utf8(&first).map_err(|_| IngestError {
        line: Some(1),
        ..IngestError::file(
            file,
            "UTF-8 text; the header line holds bytes that are not UTF-8",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let rec = match rdr.records().next() {
        Some(Ok(r)) => r,
        _ => {
            return Err(IngestError {
                line: Some(1),
                ..IngestError::file(file, "a well-formed header line")
            })
        }
    };
    let names: Vec<String> = rec.iter().map(|s| s.trim().to_string()).collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(IngestError {
                line: Some(1),
                ..IngestError::file(file, format!("a name for header field {}", i + 1))
            });
        }
        if names[..i].contains(n) {
            return Err(IngestError {
                line: Some(1),
                column: Some(n.clone()),
                ..IngestError::file(file, "each column name once; this one appears twice")
            });
        }
    }
    Ok(names)
}

/// Finds the first malformed record: wrong number of fields, bad quoting or
/// invalid UTF-8. `None` when the file reads cleanly.
pub(crate) fn csv_first_fault(path: &Path, file: &str, delimiter: u8) -> Option<IngestError> {
    let f = File::open(path).ok()?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(BufReader::new(f));
    let headers: Vec<String> = match rdr.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect(),
        Err(_) => {
            return Some(IngestError {
                line: Some(1),
                ..IngestError::file(file, "a well-formed header line")
            })
        }
    };
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => return None,
            Ok(true) => {
                for (i, field) in rec.iter().enumerate() {
                    if std::str::from_utf8(field).is_err() {
                        return Some(IngestError {
                            line: rec.position().map(|p| p.line()),
                            column: headers.get(i).cloned(),
                            ..IngestError::file(file, "UTF-8 text; found bytes that are not UTF-8")
                        });
                    }
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                let expected = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("{expected_len} fields like the header, found {len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => "UTF-8 text".to_string(),
                    _ => format!("a well-formed CSV record ({e})"),
                };
                return Some(IngestError {
                    line,
                    ..IngestError::file(file, expected)
                });
            }
        }
    }
}
