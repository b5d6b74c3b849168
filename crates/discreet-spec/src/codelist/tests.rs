use super::*;

#[test]
fn builtins_load_and_groups_resolve() {
    for name in BUILTIN_NAMES {
        let list = builtin(name).unwrap();
        assert!(!list.entries.is_empty(), "{name}");
        if let Some(parent) = &list.parent_list {
            let p = builtin(parent).unwrap();
            for e in &list.entries {
                assert!(
                    p.contains(e.parent.as_deref().unwrap()),
                    "{name}: {}",
                    e.code
                );
            }
        }
    }
    let countries = builtin("countries").unwrap();
    assert!(countries.entries.len() >= 190);
    assert!(countries.entries.iter().all(|e| e.weight.unwrap_or(0) >= 1));
    let provinces = builtin("provinces").unwrap();
    let codes: Vec<&str> = provinces.entries.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        ["NL", "PE", "NS", "NB", "QC", "ON", "MB", "SK", "AB", "BC", "YT", "NT", "NU", "XX"]
    );
    assert_eq!(
        builtin("months").unwrap().get("02").unwrap().label.fr,
        "fév."
    );
    assert!(builtin("nope").is_none());

    let types = builtin("permit_types").unwrap();
    let codes: Vec<(&str, &str)> = types
        .entries
        .iter()
        .map(|e| (e.code.as_str(), e.parent.as_deref().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("study", "study_permit"),
            ("tfwp", "work_permit"),
            ("imp", "work_permit")
        ]
    );
    assert_eq!(types.parent_list.as_deref(), Some("permit_classes"));
    assert_eq!(
        types.get("tfwp").unwrap().label.fr,
        "Programme des travailleurs étrangers temporaires"
    );
    let levels = builtin("study_levels").unwrap();
    let codes: Vec<&str> = levels.entries.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "secondary_or_less",
            "post_secondary",
            "other_studies",
            "not_stated"
        ]
    );
    assert_eq!(
        levels.get("post_secondary").unwrap().label.en,
        "Post Secondary"
    );
    assert!(levels.parent_list.is_none());
}

#[test]
fn bad_codelists_name_the_line() {
    let e = Codelist::from_csv("x", "code,en,fr\nA,a,a\nA,b,b\n", Parents::None).unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.to_string().contains("appears twice"));
    let e = Codelist::from_csv("x", "code,en,fr\nA,a,\n", Parents::None).unwrap_err();
    assert!(e.to_string().contains("line 2"));
    let e = Codelist::from_csv("x", "code,en\nA,a\n", Parents::None).unwrap_err();
    assert!(e.to_string().contains("expected columns"));
    assert!(Codelist::from_csv("x", "code,en,fr\n", Parents::None).is_err());
}

const WORLD: &str = "code,en,fr,parent,order\n\
EARTH,Earth,Terre,,\n\
AME,Americas,Amériques,EARTH,2\n\
EUR,Europe,Europe,EARTH,1\n\
NAM,North America,Amérique du Nord,AME,\n\
USA,United States,États-Unis,NAM,\n\
FRA,France,France,EUR,\n\
MEX,Mexico,Mexique,NAM,\n\
BRA,Brazil,Brésil,AME,\n";

#[test]
fn nested_files_hold_any_depth() {
    let l = Codelist::from_file_bytes("world", WORLD.as_bytes()).unwrap();
    assert!(l.is_nested());
    assert_eq!(l.levels(), 4);
    assert!(l.contains("USA") && l.contains("BRA"));
    assert!(!l.contains("NAM") && !l.contains("EARTH"));
    assert!(l.get("NAM").is_some());
    let order: Vec<&str> = l.tree_order().iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        order,
        ["EARTH", "EUR", "FRA", "AME", "NAM", "USA", "MEX", "BRA"]
    );
    let up: Vec<&str> = l.ancestors("MEX").collect();
    assert_eq!(up, ["MEX", "NAM", "AME", "EARTH"]);
    // The file format round-trips.
    let again = Codelist::from_file_bytes("world", l.to_csv().as_bytes()).unwrap();
    assert_eq!(again.tree_order(), l.tree_order());
}

#[test]
fn builtin_lists_print_in_the_file_format() {
    let cats = builtin("immigration_categories").unwrap();
    let text = cats.to_csv();
    assert!(text.starts_with("code,en,fr,parent\n"));
    let nested = Codelist::from_file_bytes("c", text.as_bytes()).unwrap();
    assert_eq!(nested.levels(), 2);
    assert_eq!(nested.get("FSW").unwrap().parent.as_deref(), Some("ECO"));
    for e in &cats.entries {
        assert!(nested.contains(&e.code));
    }
    let flat = builtin("provinces").unwrap();
    let back = Codelist::from_file_bytes("p", flat.to_csv().as_bytes()).unwrap();
    assert_eq!(back.levels(), 1);
    assert_eq!(back.entries.len(), flat.entries.len());
}

#[test]
fn bad_files_name_line_and_column() {
    let bad = |text: &[u8]| {
        Codelist::from_file_bytes("w", text)
            .unwrap_err()
            .to_string()
    };
    let e = bad(b"code,en,fr,parent\nA,a,a,\nB,b,b,A\nB,c,c,A\n");
    assert!(
        e.contains("line 4, column 1 (`code`)") && e.contains("twice"),
        "{e}"
    );
    let e = bad(b"code,en,fr,parent\nA,a,a,\nB,b,b,Z\n");
    assert!(
        e.contains("line 3, column 4 (`parent`)") && e.contains("`Z`"),
        "{e}"
    );
    let e = bad(b"code,en,fr,parent\nA,a,a,\nB,b,b,C\nC,c,c,B\n");
    assert!(e.contains("line 3, column 4") && e.contains("cycle"), "{e}");
    let e = bad(b"code,en,fr,parent\nA,a,a,A\n");
    assert!(e.contains("line 2, column 4") && e.contains("cycle"), "{e}");
    let e = bad(b"code,en,fr,parent\nA,a,,\n");
    assert!(e.contains("line 2, column 3 (`fr`)"), "{e}");
    let e = bad(b"code,en,fr,parent\nA,,a,\n");
    assert!(e.contains("line 2, column 2 (`en`)"), "{e}");
    let e = bad(b"code,en,fr,parent\nA,a,a,\nB,\xe9t\xe9,b,A\n");
    assert!(e.contains("line 3, column 3") && e.contains("UTF-8"), "{e}");
    let e = bad(b"code,en,fr,parent,valid_from\nA,a,a,,2024-13\n");
    assert!(e.contains("column 5 (`valid_from`)"), "{e}");
}
