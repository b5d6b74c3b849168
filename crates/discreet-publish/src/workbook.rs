//! `EN_NAME.xlsx` and `FR_NAME.xlsx`: a table in IRCC's wide layout, one
//! workbook per language: title and subtitle rows, the period header bands
//! (year, quarter, month, with quarter and year totals where IRCC puts
//! them), the other dimensions as indented row groups with their totals,
//! then the notes and the source line. Shown values only: numbers as
//! numbers, `--` as text. The bytes depend on the release alone (the
//! creation time is the publication date; zip entries carry a fixed time).

use discreet_core::{Hierarchy, NodeId, Shown};
use discreet_spec::Plan;

use crate::cells::TableView;
use crate::error::PublishError;
use crate::layout::{is_calendar, max_depth, short_label};
use crate::xlsx::{Properties, Sheet, Style, MAX_INDENT};

/// Names of the two workbooks of a table, English then French.
pub(crate) fn file_names(table: &str) -> [String; 2] {
    [format!("EN_{table}.xlsx"), format!("FR_{table}.xlsx")]
}

/// Rows above the header bands: the title and the subtitle.
const TOP: u32 = 2;

/// Full month names, for the source line's date.
const MONTHS: [(&str, &str); 12] = [
    ("January", "janvier"),
    ("February", "février"),
    ("March", "mars"),
    ("April", "avril"),
    ("May", "mai"),
    ("June", "juin"),
    ("July", "juillet"),
    ("August", "août"),
    ("September", "septembre"),
    ("October", "octobre"),
    ("November", "novembre"),
    ("December", "décembre"),
];

/// Where each dimension goes: the period (or the last dimension when there
/// is no calendar) across, the others down, outermost first.
struct Axes {
    across: usize,
    down: Vec<usize>,
}

fn axes(names: &[String], plan: &Plan) -> Axes {
    let across = names
        .iter()
        .position(|d| is_calendar(plan, d))
        .unwrap_or(names.len() - 1);
    Axes {
        across,
        down: (0..names.len()).filter(|&i| i != across).collect(),
    }
}

/// A label in the workbook's language.
fn pick(fr: bool, en: &str, fr_text: &str) -> String {
    if fr {
        fr_text.to_string()
    } else {
        en.to_string()
    }
}

/// A total's heading: `Q1 Total` in English, `Total T1` in French.
fn total_of(fr: bool, label: &str) -> String {
    if fr {
        format!("Total {label}")
    } else {
        format!("{label} Total")
    }
}

/// Rows and columns a worksheet holds at most.
const SHEET_ROWS: u64 = 1 << 20;
const SHEET_COLS: u64 = 1 << 14;

/// Whether every table's workbook fits in one worksheet; checked from the
/// plan alone, so a run refuses before reading any microdata.
pub(crate) fn check_fits(plan: &Plan) -> Result<(), PublishError> {
    for t in &plan.tables {
        let ax = axes(&t.dimensions, plan);
        let size = |d: usize| {
            plan.dimensions[&t.dimensions[d]]
                .hierarchy
                .publication_order()
                .len() as u64
        };
        let across = &plan.dimensions[&t.dimensions[ax.across]].hierarchy;
        // Title rows, header bands, the value rows, a gap and a few notes.
        let rows = u64::from(TOP)
            + u64::from(max_depth(across).max(1))
            + ax.down.iter().map(|&d| size(d)).product::<u64>()
            + 8;
        let cols = ax.down.len().max(1) as u64 + size(ax.across);
        if rows > SHEET_ROWS || cols > SHEET_COLS {
            return Err(PublishError::TooLargeForSheet {
                table: t.name.clone(),
                rows,
                cols,
            });
        }
    }
    Ok(())
}

/// The header bands over the value columns: per column its node, and the
/// texts of the band rows (band 0 is the top one).
fn header_bands(h: &Hierarchy, calendar: bool, fr: bool) -> (Vec<NodeId>, Vec<Vec<String>>) {
    let depth = max_depth(h).max(1) as usize;
    let cols: Vec<NodeId> = h.publication_order().to_vec();
    let mut bands = vec![vec![String::new(); cols.len()]; depth];
    let mut labelled = std::collections::HashSet::new();
    for (c, &n) in cols.iter().enumerate() {
        let d = h.depth(n) as usize;
        let own = short_label(h, n, calendar, fr);
        if n == h.root() {
            bands[0][c] = own;
        } else if h.is_leaf(n) {
            bands[d - 1][c] = own;
        } else {
            bands[d.min(depth - 1)][c] = total_of(fr, &own);
        }
        // A band's label goes over the first column of its span.
        for a in h.ancestors(n).filter(|&a| a != n && h.depth(a) >= 1) {
            if labelled.insert(a) {
                bands[h.depth(a) as usize - 1][c] = short_label(h, a, calendar, fr);
            }
        }
    }
    (cols, bands)
}

/// The rows: every combination of the row dimensions' nodes, outer
/// dimensions slowest, parts before their totals (as the tidy CSV).
fn row_keys(view: &TableView<'_>, down: &[usize]) -> Vec<Vec<NodeId>> {
    let mut keys: Vec<Vec<NodeId>> = vec![Vec::new()];
    for &d in down {
        let order = view.dims()[d].publication_order();
        keys = keys
            .iter()
            .flat_map(|k| {
                order.iter().map(move |&n| {
                    let mut k = k.clone();
                    k.push(n);
                    k
                })
            })
            .collect();
    }
    keys
}

/// The label cells of a row: an outer label where its group starts, the
/// innermost non-total label (with `Total` when the row totals inner
/// dimensions), indented by its depth; the grand total reads `Total`.
fn row_labels(
    view: &TableView<'_>,
    down: &[usize],
    key: &[NodeId],
    prev: Option<&[NodeId]>,
    fr: bool,
) -> Vec<(String, u8)> {
    let dims = view.dims();
    let label = |j: usize| {
        let h = &dims[down[j]];
        short_label(h, key[j], false, fr)
    };
    let mut out = vec![(String::new(), 0u8); down.len().max(1)];
    let inner = (0..down.len())
        .rev()
        .find(|&j| key[j] != dims[down[j]].root());
    let Some(inner) = inner else {
        let root = dims[down.first().copied().unwrap_or(0)].root();
        out[0] = (
            short_label(&dims[down.first().copied().unwrap_or(0)], root, false, fr),
            0,
        );
        return out;
    };
    let changed = |j: usize| prev.is_none_or(|p| p[..=j] != key[..=j]);
    for (j, cell) in out.iter_mut().enumerate().take(inner) {
        if changed(j) {
            *cell = (label(j), 0);
        }
    }
    let h = &dims[down[inner]];
    let indent = h.depth(key[inner]).saturating_sub(1) as u8;
    let text = if inner + 1 < down.len() {
        total_of(fr, &label(inner))
    } else {
        label(inner)
    };
    out[inner] = (text, indent);
    out
}

/// The notes under the table, in the workbook's language: the rule's note
/// (with the holders' note where it applies), the issue, the source line.
fn notes(view: &TableView<'_>, plan: &Plan, fr: bool) -> Vec<String> {
    let (en, fr_note) = crate::note::table_note(plan, view.plan);
    let note = pick(fr, &en, &fr_note);
    let mut out = vec![pick(fr, "Notes:", "Remarques :")];
    for sentence in split_notes(&note) {
        out.push(format!("— {sentence}"));
    }
    let release = &plan.spec.release;
    if let Some(issue) = &release.issue {
        out.push(pick(
            fr,
            &format!("Issue: {}", issue.en),
            &format!("Diffusion : {}", issue.fr),
        ));
    }
    out.push(source_line(&release.published, fr));
    out
}

/// The note as IRCC lays it out: the suppression and rounding sentences
/// together, each further note on its own line.
fn split_notes(note: &str) -> Vec<String> {
    let holders = [crate::note::DISTINCT_NOTE.0, crate::note::DISTINCT_NOTE.1];
    for h in holders {
        if let Some(rest) = note.strip_suffix(h) {
            return vec![rest.trim_end().to_string(), h.to_string()];
        }
    }
    vec![note.to_string()]
}

/// `Source: IRCC, February 15, 2026` / `Source : IRCC, 15 février 2026`.
fn source_line(published: &str, fr: bool) -> String {
    let parts: Vec<u32> = published
        .split('-')
        .filter_map(|p| p.parse().ok())
        .collect();
    let [y, m, d] = parts[..] else {
        return format!("Source: IRCC, {published}");
    };
    let month = MONTHS[(m as usize).clamp(1, 12) - 1];
    if fr {
        format!("Source : IRCC, {d} {} {y}", month.1)
    } else {
        format!("Source: IRCC, {} {d}, {y}", month.0)
    }
}

/// The workbook's creation date: the publication date, so the bytes never
/// vary (a malformed date, which the spec check refuses, reads 1980-01-01).
fn created(published: &str) -> &str {
    let ok = published.len() == 10
        && published.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if ok {
        published
    } else {
        "1980-01-01"
    }
}

/// Display width of a text, in characters.
fn width(text: &str) -> f64 {
    text.chars().count() as f64
}

/// One workbook (English, or French when `fr`).
pub(crate) fn workbook(
    view: &TableView<'_>,
    plan: &Plan,
    fr: bool,
) -> Result<Vec<u8>, PublishError> {
    let ax = axes(&view.plan.dimensions, plan);
    let names = &view.plan.dimensions;
    let across_h = &view.dims()[ax.across];
    let (cols, bands) = header_bands(across_h, is_calendar(plan, &names[ax.across]), fr);
    let left = ax.down.len().max(1) as u16;
    let first = TOP + bands.len() as u32;
    let mut ws = Sheet::default();
    let t = &view.plan.title;
    let s = &view.plan.description;
    let title = pick(fr, &t.en, &t.fr);
    ws.text(0, 0, &title, Style::Bold);
    ws.text(1, 0, &pick(fr, &s.en, &s.fr), Style::Plain);
    let dim_labels: Vec<String> = ax
        .down
        .iter()
        .map(|&d| {
            let l = &plan.dimensions[&names[d]].spec.label;
            pick(fr, &l.en, &l.fr)
        })
        .collect();
    ws.text(
        TOP,
        0,
        &dim_labels.join(if fr { " et " } else { " and " }),
        Style::Bold,
    );
    let mut widths = vec![10.0f64; left as usize + cols.len()];
    for (b, band) in bands.iter().enumerate() {
        for (c, text) in band.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
            let col = left + c as u16;
            ws.text(TOP + b as u32, col, text, Style::Band);
            widths[col as usize] = widths[col as usize].max(width(text) + 2.0);
        }
    }
    let keys = row_keys(view, &ax.down);
    let mut coords = vec![0 as NodeId; names.len()];
    let mut prev: Option<&[NodeId]> = None;
    for (r, key) in keys.iter().enumerate() {
        let row = first + r as u32;
        let labels = row_labels(view, &ax.down, key, prev, fr);
        for (j, (text, indent)) in labels.into_iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            ws.text(row, j as u16, &text, Style::Indent(indent.min(MAX_INDENT)));
            widths[j] = widths[j].max(width(&text) + 2.0 + f64::from(indent) * 2.0);
        }
        for (j, &d) in ax.down.iter().enumerate() {
            coords[d] = key[j];
        }
        for (c, &n) in cols.iter().enumerate() {
            coords[ax.across] = n;
            let col = left + c as u16;
            match view.protected.shown_at(view.shape.index(&coords)) {
                Shown::Zero => ws.number(row, col, 0, Style::Number),
                Shown::Value(v) => ws.number(row, col, v, Style::Number),
                Shown::Suppressed => ws.text(row, col, "--", Style::Right),
            }
        }
        prev = Some(key);
    }
    let notes_start = first + keys.len() as u32 + 1;
    for (row, line) in (notes_start..).zip(notes(view, plan, fr)) {
        ws.text(row, 0, &line, Style::Plain);
    }
    for (c, w) in widths.iter().enumerate() {
        ws.width(c as u16, w.min(60.0));
    }
    ws.freeze(first, left);
    ws.into_workbook(&Properties {
        sheet_name: &pick(fr, "Table", "Tableau"),
        title: &title,
        language: if fr { "fr" } else { "en" },
        created: created(&plan.spec.release.published),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_lines_in_both_languages() {
        assert_eq!(
            source_line("2026-02-15", false),
            "Source: IRCC, February 15, 2026"
        );
        assert_eq!(
            source_line("2026-02-15", true),
            "Source : IRCC, 15 février 2026"
        );
        assert_eq!(
            source_line("2025-08-01", true),
            "Source : IRCC, 1 août 2025"
        );
    }

    #[test]
    fn creation_date_is_the_publication_date() {
        assert_eq!(created("2026-02-15"), "2026-02-15");
        assert_eq!(created("2026-2-15"), "1980-01-01");
        assert_eq!(created("2026-02-1x"), "1980-01-01");
    }

    #[test]
    fn totals_read_as_ircc_writes_them() {
        assert_eq!(total_of(false, "Q1"), "Q1 Total");
        assert_eq!(total_of(true, "T1"), "Total T1");
    }
}
