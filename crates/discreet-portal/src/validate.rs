//! The checks of a `package_create` body, field by field and across
//! fields, collecting every broken rule.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

use crate::ids::{is_sha256_hash, is_uuid, is_valid_date};
use crate::schema::{FieldSpec, PortalSchema};
use crate::{PortalError, OWNER_ORG};

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
