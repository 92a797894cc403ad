//! `shelfwise backup DIR` and `shelfwise restore DIR`: every sled tree of the store into one
//! checksummed file with a JSON manifest, and back.
//!
//! sled lets one process at a time open a store. So `backup` opens the store itself when no
//! server holds it, and otherwise asks the running server over its admin socket
//! (`DATA_DIR/admin.sock`, mode 0600, one line `backup <DIR>` in, one line out), and the server
//! writes the backup itself. `restore` only ever runs with the server stopped.
//!
//! A backup folder holds two files: `store.dump` (format below) and `manifest.json` (written
//! last, so a folder without it is an unfinished backup). `store.dump`, version 1:
//!
//! ```text
//! "SWBACKUP" u32:version
//! then, per tree:   'T' u32:name-length name
//!   per record:     'R' u32:key-length key u32:value-length value
//! end of file:      'Z'
//! ```
//!
//! All integers are big-endian. The manifest holds the SHA-256 of the whole file and each tree's
//! record count; `restore` checks both before it writes anything.
//!
//! A backup taken while the server runs is copied tree by tree while readers may still write,
//! so it is not one instant of the whole store: a rating written during the copy can be in one
//! of the two rating trees and not the other. Take backups at a quiet time, or stop the server
//! for an exact one.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::net::UnixListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{BackupArgs, GlobalArgs, RestoreArgs};
use crate::{Error, Result};

/// The `format` every manifest names.
pub const FORMAT: &str = "shelfwise-backup";
/// The version of `store.dump` this build writes and reads.
pub const VERSION: u32 = 1;
/// The data file in a backup folder.
pub const DATA_FILE: &str = "store.dump";
/// The manifest in a backup folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The admin socket's name in the data folder.
pub const SOCKET_NAME: &str = "admin.sock";

const MAGIC: &[u8; 8] = b"SWBACKUP";
const TAG_TREE: u8 = b'T';
const TAG_RECORD: u8 = b'R';
const TAG_END: u8 = b'Z';
/// How long the client waits for the server's answer (a full export takes a while).
const REPLY_TIMEOUT: Duration = Duration::from_secs(3600);
/// Longest admin request line accepted.
const MAX_REQUEST: u64 = 4096;

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

/// Where the admin socket of a data folder is.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// `shelfwise backup DIR`: back up, print what was written.
pub fn run_backup(global: &GlobalArgs, args: &BackupArgs) -> Result<()> {
    let manifest = backup(&global.data_dir, &args.dir, global.cache_mb << 20)?;
    print_summary("backed up", &args.dir, &manifest);
    Ok(())
}

/// `shelfwise restore DIR`: restore, print what was read.
pub fn run_restore(global: &GlobalArgs, args: &RestoreArgs) -> Result<()> {
    let manifest = restore(
        &global.data_dir,
        &args.dir,
        args.force,
        global.cache_mb << 20,
    )?;
    print_summary("restored", &args.dir, &manifest);
    Ok(())
}

fn print_summary(what: &str, dir: &Path, m: &Manifest) {
    println!(
        "{what} {} records in {} trees ({} bytes, sha256 {}, made {}) {} {}",
        m.records(),
        m.trees.len(),
        m.bytes,
        m.sha256,
        m.created_at,
        if what == "restored" { "from" } else { "into" },
        dir.display()
    );
}

/// Back up the store of `data_dir` into the folder `out`: directly when no process holds the
/// store, through the running server's admin socket when one does.
pub fn backup(data_dir: &Path, out: &Path, cache_bytes: u64) -> Result<Manifest> {
    // The server may run in another working directory: hand it an absolute path.
    let out = std::path::absolute(out).map_err(|e| at(out, e))?;
    if out.join(MANIFEST_FILE).exists() {
        return Err(Error::Backup(format!(
            "{} already holds a backup: choose a new folder",
            out.display()
        )));
    }
    let store_dir = data_dir.join("store");
    if !store_dir.join("db").exists() {
        return Err(Error::Backup(format!(
            "no store at {}: nothing to back up",
            store_dir.display()
        )));
    }
    match open_db(&store_dir, cache_bytes) {
        Ok(db) => {
            tracing::info!(store = %store_dir.display(), "store not in use: backing up directly");
            export(&db, &out)
        }
        Err(Opened::Locked) => {
            let socket = socket_path(data_dir);
            tracing::info!(socket = %socket.display(), "store in use: asking the server");
            ask_server(&socket, &out)
        }
        Err(Opened::Failed(e)) => Err(e),
    }
}

/// Restore the backup in `from` into the store of `data_dir`. Refuses a store another process
/// holds, and a non-empty one unless `force` (which replaces its contents). Checks the
/// manifest, the checksum and the record counts before writing anything; flushes at the end.
pub fn restore(data_dir: &Path, from: &Path, force: bool, cache_bytes: u64) -> Result<Manifest> {
    let manifest = read_manifest(from)?;
    let data = from.join(&manifest.data_file);
    verify(&data, &manifest)?;
    let store_dir = data_dir.join("store");
    let db = match open_db(&store_dir, cache_bytes) {
        Ok(db) => db,
        Err(Opened::Locked) => {
            return Err(Error::Backup(format!(
                "the store at {} is in use: stop the server first (systemctl stop shelfwise)",
                store_dir.display()
            )))
        }
        Err(Opened::Failed(e)) => return Err(e),
    };
    let mut non_empty = Vec::new();
    for name in db.tree_names() {
        if !db.open_tree(&name).map_err(store_err)?.is_empty() {
            non_empty.push(String::from_utf8_lossy(&name).into_owned());
        }
    }
    non_empty.sort();
    if !non_empty.is_empty() {
        if !force {
            return Err(Error::Backup(format!(
                "the store at {} is not empty (trees {}): restore into an empty data folder, \
                 or pass --force with the server stopped to replace its contents",
                store_dir.display(),
                non_empty.join(", ")
            )));
        }
        tracing::warn!(trees = %non_empty.join(", "), "--force: clearing the store");
        for name in db.tree_names() {
            db.open_tree(&name)
                .map_err(store_err)?
                .clear()
                .map_err(store_err)?;
        }
    }
    let mut reader = DumpReader::open(&data)?;
    let mut tree: Option<sled::Tree> = None;
    while let Some(item) = reader.next_item()? {
        match item {
            Item::Tree(name) => tree = Some(db.open_tree(&name).map_err(store_err)?),
            Item::Record(key, value) => {
                let tree = tree
                    .as_ref()
                    .ok_or_else(|| damaged(&data, "record before tree"))?;
                tree.insert(key, value).map_err(store_err)?;
            }
        }
    }
    db.flush().map_err(store_err)?;
    for entry in &manifest.trees {
        let len = db.open_tree(&entry.name).map_err(store_err)?.len() as u64;
        if len != entry.records {
            return Err(Error::Backup(format!(
                "tree {} holds {len} records after the restore, the backup {}",
                entry.name, entry.records
            )));
        }
    }
    Ok(manifest)
}

/// Write every tree of `db` into the folder `out` (created if missing): the data file first,
/// then the manifest, each through a temporary name and synced, so a crash never leaves a
/// folder that looks complete.
pub fn export(db: &sled::Db, out: &Path) -> Result<Manifest> {
    fs::create_dir_all(out).map_err(|e| at(out, e))?;
    if out.join(MANIFEST_FILE).exists() {
        return Err(Error::Backup(format!(
            "{} already holds a backup: choose a new folder",
            out.display()
        )));
    }
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let partial = out.join(format!("{DATA_FILE}.partial"));
    let file = File::create(&partial).map_err(|e| at(&partial, e))?;
    let mut w = HashingWriter::new(BufWriter::new(file));
    let mut trees = Vec::new();
    let write = |w: &mut HashingWriter<_>, trees: &mut Vec<TreeEntry>| -> Result<()> {
        w.write_all(MAGIC)?;
        w.write_all(&VERSION.to_be_bytes())?;
        let mut names = db.tree_names();
        names.sort();
        for name in names {
            let tree = db.open_tree(&name).map_err(store_err)?;
            w.write_all(&[TAG_TREE])?;
            write_bytes(w, &name)?;
            let mut records = 0u64;
            for kv in tree.iter() {
                let (k, v) = kv.map_err(store_err)?;
                w.write_all(&[TAG_RECORD])?;
                write_bytes(w, &k)?;
                write_bytes(w, &v)?;
                records += 1;
            }
            trees.push(TreeEntry {
                name: String::from_utf8_lossy(&name).into_owned(),
                records,
            });
        }
        w.write_all(&[TAG_END])?;
        Ok(())
    };
    write(&mut w, &mut trees).map_err(|e| in_file(&partial, e))?;
    let (bytes, sha256, buffered) = w.finish();
    let file = buffered
        .into_inner()
        .map_err(|e| at(&partial, e.into_error()))?;
    file.sync_all().map_err(|e| at(&partial, e))?;
    let data = out.join(DATA_FILE);
    fs::rename(&partial, &data).map_err(|e| at(&data, e))?;

    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        created_at: rfc3339(created),
        created_at_unix: created,
        data_file: DATA_FILE.into(),
        bytes,
        sha256,
        trees,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Backup(format!("encoding the manifest: {e}")))?;
    let partial = out.join(format!("{MANIFEST_FILE}.partial"));
    let mut file = File::create(&partial).map_err(|e| at(&partial, e))?;
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(|e| at(&partial, e))?;
    let path = out.join(MANIFEST_FILE);
    fs::rename(&partial, &path).map_err(|e| at(&path, e))?;
    File::open(out)
        .and_then(|d| d.sync_all())
        .map_err(|e| at(out, e))?;
    tracing::info!(dir = %out.display(), records = manifest.records(), bytes, "backup written");
    Ok(manifest)
}

/// Read and check a backup's manifest (format and version).
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = fs::read(&path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            Error::Backup(format!(
                "{}: not a finished Shelfwise backup (no {MANIFEST_FILE})",
                dir.display()
            ))
        } else {
            at(&path, e)
        }
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| Error::Backup(format!("{}: not a valid manifest: {e}", path.display())))?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(Error::Backup(format!(
            "{}: format {} version {}, this build reads {FORMAT} version {VERSION}",
            path.display(),
            manifest.format,
            manifest.version
        )));
    }
    if manifest.data_file.contains('/') || manifest.data_file.starts_with('.') {
        return Err(Error::Backup(format!(
            "{}: data file {:?} is not a plain file name",
            path.display(),
            manifest.data_file
        )));
    }
    Ok(manifest)
}

/// Check a data file against its manifest: size, SHA-256, structure and per-tree counts.
pub fn verify(data: &Path, manifest: &Manifest) -> Result<()> {
    let mut file = File::open(data).map_err(|e| at(data, e))?;
    let mut hasher = Sha256::new();
    let bytes = io::copy(&mut file, &mut HashSink(&mut hasher)).map_err(|e| at(data, e))?;
    let sha256 = hex(&hasher.finalize());
    if bytes != manifest.bytes || sha256 != manifest.sha256 {
        return Err(Error::Backup(format!(
            "{}: checksum mismatch, the backup is damaged ({bytes} bytes with sha256 {sha256}; \
             the manifest says {} bytes with sha256 {})",
            data.display(),
            manifest.bytes,
            manifest.sha256
        )));
    }
    let mut reader = DumpReader::open(data)?;
    let mut counts: Vec<TreeEntry> = Vec::new();
    while let Some(item) = reader.next_item()? {
        match item {
            Item::Tree(name) => counts.push(TreeEntry {
                name: String::from_utf8_lossy(&name).into_owned(),
                records: 0,
            }),
            Item::Record(..) => {
                counts
                    .last_mut()
                    .ok_or_else(|| damaged(data, "record before tree"))?
                    .records += 1
            }
        }
    }
    if counts != manifest.trees {
        return Err(damaged(data, "its trees do not match the manifest"));
    }
    Ok(())
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
    pub fn start(data_dir: &Path, db: sled::Db) -> Result<AdminSocket> {
        let path = socket_path(data_dir);
        match fs::remove_file(&path) {
            Ok(()) => tracing::info!(socket = %path.display(), "removed a stale admin socket"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(at(&path, e)),
        }
        let listener = UnixListener::bind(&path).map_err(|e| at(&path, e))?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).map_err(|e| at(&path, e))?;
        let owner = fs::metadata(&path).map_err(|e| at(&path, e))?.uid();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, db, owner, stopped));
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
    db: sled::Db,
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
                let db = db.clone();
                let exporting = exporting.clone();
                connections.spawn_blocking(move || answer(stream, &db, &exporting));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    while connections.join_next().await.is_some() {}
}

/// Read one request line, do it, write one reply line: `ok <manifest json>` or `error <why>`.
fn answer(stream: UnixStream, db: &sled::Db, exporting: &Mutex<()>) {
    let reply = match read_request(&stream) {
        Ok(line) => match line.strip_prefix("backup ") {
            Some(dir) if Path::new(dir).is_absolute() => {
                let _one = exporting.lock().unwrap_or_else(|p| p.into_inner());
                tracing::info!(dir, "admin socket: backup requested");
                match export(db, Path::new(dir)).and_then(|m| {
                    serde_json::to_string(&m)
                        .map_err(|e| Error::Backup(format!("encoding the manifest: {e}")))
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

/// Ask the server listening on `socket` to back its store up into `out` (absolute).
fn ask_server(socket: &Path, out: &Path) -> Result<Manifest> {
    let dir = out.to_str().filter(|d| !d.contains('\n')).ok_or_else(|| {
        Error::Backup(format!(
            "{}: the folder name must be UTF-8 on one line",
            out.display()
        ))
    })?;
    let mut stream = UnixStream::connect(socket).map_err(|e| {
        Error::Backup(format!(
            "the store is in use by another process, and its admin socket {} does not answer \
             ({e}): is the server running, and are you its user (sudo -u shelfwise)?",
            socket.display()
        ))
    })?;
    let talk = |stream: &mut UnixStream| -> io::Result<String> {
        stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        writeln!(stream, "backup {dir}")?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line)?;
        Ok(line)
    };
    let line = talk(&mut stream).map_err(|e| at(socket, e))?;
    let line = line.trim_end();
    if let Some(json) = line.strip_prefix("ok ") {
        serde_json::from_str(json)
            .map_err(|e| Error::Backup(format!("the server's reply is not a manifest: {e}")))
    } else if let Some(why) = line.strip_prefix("error ") {
        Err(Error::Backup(format!(
            "the server could not back up: {why}"
        )))
    } else {
        Err(Error::Backup(format!(
            "unexpected reply from {}: {line:?}",
            socket.display()
        )))
    }
}

enum Opened {
    Locked,
    Failed(Error),
}

fn open_db(store_dir: &Path, cache_bytes: u64) -> Result<sled::Db, Opened> {
    sled::Config::new()
        .path(store_dir)
        .cache_capacity(cache_bytes)
        .open()
        .map_err(|e| match &e {
            // sled's own words when another process holds the store's lock.
            sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
                Opened::Locked
            }
            _ => Opened::Failed(store_err(e)),
        })
}

enum Item {
    Tree(Vec<u8>),
    Record(Vec<u8>, Vec<u8>),
}

struct DumpReader {
    path: PathBuf,
    r: BufReader<File>,
    left: u64,
    done: bool,
}

impl DumpReader {
    fn open(path: &Path) -> Result<DumpReader> {
        let file = File::open(path).map_err(|e| at(path, e))?;
        let left = file.metadata().map_err(|e| at(path, e))?.len();
        let mut reader = DumpReader {
            path: path.to_path_buf(),
            r: BufReader::new(file),
            left,
            done: false,
        };
        let mut magic = [0u8; 8];
        reader.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(damaged(path, "not a Shelfwise store dump"));
        }
        let mut version = [0u8; 4];
        reader.read_exact(&mut version)?;
        if u32::from_be_bytes(version) != VERSION {
            return Err(damaged(path, "unknown dump version"));
        }
        Ok(reader)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
        if (buf.len() as u64) > self.left {
            return Err(damaged(&self.path, "it ends early"));
        }
        self.r.read_exact(buf).map_err(|e| at(&self.path, e))?;
        self.left -= buf.len() as u64;
        Ok(())
    }

    fn bytes(&mut self) -> Result<Vec<u8>> {
        let mut len = [0u8; 4];
        self.read_exact(&mut len)?;
        let len = u32::from_be_bytes(len) as u64;
        if len > self.left {
            return Err(damaged(&self.path, "a length runs past its end"));
        }
        let mut buf = vec![0u8; len as usize];
        self.read_exact(&mut buf)?;
        Ok(buf)
    }

    fn next_item(&mut self) -> Result<Option<Item>> {
        if self.done {
            return Ok(None);
        }
        let mut tag = [0u8; 1];
        self.read_exact(&mut tag)?;
        match tag[0] {
            TAG_TREE => Ok(Some(Item::Tree(self.bytes()?))),
            TAG_RECORD => {
                let key = self.bytes()?;
                Ok(Some(Item::Record(key, self.bytes()?)))
            }
            TAG_END if self.left == 0 => {
                self.done = true;
                Ok(None)
            }
            TAG_END => Err(damaged(&self.path, "data after its end")),
            _ => Err(damaged(&self.path, "an unknown tag")),
        }
    }
}

fn write_bytes(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "record over 4 GiB"))?;
    w.write_all(&len.to_be_bytes())?;
    w.write_all(bytes)
}

/// A writer that hashes and counts what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn finish(self) -> (u64, String, W) {
        (self.bytes, hex(&self.hasher.finalize()), self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct HashSink<'a>(&'a mut Sha256);

impl Write for HashSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (Howard Hinnant's civil-from-days).
fn rfc3339(secs: u64) -> String {
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

fn store_err(e: sled::Error) -> Error {
    Error::Store(app::store::StoreError::from(e))
}

fn at(path: &Path, e: io::Error) -> Error {
    Error::Backup(format!("{}: {e}", path.display()))
}

fn in_file(path: &Path, e: Error) -> Error {
    match e {
        Error::Io(e) => at(path, e),
        e => e,
    }
}

fn damaged(path: &Path, why: &str) -> Error {
    Error::Backup(format!("{}: the backup is damaged: {why}", path.display()))
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
