//! `datapackage.json`: a Frictionless Tabular Data Package describing every
//! CSV of the release with its Table Schema, `--` declared a missing value.

use serde_json::{json, Value};

use crate::cells::{column_names, TableView};
use crate::files::FileEntry;
use crate::ReleaseContent;

/// The Open Government Licence – Canada, as a Data Package licence.
fn licence() -> Value {
    json!([{
        "name": "OGL-Canada-2.0",
        "path": "https://open.canada.ca/en/open-government-licence-canada",
        "title": "Open Government Licence - Canada"
    }])
}

/// The data package for the tables written so far (`files`).
pub(crate) fn datapackage(content: &ReleaseContent<'_>, files: &[FileEntry]) -> Value {
    let plan = content.plan;
    let entry = |name: &str| files.iter().find(|f| f.path == name);
    let mut resources = Vec::new();
    for view in &content.tables {
        let mut fields = Vec::new();
        for d in &view.plan.dimensions {
            let label = &plan.dimensions[d].spec.label;
            fields.push(json!({"name": d, "type": "string", "title": label.en, "description": format!("{} / {} (code)", label.en, label.fr), "constraints": {"required": true}}));
            fields.push(json!({"name": format!("{d}_level"), "type": "string", "description": "Level of the code in its hierarchy / Niveau du code dans sa hiérarchie", "constraints": {"required": true}}));
            fields.push(json!({"name": format!("{d}_en"), "type": "string", "description": format!("{} (English label)", label.en)}));
            fields.push(json!({"name": format!("{d}_fr"), "type": "string", "description": format!("{} (libellé français)", label.fr)}));
        }
        let (note_en, _) = crate::note::table_note(plan, view.plan);
        fields.push(json!({
            "name": "count",
            "type": "integer",
            "description": format!("Number of persons; '--' is a suppressed count. {note_en}"),
            "constraints": {"minimum": 0}
        }));
        debug_assert_eq!(fields.len(), column_names(&view.plan.dimensions).len());
        let csv = format!("{}.csv", view.plan.name);
        let mut r = json!({
            "name": view.plan.name.replace('_', "-"),
            "path": csv,
            "profile": "tabular-data-resource",
            "title": view.plan.title.en,
            "description": view.plan.description.en,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true},
            "schema": {
                "fields": fields,
                "missingValues": ["--"],
                "primaryKey": view.plan.dimensions,
            },
        });
        if let Some(f) = entry(&csv) {
            digest(&mut r, f);
        }
        resources.push(r);
        for (file, lang) in crate::workbook::file_names(&view.plan.name)
            .iter()
            .zip(["English", "French"])
        {
            if let Some(f) = entry(file) {
                let mut r = json!({
                    "name": file.trim_end_matches(".xlsx").to_lowercase().replace('_', "-"),
                    "path": f.path,
                    "profile": "data-resource",
                    "title": format!("{} (IRCC workbook, {lang})", view.plan.title.en),
                    "format": "xlsx",
                    "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                });
                digest(&mut r, f);
                resources.push(r);
            }
        }
        if let Some(f) = entry(&crate::ircc_csv::file_name(&view.plan.name)) {
            resources.push(ircc_resource(content, view, &note_en, f));
        }
    }
    json!({
        "profile": "tabular-data-package",
        "name": plan.spec.release.name,
        "title": plan.spec.release.title.en,
        "description": plan.spec.release.description.en,
        "licenses": licence(),
        "resources": resources,
    })
}

/// Size and digest of a written file, as resource properties.
fn digest(r: &mut Value, f: &FileEntry) {
    r["bytes"] = json!(f.bytes);
    r["hash"] = json!(format!("sha256:{}", f.sha256));
}

/// The resource of a table's file in IRCC's long layout: tab-separated
/// although named `.csv`, labels only, the shown value under `TOTAL`.
fn ircc_resource(
    content: &ReleaseContent<'_>,
    view: &TableView<'_>,
    note_en: &str,
    f: &FileEntry,
) -> Value {
    let header = crate::ircc_csv::header(view, content.plan);
    let fields: Vec<Value> = header
        .iter()
        .map(|h| {
            if h == "TOTAL" {
                json!({"name": h, "type": "integer", "description": format!("Number of persons; '--' is a suppressed count. {note_en}"), "constraints": {"minimum": 0}})
            } else {
                json!({"name": h, "type": "string"})
            }
        })
        .collect();
    let mut r = json!({
        "name": format!("{}-ircc", view.plan.name.replace('_', "-")),
        "path": f.path,
        "profile": "tabular-data-resource",
        "title": format!("{} (IRCC long layout)", view.plan.title.en),
        "description": "IRCC's long layout: tab-separated although named .csv, as IRCC publishes it; English and French labels per dimension and level, the shown value last.",
        "format": "csv",
        "mediatype": "text/tab-separated-values",
        "encoding": "utf-8",
        "dialect": {"delimiter": "\t", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true},
        "schema": {"fields": fields, "missingValues": ["--"]},
    });
    digest(&mut r, f);
    r
}
