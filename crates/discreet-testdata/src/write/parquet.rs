//! The Parquet form of a synthetic data set (through polars).

use std::io::{self, Write};

use polars::prelude::{
    Column, DataFrame, DataType, Field, Int32Chunked, IntoColumn, KeyValueMetadata,
    ParquetCompression, ParquetWriter, Schema, StringChunkedBuilder,
};
use rand_chacha::ChaCha8Rng;

use super::{Chunks, ColumnType, Dataset, RowSink};

/// Column builders of one Parquet row group.
enum Builder {
    Text(StringChunkedBuilder),
    Int32(Vec<i32>),
    /// Days since 1970-01-01.
    Date(Vec<i32>),
}

/// Parquet: values appended to per-column builders, one row group a chunk.
struct ParquetSink {
    builders: Vec<Builder>,
    /// Column the next value belongs to.
    next: usize,
}

impl ParquetSink {
    #[inline]
    fn builder(&mut self) -> &mut Builder {
        let b = &mut self.builders[self.next];
        self.next += 1;
        b
    }
}

impl RowSink for ParquetSink {
    #[inline]
    fn text(&mut self, value: &str) {
        match self.builder() {
            Builder::Text(b) => b.append_value(value),
            _ => unreachable!("text value for a column of another type"),
        }
    }

    #[inline]
    fn null(&mut self) {
        match self.builder() {
            Builder::Text(b) => b.append_null(),
            _ => unreachable!("null value for a column of another type"),
        }
    }

    #[inline]
    fn int(&mut self, value: i32) {
        match self.builder() {
            Builder::Int32(v) => v.push(value),
            _ => unreachable!("integer value for a column of another type"),
        }
    }

    #[inline]
    fn date(&mut self, iso: &str) {
        match self.builder() {
            Builder::Date(v) => v.push(days_since_epoch(iso)),
            _ => unreachable!("date value for a column of another type"),
        }
    }
}

/// `YYYY-MM-DD` (a valid date, as the models write) as days since
/// 1970-01-01, Parquet's `DATE`.
fn days_since_epoch(iso: &str) -> i32 {
    let number = |range: std::ops::Range<usize>| -> i64 {
        iso[range].parse().expect("the models write valid dates")
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Years from March, so that the leap day ends the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).expect("dates fit in 32 bits")
}

/// Why a Parquet file could not be written.
pub(crate) enum ParquetFailure {
    Io(io::Error),
    Polars(String),
}

impl From<polars::error::PolarsError> for ParquetFailure {
    fn from(e: polars::error::PolarsError) -> Self {
        match e {
            polars::error::PolarsError::IO { error, .. } => match std::sync::Arc::try_unwrap(error)
            {
                Ok(e) => ParquetFailure::Io(e),
                Err(e) => ParquetFailure::Io(io::Error::new(e.kind(), e.to_string())),
            },
            other => ParquetFailure::Polars(other.to_string()),
        }
    }
}

/// Writes the rows of `dataset`, one row group per chunk.
pub(super) fn write_parquet<D: Dataset, W: Write>(
    dataset: &mut D,
    rng: &mut ChaCha8Rng,
    chunks: Chunks,
    out: &mut W,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ParquetFailure> {
    let schema = Schema::from_iter(D::COLUMNS.iter().map(|&(name, kind)| {
        let dtype = match kind {
            ColumnType::Text | ColumnType::NullableText => DataType::String,
            ColumnType::Int32 => DataType::Int32,
            ColumnType::Date => DataType::Date,
        };
        Field::new(name.into(), dtype)
    }));
    // Plain `string` text columns, which every reader opens.
    let arrow_schema = discreet_parquet::plain_arrow_schema(&schema);
    // Compression is set explicitly so a change of polars' default does not
    // silently change the files.
    let mut writer = ParquetWriter::new(&mut *out)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![arrow_schema])))
        .batched(&schema)?;
    let mut written = 0u64;
    for n in chunks.sizes() {
        let n_us = usize::try_from(n).expect("chunk fits in memory");
        let mut sink = ParquetSink {
            builders: D::COLUMNS
                .iter()
                .map(|&(name, kind)| match kind {
                    ColumnType::Text | ColumnType::NullableText => {
                        Builder::Text(StringChunkedBuilder::new(name.into(), n_us))
                    }
                    ColumnType::Int32 => Builder::Int32(Vec::with_capacity(n_us)),
                    ColumnType::Date => Builder::Date(Vec::with_capacity(n_us)),
                })
                .collect(),
            next: 0,
        };
        for _ in 0..n {
            sink.next = 0;
            dataset.next_row(rng, &mut sink);
            debug_assert_eq!(sink.next, D::COLUMNS.len(), "one value per column");
        }
        let columns: Vec<Column> = sink
            .builders
            .into_iter()
            .zip(D::COLUMNS)
            .map(|(b, &(name, _))| match b {
                Builder::Text(b) => b.finish().into_column(),
                Builder::Int32(v) => Int32Chunked::from_vec(name.into(), v).into_column(),
                Builder::Date(v) => Int32Chunked::from_vec(name.into(), v)
                    .into_date()
                    .into_column(),
            })
            .collect();
        let df = DataFrame::new(n_us, columns)?;
        writer.write_batch(&df)?;
        drop(df);
        written += n;
        progress(written);
    }
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::days_since_epoch;

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(days_since_epoch("1970-01-01"), 0);
        assert_eq!(days_since_epoch("1969-12-31"), -1);
        assert_eq!(days_since_epoch("2000-03-01"), 11_017);
        assert_eq!(days_since_epoch("2024-02-29"), 19_782);
        assert_eq!(days_since_epoch("2025-12-31"), 20_453);
    }
}
