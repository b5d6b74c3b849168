//! `manifest.json`: every file of the release with its SHA-256 and size,
//! the digests of the inputs and of the spec, the tool version, and every
//! parameter. No true count is recorded here, nor anything that reveals one.

use serde_json::{json, Value};

use crate::files::FileEntry;
use crate::info_loss::public_information_loss;
use crate::structure::rule_json;
use crate::ReleaseContent;

/// An input file as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDigest {
    /// Input name in the spec.
    pub name: String,
    /// File name (no directories, so releases are the same on any machine).
    pub file_name: String,
    /// Lowercase hex SHA-256 of the file.
    pub sha256: String,
}

/// The manifest of a release.
pub struct Manifest {
    json: Value,
}

impl Manifest {
    /// Builds the manifest for the files written so far.
    pub fn new(content: &ReleaseContent<'_>, files: &[FileEntry]) -> Manifest {
        let plan = content.plan;
        let secondary_method = plan.protection.method.has_secondary();
        let tables: Vec<Value> = content
            .tables
            .iter()
            .map(|v| {
                // Secondary cells are counted with the rule's own: how many
                // `--` hide large counts would tell an outsider which ones
                // are small. The exact information-loss figures come from
                // true counts and go to the run summary; here are the
                // bounds the shown values themselves give.
                let [zero, suppressed, rounded, secondary] = crate::status_counts(v.protected);
                let mut t = json!({
                    "name": v.plan.name,
                    "input": v.plan.input,
                    "dimensions": v.plan.dimensions,
                    "cells": v.order.len(),
                    "cells_zero": zero,
                    "cells_suppressed": suppressed + secondary,
                    "cells_rounded": rounded,
                    "information_loss": public_information_loss(v, &plan.rule, secondary_method),
                });
                if v.plan.count_distinct.is_some() {
                    t["margins"] = json!(v.plan.margins().as_str());
                }
                t
            })
            .collect();
        let mut json = json!({
            "format": "discreet-manifest/1",
            "tool": {"name": "discreet", "version": content.tool_version},
            "release": plan.spec.release.name,
            "published": plan.spec.release.published,
            "spec": {"file": crate::SPEC_FILE, "source": file_name(&plan.source_name), "sha256": plan.spec_sha256},
            "rule": rule_json(plan),
            // No input size: with fixed-width records it would tell the exact
            // number of rows, a true count the release must not carry.
            "inputs": content.inputs.iter().map(|i| json!({"name": i.name, "file": i.file_name, "sha256": i.sha256})).collect::<Vec<_>>(),
            "tables": tables,
            "files": files.iter().map(|f| json!({"path": f.path, "sha256": f.sha256, "bytes": f.bytes})).collect::<Vec<_>>(),
        });
        if !plan.files.is_empty() {
            // Which spec path each copied codelist or recode file stands for.
            json["codes"] = plan
                .files
                .iter()
                .map(|f| json!({"file": f.release_name, "source": f.path, "sha256": discreet_spec::sha256_hex(&f.bytes)}))
                .collect();
        }
        Manifest { json }
    }

    /// The manifest document.
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}
