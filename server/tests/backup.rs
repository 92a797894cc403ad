//! `shelfwise backup` / `restore` against a real sled store: round trip, a damaged backup, a
//! store in use, and a backup through the admin socket of a store a "server" holds.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use app::backend::store::Store;
use common::{imported_store, CACHE};
use engine::records::Rating;
use shelfwise::backup::{self, AdminSocket, DATA_FILE, MANIFEST_FILE};

type Trees = BTreeMap<Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>>;

/// A data folder with a store holding the goodbooks fixtures and one extra rating.
/// Open a store a moment after another handle on it was dropped: sled releases its file lock
/// from a background thread, so a reopen right away can find it still held (seen once in a
/// fresh `make test` on a loaded machine). Waits up to five seconds for it.
fn reopen(dir: &Path) -> Store {
    for _ in 0..100 {
        match Store::open(dir, CACHE) {
            Ok(store) => return store,
            Err(e) if format!("{e:?}").contains("could not acquire lock") => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(e) => panic!("{}: {e}", dir.display()),
        }
    }
    panic!("{}: still locked after five seconds", dir.display())
}

fn filled_data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = imported_store(dir.path());
    store.put_rating(0, 0, Rating::new(7).unwrap()).unwrap();
    store.flush().unwrap();
    dir
}

/// Every tree with every record, of a store that is not open elsewhere.
fn trees_of(data_dir: &Path) -> Trees {
    let store = reopen(&data_dir.join("store"));
    trees_of_db(store.db())
}

fn trees_of_db(db: &sled::Db) -> Trees {
    db.tree_names()
        .into_iter()
        .map(|name| {
            let tree = db.open_tree(&name).unwrap();
            let records = tree
                .iter()
                .map(|kv| {
                    let (k, v) = kv.unwrap();
                    (k.to_vec(), v.to_vec())
                })
                .collect();
            (name.to_vec(), records)
        })
        .filter(|(_, records): &(_, Vec<_>)| !records.is_empty())
        .collect()
}

#[test]
fn backup_then_restore_gives_equal_trees() {
    let source = filled_data_dir();
    let before = trees_of(source.path());
    assert!(before.len() >= 5, "the fixture fills several trees");

    let out = tempfile::tempdir().unwrap();
    let backup_dir = out.path().join("b1");
    let manifest = backup::backup(source.path(), &backup_dir, CACHE).unwrap();
    assert!(backup_dir.join(MANIFEST_FILE).is_file());
    assert!(backup_dir.join(DATA_FILE).is_file());
    assert_eq!(manifest.format, backup::FORMAT);
    assert_eq!(manifest.sha256.len(), 64);
    let ratings = manifest
        .trees
        .iter()
        .find(|t| t.name == "ratings_by_user")
        .unwrap();
    assert_eq!(
        ratings.records as usize,
        before[&b"ratings_by_user"[..]].len()
    );
    assert_eq!(backup::read_manifest(&backup_dir).unwrap(), manifest);

    // A second backup into the same folder is refused rather than overwriting it.
    let again = backup::backup(source.path(), &backup_dir, CACHE).unwrap_err();
    assert!(
        again.to_string().contains("already holds a backup"),
        "{again}"
    );

    let target = tempfile::tempdir().unwrap();
    let restored = backup::restore(target.path(), &backup_dir, false, CACHE).unwrap();
    assert_eq!(restored, manifest);
    assert_eq!(trees_of(target.path()), before);

    // The restored store is one the app reads: same counts, same catalog.
    let store = reopen(&target.path().join("store"));
    let original = reopen(&source.path().join("store"));
    assert_eq!(store.book_count(), original.book_count());
    assert_eq!(store.rating_count(), original.rating_count());
    assert_eq!(
        store.load_catalog().unwrap().len(),
        original.load_catalog().unwrap().len()
    );
}

#[test]
fn restore_refuses_a_non_empty_store_unless_forced() {
    let source = filled_data_dir();
    let out = tempfile::tempdir().unwrap();
    backup::backup(source.path(), out.path(), CACHE).unwrap();

    let target = tempfile::tempdir().unwrap();
    {
        let store = reopen(&target.path().join("store"));
        store.set_meta("leftover", &1u32).unwrap();
        store.flush().unwrap();
    }
    let err = backup::restore(target.path(), out.path(), false, CACHE).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");

    backup::restore(target.path(), out.path(), true, CACHE).unwrap();
    assert_eq!(trees_of(target.path()), trees_of(source.path()));
}

#[test]
fn a_damaged_backup_is_refused_and_the_store_left_untouched() {
    let source = filled_data_dir();
    let out = tempfile::tempdir().unwrap();
    backup::backup(source.path(), out.path(), CACHE).unwrap();

    // Flip one byte in the middle of the data file.
    let data = out.path().join(DATA_FILE);
    let mut bytes = std::fs::read(&data).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&data, &bytes).unwrap();

    let target = tempfile::tempdir().unwrap();
    let err = backup::restore(target.path(), out.path(), false, CACHE).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("checksum mismatch"), "{message}");
    assert!(message.contains("damaged"), "{message}");
    assert!(trees_of(target.path()).is_empty(), "nothing was written");

    // A folder without a manifest is not a backup.
    let empty = tempfile::tempdir().unwrap();
    let err = backup::restore(target.path(), empty.path(), false, CACHE).unwrap_err();
    assert!(err.to_string().contains("no manifest.json"), "{err}");
}

#[test]
fn restore_refuses_a_store_in_use_even_forced() {
    let source = filled_data_dir();
    let out = tempfile::tempdir().unwrap();
    backup::backup(source.path(), out.path(), CACHE).unwrap();

    let target = tempfile::tempdir().unwrap();
    let _server = Store::open(&target.path().join("store"), CACHE).unwrap();
    let err = backup::restore(target.path(), out.path(), true, CACHE).unwrap_err();
    assert!(err.to_string().contains("in use"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_a_server_holds_the_store_goes_through_its_admin_socket() {
    let data = filled_data_dir();
    let data_dir = data.path().to_path_buf();
    // The "server": holds the store (sled's lock) and listens on DATA_DIR/admin.sock.
    let store = reopen(&data_dir.join("store"));
    let admin = AdminSocket::start(&data_dir, store.clone()).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(admin.path()).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let before = trees_of_db(store.db());

    let out = tempfile::tempdir().unwrap();
    let backup_dir = out.path().join("while-serving");
    let manifest = {
        let (data_dir, backup_dir) = (data_dir.clone(), backup_dir.clone());
        tokio::task::spawn_blocking(move || backup::backup(&data_dir, &backup_dir, CACHE))
            .await
            .unwrap()
            .unwrap()
    };
    assert!(manifest.records() > 0);

    // A bad request gets an error line, and the listener keeps serving.
    let reply = {
        let socket = admin.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            use std::io::{BufRead, Write};
            let mut s = std::os::unix::net::UnixStream::connect(socket).unwrap();
            writeln!(s, "drop everything").unwrap();
            let mut line = String::new();
            std::io::BufReader::new(s).read_line(&mut line).unwrap();
            line
        })
        .await
        .unwrap()
    };
    assert!(reply.starts_with("error unknown request"), "{reply}");

    // Restoring needs the server stopped.
    let err = {
        let (data_dir, backup_dir) = (data_dir.clone(), backup_dir.clone());
        tokio::task::spawn_blocking(move || backup::restore(&data_dir, &backup_dir, true, CACHE))
            .await
            .unwrap()
            .unwrap_err()
    };
    assert!(err.to_string().contains("in use"), "{err}");

    let socket = admin.path().to_path_buf();
    admin.stop().await;
    assert!(!socket.exists(), "the socket is removed at shutdown");
    drop(store);

    let target = tempfile::tempdir().unwrap();
    backup::restore(target.path(), &backup_dir, false, CACHE).unwrap();
    assert_eq!(trees_of(target.path()), before);
}

/// The rating trees of a store as `(user, book, value)`, each read from its own layout.
fn rating_trees(trees: &Trees) -> (Vec<[u8; 9]>, Vec<[u8; 9]>) {
    let read = |name: &str, swap: bool| {
        let mut out: Vec<[u8; 9]> = trees
            .get(name.as_bytes())
            .map(|records| {
                records
                    .iter()
                    .map(|(k, v)| {
                        let (a, b) = k.split_at(4);
                        let (user, book) = if swap { (b, a) } else { (a, b) };
                        let mut row = [0u8; 9];
                        row[..4].copy_from_slice(user);
                        row[4..8].copy_from_slice(book);
                        row[8] = v[0];
                        row
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort_unstable();
        out
    };
    (
        read("ratings_by_user", false),
        read("ratings_by_book", true),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_readers_write_is_the_store_of_one_moment() {
    use app::backend::store::library::Change;
    use app::types::Shelf;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let data = filled_data_dir();
    let data_dir = data.path().to_path_buf();
    let store = reopen(&data_dir.join("store"));
    let admin = AdminSocket::start(&data_dir, store.clone()).unwrap();
    let readers: Vec<u32> = (0..4)
        .map(|i| store.create_anonymous_user(&format!("writer{i}")).unwrap())
        .collect();
    let books = store.book_count() as u32;

    // Readers rate and shelve book after book, each change one transaction over the two
    // rating trees and the library.
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = readers
        .iter()
        .map(|&user| {
            let (store, stop) = (store.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let change = Change {
                        book: (i * 7 + user) % books,
                        rating: Some(Some(Rating::new((i % 10 + 1) as u8).unwrap())),
                        shelf: Some(Some(Shelf::Read)),
                    };
                    store.apply_changes(user, &[change], 1).unwrap();
                    i += 1;
                }
                i
            })
        })
        .collect();

    let out = tempfile::tempdir().unwrap();
    for round in 0..3 {
        let backup_dir = out.path().join(format!("round{round}"));
        {
            let (data_dir, backup_dir) = (data_dir.clone(), backup_dir.clone());
            tokio::task::spawn_blocking(move || backup::backup(&data_dir, &backup_dir, CACHE))
                .await
                .unwrap()
                .unwrap();
        }
        let target = tempfile::tempdir().unwrap();
        backup::restore(target.path(), &backup_dir, false, CACHE).unwrap();
        let trees = trees_of(target.path());
        let (by_user, by_book) = rating_trees(&trees);
        let only_one = by_user.len().abs_diff(by_book.len())
            + by_user
                .iter()
                .filter(|r| by_book.binary_search(r).is_err())
                .count();
        assert_eq!(
            only_one,
            0,
            "round {round}: the rating trees disagree ({} by user, {} by book)",
            by_user.len(),
            by_book.len()
        );
        // Every writer's rating has its library entry, and no entry lacks its rating.
        let restored = reopen(&target.path().join("store"));
        for &user in &readers {
            for book in restored.library_of(user).unwrap() {
                assert!(
                    book.rating.is_some() && book.entry.is_some_and(|e| e.shelf.is_some()),
                    "round {round}: {book:?}"
                );
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let written: u32 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(written > 0);
    admin.stop().await;
}
