//! An input file and the lazy polars queries run over it.

use std::path::PathBuf;

use polars::prelude::*;

use crate::diagnose;
use crate::digest::{digest, FileDigest, RecordPass};
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
#[derive(Debug, Clone, Default)]
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

    /// SHA-256 and size of the file, read once. For CSV the same read checks
    /// that every record has as many fields as the header and does what
    /// `pass` asks: the key column's hashes ([`FileDigest::key`]) and the
    /// group counts of its sets ([`FileDigest::groups`]), which then need
    /// no polars query. For Parquet (columnar: polars reads only the
    /// columns it needs) the groups are left to [`Source::group_counts`].
    pub fn digest(&self, pass: &RecordPass<'_>) -> Result<FileDigest, IngestError> {
        let delimiter = match self.format {
            Format::Csv { delimiter } => Some(delimiter),
            Format::Parquet => None,
        };
        digest(&self.path, &self.name(), delimiter, pass)
    }

    /// Whether [`Source::digest`] counts groups (CSV) or leaves them to
    /// polars (Parquet).
    pub fn digest_counts_groups(&self) -> bool {
        matches!(self.format, Format::Csv { .. })
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

    /// Casts a column to text for grouping (Parquet columns may be typed).
    fn text(&self, c: &str) -> Expr {
        match self.format {
            Format::Csv { .. } => col(c),
            Format::Parquet => col(c).cast(DataType::String),
        }
    }

    /// For each set of columns, the distinct combinations of values and how
    /// many rows hold each, or with `weight` the sum of that integer column
    /// over them (values that are not integers count as nothing here; the
    /// caller checks every value). All sets run as one streaming query.
    pub fn group_counts(
        &self,
        sets: &[(Vec<String>, RowFilter)],
        weight: Option<&str>,
    ) -> Result<Vec<Groups>, IngestError> {
        let file = self.name();
        let mut plans = Vec::new();
        for (set, filter) in sets {
            let lf = self.filtered(filter)?;
            let keys: Vec<Expr> = set.iter().map(|c| self.text(c).alias(c.as_str())).collect();
            let (mut exprs, measure) = (
                keys,
                match weight {
                    Some(w) => col(w).cast(DataType::Int64).sum().alias(COUNT),
                    None => len().alias(COUNT),
                },
            );
            if let Some(w) = weight.filter(|w| !set.iter().any(|c| c == w)) {
                exprs.push(col(w).alias(w));
            }
            let q = lf
                .select(exprs)
                .group_by(set.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
                .agg([measure]);
            plans.push(q);
        }
        let frames = collect_all(plans).map_err(|e| self.polars_error(&e))?;
        let mut out = Vec::new();
        for ((set, _), df) in sets.iter().zip(frames) {
            let mut g = Groups {
                columns: set.clone(),
                ..Default::default()
            };
            for c in set {
                let s = df
                    .column(c.as_str())
                    .and_then(|s| s.str().cloned())
                    .map_err(|e| IngestError::file(&file, short(&e)))?;
                g.keys
                    .push(s.iter().map(|v| v.map(str::to_string)).collect());
            }
            g.counts = self.counts(&df)?;
            out.push(g);
        }
        Ok(out)
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
            None => col(column).is_null(),
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
