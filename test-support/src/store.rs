//! A real sled store in a temp dir with the goodbooks sample imported: what the integration
//! tests of `app` and `server` start from.

use std::path::Path;

use app::backend::store::import::{import_goodbooks, plain_files};
use app::backend::store::Store;

use crate::goodbooks::FIXTURES;

/// Sled's cache for a test store: the fixture is small.
pub const CACHE: u64 = 1 << 20;

/// A store at `dir/store` with the sample imported (its report in `dir/reports`).
pub fn imported_store(dir: &Path) -> Store {
    let store = Store::open(&dir.join("store"), CACHE).unwrap();
    import_goodbooks(
        &store,
        Path::new(FIXTURES),
        &dir.join("reports"),
        &plain_files,
    )
    .unwrap();
    store
}
