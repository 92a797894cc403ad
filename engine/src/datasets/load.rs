//! Loading a published dataset (Book-Crossing, goodbooks-10k) or a store's own records into
//! the recommender's form: the catalog as an [`ItemIndex`] and its ratings as [`Interaction`]s.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::{bookcrossing, goodbooks};
use crate::records::{Book, ImportReport};
use crate::recs::data::{Interaction, ItemIndex};
use crate::recs::{RecsError, Result};

/// A loaded dataset: the catalog and the ratings of its books.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The catalog.
    pub items: ItemIndex,
    /// Ratings of catalog books, one per (user, edition): a repeated pair keeps the last.
    pub ratings: Vec<Interaction>,
    /// Ratings read from the file, before matching to the catalog.
    pub ratings_read: u64,
    /// Ratings left out because their book is not in the book table.
    pub unknown_book: u64,
}

impl Dataset {
    /// A dataset from a store's own records: `books` in store-id order (a rating names its
    /// book by position in `books`) and (user id, book index, rating 0–10) tuples. Ratings of
    /// an index past the end or a score above 10 are left out (counted in
    /// [`Dataset::unknown_book`]); a repeated (user, book) keeps the last. Books repeating an
    /// earlier key are one edition, as in [`ItemIndex::from_books`].
    pub fn from_tuples(
        books: Vec<Book>,
        ratings: impl IntoIterator<Item = (u32, u32, u8)>,
    ) -> Dataset {
        let keys: Vec<String> = books.iter().map(|b| b.key.clone()).collect();
        let items = ItemIndex::from_books(books);
        // Store position → edition id (differs only after a repeated key).
        let edition: Vec<u32> = keys
            .iter()
            .map(|k| items.find(k).unwrap_or(u32::MAX))
            .collect();
        let (mut read, mut unknown) = (0u64, 0u64);
        let mut out = Vec::new();
        for (user, book, rating) in ratings {
            read += 1;
            match edition.get(book as usize) {
                Some(&item) if item != u32::MAX && rating <= 10 => {
                    out.push(Interaction { user, item, rating })
                }
                _ => unknown += 1,
            }
        }
        dedup_last(&mut out);
        Dataset {
            items,
            ratings: out,
            ratings_read: read,
            unknown_book: unknown,
        }
    }
}

fn open(path: &Path) -> Result<BufReader<File>> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| RecsError::io(path, e))
}

/// Keep the last rating of each (user, edition) pair, sorted by user then edition.
fn dedup_last(ratings: &mut Vec<Interaction>) {
    // A stable sort keeps file order within a pair, so the last of each run is the last read.
    ratings.sort_by_key(|r| (r.user, r.item));
    let mut out: Vec<Interaction> = Vec::with_capacity(ratings.len());
    for r in ratings.drain(..) {
        match out.last_mut() {
            Some(last) if last.user == r.user && last.item == r.item => *last = r,
            _ => out.push(r),
        }
    }
    *ratings = out;
}

/// Match raw ratings to the catalog.
fn ratings_of(
    items: &ItemIndex,
    raw: impl FnOnce(&mut dyn FnMut(crate::records::RawRating)) -> Result<u64>,
) -> Result<(Vec<Interaction>, u64, u64)> {
    let mut ratings = Vec::new();
    let mut unknown = 0u64;
    let read = raw(&mut |r| match items.find(&r.book) {
        Some(item) => ratings.push(Interaction {
            user: r.user,
            item,
            rating: r.rating.value(),
        }),
        None => unknown += 1,
    })?;
    dedup_last(&mut ratings);
    Ok((ratings, read, unknown))
}

/// Read ratings in the Book-Crossing layout (`BX-Book-Ratings.csv`, or a split file written
/// by [`super::split::write_ratings`]) and keep those of books in `items`.
pub fn read_bx_ratings(path: &Path, items: &ItemIndex) -> Result<Vec<Interaction>> {
    let input = open(path)?;
    let (ratings, _, _) = ratings_of(items, |each| {
        let mut report = ImportReport::default();
        bookcrossing::read_ratings(input, &mut report, each)?;
        Ok(report.read)
    })?;
    Ok(ratings)
}

/// Load the Book-Crossing dataset from a directory holding `BX-Books.csv` and
/// `BX-Book-Ratings.csv`, keeping only ratings of books in the book table.
pub fn load_bookcrossing(dir: &Path) -> Result<Dataset> {
    load_bookcrossing_from(
        open(&dir.join("BX-Books.csv"))?,
        open(&dir.join("BX-Book-Ratings.csv"))?,
    )
}

/// [`load_bookcrossing`] from readers (e.g. a slice of the files, for tests).
pub fn load_bookcrossing_from(
    books: impl std::io::Read,
    ratings: impl std::io::Read,
) -> Result<Dataset> {
    let mut report = ImportReport::default();
    let mut all = Vec::new();
    bookcrossing::read_books(books, &mut report, |b| all.push(b))?;
    let items = ItemIndex::from_books(all);
    let (ratings, ratings_read, unknown_book) = ratings_of(&items, |each| {
        let mut report = ImportReport::default();
        bookcrossing::read_ratings(ratings, &mut report, each)?;
        Ok(report.read)
    })?;
    Ok(Dataset {
        items,
        ratings,
        ratings_read,
        unknown_book,
    })
}

/// Load the goodbooks-10k layout from a directory holding `books.csv` and `ratings.csv`
/// (and, optionally, `tags.csv` with `book_tags.csv` for the content model's tags).
/// Stars are mapped to Shelfwise's scale (4 stars = 8), so "relevant" (≥ 7) means 4–5 stars.
pub fn load_goodbooks(dir: &Path) -> Result<Dataset> {
    let mut report = ImportReport::default();
    let mut books = Vec::new();
    goodbooks::read_books(open(&dir.join("books.csv"))?, &mut report, |b| {
        books.push(b)
    })?;

    let (tags_path, book_tags_path) = (dir.join("tags.csv"), dir.join("book_tags.csv"));
    if tags_path.exists() && book_tags_path.exists() {
        let names = goodbooks::read_tags(open(&tags_path)?, &mut report)?;
        let mut per_book: HashMap<u32, Vec<(String, u32)>> = HashMap::new();
        goodbooks::read_book_tags(open(&book_tags_path)?, &mut report, |t| {
            if let Some(name) = names.get(&t.tag_id) {
                per_book
                    .entry(t.goodreads_book_id)
                    .or_default()
                    .push((name.clone(), t.count));
            }
        })?;
        for b in &mut books {
            if let Some(tags) = per_book.remove(&b.goodreads_book_id) {
                b.book.tags = goodbooks::top_tags(tags, 10);
            }
        }
    }

    let book_keys: HashMap<u32, String> = books
        .iter()
        .map(|b| (b.book_id, b.book.key.clone()))
        .collect();
    let items = ItemIndex::from_books(books.into_iter().map(|b| b.book));
    let input = open(&dir.join("ratings.csv"))?;
    let (ratings, ratings_read, unknown_book) = ratings_of(&items, |each| {
        let mut report = ImportReport::default();
        goodbooks::read_ratings(input, &book_keys, &mut report, each)?;
        Ok(report.read)
    })?;
    Ok(Dataset {
        items,
        ratings,
        ratings_read,
        unknown_book,
    })
}
