//! Running and verifying releases.
//!
//! This crate strings the others together: it loads a checked spec, has
//! the ingest crate count the microdata, builds every table with its
//! margins, protects it with the spec's rule, and has the publish crate
//! write the release into a temporary folder that is renamed into place only
//! when complete. `verify` does the same computation again and compares it
//! with what a release folder holds; `audit` attacks a release folder with
//! only what it publishes.
//!
//! It must not print: it reports through a [`Reporter`] so the CLI decides
//! how (human or JSON lines), and it must never report a true count.

mod audit;
mod compute;
mod error;
mod protect;
mod report;
mod run;
mod series;
mod verify;

pub use audit::{
    audit_release, audit_release_detail, default_protect_below, finding_name, AuditFinding,
    AuditReport, AuditSettings, AuditedTable, ReleaseAudit, TableAudit,
};
pub use compute::{compute, Computed, UnmatchedRows};
pub use error::PipelineError;
pub use protect::{protect, InfoLoss, Protected, SecondaryReport};
pub use report::{NullReporter, Reporter};
pub use run::{run, RunOptions, RunSummary, TableSummary};
pub use series::{
    check_series, series_releases, Ledger, LedgerEntry, LedgerInput, SeriesCheck, LEDGER_FILE,
};
pub use verify::{check_manifest, verify, ListedFile, VerifyReport, Violation, REPORT_FILE};

/// The version written into manifests.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Checks a spec beyond its own rules: the portal metadata it would produce.
pub fn check_spec(plan: &discreet_spec::Plan) -> Result<(), PipelineError> {
    discreet_publish::check_portal_metadata(plan).map_err(|e| match e {
        discreet_publish::PublishError::Portal(fields) => {
            PipelineError::Spec(discreet_spec::SpecError {
                file: plan.source_name.clone(),
                key: Some("portal".into()),
                message: format!(
                    "the package built from this spec would be rejected by open.canada.ca: {}",
                    fields.join("; ")
                ),
            })
        }
        other => PipelineError::Publish(other),
    })
}
