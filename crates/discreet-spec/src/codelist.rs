//! Codelists: the codes a microdata column may hold, with English and French
//! labels and, for grouped lists, the parent code in another list
//! (immigration category -> immigration class).
//!
//! The standard lists ship inside the binary (from `schemas/codelists/`) so
//! a release never depends on files next to the executable.

use std::collections::HashMap;
use std::fmt;

use discreet_core::Bilingual;

/// One code of a codelist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// The code as it appears in microdata and releases.
    pub code: String,
    /// English and French label.
    pub label: Bilingual,
    /// Code in the parent list, for grouped lists.
    pub parent: Option<String>,
    /// Relative frequency, used only by the synthetic data generator.
    pub weight: Option<u64>,
}

/// A named list of codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codelist {
    /// Name used in specs (`countries`, `provinces`...).
    pub name: String,
    /// Name of the list the `parent` codes belong to, if grouped.
    pub parent_list: Option<String>,
    /// Entries in file order.
    pub entries: Vec<CodeEntry>,
    index: HashMap<String, usize>,
}

/// A codelist file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodelistError {
    /// Which list.
    pub list: String,
    /// Line in the list's CSV file (1 = header), when known.
    pub line: Option<u64>,
    /// What was expected.
    pub message: String,
}

impl fmt::Display for CodelistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "codelist `{}`, line {l}: {}", self.list, self.message),
            None => write!(f, "codelist `{}`: {}", self.list, self.message),
        }
    }
}

impl std::error::Error for CodelistError {}

impl Codelist {
    /// Parses a codelist CSV with columns `code,en,fr` and optionally
    /// `weight` and a parent column named `parent_column`.
    pub fn from_csv(
        name: &str,
        text: &str,
        parent_column: Option<(&str, &str)>,
    ) -> Result<Codelist, CodelistError> {
        let err = |line: Option<u64>, message: String| CodelistError {
            list: name.to_string(),
            line,
            message,
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| err(Some(1), format!("unreadable header: {e}")))?
            .clone();
        let col = |h: &str| headers.iter().position(|x| x == h);
        let (Some(ci), Some(ei), Some(fi)) = (col("code"), col("en"), col("fr")) else {
            return Err(err(Some(1), "expected columns `code`, `en`, `fr`".into()));
        };
        let wi = col("weight");
        let pi = match parent_column {
            Some((c, _)) => {
                Some(col(c).ok_or_else(|| err(Some(1), format!("expected a `{c}` column")))?)
            }
            None => None,
        };
        let mut entries = Vec::new();
        let mut index = HashMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|e| err(Some(line), format!("malformed CSV: {e}")))?;
            let get = |j: usize| rec.get(j).unwrap_or("").trim().to_string();
            let code = get(ci);
            if code.is_empty() {
                return Err(err(Some(line), "empty code".into()));
            }
            let label = Bilingual::new(get(ei), get(fi));
            if label.is_incomplete() {
                return Err(err(
                    Some(line),
                    format!("code `{code}` needs both `en` and `fr` labels"),
                ));
            }
            let weight = match wi {
                Some(w) => Some(get(w).parse::<u64>().map_err(|_| {
                    err(Some(line), "`weight` must be a non-negative integer".into())
                })?),
                None => None,
            };
            let parent = pi.map(&get);
            if parent.as_deref() == Some("") {
                return Err(err(
                    Some(line),
                    format!("code `{code}` has an empty parent"),
                ));
            }
            if index.insert(code.clone(), entries.len()).is_some() {
                return Err(err(Some(line), format!("code `{code}` appears twice")));
            }
            entries.push(CodeEntry {
                code,
                label,
                parent,
                weight,
            });
        }
        if entries.is_empty() {
            return Err(err(None, "no codes".into()));
        }
        Ok(Codelist {
            name: name.to_string(),
            parent_list: parent_column.map(|(_, l)| l.to_string()),
            entries,
            index,
        })
    }

    /// The entry for a code.
    pub fn get(&self, code: &str) -> Option<&CodeEntry> {
        self.index.get(code).map(|&i| &self.entries[i])
    }

    /// Whether the list holds the code.
    pub fn contains(&self, code: &str) -> bool {
        self.index.contains_key(code)
    }
}

/// The codelists that ship with discreet, by name.
pub const BUILTIN_NAMES: &[&str] = &[
    "countries",
    "provinces",
    "immigration_categories",
    "immigration_classes",
    "genders",
    "months",
    "quarters",
    "permit_types",
    "permit_classes",
    "study_levels",
];

/// Loads a built-in codelist by name (see [`BUILTIN_NAMES`]).
pub fn builtin(name: &str) -> Option<Codelist> {
    let (text, parent) = match name {
        "countries" => (
            include_str!("../../../schemas/codelists/countries.csv"),
            None,
        ),
        "provinces" => (
            include_str!("../../../schemas/codelists/provinces.csv"),
            None,
        ),
        "immigration_categories" => (
            include_str!("../../../schemas/codelists/immigration_categories.csv"),
            Some(("class", "immigration_classes")),
        ),
        "immigration_classes" => (
            include_str!("../../../schemas/codelists/immigration_classes.csv"),
            None,
        ),
        "genders" => (include_str!("../../../schemas/codelists/genders.csv"), None),
        "months" => (include_str!("../../../schemas/codelists/months.csv"), None),
        "quarters" => (
            include_str!("../../../schemas/codelists/quarters.csv"),
            None,
        ),
        "permit_types" => (
            include_str!("../../../schemas/codelists/permit_types.csv"),
            Some(("class", "permit_classes")),
        ),
        "permit_classes" => (
            include_str!("../../../schemas/codelists/permit_classes.csv"),
            None,
        ),
        "study_levels" => (
            include_str!("../../../schemas/codelists/study_levels.csv"),
            None,
        ),
        _ => return None,
    };
    // The shipped files are checked by the tests below, so a failure here is
    // a build defect, not a user error.
    Some(Codelist::from_csv(name, text, parent).expect("built-in codelist is valid"))
}

#[cfg(test)]
mod tests {
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
        let e = Codelist::from_csv("x", "code,en,fr\nA,a,a\nA,b,b\n", None).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("appears twice"));
        let e = Codelist::from_csv("x", "code,en,fr\nA,a,\n", None).unwrap_err();
        assert!(e.to_string().contains("line 2"));
        let e = Codelist::from_csv("x", "code,en\nA,a\n", None).unwrap_err();
        assert!(e.to_string().contains("expected columns"));
        assert!(Codelist::from_csv("x", "code,en,fr\n", None).is_err());
    }
}
