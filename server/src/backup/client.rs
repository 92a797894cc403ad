//! The `shelfwise backup` side of an online backup: ask the server that holds the store to
//! write the backup, over its admin socket (see [`super::AdminSocket`] for the protocol).

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::manifest::Manifest;
use super::BackupError;

/// How long the client waits for the server's answer (a full export takes a while).
const REPLY_TIMEOUT: Duration = Duration::from_secs(3600);

/// Ask the server listening on `socket` to back its store up into `out` (absolute).
pub(super) fn ask_server(socket: &Path, out: &Path) -> Result<Manifest, BackupError> {
    let dir =
        out.to_str()
            .filter(|d| !d.contains('\n'))
            .ok_or_else(|| BackupError::BadFolderName {
                dir: out.to_path_buf(),
            })?;
    let mut stream = UnixStream::connect(socket).map_err(|source| BackupError::NoServer {
        socket: socket.to_path_buf(),
        source,
    })?;
    let talk = |stream: &mut UnixStream| -> io::Result<String> {
        stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        writeln!(stream, "backup {dir}")?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line)?;
        Ok(line)
    };
    let line = talk(&mut stream).map_err(|e| BackupError::io(socket, e))?;
    let line = line.trim_end();
    if let Some(json) = line.strip_prefix("ok ") {
        serde_json::from_str(json).map_err(BackupError::ReplyNotManifest)
    } else if let Some(why) = line.strip_prefix("error ") {
        Err(BackupError::ServerFailed { why: why.into() })
    } else {
        Err(BackupError::UnexpectedReply {
            socket: socket.to_path_buf(),
            line: line.into(),
        })
    }
}
