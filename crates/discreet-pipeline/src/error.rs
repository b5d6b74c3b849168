//! Everything that can stop a run or a verification.

use std::fmt;

use discreet_ingest::IngestError;
use discreet_publish::PublishError;
use discreet_spec::SpecError;

/// Why a run or a verification could not be done. At the command line a
/// refused gate is exit code 1 and everything else exit code 2.
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
    /// The spec's audit gate refused the release: these findings (named
    /// `table:dim=code,...`, never with true counts) were not accepted.
    Gate(Vec<String>),
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::Usage(m) => f.write_str(m),
            PipelineError::Spec(e) => e.fmt(f),
            PipelineError::Input(e) => e.fmt(f),
            PipelineError::Publish(e) => e.fmt(f),
            PipelineError::Gate(names) => {
                write!(f, "the audit gate refused the release: {} findings not accepted in [audit].accept", names.len())?;
                for n in names.iter().take(20) {
                    write!(f, "\n  {n}")?;
                }
                if names.len() > 20 {
                    write!(f, "\n  ... and {} more", names.len() - 20)?;
                }
                Ok(())
            }
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
