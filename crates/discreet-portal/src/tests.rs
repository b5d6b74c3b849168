use super::*;
use crate::ids::{is_uuid, is_valid_date};
use serde_json::{json, Value};

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

/// One edit of the example body and the fields its errors must name.
struct Case {
    pointer: &'static str,
    /// `Some(v)`: set the value at `pointer` to `v`; `None`: remove key
    /// `key` of the object at `pointer`.
    value: Option<Value>,
    key: &'static str,
    fields: &'static [&'static str],
}

impl Case {
    fn set(pointer: &'static str, value: Value, fields: &'static [&'static str]) -> Case {
        Case {
            pointer,
            value: Some(value),
            key: "",
            fields,
        }
    }

    fn remove(pointer: &'static str, key: &'static str, fields: &'static [&'static str]) -> Case {
        Case {
            pointer,
            value: None,
            key,
            fields,
        }
    }
}

/// Each case, applied alone to the example, is reported at exactly its fields.
fn check(cases: &[Case]) {
    for c in cases {
        let got = error_fields(|p| match &c.value {
            Some(v) => set(p, c.pointer, v.clone()),
            None => remove(p, c.pointer, c.key),
        });
        assert_eq!(got, c.fields, "{} {:?} {}", c.pointer, c.value, c.key);
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
    check(&[
        Case::remove("/title_translated", "fr", &["title_translated.fr"]),
        Case::set(
            "/notes_translated/en",
            json!("  "),
            &["notes_translated.en"],
        ),
        Case::set(
            "/title_translated",
            json!("Permanent residents"),
            &["title_translated"],
        ),
        // Optional fluent fields, when sent, are held to the same rule.
        Case::remove("/program_page_url", "fr", &["program_page_url.fr"]),
        Case::remove(
            "/resources/0/description_translated",
            "en",
            &["resources[0].description_translated.en"],
        ),
        Case::remove(
            "/resources/3/name_translated",
            "fr",
            &["resources[3].name_translated.fr"],
        ),
        Case::set(
            "/title_translated/de",
            json!("Titel"),
            &["title_translated.de"],
        ),
    ]);
}

#[test]
fn fluent_tags_need_non_empty_lists() {
    check(&[
        Case::set("/keywords/fr", json!([]), &["keywords.fr"]),
        Case::set("/keywords/fr/1", json!(""), &["keywords.fr[1]"]),
        Case::set("/keywords/en", json!("IRCC, immigration"), &["keywords.en"]),
    ]);
}

#[test]
fn vocabularies_are_enforced() {
    check(&[
        Case::set("/frequency", json!("weekly-ish"), &["frequency"]),
        Case::set("/collection", json!("Primary"), &["collection"]),
        Case::set("/subject/1", json!("nope"), &["subject[1]"]),
        Case::set("/subject", json!("persons"), &["subject"]),
        Case::set("/geographic_region/0", json!(0), &["geographic_region[0]"]),
        Case::set(
            "/resources/1/format",
            json!("Parquet"),
            &["resources[1].format"],
        ),
        Case::set(
            "/resources/0/language",
            json!(["en", "xx"]),
            &["resources[0].language[1]"],
        ),
        Case::set(
            "/resources/0/language",
            json!("en"),
            &["resources[0].language"],
        ),
        Case::set(
            "/resources/0/resource_type",
            json!("table"),
            &["resources[0].resource_type"],
        ),
        Case::set(
            "/resources/0/character_set",
            json!("utf8"),
            &["resources[0].character_set"],
        ),
    ]);
}

#[test]
fn license_and_owner_org() {
    check(&[
        Case::set("/license_id", json!("cc-by"), &["license_id"]),
        // Any licence of licenses.json is accepted by the check.
        Case::set("/license_id", json!("ca-odla-aldg"), &[]),
        Case::set("/owner_org", json!("ircc"), &["owner_org"]),
    ]);
}

#[test]
fn approval_flags_are_strings() {
    check(&[
        Case::set("/imso_approval", json!(true), &["imso_approval"]),
        Case::set("/ready_to_publish", json!("yes"), &["ready_to_publish"]),
        Case::set("/ready_to_publish", json!("false"), &[]),
    ]);
}

#[test]
fn portal_release_date_must_be_absent() {
    check(&[
        Case::set(
            "/portal_release_date",
            json!("2025-08-15"),
            &["portal_release_date"],
        ),
        Case::set(
            "/portal_release_date",
            Value::Null,
            &["portal_release_date"],
        ),
    ]);
}

#[test]
fn dates_are_valid_calendar_dates() {
    check(&[
        Case::set("/date_published", json!("2025-02-30"), &["date_published"]),
        Case::set("/date_modified", json!("2025/08/15"), &["date_modified"]),
        Case::set(
            "/time_period_coverage_start",
            json!("2015-1-1"),
            &["time_period_coverage_start"],
        ),
        Case::set(
            "/resources/3/date_published",
            json!("15 Aug 2025"),
            &["resources[3].date_published"],
        ),
    ]);
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
    check(&[
        Case::set(
            "/time_period_coverage_start",
            json!("2025-07-01"),
            &["time_period_coverage_end"],
        ),
        Case::set("/time_period_coverage_start", json!("2025-06-30"), &[]),
    ]);
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
    check(&[
        Case::set(
            "/id",
            json!("C45C4611-3586-5C2A-9FF7-19F113759C39"),
            &["id"],
        ),
        Case::set("/name", json!("pr-by-province"), &["name"]),
        Case::set("/name", json!(dataset_uuid("ircc", "other")), &["name"]),
    ]);
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
    check(&[
        Case::set("/resources/0/size", json!("12"), &["resources[0].size"]),
        Case::set("/resources/0/size", json!(-1), &["resources[0].size"]),
        Case::set("/resources/0/size", json!(12.5), &["resources[0].size"]),
        Case::set("/resources/0/size", json!(0), &[]),
    ]);
}

#[test]
fn resource_hash_is_sha256_hex() {
    let good = format!("sha256:{}", "0123456789abcdef".repeat(4));
    check(&[Case::set("/resources/0/hash", json!(good), &[])]);
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
    check(&[
        Case::set("/resources", json!([]), &["resources"]),
        Case::remove("", "resources", &["resources"]),
        Case::set("/resources/1", json!("x.csv"), &["resources[1]"]),
    ]);
}

#[test]
fn type_must_be_dataset() {
    check(&[
        Case::set("/type", json!("info"), &["type"]),
        Case::remove("", "type", &[]),
    ]);
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
    assert_eq!(format_for_extension("xlsx"), "XLSX");
    assert_eq!(format_for_extension("ods"), "other");
    assert_eq!(format_for_extension(""), "other");
    let vocab = PortalSchema::embedded();
    let vocab = vocab.allowed_values("resource.format").unwrap();
    for ext in ["csv", "json", "parquet", "xlsx"] {
        let f = format_for_extension(ext);
        assert!(vocab.contains(f), "{ext} -> {f} not in resource.format");
    }
}
