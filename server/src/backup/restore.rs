//! Restoring a backup into a stopped server's store, and the checks a backup passes first.

use std::fs::File;
use std::path::Path;

use super::checksum::sha256_of;
use super::dump::{DumpReader, Item};
use super::manifest::{read_manifest, Manifest, TreeEntry};
use super::store::{open_db, store_err, Opened};
use super::BackupError;
use crate::Result;

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
        Err(Opened::Locked) => return Err(BackupError::StoreInUse { dir: store_dir }.into()),
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
            return Err(BackupError::StoreNotEmpty {
                dir: store_dir,
                trees: non_empty,
            }
            .into());
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
                    .ok_or_else(|| BackupError::damaged(&data, "record before tree"))?;
                tree.insert(key, value).map_err(store_err)?;
            }
        }
    }
    db.flush().map_err(store_err)?;
    for entry in &manifest.trees {
        let len = db.open_tree(&entry.name).map_err(store_err)?.len() as u64;
        if len != entry.records {
            return Err(BackupError::CountMismatch {
                tree: entry.name.clone(),
                restored: len,
                expected: entry.records,
            }
            .into());
        }
    }
    Ok(manifest)
}

/// Check a data file against its manifest: size, SHA-256, structure and per-tree counts.
pub fn verify(data: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    let mut file = File::open(data).map_err(|e| BackupError::io(data, e))?;
    let (bytes, sha256) = sha256_of(&mut file).map_err(|e| BackupError::io(data, e))?;
    if bytes != manifest.bytes || sha256 != manifest.sha256 {
        return Err(BackupError::ChecksumMismatch {
            path: data.to_path_buf(),
            bytes,
            sha256,
            expected_bytes: manifest.bytes,
            expected_sha256: manifest.sha256.clone(),
        });
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
                    .ok_or_else(|| BackupError::damaged(data, "record before tree"))?
                    .records += 1
            }
        }
    }
    if counts != manifest.trees {
        return Err(BackupError::damaged(
            data,
            "its trees do not match the manifest",
        ));
    }
    Ok(())
}
