//! The store's schema version, and the migrations that bring an older store up to it.
//!
//! The version lives in `meta` under `schema` (a big-endian `u32`). A store without one was
//! written before versions existed: version 1 if it holds anything, else a new store, which
//! starts at [`SCHEMA`]. [`migrate`] runs at open, once: each step rewrites what changed and
//! sets the new version in the same sled transaction, so a step that fails (a record it cannot
//! read, a crash, a full disk) leaves the store exactly as it was, still readable by the build
//! that wrote it. A store of a newer schema than this build knows is refused untouched.
//!
//! A step too large for one transaction should write its new records to trees of new names,
//! flush, then flip the version (the old trees stay until the flip, and are dropped after).
//!
//! | version | what changed                                                          |
//! |---------|-----------------------------------------------------------------------|
//! | 1       | before versions (through 2026-12-04)                                  |
//! | 2       | a reader's import summary counts books matched by id and books created |
//!
//! Trees added without changing any existing record (`brought`, `origins`, `brought_more`)
//! need no step.

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

use super::{Store, StoreError, StoreResult};
use crate::types::ImportSummary;

/// The schema this build reads and writes.
pub const SCHEMA: u32 = 2;

/// Where the version is kept in `meta`.
const KEY: &[u8] = b"schema";

/// The store's schema version as found on disk.
pub fn version(store: &Store) -> StoreResult<u32> {
    match store.meta.get(KEY)? {
        Some(v) => super::decode_u32(&v, "meta"),
        None if store.books.is_empty() && store.users.is_empty() => Ok(SCHEMA),
        None => Ok(1),
    }
}

/// Bring the store to [`SCHEMA`]; returns the version it was at.
pub fn migrate(store: &Store) -> StoreResult<u32> {
    let found = version(store)?;
    if found > SCHEMA {
        return Err(StoreError::NewerSchema {
            found,
            known: SCHEMA,
        });
    }
    let _only_writer = store.lock_writes();
    let mut at = found;
    while at < SCHEMA {
        let step = STEPS[(at - 1) as usize];
        store
            .meta
            .transaction(|meta| {
                step(meta)?;
                meta.insert(KEY, &(at + 1).to_be_bytes())?;
                Ok(())
            })
            .map_err(StoreError::from)?;
        tracing::info!(from = at, to = at + 1, "store migrated");
        at += 1;
    }
    if found < SCHEMA {
        store.db.flush()?;
    }
    // An empty store is stamped by its first id (see `stamp`), so opening one writes nothing:
    // a restore's target, or a folder only looked at, stays empty.
    let stamped = store.meta.get(KEY)?.is_some();
    store
        .stamped
        .store(stamped, std::sync::atomic::Ordering::Release);
    Ok(found)
}

/// Record [`SCHEMA`] in a store that has none yet; called before the first id is handed out,
/// so no record of this build's is ever in a store that says nothing of its version.
pub(super) fn stamp(store: &Store) -> StoreResult<()> {
    if !store.stamped.load(std::sync::atomic::Ordering::Acquire) {
        let _ = store
            .meta
            .compare_and_swap(KEY, None::<&[u8]>, Some(&SCHEMA.to_be_bytes()[..]))?;
        store
            .stamped
            .store(true, std::sync::atomic::Ordering::Release);
    }
    Ok(())
}

type Step = fn(&TransactionalTree) -> Result<(), ConflictableTransactionError<StoreError>>;

/// `STEPS[v - 1]` takes a store from version `v` to `v + 1`.
const STEPS: [Step; 1] = [summaries_count_created];

/// A reader's import summary as version 1 wrote it.
#[derive(Serialize, Deserialize)]
struct SummaryV1 {
    rows: u32,
    matched: u32,
    ratings: u32,
    shelved: u32,
    by_isbn10: u32,
    by_isbn13: u32,
    by_title: u32,
    unmatched: Vec<String>,
    rejected: Vec<String>,
    error: Option<String>,
}

/// 1 → 2: readers' import summaries (`import:<user id>`) gain `by_source_id` and `created`.
fn summaries_count_created(
    meta: &TransactionalTree,
) -> Result<(), ConflictableTransactionError<StoreError>> {
    // A transactional tree cannot scan: the user ids come from the counter, and every id
    // below it is looked up (a few bytes each; readers are far fewer than ratings).
    let users = match meta.get(super::NEXT_USER_ID)? {
        Some(v) => super::decode_u32(&v, "meta").map_err(ConflictableTransactionError::Abort)?,
        None => 0,
    };
    let abort = |e: postcard::Error| ConflictableTransactionError::Abort(StoreError::Codec(e));
    for user in 0..users {
        let key = super::transfer_summary_key(user);
        let Some(old) = meta.get(key.as_bytes())? else {
            continue;
        };
        let v1: SummaryV1 = postcard::from_bytes(&old).map_err(abort)?;
        let v2 = ImportSummary {
            rows: v1.rows,
            matched: v1.matched,
            ratings: v1.ratings,
            shelved: v1.shelved,
            by_isbn10: v1.by_isbn10,
            by_isbn13: v1.by_isbn13,
            by_title: v1.by_title,
            by_source_id: 0,
            created: 0,
            unmatched: v1.unmatched,
            rejected: v1.rejected,
            error: v1.error,
        };
        meta.insert(key.as_bytes(), postcard::to_stdvec(&v2).map_err(abort)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::records::Book;

    fn summary_v1(rows: u32) -> SummaryV1 {
        SummaryV1 {
            rows,
            matched: 3,
            ratings: 2,
            shelved: 1,
            by_isbn10: 1,
            by_isbn13: 1,
            by_title: 1,
            unmatched: vec!["Project Hail Mary — Andy Weir".into()],
            rejected: vec!["line 4: bad My Rating".into()],
            error: None,
        }
    }

    /// A store as today's main (schema 1) leaves it: a book, two readers, summaries of both.
    fn version_1_store(dir: &std::path::Path) {
        let store = Store::open(dir, 1 << 20).unwrap();
        store
            .upsert_book(&Book::new(
                "0439023483",
                "The Hunger Games",
                "Suzanne Collins",
            ))
            .unwrap();
        for key in ["acct:ann", "acct:bob"] {
            store
                .upsert_user(&super::super::UserRecord {
                    key: key.into(),
                    location: String::new(),
                    age: None,
                })
                .unwrap();
        }
        store.set_meta("import:0", &summary_v1(10)).unwrap();
        store.set_meta("import:1", &summary_v1(20)).unwrap();
        store.set_meta("import:goodbooks", &vec![1u32, 2]).unwrap();
        store.meta.remove(KEY).unwrap();
        store.flush().unwrap();
    }

    #[test]
    fn a_version_1_store_is_migrated_once_at_open() {
        let dir = tempfile::tempdir().unwrap();
        version_1_store(dir.path());
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(version(&store).unwrap(), SCHEMA);
        let ann: ImportSummary = store.meta("import:0").unwrap().unwrap();
        assert_eq!((ann.rows, ann.matched, ann.created), (10, 3, 0));
        assert_eq!(ann.unmatched, ["Project Hail Mary — Andy Weir"]);
        let bob: ImportSummary = store.meta("import:1").unwrap().unwrap();
        assert_eq!(bob.rows, 20);
        // Not a reader's summary: untouched.
        assert_eq!(
            store.meta::<Vec<u32>>("import:goodbooks").unwrap(),
            Some(vec![1, 2])
        );
        drop(store);
        // Opening again runs nothing (a second run would fail to read version 2 as 1).
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(
            store
                .meta::<ImportSummary>("import:1")
                .unwrap()
                .unwrap()
                .rows,
            20
        );
    }

    #[test]
    fn a_failed_migration_leaves_the_old_store_intact() {
        let dir = tempfile::tempdir().unwrap();
        version_1_store(dir.path());
        {
            let store = Store::open_unmigrated(dir.path(), 1 << 20).unwrap();
            // A summary that version 1 cannot have written: the step cannot read it.
            store.meta.insert("import:1", &[0xff_u8; 3][..]).unwrap();
            store.flush().unwrap();
        }
        let err = Store::open(dir.path(), 1 << 20)
            .err()
            .expect("the migration fails");
        assert!(matches!(err, StoreError::Codec(_)), "{err}");
        let store = Store::open_unmigrated(dir.path(), 1 << 20).unwrap();
        assert_eq!(version(&store).unwrap(), 1);
        // The summary before the bad one was not rewritten: still version 1's layout.
        let ann: SummaryV1 = store.meta("import:0").unwrap().unwrap();
        assert_eq!(ann.rows, 10);
    }

    #[test]
    fn a_newer_store_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path(), 1 << 20).unwrap();
            store.meta.insert(KEY, &(SCHEMA + 1).to_be_bytes()).unwrap();
            store.flush().unwrap();
        }
        let err = Store::open(dir.path(), 1 << 20).err().expect("refused");
        assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
        let store = Store::open_unmigrated(dir.path(), 1 << 20).unwrap();
        assert_eq!(version(&store).unwrap(), SCHEMA + 1);
    }

    #[test]
    fn a_new_store_starts_at_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        // Opening writes nothing; the first record stamps the version.
        assert_eq!(store.meta.get(KEY).unwrap(), None);
        store
            .upsert_book(&Book::new("0439023483", "T", "A"))
            .unwrap();
        assert_eq!(
            store.meta.get(KEY).unwrap().as_deref(),
            Some(&SCHEMA.to_be_bytes()[..])
        );
        drop(store);
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(version(&store).unwrap(), SCHEMA);
    }
}
