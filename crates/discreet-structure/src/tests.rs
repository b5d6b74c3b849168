use super::*;

fn node(code: &str, parent: Option<&str>, children: &[&str]) -> NodeDoc {
    NodeDoc {
        children: children.iter().map(|c| c.to_string()).collect(),
        code: code.into(),
        en: format!("{code} en"),
        fr: format!("{code} fr"),
        level: if parent.is_none() { "total" } else { "leaf" }.into(),
        parent: parent.map(str::to_string),
    }
}

fn dimension(name: &str, kind: DimensionKind) -> DimensionDoc {
    DimensionDoc {
        name: name.into(),
        source_column: format!("{name}_col"),
        en: "En".into(),
        fr: "Fr".into(),
        kind,
        nodes: vec![
            node("TOTAL", None, &["A", "B"]),
            node("A", Some("TOTAL"), &[]),
            node("B", Some("TOTAL"), &[]),
        ],
    }
}

fn sample() -> Structure {
    let table = TableDoc {
        cells: 27,
        columns: vec!["a".into(), "count".into()],
        count_column: "count".into(),
        count_distinct: Some("person_id".into()),
        csv: "t.csv".into(),
        dimensions: vec![
            dimension("d1", DimensionKind::Codes),
            dimension(
                "d2",
                DimensionKind::Calendar {
                    first: "2024-01".into(),
                    last: "2024-12".into(),
                },
            ),
            dimension(
                "d3",
                DimensionKind::Bands {
                    bands: vec![
                        BandDoc {
                            code: "A".into(),
                            max: Some(17),
                            min: 0,
                        },
                        BandDoc {
                            code: "B".into(),
                            max: None,
                            min: 18,
                        },
                    ],
                },
            ),
        ],
        filter: Some(BTreeMap::from([("x".into(), vec!["1".into()])])),
        input: "admissions".into(),
        margins: MarginKind::Distinct,
        name: "t".into(),
        parquet: Some("t.parquet".into()),
    };
    let mut plain = table.clone();
    plain.count_distinct = None;
    plain.filter = None;
    plain.margins = MarginKind::Additive;
    Structure {
        final_through: None,
        format: STRUCTURE_FORMAT.into(),
        relations: "sums".into(),
        release: "r".into(),
        rule: RuleDoc::new(Method::Threshold, &IrccRule::default()),
        shown_values: "values".into(),
        tables: vec![table, plain],
    }
}

#[test]
fn keys_are_written_in_alphabetical_order() {
    // A `serde_json::Value` holds objects as sorted maps: writing through it
    // sorts every key, which the typed form must already do.
    let st = sample();
    let typed = serde_json::to_string_pretty(&st).unwrap();
    let sorted = serde_json::to_string_pretty(&serde_json::to_value(&st).unwrap()).unwrap();
    assert_eq!(typed, sorted);
    assert!(typed.contains("\"final_through\": null"));
    assert!(typed.contains("\"max\": null"));
    assert_eq!(typed.matches("count_distinct").count(), 1);
    assert_eq!(typed.matches("\"filter\"").count(), 1);
}

#[test]
fn reads_back_what_it_writes() {
    let st = sample();
    let text = serde_json::to_string(&st).unwrap();
    assert_eq!(serde_json::from_str::<Structure>(&text).unwrap(), st);
    assert_eq!(st.rule.rule().unwrap(), IrccRule::default());
}

fn read_edited(edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut v = serde_json::to_value(sample()).unwrap();
    edit(&mut v);
    serde_json::from_value::<Structure>(v)
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn errors_name_the_field() {
    let e = read_edited(|v| {
        v["tables"][0].as_object_mut().unwrap().remove("csv");
    });
    assert!(e.contains("missing field `csv`"), "{e}");
    let e = read_edited(|v| v["rule"]["rounding_base"] = "5".into());
    assert!(e.contains("invalid type: string \"5\""), "{e}");
    let e = read_edited(|v| v["rule"]["kind"] = "gauss".into());
    assert!(e.contains("unknown rule `gauss`; expected `ircc`"), "{e}");
    let e = read_edited(|v| v["rule"]["tie"] = "sideways".into());
    assert!(
        e.contains("unknown value `sideways`; expected `up`, `down` or `even`"),
        "{e}"
    );
    let e = read_edited(|v| {
        v["tables"][0]["dimensions"][1]
            .as_object_mut()
            .unwrap()
            .remove("last");
    });
    assert!(
        e.contains("dimension `d2`: kind `calendar` needs `first` and `last`"),
        "{e}"
    );
    let e = read_edited(|v| v["tables"][0]["dimensions"][0]["kind"] = "colours".into());
    assert!(e.contains("dimension `d1`: unknown kind `colours`"), "{e}");
}

#[test]
fn a_rule_without_kind_is_the_ircc_rule() {
    let mut v = serde_json::to_value(sample()).unwrap();
    v["rule"].as_object_mut().unwrap().remove("kind");
    let st: Structure = serde_json::from_value(v).unwrap();
    assert_eq!(st.rule.kind, Method::Ircc);
}
