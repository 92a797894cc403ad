//! The backup folder's layout and its `manifest.json`: what a backup holds, and the checks a
//! manifest passes before anything trusts it.

use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::BackupError;

/// The `format` every manifest names.
pub const FORMAT: &str = "shelfwise-backup";
/// The version of `store.dump` this build writes and reads.
pub const VERSION: u32 = 1;
/// The data file in a backup folder.
pub const DATA_FILE: &str = "store.dump";
/// The manifest in a backup folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// What a backup holds: written as `manifest.json` next to the data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The data file's format version ([`VERSION`]).
    pub version: u32,
    /// When the backup was made, RFC 3339 in UTC.
    pub created_at: String,
    /// The same instant in seconds since the Unix epoch.
    pub created_at_unix: u64,
    /// The data file's name in the folder.
    pub data_file: String,
    /// The data file's size in bytes.
    pub bytes: u64,
    /// SHA-256 of the data file, lower-case hex.
    pub sha256: String,
    /// Every tree in the order of the data file.
    pub trees: Vec<TreeEntry>,
}

/// One tree of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeEntry {
    /// The tree's name (sled's default tree is `__sled__default`).
    pub name: String,
    /// How many key/value records it holds.
    pub records: u64,
}

impl Manifest {
    /// Total records over every tree.
    pub fn records(&self) -> u64 {
        self.trees.iter().map(|t| t.records).sum()
    }
}

/// Read and check a backup's manifest (format and version).
pub fn read_manifest(dir: &Path) -> Result<Manifest, BackupError> {
    let path = dir.join(MANIFEST_FILE);
    let text = fs::read(&path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            BackupError::NotABackup {
                dir: dir.to_path_buf(),
            }
        } else {
            BackupError::io(&path, e)
        }
    })?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|source| BackupError::BadManifest {
            path: path.clone(),
            source,
        })?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(BackupError::UnsupportedFormat {
            path,
            format: manifest.format,
            version: manifest.version,
        });
    }
    // The data file is opened relative to the backup folder: a path would let a manifest point
    // anywhere.
    if manifest.data_file.contains('/') || manifest.data_file.starts_with('.') {
        return Err(BackupError::BadDataFileName {
            path,
            name: manifest.data_file,
        });
    }
    Ok(manifest)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (Howard Hinnant's civil-from-days).
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_matches_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_599), "2025-12-31T23:59:59Z");
    }
}
