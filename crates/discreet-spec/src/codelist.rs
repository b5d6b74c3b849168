//! Codelists: the codes a microdata column may hold, with English and French
//! labels and their groups: either in another list (immigration category ->
//! immigration class, for the built-in lists) or in the same list, to any
//! depth (country -> region -> continent, for lists read from files).
//!
//! The standard lists ship inside the binary (from `schemas/codelists/`) so
//! a release never depends on files next to the executable; a spec may
//! bring its own lists, which take precedence over built-in ones.

use std::collections::{HashMap, HashSet};
use std::fmt;

use discreet_core::Bilingual;

use crate::value::parse_year_month;

/// One code of a codelist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// The code as it appears in microdata and releases.
    pub code: String,
    /// English and French label.
    pub label: Bilingual,
    /// The group the code belongs to: a code of the parent list for
    /// built-in grouped lists, a code of the same list for nested ones.
    pub parent: Option<String>,
    /// Relative frequency, used only by the synthetic data generator.
    pub weight: Option<u64>,
    /// Publication order among its siblings (file order when absent).
    pub order: Option<i64>,
    /// First month (`YYYY-MM`) the code is valid, if declared.
    pub valid_from: Option<String>,
    /// Last month (`YYYY-MM`) the code is valid, if declared.
    pub valid_to: Option<String>,
}

/// A named list of codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codelist {
    /// Name used in specs (`countries`, `provinces`...).
    pub name: String,
    /// Name of the list the `parent` codes belong to, if grouped by another list.
    pub parent_list: Option<String>,
    /// Entries in file order.
    pub entries: Vec<CodeEntry>,
    index: HashMap<String, usize>,
    /// Codes that are the parent of another code of the same list.
    groups: HashSet<String>,
}

/// Where a codelist's `parent` codes live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parents<'a> {
    /// No groups.
    None,
    /// In column `column`, naming codes of the list `list`.
    Other {
        /// The CSV column.
        column: &'a str,
        /// The list its codes belong to.
        list: &'a str,
    },
    /// In an optional `parent` column, naming codes of the same list (any depth).
    Same,
}

/// A codelist file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodelistError {
    /// Which list.
    pub list: String,
    /// Line in the list's CSV file (1 = header), when known.
    pub line: Option<u64>,
    /// Column (1-based, with its header name), when known.
    pub column: Option<(u64, String)>,
    /// What was expected.
    pub message: String,
}

impl fmt::Display for CodelistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "codelist `{}`", self.list)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some((c, name)) = &self.column {
            write!(f, ", column {c} (`{name}`)")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CodelistError {}

/// The position of the header columns a codelist file may hold.
struct Columns {
    names: Vec<String>,
    code: usize,
    en: usize,
    fr: usize,
    weight: Option<usize>,
    parent: Option<usize>,
    order: Option<usize>,
    valid_from: Option<usize>,
    valid_to: Option<usize>,
}

impl Codelist {
    /// Parses a codelist CSV with columns `code,en,fr`, optionally `weight`,
    /// `order`, `valid_from`, `valid_to` and the parent column `parents`
    /// says.
    pub fn from_csv(
        name: &str,
        text: &str,
        parents: Parents<'_>,
    ) -> Result<Codelist, CodelistError> {
        let err =
            |line: Option<u64>, column: Option<(u64, String)>, message: String| CodelistError {
                list: name.to_string(),
                line,
                column,
                message,
            };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| err(Some(1), None, format!("unreadable header: {e}")))?
            .clone();
        let col = |h: &str| headers.iter().position(|x| x.trim() == h);
        let (Some(code), Some(en), Some(fr)) = (col("code"), col("en"), col("fr")) else {
            return Err(err(
                Some(1),
                None,
                "expected columns `code`, `en`, `fr`".into(),
            ));
        };
        let parent = match parents {
            Parents::Other { column, .. } => Some(
                col(column)
                    .ok_or_else(|| err(Some(1), None, format!("expected a `{column}` column")))?,
            ),
            Parents::Same => col("parent"),
            Parents::None => None,
        };
        let cols = Columns {
            names: headers.iter().map(|h| h.trim().to_string()).collect(),
            code,
            en,
            fr,
            weight: col("weight"),
            parent,
            order: col("order"),
            valid_from: col("valid_from"),
            valid_to: col("valid_to"),
        };
        let at = |j: usize| Some((j as u64 + 1, cols.names[j].clone()));
        let mut entries = Vec::new();
        let mut lines = Vec::new();
        let mut index = HashMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line());
                err(line, None, format!("malformed CSV: {e}"))
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let entry = read_entry(&rec, &cols).map_err(|(j, m)| err(Some(line), at(j), m))?;
            if index.insert(entry.code.clone(), entries.len()).is_some() {
                return Err(err(
                    Some(line),
                    at(code),
                    format!("code `{}` appears twice", entry.code),
                ));
            }
            entries.push(entry);
            lines.push(line);
        }
        if entries.is_empty() {
            return Err(err(None, None, "no codes".into()));
        }
        let groups = match (parents, parent) {
            (Parents::Same, Some(p)) => check_nesting(&entries, &index)
                .map_err(|(i, message)| err(Some(lines[i]), at(p), message))?,
            _ => HashSet::new(),
        };
        Ok(Codelist {
            name: name.to_string(),
            parent_list: match parents {
                Parents::Other { list, .. } => Some(list.to_string()),
                _ => None,
            },
            entries,
            index,
            groups,
        })
    }

    /// Reads a codelist file's bytes (UTF-8 CSV, parents in the same list).
    pub fn from_file_bytes(name: &str, bytes: &[u8]) -> Result<Codelist, CodelistError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_column(&bytes[..e.valid_up_to()]);
            CodelistError {
                list: name.to_string(),
                line: Some(line),
                column: Some((column, "byte".into())),
                message: "expected UTF-8 text; this byte is not".into(),
            }
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Codelist::from_csv(name, text, Parents::Same)
    }

    /// The entry for a code.
    pub fn get(&self, code: &str) -> Option<&CodeEntry> {
        self.index.get(code).map(|&i| &self.entries[i])
    }

    /// Whether microdata may hold the code: a code of the list that is no
    /// other code's group.
    pub fn contains(&self, code: &str) -> bool {
        self.index.contains_key(code) && !self.groups.contains(code)
    }

    /// Whether the list groups its own codes (any depth).
    pub fn is_nested(&self) -> bool {
        !self.groups.is_empty()
    }

    /// The number of levels: 1 for a flat list, 2 for a list grouped by
    /// another list, the depth of the deepest code for nested lists.
    pub fn levels(&self) -> usize {
        if self.parent_list.is_some() {
            return 2;
        }
        (self.entries.iter())
            .map(|e| self.ancestors(&e.code).count())
            .max()
            .unwrap_or(1)
    }

    /// The code and its groups in the same list, upwards.
    pub fn ancestors<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let nested = self.parent_list.is_none();
        std::iter::successors(self.get(code), move |e| {
            e.parent
                .as_deref()
                .filter(|_| nested)
                .and_then(|p| self.get(p))
        })
        .map(|e| e.code.as_str())
    }

    /// The entries in publication order, each after its group: groups
    /// first (depth first), siblings by `order` then file order.
    pub fn tree_order(&self) -> Vec<&CodeEntry> {
        let mut children: HashMap<Option<&str>, Vec<&CodeEntry>> = HashMap::new();
        let nested = self.parent_list.is_none();
        for e in &self.entries {
            let p = e.parent.as_deref().filter(|_| nested);
            children.entry(p).or_default().push(e);
        }
        for v in children.values_mut() {
            v.sort_by_key(|e| e.order.unwrap_or(i64::MAX));
        }
        let mut out = Vec::with_capacity(self.entries.len());
        let mut stack: Vec<&CodeEntry> = children.get(&None).cloned().unwrap_or_default();
        stack.reverse();
        while let Some(e) = stack.pop() {
            out.push(e);
            if let Some(kids) = children.get(&Some(e.code.as_str())) {
                stack.extend(kids.iter().rev());
            }
        }
        out
    }

    /// The list in the file format `code,en,fr,parent` (with `order`,
    /// `valid_from`, `valid_to` when any code has them), groups before
    /// their codes: a list grouped by another list is written as one
    /// nested list, so an analyst can start from it.
    pub fn to_csv(&self) -> String {
        let has = |f: fn(&CodeEntry) -> bool| self.entries.iter().any(f);
        let (order, from, to) = (
            has(|e| e.order.is_some()),
            has(|e| e.valid_from.is_some()),
            has(|e| e.valid_to.is_some()),
        );
        let mut header = vec!["code", "en", "fr", "parent"];
        header.extend(order.then_some("order"));
        header.extend(from.then_some("valid_from"));
        header.extend(to.then_some("valid_to"));
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).expect("writes to memory");
        let groups = self.parent_list.as_deref().and_then(builtin);
        let group_entries = groups.iter().flat_map(|g| g.tree_order());
        for e in group_entries.chain(self.tree_order()) {
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            let mut rec = vec![
                e.code.clone(),
                e.label.en.clone(),
                e.label.fr.clone(),
                opt(&e.parent),
            ];
            if order {
                rec.push(e.order.map(|o| o.to_string()).unwrap_or_default());
            }
            if from {
                rec.push(opt(&e.valid_from));
            }
            if to {
                rec.push(opt(&e.valid_to));
            }
            w.write_record(&rec).expect("writes to memory");
        }
        String::from_utf8(w.into_inner().expect("writes to memory")).expect("UTF-8 in, UTF-8 out")
    }
}

/// One record of a codelist file; `Err` names the faulty column's index.
fn read_entry(rec: &csv::StringRecord, c: &Columns) -> Result<CodeEntry, (usize, String)> {
    let get = |j: usize| rec.get(j).unwrap_or("").trim().to_string();
    let opt = |j: Option<usize>| j.map(get).filter(|v| !v.is_empty());
    let code = get(c.code);
    if code.is_empty() {
        return Err((c.code, "empty code".into()));
    }
    let label = Bilingual::new(get(c.en), get(c.fr));
    for (j, text) in [(c.en, &label.en), (c.fr, &label.fr)] {
        if text.is_empty() {
            return Err((
                j,
                format!("code `{code}` needs both `en` and `fr` labels; this one is empty"),
            ));
        }
    }
    let weight = match c.weight {
        Some(w) => Some(
            get(w)
                .parse::<u64>()
                .map_err(|_| (w, "`weight` must be a non-negative integer".to_string()))?,
        ),
        None => None,
    };
    let order = match opt(c.order) {
        Some(o) => Some(o.parse::<i64>().map_err(|_| {
            (
                c.order.unwrap_or(0),
                "`order` must be an integer".to_string(),
            )
        })?),
        None => None,
    };
    let valid_from = opt(c.valid_from);
    let valid_to = opt(c.valid_to);
    for (j, v) in [(c.valid_from, &valid_from), (c.valid_to, &valid_to)] {
        if v.as_deref().is_some_and(|v| parse_year_month(v).is_none()) {
            return Err((j.unwrap_or(0), "expected a month YYYY-MM".into()));
        }
    }
    if let (Some(a), Some(b)) = (&valid_from, &valid_to) {
        if a > b {
            return Err((
                c.valid_to.unwrap_or(0),
                format!("`valid_to` {b} is before `valid_from` {a}"),
            ));
        }
    }
    Ok(CodeEntry {
        code,
        label,
        parent: opt(c.parent),
        weight,
        order,
        valid_from,
        valid_to,
    })
}

/// Checks that every parent of a nested list is a code of the list and
/// that following parents always ends at a top-level code; returns the
/// codes that are groups, or the entry at fault with the reason.
fn check_nesting(
    entries: &[CodeEntry],
    index: &HashMap<String, usize>,
) -> Result<HashSet<String>, (usize, String)> {
    let mut groups = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(p) = &e.parent {
            if !index.contains_key(p) {
                return Err((
                    i,
                    format!(
                        "code `{}` names parent `{p}`, which is not a code of this list",
                        e.code
                    ),
                ));
            }
            groups.insert(p.clone());
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let mut at = e;
        for _ in 0..=entries.len() {
            match &at.parent {
                None => break,
                Some(p) => at = &entries[index[p]],
            }
        }
        if at.parent.is_some() {
            return Err((
                i,
                format!(
                    "code `{}` is its own ancestor: its parents form a cycle",
                    e.code
                ),
            ));
        }
    }
    Ok(groups)
}

/// The 1-based line and column (in characters) just after `before`.
pub(crate) fn line_column(before: &[u8]) -> (u64, u64) {
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() as u64 + 1;
    (line, column)
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
    let (text, parents) = match name {
        "countries" => (
            include_str!("../../../schemas/codelists/countries.csv"),
            Parents::None,
        ),
        "provinces" => (
            include_str!("../../../schemas/codelists/provinces.csv"),
            Parents::None,
        ),
        "immigration_categories" => (
            include_str!("../../../schemas/codelists/immigration_categories.csv"),
            Parents::Other {
                column: "class",
                list: "immigration_classes",
            },
        ),
        "immigration_classes" => (
            include_str!("../../../schemas/codelists/immigration_classes.csv"),
            Parents::None,
        ),
        "genders" => (
            include_str!("../../../schemas/codelists/genders.csv"),
            Parents::None,
        ),
        "months" => (
            include_str!("../../../schemas/codelists/months.csv"),
            Parents::None,
        ),
        "quarters" => (
            include_str!("../../../schemas/codelists/quarters.csv"),
            Parents::None,
        ),
        "permit_types" => (
            include_str!("../../../schemas/codelists/permit_types.csv"),
            Parents::Other {
                column: "class",
                list: "permit_classes",
            },
        ),
        "permit_classes" => (
            include_str!("../../../schemas/codelists/permit_classes.csv"),
            Parents::None,
        ),
        "study_levels" => (
            include_str!("../../../schemas/codelists/study_levels.csv"),
            Parents::None,
        ),
        _ => return None,
    };
    // The shipped files are checked by the tests below, so a failure here is
    // a build defect, not a user error.
    Some(Codelist::from_csv(name, text, parents).expect("built-in codelist is valid"))
}

#[cfg(test)]
mod tests;
