//! The committed goodbooks-10k sample (CC BY-SA; see its SOURCE.md) imported into a real sled
//! store: the one fixture the integration tests of `app` and of `server` start from (the
//! server's tests include this file by path).

use std::path::Path;

use app::store::import::{import_goodbooks, plain_files};
use app::store::Store;

/// The sample's folder (`books.csv`, `ratings.csv`, ...).
pub const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../engine/tests/fixtures/goodbooks"
);

/// ISBNs of books in the fixture catalog.
pub const HUNGER_GAMES: &str = "0439023483";
/// See [`HUNGER_GAMES`].
pub const HARRY_POTTER: &str = "0439554934";
/// See [`HUNGER_GAMES`].
pub const TWILIGHT: &str = "0316015849";
/// See [`HUNGER_GAMES`].
pub const MOCKINGBIRD: &str = "0061120081";

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
