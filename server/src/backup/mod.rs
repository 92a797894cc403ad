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
//!
//! The submodules: `manifest` (the folder's layout and its manifest), `dump` (the data file),
//! `checksum`, `export` (writing a backup), `restore` (checking and restoring one), `admin` (the
//! server's socket), `client` (asking the server), `store` (opening sled), `error`. Every public
//! item is re-exported here, so callers name it `backup::…`.

mod admin;
mod checksum;
mod client;
mod dump;
mod error;
mod export;
mod manifest;
mod restore;
mod store;

use std::path::Path;

pub use admin::{socket_path, AdminSocket, SOCKET_NAME};
pub use error::BackupError;
pub use export::export;
pub use manifest::{read_manifest, Manifest, TreeEntry, DATA_FILE, FORMAT, MANIFEST_FILE, VERSION};
pub use restore::{restore, verify};

use crate::config::{BackupArgs, GlobalArgs, RestoreArgs};
use crate::Result;
use store::{open_db, Opened};

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
    let out = std::path::absolute(out).map_err(|e| BackupError::io(out, e))?;
    export::refuse_finished(&out)?;
    let store_dir = data_dir.join("store");
    if !store_dir.join("db").exists() {
        return Err(BackupError::NoStore { dir: store_dir }.into());
    }
    // A store closed a moment ago (a server just stopped, a command just ended) may still be
    // locked while sled's flusher thread winds down: with no server socket to ask, wait for
    // the lock a little before calling the store in use.
    let grace = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        match open_db(&store_dir, cache_bytes) {
            Ok(db) => {
                tracing::info!(store = %store_dir.display(), "store not in use: backing up directly");
                return export(&db, &out, || ());
            }
            Err(Opened::Locked) => {
                let socket = socket_path(data_dir);
                if socket.exists() || std::time::Instant::now() >= grace {
                    tracing::info!(socket = %socket.display(), "store in use: asking the server");
                    return Ok(client::ask_server(&socket, &out)?);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(Opened::Failed(e)) => return Err(e),
        }
    }
}
