//! The published JSON Schema against the specs it describes, checked by a
//! small validator written for the subset of JSON Schema (draft-07) that
//! `schemas/pipeline-spec.schema.json` uses. It is independent of the
//! spec crate's own schema check (`discreet_spec::schema`), which leaves
//! patterns, formats and conditions to the typed checks.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::{json, Value};

const SCHEMA: &str = include_str!("../../../schemas/pipeline-spec.schema.json");
const CHOICES: &str = include_str!("../../../schemas/open-canada/choices.json");

const BUNDLED: [(&str, &str); 5] = [
    (
        "pr_age_gender_year",
        include_str!("../../../pipelines/pr_age_gender_year.toml"),
    ),
    (
        "pr_citizenship_month",
        include_str!("../../../pipelines/pr_citizenship_month.toml"),
    ),
    (
        "pr_province_category_month",
        include_str!("../../../pipelines/pr_province_category_month.toml"),
    ),
    (
        "tr_study_permit_holders_province_level_month",
        include_str!("../../../pipelines/tr_study_permit_holders_province_level_month.toml"),
    ),
    (
        "tr_work_permit_holders_program_citizenship_year",
        include_str!("../../../pipelines/tr_work_permit_holders_program_citizenship_year.toml"),
    ),
];

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the schema is JSON")
}

/// A spec as the JSON document a JSON Schema validator would see.
fn as_json(toml_text: &str) -> Value {
    let doc: toml::Value = toml::from_str(toml_text).expect("the spec is TOML");
    serde_json::to_value(doc).expect("TOML converts to JSON")
}

/// Every place where `doc` breaks the schema, as JSON pointers.
fn violations(doc: &Value) -> Vec<String> {
    let root = schema();
    let mut out = Vec::new();
    Checker { root: &root }.node(doc, &root, "", &mut out);
    out
}

struct Checker<'a> {
    root: &'a Value,
}

impl Checker<'_> {
    fn valid(&self, v: &Value, s: &Value) -> bool {
        let mut out = Vec::new();
        self.node(v, s, "", &mut out);
        out.is_empty()
    }

    fn node(&self, v: &Value, s: &Value, at: &str, out: &mut Vec<String>) {
        let mut fail = |why: &str| out.push(format!("{at}: {why}"));
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.strip_prefix("#/definitions/").expect("local $ref");
            return self.node(v, &self.root["definitions"][name], at, out);
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                other => panic!("type {other} not supported by this checker"),
            };
            if !ok {
                return fail(&format!("not of type {t}"));
            }
        }
        if let Some(choices) = s.get("enum").and_then(Value::as_array) {
            if !choices.contains(v) {
                fail("not in enum");
            }
        }
        if let Some(c) = s.get("const") {
            if c != v {
                fail("not the const");
            }
        }
        if let Some(min) = s.get("minimum").and_then(Value::as_i64) {
            if v.as_i64().is_some_and(|n| n < min) {
                fail("below minimum");
            }
        }
        if let Some(text) = v.as_str() {
            self.string(text, s, &mut fail);
        }
        for sub in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.node(v, sub, at, out);
        }
        let mut fail = |why: &str| out.push(format!("{at}: {why}"));
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            if !any.iter().any(|sub| self.valid(v, sub)) {
                fail("matches no anyOf branch");
            }
        }
        if s.get("not").is_some_and(|sub| self.valid(v, sub)) {
            fail("matches the `not` schema");
        }
        if let Some(cond) = s.get("if") {
            let branch = if self.valid(v, cond) { "then" } else { "else" };
            if let Some(sub) = s.get(branch) {
                self.node(v, sub, at, out);
            }
        }
        match v {
            Value::Object(map) => self.object(map, s, at, out),
            Value::Array(items) => self.array(items, s, at, out),
            _ => {}
        }
    }

    fn string(&self, text: &str, s: &Value, fail: &mut impl FnMut(&str)) {
        let chars = text.chars().count() as u64;
        if s.get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| chars < m)
        {
            fail("too short");
        }
        if s.get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| chars > m)
        {
            fail("too long");
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            if !Regex::new(p).expect("pattern compiles").is_match(text) {
                fail("does not match pattern");
            }
        }
        let format_ok = match s.get("format").and_then(Value::as_str) {
            None => true,
            Some("date") => is_calendar_date(text),
            Some("email") => text
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@')),
            Some("uri") => text.starts_with("https://") || text.starts_with("http://"),
            Some(other) => panic!("format {other} not supported by this checker"),
        };
        if !format_ok {
            fail("not of its format");
        }
    }

    fn object(
        &self,
        map: &serde_json::Map<String, Value>,
        s: &Value,
        at: &str,
        out: &mut Vec<String>,
    ) {
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().expect("required names are strings");
            if !map.contains_key(r) {
                out.push(format!("{at}/{r}: required"));
            }
        }
        if s.get("minProperties")
            .and_then(Value::as_u64)
            .is_some_and(|m| (map.len() as u64) < m)
        {
            out.push(format!("{at}: too few properties"));
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, child) in map {
            let path = format!("{at}/{k}");
            if let Some(names) = s.get("propertyNames") {
                self.node(&json!(k), names, &format!("{path} (name)"), out);
            }
            match (props.and_then(|p| p.get(k)), s.get("additionalProperties")) {
                (Some(cs), _) => self.node(child, cs, &path, out),
                (None, Some(Value::Bool(false))) => out.push(format!("{path}: unknown key")),
                (None, Some(extra)) => self.node(child, extra, &path, out),
                (None, None) => {}
            }
        }
    }

    fn array(&self, items: &[Value], s: &Value, at: &str, out: &mut Vec<String>) {
        let n = items.len() as u64;
        if s.get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n < m)
        {
            out.push(format!("{at}: too few items"));
        }
        if s.get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n > m)
        {
            out.push(format!("{at}: too many items"));
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            let distinct: BTreeSet<String> = items.iter().map(Value::to_string).collect();
            if distinct.len() != items.len() {
                out.push(format!("{at}: repeated items"));
            }
        }
        if let Some(is) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.node(item, is, &format!("{at}/{i}"), out);
            }
        }
    }
}

/// `YYYY-MM-DD` naming a day that exists (the `date` format of RFC 3339).
fn is_calendar_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts[..] else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[test]
fn every_bundled_pipeline_validates() {
    for (name, text) in BUNDLED {
        assert_eq!(violations(&as_json(text)), Vec::<String>::new(), "{name}");
    }
}

/// The bundled spec with one edit, and the place its violation must name.
fn rejected_at(edit: impl Fn(&str) -> String, pointer: &str) {
    let text = edit(BUNDLED[2].1);
    assert_ne!(text, BUNDLED[2].1, "the edit must change the spec");
    let found = violations(&as_json(&text));
    assert!(
        found.iter().any(|v| v.starts_with(&format!("{pointer}:")) || v.starts_with(&format!("{pointer} "))),
        "expected a violation at {pointer}, found {found:?}"
    );
}

#[test]
fn invalid_specs_are_rejected() {
    // Unknown keys, at the top, in a table and in a column.
    rejected_at(|t| format!("colour = 1\n{t}"), "/colour");
    rejected_at(
        |t| t.replace("[rule]\n", "[rule]\nrounding = 5\n"),
        "/rule/rounding",
    );
    rejected_at(
        |t| t.replace("[[tables]]\n", "[[tables]]\ncolour = 1\n"),
        "/tables/0/colour",
    );
    // Values outside a closed vocabulary.
    rejected_at(
        |t| t.replace("frequency = \"P3M\"", "frequency = \"quarterly\""),
        "/portal/frequency",
    );
    rejected_at(
        |t| t.replace("codelist = \"provinces\"", "codelist = \"Regions!\""),
        "/inputs/admissions/columns/province/codelist",
    );
    rejected_at(
        |t| t.replace("kind = \"ircc\"", "kind = \"gauss\""),
        "/rule/kind",
    );
    rejected_at(
        |t| t.replace("finest = \"month\"", "finest = \"week\""),
        "/dimensions/period/calendar/finest",
    );
    rejected_at(
        |t| {
            t.replace(
                "subject = [\"persons\", \"society_and_culture\"]",
                "subject = [\"people\"]",
            )
        },
        "/portal/subject/0",
    );
    // Dates and months: the form by pattern, the day by format.
    rejected_at(
        |t| t.replace("published = \"2026-02-15\"", "published = \"2026-02-30\""),
        "/release/published",
    );
    rejected_at(
        |t| t.replace("published = \"2026-02-15\"", "published = \"15/02/2026\""),
        "/release/published",
    );
    rejected_at(
        |t| t.replace("first = \"2023-01\"", "first = \"2023-1\""),
        "/dimensions/period/calendar/first",
    );
    // Names, e-mails and URLs.
    rejected_at(
        |t| {
            t.replace(
                "name = \"pr-province-category-month\"",
                "name = \"PR Province\"",
            )
        },
        "/release/name",
    );
    rejected_at(
        |t| t.replace("[dimensions.period]", "[dimensions.Period]"),
        "/dimensions/Period (name)",
    );
    rejected_at(
        |t| t.replace("IRCC.Open-Ouvert.IRCC@cic.gc.ca", "IRCC.Open-Ouvert.IRCC"),
        "/portal/maintainer_email",
    );
    rejected_at(
        |t| t.replace("base_url = \"https://", "base_url = \"www."),
        "/portal/base_url",
    );
    // Required keys, minimums and the column conditions.
    rejected_at(
        |t| t.replace("frequency = \"P3M\"\n", ""),
        "/portal/frequency",
    );
    rejected_at(
        |t| t.replace("rounding_base = 5", "rounding_base = 0"),
        "/rule/rounding_base",
    );
    rejected_at(
        |t| {
            t.replace(
                "codelist = \"provinces\"",
                "codelist = \"provinces\", min = 1",
            )
        },
        "/inputs/admissions/columns/province",
    );
    rejected_at(
        |t| {
            t.replace(
                "{ type = \"code\", codelist = \"provinces\" }",
                "{ type = \"code\" }",
            )
        },
        "/inputs/admissions/columns/province/codelist",
    );
}

#[test]
fn vocabularies_match_their_sources() {
    let s = schema();
    let enum_at = |pointer: &str| -> BTreeSet<String> {
        s.pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("no enum at {pointer}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let choices: Value = serde_json::from_str(CHOICES).unwrap();
    let vocab = |key: &str| -> BTreeSet<String> {
        choices[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_str().unwrap().to_string())
            .collect()
    };
    let portal = "/properties/portal/properties";
    for key in ["frequency", "jurisdiction", "restrictions"] {
        assert_eq!(
            enum_at(&format!("{portal}/{key}/enum")),
            vocab(key),
            "{key}"
        );
    }
    for key in ["subject", "audience", "geographic_region"] {
        assert_eq!(
            enum_at(&format!("{portal}/{key}/items/enum")),
            vocab(key),
            "{key}"
        );
    }
    let codelists = "/definitions/builtinCodelist/enum";
    let builtin: BTreeSet<String> = discreet_spec::codelist::BUILTIN_NAMES
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(enum_at(codelists), builtin);
}

#[test]
fn the_checker_sees_what_it_should() {
    // A guard on the checker itself: an empty document lacks the five
    // required tables, and the date format knows leap years.
    assert_eq!(violations(&json!({})).len(), 5);
    assert!(is_calendar_date("2024-02-29") && !is_calendar_date("2023-02-29"));
}
