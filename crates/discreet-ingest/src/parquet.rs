//! Parquet files, decoded by polars: the schema check, the slices of rows
//! fed to the record pass, and the scans the layers above ask for (distinct
//! counts by many dimensions, locating a value, uniqueness).

use std::borrow::Cow;

use polars::prelude::*;
use polars_arrow::array::Array as _;

use crate::digest::{digest_rows, FileDigest, RecordPass, RowCounter, ValueReader};
use crate::error::IngestError;
use crate::source::{Groups, LevelMap, RowFilter, Source};

const COUNT: &str = "__discreet_rows";
/// Prefix of the columns of a slice read by [`for_each_slice`].
const SLICE_COLUMN: &str = "__discreet_column_";
/// Rows per slice in [`for_each_slice`]: about 100 MB of text for the
/// columns of a bundled pipeline.
const SLICE_ROWS: usize = 1 << 20;
const ROW: &str = "__discreet_row";

/// Checks that the file is a readable Parquet file with every expected
/// column, each of a type the layers above can read as text.
pub(crate) fn check_columns(source: &Source) -> Result<(), IngestError> {
    let file = source.name();
    let schema = scan(source)
        .and_then(|mut lf| lf.collect_schema())
        .map_err(|e| {
            IngestError::file(&file, format!("a readable Parquet file ({})", short(&e)))
        })?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    source.require_columns(&file, &names)?;
    for c in &source.columns {
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

/// The record pass over a Parquet file: decoded in slices of rows (only
/// the columns the pass reads, as typed in the file), each half of a slice
/// fed to one counter on its own thread.
pub(crate) fn digest(source: &Source, pass: &RecordPass<'_>) -> Result<FileDigest, IngestError> {
    digest_rows(&source.path, &source.name(), pass, |feed| {
        let columns = feed.columns();
        if columns.is_empty() {
            return Ok(());
        }
        // One set of caches per counter, kept across slices.
        let mut caches: [Vec<ColumnCache>; 2] =
            std::array::from_fn(|_| columns.iter().map(|_| ColumnCache::default()).collect());
        for_each_slice(source, &columns, |values| {
            let rows = values[0].len();
            let half = rows / 2;
            let (first, second) = feed.counters();
            let [first_caches, second_caches] = &mut caches;
            std::thread::scope(|s| {
                s.spawn(|| count_rows(second, values, second_caches, half, rows));
                count_rows(first, values, first_caches, 0, half);
            });
        })
    })
}

/// Feeds `counter` the rows `from..to` of a slice: the columns it only
/// numbers as value numbers, worked out a column at a time (one lookup
/// by the typed value, no text), the others value by value.
fn count_rows(
    counter: &mut RowCounter,
    values: &[SliceColumn],
    caches: &mut [ColumnCache],
    from: usize,
    to: usize,
) {
    let part: Vec<_> = values.iter().map(|c| c.slice(from, to)).collect();
    let mut numbered = Vec::new();
    let mut others = Vec::new();
    for (position, (column, cache)) in part.iter().zip(caches).enumerate() {
        match counter.numbered_slot(position) {
            Some(slot) => {
                cache.ids.clear();
                column.numbers(counter, slot, &mut cache.numbers, &mut cache.ids);
                numbered.push((slot, &cache.ids[..]));
            }
            None => others.push((position, column.reader(&mut cache.texts))),
        }
    }
    counter.rows(to - from, &numbered, &mut others);
}

/// What one counter remembers of one column from slice to slice.
#[derive(Default)]
struct ColumnCache {
    /// The text of each distinct number (columns read value by value).
    texts: TextCache,
    /// The value number of each distinct typed value (numbered columns).
    numbers: NumberCache,
    /// The value numbers of the rows being fed (numbered columns), the
    /// buffer kept from one slice to the next.
    ids: Vec<u32>,
}

/// One column of a slice of rows, as the file types it: text, or a number
/// the counter sees as its decimal text (integers) or ISO date (dates),
/// rendered once per distinct value rather than cast row by row. Chunks
/// (one per row group the slice meets) are read where they lie, not
/// copied into one.
enum SliceColumn {
    Text(StringChunked),
    Integer(Int64Chunked),
    Date(Int32Chunked),
}

impl SliceColumn {
    fn new(column: &Column) -> PolarsResult<SliceColumn> {
        Ok(match column.dtype() {
            DataType::Date => SliceColumn::Date(column.to_physical_repr().i32()?.clone()),
            dt if dt.is_integer() => {
                SliceColumn::Integer(column.cast(&DataType::Int64)?.i64()?.clone())
            }
            DataType::String => SliceColumn::Text(column.str()?.clone()),
            _ => SliceColumn::Text(column.cast(&DataType::String)?.str()?.clone()),
        })
    }

    fn len(&self) -> usize {
        match self {
            SliceColumn::Text(c) => c.len(),
            SliceColumn::Integer(c) => c.len(),
            SliceColumn::Date(c) => c.len(),
        }
    }

    /// Rows `from..to` (no copy).
    fn slice(&self, from: usize, to: usize) -> SliceColumn {
        let (from, n) = (from as i64, to - from);
        match self {
            SliceColumn::Text(c) => SliceColumn::Text(c.slice(from, n)),
            SliceColumn::Integer(c) => SliceColumn::Integer(c.slice(from, n)),
            SliceColumn::Date(c) => SliceColumn::Date(c.slice(from, n)),
        }
    }

    /// Appends to `ids` each row's value number in the dictionary of
    /// `slot`, looked up by the typed value in `known`; a value not seen
    /// before is numbered by `counter`.
    fn numbers(
        &self,
        counter: &mut RowCounter,
        slot: usize,
        known: &mut NumberCache,
        ids: &mut Vec<u32>,
    ) {
        let mut row = 0;
        match self {
            SliceColumn::Text(c) => {
                for array in c.downcast_iter() {
                    // Longer strings by their whole view: within one array
                    // it says where the bytes lie, so equal views hold
                    // equal values (a value may have several views).
                    let mut long = NumberCache::default();
                    for (i, view) in array.views().iter().enumerate() {
                        let text = || array.get(i).unwrap_or_default().as_bytes().into();
                        let id = match inline_key(array.is_valid(i), view.as_u128()) {
                            Some(key) => number_of(known, counter, slot, row, Some(key), text),
                            None => {
                                let key = (long.len() < LONG_VIEWS).then(|| view.as_u128());
                                number_of(&mut long, counter, slot, row, key, text)
                            }
                        };
                        ids.push(id);
                        row += 1;
                    }
                }
            }
            SliceColumn::Integer(c) => {
                for a in c.downcast_iter() {
                    let valid = |i| a.is_valid(i);
                    let (values, typed) = (a.values(), Number::Integer);
                    typed_numbers(values, valid, typed, counter, slot, known, &mut row, ids);
                }
            }
            SliceColumn::Date(c) => {
                for a in c.downcast_iter() {
                    let valid = |i| a.is_valid(i);
                    let (values, typed) = (a.values(), Number::Date);
                    typed_numbers(values, valid, typed, counter, slot, known, &mut row, ids);
                }
            }
        }
    }

    /// The column value by value.
    fn reader<'a>(&'a self, cache: &'a mut TextCache) -> ColumnReader<'a> {
        match self {
            SliceColumn::Text(c) => ColumnReader::Text(Chunks::new(c.downcast_iter())),
            SliceColumn::Integer(c) => ColumnReader::Integer(Chunks::new(c.downcast_iter()), cache),
            SliceColumn::Date(c) => ColumnReader::Date(Chunks::new(c.downcast_iter()), cache),
        }
    }
}

/// A typed value of a [`SliceColumn`].
#[derive(Clone, Copy)]
enum Number {
    Integer(i64),
    /// Days since 1970-01-01.
    Date(i32),
}

impl Number {
    /// As the counter reads it: decimal digits, or an ISO date.
    fn text(self) -> Vec<u8> {
        match self {
            Number::Integer(v) => v.to_string().into_bytes(),
            Number::Date(d) => iso_date(d).into_bytes(),
        }
    }
}

/// The chunks of a column, walked row by row.
struct Chunks<'a, A> {
    arrays: Vec<&'a A>,
    chunk: usize,
    at: usize,
}

impl<'a, A: polars_arrow::array::Array> Chunks<'a, A> {
    fn new(arrays: impl Iterator<Item = &'a A>) -> Self {
        Chunks {
            arrays: arrays.collect(),
            chunk: 0,
            at: 0,
        }
    }

    /// The next row: its chunk and its index there.
    #[inline]
    fn next(&mut self) -> (&'a A, usize) {
        while self.at == self.arrays[self.chunk].len() {
            self.chunk += 1;
            self.at = 0;
        }
        self.at += 1;
        (self.arrays[self.chunk], self.at - 1)
    }
}

/// Reads one column of a slice for the counter, straight from its arrays
/// (the chunked iterators' dispatch was a tenth of the pass): the value's
/// bytes, empty for a null as for an empty CSV field.
enum ColumnReader<'a> {
    Text(Chunks<'a, <StringType as PolarsDataType>::Array>),
    Integer(
        Chunks<'a, <Int64Type as PolarsDataType>::Array>,
        &'a mut TextCache,
    ),
    Date(
        Chunks<'a, <Int32Type as PolarsDataType>::Array>,
        &'a mut TextCache,
    ),
}

impl ValueReader for ColumnReader<'_> {
    #[inline]
    fn next_value(&mut self) -> &[u8] {
        match self {
            ColumnReader::Text(chunks) => {
                let (array, i) = chunks.next();
                array.get(i).unwrap_or_default().as_bytes()
            }
            ColumnReader::Integer(chunks, cache) => {
                let (array, i) = chunks.next();
                match array.get(i) {
                    Some(v) => cache.text(Number::Integer(v)),
                    None => b"",
                }
            }
            ColumnReader::Date(chunks, cache) => {
                let (array, i) = chunks.next();
                match array.get(i) {
                    Some(d) => cache.text(Number::Date(d)),
                    None => b"",
                }
            }
        }
    }
}

/// The text of each distinct number of one column, rendered on first sight.
#[derive(Default)]
struct TextCache {
    known: crate::int_map::IntMap<u128, u32>,
    texts: Vec<Vec<u8>>,
}

impl TextCache {
    #[inline]
    fn text(&mut self, n: Number) -> &[u8] {
        let next = self.texts.len() as u32;
        let id = *self.known.entry(number_key(Some(n)), || next);
        if id == next {
            self.texts.push(n.text());
        }
        &self.texts[id as usize]
    }
}

/// The value number of each distinct typed value of one column, by
/// [`inline_key`] (strings) or [`number_key`] (numbers).
type NumberCache = crate::int_map::IntMap<u128, u32>;

/// The value number of the value at `row` (its key in `known`, `None`
/// for a value not looked up by key; its text, asked for only when the
/// value is new to `known`).
#[inline]
fn number_of<'a>(
    known: &mut NumberCache,
    counter: &mut RowCounter,
    slot: usize,
    row: usize,
    key: Option<u128>,
    text: impl FnOnce() -> Cow<'a, [u8]>,
) -> u32 {
    match key {
        Some(key) => *known.entry(key, || counter.number(slot, row, &text())),
        None => counter.number(slot, row, &text()),
    }
}

/// Appends to `ids` the value number of each row of one chunk of
/// integers or dates (`typed` says which), rendered as text only when
/// first met; `row` counts the rows of the run numbered so far.
#[allow(clippy::too_many_arguments)]
fn typed_numbers<T: Copy>(
    values: &[T],
    valid: impl Fn(usize) -> bool,
    typed: impl Fn(T) -> Number,
    counter: &mut RowCounter,
    slot: usize,
    known: &mut NumberCache,
    row: &mut usize,
    ids: &mut Vec<u32>,
) {
    for (i, &v) in values.iter().enumerate() {
        let n = valid(i).then(|| typed(v));
        let text = || match n {
            Some(n) => Cow::Owned(n.text()),
            None => Cow::Borrowed(&b""[..]),
        };
        ids.push(number_of(
            known,
            counter,
            slot,
            *row,
            Some(number_key(n)),
            text,
        ));
        *row += 1;
    }
}

/// At most this many views of longer strings are remembered per chunk:
/// many more means values that seldom repeat, better looked up directly.
const LONG_VIEWS: usize = 1 << 16;

/// The key a string of at most 12 bytes is numbered by: its Arrow view,
/// which holds the length and the bytes themselves (bytes past the length
/// cleared: the format leaves them unspecified). `None` for a longer
/// string; a missing value keys as the empty string.
#[inline]
fn inline_key(valid: bool, view: u128) -> Option<u128> {
    if !valid {
        return Some(0);
    }
    let len = view as u32;
    match len {
        12 => Some(view),
        0..12 => Some(view & ((1 << (32 + 8 * len)) - 1)),
        _ => None,
    }
}

/// The key a number (or a missing value) is kept by: its bits, and its
/// kind above them. Never the map's empty-slot marker (all bits set).
#[inline]
fn number_key(n: Option<Number>) -> u128 {
    match n {
        Some(Number::Integer(v)) => u128::from(v as u64),
        Some(Number::Date(d)) => 1 << 64 | u128::from(d as u32),
        None => 2 << 64,
    }
}

/// A day count since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian).
fn iso_date(days: i32) -> String {
    // Days from 0000-03-01, then 400-year eras of 146,097 days.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The lazy scan of the file.
fn scan(source: &Source) -> PolarsResult<LazyFrame> {
    let path = PlRefPath::new(source.path.to_string_lossy().as_ref());
    LazyFrame::scan_parquet(path, ScanArgsParquet::default())
}

/// The scan restricted to the rows `filter` keeps.
fn filtered(source: &Source, filter: &RowFilter) -> Result<LazyFrame, IngestError> {
    let mut lf = scan(source).map_err(|e| polars_error(source, &e))?;
    for (column, values) in filter {
        let keep = values
            .iter()
            .map(|v| text(column).eq(lit(v.as_str())))
            .reduce(|a, b| a.or(b))
            .unwrap_or(lit(false));
        lf = lf.filter(keep);
    }
    Ok(lf)
}

/// Reads `columns` (as typed) in slices of [`SLICE_ROWS`] rows, handing each
/// slice's columns to `f` in order: memory holds two slices (the next is
/// decoded on another thread while `f` takes this one), whatever the
/// file's size.
fn for_each_slice(
    source: &Source,
    columns: &[String],
    mut f: impl FnMut(&[SliceColumn]),
) -> Result<(), IngestError> {
    let failed = |e: PolarsError| polars_error(source, &e);
    let rows = scan(source)
        .and_then(|lf| {
            lf.select([len().cast(DataType::UInt64).alias(COUNT)])
                .collect()
        })
        .map_err(failed)?;
    let rows = (u64_values(source, &rows, COUNT)?.first().copied().flatten()).unwrap_or(0);
    let names: Vec<String> = (0..columns.len())
        .map(|i| format!("{SLICE_COLUMN}{i}"))
        .collect();
    let exprs: Vec<Expr> = (columns.iter().zip(&names))
        .map(|(c, name)| col(c.as_str()).alias(name.as_str()))
        .collect();
    let read = |offset: u64| -> Result<Vec<SliceColumn>, IngestError> {
        // Slice first: it reaches the reader, which then decodes only this
        // slice's row groups.
        let slice = scan(source).map_err(failed)?;
        let slice = slice.slice(offset as i64, SLICE_ROWS as IdxSize);
        let df = (slice.select(exprs.clone()).collect()).map_err(failed)?;
        (names.iter())
            .map(|name| df.column(name.as_str()).and_then(SliceColumn::new))
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(failed)
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

/// A column as text (Parquet columns may be typed).
fn text(c: &str) -> Expr {
    col(c).cast(DataType::String)
}

/// See [`Source::distinct_counts`]. Each dimension's raw values are mapped
/// to their node at every level by a small mapping frame joined to the
/// scan, and every combination is one `n_unique` group-by; all run as one
/// streaming query.
pub(crate) fn distinct_counts(
    source: &Source,
    dims: &[LevelMap],
    distinct: &str,
    combos: &[Vec<usize>],
    filter: &RowFilter,
) -> Result<Vec<Groups>, IngestError> {
    let file = source.name();
    let failed = |e: PolarsError| polars_error(source, &e);
    let mut joined = {
        let mut exprs: Vec<Expr> = dims
            .iter()
            .map(|d| text(&d.column).alias(d.column.as_str()))
            .collect();
        exprs.push(text(distinct).alias(distinct));
        filtered(source, filter)?.select(exprs)
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
    let frames = collect_all(plans).map_err(failed)?;
    let mut out = Vec::new();
    for (levels, df) in combos.iter().zip(frames) {
        let mut g = Groups::default();
        for (d, &k) in dims.iter().zip(levels) {
            let name = d.level_column(k);
            let nodes = df
                .column(name.as_str())
                .and_then(|c| c.cast(&DataType::UInt32))
                .map_err(failed)?;
            let nodes = nodes.u32().map_err(failed)?;
            g.keys
                .push(nodes.iter().map(|v| v.map(|n| n.to_string())).collect());
            g.columns.push(name);
        }
        // A count is null only over values the caller rejects anyway.
        g.counts = (u64_values(source, &df, COUNT)?.into_iter())
            .map(|v| v.unwrap_or(0))
            .collect();
        out.push(g);
    }
    Ok(out)
}

/// See [`Source::locate`]: the 1-based row.
pub(crate) fn locate(
    source: &Source,
    column: &str,
    value: Option<&str>,
    nth: u32,
) -> Result<Option<u64>, IngestError> {
    let failed = |e: PolarsError| polars_error(source, &e);
    let lf = scan(source).map_err(failed)?.with_row_index(ROW, None);
    let pred = match value {
        Some(v) => text(column).eq(lit(v.to_string())),
        // A missing value: a null, or (as in a CSV) an empty string.
        None => col(column).is_null().or(text(column).eq(lit(""))),
    };
    let df = lf
        .filter(pred)
        .select([col(ROW)])
        .limit(nth + 1)
        .collect()
        .map_err(failed)?;
    let rows = u64_values(source, &df, ROW)?;
    Ok(rows.get(nth as usize).copied().flatten().map(|r| r + 1))
}

/// See [`Source::text_faults`].
pub(crate) fn text_faults(
    source: &Source,
    column: &str,
    unique: bool,
) -> Result<(bool, bool), IngestError> {
    let failed = |e: PolarsError| polars_error(source, &e);
    let lf = scan(source).map_err(failed)?;
    let mut exprs = vec![col(column).null_count().alias("nulls")];
    if unique {
        exprs.push(col(column).n_unique().alias("distinct"));
        exprs.push(len().alias("rows"));
    }
    let df = lf
        .select(exprs)
        .collect_with_engine(Engine::Streaming)
        .map_err(failed)?
        .unwrap_single();
    let get = |name: &str| -> Result<u64, IngestError> {
        Ok((u64_values(source, &df, name)?.first().copied().flatten()).unwrap_or(0))
    };
    let nulls = get("nulls")?;
    // `n_unique` counts the empty value as one value of its own.
    let duplicated = unique && get("distinct")? + nulls.saturating_sub(1) < get("rows")?;
    Ok((nulls > 0, duplicated))
}

/// See [`Source::first_duplicate`].
pub(crate) fn first_duplicate(
    source: &Source,
    column: &str,
) -> Result<Option<String>, IngestError> {
    let failed = |e: PolarsError| polars_error(source, &e);
    let lf = scan(source).map_err(failed)?;
    let df = lf
        .select([text(column).alias(column)])
        .group_by([col(column)])
        .agg([len().alias(COUNT)])
        .filter(col(COUNT).gt(lit(1)))
        .limit(1)
        .collect()
        .map_err(failed)?;
    if df.height() == 0 {
        return Ok(None);
    }
    let s = df
        .column(column)
        .and_then(|s| s.str().cloned())
        .map_err(failed)?;
    Ok(Some(s.get(0).unwrap_or("").to_string()))
}

/// A column of a collected frame as unsigned integers (`None` for null).
fn u64_values(
    source: &Source,
    df: &DataFrame,
    name: &str,
) -> Result<Vec<Option<u64>>, IngestError> {
    let failed = |e: PolarsError| polars_error(source, &e);
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt64))
        .map_err(failed)?;
    Ok(c.u64().map_err(failed)?.iter().collect())
}

/// A polars failure as an error about the file.
fn polars_error(source: &Source, e: &PolarsError) -> IngestError {
    IngestError::file(&source.name(), format!("a readable input ({})", short(e)))
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

#[cfg(test)]
mod tests {
    use super::{inline_key, iso_date, Number, TextCache};

    #[test]
    fn every_number_keeps_its_own_text() {
        let mut cache = TextCache::default();
        let numbers = [
            Number::Integer(-1),
            Number::Integer(-2),
            Number::Integer(i64::MIN),
            Number::Integer(i64::MAX),
            Number::Integer(0),
            Number::Date(-1),
            Number::Date(0),
        ];
        let expected = [
            "-1",
            "-2",
            "-9223372036854775808",
            "9223372036854775807",
            "0",
            "1969-12-31",
            "1970-01-01",
        ];
        for _ in 0..2 {
            for (n, text) in numbers.iter().zip(expected) {
                assert_eq!(cache.text(*n), text.as_bytes());
            }
        }
    }

    #[test]
    fn day_counts_are_iso_dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(-1), "1969-12-31");
        assert_eq!(iso_date(11_017), "2000-03-01");
        assert_eq!(iso_date(19_782), "2024-02-29");
        assert_eq!(iso_date(20_453), "2025-12-31");
        assert_eq!(iso_date(-719_468), "0000-03-01");
    }

    /// An Arrow view of `bytes` (at most 12, inline), with `junk` in the
    /// unused bytes.
    fn view(bytes: &[u8], junk: u8) -> u128 {
        let mut v = [junk; 16];
        v[..4].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
        v[4..4 + bytes.len()].copy_from_slice(bytes);
        u128::from_le_bytes(v)
    }

    #[test]
    fn inline_strings_key_by_length_and_bytes_only() {
        for value in [
            &b""[..],
            b"a",
            b"a\0",
            b"CHN",
            b"2024-02-29",
            b"twelve bytes",
        ] {
            let key = inline_key(true, view(value, 0));
            assert_eq!(key, inline_key(true, view(value, 0xab)), "{value:?}");
            assert!(key.is_some());
        }
        assert_ne!(
            inline_key(true, view(b"a", 0)),
            inline_key(true, view(b"a\0", 0))
        );
        // Missing and empty values are one value.
        assert_eq!(
            inline_key(false, view(b"CHN", 0)),
            inline_key(true, view(b"", 7))
        );
        let long = 13u128 | 0xdead_beef << 32;
        assert_eq!(inline_key(true, long), None);
    }
}
