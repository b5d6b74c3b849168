//! The public structure document of a release, `structure.json`: every
//! table's dimensions, codes and which codes add into which, and the rule
//! the shown values follow. The publish crate writes it; the audit reads it
//! back, as any outsider would.
//!
//! This crate holds the document's types and their serde form only. It must
//! not read or write files, nor depend on polars: an outside auditor can
//! build it alone.
//!
//! Keys are written in alphabetical order (every struct declares its fields
//! so): the format was first written from sorted maps, and published
//! releases must stay byte-identical.

mod word;

use std::collections::BTreeMap;
use std::fmt;

use discreet_core::{IrccRule, MarginKind, RuleError, TieRule, ZeroDisplay};
use discreet_spec::Method;
use serde::{Deserialize, Serialize};

/// Version tag of the structure format.
pub const STRUCTURE_FORMAT: &str = "discreet-structure/1";

/// The whole `structure.json` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Structure {
    /// Last month (`YYYY-MM`) whose counts the release declares final.
    pub final_through: Option<String>,
    /// [`STRUCTURE_FORMAT`].
    pub format: String,
    /// Prose: which cells add into which.
    pub relations: String,
    /// The release's name.
    pub release: String,
    /// The rule the shown values follow.
    pub rule: RuleDoc,
    /// Prose: what each shown value stands for.
    pub shown_values: String,
    /// Every table, in release order.
    pub tables: Vec<TableDoc>,
}

/// The protection rule and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDoc {
    /// The protection method. Releases written before there were several
    /// methods carry none: they used the IRCC rule alone.
    #[serde(with = "word", default = "ircc")]
    pub kind: Method,
    /// Shown counts are multiples of this (1: exact counts).
    pub rounding_base: u64,
    /// Counts in `[lo, hi]` are shown `--`.
    pub suppress: [u64; 2],
    /// Where a count half-way between two multiples goes.
    #[serde(with = "word")]
    pub tie: TieRule,
    /// How a true zero is shown.
    #[serde(with = "word")]
    pub zero: ZeroDisplay,
}

fn ircc() -> Method {
    Method::Ircc
}

impl RuleDoc {
    /// The document form of `rule` under `kind`.
    pub fn new(kind: Method, rule: &IrccRule) -> RuleDoc {
        RuleDoc {
            kind,
            rounding_base: rule.base(),
            suppress: [rule.suppress_lo(), rule.suppress_hi()],
            tie: rule.tie_rule(),
            zero: rule.zero_display(),
        }
    }

    /// The rule these parameters describe.
    pub fn rule(&self) -> Result<IrccRule, RuleError> {
        let [lo, hi] = self.suppress;
        IrccRule::new(self.rounding_base, lo, hi, self.zero, self.tie)
    }
}

/// One published table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDoc {
    /// Number of cells, margins included.
    pub cells: usize,
    /// The CSV's columns.
    pub columns: Vec<String>,
    /// The column holding the shown value.
    pub count_column: String,
    /// The column whose distinct values are counted, when the table counts
    /// units rather than rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_distinct: Option<String>,
    /// The CSV file, in the release folder.
    pub csv: String,
    /// Dimensions, outermost first.
    pub dimensions: Vec<DimensionDoc>,
    /// Rows counted: each column holds one of its listed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<BTreeMap<String, Vec<String>>>,
    /// The input counted: tables of the same input count the same units.
    pub input: String,
    /// How a margin relates to its parts.
    #[serde(with = "word")]
    pub margins: MarginKind,
    /// Table name.
    pub name: String,
    /// The Parquet file, in the release folder, when the release has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parquet: Option<String>,
}

/// One dimension of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionDoc {
    /// Dimension name (the CSV's code column).
    pub name: String,
    /// The input column it classifies.
    pub source_column: String,
    /// English label.
    pub en: String,
    /// French label.
    pub fr: String,
    /// What raw values its leaves select.
    pub kind: DimensionKind,
    /// Every node, in publication order.
    pub nodes: Vec<NodeDoc>,
}

/// What a dimension's leaves select, so that an auditor can tell which
/// cells of different tables count the same rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DimensionKind {
    /// Rows with the leaf's code.
    Codes,
    /// Rows whose date falls in the leaf's month, quarter or year, within
    /// `first..=last` (`YYYY-MM`); the total is the whole period.
    Calendar {
        /// First month published.
        first: String,
        /// Last month published.
        last: String,
    },
    /// Rows whose value lies in a band.
    Bands {
        /// One band per leaf.
        bands: Vec<BandDoc>,
    },
}

/// A band of values: the rows a leaf of a `bands` dimension selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandDoc {
    /// The leaf's code.
    pub code: String,
    /// Largest value (`None`: unbounded).
    pub max: Option<i64>,
    /// Smallest value.
    pub min: i64,
}

/// One node of a dimension's hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDoc {
    /// Codes of the nodes that add into this one.
    pub children: Vec<String>,
    /// The code published.
    pub code: String,
    /// English label.
    pub en: String,
    /// French label.
    pub fr: String,
    /// Level name.
    pub level: String,
    /// The node this one adds into; `None` only for the total.
    pub parent: Option<String>,
}

/// The dimension as written: the kind's fields sit among the others, in
/// alphabetical order.
#[derive(Serialize)]
struct DimensionOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    bands: Option<&'a [BandDoc]>,
    en: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<&'a str>,
    fr: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: Option<&'a str>,
    name: &'a str,
    nodes: &'a [NodeDoc],
    source_column: &'a str,
}

impl Serialize for DimensionDoc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (kind, first, last, bands) = match &self.kind {
            DimensionKind::Codes => ("codes", None, None, None),
            DimensionKind::Calendar { first, last } => {
                ("calendar", Some(first.as_str()), Some(last.as_str()), None)
            }
            DimensionKind::Bands { bands } => ("bands", None, None, Some(bands.as_slice())),
        };
        DimensionOut {
            bands,
            en: &self.en,
            first,
            fr: &self.fr,
            kind,
            last,
            name: &self.name,
            nodes: &self.nodes,
            source_column: &self.source_column,
        }
        .serialize(serializer)
    }
}

/// The dimension as read, before its kind is checked against its fields.
#[derive(Deserialize)]
struct DimensionIn {
    bands: Option<Vec<BandDoc>>,
    en: String,
    first: Option<String>,
    fr: String,
    kind: String,
    last: Option<String>,
    name: String,
    nodes: Vec<NodeDoc>,
    source_column: String,
}

/// A dimension whose `kind` lacks the fields it needs, or is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindError {
    /// The dimension.
    pub dimension: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for KindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dimension `{}`: {}", self.dimension, self.message)
    }
}

impl std::error::Error for KindError {}

impl TryFrom<DimensionIn> for DimensionDoc {
    type Error = KindError;

    fn try_from(d: DimensionIn) -> Result<DimensionDoc, KindError> {
        let fail = |message: String| KindError {
            dimension: d.name.clone(),
            message,
        };
        let kind = match (d.kind.as_str(), d.first, d.last, d.bands) {
            ("codes", ..) => DimensionKind::Codes,
            ("calendar", Some(first), Some(last), _) => DimensionKind::Calendar { first, last },
            ("calendar", ..) => {
                return Err(fail(
                    "kind `calendar` needs `first` and `last` (YYYY-MM)".into(),
                ))
            }
            ("bands", _, _, Some(bands)) => DimensionKind::Bands { bands },
            ("bands", ..) => return Err(fail("kind `bands` needs a `bands` list".into())),
            (other, ..) => {
                return Err(fail(format!(
                    "unknown kind `{other}`; expected `codes`, `calendar` or `bands`"
                )))
            }
        };
        Ok(DimensionDoc {
            name: d.name,
            source_column: d.source_column,
            en: d.en,
            fr: d.fr,
            kind,
            nodes: d.nodes,
        })
    }
}

impl<'de> Deserialize<'de> for DimensionDoc {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        DimensionDoc::try_from(DimensionIn::deserialize(deserializer)?)
            .map_err(serde::de::Error::custom)
    }
}

/// The months a calendar code covers (`2024`, `2024-Q1`, `2024-01`), each
/// as `year * 12 + month - 1`; `None` for any other code (a total).
pub fn period_months(code: &str) -> Option<Vec<i64>> {
    let y: i64 = code.get(0..4)?.parse().ok()?;
    match code.len() {
        4 => Some((1..=12).map(|m| y * 12 + m - 1).collect()),
        7 if &code[4..6] == "-Q" => {
            let q: i64 = code[6..].parse().ok().filter(|q| (1..=4).contains(q))?;
            Some((1..=3).map(|k| y * 12 + (q - 1) * 3 + k - 1).collect())
        }
        7 if &code[4..5] == "-" => {
            let m: i64 = code[5..7].parse().ok().filter(|m| (1..=12).contains(m))?;
            Some(vec![y * 12 + m - 1])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
