//! A checked spec: every reference resolved, every hierarchy built, the
//! rule constructed. Nothing downstream has to re-check the spec.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use discreet_core::{
    Bilingual, Hierarchy, HierarchyBuilder, IrccRule, MarginKind, NodeId, TieRule, ZeroDisplay,
};
use sha2::{Digest, Sha256};

use crate::codelist::{self, Codelist};
use crate::model::{BandSpec, CalendarSpec, ColumnType, DimensionSpec, InputFormat, Spec, Text};
use crate::protection::{build_protection, method_of, Protection};
use crate::value::{parse_date, parse_integer, parse_year_month};

/// A spec that cannot be used: which file, which key, what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file.
    pub file: String,
    /// The dotted key (`dimensions.period.calendar.first`), when known.
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "spec {}: key `{k}`: {}", self.file, self.message),
            None => write!(f, "spec {}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for SpecError {}

/// How raw values of a dimension's column map to the leaves of its hierarchy.
#[derive(Debug, Clone)]
pub enum LeafMapper {
    /// Codes map to the leaf with the same code.
    Codes,
    /// Dates map to their month, quarter or year, inside the published period.
    Calendar {
        /// `month`, `quarter` or `year`.
        finest: Finest,
        /// First published month (year, month).
        first: (i32, u32),
        /// Last published month (year, month).
        last: (i32, u32),
    },
    /// Integers map to the band that holds them.
    Bands(Vec<(i64, Option<i64>, String)>),
}

/// Finest level of a calendar dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finest {
    /// Months.
    Month,
    /// Quarters.
    Quarter,
    /// Years.
    Year,
}

/// Where a raw value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// Into this leaf.
    Leaf(NodeId),
    /// Outside the published period: not counted in this table.
    OutsidePeriod,
}

/// A dimension with its built hierarchy.
#[derive(Debug, Clone)]
pub struct Dimension {
    /// Dimension name (column prefix in releases).
    pub name: String,
    /// The spec it came from.
    pub spec: DimensionSpec,
    /// Its tree of codes.
    pub hierarchy: Hierarchy,
    /// How raw values map to leaves.
    pub mapper: LeafMapper,
}

impl Dimension {
    /// Maps one raw value (already checked against the column type) to a
    /// leaf; `Err` says what was expected when it maps nowhere.
    pub fn map(&self, raw: &str) -> Result<Mapped, String> {
        match &self.mapper {
            LeafMapper::Codes => match self.hierarchy.find(raw) {
                Some(id) if self.hierarchy.is_leaf(id) => Ok(Mapped::Leaf(id)),
                _ => Err(format!("a code of dimension `{}`", self.name)),
            },
            LeafMapper::Calendar {
                finest,
                first,
                last,
            } => {
                let d = parse_date(raw).ok_or("a date YYYY-MM-DD")?;
                if (d.year, d.month) < *first || (d.year, d.month) > *last {
                    return Ok(Mapped::OutsidePeriod);
                }
                let code = match finest {
                    Finest::Month => month_code(d.year, d.month),
                    Finest::Quarter => quarter_code(d.year, d.month),
                    Finest::Year => d.year.to_string(),
                };
                Ok(Mapped::Leaf(
                    self.hierarchy.find(&code).expect("calendar leaf exists"),
                ))
            }
            LeafMapper::Bands(bands) => {
                let n = parse_integer(raw).ok_or("an integer")?;
                for (min, max, code) in bands {
                    if n >= *min && max.is_none_or(|m| n <= m) {
                        return Ok(Mapped::Leaf(
                            self.hierarchy.find(code).expect("band leaf exists"),
                        ));
                    }
                }
                Err(format!(
                    "a value inside one of the bands of dimension `{}`",
                    self.name
                ))
            }
        }
    }
}

fn month_code(y: i32, m: u32) -> String {
    format!("{y:04}-{m:02}")
}
fn quarter_code(y: i32, m: u32) -> String {
    format!("{y:04}-Q{}", (m - 1) / 3 + 1)
}

/// A table to publish, with its resolved dimensions.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// Table name.
    pub name: String,
    /// Input name.
    pub input: String,
    /// Dimension names, outermost first.
    pub dimensions: Vec<String>,
    /// Title.
    pub title: Bilingual,
    /// Description.
    pub description: Bilingual,
    /// For counts of holders: the column whose distinct values are counted.
    pub count_distinct: Option<String>,
    /// Rows counted: each column holds one of its listed values.
    pub filter: Vec<(String, Vec<String>)>,
}

impl TablePlan {
    /// How the table's margins relate to their parts.
    pub fn margins(&self) -> MarginKind {
        if self.count_distinct.is_some() {
            MarginKind::Distinct
        } else {
            MarginKind::Additive
        }
    }
}

/// A checked spec, ready to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The spec file as read.
    pub source_name: String,
    /// The exact text of the spec (copied into releases).
    pub spec_text: String,
    /// SHA-256 of the spec text, lowercase hex.
    pub spec_sha256: String,
    /// The parsed spec.
    pub spec: Spec,
    /// The rule each cell is shown by.
    pub rule: IrccRule,
    /// The protection method (the rule alone, or with secondary suppression).
    pub protection: Protection,
    /// Dimensions by name.
    pub dimensions: BTreeMap<String, Dimension>,
    /// Codelists used by input columns, by name.
    pub codelists: BTreeMap<String, Codelist>,
    /// Tables in release order.
    pub tables: Vec<TablePlan>,
}

/// Lowercase hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_file_safe(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl Plan {
    /// Reads and checks a spec file.
    pub fn load(path: &Path) -> Result<Plan, SpecError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| SpecError {
            file: file.clone(),
            key: None,
            message: format!("cannot read the spec: {e}"),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| SpecError {
            file: file.clone(),
            key: None,
            message: format!(
                "expected UTF-8 text; invalid byte at offset {}",
                e.utf8_error().valid_up_to()
            ),
        })?;
        Plan::parse(&file, &text)
    }

    /// Parses and checks spec text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Plan, SpecError> {
        let err = |key: &str, message: String| SpecError {
            file: file.to_string(),
            key: Some(key.to_string()),
            message,
        };
        let doc: toml::Value = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        crate::schema::check(&doc).map_err(|(key, message)| SpecError {
            file: file.to_string(),
            key: Some(key),
            message,
        })?;
        let spec: Spec = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;

        check_name(&spec.release.name).map_err(|m| err("release.name", m))?;
        if parse_date(&spec.release.published).is_none() {
            return Err(err(
                "release.published",
                "expected a date YYYY-MM-DD".into(),
            ));
        }
        if spec
            .release
            .final_through
            .as_deref()
            .is_some_and(|f| parse_year_month(f).is_none())
        {
            return Err(err(
                "release.final_through",
                "expected a month YYYY-MM".into(),
            ));
        }
        check_text(&spec.release.title).map_err(|m| err("release.title", m))?;
        check_text(&spec.release.description).map_err(|m| err("release.description", m))?;

        let rule = build_rule(&spec).map_err(|(k, m)| err(&k, m))?;

        // Inputs and the codelists their columns name.
        let mut codelists = BTreeMap::new();
        if spec.inputs.is_empty() {
            return Err(err("inputs", "expected at least one input".into()));
        }
        for (iname, input) in &spec.inputs {
            check_name(iname).map_err(|m| err(&format!("inputs.{iname}"), m))?;
            if input.path.trim().is_empty() {
                return Err(err(
                    &format!("inputs.{iname}.path"),
                    "expected a file path".into(),
                ));
            }
            if let Some(d) = &input.delimiter {
                if d.len() != 1 || !d.is_ascii() || d == "\"" || d == "\n" {
                    return Err(err(
                        &format!("inputs.{iname}.delimiter"),
                        "expected one ASCII character other than a quote or newline".into(),
                    ));
                }
            }
            if input.columns.is_empty() {
                return Err(err(
                    &format!("inputs.{iname}.columns"),
                    "expected at least one column".into(),
                ));
            }
            if let Some(c) = &input.count_column {
                match input.columns.get(c) {
                    Some(col) if col.kind == ColumnType::Integer && !col.nullable => {}
                    _ => {
                        return Err(err(
                            &format!("inputs.{iname}.count_column"),
                            format!(
                                "expected a declared, non-nullable `integer` column, found `{c}`"
                            ),
                        ))
                    }
                }
            }
            for (cname, col) in &input.columns {
                let key = format!("inputs.{iname}.columns.{cname}");
                match (col.kind, &col.codelist) {
                    (ColumnType::Code, Some(list)) => {
                        let cl = codelist::builtin(list).ok_or_else(|| {
                            err(
                                &format!("{key}.codelist"),
                                format!(
                                    "unknown codelist `{list}`; expected one of {}",
                                    codelist::BUILTIN_NAMES.join(", ")
                                ),
                            )
                        })?;
                        if let Some(parent) = &cl.parent_list {
                            codelists.insert(
                                parent.clone(),
                                codelist::builtin(parent).expect("parent list is built in"),
                            );
                        }
                        codelists.insert(list.clone(), cl);
                    }
                    (ColumnType::Code, None) => {
                        return Err(err(&key, "a `code` column needs a `codelist`".into()))
                    }
                    (_, Some(_)) => {
                        return Err(err(
                            &format!("{key}.codelist"),
                            "only `code` columns take a codelist".into(),
                        ))
                    }
                    _ => {}
                }
                if (col.min.is_some() || col.max.is_some()) && col.kind != ColumnType::Integer {
                    return Err(err(
                        &key,
                        "`min`/`max` apply only to `integer` columns".into(),
                    ));
                }
                if let (Some(a), Some(b)) = (col.min, col.max) {
                    if a > b {
                        return Err(err(&key, format!("`min` {a} is above `max` {b}")));
                    }
                }
            }
        }

        // Dimensions, whose columns are checked per table (a dimension may serve tables of several inputs).
        let mut dimensions = BTreeMap::new();
        for (dname, d) in &spec.dimensions {
            let key = format!("dimensions.{dname}");
            check_name(dname).map_err(|m| err(&key, m))?;
            check_text(&d.label).map_err(|m| err(&format!("{key}.label"), m))?;
            let kind = column_kind(&spec, &d.column).ok_or_else(|| {
                err(
                    &format!("{key}.column"),
                    format!("column `{}` is not declared by any input", d.column),
                )
            })?;
            let dim = build_dimension(dname, d, kind, &spec, &codelists)
                .map_err(|(k, m)| err(&format!("{key}{k}"), m))?;
            dimensions.insert(dname.clone(), dim);
        }

        if spec.tables.is_empty() {
            return Err(err("tables", "expected at least one table".into()));
        }
        let mut tables = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, t) in spec.tables.iter().enumerate() {
            let key = format!("tables[{i}]");
            check_name(&t.name).map_err(|m| err(&format!("{key}.name"), m))?;
            if !seen.insert(t.name.clone()) {
                return Err(err(
                    &format!("{key}.name"),
                    format!("table `{}` is declared twice", t.name),
                ));
            }
            let input = spec.inputs.get(&t.input).ok_or_else(|| {
                err(
                    &format!("{key}.input"),
                    format!(
                        "unknown input `{}`; expected one of {}",
                        t.input,
                        spec.inputs.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            if t.dimensions.is_empty() {
                return Err(err(
                    &format!("{key}.dimensions"),
                    "expected at least one dimension".into(),
                ));
            }
            let mut cols = std::collections::HashSet::new();
            for dn in &t.dimensions {
                let d = dimensions.get(dn).ok_or_else(|| {
                    err(
                        &format!("{key}.dimensions"),
                        format!("unknown dimension `{dn}`"),
                    )
                })?;
                if !input.columns.contains_key(&d.spec.column) {
                    return Err(err(
                        &format!("{key}.dimensions"),
                        format!(
                            "dimension `{dn}` uses column `{}`, which input `{}` does not declare",
                            d.spec.column, t.input
                        ),
                    ));
                }
                if !cols.insert(d.spec.column.clone()) {
                    return Err(err(
                        &format!("{key}.dimensions"),
                        format!("dimension `{dn}` uses column `{}`, which another dimension of this table already uses", d.spec.column),
                    ));
                }
            }
            check_text(&t.title).map_err(|m| err(&format!("{key}.title"), m))?;
            check_text(&t.description).map_err(|m| err(&format!("{key}.description"), m))?;
            for (c, values) in &t.filter {
                let fkey = format!("{key}.filter.{c}");
                let col = input.columns.get(c).ok_or_else(|| {
                    err(
                        &fkey,
                        format!("column `{c}` is not declared by input `{}`", t.input),
                    )
                })?;
                if values.is_empty() {
                    return Err(err(&fkey, "expected at least one value".into()));
                }
                if let Some((name, list)) = col
                    .codelist
                    .as_ref()
                    .and_then(|l| codelists.get(l).map(|c| (l, c)))
                {
                    if let Some(v) = values.iter().find(|v| !list.contains(v)) {
                        return Err(err(
                            &fkey,
                            format!("`{v}` is not a code of codelist `{name}`"),
                        ));
                    }
                }
            }
            if let Some(c) = &t.count_distinct {
                let col = input.columns.get(c).ok_or_else(|| {
                    err(
                        &format!("{key}.count_distinct"),
                        format!("column `{c}` is not declared by input `{}`", t.input),
                    )
                })?;
                if cols.contains(c) {
                    return Err(err(
                        &format!("{key}.count_distinct"),
                        format!("column `{c}` is a dimension of this table; count the distinct values of another column"),
                    ));
                }
                if !matches!(col.kind, ColumnType::String | ColumnType::Code) || col.nullable {
                    return Err(err(
                        &format!("{key}.count_distinct"),
                        format!("column `{c}` must be a non-nullable `string` or `code` column (an identifier)"),
                    ));
                }
                if input.count_column.is_some() {
                    return Err(err(
                        &format!("{key}.count_distinct"),
                        format!("input `{}` is pre-aggregated (`count_column`); distinct values cannot be counted from it", t.input),
                    ));
                }
            }
            tables.push(TablePlan {
                name: t.name.clone(),
                input: t.input.clone(),
                dimensions: t.dimensions.clone(),
                title: bi(&t.title),
                description: bi(&t.description),
                count_distinct: t.count_distinct.clone(),
                filter: t.filter.clone().into_iter().collect(),
            });
        }
        let protection =
            build_protection(&spec.rule, &tables, &dimensions).map_err(|(k, m)| err(&k, m))?;

        Ok(Plan {
            source_name: file.to_string(),
            spec_text: text.to_string(),
            spec_sha256: sha256_hex(text.as_bytes()),
            spec,
            rule,
            protection,
            dimensions,
            codelists,
            tables,
        })
    }

    /// The format of an input file: from its extension when it has a known
    /// one (so `--input NAME=file.parquet` works with a spec written for
    /// CSV), else as declared in the spec.
    pub fn input_format(&self, input: &str, path: &Path) -> Option<InputFormat> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("csv") => Some(InputFormat::Csv),
            Some("parquet") => Some(InputFormat::Parquet),
            _ => self.spec.inputs.get(input).and_then(|i| i.format),
        }
    }

    /// The codelist a column's values belong to, if any.
    pub fn column_codelist(&self, input: &str, column: &str) -> Option<&Codelist> {
        let list = self
            .spec
            .inputs
            .get(input)?
            .columns
            .get(column)?
            .codelist
            .as_ref()?;
        self.codelists.get(list)
    }
}

/// A TOML syntax or type error as a spec error: line, column and the
/// offending line quoted, so the key is named even when the parser's
/// message only gives the expected type.
fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> SpecError {
    let message = match e.span() {
        Some(s) => {
            let start = s.start.min(text.len());
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let src = text.lines().nth(line - 1).unwrap_or("").trim();
            let src: String = src.chars().take(80).collect();
            format!(
                "line {line}, column {col} (`{src}`): {}",
                e.message().trim()
            )
        }
        None => e.message().trim().to_string(),
    };
    SpecError {
        file: file.to_string(),
        key: None,
        message,
    }
}

/// Converts spec text to a core label.
pub fn bi(t: &Text) -> Bilingual {
    Bilingual::new(t.en.clone(), t.fr.clone())
}

fn check_name(s: &str) -> Result<(), String> {
    if is_file_safe(s) {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not a valid name: expected 1 to 64 characters from a-z, 0-9, `_`, `-`"
        ))
    }
}

fn check_text(t: &Text) -> Result<(), String> {
    if t.en.trim().is_empty() || t.fr.trim().is_empty() {
        Err("expected non-empty `en` and `fr` texts".into())
    } else {
        Ok(())
    }
}

fn column_kind(spec: &Spec, column: &str) -> Option<ColumnType> {
    spec.inputs
        .values()
        .find_map(|i| i.columns.get(column).map(|c| c.kind))
}

fn build_rule(spec: &Spec) -> Result<IrccRule, (String, String)> {
    let r = &spec.rule;
    let method = method_of(r)?;
    let base = match (r.rounding_base, method.is_exact()) {
        (None, true) => 1,
        (None, false) => 5,
        (Some(b), true) if b != 1 => {
            return Err((
                "rule.rounding_base".into(),
                format!(
                    "rule `{}` publishes exact counts: leave the base out or set it to 1",
                    r.kind
                ),
            ))
        }
        (Some(b), _) => b,
    };
    let zero = match r.zero.as_str() {
        "0" => ZeroDisplay::Zero,
        "--" => ZeroDisplay::Suppressed,
        other => {
            return Err((
                "rule.zero".into(),
                format!("expected \"0\" or \"--\", found \"{other}\""),
            ))
        }
    };
    let tie = match (r.tie.as_deref(), base % 2 == 0) {
        (Some("up"), _) => TieRule::Up,
        (Some("down"), _) => TieRule::Down,
        (Some("even"), _) => TieRule::Even,
        (Some(other), _) => return Err(("rule.tie".into(), format!("expected `up`, `down` or `even`, found `{other}`"))),
        (None, true) => {
            return Err((
                "rule.tie".into(),
                format!("rounding base {base} is even, so counts can tie: declare `tie = \"up\"`, `\"down\"` or `\"even\"`"),
            ))
        }
        (None, false) => TieRule::Up,
    };
    IrccRule::new(base, r.suppress[0], r.suppress[1], zero, tie)
        .map_err(|e| ("rule".into(), e.to_string()))
}

fn build_dimension(
    name: &str,
    d: &DimensionSpec,
    kind: ColumnType,
    spec: &Spec,
    codelists: &BTreeMap<String, Codelist>,
) -> Result<Dimension, (String, String)> {
    let total = d
        .total
        .as_ref()
        .map(bi)
        .unwrap_or_else(|| Bilingual::new("Total", "Total"));
    let mut b = HierarchyBuilder::new(name, "TOTAL", total);
    let herr = |e: discreet_core::HierarchyError| (String::new(), e.to_string());
    let extras = [d.calendar.is_some(), d.bands.is_some(), d.subtotals];
    let mapper = match kind {
        ColumnType::Code => {
            if extras[0] || extras[1] {
                return Err((
                    String::new(),
                    "a code column takes neither `calendar` nor `bands`".into(),
                ));
            }
            let list_name = spec
                .inputs
                .values()
                .find_map(|i| i.columns.get(&d.column).and_then(|c| c.codelist.clone()))
                .expect("code columns have a codelist");
            let list = &codelists[&list_name];
            if d.subtotals {
                let parent_name = list.parent_list.as_ref().ok_or_else(|| {
                    (
                        ".subtotals".to_string(),
                        format!("codelist `{list_name}` has no groups to subtotal"),
                    )
                })?;
                let parents = &codelists[parent_name];
                for p in &parents.entries {
                    b.add(
                        "TOTAL",
                        p.code.clone(),
                        p.label.clone(),
                        parent_name.clone(),
                    )
                    .map_err(herr)?;
                }
                for e in &list.entries {
                    b.add(
                        e.parent.as_deref().unwrap_or("TOTAL"),
                        e.code.clone(),
                        e.label.clone(),
                        name,
                    )
                    .map_err(herr)?;
                }
            } else {
                for e in &list.entries {
                    b.add("TOTAL", e.code.clone(), e.label.clone(), name)
                        .map_err(herr)?;
                }
            }
            LeafMapper::Codes
        }
        ColumnType::Date => {
            if extras[1] || extras[2] {
                return Err((String::new(), "a date column takes only `calendar`".into()));
            }
            let cal = d.calendar.as_ref().ok_or_else(|| {
                (
                    ".calendar".to_string(),
                    "a date column needs a `calendar` table".into(),
                )
            })?;
            build_calendar(&mut b, cal).map_err(|(k, m)| (format!(".calendar{k}"), m))?
        }
        ColumnType::Integer => {
            if extras[0] || extras[2] {
                return Err((String::new(), "an integer column takes only `bands`".into()));
            }
            let bands = d.bands.as_ref().ok_or_else(|| {
                (
                    ".bands".to_string(),
                    "an integer column needs `bands`".into(),
                )
            })?;
            build_bands(&mut b, name, bands).map_err(|(k, m)| (format!(".bands{k}"), m))?
        }
        ColumnType::String => {
            return Err((
                ".column".into(),
                format!(
                    "column `{}` is free text; a dimension needs a code, date or integer column",
                    d.column
                ),
            ))
        }
    };
    Ok(Dimension {
        name: name.to_string(),
        spec: d.clone(),
        hierarchy: b.build().map_err(herr)?,
        mapper,
    })
}

fn build_calendar(
    b: &mut HierarchyBuilder,
    cal: &CalendarSpec,
) -> Result<LeafMapper, (String, String)> {
    let finest = match cal.finest.as_str() {
        "month" => Finest::Month,
        "quarter" => Finest::Quarter,
        "year" => Finest::Year,
        other => {
            return Err((
                ".finest".into(),
                format!("expected `month`, `quarter` or `year`, found `{other}`"),
            ))
        }
    };
    let first = parse_year_month(&cal.first)
        .ok_or((".first".to_string(), "expected YYYY-MM".to_string()))?;
    let last =
        parse_year_month(&cal.last).ok_or((".last".to_string(), "expected YYYY-MM".to_string()))?;
    if first > last {
        return Err((".last".into(), "expected a month not before `first`".into()));
    }
    if (last.0 - first.0) > 200 {
        return Err((
            ".first".into(),
            "expected a period of at most 200 years".into(),
        ));
    }
    let months = codelist::builtin("months").expect("built in");
    let herr = |e: discreet_core::HierarchyError| (String::new(), e.to_string());
    let (mut y, mut m) = first;
    let mut last_year = None;
    let mut last_quarter = None;
    loop {
        let ys = y.to_string();
        if last_year != Some(y) {
            b.add(
                "TOTAL",
                ys.clone(),
                Bilingual::new(ys.clone(), ys.clone()),
                "year",
            )
            .map_err(herr)?;
            last_year = Some(y);
        }
        let q = (m - 1) / 3 + 1;
        let qc = quarter_code(y, m);
        if finest != Finest::Year && last_quarter != Some((y, q)) {
            b.add(
                &ys,
                qc.clone(),
                Bilingual::new(format!("{y} Q{q}"), format!("{y} T{q}")),
                "quarter",
            )
            .map_err(herr)?;
            last_quarter = Some((y, q));
        }
        if finest == Finest::Month {
            let l = &months.get(&format!("{m:02}")).expect("12 months").label;
            b.add(
                &qc,
                month_code(y, m),
                Bilingual::new(format!("{y} {}", l.en), format!("{y} {}", l.fr)),
                "month",
            )
            .map_err(herr)?;
        }
        if (y, m) == last {
            break;
        }
        m += 1;
        if m == 13 {
            m = 1;
            y += 1;
        }
    }
    Ok(LeafMapper::Calendar {
        finest,
        first,
        last,
    })
}

fn build_bands(
    b: &mut HierarchyBuilder,
    name: &str,
    bands: &[BandSpec],
) -> Result<LeafMapper, (String, String)> {
    if bands.is_empty() {
        return Err((String::new(), "expected at least one band".into()));
    }
    let mut out = Vec::new();
    for (i, band) in bands.iter().enumerate() {
        let k = format!("[{i}]");
        if let Some(max) = band.max {
            if max < band.min {
                return Err((k, format!("`max` {max} is below `min` {}", band.min)));
            }
        } else if i + 1 != bands.len() {
            return Err((k, "only the last band may omit `max`".into()));
        }
        if i > 0 {
            let prev_max = bands[i - 1].max.expect("checked above");
            if band.min <= prev_max {
                return Err((
                    k,
                    "bands must be in increasing order without overlap".into(),
                ));
            }
        }
        b.add(
            "TOTAL",
            band.code.clone(),
            Bilingual::new(band.en.clone(), band.fr.clone()),
            name,
        )
        .map_err(|e| (k.clone(), e.to_string()))?;
        out.push((band.min, band.max, band.code.clone()));
    }
    Ok(LeafMapper::Bands(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protection::{Cost, Method};

    const BUNDLED: [&str; 3] = [
        include_str!("../../../pipelines/pr_citizenship_month.toml"),
        include_str!("../../../pipelines/pr_province_category_month.toml"),
        include_str!("../../../pipelines/pr_age_gender_year.toml"),
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
        let e = err_of(|t| t.replace("rounding_base = 5", "rounding_base = 10"));
        assert_eq!(e.key.as_deref(), Some("rule.tie"));
        let e = err_of(|t| t.replace("suppress = [1, 4]", "suppress = [4, 1]"));
        assert_eq!(e.key.as_deref(), Some("rule"));
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
        let e = err_of(|t| t.replace("codelist = \"provinces\"", "codelist = \"regions\""));
        assert_eq!(
            e.key.as_deref(),
            Some("inputs.admissions.columns.province.codelist")
        );
        let e = err_of(|t| t.replace("first = \"2023-01\"", "first = \"2023-1\""));
        assert_eq!(e.key.as_deref(), Some("dimensions.period.calendar.first"));
        let e = err_of(|t| {
            t.replace(
                "dimensions = [\"province\", \"category\", \"period\"]",
                "dimensions = [\"province\", \"sex\"]",
            )
        });
        assert_eq!(e.key.as_deref(), Some("tables[0].dimensions"));
        let e = err_of(|t| t.replace("published = \"2026-02-15\"", "published = \"2026-02-30\""));
        assert_eq!(e.key.as_deref(), Some("release.published"));
        let e = err_of(|t| {
            t.replace(
                "name = \"pr-province-category-month\"",
                "name = \"PR Province\"",
            )
        });
        assert_eq!(e.key.as_deref(), Some("release.name"));
        let e = err_of(|t| t.replace("subtotals = true", "subtotals = true\nbands = []"));
        assert!(
            e.key.as_deref().unwrap().starts_with("dimensions.category"),
            "{e}"
        );
        let e = err_of(|t| t.replace("[[tables]]", "[[tables]]\ncolour = 1"));
        assert_eq!(e.key.as_deref(), Some("tables[0].colour"), "{e}");
    }
}
