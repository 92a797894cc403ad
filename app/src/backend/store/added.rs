//! Books readers add to the catalog (from an import today), and where each came from.
//!
//! A reader's book that matches no catalog edition becomes one: it gets the next dense id like
//! a dataset's book, so the catalog, search and the book page take it as they take any other.
//! The `origins` tree records, per added book, how it came (which import format), who brought
//! it, when, and the source's own ids; dataset books have no entry there.

use serde::{Deserialize, Serialize};

use super::{decode, BookId, Store, StoreResult, UserId, NEXT_BOOK_ID};
use engine::records::Book;

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

    /// Where an added book came from; `None` for a dataset's book.
    pub fn origin(&self, book: BookId) -> StoreResult<Option<Origin>> {
        self.origins
            .get(book.to_be_bytes())?
            .map(|v| decode(&v))
            .transpose()
    }

    /// Number of books readers added.
    pub fn added_count(&self) -> usize {
        self.origins.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
