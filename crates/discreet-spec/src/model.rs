//! The pipeline spec as written in TOML: every key a spec may hold.
//!
//! Every struct refuses unknown keys, so a typo in a spec is an error that
//! names the key instead of a silently ignored setting.

use std::collections::BTreeMap;

use serde::Deserialize;

/// English and French text.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

/// English and French keyword lists.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Keywords {
    /// English keywords.
    pub en: Vec<String>,
    /// French keywords.
    pub fr: Vec<String>,
}

/// A whole pipeline spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// What the release is.
    pub release: ReleaseSpec,
    /// open.canada.ca fields for `package.json`.
    pub portal: PortalSpec,
    /// The protection rule (IRCC rule with IRCC's parameters by default).
    #[serde(default)]
    pub rule: RuleSpec,
    /// Named microdata inputs.
    pub inputs: BTreeMap<String, InputSpec>,
    /// Named dimensions, used by tables.
    pub dimensions: BTreeMap<String, DimensionSpec>,
    /// The published tables, in release order.
    pub tables: Vec<TableSpec>,
    /// Audit the release before it is written (and optionally refuse it).
    pub audit: Option<AuditSpec>,
    /// Which files a release holds per table.
    #[serde(default)]
    pub publish: PublishSpec,
    /// Codelists read from files, by name; they take precedence over the
    /// built-in lists of the same name.
    #[serde(default)]
    pub codelists: BTreeMap<String, CodelistFileSpec>,
}

/// `[codelists.NAME]`: a codelist brought by the spec.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CodelistFileSpec {
    /// CSV file `code,en,fr,parent` (optional `order`, `valid_from`,
    /// `valid_to`), relative to the spec file.
    pub path: String,
}

/// `[publish]`: the forms in which each table is written.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PublishSpec {
    /// The forms of each table; the tidy CSV is always one of them, since
    /// the audit and `verify` read it.
    #[serde(default = "PublishSpec::default_formats")]
    pub formats: Vec<TableFormat>,
    /// Whether IRCC's long CSV keeps the rows whose shown value is `0`
    /// (IRCC leaves them out, so the default is not to).
    #[serde(default)]
    pub ircc_zero_rows: bool,
}

impl PublishSpec {
    fn default_formats() -> Vec<TableFormat> {
        vec![
            TableFormat::Csv,
            TableFormat::Parquet,
            TableFormat::Xlsx,
            TableFormat::IrccCsv,
        ]
    }
}

impl Default for PublishSpec {
    fn default() -> Self {
        PublishSpec {
            formats: PublishSpec::default_formats(),
            ircc_zero_rows: false,
        }
    }
}

/// A form in which a table is published.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    /// `NAME.csv`: one row per cell, codes and the shown value.
    Csv,
    /// `NAME.parquet`: the same cells with labels and statuses, typed.
    Parquet,
    /// `EN_NAME.xlsx` and `FR_NAME.xlsx`: IRCC's wide workbooks.
    Xlsx,
    /// `NAME_ircc.csv`: IRCC's long layout, tab-separated, bilingual labels.
    IrccCsv,
}

/// The audit a run does on its own release before installing it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuditSpec {
    /// Refuse to write a release with findings that are not accepted.
    #[serde(default)]
    pub gate: bool,
    /// Counts `1..protect_below` are protected (default 10 under a rounding
    /// rule; the suppression range under an exact-count rule).
    pub protect_below: Option<u64>,
    /// A protected cell known to lie in fewer values than this is narrowed (default 3).
    pub min_width: Option<u64>,
    /// Findings accepted by name (`table:dim=code,dim=code`); recorded in the manifest.
    #[serde(default)]
    pub accept: Vec<String>,
}

/// Identity and description of a release.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSpec {
    /// File-safe name (`a-z`, `0-9`, `_`, `-`), also the seed of the dataset id.
    pub name: String,
    /// Dataset title.
    pub title: Text,
    /// Dataset description; the IRCC rounding note is appended to it.
    pub description: Text,
    /// Publication date `YYYY-MM-DD` (never the clock: releases are reproducible).
    pub published: String,
    /// Which issue of the series this is (`2025 Q2` / `T2 2025`).
    pub issue: Option<Text>,
    /// Last month (`YYYY-MM`) whose counts are final: later releases will
    /// not revise them. An audit with `--previous` ties the cells of final
    /// periods across releases; cells of later months are separate unknowns.
    pub final_through: Option<String>,
}

/// Portal (open.canada.ca) fields that a spec sets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSpec {
    /// Dataset UUID; derived from the release name when absent.
    pub id: Option<String>,
    /// Keywords in both languages.
    pub keywords: Keywords,
    /// Subject codes (portal vocabulary `subject`).
    pub subject: Vec<String>,
    /// Audience codes (portal vocabulary `audience`).
    #[serde(default)]
    pub audience: Vec<String>,
    /// Update frequency code (`P3M`, `P1M`...).
    pub frequency: String,
    /// Contact e-mail.
    pub maintainer_email: String,
    /// Address under which the release files will be served; each resource
    /// URL is this plus the file name.
    pub base_url: String,
    /// Series the dataset belongs to.
    pub data_series_name: Option<Text>,
    /// Program page.
    pub program_page_url: Option<Text>,
    /// `federal` unless said otherwise.
    #[serde(default = "default_jurisdiction")]
    pub jurisdiction: String,
    /// `unrestricted` unless said otherwise.
    #[serde(default = "default_restrictions")]
    pub restrictions: String,
    /// Whether the IMSO approved publication.
    #[serde(default)]
    pub imso_approval: bool,
    /// Whether the package is ready to publish.
    #[serde(default)]
    pub ready_to_publish: bool,
    /// Geographic region codes (portal vocabulary); Canada (`0`) is not one, so empty by default.
    #[serde(default)]
    pub geographic_region: Vec<String>,
}

fn default_jurisdiction() -> String {
    "federal".into()
}
fn default_restrictions() -> String {
    "unrestricted".into()
}

/// Which rule protects the release, with its parameters.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// `ircc` (default), `ircc-repaired`, `threshold` or `hypercube`.
    #[serde(default = "default_rule_kind")]
    pub kind: String,
    /// Rounding base: 5 for the IRCC rules, 1 (no rounding) for `threshold`
    /// and `hypercube`, which publish exact counts.
    pub rounding_base: Option<u64>,
    /// Inclusive range of counts shown as `--` (`[1, 4]`).
    #[serde(default = "default_suppress")]
    pub suppress: [u64; 2],
    /// How zero is shown: `"0"` or `"--"`.
    #[serde(default = "default_zero")]
    pub zero: String,
    /// For even bases: `up`, `down` or `even`.
    pub tie: Option<String>,
    /// Secondary suppression: which cells to hide first, `count` (smallest
    /// counts first, the default) or `cells` (fewest cells).
    pub cost: Option<String>,
    /// Secondary suppression: protect a primary count of 1 from the one
    /// person in another hidden cell of the same sum (default true).
    pub singleton: Option<bool>,
    /// Secondary suppression: cells that must be published, named
    /// `table:dim=code,dim=code`.
    #[serde(default)]
    pub forced_publish: Vec<String>,
    /// Secondary suppression: cells that must be hidden (same names).
    #[serde(default)]
    pub forced_suppress: Vec<String>,
}

fn default_rule_kind() -> String {
    "ircc".into()
}
fn default_suppress() -> [u64; 2] {
    [1, 4]
}
fn default_zero() -> String {
    "0".into()
}

impl Default for RuleSpec {
    fn default() -> Self {
        RuleSpec {
            kind: default_rule_kind(),
            rounding_base: None,
            suppress: default_suppress(),
            zero: default_zero(),
            tie: None,
            cost: None,
            singleton: None,
            forced_publish: Vec::new(),
            forced_suppress: Vec::new(),
        }
    }
}

/// File format of an input.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Delimited text with a header line (RFC 4180 quoting).
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// A microdata input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// Default path, relative to the working directory; `--input NAME=PATH` overrides it.
    pub path: String,
    /// `csv` or `parquet`; from the extension when absent.
    pub format: Option<InputFormat>,
    /// CSV field delimiter (one ASCII character, `,` by default).
    pub delimiter: Option<String>,
    /// The columns the input must have, with their types.
    pub columns: BTreeMap<String, ColumnSpec>,
    /// For pre-aggregated inputs: an `integer` column saying how many units
    /// each row counts (never negative). Without it each row counts one.
    pub count_column: Option<String>,
}

/// Type of a microdata column.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// Free text (identifiers).
    String,
    /// A code from a codelist.
    Code,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// An integer.
    Integer,
}

/// A microdata column and what its values must be.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// The column's type.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// For `code` columns: the codelist values must belong to.
    pub codelist: Option<String>,
    /// For `integer` columns: smallest allowed value.
    pub min: Option<i64>,
    /// For `integer` columns: largest allowed value.
    pub max: Option<i64>,
    /// Every row holds a different value (record identifiers).
    #[serde(default)]
    pub unique: bool,
    /// Empty values are allowed (they are never allowed in a dimension).
    #[serde(default)]
    pub nullable: bool,
    /// For `code` columns: raw values to codes, before the codelist check.
    pub recode: Option<RecodeSpec>,
    /// For `code` columns: `error` (default) or the code values that are no
    /// code after recoding go to.
    pub unmatched: Option<String>,
    /// For `code` columns: strip surrounding spaces first.
    #[serde(default)]
    pub trim: bool,
    /// For `code` columns: `upper` or `lower` case first.
    pub case: Option<String>,
}

/// A recode: a CSV file `from,to` (relative to the spec) or an inline table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum RecodeSpec {
    /// The path of a CSV file with columns `from,to`.
    File(String),
    /// Raw value -> code.
    Inline(BTreeMap<String, String>),
}

/// A dimension of one or more tables: a column and its hierarchy.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    /// The input column the dimension is derived from.
    pub column: String,
    /// Column heading in both languages.
    pub label: Text,
    /// Label of the dimension total (`Total` / `Total` by default).
    pub total: Option<Text>,
    /// For code columns: add the codelist's groups (immigration classes) as
    /// subtotals between the codes and the total.
    #[serde(default)]
    pub subtotals: bool,
    /// For code columns with subtotals: the levels to publish (all when absent).
    pub levels: Option<Vec<String>>,
    /// For date columns: the calendar hierarchy and period.
    pub calendar: Option<CalendarSpec>,
    /// For integer columns: the bands (age groups).
    pub bands: Option<Vec<BandSpec>>,
}

/// Month -> quarter -> year -> total, over a declared period.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// The finest published level: `month`, `quarter` or `year`.
    pub finest: String,
    /// First month published, `YYYY-MM`.
    pub first: String,
    /// Last month published, `YYYY-MM`.
    pub last: String,
}

/// One band of an integer dimension.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandSpec {
    /// Code written in releases (`25-29`).
    pub code: String,
    /// Smallest value in the band.
    pub min: i64,
    /// Largest value in the band; open-ended when absent (last band only).
    pub max: Option<i64>,
    /// English label.
    pub en: String,
    /// French label.
    pub fr: String,
}

/// A published table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// File-safe name; files are `NAME.csv`, `NAME.parquet`, `NAME-dictionary.csv`.
    pub name: String,
    /// The input it is counted from.
    pub input: String,
    /// Dimension names, outermost first.
    pub dimensions: Vec<String>,
    /// Title in both languages.
    pub title: Text,
    /// Description in both languages.
    pub description: Text,
    /// Count distinct values of this input column (holders) instead of
    /// rows (events). Every cell, margins included, is then counted from
    /// the microdata, and totals need not be sums.
    pub count_distinct: Option<String>,
    /// Count only the rows whose column holds one of the listed values
    /// (`filter = { permit_type = ["study"] }`).
    #[serde(default)]
    pub filter: BTreeMap<String, Vec<String>>,
}
