//! The record counter: an RFC 4180 state machine that checks each
//! record's fields against the header and captures the columns the pass
//! reads.

use super::dictionary::{pack, pack_ids, unpack_id, Dictionary};
use super::distinct::{DistinctSet, Identifier, IdentifierAt, Pair, LONG};
use super::groups::GroupSet;
use super::hash::KeyHashes;
use super::RecordPass;
use crate::int_map::IntMap;
use crate::source::RowFilter;

/// What the pass does with a field, by its position in the record.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Capture {
    Skip,
    Key,
    /// The value is numbered in this slot's dictionary.
    Slot(usize),
    /// Only whether the value is empty matters (this empty check's index).
    Empty(usize),
    /// An identifier counted distinct (its index).
    Ident(usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Counts the fields of RFC 4180 records, byte by byte, and captures the
/// fields of the columns asked for.
pub(super) struct RecordCounter {
    pub(super) delimiter: u8,
    pub(super) state: State,
    pub(super) fields: u64,
    pub(super) has_content: bool,
    pub(super) line: u64,
    pub(super) record_line: u64,
    pub(super) expected: Option<u64>,
    /// Names wanted: the key column, then the captured columns by slot.
    pub(super) key_name: Option<Vec<u8>>,
    pub(super) slot_names: Vec<Vec<u8>>,
    pub(super) in_header: bool,
    pub(super) header: Vec<Vec<u8>>,
    /// Per field position, set when the header ends.
    pub(super) capture: Vec<Capture>,
    /// The current field's bytes, when it is captured.
    pub(super) field: Vec<u8>,
    pub(super) key: KeyHashes,
    pub(super) key_index: Option<usize>,
    /// Per slot: its dictionary, and the current row's value number.
    pub(super) dicts: Vec<Dictionary>,
    pub(super) row: Vec<u32>,
    /// Whether the header holds every captured column (the caller checks
    /// that first; without them nothing is counted).
    pub(super) complete: bool,
    /// Slot of the weight column, and the current row's weight.
    pub(super) weight_slot: Option<usize>,
    pub(super) weight: i64,
    pub(super) sets: Vec<GroupSet>,
    /// Line of the first value that is not UTF-8, and its slot.
    pub(super) not_utf8: Option<(u64, Vec<u8>)>,
    /// Columns checked for empty values, and whether one was seen.
    pub(super) empty_names: Vec<Vec<u8>>,
    pub(super) empty: Vec<bool>,
    pub(super) distinct: Vec<DistinctSet>,
    pub(super) idents: Vec<Identifier>,
}

impl RecordCounter {
    pub(super) fn new(delimiter: u8) -> Self {
        RecordCounter {
            delimiter,
            state: State::FieldStart,
            fields: 0,
            has_content: false,
            line: 1,
            record_line: 1,
            expected: None,
            key_name: None,
            slot_names: Vec::new(),
            in_header: true,
            header: Vec::new(),
            capture: Vec::new(),
            field: Vec::new(),
            key: KeyHashes::default(),
            key_index: None,
            dicts: Vec::new(),
            row: Vec::new(),
            complete: false,
            weight_slot: None,
            weight: 0,
            sets: Vec::new(),
            not_utf8: None,
            empty_names: Vec::new(),
            empty: Vec::new(),
            distinct: Vec::new(),
            idents: Vec::new(),
        }
    }

    /// Sets up the captures `pass` asks for.
    pub(super) fn with(mut self, pass: &RecordPass<'_>) -> Self {
        self.key_name = pass.key.map(|k| k.as_bytes().to_vec());
        let slot = |name: &str, names: &mut Vec<Vec<u8>>| -> usize {
            match names.iter().position(|n| n == name.as_bytes()) {
                Some(i) => i,
                None => {
                    names.push(name.as_bytes().to_vec());
                    names.len() - 1
                }
            }
        };
        let mut names = Vec::new();
        let group_set = |cols: &[String], filter: &RowFilter, names: &mut Vec<Vec<u8>>| {
            let slots = cols.iter().map(|c| slot(c, names)).collect();
            let filters = filter
                .iter()
                .map(|(c, vals)| {
                    let allowed = vals.iter().map(|v| v.as_bytes().to_vec()).collect();
                    (slot(c, names), allowed)
                })
                .collect();
            GroupSet::new(slots, filters)
        };
        for (cols, filter) in pass.sets {
            let set = group_set(cols, filter, &mut names);
            self.sets.push(set);
        }
        for d in pass.distinct {
            assert!(
                d.columns.len() <= 4,
                "a distinct count by at most 4 columns"
            );
            let rows = group_set(&d.columns, &d.filter, &mut names);
            self.distinct.push(DistinctSet {
                rows,
                identifier: IdentifierAt::Ident(0),
                group_of: IntMap::default(),
                groups: Vec::new(),
                pairs: Vec::new(),
            });
        }
        self.weight_slot = pass.weight.map(|w| slot(w, &mut names));
        // An identifier that some group reads anyway is numbered in its
        // dictionary; any other is an identifier of its own.
        for (set, d) in self.distinct.iter_mut().zip(pass.distinct) {
            let name = d.identifier.as_bytes();
            set.identifier = match names.iter().position(|n| n == name) {
                Some(s) => IdentifierAt::Slot(s),
                None => {
                    IdentifierAt::Ident(match self.idents.iter().position(|i| i.name == name) {
                        Some(i) => i,
                        None => {
                            self.idents.push(Identifier {
                                name: name.to_vec(),
                                is_key: pass.key == Some(d.identifier.as_str()),
                                ..Identifier::default()
                            });
                            self.idents.len() - 1
                        }
                    })
                }
            };
        }
        self.empty_names = pass
            .non_empty
            .iter()
            .map(|c| c.as_bytes().to_vec())
            .collect();
        self.empty = vec![false; pass.non_empty.len()];
        self.dicts = names.iter().map(|_| Dictionary::default()).collect();
        self.row = vec![0; names.len()];
        self.slot_names = names;
        self
    }

    /// A counter for a part of the data read by another thread: what the
    /// header told this one, and nothing counted yet. Its lines are
    /// numbered from 1 at the part's start.
    pub(super) fn part(&self) -> Self {
        RecordCounter {
            delimiter: self.delimiter,
            state: State::FieldStart,
            fields: 0,
            has_content: false,
            line: 1,
            record_line: 1,
            expected: self.expected,
            key_name: self.key_name.clone(),
            slot_names: self.slot_names.clone(),
            in_header: self.in_header,
            header: self.header.clone(),
            capture: self.capture.clone(),
            field: Vec::new(),
            key: KeyHashes::default(),
            key_index: self.key_index,
            dicts: self.dicts.iter().map(|_| Dictionary::default()).collect(),
            row: vec![0; self.row.len()],
            complete: self.complete,
            weight_slot: self.weight_slot,
            weight: 0,
            sets: self.sets.iter().map(GroupSet::empty_like).collect(),
            not_utf8: None,
            empty_names: self.empty_names.clone(),
            empty: vec![false; self.empty.len()],
            distinct: self.distinct.iter().map(DistinctSet::empty_like).collect(),
            idents: self.idents.iter().map(Identifier::empty_like).collect(),
        }
    }

    /// Whether the bytes fed so far end with a whole record (not inside a
    /// quoted field), so that the next byte starts a record.
    pub(super) fn at_record_start(&self) -> bool {
        self.state == State::FieldStart && self.fields == 0 && !self.has_content
    }

    /// Takes over what `part` counted of the bytes right after those fed
    /// to this counter, which end with a whole record: as if this counter
    /// had read them.
    pub(super) fn absorb(&mut self, part: RecordCounter) {
        let lines_before = self.line - 1;
        // The part numbered values in its own dictionaries.
        let renumber: Vec<Vec<u32>> = (part.dicts.iter().zip(&mut self.dicts))
            .map(|(theirs, ours)| theirs.values.iter().map(|v| ours.intern(v).0).collect())
            .collect();
        let number = |slot: usize, id: u32| renumber[slot].get(id as usize).copied().unwrap_or(0);
        let long: Vec<Vec<u32>> = (part.idents.iter().zip(&mut self.idents))
            .map(|(theirs, ours)| {
                theirs
                    .long
                    .values
                    .iter()
                    .map(|v| ours.long.intern(v).0)
                    .collect()
            })
            .collect();
        let person = |at: IdentifierAt, person: u128| match at {
            IdentifierAt::Slot(s) => u128::from(number(s, person as u32)),
            IdentifierAt::Ident(i) if person >> 120 == LONG >> 120 => {
                LONG | u128::from(long[i][person as u32 as usize])
            }
            IdentifierAt::Ident(_) => person,
        };
        let mut row = vec![0u32; renumber.len()];
        for (set, theirs) in self.sets.iter_mut().zip(part.sets) {
            let slots = theirs.slots.clone();
            for (ids, n) in theirs.into_rows() {
                for (&slot, id) in slots.iter().zip(ids) {
                    row[slot] = number(slot, id);
                }
                set.add(&row, n);
            }
        }
        for (ours, theirs) in self.distinct.iter_mut().zip(part.distinct) {
            let slots = ours.rows.slots.clone();
            let groups: Vec<u32> = (theirs.groups.iter())
                .map(|&(key, rows)| {
                    let key = pack_ids(
                        (slots.iter().enumerate())
                            .map(|(i, &slot)| number(slot, unpack_id(key, i))),
                    );
                    let g = ours.group(key);
                    ours.groups[g as usize].1 += rows;
                    g
                })
                .collect();
            let identifier = ours.identifier;
            ours.pairs.extend(
                (theirs.pairs.iter())
                    .map(|p| Pair::new(person(identifier, p.person()), groups[p.group as usize])),
            );
        }
        for (i, (ours, theirs)) in self.idents.iter_mut().zip(&part.idents).enumerate() {
            ours.has_empty |= theirs.has_empty;
            ours.value = person(IdentifierAt::Ident(i), theirs.value);
        }
        if self.not_utf8.is_none() {
            self.not_utf8 = part
                .not_utf8
                .map(|(line, column)| (lines_before + line, column));
        }
        let mut key = part.key;
        key.hashes.sort_unstable();
        self.key.sorted_runs.push(key.hashes);
        self.key.sorted_runs.append(&mut key.sorted_runs);
        self.key.has_empty |= key.has_empty;
        for (ours, theirs) in self.empty.iter_mut().zip(part.empty) {
            *ours |= theirs;
        }
        // Where the part stopped, which may be inside a record when it is
        // the file's last (no final line end) or ends in a quoted field.
        self.state = part.state;
        self.fields = part.fields;
        self.has_content = part.has_content;
        self.field = part.field;
        for (slot, &id) in part.row.iter().enumerate() {
            self.row[slot] = number(slot, id);
        }
        self.weight = part.weight;
        self.line = lines_before + part.line;
        self.record_line = lines_before + part.record_line;
    }

    /// A byte of the current field's value (quotes removed).
    #[inline]
    pub(super) fn content(&mut self, b: u8) {
        self.field.push(b);
    }

    /// Bytes of the current field's value (quotes removed).
    #[inline]
    pub(super) fn contents(&mut self, bytes: &[u8]) {
        // Kept whatever the column: this path takes only quoted fields and
        // lines split between reads, and every value is checked (UTF-8).
        self.field.extend_from_slice(bytes);
    }

    /// The current field ends.
    pub(super) fn field_end(&mut self) {
        if self.in_header {
            self.header.push(std::mem::take(&mut self.field));
            return;
        }
        let field = std::mem::take(&mut self.field);
        self.value(self.fields as usize, &field);
        self.field = field;
        self.field.clear();
    }

    /// Notes the first value that is not UTF-8, in the column at
    /// `position` of the record.
    #[inline]
    pub(super) fn check_utf8(&mut self, position: usize, value: &[u8]) {
        if !value.is_ascii() && self.not_utf8.is_none() && std::str::from_utf8(value).is_err() {
            let column = self.header.get(position).cloned().unwrap_or_default();
            self.not_utf8 = Some((self.record_line, column));
        }
    }

    /// The value of a field captured in `slot`.
    #[inline]
    pub(super) fn slot_value(&mut self, slot: usize, value: &[u8]) {
        let (id, new) = self.dicts[slot].intern(value);
        self.row[slot] = id;
        if new && self.not_utf8.is_none() && std::str::from_utf8(value).is_err() {
            self.not_utf8 = Some((self.record_line, self.slot_names[slot].clone()));
        }
        if self.weight_slot == Some(slot) {
            self.weight = parse_weight(value);
        }
    }

    /// A value of the key column.
    #[inline]
    pub(super) fn key_value(&mut self, value: &[u8]) {
        // An empty CSV field is a missing value.
        self.key.add((!value.is_empty()).then_some(value));
        if let Some(position) = self.key_index {
            self.check_utf8(position, value);
        }
    }

    /// The value of identifier `i`, at `position` of the record.
    #[inline]
    pub(super) fn ident_value(&mut self, i: usize, position: usize, value: &[u8]) {
        let ident = &mut self.idents[i];
        ident.has_empty |= value.is_empty();
        ident.value = match pack(value) {
            Some(packed) => packed,
            None => LONG | u128::from(ident.long.intern(value).0),
        };
        if ident.is_key {
            // Checks the value as UTF-8 too.
            self.key_value(value);
        } else {
            self.check_utf8(position, value);
        }
    }

    /// A whole data record on one line without quotes or carriage
    /// returns, at a record start: its fields are taken straight from the
    /// line, the common case, much cheaper than byte by byte.
    pub(super) fn plain_line(&mut self, line: &[u8]) -> Result<(), (u64, String)> {
        self.line += 1;
        if line.is_empty() {
            self.record_line = self.line;
            return Ok(());
        }
        let mut n = 0;
        let delimiter = self.delimiter;
        for value in line.split(|&b| b == delimiter) {
            self.value(n, value);
            n += 1;
        }
        let done = self.record_done(n as u64);
        self.record_line = self.line;
        done
    }

    /// The value of the field at `position` of the current record.
    #[inline]
    pub(super) fn value(&mut self, position: usize, value: &[u8]) {
        match self.capture.get(position).copied().unwrap_or(Capture::Skip) {
            Capture::Skip => self.check_utf8(position, value),
            Capture::Key => self.key_value(value),
            Capture::Slot(i) => self.slot_value(i, value),
            Capture::Ident(i) => self.ident_value(i, position, value),
            Capture::Empty(i) => {
                self.empty[i] |= value.is_empty();
                self.check_utf8(position, value);
            }
        }
    }

    /// The header has been read: where each wanted column is.
    pub(super) fn header_end(&mut self) {
        self.in_header = false;
        self.capture = vec![Capture::Skip; self.header.len()];
        for (i, name) in self.header.iter().enumerate() {
            if let Some(e) = (self.idents.iter()).position(|d| d.name == *name && d.is_key) {
                // The key is hashed as the identifier is read.
                self.capture[i] = Capture::Ident(e);
                self.key_index = Some(i);
            } else if self.key_name.as_deref() == Some(name.as_slice()) {
                self.capture[i] = Capture::Key;
                self.key_index = Some(i);
            } else if let Some(s) = self.slot_names.iter().position(|n| n == name) {
                self.capture[i] = Capture::Slot(s);
            } else if let Some(e) = self.idents.iter().position(|d| d.name == *name) {
                self.capture[i] = Capture::Ident(e);
            } else if let Some(e) = self.empty_names.iter().position(|n| n == name) {
                self.capture[i] = Capture::Empty(e);
            }
        }
        self.complete = (0..self.slot_names.len())
            .all(|s| self.capture.contains(&Capture::Slot(s)))
            && (0..self.idents.len()).all(|i| self.capture.contains(&Capture::Ident(i)));
    }

    /// A data record is complete: add it to every group set that keeps it.
    pub(super) fn count_row(&mut self) {
        self.count_row_but(&[]);
    }

    /// [`RecordCounter::count_row`], except in the group-bys `counted`
    /// marks (counted already, a column at a time).
    pub(super) fn count_row_but(&mut self, counted: &[bool]) {
        if !self.complete {
            return;
        }
        let measure = if self.weight_slot.is_some() {
            self.weight
        } else {
            1
        };
        for (i, set) in self.sets.iter_mut().enumerate() {
            if counted.get(i) == Some(&true) {
                continue;
            }
            if set.keeps(&self.row, &self.dicts) {
                set.add(&self.row, measure);
            }
        }
        for d in &mut self.distinct {
            if d.rows.keeps(&self.row, &self.dicts) {
                d.add(&self.row, &self.idents);
            }
        }
    }

    /// A record of `n` fields, all ended, is complete.
    pub(super) fn record_done(&mut self, n: u64) -> Result<(), (u64, String)> {
        if self.in_header {
            self.header_end();
        } else if Some(n) == self.expected {
            self.count_row();
        }
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
        Ok(())
    }

    pub(super) fn end_record(&mut self) -> Result<(), (u64, String)> {
        if self.has_content {
            self.field_end();
            self.record_done(self.fields + 1)?;
        }
        self.fields = 0;
        self.has_content = false;
        self.state = State::FieldStart;
        self.record_line = self.line;
        Ok(())
    }

    pub(super) fn feed(&mut self, buf: &[u8]) -> Result<(), (u64, String)> {
        let mut i = 0;
        while i < buf.len() {
            if !self.in_header && self.at_record_start() {
                if let Some(end) = memchr::memchr(b'\n', &buf[i..]) {
                    let line = &buf[i..i + end];
                    let plain = match memchr::memchr2(b'"', b'\r', line) {
                        None => Some(line),
                        Some(cr) if cr + 1 == line.len() && line[cr] == b'\r' => Some(&line[..cr]),
                        Some(_) => None,
                    };
                    if let Some(line) = plain {
                        self.plain_line(line)?;
                        i += end + 1;
                        continue;
                    }
                }
            }
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
    pub(super) fn byte(&mut self, b: u8) -> Result<(), (u64, String)> {
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

    pub(super) fn finish(&mut self) -> Result<(), (u64, String)> {
        if self.state == State::Quoted {
            return Err((
                self.record_line,
                "a closing quote for the quoted field that starts on this line".into(),
            ));
        }
        self.end_record()
    }
}

/// A weight field as an integer; anything else weighs nothing here (the
/// caller checks every value of the column and refuses it).
pub(super) fn parse_weight(field: &[u8]) -> i64 {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    let n = digits
        .iter()
        .fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    if negative {
        -n
    } else {
        n
    }
}
