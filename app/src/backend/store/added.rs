//! Books readers add to the catalog (from an import today), and where each came from.
//!
//! A reader's book that matches no catalog edition becomes one: it gets the next dense id like
//! a dataset's book, so the catalog, search and the book page take it as they take any other.
//! The `origins` tree records, per added book, how it came (which import format), who brought
//! it, when, and the source's own ids; dataset books have no entry there.

use serde::{Deserialize, Serialize};
use sled::transaction::ConflictableTransactionError;
use sled::Transactional;

use super::library::{apply, Change};
use super::{decode, BookId, Store, StoreError, StoreResult, UserId, NEXT_BOOK_ID};
use engine::datasets::goodreads::Details;
use engine::records::Book;

/// The book an imported row goes to: a catalog book, or one of the books the import adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A book the catalog has.
    Book(BookId),
    /// The import's new book at this index (see [`Store::import_library`]).
    New(usize),
}

/// One imported row, as the store writes it.
#[derive(Debug, Clone)]
pub struct ImportedRow {
    /// Its book.
    pub target: Target,
    /// The change to the reader's rating and shelf (its `book` is filled in from `target`).
    pub change: Change,
    /// Every column the reader brought.
    pub details: Details,
    /// The file's further rows for the same book (a duplicate row, two readings or editions
    /// the catalog cannot tell apart), kept whole beside `details` and exported after it;
    /// their ratings and shelves are not applied (the first row's are).
    pub more: Vec<Details>,
}

/// Where an added book came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// How it came: `goodreads-import`, `storygraph-import`, `librarything-import`.
    pub via: String,
    /// The reader who brought it first.
    pub by: UserId,
    /// Unix seconds.
    pub at: u64,
    /// The source's own ids: `("goodreads", "2767052")`, `("librarything", "5015237")`.
    pub source_ids: Vec<(String, String)>,
}

impl Store {
    /// Add a book unless one with its key is there; its id, and whether it is new. A book
    /// already in the catalog (a dataset's, or another reader's) is never replaced.
    pub fn add_book(&self, book: &Book, origin: &Origin) -> StoreResult<(BookId, bool)> {
        // One writer: two imports adding the same book at once must not both allocate an id.
        let _only_writer = self.begin_write()?;
        if let Some(id) = self.book_id(&book.key)? {
            return Ok((id, false));
        }
        let id = self.next_id(NEXT_BOOK_ID)?;
        self.books
            .insert(id.to_be_bytes(), postcard::to_stdvec(book)?)?;
        self.origins
            .insert(id.to_be_bytes(), postcard::to_stdvec(origin)?)?;
        // The key last: a crash before it leaves a book no key leads to, which a re-import
        // cannot duplicate (ids stay dense; the book is simply unreachable by key).
        self.book_keys
            .insert(book.key.as_bytes(), &id.to_be_bytes())?;
        Ok((id, true))
    }

    /// Write an import in one transaction: the books it adds (each unless a book with its key
    /// is there already: another reader's, or the same file's earlier import) and every row
    /// into `user`'s library, each with what the reader brought. All of it or nothing: a
    /// failure leaves neither a book no reader has nor half a library. Answers, per new
    /// book, its id and whether it was created.
    pub fn import_library(
        &self,
        user: UserId,
        new_books: &[(Book, Origin)],
        rows: &[ImportedRow],
        now: u64,
    ) -> StoreResult<Vec<(BookId, bool)>> {
        super::schema::stamp(self)?;
        let encoded: Vec<(Vec<u8>, Vec<u8>)> = new_books
            .iter()
            .map(|(book, origin)| Ok((postcard::to_stdvec(book)?, postcard::to_stdvec(origin)?)))
            .collect::<StoreResult<_>>()?;
        let _only_writer = self.begin_write()?;
        let done = (
            &self.ratings_by_user,
            &self.ratings_by_book,
            &self.library,
            &self.brought,
            &self.books,
            &self.origins,
            &self.book_keys,
            &self.meta,
            &self.brought_more,
        )
            .transaction(
                |(by_user, by_book, library, brought, books, origins, keys, meta, more)| {
                    let mut ids = Vec::with_capacity(new_books.len());
                    for ((book, _), (book_bytes, origin_bytes)) in new_books.iter().zip(&encoded) {
                        if let Some(id) = keys.get(book.key.as_bytes())? {
                            ids.push((decode_id(&id)?, false));
                            continue;
                        }
                        let id = meta
                            .get(NEXT_BOOK_ID)?
                            .map(|v| decode_id(&v))
                            .transpose()?
                            .unwrap_or(0);
                        meta.insert(NEXT_BOOK_ID, &(id + 1).to_be_bytes())?;
                        books.insert(&id.to_be_bytes(), book_bytes.as_slice())?;
                        origins.insert(&id.to_be_bytes(), origin_bytes.as_slice())?;
                        keys.insert(book.key.as_bytes(), &id.to_be_bytes())?;
                        ids.push((id, true));
                    }
                    for row in rows {
                        let book = match row.target {
                            Target::Book(id) => id,
                            Target::New(i) => ids[i].0,
                        };
                        let change = Change { book, ..row.change };
                        apply(
                            (by_user, by_book, library, brought, more),
                            user,
                            &change,
                            Some(&row.details),
                            Some(&row.more),
                            now,
                        )?;
                    }
                    Ok(ids)
                },
            )
            .map_err(StoreError::from);
        self.libraries.forget(&[user]);
        done
    }

    /// Where an added book came from; `None` for a dataset's book.
    pub fn origin(&self, book: BookId) -> StoreResult<Option<Origin>> {
        self.origins
            .get(book.to_be_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// How many books `user` added `via` one way (`added-by-hand`) at or after `since` (Unix
    /// seconds): one pass over the added books' origins, which readers' additions bound.
    pub fn added_since(&self, user: UserId, via: &str, since: u64) -> StoreResult<usize> {
        let mut n = 0;
        for kv in self.origins.iter() {
            let (_, v) = kv?;
            let origin: Origin = decode(&v)?;
            n += usize::from(origin.by == user && origin.via == via && origin.at >= since);
        }
        Ok(n)
    }

    /// Number of books readers added.
    pub fn added_count(&self) -> usize {
        self.origins.len()
    }
}

/// A book id as the store writes it, inside a transaction.
fn decode_id(v: &[u8]) -> Result<BookId, ConflictableTransactionError<StoreError>> {
    super::decode_u32(v, "book_keys").map_err(ConflictableTransactionError::Abort)
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::records::Rating;

    #[test]
    fn a_book_is_added_once_and_never_replaces_another() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let dataset = store
            .upsert_book(&Book::new(
                "0439023483",
                "The Hunger Games",
                "Suzanne Collins",
            ))
            .unwrap();
        let origin = Origin {
            via: "goodreads-import".into(),
            by: 7,
            at: 100,
            source_ids: vec![("goodreads".into(), "2767052".into())],
        };
        let other = Book::new("0439023483", "Hunger Games, a copy", "Someone");
        assert_eq!(store.add_book(&other, &origin).unwrap(), (dataset, false));
        assert_eq!(
            store.book(dataset).unwrap().unwrap().title,
            "The Hunger Games"
        );
        assert_eq!(store.origin(dataset).unwrap(), None);

        let new = Book::new("gr:58", "Project Hail Mary", "Andy Weir");
        let (id, created) = store.add_book(&new, &origin).unwrap();
        assert!(created);
        assert_eq!(id, dataset + 1);
        assert_eq!(store.add_book(&new, &origin).unwrap(), (id, false));
        assert_eq!(store.origin(id).unwrap(), Some(origin));
        assert_eq!(store.book_count(), 2);
        assert_eq!(store.added_count(), 1);
        // The catalog takes it like any other.
        let catalog = store.load_catalog().unwrap();
        assert_eq!(catalog.find("gr:58"), Some(id));
    }

    fn row(target: Target, stars: u8, review: &str) -> ImportedRow {
        ImportedRow {
            target,
            change: Change {
                book: 0,
                rating: Some(Rating::from_stars(stars)),
                shelf: None,
            },
            details: Details {
                review: review.into(),
                ..Details::default()
            },
            more: vec![],
        }
    }

    #[test]
    fn an_import_writes_its_new_books_and_rows_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), 1 << 20).unwrap();
        let known = store
            .upsert_book(&Book::new("0441172717", "Dune", "Frank Herbert"))
            .unwrap();
        let origin = Origin {
            via: "storygraph-import".into(),
            by: 3,
            at: 100,
            source_ids: vec![],
        };
        let new_books = vec![
            (
                Book::new("rd:klara", "Klara and the Sun", "Kazuo Ishiguro"),
                origin.clone(),
            ),
            (
                Book::new("rd:piranesi", "Piranesi", "Susanna Clarke"),
                origin.clone(),
            ),
        ];
        let rows = vec![
            row(Target::Book(known), 5, "Spice."),
            row(Target::New(0), 4, "Quiet."),
            row(Target::New(1), 3, ""),
        ];

        // A corrupt id counter aborts the transaction half way through the new books: nothing
        // of the import is written, neither books nor rows.
        store.meta.insert(NEXT_BOOK_ID, &[1u8, 2, 3][..]).unwrap();
        assert!(store.import_library(3, &new_books, &rows, 100).is_err());
        assert_eq!(store.book_count(), 1);
        assert_eq!(store.book_id("rd:klara").unwrap(), None);
        assert!(store.library_of(3).unwrap().is_empty());
        assert!(store.brought_of(3).unwrap().is_empty());

        store
            .meta
            .insert(NEXT_BOOK_ID, &(known + 1).to_be_bytes()[..])
            .unwrap();
        let added = store.import_library(3, &new_books, &rows, 100).unwrap();
        assert_eq!(added, vec![(known + 1, true), (known + 2, true)]);
        assert_eq!(store.book_id("rd:piranesi").unwrap(), Some(known + 2));
        assert_eq!(store.origin(known + 1).unwrap(), Some(origin));
        let library = store.library_of(3).unwrap();
        assert_eq!(library.len(), 3);
        assert_eq!(
            store.brought(3, known + 1).unwrap().unwrap().review,
            "Quiet."
        );
        // Another reader importing the same books gets the same ids, nothing created.
        let again = store.import_library(4, &new_books, &rows, 200).unwrap();
        assert_eq!(again, vec![(known + 1, false), (known + 2, false)]);
        assert_eq!(store.book_count(), 3);
        assert_eq!(store.library_of(4).unwrap().len(), 3);
    }
}
