//! What can go wrong in a backup or a restore, each variant worded for the operator who ran the
//! command: the text is what `shelfwise backup` / `restore` print after `error: `.

use std::io;
use std::path::{Path, PathBuf};

use super::manifest::{FORMAT, MANIFEST_FILE, VERSION};

/// Why a backup could not be written, read or restored. Failures of the store itself (sled)
/// stay [`crate::Error::Store`].
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading or writing a file, folder or socket failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file, folder or socket.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The target folder already holds a finished backup, which is never overwritten.
    #[error("{} already holds a backup: choose a new folder", .dir.display())]
    AlreadyBackedUp {
        /// The folder asked for.
        dir: PathBuf,
    },
    /// The data folder has no store to back up.
    #[error("no store at {}: nothing to back up", .dir.display())]
    NoStore {
        /// Where the store was looked for (`DATA_DIR/store`).
        dir: PathBuf,
    },
    /// Another process (the server) holds the store, so it cannot be restored into.
    #[error(
        "the store at {} is in use: stop the server first (systemctl stop shelfwise)",
        .dir.display()
    )]
    StoreInUse {
        /// The store's folder.
        dir: PathBuf,
    },
    /// The store to restore into holds data, and `--force` was not given.
    #[error(
        "the store at {} is not empty (trees {}): restore into an empty data folder, \
         or pass --force with the server stopped to replace its contents",
        .dir.display(),
        .trees.join(", ")
    )]
    StoreNotEmpty {
        /// The store's folder.
        dir: PathBuf,
        /// The trees that hold records, sorted.
        trees: Vec<String>,
    },
    /// After a restore a tree holds another number of records than the manifest says.
    #[error("tree {tree} holds {restored} records after the restore, the backup {expected}")]
    CountMismatch {
        /// The tree's name.
        tree: String,
        /// Records in the restored tree.
        restored: u64,
        /// Records the manifest lists for it.
        expected: u64,
    },
    /// The manifest could not be encoded as JSON.
    #[error("encoding the manifest: {0}")]
    EncodeManifest(#[source] serde_json::Error),
    /// The folder has no manifest: not a backup, or one that did not finish.
    #[error("{}: not a finished Shelfwise backup (no {MANIFEST_FILE})", .dir.display())]
    NotABackup {
        /// The folder.
        dir: PathBuf,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("{}: not a valid manifest: {source}", .path.display())]
    BadManifest {
        /// The manifest file.
        path: PathBuf,
        /// What the JSON decoder said.
        source: serde_json::Error,
    },
    /// The manifest names another format or version than this build reads.
    #[error(
        "{}: format {format} version {version}, this build reads {FORMAT} version {VERSION}",
        .path.display()
    )]
    UnsupportedFormat {
        /// The manifest file.
        path: PathBuf,
        /// The format it names.
        format: String,
        /// The version it names.
        version: u32,
    },
    /// The manifest's data file is not a plain name in the backup folder, so reading it could
    /// leave the folder.
    #[error("{}: data file {name:?} is not a plain file name", .path.display())]
    BadDataFileName {
        /// The manifest file.
        path: PathBuf,
        /// The data file name it gives.
        name: String,
    },
    /// The data file's size or SHA-256 differs from the manifest's.
    #[error(
        "{}: checksum mismatch, the backup is damaged ({bytes} bytes with sha256 {sha256}; \
         the manifest says {expected_bytes} bytes with sha256 {expected_sha256})",
        .path.display()
    )]
    ChecksumMismatch {
        /// The data file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// Its SHA-256, lower-case hex.
        sha256: String,
        /// The size the manifest gives.
        expected_bytes: u64,
        /// The SHA-256 the manifest gives.
        expected_sha256: String,
    },
    /// The data file's structure is broken (its checksum may still match a broken write).
    #[error("{}: the backup is damaged: {why}", .path.display())]
    Damaged {
        /// The data file.
        path: PathBuf,
        /// What is wrong, in a few words.
        why: &'static str,
    },
    /// The backup folder's name cannot go into the one-line request to the server.
    #[error("{}: the folder name must be UTF-8 on one line", .dir.display())]
    BadFolderName {
        /// The folder.
        dir: PathBuf,
    },
    /// The store is held by another process, and nothing answers on its admin socket.
    #[error(
        "the store is in use by another process, and its admin socket {} does not answer \
         ({source}): is the server running, and are you its user (sudo -u shelfwise)?",
        .socket.display()
    )]
    NoServer {
        /// The admin socket.
        socket: PathBuf,
        /// Why connecting failed.
        source: io::Error,
    },
    /// The server said `ok` but what followed is not a manifest.
    #[error("the server's reply is not a manifest: {0}")]
    ReplyNotManifest(#[source] serde_json::Error),
    /// The server tried and failed to write the backup.
    #[error("the server could not back up: {why}")]
    ServerFailed {
        /// The server's own message.
        why: String,
    },
    /// The server's reply is neither `ok …` nor `error …`.
    #[error("unexpected reply from {}: {line:?}", .socket.display())]
    UnexpectedReply {
        /// The admin socket.
        socket: PathBuf,
        /// The reply line, without its line end.
        line: String,
    },
}

impl BackupError {
    /// An I/O failure on `path`.
    pub(crate) fn io(path: &Path, source: io::Error) -> BackupError {
        BackupError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A data file whose structure is broken.
    pub(crate) fn damaged(path: &Path, why: &'static str) -> BackupError {
        BackupError::Damaged {
            path: path.to_path_buf(),
            why,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::PathBuf;

    use super::BackupError;
    use crate::Error;

    /// The messages are what the CLI prints, and what tests, docs and operators grep for: each
    /// is the text the command printed before the errors were typed.
    #[test]
    fn messages_read_as_before() {
        let p = || PathBuf::from("/b/store.dump");
        let d = || PathBuf::from("/b");
        let json = || serde_json::from_str::<u8>("x").unwrap_err();
        let cases: Vec<(BackupError, String)> = vec![
            (
                BackupError::io(&p(), io::Error::other("boom")),
                "/b/store.dump: boom".into(),
            ),
            (
                BackupError::AlreadyBackedUp { dir: d() },
                "/b already holds a backup: choose a new folder".into(),
            ),
            (
                BackupError::NoStore { dir: d() },
                "no store at /b: nothing to back up".into(),
            ),
            (
                BackupError::StoreInUse { dir: d() },
                "the store at /b is in use: stop the server first (systemctl stop shelfwise)"
                    .into(),
            ),
            (
                BackupError::StoreNotEmpty {
                    dir: d(),
                    trees: vec!["books".into(), "meta".into()],
                },
                "the store at /b is not empty (trees books, meta): restore into an empty data \
                 folder, or pass --force with the server stopped to replace its contents"
                    .into(),
            ),
            (
                BackupError::CountMismatch {
                    tree: "books".into(),
                    restored: 3,
                    expected: 4,
                },
                "tree books holds 3 records after the restore, the backup 4".into(),
            ),
            (
                BackupError::EncodeManifest(json()),
                format!("encoding the manifest: {}", json()),
            ),
            (
                BackupError::NotABackup { dir: d() },
                "/b: not a finished Shelfwise backup (no manifest.json)".into(),
            ),
            (
                BackupError::BadManifest {
                    path: p(),
                    source: json(),
                },
                format!("/b/store.dump: not a valid manifest: {}", json()),
            ),
            (
                BackupError::UnsupportedFormat {
                    path: p(),
                    format: "tar".into(),
                    version: 9,
                },
                "/b/store.dump: format tar version 9, this build reads shelfwise-backup version 1"
                    .into(),
            ),
            (
                BackupError::BadDataFileName {
                    path: p(),
                    name: "../x".into(),
                },
                "/b/store.dump: data file \"../x\" is not a plain file name".into(),
            ),
            (
                BackupError::ChecksumMismatch {
                    path: p(),
                    bytes: 5,
                    sha256: "ab".into(),
                    expected_bytes: 6,
                    expected_sha256: "cd".into(),
                },
                "/b/store.dump: checksum mismatch, the backup is damaged (5 bytes with sha256 ab; \
                 the manifest says 6 bytes with sha256 cd)"
                    .into(),
            ),
            (
                BackupError::damaged(&p(), "it ends early"),
                "/b/store.dump: the backup is damaged: it ends early".into(),
            ),
            (
                BackupError::BadFolderName { dir: d() },
                "/b: the folder name must be UTF-8 on one line".into(),
            ),
            (
                BackupError::NoServer {
                    socket: d().join("admin.sock"),
                    source: io::Error::other("refused"),
                },
                "the store is in use by another process, and its admin socket /b/admin.sock does \
                 not answer (refused): is the server running, and are you its user (sudo -u \
                 shelfwise)?"
                    .into(),
            ),
            (
                BackupError::ReplyNotManifest(json()),
                format!("the server's reply is not a manifest: {}", json()),
            ),
            (
                BackupError::ServerFailed { why: "full".into() },
                "the server could not back up: full".into(),
            ),
            (
                BackupError::UnexpectedReply {
                    socket: d().join("admin.sock"),
                    line: "hi".into(),
                },
                "unexpected reply from /b/admin.sock: \"hi\"".into(),
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
            // The crate's error shows it unchanged (transparent).
            assert_eq!(Error::from(error).to_string(), text);
        }
    }
}
