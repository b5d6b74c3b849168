//! The reviewer's report of a discreet release: one self-contained HTML
//! page (no network, no script, no external font; inline CSS and SVG) in
//! English and French, showing what the release publishes and what an
//! outsider learns from it: the rule and method in words, every file
//! against the manifest, the audit's verdict, each table's information
//! loss as the manifest states it, a heat map of each table's cells by
//! status with the audit's findings drawn on it, and every finding with
//! the interval an outsider can prove and the relations (totals and parts)
//! that prove it.
//!
//! It reads only release folders: the one reported on and the earlier ones
//! audited with it. It must never read microdata nor hold a true count;
//! every figure it writes is a shown value, a count of cells, a bound
//! worked out from shown values (by the audit or, for information loss, by
//! the release itself), a date or a code.
//!
//! Design: a plain data model ([`Report`], built by [`build`] through the
//! pipeline's own release reading and audit, so the report and `discreet
//! audit` cannot disagree), then a hand-written HTML writer ([`render`]).
//! The charts are a few hundred lines of SVG rectangles and labels: a
//! plotting library (plotters and the like) would bring fonts, a raster
//! back end and many crates for what is a grid of squares, and could not
//! keep every figure in a text node. The output is deterministic: no
//! clock, no path, no random order, so the same release gives the same
//! bytes. The report is written beside the release's files but is not one
//! of them ([`REPORT_FILE`] is left out of the manifest and of `discreet
//! verify`'s checks).

#![warn(missing_docs)]

mod heatmap;
mod html;
mod model;

pub use discreet_pipeline::REPORT_FILE;
pub use html::render;
pub use model::{
    build, build_quiet, AuditTotals, CellRef, CellStatus, FileCheck, FindingReport, InfoLoss,
    RelationReport, RelationWord, ReleaseInfo, Report, TableReport, PARTS_LISTED,
};
