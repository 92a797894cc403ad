//! A reader's library on the server: their state on books, their writes, "My books".
//!
//! Writes are acknowledged only after the store has flushed them to disk, so a rating the
//! reader saw accepted survives a crash of the server right after. A reader without an account
//! gets an anonymous session on their first write.

use std::collections::HashMap;

use crate::backend::cards::card;
use crate::backend::state::AppState;
use crate::backend::store::library::{Change, LibraryBook};
use crate::backend::store::BookId;
use crate::error::AppError;
use crate::types::{BookCard, MyBook, MyBooks, MyBooksSort, MyState, Shelf};

/// Longest ISBN argument accepted (any common spelling fits easily).
pub const MAX_ISBN_CHARS: usize = 64;

/// Which of the reader's books "My books" lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MyBooksFilter {
    /// Every book.
    All,
    /// Books with a rating.
    Rated,
    /// Books on this shelf.
    Shelf(Shelf),
    /// Books with this tag or own shelf of the reader's (case ignored).
    Tag(String),
}

/// The reader's state from their library record.
pub fn state_of(book: &LibraryBook) -> MyState {
    MyState {
        // 1–10 back to stars, halves rounded up (a dataset 7 shows as 4 stars).
        stars: book
            .rating
            .map(|r| r.value())
            .filter(|&v| v > 0)
            .map(|v| v.div_ceil(2)),
        shelf: book.entry.and_then(|e| e.shelf),
    }
}

/// `YYYY-MM-DD` of unix seconds (empty for 0: a dataset rating has no date).
pub fn date(secs: u64) -> String {
    if secs == 0 {
        return String::new();
    }
    time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// The store id of a book named by ISBN, or a clear error.
pub fn book_id(state: &AppState, isbn: &str) -> Result<BookId, AppError> {
    if isbn.chars().count() > MAX_ISBN_CHARS {
        return Err(AppError::Invalid("That is not an ISBN.".into()));
    }
    // A book with no ISBN is named by its catalog key (`gr:2767052`, `rd:…`).
    if let Some(id) = isbn
        .contains(':')
        .then(|| state.catalog().find(isbn))
        .flatten()
    {
        return Ok(id);
    }
    let key = engine::isbn::normalize(isbn).ok_or_else(|| {
        AppError::Invalid(format!(
            "\"{}\" is not an ISBN.",
            isbn.chars().take(20).collect::<String>()
        ))
    })?;
    state
        .catalog()
        .find(&key)
        .ok_or_else(|| AppError::NotFound(format!("No book with ISBN {key} is in the catalog.")))
}

/// Apply one change for the current (or a new anonymous) reader, flush, and answer the
/// book's new state.
pub async fn change(
    state: &AppState,
    isbn: &str,
    make: impl FnOnce(BookId) -> Change,
) -> Result<MyState, AppError> {
    let book = book_id(state, isbn)?;
    let current = crate::backend::auth::session::current_or_anonymous(state)?;
    let user = current.user();
    state
        .store
        .apply_changes(user, &[make(book)], crate::backend::auth::now())?;
    state.store.flush_async().await?;
    let rating = state.store.rating(user, book)?;
    let entry = state.store.library_entry(user, book)?;
    Ok(state_of(&LibraryBook {
        book,
        rating,
        entry,
    }))
}

/// Fill in the current reader's state on cards (any edition of a card's work counts).
pub fn fill_mine(state: &AppState, cards: &mut [BookCard]) -> Result<(), AppError> {
    let Some(current) = crate::backend::auth::session::current(state)? else {
        return Ok(());
    };
    let library = state.store.library_of(current.user())?;
    fill_mine_from(state, &library, cards);
    Ok(())
}

/// [`fill_mine`] from a library already loaded for this request.
pub fn fill_mine_from(state: &AppState, library: &[LibraryBook], cards: &mut [BookCard]) {
    let library: HashMap<BookId, MyState> = library.iter().map(|b| (b.book, state_of(b))).collect();
    if library.is_empty() {
        return;
    }
    let catalog = &state.catalog();
    for card in cards {
        let Some(idx) = catalog.find(&card.isbn) else {
            continue;
        };
        if let Some(mine) = library.get(&idx) {
            card.mine = *mine;
            continue;
        }
        let editions = catalog
            .work_of(idx)
            .and_then(|w| catalog.work(w))
            .map(|w| w.editions.as_slice())
            .unwrap_or(&[]);
        if let Some(mine) = editions.iter().find_map(|e| library.get(e)) {
            card.mine = *mine;
        }
    }
}

/// Tags offered as filters on "My books", most used first (a filter by any tag works).
const MAX_TAG_CHIPS: usize = 60;

/// "My books": the current reader's books on `shelf_filter` (or rated ones, or all), sorted,
/// with counts over the whole library.
pub fn my_books(
    state: &AppState,
    sort: MyBooksSort,
    filter: MyBooksFilter,
) -> Result<MyBooks, AppError> {
    let empty = MyBooks {
        books: vec![],
        shelf_counts: vec![0; Shelf::ALL.len()],
        rated: 0,
        total: 0,
        star_histogram: vec![0; 5],
        tags: vec![],
    };
    let Some(current) = crate::backend::auth::session::current(state)? else {
        return Ok(empty);
    };
    let library = state.store.library_of(current.user())?;
    // Tags live in the rows readers brought or wrote notes in: one read of those per view.
    let tags: HashMap<BookId, Vec<String>> = state
        .store
        .brought_of(current.user())?
        .into_iter()
        .map(|(book, d)| (book, crate::backend::notes::tags_of(&d)))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let mut tag_counts: HashMap<String, (String, u32)> = HashMap::new();
    let mut out = empty;
    let mut books = Vec::new();
    for entry in &library {
        let mine = state_of(entry);
        out.total += 1;
        if let Some(stars) = mine.stars {
            out.rated += 1;
            out.star_histogram[stars as usize - 1] += 1;
        }
        if let Some(shelf) = mine.shelf {
            if let Some(i) = Shelf::ALL.iter().position(|s| *s == shelf) {
                out.shelf_counts[i] += 1;
            }
        }
        let book_tags = tags.get(&entry.book).map(Vec::as_slice).unwrap_or_default();
        for tag in book_tags {
            tag_counts
                .entry(tag.to_lowercase())
                .or_insert_with(|| (tag.clone(), 0))
                .1 += 1;
        }
        let keep = match &filter {
            MyBooksFilter::Rated => mine.stars.is_some(),
            MyBooksFilter::Shelf(s) => mine.shelf == Some(*s),
            MyBooksFilter::Tag(t) => book_tags.iter().any(|b| b.eq_ignore_ascii_case(t)),
            MyBooksFilter::All => true,
        };
        if !keep {
            continue;
        }
        let Some(mut card) = card(&state.catalog(), entry.book) else {
            continue;
        };
        // The card is the edition the reader acted on, with their state.
        card.mine = mine;
        let updated = entry.entry.map(|e| e.updated).unwrap_or(0);
        books.push((
            updated,
            MyBook {
                card,
                updated: date(updated),
            },
        ));
    }
    match sort {
        MyBooksSort::Recent => books.sort_by_key(|b| std::cmp::Reverse(b.0)),
        MyBooksSort::Rating => books.sort_by(|a, b| {
            b.1.card
                .mine
                .stars
                .cmp(&a.1.card.mine.stars)
                .then(b.0.cmp(&a.0))
        }),
        MyBooksSort::Title => books.sort_by_cached_key(|b| engine::text::fold(&b.1.card.title)),
        MyBooksSort::Author => books.sort_by_cached_key(|b| {
            (
                engine::text::fold(&b.1.card.author),
                engine::text::fold(&b.1.card.title),
            )
        }),
    }
    out.books = books.into_iter().map(|b| b.1).collect();
    let mut tags: Vec<(String, u32)> = tag_counts.into_values().collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    tags.truncate(MAX_TAG_CHIPS);
    out.tags = tags;
    Ok(out)
}
