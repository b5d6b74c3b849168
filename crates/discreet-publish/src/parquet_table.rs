//! The Parquet form of a table: typed columns, the count as a nullable
//! integer (null when suppressed), a status column, a `preliminary` column
//! when the release declares its final month, and key-value metadata naming
//! the rule and the spec.

use polars::prelude::*;

use discreet_core::Shown;

use crate::cells::{column_names, TableView};
use crate::error::PublishError;
use crate::structure::rule_json;
use crate::ReleaseContent;

/// Serialises one table to Parquet bytes.
pub(crate) fn table_parquet(
    view: &TableView<'_>,
    content: &ReleaseContent<'_>,
) -> Result<Vec<u8>, PublishError> {
    let names = column_names(&view.plan.dimensions);
    let n = view.order.len();
    let mut text_cols: Vec<Vec<String>> = vec![Vec::with_capacity(n); names.len() - 1];
    let mut counts: Vec<Option<i64>> = Vec::with_capacity(n);
    let mut status: Vec<&'static str> = Vec::with_capacity(n);
    let mut coords = Vec::new();
    for &i in &view.order {
        view.shape.coords(i, &mut coords);
        for (d, (dim, &node)) in view.dims().iter().zip(&coords).enumerate() {
            let node = dim.node(node);
            text_cols[4 * d].push(node.code.clone());
            text_cols[4 * d + 1].push(node.level.clone());
            text_cols[4 * d + 2].push(node.label.en.clone());
            text_cols[4 * d + 3].push(node.label.fr.clone());
        }
        let s = view.protected.shown_at(i);
        counts.push(match s {
            Shown::Zero => Some(0),
            Shown::Suppressed => None,
            Shown::Value(v) => Some(v as i64),
        });
        status.push(s.status().as_str());
    }
    let mut columns: Vec<Column> = names[..names.len() - 1]
        .iter()
        .zip(text_cols)
        .map(|(name, values)| Column::new(name.as_str().into(), values))
        .collect();
    columns.push(Column::new("count".into(), counts));
    columns.push(Column::new("status".into(), status));
    if let Some(flags) = crate::cells::preliminary(view, content.plan) {
        columns.push(Column::new("preliminary".into(), flags));
    }
    let ierr = |e: PolarsError| PublishError::Internal(e.to_string());
    let mut df = DataFrame::new(n, columns).map_err(ierr)?;
    let metadata = KeyValueMetadata::from_static(vec![
        // Plain `string` text columns, which every reader opens.
        discreet_parquet::plain_arrow_schema(df.schema()),
        (
            "discreet.rule".to_string(),
            rule_json(content.plan).to_string(),
        ),
        (
            "discreet.spec_sha256".to_string(),
            content.plan.spec_sha256.clone(),
        ),
        ("discreet.table".to_string(), view.plan.name.clone()),
        (
            "discreet.version".to_string(),
            content.tool_version.to_string(),
        ),
    ]);
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_key_value_metadata(Some(metadata))
        .finish(&mut df)
        .map_err(ierr)?;
    Ok(out)
}
