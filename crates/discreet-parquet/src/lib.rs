//! The Arrow schema that discreet's Parquet files declare.
//!
//! A Parquet file written by polars records, in its footer's
//! `ARROW:schema` entry, its text columns as `string_view` (Arrow's
//! `Utf8View`), a type that older readers (pandas on an older pyarrow,
//! Spark, R's arrow) cannot open. The data pages are the same whatever
//! that entry says (UTF-8 byte arrays), so declaring plain `string`
//! instead costs nothing and lets every reader open the file.
//!
//! This crate only builds that entry; the writers (published tables,
//! synthetic microdata) pass it to polars' Parquet writer, which then
//! writes it in place of its own. It must not read or write files.

use polars::prelude::{ArrowDataType, ArrowField, ArrowSchema, CompatLevel, Schema, SchemaExt};

/// The `ARROW:schema` footer entry (key and base64 value) for a frame of
/// `schema`: polars' own Arrow types, except that text and binary
/// columns are plain `string` and `binary`.
pub fn plain_arrow_schema(schema: &Schema) -> (String, String) {
    let arrow = schema.to_arrow(CompatLevel::newest());
    let plain: ArrowSchema = (arrow.iter_values())
        .map(|field| {
            let dtype = plain_type(&field.dtype);
            let field = ArrowField::new(field.name.clone(), dtype, field.is_nullable);
            (field.name.clone(), field)
        })
        .collect();
    let entry = polars_parquet::write::schema_to_metadata_key(&plain);
    (entry.key, entry.value.unwrap_or_default())
}

/// `dtype` with view and large text or binary types made plain.
fn plain_type(dtype: &ArrowDataType) -> ArrowDataType {
    match dtype {
        ArrowDataType::Utf8View | ArrowDataType::LargeUtf8 => ArrowDataType::Utf8,
        ArrowDataType::BinaryView | ArrowDataType::LargeBinary => ArrowDataType::Binary,
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::plain_arrow_schema;

    /// A frame written with the entry reads back with the entry's types:
    /// polars' reader decodes the footer's Arrow schema.
    #[test]
    fn text_is_declared_plain_string_and_reads_back() {
        let mut df = df!(
            "code" => ["CAN", "FRA"],
            "count" => [Some(5i64), None],
        )
        .unwrap();
        let (key, value) = plain_arrow_schema(df.schema());
        assert_eq!(key, "ARROW:schema");
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(key, value)])))
            .finish(&mut df)
            .unwrap();
        let mut reader = ParquetReader::new(std::io::Cursor::new(bytes.clone()));
        let declared = reader.schema().unwrap();
        assert_eq!(declared.get("code").unwrap().dtype, ArrowDataType::Utf8);
        assert_eq!(declared.get("count").unwrap().dtype, ArrowDataType::Int64);
        let back = ParquetReader::new(std::io::Cursor::new(bytes)).finish().unwrap();
        assert!(back.equals_missing(&df));
    }
}
