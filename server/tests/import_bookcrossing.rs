//! Import the real Book-Crossing files into a temp store and check the counts.
//!
//! The files are fetched by `make data` (scripts/fetch-data.sh) into `data/raw`, or found via
//! `SHELFWISE_BX_DIR`. Without them the test is skipped, unless `SHELFWISE_REQUIRE_DATA` is set
//! (as `make test` does): then their absence is a failure.

use app::backend::store::import::{import_bookcrossing, plain_files};
use app::backend::store::Store;

/// Editions with distinct ISBNs once normalised (measured: 315 rows repeat an ISBN spelt
/// differently, 3 rows have no usable ISBN).
const DISTINCT_EDITIONS: usize = 271_061;

#[test]
fn the_real_book_crossing_import_keeps_every_good_row() {
    let Some(dir) = test_support::data::bookcrossing() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(&tmp.path().join("store"), 64 << 20).unwrap();
    let summaries =
        import_bookcrossing(&store, &dir, &tmp.path().join("reports"), &plain_files).unwrap();
    let get = |f: &str| summaries.iter().find(|s| s.file == f).unwrap();

    let books = get("BX-Books.csv");
    assert_eq!(books.read, 271_379);
    assert_eq!(books.kept + books.rejected_total(), books.read);
    let users = get("BX-Users.csv");
    assert_eq!(users.read, 278_858);
    let ratings = get("BX-Book-Ratings.csv");
    assert_eq!(ratings.read, 1_149_780);
    assert_eq!(ratings.kept + ratings.rejected_total(), ratings.read);
    // The dataset's README: 1,031,178 ratings name an ISBN of BX-Books after trimming and
    // upper-casing; normalisation (SBNs, ISBN-13s) may only add matches.
    assert!(ratings.kept >= 1_031_178, "kept {}", ratings.kept);
    // Rows that normalise to the same edition (`…x` and `…X`), or the same reader rating the
    // same edition twice, are one record: the store holds at most one per key.
    assert!(store.rating_count() as u64 <= ratings.kept);
    assert!(store.rating_count() as u64 > ratings.kept - 1_000);
    assert_eq!(store.book_count(), DISTINCT_EDITIONS);

    let catalog = store.load_catalog().unwrap();
    assert!(
        catalog.work_count() < catalog.len(),
        "editions were grouped"
    );
    let explicit: u32 = (0..catalog.work_count() as u32)
        .filter_map(|w| catalog.work(w))
        .map(|w| w.stats.explicit_count())
        .sum();
    assert!(explicit >= 383_853, "explicit ratings: {explicit}");
    eprintln!("{summaries:#?}");
    eprintln!(
        "works: {}, explicit ratings: {explicit}, ranked works: {}",
        catalog.work_count(),
        catalog.ranked_works()
    );
}
