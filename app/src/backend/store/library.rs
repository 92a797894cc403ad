//! A reader's library: ratings they give in the app, shelves, and moving an anonymous reader's
//! library into their account.
//!
//! Ratings live in the two rating trees with the dataset's (so training sees them); the
//! `library` tree holds, per (user, book), the shelf and when the reader last acted on it; the
//! `brought` tree, per (user, book), the row a reader imported, every column of it (dates read,
//! review, notes, tags, their own exclusive shelf...), so that an export gives it back; and
//! `brought_more`, per (user, book), the further rows the same file had for that book (a row
//! repeated, two readings or editions the catalog cannot tell apart), so that none is lost.
//! Every change of one reader's book is one transaction over all four trees, so a crash never
//! leaves a rating without its entry or one rating tree ahead of the other.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use sled::Transactional;

use super::{
    decode, decode_rating, pair, split_pair, BookId, Store, StoreError, StoreResult, UserId,
};
use crate::types::Shelf;
use engine::datasets::goodreads::Details;
use engine::records::Rating;

/// What the `library` tree keeps for one reader's book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LibraryEntry {
    /// The shelf, if any.
    pub shelf: Option<Shelf>,
    /// Unix seconds of the reader's last rating or shelving of this book.
    pub updated: u64,
}

/// One book of a reader's library: the entry and the rating (from the rating trees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LibraryBook {
    /// The book.
    pub book: BookId,
    /// The rating, if the reader rated it.
    pub rating: Option<Rating>,
    /// Shelf and time, if the reader acted on it in the app (dataset ratings have none).
    pub entry: Option<LibraryEntry>,
}

/// Books kept over all cached libraries (about 32 bytes each: some 100 MB when full).
const CACHED_BOOKS: u64 = 3_000_000;

/// Weighs a cached library by its number of books, so a few readers with ten thousand books
/// cannot crowd out everyone else.
#[derive(Clone)]
struct ByBooks;

impl quick_cache::Weighter<UserId, Arc<Vec<LibraryBook>>> for ByBooks {
    fn weight(&self, _: &UserId, books: &Arc<Vec<LibraryBook>>) -> u64 {
        books.len() as u64 + 1
    }
}

/// Decoded libraries of recent readers. A page asks for the reader's library on every view,
/// and reading a thousand books out of two sled trees was most of a heavy reader's page;
/// libraries change only through [`Store`]'s writes, which forget the readers they touch.
pub(crate) struct LibraryCache {
    entries: quick_cache::sync::Cache<UserId, Arc<Vec<LibraryBook>>, ByBooks>,
    /// Bumped by every write to anyone's books, after it commits.
    writes: AtomicU64,
    /// Held while a write bumps `writes` and forgets its readers, and while a read keeps
    /// what it read: a library read while a write committed is then never kept.
    coherence: Mutex<()>,
}

impl Default for LibraryCache {
    fn default() -> Self {
        LibraryCache {
            entries: quick_cache::sync::Cache::with_weighter(4_096, CACHED_BOOKS, ByBooks),
            writes: AtomicU64::new(0),
            coherence: Mutex::new(()),
        }
    }
}

impl LibraryCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.coherence.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The write count to pass to [`LibraryCache::keep`], taken before reading the store.
    fn before_read(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    /// Keep `books`, read from the store after `before` was taken, unless a write happened
    /// since (it may or may not be in what was read).
    fn keep(&self, user: UserId, before: u64, books: &[LibraryBook]) {
        let _coherent = self.lock();
        if self.writes.load(Ordering::Acquire) == before {
            self.entries.insert(user, Arc::new(books.to_vec()));
        }
    }

    /// After a write to these readers' books has committed (or failed): forget them.
    pub(crate) fn forget(&self, users: &[UserId]) {
        let _coherent = self.lock();
        self.writes.fetch_add(1, Ordering::AcqRel);
        for user in users {
            self.entries.remove(user);
        }
    }

    /// After a bulk write (an import): forget everyone.
    pub(crate) fn forget_all(&self) {
        let _coherent = self.lock();
        self.writes.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
    }
}

/// One change to a reader's book: set or clear the rating, set or clear the shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The book.
    pub book: BookId,
    /// `Some(Some(r))` sets the rating, `Some(None)` clears it, `None` leaves it.
    pub rating: Option<Option<Rating>>,
    /// `Some(Some(s))` puts it on a shelf, `Some(None)` takes it off, `None` leaves it.
    pub shelf: Option<Option<Shelf>>,
}

type Tx = (
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
);
/// The five trees of readers' books inside a transaction (of those five, or of more):
/// ratings by user, by book, library, brought, brought_more.
pub(super) type Trees<'a> = (
    &'a TransactionalTree,
    &'a TransactionalTree,
    &'a TransactionalTree,
    &'a TransactionalTree,
    &'a TransactionalTree,
);

/// The five trees of a [`Tx`], as [`apply`] takes them.
fn trees(tx: &Tx) -> Trees<'_> {
    (&tx.0, &tx.1, &tx.2, &tx.3, &tx.4)
}
type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

impl Store {
    /// Apply changes to one reader's books atomically: all of them are written or none.
    pub fn apply_changes(&self, user: UserId, changes: &[Change], now: u64) -> StoreResult<()> {
        // Taking books off (a deletion, a cleared rating) needs no room and is never refused.
        let adds = changes
            .iter()
            .any(|c| matches!(c.rating, Some(Some(_))) || matches!(c.shelf, Some(Some(_))));
        self.write_books(&[user], adds, |tx| {
            for change in changes {
                apply(trees(tx), user, change, None, None, now)?;
            }
            Ok(())
        })
    }

    /// Keep `details` as what the reader brought for `book` (their notes, edited in the app),
    /// leaving their rating and shelf as they are; the book joins their library if it was not
    /// in it.
    pub fn keep_brought(
        &self,
        user: UserId,
        book: BookId,
        details: &Details,
        now: u64,
    ) -> StoreResult<()> {
        let change = Change {
            book,
            rating: None,
            shelf: None,
        };
        self.write_books(&[user], true, |tx| {
            apply(trees(tx), user, &change, Some(details), None, now)
        })
    }

    /// Every row a reader brought, in book id order.
    pub fn brought_of(&self, user: UserId) -> StoreResult<Vec<(BookId, Details)>> {
        per_book(&self.brought, user, "brought").collect()
    }

    /// Run `body` as one transaction over the four trees of readers' books, as the only
    /// writer (refused on a nearly full disk when it `adds` data), then forget the cached
    /// libraries of `users`, whether it committed or not.
    fn write_books(
        &self,
        users: &[UserId],
        adds: bool,
        body: impl Fn(&Tx) -> TxResult<()>,
    ) -> StoreResult<()> {
        let _only_writer = if adds {
            self.begin_write()?
        } else {
            self.lock_writes()
        };
        let done = (
            &self.ratings_by_user,
            &self.ratings_by_book,
            &self.library,
            &self.brought,
            &self.brought_more,
        )
            .transaction(|trees| body(trees))
            .map_err(StoreError::from);
        self.libraries.forget(users);
        done
    }

    /// The reader's library entry for one book.
    pub fn library_entry(&self, user: UserId, book: BookId) -> StoreResult<Option<LibraryEntry>> {
        self.library
            .get(pair(user, book))?
            .map(|v| decode(&v))
            .transpose()
    }

    /// The further rows a reader's import brought for books it had a row for already, by book.
    pub fn brought_more_of(
        &self,
        user: UserId,
    ) -> StoreResult<std::collections::HashMap<BookId, Vec<Details>>> {
        per_book(&self.brought_more, user, "brought_more").collect()
    }

    /// What the reader brought for one book in an import (every column), if anything.
    pub fn brought(&self, user: UserId, book: BookId) -> StoreResult<Option<Details>> {
        self.brought
            .get(pair(user, book))?
            .map(|v| decode(&v))
            .transpose()
    }

    /// The reader's rating of one book.
    pub fn rating(&self, user: UserId, book: BookId) -> StoreResult<Option<Rating>> {
        self.ratings_by_user
            .get(pair(user, book))?
            .map(|v| decode_rating(&v, "ratings_by_user"))
            .transpose()
    }

    /// Everything a reader rated or shelved, in book id order (kept decoded between calls
    /// until the reader's books change).
    pub fn library_of(&self, user: UserId) -> StoreResult<Vec<LibraryBook>> {
        if let Some(kept) = self.libraries.entries.get(&user) {
            return Ok(kept.to_vec());
        }
        let before = self.libraries.before_read();
        let books = self.read_library(user)?;
        self.libraries.keep(user, before, &books);
        Ok(books)
    }

    /// [`Store::library_of`] from the trees.
    fn read_library(&self, user: UserId) -> StoreResult<Vec<LibraryBook>> {
        let mut out: Vec<LibraryBook> = self
            .ratings_of_user(user)?
            .into_iter()
            .map(|(book, rating)| LibraryBook {
                book,
                rating: Some(rating),
                entry: None,
            })
            .collect();
        for kv in self.library.scan_prefix(user.to_be_bytes()) {
            let (k, v) = kv?;
            let (_, book) = split_pair(&k, "library")?;
            let entry: LibraryEntry = decode(&v)?;
            match out.binary_search_by_key(&book, |b| b.book) {
                Ok(i) => out[i].entry = Some(entry),
                Err(i) => out.insert(
                    i,
                    LibraryBook {
                        book,
                        rating: None,
                        entry: Some(entry),
                    },
                ),
            }
        }
        Ok(out)
    }

    /// Move everything `from` rated or shelved into `into` (an anonymous reader signing in):
    /// `from`'s choices win where both acted on a book, being the more recent. `from` keeps
    /// nothing afterwards. One transaction.
    pub fn merge_library(&self, from: UserId, into: UserId, now: u64) -> StoreResult<usize> {
        let books = self.library_of(from)?;
        let brought: std::collections::HashMap<BookId, Details> =
            self.brought_of(from)?.into_iter().collect();
        let more = self.brought_more_of(from)?;
        let changes: Vec<(Change, Change)> = books
            .iter()
            .map(|b| {
                (
                    Change {
                        book: b.book,
                        rating: b.rating.map(Some),
                        shelf: b.entry.and_then(|e| e.shelf).map(Some),
                    },
                    Change {
                        book: b.book,
                        rating: Some(None),
                        shelf: Some(None),
                    },
                )
            })
            .collect();
        self.write_books(&[from, into], true, |tx| {
            for (add, remove) in &changes {
                let rows = more.get(&add.book).map(Vec::as_slice);
                apply(trees(tx), into, add, brought.get(&add.book), rows, now)?;
                apply(trees(tx), from, remove, None, None, now)?;
            }
            Ok(())
        })?;
        Ok(books.len())
    }
}

/// A reader's records in a tree keyed by (user, book), decoded, in book id order; `name` is the
/// tree's, for errors.
fn per_book<'a, T: serde::de::DeserializeOwned>(
    tree: &'a sled::Tree,
    user: UserId,
    name: &'static str,
) -> impl Iterator<Item = StoreResult<(BookId, T)>> + 'a {
    tree.scan_prefix(user.to_be_bytes()).map(move |kv| {
        let (k, v) = kv?;
        let (_, book) = split_pair(&k, name)?;
        Ok((book, decode(&v)?))
    })
}

/// One change inside a transaction, with the row the reader brought when it is an import (and
/// the file's further rows for the book: `Some` replaces those kept, `None` leaves them). A
/// book whose rating and shelf are both cleared leaves no trace (the rows brought go too);
/// an imported book stays in the library while its row is kept (a reader's own exclusive
/// shelf, `paused`, is neither a rating nor a shelf of Shelfwise's).
pub(super) fn apply(
    trees: Trees<'_>,
    user: UserId,
    change: &Change,
    brought: Option<&Details>,
    more: Option<&[Details]>,
    now: u64,
) -> TxResult<()> {
    let (by_user, by_book, library, brought_tree, more_tree) = trees;
    let key = pair(user, change.book);
    let cleared = change.rating == Some(None) && change.shelf == Some(None);
    let kept = match brought {
        Some(d) => {
            let bytes = postcard::to_stdvec(d)
                .map_err(|e| ConflictableTransactionError::Abort(StoreError::Codec(e)))?;
            brought_tree.insert(&key[..], bytes)?;
            match more {
                Some([]) => {
                    more_tree.remove(&key[..])?;
                }
                Some(rows) => {
                    let bytes = postcard::to_stdvec(rows)
                        .map_err(|e| ConflictableTransactionError::Abort(StoreError::Codec(e)))?;
                    more_tree.insert(&key[..], bytes)?;
                }
                None => {}
            }
            true
        }
        None if cleared => {
            brought_tree.remove(&key[..])?;
            more_tree.remove(&key[..])?;
            false
        }
        None => brought_tree.get(key)?.is_some(),
    };
    let mut rated = by_user.get(key)?.is_some();
    if let Some(rating) = change.rating {
        match rating {
            Some(r) => {
                by_user.insert(&key[..], &[r.value()])?;
                by_book.insert(&pair(change.book, user)[..], &[r.value()])?;
                rated = true;
            }
            None => {
                by_user.remove(&key[..])?;
                by_book.remove(&pair(change.book, user)[..])?;
                rated = false;
            }
        }
    }
    let old: Option<LibraryEntry> = match library.get(key)? {
        Some(v) => Some(
            postcard::from_bytes(&v)
                .map_err(|e| ConflictableTransactionError::Abort(StoreError::Codec(e)))?,
        ),
        None => None,
    };
    let shelf = match change.shelf {
        Some(s) => s,
        None => old.and_then(|e| e.shelf),
    };
    if shelf.is_none() && !rated && !kept {
        library.remove(&key[..])?;
    } else {
        let entry = LibraryEntry {
            shelf,
            updated: now,
        };
        let bytes = postcard::to_stdvec(&entry)
            .map_err(|e| ConflictableTransactionError::Abort(StoreError::Codec(e)))?;
        library.insert(&key[..], bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stars(n: u8) -> Option<Rating> {
        Rating::from_stars(n)
    }

    fn books(store: &Store, user: UserId) -> Vec<(BookId, Option<Rating>, Option<Shelf>)> {
        store
            .library_of(user)
            .unwrap()
            .into_iter()
            .map(|b| (b.book, b.rating, b.entry.and_then(|e| e.shelf)))
            .collect()
    }

    #[test]
    fn a_kept_library_follows_every_write_to_the_readers_books() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let rate = |book, n| Change {
            book,
            rating: Some(stars(n)),
            shelf: None,
        };
        store.apply_changes(1, &[rate(10, 4)], 100).unwrap();
        // Read twice: the second read is the kept copy, and every write below must show.
        assert_eq!(books(&store, 1), books(&store, 1));
        store.apply_changes(1, &[rate(11, 5)], 101).unwrap();
        assert_eq!(
            books(&store, 1),
            vec![(10, stars(4), None), (11, stars(5), None)]
        );
        let shelve = Change {
            book: 10,
            rating: Some(None),
            shelf: Some(Some(Shelf::NotInterested)),
        };
        store.apply_changes(1, &[shelve], 102).unwrap();
        assert_eq!(
            books(&store, 1),
            vec![(10, None, Some(Shelf::NotInterested)), (11, stars(5), None)]
        );
        store.put_rating(1, 12, stars(3).unwrap()).unwrap();
        assert_eq!(books(&store, 1).len(), 3);
        store
            .put_ratings(&mut [(1, 13, stars(2).unwrap()), (2, 13, stars(1).unwrap())])
            .unwrap();
        assert_eq!(books(&store, 1).len(), 4);
        // Both sides of a merge change: the anonymous reader's books move to the account.
        assert_eq!(books(&store, 2).len(), 1);
        store.merge_library(2, 1, 103).unwrap();
        assert!(books(&store, 2).is_empty());
        assert_eq!(books(&store, 1)[3], (13, stars(1), None));
    }

    #[test]
    fn a_library_read_while_a_write_commits_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let before = store.libraries.before_read();
        let stale = store.read_library(1).unwrap();
        store.put_rating(1, 5, stars(5).unwrap()).unwrap();
        store.libraries.keep(1, before, &stale);
        assert_eq!(books(&store, 1), vec![(5, stars(5), None)]);
    }
}
