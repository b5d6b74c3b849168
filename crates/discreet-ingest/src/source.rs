//! An input file and the lazy polars queries run over it.

use std::path::PathBuf;

use polars::prelude::*;

use crate::diagnose;
use crate::digest::{digest, digest_rows, FileDigest, RecordPass, RowCounter};
use crate::error::IngestError;

/// File format of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text with a header line.
    Csv {
        /// Field delimiter.
        delimiter: u8,
    },
    /// Apache Parquet.
    Parquet,
}

/// A microdata file to read, and the columns it must have.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path on disk.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    /// Columns that must be present (others are ignored).
    pub columns: Vec<String>,
}

/// Distinct combinations of raw values of some columns, with row counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    /// Column names, in the order requested.
    pub columns: Vec<String>,
    /// `keys[c][g]`: value of column `c` in group `g` (`None` = empty).
    pub keys: Vec<Vec<Option<String>>>,
    /// Rows in each group.
    pub counts: Vec<u64>,
}

impl Groups {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.counts.len()
    }
    /// True when the input had no rows.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

const COUNT: &str = "__discreet_rows";
/// Prefix of the columns of a slice read by [`Source::for_each_slice`].
const SLICE_COLUMN: &str = "__discreet_column_";
/// Rows per slice in [`Source::for_each_slice`]: about 100 MB of text
/// for the columns of a bundled pipeline.
const SLICE_ROWS: usize = 1 << 20;
const ROW: &str = "__discreet_row";

impl Source {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// Checks that the file exists, is not empty and has every expected
    /// column with a usable type.
    pub fn check(&self) -> Result<(), IngestError> {
        let file = self.name();
        let meta = std::fs::metadata(&self.path)
            .map_err(|e| IngestError::file(&file, format!("an existing, readable file ({e})")))?;
        if !meta.is_file() {
            return Err(IngestError::file(
                &file,
                "a file, found a directory or special file",
            ));
        }
        if meta.len() == 0 {
            return Err(IngestError::file(&file, "data; the file is empty"));
        }
        match self.format {
            Format::Csv { delimiter } => {
                let names = diagnose::csv_header(&self.path, &file, delimiter)?;
                self.require_columns(&file, &names)
            }
            Format::Parquet => {
                let schema = self
                    .scan()
                    .and_then(|mut lf| lf.collect_schema())
                    .map_err(|e| {
                        IngestError::file(&file, format!("a readable Parquet file ({})", short(&e)))
                    })?;
                let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
                self.require_columns(&file, &names)?;
                for c in &self.columns {
                    let dt = schema.get(c.as_str()).expect("checked above");
                    let ok = matches!(dt, DataType::String)
                        || dt.is_integer()
                        || matches!(dt, DataType::Date)
                        || matches!(dt, DataType::Categorical(_, _));
                    if !ok {
                        return Err(IngestError {
                            column: Some(c.clone()),
                            ..IngestError::file(
                                &file,
                                format!("a string, integer or date column, found {dt}"),
                            )
                        });
                    }
                }
                Ok(())
            }
        }
    }

    /// SHA-256 and size of the file, and the record pass `pass` asks for:
    /// the key column's hashes ([`FileDigest::key`]), the group counts of
    /// its sets ([`FileDigest::groups`]), empty values, distinct pairs. A
    /// CSV file is read by the pass itself, which also checks that every
    /// record has as many fields as the header; a Parquet file is decoded
    /// by polars in slices of rows (only the columns the pass reads) and
    /// fed to the same pass, so both formats are counted by the same code
    /// in memory that does not grow with the file, beyond what the pass
    /// keeps per row (8 bytes for the key's hash, 24 for each distinct
    /// count).
    pub fn digest(&self, pass: &RecordPass<'_>) -> Result<FileDigest, IngestError> {
        match self.format {
            Format::Csv { delimiter } => digest(&self.path, &self.name(), delimiter, pass),
            Format::Parquet => digest_rows(&self.path, &self.name(), pass, |feed| {
                let columns = feed.columns();
                if columns.is_empty() {
                    return Ok(());
                }
                self.for_each_slice(&columns, |values| {
                    // Each half of the slice to one counter, on its own
                    // thread.
                    let rows = values[0].len();
                    let half = rows / 2;
                    let (first, second) = feed.counters();
                    let count = |counter: &mut RowCounter, from: usize, to: usize| {
                        let mut values: Vec<_> = (values.iter())
                            .map(|c| c.slice(from as i64, to - from))
                            .collect();
                        let mut values: Vec<_> = values.iter_mut().map(|c| c.iter()).collect();
                        for _ in from..to {
                            counter.row(
                                values
                                    .iter_mut()
                                    .map(|v| v.next().flatten().unwrap_or_default().as_bytes()),
                            );
                        }
                    };
                    std::thread::scope(|s| {
                        s.spawn(|| count(second, half, rows));
                        count(first, 0, half);
                    });
                })
            }),
        }
    }

    fn require_columns(&self, file: &str, names: &[String]) -> Result<(), IngestError> {
        for c in &self.columns {
            if !names.iter().any(|n| n == c) {
                return Err(IngestError {
                    line: matches!(self.format, Format::Csv { .. }).then_some(1),
                    column: Some(c.clone()),
                    ..IngestError::file(
                        file,
                        format!("a column named `{c}` (found: {})", names.join(", ")),
                    )
                });
            }
        }
        Ok(())
    }

    /// The lazy scan: every CSV column read as text, so that the layers above
    /// check types themselves and report the offending value.
    fn scan(&self) -> PolarsResult<LazyFrame> {
        let path = PlRefPath::new(self.path.to_string_lossy().as_ref());
        match self.format {
            Format::Csv { delimiter } => LazyCsvReader::new(path)
                .with_has_header(true)
                .with_separator(delimiter)
                .with_infer_schema_length(Some(0))
                .with_raise_if_empty(true)
                .finish(),
            Format::Parquet => LazyFrame::scan_parquet(path, ScanArgsParquet::default()),
        }
    }

    /// The scan restricted to the rows `filter` keeps.
    fn filtered(&self, filter: &RowFilter) -> Result<LazyFrame, IngestError> {
        let mut lf = self.scan().map_err(|e| self.polars_error(&e))?;
        for (column, values) in filter {
            let keep = values
                .iter()
                .map(|v| self.text(column).eq(lit(v.as_str())))
                .reduce(|a, b| a.or(b))
                .unwrap_or(lit(false));
            lf = lf.filter(keep);
        }
        Ok(lf)
    }

    /// Reads `columns` (as text) in slices of [`SLICE_ROWS`] rows, handing
    /// each slice's columns to `f` in order: memory holds two slices (the
    /// next is decoded on another thread while `f` takes this one),
    /// whatever the file's size. For Parquet only: a CSV would be read
    /// again from its start for every slice.
    fn for_each_slice(
        &self,
        columns: &[String],
        mut f: impl FnMut(&[StringChunked]),
    ) -> Result<(), IngestError> {
        let scan = || self.scan().map_err(|e| self.polars_error(&e));
        let rows = scan()?
            .select([len().cast(DataType::UInt64).alias(COUNT)])
            .collect()
            .map_err(|e| self.polars_error(&e))?;
        let rows = (self.u64_values(&rows, COUNT)?.first().copied().flatten()).unwrap_or(0);
        let names: Vec<String> = (0..columns.len())
            .map(|i| format!("{SLICE_COLUMN}{i}"))
            .collect();
        let exprs: Vec<Expr> = (columns.iter().zip(&names))
            .map(|(c, name)| self.text(c).alias(name.as_str()))
            .collect();
        let read = |offset: u64| -> Result<Vec<StringChunked>, IngestError> {
            // Slice first: it reaches the reader, which then decodes only
            // this slice's row groups.
            let slice = scan()?.slice(offset as i64, SLICE_ROWS as IdxSize);
            let df = (slice.select(exprs.clone()).collect()).map_err(|e| self.polars_error(&e))?;
            (names.iter())
                .map(|name| df.column(name.as_str()).and_then(|c| c.str().cloned()))
                .collect::<PolarsResult<Vec<_>>>()
                .map_err(|e| self.polars_error(&e))
        };
        std::thread::scope(|scope| {
            let (send, slices) = std::sync::mpsc::sync_channel(1);
            scope.spawn(move || {
                for offset in (0..rows).step_by(SLICE_ROWS) {
                    let slice = read(offset);
                    let failed = slice.is_err();
                    if send.send(slice).is_err() || failed {
                        return;
                    }
                }
            });
            for slice in slices {
                f(&slice?);
            }
            Ok(())
        })
    }

    /// Casts a column to text for grouping (Parquet columns may be typed).
    fn text(&self, c: &str) -> Expr {
        match self.format {
            Format::Csv { .. } => col(c),
            Format::Parquet => col(c).cast(DataType::String),
        }
    }

    /// Distinct counts at every level: for each combination in `combos`
    /// (one level index per dimension of `dims`), the number of distinct
    /// values of `distinct` among the rows of each cell. Each dimension's
    /// raw values are mapped to their node at every level by a small
    /// mapping frame joined to the scan (rows whose value it does not list,
    /// such as dates outside the period, drop out), and every combination
    /// is one `n_unique` group-by; all run as one streaming query.
    pub fn distinct_counts(
        &self,
        dims: &[LevelMap],
        distinct: &str,
        combos: &[Vec<usize>],
        filter: &RowFilter,
    ) -> Result<Vec<Groups>, IngestError> {
        let file = self.name();
        let mut joined = {
            let mut exprs: Vec<Expr> = dims
                .iter()
                .map(|d| self.text(&d.column).alias(d.column.as_str()))
                .collect();
            exprs.push(self.text(distinct).alias(distinct));
            self.filtered(filter)?.select(exprs)
        };
        for d in dims {
            let mut columns = vec![Column::new(d.column.as_str().into(), d.raw.clone())];
            for (k, nodes) in d.levels.iter().enumerate() {
                columns.push(Column::new(d.level_column(k).into(), nodes.clone()));
            }
            let map = DataFrame::new(d.raw.len(), columns)
                .map_err(|e| IngestError::file(&file, short(&e)))?;
            joined = joined.inner_join(map.lazy(), col(d.column.as_str()), col(d.column.as_str()));
        }
        let plans: Vec<LazyFrame> = combos
            .iter()
            .map(|levels| {
                let keys: Vec<Expr> = dims
                    .iter()
                    .zip(levels)
                    .map(|(d, &k)| col(d.level_column(k).as_str()))
                    .collect();
                joined
                    .clone()
                    .group_by(keys)
                    .agg([col(distinct).n_unique().alias(COUNT)])
            })
            .collect();
        let frames = collect_all(plans).map_err(|e| self.polars_error(&e))?;
        let mut out = Vec::new();
        for (levels, df) in combos.iter().zip(frames) {
            let mut g = Groups::default();
            for (d, &k) in dims.iter().zip(levels) {
                let name = d.level_column(k);
                let nodes = df
                    .column(name.as_str())
                    .and_then(|c| c.cast(&DataType::UInt32))
                    .map_err(|e| self.polars_error(&e))?;
                let nodes = nodes.u32().map_err(|e| self.polars_error(&e))?;
                g.keys
                    .push(nodes.iter().map(|v| v.map(|n| n.to_string())).collect());
                g.columns.push(name);
            }
            g.counts = self.counts(&df)?;
            out.push(g);
        }
        Ok(out)
    }

    /// The 1-based line (CSV, assuming one record per line) or row
    /// (Parquet) of the `nth` (0-based) row whose `column` holds `value`
    /// (`None`: an empty value).
    pub fn locate(
        &self,
        column: &str,
        value: Option<&str>,
        nth: u32,
    ) -> Result<Option<u64>, IngestError> {
        let lf = self
            .scan()
            .map_err(|e| self.polars_error(&e))?
            .with_row_index(ROW, None);
        let pred = match value {
            Some(v) => self.text(column).eq(lit(v.to_string())),
            // A missing value: a null, or (as in a CSV) an empty string.
            None => col(column).is_null().or(self.text(column).eq(lit(""))),
        };
        let df = lf
            .filter(pred)
            .select([col(ROW)])
            .limit(nth + 1)
            .collect()
            .map_err(|e| self.polars_error(&e))?;
        let rows = self.u64_values(&df, ROW)?;
        let header = u64::from(matches!(self.format, Format::Csv { .. }));
        Ok(rows
            .get(nth as usize)
            .copied()
            .flatten()
            .map(|r| r + 1 + header))
    }

    /// In one pass: whether `column` holds an empty value, and whether some
    /// value appears on more than one row (checked only when `unique`).
    pub fn text_faults(&self, column: &str, unique: bool) -> Result<(bool, bool), IngestError> {
        let lf = self.scan().map_err(|e| self.polars_error(&e))?;
        let mut exprs = vec![col(column).null_count().alias("nulls")];
        if unique {
            exprs.push(col(column).n_unique().alias("distinct"));
            exprs.push(len().alias("rows"));
        }
        let df = lf
            .select(exprs)
            .collect_with_engine(Engine::Streaming)
            .map_err(|e| self.polars_error(&e))?
            .unwrap_single();
        let get = |name: &str| -> Result<u64, IngestError> {
            Ok(self
                .u64_values(&df, name)?
                .first()
                .copied()
                .flatten()
                .unwrap_or(0))
        };
        let nulls = get("nulls")?;
        // `n_unique` counts the empty value as one value of its own.
        let duplicated = unique && get("distinct")? + nulls.saturating_sub(1) < get("rows")?;
        Ok((nulls > 0, duplicated))
    }

    /// An error at a position returned by [`Source::locate`]: a line of a
    /// CSV file, a row of a Parquet file.
    pub fn error_at(
        &self,
        line: Option<u64>,
        column: &str,
        expected: impl Into<String>,
    ) -> IngestError {
        IngestError {
            line,
            by_row: self.format == Format::Parquet,
            column: Some(column.to_string()),
            ..IngestError::file(&self.name(), expected)
        }
    }

    /// A value of `column` held by more than one row, if any.
    pub fn first_duplicate(&self, column: &str) -> Result<Option<String>, IngestError> {
        let lf = self.scan().map_err(|e| self.polars_error(&e))?;
        let df = lf
            .select([self.text(column).alias(column)])
            .group_by([col(column)])
            .agg([len().alias(COUNT)])
            .filter(col(COUNT).gt(lit(1)))
            .limit(1)
            .collect()
            .map_err(|e| self.polars_error(&e))?;
        if df.height() == 0 {
            return Ok(None);
        }
        let s = df
            .column(column)
            .and_then(|s| s.str().cloned())
            .map_err(|e| self.polars_error(&e))?;
        Ok(Some(s.get(0).unwrap_or("").to_string()))
    }

    /// The count column of a collected group-by. A sum is null only over
    /// values the caller will reject anyway, so null counts as 0.
    fn counts(&self, df: &DataFrame) -> Result<Vec<u64>, IngestError> {
        Ok(self
            .u64_values(df, COUNT)?
            .into_iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    }

    /// A column of a collected frame as unsigned integers (`None` for null).
    fn u64_values(&self, df: &DataFrame, name: &str) -> Result<Vec<Option<u64>>, IngestError> {
        let c = df
            .column(name)
            .and_then(|c| c.cast(&DataType::UInt64))
            .map_err(|e| self.polars_error(&e))?;
        Ok(c.u64().map_err(|e| self.polars_error(&e))?.iter().collect())
    }

    /// Turns a polars failure into a located error when the file is at fault.
    fn polars_error(&self, e: &PolarsError) -> IngestError {
        let file = self.name();
        if let Format::Csv { delimiter } = self.format {
            if let Some(fault) = diagnose::csv_first_fault(&self.path, &file, delimiter) {
                return fault;
            }
        }
        IngestError::file(&file, format!("a readable input ({})", short(e)))
    }
}

fn collect_all(plans: Vec<LazyFrame>) -> PolarsResult<Vec<DataFrame>> {
    if plans.len() == 1 {
        let lf = plans.into_iter().next().expect("one plan");
        return Ok(vec![lf
            .collect_with_engine(Engine::Streaming)?
            .unwrap_single()]);
    }
    let opt = plans[0].get_current_optimizations();
    LazyFrame::collect_all_with_engine(
        plans.into_iter().map(|lf| lf.logical_plan).collect(),
        Engine::Streaming,
        opt,
    )
}

/// Rows kept: for every `(column, values)`, the column holds one of the values.
pub type RowFilter = Vec<(String, Vec<String>)>;

/// How one dimension's raw values map to its nodes at every level, for
/// [`Source::distinct_counts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelMap {
    /// The input column.
    pub column: String,
    /// Every raw value that falls in the table.
    pub raw: Vec<String>,
    /// Per level (0 = the total), the node of each raw value at that level.
    pub levels: Vec<Vec<u32>>,
}

impl LevelMap {
    fn level_column(&self, k: usize) -> String {
        format!("{}\u{1f}level{k}", self.column)
    }
}

/// A polars message cut to one line (they can be long and multi-line).
fn short(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    let line = s.lines().next().unwrap_or("").trim();
    if line.chars().count() > 200 {
        format!("{}…", line.chars().take(200).collect::<String>())
    } else {
        line.to_string()
    }
}
