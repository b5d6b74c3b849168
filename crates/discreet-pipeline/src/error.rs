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
    /// A series folder that cannot take the release: its ledger or a
    /// release in it does not check, the release is already there, the spec
    /// drops published codes, or the final month goes back.
    Series(String),
    /// Read together with the earlier releases of its series, the release
    /// lets these cells be worked out (`table:dim=code,...`, earlier
    /// releases' tables prefixed `previous<i>/`).
    SeriesGate(Vec<String>),
    /// Read together with the earlier releases of its series, the release
    /// leaves a cell exposed that hiding more of its own cells cannot
    /// protect: what pins it is published in the earlier releases.
    SeriesUnrepairable(String),
    /// The microdata contradict what an earlier release of the series
    /// published as final: these cells, with both shown values.
    RevisedFinal(Vec<String>),
}

/// Up to 20 lines of `names`, then how many more.
fn list(f: &mut fmt::Formatter<'_>, names: &[String]) -> fmt::Result {
    for n in names.iter().take(20) {
        write!(f, "\n  {n}")?;
    }
    if names.len() > 20 {
        write!(f, "\n  ... and {} more", names.len() - 20)?;
    }
    Ok(())
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
                list(f, names)
            }
            PipelineError::Series(m) => f.write_str(m),
            PipelineError::SeriesGate(names) => {
                write!(f, "refused: read together with the earlier releases of its series, the release discloses or narrows {} cells not accepted in [audit].accept (a method with secondary suppression hides more cells instead)", names.len())?;
                list(f, names)
            }
            PipelineError::SeriesUnrepairable(m) => write!(
                f,
                "refused: read together with the earlier releases of its series, the release cannot be protected by hiding more of its own cells: {m} (the earlier releases' cells are published and are never hidden). Publish the new breakdown at a coarser level, or leave out the periods that pin it"
            ),
            PipelineError::RevisedFinal(cells) => {
                write!(f, "refused: the microdata change {} cells of periods an earlier release of the series declared final", cells.len())?;
                list(f, cells)
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
