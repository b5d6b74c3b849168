//! Checks a spec against `schemas/pipeline-spec.schema.json`, the published
//! schema of specs, before the typed parse: every unknown key, missing key,
//! wrong type or value outside an enumeration is reported with its full
//! dotted key (`inputs.admissions.columns.age.max`).
//!
//! Only the structural keywords are checked here: `type`, `properties`,
//! `required`, `additionalProperties` (false or a schema), `items`, `enum`,
//! `minimum`, `minItems`, `maxItems` and local `$ref`s. The schema's other
//! keywords (`pattern`, `format`, `propertyNames`, lengths and the
//! conditions) are for editors and other validators: the typed checks in
//! `plan` apply the same rules on names, dates, months and columns
//! afterwards, with more precise messages (a date that does not exist);
//! the e-mail and URL forms are left to editors and validators.

use std::sync::OnceLock;

use serde_json::Value as Json;
use toml::Value as Toml;

/// The spec schema, parsed once from the file shipped in `schemas/`.
fn schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        serde_json::from_str(include_str!("../../../schemas/pipeline-spec.schema.json"))
            .expect("the shipped schema is valid JSON")
    })
}

/// Enumerations longer than this are not spelled out in messages.
const MAX_LISTED_CHOICES: usize = 30;

/// A place in a spec that breaks the schema: dotted key and expectation.
pub type SchemaError = (String, String);

/// Checks a parsed spec document against the spec schema.
pub fn check(doc: &Toml) -> Result<(), SchemaError> {
    let root = schema();
    node(doc, root, root, "")
}

fn toml_type(v: &Toml) -> &'static str {
    match v {
        Toml::String(_) => "a string",
        Toml::Integer(_) => "an integer",
        Toml::Float(_) => "a number with a fraction",
        Toml::Boolean(_) => "a boolean",
        Toml::Datetime(_) => "an unquoted date",
        Toml::Array(_) => "an array",
        Toml::Table(_) => "a table",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn node(v: &Toml, s: &Json, root: &Json, path: &str) -> Result<(), SchemaError> {
    if let Some(r) = s.get("$ref").and_then(Json::as_str) {
        let name = r.trim_start_matches("#/definitions/");
        return node(v, &root["definitions"][name], root, path);
    }
    let err = |m: String| Err((path.to_string(), m));
    let expected = s.get("type").and_then(Json::as_str).unwrap_or("");
    let ok = matches!(
        (expected, v),
        ("", _)
            | ("object", Toml::Table(_))
            | ("string", Toml::String(_))
            | ("integer", Toml::Integer(_))
            | ("boolean", Toml::Boolean(_))
            | ("array", Toml::Array(_))
    );
    if !ok {
        let want = match expected {
            "object" => "a table",
            "string" if matches!(v, Toml::Datetime(_)) => {
                "a string (write dates in quotes: \"2026-02-15\")"
            }
            "string" => "a string",
            "integer" => "an integer",
            "boolean" => "true or false",
            "array" => "an array",
            other => other,
        };
        return err(format!("expected {want}, found {}", toml_type(v)));
    }
    if let Some(choices) = s.get("enum").and_then(Json::as_array) {
        let text = match v {
            Toml::String(t) => t.clone(),
            other => other.to_string(),
        };
        if !choices.iter().any(|c| c.as_str() == Some(text.as_str())) {
            // Long vocabularies (portal regions) would drown the message.
            if choices.len() > MAX_LISTED_CHOICES {
                return err(format!(
                    "expected one of the {} values the spec schema lists here, found `{text}`",
                    choices.len()
                ));
            }
            let list: Vec<String> = choices
                .iter()
                .filter_map(|c| c.as_str().map(|c| format!("`{c}`")))
                .collect();
            return err(format!(
                "expected one of {}, found `{text}`",
                list.join(", ")
            ));
        }
    }
    if let (Some(min), Toml::Integer(n)) = (s.get("minimum").and_then(Json::as_i64), v) {
        if *n < min {
            return err(format!("expected at least {min}, found {n}"));
        }
    }
    match v {
        Toml::Table(t) => {
            let props = s.get("properties").and_then(Json::as_object);
            if let Some(required) = s.get("required").and_then(Json::as_array) {
                for r in required.iter().filter_map(Json::as_str) {
                    if !t.contains_key(r) {
                        return Err((join(path, r), "missing; this key is required".into()));
                    }
                }
            }
            for (k, child) in t {
                let key = join(path, k);
                match (props.and_then(|p| p.get(k)), s.get("additionalProperties")) {
                    (Some(cs), _) => node(child, cs, root, &key)?,
                    (None, Some(Json::Bool(false))) => {
                        let known: Vec<String> = props
                            .map(|p| p.keys().map(|k| format!("`{k}`")).collect())
                            .unwrap_or_default();
                        return Err((
                            key,
                            format!("unknown key; expected one of {}", known.join(", ")),
                        ));
                    }
                    (None, Some(extra @ Json::Object(_))) => node(child, extra, root, &key)?,
                    (None, _) => {}
                }
            }
        }
        Toml::Array(items) => {
            let n = items.len() as u64;
            if s.get("minItems")
                .and_then(Json::as_u64)
                .is_some_and(|m| n < m)
                || s.get("maxItems")
                    .and_then(Json::as_u64)
                    .is_some_and(|m| n > m)
            {
                let lo = s.get("minItems").and_then(Json::as_u64).unwrap_or(0);
                return match s.get("maxItems").and_then(Json::as_u64) {
                    Some(hi) if hi == lo => err(format!("expected {lo} items, found {n}")),
                    Some(hi) => err(format!("expected {lo} to {hi} items, found {n}")),
                    None => err(format!("expected at least {lo} items, found {n}")),
                };
            }
            if let Some(is) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    node(item, is, root, &format!("{path}[{i}]"))?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> SchemaError {
        check(&toml::from_str::<Toml>(text).unwrap()).unwrap_err()
    }

    const MINIMAL: &str = r#"
[release]
name = "x"
title = { en = "a", fr = "b" }
description = { en = "a", fr = "b" }
published = "2026-01-01"
[portal]
keywords = { en = ["a"], fr = ["b"] }
subject = ["persons"]
frequency = "P3M"
maintainer_email = "a@b.c"
base_url = "https://x/"
[inputs.a]
path = "a.csv"
columns = { c = { type = "code", codelist = "genders" } }
[dimensions.d]
column = "c"
label = { en = "a", fr = "b" }
[[tables]]
name = "t"
input = "a"
dimensions = ["d"]
title = { en = "a", fr = "b" }
description = { en = "a", fr = "b" }
"#;

    #[test]
    fn minimal_spec_passes() {
        check(&toml::from_str::<Toml>(MINIMAL).unwrap()).unwrap();
    }

    #[test]
    fn errors_name_the_full_key() {
        let e = err(&MINIMAL.replace("[inputs.a]", "[inputs.a]\ncolour = 1"));
        assert_eq!(e.0, "inputs.a.colour");
        assert!(e.1.contains("unknown key") && e.1.contains("`path`"));
        let e = err(&MINIMAL.replace("type = \"code\"", "type = \"text\""));
        assert_eq!(e.0, "inputs.a.columns.c.type");
        assert!(e.1.contains("`integer`"));
        let e = err(&MINIMAL.replace("published = \"2026-01-01\"", "published = 2026-01-01"));
        assert_eq!(e.0, "release.published");
        assert!(e.1.contains("quotes"));
        let e = err(&MINIMAL.replace("name = \"t\"", "name = 7"));
        assert_eq!(e.0, "tables[0].name");
        let e = err(&MINIMAL.replace("frequency = \"P3M\"\n", ""));
        assert_eq!(
            e,
            (
                "portal.frequency".to_string(),
                "missing; this key is required".to_string()
            )
        );
        let e = err(&format!("{MINIMAL}\n[rule]\nsuppress = [1, 2, 3]\n"));
        assert_eq!(e.0, "rule.suppress");
        let e = err(&format!("{MINIMAL}\n[rule]\nrounding_base = 0\n"));
        assert_eq!(e.0, "rule.rounding_base");
        let e = err(&MINIMAL.replace(
            "label = { en = \"a\", fr = \"b\" }",
            "label = { en = \"a\", de = \"b\" }",
        ));
        assert_eq!(e.0, "dimensions.d.label.fr");
    }
}
