//! Writing a release folder.
//!
//! Given protected tables and the plan they came from, this crate writes
//! every file of a release: per table a CSV, a Parquet file, IRCC's
//! English and French workbooks and long CSV, and a bilingual data
//! dictionary; then `structure.json`, `datapackage.json`,
//! `package.json` (the open.canada.ca `package_create` body), a copy of the
//! spec, and `manifest.json` with the SHA-256 of everything.
//!
//! Parquet files are written through polars, only with the `parquet`
//! feature (default on); a build without it writes releases without
//! Parquet files (the other forms need no polars), and checks a release
//! with Parquet files by rewriting it beside the folder (see
//! [`rewrite_release`]).
//!
//! It writes only shown values: true counts are never passed to a writer.
//! It must not read microdata, choose protection, or rename folders; the
//! pipeline crate does that around it.

mod cells;
mod dictionary;
mod error;
mod files;
mod frictionless;
mod info_loss;
mod ircc_csv;
mod layout;
mod manifest;
mod note;
#[cfg(feature = "parquet")]
mod parquet_table;
mod portal_package;
mod series;
mod structure;
mod workbook;
mod xlsx;

pub use cells::{column_names, TableView};
pub use error::PublishError;
pub use files::FileEntry;
pub use manifest::{InputDigest, Manifest};
pub use note::{rule_note, table_note, DISTINCT_NOTE};
pub use portal_package::series_dataset_id;
pub use series::{
    EarlierRelease, PreviousRelease, Revision, SeriesRelease, REVISIONS_FILE, SERIES_FILE,
};
pub use structure::{rule_json, structure_doc};

use std::path::Path;

use discreet_core::ProtectedTable;
use discreet_spec::{Plan, TableFormat};

/// Everything a release is written from.
pub struct ReleaseContent<'a> {
    /// The checked spec.
    pub plan: &'a Plan,
    /// One view per table, in spec order.
    pub tables: Vec<TableView<'a>>,
    /// Digests of the inputs read.
    pub inputs: Vec<InputDigest>,
    /// Version of the tool, recorded in the manifest.
    pub tool_version: &'a str,
    /// The series this release is a quarter of, when it is published as one.
    pub series: Option<SeriesRelease>,
}

/// Name of the copy of the spec inside a release.
pub const SPEC_FILE: &str = "spec.toml";
/// Name of the manifest.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Name of the structure file.
pub const STRUCTURE_FILE: &str = "structure.json";

/// Writes every file of the release into `dir` (which must exist and be
/// empty) and returns the files written, manifest last.
pub fn write_release(
    dir: &Path,
    content: &ReleaseContent<'_>,
) -> Result<Vec<FileEntry>, PublishError> {
    write_files(dir, content, None)
}

/// Writes the release `content` again into `dir` (which must exist and be
/// empty), to be compared with the release folder `original`: as
/// [`write_release`] does, except that a build without the `parquet`
/// feature, which cannot write Parquet, copies each table's Parquet file
/// from `original` (leaving out one it lacks), so that the files that list
/// their digests can still be compared. The copies prove nothing.
pub fn rewrite_release(
    dir: &Path,
    content: &ReleaseContent<'_>,
    original: &Path,
) -> Result<Vec<FileEntry>, PublishError> {
    write_files(dir, content, Some(original))
}

/// Whether this build can write the release `plan` describes: a build
/// without the `parquet` feature cannot write Parquet files, and no
/// workbook holds more than a worksheet's rows and columns. Lets a run
/// refuse before any work is done.
pub fn check_release_writable(plan: &Plan) -> Result<(), PublishError> {
    if !cfg!(feature = "parquet") && plan.writes(TableFormat::Parquet) {
        return Err(PublishError::NoParquet);
    }
    if plan.writes(TableFormat::Xlsx) {
        workbook::check_fits(plan)?;
    }
    Ok(())
}

/// [`write_release`], or [`rewrite_release`] beside `original`.
fn write_files(
    dir: &Path,
    content: &ReleaseContent<'_>,
    original: Option<&Path>,
) -> Result<Vec<FileEntry>, PublishError> {
    let mut files = Vec::new();
    for view in &content.tables {
        let name = &view.plan.name;
        files.push(files::write(
            dir,
            &format!("{name}.csv"),
            &cells::table_csv(view)?,
        )?);
        if content.plan.writes(TableFormat::Parquet) {
            files.extend(table_parquet(dir, view, content, original)?);
        }
        if content.plan.writes(TableFormat::Xlsx) {
            for (file, fr) in workbook::file_names(name).iter().zip([false, true]) {
                let bytes = workbook::workbook(view, content.plan, fr)?;
                files.push(files::write(dir, file, &bytes)?);
            }
        }
        if content.plan.writes(TableFormat::IrccCsv) {
            files.push(files::write(
                dir,
                &ircc_csv::file_name(name),
                &ircc_csv::ircc_csv(view, content.plan)?,
            )?);
        }
        files.push(files::write(
            dir,
            &format!("{name}-dictionary.csv"),
            &dictionary::dictionary_csv(view, content.plan)?,
        )?);
    }
    if let Some(s) = &content.series {
        let release = &content.plan.spec.release.name;
        files.push(files::write(
            dir,
            SERIES_FILE,
            &json_bytes(&series::series_doc(release, s))?,
        )?);
        if let Some(p) = &s.previous {
            files.push(files::write(
                dir,
                REVISIONS_FILE,
                &series::revisions_csv(p)?,
            )?);
        }
    }
    files.push(files::write(
        dir,
        STRUCTURE_FILE,
        &json_bytes(&structure_doc(content))?,
    )?);
    files.push(files::write(
        dir,
        "datapackage.json",
        &json_bytes(&frictionless::datapackage(content, &files))?,
    )?);
    files.push(files::write(
        dir,
        SPEC_FILE,
        content.plan.spec_text.as_bytes(),
    )?);
    let package = portal_package::package(content, &files)?;
    files.push(files::write(dir, "package.json", &json_bytes(&package)?)?);
    // The codelist and recode files the spec brings, so that the release
    // holds every code it was made with and `verify` recomputes with them.
    for f in &content.plan.files {
        files.push(files::write(dir, &f.release_name, &f.bytes)?);
    }
    let manifest = write_manifest(dir, content, &files, None)?;
    files.push(manifest);
    Ok(files)
}

/// Writes the Parquet form of a table (see [`rewrite_release`] for
/// `original`).
#[cfg(feature = "parquet")]
fn table_parquet(
    dir: &Path,
    view: &TableView<'_>,
    content: &ReleaseContent<'_>,
    _original: Option<&Path>,
) -> Result<Option<FileEntry>, PublishError> {
    let name = format!("{}.parquet", view.plan.name);
    let bytes = parquet_table::table_parquet(view, content)?;
    files::write(dir, &name, &bytes).map(Some)
}

/// Copies the Parquet form of a table from `original`, the only way a
/// build without polars has to it (see [`rewrite_release`]).
#[cfg(not(feature = "parquet"))]
fn table_parquet(
    dir: &Path,
    view: &TableView<'_>,
    _content: &ReleaseContent<'_>,
    original: Option<&Path>,
) -> Result<Option<FileEntry>, PublishError> {
    let name = format!("{}.parquet", view.plan.name);
    let original = original.ok_or(PublishError::NoParquet)?;
    match std::fs::read(original.join(&name)) {
        Ok(bytes) => files::write(dir, &name, &bytes).map(Some),
        Err(_) => Ok(None),
    }
}

/// Writes (or rewrites) `manifest.json` for `files` (the manifest itself
/// excluded), with the record of the audit made before installing, if any.
pub fn write_manifest(
    dir: &Path,
    content: &ReleaseContent<'_>,
    files: &[FileEntry],
    audit: Option<&serde_json::Value>,
) -> Result<FileEntry, PublishError> {
    let files: Vec<FileEntry> = files
        .iter()
        .filter(|f| f.path != MANIFEST_FILE)
        .cloned()
        .collect();
    let mut manifest = Manifest::new(content, &files).to_json();
    if let Some(a) = audit {
        manifest["audit"] = a.clone();
    }
    files::write(dir, MANIFEST_FILE, &json_bytes(&manifest)?)
}

/// Checks the portal metadata a spec would produce, before any work is
/// done, so that a spec the portal would reject fails fast.
pub fn check_portal_metadata(plan: &Plan) -> Result<(), PublishError> {
    let content = ReleaseContent {
        plan,
        tables: Vec::new(),
        inputs: Vec::new(),
        tool_version: "",
        series: None,
    };
    let placeholder = vec![FileEntry {
        path: "placeholder.csv".into(),
        sha256: "0".repeat(64),
        bytes: 0,
    }];
    portal_package::package(&content, &placeholder).map(|_| ())
}

/// Pretty JSON with a final newline. Keys come in the order the type gives
/// them (`serde_json::Value` sorts its maps), so the bytes are stable.
fn json_bytes(v: &impl serde::Serialize) -> Result<Vec<u8>, PublishError> {
    let mut out =
        serde_json::to_vec_pretty(v).map_err(|e| PublishError::Internal(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// Protected table plus what it needs to be written.
pub(crate) fn status_counts(p: &ProtectedTable) -> [usize; 4] {
    use discreet_core::CellStatus::*;
    [
        p.count_status(Zero),
        p.count_status(Suppressed),
        p.count_status(Rounded),
        p.count_status(Secondary),
    ]
}
