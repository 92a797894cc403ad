//! Room to write: a reader's write is refused, with a clear error, while the store's
//! filesystem has less than a reserve free.
//!
//! sled, like most storage engines, does not recover in-process from a write that failed for
//! want of space (it keeps the I/O error and fails everything after). So the store never lets
//! sled get there on a reader's behalf: before each write that adds data it asks the
//! filesystem (one `statvfs`, about a microsecond) and refuses the write while less than the
//! reserve is free. Reads, flushes of what was already acknowledged and deletions go on; once
//! space returns, writes are accepted again, without a restart.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{Store, StoreError, StoreResult};

/// The reserve unless the server is told otherwise: a few of sled's segments and a flush.
pub const DEFAULT_RESERVE_BYTES: u64 = 64 << 20;

/// The filesystem the store is on and the reserve to keep free there.
#[derive(Debug, Clone)]
pub(super) struct Space {
    dir: PathBuf,
    reserve: Arc<AtomicU64>,
}

impl Space {
    pub(super) fn new(dir: &Path) -> Space {
        Space {
            dir: dir.to_path_buf(),
            reserve: Arc::new(AtomicU64::new(DEFAULT_RESERVE_BYTES)),
        }
    }

    /// `Err(DiskFull)` while less than the reserve is free.
    pub(super) fn check(&self) -> StoreResult<()> {
        let reserve = self.reserve.load(Ordering::Relaxed);
        if reserve == 0 {
            return Ok(());
        }
        let free = free_bytes(&self.dir).map_err(|e| StoreError::File {
            path: self.dir.display().to_string(),
            source: e.into(),
        })?;
        if free < reserve {
            return Err(StoreError::DiskFull { free, reserve });
        }
        Ok(())
    }
}

/// Bytes an unprivileged process may still write on the filesystem holding `dir`.
fn free_bytes(dir: &Path) -> rustix::io::Result<u64> {
    let stat = rustix::fs::statvfs(dir)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

impl Store {
    /// Keep `bytes` free on the store's filesystem: writes are refused below it (0: never).
    pub fn set_reserve(&self, bytes: u64) {
        self.space.reserve.store(bytes, Ordering::Relaxed);
    }

    /// Whether a write that adds data may go ahead now.
    pub fn check_space(&self) -> StoreResult<()> {
        self.space.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_refused_below_the_reserve_and_accepted_again_above() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let free = free_bytes(dir.path()).unwrap();
        store.set_reserve(free.saturating_mul(2));
        assert!(matches!(
            store.check_space(),
            Err(StoreError::DiskFull { .. })
        ));
        let rating = engine::records::Rating::new(8).unwrap();
        assert!(matches!(
            store.put_rating(1, 2, rating),
            Err(StoreError::DiskFull { .. })
        ));
        assert_eq!(store.rating_count(), 0);
        store.set_reserve(1);
        store.put_rating(1, 2, rating).unwrap();
        assert_eq!(store.rating_count(), 1);
    }
}
