//! The embedded store: every book, user and rating in sled.
//!
//! Layout (all integers big-endian, so sled's byte order is numeric order):
//!
//! | tree              | key                         | value                   |
//! |-------------------|-----------------------------|-------------------------|
//! | `books`           | book id `u32`               | postcard [`Book`]       |
//! | `book_keys`       | catalog key (ISBN) bytes    | book id `u32`           |
//! | `users`           | user id `u32`               | postcard [`UserRecord`] |
//! | `user_keys`       | external key (`bx:276725`)  | user id `u32`           |
//! | `ratings_by_user` | user id, book id            | rating `u8` (0–10)      |
//! | `ratings_by_book` | book id, user id            | rating `u8` (0–10)      |
//! | `meta`            | name                        | counters, import stamps |
//! | `library`         | user id, book id            | postcard shelf + time   |
//! | `brought`         | user id, book id            | postcard import row     |
//! | `brought_more`    | user id, book id            | postcard rows, 2nd on   |
//! | `origins`         | book id (readers' books)    | postcard [`added::Origin`] |
//! | `throttle`        | rule and subject            | see [`throttle`]        |
//!
//! Writes that add data are refused while the disk is nearly full (see [`space`]).
//!
//! Accounts and sessions: see [`accounts`]; a reader's shelves: see [`library`].
//!
//! Ratings are written to both rating trees in one transaction, so "a reader's ratings", "a
//! book's ratings" and "all ratings in one pass" are each one ordered prefix scan. Book and user
//! ids are dense (`0..n`), so the in-memory catalog indexes books by the same number.

pub mod accounts;
pub mod added;
pub mod goals;
pub mod import;
pub mod library;
pub mod schema;
mod space;
pub mod standing;
pub mod throttle;

use engine::catalog::Catalog;
use engine::records::{Book, Rating};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use std::path::Path;

/// A book's dense id in the store and in the catalog.
pub type BookId = u32;
/// A user's dense id in the store.
pub type UserId = u32;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (I/O, corruption).
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    /// A stored record could not be encoded or decoded.
    #[error("record encoding error: {0}")]
    Codec(#[from] postcard::Error),
    /// A stored value has the wrong size for its type (corruption or a layout change).
    #[error("corrupt record in {tree}")]
    Corrupt {
        /// The tree holding the bad record.
        tree: &'static str,
    },
    /// An import could not read its input.
    #[error(transparent)]
    Engine(#[from] engine::Error),
    /// The store's filesystem has less than the reserve free: the write was refused, and
    /// nothing of it stored.
    #[error(
        "the disk holding the store is nearly full ({free} bytes free, {reserve} kept in reserve)"
    )]
    DiskFull {
        /// Bytes free.
        free: u64,
        /// Bytes the store keeps free.
        reserve: u64,
    },
    /// The store was written by a newer build (its schema is newer than this build knows):
    /// refused, and left as it is.
    #[error(
        "the store has schema {found}; this build knows schemas up to {known}: upgrade Shelfwise"
    )]
    NewerSchema {
        /// The store's schema.
        found: u32,
        /// The newest this build knows.
        known: u32,
    },
    /// Reading an import file failed.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl From<TransactionError<StoreError>> for StoreError {
    fn from(e: TransactionError<StoreError>) -> Self {
        match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        }
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// Where a user comes from: a dataset's user id, or (later) an account of this app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The stable external key, e.g. `bx:276725` or `gb:12`.
    pub key: String,
    /// Free-text location, when the dataset gives one.
    pub location: String,
    /// Age, when the dataset gives a plausible one.
    pub age: Option<u8>,
}

/// The sled database with Shelfwise's trees opened.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    books: sled::Tree,
    book_keys: sled::Tree,
    users: sled::Tree,
    user_keys: sled::Tree,
    ratings_by_user: sled::Tree,
    ratings_by_book: sled::Tree,
    meta: sled::Tree,
    library: sled::Tree,
    /// What a reader brought for a book in an import, every column (see [`library`]).
    brought: sled::Tree,
    /// The further rows one import brought for the same book (see [`library`]).
    brought_more: sled::Tree,
    /// Where books readers added came from (see [`added`]).
    origins: sled::Tree,
    accounts: sled::Tree,
    sessions: sled::Tree,
    user_sessions: sled::Tree,
    throttle: sled::Tree,
    abandoned: sled::Tree,
    /// Serialises transactions and flushes. Under 64 concurrent writers, sled 0.34 hung with
    /// one transaction waiting for its exclusive lock, a read waiting behind it and every flush
    /// waiting too; one writer at a time, never overlapping a flush, cannot interleave that way.
    writer: std::sync::Arc<std::sync::Mutex<()>>,
    /// The reserve of free space writes keep (see [`space`]).
    space: space::Space,
    /// Whether `meta` holds the schema version (see [`schema::stamp`]).
    stamped: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Readers' libraries, decoded (see [`Store::library_of`]); every write to the rating
    /// trees or the library tree goes through a method here that forgets the readers it touched.
    libraries: std::sync::Arc<library::LibraryCache>,
}

pub(crate) const NEXT_BOOK_ID: &[u8] = b"next_book_id";
pub(crate) const NEXT_USER_ID: &[u8] = b"next_user_id";

impl Store {
    /// Open (or create) the store in `dir`, migrating it to this build's schema if it is older
    /// (see [`schema`]). `cache_bytes` bounds sled's page cache.
    pub fn open(dir: &Path, cache_bytes: u64) -> StoreResult<Store> {
        let store = Store::open_unmigrated(dir, cache_bytes)?;
        schema::migrate(&store)?;
        Ok(store)
    }

    /// Open the store as it is on disk, whatever its schema (tests of migrations, backups).
    pub fn open_unmigrated(dir: &Path, cache_bytes: u64) -> StoreResult<Store> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .open()?;
        Ok(Store {
            books: db.open_tree("books")?,
            book_keys: db.open_tree("book_keys")?,
            users: db.open_tree("users")?,
            user_keys: db.open_tree("user_keys")?,
            ratings_by_user: db.open_tree("ratings_by_user")?,
            ratings_by_book: db.open_tree("ratings_by_book")?,
            meta: db.open_tree("meta")?,
            library: db.open_tree("library")?,
            brought: db.open_tree("brought")?,
            brought_more: db.open_tree("brought_more")?,
            origins: db.open_tree("origins")?,
            accounts: db.open_tree("accounts")?,
            sessions: db.open_tree("sessions")?,
            user_sessions: db.open_tree("user_sessions")?,
            throttle: db.open_tree("throttle")?,
            abandoned: db.open_tree("abandoned")?,
            writer: Default::default(),
            space: space::Space::new(dir),
            stamped: Default::default(),
            libraries: Default::default(),
            db,
        })
    }

    /// The sled database itself (backups copy every tree through it).
    pub fn db(&self) -> &sled::Db {
        &self.db
    }

    /// Flush every pending write to disk; returns once it is durable.
    pub fn flush(&self) -> StoreResult<()> {
        self.db.flush()?;
        Ok(())
    }

    /// [`Store::flush`] without blocking the async executor: a server function awaits this
    /// before it acknowledges a write, which is what makes an acknowledged rating durable.
    pub async fn flush_async(&self) -> StoreResult<()> {
        // On the blocking pool, under the writer lock: an async worker never waits on sled,
        // and no transaction runs while the log is being flushed.
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let _only_writer = store.lock_writes();
            store.db.flush().map(|_| ())
        })
        .await
        .map_err(|e| StoreError::Sled(sled::Error::ReportableBug(e.to_string())))??;
        Ok(())
    }

    /// Hold every writer (transactions and flushes) while the guard lives, so that what is
    /// read meanwhile, across trees, is the store as of one moment (an online backup).
    pub fn pause_writes(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock_writes()
    }

    /// Hold this while running a transaction or a flush (see the `writer` field).
    pub(crate) fn lock_writes(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// [`Store::lock_writes`] for a write that adds data, once there is room for it (see
    /// [`space`]).
    pub(crate) fn begin_write(&self) -> StoreResult<std::sync::MutexGuard<'_, ()>> {
        self.check_space()?;
        Ok(self.lock_writes())
    }

    /// Number of books.
    pub fn book_count(&self) -> usize {
        self.books.len()
    }

    /// Number of users (dataset users and accounts).
    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Number of ratings (explicit and implicit).
    pub fn rating_count(&self) -> usize {
        self.ratings_by_user.len()
    }

    /// The id of the book with this catalog key.
    pub fn book_id(&self, key: &str) -> StoreResult<Option<BookId>> {
        self.book_keys
            .get(key.as_bytes())?
            .map(|v| decode_u32(&v, "book_keys"))
            .transpose()
    }

    /// A book by id.
    pub fn book(&self, id: BookId) -> StoreResult<Option<Book>> {
        self.books
            .get(id.to_be_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// Insert a book, or replace the record with the same key; returns its id (stable across
    /// re-imports, which is what makes importing twice leave the same store).
    pub fn upsert_book(&self, book: &Book) -> StoreResult<BookId> {
        let id = match self.book_id(&book.key)? {
            Some(id) => id,
            None => {
                let id = self.next_id(NEXT_BOOK_ID)?;
                self.book_keys
                    .insert(book.key.as_bytes(), &id.to_be_bytes())?;
                id
            }
        };
        self.books
            .insert(id.to_be_bytes(), postcard::to_stdvec(book)?)?;
        Ok(id)
    }

    /// Every book in id order (ids are dense, so the position is the id).
    pub fn books(&self) -> impl Iterator<Item = StoreResult<(BookId, Book)>> + '_ {
        self.books.iter().map(|kv| {
            let (k, v) = kv?;
            Ok((decode_u32(&k, "books")?, decode(&v)?))
        })
    }

    /// Every catalog key with its book id (for importers matching ratings to books).
    pub fn book_keys(&self) -> impl Iterator<Item = StoreResult<(String, BookId)>> + '_ {
        self.book_keys.iter().map(|kv| {
            let (k, v) = kv?;
            let key = String::from_utf8(k.to_vec())
                .map_err(|_| StoreError::Corrupt { tree: "book_keys" })?;
            Ok((key, decode_u32(&v, "book_keys")?))
        })
    }

    /// The id of the user with this external key, creating the user if new.
    pub fn upsert_user(&self, user: &UserRecord) -> StoreResult<UserId> {
        let id = match self.user_keys.get(user.key.as_bytes())? {
            Some(v) => decode_u32(&v, "user_keys")?,
            None => {
                let id = self.next_id(NEXT_USER_ID)?;
                self.user_keys
                    .insert(user.key.as_bytes(), &id.to_be_bytes())?;
                id
            }
        };
        self.users
            .insert(id.to_be_bytes(), postcard::to_stdvec(user)?)?;
        Ok(id)
    }

    /// A user by id.
    pub fn user(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        self.users
            .get(id.to_be_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// Record (or replace) a user's rating of a book in both rating trees, atomically.
    pub fn put_rating(&self, user: UserId, book: BookId, rating: Rating) -> StoreResult<()> {
        let _only_writer = self.begin_write()?;
        let done = (&self.ratings_by_user, &self.ratings_by_book)
            .transaction(|(by_user, by_book)| {
                by_user.insert(&pair(user, book)[..], &[rating.value()])?;
                by_book.insert(&pair(book, user)[..], &[rating.value()])?;
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(StoreError::from);
        self.libraries.forget(&[user]);
        done
    }

    /// Write many ratings at once (imports), each tree in its own key order.
    ///
    /// Plain inserts in key order, not `sled::Batch`: in sled 0.34 a Book-Crossing import through
    /// batches peaked at several times the memory of the same import through inserts
    /// (`docs/performance.md`, imports).
    /// A crash midway leaves some ratings written and others not; re-running the import
    /// (idempotent) completes it, which is why imports, unlike a reader's single write, need not
    /// be one transaction per rating.
    pub fn put_ratings(&self, ratings: &mut [(UserId, BookId, Rating)]) -> StoreResult<()> {
        let done = self.put_ratings_in_order(ratings);
        self.libraries.forget_all();
        done
    }

    fn put_ratings_in_order(&self, ratings: &mut [(UserId, BookId, Rating)]) -> StoreResult<()> {
        ratings.sort_unstable_by_key(|&(u, b, _)| (u, b));
        for &(user, book, rating) in ratings.iter() {
            self.ratings_by_user
                .insert(&pair(user, book)[..], &[rating.value()])?;
        }
        ratings.sort_unstable_by_key(|&(u, b, _)| (b, u));
        for &(user, book, rating) in ratings.iter() {
            self.ratings_by_book
                .insert(&pair(book, user)[..], &[rating.value()])?;
        }
        Ok(())
    }

    /// A user's ratings, in book id order.
    pub fn ratings_of_user(&self, user: UserId) -> StoreResult<Vec<(BookId, Rating)>> {
        self.ratings_by_user
            .scan_prefix(user.to_be_bytes())
            .map(|kv| {
                let (k, v) = kv?;
                let (_, book) = split_pair(&k, "ratings_by_user")?;
                Ok((book, decode_rating(&v, "ratings_by_user")?))
            })
            .collect()
    }

    /// A book's ratings, in user id order.
    pub fn ratings_of_book(&self, book: BookId) -> StoreResult<Vec<(UserId, Rating)>> {
        self.ratings_by_book
            .scan_prefix(book.to_be_bytes())
            .map(|kv| {
                let (k, v) = kv?;
                let (_, user) = split_pair(&k, "ratings_by_book")?;
                Ok((user, decode_rating(&v, "ratings_by_book")?))
            })
            .collect()
    }

    /// Every rating in one ordered pass: `(user, book, rating)` grouped by user.
    pub fn all_ratings(&self) -> impl Iterator<Item = StoreResult<(UserId, BookId, Rating)>> + '_ {
        self.ratings_by_user.iter().map(|kv| {
            let (k, v) = kv?;
            let (user, book) = split_pair(&k, "ratings_by_user")?;
            Ok((user, book, decode_rating(&v, "ratings_by_user")?))
        })
    }

    /// Remember a small fact (e.g. an import's summary) under `name`.
    pub fn set_meta<T: Serialize>(&self, name: &str, value: &T) -> StoreResult<()> {
        self.meta
            .insert(name.as_bytes(), postcard::to_stdvec(value)?)?;
        Ok(())
    }

    /// A fact stored with [`Store::set_meta`].
    pub fn meta<T: DeserializeOwned>(&self, name: &str) -> StoreResult<Option<T>> {
        self.meta
            .get(name.as_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// Build the in-memory catalog (works, popularity, search) from every book and the ratings
    /// that count for everyone now (see [`standing`]).
    pub fn load_catalog(&self) -> StoreResult<Catalog> {
        self.load_catalog_as_of(crate::backend::auth::now())
    }

    /// [`Store::load_catalog`] as of `now` (Unix seconds), with a search index in memory.
    pub fn load_catalog_as_of(&self, now: u64) -> StoreResult<Catalog> {
        let search = std::sync::Arc::new(engine::search::SearchIndex::in_memory()?);
        self.load_catalog_with(now, search)
    }

    /// [`Store::load_catalog`] as of `now` over a search index that already holds some of the
    /// books (the one on disk, or the current catalog's): only the books it lacks are added.
    pub fn load_catalog_with(
        &self,
        now: u64,
        search: std::sync::Arc<engine::search::SearchIndex>,
    ) -> StoreResult<Catalog> {
        let mut books = Vec::with_capacity(self.book_count());
        for entry in self.books() {
            let (id, book) = entry?;
            // Ids are dense by construction; a gap means something else wrote this tree.
            if id as usize != books.len() {
                return Err(StoreError::Corrupt { tree: "books" });
            }
            books.push(book);
        }
        let uncounted = self.unestablished_readers(now)?;
        let mut ratings = Vec::with_capacity(self.rating_count());
        for kv in self.ratings_by_book.iter() {
            let (k, v) = kv?;
            let (book, user) = split_pair(&k, "ratings_by_book")?;
            if !uncounted.contains(&user) {
                ratings.push((book, decode_rating(&v, "ratings_by_book")?));
            }
        }
        Ok(Catalog::build_with(books, ratings, search)?)
    }

    /// Allocate the next dense id of a counter. Ids are only handed out by imports and (later)
    /// sign-ups, each serialised by sled's compare-and-swap in `update_and_fetch`.
    fn next_id(&self, counter: &[u8]) -> StoreResult<u32> {
        schema::stamp(self)?;
        let mut allocated = 0u32;
        self.meta.update_and_fetch(counter, |old| {
            let current = old
                .and_then(|v| <[u8; 4]>::try_from(v).ok())
                .map(u32::from_be_bytes)
                .unwrap_or(0);
            allocated = current;
            Some((current + 1).to_be_bytes().to_vec())
        })?;
        Ok(allocated)
    }
}

/// Where a reader's last import summary is kept in `meta` (see `backend::transfer`).
pub(crate) fn transfer_summary_key(user: UserId) -> String {
    format!("import:{user}")
}

/// Two ids as one 8-byte key.
pub(crate) fn pair(a: u32, b: u32) -> [u8; 8] {
    let mut k = [0u8; 8];
    k[..4].copy_from_slice(&a.to_be_bytes());
    k[4..].copy_from_slice(&b.to_be_bytes());
    k
}

pub(crate) fn split_pair(k: &[u8], tree: &'static str) -> StoreResult<(u32, u32)> {
    if k.len() != 8 {
        return Err(StoreError::Corrupt { tree });
    }
    Ok((decode_u32(&k[..4], tree)?, decode_u32(&k[4..], tree)?))
}

pub(crate) fn decode_u32(v: &[u8], tree: &'static str) -> StoreResult<u32> {
    <[u8; 4]>::try_from(v)
        .map(u32::from_be_bytes)
        .map_err(|_| StoreError::Corrupt { tree })
}

pub(crate) fn decode_rating(v: &[u8], tree: &'static str) -> StoreResult<Rating> {
    match v {
        [r] => Rating::new(*r).ok_or(StoreError::Corrupt { tree }),
        _ => Err(StoreError::Corrupt { tree }),
    }
}

pub(crate) fn decode<T: DeserializeOwned>(v: &[u8]) -> StoreResult<T> {
    Ok(postcard::from_bytes(v)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(key: &str, title: &str) -> Book {
        Book {
            key: key.into(),
            title: title.into(),
            author: "A. Writer".into(),
            year: Some(2001),
            publisher: "P".into(),
            image_url: None,
            tags: vec![],
        }
    }

    fn user(key: &str) -> UserRecord {
        UserRecord {
            key: key.into(),
            location: String::new(),
            age: None,
        }
    }

    #[test]
    fn ids_are_dense_and_stable_across_upserts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(store.upsert_book(&book("0000000001", "One")).unwrap(), 0);
        assert_eq!(store.upsert_book(&book("0000000002", "Two")).unwrap(), 1);
        assert_eq!(
            store
                .upsert_book(&book("0000000001", "One, again"))
                .unwrap(),
            0
        );
        assert_eq!(store.book_count(), 2);
        assert_eq!(store.book(0).unwrap().unwrap().title, "One, again");
        assert_eq!(store.upsert_user(&user("bx:9")).unwrap(), 0);
        assert_eq!(store.upsert_user(&user("bx:9")).unwrap(), 0);
    }

    #[test]
    fn ratings_are_readable_by_user_by_book_and_in_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let r = |v| Rating::new(v).unwrap();
        store.put_rating(1, 7, r(8)).unwrap();
        store
            .put_ratings(&mut [(2, 7, r(5)), (1, 3, r(0))])
            .unwrap();
        store.put_rating(1, 7, r(9)).unwrap(); // replaces, never duplicates
        assert_eq!(
            store.ratings_of_user(1).unwrap(),
            vec![(3, r(0)), (7, r(9))]
        );
        assert_eq!(
            store.ratings_of_book(7).unwrap(),
            vec![(1, r(9)), (2, r(5))]
        );
        let all: Vec<_> = store.all_ratings().collect::<Result<_, _>>().unwrap();
        assert_eq!(all, vec![(1, 3, r(0)), (1, 7, r(9)), (2, 7, r(5))]);
        assert_eq!(store.rating_count(), 3);
    }

    #[test]
    fn data_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path(), 1 << 20).unwrap();
            store.upsert_book(&book("0000000001", "One")).unwrap();
            store.put_rating(0, 0, Rating::new(10).unwrap()).unwrap();
            store.flush().unwrap();
        }
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        assert_eq!(store.book_id("0000000001").unwrap(), Some(0));
        assert_eq!(store.rating_count(), 1);
    }
}
