//! `package.json`: the open.canada.ca `package_create` body of the release,
//! checked against the portal's vocabularies and mandatory fields.

use serde_json::{json, Map, Value};

use discreet_portal::{
    dataset_uuid, format_for_extension, validate_package, PortalSchema, OWNER_ORG,
};
use discreet_spec::model::Text;
use discreet_spec::plan::LeafMapper;
use discreet_spec::value::days_in_month;

use crate::error::PublishError;
use crate::files::FileEntry;
use crate::ReleaseContent;

/// Namespace of the dataset ids discreet derives from release names.
const UUID_NAMESPACE: &str = "discreet/open.canada.ca/dataset";

fn text(t: &Text) -> Value {
    json!({"en": t.en, "fr": t.fr})
}

/// First and last day covered by the calendar dimensions of the release.
fn coverage(content: &ReleaseContent<'_>) -> Option<(String, String)> {
    let mut first: Option<(i32, u32)> = None;
    let mut last: Option<(i32, u32)> = None;
    for d in content.plan.dimensions.values() {
        if let LeafMapper::Calendar {
            first: f, last: l, ..
        } = &d.mapper
        {
            first = Some(first.map_or(*f, |x| x.min(*f)));
            last = Some(last.map_or(*l, |x| x.max(*l)));
        }
    }
    let (fy, fm) = first?;
    let (ly, lm) = last?;
    Some((
        format!("{fy:04}-{fm:02}-01"),
        format!("{ly:04}-{lm:02}-{:02}", days_in_month(ly, lm)),
    ))
}

/// What a file of the release is, for the portal: (type, EN name, FR name).
fn describe_file(content: &ReleaseContent<'_>, path: &str) -> (&'static str, String, String) {
    let plan = content.plan;
    for t in &plan.tables {
        let [en_book, fr_book] = crate::workbook::file_names(&t.name);
        let datasets = [
            (format!("{}.csv", t.name), "CSV", "CSV"),
            (format!("{}.parquet", t.name), "Parquet", "Parquet"),
            (en_book, "Excel, English", "Excel, anglais"),
            (fr_book, "Excel, French", "Excel, français"),
            (
                crate::ircc_csv::file_name(&t.name),
                "CSV, IRCC long layout",
                "CSV, format long d’IRCC",
            ),
        ];
        if let Some((_, en, fr)) = datasets.iter().find(|(f, _, _)| f == path) {
            return (
                "dataset",
                format!("{} ({en})", t.title.en),
                format!("{} ({fr})", t.title.fr),
            );
        }
        if path == format!("{}-dictionary.csv", t.name) {
            return (
                "data_dictionary",
                format!("Data dictionary – {}", t.title.en),
                format!("Dictionnaire de données – {}", t.title.fr),
            );
        }
    }
    match path {
        "datapackage.json" => (
            "schema",
            "Data package descriptor (Frictionless Table Schema)".into(),
            "Descripteur du paquet de données (schéma de table Frictionless)".into(),
        ),
        "structure.json" => (
            "schema",
            "Table structure and protection rule".into(),
            "Structure des tableaux et règle de protection".into(),
        ),
        crate::REVISIONS_FILE => (
            "dataset",
            "Revisions: cells whose shown value changed since the previous release".into(),
            "Révisions : cellules dont la valeur affichée a changé depuis la diffusion précédente"
                .into(),
        ),
        _ => ("dataset", path.to_string(), path.to_string()),
    }
}

/// The languages of a file: a workbook is in one, every other file in both.
fn language(path: &str) -> &'static [&'static str] {
    match (path.ends_with(".xlsx"), &path[..path.len().min(3)]) {
        (true, "EN_") => &["en"],
        (true, "FR_") => &["fr"],
        _ => &["en", "fr"],
    }
}

/// The dataset identifier of a series started by `plan`: the spec's
/// `portal.id`, else a name-based UUID of the series' name (its
/// `portal.data_series_name`, else the release title), so that every
/// quarter of the series names the same dataset.
pub fn series_dataset_id(plan: &discreet_spec::Plan) -> String {
    let spec = &plan.spec;
    spec.portal.id.clone().unwrap_or_else(|| {
        let name = spec
            .portal
            .data_series_name
            .as_ref()
            .map_or(&spec.release.title.en, |t| &t.en);
        dataset_uuid(UUID_NAMESPACE, &format!("series/{name}"))
    })
}

/// Builds and checks the package for the given files. Files that are not
/// for the public (the spec copy) are left out.
pub(crate) fn package(
    content: &ReleaseContent<'_>,
    files: &[FileEntry],
) -> Result<Value, PublishError> {
    let spec = &content.plan.spec;
    let portal = &spec.portal;
    let release = &spec.release;
    // A quarter of a series is the series' dataset, whose files sit in one
    // folder per quarter.
    let id = match &content.series {
        Some(s) => s.dataset_id.clone(),
        None => portal
            .id
            .clone()
            .unwrap_or_else(|| dataset_uuid(UUID_NAMESPACE, &release.name)),
    };
    let folder = match &content.series {
        Some(_) => format!("{}/", release.name),
        None => String::new(),
    };
    let quarter = content.series.as_ref().map(|_| match &release.issue {
        Some(t) => (t.en.clone(), t.fr.clone()),
        None => (release.name.clone(), release.name.clone()),
    });
    let (mut note_en, mut note_fr) = crate::note::rule_note(content.plan);
    if content
        .plan
        .tables
        .iter()
        .any(|t| t.count_distinct.is_some())
    {
        note_en = format!("{note_en} {}", crate::note::DISTINCT_NOTE.0);
        note_fr = format!("{note_fr} {}", crate::note::DISTINCT_NOTE.1);
    }
    let base = if portal.base_url.ends_with('/') {
        portal.base_url.clone()
    } else {
        format!("{}/", portal.base_url)
    };

    // The earlier quarters' resources first, as their package lists them.
    let mut resources: Vec<Value> = content
        .series
        .iter()
        .flat_map(|s| s.previous.iter())
        .flat_map(|p| p.resources.iter().cloned())
        .collect();
    let public = |f: &&FileEntry| f.path != crate::SPEC_FILE && f.path != crate::SERIES_FILE;
    for f in files.iter().filter(public) {
        let ext = f.path.rsplit('.').next().unwrap_or("");
        let (kind, mut en, mut fr) = describe_file(content, &f.path);
        if let Some((q_en, q_fr)) = &quarter {
            en = format!("{en} – {q_en}");
            fr = format!("{fr} – {q_fr}");
        }
        let mut r = Map::new();
        r.insert("name_translated".into(), json!({"en": en, "fr": fr}));
        r.insert("resource_type".into(), json!(kind));
        r.insert("format".into(), json!(format_for_extension(ext)));
        r.insert("language".into(), json!(language(&f.path)));
        if ext != "parquet" && ext != "xlsx" {
            r.insert("character_set".into(), json!("UTF-8"));
        }
        r.insert("url".into(), json!(format!("{base}{folder}{}", f.path)));
        r.insert("size".into(), json!(f.bytes));
        r.insert("hash".into(), json!(format!("sha256:{}", f.sha256)));
        r.insert("date_published".into(), json!(release.published));
        resources.push(Value::Object(r));
    }

    let mut p = Map::new();
    p.insert("id".into(), json!(id));
    p.insert("name".into(), json!(id));
    p.insert("type".into(), json!("dataset"));
    p.insert("collection".into(), json!("primary"));
    p.insert("owner_org".into(), json!(OWNER_ORG));
    p.insert("title_translated".into(), text(&release.title));
    p.insert(
        "notes_translated".into(),
        json!({"en": format!("{}\n\n{note_en}", release.description.en), "fr": format!("{}\n\n{note_fr}", release.description.fr)}),
    );
    p.insert(
        "keywords".into(),
        json!({"en": portal.keywords.en, "fr": portal.keywords.fr}),
    );
    p.insert("subject".into(), json!(portal.subject));
    if !portal.audience.is_empty() {
        p.insert("audience".into(), json!(portal.audience));
    }
    p.insert("maintainer_email".into(), json!(portal.maintainer_email));
    if let Some(t) = &portal.program_page_url {
        p.insert("program_page_url".into(), text(t));
    }
    if let Some(t) = &portal.data_series_name {
        p.insert("data_series_name".into(), text(t));
    }
    if let Some(t) = &release.issue {
        p.insert("data_series_issue_identification".into(), text(t));
    }
    p.insert("jurisdiction".into(), json!(portal.jurisdiction));
    if !portal.geographic_region.is_empty() {
        p.insert("geographic_region".into(), json!(portal.geographic_region));
    }
    if let Some((start, end)) = coverage(content) {
        p.insert("time_period_coverage_start".into(), json!(start));
        p.insert("time_period_coverage_end".into(), json!(end));
    }
    p.insert("frequency".into(), json!(portal.frequency));
    p.insert("date_published".into(), json!(release.published));
    p.insert("license_id".into(), json!("ca-ogl-lgo"));
    p.insert("restrictions".into(), json!(portal.restrictions));
    p.insert(
        "imso_approval".into(),
        json!(if portal.imso_approval {
            "true"
        } else {
            "false"
        }),
    );
    p.insert(
        "ready_to_publish".into(),
        json!(if portal.ready_to_publish {
            "true"
        } else {
            "false"
        }),
    );
    p.insert("resources".into(), Value::Array(resources));
    let pkg = Value::Object(p);

    validate_package(&pkg, &PortalSchema::embedded())
        .map_err(|errs| PublishError::Portal(errs.iter().map(|e| e.to_string()).collect()))?;
    Ok(pkg)
}
