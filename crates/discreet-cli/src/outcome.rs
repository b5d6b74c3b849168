//! How a command ends, and the one place that turns that into an exit code
//! and the words the user reads.

use std::path::PathBuf;

use discreet_pipeline::PipelineError;

/// A command that ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report: a release written, a spec valid, a release clean.
    Clean,
    /// The command ran and found something (violations, findings).
    Found,
}

/// Why a command stopped.
#[derive(Debug)]
pub enum CliError {
    /// A library refused or failed.
    Pipeline(PipelineError),
    /// A `--json FILE` report could not be written.
    WriteReport {
        /// The file asked for.
        path: PathBuf,
        /// Why it failed.
        error: std::io::Error,
    },
    /// A command whose library words its own messages (testdata).
    Other(Box<dyn std::error::Error>),
}

impl From<PipelineError> for CliError {
    fn from(e: PipelineError) -> Self {
        CliError::Pipeline(e)
    }
}

impl From<discreet_spec::SpecError> for CliError {
    fn from(e: discreet_spec::SpecError) -> Self {
        CliError::Pipeline(e.into())
    }
}

/// The exit code of a command: 0 clean, 1 findings, violations or a refused
/// audit gate, 2 a usage or input error.
pub fn exit_code(result: &Result<Outcome, CliError>) -> u8 {
    match result {
        Ok(Outcome::Clean) => 0,
        Ok(Outcome::Found) => 1,
        Err(CliError::Pipeline(
            PipelineError::Gate(_)
            | PipelineError::SeriesGate(_)
            | PipelineError::SeriesUnrepairable(_),
        )) => 1,
        Err(_) => 2,
    }
}

/// What the user reads about `e`: library errors name no command-line
/// flags, so the flags are worded here.
pub fn message(e: &CliError) -> String {
    match e {
        CliError::Pipeline(e) => pipeline_message(e),
        CliError::WriteReport { path, error } => {
            format!("cannot write {}: {error}", path.display())
        }
        CliError::Other(e) => e.to_string(),
    }
}

/// The library's message, with the flag that names what it is about.
fn pipeline_message(e: &PipelineError) -> String {
    match e {
        PipelineError::NoOutput => "--out needs a folder".into(),
        PipelineError::OutputExists { .. } => {
            format!("--out {e}; pass --replace to replace the release in it")
        }
        PipelineError::OutputNotFolder { .. } | PipelineError::OutputParent { .. } => {
            format!("--out {e}")
        }
        PipelineError::UnknownInput { name, .. } => format!("--input {name}=...: {e}"),
        other => other.to_string(),
    }
}
