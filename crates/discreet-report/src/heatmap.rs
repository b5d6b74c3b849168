//! A table's cells as inline SVG heat maps: the two dimensions with the
//! most codes as rows and columns, one small multiple per combination of
//! the other dimensions' codes, so every cell is drawn exactly once. A
//! cell's colour is its status; a finding outlines it. Hovering a cell
//! shows its codes, its shown value and, for a finding, what an outsider
//! proves (an SVG `<title>`, a text node like every figure of the page).

use std::fmt::Write;

use crate::html::{esc, esc_into, interval};
use crate::model::{CellStatus, TableReport};

/// Pixels per cell (a 9-pixel square and a 1-pixel gap).
const CELL: usize = 10;
/// Pixels per character of a label, roughly, at the labels' font size.
const CHAR: usize = 6;

/// Writes the heat maps of `t`, with their key.
pub(crate) fn heatmap(out: &mut String, t: &TableReport) {
    let n = t.sizes.len();
    if n == 0 || t.dims.len() != n {
        return;
    }
    // Rows: the dimension with the most codes; columns: the next one.
    let mut by_size: Vec<usize> = (0..n).collect();
    by_size.sort_by_key(|&d| (std::cmp::Reverse(t.sizes[d]), d));
    let rows = by_size[0];
    let cols = by_size.get(1).copied();
    let others: Vec<usize> = (0..n).filter(|&d| d != rows && Some(d) != cols).collect();
    let mut strides = vec![1usize; n];
    for d in (0..n.saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * t.sizes[d + 1];
    }
    key(out);
    out.push_str("<div class=\"figs\">");
    let panels: usize = others.iter().map(|&d| t.sizes[d]).product();
    let mut coords = vec![0usize; n];
    for p in 0..panels {
        // Decode the panel number into the other dimensions' codes.
        let mut rest = p;
        for &d in others.iter().rev() {
            coords[d] = rest % t.sizes[d];
            rest /= t.sizes[d];
        }
        if !others.is_empty() {
            let title: Vec<String> = others
                .iter()
                .map(|&d| {
                    let node = &t.dims[d].nodes[coords[d]];
                    format!(
                        "{} = <b>{}</b> (<span class=\"en\">{}</span><span class=\"fr\">{}</span>)",
                        esc(&t.dims[d].name),
                        esc(&node.code),
                        esc(&node.en),
                        esc(&node.fr)
                    )
                })
                .collect();
            let _ = write!(out, "<div class=\"fig\"><p>{}</p>", title.join(", "));
        } else {
            out.push_str("<div class=\"fig\">");
        }
        panel(out, t, rows, cols, &mut coords, &strides);
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
}

fn key(out: &mut String) {
    let swatch = |colour: &str| format!("<i style=\"background:{colour}\"></i>");
    let outline =
        |colour: &str| format!("<i style=\"border:2px solid {colour};width:6px;height:6px\"></i>");
    let _ = writeln!(
        out,
        "<p class=\"key\">{}0 {}-- <span class=\"en\">(by the rule, or by secondary suppression where the method has it: the release does not tell them apart)</span><span class=\"fr\">(par la règle, ou par suppression secondaire si la méthode en fait : la publication ne les distingue pas)</span>{}<span class=\"en\">shown</span><span class=\"fr\">publiée</span>{}<span class=\"en\">disclosed</span><span class=\"fr\">divulguée</span>{}<span class=\"en\">narrowed</span><span class=\"fr\">resserrée</span>{}<span class=\"en\">inconsistent</span><span class=\"fr\">incohérente</span></p>",
        swatch("#e6e8eb"),
        swatch("#4a5568"),
        swatch("#8fb8de"),
        outline("#d00"),
        outline("#f08c00"),
        outline("#7b2cbf"),
    );
}

/// One SVG: rows × columns at the other dimensions' `coords`.
fn panel(
    out: &mut String,
    t: &TableReport,
    rows: usize,
    cols: Option<usize>,
    coords: &mut [usize],
    strides: &[usize],
) {
    let codes = |d: usize| t.dims[d].nodes.iter().map(|n| n.code.as_str());
    let longest = |d: usize| codes(d).map(|c| c.chars().count()).max().unwrap_or(0);
    let left = (longest(rows) * CHAR + 8).min(160);
    let top = cols.map_or(8, |c| (longest(c) * CHAR + 8).min(100));
    let n_rows = t.sizes[rows];
    let n_cols = cols.map_or(1, |c| t.sizes[c]);
    let width = left + n_cols * CELL + 4;
    let height = top + n_rows * CELL + 4;
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\">"
    );
    for (r, code) in codes(rows).enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 3,
            top + r * CELL + 8,
            esc(code)
        );
    }
    if let Some(c) = cols {
        for (k, code) in codes(c).enumerate() {
            let _ = write!(
                out,
                "<text transform=\"translate({},{}) rotate(-90)\">{}</text>",
                left + k * CELL + 8,
                top - 3,
                esc(code)
            );
        }
    }
    for r in 0..n_rows {
        coords[rows] = r;
        for k in 0..n_cols {
            if let Some(c) = cols {
                coords[c] = k;
            }
            let idx: usize = coords.iter().zip(strides).map(|(a, s)| a * s).sum();
            cell(out, t, idx, coords, left + k * CELL, top + r * CELL);
        }
    }
    out.push_str("</svg>");
}

fn cell(out: &mut String, t: &TableReport, idx: usize, coords: &[usize], x: usize, y: usize) {
    let shown = &t.shown[idx];
    let class = match CellStatus::of(shown) {
        CellStatus::Zero => "z",
        CellStatus::Hidden => "h",
        CellStatus::Shown => "s",
    };
    let finding = t.finding_of.get(&idx).map(|&i| &t.findings[i]);
    let mark = match finding.map(|f| f.kind) {
        Some("disclosed") => " fd",
        Some("narrowed") => " fn",
        Some(_) => " fi",
        None => "",
    };
    let _ = write!(
        out,
        "<rect x=\"{x}\" y=\"{y}\" width=\"9\" height=\"9\" class=\"{class}{mark}\"><title>"
    );
    for (d, &c) in coords.iter().enumerate() {
        if d > 0 {
            out.push_str(" · ");
        }
        esc_into(out, &t.dims[d].nodes[c].code);
    }
    out.push_str(": ");
    esc_into(out, shown);
    if let Some(f) = finding {
        out.push_str(" → ");
        out.push_str(&interval(f.cell.interval));
    }
    out.push_str("</title></rect>");
}
