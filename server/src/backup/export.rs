//! Writing a backup from an open store: the data file, then the manifest that marks it finished.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::checksum::HashingWriter;
use super::dump::DumpWriter;
use super::manifest::{rfc3339, Manifest, TreeEntry, DATA_FILE, FORMAT, MANIFEST_FILE, VERSION};
use super::store::store_err;
use super::BackupError;
use crate::{Error, Result};

/// Write every tree of `db` into the folder `out` (created if missing): the data file first,
/// then the manifest, each through a temporary name and synced, so a crash never leaves a
/// folder that looks complete.
///
/// `pause_writes` is held while the trees are read: a server passes its store's writer lock
/// ([`app::backend::store::Store::pause_writes`]), so no transaction lands between one tree's
/// copy and the next and the backup is the store as of one moment (a rating is in both rating
/// trees and the library, or in none). Readers go on meanwhile; writers wait for the reading
/// (not for the syncing after it).
pub fn export<G>(db: &sled::Db, out: &Path, pause_writes: impl FnOnce() -> G) -> Result<Manifest> {
    fs::create_dir_all(out).map_err(|e| BackupError::io(out, e))?;
    refuse_finished(out)?;
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let partial = out.join(format!("{DATA_FILE}.partial"));
    let file = File::create(&partial).map_err(|e| BackupError::io(&partial, e))?;
    let paused = pause_writes();
    let (trees, hashing) = write_trees(db, HashingWriter::new(BufWriter::new(file)), &partial)?;
    drop(paused);
    let (bytes, sha256, buffered) = hashing.finish();
    let file = buffered
        .into_inner()
        .map_err(|e| BackupError::io(&partial, e.into_error()))?;
    file.sync_all().map_err(|e| BackupError::io(&partial, e))?;
    let data = out.join(DATA_FILE);
    fs::rename(&partial, &data).map_err(|e| BackupError::io(&data, e))?;

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
    let json = serde_json::to_vec_pretty(&manifest).map_err(BackupError::EncodeManifest)?;
    let partial = out.join(format!("{MANIFEST_FILE}.partial"));
    let mut file = File::create(&partial).map_err(|e| BackupError::io(&partial, e))?;
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(|e| BackupError::io(&partial, e))?;
    let path = out.join(MANIFEST_FILE);
    fs::rename(&partial, &path).map_err(|e| BackupError::io(&path, e))?;
    // The renames are only durable once the folder itself is synced.
    File::open(out)
        .and_then(|d| d.sync_all())
        .map_err(|e| BackupError::io(out, e))?;
    tracing::info!(dir = %out.display(), records = manifest.records(), bytes, "backup written");
    Ok(manifest)
}

/// Refuse a folder that already holds a finished backup: one is never overwritten.
pub(super) fn refuse_finished(out: &Path) -> Result<(), BackupError> {
    if out.join(MANIFEST_FILE).exists() {
        return Err(BackupError::AlreadyBackedUp {
            dir: out.to_path_buf(),
        });
    }
    Ok(())
}

/// Dump every tree of `db`, sorted by name, into `w` (the file at `path`); return each tree's
/// record count and the writer.
fn write_trees<W: Write>(db: &sled::Db, w: W, path: &Path) -> Result<(Vec<TreeEntry>, W)> {
    let at = |e: io::Error| Error::from(BackupError::io(path, e));
    let mut dump = DumpWriter::start(w).map_err(at)?;
    let mut trees = Vec::new();
    let mut names = db.tree_names();
    names.sort();
    for name in names {
        let tree = db.open_tree(&name).map_err(store_err)?;
        dump.tree(&name).map_err(at)?;
        let mut records = 0u64;
        for kv in tree.iter() {
            let (k, v) = kv.map_err(store_err)?;
            dump.record(&k, &v).map_err(at)?;
            records += 1;
        }
        trees.push(TreeEntry {
            name: String::from_utf8_lossy(&name).into_owned(),
            records,
        });
    }
    Ok((trees, dump.end().map_err(at)?))
}
