//! Opening the sled store for a backup or a restore, telling "another process holds it" apart
//! from a real failure: `backup` then asks the server instead, `restore` refuses.

use std::path::Path;

use crate::Error;

/// Why the store could not be opened.
pub(super) enum Opened {
    /// Another process (the server) holds sled's lock.
    Locked,
    /// Anything else.
    Failed(Error),
}

/// Open the sled store in `store_dir` (created if missing).
pub(super) fn open_db(store_dir: &Path, cache_bytes: u64) -> Result<sled::Db, Opened> {
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

/// A sled failure, reported as the store's own error.
pub(super) fn store_err(e: sled::Error) -> Error {
    Error::Store(app::backend::store::StoreError::from(e))
}
