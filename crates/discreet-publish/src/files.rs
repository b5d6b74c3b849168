//! Writing one file of a release and recording its digest.

use std::path::Path;

use discreet_spec::sha256_hex;

use crate::error::PublishError;

/// A file of a release with its size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the release folder.
    pub path: String,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Writes `bytes` to `dir/name`.
pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<FileEntry, PublishError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| PublishError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(FileEntry {
        path: name.to_string(),
        sha256: sha256_hex(bytes),
        bytes: bytes.len() as u64,
    })
}
