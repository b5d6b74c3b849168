//! `discreet-portal`: build and check the open.canada.ca `package_create` body.
//!
//! The portal (CKAN + ckanext-canada) rejects or silently mangles bodies that
//! break its schema, and some of its rules are easy to miss (fluent `en`/`fr`
//! objects, `"true"`/`"false"` strings, UUID `id`/`name`, no `Parquet`
//! format, never sending `portal_release_date`). This crate checks a body
//! locally, before anything is sent, against the ckanext-canada schema files
//! embedded at compile time from `schemas/open-canada/`.
//!
//! What it provides:
//! * [`PortalSchema`]: the embedded schema, parsed once;
//! * [`validate_package`]: every rule broken by a body, not just the first;
//! * [`dataset_uuid`]: a deterministic dataset id, so a re-publication
//!   addresses the same portal record;
//! * [`format_for_extension`]: the portal `format` value for a file.
//!
//! What it must not do: no file I/O, no network, no clock, no randomness and
//! no polars. It is a pure function of its inputs so it can run in tests and
//! in a dry run, and so it stays cheap to compile.

#![warn(missing_docs)]

mod ids;
mod schema;
mod validate;

use std::fmt;

pub use ids::{dataset_uuid, format_for_extension};
pub use schema::PortalSchema;
pub use validate::validate_package;

/// The portal organization name of IRCC; the only publisher this project
/// writes for (the organization's UUID is also accepted by CKAN, but the
/// pipeline always sends the name so bodies are comparable across runs).
pub const OWNER_ORG: &str = "cic";

/// One broken rule in a `package_create` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalError {
    /// JSON-path-like location, e.g. `title_translated.fr` or
    /// `resources[2].format`; `package` for the body itself.
    pub field: String,
    /// What the portal (or this project) expects there.
    pub expected: String,
}

impl PortalError {
    pub(crate) fn new(field: impl Into<String>, expected: impl Into<String>) -> Self {
        PortalError {
            field: field.into(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for PortalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field {}: expected {}", self.field, self.expected)
    }
}

impl std::error::Error for PortalError {}

#[cfg(test)]
mod tests;
