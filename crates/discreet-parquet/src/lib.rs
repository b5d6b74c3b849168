//! The Arrow schema that discreet's Parquet files declare.
//!
//! A Parquet file written by polars records, in its footer's
//! `ARROW:schema` entry, its text columns as `string_view` (Arrow's
//! `Utf8View`), a type that older readers (pandas on an older pyarrow,
//! Spark, R's arrow) cannot open. The data pages are the same whatever
//! that entry says (UTF-8 byte arrays), so declaring plain `string`
//! instead costs nothing and lets every reader open the file.
//!
//! This crate builds that entry (the writers, of published tables and of
//! synthetic microdata, pass it to polars' Parquet writer, which then
//! writes it in place of its own) and reads it back as written, for the
//! checks: polars' reader turns every text type into its own on reading,
//! so it cannot tell what a file declares. It must not write files.

use std::io::{Read, Seek};

use base64::Engine as _;
use polars::prelude::{ArrowDataType, ArrowSchema, CompatLevel, Schema, SchemaExt};

/// The `ARROW:schema` footer entry (key and base64 value) for a frame of
/// `schema`: polars' own Arrow fields (with their metadata), except that
/// text and binary columns are plain `string` and `binary`.
pub fn plain_arrow_schema(schema: &Schema) -> (String, String) {
    let arrow = schema.to_arrow(CompatLevel::newest());
    let plain: ArrowSchema = (arrow.iter_values())
        .map(|field| {
            let mut field = field.clone();
            field.dtype = plain_type(&field.dtype);
            (field.name.clone(), field)
        })
        .collect();
    let entry = polars_parquet::write::schema_to_metadata_key(&plain);
    (entry.key, entry.value.unwrap_or_default())
}

/// The Arrow schema a Parquet file's footer declares, as written (`None`
/// when it declares none), or why it cannot be read.
pub fn declared_arrow_schema(file: &mut (impl Read + Seek)) -> Result<Option<ArrowSchema>, String> {
    let metadata = polars_parquet::read::read_metadata(file).map_err(|e| e.to_string())?;
    let Some(entry) =
        (metadata.key_value_metadata.iter().flatten()).find(|entry| entry.key == "ARROW:schema")
    else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(entry.value.as_deref().unwrap_or_default())
        .map_err(|e| format!("the Arrow schema is not base64: {e}"))?;
    // An IPC message: a continuation marker and a length, then the schema.
    let message = match bytes.get(..4) {
        Some([255, 255, 255, 255]) => bytes.get(8..).unwrap_or_default(),
        _ => bytes.get(4..).unwrap_or_default(),
    };
    let (schema, _, _) = polars_arrow::io::ipc::read::deserialize_schema(message)
        .map_err(|e| format!("the Arrow schema cannot be decoded: {e}"))?;
    Ok(Some(schema))
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

    use super::{declared_arrow_schema, plain_arrow_schema};

    /// A frame written with the entry declares plain text types and reads
    /// back unchanged; without it polars declares views.
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
        let declared = declared_arrow_schema(&mut std::io::Cursor::new(&bytes))
            .unwrap()
            .unwrap();
        assert_eq!(declared.get("code").unwrap().dtype, ArrowDataType::Utf8);
        assert_eq!(declared.get("count").unwrap().dtype, ArrowDataType::Int64);
        let back = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        assert!(back.equals_missing(&df));

        let mut polars_own = Vec::new();
        ParquetWriter::new(&mut polars_own).finish(&mut df).unwrap();
        let declared = declared_arrow_schema(&mut std::io::Cursor::new(&polars_own))
            .unwrap()
            .unwrap();
        assert_eq!(declared.get("code").unwrap().dtype, ArrowDataType::Utf8View);
    }
}
