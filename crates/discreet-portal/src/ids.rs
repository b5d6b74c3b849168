//! The identifiers and formats the portal holds bodies to: dates, UUIDs,
//! hashes, and the `format` value of a file.

use sha2::{Digest, Sha256};

/// `YYYY-MM-DD` with a real calendar date (Gregorian leap years).
pub(crate) fn is_valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[r];
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    if y == 0 || !(1..=12).contains(&m) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&d)
}

/// 8-4-4-4-12 lowercase hex. Lowercase only: CKAN compares names as
/// strings, so an uppercase variant would be a different dataset name.
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => is_lower_hex(*c),
        })
}

pub(crate) fn is_sha256_hash(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(is_lower_hex))
}

fn is_lower_hex(c: u8) -> bool {
    c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
}

/// Deterministic dataset UUID for `name` within `namespace`: the first 16
/// bytes of SHA-256(`namespace` + `"\0"` + `name`), with the version nibble
/// set to 5 and the RFC 4122 variant bits, as lowercase 8-4-4-4-12 hex.
///
/// Same input, same UUID, on every machine: a re-publication of a table
/// targets the same portal record. (SHA-256 rather than RFC 4122's SHA-1, so
/// it is "version-5 style", not a standard UUIDv5.) The NUL separator keeps
/// ("ab", "c") and ("a", "bc") apart as long as `namespace` has no NUL.
pub fn dataset_uuid(namespace: &str, name: &str) -> String {
    let mut h = Sha256::new();
    h.update(namespace.as_bytes());
    h.update([0u8]);
    h.update(name.as_bytes());
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Portal `format` value (resource.format vocabulary) for a file extension,
/// with or without the leading dot, any case: `csv` -> `CSV`,
/// `json` -> `JSON`, anything else -> `other`. Parquet maps to `other`
/// because the portal has no Parquet value.
pub fn format_for_extension(ext: &str) -> &'static str {
    let ext = ext.strip_prefix('.').unwrap_or(ext).to_ascii_lowercase();
    match ext.as_str() {
        "csv" => "CSV",
        "json" => "JSON",
        "xlsx" => "XLSX",
        "parquet" => "other",
        _ => "other",
    }
}
