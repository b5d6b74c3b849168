use super::*;
use crate::protection::{Cost, Method};

const BUNDLED: [&str; 3] = [
    include_str!("../../../../pipelines/pr_citizenship_month.toml"),
    include_str!("../../../../pipelines/pr_province_category_month.toml"),
    include_str!("../../../../pipelines/pr_age_gender_year.toml"),
];

#[test]
fn bundled_pipelines_are_valid() {
    for text in BUNDLED {
        let plan = Plan::parse("bundled.toml", text).unwrap();
        assert_eq!(plan.rule, IrccRule::default());
        assert!(!plan.tables.is_empty());
    }
}

#[test]
fn calendar_and_subtotal_hierarchies() {
    let plan = Plan::parse("p.toml", BUNDLED[1]).unwrap();
    let period = &plan.dimensions["period"].hierarchy;
    // 36 months + 12 quarters + 3 years + total.
    assert_eq!(period.len(), 52);
    assert_eq!(period.leaves().len(), 36);
    let jan = period.find("2024-01").unwrap();
    let chain: Vec<&str> = period
        .ancestors(jan)
        .map(|n| period.node(n).code.as_str())
        .collect();
    assert_eq!(chain, ["2024-01", "2024-Q1", "2024", "TOTAL"]);
    assert_eq!(period.node(jan).label.fr, "2024 janv.");
    let cat = &plan.dimensions["category"].hierarchy;
    let fsw = cat.find("FSW").unwrap();
    assert_eq!(cat.node(cat.node(fsw).parent.unwrap()).code, "ECO");
    let d = &plan.dimensions["period"];
    assert_eq!(
        d.map("2024-02-29"),
        Ok(Mapped::Leaf(period.find("2024-02").unwrap()))
    );
    assert_eq!(d.map("2022-12-31"), Ok(Mapped::OutsidePeriod));
    let ages = Plan::parse("p.toml", BUNDLED[2]).unwrap();
    let ag = &ages.dimensions["age_group"];
    assert_eq!(
        ag.map("130"),
        Ok(Mapped::Leaf(ag.hierarchy.find("65+").unwrap()))
    );
    assert_eq!(
        ag.map("14"),
        Ok(Mapped::Leaf(ag.hierarchy.find("0-14").unwrap()))
    );
    assert!(ag.map("-1").is_err());
    assert_eq!(ages.dimensions["year"].hierarchy.len(), 4);
}

/// An edit of the bundled spec (replace `.0` by `.1`) and the key its
/// error must name.
struct KeyCase(&'static str, &'static str, &'static str);

fn err_of(edit: impl Fn(&str) -> String) -> SpecError {
    Plan::parse("p.toml", &edit(BUNDLED[1])).unwrap_err()
}

#[test]
fn bad_specs_name_the_key() {
    let e = err_of(|t| t.replace("[rule]\n", "[rule]\nbasis = 3\n"));
    assert_eq!(e.key.as_deref(), Some("rule.basis"), "{e}");
    assert!(e.to_string().contains("unknown key"), "{e}");
    let e = err_of(|t| t.replace("[rule]\n", "[rule\n"));
    assert!(e.to_string().contains("line "), "{e}");
    let e = err_of(|t| t.replace("rounding_base = 5", "rounding_base = \"five\""));
    assert!(
        e.to_string().contains("rounding_base") || e.to_string().contains("invalid type"),
        "{e}"
    );
    for KeyCase(from, to, key) in [
        KeyCase("rounding_base = 5", "rounding_base = 10", "rule.tie"),
        KeyCase("suppress = [1, 4]", "suppress = [4, 1]", "rule"),
    ] {
        let e = err_of(|t| t.replace(from, to));
        assert_eq!(e.key.as_deref(), Some(key), "{from} -> {to}: {e}");
    }
}

#[test]
fn protection_keys_are_checked() {
    let kind = |k: &str| format!("kind = \"{k}\"");
    let e = err_of(|t| t.replace("kind = \"ircc\"", &kind("gauss")));
    assert_eq!(e.key.as_deref(), Some("rule.kind"), "{e}");
    // Exact-count methods refuse a rounding base.
    let e = err_of(|t| t.replace("kind = \"ircc\"", &kind("threshold")));
    assert_eq!(e.key.as_deref(), Some("rule.rounding_base"), "{e}");
    let e = err_of(|t| t.replace("[rule]\n", "[rule]\nsingleton = false\n"));
    assert_eq!(e.key.as_deref(), Some("rule.singleton"), "{e}");
    let e = err_of(|t| {
        t.replace(
            "kind = \"ircc\"",
            "kind = \"ircc-repaired\"\nforced_publish = [\"nope:x=1\"]",
        )
    });
    assert_eq!(e.key.as_deref(), Some("rule.forced_publish"), "{e}");
    assert!(e.message.contains("no table `nope`"), "{e}");
    let ok = BUNDLED[1].replace(
        "kind = \"ircc\"",
        "kind = \"ircc-repaired\"\ncost = \"cells\"",
    );
    let plan = Plan::parse("p.toml", &ok).unwrap();
    assert_eq!(plan.protection.method, Method::IrccRepaired);
    assert_eq!(plan.protection.cost, Cost::Cells);
    // A cell named in any dimension order is named back in the table's.
    let named = |cell: &str| {
        let text = ok.replace(
            "cost = \"cells\"",
            &format!("cost = \"cells\"\nforced_publish = [\"{cell}\"]"),
        );
        let plan = Plan::parse("p.toml", &text).unwrap();
        plan.protection.forced_publish[0].name(&plan.tables, &plan.dimensions)
    };
    let canonical = "pr_province_category_month:province=ON,category=TOTAL,period=2024-03";
    assert_eq!(named(canonical), canonical);
    assert_eq!(
        named("pr_province_category_month:period=2024-03,category=TOTAL,province=ON"),
        canonical
    );
    assert_eq!(plan.rule.base(), 5);
    for KeyCase(from, to, key) in [
        KeyCase(
            "codelist = \"provinces\"",
            "codelist = \"regions\"",
            "inputs.admissions.columns.province.codelist",
        ),
        KeyCase(
            "first = \"2023-01\"",
            "first = \"2023-1\"",
            "dimensions.period.calendar.first",
        ),
        KeyCase(
            "dimensions = [\"province\", \"category\", \"period\"]",
            "dimensions = [\"province\", \"sex\"]",
            "tables[0].dimensions",
        ),
        KeyCase(
            "published = \"2026-02-15\"",
            "published = \"2026-02-30\"",
            "release.published",
        ),
        KeyCase(
            "name = \"pr-province-category-month\"",
            "name = \"PR Province\"",
            "release.name",
        ),
    ] {
        let e = err_of(|t| t.replace(from, to));
        assert_eq!(e.key.as_deref(), Some(key), "{from} -> {to}: {e}");
    }
    let e = err_of(|t| t.replace("subtotals = true", "subtotals = true\nbands = []"));
    assert!(
        e.key.as_deref().unwrap().starts_with("dimensions.category"),
        "{e}"
    );
    let e = err_of(|t| t.replace("[[tables]]", "[[tables]]\ncolour = 1"));
    assert_eq!(e.key.as_deref(), Some("tables[0].colour"), "{e}");
}
