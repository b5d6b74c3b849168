//! What a release that is one quarter of a series adds: `series.json` (the
//! dataset it belongs to and the releases before it, newest first), `revisions.csv` (which
//! shown values changed since that release) and, in `package.json`, the
//! series' dataset identifier and the earlier quarters' resources.
//!
//! Everything here is built from shown values; the pipeline crate finds
//! the earlier release and hands its shown values and resources over.

use serde_json::{json, Value};

use crate::error::PublishError;

/// Name of the series record inside a release of a series.
pub const SERIES_FILE: &str = "series.json";
/// Name of the list of revised cells inside a release of a series.
pub const REVISIONS_FILE: &str = "revisions.csv";

/// A release published as one quarter of a series (`discreet run --series`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRelease {
    /// The dataset identifier on the portal, the same for every quarter.
    pub dataset_id: String,
    /// The releases already in the series, newest first: this release was
    /// protected against all of them.
    pub earlier: Vec<EarlierRelease>,
    /// The release before this one, when there is one.
    pub previous: Option<PreviousRelease>,
}

/// A release already in the series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierRelease {
    /// Its name, which is also its folder's name in the series folder.
    pub release: String,
    /// SHA-256 of its `manifest.json`.
    pub manifest_sha256: String,
}

/// The release before this one in its series, as far as this one repeats it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousRelease {
    /// Its name, which is also its folder's name in the series folder.
    pub release: String,
    /// The resources of its `package.json`, which already list every quarter
    /// before it.
    pub resources: Vec<Value>,
    /// Every cell published by both releases, in this release's order.
    pub revisions: Vec<Revision>,
}

/// A cell published by this release and the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// Table name.
    pub table: String,
    /// The cell, `dim=code,dim=code`.
    pub cell: String,
    /// What the earlier release shows.
    pub previous: String,
    /// What this release shows.
    pub shown: String,
}

/// The `series.json` document.
pub(crate) fn series_doc(release: &str, s: &SeriesRelease) -> Value {
    json!({
        "format": "discreet-series-release/1",
        "dataset_id": s.dataset_id,
        "release": release,
        "earlier": s.earlier.iter().map(|e| json!({
            "release": e.release,
            "manifest_sha256": e.manifest_sha256,
        })).collect::<Vec<_>>(),
    })
}

/// `revisions.csv`: one row per cell published by both releases, with both
/// shown values and whether they differ.
pub(crate) fn revisions_csv(p: &PreviousRelease) -> Result<Vec<u8>, PublishError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let ierr = |e: csv::Error| PublishError::Internal(e.to_string());
    w.write_record([
        "table",
        "cell",
        "previous_release",
        "previous",
        "shown",
        "revised",
    ])
    .map_err(ierr)?;
    for r in &p.revisions {
        let revised = if r.previous == r.shown { "no" } else { "yes" };
        w.write_record([
            r.table.as_str(),
            &r.cell,
            &p.release,
            &r.previous,
            &r.shown,
            revised,
        ])
        .map_err(ierr)?;
    }
    w.into_inner()
        .map_err(|e| PublishError::Internal(e.to_string()))
}
