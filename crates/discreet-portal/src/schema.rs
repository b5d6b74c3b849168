//! The open.canada.ca schema embedded from `schemas/open-canada/`: which
//! fields a body may carry, how each is validated, the vocabularies and
//! the licences.

use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Embedded at compile time so validation needs no file access at run time.
const CHOICES_JSON: &str = include_str!("../../../schemas/open-canada/choices.json");
const FIELDS_SUMMARY_JSON: &str = include_str!("../../../schemas/open-canada/fields_summary.json");
const LICENSES_JSON: &str = include_str!("../../../schemas/open-canada/licenses.json");

/// Dataset fields the schema does not require but this project does: the
/// pipeline mints the UUID itself (see [`dataset_uuid`]) so that the portal
/// never generates one and a re-publication updates the same record.
const PROJECT_REQUIRED_DATASET: &[&str] = &["id", "name"];

/// Resource fields the schema does not require but this project does: the
/// portal would guess `format` from the URL (and has no Parquet value), and
/// `url` may be empty in the schema only because files can be uploaded,
/// which this project never does.
const PROJECT_REQUIRED_RESOURCE: &[&str] = &["format", "url"];

/// Resource date fields whose validators lack `isodate` but which the portal
/// displays as dates; held to the same `YYYY-MM-DD` form.
const EXTRA_RESOURCE_DATE_FIELDS: &[&str] = &["date_published"];

/// One field of `fields_summary.json`, reduced to what validation needs.
#[derive(Debug, Clone)]
pub(crate) struct FieldSpec {
    pub(crate) name: String,
    /// Required for `package_create`: `required: true` and a validator chain
    /// that does not drop the field (`ignore` makes `required` a no-op).
    pub(crate) required: bool,
    /// Fluent (`{"en": .., "fr": ..}`) field.
    pub(crate) fluent: bool,
    /// Fluent tags: `{"en": [..], "fr": [..]}`.
    pub(crate) fluent_tags: bool,
    /// Multi-valued: a JSON array.
    pub(crate) multiple: bool,
    /// `YYYY-MM-DD` date.
    pub(crate) date: bool,
    /// Must be a JSON string (`string_safe` / `unicode_safe` validators).
    pub(crate) string: bool,
    /// Integer (`int_validator`), e.g. resource `size`.
    pub(crate) integer: bool,
}

#[derive(Deserialize)]
struct RawField {
    field_name: String,
    preset: Option<String>,
    required: bool,
    validators: String,
    bilingual: bool,
    multiple: bool,
}

#[derive(Deserialize)]
struct RawSummary {
    dataset_fields: Vec<RawField>,
    resource_fields: Vec<RawField>,
}

#[derive(Deserialize)]
struct RawChoice {
    value: String,
}

#[derive(Deserialize)]
struct RawLicense {
    id: String,
}

impl FieldSpec {
    fn from_raw(raw: &RawField, resource: bool) -> FieldSpec {
        let validators: Vec<&str> = raw.validators.split_whitespace().collect();
        let has = |v: &str| validators.contains(&v);
        // `ignore` empties the field before anything else runs, so a
        // `required: true` next to it (a presets.yaml artefact) means nothing.
        let dropped = has("ignore");
        // metadata_contact/position_name use ckanext-fluent's own preset,
        // whose validators are not expanded in the summary.
        let fluent =
            raw.bilingual || raw.preset.as_deref() == Some("fluent_text") || has("fluent_text");
        let date = has("isodate")
            || (resource && EXTRA_RESOURCE_DATE_FIELDS.contains(&raw.field_name.as_str()));
        FieldSpec {
            name: raw.field_name.clone(),
            required: raw.required && !dropped,
            fluent,
            fluent_tags: has("fluent_tags"),
            multiple: raw.multiple,
            date,
            string: has("string_safe") || has("unicode_safe"),
            integer: has("int_validator"),
        }
    }
}

/// The open.canada.ca schema (ckanext-canada), parsed from the files embedded
/// from `schemas/open-canada/`: field specs, vocabularies and licences.
#[derive(Debug, Clone)]
pub struct PortalSchema {
    pub(crate) dataset_fields: Vec<FieldSpec>,
    pub(crate) resource_fields: Vec<FieldSpec>,
    /// Keyed like choices.json: `frequency`, `resource.format`, ...
    choices: BTreeMap<String, BTreeSet<String>>,
    licenses: BTreeSet<String>,
}

impl PortalSchema {
    /// The schema from the embedded files. Parsed on first use and cached,
    /// so repeated calls only clone.
    ///
    /// Panics only if the embedded files are malformed, which the crate's
    /// tests rule out at build time.
    pub fn embedded() -> PortalSchema {
        static CACHE: OnceLock<PortalSchema> = OnceLock::new();
        CACHE
            .get_or_init(|| {
                PortalSchema::parse(CHOICES_JSON, FIELDS_SUMMARY_JSON, LICENSES_JSON)
                    .unwrap_or_else(|e| panic!("embedded open-canada schema is malformed: {e}"))
            })
            .clone()
    }

    fn parse(choices: &str, summary: &str, licenses: &str) -> Result<PortalSchema, String> {
        let summary: RawSummary =
            serde_json::from_str(summary).map_err(|e| format!("fields_summary.json: {e}"))?;
        let raw_choices: BTreeMap<String, Value> =
            serde_json::from_str(choices).map_err(|e| format!("choices.json: {e}"))?;
        let mut vocab = BTreeMap::new();
        for (key, list) in raw_choices {
            // `_source` is provenance text, not a vocabulary.
            if key.starts_with('_') {
                continue;
            }
            let items: Vec<RawChoice> =
                serde_json::from_value(list).map_err(|e| format!("choices.json {key}: {e}"))?;
            vocab.insert(key, items.into_iter().map(|c| c.value).collect());
        }
        let lic: Vec<RawLicense> =
            serde_json::from_str(licenses).map_err(|e| format!("licenses.json: {e}"))?;
        Ok(PortalSchema {
            dataset_fields: summary
                .dataset_fields
                .iter()
                .map(|r| FieldSpec::from_raw(r, false))
                .collect(),
            resource_fields: summary
                .resource_fields
                .iter()
                .map(|r| FieldSpec::from_raw(r, true))
                .collect(),
            choices: vocab,
            licenses: lic.into_iter().map(|l| l.id).collect(),
        })
    }

    /// Dataset fields a `package_create` body must carry, non-empty: those
    /// the schema requires (in schema order), then `id` and `name`, which
    /// this project requires so it controls the dataset UUID.
    pub fn required_dataset_fields(&self) -> Vec<&str> {
        required_list(&self.dataset_fields, PROJECT_REQUIRED_DATASET)
    }

    /// Fields every resource must carry, non-empty: those the schema
    /// requires (in schema order), then `format` and `url`.
    pub fn required_resource_fields(&self) -> Vec<&str> {
        required_list(&self.resource_fields, PROJECT_REQUIRED_RESOURCE)
    }

    /// Allowed values of a controlled field, keyed as in choices.json:
    /// a dataset field name (`frequency`) or `resource.<field>`
    /// (`resource.format`). `None` if the field has no vocabulary.
    pub fn allowed_values(&self, key: &str) -> Option<&BTreeSet<String>> {
        self.choices.get(key)
    }

    /// Whether `id` is a licence id of licenses.json (e.g. `ca-ogl-lgo`).
    pub fn has_license(&self, id: &str) -> bool {
        self.licenses.contains(id)
    }
}

fn required_list<'a>(fields: &'a [FieldSpec], extra: &[&'static str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name.as_str())
        .collect();
    for e in extra {
        if !out.contains(e) {
            out.push(e);
        }
    }
    out
}
