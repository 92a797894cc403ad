//! A reader's library: ratings they give in the app, shelves, and moving an anonymous reader's
//! library into their account.
//!
//! Ratings live in the two rating trees with the dataset's (so training sees them); the
//! `library` tree holds, per (user, book), the shelf and when the reader last acted on it.
//! Every change of one reader's book is one transaction over all three trees, so a crash never
//! leaves a rating without its entry or one rating tree ahead of the other.

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use sled::Transactional;

use super::{
    decode, decode_rating, pair, split_pair, BookId, Store, StoreError, StoreResult, UserId,
};
use crate::models::Shelf;
use engine::model::Rating;

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

type Tx = (TransactionalTree, TransactionalTree, TransactionalTree);
type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

impl Store {
    /// Apply changes to one reader's books atomically: all of them are written or none.
    pub fn apply_changes(&self, user: UserId, changes: &[Change], now: u64) -> StoreResult<()> {
        let _only_writer = self.lock_writes();
        (&self.ratings_by_user, &self.ratings_by_book, &self.library)
            .transaction(|trees| {
                for change in changes {
                    apply(trees, user, change, now)?;
                }
                Ok(())
            })
            .map_err(StoreError::from)
    }

    /// The reader's library entry for one book.
    pub fn library_entry(&self, user: UserId, book: BookId) -> StoreResult<Option<LibraryEntry>> {
        self.library
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

    /// Everything a reader rated or shelved, in book id order.
    pub fn library_of(&self, user: UserId) -> StoreResult<Vec<LibraryBook>> {
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
        let _only_writer = self.lock_writes();
        (&self.ratings_by_user, &self.ratings_by_book, &self.library)
            .transaction(|trees| {
                for (add, remove) in &changes {
                    apply(trees, into, add, now)?;
                    apply(trees, from, remove, now)?;
                }
                Ok(())
            })
            .map_err(StoreError::from)?;
        Ok(books.len())
    }
}

/// One change inside a transaction. An entry with neither rating nor shelf is removed, so a
/// cleared book leaves no trace.
fn apply(trees: &Tx, user: UserId, change: &Change, now: u64) -> TxResult<()> {
    let (by_user, by_book, library) = trees;
    let key = pair(user, change.book);
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
    if shelf.is_none() && !rated {
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
