//! A checked spec: every reference resolved, every hierarchy built, the
//! rule constructed. Nothing downstream has to re-check the spec.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

use discreet_core::{Bilingual, IrccRule, MarginKind, TieRule, ZeroDisplay};
use sha2::{Digest, Sha256};

use crate::codelist::{self, Codelist};
use crate::dimension::build_dimension;
pub use crate::dimension::{Dimension, Finest, LeafMapper, Mapped};
use crate::files::{has_recode, SpecFiles};
use crate::model::{
    ColumnSpec, ColumnType, InputFormat, InputSpec, Spec, TableFormat, TableSpec, Text,
};
use crate::protection::{build_protection, method_of, Protection};
use crate::recode::{Recode, Recoded};
use crate::value::{parse_date, parse_year_month};

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
    /// The codelist and recode files the spec brings, copied into releases.
    pub files: Vec<SpecFile>,
    /// Recodes of `code` columns, by (input, column).
    pub recodes: BTreeMap<(String, String), Recode>,
}

/// A file a spec refers to (a codelist or a recode), as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecFile {
    /// The path as written in the spec.
    pub path: String,
    /// Its name inside a release (`codes-` and the file's name).
    pub release_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Where the files a spec refers to are read from.
#[derive(Debug, Clone, Copy)]
pub enum FileBase<'a> {
    /// Paths relative to the spec file's folder.
    NextToSpec,
    /// The copies inside this release folder (what `verify` recomputes with).
    Release(&'a Path),
}

/// The name a spec's file gets inside a release: `codes-` and its file
/// name, which must be plain (letters, digits, `_`, `-`, `.`).
pub fn release_name(path: &str) -> Option<String> {
    let name = Path::new(path).file_name()?.to_str()?;
    let plain = !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    plain.then(|| format!("codes-{name}"))
}

/// Lowercase hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn is_file_safe(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl Plan {
    /// Whether each table is also written in `format`.
    pub fn writes(&self, format: TableFormat) -> bool {
        self.spec.publish.formats.contains(&format)
    }

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

    /// Parses and checks spec text; `file` names it in errors and the
    /// files it refers to are read next to it.
    pub fn parse(file: &str, text: &str) -> Result<Plan, SpecError> {
        Plan::parse_with(file, text, FileBase::NextToSpec)
    }

    /// Parses and checks spec text; `file` names it in errors, `base`
    /// says where the codelist and recode files it names are read.
    ///
    /// The phases run in the order a reader fills a spec in, and the first
    /// broken rule stops the parse: the document against the schema, the
    /// release, the rule, the inputs (which fix the codelists), the
    /// dimensions (built into hierarchies), the tables, the protection.
    pub fn parse_with(file: &str, text: &str, base: FileBase<'_>) -> Result<Plan, SpecError> {
        let at = |(key, message): KeyError| SpecError {
            file: file.to_string(),
            key: Some(key),
            message,
        };
        let spec = read_document(file, text)?;
        check_release(&spec).map_err(at)?;
        check_publish(&spec).map_err(at)?;
        let rule = build_rule(&spec).map_err(at)?;
        let mut files = SpecFiles::new(file, base);
        let own = files.codelists(&spec)?;
        let codelists = check_inputs(&spec, &own).map_err(at)?;
        let recodes = files.recodes(&spec, &codelists)?;
        let dimensions = build_dimensions(&spec, &codelists).map_err(at)?;
        let tables = check_tables(&spec, &dimensions, &codelists).map_err(at)?;
        let protection = build_protection(&spec.rule, &tables, &dimensions).map_err(at)?;
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
            files: files.into_files(),
            recodes,
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

    /// The recode of a column's raw values, if it has one.
    pub fn recode(&self, input: &str, column: &str) -> Option<&Recode> {
        self.recodes.get(&(input.to_string(), column.to_string()))
    }

    /// The code a raw value of `column` of `input` stands for: its recode
    /// when the column has one, else the value itself.
    pub fn code<'a>(&'a self, input: &str, column: &str, raw: &'a str) -> Recoded<'a> {
        match (
            self.recode(input, column),
            self.column_codelist(input, column),
        ) {
            (Some(r), Some(list)) => r.apply(raw, list),
            _ => Recoded::Code(std::borrow::Cow::Borrowed(raw)),
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

/// `[rule]`: the rounding and suppression rule every cell is shown by.
fn build_rule(spec: &Spec) -> Result<IrccRule, KeyError> {
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

/// A broken rule found by one phase of [`Plan::parse`]: the dotted key and
/// what was expected there. `parse` adds the file name.
pub(crate) type KeyError = (String, String);

fn key_error(key: impl Into<String>, message: impl Into<String>) -> KeyError {
    (key.into(), message.into())
}

/// The spec text as TOML, checked against the shipped JSON Schema (so
/// unknown keys are named with their full key), then read into the typed
/// model.
fn read_document(file: &str, text: &str) -> Result<Spec, SpecError> {
    let doc: toml::Value = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    crate::schema::check(&doc).map_err(|(key, message)| SpecError {
        file: file.to_string(),
        key: Some(key),
        message,
    })?;
    toml::from_str(text).map_err(|e| toml_error(file, text, &e))
}

/// `[release]`: a file-safe name, real dates, non-empty texts.
fn check_release(spec: &Spec) -> Result<(), KeyError> {
    let r = &spec.release;
    check_name(&r.name).map_err(|m| key_error("release.name", m))?;
    if parse_date(&r.published).is_none() {
        return Err(key_error("release.published", "expected a date YYYY-MM-DD"));
    }
    if r.final_through
        .as_deref()
        .is_some_and(|f| parse_year_month(f).is_none())
    {
        return Err(key_error(
            "release.final_through",
            "expected a month YYYY-MM",
        ));
    }
    check_text(&r.title).map_err(|m| key_error("release.title", m))?;
    check_text(&r.description).map_err(|m| key_error("release.description", m))
}

/// `[publish]`: every table written as a tidy CSV (what the audit and
/// `verify` read), no form twice.
fn check_publish(spec: &Spec) -> Result<(), KeyError> {
    let formats = &spec.publish.formats;
    if !formats.contains(&TableFormat::Csv) {
        return Err(key_error(
            "publish.formats",
            "expected a list that holds \"csv\" (the audit and verify read the tidy CSV), and any of \"parquet\", \"xlsx\", \"ircc_csv\"",
        ));
    }
    let mut seen = formats.clone();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != formats.len() {
        return Err(key_error("publish.formats", "a format is listed twice"));
    }
    Ok(())
}

/// `[inputs]`: every input and column well formed; returns the codelists
/// the `code` columns name, with the parent lists of grouped ones.
fn check_inputs(
    spec: &Spec,
    own: &BTreeMap<String, Codelist>,
) -> Result<BTreeMap<String, Codelist>, KeyError> {
    if spec.inputs.is_empty() {
        return Err(key_error("inputs", "expected at least one input"));
    }
    let mut codelists = BTreeMap::new();
    for (iname, input) in &spec.inputs {
        let key = format!("inputs.{iname}");
        check_name(iname).map_err(|m| key_error(&key, m))?;
        if input.path.trim().is_empty() {
            return Err(key_error(format!("{key}.path"), "expected a file path"));
        }
        if let Some(d) = &input.delimiter {
            if d.len() != 1 || !d.is_ascii() || d == "\"" || d == "\n" {
                return Err(key_error(
                    format!("{key}.delimiter"),
                    "expected one ASCII character other than a quote or newline",
                ));
            }
        }
        if input.columns.is_empty() {
            return Err(key_error(
                format!("{key}.columns"),
                "expected at least one column",
            ));
        }
        if let Some(c) = &input.count_column {
            match input.columns.get(c) {
                Some(col) if col.kind == ColumnType::Integer && !col.nullable => {}
                _ => {
                    return Err(key_error(
                        format!("{key}.count_column"),
                        format!("expected a declared, non-nullable `integer` column, found `{c}`"),
                    ))
                }
            }
        }
        for (cname, col) in &input.columns {
            check_column(&format!("{key}.columns.{cname}"), col, own, &mut codelists)?;
        }
    }
    Ok(codelists)
}

/// One input column: a codelist exactly for `code` columns (added to
/// `codelists`), a range only for `integer` ones.
fn check_column(
    key: &str,
    col: &ColumnSpec,
    own: &BTreeMap<String, Codelist>,
    codelists: &mut BTreeMap<String, Codelist>,
) -> Result<(), KeyError> {
    // The spec's own lists first, then the built-in ones.
    let find = |name: &str| own.get(name).cloned().or_else(|| codelist::builtin(name));
    match (col.kind, &col.codelist) {
        (ColumnType::Code, Some(list)) => {
            let cl = find(list).ok_or_else(|| {
                let mut names: Vec<&str> = own.keys().map(String::as_str).collect();
                names.extend(codelist::BUILTIN_NAMES);
                key_error(
                    format!("{key}.codelist"),
                    format!(
                        "unknown codelist `{list}`; expected one of {}",
                        names.join(", ")
                    ),
                )
            })?;
            if let Some(parent) = &cl.parent_list {
                codelists.insert(
                    parent.clone(),
                    find(parent).expect("parent list is built in"),
                );
            }
            codelists.insert(list.clone(), cl);
        }
        (ColumnType::Code, None) => {
            return Err(key_error(key, "a `code` column needs a `codelist`"));
        }
        (_, Some(_)) => {
            return Err(key_error(
                format!("{key}.codelist"),
                "only `code` columns take a codelist",
            ));
        }
        _ => {}
    }
    if (col.min.is_some() || col.max.is_some()) && col.kind != ColumnType::Integer {
        return Err(key_error(
            key,
            "`min`/`max` apply only to `integer` columns",
        ));
    }
    if let (Some(a), Some(b)) = (col.min, col.max) {
        if a > b {
            return Err(key_error(key, format!("`min` {a} is above `max` {b}")));
        }
    }
    Ok(())
}

/// `[dimensions]` built into hierarchies. Their columns are checked per
/// table, since a dimension may serve tables of several inputs.
fn build_dimensions(
    spec: &Spec,
    codelists: &BTreeMap<String, Codelist>,
) -> Result<BTreeMap<String, Dimension>, KeyError> {
    let mut dimensions = BTreeMap::new();
    for (dname, d) in &spec.dimensions {
        let key = format!("dimensions.{dname}");
        check_name(dname).map_err(|m| key_error(&key, m))?;
        check_text(&d.label).map_err(|m| key_error(format!("{key}.label"), m))?;
        let kind = column_kind(spec, &d.column).ok_or_else(|| {
            key_error(
                format!("{key}.column"),
                format!("column `{}` is not declared by any input", d.column),
            )
        })?;
        let dim = build_dimension(dname, d, kind, spec, codelists)
            .map_err(|(k, m)| (format!("{key}{k}"), m))?;
        dimensions.insert(dname.clone(), dim);
    }
    Ok(dimensions)
}

/// `[[tables]]` in release order, each resolved against its input and
/// dimensions.
fn check_tables(
    spec: &Spec,
    dimensions: &BTreeMap<String, Dimension>,
    codelists: &BTreeMap<String, Codelist>,
) -> Result<Vec<TablePlan>, KeyError> {
    if spec.tables.is_empty() {
        return Err(key_error("tables", "expected at least one table"));
    }
    let mut tables = Vec::new();
    let mut seen = HashSet::new();
    for (i, t) in spec.tables.iter().enumerate() {
        let key = format!("tables[{i}]");
        check_name(&t.name).map_err(|m| key_error(format!("{key}.name"), m))?;
        if !seen.insert(t.name.clone()) {
            return Err(key_error(
                format!("{key}.name"),
                format!("table `{}` is declared twice", t.name),
            ));
        }
        let input = spec.inputs.get(&t.input).ok_or_else(|| {
            key_error(
                format!("{key}.input"),
                format!(
                    "unknown input `{}`; expected one of {}",
                    t.input,
                    spec.inputs.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        let cols = check_table_dimensions(&key, t, input, dimensions)?;
        check_text(&t.title).map_err(|m| key_error(format!("{key}.title"), m))?;
        check_text(&t.description).map_err(|m| key_error(format!("{key}.description"), m))?;
        check_filter(&key, t, input, codelists)?;
        if let Some(c) = &t.count_distinct {
            check_count_distinct(&format!("{key}.count_distinct"), c, t, input, &cols)?;
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
    Ok(tables)
}

/// A table's dimensions: at least one, all known, each on a column of the
/// table's input that no other of its dimensions uses. Returns those
/// columns.
fn check_table_dimensions(
    key: &str,
    t: &TableSpec,
    input: &InputSpec,
    dimensions: &BTreeMap<String, Dimension>,
) -> Result<HashSet<String>, KeyError> {
    let key = format!("{key}.dimensions");
    if t.dimensions.is_empty() {
        return Err(key_error(key, "expected at least one dimension"));
    }
    let mut cols = HashSet::new();
    for dn in &t.dimensions {
        let d = dimensions
            .get(dn)
            .ok_or_else(|| key_error(&key, format!("unknown dimension `{dn}`")))?;
        if !input.columns.contains_key(&d.spec.column) {
            return Err(key_error(
                key,
                format!(
                    "dimension `{dn}` uses column `{}`, which input `{}` does not declare",
                    d.spec.column, t.input
                ),
            ));
        }
        if !cols.insert(d.spec.column.clone()) {
            return Err(key_error(
                key,
                format!("dimension `{dn}` uses column `{}`, which another dimension of this table already uses", d.spec.column),
            ));
        }
    }
    Ok(cols)
}

/// A table's `filter`: declared columns, at least one value each, codes
/// of the column's codelist.
fn check_filter(
    key: &str,
    t: &TableSpec,
    input: &InputSpec,
    codelists: &BTreeMap<String, Codelist>,
) -> Result<(), KeyError> {
    for (c, values) in &t.filter {
        let fkey = format!("{key}.filter.{c}");
        let col = input.columns.get(c).ok_or_else(|| {
            key_error(
                &fkey,
                format!("column `{c}` is not declared by input `{}`", t.input),
            )
        })?;
        if values.is_empty() {
            return Err(key_error(fkey, "expected at least one value"));
        }
        if has_recode(col) {
            return Err(key_error(
                fkey,
                format!("column `{c}` is recoded, and filters compare raw values: filter on a column without `recode`, `unmatched`, `trim` or `case`"),
            ));
        }
        if let Some((name, list)) = col
            .codelist
            .as_ref()
            .and_then(|l| codelists.get(l).map(|c| (l, c)))
        {
            if let Some(v) = values.iter().find(|v| !list.contains(v)) {
                return Err(key_error(
                    fkey,
                    format!("`{v}` is not a code of codelist `{name}`"),
                ));
            }
        }
    }
    Ok(())
}

/// A table's `count_distinct` column: declared, not a dimension of the
/// table, an identifier (non-nullable text or code), of an input whose
/// rows are units rather than pre-aggregated counts.
fn check_count_distinct(
    key: &str,
    c: &str,
    t: &TableSpec,
    input: &InputSpec,
    dimension_columns: &HashSet<String>,
) -> Result<(), KeyError> {
    let col = input.columns.get(c).ok_or_else(|| {
        key_error(
            key,
            format!("column `{c}` is not declared by input `{}`", t.input),
        )
    })?;
    if dimension_columns.contains(c) {
        return Err(key_error(
            key,
            format!("column `{c}` is a dimension of this table; count the distinct values of another column"),
        ));
    }
    if !matches!(col.kind, ColumnType::String | ColumnType::Code) || col.nullable {
        return Err(key_error(
            key,
            format!(
                "column `{c}` must be a non-nullable `string` or `code` column (an identifier)"
            ),
        ));
    }
    if has_recode(col) {
        return Err(key_error(
            key,
            format!(
                "column `{c}` is recoded; distinct values are counted from an identifier as it is"
            ),
        ));
    }
    if input.count_column.is_some() {
        return Err(key_error(
            key,
            format!("input `{}` is pre-aggregated (`count_column`); distinct values cannot be counted from it", t.input),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
