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

/// A folder with the citizenship spec reading its countries from `list`
/// (a nested codelist file), with `dimension` lines added to the
/// citizenship dimension.
fn own_codelist_plan(list: &str, dimension: &str) -> Result<Plan, SpecError> {
    let dir = std::env::temp_dir().join(format!(
        "discreet-spec-{}-{}",
        std::process::id(),
        sha256_hex(format!("{list}{dimension}").as_bytes())
    ));
    std::fs::create_dir_all(dir.join("lists")).unwrap();
    std::fs::write(dir.join("lists/world.csv"), list).unwrap();
    let text = BUNDLED[0]
        .replace("codelist = \"countries\"", "codelist = \"world\"")
        .replace(
            "[dimensions.country]\n",
            &format!("[dimensions.country]\n{dimension}"),
        )
        + "\n[codelists.world]\npath = \"lists/world.csv\"\n";
    let spec = dir.join("spec.toml");
    std::fs::write(&spec, &text).unwrap();
    let plan = Plan::load(&spec);
    std::fs::remove_dir_all(&dir).unwrap();
    plan
}

const WORLD: &str = "code,en,fr,parent\n\
EARTH,Earth,Terre,\n\
AME,Americas,Amériques,EARTH\n\
NAM,North America,Amérique du Nord,AME\n\
USA,United States,États-Unis,NAM\n\
MEX,Mexico,Mexique,NAM\n\
BRA,Brazil,Brésil,AME\n\
EUR,Europe,Europe,EARTH\n\
FRA,France,France,EUR\n";

#[test]
fn own_codelists_nest_to_any_depth_and_choose_levels() {
    let plan = own_codelist_plan(WORLD, "subtotals = true\n").unwrap();
    let d = &plan.dimensions["country"];
    let h = &d.hierarchy;
    let mex = h.find("MEX").unwrap();
    let chain: Vec<&str> = h.ancestors(mex).map(|n| h.node(n).code.as_str()).collect();
    assert_eq!(chain, ["MEX", "NAM", "AME", "EARTH", "TOTAL"]);
    assert_eq!(h.leaves().len(), 4);
    assert_eq!(h.node(h.find("NAM").unwrap()).level, "world_3");
    assert_eq!(d.map("MEX"), Ok(Mapped::Leaf(mex)));
    assert!(plan
        .column_codelist("admissions", "country_of_citizenship")
        .unwrap()
        .contains("FRA"));
    assert_eq!(plan.files.len(), 1);
    assert_eq!(plan.files[0].release_name, "codes-world.csv");
    assert_eq!(plan.files[0].bytes, WORLD.as_bytes());

    // Without subtotals the codes sit flat under the total.
    let flat = own_codelist_plan(WORLD, "").unwrap();
    assert_eq!(flat.dimensions["country"].hierarchy.len(), 5);

    // Only the continents and the countries: North America's codes hang
    // under the Americas.
    let some = own_codelist_plan(
        WORLD,
        "subtotals = true\nlevels = [\"world_2\", \"country\"]\n",
    )
    .unwrap();
    let h = &some.dimensions["country"].hierarchy;
    let mex = h.find("MEX").unwrap();
    let chain: Vec<&str> = h.ancestors(mex).map(|n| h.node(n).code.as_str()).collect();
    assert_eq!(chain, ["MEX", "AME", "TOTAL"]);
    assert!(h.find("NAM").is_none() && h.find("EARTH").is_none());

    // Only the continents: every country counts in its continent.
    let top = own_codelist_plan(WORLD, "subtotals = true\nlevels = [\"world_2\"]\n").unwrap();
    let d = &top.dimensions["country"];
    assert_eq!(d.hierarchy.leaves().len(), 2);
    assert_eq!(
        d.map("MEX"),
        Ok(Mapped::Leaf(d.hierarchy.find("AME").unwrap()))
    );
    assert_eq!(
        d.map("FRA"),
        Ok(Mapped::Leaf(d.hierarchy.find("EUR").unwrap()))
    );

    let e = own_codelist_plan(WORLD, "subtotals = true\nlevels = [\"region\"]\n").unwrap_err();
    assert!(e.to_string().contains("unknown level `region`"), "{e}");
    let e = own_codelist_plan(WORLD, "levels = [\"world_2\"]\n").unwrap_err();
    assert!(e.to_string().contains("subtotals = true"), "{e}");
}

#[test]
fn own_codelist_errors_name_the_codelist_file() {
    let e = own_codelist_plan("code,en,fr,parent\nA,a,a,\nB,b,b,Q\n", "").unwrap_err();
    assert!(e.file.ends_with("world.csv"), "{e}");
    assert!(e.to_string().contains("line 3, column 4 (`parent`)"), "{e}");
}
