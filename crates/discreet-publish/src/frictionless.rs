//! `datapackage.json`: a Frictionless Tabular Data Package describing every
//! CSV of the release with its Table Schema, `--` declared a missing value.

use serde_json::{json, Value};

use crate::cells::column_names;
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
            r["bytes"] = json!(f.bytes);
            r["hash"] = json!(format!("sha256:{}", f.sha256));
        }
        resources.push(r);
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
