//! Everything that can stop a run or a verification.

use std::fmt;
use std::path::PathBuf;

use discreet_ingest::IngestError;
use discreet_publish::PublishError;
use discreet_spec::SpecError;

/// Why a run, a verification or an audit could not be done. The messages
/// name no command-line flags: the caller words those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineError {
    /// A folder or file that cannot be used as asked (not a release folder,
    /// unreadable, unwritable...).
    Usage(String),
    /// No output folder was given.
    NoOutput,
    /// The output folder exists and is not a folder.
    OutputNotFolder {
        /// The output asked for.
        dir: PathBuf,
    },
    /// The output folder holds something and replacing it was not asked for.
    OutputExists {
        /// The output asked for.
        dir: PathBuf,
    },
    /// The output folder's parent does not exist and cannot be created.
    OutputParent {
        /// The output asked for.
        dir: PathBuf,
        /// Its parent.
        parent: PathBuf,
        /// Why it could not be created.
        error: String,
    },
    /// An input path was given for a name the spec does not have.
    UnknownInput {
        /// The name given.
        name: String,
        /// The spec's input names.
        expected: Vec<String>,
    },
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
            PipelineError::NoOutput => f.write_str("no output folder given"),
            PipelineError::OutputNotFolder { dir } => {
                write!(f, "{}: exists and is not a folder", dir.display())
            }
            PipelineError::OutputExists { dir } => {
                write!(f, "{}: the folder exists and is not empty", dir.display())
            }
            PipelineError::OutputParent { dir, parent, error } => write!(
                f,
                "{}: cannot create the parent folder {}: {error}",
                dir.display(),
                parent.display()
            ),
            PipelineError::UnknownInput { name, expected } => write!(
                f,
                "the spec has no input named `{name}`; expected one of {}",
                expected.join(", ")
            ),
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
