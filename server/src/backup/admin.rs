//! The running server's side of an online backup: the admin socket, which answers
//! `backup <DIR>` by exporting the store the server holds.
//!
//! The protocol is one line each way: the request `backup <absolute DIR>`, the reply
//! `ok <manifest json>` or `error <why>`.

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::backend::store::Store;
use tokio::net::UnixListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::export::export;
use super::BackupError;

/// The admin socket's name in the data folder.
pub const SOCKET_NAME: &str = "admin.sock";
/// Longest admin request line accepted.
const MAX_REQUEST: u64 = 4096;

/// Where the admin socket of a data folder is.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// The admin socket of a running server: answers `backup <DIR>` by exporting the store it holds.
pub struct AdminSocket {
    path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl AdminSocket {
    /// Listen on `DATA_DIR/admin.sock` (mode 0600; a stale socket left by a crash is replaced,
    /// which is safe because the caller already holds the store) and serve requests on the
    /// current tokio runtime until [`AdminSocket::stop`].
    pub fn start(data_dir: &Path, store: Store) -> Result<AdminSocket, BackupError> {
        let path = socket_path(data_dir);
        let at = |e| BackupError::io(&path, e);
        match fs::remove_file(&path) {
            Ok(()) => tracing::info!(socket = %path.display(), "removed a stale admin socket"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(at(e)),
        }
        let listener = UnixListener::bind(&path).map_err(at)?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).map_err(at)?;
        let owner = fs::metadata(&path).map_err(at)?.uid();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, store, owner, stopped));
        tracing::info!(socket = %path.display(), "admin socket listening");
        Ok(AdminSocket {
            path,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Where it listens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stop accepting, let a backup in progress finish, and remove the socket file.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let _ = fs::remove_file(&self.path);
    }
}

impl Drop for AdminSocket {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn accept_loop(
    listener: UnixListener,
    store: Store,
    owner: u32,
    mut stopped: oneshot::Receiver<()>,
) {
    // One export at a time: a second request waits for the first.
    let exporting = Arc::new(Mutex::new(()));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "admin socket: accept failed");
                        continue;
                    }
                };
                // Only the server's own user (or root) may ask, whatever the file mode says.
                match stream.peer_cred() {
                    Ok(cred) if cred.uid() == owner || cred.uid() == 0 => {}
                    Ok(cred) => {
                        tracing::warn!(uid = cred.uid(), "admin socket: refused a connection from another user");
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "admin socket: no peer credentials");
                        continue;
                    }
                }
                let stream = match stream.into_std() {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "admin socket: cannot take the connection");
                        continue;
                    }
                };
                let store = store.clone();
                let exporting = exporting.clone();
                connections.spawn_blocking(move || answer(stream, &store, &exporting));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    while connections.join_next().await.is_some() {}
}

/// Read one request line, do it, write one reply line: `ok <manifest json>` or `error <why>`.
fn answer(stream: UnixStream, store: &Store, exporting: &Mutex<()>) {
    let reply = match read_request(&stream) {
        Ok(line) => match line.strip_prefix("backup ") {
            Some(dir) if Path::new(dir).is_absolute() => {
                let _one = exporting.lock().unwrap_or_else(|p| p.into_inner());
                tracing::info!(dir, "admin socket: backup requested");
                match export(store.db(), Path::new(dir), || store.pause_writes()).and_then(|m| {
                    serde_json::to_string(&m).map_err(|e| BackupError::EncodeManifest(e).into())
                }) {
                    Ok(json) => format!("ok {json}"),
                    Err(e) => {
                        tracing::warn!(error = %e, "admin socket: backup failed");
                        format!("error {e}")
                    }
                }
            }
            Some(_) => "error the backup folder must be an absolute path".into(),
            None => format!("error unknown request {line:?}: the one request is `backup <DIR>`"),
        },
        Err(e) => format!("error reading the request: {e}"),
    };
    let mut stream = stream;
    // The reply is one line: an error message with a line break in it must not end it early.
    let reply = reply.replace('\n', " ");
    if let Err(e) = writeln!(stream, "{reply}") {
        tracing::warn!(error = %e, "admin socket: could not send the reply");
    }
}

fn read_request(stream: &UnixStream) -> io::Result<String> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut line = String::new();
    BufReader::new(stream.take(MAX_REQUEST)).read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
