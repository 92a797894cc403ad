//! The goodbooks importer against a real sled store: counts, tags, and idempotence.
#![cfg(feature = "ssr")]

mod common;

use std::path::Path;

use app::backend::store::import::{import_goodbooks, plain_files};
use app::backend::store::Store;
use common::FIXTURES;

fn snapshot(store: &Store) -> (usize, usize, usize, Vec<(u32, u32, u8)>) {
    let ratings = store
        .all_ratings()
        .map(|r| r.map(|(u, b, v)| (u, b, v.value())))
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (
        store.book_count(),
        store.user_count(),
        store.rating_count(),
        ratings,
    )
}

#[test]
fn importing_twice_leaves_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store"), 1 << 20).unwrap();
    let reports = dir.path().join("reports");
    let first = import_goodbooks(&store, Path::new(FIXTURES), &reports, &plain_files).unwrap();
    let after_first = snapshot(&store);
    let second = import_goodbooks(&store, Path::new(FIXTURES), &reports, &plain_files).unwrap();
    assert_eq!(first, second);
    assert_eq!(after_first, snapshot(&store));
    // 99 sample books; the sample ratings mostly name books outside the first 99.
    assert_eq!(store.book_count(), 99);
    let books = first.iter().find(|s| s.file == "books.csv").unwrap();
    assert_eq!((books.read, books.kept), (99, 99));
    let ratings = first.iter().find(|s| s.file == "ratings.csv").unwrap();
    assert_eq!(ratings.read, 99);
    assert_eq!(ratings.kept + ratings.rejected_total(), ratings.read);
    assert_eq!(store.rating_count() as u64, ratings.kept);
}

#[test]
fn a_missing_folder_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store"), 1 << 20).unwrap();
    let err = import_goodbooks(
        &store,
        &dir.path().join("nowhere"),
        &dir.path().join("r"),
        &plain_files,
    )
    .unwrap_err();
    assert!(err.to_string().contains("books.csv"), "{err}");
    assert_eq!(store.book_count(), 0);
}
