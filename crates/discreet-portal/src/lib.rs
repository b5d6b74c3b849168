//! `discreet-portal`: build and check the open.canada.ca `package_create` body.
//!
//! The portal (CKAN + ckanext-canada) rejects or silently mangles bodies that
//! break its schema, and some of its rules are easy to miss (fluent `en`/`fr`
//! objects, `"true"`/`"false"` strings, UUID `id`/`name`, no `Parquet`
//! format, never sending `portal_release_date`). This crate checks a body
//! locally, before anything is sent, against the ckanext-canada schema files
//! embedded at compile time from `schemas/open-canada/`.
//!
//! What it provides:
//! * [`PortalSchema`]: the embedded schema, parsed once;
//! * [`validate_package`]: every rule broken by a body, not just the first;
//! * [`dataset_uuid`]: a deterministic dataset id, so a re-publication
//!   addresses the same portal record;
//! * [`format_for_extension`]: the portal `format` value for a file.
//!
//! What it must not do: no file I/O, no network, no clock, no randomness and
//! no polars. It is a pure function of its inputs so it can run in tests and
//! in a dry run, and so it stays cheap to compile.

#![warn(missing_docs)]

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

/// Embedded at compile time so validation needs no file access at run time.
const CHOICES_JSON: &str = include_str!("../../../schemas/open-canada/choices.json");
const FIELDS_SUMMARY_JSON: &str = include_str!("../../../schemas/open-canada/fields_summary.json");
const LICENSES_JSON: &str = include_str!("../../../schemas/open-canada/licenses.json");

/// The portal organization name of IRCC; the only publisher this project
/// writes for (the organization's UUID is also accepted by CKAN, but the
/// pipeline always sends the name so bodies are comparable across runs).
pub const OWNER_ORG: &str = "cic";

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

/// One broken rule in a `package_create` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalError {
    /// JSON-path-like location, e.g. `title_translated.fr` or
    /// `resources[2].format`; `package` for the body itself.
    pub field: String,
    /// What the portal (or this project) expects there.
    pub expected: String,
}

impl PortalError {
    fn new(field: impl Into<String>, expected: impl Into<String>) -> Self {
        PortalError {
            field: field.into(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for PortalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field {}: expected {}", self.field, self.expected)
    }
}

impl std::error::Error for PortalError {}

/// One field of `fields_summary.json`, reduced to what validation needs.
#[derive(Debug, Clone)]
struct FieldSpec {
    name: String,
    /// Required for `package_create`: `required: true` and a validator chain
    /// that does not drop the field (`ignore` makes `required` a no-op).
    required: bool,
    /// Fluent (`{"en": .., "fr": ..}`) field.
    fluent: bool,
    /// Fluent tags: `{"en": [..], "fr": [..]}`.
    fluent_tags: bool,
    /// Multi-valued: a JSON array.
    multiple: bool,
    /// `YYYY-MM-DD` date.
    date: bool,
    /// Must be a JSON string (`string_safe` / `unicode_safe` validators).
    string: bool,
    /// Integer (`int_validator`), e.g. resource `size`.
    integer: bool,
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
    dataset_fields: Vec<FieldSpec>,
    resource_fields: Vec<FieldSpec>,
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

/// Check a `package_create` body against the portal schema and this
/// project's rules. Returns every broken rule, in a stable order, so one run
/// shows the whole fix list.
///
/// Checked: required fields present and non-empty; fluent fields are objects
/// with non-empty `en` and `fr` (and no other key); controlled fields hold
/// values of their vocabulary (a string, or an array for multi-valued
/// fields); `license_id` is in licenses.json; `owner_org` is `cic`;
/// dates are valid `YYYY-MM-DD`; `id` and `name` are equal lowercase UUIDs;
/// `type`, when present, is `dataset`; `portal_release_date` is absent;
/// coverage start <= end; at least one resource, each with `name_translated`,
/// `resource_type`, `format`, `url`, `language`; resource `size` is a JSON
/// integer >= 0 and `hash` is `sha256:<64 lowercase hex>`.
///
/// Not checked (needs a clock or the network): `no_future_date`, URL
/// reachability, GeoJSON content of `spatial`.
pub fn validate_package(pkg: &Value, schema: &PortalSchema) -> Result<(), Vec<PortalError>> {
    let mut errs = Vec::new();
    let Some(obj) = pkg.as_object() else {
        return Err(vec![PortalError::new("package", "a JSON object")]);
    };

    for name in schema.required_dataset_fields() {
        if is_missing_or_empty(obj.get(name)) {
            errs.push(PortalError::new(name, "a non-empty value (required)"));
        }
    }
    for spec in &schema.dataset_fields {
        if let Some(v) = present(obj, &spec.name) {
            check_field(spec, &spec.name, &spec.name, v, schema, &mut errs);
        }
    }
    check_dataset_rules(obj, schema, &mut errs);

    match obj.get("resources") {
        Some(Value::Array(list)) if !list.is_empty() => {
            for (i, res) in list.iter().enumerate() {
                check_resource(i, res, schema, &mut errs);
            }
        }
        _ => errs.push(PortalError::new(
            "resources",
            "a non-empty array of resource objects",
        )),
    }

    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

/// Rules on dataset fields that are not generic per-field checks.
fn check_dataset_rules(
    obj: &Map<String, Value>,
    schema: &PortalSchema,
    errs: &mut Vec<PortalError>,
) {
    if let Some(v) = present(obj, "license_id") {
        if !v.as_str().is_some_and(|s| schema.has_license(s)) {
            errs.push(PortalError::new(
                "license_id",
                "a licence id from licenses.json (this project uses \"ca-ogl-lgo\")",
            ));
        }
    }
    if let Some(v) = present(obj, "owner_org") {
        if v.as_str() != Some(OWNER_ORG) {
            errs.push(PortalError::new("owner_org", format!("\"{OWNER_ORG}\"")));
        }
    }
    if let Some(v) = present(obj, "type") {
        // Another type would select another scheming schema than the one
        // these checks follow.
        if v.as_str() != Some("dataset") {
            errs.push(PortalError::new("type", "\"dataset\" (or absent)"));
        }
    }
    // Key present at all (even null) counts: the portal protects this field
    // and sending it is what this project promises never to do.
    if obj.contains_key("portal_release_date") {
        errs.push(PortalError::new(
            "portal_release_date",
            "absent (set by the portal, never sent)",
        ));
    }

    let id = present(obj, "id");
    let name = present(obj, "name");
    for (key, v) in [("id", id), ("name", name)] {
        if let Some(v) = v {
            if !v.as_str().is_some_and(is_uuid) {
                errs.push(PortalError::new(
                    key,
                    "a lowercase UUID string (8-4-4-4-12 hex)",
                ));
            }
        }
    }
    if let (Some(Value::String(i)), Some(Value::String(n))) = (id, name) {
        // Only compare two well-formed ids; a malformed one is already reported.
        if is_uuid(i) && is_uuid(n) && i != n {
            errs.push(PortalError::new("name", "equal to id"));
        }
    }

    let start = present(obj, "time_period_coverage_start").and_then(Value::as_str);
    let end = present(obj, "time_period_coverage_end").and_then(Value::as_str);
    if let (Some(s), Some(e)) = (start, end) {
        // Valid YYYY-MM-DD strings order like their dates.
        if is_valid_date(s) && is_valid_date(e) && s > e {
            errs.push(PortalError::new(
                "time_period_coverage_end",
                format!("a date on or after time_period_coverage_start ({s})"),
            ));
        }
    }
}

fn check_resource(i: usize, res: &Value, schema: &PortalSchema, errs: &mut Vec<PortalError>) {
    let prefix = format!("resources[{i}]");
    let Some(obj) = res.as_object() else {
        errs.push(PortalError::new(prefix, "a resource object"));
        return;
    };
    for name in schema.required_resource_fields() {
        if is_missing_or_empty(obj.get(name)) {
            errs.push(PortalError::new(
                format!("{prefix}.{name}"),
                "a non-empty value (required)",
            ));
        }
    }
    for spec in &schema.resource_fields {
        if let Some(v) = present(obj, &spec.name) {
            let path = format!("{prefix}.{}", spec.name);
            let key = format!("resource.{}", spec.name);
            check_field(spec, &path, &key, v, schema, errs);
        }
    }
    // `hash` is a CKAN core field, absent from the scheming summary.
    if let Some(v) = present(obj, "hash") {
        if !v.as_str().is_some_and(is_sha256_hash) {
            errs.push(PortalError::new(
                format!("{prefix}.hash"),
                "a string \"sha256:<64 lowercase hex>\"",
            ));
        }
    }
}

/// Generic per-field checks driven by the field spec and vocabulary.
/// `path` names the field in errors; `vocab_key` is its choices.json key.
fn check_field(
    spec: &FieldSpec,
    path: &str,
    vocab_key: &str,
    v: &Value,
    schema: &PortalSchema,
    errs: &mut Vec<PortalError>,
) {
    if spec.fluent {
        check_fluent(path, v, spec.fluent_tags, errs);
        return;
    }
    let vocab = schema.allowed_values(vocab_key);
    if spec.multiple {
        let Some(items) = v.as_array() else {
            errs.push(PortalError::new(path, "a JSON array"));
            return;
        };
        for (j, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{j}]");
            match (item.as_str(), vocab) {
                (Some(s), Some(set)) if !set.contains(s) => errs.push(PortalError::new(
                    item_path,
                    vocab_expectation(vocab_key, set),
                )),
                (None, Some(set)) => errs.push(PortalError::new(
                    item_path,
                    vocab_expectation(vocab_key, set),
                )),
                (None, None) => errs.push(PortalError::new(item_path, "a string")),
                _ => {}
            }
        }
        return;
    }
    if spec.integer {
        // int_validator would accept "12" and coerce it; this project sends
        // the integer itself so the body is exactly what the portal stores.
        if v.as_u64().is_none() {
            errs.push(PortalError::new(path, "a JSON integer >= 0"));
        }
        return;
    }
    if let Some(set) = vocab {
        if !v.as_str().is_some_and(|s| set.contains(s)) {
            errs.push(PortalError::new(path, vocab_expectation(vocab_key, set)));
        }
        return;
    }
    if spec.date {
        if !v.as_str().is_some_and(is_valid_date) {
            errs.push(PortalError::new(path, "a valid date string YYYY-MM-DD"));
        }
        return;
    }
    if spec.string && !v.is_string() {
        errs.push(PortalError::new(path, "a string"));
    }
}

/// Fluent field: `{"en": .., "fr": ..}` with both languages non-empty.
/// Only `en` and `fr`: the pipeline writes human translations only, so any
/// other key (including machine-translation keys) is a mistake.
fn check_fluent(path: &str, v: &Value, tags: bool, errs: &mut Vec<PortalError>) {
    let what = if tags {
        "an object with non-empty \"en\" and \"fr\" arrays of strings"
    } else {
        "an object with non-empty \"en\" and \"fr\" strings"
    };
    let Some(obj) = v.as_object() else {
        errs.push(PortalError::new(path, what));
        return;
    };
    for lang in ["en", "fr"] {
        let lpath = format!("{path}.{lang}");
        let val = obj.get(lang);
        if !tags {
            if !is_non_empty_str(val) {
                errs.push(PortalError::new(lpath, "a non-empty string"));
            }
            continue;
        }
        match val.and_then(Value::as_array) {
            Some(items) if !items.is_empty() => {
                for (j, item) in items.iter().enumerate() {
                    if !is_non_empty_str(Some(item)) {
                        errs.push(PortalError::new(
                            format!("{lpath}[{j}]"),
                            "a non-empty string",
                        ));
                    }
                }
            }
            _ => errs.push(PortalError::new(lpath, "a non-empty array of strings")),
        }
    }
    for key in obj.keys() {
        if key != "en" && key != "fr" {
            errs.push(PortalError::new(
                format!("{path}.{key}"),
                "no language key other than \"en\" and \"fr\"",
            ));
        }
    }
}

/// Small vocabularies are listed in full so the error is self-explanatory;
/// large ones are named.
fn vocab_expectation(key: &str, set: &BTreeSet<String>) -> String {
    if set.len() <= 8 {
        let list: Vec<String> = set.iter().map(|s| format!("\"{s}\"")).collect();
        format!("a string, one of {}", list.join(", "))
    } else {
        format!("a value of the {key} vocabulary in choices.json")
    }
}

/// A field counts as sent unless absent or JSON null (CKAN treats null as
/// missing; the required check reports it when it matters).
fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

fn is_non_empty_str(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if !s.trim().is_empty())
}

fn is_missing_or_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

/// `YYYY-MM-DD` with a real calendar date (Gregorian leap years).
fn is_valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[r];
        if part.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(part).ok()?.parse().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    if y == 0 || !(1..=12).contains(&m) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&d)
}

/// 8-4-4-4-12 lowercase hex. Lowercase only: CKAN compares names as
/// strings, so an uppercase variant would be a different dataset name.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => is_lower_hex(*c),
        })
}

fn is_sha256_hash(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(is_lower_hex))
}

fn is_lower_hex(c: u8) -> bool {
    c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
}

/// Deterministic dataset UUID for `name` within `namespace`: the first 16
/// bytes of SHA-256(`namespace` + `"\0"` + `name`), with the version nibble
/// set to 5 and the RFC 4122 variant bits, as lowercase 8-4-4-4-12 hex.
///
/// Same input, same UUID, on every machine: a re-publication of a table
/// targets the same portal record. (SHA-256 rather than RFC 4122's SHA-1, so
/// it is "version-5 style", not a standard UUIDv5.) The NUL separator keeps
/// ("ab", "c") and ("a", "bc") apart as long as `namespace` has no NUL.
pub fn dataset_uuid(namespace: &str, name: &str) -> String {
    let mut h = Sha256::new();
    h.update(namespace.as_bytes());
    h.update([0u8]);
    h.update(name.as_bytes());
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Portal `format` value (resource.format vocabulary) for a file extension,
/// with or without the leading dot, any case: `csv` -> `CSV`,
/// `json` -> `JSON`, anything else -> `other`. Parquet maps to `other`
/// because the portal has no Parquet value.
pub fn format_for_extension(ext: &str) -> &'static str {
    let ext = ext.strip_prefix('.').unwrap_or(ext).to_ascii_lowercase();
    match ext.as_str() {
        "csv" => "CSV",
        "json" => "JSON",
        "parquet" => "other",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EXAMPLE: &str = include_str!("../tests/fixtures/example_package_create.json");

    fn example() -> Value {
        serde_json::from_str(EXAMPLE).expect("fixture parses")
    }

    /// Fields named by the errors of a mutated example (empty if it passes).
    fn error_fields(mutate: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut pkg = example();
        mutate(&mut pkg);
        match validate_package(&pkg, &PortalSchema::embedded()) {
            Ok(()) => vec![],
            Err(errs) => errs.into_iter().map(|e| e.field).collect(),
        }
    }

    fn remove(pkg: &mut Value, pointer: &str, key: &str) {
        pkg.pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .expect("object at pointer")
            .remove(key)
            .expect("key existed");
    }

    /// Replace the value at `pointer`, or add it as a new key of the parent
    /// object (array elements must already exist).
    fn set(pkg: &mut Value, pointer: &str, v: Value) {
        let (parent, last) = pointer.rsplit_once('/').expect("pointer starts with /");
        match pkg.pointer_mut(parent).expect("parent exists") {
            Value::Object(o) => {
                o.insert(last.to_string(), v);
            }
            Value::Array(a) => a[last.parse::<usize>().expect("index")] = v,
            other => panic!("cannot set inside {other}"),
        }
    }

    #[test]
    fn example_validates_clean() {
        let r = validate_package(&example(), &PortalSchema::embedded());
        assert_eq!(r, Ok(()), "example should validate: {r:?}");
    }

    #[test]
    fn required_field_lists_are_pinned() {
        // Pinned so a refreshed schema that changes the required set is
        // noticed, not silently absorbed.
        let s = PortalSchema::embedded();
        assert_eq!(
            s.required_dataset_fields(),
            vec![
                "collection",
                "title_translated",
                "owner_org",
                "notes_translated",
                "keywords",
                "subject",
                "frequency",
                "date_published",
                "jurisdiction",
                "license_id",
                "restrictions",
                "imso_approval",
                "ready_to_publish",
                "id",
                "name",
            ]
        );
        // related_relationship is `required` in the summary but its
        // validator is `ignore`, so it must not be listed.
        assert_eq!(
            s.required_resource_fields(),
            vec![
                "name_translated",
                "resource_type",
                "language",
                "format",
                "url"
            ]
        );
    }

    #[test]
    fn embedded_schema_has_vocabularies_and_licences() {
        let s = PortalSchema::embedded();
        assert!(s.has_license("ca-ogl-lgo"));
        assert!(!s.has_license("cc-by"));
        assert!(s.allowed_values("_source").is_none());
        assert!(s.allowed_values("frequency").unwrap().contains("P3M"));
        assert!(s
            .allowed_values("resource.language")
            .unwrap()
            .contains("fr"));
        let fmt = s.allowed_values("resource.format").unwrap();
        assert!(!fmt.iter().any(|f| f.eq_ignore_ascii_case("parquet")));
    }

    #[test]
    fn every_required_dataset_field_is_enforced() {
        for name in PortalSchema::embedded().required_dataset_fields() {
            let got = error_fields(|p| remove(p, "", name));
            assert_eq!(got, vec![name.to_string()], "removing {name}");
            let got = error_fields(|p| set(p, &format!("/{name}"), json!("")));
            assert!(got.contains(&name.to_string()), "emptying {name}: {got:?}");
        }
    }

    #[test]
    fn every_required_resource_field_is_enforced() {
        for name in PortalSchema::embedded().required_resource_fields() {
            let got = error_fields(|p| remove(p, "/resources/2", name));
            assert_eq!(got, vec![format!("resources[2].{name}")], "removing {name}");
        }
    }

    #[test]
    fn fluent_fields_need_en_and_fr() {
        assert_eq!(
            error_fields(|p| remove(p, "/title_translated", "fr")),
            ["title_translated.fr"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/notes_translated/en", json!("  "))),
            ["notes_translated.en"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/title_translated", json!("Permanent residents"))),
            ["title_translated"]
        );
        // Optional fluent fields, when sent, are held to the same rule.
        assert_eq!(
            error_fields(|p| remove(p, "/program_page_url", "fr")),
            ["program_page_url.fr"]
        );
        assert_eq!(
            error_fields(|p| remove(p, "/resources/0/description_translated", "en")),
            ["resources[0].description_translated.en"]
        );
        assert_eq!(
            error_fields(|p| remove(p, "/resources/3/name_translated", "fr")),
            ["resources[3].name_translated.fr"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/title_translated/de", json!("Titel"))),
            ["title_translated.de"]
        );
    }

    #[test]
    fn fluent_tags_need_non_empty_lists() {
        assert_eq!(
            error_fields(|p| set(p, "/keywords/fr", json!([]))),
            ["keywords.fr"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/keywords/fr/1", json!(""))),
            ["keywords.fr[1]"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/keywords/en", json!("IRCC, immigration"))),
            ["keywords.en"]
        );
    }

    #[test]
    fn vocabularies_are_enforced() {
        assert_eq!(
            error_fields(|p| set(p, "/frequency", json!("weekly-ish"))),
            ["frequency"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/collection", json!("Primary"))),
            ["collection"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/subject/1", json!("nope"))),
            ["subject[1]"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/subject", json!("persons"))),
            ["subject"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/geographic_region/0", json!(0))),
            ["geographic_region[0]"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/1/format", json!("Parquet"))),
            ["resources[1].format"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/language", json!(["en", "xx"]))),
            ["resources[0].language[1]"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/language", json!("en"))),
            ["resources[0].language"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/resource_type", json!("table"))),
            ["resources[0].resource_type"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/character_set", json!("utf8"))),
            ["resources[0].character_set"]
        );
    }

    #[test]
    fn license_and_owner_org() {
        assert_eq!(
            error_fields(|p| set(p, "/license_id", json!("cc-by"))),
            ["license_id"]
        );
        // Any licence of licenses.json is accepted by the check.
        assert_eq!(
            error_fields(|p| set(p, "/license_id", json!("ca-odla-aldg"))),
            Vec::<String>::new()
        );
        assert_eq!(
            error_fields(|p| set(p, "/owner_org", json!("ircc"))),
            ["owner_org"]
        );
    }

    #[test]
    fn approval_flags_are_strings() {
        assert_eq!(
            error_fields(|p| set(p, "/imso_approval", json!(true))),
            ["imso_approval"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/ready_to_publish", json!("yes"))),
            ["ready_to_publish"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/ready_to_publish", json!("false"))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn portal_release_date_must_be_absent() {
        assert_eq!(
            error_fields(|p| set(p, "/portal_release_date", json!("2025-08-15"))),
            ["portal_release_date"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/portal_release_date", Value::Null)),
            ["portal_release_date"]
        );
    }

    #[test]
    fn dates_are_valid_calendar_dates() {
        assert_eq!(
            error_fields(|p| set(p, "/date_published", json!("2025-02-30"))),
            ["date_published"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/date_modified", json!("2025/08/15"))),
            ["date_modified"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/time_period_coverage_start", json!("2015-1-1"))),
            ["time_period_coverage_start"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/3/date_published", json!("15 Aug 2025"))),
            ["resources[3].date_published"]
        );
        for ok in ["2024-02-29", "2000-02-29", "2025-12-31", "2025-01-01"] {
            assert!(is_valid_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2025-04-31",
            "2025-13-01",
            "2025-00-10",
            "0000-01-01",
            "2025-01-00",
            "2025-01-1a",
            "20250101",
            "+025-01-01",
            "2025-01-01T00",
        ] {
            assert!(!is_valid_date(bad), "{bad}");
        }
    }

    #[test]
    fn coverage_start_not_after_end() {
        assert_eq!(
            error_fields(|p| set(p, "/time_period_coverage_start", json!("2025-07-01"))),
            ["time_period_coverage_end"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/time_period_coverage_start", json!("2025-06-30"))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn id_and_name_are_equal_lowercase_uuids() {
        assert_eq!(
            error_fields(|p| {
                set(p, "/id", json!("not-a-uuid"));
                set(p, "/name", json!("not-a-uuid"));
            }),
            ["id", "name"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/id", json!("C45C4611-3586-5C2A-9FF7-19F113759C39"))),
            ["id"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/name", json!("pr-by-province"))),
            ["name"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/name", json!(dataset_uuid("ircc", "other")))),
            ["name"]
        );
        let u = dataset_uuid("ircc", "ODP-PR-PT_IMMCAT");
        assert_eq!(
            error_fields(|p| {
                set(p, "/id", json!(u));
                set(p, "/name", json!(u));
            }),
            Vec::<String>::new()
        );
    }

    #[test]
    fn resource_size_is_non_negative_integer() {
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/size", json!("12"))),
            ["resources[0].size"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/size", json!(-1))),
            ["resources[0].size"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/size", json!(12.5))),
            ["resources[0].size"]
        );
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/size", json!(0))),
            Vec::<String>::new()
        );
    }

    #[test]
    fn resource_hash_is_sha256_hex() {
        let good = format!("sha256:{}", "0123456789abcdef".repeat(4));
        assert_eq!(
            error_fields(|p| set(p, "/resources/0/hash", json!(good))),
            Vec::<String>::new()
        );
        let bad = [
            json!("sha256:ABC"),
            json!(format!("sha256:{}", "0123456789ABCDEF".repeat(4))),
            json!(format!("md5:{}", "0123456789abcdef".repeat(4))),
            json!("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            json!(format!("sha256:{}0", "0123456789abcdef".repeat(4))),
            json!(12),
        ];
        for b in bad {
            assert_eq!(
                error_fields(|p| set(p, "/resources/1/hash", b.clone())),
                ["resources[1].hash"],
                "{b}"
            );
        }
    }

    #[test]
    fn resources_must_be_a_non_empty_array_of_objects() {
        assert_eq!(
            error_fields(|p| set(p, "/resources", json!([]))),
            ["resources"]
        );
        assert_eq!(error_fields(|p| remove(p, "", "resources")), ["resources"]);
        assert_eq!(
            error_fields(|p| set(p, "/resources/1", json!("x.csv"))),
            ["resources[1]"]
        );
    }

    #[test]
    fn type_must_be_dataset() {
        assert_eq!(error_fields(|p| set(p, "/type", json!("info"))), ["type"]);
        assert_eq!(
            error_fields(|p| remove(p, "", "type")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn non_object_body_is_rejected() {
        let errs = validate_package(&json!([1, 2]), &PortalSchema::embedded()).unwrap_err();
        assert_eq!(errs, vec![PortalError::new("package", "a JSON object")]);
    }

    #[test]
    fn all_errors_are_reported() {
        let got = error_fields(|p| {
            remove(p, "/title_translated", "fr");
            set(p, "/license_id", json!("cc-by"));
            set(p, "/imso_approval", json!(true));
            set(p, "/portal_release_date", json!("2025-08-15"));
            set(p, "/resources/1/format", json!("Parquet"));
            set(p, "/resources/2/size", json!("12"));
            set(p, "/resources/3/hash", json!("sha256:xyz"));
        });
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut want = vec![
            "title_translated.fr",
            "license_id",
            "imso_approval",
            "portal_release_date",
            "resources[1].format",
            "resources[2].size",
            "resources[3].hash",
        ];
        want.sort();
        assert_eq!(got_sorted, want, "got {got:?}");
    }

    #[test]
    fn error_display() {
        let e = PortalError::new(
            "resources[2].format",
            "a value of the resource.format vocabulary",
        );
        assert_eq!(
            e.to_string(),
            "field resources[2].format: expected a value of the resource.format vocabulary"
        );
    }

    #[test]
    fn dataset_uuid_is_deterministic_v5_layout() {
        let a = dataset_uuid("ircc", "ODP-PR-PT_IMMCAT");
        assert_eq!(a, dataset_uuid("ircc", "ODP-PR-PT_IMMCAT"));
        assert!(is_uuid(&a), "{a}");
        assert_eq!(a.as_bytes()[14], b'5', "version nibble: {a}");
        assert!(
            matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "variant: {a}"
        );
        assert_ne!(a, dataset_uuid("ircc", "ODP-PR-PT_IMMCAT2"));
        assert_ne!(a, dataset_uuid("ircc2", "ODP-PR-PT_IMMCAT"));
        assert_ne!(dataset_uuid("ab", "c"), dataset_uuid("a", "bc"));
        // Pinned to values computed independently (Python hashlib, same
        // layout), so a change in byte order or bit masking is caught.
        assert_eq!(
            dataset_uuid("ns", "name"),
            "40620770-7c9e-5bf7-860e-95f7a24e8d61"
        );
        assert_eq!(a, "84d26faa-2cee-50d6-b1d3-e713ad155892");
    }

    #[test]
    fn format_mapping_and_vocabulary() {
        assert_eq!(format_for_extension("csv"), "CSV");
        assert_eq!(format_for_extension(".CSV"), "CSV");
        assert_eq!(format_for_extension("json"), "JSON");
        assert_eq!(format_for_extension("parquet"), "other");
        assert_eq!(format_for_extension("xlsx"), "other");
        assert_eq!(format_for_extension(""), "other");
        let vocab = PortalSchema::embedded();
        let vocab = vocab.allowed_values("resource.format").unwrap();
        for ext in ["csv", "json", "parquet", "xlsx"] {
            let f = format_for_extension(ext);
            assert!(vocab.contains(f), "{ext} -> {f} not in resource.format");
        }
    }
}
