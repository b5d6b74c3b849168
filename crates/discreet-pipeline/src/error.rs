//! Everything that can stop a run or a verification.

use std::fmt;

use discreet_ingest::IngestError;
use discreet_publish::PublishError;
use discreet_spec::SpecError;

/// Why a run or a verification could not be done. All of these are exit
/// code 2 at the command line: the user has something to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineError {
    /// Wrong command-line use (unknown input name, bad output folder...).
    Usage(String),
    /// The spec is not valid.
    Spec(SpecError),
    /// An input file is missing or holds bad data.
    Input(IngestError),
    /// The release could not be written.
    Publish(PublishError),
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::Usage(m) => f.write_str(m),
            PipelineError::Spec(e) => e.fmt(f),
            PipelineError::Input(e) => e.fmt(f),
            PipelineError::Publish(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PipelineError {}

impl From<SpecError> for PipelineError {
    fn from(e: SpecError) -> Self {
        PipelineError::Spec(e)
    }
}
impl From<IngestError> for PipelineError {
    fn from(e: IngestError) -> Self {
        PipelineError::Input(e)
    }
}
impl From<PublishError> for PipelineError {
    fn from(e: PublishError) -> Self {
        PipelineError::Publish(e)
    }
}
