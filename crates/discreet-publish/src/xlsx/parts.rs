//! The XML parts of a one-sheet workbook.

use std::fmt::Write as _;

use super::{cell_ref, escape, Properties, Sheet, Style, Value, MAX_INDENT};

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// `[Content_Types].xml`: the media type of every part.
pub(super) const CONTENT_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
    "</Types>"
);

/// `_rels/.rels`: the workbook and its core properties.
pub(super) const ROOT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>",
    "</Relationships>"
);

/// `xl/_rels/workbook.xml.rels`: the sheet and the styles, both internal.
pub(super) const WORKBOOK_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "</Relationships>"
);

/// `docProps/core.xml`: title, language, and the creation and modification
/// times, both the publication date at midnight UTC.
pub(super) fn core(p: &Properties<'_>) -> String {
    let when = format!("{}T00:00:00Z", p.created);
    format!(
        "{XML_HEAD}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:language>{}</dc:language>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{when}</dcterms:modified>\
         </cp:coreProperties>",
        escape(p.title),
        escape(p.language),
    )
}

/// `xl/workbook.xml`: one visible sheet.
pub(super) fn workbook(p: &Properties<'_>) -> String {
    format!(
        "{XML_HEAD}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">\
         <bookViews><workbookView/></bookViews>\
         <sheets><sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        escape(p.sheet_name)
    )
}

/// Index of a style in the style sheet's `cellXfs`.
fn style_index(s: Style) -> u32 {
    match s {
        Style::Plain | Style::Indent(0) => 0,
        Style::Bold => 1,
        Style::Band => 2,
        Style::Number => 3,
        Style::Right => 4,
        Style::Indent(n) => 4 + u32::from(n.min(MAX_INDENT)),
    }
}

/// `xl/styles.xml`: the cell formats, in [`style_index`] order. Number
/// format 3 is the built-in `#,##0`.
pub(super) fn styles() -> String {
    let mut xfs = String::from(
        "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
         <xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
         <xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" \
         applyAlignment=\"1\"><alignment horizontal=\"center\"/></xf>\
         <xf numFmtId=\"3\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>\
         <xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
         applyAlignment=\"1\"><alignment horizontal=\"right\"/></xf>",
    );
    for n in 1..=MAX_INDENT {
        let _ = write!(
            xfs,
            "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
             applyAlignment=\"1\"><alignment horizontal=\"left\" indent=\"{n}\"/></xf>"
        );
    }
    let count = 5 + u32::from(MAX_INDENT);
    format!(
        "{XML_HEAD}<styleSheet xmlns=\"{MAIN_NS}\">\
         <fonts count=\"2\">\
         <font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
         <font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>\
         <fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>\
         <fill><patternFill patternType=\"gray125\"/></fill></fills>\
         <borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
         <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
         <cellXfs count=\"{count}\">{xfs}</cellXfs>\
         <cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
         </styleSheet>"
    )
}

/// The sheet view: frozen panes when asked for.
fn sheet_view(sheet: &Sheet) -> String {
    let Some((row, col)) = sheet.freeze.filter(|&(r, c)| r > 0 || c > 0) else {
        return "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"/></sheetViews>"
            .into();
    };
    let top_left = cell_ref(row, col);
    let (splits, pane) = match (row > 0, col > 0) {
        (true, true) => (format!("xSplit=\"{col}\" ySplit=\"{row}\""), "bottomRight"),
        (true, false) => (format!("ySplit=\"{row}\""), "bottomLeft"),
        _ => (format!("xSplit=\"{col}\""), "topRight"),
    };
    format!(
        "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">\
         <pane {splits} topLeftCell=\"{top_left}\" activePane=\"{pane}\" state=\"frozen\"/>\
         <selection pane=\"{pane}\" activeCell=\"{top_left}\" sqref=\"{top_left}\"/>\
         </sheetView></sheetViews>"
    )
}

/// Runs of adjacent columns of one width: first and last column (from 1)
/// and the width, as `<col>` elements take them.
fn width_runs(sheet: &Sheet) -> Vec<(u32, u32, f64)> {
    let mut runs: Vec<(u32, u32, f64)> = Vec::new();
    for (&c, &w) in &sheet.widths {
        let n = u32::from(c) + 1;
        match runs.last_mut() {
            Some(last) if last.1 + 1 == n && last.2 == w => last.1 = n,
            _ => runs.push((n, n, w)),
        }
    }
    runs
}

/// `xl/worksheets/sheet1.xml`: the cells row by row, text inline.
pub(super) fn worksheet(sheet: &Sheet) -> String {
    let mut out = format!("{XML_HEAD}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">");
    let last_row = sheet.cells.keys().map(|k| k.0).max().unwrap_or(0);
    let last_col = sheet.cells.keys().map(|k| k.1).max().unwrap_or(0);
    let _ = write!(
        out,
        "<dimension ref=\"A1:{}\"/>{}<sheetFormatPr defaultRowHeight=\"15\"/>",
        cell_ref(last_row, last_col),
        sheet_view(sheet)
    );
    if !sheet.widths.is_empty() {
        out.push_str("<cols>");
        for (min, max, w) in width_runs(sheet) {
            let _ = write!(
                out,
                "<col min=\"{min}\" max=\"{max}\" width=\"{w:.2}\" customWidth=\"1\"/>"
            );
        }
        out.push_str("</cols>");
    }
    out.push_str("<sheetData>");
    let mut open: Option<u32> = None;
    for (&(row, col), (value, style)) in &sheet.cells {
        if open != Some(row) {
            if open.is_some() {
                out.push_str("</row>");
            }
            let _ = write!(out, "<row r=\"{}\">", row + 1);
            open = Some(row);
        }
        let r = cell_ref(row, col);
        let s = style_index(*style);
        match value {
            Value::Number(v) => {
                let _ = write!(out, "<c r=\"{r}\" s=\"{s}\"><v>{v}</v></c>");
            }
            Value::Text(t) => {
                let space = if t.trim() != t {
                    " xml:space=\"preserve\""
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<c r=\"{r}\" s=\"{s}\" t=\"inlineStr\"><is><t{space}>{}</t></is></c>",
                    escape(t)
                );
            }
        }
    }
    if open.is_some() {
        out.push_str("</row>");
    }
    out.push_str(
        "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" \
         header=\"0.3\" footer=\"0.3\"/></worksheet>",
    );
    out
}
