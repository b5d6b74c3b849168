//! A one-sheet SpreadsheetML (`.xlsx`) writer, just large enough for the
//! IRCC workbooks: text and number cells in a few fixed styles, column
//! widths, frozen panes and the document's title, language and creation
//! date. No formulas, links, hidden sheets or shared parts exist in it to
//! leak anything, and the bytes depend on the content alone.
//!
//! Written here rather than through a workbook crate: those compress with
//! the `zip` crate, whose dependencies would change the features of crates
//! polars is built with (and so rebuild polars), and a shared compressor
//! could give other bytes in a build without polars.

mod deflate;
mod parts;
mod zip;

use std::collections::BTreeMap;

use crate::error::PublishError;

/// How a cell looks; each is one fixed entry of the style sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Default text.
    Plain,
    /// Bold text (title, dimension heading).
    Bold,
    /// Bold, centred (period header bands).
    Band,
    /// A whole number with thousands separators (`#,##0`, which each
    /// reader shows with its own locale's separator).
    Number,
    /// Right-aligned text, for `--` among numbers.
    Right,
    /// Text indented by this many levels (1 to [`MAX_INDENT`]).
    Indent(u8),
}

/// Deepest indent a style exists for; deeper rows get this one.
pub(crate) const MAX_INDENT: u8 = 10;

/// A cell's content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// Text, written inline.
    Text(String),
    /// A count.
    Number(u64),
}

/// One worksheet being filled, then packed into a workbook.
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    /// Row, then column (both from 0) to content and style.
    cells: BTreeMap<(u32, u16), (Value, Style)>,
    widths: BTreeMap<u16, f64>,
    /// First unfrozen row and column.
    freeze: Option<(u32, u16)>,
}

/// What the workbook says about itself.
pub(crate) struct Properties<'a> {
    /// The sheet's tab name.
    pub sheet_name: &'a str,
    /// The document title.
    pub title: &'a str,
    /// `en` or `fr`.
    pub language: &'a str,
    /// Creation date, `YYYY-MM-DD`.
    pub created: &'a str,
}

impl Sheet {
    /// Puts text in a cell.
    pub(crate) fn text(&mut self, row: u32, col: u16, text: &str, style: Style) {
        self.cells
            .insert((row, col), (Value::Text(text.to_string()), style));
    }

    /// Puts a whole number in a cell.
    pub(crate) fn number(&mut self, row: u32, col: u16, value: u64, style: Style) {
        self.cells.insert((row, col), (Value::Number(value), style));
    }

    /// Sets a column's width, in characters.
    pub(crate) fn width(&mut self, col: u16, width: f64) {
        self.widths.insert(col, width);
    }

    /// Freezes the rows above `row` and the columns left of `col`.
    pub(crate) fn freeze(&mut self, row: u32, col: u16) {
        self.freeze = Some((row, col));
    }

    /// The `.xlsx` file.
    pub(crate) fn into_workbook(self, props: &Properties<'_>) -> Result<Vec<u8>, PublishError> {
        let sheet = parts::worksheet(&self);
        let entries: Vec<(&str, Vec<u8>)> = vec![
            (
                "[Content_Types].xml",
                parts::CONTENT_TYPES.as_bytes().to_vec(),
            ),
            ("_rels/.rels", parts::ROOT_RELS.as_bytes().to_vec()),
            ("docProps/core.xml", parts::core(props).into_bytes()),
            ("xl/workbook.xml", parts::workbook(props).into_bytes()),
            (
                "xl/_rels/workbook.xml.rels",
                parts::WORKBOOK_RELS.as_bytes().to_vec(),
            ),
            ("xl/styles.xml", parts::styles().into_bytes()),
            ("xl/worksheets/sheet1.xml", sheet.into_bytes()),
        ];
        zip::zip(&entries)
    }
}

/// A column's letters: 0 is `A`, 26 is `AA`.
pub(crate) fn column_name(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A cell reference such as `C7`.
pub(crate) fn cell_ref(row: u32, col: u16) -> String {
    format!("{}{}", column_name(col), row + 1)
}

/// Text made safe inside XML content and attribute values; characters XML
/// 1.0 cannot hold at all are dropped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_run_past_z() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(cell_ref(6, 2), "C7");
    }

    #[test]
    fn escaping_keeps_text_and_drops_controls() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(escape("Côte d’Ivoire\u{1}"), "Côte d’Ivoire");
    }
}
