//! A workbook reader for the tests, written apart from the release's
//! writer: the zip container (stored or deflated entries, inflated by
//! flate2) and the cells of the first sheet, shared strings or inline.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;

/// One entry of a zip archive.
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
    /// MS-DOS date and time fields of the central directory.
    pub dos_date: u16,
    pub dos_time: u16,
}

fn le16(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn le32(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// The entries of a zip archive, in central-directory order; each entry's
/// CRC-32 is checked.
pub fn unzip(bytes: &[u8]) -> Vec<Entry> {
    let end = (0..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("an end of central directory record");
    let count = le16(bytes, end + 10);
    let mut at = le32(bytes, end + 16);
    let mut out = Vec::new();
    for _ in 0..count {
        assert_eq!(&bytes[at..at + 4], b"PK\x01\x02", "central record");
        let method = le16(bytes, at + 10);
        let crc = le32(bytes, at + 16) as u32;
        let csize = le32(bytes, at + 20);
        let name_len = le16(bytes, at + 28);
        let skip = name_len + le16(bytes, at + 30) + le16(bytes, at + 32);
        let local = le32(bytes, at + 42);
        let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
        let start = local + 30 + le16(bytes, local + 26) + le16(bytes, local + 28);
        let raw = &bytes[start..start + csize];
        let data = match method {
            0 => raw.to_vec(),
            8 => {
                let mut d = Vec::new();
                flate2::read::DeflateDecoder::new(raw)
                    .read_to_end(&mut d)
                    .unwrap();
                d
            }
            m => panic!("{name}: zip method {m}"),
        };
        let mut check = flate2::Crc::new();
        check.update(&data);
        assert_eq!(check.sum(), crc, "{name}: CRC-32");
        out.push(Entry {
            name,
            data,
            dos_date: le16(bytes, at + 14) as u16,
            dos_time: le16(bytes, at + 12) as u16,
        });
        at += 46 + skip;
    }
    out
}

/// A part of an unzipped workbook as text.
pub fn part<'a>(entries: &'a [Entry], name: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|e| e.name == name)
        .map(|e| std::str::from_utf8(&e.data).unwrap())
}

/// A cell's content as a reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(f64),
    Text(String),
}

impl Cell {
    /// The text of a text cell, "" for a number.
    pub fn text(&self) -> &str {
        match self {
            Cell::Text(t) => t,
            Cell::Number(_) => "",
        }
    }
}

/// XML character data with the predefined and numeric entities resolved.
pub fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find(';').unwrap() + i;
        let ent = &rest[i + 1..j];
        let c = match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ if ent.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&ent[2..], 16).unwrap()).unwrap()
            }
            _ if ent.starts_with('#') => char::from_u32(ent[1..].parse().unwrap()).unwrap(),
            _ => panic!("unknown entity &{ent};"),
        };
        out.push(c);
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    out
}

/// The concatenated `<t>` texts inside a fragment (a rich or plain string).
fn texts(fragment: &str) -> String {
    let mut out = String::new();
    let mut rest = fragment;
    while let Some(i) = rest.find("<t") {
        let after = &rest[i + 2..];
        // `<t>` or `<t xml:space=...>`, not `<tc...>`.
        if !(after.starts_with('>') || after.starts_with(' ')) {
            rest = after;
            continue;
        }
        let open = after.find('>').unwrap();
        if after[..open].ends_with('/') {
            rest = &after[open + 1..];
            continue;
        }
        let body = &after[open + 1..];
        let close = body.find("</t>").unwrap();
        out.push_str(&unescape(&body[..close]));
        rest = &body[close + 4..];
    }
    out
}

/// An attribute's value in a start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(&tag[i..j])
}

/// Row (from 1) and column (from 0) of a reference such as `C7`.
pub fn parse_ref(r: &str) -> (u32, u32) {
    let letters: String = r.chars().take_while(|c| c.is_ascii_uppercase()).collect();
    let col = letters
        .bytes()
        .fold(0u32, |n, b| n * 26 + u32::from(b - b'A') + 1)
        - 1;
    (r[letters.len()..].parse().unwrap(), col)
}

/// The non-empty cells of the first sheet: (row from 1, column from 0) to
/// content and style index.
pub fn sheet_cells(entries: &[Entry]) -> BTreeMap<(u32, u32), (Cell, u32)> {
    let shared: Vec<String> = part(entries, "xl/sharedStrings.xml")
        .map(|s| s.split("<si>").skip(1).map(texts).collect())
        .unwrap_or_default();
    let sheet = part(entries, "xl/worksheets/sheet1.xml").expect("a first sheet");
    let mut out = BTreeMap::new();
    for piece in sheet.split("<c ").skip(1) {
        let tag_end = piece.find('>').unwrap();
        let tag = format!(" {}", &piece[..tag_end]);
        if tag.ends_with('/') {
            continue;
        }
        let inner = &piece[tag_end + 1..piece.find("</c>").unwrap()];
        let value = || {
            let i = inner.find("<v>")? + 3;
            Some(unescape(&inner[i..inner.find("</v>")?]))
        };
        let cell = match attr(&tag, "t") {
            Some("s") => Cell::Text(shared[value().unwrap().parse::<usize>().unwrap()].clone()),
            Some("inlineStr") => Cell::Text(texts(inner)),
            Some(_) => Cell::Text(value().unwrap_or_default()),
            None => match value() {
                Some(v) => Cell::Number(v.parse().unwrap()),
                None => continue,
            },
        };
        let style = attr(&tag, "s").map_or(0, |s| s.parse().unwrap());
        out.insert(parse_ref(attr(&tag, "r").unwrap()), (cell, style));
    }
    out
}

/// The cells of a workbook file, without styles.
pub fn read_cells(path: &std::path::Path) -> BTreeMap<(u32, u32), Cell> {
    let entries = unzip(&std::fs::read(path).unwrap());
    sheet_cells(&entries)
        .into_iter()
        .map(|(k, (c, _))| (k, c))
        .collect()
}
