//! Record-by-record scans of a CSV file for the questions the record pass
//! does not answer: where a value is, whether a second unique column
//! repeats, distinct counts by more dimensions than the pass prepares.
//! They run after the record pass has checked the file's structure and
//! encoding, so a record they cannot read is a fault found again here.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;

use crate::diagnose;
use crate::error::IngestError;
use crate::source::{Groups, LevelMap, RowFilter, Source};

/// One scan of a CSV source.
pub(crate) struct Scan<'a> {
    source: &'a Source,
    delimiter: u8,
}

impl<'a> Scan<'a> {
    pub(crate) fn new(source: &'a Source, delimiter: u8) -> Self {
        Scan { source, delimiter }
    }

    /// Calls `each` with every record and the line it starts on, after
    /// `columns` are resolved to their positions in the header; stops when
    /// `each` returns `false`.
    fn records(
        &self,
        columns: &[&str],
        mut each: impl FnMut(&csv::ByteRecord, &[usize], u64) -> bool,
    ) -> Result<(), IngestError> {
        let file = self.source.name();
        let f = File::open(&self.source.path)
            .map_err(|e| IngestError::file(&file, format!("a readable file ({e})")))?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .delimiter(self.delimiter)
            .from_reader(BufReader::with_capacity(1 << 20, f));
        let header = rdr.byte_headers().map_err(|e| self.fault(&e))?.clone();
        let at = (columns.iter())
            .map(|c| {
                (header.iter())
                    .position(|h| h == c.as_bytes())
                    .ok_or_else(|| IngestError {
                        column: Some(c.to_string()),
                        line: Some(1),
                        ..IngestError::file(&file, format!("a column named `{c}`"))
                    })
            })
            .collect::<Result<Vec<usize>, _>>()?;
        let mut record = csv::ByteRecord::new();
        while rdr
            .read_byte_record(&mut record)
            .map_err(|e| self.fault(&e))?
        {
            let line = record.position().map_or(0, |p| p.line());
            if !each(&record, &at, line) {
                break;
            }
        }
        Ok(())
    }

    /// The error for a record the reader refused: the first malformed
    /// place of the file.
    fn fault(&self, e: &csv::Error) -> IngestError {
        let file = self.source.name();
        diagnose::csv_first_fault(&self.source.path, &file, self.delimiter)
            .unwrap_or_else(|| IngestError::file(&file, format!("a readable input ({e})")))
    }

    /// See [`Source::locate`].
    pub(crate) fn locate(
        &self,
        column: &str,
        value: Option<&str>,
        nth: u32,
    ) -> Result<Option<u64>, IngestError> {
        let wanted = value.unwrap_or("").as_bytes();
        let mut seen = 0;
        let mut found = None;
        self.records(&[column], |record, at, line| {
            if record.get(at[0]).unwrap_or_default() == wanted {
                if seen == nth {
                    found = Some(line);
                    return false;
                }
                seen += 1;
            }
            true
        })?;
        Ok(found)
    }

    /// See [`Source::text_faults`].
    pub(crate) fn text_faults(
        &self,
        column: &str,
        unique: bool,
    ) -> Result<(bool, bool), IngestError> {
        let mut empty = false;
        let mut duplicated = false;
        let mut values = HashSet::new();
        self.records(&[column], |record, at, _| {
            let value = record.get(at[0]).unwrap_or_default();
            if value.is_empty() {
                empty = true;
            } else if unique && !duplicated && !values.insert(value.to_vec()) {
                duplicated = true;
            }
            !(empty && (duplicated || !unique))
        })?;
        Ok((empty, duplicated))
    }

    /// See [`Source::first_duplicate`]: the first value, in file order,
    /// seen a second time (empty values are missing, not repeats).
    pub(crate) fn first_duplicate(&self, column: &str) -> Result<Option<String>, IngestError> {
        let mut values = HashSet::new();
        let mut repeated = None;
        self.records(&[column], |record, at, _| {
            let value = record.get(at[0]).unwrap_or_default();
            if !value.is_empty() && !values.insert(value.to_vec()) {
                repeated = Some(String::from_utf8_lossy(value).into_owned());
                return false;
            }
            true
        })?;
        Ok(repeated)
    }

    /// See [`Source::distinct_counts`]: per combination of levels, the
    /// distinct identifiers of each cell, kept in memory as the rows are
    /// read.
    pub(crate) fn distinct_counts(
        &self,
        dims: &[LevelMap],
        distinct: &str,
        combos: &[Vec<usize>],
        filter: &RowFilter,
    ) -> Result<Vec<Groups>, IngestError> {
        let index: Vec<HashMap<&[u8], usize>> = (dims.iter())
            .map(|d| {
                (d.raw.iter().enumerate())
                    .map(|(i, r)| (r.as_bytes(), i))
                    .collect()
            })
            .collect();
        let mut columns: Vec<&str> = dims.iter().map(|d| d.column.as_str()).collect();
        columns.push(distinct);
        columns.extend(filter.iter().map(|(c, _)| c.as_str()));
        let mut cells: Vec<HashMap<Vec<u32>, HashSet<Vec<u8>>>> =
            vec![HashMap::new(); combos.len()];
        let mut raw = vec![0usize; dims.len()];
        self.records(&columns, |record, at, _| {
            let field = |k: usize| record.get(at[k]).unwrap_or_default();
            let kept = (filter.iter().enumerate()).all(|(f, (_, values))| {
                values
                    .iter()
                    .any(|v| v.as_bytes() == field(dims.len() + 1 + f))
            });
            if !kept {
                return true;
            }
            for (d, r) in raw.iter_mut().enumerate() {
                match index[d].get(field(d)) {
                    Some(&i) => *r = i,
                    None => return true,
                }
            }
            let identifier = field(dims.len());
            for (levels, cells) in combos.iter().zip(&mut cells) {
                let key = (dims.iter().zip(levels).zip(&raw))
                    .map(|((d, &k), &r)| d.levels[k][r])
                    .collect();
                cells.entry(key).or_default().insert(identifier.to_vec());
            }
            true
        })?;
        Ok((combos.iter().zip(cells))
            .map(|(levels, cells)| {
                let mut g = Groups {
                    columns: (dims.iter().zip(levels))
                        .map(|(d, &k)| d.level_column(k))
                        .collect(),
                    keys: vec![Vec::with_capacity(cells.len()); dims.len()],
                    counts: Vec::with_capacity(cells.len()),
                };
                for (key, identifiers) in cells {
                    for (d, node) in key.iter().enumerate() {
                        g.keys[d].push(Some(node.to_string()));
                    }
                    g.counts.push(identifiers.len() as u64);
                }
                g
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Format;

    /// A source over `text`, written to a file of its own.
    fn source(text: &str) -> Source {
        Source {
            path: crate::digest::tests::tempfile_path(text),
            format: Format::Csv { delimiter: b',' },
            columns: Vec::new(),
        }
    }

    const TEXT: &str = "id,prov,kind\n\
                        a,ON,x\n\
                        \"b\",\"multi\nline\",y\n\
                        c,,x\n\
                        b,QC,y\n\
                        a,ON,z\n";

    #[test]
    fn values_are_located_on_the_line_their_record_starts() {
        let s = source(TEXT);
        assert_eq!(s.locate("id", Some("a"), 0).unwrap(), Some(2));
        assert_eq!(s.locate("id", Some("a"), 1).unwrap(), Some(7));
        assert_eq!(s.locate("id", Some("c"), 0).unwrap(), Some(5));
        assert_eq!(s.locate("prov", None, 0).unwrap(), Some(5));
        assert_eq!(s.locate("prov", Some("NU"), 0).unwrap(), None);
        let e = s.locate("nope", None, 0).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("nope"));
        let _ = std::fs::remove_file(&s.path);
    }

    #[test]
    fn empty_and_repeated_values_are_found() {
        let s = source(TEXT);
        assert_eq!(s.text_faults("id", true).unwrap(), (false, true));
        assert_eq!(s.text_faults("prov", false).unwrap(), (true, false));
        assert_eq!(s.text_faults("kind", true).unwrap(), (false, true));
        assert_eq!(s.first_duplicate("id").unwrap().as_deref(), Some("b"));
        let unique = source("id,x\na,\nb,\n");
        assert_eq!(unique.text_faults("id", true).unwrap(), (false, false));
        assert_eq!(unique.first_duplicate("x").unwrap(), None);
        for s in [s, unique] {
            let _ = std::fs::remove_file(&s.path);
        }
    }

    #[test]
    fn distinct_counts_count_each_identifier_once_per_cell() {
        let s = source(TEXT);
        // `prov` to nodes: the total (0) and ON (1) or QC (2); an empty or
        // unlisted value drops the row.
        let prov = LevelMap {
            column: "prov".into(),
            raw: vec!["ON".into(), "QC".into()],
            levels: vec![vec![0, 0], vec![1, 2]],
        };
        let keep: RowFilter = vec![("kind".into(), vec!["x".into(), "z".into(), "y".into()])];
        let groups = (s.distinct_counts(
            std::slice::from_ref(&prov),
            "id",
            &[vec![0], vec![1]],
            &keep,
        ))
        .unwrap();
        let sorted = |g: &Groups| {
            let mut cells: Vec<(String, u64)> = (0..g.len())
                .map(|i| (g.keys[0][i].clone().unwrap(), g.counts[i]))
                .collect();
            cells.sort();
            cells
        };
        assert_eq!(groups[0].columns, vec![prov.level_column(0)]);
        assert_eq!(sorted(&groups[0]), vec![("0".to_string(), 2)]);
        assert_eq!(
            sorted(&groups[1]),
            vec![("1".to_string(), 1), ("2".to_string(), 1)]
        );
        let only_x: RowFilter = vec![("kind".into(), vec!["x".into()])];
        let groups = s
            .distinct_counts(&[prov], "id", &[vec![1]], &only_x)
            .unwrap();
        assert_eq!(sorted(&groups[0]), vec![("1".to_string(), 1)]);
        let _ = std::fs::remove_file(&s.path);
    }
}
